"""One order for day-only and timed stances (trial D11): the timeline, first reported and
the history all read the order in which what was said was over (``order.timeline_order``),
on random stances and through the CLI on both backends, and revision 0016 gives an older
database's stored state and history that order."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from types import SimpleNamespace

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from claimtrack.order import said_order, timeline_order

BASE = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
SPANS = {"day": dt.timedelta(days=1), "minute": dt.timedelta(minutes=1)}
STANCE = st.tuples(
    st.integers(0, 3 * 24 * 60 - 1),  # minutes after BASE
    st.sampled_from(sorted(SPANS)),
    st.integers(1, 3),  # party
)


def _stances(drawn) -> list:
    found = []
    for n, (minutes, precision, party) in enumerate(drawn):
        at = BASE + dt.timedelta(minutes=minutes)
        if precision == "day":
            at = at.replace(hour=0, minute=0)
        found.append(SimpleNamespace(
            id=n + 1, claim_id=1, party_id=party, said_at=at, said_until=at + SPANS[precision],
            recorded_at=BASE + dt.timedelta(days=9, seconds=n),
        ))  # fmt: skip
    return found


@given(st.lists(STANCE, max_size=12))
def test_the_timeline_is_in_the_order_said_times_were_over_each_party_in_said_order(drawn):
    stances = _stances(drawn)
    order = timeline_order(stances)
    assert sorted(s.id for s in order) == [s.id for s in stances]
    place = {s.id: n for n, s in enumerate(order)}
    for party in {s.party_id for s in stances}:
        own = [s for s in stances if s.party_id == party]
        assert [s.id for s in order if s.party_id == party] == [s.id for s in said_order(own)]
    for a in stances:
        for b in stances:
            if a.party_id == b.party_id:
                continue
            # Over before everything b's party said from b on: a comes first.
            theirs = said_order([s for s in stances if s.party_id == b.party_id])
            rest = theirs[next(n for n, s in enumerate(theirs) if s.id == b.id) :]
            if a.said_until < min(s.said_until for s in rest):
                assert place[a.id] < place[b.id]


@given(st.lists(STANCE, min_size=1, max_size=12, unique_by=lambda s: s[2]))
def test_one_stance_each_first_is_the_one_over_first_begun_first(drawn):
    stances = _stances(drawn)
    key = lambda s: (s.said_until, s.said_at, s.recorded_at, s.id)  # noqa: E731
    assert [s.id for s in timeline_order(stances)] == [s.id for s in sorted(stances, key=key)]


def _ok(run, *args) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def _nord_stream(run) -> None:
    """The two shapes of the report: a date-only question recorded after two timed stances
    of its day (#1); a date-only assertion recorded before a timed denial of its day (#2)."""
    ok = lambda *args: _ok(run, *args)  # noqa: E731
    ok("claim", "add", "The explosions were deliberate actions", "--by", "Frederiksen",
       "--create-missing", "--at", "2022-09-27T19:05+02:00", "--topic", "ns")  # fmt: skip
    ok("claim", "confirm", "1", "--by", "Andersson", "--create-missing",
       "--at", "2022-09-27T21:00+02:00")  # fmt: skip
    ok("claim", "question", "1", "--by", "Peskov", "--create-missing",
       "--at", "2022-09-27", "--tz", "+03:00")  # fmt: skip
    ok("claim", "add", "Norway helped", "--by", "Hersh", "--create-missing",
       "--at", "2023-02-08", "--tz", "-05:00", "--topic", "ns")  # fmt: skip
    ok("claim", "deny", "2", "--by", "Norway", "--create-missing",
       "--at", "2023-02-08T19:00+01:00")  # fmt: skip


def _shown(run, claim: str, *more) -> dict:
    return json.loads(_ok(run, "claim", "show", claim, "--format", "json", *more))[0]


def _exported(run, *more) -> dict[str, dict]:
    text = _ok(run, "export", "csv", *more).lstrip("\ufeff")
    return {row["claim_id"]: row for row in csv.DictReader(io.StringIO(text))}


def test_first_reported_is_the_first_of_the_timeline_not_a_day_that_began_earlier(engine, run):
    _nord_stream(run)
    shown = _shown(run, "1")
    timeline = [(t["party"], t["said_at"]) for t in shown["timeline"]]
    assert timeline == [
        ("Frederiksen", "2022-09-27T19:05+02:00"),
        ("Andersson", "2022-09-27T21:00+02:00"),
        ("Peskov", "2022-09-27"),
    ]
    row = _exported(run)["1"]
    assert (row["first_reported"], row["first_reported_tz"]) == ("2022-09-27T19:05+02:00",
                                                                 "'+02:00")  # fmt: skip
    # As of the end of Peskov's day, and known before Peskov was recorded: the same.
    row = _exported(run, "--as-of", "2022-09-28")["1"]
    assert row["first_reported"] == "2022-09-27T19:05+02:00"


def test_the_timeline_and_the_history_put_a_day_after_a_timed_stance_of_that_day(engine, run):
    """Hersh's date-only assertion, recorded first, is over at the end of 8 February
    (-05:00), after Norway's denial at 19:00+01:00: the timeline lists the denial first, as
    the history and first reported do."""
    _nord_stream(run)
    shown = _shown(run, "2")
    assert [(t["party"], t["said_at"]) for t in shown["timeline"]] == [
        ("Norway", "2023-02-08T19:00+01:00"),
        ("Hersh", "2023-02-08"),
    ]
    periods = [(p["status"], p["since"], p["began_by"]) for p in shown["periods"]]
    assert periods == [("denied", "2023-02-08T19:00+01:00", "Norway denies"),
                       ("contested", "2023-02-08", "Hersh asserts")]  # fmt: skip
    # Each period begins with a stance later in the timeline than the one before.
    causes = [p["began_by"].split()[0] for p in shown["periods"]]
    assert causes == [t["party"] for t in shown["timeline"]]
    row = _exported(run)["2"]
    assert row["first_reported"] == "2023-02-08T19:00+01:00"
    assert row["contested_since"] == "2023-02-08"
    # As of 20:00+01:00 Hersh's day is not over: denied, first reported the denial; by the
    # end of Hersh's day, contested.
    assert _shown(run, "2", "--as-of", "2023-02-08T20:00+01:00")["status"] == "denied"
    assert _exported(run, "--as-of", "2023-02-08T20:00+01:00")["2"]["first_reported"] == (
        "2023-02-08T19:00+01:00")  # fmt: skip
    assert _shown(run, "2", "--as-of", "2023-02-08", "--tz", "-05:00")["status"] == "contested"
    stances = _ok(run, "export", "csv", "--per", "stance").lstrip("\ufeff")
    rows = [r for r in csv.DictReader(io.StringIO(stances)) if r["claim_ref"] == "2"]
    assert [r["party"] for r in rows] == ["Norway", "Hersh"]


def test_a_partys_own_stances_keep_their_said_order(engine, run):
    """A's date-only denial, recorded before A's retraction at 11:00 that day: the
    retraction withdraws the denial (said order), so the timeline lists the denial first,
    though its day was over after the retraction's minute."""
    ok = lambda *args: _ok(run, *args)  # noqa: E731
    ok("claim", "add", "Q", "--by", "B", "--create-missing", "--at", "2023-10-17T09:00+03:00")
    ok("claim", "deny", "1", "--by", "A", "--create-missing", "--at", "2023-10-18",
       "--tz", "+03:00")  # fmt: skip
    ok("claim", "retract", "1", "--by", "A", "--at", "2023-10-18T11:00+03:00")
    shown = _shown(run, "1")
    assert [(t["party"], t["kind"]) for t in shown["timeline"]] == [
        ("B", "asserts"),
        ("A", "denies"),
        ("A", "retracts"),
    ]
    assert shown["status"] == "asserted"


def _first_reported(engine) -> dict:
    with engine.connect() as connection:
        state = connection.execute(
            sa.text("SELECT claim_id, first_reported FROM claim_state ORDER BY claim_id")
        ).all()
        history = connection.execute(sa.text(
            "SELECT claim_id, said_from, known_from, first_reported FROM claim_history "
            "ORDER BY claim_id, said_from, known_from")).all()  # fmt: skip
    return {"state": [tuple(r) for r in state], "history": [tuple(r) for r in history]}


def test_revision_0016_replays_the_claims_whose_first_reported_it_moves(engine, run):
    """A database kept by 0015's rule (first reported: the earliest start of any said time)
    gets the new one from the upgrade, in its state and in its history, as a full replay
    would have it; the downgrade gives the old view back."""
    from claimtrack import db, state

    _nord_stream(run)
    wanted = _first_reported(engine)
    db.downgrade(engine, "0015_ids")
    with engine.begin() as connection:
        # 0015's first reported: the earliest start of the stances counted (as of each
        # history row's said_from).
        connection.execute(
            sa.text(
                "UPDATE claim_state SET first_reported = (SELECT MIN(s.said_at) FROM stance AS s "
                "WHERE s.claim_id = claim_state.claim_id AND s.void_at IS NULL)"
            )
        )
        connection.execute(sa.text(
            "UPDATE claim_history SET first_reported = (SELECT MIN(s.said_at) FROM stance AS s "
            "WHERE s.claim_id = claim_history.claim_id AND s.void_at IS NULL "
            "AND s.said_until <= claim_history.said_from)"))  # fmt: skip
        view = connection.execute(sa.text(
            "SELECT first_reported FROM claim_status WHERE claim_id = 1")).scalar_one()  # fmt: skip
    was = _first_reported(engine)
    assert was != wanted  # 0015 put Peskov's day first, and Hersh's
    assert str(view).startswith("2022-09-26 21:00")  # Peskov's day began then (UTC)
    db.upgrade(engine)
    assert _first_reported(engine) == wanted
    with db.write_session(engine) as session:
        state.rebuild(session)
        session.flush()
        replayed = {
            "state": [tuple(r) for r in session.execute(sa.text(
                "SELECT claim_id, first_reported FROM claim_state ORDER BY claim_id"))],
            "history": [tuple(r) for r in session.execute(sa.text(
                "SELECT claim_id, said_from, known_from, first_reported FROM claim_history "
                "ORDER BY claim_id, said_from, known_from"))],
        }  # fmt: skip
        session.rollback()
    assert replayed == wanted
    assert _exported(run)["1"]["first_reported"] == "2022-09-27T19:05+02:00"
