"""The stored per-claim status always equals the rule computed from scratch."""

from __future__ import annotations

import functools
import random

import pytest
import sqlalchemy as sa

from claimtrack import record, rule, state
from claimtrack.errors import ClaimtrackError
from claimtrack.models import STANCE_KINDS
from claimtrack.schema import claim_state
from claimtrack.times import parse_when

ED = "test-editor"
COLUMNS = rule.COLUMNS["claim_status"]


def _state(session, claim_id):
    """The claim's stored ``claim_state`` row, or None."""
    query = sa.select(claim_state).where(claim_state.c.claim_id == claim_id)
    return session.execute(query).first()


def _stored(session):
    return sorted(
        tuple(row) for row in session.execute(
            sa.select(*(claim_state.c[c] for c in COLUMNS)))
    )  # fmt: skip


def _from_scratch(session):
    view = rule.view_table("claim_status")
    return sorted(tuple(row) for row in session.execute(sa.select(*(view.c[c] for c in COLUMNS))))


def _statuses(session) -> dict[int, str]:
    return dict(session.execute(sa.select(claim_state.c.claim_id, claim_state.c.status)).all())


def _changed(before: dict[int, str], after: dict[int, str], *, merged=None) -> list[tuple]:
    """Every claim whose status differs (a claim with none is "unstated"), but the claim
    merged away, whose status goes with it."""
    return [
        (c, before.get(c, "unstated"), after.get(c, "unstated"))
        for c in sorted(set(before) | set(after))
        if c != merged and before.get(c, "unstated") != after.get(c, "unstated")
    ]


def _counts_equal_the_rule(session) -> bool:
    """``report parties`` from the kept counts equals the rule run over every stance,
    for all topics and for each; and so does ``--by side``, each claim once per side."""
    from claimtrack.report import party_counts

    return _sides_equal_the_recount(session) and all(
        party_counts(session, topic=topic) == party_counts(session, topic=topic, from_rule=True)
        for topic in (None, "t", "u")
    )


def _sides_equal_the_recount(session) -> bool:
    """``report parties --by side`` from the kept per-side counts (``side_total``,
    ``side_claim``) equals the claims counted once per side from ``party_claim``."""
    from claimtrack.report import side_counts

    return all(
        side_counts(session, topic=topic) == side_counts(session, topic=topic, recount=True)
        for topic in (None, "t", "u")
    )


def test_every_write_keeps_the_side_counts_equal_to_a_recount(session):
    """Claims, stances added, voided and amended, links, claim and party merges, and a
    party's side changed (each of its claims, and those of the parties acting for it,
    move to another side): after each, the kept per-side counts equal a recount."""

    rng = random.Random(20261127)
    parties = [record.add_party(session, f"P{n}", editor=ED) for n in range(10)]
    for member, side in ((2, 0), (3, 0), (4, 1), (5, 4)):  # P5 acts for P4, which acts for P1
        record.edit_party(session, parties[member], acts_for=parties[side])
    claims, stances, kinds = [], [], {"asserts", "denies", "retracts", "comments"}
    seen = set()
    for step in range(120):
        action = rng.random()
        live = [c for c in claims if c.merged_into_id is None]
        if action < 0.12 or len(live) < 3:
            claims.append(record.add_claim(session, f"claim {step}",
                                           topic=rng.choice(["t", "u"]), editor=ED))  # fmt: skip
            seen.add("claim")
        elif action < 0.5:
            stances.append(record.add_stance(
                session, rng.choice(live), rng.choice(parties),
                rng.choice(sorted(kinds & set(STANCE_KINDS))), editor=ED,
                said=parse_when(f"2026-04-{rng.randint(1, 28):02d}"),
            ))  # fmt: skip
            seen.add("stance")
        elif action < 0.58 and stances:
            stance = rng.choice(stances)
            if stance.void_at is None:
                record.void_stance(session, stance, reason="mis-recorded", editor=ED)
                seen.add("void")
        elif action < 0.66 and stances:
            stance = rng.choice(stances)
            if stance.void_at is None:
                kind = "denies" if stance.kind != "denies" else "asserts"
                try:
                    stances.append(record.amend_stance(session, stance, reason="misheard",
                                                       editor=ED, kind=kind))  # fmt: skip
                    seen.add("amend")
                except ClaimtrackError:
                    pass
        elif action < 0.82:
            party = rng.choice(parties)
            side = rng.choice([None, *parties])
            try:
                if side is None:
                    record.edit_party(session, party, no_side=True)
                else:
                    record.edit_party(session, party, acts_for=side)
                seen.add("side")
            except ClaimtrackError:  # circular, or no change
                pass
        elif action < 0.88:
            a, b = rng.sample(live, 2)
            try:
                record.link_claims(session, a, b, "contradicts", editor=ED)
                seen.add("link")
            except ClaimtrackError:  # linked as the same already: refused, nothing written
                pass
        elif action < 0.94 and len(parties) > 5:
            party, into = rng.sample(parties, 2)  # into may act for party, through others
            parties.remove(party)
            record.merge_parties(session, party, into, again=True)
            stances = [s for s in stances if s.party_id != party.id]
            seen.add("party merge")
        elif len(live) > 3:
            dup, into = rng.sample(live, 2)
            try:
                record.merge_claims(session, dup, into, editor=ED, again=True)
                seen.add("claim merge")
            except ClaimtrackError:  # the two contradict each other: refused
                pass
        session.flush()
        assert _sides_equal_the_recount(session), f"side counts after step {step}"
    assert seen == {"claim", "stance", "void", "amend", "side", "link", "party merge",
                    "claim merge"}  # fmt: skip
    assert _counts_equal_the_rule(session)
    session.commit()


def test_a_claim_counts_once_per_side_and_moves_with_a_side_change(session):
    from claimtrack.report import side_counts

    def asserted():
        return {r.name: r.asserted for r in side_counts(session)}

    us, vance, rubio = (record.add_party(session, n, editor=ED) for n in ("US", "Vance", "Rubio"))
    record.edit_party(session, vance, acts_for=us)
    record.edit_party(session, rubio, acts_for=vance)
    claim = record.add_claim(session, "talks went on", topic="t", editor=ED)
    for party in (vance, rubio):
        record.add_stance(session, claim, party, "asserts", editor=ED,
                          said=parse_when("2026-04-12"))  # fmt: skip
    session.flush()
    assert asserted() == {"US": 1}  # two of its parties, one claim
    record.edit_party(session, vance, no_side=True)  # Vance, and Rubio with him, leave US
    session.flush()
    assert asserted() == {"Vance": 1}
    record.edit_party(session, rubio, acts_for=us)
    session.flush()
    assert asserted() == {"US": 1, "Vance": 1}
    record.merge_parties(session, vance, us)  # Vance's stance is the US's now
    session.flush()
    assert asserted() == {"US": 1} and _sides_equal_the_recount(session)


def test_every_write_keeps_the_state_equal_to_the_rule(session):
    rng = random.Random(20260412)
    parties = [record.add_party(session, f"P{n}", editor=ED) for n in range(8)]
    claims, stances = [], []
    merges = 0
    for step in range(140):
        action = rng.random()
        if action < 0.15 or len(claims) < 3:
            topic = rng.choice(["t", "u"])
            claims.append(record.add_claim(session, f"claim {step}", topic=topic, editor=ED))
        elif action < 0.04 + 0.15 and stances:
            stance = rng.choice(stances)
            if stance.void_at is None:
                record.void_stance(session, stance, reason="mis-recorded", editor=ED)
        elif action < 0.2 and len(parties) > 4:
            party, into = rng.sample(parties, 2)  # into may act for party, through others
            parties.remove(party)
            before = _statuses(session)
            _, effects = record.merge_parties(session, party, into, again=True)
            stances = [s for s in stances if s.party_id != party.id]
            # The merge names every status it changed, and only those.
            assert effects.changes == _changed(before, _statuses(session)), f"step {step}"
            merges += 1
        elif action < 0.8:
            stances.append(record.add_stance(
                session,
                rng.choice(claims),
                rng.choice(parties),
                rng.choice(STANCE_KINDS),
                editor=ED,
                said=parse_when(f"2026-04-{rng.randint(1, 28):02d}"),
            ))  # fmt: skip
        elif action < 0.95:
            a, b = rng.sample(claims, 2)
            try:
                record.link_claims(session, a, b, rng.choice(["contradicts", "same_as"]),
                                   editor=ED)  # fmt: skip
            except ClaimtrackError:  # a same-as where they contradict, or the reverse
                pass
        else:
            live = [c for c in claims if c.merged_into_id is None]
            if len(live) > 3:
                dup, into = rng.sample(live, 2)
                before = _statuses(session)
                try:
                    *_, effects = record.merge_claims(session, dup, into, editor=ED, again=True)
                except ClaimtrackError:  # the two contradict each other: refused
                    pass
                else:
                    after = _statuses(session)
                    assert effects.changes == _changed(before, after, merged=dup.id), step
                    merges += 1
        session.flush()
        assert _stored(session) == _from_scratch(session), f"after step {step}"
        assert _counts_equal_the_rule(session), f"party counts after step {step}"
    statuses = {row[2] for row in _stored(session)}
    assert {"contested", "asserted"} <= statuses  # the walk reached the interesting cases
    assert merges >= 4, merges
    session.commit()


def _overlapping(stances, *, apart: str, moved: int, kept: int, by: str) -> int:
    """How many claims (``by="claim_id"``) or parties a merge would leave with two stances
    said at overlapping times that take other positions, counted pair by pair in Python:
    one stance of ``moved`` and one of ``kept`` (in the column ``apart``), with ``by``
    the same."""
    from claimtrack.vocabulary import BY_NAME, POSITION_KINDS

    live = [s for s in stances if s.void_at is None and s.kind in POSITION_KINDS]
    ours = [s for s in live if getattr(s, apart) == moved]
    theirs = [s for s in live if getattr(s, apart) == kept]
    return len({
        getattr(a, by)
        for a in ours for b in theirs
        if getattr(a, by) == getattr(b, by)
        and BY_NAME[a.kind].effect != BY_NAME[b.kind].effect
        and a.said_at < b.said_until and b.said_at < a.said_until
    })  # fmt: skip


def test_a_merge_refuses_exactly_the_overlaps_and_names_every_status_it_changes(session):
    """Random stances, a day or a minute of a few days, few to a claim and many claims
    contradicting others (a party's status changes through a counter-claim), then
    party and claim merges one after another: each is refused (nothing changed) exactly
    when a pair counted one by one says so, and, with --again, names every status that
    differs from before, and only those."""
    from claimtrack.models import Stance

    rng = random.Random(20261129)
    parties = [record.add_party(session, f"P{n}", editor=ED) for n in range(8)]
    claims = [record.add_claim(session, f"claim {n}", topic="t", editor=ED) for n in range(20)]
    for a, b in rng.sample([(a, b) for a in claims for b in claims if a.id < b.id], 12):
        record.link_claims(session, a, b, "contradicts", editor=ED)
    kinds = ["asserts", "confirms", "denies", "disputes", "retracts", "comments"]
    for _ in range(40):
        day = f"2026-04-0{rng.randint(1, 3)}"
        said = day if rng.random() < 0.3 else f"{day}T{rng.choice(['09', '10'])}:00Z"
        record.add_stance(session, rng.choice(claims), rng.choice(parties), rng.choice(kinds),
                          editor=ED, said=parse_when(said))  # fmt: skip
    session.flush()
    refused = changed = 0
    for step in range(12):
        stances = session.scalars(sa.select(Stance)).all()
        before = _statuses(session)
        if step % 2:
            party, into = rng.sample(parties, 2)
            count = _overlapping(stances, apart="party_id", moved=party.id, kept=into.id,
                                 by="claim_id")  # fmt: skip
            merge = functools.partial(record.merge_parties, session, party, into)
            gone = None
        else:
            dup, into = rng.sample([c for c in claims if c.merged_into_id is None], 2)
            count = _overlapping(stances, apart="claim_id", moved=dup.id, kept=into.id,
                                 by="party_id")  # fmt: skip
            merge = functools.partial(record.merge_claims, session, dup, into, editor=ED)
            gone = dup.id
        try:
            effects = merge()[-1]
            assert not count, step
        except ClaimtrackError as refusal:
            if "without --again" not in str(refusal):
                continue  # claims that contradict each other: refused, whatever else
            assert count and _statuses(session) == before, step
            refused += 1
            effects = merge(again=True)[-1]
        if gone is None:
            parties.remove(party)
        assert effects.overlapping == count, step
        assert effects.changes == _changed(before, _statuses(session), merged=gone), step
        changed += bool(effects.changes)
        session.flush()
        assert _stored(session) == _from_scratch(session), step
    assert refused >= 3 and changed >= 3, (refused, changed)  # the walk met both


def test_a_bulk_load_rates_once_at_the_end(session):
    from claimtrack.importer import bundled_seed_path, load_dataset, read_toml

    load_dataset(session, read_toml(bundled_seed_path()), editor=ED, label="seed")
    assert session.info.get(state.TOUCHED) is None
    assert _stored(session) == _from_scratch(session)
    assert _counts_equal_the_rule(session)
    assert len(_stored(session)) == 23


def test_once_rates_a_new_claim_and_its_stance_once_as_the_block_ends(session, monkeypatch):
    """``claim add``'s transaction: the claim's flush and its stance's are rated together,
    once, when the block ends; a block that fails rates nothing."""
    iran, us = (record.add_party(session, name, editor=ED) for name in ("Iran", "US"))
    denied = record.add_claim(session, "talks collapsed", topic="t", editor=ED)
    record.add_stance(session, denied, us, "denies", editor=ED, said=parse_when("2026-04-11"))
    session.flush()
    refreshed = []
    original = state.refresh
    monkeypatch.setattr(state, "refresh", lambda s, ids, **kw: refreshed.append(set(ids))
                        or original(s, ids, **kw))  # fmt: skip
    with state.once(session):
        claim = record.add_claim(session, "talks went on", topic="t", editor=ED)
        assert refreshed == [] and _state(session, claim.id) is None  # not yet
        record.add_stance(session, claim, iran, "asserts", editor=ED,
                          said=parse_when("2026-04-12"))  # fmt: skip
        record.link_claims(session, claim, denied, "contradicts", editor=ED)
        assert refreshed == []
    assert refreshed == [{claim.id, denied.id}]
    assert session.info.get(state.DEFERRED) is None
    assert _stored(session) == _from_scratch(session)
    assert _counts_equal_the_rule(session)
    assert _state(session, claim.id).status == "asserted"
    try:
        with state.once(session):
            record.add_stance(session, claim, us, "denies", editor=ED,
                              said=parse_when("2026-04-13"))  # fmt: skip
            raise RuntimeError("the command failed")
    except RuntimeError:
        pass
    assert len(refreshed) == 1 and session.info.get(state.DEFERRED) is None


@pytest.mark.parametrize("batch", [None, 2])
def test_rebuild_command_recomputes_from_the_stances(run, engine, monkeypatch, batch):
    from claimtrack import insert_many
    from claimtrack.schema import side_total

    if batch:  # each table emptied a few rows at a time (``insert_many.delete_all``)
        monkeypatch.setattr(insert_many, "DELETE_BATCH", batch)
    assert run("seed").exit_code == 0
    with engine.begin() as connection:
        connection.execute(sa.update(claim_state).values(status="denied"))
        connection.execute(sa.update(side_total).values(asserted=99))
    result = run("db", "rebuild-status")
    assert result.exit_code == 0 and "23 claim(s)" in result.output
    with sa.orm.Session(engine) as session:
        assert _stored(session) == _from_scratch(session)
        assert _counts_equal_the_rule(session)


@pytest.mark.parametrize("batch", [1, 2, 7, 100_000])
def test_delete_all_empties_the_table_and_nothing_else(run, engine, monkeypatch, batch):
    from claimtrack import insert_many
    from claimtrack.schema import claim_history

    assert run("seed").exit_code == 0
    monkeypatch.setattr(insert_many, "DELETE_BATCH", batch)
    history, claims = claim_history, sa.table("claim")
    count = sa.select(sa.func.count()).select_from
    with engine.begin() as connection:
        before = connection.scalar(count(claims))
        assert connection.scalar(count(history)) > 7
        insert_many.delete_all(connection, history)
        assert connection.scalar(count(history)) == 0
        assert connection.scalar(count(claims)) == before
        insert_many.delete_all(connection, history)  # an empty table: nothing to do
        assert connection.scalar(count(history)) == 0


def test_migration_backfills_the_state(db_url):
    from claimtrack import db
    from claimtrack.importer import bundled_seed_path, load_dataset, read_toml

    engine = db.create_engine(db_url)
    try:
        db.upgrade(engine)
        with db.write_session(engine) as session:
            load_dataset(session, read_toml(bundled_seed_path()), editor=ED, label="seed")
            session.commit()
        db.downgrade(engine, "0001")
        db.upgrade(engine)
        with sa.orm.Session(engine) as session:
            assert len(_stored(session)) == 23
            assert _stored(session) == _from_scratch(session)
            assert _counts_equal_the_rule(session)
    finally:
        engine.dispose()


def test_a_bulk_insert_through_the_session_is_rated_before_commit(engine):
    """No write path through claimtrack's session leaves the state stale, bulk or not."""
    from claimtrack import db
    from claimtrack.models import Stance

    with db.write_session(engine) as session:
        vance = record.add_party(session, "Vance", editor=ED)
        iran = record.add_party(session, "Iran", editor=ED)
        claims = [record.add_claim(session, f"claim {n}", topic="t", editor=ED) for n in range(3)]
        session.commit()
        said = parse_when("2026-04-12T08:00+03:30")
        rows = [
            dict(claim_id=c.id, party_id=p.id, kind=kind, said_at=said.at, said_offset=210,
                 said_precision="minute", said_until=said.until, recorded_at=said.at,
                 recorded_by=ED)
            for c in claims
            for p, kind in ((vance, "asserts"), (iran, "denies"))
        ]  # fmt: skip
        session.execute(sa.insert(Stance), rows)  # a bulk statement: no flush, no ORM objects
        session.commit()
    with db.read_session(engine) as session:
        assert {s for _, _, s, *_ in _stored(session)} == {"contested"}
        assert _stored(session) == _from_scratch(session)
    with db.write_session(engine) as session:  # a bulk UPDATE: the whole state is recomputed
        session.execute(sa.update(Stance).where(Stance.party_id == iran.id).values(kind="comments"))
        session.commit()
    with db.read_session(engine) as session:
        assert {s for _, _, s, *_ in _stored(session)} == {"asserted"}
        assert _stored(session) == _from_scratch(session)


def test_the_listeners_belong_to_claimtracks_session_not_sqlalchemys(engine):
    """A plain SQLAlchemy Session is left alone: the state is the write API's business."""
    from sqlalchemy.orm import Session

    assert not sa.event.contains(Session, "after_flush", state._collect)
    assert sa.event.contains(state.WriteSession, "after_flush", state._collect)


def test_claim_add_runs_each_statement_it_needs_once(run, engine, backend):
    """A command is a new process: every statement it runs is compiled afresh, so one
    run twice, or run for nothing, costs it time. ``claim add`` ran 60 here on SQLite: the
    same claim looked up again before the insert, the claim's counter-claims looked up
    three times, each similar claim read by a statement of its own, the scratch tables
    of the history emptied as they were made on a new connection, and their largest
    point counted where there is one. Nothing it writes or prints changes."""
    from sqlalchemy.engine import Engine

    run("claim", "add", "The dam was destroyed at dawn", "--by", "Kyiv", "--create-missing")
    run("claim", "add", "The dam was destroyed at noon", "--by", "Kyiv")
    statements: list[str] = []

    def keep(_connection, _cursor, statement, *_):
        statements.append(" ".join(statement.split()))

    sa.event.listen(Engine, "before_cursor_execute", keep)
    try:
        added = run("claim", "add", "The dam was destroyed at night", "--by", "Kyiv")
    finally:
        sa.event.remove(Engine, "before_cursor_execute", keep)
    assert added.exit_code == 0, added.output
    assert added.output.count("Note: similar claim #") == 2

    def ran(*parts: str) -> int:
        return sum(all(p in s for p in parts) for s in statements)

    assert ran("FROM claim WHERE claim.topic", "claim.text_key") == 1
    assert ran("SELECT claim_link.from_claim_id, claim_link.to_claim_id FROM claim_link") == 1
    assert ran("SELECT claim.id, claim.topic, claim.text,", "WHERE claim.id IN") == 1
    assert ran("DELETE FROM hx_") == ran("TRUNCATE") == 0  # made empty just before
    assert ran("max(hx_point") == 0
    assert len(statements) <= {"sqlite": 49, "postgresql": 53}[backend], statements
