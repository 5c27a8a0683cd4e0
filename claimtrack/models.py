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


# The classes mapped when first imported, not with the module: no daily command's write
# maps them (``claim add`` writes a claim's sketch, state and history with Core, and no
# verdict), and each mapped class costs every command that writes its mapping and its
# configuration at the first flush: these four, 37 M instructions of ``claim add``'s
# 1,660 M (valgrind, ``PYTHONHASHSEED=0``). Nothing refers to them by name in a
# relationship, so the classes mapped earlier are configured without them.


def _claim_sketch() -> type:
    class ClaimSketch(Base):
        """A claim's MinHash sketch under its topic (``claimtrack.similar``)."""

        __qualname__ = "ClaimSketch"  # as if defined at the module's top
        __table__ = schema.claim_sketch

    return ClaimSketch


def _claim_state() -> type:
    class ClaimState(Base):
        """Each claim's status under the rule, kept by every write (``schema.claim_state``)."""

        __qualname__ = "ClaimState"  # as if defined at the module's top
        __table__ = schema.claim_state

    return ClaimState


def _claim_history() -> type:
    class ClaimHistory(Base):
        """Each claim's state over both time axes (see ``schema.claim_history``)."""

        __qualname__ = "ClaimHistory"  # as if defined at the module's top
        __table__ = schema.claim_history

        @classmethod
        def known_at(cls, at) -> list:
            """Conditions for the rows the desk's record held at ``at`` (an instant or a
            bound parameter; None: the record as it is now)."""
            return schema.known_at(at)

    return ClaimHistory


def _verdict() -> type:
    class Verdict(Base):
        """The desk's published verdict on a claim. A new verdict supersedes, never
        overwrites."""

        __qualname__ = "Verdict"  # as if defined at the module's top
        __table__ = schema.verdict

        claim = relationship("Claim")
        publisher = relationship("Party", foreign_keys=[schema.verdict.c.publisher_id])

        @property
        def publisher_name(self) -> str | None:
            """Who published it (None: the desk itself), as a row of
            ``report.verdicts_query`` names it."""
            return None if self.publisher is None else self.publisher.name

    return Verdict


_MAPPED_WHEN_IMPORTED = {
    "ClaimSketch": _claim_sketch,
    "ClaimState": _claim_state,
    "ClaimHistory": _claim_history,
    "Verdict": _verdict,
}


def __getattr__(name: str) -> type:
    """``from claimtrack.models import Verdict``: the class, mapped on first import."""
    define = _MAPPED_WHEN_IMPORTED.get(name)
    if define is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    cls = globals()[name] = define()
    return cls
