"""The history of a dispute: each claim's status periods, and how each one ended.

A claim's status changes only when what was said changes: at the end of a stance's said
interval on the claim or on a claim that contradicts it. The stored history
(``claim_history``, kept by every write: ``claimtrack.state_history``) says which
status held from which moment, as the desk knew it at any instant; ``periods`` reads it
and names, from the stances said at each change, who began and who ended each period
and how, in the desk's words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimtrack import schema
from claimtrack.links import chunks, counter_claims_of
from claimtrack.order import said_order
from claimtrack.selection import Selection
from claimtrack.times import When, said_when
from claimtrack.vocabulary import WITHDRAWAL, side_of


@dataclass(frozen=True)
class Period:
    """From ``since`` (the said time of the stance that began it) until ``until``."""

    status: str
    since: When
    until: When | None  # None: it stands now (or at the selection's as-of)
    began_by: str  # "Tasnim denies"
    ended_by: str | None = None  # "F retracts"
    how: str | None = None  # "denials withdrawn", "opponents came round", ...


def periods(
    session: Session, claim_ids: Iterable[int], selection: Selection | None = None
) -> dict[int, list[Period]]:
    """claim id -> its status periods in said order, under the selection's known-at and
    as-of (a period still open at the as-of has no end)."""
    selection = selection or Selection()
    ids = sorted(set(claim_ids))
    found: dict[int, list[Period]] = {i: [] for i in ids}
    for part in chunks(ids):
        counters = counter_claims_of(session, part)
        stances = _stances(session, sorted(set(part).union(*counters.values())), selection)
        names = _names(session, {s.party_id for s in stances})
        found.update(periods_of(session, part, counters, stances, names, selection))
    return found


def periods_of(session: Session, claim_ids: list[int], counters: dict[int, set[int]],
               stances: list, names: dict[int, str],
               selection: Selection) -> dict[int, list[Period]]:  # fmt: skip
    """``periods`` of at most ``links.BATCH`` claims, from what the caller has read:
    the claims' counter-claims, the stances (with the columns of ``_stances``, or more)
    that count on them and on their counter-claims, and their parties' names."""
    found: dict[int, list[Period]] = {i: [] for i in claim_ids}
    # A stance moves the claim it is on and the claims (asked about) it contradicts.
    answered: dict[int, set[int]] = {}
    for claim_id, others in counters.items():
        for other in others:
            answered.setdefault(other, set()).add(claim_id)
    moments: dict[tuple[int, dt.datetime], list] = {}
    by_party: dict[tuple[int, int], list] = {}
    for s in stances:
        by_party.setdefault((s.claim_id, s.party_id), []).append(s)
        moments.setdefault((s.claim_id, s.said_until), []).append(s)
        for claim_id in answered.get(s.claim_id, ()):
            if claim_id != s.claim_id:
                moments.setdefault((claim_id, s.said_until), []).append(s)
    ordered: dict[tuple[int, int], list] = {}  # each party's stances, put in order when asked
    for claim_id, moment, status in _stored(session, claim_ids, selection):
        said = moments.get((claim_id, moment))
        if said:  # always, unless a stance was written since the history was kept
            _advance(claim_id, found[claim_id], status, said_order(said), by_party, ordered,
                     names)  # fmt: skip
    return found


def _stored(session: Session, claim_ids: list[int], selection: Selection):
    """(claim id, said moment, status) wherever the stored status changes, in said order."""
    h = schema.claim_history.c
    query = select(h.claim_id, h.said_from, h.status).where(h.claim_id.in_(claim_ids))
    query = query.where(*schema.known_at(selection.known_at))
    if selection.as_of is not None:
        query = query.where(h.said_from <= selection.as_of)
    # Said time only adds stances, so a claim's rows follow one another without a gap.
    last: dict[int, str] = {}
    for claim_id, since, status in session.execute(query.order_by(h.claim_id, h.said_from)):
        if last.get(claim_id) != status:
            yield claim_id, since, status
        last[claim_id] = status


def _stances(session: Session, scope: list[int], selection: Selection) -> list:
    s = schema.stance.c
    query = select(s.id, s.claim_id, s.party_id, s.kind, s.said_at, s.said_offset,
                   s.said_precision, s.said_until, s.recorded_at)  # fmt: skip
    query = query.where(*selection.counts(s))
    found = []
    for part in chunks(scope):
        found.extend(session.execute(query.where(s.claim_id.in_(part))))
    return found


def _names(session: Session, party_ids: set[int]) -> dict[int, str]:
    found = {}
    for part in chunks(sorted(party_ids)):
        p = schema.party.c
        found.update(session.execute(select(p.id, p.name).where(p.id.in_(part))).all())
    return found


def _advance(claim_id: int, history: list, status: str | None, said: list, by_party,
             ordered, names) -> None:  # fmt: skip
    """Close the open period and open another when the status changed at this moment."""
    current = history[-1] if history else None
    if current is not None and current.status == status:
        return
    cause = said[-1]  # the last said of the stances whose interval ended at this moment
    when = said_when(cause)
    by = f"{names[cause.party_id]} {cause.kind}"
    if current is not None:
        key = cause.claim_id, cause.party_id
        if key not in ordered:
            ordered[key] = said_order(by_party[key])
        how = _how(claim_id, current.status, cause, ordered[key])
        history[-1] = replace(current, until=when, ended_by=by, how=how)
    if status is not None:
        history.append(Period(status, when, None, by))


def _how(claim_id: int, status: str, cause, theirs: list) -> str:
    """How a period ended, in the desk's words, from the stance that ended it and the
    stances of the same party on the same claim (``theirs``, in said order). A stance on
    a counter-claim counts the other way round: supporting it opposes this claim."""

    def side(kind: str) -> str | None:
        found = side_of(kind)
        if found is None or cause.claim_id == claim_id:
            return found
        return "oppose" if found == "support" else None  # denying a counter-claim: no side

    before = theirs[: next(n for n, s in enumerate(theirs) if s.id == cause.id)]
    previous = side(before[-1].kind) if before and before[-1].kind != WITHDRAWAL else None
    if cause.kind == WITHDRAWAL:
        return {"oppose": "denials withdrawn", "support": "supporters retracted"}.get(
            previous, "a stance withdrawn"
        )
    now = side(cause.kind)
    if now == "support" and previous == "oppose":
        return "opponents came round"
    if now == "oppose" and previous == "support":
        return "supporters turned"
    if status == "contested":
        return "the sides changed"
    return {"support": "supported", "oppose": "opposed"}.get(now, "changed")
