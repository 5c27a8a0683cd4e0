"""The tables, as SQLAlchemy Core: parties, sources, claims, stances, links, the log, and
the state every write keeps.

This is the one definition of the schema. Reports and listings read these tables with
Core, which costs a command a few milliseconds; ``claimtrack.models`` maps ORM classes
onto the same tables for the commands that write (mapping and configuring them costs
tens). The schema itself is owned by the Alembic revisions in ``migrations/``; a test
runs ``alembic check`` so these tables and the migrations cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import NullType, TypeDecorator

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
CLAIM_STATUSES = (
    "contested", "self-contradicted", "asserted", "retracted", "denied", "unsupported",
)  # fmt: skip
RATINGS = ("true", "mostly-true", "mixture", "mostly-false", "false", "unverified")


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

    def result_processor(self, dialect, coltype):
        """``process_result_value`` over what the driver hands back, in one call: every
        instant an export reads passes here (a million claims, some eight million). SQLite
        stores text, parsed with its zone in one step (``replace`` costs ten times the
        parse); a naive datetime (PostgreSQL) is combined with its zone (a quarter of
        ``replace``); anything else takes the composed path."""
        composed = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite":
            if self.impl_instance.result_processor(dialect, coltype) is not None:
                return composed
            combine, utc = dt.datetime.combine, dt.UTC

            def zoned(value):  # a naive datetime from the driver: given its zone
                if type(value) is dt.datetime and value.tzinfo is None:
                    return combine(value, value.time(), utc)
                return composed(value)

            return zoned
        parse = dt.datetime.fromisoformat

        def process(value):
            if value is None:
                return None
            try:
                return parse(value + "+00:00")
            except (TypeError, ValueError):  # not the text SQLAlchemy writes
                return composed(value)

        return process


def as_stored(column):
    """A column read as the driver hands it back, under its own name, without its type's
    processing: a timestamp as stored (SQLite: text of one fixed width, which sorts as the
    instants do), a kind or status as its text without the enumeration's check."""
    from sqlalchemy import type_coerce

    return type_coerce(column, NullType()).label(column.name)


def stored_instants(dialect):
    """A function making an instant read ``as_stored`` (SQLite's text, PostgreSQL's naive
    datetime) the aware UTC datetime ``UTCDateTime`` reads: its result processor, the
    fast way (``process_result_value`` costs SQLite's text ten times the parse)."""
    return UTCDateTime().result_processor(dialect, None)


def driver_rows(result) -> list[tuple]:
    """A Core statement's whole result as the driver hands it back: plain tuples, no
    ``Row`` made and no type's processing (read what needs none, or ``as_stored``). An
    export reads some three rows a claim: made ``Row``s, they cost it a tenth of its
    time."""
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _enum(values: tuple[str, ...], name: str) -> Enum:
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def _id() -> Column:
    return Column("id", Integer, primary_key=True)


def _fk(name: str, target: str, *, nullable: bool = False, **kw) -> Column:
    return Column(name, Integer, ForeignKey(target), nullable=nullable, **kw)


def _required(name: str, type_, **kw) -> Column:
    return Column(name, type_, nullable=False, **kw)


def _optional(name: str, type_, **kw) -> Column:
    return Column(name, type_, nullable=True, **kw)


metadata = MetaData(naming_convention=NAMING_CONVENTION)

# Who speaks: a person, a government, an agency, an outlet, or an anonymous source.
party = Table(
    "party", metadata,
    _id(),
    _required("name", String),
    _required("name_norm", String),
    _required("kind", _enum(PARTY_KINDS, "party_kind")),
    _required("anonymous", Boolean(create_constraint=False), default=False),
    _fk("acts_for_id", "party.id", nullable=True, index=True),
    _required("created_at", UTCDateTime),
    # Who it is, as an editor would print it after the name ("Governor, Ohio").
    _optional("description", Text),
    # Name keys are unique in ``party_name``, with the aliases.
    Index("ix_party_name_norm", "name_norm"),
    CheckConstraint("acts_for_id IS NULL OR acts_for_id <> id", name="not_own_affiliate"),
    CheckConstraint("anonymous = (kind = 'anonymous')", name="anonymous_matches_kind"),
)  # fmt: skip

# One namespace for every party's name and aliases, anonymous sources' descriptors
# included: each matching key (``names.normalise``) belongs to one party, which the
# database enforces, so a name never finds two parties.
party_name = Table(
    "party_name", metadata,
    _id(),
    _fk("party_id", "party.id", index=True),
    _required("key", String, unique=True),
)  # fmt: skip

# Another name for a party, in any language or script (万斯 = JD Vance).
party_alias = Table(
    "party_alias", metadata,
    _id(),
    _fk("party_id", "party.id"),
    _required("alias", String),
    _required("alias_norm", String, index=True),
    UniqueConstraint("party_id", "alias_norm"),
)  # fmt: skip

# Where a statement appeared: an outlet's article, broadcast or post. Unique on a digest
# of the title: a title of 1,000 CJK characters is more than a PostgreSQL B-tree row holds.
source = Table(
    "source", metadata,
    _id(),
    _fk("outlet_id", "party.id", index=True),
    _required("title", Text),
    _required("title_key", String(64)),
    _optional("url", Text),
    _optional("language", String),
    _optional("published_at", UTCDateTime),
    _optional("published_offset", Integer),
    _optional("published_precision", _enum(PRECISIONS, "published_precision")),
    _required("created_at", UTCDateTime),
    UniqueConstraint("outlet_id", "title_key"),
)  # fmt: skip

# A proposition, in the language the editor recorded it, within a topic (story). Not
# unique: `claim add --force` may record the same words twice in a topic on purpose (two
# parties' separate claims that happen to read alike); merge joins them later.
claim = Table(
    "claim", metadata,
    _id(),
    _required("topic", String),
    _required("text", Text),
    _required("text_norm", Text),
    # A digest of text_norm for finding the same claim by index: a claim may run to
    # megabytes, more than a PostgreSQL index row holds.
    _required("text_key", String(64)),
    # A short handle editors and seed files use instead of the id ("asset-unfreeze").
    _optional("slug", String, unique=True),
    _optional("language", String),
    _fk("merged_into_id", "claim.id", nullable=True),
    _required("created_at", UTCDateTime),
    _required("created_by", String),
    Index("ix_claim_topic_text_key", "topic", "text_key"),
)  # fmt: skip

# A claim's MinHash sketch under its topic: how ``claim add`` finds near-duplicates by
# index (``claimtrack.similar``). Written with the claim; texts never change. On SQLite
# it is a WITHOUT ROWID table (revision 0008 creates it so; tests/test_migrations.py
# checks): the option is not repeated here, as naming any dialect's option makes
# SQLAlchemy import that dialect, and every command on PostgreSQL would import SQLite's
# (6 ms). Alembic's autogenerate does not compare it.
claim_sketch = Table(
    "claim_sketch", metadata,
    Column("topic_key", Integer, primary_key=True, autoincrement=False),
    Column("gram", Integer, primary_key=True, autoincrement=False),
    Column("claim_id", Integer, ForeignKey("claim.id"), primary_key=True, autoincrement=False),
)  # fmt: skip

# One party's position on one claim, as reported in one source. Never deleted.
stance = Table(
    "stance", metadata,
    _id(),
    _fk("claim_id", "claim.id"),
    _fk("party_id", "party.id", index=True),
    _required("kind", _enum(STANCE_KINDS, "stance_kind")),
    _optional("quote", Text),
    _optional("quote_lang", String),
    _fk("via_id", "party.id", nullable=True),
    _fk("source_id", "source.id", nullable=True, index=True),
    _required("said_at", UTCDateTime, index=True),
    _required("said_offset", Integer),
    _required("said_precision", _enum(PRECISIONS, "said_precision")),
    # The end of the interval said (a whole day, a minute, a second): "as of T" counts a
    # stance once its interval has ended by T.
    _required("said_until", UTCDateTime),
    # Its place among the same party's stances on the claim, in said order (the later
    # said is later; where two intervals overlap, the later recorded): kept by the write
    # path (claimtrack.state), read by the rule.
    _required("said_rank", Integer, default=0),
    _required("recorded_at", UTCDateTime),
    _required("recorded_by", String),
    # A correction by the desk: a voided stance no longer counts, but stays on record.
    _optional("void_at", UTCDateTime),
    _optional("void_by", String),
    _optional("void_reason", Text),
    _fk("amends_id", "stance.id", nullable=True),
    # Serves "each party's latest stance on a claim" as an index walk.
    Index("ix_stance_latest", "claim_id", "party_id", "said_at", "id"),
    # Serves "what was said since" (report changes): a range, not a scan.
    Index("ix_stance_said_until", "said_until", "claim_id"),
    # Serve "a party's stances, and those it relayed" (party show, party merge).
    Index("ix_stance_party", "party_id", "said_at"),
    Index("ix_stance_via", "via_id"),
)  # fmt: skip

# A counter-claim contradicts the claim it answers; a duplicate is the same as another.
claim_link = Table(
    "claim_link", metadata,
    _id(),
    _fk("from_claim_id", "claim.id"),
    _fk("to_claim_id", "claim.id", index=True),
    _required("kind", _enum(LINK_KINDS, "link_kind")),
    _required("created_at", UTCDateTime),
    _required("created_by", String),
    UniqueConstraint("from_claim_id", "to_claim_id", "kind"),
    CheckConstraint("from_claim_id <> to_claim_id", name="not_self_link"),
)  # fmt: skip

# The audit trail: every write, by whom and when.
event = Table(
    "event", metadata,
    _id(),
    _required("at", UTCDateTime, index=True),
    _required("editor", String),
    _required("action", String),
    _required("detail", Text),
)  # fmt: skip

# Each claim's status under the rule, kept by every write in the same transaction.
# Derived state: equal at all times to the ``claim_status`` view (tests/test_state.py
# checks), so a report reads the top 50 contested claims of a million by index.
# ``claimtrack db rebuild-status`` recomputes it from the stances.
claim_state = Table(
    "claim_state", metadata,
    Column("claim_id", Integer, ForeignKey("claim.id"), primary_key=True),
    _required("topic", String),
    _required("status", _enum(CLAIM_STATUSES, "claim_status")),
    _required("supporters", Integer),
    _required("opponents", Integer),
    _optional("contested_since", UTCDateTime),
    _optional("first_reported", UTCDateTime),
    _optional("last_activity", UTCDateTime),
    Index("ix_claim_state_status_activity", "status", "last_activity"),
    # Listings in activity order (claim list, --search of a common word) walk this.
    Index("ix_claim_state_activity", "last_activity", "claim_id"),
)  # fmt: skip

# Each claim's state over both time axes, kept by every write (``state_history``).
#
# A row is the claim's ``claim_status`` row while what was said runs from ``said_from``
# to ``said_until`` (the said axis: ``--as-of``) and while the desk's record runs from
# ``known_from`` to ``known_until`` (the recorded axis: ``--known-at``); an open end is
# NULL. Known at K and as of T, a claim's row is the one with ``known_from < K <=
# known_until`` and ``said_from <= T < said_until``; a claim with no such row had not
# been stated. Derived: ``claimtrack db rebuild-status`` recomputes it from the stances,
# and tests/test_history_store.py checks it against the rule run on the stances.
claim_history = Table(
    "claim_history", metadata,
    _id(),
    _fk("claim_id", "claim.id"),
    _required("known_from", UTCDateTime),
    _optional("known_until", UTCDateTime),
    _required("said_from", UTCDateTime),
    _optional("said_until", UTCDateTime),
    _required("status", _enum(CLAIM_STATUSES, "claim_history_status")),
    _required("supporters", Integer),
    _required("opponents", Integer),
    _optional("contested_since", UTCDateTime),
    _optional("first_reported", UTCDateTime),
    _optional("last_activity", UTCDateTime),
    Index("ix_claim_history_claim", "claim_id", "known_until", "said_from"),
    Index("ix_claim_history_status_activity", "status", "last_activity"),
)  # fmt: skip


def known_at(at) -> list:
    """Conditions for the ``claim_history`` rows the desk's record held at ``at`` (an
    instant or a bound parameter; None: the record as it is now)."""
    h = claim_history.c
    if at is None:
        return [h.known_until.is_(None)]
    return [h.known_from < at, h.known_until.is_(None) | (h.known_until >= at)]


# The desk's published verdict on a claim. A new verdict supersedes, never overwrites.
# Separate from the computed status: a claim can be contested and rated false.
verdict = Table(
    "verdict", metadata,
    _id(),
    _fk("claim_id", "claim.id", index=True),
    # Its place on the shared scale; None when the publisher's label has none (a verdict
    # imported from another publisher whose scale the shared one cannot place).
    _optional("rating", _enum(RATINGS, "verdict_rating")),
    _required("label", String),  # the publisher's own words ("Pants on fire")
    _optional("rating_value", Integer),
    _optional("best_rating", Integer),
    _optional("worst_rating", Integer),
    _optional("summary", Text),
    _optional("url", Text),  # where it is published: its identity
    _required("created_at", UTCDateTime),
    _required("created_by", String),
    # Who published it, when another organisation did (None: the desk itself), and its
    # address as the review gave it.
    _fk("publisher_id", "party.id", nullable=True, index=True),
    _optional("publisher_url", Text),
    # When it was published, as the publisher said (a day or an instant, in its offset);
    # None for the desk's own verdicts, published when recorded.
    _optional("published_at", UTCDateTime),
    _optional("published_offset", Integer),
    _optional("published_precision", _enum(PRECISIONS, "verdict_published_precision")),
    # Serves "published in a window" (report changes): ranges, not a scan.
    Index("ix_verdict_published", "published_at", "created_at"),
)  # fmt: skip


def _counts() -> list[Column]:
    """A party's counts, as ``claimtrack.tally`` keeps them (``tally.COUNTS``)."""
    return [_required(name, Integer)
            for name in ("asserted", "denied", "contested", "retracted", "stances")]  # fmt: skip


# Per claim and party, the party's part in it under the rule (``claimtrack.tally``):
# kept by every write with ``claim_state``, summed into ``party_tally``.
party_claim = Table(
    "party_claim", metadata,
    Column("claim_id", Integer, ForeignKey("claim.id"), primary_key=True),
    Column("party_id", Integer, ForeignKey("party.id"), primary_key=True),
    _required("topic", String),
    *_counts(),
)  # fmt: skip

# Per claim, the counter-claims through which a party opposes it (``tally``).
party_counter = Table(
    "party_counter", metadata,
    Column("claim_id", Integer, ForeignKey("claim.id"), primary_key=True),
    Column("party_id", Integer, ForeignKey("party.id"), primary_key=True),
    Column("counter_claim_id", Integer, ForeignKey("claim.id"), primary_key=True),
    _required("topic", String),
    # With the counter-claim in it, ``report parties`` counts a party's counter-claims
    # from the index alone.
    Index("ix_party_counter_party", "party_id", "topic", "counter_claim_id"),
)  # fmt: skip

# ``party_claim`` summed per party and topic: what ``report parties --topic`` reads.
party_tally = Table(
    "party_tally", metadata,
    Column("party_id", Integer, ForeignKey("party.id"), primary_key=True),
    Column("topic", String, primary_key=True),
    *_counts(),
)  # fmt: skip

# Per claim and side (the party at the top of a party's ``acts_for`` chain): whether any
# of the side's parties supports it, denies it, is on a side of it while it stands
# contested, has retracted it (``party_claim`` taken up to sides, each claim once per
# side however many of its parties did so); only claims counted in one of these. Kept
# by every write with ``party_claim``, and by every change of a party's side
# (``tally.resides``); what ``report parties --by side --topic`` sums.
side_claim = Table(
    "side_claim", metadata,
    Column("claim_id", Integer, ForeignKey("claim.id"), primary_key=True),
    Column("side_id", Integer, ForeignKey("party.id"), primary_key=True),
    _required("topic", String),
    *(_required(name, Integer) for name in ("asserted", "denied", "contested", "retracted")),
    Index("ix_side_claim_topic", "topic", "side_id"),
)  # fmt: skip

# ``side_claim`` summed per side, kept with it: what ``report parties --by side`` reads.
side_total = Table(
    "side_total", metadata,
    Column("side_id", Integer, ForeignKey("party.id"), primary_key=True),
    *(_required(name, Integer) for name in ("asserted", "denied", "contested", "retracted")),
)  # fmt: skip

# ``party_tally`` summed over every topic, kept with it: what ``report parties`` reads
# when no topic is asked for (a few thousand rows, not one per party and topic).
party_total = Table(
    "party_total", metadata,
    Column("party_id", Integer, ForeignKey("party.id"), primary_key=True),
    *_counts(),
)  # fmt: skip
