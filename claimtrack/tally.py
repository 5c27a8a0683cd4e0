"""Per-party counts (``report parties``), kept by every write like ``claim_state``.

Counting what each party asserted, denied, retracted and is contested on means running
the rule over every stance: 20 to 30 seconds at a million claims. So the rule's answer
is kept in three tables, refreshed for the claims a write re-rates (``state.refresh``),
in the same transaction:

- ``party_claim``: per claim and party, whether the party supports it, denies it (not
  through a counter-claim), is on a side of it while it stands contested, has retracted
  it, and how many of its stances are on it; the claim's topic with it;
- ``party_counter``: per claim, the counter-claims through which a party opposes it;
- ``party_tally``: ``party_claim`` summed per party and topic, changed by the difference
  each refresh makes; ``party_total``: the same summed over every topic, so the report
  reads one row per party (a few thousand rows).

``report parties`` reads ``party_total`` (``party_tally`` for one topic) and counts
``party_counter``; ``party_counts`` with ``from_rule=True`` runs the rule instead, which
tests/test_state.py holds the kept counts to.

Per side (the party at the top of a party's ``acts_for`` chain) a claim counts once
however many of the side's parties did so, which no sum of parties' counts can say; so
``side_claim`` keeps, per claim and side, ``party_claim`` taken up to sides, refreshed with
it, and ``side_total`` its sums per side, changed by the difference. A change of side
moves claims between sides without any claim being re-rated: ``resides`` re-counts the
claims of the parties whose side changed and of every party acting for them
(``state.SIDES`` collects them from the ORM's flushes; a party merge and the bulk import
say so themselves). ``report parties --by side`` reads ``side_total`` (``side_claim`` for
one topic); ``report.side_counts(recount=True)`` counts from ``party_claim`` instead.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from sqlalchemy import bindparam, case, delete, func, insert, literal, select, union_all
from sqlalchemy.orm import Session

from claimtrack import insert_many, rule, state_history
from claimtrack.links import chunks
from claimtrack.schema import claim as claim_table
from claimtrack.schema import (
    claim_state,
    party_claim,
    party_counter,
    party_tally,
    party_total,
    side_claim,
    side_total,
)
from claimtrack.schema import party as party_table
from claimtrack.schema import stance as stance_table
from claimtrack.vocabulary import WITHDRAWAL

COUNTS = ("asserted", "denied", "contested", "retracted", "stances")
FLAGS = COUNTS[:4]  # what a side counts once per claim (``side_claim``)


def _contributions(views: rule.Views, claims=None):
    """Per claim and party, the rule's indicators and stance count (a SELECT)."""
    sides, latest = views.claim_sides, views.stance_latest
    state, said, claims_ = claim_state, stance_table.c, claim_table.c
    zero, one = literal(0), literal(1)
    on_sides = (
        select(
            sides.c.claim_id, sides.c.party_id,
            case((sides.c.side == "support", 1), else_=0).label("asserted"),
            case(((sides.c.side == "oppose") & sides.c.counter_claim_id.is_(None), 1),
                 else_=0).label("denied"),
            case((state.c.status == "contested", 1), else_=0).label("contested"),
            zero.label("retracted"), zero.label("stances"),
        )
        .join(state, state.c.claim_id == sides.c.claim_id)
    )  # fmt: skip
    withdrawn = (
        select(latest.c.claim_id, latest.c.party_id, zero, zero, zero, one, zero)
        .join(state, state.c.claim_id == latest.c.claim_id)
        .where(latest.c.kind == WITHDRAWAL)
    )
    spoken = (
        select(said.claim_id, said.party_id, zero, zero, zero, zero, func.count())
        .where(said.void_at.is_(None))
        .group_by(said.claim_id, said.party_id)
    )
    if claims is not None:
        on_sides = on_sides.where(sides.c.claim_id.in_(claims))
        withdrawn = withdrawn.where(latest.c.claim_id.in_(claims))
        spoken = spoken.where(said.claim_id.in_(claims))
    parts = union_all(on_sides, withdrawn, spoken).subquery("parts")
    return views.select(
        parts.c.claim_id, parts.c.party_id, claims_.topic,
        *(func.max(parts.c[name]).label(name) for name in COUNTS[:-1]),
        func.sum(parts.c.stances).label("stances"),
    ).join(claim_table, claims_.id == parts.c.claim_id).group_by(
        parts.c.claim_id, parts.c.party_id, claims_.topic
    )  # fmt: skip


def _counters(views: rule.Views, claims=None):
    sides, state = views.claim_sides, claim_state
    query = views.select(
        sides.c.claim_id, sides.c.party_id, state.c.topic, sides.c.counter_claim_id
    ).join(state, state.c.claim_id == sides.c.claim_id).where(
        sides.c.counter_claim_id.is_not(None)
    ).distinct()  # fmt: skip
    return query.where(sides.c.claim_id.in_(claims)) if claims is not None else query


_CLAIM_COLUMNS = ("claim_id", "party_id", "topic", *COUNTS)
_COUNTER_COLUMNS = ("claim_id", "party_id", "topic", "counter_claim_id")


def _summed(*conditions):
    """``party_claim`` summed per party and topic (over the claims meeting ``conditions``)."""
    t = party_claim
    query = select(t.c.party_id, t.c.topic, *(func.sum(t.c[n]) for n in COUNTS))
    return query.where(*conditions).group_by(t.c.party_id, t.c.topic)


def _sums(session: Session, claims: Sequence[int]) -> dict[tuple[int, str], list[int]]:
    query = _summed(party_claim.c.claim_id.in_(claims))
    return {(r[0], r[1]): list(r[2:]) for r in session.connection().execute(query)}


def refresh(session: Session, claims: Sequence[int], scope: Sequence[int]) -> None:
    """Re-count these claims (already re-rated in ``claim_state``); ``scope`` is them and
    the claims contradicting them, as ``rule.views(scoped=True)`` wants."""
    connection = session.connection()
    params = {"claims": list(claims), "scope": list(scope)}
    before = _sums(session, claims)
    views = rule.views(scoped=True)
    for table in (party_claim, party_counter):
        connection.execute(delete(table).where(table.c.claim_id.in_(claims)))
    connection.execute(
        insert(party_claim).from_select(list(_CLAIM_COLUMNS), _contributions(views, claims)),
        params,
    )
    connection.execute(
        insert(party_counter).from_select(list(_COUNTER_COLUMNS), _counters(views, claims)),
        params,
    )
    after = _sums(session, claims)
    changes = []
    for key in before.keys() | after.keys():
        old, new = before.get(key, [0] * len(COUNTS)), after.get(key, [0] * len(COUNTS))
        if old != new:
            changes.append((key, [b - a for a, b in zip(old, new, strict=True)]))
    _apply(session, changes)
    _recount_sides(session, claims)


def _apply(session: Session, changes) -> None:
    """Add each (party, topic)'s difference to its ``party_tally`` row, and each party's
    to its ``party_total`` row, in statements that two editors writing at once cannot
    both take for the first (upserts), then drop the rows left at zero."""
    if not changes:
        return
    totals: dict[int, list[int]] = {}
    for (party, _), diff in changes:
        total = totals.setdefault(party, [0] * len(COUNTS))
        total[:] = [a + b for a, b in zip(total, diff, strict=True)]
    _add(session, party_tally, [dict(party_id=p, topic=t, **dict(zip(COUNTS, diff, strict=True)))
                                for (p, t), diff in sorted(changes)])  # fmt: skip
    _add(session, party_total, [dict(party_id=p, **dict(zip(COUNTS, diff, strict=True)))
                                for p, diff in sorted(totals.items()) if any(diff)])  # fmt: skip


def _add(session: Session, table, rows: list[dict]) -> None:
    """Add the rows' counts to the table's (inserting what is not there yet); drop the
    rows of those parties (sides) left at zero."""
    if not rows:
        return
    import importlib

    # Only this backend's dialect: importing PostgreSQL's costs a SQLite write 20 ms.
    dialect = importlib.import_module(f"sqlalchemy.dialects.{session.bind.dialect.name}")
    keys = [c for c in table.primary_key.columns]
    names = [c.name for c in table.columns if not c.primary_key]
    upsert = dialect.insert(table)
    upsert = upsert.on_conflict_do_update(
        index_elements=keys,
        set_={name: table.c[name] + upsert.excluded[name] for name in names},
    )
    connection = session.connection()
    connection.execute(upsert, rows)
    owner = keys[0]  # party_id, or side_id
    owners = sorted({r[owner.name] for r in rows})
    connection.execute(
        table.delete().where(owner.in_(owners), *(table.c[name] == 0 for name in names))
    )


# -- per side (``report parties --by side``) -------------------------------------------


_SIDE_COLUMNS = ("claim_id", "side_id", "topic", *FLAGS)


def _side_rows(claims=None):
    """``party_claim`` (of these claims; None: all) taken up to sides: per claim and side,
    whether any of the side's parties counts each flag; only rows counting one."""
    t = party_claim.c
    from claimtrack.sides import top_sides  # each party's side, as the reports take it

    sides = top_sides(
        select(t.party_id).where(t.claim_id.in_(claims)) if claims is not None else None
    )
    query = select(t.claim_id, sides.c.top_id, t.topic, *(func.max(t[n]) for n in FLAGS))
    query = query.join_from(party_claim, sides, sides.c.party_id == t.party_id)
    query = query.where(sum((t[n] for n in FLAGS[1:]), t[FLAGS[0]]) > 0)
    if claims is not None:
        query = query.where(t.claim_id.in_(claims))
    return query.group_by(t.claim_id, sides.c.top_id, t.topic)


# The statements of ``_recount_sides``, made once: built afresh for each write, the
# recursive CTE alone cost more than running all of them.
_CLAIMS = bindparam("side_claims", expanding=True)


@functools.cache
def _side_statements():
    s = side_claim.c
    sums = select(s.side_id, *(func.sum(s[n]) for n in FLAGS)).where(s.claim_id.in_(_CLAIMS))
    gone = delete(side_claim).where(s.claim_id.in_(_CLAIMS))
    rows = insert(side_claim).from_select(list(_SIDE_COLUMNS), _side_rows(_CLAIMS))
    return sums.group_by(s.side_id), gone, rows


def _recount_sides(session: Session, claims: Sequence[int]) -> None:
    """Re-count these claims' ``side_claim`` rows from ``party_claim`` and the parties'
    sides now, and add the difference to ``side_total``."""
    if not claims:
        return
    sums, gone, rows = _side_statements()
    params = {"side_claims": list(claims)}
    connection = session.connection()
    before = {r[0]: list(r[1:]) for r in connection.execute(sums, params)}
    connection.execute(gone, params)
    connection.execute(rows, params)
    after = {r[0]: list(r[1:]) for r in connection.execute(sums, params)}
    changes = []
    for side in sorted(before.keys() | after.keys()):
        old, new = before.get(side, [0] * len(FLAGS)), after.get(side, [0] * len(FLAGS))
        if old != new:
            diff = [b - a for a, b in zip(old, new, strict=True)]
            changes.append(dict(side_id=side, **dict(zip(FLAGS, diff, strict=True))))
    _add(session, side_total, changes)


def resides(session: Session, party_ids) -> None:
    """After these parties' sides changed (``acts_for``): re-count ``side_claim`` for the
    claims any of them, or any party acting for one of them all the way down, counts on."""
    if not party_ids:
        return
    p, member = party_table.c, party_table.alias("member")
    down = select(p.id).where(p.id.in_(sorted(party_ids))).cte("down", recursive=True)
    down = down.union(select(member.c.id).join(down, member.c.acts_for_id == down.c.id))
    t = party_claim.c
    claims = session.connection().scalars(
        select(t.claim_id).where(t.party_id.in_(select(down.c.id))).distinct()
    )
    for part in chunks(sorted(claims)):
        _recount_sides(session, part)


def rebuild_sides(session: Session) -> None:
    """``side_claim`` and ``side_total`` from scratch, from ``party_claim``."""
    connection = session.connection()
    aside = insert_many.may_set_aside(connection, side_claim)
    for table in (side_total, side_claim):
        insert_many.delete_all(connection, table)
    with insert_many.indexes_set_aside(connection, side_claim, aside):
        connection.execute(insert(side_claim).from_select(list(_SIDE_COLUMNS), _side_rows()))
    s = side_claim.c
    summed = select(s.side_id, *(func.sum(s[n]) for n in FLAGS)).group_by(s.side_id)
    connection.execute(insert(side_total).from_select(["side_id", *FLAGS], summed))


def rebuild(session: Session, *, totals: bool = True) -> None:
    """Count every claim from scratch (after ``claim_state`` was rebuilt); without
    ``totals``, leave ``party_total``, ``side_claim`` and ``side_total`` alone (for
    migration 0007, which comes before them)."""
    connection = session.connection()
    # Each table refilled with its indexes and (PostgreSQL) foreign keys set aside: one
    # check of each key at the end, not a trigger's look-up per row (2-4 s a table on
    # PostgreSQL at 270,000 stances).
    filled = (party_claim, party_counter, party_tally)
    aside = {table.name: insert_many.may_set_aside(connection, table) for table in filled}
    for table in ((party_total,) if totals else ()) + (party_tally, party_counter, party_claim):
        insert_many.delete_all(connection, table)
    views = rule.views()
    # PostgreSQL plans from statistics, which a table filled in this transaction lacks
    # until analysed: the counts would join ``claim_state`` and sum ``party_claim`` as
    # if each were the few rows it held before (``state_history.analyze``).
    state_history.analyze(session, claim_state.name)
    with insert_many.indexes_set_aside(connection, party_claim, aside[party_claim.name]):
        connection.execute(
            insert(party_claim).from_select(list(_CLAIM_COLUMNS), _contributions(views))
        )
    state_history.analyze(session, party_claim.name)
    with insert_many.indexes_set_aside(connection, party_counter, aside[party_counter.name]):
        connection.execute(
            insert(party_counter).from_select(list(_COUNTER_COLUMNS), _counters(views))
        )
    with insert_many.indexes_set_aside(connection, party_tally, aside[party_tally.name]):
        connection.execute(
            insert(party_tally).from_select(["party_id", "topic", *COUNTS], _summed())
        )
    if not totals:
        return
    t = party_tally
    connection.execute(insert(party_total).from_select(
        ["party_id", *COUNTS],
        select(t.c.party_id, *(func.sum(t.c[n]) for n in COUNTS)).group_by(t.c.party_id),
    ))  # fmt: skip
    rebuild_sides(session)
