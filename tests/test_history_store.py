"""The stored history (``claim_history``) against the rule run on the stances.

Random histories are recorded as a desk would (one transaction per command, some stances
imported with an earlier ``recorded_at``, links made and stances voided along the way),
on both backends. Then: the rows every write kept equal a replay from scratch, and the
status of every claim as of any said time and known at any instant, read from the stored
rows, equals the rule run on the stances filtered to that time and instant.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

ED = "test-editor"
BACKDATED = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)  # an import keeps its recording times
SAID = st.tuples(
    st.integers(1, 4),  # the day
    st.sampled_from(["day", "minute", "second"]),
    st.sampled_from(["+03:30", "+00:00", "-05:00"]),
    st.integers(0, 23),  # the hour, when timed
)
RECORD = st.tuples(
    st.just("record"),
    st.integers(0, 3),  # the claim
    st.integers(0, 2),  # the party
    st.sampled_from(["asserts", "confirms", "denies", "disputes", "retracts", "questions"]),
    SAID,
    st.booleans(),  # imported with an earlier recorded_at
)
VOID = st.tuples(st.just("void"), st.integers(0, 30))
LINK = st.tuples(st.just("link"), st.integers(0, 3), st.integers(0, 3))
EVENT = st.tuples(st.one_of(RECORD, RECORD, VOID, LINK), st.booleans())  # then commit?


def _when(said):
    from claimtrack.times import parse_when

    day, precision, zone, hour = said
    clock = {"day": "", "minute": f"T{hour:02d}:00", "second": f"T{hour:02d}:00:30"}[precision]
    return parse_when(f"2026-05-0{day}{clock}{zone if clock else ''}", zone)


def _record(session, events) -> None:
    from claimtrack import record
    from claimtrack.models import Stance

    parties = [record.add_party(session, f"P{n}", editor=ED) for n in range(3)]
    claims = [record.add_claim(session, f"C{n}", topic="t", editor=ED) for n in range(4)]
    session.commit()
    for n, (event, commit) in enumerate(events):
        if event[0] == "record":
            _, claim, party, kind, said, backdated = event
            recorded = BACKDATED + dt.timedelta(seconds=n) if backdated else None
            record.add_stance(session, claims[claim], parties[party], kind, said=_when(said),
                              editor=ED, recorded_at=recorded)  # fmt: skip
        elif event[0] == "void":
            live = session.scalars(select(Stance).where(Stance.void_at.is_(None))).all()
            if live:
                record.void_stance(session, live[event[1] % len(live)], reason="test", editor=ED)
        else:
            a, b = claims[event[1]], claims[event[2]]
            if a is not b and record.find_link(session, a, b, "contradicts") is None:
                record.link_claims(session, a, b, "contradicts", editor=ED)
        if commit:
            session.commit()
    session.commit()


def _rows(session) -> list[tuple]:
    from claimtrack.schema import claim_history

    columns = [c for c in claim_history.c if c.name != "id"]
    return sorted(session.execute(select(*columns)).all(), key=repr)


def _status(session, *, from_stances: bool, **times) -> dict[int, tuple]:
    from claimtrack import rule

    views = rule.views(as_of="as_of" in times, known_at="known_at" in times,
                       from_stances=from_stances)  # fmt: skip
    status = views.claim_status
    query = views.select(*(status.c[name] for name in rule.COLUMNS["claim_status"]))
    return {row[0]: tuple(row) for row in session.execute(query, times)}


def _instants(session) -> tuple[list, list]:
    """Said moments and recording instants, each with the instants just around it."""
    from claimtrack.models import ClaimLink, Stance

    tick = dt.timedelta(microseconds=1)
    said = set(session.scalars(select(Stance.said_until)))
    known = set(session.scalars(select(Stance.recorded_at)))
    known |= set(session.scalars(select(Stance.void_at).where(Stance.void_at.is_not(None))))
    known |= set(session.scalars(select(ClaimLink.created_at)))
    said_at = sorted({t + d for t in said for d in (-tick, dt.timedelta(0))})
    known_at = sorted({t + d for t in known for d in (dt.timedelta(0), tick)})
    return said_at, known_at


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(events=st.lists(EVENT, min_size=1, max_size=16), pick=st.randoms(use_true_random=False))
def test_stored_history_equals_a_replay_and_the_rule(engine, events, pick):
    from claimtrack import db, state
    from claimtrack.models import Base

    with db.write_session(engine) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        session.commit()
        _record(session, events)
        kept = _rows(session)
        state.rebuild(session)  # every claim replayed from scratch
        assert _rows(session) == kept
        session.rollback()

        said_at, known_at = _instants(session)
        said_at = pick.sample(said_at, min(6, len(said_at))) + [None]
        known_at = pick.sample(known_at, min(6, len(known_at))) + [None]
        for as_of in said_at:
            for known in known_at:
                times = {k: v for k, v in (("as_of", as_of), ("known_at", known)) if v}
                if not times:
                    continue
                stored = _status(session, from_stances=False, **times)
                assert stored == _status(session, from_stances=True, **times), times


def test_a_write_at_the_clock_closes_and_opens_rows_without_a_replay(session):
    """Recording a denial today keeps yesterday's knowledge: the old row is closed at the
    transaction's clock, not deleted, and a report known just before it is unchanged."""
    from claimtrack import record
    from claimtrack.schema import claim_history
    from claimtrack.times import parse_when

    claim = record.add_claim(session, "The ships crossed", topic="t", editor=ED)
    us, iran = (record.add_party(session, n, editor=ED) for n in ("US", "Iran"))
    record.add_stance(session, claim, us, "asserts", said=parse_when("2026-04-11", "+00:00"),
                      editor=ED)  # fmt: skip
    session.commit()
    first = session.execute(select(claim_history)).one()
    assert (first.status, first.known_until, first.said_until) == ("asserted", None, None)
    record.add_stance(session, claim, iran, "denies", said=parse_when("2026-04-12", "+03:30"),
                      editor=ED)  # fmt: skip
    session.commit()
    rows = session.execute(select(claim_history).order_by(claim_history.c.id)).all()
    closed = [r for r in rows if r.known_until is not None]
    assert [r.status for r in closed] == ["asserted"]
    denial = closed[0].known_until
    now = {(r.status, r.said_until is None) for r in rows if r.known_until is None}
    assert now == {("asserted", False), ("contested", True)}
    before = _status(session, from_stances=False, known_at=denial)
    assert [row[2] for row in before.values()] == ["asserted"]
    after = _status(session, from_stances=False, known_at=denial + dt.timedelta(microseconds=1))
    assert [row[2] for row in after.values()] == ["contested"]


def test_two_replays_in_one_transaction(session):
    """Writes that rewrite the past replay their claims, several times in one transaction.
    A replay of claims with a link but no stance yet reads none of their recorded instants
    (there are no said moments to rate them at): that read is closed all the same (on
    PostgreSQL it was once left open, and the next replay could not empty its tables)."""
    from claimtrack import record, state
    from claimtrack.times import parse_when

    claims = [record.add_claim(session, f"C{n}", topic="t", editor=ED) for n in range(2)]
    us, iran = (record.add_party(session, n, editor=ED) for n in ("US", "Iran"))
    session.commit()
    link = record.link_claims(session, claims[1], claims[0], "contradicts", editor=ED)
    link.created_at = BACKDATED  # as an import keeps it: the two claims are replayed
    session.flush()
    for n, (claim, party, kind) in enumerate([(claims[0], us, "asserts"),
                                              (claims[1], iran, "asserts")]):  # fmt: skip
        said = parse_when(f"2026-04-1{n}", "+00:00")
        recorded = BACKDATED + dt.timedelta(seconds=n + 1)
        record.add_stance(session, claim, party, kind, said=said, editor=ED, recorded_at=recorded)
        session.flush()
    session.commit()
    kept = _rows(session)
    assert "contested" in {row.status for row in kept}
    state.rebuild(session)
    assert _rows(session) == kept


def _changes_from_whole_periods(session, selection, since) -> list:
    """``report changes`` as it was derived before it read only the window: every touched
    claim's whole status periods (``history.periods``), window by window."""
    from claimtrack import report
    from claimtrack.history import periods
    from claimtrack.links import counter_claims_of
    from claimtrack.models import Claim, ClaimLink, Stance

    found, start = [], since
    while True:
        end = report._window_end(session, start, selection.as_of)
        window = [Stance.said_until > start] + ([Stance.said_until <= end] if end else [])
        said = select(Stance.claim_id).where(*selection.counts(Stance), *window)
        link, a, b = ClaimLink.kind == "contradicts", ClaimLink.from_claim_id, ClaimLink.to_claim_id
        linked = [select(b).where(link, a.in_(said)), select(a).where(link, b.in_(said))]
        either = said.union(*linked).subquery()
        touched = select(Claim.id).join(either, Claim.id == either.c.claim_id)
        touched = touched.where(Claim.merged_into_id.is_(None))
        if selection.topic:
            touched = touched.where(Claim.topic == selection.topic)
        ids = list(session.scalars(touched.order_by(Claim.id)))
        counters = counter_claims_of(session, ids)
        scope = set(ids).union(*counters.values())
        texts = dict(session.execute(select(Claim.id, Claim.text).where(Claim.id.in_(scope))).all())
        history = periods(session, scope, selection)

        def within(when, start=start, end=end or selection.as_of):  # the last: to the as-of
            return when.until > start and (end is None or when.until <= end)

        # A new counter-claim is dated when it was first asserted or confirmed.
        first, appeared = report._first_support(session, selection, scope)
        rows = []
        contested = [c for c in ids if history[c] and history[c][-1].status == "contested"]
        stances = _new_stances_by_statement(session, selection, contested, texts, window)
        said = _said_by_statement(session, selection, texts, window)

        def said_in(stance_id, claim_id, said=said):
            row = said.get(stance_id)
            return row if row is not None and row.claim_id == claim_id else None

        for claim_id in ids:
            rows += report._period_changes(claim_id, texts[claim_id], history[claim_id], within,
                                           stances, said_in)  # fmt: skip
            rows += report._new_counters(claim_id, counters, first, appeared, texts, within)
        rows += stances.values()
        rows += report._new_verdicts(session, selection, start, end)
        found += sorted(rows, key=lambda c: (c.at.until, c.claim_id, c.change))
        if end is None:
            return found
        start = end


def _said_by_statement(session, selection, texts, window) -> dict:
    """Every stance that counts said in the window on the claims of ``texts``, by id, as
    ``report changes`` names the one that began a claim's status (who, how, the quote)."""
    from claimtrack import schema

    s, speaker = schema.stance.c, schema.party.alias("speaker")
    query = (
        select(s.id, s.claim_id, s.kind, s.quote, speaker.c.name)
        .join(speaker, speaker.c.id == s.party_id)
        .where(*selection.counts(s), *window, s.claim_id.in_(list(texts)))
    )  # fmt: skip
    return {r.id: r for r in session.execute(query)}


def _new_stances_by_statement(session, selection, contested, texts, window) -> dict:
    """The stances said in the window on the claims contested at its end, by id, read by
    a statement of their own, as ``report changes`` read them before it took them from
    the window's stances ``history.around`` reads."""
    from claimtrack import schema
    from claimtrack.listings import ChangeRow
    from claimtrack.times import said_when

    s, speaker = schema.stance.c, schema.party.alias("speaker")
    query = (
        select(s.id, s.claim_id, s.kind, s.quote, s.said_at, s.said_offset, s.said_precision,
               speaker.c.name.label("speaker"))
        .join(speaker, speaker.c.id == s.party_id)
        .where(*selection.counts(s), *window, s.claim_id.in_(contested))
        .order_by(s.claim_id, s.party_id, s.said_at, s.id)
    )  # fmt: skip
    return {
        r.id: ChangeRow(said_when(r), "new stance", r.claim_id, texts[r.claim_id],
                        f"{r.speaker} {r.kind}" + (f": “{r.quote}”" if r.quote else ""),
                        r.quote)
        for r in session.execute(query)
    }  # fmt: skip


def _random_events(pick, count: int) -> list:
    """Events drawn evenly (hypothesis's own draws favour the simplest, which seldom
    contest anything)."""
    kinds = ["asserts", "confirms", "denies", "disputes", "retracts", "questions"]
    events = []
    for _ in range(count):
        said = (pick.randint(1, 4), pick.choice(["day", "minute", "second"]),
                pick.choice(["+03:30", "+00:00", "-05:00"]), pick.randint(0, 23))  # fmt: skip
        event = pick.choice([
            ("record", pick.randint(0, 3), pick.randint(0, 2), pick.choice(kinds), said,
             pick.random() < 0.2),
            ("void", pick.randint(0, 30)) if pick.random() < 0.3 else ("link", pick.randint(0, 3),
                                                                      pick.randint(0, 3)),
        ] + [("record", pick.randint(0, 3), pick.randint(0, 2), pick.choice(kinds), said,
              False)] * 2)  # fmt: skip
        events.append((event, pick.random() < 0.5))
    return events


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(count=st.integers(8, 24), pick=st.randoms(use_true_random=False))
def test_report_changes_reads_the_window_as_the_whole_periods_tell_it(engine, count, pick):
    """``report changes`` reads only what lies around each window (the status standing at
    its start, the stances said in it): the same rows as every touched claim's whole
    periods give, in windows of one to three stances (so periods also begin after a
    window), as of and known at random instants, from random days."""
    from claimtrack import db, report
    from claimtrack.models import Base
    from claimtrack.selection import Selection

    with db.write_session(engine) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        session.commit()
        _record(session, _random_events(pick, count))
        said_at, known_at = _instants(session)
        said_at = pick.sample(said_at, min(4, len(said_at))) + [None]
        known_at = pick.sample(known_at, min(3, len(known_at))) + [None]
        window = report.CHANGES_WINDOW
        try:
            for as_of in said_at:
                for known in known_at:
                    report.CHANGES_WINDOW = pick.randint(1, 3)
                    selection = Selection(as_of=as_of, known_at=known,
                                          topic=pick.choice([None, "t"]))  # fmt: skip
                    since = dt.datetime(2026, 4, 30, tzinfo=dt.UTC) + dt.timedelta(
                        hours=pick.choice([0, pick.randint(0, 4 * 24)]))  # fmt: skip
                    wanted = _changes_from_whole_periods(session, selection, since)
                    assert list(report.changes(session, selection, since)) == wanted, (
                        selection, since)  # fmt: skip
        finally:
            report.CHANGES_WINDOW = window


def _clear_statement_caches() -> None:
    """Forget every statement the reports built once per process (``functools.cache``)."""
    from claimtrack import history, links, report, rule

    for module in (history, links, report, rule):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()


def test_statements_built_once_bind_each_reports_times(session):
    """The reports build their statements once per process and bind each report's times
    and ids: the contested report and ``report changes`` as of and known at several
    instants, run one after another in one process, each equal the same report run with
    every statement built afresh (a statement that kept the first report's instant, or its
    claims, would repeat the first report)."""
    from dataclasses import replace

    from claimtrack import record, report
    from claimtrack.selection import Selection
    from claimtrack.times import parse_when

    a = record.add_claim(session, "The ships crossed", topic="t", editor=ED)
    b = record.add_claim(session, "The ships never sailed", topic="t", editor=ED)
    c = record.add_claim(session, "The talks resumed", topic="t", editor=ED)
    us, iran, uk = (record.add_party(session, n, editor=ED) for n in ("US", "Iran", "UK"))
    session.commit()
    record.link_claims(session, b, a, "contradicts", editor=ED)
    said = [(a, us, "asserts", "2026-04-10"), (a, iran, "denies", "2026-04-11"),
            (b, uk, "asserts", "2026-04-12"), (c, us, "asserts", "2026-04-12"),
            (a, iran, "retracts", "2026-04-13"), (c, iran, "disputes", "2026-04-14"),
            (a, uk, "denies", "2026-04-14")]  # fmt: skip
    for n, (claim, party, kind, day) in enumerate(said):
        record.add_stance(session, claim, party, kind, said=parse_when(day, "+00:00"),
                          editor=ED, recorded_at=BACKDATED + dt.timedelta(days=n))  # fmt: skip
        session.commit()
    as_of = [None] + [parse_when(d, "+00:00").until for d in ("2026-04-11", "2026-04-13")]
    known_at = [None] + [BACKDATED + dt.timedelta(days=n, hours=1) for n in (1, 4)]
    since = dt.datetime(2026, 4, 9, tzinfo=dt.UTC)
    chosen = [Selection(status="contested", limit=50, as_of=t, known_at=k)
              for t in as_of for k in known_at]  # fmt: skip

    def reports(selection):
        every = replace(selection, status=None, limit=None)
        return (list(report.claims(session, selection, detail=True)),
                list(report.claims(session, every)),
                list(report.changes(session, every, since)))  # fmt: skip

    warm = [reports(selection) for selection in chosen]
    fresh = []
    for selection in chosen:
        _clear_statement_caches()
        fresh.append(reports(selection))
    assert warm == fresh
    assert len({repr(found) for found in warm}) >= 4  # the times do change the reports


def test_report_changes_names_the_cause_the_history_names_when_no_side_moved(run, engine):
    """Found by the test above: a claim first spoken of by a question, said the same day
    as its party's dispute of a counter-claim it never asserted (which takes no side on
    this claim). Neither moved a side, so the cause is the last said, the question, as
    claim show's history says; report changes skipped the remark and named the dispute."""
    import json

    day = ("--at", "2026-05-02", "--tz", "+00:00")
    steps = [("party", "add", "A"), ("party", "add", "P0"),
             ("claim", "add", "C2 holds", "--by", "A", "--at", "2026-05-01T10:00Z"),
             ("claim", "counter", "1", "K holds", "--by", "A", "--at", "2026-05-01T10:00Z"),
             ("stance", "void", "1", "--reason", "recorded by mistake"),
             ("claim", "dispute", "2", "--by", "P0", *day),
             ("claim", "question", "1", "--by", "P0", *day)]  # fmt: skip
    for step in steps:
        result = run(*step)
        assert result.exit_code == 0, (step, result.output)
    [shown] = json.loads(run("claim", "show", "1", "--format", "json").stdout)
    assert [(p["status"], p["began_by"]) for p in shown["periods"]] == [("denied", "P0 questions")]
    changes = json.loads(run("report", "changes", "--since", "2026-05-01T12:00Z", "--format",
                             "json").stdout)  # fmt: skip
    assert [(c["change"], c["detail"]) for c in changes if c["claim_id"] == 1] == [
        ("new claim", "P0 questions")
    ]
