"""ORM classes over the tables of ``claimtrack.schema``, for the commands that write.

The classes are mapped onto the Core tables (declarative with ``__table__``): the schema
is defined once, in ``claimtrack.schema``, and reading code that needs no ORM objects
uses the tables directly, without paying for the mapping.
"""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase, relationship

from claimtrack import schema
from claimtrack.schema import (  # noqa: F401 - the names the rest of claimtrack imports from here
    CLAIM_STATUSES,
    LINK_KINDS,
    NAMING_CONVENTION,
    PARTY_KINDS,
    PRECISIONS,
    RATINGS,
    UTCDateTime,
)
from claimtrack.vocabulary import STANCE_KINDS  # noqa: F401


class Base(DeclarativeBase):
    metadata = schema.metadata


class Party(Base):
    """Who speaks: a person, a government, an agency, an outlet, or an anonymous source."""

    __table__ = schema.party

    acts_for = relationship("Party", remote_side=[schema.party.c.id])
    aliases = relationship("PartyAlias", back_populates="party", order_by="PartyAlias.id")

    # Not stored: the names of other parties close to its name when a command created it
    # (``record.resolve_party``, ``record.close_to_others``), for the note that says so.
    close_to: tuple[str, ...] = ()


class PartyName(Base):
    """A matching key of a party's name or alias, in the one namespace of names."""

    __table__ = schema.party_name

    party = relationship("Party")


class PartyAlias(Base):
    """Another name for a party, in any language or script (万斯 = JD Vance)."""

    __table__ = schema.party_alias

    party = relationship("Party", back_populates="aliases")


class Source(Base):
    """Where a statement appeared: an outlet's article, broadcast or post."""

    __table__ = schema.source

    outlet = relationship("Party")


class Claim(Base):
    """A proposition, in the language the editor recorded it, within a topic (story)."""

    __table__ = schema.claim

    stances = relationship("Stance", back_populates="claim", order_by="Stance.id")


class Stance(Base):
    """One party's position on one claim, as reported in one source. Never deleted."""

    __table__ = schema.stance

    claim = relationship("Claim", back_populates="stances")
    party = relationship("Party", foreign_keys=[schema.stance.c.party_id])
    via = relationship("Party", foreign_keys=[schema.stance.c.via_id])
    amends = relationship("Stance", remote_side=[schema.stance.c.id])
    source = relationship("Source")


class ClaimLink(Base):
    """A counter-claim contradicts the claim it answers; a duplicate is the same as another."""

    __table__ = schema.claim_link


class Event(Base):
    """The audit trail: every write, by whom and when."""

    __table__ = schema.event
