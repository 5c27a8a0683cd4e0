"""The derived per-claim status (``claim_state``), kept equal to the rule by every write.

Reading the contested rule from the raw stances means a GROUP BY over all of them; the
top 50 contested claims of a million would take seconds. So each flush that adds or
moves a stance, a link or a claim re-rates, in the same transaction, the claims it
touched and the claims that contradict them, with the rule's own SQL scoped to those
claims (``rule.views(scoped=True)``). The listeners belong to ``WriteSession``, the
session class ``claimtrack.db.write_session`` makes, not to SQLAlchemy's global
``Session``. A bulk load defers re-rating to one pass at its end, and ``rebuild``
recomputes every claim from scratch. tests/test_state.py checks that
the table always equals the ``claim_status`` view.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator

from sqlalchemy import bindparam, delete, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from claimtrack import insert_many, rule, state_history, tally
from claimtrack.links import counter_claims_of
from claimtrack.models import Claim, ClaimLink, Party, Stance
from claimtrack.progress import SILENT
from claimtrack.schema import claim_history, claim_state
from claimtrack.schema import stance as stance_table

_said = stance_table.c  # the statements here are Core: no ORM compilation on each write

TOUCHED = "claimtrack_touched"
# Parties whose side (``acts_for``) a flush changed: their claims' per-side counts are
# re-counted (``tally.resides``).
SIDES = "claimtrack_sides"
EVERYTHING = "claimtrack_rebuild"
# The columns naming the claims a row of each table bears on.
_CLAIM_COLUMNS = {
    "stance": ("claim_id",),
    "claim_link": ("from_claim_id", "to_claim_id"),
    "claim": ("id",),
}
DEFERRED = "claimtrack_defer_state"
# Claims whose past a transaction rewrote (a stance or link recorded at another instant
# than the transaction's clock, a stance moved or changed): their history is replayed.
REPLAY = "claimtrack_replay"
# What a correction may change on a stance without rewriting its past.
_VOIDING = {"void_at", "void_by", "void_reason"}
CHUNK = 500
REBUILD_ABOVE = 20_000  # past this many claims, one pass over everything is cheaper
COLUMNS = rule.COLUMNS["claim_status"]


def _old_and_new(obj, attribute: str) -> list[int]:
    history = inspect(obj).attrs[attribute].history
    values = [*history.added, *history.unchanged, *history.deleted]
    current = getattr(obj, attribute)
    return [v for v in {*values, current} if v is not None]


class WriteSession(Session):
    """claimtrack's session for writing: it keeps ``claim_state`` in step by itself.

    Every ORM flush re-rates the claims it touched; a bulk statement run through the
    session (``session.execute(insert(Stance), rows)``) notes its claims too, and they
    are re-rated before the transaction commits. ``claimtrack.db.write_session`` makes
    one; there is no write path through it that leaves the state stale.
    """


@event.listens_for(WriteSession, "after_flush")
def _collect(session: Session, _context) -> None:
    touched: set[int] = session.info.setdefault(TOUCHED, set())
    replay: set[int] = session.info.setdefault(REPLAY, set())
    now = state_history.clock(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Stance):
            claims = _old_and_new(obj, "claim_id")
            touched.update(claims)
            if not _at_clock(session, obj, "recorded_at", _VOIDING, now):
                replay.update(claims)
        elif isinstance(obj, ClaimLink):
            claims = _old_and_new(obj, "from_claim_id") + _old_and_new(obj, "to_claim_id")
            touched.update(claims)
            if not _at_clock(session, obj, "created_at", set(), now):
                replay.update(claims)
        elif isinstance(obj, Claim):
            touched.add(obj.id)
        elif isinstance(obj, Party) and obj in session.dirty:
            attrs = inspect(obj).attrs
            if attrs.acts_for_id.history.has_changes() or attrs.acts_for.history.has_changes():
                session.info.setdefault(SIDES, set()).add(obj.id)


def _at_clock(session: Session, obj, recorded: str, may_change: set[str], now) -> bool:
    """Whether writing ``obj`` only adds to the record at this transaction's clock."""
    if obj in session.deleted:
        return False
    if obj in session.new:
        return getattr(obj, recorded) == now
    state = inspect(obj)
    changed = {a.key for a in state.attrs if a.history.has_changes()}
    return changed <= may_change and getattr(obj, "void_at", now) in (None, now)


@event.listens_for(WriteSession, "after_flush_postexec")
def _refresh_after_flush(session: Session, _context) -> None:
    if not session.info.get(DEFERRED):
        refresh_pending(session)


@event.listens_for(WriteSession, "do_orm_execute")
def _collect_bulk(execute_state) -> None:
    """Note the claims a bulk INSERT, UPDATE or DELETE through the session writes."""
    if not (execute_state.is_insert or execute_state.is_update or execute_state.is_delete):
        return
    table = getattr(execute_state.statement, "table", None)
    columns = _CLAIM_COLUMNS.get(getattr(table, "name", None))
    if columns is None:
        return
    session = execute_state.session
    params = execute_state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    if execute_state.is_insert and rows and all(c in r for r in rows for c in columns):
        claims = {r[c] for r in rows for c in columns}
        session.info.setdefault(TOUCHED, set()).update(claims)
        recorded = "recorded_at" if table.name == "stance" else "created_at"
        now = state_history.clock(session)
        if any(r.get(recorded, now) != now for r in rows):
            session.info.setdefault(REPLAY, set()).update(claims)
    else:  # which claims an UPDATE or DELETE reaches is the database's to say
        session.info[EVERYTHING] = True


@event.listens_for(WriteSession, "before_commit")
def _refresh_before_commit(session: Session) -> None:
    if not session.info.get(DEFERRED):
        refresh_pending(session)


@event.listens_for(WriteSession, "after_soft_rollback")
def _forget(session: Session, _previous) -> None:
    session.info.pop(TOUCHED, None)
    session.info.pop(EVERYTHING, None)
    session.info.pop(REPLAY, None)
    session.info.pop(SIDES, None)
    session.info.pop(state_history.CLOCK, None)


@event.listens_for(WriteSession, "after_commit")
def _next_instant(session: Session) -> None:
    """The next transaction records at its own instant."""
    session.info.pop(state_history.CLOCK, None)


def refresh_pending(session: Session) -> int:
    """Re-rate every claim touched since the last refresh; returns how many were."""
    touched = session.info.pop(TOUCHED, None)
    replay = session.info.pop(REPLAY, set())
    sides = session.info.pop(SIDES, None)
    if session.info.pop(EVERYTHING, False):
        return rebuild(session)
    if touched and len(touched) > REBUILD_ABOVE:
        return rebuild(session)
    rated = refresh(session, touched, replay=replay) if touched else 0
    if sides:
        tally.resides(session, sides)
    return rated


@contextlib.contextmanager
def once(session: Session) -> Iterator[None]:
    """Re-rate the claims the block's flushes touch once, as the block ends, rather than
    after each flush: for a command that writes a claim, then a stance on it, and reads
    no claim's state in between (``claim add``: one re-rating, not two). A block that
    fails re-rates nothing; its transaction is rolled back."""
    session.info[DEFERRED] = True
    try:
        yield
        refresh_pending(session)
    finally:
        session.info.pop(DEFERRED, None)


def rerank(session: Session, claim_ids: Iterable[int]) -> None:
    """Put each party's stances on these claims in said order (``claimtrack.order``)."""
    from claimtrack.links import chunks

    for part in chunks(sorted(set(claim_ids))):
        _write_ranks(session, session.execute(_RANKED.where(_said.claim_id.in_(part))))


def rerank_all(session: Session) -> None:
    """Every stance's said order, one claim and party at a time, streamed.

    A party's only stance on a claim is first (rank 0), so only the stances of a party
    with more than one on a claim, or with a rank other than 0, are read: of a million
    claims' stances, a few percent.
    """
    several = (
        select(_said.claim_id, _said.party_id)
        .group_by(_said.claim_id, _said.party_id)
        .having((func.count() > 1) | (func.max(_said.said_rank) != 0))
        .subquery()
    )
    same = (_said.claim_id == several.c.claim_id) & (_said.party_id == several.c.party_id)
    query = _RANKED.join(several, same).order_by(_said.claim_id, _said.party_id)
    result = session.execute(query.execution_options(yield_per=RANK_BATCH))
    pending: list = []
    for part in result.partitions():
        rows = [*pending, *part]
        last = (rows[-1].claim_id, rows[-1].party_id)
        pending = [r for r in rows if (r.claim_id, r.party_id) == last]
        _write_ranks(session, [r for r in rows if (r.claim_id, r.party_id) != last])
    _write_ranks(session, pending)


_RANKED = select(_said.id, _said.claim_id, _said.party_id, _said.said_at,
                 _said.said_until, _said.recorded_at, _said.said_rank)  # fmt: skip
RANK_BATCH = 5_000


def _write_ranks(session: Session, rows) -> None:
    from claimtrack.order import said_order

    groups: dict[tuple[int, int], list] = {}
    for r in rows:
        groups.setdefault((r.claim_id, r.party_id), []).append(r)
    changed = [
        {"sid": s.id, "rank": n}
        for group in groups.values()
        for n, s in enumerate(said_order(group))
        if s.said_rank != n
    ]
    if changed:  # Core, on the connection: the ORM's bulk listeners need not see it
        table = stance_table
        statement = update(table).where(table.c.id == bindparam("sid"))
        session.connection().execute(statement.values(said_rank=bindparam("rank")), changed)


def refresh(session: Session, claim_ids: Iterable[int], *, replay: Iterable[int] = ()) -> int:
    """Re-rate these claims and those whose sides they feed (the claims contradicting them),
    now and in the stored history (``claimtrack.state_history``)."""
    claim_ids = set(claim_ids)
    # Each claim's counter-claims, read once: the history's groups, the claims re-rated
    # and each chunk's scope all start from them (a claim add read them three times).
    linked = counter_claims_of(session, sorted(claim_ids))
    rerank(session, claim_ids)
    state_history.refresh(session, claim_ids, replay=replay, linked=linked)
    rated = sorted(claim_ids.union(*linked.values()))
    connection = session.connection()
    views = rule.views(scoped=True)
    status = views.claim_status
    query = views.select(*(status.c[name] for name in COLUMNS))
    for start in range(0, len(rated), CHUNK):
        part = rated[start : start + CHUNK]
        unread = [c for c in part if c not in claim_ids and c not in linked]
        if unread:  # the counter-claims re-rated with these: their own links
            linked.update(counter_claims_of(session, unread))
        scope = sorted(set(part).union(*(linked.get(c, ()) for c in part)))
        connection.execute(delete(claim_state).where(claim_state.c.claim_id.in_(part)))
        connection.execute(
            insert(claim_state).from_select(list(COLUMNS), query),
            {"claims": part, "scope": scope},
        )
        tally.refresh(session, part, scope)
    return len(rated)


def _standing():
    """Every claim's state now, read from the history just replayed: its row that holds
    as known through the last instant recorded and as of the last moment said (both
    open), which is the rule run on every live stance and link (``claim_status``), one
    index walk rather than the rule over every stance again (2.5 s of CPU in a
    270,000-stance import). A claim with no live stance has no status and no such row,
    as the rule's view leaves it out. tests/test_state.py holds the two equal."""
    history, claim = claim_history.c, Claim.__table__.c
    fields = {"claim_id": history.claim_id, "topic": claim.topic}
    return (
        select(*(fields[name] if name in fields else history[name] for name in COLUMNS))
        .join(Claim.__table__, claim.id == history.claim_id)
        .where(history.known_until.is_(None), history.said_until.is_(None))
        .order_by(history.claim_id)
    )


def rebuild(session: Session, *, counts: bool = True, timings: dict | None = None,
            progress=SILENT) -> int:  # fmt: skip
    """Recompute every claim's state from the stances; returns the number of claims.

    ``counts``: the parties' kept counts too (``tally``; not before revision 0007).
    ``timings``, if given, gets the seconds each step took (bench/generate.py prints them).
    ``progress`` shows the steps (``claimtrack.progress``), unequal in length: no estimate.
    """
    timings = {} if timings is None else timings
    session.info.pop(TOUCHED, None)
    session.info.pop(EVERYTHING, None)
    session.info.pop(REPLAY, None)
    session.info.pop(SIDES, None)
    steps = 4 if counts else 3
    with progress.phase("Rebuilding", steps, unit="steps", estimate=False) as advance:
        advance(0, note="ranking stances")
        mark = time.perf_counter()
        # The stances and claims may have just been loaded, in this very transaction.
        state_history.analyze(session, "stance", "claim", "claim_link")
        rerank_all(session)
        timings["rerank"] = round(time.perf_counter() - mark, 1)
        advance(1, note="status history")
        state_history.rebuild(session, timings=timings)
        advance(1, note="statuses")
        mark = time.perf_counter()
        connection = session.connection()
        table = claim_state
        aside = insert_many.may_set_aside(connection, table)
        insert_many.delete_all(connection, table)
        with insert_many.indexes_set_aside(connection, table, aside):
            connection.execute(insert(claim_state).from_select(list(COLUMNS), _standing()))
        timings["claim_state"] = round(time.perf_counter() - mark, 1)
        if counts:
            advance(1, note="party counts")
            mark = time.perf_counter()
            tally.rebuild(session)
            timings["party_tally"] = round(time.perf_counter() - mark, 1)
        advance(1, note="done")
    return session.scalar(select(func.count()).select_from(claim_state))
