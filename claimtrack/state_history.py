"""The stored history (``claim_history``): each claim's state over said and recorded time.

``claim_state`` answers "what stands now"; ``claim_history`` answers it as of any said
time T (``--as-of``) and as the desk knew it at any instant K (``--known-at``), as an
index look-up. Each row is one ``claim_status`` row of the rule and the stretch of both
axes over which it held (see ``schema.claim_history``).

It is made of the rule itself (``rule.cell_views``), evaluated for many claims at once,
each at its own instants: for every group of claims that contradict one another (their
statuses depend on each other's stances), at each distinct said moment of the group
(the end of a stance's said interval: only there can a status change), and, when
replaying, through each instant the desk's record of the group changed (a stance
recorded or voided, a link made). Consecutive equal states make one row.

Every write keeps it, in the same transaction, through ``claimtrack.state``:

- a transaction records at one instant, its clock (``clock``): every stance, link, void
  and log entry it writes bears that instant, so the desk's knowledge changes once per
  transaction, as readers saw it;
- a write that only adds at its clock (a stance, a link, a void) re-derives the touched
  groups' current history and closes the rows that no longer hold at that instant and
  opens the new ones (a few queries per claim written);
- a write that rewrites the past (an import keeping the original ``recorded_at``, a
  merge moving stances) replays the touched groups from scratch, and ``rebuild`` replays
  every claim. Replaying costs one pass per (recorded instant, said moment) pair of the
  largest group touched.

tests/test_history_store.py checks, for random histories on both backends, that the
stored rows equal a replay from scratch and that reports read from them equal the rule
run on the stances.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import time
from collections.abc import Iterable, Iterator

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    insert,
    literal_column,
    select,
    union,
    update,
)
from sqlalchemy.orm import Session

from claimtrack import insert_many, rule
from claimtrack.links import chunks
from claimtrack.schema import UTCDateTime, as_stored, claim_history
from claimtrack.schema import claim_link as link_table
from claimtrack.schema import stance as stance_table

CLOCK = "claimtrack_clock"
# The state columns of a history row (the rule's ``claim_status``, less the claim's topic).
FIELDS = ("status", "supporters", "opponents", "contested_since", "first_reported",
          "last_activity")  # fmt: skip
# "Known through": as the desk knew it, everything recorded is counted.
FOREVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
READ_BATCH = 5000

_scratch = MetaData()
# Per-transaction working tables (TEMPORARY: each connection has its own). Their claim
# ids are always given: no SERIAL, whose sequence PostgreSQL would create with the table.
_comp = Table("hx_comp", _scratch,
              Column("claim_id", Integer, primary_key=True, autoincrement=False),
              Column("comp_id", Integer, index=True), prefixes=["TEMPORARY"])  # fmt: skip
_moment = Table("hx_moment", _scratch, Column("comp_id", Integer), Column("k", Integer),
                Column("moment", UTCDateTime), prefixes=["TEMPORARY"])  # fmt: skip
_point = Table("hx_point", _scratch, Column("comp_id", Integer), Column("k", Integer),
               Column("point", UTCDateTime), prefixes=["TEMPORARY"])  # fmt: skip
_at = Table("hx_at", _scratch, Column("claim_id", Integer, primary_key=True, autoincrement=False),
            Column("as_of", UTCDateTime), Column("known_at", UTCDateTime),
            prefixes=["TEMPORARY"])  # fmt: skip
_state = Table(
    "hx_state", _scratch,
    Column("claim_id", Integer), Column("point", UTCDateTime), Column("moment", UTCDateTime),
    Column("status", String), Column("supporters", Integer), Column("opponents", Integer),
    Column("contested_since", UTCDateTime), Column("first_reported", UTCDateTime),
    Column("last_activity", UTCDateTime), prefixes=["TEMPORARY"],
)  # fmt: skip
_SCRATCH = (_comp, _moment, _point, _at, _state)
_MADE = "claimtrack_scratch_made"  # in a database connection's ``info``: it made them


def clock(session: Session) -> dt.datetime:
    """The instant this transaction records at (the same for everything it writes)."""
    return session.info.setdefault(CLOCK, dt.datetime.now(dt.UTC))


def refresh(
    session: Session,
    claim_ids: Iterable[int],
    *,
    replay: Iterable[int] = (),
    linked: dict[int, set[int]] | None = None,
) -> None:
    """Bring the stored history of these claims (and every claim they are linked to by
    contradiction) up to date with this transaction's writes, made at its clock; the
    claims in ``replay`` had their past rewritten and are replayed from scratch.
    ``linked``: the counter-claims of ``claim_ids`` (``links.counter_claims_of``), when
    the caller has read them already."""
    replay = set(replay)
    groups = _groups(session, set(claim_ids) | replay, known=linked, known_for=set(claim_ids))
    if not groups:
        return
    rewritten = {groups[r] for r in replay}
    replayed = {c: g for c, g in groups.items() if g in rewritten}
    current = {c: g for c, g in groups.items() if c not in replayed}
    if replayed:
        _derive(session, replayed, replay=True)
        for part in chunks(sorted(replayed)):
            session.execute(delete(claim_history).where(claim_history.c.claim_id.in_(part)))
        _write_replay(session)
    if current:
        _derive(session, current, replay=False)
        _write_current(session, sorted(current), clock(session))


def rebuild(session: Session, *, timings: dict | None = None) -> None:
    """Replay every claim's history from scratch (``timings``: as ``state.rebuild``)."""
    from claimtrack.models import Claim

    timings = {} if timings is None else timings
    mark = time.perf_counter()

    # The links streamed into the groups, and the groups written READ_BATCH at a time:
    # at 1M claims (58,905 linked) the list of links and one executemany of every
    # claim's group held 35 MB at once, the peak of a 2.7M-stance import.
    links = select(link_table.c.from_claim_id, link_table.c.to_claim_id).where(
        link_table.c.kind == "contradicts"
    )
    linked = _union(session.execute(links))
    connection = session.connection()
    aside = insert_many.may_set_aside(connection, claim_history)
    insert_many.delete_all(connection, claim_history)
    _prepare(session)
    connection.execute(
        insert(_comp).from_select(["claim_id", "comp_id"], select(Claim.id, Claim.id))
    )
    regroup = update(_comp).where(_comp.c.claim_id == bindparam("cid"))
    regroup = regroup.values(comp_id=bindparam("gid"))
    groups = iter(linked.items())
    while part := [{"cid": c, "gid": g} for c, g in itertools.islice(groups, READ_BATCH)]:
        connection.execute(regroup, part)
    del linked, groups
    analyze(session, _comp.name)  # the stances and claims: by state.rebuild
    timings["history_groups"] = round(time.perf_counter() - mark, 1)
    mark = time.perf_counter()
    _passes(session, replay=True)
    timings["history_passes"] = round(time.perf_counter() - mark, 1)
    mark = time.perf_counter()
    with insert_many.indexes_set_aside(connection, claim_history, aside):
        _write_replay(session)
    timings["history_write"] = round(time.perf_counter() - mark, 1)


# -- which claims belong together ------------------------------------------------------


def _union(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    """claim id -> the smallest id of its group, for the claims in these links."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def _groups(
    session: Session,
    claim_ids: set[int],
    *,
    known: dict[int, set[int]] | None = None,
    known_for: set[int] = frozenset(),
) -> dict[int, int]:
    """claim id -> group id, for these claims and every claim linked to them, transitively
    (``known``: the counter-claims of the claims in ``known_for``, read already)."""
    from claimtrack.links import _contradiction_links

    seen = set(claim_ids)
    frontier = sorted(claim_ids)
    pairs: list[tuple[int, int]] = []
    if known is not None:
        pairs = [(a, b) for a in sorted(known_for) for b in sorted(known.get(a, ()))]
        found = {c for pair in pairs for c in pair}
        frontier = sorted((found - seen) | (seen - known_for))
        seen |= found
    while frontier:
        found: set[int] = set()
        for part in chunks(frontier):
            for a, b in session.execute(_contradiction_links(part)):
                pairs.append((a, b))
                found.update((a, b))
        frontier = sorted(found - seen)
        seen |= found
    groups = {c: c for c in seen}
    groups.update(_union(pairs))
    return groups


# -- evaluating the rule at many instants at once -------------------------------------


def _prepare(session: Session) -> None:
    """The working tables, there and empty. ``IF NOT EXISTS`` rather than looking for
    each table first: five look-ups fewer (on PostgreSQL, five catalog queries) for every
    write; on PostgreSQL one TRUNCATE empties all five."""
    from sqlalchemy.schema import CreateIndex, CreateTable

    connection = session.connection()
    # Temporary tables belong to the database connection: on one that has never made
    # them they are made here, empty, and need no emptying (a command's one write: five
    # statements fewer). Once made, they may hold an earlier transaction's rows, or have
    # gone with its rollback: ``IF NOT EXISTS``, then emptied.
    made = connection.info.get(_MADE, False)
    for table in _SCRATCH:
        connection.execute(CreateTable(table, if_not_exists=True))
        for index in table.indexes:
            connection.execute(CreateIndex(index, if_not_exists=True))
    connection.info[_MADE] = True
    if not made:
        return
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"TRUNCATE {', '.join(t.name for t in _SCRATCH)}")
    else:
        for table in _SCRATCH:
            connection.execute(delete(table))


class _Emptier:
    """Empties ``hx_at`` between passes, and says when its statistics need refreshing.

    On PostgreSQL a DELETE leaves each pass's rows dead in the table (autovacuum never
    visits a temporary table) for every later pass to scan, and a TRUNCATE costs a
    millisecond or more however few rows it drops: a claim whose group has hundreds of
    instants (a merge into a long-contested story) made hundreds of passes of a few rows,
    and spent most of its time truncating. So a pass of few rows is deleted, until the
    dead rows would pass ``DEAD_AT_MOST``, and then the table is truncated (a pass of more
    rows than that is truncated each time, as before). Replaying a group of 8 claims in
    1,147 passes at 1M claims (in process, the variants alternated, load 8): TRUNCATE
    and ANALYZE each pass 17-18 s; at most 100 dead rows 3-4 s; 300, 4.8 s; 1,000, 7.6 s;
    20, 11 s. Nothing streams from ``hx_at``, so no open cursor stops a TRUNCATE.

    ANALYZE (PostgreSQL's planner sees a temporary table only through it) is run again
    only when a pass's row count is more than 1.5 times the last analysed one, or less
    than two thirds of it, and either is more than ``FEW``: a pass of about as many rows
    plans as well on the same statistics, and a few rows are joined alike anyway."""

    DEAD_AT_MOST = 100
    FEW = 1_000  # rows the planner joins alike whatever their statistics say

    def __init__(self, session: Session) -> None:
        self.session = session
        self.connection = session.connection()
        self.postgresql = self.connection.dialect.name == "postgresql"
        self.rows = 0  # in hx_at now
        self.dead = 0  # deleted since the last TRUNCATE
        self.analysed: int | None = None

    def empty(self) -> None:
        if not self.postgresql:
            if self.rows:  # (-1: not known, so emptied)
                self.connection.execute(delete(_at))
        elif 0 < self.rows and self.dead + self.rows <= self.DEAD_AT_MOST:
            self.connection.execute(delete(_at))
            self.dead += self.rows
        elif self.rows or self.dead:
            self.connection.exec_driver_sql(f"TRUNCATE {_at.name}")
            self.dead = 0
        self.rows = 0

    def filled(self, rows: int) -> None:
        self.rows = rows
        last = self.analysed
        if (
            last is None
            or rows < 0
            or (max(rows, last) > self.FEW and not last / 1.5 <= rows <= last * 1.5)
        ):  # (a row count of -1: not known, so analysed, and truncated next)
            analyze(self.session, _at.name)
            self.analysed = rows


def analyze(session: Session, *tables: str) -> None:
    """Fresh planner statistics for these tables, on PostgreSQL.

    PostgreSQL plans from statistics that autovacuum gathers for committed rows only,
    and never for temporary tables: a table loaded or rewritten in this transaction
    looks empty (or as it was) to the planner, which then picks nested loops over it
    that go quadratic at scale. ANALYZE in the transaction sees its own rows. (SQLite's
    planner needs no statistics for these queries: nothing to do.)
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    quote = connection.dialect.identifier_preparer.quote
    connection.exec_driver_sql(f"ANALYZE {', '.join(quote(t) for t in tables)}")


def _derive(session: Session, groups: dict[int, int], *, replay: bool) -> None:
    _prepare(session)
    rows = [{"claim_id": c, "comp_id": g} for c, g in groups.items()]
    connection = session.connection()
    for start in range(0, len(rows), READ_BATCH):
        connection.execute(insert(_comp), rows[start : start + READ_BATCH])
    _passes(session, replay=replay)


def _numbered(values, name: str):
    """(comp_id, k, value): each group's distinct values, numbered from 0 in order."""
    from sqlalchemy import func

    distinct = union(*values).subquery()
    number = func.row_number().over(partition_by=distinct.c.comp_id,
                                    order_by=distinct.c.value) - 1  # fmt: skip
    return select(distinct.c.comp_id, number.label("k"), distinct.c.value.label(name))


def _passes(session: Session, *, replay: bool) -> None:
    """Rate every claim in ``hx_comp`` at each (recorded instant, said moment) of its group,
    into ``hx_state``."""
    from sqlalchemy import func

    connection = session.connection()
    comp = _comp.c
    on_claim = stance_table.c.claim_id == comp.claim_id
    # The IN lets the planner reach the stances by their claim's index, not by a scan.
    mine = stance_table.c.claim_id.in_(select(comp.claim_id))
    stances = select(comp.comp_id).select_from(stance_table).join(_comp, on_claim).where(mine)
    said = stances.add_columns(stance_table.c.said_until.label("value"))
    connection.execute(insert(_moment).from_select(["comp_id", "k", "moment"],
                                                   _numbered([said], "moment")))  # fmt: skip
    if replay:
        link = link_table.c.from_claim_id == comp.claim_id
        linked = link_table.c.from_claim_id.in_(select(comp.claim_id))
        links = select(comp.comp_id).select_from(link_table).join(_comp, link).where(linked)
        points = [
            stances.add_columns(stance_table.c.recorded_at.label("value")),
            stances.add_columns(stance_table.c.void_at.label("value")).where(
                stance_table.c.void_at.is_not(None)
            ),
            links.add_columns(link_table.c.created_at.label("value")).where(
                link_table.c.kind == "contradicts"
            ),
        ]
        connection.execute(insert(_point).from_select(["comp_id", "k", "point"],
                                                      _numbered(points, "point")))  # fmt: skip
    else:
        connection.execute(
            insert(_point).from_select(
                ["comp_id", "k", "point"],
                select(
                    comp.comp_id,
                    literal_column("0"),
                    bindparam("forever", FOREVER, type_=UTCDateTime()),
                ).distinct(),  # fmt: skip
            )
        )
    # Without replaying, each group has the one point (k = 0) inserted just above.
    n_points = (connection.scalar(select(func.max(_point.c.k))) or 0) if replay else 0
    n_moments = connection.scalar(select(func.max(_moment.c.k)))
    if n_moments is None:
        return  # no stance on any of these claims
    views = rule.cell_views()
    status = views.claim_status
    rated = views.select(
        status.c.claim_id, _at.c.known_at, _at.c.as_of, *(status.c[f] for f in FIELDS)
    ).join(_at, _at.c.claim_id == status.c.claim_id)
    cells = (
        select(comp.claim_id, _moment.c.moment, _point.c.point)
        .join(_moment, _moment.c.comp_id == comp.comp_id)
        .join(_point, _point.c.comp_id == comp.comp_id)
        .where(_moment.c.k == bindparam("m"), _point.c.k == bindparam("p"))
    )
    analyze(session, _moment.name, _point.name)
    # Its row count is what _Emptier goes by (an INSERT's is kept only when asked for).
    fill = insert(_at).from_select(["claim_id", "as_of", "known_at"], cells)
    fill = fill.execution_options(preserve_rowcount=True)
    at = _Emptier(session)
    with without_jit(connection):
        for p in range(n_points + 1):
            for m in range(n_moments + 1):
                at.empty()
                at.filled(connection.execute(fill, {"m": m, "p": p}).rowcount)
                connection.execute(
                    insert(_state).from_select(["claim_id", "point", "moment", *FIELDS], rated)
                )


@contextlib.contextmanager
def without_jit(connection):
    """PostgreSQL's JIT compiler off for these statements. The rule's correlated look-ups
    into ``hx_at`` make the planner's cost estimates large whatever the number of claims,
    so every pass would be compiled: some 2 s of compiling for a statement that runs in
    a fraction of that on a few claims (and a merge's look-ups, ``claimtrack.merges``:
    1.4 s for one of 0.15 s)."""
    if connection.dialect.name != "postgresql":
        yield
        return
    was = connection.exec_driver_sql("SELECT current_setting('jit')").scalar()
    connection.exec_driver_sql("SELECT set_config('jit', 'off', true)")
    try:
        yield
    finally:
        connection.exec_driver_sql("SELECT set_config('jit', %(was)s, true)", {"was": was})


# -- from states at instants to rows over stretches ------------------------------------


def _grouped(session: Session, query) -> Iterator[tuple[int, list]]:
    """(claim id, its rows) from a query ordered by claim id first, streamed. Closing the
    generator closes the result (on PostgreSQL, a server-side cursor)."""
    query = query.execution_options(yield_per=READ_BATCH)
    with session.connection().execute(query) as result:
        claim, found = None, []
        for row in result:
            if row[0] != claim:
                if claim is not None:
                    yield claim, found
                claim, found = row[0], []
            found.append(row)
        if claim is not None:
            yield claim, found


def _states(session: Session) -> Iterator[tuple[int, list]]:
    """(claim id, [(point, moment, state), ...] in order) for every claim rated."""
    query = select(_state).order_by(_state.c.claim_id, _state.c.point, _state.c.moment)
    with contextlib.closing(_grouped(session, query)) as grouped:
        for claim_id, rows in grouped:
            yield claim_id, [(r.point, r.moment, tuple(r._mapping[f] for f in FIELDS))
                             for r in rows]  # fmt: skip


def _per_claim(
    session: Session, table: Table, name: str, *, stored: bool = False
) -> Iterator[tuple[int, list]]:
    """(claim id, its group's moments or recorded instants, in order), streamed
    (``stored``: as the database stores them, ``_stored``)."""
    query = (
        select(_comp.c.claim_id, as_stored(table.c[name]) if stored else table.c[name])
        .join(table, table.c.comp_id == _comp.c.comp_id)
        .order_by(_comp.c.claim_id, table.c.k)
    )
    with contextlib.closing(_grouped(session, query)) as grouped:
        for claim_id, rows in grouped:
            yield claim_id, [r[1] for r in rows]


def _stretches(states: list, moments: list) -> set[tuple]:
    """(said_from, said_until, *state) for one recorded instant: runs of equal states over
    the group's said moments (a moment with no state: the claim was not yet stated)."""
    at = {moment: state for _, moment, state in states}
    rows, run = set(), None
    for moment in moments:
        state = at.get(moment)
        if run is not None and run[1] != state:
            rows.add((run[0], moment, *run[1]))
            run = None
        if run is None and state is not None:
            run = (moment, state)
    if run is not None:
        rows.add((run[0], None, *run[1]))
    return rows


_COLUMNS = ("said_from", "said_until", *FIELDS)


def _write_replay(session: Session) -> None:
    """Rows over both axes from the replayed states in ``hx_state``: at each recorded
    instant of a claim's group, the rows that stop holding close and new ones open.

    Every claim of a rebuild goes through here, so the instants are read and written as
    the database stores them (``_stored``): they are only compared, sorted and copied,
    and a datetime object per value would be most of the time."""
    with (
        contextlib.closing(_stored_states(session)) as states,
        contextlib.closing(_per_claim(session, _point, "point", stored=True)) as points,
        contextlib.closing(_per_claim(session, _moment, "moment", stored=True)) as moments,
    ):  # not left open when the moments run out first
        _write_replayed(session, states, points, moments)


def _stored_states(session: Session) -> Iterator[tuple[int, list]]:
    """``_states``, its instants as stored."""
    query = select(*(as_stored(c) for c in _state.c)).order_by(
        _state.c.claim_id, _state.c.point, _state.c.moment
    )
    with contextlib.closing(_grouped(session, query)) as grouped:
        for claim_id, rows in grouped:
            yield claim_id, [(r[1], r[2], tuple(r[3:])) for r in rows]


def _write_replayed(session: Session, states: Iterator, points: Iterator, moments) -> None:
    pending: list[tuple] = []
    state = next(states, None)
    connection = session.connection()
    table = claim_history
    known = next(points, None)
    for claim_id, said in moments:
        while known is not None and known[0] < claim_id:  # a group with links, no stance
            known = next(points, None)
        instants = known[1] if known is not None and known[0] == claim_id else []
        by_point: dict = {}
        if state is not None and state[0] == claim_id:
            for item in state[1]:
                by_point.setdefault(item[0], []).append(item)
            state = next(states, None)
        opened: dict[tuple, object] = {}
        for instant in instants:
            rows = _stretches(by_point.get(instant, []), said)
            # In said order (rows held at one instant start at different moments), so a
            # claim's rows get their ids in the same order in every run, on every backend.
            for row in sorted(set(opened) - rows, key=_said_from):
                pending.append((claim_id, opened.pop(row), instant, *row))
            for row in sorted(rows - set(opened), key=_said_from):
                opened[row] = instant
        pending.extend((claim_id, since, None, *row) for row, since in opened.items())
        if len(pending) >= READ_BATCH:
            insert_many.insert_stored(connection, table, _WRITTEN, pending)
            pending = []
    insert_many.insert_stored(connection, table, _WRITTEN, pending)


_WRITTEN = ("claim_id", "known_from", "known_until", *_COLUMNS)


def _said_from(row: tuple) -> dt.datetime:
    return row[0]


def _row(claim_id: int, row: tuple, known_from, known_until) -> dict:
    return {"claim_id": claim_id, "known_from": known_from, "known_until": known_until,
            **dict(zip(_COLUMNS, row, strict=True))}  # fmt: skip


def _write_current(session: Session, claim_ids: list[int], now: dt.datetime) -> None:
    """Close what no longer holds at ``now``, open what newly does (the same transaction
    may do this more than once: what it opened and no longer holds is deleted)."""
    moments = dict(_per_claim(session, _moment, "moment"))
    wanted = {
        claim_id: _stretches(states, moments[claim_id]) for claim_id, states in _states(session)
    }
    table = claim_history
    connection = session.connection()
    for part in chunks(claim_ids):
        stored = connection.execute(
            select(table.c.id, table.c.claim_id, table.c.known_from, table.c.known_until,
                   *(table.c[c] for c in _COLUMNS))
            .where(table.c.claim_id.in_(part))
            .where((table.c.known_until.is_(None)) | (table.c.known_until == now))
        ).all()  # fmt: skip
        close, remove, reopen, new = [], [], [], []
        for claim_id in part:
            want = set(wanted.get(claim_id, ()))
            for r in (r for r in stored if r.claim_id == claim_id):
                key = tuple(r._mapping[c] for c in _COLUMNS)
                if key in want:
                    want.discard(key)
                    if r.known_until is not None:
                        reopen.append(r.id)
                elif r.known_until is None:
                    (remove if r.known_from == now else close).append(r.id)
            new.extend(_row(claim_id, row, now, None) for row in sorted(want, key=_said_from))
        for ids, statement in (
            (close, update(table).values(known_until=now)),
            (reopen, update(table).values(known_until=None)),
            (remove, delete(table)),
        ):
            if ids:
                connection.execute(statement.where(table.c.id.in_(ids)))
        if new:
            connection.execute(insert(table), new)
