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
import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import literal, select, union
from sqlalchemy.orm import Session

from claimtrack import schema
from claimtrack.links import answered, chunks, counter_claims_of, ids_value, named_one_of
from claimtrack.order import said_order, timeline_order
from claimtrack.selection import Selection
from claimtrack.times import When, said_when
from claimtrack.vocabulary import POSITION_KINDS, WITHDRAWAL, counter_relation, side_of

_SECOND = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Period:
    """From ``since`` (the said time of the stance that began it) until ``until``."""

    status: str
    since: When
    until: When | None  # None: it stands now (or at the selection's as-of)
    began_by: str  # "Tasnim denies"
    ended_by: str | None = None  # "F retracts"
    how: str | None = None  # "denials withdrawn", "opponents came round", ...
    began_stance: int | None = None  # the id of the stance that began it, where read


def periods(
    session: Session, claim_ids: Iterable[int], selection: Selection | None = None
) -> dict[int, list[Period]]:
    """claim id -> its status periods in said order, under the selection's known-at and
    as-of (a period still open at the as-of has no end)."""
    selection = selection or Selection()
    ids = sorted(set(claim_ids))
    found: dict[int, list[Period]] = {i: [] for i in ids}
    for part in chunks(ids):
        answers: dict[int, set[int]] = {}
        counters = counter_claims_of(session, part, answers)
        stances = _stances(session, sorted(set(part).union(*counters.values())), selection)
        names = _names(session, {s.party_id for s in stances})
        found.update(periods_of(session, part, counters, stances, names, selection,
                                answers=answers))  # fmt: skip
    return found


def periods_of(session: Session, claim_ids: list[int], counters: dict[int, set[int]],
               stances: list, names: dict[int, str], selection: Selection, *,
               by_claim: dict[int, list] | None = None,
               answers: dict[int, set[int]] | None = None) -> dict[int, list[Period]]:  # fmt: skip
    """``periods`` of at most ``links.BATCH`` claims, from what the caller has read:
    the claims' counter-claims, the stances (with the columns of ``_stances``, or more)
    that count on them and on their counter-claims, and their parties' names; and, if
    the caller has them, those stances by claim, in the order of ``stances``, and the
    links' direction (``answers``, as ``counter_claims_of`` fills it), which names a
    stance on the claim a counter-claim answers as such ("asserts countered claim #1")."""
    found: dict[int, list[Period]] = {i: [] for i in claim_ids}
    if by_claim is None:
        by_claim = {}
        for s in stances:
            by_claim.setdefault(s.claim_id, []).append(s)
    changes = _status_changes(session, claim_ids, counters, by_claim, selection)
    for claim_id, status, said, theirs in changes:
        _advance(claim_id, found[claim_id], status, said, theirs, names,
                 answered(answers or {}, claim_id))  # fmt: skip
    return found


def _status_changes(session: Session, claim_ids: list[int], counters: dict[int, set[int]],
                    by_claim: dict[int, list], selection: Selection, *,
                    raw: bool = False):  # fmt: skip
    """Wherever the stored status of a claim changes, in said order: (claim id, the
    status, the stances said at that moment that can have moved it, in the timeline's
    order, and ``theirs``: a stance's party's stances on its claim, in said order).
    Skipped: a moment with no such stance (one written since the history was kept)."""
    # A stance moves the claim it is on and the claims (asked about) it contradicts:
    # the stances that can move a claim are those on it and on its counter-claims.
    movers: dict[int, list] = {}
    ordered: dict[tuple[int, int], list] = {}  # each party's stances, put in order when asked

    def theirs(stance) -> list:
        key = stance.claim_id, stance.party_id
        found = ordered.get(key)
        if found is None:
            mine = [s for s in by_claim[stance.claim_id] if s.party_id == stance.party_id]
            found = ordered[key] = said_order(mine) if len(mine) > 1 else mine
        return found

    for claim_id, moment, status in _stored(session, claim_ids, selection, raw=raw):
        near = movers.get(claim_id)
        if near is None:
            others = counters.get(claim_id)
            near = by_claim.get(claim_id, [])
            if others:
                near = [s for c in sorted({claim_id, *others}) for s in by_claim.get(c, ())]
            movers[claim_id] = near
        said = [s for s in near if s.said_until == moment]
        if said:  # always, unless a stance was written since the history was kept
            yield claim_id, status, timeline_order(said) if len(said) > 1 else said, theirs


def period_cells(session: Session, claim_ids: list[int], counters: dict[int, set[int]],
                 by_claim: dict[int, list], selection: Selection,
                 texts) -> dict[int, tuple]:  # fmt: skip
    """The history cell of ``export csv --per claim`` of at most ``links.BATCH`` claims:
    claim id -> (its periods as ``render.period_text`` writes them, joined with "; ";
    the stance that began its contested period when that period stands at the end, or
    None; whether any period is contested). The same periods as ``periods_of`` finds
    from the same stances (``by_claim``: those that count on the claims and their
    counter-claims, with the columns of ``_stances``, instants as stored), without the
    Period objects and the who-said texts the cell does not show. ``texts(stance)``:
    its said time's ``str(When)``."""
    found: dict[int, list] = {}  # claim id -> [status, began by, ended by, how] each period
    changes = _status_changes(session, claim_ids, counters, by_claim, selection, raw=True)
    for claim_id, status, said, theirs in changes:
        history = found.setdefault(claim_id, [])
        current = history[-1] if history else None
        if current is not None and current[0] == status:
            continue
        cause = said[0] if len(said) == 1 else _cause(claim_id, said, theirs)
        if current is not None:
            current[2] = cause
            current[3] = _how(claim_id, current[0], cause, theirs(cause))
        if status is not None:
            history.append([status, cause, None, None])
    cells = {}
    for claim_id, history in found.items():
        parts = []
        ever = False  # whether any period is contested
        for status, since, until, how in history:
            if status == "contested":
                ever = True
            if until is None:
                parts.append(f"{status} since {texts(since)}")
            else:
                text = f"{status} {texts(since)} – {texts(until)}"
                parts.append(f"{text} ({how})" if how else text)
        last = history[-1] if history else None
        open_contested = last[1] if last and last[0] == "contested" and last[2] is None else None
        cells[claim_id] = ("; ".join(parts), open_contested, ever)
    return cells


def _stored(session: Session, claim_ids: list[int], selection: Selection, *, raw: bool = False):
    """(claim id, said moment, status) wherever the stored status changes, in said order
    (``raw``: the moment as stored, ``schema.driver_rows``)."""
    query = _stored_query(session.get_bind().dialect.name, *selection.shape(), raw=raw)
    params = {**selection.params(), "ids": ids_value(session, claim_ids)}
    # Said time only adds stances, so a claim's rows follow one another without a gap.
    last: dict[int, str] = {}
    result = session.execute(query, params)
    rows = result.all() if not raw else schema.driver_rows(result)  # fetched at once
    for claim_id, since, status in rows:
        if last.get(claim_id) != status:
            yield claim_id, since, status
        last[claim_id] = status


@functools.cache  # built once per process: building it each batch cost the export a 30th
def _stored_query(dialect: str, as_of: bool, known_at: bool, *, raw: bool):
    """``_stored``'s statement: the stored history of the claims in ``:ids``
    (``links.ids_value``) as known at ``:known_at``, said by ``:as_of``, by claim and
    said time."""
    h = schema.claim_history.c
    columns = (h.said_from, h.status) if not raw else map(schema.as_stored, (h.said_from, h.status))
    bound_as_of, bound_known_at = Selection.of_shape(as_of, known_at).bound_times()
    query = select(h.claim_id, *columns).where(named_one_of(dialect, h.claim_id, "ids"))
    query = query.where(*schema.known_at(bound_known_at))
    if as_of:
        query = query.where(h.said_from <= bound_as_of)
    return query.order_by(h.claim_id, h.said_from)


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


def _advance(claim_id: int, history: list, status: str | None, said: list, theirs,
             names, answering: set[int]) -> None:  # fmt: skip
    """Close the open period and open another when the status changed at this moment
    (``theirs(stance)``: its party's stances on its claim, in said order; ``answering``:
    the claims this one answers, ``links.answered``)."""
    current = history[-1] if history else None
    if current is not None and current.status == status:
        return

    cause = _cause(claim_id, said, theirs)
    when = said_when(cause)
    by = _by(claim_id, cause, names[cause.party_id], answering)
    if current is not None:
        how = _how(claim_id, current.status, cause, theirs(cause))
        history[-1] = replace(current, until=when, ended_by=by, how=how)
    if status is not None:
        history.append(Period(status, when, None, by, began_stance=cause.id))


def _how(claim_id: int, status: str, cause, theirs: list) -> str:
    """How a period ended, in the desk's words, from the stance that ended it and the
    stances of the same party on the same claim (``theirs``, in said order). A stance on
    a counter-claim counts the other way round: supporting it opposes this claim."""

    def side(kind: str) -> str | None:
        return _side_on(claim_id, cause.claim_id, kind)

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


def _side_on(claim_id: int, on: int, kind: str) -> str | None:
    """The side a stance of this kind on claim ``on`` puts its party on as to ``claim_id``:
    on a counter-claim, supporting it opposes this claim; denying it takes no side."""
    found = side_of(kind)
    if found is None or on == claim_id:
        return found
    return "oppose" if found == "support" else None


def _moves(claim_id: int, stance, theirs: list) -> bool:
    """Whether the stance changed its party's side as to ``claim_id``, from that party's
    stances on the same claim (``theirs``, in said order, the stance among them)."""
    if stance.kind not in POSITION_KINDS:
        return False
    at = next(n for n, s in enumerate(theirs) if s.id == stance.id)
    before = next((s for s in reversed(theirs[:at]) if s.kind in POSITION_KINDS), None)
    was = _side_on(claim_id, before.claim_id, before.kind) if before is not None else None
    return _side_on(claim_id, stance.claim_id, stance.kind) != was


def _cause(claim_id: int, said: list, theirs) -> object:
    """Which of the stances whose interval ended at a moment the claim's status changed
    (``said``, in the timeline's order, ``order.timeline_order``; ``theirs(stance)``: its
    party's stances on its claim, in said order) changed it: the last of those that moved
    a party's side as to this claim. A stance on a counter-claim that puts nobody on a
    side of this one (disputing it, never having asserted it) does not: the same party's
    assertion of this claim at the same minute does. (All of them, should none have
    moved a side.)"""
    if len(said) == 1:
        return said[0]
    # (A remark moves no side: its party's stances need not be read.)
    moved = [s for s in said if s.kind in POSITION_KINDS and _moves(claim_id, s, theirs(s))]
    return (moved or said)[-1]


def _by(claim_id: int, cause, name: str, answering: set[int]) -> str:
    """Who began or ended a period, and how: "Hamas denies", or, for a stance on a
    counter-claim, "Gaza Health Ministry asserts counter-claim #5", and on the claim this
    one answers (``answering``), "IDF asserts countered claim #4" (as ``claim show``
    lists them), so it does not read as a stance on this claim."""
    said = f"{name} {cause.kind}"
    if cause.claim_id == claim_id:
        return said
    return f"{said} {counter_relation(cause.claim_id in answering)} #{cause.claim_id}"


# -- the periods around a window of said time (``report changes``) ---------------------


@dataclass
class Around:
    """What ``report changes`` needs of the claims touched in a window of said time and
    of the claims contradicting them (``scope``), read in a few statements."""

    # The claims said of in the window, and those contradicting one that was (a
    # counter-claim asserted today contests the claim it answers, which nobody spoke of
    # today); not merged away, of the selection's topic; in id order.
    touched: list[int]
    counters: dict[int, set[int]]  # for every claim in scope, all its counter-claims
    texts: dict[int, str]  # claim id -> text, for every claim in scope
    # claim id -> its status periods, as ``periods`` finds them, less what lies wholly
    # before the window: the first is the period standing when the window began
    # (``since`` None: it began before) or the claim's first. Only what happened in the
    # window is told in full: a period begun after it has only its status and a ``since``
    # ending at the moment it began; ``how`` is filled for contested periods ended in it.
    periods: dict[int, list[Period]]
    # The stances said in the window, as read: id, claim_id, party_id, kind, said_at,
    # said_offset, said_precision, said_until, recorded_at (instants as stored:
    # ``schema.as_stored``), their party's name and their quote.
    said: list


def around(session: Session, selection: Selection, start: dt.datetime,
           end: dt.datetime | None) -> Around:  # fmt: skip
    """``periods`` of the claims touched in the window (``start``, ``end``] of said time
    and of their counter-claims, as far as they show in it.

    A status changes only at a moment some stance's interval ends on the claim or a
    claim contradicting it, so what begins or ends in the window is told by the stances
    said in it; the stored history says where the status changed. Before the window only
    the status standing at its start is read, so a day costs what its changes do, not
    what the claims' whole histories do. The stances said in the window are read once,
    and say which claims it touched; each list of ids is bound as one parameter
    (``links.one_of``): a few statements, however many claims the window touches."""
    # Every stance said in the window: each one that ends at a change may be its cause.
    # Each statement is built once per process (``_around_statements``), for the backend
    # and which of the as-of, known-at, window end and topic are given.
    dialect = session.get_bind().dialect
    instant = schema.stored_instants(dialect)
    shape = (dialect.name, *selection.shape(), end is not None, selection.topic is not None)
    statements = _around_statements(*shape)
    params = {**selection.bound_params(), "start": start, "end": end, "topic": selection.topic}
    said: dict[tuple[int, object], list] = {}
    names: dict[int, str] = {}
    window_stances = session.execute(statements.window, params).all()
    for stance in window_stances:
        names[stance[2]] = stance[9]
        said.setdefault((stance[1], stance[7]), []).append(stance)
    # The contradiction links of the claims spoken of, of the claims touched and of their
    # counter-claims (a counter-claim is moved by a stance on a claim contradicting it
    # too), each claim's read once.
    counters: dict[int, set[int]] = {}
    answers: dict[int, set[int]] = {}  # the links' direction, as ``counter_claims_of``'s
    read: set[int] = set()

    def links_of(ids) -> None:
        wanted = sorted(set(ids) - read)
        if not wanted:
            return
        read.update(wanted)
        for a, b in session.execute(statements.links, {"ids": ids_value(session, wanted)}):
            counters.setdefault(a, set()).add(b)
            counters.setdefault(b, set()).add(a)
            answers.setdefault(a, set()).add(b)

    spoken = {claim_id for claim_id, _ in said}
    if not spoken:
        return Around([], {}, {}, {}, [])
    links_of(spoken)
    candidates = sorted(spoken.union(*(counters.get(i, ()) for i in spoken)))
    candidate_ids = {**params, "ids": ids_value(session, candidates)}
    texts = dict(session.execute(statements.texts, candidate_ids).all())
    touched = list(texts)
    links_of(touched)
    scope = sorted(set(touched).union(*(counters.get(i, ()) for i in touched)))
    links_of(scope)
    if rest := sorted(set(scope) - set(texts)):
        rest_ids = {"ids": ids_value(session, rest)}
        texts.update(session.execute(statements.other_texts, rest_ids).all())
    found: dict[int, list[Period]] = {i: [] for i in texts}
    # (claim, index of the period ended or None, index of the one begun, possible causes)
    changes: list[tuple[int, int | None, int, list]] = []
    last: dict[int, str] = {}
    standing: dict[str, Period] = {}
    history_rows = session.execute(statements.history, {**params, "ids": ids_value(session, scope)})
    for claim_id, moment, status, before, later in history_rows.all():
        changed = last.get(claim_id) != status
        last[claim_id] = status
        history = found.setdefault(claim_id, [])
        if not changed:
            continue
        if before:  # the status standing when the window began (one Period per status)
            if status not in standing:
                standing[status] = Period(status, None, None, "")  # type: ignore[arg-type]
            history.append(standing[status])
            continue
        if later:  # after the window: only the status counts, and, for a claim's first
            # period, that it began after the window
            began = When(instant(moment) - _SECOND, 0, "second")
            history.append(Period(status, began, None, ""))
            continue
        causes = said.get((claim_id, moment), [])
        if others := counters.get(claim_id):
            answering = [x for k in others if k != claim_id for x in said.get((k, moment), ())]
            causes = causes + answering
        if not causes:  # as ``periods_of``: a stance written since the history was kept
            continue
        current = history[-1] if history else None
        if current is not None and current.status == status:
            continue
        # Which stance caused it, and when, is told below, once the parties' other
        # stances are read (where more than one could have, and for how a dispute ended).
        ended = len(history) - 1 if current is not None else None
        history.append(Period(status, None, None, ""))  # type: ignore[arg-type]
        if len(causes) > 1:
            causes = timeline_order(causes)
        changes.append((claim_id, ended, len(history) - 1, causes))
    # The stances of the parties that may have caused a change, on the claims they were
    # said on: which moved a side (a remark moves none: its party's are not read, as
    # ``_cause`` reads none for it; but where nothing moved a side, the last said is the
    # cause, a remark too, as ``periods`` finds it), and how a contested period ended.
    keys: set[tuple[int, int]] = set()
    for claim_id, ended, _, causes in changes:
        if ended is not None and found[claim_id][ended].status == "contested":
            keys.update((x.claim_id, x.party_id) for x in causes)
        elif len(causes) > 1:
            keys.update((x.claim_id, x.party_id) for x in causes if x.kind in POSITION_KINDS)
    theirs: dict[tuple[int, int], list] = {key: [] for key in keys}
    if keys:
        on = sorted({claim_id for claim_id, _ in keys})
        their_params = {**params, "ids": ids_value(session, on)}
        for stance in session.execute(statements.theirs, their_params):
            if (stance.claim_id, stance.party_id) in theirs:
                theirs[stance.claim_id, stance.party_id].append(stance)
    ordered: dict[tuple[int, int], list] = {}

    def of(stance) -> list:
        key = stance.claim_id, stance.party_id
        if key not in ordered:
            ordered[key] = said_order(theirs[key])
        return ordered[key]

    for claim_id, ended, began, causes in changes:
        history = found[claim_id]
        cause = _cause(claim_id, causes, of)
        when = When(instant(cause.said_at), cause.said_offset, cause.said_precision)
        by = _by(claim_id, cause, names[cause.party_id], answered(answers, claim_id))
        if ended is not None:
            period = history[ended]
            how = (_how(claim_id, period.status, cause, of(cause))
                   if period.status == "contested" else None)  # fmt: skip
            history[ended] = replace(period, until=when, ended_by=by, how=how)
        history[began] = Period(history[began].status, when, None, by,  # not yet ended
                                began_stance=cause.id)  # fmt: skip
    return Around(touched, counters, texts, found, window_stances)


@dataclass(frozen=True)
class _AroundStatements:
    """The statements ``around`` runs: the stances said in (``:start``, ``:end``]; the
    contradiction links, the texts of claims (of ``:topic``) and the stored statuses of
    the claims in ``:ids`` (``links.ids_value``); the stances of the claims in ``:ids``."""

    window: object
    links: object
    texts: object
    other_texts: object
    history: object
    theirs: object


@functools.cache  # built once per process: building them cost a day's report 1-2 ms
def _around_statements(dialect: str, as_of: bool, known_at: bool, end: bool,
                       topic: bool) -> _AroundStatements:  # fmt: skip
    """``around``'s statements for the backend and which of the as-of, known-at, window
    end and topic are given; the times bound as ``Selection.bound_params`` binds them."""
    from sqlalchemy import bindparam

    s, p, c = schema.stance.c, schema.party.c, schema.claim.c
    times = Selection.of_shape(as_of, known_at)
    start = bindparam("start", type_=schema.UTCDateTime())
    stop = bindparam("end", type_=schema.UTCDateTime()) if end else None
    # Its instants are read as stored (``_raw``) and only a cause's said time is made a
    # datetime: they are only compared, and keyed on, and a day has thousands of them.
    window = [s.said_until > start] + ([s.said_until <= stop] if end else [])
    said = select(s.id, s.claim_id, s.party_id, _raw(s.kind), _raw(s.said_at), s.said_offset,
                  _raw(s.said_precision), _raw(s.said_until), _raw(s.recorded_at),
                  p.name, s.quote)  # fmt: skip
    said = said.join(schema.party, p.id == s.party_id)
    said = said.where(*times.counts(s, bound=True), *window)
    link = schema.claim_link.c
    ends = select(link.from_claim_id, link.to_claim_id).where(link.kind == "contradicts")
    links = union(ends.where(named_one_of(dialect, link.from_claim_id, "ids")),
                  ends.where(named_one_of(dialect, link.to_claim_id, "ids")))  # fmt: skip
    texts = select(c.id, c.text).where(named_one_of(dialect, c.id, "ids"))
    texts = texts.where(c.merged_into_id.is_(None))
    if topic:
        texts = texts.where(c.topic == bindparam("topic"))
    other_texts = select(c.id, c.text).where(named_one_of(dialect, c.id, "ids"))
    # The stored statuses from the one standing at the window's start on.
    h = schema.claim_history.c
    after = h.said_from > stop if end else literal(False)
    history = select(h.claim_id, _raw(h.said_from), _raw(h.status), h.said_from <= start,
                     after).where(
        named_one_of(dialect, h.claim_id, "ids"), *schema.known_at(times.bound_times()[1]),
        h.said_until.is_(None) | (h.said_until > start))  # fmt: skip
    if as_of:
        history = history.where(h.said_from <= times.bound_times()[0])
    theirs = select(s.id, s.claim_id, s.party_id, _raw(s.kind), _raw(s.said_at),
                    _raw(s.said_until), _raw(s.recorded_at))  # fmt: skip
    theirs = theirs.where(*times.counts(s, bound=True), named_one_of(dialect, s.claim_id, "ids"))
    return _AroundStatements(said, links, texts.order_by(c.id), other_texts,
                             history.order_by(h.claim_id, h.said_from), theirs)  # fmt: skip


_raw = schema.as_stored  # a column as stored: instants compared and keyed on, not parsed
