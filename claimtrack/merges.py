"""What a merge does to a party's positions and to claims' statuses, before it is done.

``party merge Q P`` makes Q's stances P's; ``claim merge D T`` makes D's stances T's. Either
can leave one party with two stances on one claim said at overlapping times (P asserted it
at 10:00, Q denied it at 10:00) that take other positions: then which one is the party's
latest, and so the claim's status, is decided only by the order the two were recorded
(``claimtrack.order``), as if an editor had typed a denial at the very minute of the
party's assertion, which ``claim deny`` refuses without ``--again``. The merges refuse it
the same way (``overlaps``; ``party_refusal``, ``claim_refusal``), and with ``--again``
say what they did (``notes``, ``log_text``).

And a merge can change a claim's status without any overlap (P asserted at 09:00, Q denied
at 10:00: merged, P denied it last); ``party_statuses`` or ``claim_statuses`` before and
``changes`` after name every status it changed, for the command's output and its log
entry: the merge replays the claims' stored history, so nothing else keeps what their
status was.

Both are set-based: one statement over the moved stances, however many (a party of
100,000 stances in a database of a million claims), each probing the other side by
index, with ids bound as values (the claims compared after, as one), never one parameter
per stance.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import case, exists, func, or_, select, union
from sqlalchemy.orm import Session

from claimtrack.names import visible_name
from claimtrack.schema import claim_link, claim_state, party, stance
from claimtrack.times import When
from claimtrack.vocabulary import OPPOSE, POSITION_KINDS, SUPPORT

# The claims (or parties) a refusal, a merge's notes and its log entry name one by one;
# the others are counted ("and 3 more"). A merge's status changes are all logged.
MAX_NAMED = 10
UNSTATED = "unstated"  # a claim with no stance that counts has no status (``claim show``)


class Said(NamedTuple):
    """One stance of an overlapping pair, as the messages name it."""

    id: int
    kind: str
    claim_id: int
    party: str
    when: When


class Overlap(NamedTuple):
    """Two stances a merge makes one party's on one claim, said at overlapping times and
    taking other positions (for, against, a retraction): ``moved`` is the stance the
    merge moves (the merged party's, or the duplicate claim's), ``kept`` the one it meets."""

    moved: Said
    kept: Said


class StatusChange(NamedTuple):
    claim_id: int
    was: str
    now: str

    def __str__(self) -> str:
        return f"#{self.claim_id} {self.was} -> {self.now}"


class Effects(NamedTuple):
    """What a merge did beyond moving rows: the overlapping pairs it was allowed to make
    (``--again``; how many claims or parties, the first ``MAX_NAMED``), and every status
    it changed, by claim id."""

    overlapping: int
    overlaps: list[Overlap]
    changes: list[StatusChange]


def _effect(kind):
    """A positional kind's effect, as SQL: 'support', 'oppose' or 'withdraw'."""
    return case((kind.in_(SUPPORT), "support"), (kind.in_(OPPOSE), "oppose"), else_="withdraw")


def _positions(table, **equal):
    """A table's live positional stances (that the rule reads), with columns equal."""
    c = table.c
    return [
        c.void_at.is_(None),
        c.kind.in_(POSITION_KINDS),
        *(c[name] == value for name, value in equal.items()),
    ]


def overlaps(
    session: Session,
    *,
    party_ids: tuple[int, int] | None = None,
    claim_ids: tuple[int, int] | None = None,
) -> tuple[int, list[Overlap]]:
    """The pairs a merge would make: ``party_ids`` (merged, into) for a party merge, the
    pairs on each claim; ``claim_ids`` (duplicate, target) for a claim merge, the pairs of
    each party. Returns how many claims (parties) have one, and the first ``MAX_NAMED``
    of them, one pair each (the lowest claim id or stance id first)."""
    moved, kept = stance.alias("moved"), stance.alias("kept")
    m, k = moved.c, kept.c
    if party_ids is not None:
        meet = (m.party_id == party_ids[0]) & (k.party_id == party_ids[1])
        meet &= k.claim_id == m.claim_id
        group = m.claim_id
    else:
        meet = (m.claim_id == claim_ids[0]) & (k.claim_id == claim_ids[1])
        meet &= k.party_id == m.party_id
        group = m.party_id
    names = party.alias("names")
    said = [(prefix, table.c) for prefix, table in (("m", moved), ("k", kept))]
    columns = [
        column.label(f"{prefix}_{name}")
        for prefix, c in said
        for name, column in (
            ("id", c.id),
            ("kind", c.kind),
            ("claim", c.claim_id),
            ("at", c.said_at),
            ("offset", c.said_offset),
            ("precision", c.said_precision),
        )
    ]
    pairs = (
        select(
            *columns,
            group.label("grp"),
            names.c.name.label("k_party"),
            func.row_number().over(partition_by=group, order_by=(m.id, k.id)).label("n"),
        )
        .select_from(moved.join(kept, meet).join(names, names.c.id == k.party_id))
        .where(
            *_positions(moved),
            *_positions(kept),
            _effect(m.kind) != _effect(k.kind),
            m.said_at < k.said_until,
            k.said_at < m.said_until,
        )
        .subquery()
    )
    query = (
        select(pairs, func.count().over().label("groups"))
        .where(pairs.c.n == 1)
        .order_by(pairs.c.grp if party_ids is not None else pairs.c.m_id)
        .limit(MAX_NAMED)
    )
    from claimtrack.state_history import without_jit

    with without_jit(session.connection()):
        rows = session.execute(query).all()
    if not rows:
        return 0, []
    moved_party = None
    if party_ids is not None:
        moved_party = session.scalar(select(party.c.name).where(party.c.id == party_ids[0]))

    def one(row, prefix: str, name: str) -> Said:
        get = row._mapping
        when = When(get[f"{prefix}_at"], get[f"{prefix}_offset"], get[f"{prefix}_precision"])
        return Said(get[f"{prefix}_id"], get[f"{prefix}_kind"], get[f"{prefix}_claim"], name, when)

    found = [Overlap(one(r, "m", moved_party or r.k_party), one(r, "k", r.k_party)) for r in rows]
    return rows[0].groups, found


def _more(count: int, named: int, what: str = "") -> str:
    """ " and 2 more", or with what they are: "; and 2 more claims" (after items that
    have commas of their own)."""
    if count <= named:
        return ""
    return f"; and {count - named:,} more {what}" if what else f" and {count - named:,} more"


def _recorded_later(count: int) -> str:
    one = "one" if count == 1 else "one of each"
    return f"merged, {one} would count as the later only for being recorded later"


REMEDY = (
    "void or amend the wrong one first ('claimtrack stance void ID --reason \"...\"'), "
    "or pass --again to merge them as they are"
)


def party_refusal(merged: str, into: str, count: int, found: list[Overlap]) -> str:
    """``party merge``'s one line when it would make such pairs: each claim with its two
    stances (the first ``MAX_NAMED`` claims), and the way on."""
    merged, into = visible_name(merged), visible_name(into)
    items = "; ".join(
        ("" if count == 1 else f"claim {o.kept.claim_id}: ")
        + f"{merged} {o.moved.kind} at {o.moved.when} (stance {o.moved.id}), "
        f"{into} {o.kept.kind} at {o.kept.when} (stance {o.kept.id})"
        for o in found
    )
    claims = f"claim {found[0].kept.claim_id}" if count == 1 else f"{count:,} claims"
    return (
        f"{merged} cannot be merged into {into} without --again: they took other positions "
        f"on {claims} at overlapping times, and {_recorded_later(count)}: "
        f"{items}{_more(count, len(found), 'claims')}; {REMEDY}"
    )


def claim_refusal(duplicate: int, target: int, count: int, found: list[Overlap]) -> str:
    """``claim merge``'s one line when it would make such pairs: each party with its two
    stances (the first ``MAX_NAMED`` parties), and the way on."""
    items = "; ".join(
        f"{visible_name(o.kept.party)} {o.moved.kind} #{duplicate} at {o.moved.when} (stance "
        f"{o.moved.id}), {o.kept.kind} #{target} at {o.kept.when} (stance {o.kept.id})"
        for o in found
    )
    parties = "a party" if count == 1 else f"{count:,} parties"
    return (
        f"claim {duplicate} cannot be merged into #{target} without --again: {parties} took "
        f"other positions on the two at overlapping times, and {_recorded_later(count)}: "
        f"{items}{_more(count, len(found), 'parties')}; {REMEDY}"
    )


def _bears_on(party_id: int):
    """The claims a party's positions bear on (a select of ids): those it took a stance
    on and, through them, the claims they contradict or are contradicted by."""
    s, link = stance.c, claim_link.c
    its = _positions(stance, party_id=party_id)
    own = select(s.claim_id.label("claim_id")).where(*its)
    onward = (
        select(link.to_claim_id)
        .join(stance, s.claim_id == link.from_claim_id)
        .where(link.kind == "contradicts", *its)
    )
    back = (
        select(link.from_claim_id)
        .join(stance, s.claim_id == link.to_claim_id)
        .where(link.kind == "contradicts", *its)
    )
    return union(own, onward, back).subquery("bears")


def party_statuses(session: Session, merged: int, into: int) -> dict[int, str]:
    """The status now of every claim a merge of party ``merged`` into ``into`` may change:
    the claims both parties' positions bear on (a claim only one of them bears on keeps
    its sides, under the other name). Read from the merged party's stances, each claim
    probed for the other's by index."""
    bears = _bears_on(merged)
    x = bears.c.claim_id
    other, link = stance.alias("other"), claim_link.alias("link")

    def theirs(claim_id):
        return exists().where(*_positions(other, claim_id=claim_id, party_id=into))

    # Through a link, each link of the claim probed for the other's stances by index (the
    # EXISTS nested, so that no planner reads the other's stances first: 100,000 of them
    # for each claim, were the other a party that big).
    def linked(here, there):
        return exists().where(link.c.kind == "contradicts", here == x, theirs(there))

    also = or_(
        theirs(x),
        linked(link.c.from_claim_id, link.c.to_claim_id),
        linked(link.c.to_claim_id, link.c.from_claim_id),
    )
    from claimtrack.state_history import without_jit

    state = claim_state.c
    query = select(state.claim_id, state.status).where(state.claim_id.in_(select(x).where(also)))
    with without_jit(session.connection()):
        return dict(session.execute(query).all())


def claim_statuses(session: Session, duplicate: int, target: int) -> dict[int, str]:
    """The status now of every claim a merge of claim ``duplicate`` into ``target`` may
    change: the target, and the claims either contradicts or is contradicted by (whose
    opponents are their supporters). A claim with no status is ``UNSTATED``."""
    from claimtrack.links import counter_claims_of, one_of

    linked = counter_claims_of(session, [duplicate, target])
    ids = sorted({target}.union(*linked.values()) - {duplicate})
    state = claim_state.c
    found = dict(  # the ids bound as one value, however many counter-claims there are
        session.execute(
            select(state.claim_id, state.status).where(one_of(session, state.claim_id, ids))
        ).all()
    )
    return {claim_id: found.get(claim_id, UNSTATED) for claim_id in ids}


def changes(session: Session, before: dict[int, str]) -> list[StatusChange]:
    """The claims of ``before`` whose status is another now, by id (their ids bound as one
    value, however many)."""
    if not before:
        return []
    from claimtrack.links import one_of

    state = claim_state.c
    now = dict(
        session.execute(
            select(state.claim_id, state.status).where(
                one_of(session, state.claim_id, list(before))
            )
        ).all()
    )
    return [
        StatusChange(claim_id, was, now.get(claim_id, UNSTATED))
        for claim_id, was in sorted(before.items())
        if now.get(claim_id, UNSTATED) != was
    ]


def log_text(effects: Effects, *, by_party: bool) -> str:
    """What a merge's log entry adds to what moved: every status it changed, and the
    overlapping pairs ``--again`` let it make (the first ``MAX_NAMED``, and a count)."""
    text = ""
    if effects.changes:
        text += "; status: " + ", ".join(map(str, effects.changes))
    if effects.overlapping:
        count, found = effects.overlapping, effects.overlaps
        if by_party:  # a party merge: the claims
            what = "claim" if count == 1 else "claims"
            pairs = [f"#{o.kept.claim_id} (stances {o.moved.id}, {o.kept.id})" for o in found]
        else:  # a claim merge: the parties
            what = "party" if count == 1 else "parties"
            pairs = [f"{o.kept.party} (stances {o.moved.id}, {o.kept.id})" for o in found]
        text += (
            f"; --again: stances said at overlapping times, {count:,} {what}: "
            + ", ".join(pairs)
            + _more(count, len(found))
        )
    return text


def _pair(o: Overlap, whose: str) -> str:
    """ "said at the same time as its stance #1 (asserts, ...)", or "at a time
    overlapping" it: as ``claim deny`` tells the two apart."""
    m, k = o.moved, o.kept
    same = (m.when.at, m.when.until) == (k.when.at, k.when.until)
    return (
        f"said {'at the same time as' if same else 'at a time overlapping'} {whose} stance "
        f"#{k.id} ({k.kind}, {k.when}): the one recorded later counts as the later"
    )


def notes(
    effects: Effects,
    *,
    merged: str | None = None,
    into: str | None = None,
    duplicate: int | None = None,
    target: int | None = None,
) -> list[str]:
    """The notes a merge prints: each overlapping pair ``--again`` let it make (a party
    merge, per claim, with that claim's status; a claim merge, per party), the first
    ``MAX_NAMED`` and a count, then every other status it changed (the first
    ``MAX_NAMED``; the log names all)."""
    lines, told = [], set()
    by_party = merged is not None
    changed = {c.claim_id: c for c in effects.changes}
    for o in effects.overlaps:
        m = o.moved
        if by_party:
            claim_id = o.kept.claim_id
            change = changed.get(claim_id)
            status = f"status {change.was} -> {change.now}" if change else "status unchanged"
            told.add(claim_id)
            lines.append(
                f"Note: claim #{claim_id}: {visible_name(merged)}'s stance #{m.id} "
                f"({m.kind}, {m.when}) is {visible_name(into)}'s now, "
                f"{_pair(o, 'its')}; {status}"
            )
        else:
            lines.append(
                f"Note: claim #{target}: {visible_name(o.kept.party)}'s stance #{m.id} "
                f"({m.kind}, {m.when}), moved from #{duplicate}, was "
                f"{_pair(o, 'its')}"
            )
    if effects.overlapping > len(effects.overlaps):
        what = "claims" if by_party else "parties"
        lines.append(
            f"Note: and {effects.overlapping - len(effects.overlaps):,} more {what} "
            "with stances said at overlapping times"
        )
    rest = [c for c in effects.changes if c.claim_id not in told]
    other = " other" if told else ""
    if len(rest) == 1:
        lines.append(
            f"Note: the merge changed{other} claim #{rest[0].claim_id}'s status: "
            f"{rest[0].was} -> {rest[0].now}"
        )
    elif rest:
        shown = ", ".join(map(str, rest[:MAX_NAMED]))
        more = f"{_more(len(rest), MAX_NAMED)} (each in 'claimtrack log')"
        lines.append(
            f"Note: the merge changed the status of {len(rest):,}{other} claims: "
            f"{shown}{more if len(rest) > MAX_NAMED else ''}"
        )
    return lines
