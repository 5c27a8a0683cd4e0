"""SQLAlchemy 2.0 models: parties, sources, claims, stances, claim links, the audit log.

The schema itself is owned by the Alembic revisions in ``migrations/``; a test runs
``alembic check`` so these models and the migrations cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from claimtrack.vocabulary import STANCE_KINDS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PARTY_KINDS = ("person", "government", "agency", "organisation", "media", "anonymous")
LINK_KINDS = ("contradicts", "same_as")
PRECISIONS = ("day", "minute", "second")


class UTCDateTime(TypeDecorator):
    """A timezone-aware instant stored as naive UTC (SQLAlchemy's TZDateTime recipe).

    Naive datetimes are refused at the boundary: nobody's clock is guessed.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: a time zone is required")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # raw SQL over SQLite hands back text
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=dt.UTC)


def _enum(values: tuple[str, ...], name: str) -> Enum:
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Party(Base):
    """Who speaks: a person, a government, an agency, an outlet, or an anonymous source."""

    __tablename__ = "party"
    __table_args__ = (
        # Name keys are unique in ``party_name``, with the aliases.
        Index("ix_party_name_norm", "name_norm"),
        CheckConstraint("acts_for_id IS NULL OR acts_for_id <> id", name="not_own_affiliate"),
        CheckConstraint("anonymous = (kind = 'anonymous')", name="anonymous_matches_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String)
    name_norm: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(_enum(PARTY_KINDS, "party_kind"))
    anonymous: Mapped[bool] = mapped_column(Boolean(create_constraint=False), default=False)
    acts_for_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    acts_for: Mapped[Party | None] = relationship(remote_side=[id])
    aliases: Mapped[list[PartyAlias]] = relationship(
        back_populates="party", order_by="PartyAlias.id"
    )


class PartyName(Base):
    """One namespace for every party's name and aliases, anonymous sources' descriptors
    included: each matching key (``names.normalise``) belongs to one party, which the
    database enforces, so a name never finds two parties."""

    __tablename__ = "party_name"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    key: Mapped[str] = mapped_column(String, unique=True)

    party: Mapped[Party] = relationship()


class PartyAlias(Base):
    """Another name for a party, in any language or script (万斯 = JD Vance)."""

    __tablename__ = "party_alias"
    __table_args__ = (UniqueConstraint("party_id", "alias_norm"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    alias: Mapped[str] = mapped_column(String)
    alias_norm: Mapped[str] = mapped_column(String, index=True)

    party: Mapped[Party] = relationship(back_populates="aliases")


class Source(Base):
    """Where a statement appeared: an outlet's article, broadcast or post."""

    __tablename__ = "source"
    # Unique on a digest of the title: a title of 1,000 CJK characters is more than a
    # PostgreSQL B-tree row holds.
    __table_args__ = (UniqueConstraint("outlet_id", "title_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    title_key: Mapped[str] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_offset: Mapped[int | None] = mapped_column(Integer)
    published_precision: Mapped[str | None] = mapped_column(
        _enum(PRECISIONS, "published_precision")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    outlet: Mapped[Party] = relationship()


class Claim(Base):
    """A proposition, in the language the editor recorded it, within a topic (story)."""

    __tablename__ = "claim"
    # Not unique: `claim add --force` may record the same words twice in a topic on purpose
    # (two parties' separate claims that happen to read alike); merge joins them later.
    __table_args__ = (Index("ix_claim_topic_text_key", "topic", "text_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text)
    text_norm: Mapped[str] = mapped_column(Text)
    # A digest of text_norm for finding the same claim by index: a claim may run to
    # megabytes, more than a PostgreSQL index row holds.
    text_key: Mapped[str] = mapped_column(String(64))
    # A short handle editors and seed files use instead of the id ("asset-unfreeze").
    slug: Mapped[str | None] = mapped_column(String, unique=True)
    language: Mapped[str | None] = mapped_column(String)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String)

    stances: Mapped[list[Stance]] = relationship(back_populates="claim", order_by="Stance.id")


class Stance(Base):
    """One party's position on one claim, as reported in one source. Never deleted."""

    __tablename__ = "stance"
    __table_args__ = (
        # Serves "each party's latest stance on a claim" as an index walk.
        Index("ix_stance_latest", "claim_id", "party_id", "said_at", "id"),
        # Serves "what was said since" (report changes): a range, not a scan.
        Index("ix_stance_said_until", "said_until", "claim_id"),
        # Serve "a party's stances, and those it relayed" (party show, party merge).
        Index("ix_stance_party", "party_id", "said_at"),
        Index("ix_stance_via", "via_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"))
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    kind: Mapped[str] = mapped_column(_enum(STANCE_KINDS, "stance_kind"))
    quote: Mapped[str | None] = mapped_column(Text)
    quote_lang: Mapped[str | None] = mapped_column(String)
    via_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"), index=True)
    said_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    said_offset: Mapped[int] = mapped_column(Integer)
    said_precision: Mapped[str] = mapped_column(_enum(PRECISIONS, "said_precision"))
    # The end of the interval said (a whole day, a minute, a second): "as of T" counts a
    # stance once its interval has ended by T.
    said_until: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Its place among the same party's stances on the claim, in said order (the later
    # said is later; where two intervals overlap, the later recorded): kept by the write
    # path (claimtrack.state), read by the rule.
    said_rank: Mapped[int] = mapped_column(Integer, default=0)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String)
    # A correction by the desk: a voided stance no longer counts, but stays on record.
    void_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    void_by: Mapped[str | None] = mapped_column(String)
    void_reason: Mapped[str | None] = mapped_column(Text)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("stance.id"))

    claim: Mapped[Claim] = relationship(back_populates="stances")
    party: Mapped[Party] = relationship(foreign_keys=[party_id])
    via: Mapped[Party | None] = relationship(foreign_keys=[via_id])
    amends: Mapped[Stance | None] = relationship(remote_side=[id])
    source: Mapped[Source | None] = relationship()


class ClaimLink(Base):
    """A counter-claim contradicts the claim it answers; a duplicate is the same as another."""

    __tablename__ = "claim_link"
    __table_args__ = (
        UniqueConstraint("from_claim_id", "to_claim_id", "kind"),
        CheckConstraint("from_claim_id <> to_claim_id", name="not_self_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"))
    to_claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    kind: Mapped[str] = mapped_column(_enum(LINK_KINDS, "link_kind"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String)


class Event(Base):
    """The audit trail: every write, by whom and when."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    editor: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)
    detail: Mapped[str] = mapped_column(Text)


CLAIM_STATUSES = (
    "contested", "self-contradicted", "asserted", "retracted", "denied", "unsupported",
)  # fmt: skip


class ClaimState(Base):
    """Each claim's status under the rule, kept by every write in the same transaction.

    Derived state: equal at all times to the ``claim_status`` view (tests/test_state.py
    checks), so a report reads the top 50 contested claims of a million by index.
    ``claimtrack db rebuild-status`` recomputes it from the stances.
    """

    __tablename__ = "claim_state"
    __table_args__ = (
        Index("ix_claim_state_status_activity", "status", "last_activity"),
        # Every claim by latest activity (claim list, report claims): an index walk.
        Index("ix_claim_state_activity", "last_activity", "claim_id"),
    )

    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), primary_key=True)
    topic: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(_enum(CLAIM_STATUSES, "claim_status"))
    supporters: Mapped[int] = mapped_column(Integer)
    opponents: Mapped[int] = mapped_column(Integer)
    contested_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_reported: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_activity: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ClaimHistory(Base):
    """Each claim's state over both time axes, kept by every write (``state_history``).

    A row is the claim's ``claim_status`` row while what was said runs from ``said_from``
    to ``said_until`` (the said axis: ``--as-of``) and while the desk's record runs from
    ``known_from`` to ``known_until`` (the recorded axis: ``--known-at``); an open end is
    NULL. Known at K and as of T, a claim's row is the one with ``known_from < K <=
    known_until`` and ``said_from <= T < said_until``; a claim with no such row had not
    been stated. Derived: ``claimtrack db rebuild-status`` recomputes it from the stances,
    and tests/test_history_store.py checks it against the rule run on the stances.
    """

    __tablename__ = "claim_history"
    __table_args__ = (
        Index("ix_claim_history_claim", "claim_id", "known_until", "said_from"),
        Index("ix_claim_history_status_activity", "status", "last_activity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"))
    known_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    known_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    said_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    said_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(_enum(CLAIM_STATUSES, "claim_history_status"))
    supporters: Mapped[int] = mapped_column(Integer)
    opponents: Mapped[int] = mapped_column(Integer)
    contested_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_reported: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_activity: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @classmethod
    def known_at(cls, at) -> list:
        """Conditions for the rows the desk's record held at ``at`` (an instant or a bound
        parameter; None: the record as it is now)."""
        if at is None:
            return [cls.known_until.is_(None)]
        return [cls.known_from < at, cls.known_until.is_(None) | (cls.known_until >= at)]


class PartyClaim(Base):
    """Per claim and party, the party's part in it under the rule (``claimtrack.tally``):
    kept by every write with ``claim_state``, summed into ``party_tally``."""

    __tablename__ = "party_claim"

    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), primary_key=True)
    topic: Mapped[str] = mapped_column(String)
    asserted: Mapped[int] = mapped_column(Integer)
    denied: Mapped[int] = mapped_column(Integer)
    contested: Mapped[int] = mapped_column(Integer)
    retracted: Mapped[int] = mapped_column(Integer)
    stances: Mapped[int] = mapped_column(Integer)


class PartyCounter(Base):
    """Per claim, the counter-claims through which a party opposes it (``tally``)."""

    __tablename__ = "party_counter"
    __table_args__ = (Index("ix_party_counter_party", "party_id", "topic"),)

    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), primary_key=True)
    counter_claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), primary_key=True)
    topic: Mapped[str] = mapped_column(String)


class PartyTally(Base):
    """``party_claim`` summed per party and topic: what ``report parties`` reads."""

    __tablename__ = "party_tally"

    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), primary_key=True)
    topic: Mapped[str] = mapped_column(String, primary_key=True)
    asserted: Mapped[int] = mapped_column(Integer)
    denied: Mapped[int] = mapped_column(Integer)
    contested: Mapped[int] = mapped_column(Integer)
    retracted: Mapped[int] = mapped_column(Integer)
    stances: Mapped[int] = mapped_column(Integer)


RATINGS = ("true", "mostly-true", "mixture", "mostly-false", "false", "unverified")


class Verdict(Base):
    """The desk's published verdict on a claim. A new verdict supersedes, never overwrites.

    Separate from the computed status: a claim can be contested and rated false.
    """

    __tablename__ = "verdict"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    # Its place on the shared scale; None when the publisher's label has none (a verdict
    # imported from another publisher whose scale the shared one cannot place).
    rating: Mapped[str | None] = mapped_column(_enum(RATINGS, "verdict_rating"))
    label: Mapped[str] = mapped_column(String)  # the publisher's own words ("Pants on fire")
    rating_value: Mapped[int | None] = mapped_column(Integer)
    best_rating: Mapped[int | None] = mapped_column(Integer)
    worst_rating: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)  # where it is published: its identity
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String)
    # Who published it, when another organisation did (None: the desk itself), and its
    # address as the review gave it.
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)
    publisher_url: Mapped[str | None] = mapped_column(Text)
    # When it was published, as the publisher said (a day or an instant, in its offset);
    # None for the desk's own verdicts, published when recorded.
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_offset: Mapped[int | None] = mapped_column(Integer)
    published_precision: Mapped[str | None] = mapped_column(
        _enum(PRECISIONS, "verdict_published_precision")
    )

    claim: Mapped[Claim] = relationship()
    publisher: Mapped[Party | None] = relationship()
