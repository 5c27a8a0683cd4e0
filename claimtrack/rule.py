"""The contested rule, defined once, in SQL that runs unchanged on SQLite and PostgreSQL.

For a claim C, optionally as of a time T (only stances said at or before T):

- each party's *latest* positional stance on C counts; a retraction withdraws that
  party's earlier stance;
- SUPPORT: parties whose latest stance asserts or confirms C;
- OPPOSE: parties whose latest stance denies or disputes C, plus parties that assert or
  confirm a claim linked to C as contradicting it (in either direction);
- a claim that no stance (that counts) states does not exist: it has no status;
- C is *contested* iff SUPPORT and OPPOSE are both non-empty and are not one and the
  same single party (that case is *self-contradicted*). Otherwise C is *asserted* (only
  support), *retracted* (no support left because its supporters retracted), *denied*
  (only opposition) or *unsupported* (no positional stance at all);
- first reported: the start of the said time of the stance that was over first (of two
  over at once, the one begun first), the first of a claim's timeline
  (``order.timeline_order``): on the clock ``--as-of`` and the history read, a
  date-only stance is over at the end of its day, after a timed one of that day;
- contested since: the later of the earliest end of a said interval on each side (a
  stance counts once what was said is over, as "as of T" reads it), so a date-only
  denial makes a claim asserted at 01:35 that day contested from its day, as the
  history (``claimtrack.state_history``) says: when the sides as they now stand first
  coexisted. Reports do not print it: they print, and ``--sort since`` orders by, when
  the contested period standing began (``Selection.contested_period_began``, read
  from the stored history), which is earlier when the opponents (or
  supporters) changed during the dispute without a break.

Each body below is also a view in the database (``stance_latest``, ``claim_sides``,
``claim_status``, ``contested_claims``), created by the Alembic revisions, so psql,
Datasette or a BI tool see what the CLI sees. The revisions keep a frozen copy of the
SQL, as migrations must; ``tests/test_rule.py`` fails when this module and the newest
revision disagree, which is the cue to write a revision that replaces the views.

The as-of and scoped variants (``views(as_of=True)``, ``views(scoped=True)``) run the
same bodies as CTEs of the same names, with filters added where the markers stand.
Only constant SQL is assembled here; values always travel as bound parameters.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import FromClause, Select, bindparam, column, select, table, text

from claimtrack.vocabulary import POSITION_KINDS, SUPPORT, WITHDRAWAL, sql_list

# Where the CTE variants narrow the rule: which stances count, and which claims to rate.
STANCES_MARKER = " /* stances */"
CLAIMS_MARKER = " /* claims */"
LINKS_FROM_MARKER = " /* links from */"
LINKS_TO_MARKER = " /* links to */"
MARKERS = (STANCES_MARKER, CLAIMS_MARKER, LINKS_FROM_MARKER, LINKS_TO_MARKER)
# A stance counts as of T once what was said is over by T (a date-only stance, at the end
# of its day); known at T, once the desk had recorded it and had not voided it by T.
_AS_OF_FILTER = " AND s.said_until <= :as_of"
LIVE = "s.void_at IS NULL"
_KNOWN_AT = "(s.void_at IS NULL OR s.void_at >= :known_at) AND s.recorded_at < :known_at"
_SCOPE_FILTER = " AND s.claim_id IN :scope"
_CLAIMS_FILTER = " AND c.id IN :claims"
# ``IN :scope`` / ``IN :claims`` with the ids bound as one value (``links.ids_value``'s
# text), for a statement run once per batch: an expanding list renders each id anew.
_ONE_VALUE = {
    "sqlite": "IN (SELECT value FROM json_each(:{}))",
    "postgresql": "= ANY(CAST(:{} AS INTEGER[]))",
}
# Looking back, a link not yet made does not count.
_LINK_KNOWN_AT = " AND created_at < :known_at"
# Per claim: each claim rated as of its own instants, read from the ``hx_at`` table of
# ``claimtrack.state_history`` (one row per claim; every claim of a group of claims that
# contradict one another carries the same instants, so a stance counts alike for all).
_CELL = "(SELECT hx.{0} FROM hx_at AS hx WHERE hx.claim_id = {1})"
_CELL_AS_OF = " AND s.claim_id IN (SELECT claim_id FROM hx_at) AND s.said_until <= {}".format(  # noqa: S608
    _CELL.format("as_of", "s.claim_id")
)
# Its ``known_at`` is the last instant of the record counted ("known through"): what was
# recorded at or before it, and not voided by then.
_CELL_KNOWN_AT = ("(s.void_at IS NULL OR s.void_at > {0}) AND s.recorded_at <= {0}"
                  .format(_CELL.format("known_at", "s.claim_id")))  # fmt: skip
_CELL_CLAIMS = " AND c.id IN (SELECT claim_id FROM hx_at)"
_CELL_LINKS = " AND from_claim_id IN (SELECT claim_id FROM hx_at) AND created_at <= {}".format(  # noqa: S608
    _CELL.format("known_at", "from_claim_id")
)

# The f-strings below insert only the vocabulary's constant kind names, never input.
STANCE_LATEST = f"""
SELECT claim_id, party_id, stance_id, kind, said_at, withdrawn_kind, said_until
FROM (
    SELECT s.claim_id, s.party_id, s.id AS stance_id, s.kind, s.said_at, s.said_until,
           LEAD(s.kind) OVER (
               PARTITION BY s.claim_id, s.party_id ORDER BY s.said_rank DESC, s.id DESC
           ) AS withdrawn_kind,
           ROW_NUMBER() OVER (
               PARTITION BY s.claim_id, s.party_id ORDER BY s.said_rank DESC, s.id DESC
           ) AS recency
    FROM stance AS s
    WHERE s.kind IN ({sql_list(POSITION_KINDS)}) AND {LIVE} /* stances */
) AS positions
WHERE recency = 1
"""  # noqa: S608

CLAIM_SIDES = f"""
SELECT l.claim_id, l.party_id,
       CASE WHEN l.kind IN ({sql_list(SUPPORT)}) THEN 'support' ELSE 'oppose' END AS side,
       l.kind, l.stance_id, l.said_at, CAST(NULL AS INTEGER) AS counter_claim_id,
       l.said_until
FROM stance_latest AS l
WHERE l.kind <> '{WITHDRAWAL}'
UNION ALL
SELECT x.claim_id, l.party_id, 'oppose' AS side, l.kind, l.stance_id, l.said_at,
       x.other_claim_id AS counter_claim_id, l.said_until
FROM (
    SELECT from_claim_id AS claim_id, to_claim_id AS other_claim_id
    FROM claim_link WHERE kind = 'contradicts' /* links from */
    UNION
    SELECT to_claim_id AS claim_id, from_claim_id AS other_claim_id
    FROM claim_link WHERE kind = 'contradicts' /* links to */
) AS x
JOIN stance_latest AS l
  ON l.claim_id = x.other_claim_id AND l.kind IN ({sql_list(SUPPORT)})
"""  # noqa: S608

CLAIM_STATUS = f"""
SELECT c.id AS claim_id, c.topic,
       CASE
           WHEN t.supporters > 0 AND t.opponents > 0
                AND NOT (t.supporters = 1 AND t.opponents = 1
                         AND t.a_supporter = t.an_opponent) THEN 'contested'
           WHEN t.supporters > 0 AND t.opponents > 0 THEN 'self-contradicted'
           WHEN t.supporters > 0 THEN 'asserted'
           WHEN r.retractions > 0 THEN 'retracted'
           WHEN t.opponents > 0 THEN 'denied'
           ELSE 'unsupported'
       END AS status,
       COALESCE(t.supporters, 0) AS supporters,
       COALESCE(t.opponents, 0) AS opponents,
       CASE
           WHEN t.supporters > 0 AND t.opponents > 0
                AND NOT (t.supporters = 1 AND t.opponents = 1
                         AND t.a_supporter = t.an_opponent)
           THEN CASE WHEN t.first_support > t.first_opposition
                     THEN t.first_support ELSE t.first_opposition END
       END AS contested_since,
       a.first_said AS first_reported,
       CASE WHEN a.last_said IS NULL OR t.last_position > a.last_said
            THEN t.last_position ELSE a.last_said END AS last_activity
FROM claim AS c
LEFT JOIN (
    SELECT claim_id,
           COUNT(DISTINCT CASE WHEN side = 'support' THEN party_id END) AS supporters,
           COUNT(DISTINCT CASE WHEN side = 'oppose' THEN party_id END) AS opponents,
           MIN(CASE WHEN side = 'support' THEN party_id END) AS a_supporter,
           MIN(CASE WHEN side = 'oppose' THEN party_id END) AS an_opponent,
           MIN(CASE WHEN side = 'support' THEN said_until END) AS first_support,
           MIN(CASE WHEN side = 'oppose' THEN said_until END) AS first_opposition,
           MAX(said_at) AS last_position
    FROM claim_sides
    GROUP BY claim_id
) AS t ON t.claim_id = c.id
LEFT JOIN (
    SELECT claim_id, COUNT(*) AS retractions
    FROM stance_latest
    WHERE kind = '{WITHDRAWAL}' AND withdrawn_kind IN ({sql_list(SUPPORT)})
    GROUP BY claim_id
) AS r ON r.claim_id = c.id
LEFT JOIN (
    SELECT claim_id,
           MIN(CASE WHEN said_until = first_over THEN said_at END) AS first_said,
           MAX(said_at) AS last_said
    FROM (
        SELECT s.claim_id, s.said_at, s.said_until,
               MIN(s.said_until) OVER (PARTITION BY s.claim_id) AS first_over
        FROM stance AS s
        WHERE {LIVE} /* stances */
    ) AS said
    GROUP BY claim_id
) AS a ON a.claim_id = c.id
WHERE c.merged_into_id IS NULL AND a.first_said IS NOT NULL /* claims */
"""  # noqa: S608

CONTESTED_CLAIMS = """
SELECT st.claim_id, st.topic, c.text, st.supporters, st.opponents,
       st.contested_since, st.first_reported, st.last_activity
FROM claim_status AS st
JOIN claim AS c ON c.id = st.claim_id
WHERE st.status = 'contested'
"""

# name -> body, in dependency order: each view reads only the ones before it.
VIEWS = {
    "stance_latest": STANCE_LATEST,
    "claim_sides": CLAIM_SIDES,
    "claim_status": CLAIM_STATUS,
    "contested_claims": CONTESTED_CLAIMS,
}
# The relations each body reads (by name, in its SQL): as CTEs, a query carries the ones it
# reads and theirs, no others (PostgreSQL plans, and may JIT-compile, even a CTE no one reads).
READS = {
    "stance_latest": (),
    "claim_sides": ("stance_latest",),
    "claim_status": ("stance_latest", "claim_sides"),
    "contested_claims": ("claim_status",),
}


def view_sql(name: str) -> str:
    """The body of a view as the database holds it: the rule as of now."""
    body = VIEWS[name]
    for marker in MARKERS:
        body = body.replace(marker, "")
    return body


# The columns of each view, for reading them through SQLAlchemy Core.
COLUMNS = {
    "stance_latest": (
        "claim_id", "party_id", "stance_id", "kind", "said_at", "withdrawn_kind", "said_until",
    ),
    "claim_sides": (
        "claim_id", "party_id", "side", "kind", "stance_id", "said_at", "counter_claim_id",
        "said_until",
    ),
    "claim_status": (
        "claim_id", "topic", "status", "supporters", "opponents", "contested_since",
        "first_reported", "last_activity",
    ),
    "contested_claims": (
        "claim_id", "topic", "text", "supporters", "opponents", "contested_since",
        "first_reported", "last_activity",
    ),
}  # fmt: skip
_TIMES = {"said_at", "said_until", "contested_since", "first_reported", "last_activity"}


@dataclass(frozen=True)
class Views:
    """The rule's relations, as Core selectables: the views, or as-of CTEs of them."""

    stance_latest: FromClause
    claim_sides: FromClause
    claim_status: FromClause
    contested_claims: FromClause

    def select(self, *columns) -> Select:
        """A SELECT that may read any of the relations. As CTEs, each carries the ones its
        SQL reads (``READS``): a query renders those it reads, wherever it reads them."""
        return select(*columns)


def _cte(name: str, statement, ctes: dict):
    """A body as a CTE of ``name``, carrying the CTEs it reads (built before it).

    On PostgreSQL each is MATERIALIZED, computed once for the claims in scope: inlined
    into a query that reads it once, the planner pushes the query's ``claim_id IN (...)``
    into the links' scans, misjudges them and scans every link (10 ms at 1M claims)."""
    statement = statement.columns(*_columns(name))
    reads = [ctes[n] for n in READS[name]]
    cte = (statement.add_cte(*reads) if reads else statement).cte(name)
    return cte.prefix_with("MATERIALIZED", dialect="postgresql")


def _columns(name: str):
    from claimtrack.schema import UTCDateTime

    return [column(c, UTCDateTime()) if c in _TIMES else column(c) for c in COLUMNS[name]]


def view_table(name: str):
    """A view of the rule as a Core table (the views themselves, never the derived state)."""
    return table(name, *_columns(name))


def cell_views() -> Views:
    """The rule run for each claim in ``hx_at`` as of that row's ``as_of`` and known at its
    ``known_at`` (what the stored history is made of, many claims and instants at once)."""
    ctes = {}
    for name, body in VIEWS.items():
        body = body.replace(STANCES_MARKER, _CELL_AS_OF).replace(CLAIMS_MARKER, _CELL_CLAIMS)
        body = body.replace(LIVE, _CELL_KNOWN_AT)
        body = body.replace(LINKS_FROM_MARKER, _CELL_LINKS).replace(LINKS_TO_MARKER, _CELL_LINKS)
        ctes[name] = _cte(name, text(body), ctes)
    return Views(**ctes)


@functools.cache  # built once per process: immutable, and made afresh cost a report 0.1-0.4 ms
def views(
    as_of: bool = False,
    scoped: bool = False,
    known_at: bool = False,
    from_stances: bool = False,
    ids_bound: str | None = None,
) -> Views:
    """The relations of the rule.

    Bare, they are the database's views, except ``claim_status``, which reads the
    ``claim_state`` table that every write keeps equal to it (``claimtrack.state``).
    With ``as_of`` the same bodies run as CTEs of the same names, counting only stances
    said by the bound parameter ``:as_of``; with ``known_at``, only what the desk had
    recorded (and not voided) before ``:known_at``. With ``scoped`` they rate only the
    claims in ``:claims``, reading only the stances of the claims in ``:scope`` (those
    claims and the claims that contradict them): a few claims of a million, fast. Each
    is an expanding list, or with ``ids_bound`` (a dialect's name) one value, the text
    ``links.ids_value`` makes: what a statement built once and run per batch binds.

    Unscoped and as of or known at a time, ``claim_status`` and ``contested_claims`` read
    the stored history (``claim_history``, kept by every write; an index look-up), and the
    other relations stay CTEs of the rule; ``from_stances`` runs the rule for them too
    (what the tests hold the stored history to).
    """
    if not as_of and not scoped and not known_at:
        relations = {name: view_table(name) for name in VIEWS}
        state = table("claim_state", *_columns("claim_status"))
        relations["claim_status"] = state.alias("claim_status")
        return Views(**relations)
    stored = None if scoped or from_stances else history_status(as_of=as_of, known_at=known_at)
    from claimtrack.schema import UTCDateTime

    stances = (_AS_OF_FILTER if as_of else "") + (_SCOPE_FILTER if scoped else "")
    claims = _CLAIMS_FILTER if scoped else ""
    known = _LINK_KNOWN_AT if known_at else ""
    ctes = {}
    for name, body in VIEWS.items():
        body = body.replace(STANCES_MARKER, stances).replace(CLAIMS_MARKER, claims)
        if known_at:
            body = body.replace(LIVE, _KNOWN_AT)
        # Scoped, only the links of the claims in scope can put a party on a side.
        scope_from = " AND from_claim_id IN :scope" if scoped else ""
        scope_to = " AND to_claim_id IN :scope" if scoped else ""
        body = body.replace(LINKS_FROM_MARKER, scope_from + known)
        body = body.replace(LINKS_TO_MARKER, scope_to + known)
        if ids_bound is not None:
            for param in ("scope", "claims"):
                body = body.replace(f"IN :{param}", _ONE_VALUE[ids_bound].format(param))
        statement = text(body)
        for param in ("as_of", "known_at"):
            if f":{param}" in body:
                statement = statement.bindparams(bindparam(param, type_=UTCDateTime()))
        for param in ("scope", "claims"):
            if f":{param}" in body:
                statement = statement.bindparams(bindparam(param, expanding=ids_bound is None))
        ctes[name] = _cte(name, statement, ctes)
    if stored is not None:  # which claims had which status: an index look-up
        ctes["claim_status"] = stored
        ctes["contested_claims"] = _contested_from(stored)
    return Views(**ctes)


def history_status(as_of: bool, known_at: bool) -> FromClause:
    """``claim_status`` as of ``:as_of`` and known at ``:known_at``, read from the stored
    history (``claimtrack.state_history``) rather than from the stances."""
    from claimtrack.schema import UTCDateTime, claim, claim_history
    from claimtrack.schema import known_at as known_at_

    h = claim_history
    query = select(
        h.c.claim_id, claim.c.topic,
        *(h.c[name] for name in COLUMNS["claim_status"][2:]),
    ).join(claim, claim.c.id == h.c.claim_id).where(claim.c.merged_into_id.is_(None))  # fmt: skip
    known = bindparam("known_at", type_=UTCDateTime()) if known_at else None
    query = query.where(*known_at_(known))
    if as_of:
        at = bindparam("as_of", type_=UTCDateTime())
        query = query.where(h.c.said_from <= at, h.c.said_until.is_(None) | (h.c.said_until > at))
        # Always true of a row that holds at T (its last activity was said by T), and it
        # lets the index on (status, last_activity) start its walk at T.
        query = query.where(h.c.last_activity <= at)
    else:
        query = query.where(h.c.said_until.is_(None))
    return query.subquery("claim_status")


def _contested_from(status: FromClause) -> FromClause:
    from claimtrack.schema import claim

    return (
        select(status.c.claim_id, status.c.topic, claim.c.text,
               *(status.c[name] for name in COLUMNS["contested_claims"][3:]))
        .join(claim, claim.c.id == status.c.claim_id)
        .where(status.c.status == "contested")
        .subquery("contested_claims")
    )  # fmt: skip


# The longest said interval (a whole day in its offset): a claim's latest activity starts
# at most this long before the latest end of its activity's intervals.
LONGEST_SAID = dt.timedelta(days=1)


@functools.cache
def _activity_aliases() -> tuple:
    """The stance and link aliases ``active_since`` reads, made once: an alias of the
    stance table costs a command some milliseconds to set up."""
    from claimtrack.schema import claim_link, stance

    return stance.alias("own"), claim_link.alias("l"), stance.alias("other"), stance.alias("later")


def superseded(stance, later, counts):
    """A condition: a later position of ``stance``'s party on its claim counts (``later``:
    another alias of the stance table; ``counts(stance.c)``: the conditions for a stance
    that counts, ``Selection.counts``), in ``STANCE_LATEST``'s order: said later, or said
    at the same rank and recorded later. Its negation: ``stance`` is the party's latest."""
    from sqlalchemy import exists

    return exists().where(
        later.c.claim_id == stance.c.claim_id, later.c.party_id == stance.c.party_id,
        later.c.kind.in_(POSITION_KINDS), *counts(later.c),
        (later.c.said_rank > stance.c.said_rank)
        | ((later.c.said_rank == stance.c.said_rank) & (later.c.id > stance.c.id)),
    )  # fmt: skip


def active_since(status: FromClause, claim_id, since: dt.datetime, counts, known_at=None):
    """A condition: the claim's activity (what ``claim_status.last_activity`` is the latest
    of) was still being said at or after ``since``: a stance whose said interval ends after
    ``since`` (a date-only stance of that day overlaps it). ``counts(stance.c)``: the
    conditions for a stance that counts (``Selection.counts``); ``known_at``: links made
    before it only.

    ``last_activity`` is the start of the latest stance's interval, so every claim with
    such a stance has ``last_activity >= since - LONGEST_SAID``: that range is an index
    walk over ``claim_state`` (or ``claim_history``), and the exact test below runs only
    for the claims whose last activity starts in the day before ``since``, by their
    stances' index. Its two parts are the two of ``last_activity`` in ``CLAIM_STATUS``:
    any stance on the claim itself, and a party's latest stance for a claim that
    contradicts it."""
    from sqlalchemy import and_, exists, or_

    own, link, other, later = _activity_aliases()
    on_it = exists().where(own.c.claim_id == claim_id, own.c.said_until > since, *counts(own.c))
    linked = or_(
        and_(link.c.from_claim_id == claim_id, other.c.claim_id == link.c.to_claim_id),
        and_(link.c.to_claim_id == claim_id, other.c.claim_id == link.c.from_claim_id),
    )
    known = [link.c.created_at < known_at] if known_at is not None else []
    countered = (
        exists()
        .select_from(link.join(other, linked))
        .where(link.c.kind == "contradicts", *known, other.c.kind.in_(SUPPORT),
               other.c.said_until > since, *counts(other.c), ~superseded(other, later, counts))
    )  # fmt: skip
    last = status.c.last_activity
    return (last >= since - LONGEST_SAID) & ((last >= since) | on_it | countered)
