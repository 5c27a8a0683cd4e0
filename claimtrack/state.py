"""The derived per-claim status (``claim_state``), kept equal to the rule by every write.

Reading the contested rule from the raw stances means a GROUP BY over all of them; the
top 50 contested claims of a million would take seconds. So each flush that adds or
moves a stance, a link or a claim re-rates, in the same transaction, the claims it
touched and the claims that contradict them, with the rule's own SQL scoped to those
claims (``rule.views(scoped=True)``). A bulk load defers that to one pass at its end,
and ``rebuild`` recomputes every claim from scratch. tests/test_state.py checks that
the table always equals the ``claim_status`` view.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, event, func, insert, inspect, or_, select
from sqlalchemy.orm import Session

from claimtrack import rule
from claimtrack.models import Claim, ClaimLink, ClaimState, Stance

TOUCHED = "claimtrack_touched"
DEFERRED = "claimtrack_defer_state"
CHUNK = 500
REBUILD_ABOVE = 20_000  # past this many claims, one pass over everything is cheaper
COLUMNS = rule.COLUMNS["claim_status"]


def _old_and_new(obj, attribute: str) -> list[int]:
    history = inspect(obj).attrs[attribute].history
    values = [*history.added, *history.unchanged, *history.deleted]
    current = getattr(obj, attribute)
    return [v for v in {*values, current} if v is not None]


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:
    touched: set[int] = session.info.setdefault(TOUCHED, set())
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Stance):
            touched.update(_old_and_new(obj, "claim_id"))
        elif isinstance(obj, ClaimLink):
            touched.update(_old_and_new(obj, "from_claim_id"))
            touched.update(_old_and_new(obj, "to_claim_id"))
        elif isinstance(obj, Claim):
            touched.add(obj.id)


@event.listens_for(Session, "after_flush_postexec")
def _refresh_after_flush(session: Session, _context) -> None:
    if not session.info.get(DEFERRED):
        refresh_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous) -> None:
    session.info.pop(TOUCHED, None)


def refresh_pending(session: Session) -> int:
    """Re-rate every claim touched since the last refresh; returns how many were."""
    touched = session.info.pop(TOUCHED, None)
    if not touched:
        return 0
    if len(touched) > REBUILD_ABOVE:
        return rebuild(session)
    return refresh(session, touched)


def with_contradicting(session: Session, claim_ids: set[int]) -> set[int]:
    """The claims and every claim linked to one of them as contradicting it."""
    found = set(claim_ids)
    ids = list(claim_ids)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        links = session.execute(
            select(ClaimLink.from_claim_id, ClaimLink.to_claim_id).where(
                ClaimLink.kind == "contradicts",
                or_(ClaimLink.from_claim_id.in_(part), ClaimLink.to_claim_id.in_(part)),
            )
        )
        for a, b in links:
            found.update((a, b))
    return found


def refresh(session: Session, claim_ids: Iterable[int]) -> int:
    """Re-rate these claims and those whose sides they feed (the claims contradicting them)."""
    rated = sorted(with_contradicting(session, set(claim_ids)))
    connection = session.connection()
    views = rule.views(scoped=True)
    status = views.claim_status
    query = views.select(*(status.c[name] for name in COLUMNS))
    for start in range(0, len(rated), CHUNK):
        part = rated[start : start + CHUNK]
        scope = sorted(with_contradicting(session, set(part)))
        connection.execute(delete(ClaimState).where(ClaimState.claim_id.in_(part)))
        connection.execute(
            insert(ClaimState).from_select(list(COLUMNS), query),
            {"claims": part, "scope": scope},
        )
    return len(rated)


def rebuild(session: Session) -> int:
    """Recompute every claim's state from the stances; returns the number of claims."""
    session.info.pop(TOUCHED, None)
    connection = session.connection()
    view = rule.view_table("claim_status")
    connection.execute(delete(ClaimState))
    connection.execute(
        insert(ClaimState).from_select(list(COLUMNS), select(*(view.c[n] for n in COLUMNS)))
    )
    return session.scalar(select(func.count()).select_from(ClaimState))
