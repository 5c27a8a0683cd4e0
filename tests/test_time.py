"""Time the desk can trust: said times as intervals, claims that exist in time, what the
desk knew when, and corrections, recorded through the CLI on both backends."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest

# The story of issue #11. Side X at +03:30; Y at +00:00; Z and W at -05:00.
PARTIES = [
    ("X", None), ("Y", None), ("Z", None), ("W", None),
    ("A", "X"), ("B", "Y"), ("C", "Z"), ("E", "X"), ("F", "X"), ("G", "X"),
]  # fmt: skip
DAY = {n: f"2026-05-0{n}" for n in range(1, 6)}


@pytest.fixture
def story(run, engine):
    """Days 1 to 3 of the story; day 4 is left to each test."""

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    for name, side in PARTIES:
        ok("party", "add", name, *(("--for", side) if side else ()))
    ok("party", "add", "--anonymous", "D", "--for", "W")
    ok("claim", "add", "P holds", "--by", "A", "--at", f"{DAY[1]}T10:00+03:30", "--slug", "p")
    ok("claim", "counter", "p", "Q holds", "--by", "B", "--at", DAY[2], "--tz", "+00:00",
       "--slug", "q")  # fmt: skip
    ok("claim", "confirm", "q", "--by", "C", "--at", DAY[2], "--tz", "-05:00")
    ok("claim", "confirm", "q", "--by", "D", "--at", DAY[2], "--tz", "-05:00")
    ok("claim", "deny", "q", "--by", "E", "--at", f"{DAY[3]}T11:00+03:30")
    ok("claim", "deny", "q", "--by", "F", "--at", DAY[3], "--tz", "+03:30")
    return ok


def day_four(ok):
    ok("claim", "confirm", "q", "--by", "G", "--at", f"{DAY[4]}T09:00+03:30")
    ok("claim", "retract", "q", "--by", "E", "--at", f"{DAY[4]}T10:00+03:30")
    ok("claim", "retract", "q", "--by", "F", "--at", DAY[4], "--tz", "+03:30")
    ok("claim", "retract", "p", "--by", "A", "--at", f"{DAY[4]}T12:00+03:30")


def statuses(ok, *args) -> dict[str, str]:
    rows = json.loads(ok("report", "claims", *args, "--format", "json"))
    return {r["slug"]: r["status"] for r in rows}


def opponents(ok, slug, *args) -> list[str]:
    rows = json.loads(ok("report", "contested", *args, "--format", "json"))
    row = next((r for r in rows if r["slug"] == slug), None)
    return sorted(p["party"].split(" ")[0] for p in row["denied_or_countered_by"]) if row else []


def test_the_story_as_of_each_day(story):
    ok = story
    assert statuses(ok, "--as-of", DAY[1]) == {"p": "asserted"}  # Q does not exist yet
    assert statuses(ok, "--as-of", DAY[2]) == {"p": "contested", "q": "contested"}
    # As of day 3, a bare date: by the end of it, so the timed and the date-only denial
    # both count, with A (asserting P, which Q contradicts).
    assert opponents(ok, "q", "--as-of", DAY[3]) == ["A", "E", "F"]
    # As of 11:00 on day 3, the date-only denial of that day is not yet certainly said.
    assert opponents(ok, "q", "--as-of", f"{DAY[3]}T11:00+03:30") == ["A", "E"]
    day_four(ok)
    now = statuses(ok)
    assert now == {"p": "retracted", "q": "asserted"}  # A took P back; Q stands alone
    assert opponents(ok, "q", "--as-of", DAY[3]) == ["A", "E", "F"]  # history is kept


def test_a_date_only_retraction_after_a_timed_denial_of_the_same_day_counts(story):
    ok = story
    # E's denial was at 11:00 on day 3; its retraction, recorded later, says only "day 3":
    # the intervals overlap, so the one recorded later is the later.
    ok("claim", "retract", "q", "--by", "E", "--at", DAY[3], "--tz", "+03:30")
    ok("claim", "retract", "q", "--by", "F", "--at", f"{DAY[3]}T15:00+03:30")
    assert opponents(ok, "q") == ["A"]
    ok("claim", "retract", "p", "--by", "A", "--at", DAY[3], "--tz", "+03:30")
    assert statuses(ok)["q"] == "asserted"


def test_same_day_in_different_offsets_keeps_the_recorded_order(story):
    ok = story
    detail = json.loads(ok("claim", "show", "q", "--format", "json"))[0]
    day_two = [t["party"].split(" ")[0] for t in detail["timeline"] if t["said_at"] == DAY[2]]
    assert day_two == ["B", "C", "D"]  # +00:00, -05:00, -05:00: overlapping, as recorded
    assert detail["timeline"][0]["party"].startswith("A")  # P's day-1 stance comes first


def test_a_back_dated_repeat_is_caught_in_said_order(story, run, engine):
    from conftest import snapshot

    ok = story
    day_four(ok)  # E retracted its denial at 10:00 on day 4
    # A denial dated 12:00 on day 3 comes after E's 11:00 denial in said order: a repeat,
    # though E's latest stance by recording is its retraction.
    before = snapshot(engine)
    result = run("claim", "deny", "q", "--by", "E", "--at", f"{DAY[3]}T12:00+03:30")
    assert result.exit_code == 1 and "already denies" in result.output
    assert snapshot(engine) == before
    # Dated after the retraction, it is news: E denies again.
    ok("claim", "deny", "q", "--by", "E", "--at", f"{DAY[4]}T18:00+03:30")
    assert "E" in opponents(ok, "q")


def test_known_at_reproduces_the_report_printed_then(story, run):
    ok = story
    printed = {fmt: ok("report", "contested", "--format", fmt) for fmt in ("json", "table")}
    shown = ok("claim", "show", "q", "--format", "json")
    then = dt.datetime.now(dt.UTC).replace(microsecond=0)
    time.sleep(1.2)
    # Since then: a back-dated stance, a correction, and day 4.
    ok("claim", "deny", "p", "--by", "C", "--at", DAY[1], "--tz", "-05:00")
    timeline = json.loads(shown)[0]["timeline"]
    stance_id = next(t["stance_id"] for t in timeline if t["party"].startswith("D"))
    ok("stance", "void", str(stance_id), "--reason", "recorded against the wrong claim")
    day_four(ok)
    stamp = then.isoformat().replace("+00:00", "Z")
    for fmt, before in printed.items():
        assert ok("report", "contested", "--known-at", stamp, "--format", fmt) == before, fmt
    assert ok("report", "contested", "--format", "json") != printed["json"]


def test_void_and_amend_leave_the_report_as_if_recorded_right(story, run):
    ok = story
    detail = json.loads(ok("claim", "show", "q", "--format", "json"))[0]
    f_denial = next(t for t in detail["timeline"] if t["party"].startswith("F"))
    e_denial = next(t for t in detail["timeline"] if t["party"].startswith("E"))
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    time.sleep(1.2)
    ok("stance", "void", str(f_denial["stance_id"]), "--reason", "F never said it")
    ok("stance", "amend", str(e_denial["stance_id"]), "--kind", "disputes",
       "--reason", "E disputed, did not deny")  # fmt: skip
    assert opponents(ok, "q") == ["A", "E"]
    kinds = {
        t["party"].split(" ")[0]: t["kind"]
        for t in json.loads(ok("claim", "show", "q", "--format", "json"))[0]["timeline"]
    }
    assert kinds["E"] == "disputes" and "F" not in kinds
    log = json.loads(ok("log", "--format", "json", "--limit", "2"))
    assert [e["action"] for e in log] == ["stance amend", "stance void"]
    assert "F never said it" in log[1]["detail"]
    stamp = before.isoformat().replace("+00:00", "Z")
    assert opponents(ok, "q", "--known-at", stamp) == ["A", "E", "F"]
    # Voiding twice, or an unknown stance, is refused and writes nothing.
    again = run("stance", "void", str(f_denial["stance_id"]), "--reason", "x")
    assert again.exit_code == 1 and "voided already" in again.output
    assert run("stance", "void", "999", "--reason", "x").exit_code == 1


def test_times_keep_their_offset_in_every_output(story):
    ok = story
    csv_text = ok("export", "csv", "--no-bom")
    assert "2026-05-01T10:00+03:30" in csv_text and "Z" not in csv_text.split("\n", 1)[1][:0]
    rows = json.loads(ok("report", "contested", "--format", "json"))
    q = next(r for r in rows if r["slug"] == "q")
    assert q["first_reported"] == DAY[2]  # the day as said, not the UTC instant before it


# -- random histories ---------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ED = "test-editor"
RECORDED = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
SAID = st.tuples(
    st.integers(1, 4),  # the day
    st.sampled_from(["day", "minute"]),
    st.sampled_from(["+03:30", "+00:00", "-05:00"]),
    st.integers(0, 23),  # the hour, when timed
)
EVENT = st.tuples(
    st.integers(0, 2),  # the claim
    st.integers(0, 2),  # the party
    st.sampled_from(["asserts", "confirms", "denies", "disputes", "retracts", "questions"]),
    SAID,
    st.booleans(),  # voided later
)


def _when(said):
    from claimtrack.times import parse_when

    day, precision, zone, hour = said
    text = f"2026-05-0{day}" + (f"T{hour:02d}:00{zone}" if precision == "minute" else "")
    return parse_when(text, zone)


def _build(session, events, *, until: dt.datetime | None = None) -> None:
    """Parties, three claims (the third contradicts the first), and the events recorded one
    a second apart; voids land after everything. With ``until``, only what the desk had
    recorded (and voided) before it."""
    from claimtrack import record

    parties = [record.add_party(session, f"P{n}", editor=ED) for n in range(3)]
    claims = [record.add_claim(session, f"C{n}", topic="t", editor=ED) for n in range(3)]
    link = record.link_claims(session, claims[2], claims[0], "contradicts", editor=ED)
    link.created_at = RECORDED - dt.timedelta(seconds=1)  # on the same clock as the stances
    voids = []
    for n, (claim, party, kind, said, void) in enumerate(events):
        recorded = RECORDED + dt.timedelta(seconds=n)
        if until is not None and recorded >= until:
            break
        stance = record.add_stance(session, claims[claim], parties[party], kind,
                                   said=_when(said), editor=ED, recorded_at=recorded)  # fmt: skip
        if void:
            voids.append(stance)
    for n, stance in enumerate(voids):
        at = RECORDED + dt.timedelta(seconds=len(events) + n)
        if until is None or at < until:
            stance.void_at, stance.void_by, stance.void_reason = at, ED, "test"
    session.flush()


def _statuses(session, **times) -> dict[str, str]:
    """Claim text -> status (ids differ between databases; the texts C0..C2 do not)."""
    from claimtrack import rule
    from claimtrack.models import Claim

    views = rule.views(as_of="as_of" in times, known_at="known_at" in times)
    status = views.claim_status
    query = views.select(Claim.text, status.c.status).join(Claim, Claim.id == status.c.claim_id)
    return dict(session.execute(query, times).all())


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(events=st.lists(EVENT, min_size=1, max_size=14), cut=st.integers(0, 20))
def test_random_histories_known_at_equals_a_replay(engine, tmp_path_factory, events, cut):
    """For random histories (mixed precisions and offsets, voids), the order kept by every
    write equals the order from scratch, the stored state equals the rule, and the report
    known at any moment equals the rule run on a database holding only what was recorded
    by then: replayed into a fresh SQLite file, whatever the backend under test."""
    from sqlalchemy import delete, select

    from claimtrack import db, state
    from claimtrack.models import Base, Claim, Stance
    from claimtrack.schema import claim_state

    with db.write_session(engine) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        session.commit()
        _build(session, events)
        session.commit()
        ranks = dict(session.execute(select(Stance.id, Stance.said_rank)).all())
        state.rebuild(session)  # ranks and state from scratch
        assert dict(session.execute(select(Stance.id, Stance.said_rank)).all()) == ranks
        stored = dict(
            session.execute(
                select(Claim.text, claim_state.c.status).join(
                    Claim, Claim.id == claim_state.c.claim_id
                )
            ).all()
        )
        assert stored == _statuses(session, known_at=RECORDED + dt.timedelta(days=1))
        cutoff = RECORDED + dt.timedelta(seconds=cut, milliseconds=500)
        known = _statuses(session, known_at=cutoff)
        session.rollback()
    replay_url = f"sqlite+pysqlite:///{tmp_path_factory.mktemp('replay') / 'r.db'}"
    replay = db.open_database(db.resolve_url(replay_url), create=True, create_schema=True)
    try:
        with db.write_session(replay) as session:
            _build(session, events, until=cutoff)
            session.commit()
            assert known == _statuses(session, known_at=RECORDED + dt.timedelta(days=1))
    finally:
        replay.dispose()


# -- how disputes end -------------------------------------------------------------------


def test_a_resolved_dispute_stays_visible_with_how_and_when(story, monkeypatch):
    ok = story
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no note wraps
    day_four(ok)
    assert json.loads(ok("report", "contested", "--format", "json")) == []
    rows = json.loads(ok("report", "contested", "--include-resolved", "--format", "json"))
    q = next(r for r in rows if r["slug"] == "q")
    assert q["status"] == "asserted"
    contested = [p for p in q["periods"] if p["status"] == "contested"]
    assert len(contested) == 1 and contested[0]["since"] == DAY[2]
    # F's date-only retraction ended it, at the end of day 4 in F's offset.
    assert (contested[0]["how"], contested[0]["until"], contested[0]["until_tz"]) == (
        "denials withdrawn",
        DAY[4],
        "+03:30",
    )
    table = ok("report", "contested", "--include-resolved")
    assert "denials withdrawn" in table and "No contested claims" not in table
    shown = ok("claim", "show", "q")
    # Day 2 is B's UTC day, marked as such beside F's day in Tehran.
    assert f"contested {DAY[2]} (Z) – {DAY[4]} (+03:30) (denials withdrawn)" in shown
    csv_text = ok("export", "csv", "--per", "claim", "--no-bom")
    assert "denials withdrawn" in csv_text  # the per-claim export carries the periods


def test_a_resolved_dispute_has_the_same_fields_in_every_format(story, monkeypatch, tmp_path):
    """Kakhovka: the table showed a resolved claim's contested period and how it ended,
    JSON and CSV only a null contested_since; every format now carries both."""
    import csv
    import io

    from openpyxl import load_workbook

    ok = story
    day_four(ok)
    args = ("report", "contested", "--include-resolved")
    [q] = [r for r in json.loads(ok(*args, "--format", "json")) if r["slug"] == "q"]
    assert q["contested_since"] is None  # the key scripts read is as it was
    ended = (DAY[2], DAY[4], "+03:30", "denials withdrawn")
    assert (q["contested_from"], q["contested_until"], q["contested_until_tz"],
            q["how_it_ended"]) == ended  # fmt: skip
    [row] = [r for r in csv.DictReader(io.StringIO(ok(*args, "--format", "csv")))
             if r["slug"] == "q"]  # fmt: skip
    assert (row["contested_from"], row["contested_until"], row["contested_until_tz"],
            row["how_it_ended"]) == (*ended[:2], "'+03:30", ended[3])  # fmt: skip
    monkeypatch.chdir(tmp_path)
    ok(*args, "--format", "xlsx", "--out", "r.xlsx")
    sheet = load_workbook("r.xlsx").active
    headers = [c.value for c in sheet[1]]
    [cells] = [r for r in sheet.iter_rows(min_row=2, values_only=True)
               if r[headers.index("slug")] == "q"]  # fmt: skip
    assert cells[headers.index("how_it_ended")] == "denials withdrawn"
    assert cells[headers.index("contested_until_tz")] == "+03:30"


def test_report_changes_since_day_three_lists_the_resolution(story):
    ok = story
    day_four(ok)
    rows = json.loads(ok("report", "changes", "--since", DAY[3], "--tz", "+03:30", "--format",
                         "json"))  # fmt: skip
    resolved = [r for r in rows if r["change"] == "dispute resolved"]
    assert {(r["claim_id"], r["detail"].split(" (")[0]) for r in resolved} == {
        (2, "denials withdrawn"),
        (1, "supporters retracted"),
    }
    later = json.loads(ok("report", "changes", "--since", DAY[5], "--format", "json"))
    assert later == []
    text = ok("report", "changes", "--since", DAY[3], "--tz", "+03:30")
    assert "dispute resolved" in text


def test_report_changes_defaults_to_the_last_day(story):
    ok = story
    day_four(ok)
    until = f"{DAY[4]}T23:00+03:30"
    day = json.loads(ok("report", "changes", "--until", until, "--format", "json"))
    assert day, "day four resolved two disputes"
    since = f"{DAY[3]}T23:00+03:30"
    assert day == json.loads(ok("report", "changes", "--since", since, "--until", until,
                                "--format", "json"))  # fmt: skip
    assert day != json.loads(ok("report", "changes", "--since", DAY[1], "--until", until,
                                "--format", "json"))  # fmt: skip
    ok("report", "changes")  # now: the day before now, nothing said in it, not an error


def test_report_changes_lists_the_claim_a_new_counter_claim_contests(story):
    """Nobody spoke of P on day 5; a counter-claim asserted that day contests it all the
    same, and the window lists it for P too (it used to list only the counter-claim)."""
    ok = story
    ok("claim", "add", "R holds", "--by", "A", "--at", f"{DAY[1]}T09:00+03:30", "--slug", "r")
    ok("claim", "counter", "r", "R does not hold", "--by", "C", "--at", f"{DAY[5]}T08:00-05:00",
       "--slug", "not-r")  # fmt: skip
    rows = json.loads(ok("report", "changes", "--since", DAY[5], "--tz", "-05:00", "--format",
                         "json"))  # fmt: skip
    about_r = {(r["change"], r["detail"]) for r in rows if r["claim"] == "R holds"}
    # Contested by a stance on the counter-claim: named as such, not as a stance on R.
    assert about_r == {("newly contested", "C asserts counter-claim #4"),
                       ("new counter-claim", "#4: R does not hold")}  # fmt: skip


def test_report_changes_lists_the_stance_that_contests_a_claim_once(story):
    """A new user's `report changes --since DAY` listed B's denial twice, as "new stance"
    and as "newly contested", two rows read as two things that happened. It is one row,
    "newly contested", naming the stance with its quote; a later stance on the contested
    claim is a "new stance" as before. JSON and CSV have the same rows."""
    import csv
    import io

    ok = story
    ok("claim", "add", "R holds", "--by", "A", "--at", f"{DAY[1]}T09:00+03:30", "--slug", "r")
    ok("claim", "deny", "r", "--by", "B", "--at", f"{DAY[5]}T08:00+00:00",
       "--quote", "R never held")  # fmt: skip
    ok("claim", "dispute", "r", "--by", "C", "--at", f"{DAY[5]}T09:00-05:00")
    args = ("report", "changes", "--since", DAY[5], "--tz", "+00:00")
    rows = json.loads(ok(*args, "--format", "json"))
    about_r = [(r["change"], r["detail"], r["at"]) for r in rows if r["claim"] == "R holds"]
    assert about_r == [
        ("newly contested", "B denies: “R never held”", f"{DAY[5]}T08:00Z"),
        ("new stance", "C disputes", f"{DAY[5]}T09:00-05:00"),
    ]
    table = ok(*args, "--format", "csv").lstrip("\ufeff")
    listed = [(r["change"], r["detail"]) for r in csv.DictReader(io.StringIO(table))
              if r["claim"] == "R holds"]  # fmt: skip
    assert listed == [(change, detail) for change, detail, _ in about_r]
    shown = ok(*args)
    assert shown.count("R never held") == 1 and shown.count("B denies") == 1, shown


def test_report_changes_lists_a_claim_first_said_in_the_window(story, monkeypatch):
    """A new user's story (the Kerch bridge): claims first asserted in the window and
    contested by nobody were in no row of `report changes`, which read as a quiet day.
    Each is a "new claim", at its first stance as said, with its quote; one asserted
    and denied in the window is a "new claim" and then "newly contested", its assertion
    not also a "new stance"; one asserted before the window is not new in it."""
    from claimtrack import report

    ok = story
    ok("claim", "add", "R holds", "--by", "A", "--at", f"{DAY[4]}T09:00+03:30", "--slug", "r")
    ok("claim", "add", "S holds", "--by", "B", "--at", f"{DAY[5]}T07:30-05:00",
       "--quote", "S held all day", "--slug", "s")  # fmt: skip
    ok("claim", "add", "T holds", "--by", "C", "--at", f"{DAY[5]}T08:00+00:00", "--slug", "t")
    ok("claim", "deny", "t", "--by", "D", "--at", f"{DAY[5]}T09:00+00:00")
    args = ("report", "changes", "--since", DAY[5], "--tz", "+00:00", "--format", "json")
    rows = json.loads(ok(*args))
    mine = [(r["change"], r["claim"], r["detail"], r["at"]) for r in rows
            if r["claim"] in ("R holds", "S holds", "T holds")]  # fmt: skip
    assert mine == [
        ("new claim", "T holds", "C asserts", f"{DAY[5]}T08:00Z"),
        ("newly contested", "T holds", "D denies", f"{DAY[5]}T09:00Z"),
        ("new claim", "S holds", "B asserts: “S held all day”", f"{DAY[5]}T07:30-05:00"),
    ]
    for size in (1, 2):  # the same rows however the time is cut into windows
        monkeypatch.setattr(report, "CHANGES_WINDOW", size)
        assert json.loads(ok(*args)) == rows
    earlier = json.loads(ok("report", "changes", "--since", DAY[4], "--until", DAY[4],
                            "--tz", "+03:30", "--format", "json"))  # fmt: skip
    assert ("new claim", "R holds") in {(r["change"], r["claim"]) for r in earlier}


def test_report_changes_lists_a_retraction_of_a_claim_never_contested(story, monkeypatch):
    """nu19 (Al-Ahli): the health ministry withdrawing its own toll of 500, a claim nobody
    had contested, was no row of `report changes`: "Nothing changed" for the window. A
    claim its supporters withdraw is "retracted", by the stance that did; a contested
    one's retraction stays its "dispute resolved" row, not two rows for one stance."""
    from claimtrack import report

    ok = story
    ok("claim", "add", "U holds", "--by", "A", "--at", f"{DAY[4]}T09:00+03:00", "--slug", "u")
    ok("claim", "retract", "u", "--by", "A", "--at", f"{DAY[5]}T10:00+03:00",
       "--quote", "we withdraw the figure")  # fmt: skip
    ok("claim", "add", "V holds", "--by", "B", "--at", f"{DAY[4]}T09:00+03:00", "--slug", "v")
    ok("claim", "deny", "v", "--by", "D", "--at", f"{DAY[4]}T10:00+03:00")
    ok("claim", "retract", "v", "--by", "B", "--at", f"{DAY[5]}T11:00+03:00")
    args = ("report", "changes", "--since", DAY[5], "--tz", "+03:00", "--format", "json")
    rows = json.loads(ok(*args))
    mine = [(r["change"], r["claim"], r["detail"], r["at"]) for r in rows
            if r["claim"] in ("U holds", "V holds")]  # fmt: skip
    assert mine == [
        ("retracted", "U holds", "A retracts: “we withdraw the figure”", f"{DAY[5]}T10:00+03:00"),
        ("dispute resolved", "V holds", "supporters retracted (B retracts)",
         f"{DAY[5]}T11:00+03:00"),
    ], mine  # fmt: skip
    for size in (1, 2):  # the same rows however the time is cut into windows
        monkeypatch.setattr(report, "CHANGES_WINDOW", size)
        assert json.loads(ok(*args)) == rows
    earlier = json.loads(ok("report", "changes", "--since", DAY[4], "--until", DAY[4],
                            "--tz", "+03:00", "--format", "json"))  # fmt: skip
    assert "retracted" not in {r["change"] for r in earlier}


def test_report_changes_dates_a_new_counter_claim_at_its_first_assertion(story, monkeypatch):
    """A counter-claim denied by someone before it was asserted (as said, in another
    offset) is new when it was asserted, in the offset it was asserted in, not at the
    denial: only then do its supporters count against the claim it answers."""
    from claimtrack import report

    ok = story
    ok("claim", "add", "R holds", "--by", "A", "--at", f"{DAY[1]}T09:00+03:30", "--slug", "r")
    ok("claim", "counter", "r", "R does not hold", "--by", "C", "--at", f"{DAY[5]}T08:00-05:00",
       "--slug", "not-r")  # fmt: skip
    ok("claim", "deny", "not-r", "--by", "B", "--at", f"{DAY[5]}T12:15+02:00")  # 10:15Z: earlier
    args = ("report", "changes", "--since", DAY[4], "--format", "json")
    rows = json.loads(ok(*args))
    new = [(r["claim"], r["at"], r["at_tz"]) for r in rows if r["change"] == "new counter-claim"]
    assert new == [("R holds", f"{DAY[5]}T08:00-05:00", "-05:00")]
    for size in (1, 2):  # the same row however the time is cut into windows
        monkeypatch.setattr(report, "CHANGES_WINDOW", size)
        assert json.loads(ok(*args)) == rows
    # Asked of a time before it was asserted, it is not new yet.
    early = json.loads(ok(*args[:-2], "--until", f"{DAY[5]}T12:30+02:00", "--format", "json"))
    assert [r for r in early if r["change"] == "new counter-claim"] == []


def test_report_changes_streams_window_by_window_with_the_same_rows(story, monkeypatch):
    """However the time is cut into windows, the same changes in the same order."""
    from claimtrack import report

    ok = story
    day_four(ok)
    ok("verdict", "set", "q", "--rating", "Unproven", "--as", "unverified")
    ok("claim", "add", "R holds", "--by", "A", "--at", f"{DAY[1]}T09:00+03:30", "--slug", "r")
    ok("claim", "deny", "r", "--by", "B", "--at", f"{DAY[5]}T08:00+00:00")  # contested now
    ok("claim", "deny", "r", "--by", "C", "--at", f"{DAY[5]}T09:00+00:00")  # a new stance
    args = ("report", "changes", "--since", DAY[1], "--format", "json")
    whole = json.loads(ok(*args))
    assert {r["change"] for r in whole} >= {
        "new claim",
        "newly contested",
        "dispute resolved",
        "new stance",
        "new counter-claim",
        "verdict",
    }
    for size in (1, 2, 3):
        monkeypatch.setattr(report, "CHANGES_WINDOW", size)
        assert json.loads(ok(*args)) == whole
    until = ("--until", f"{DAY[3]}T12:00+03:30")
    monkeypatch.setattr(report, "CHANGES_WINDOW", 10_000)
    before = json.loads(ok(*args, *until))
    monkeypatch.setattr(report, "CHANGES_WINDOW", 1)
    assert json.loads(ok(*args, *until)) == before


def test_a_dispute_within_one_side_is_named(story):
    ok = story
    # G (side X) confirms Q while E (side X) still denies it; B, C, D retract: only X is left.
    ok("claim", "confirm", "q", "--by", "G", "--at", f"{DAY[4]}T09:00+03:30")
    for party in ("B", "C", "D"):
        ok("claim", "retract", "q", "--by", party, "--at", f"{DAY[4]}T10:00+03:30")
    ok("claim", "retract", "q", "--by", "F", "--at", f"{DAY[4]}T10:00+03:30")
    ok("claim", "retract", "p", "--by", "A", "--at", f"{DAY[4]}T10:00+03:30")
    rows = json.loads(ok("report", "contested", "--format", "json"))
    q = next(r for r in rows if r["slug"] == "q")
    assert q["within_side"] == "X"
    assert "within X" in ok("report", "contested")
    across = json.loads(ok("report", "contested", "--between-sides", "--format", "json"))
    assert "q" not in {r["slug"] for r in across}
    before = json.loads(ok("report", "contested", "--between-sides", "--as-of", DAY[3],
                           "--format", "json"))  # fmt: skip
    assert "q" in {r["slug"] for r in before}  # on day 3 it was Y, Z, W against X


def test_known_at_also_undoes_later_verdicts(story):
    ok = story
    then = dt.datetime.now(dt.UTC).replace(microsecond=0)
    before = ok("report", "contested", "--format", "json")
    unrated = ok("report", "contested", "--unrated", "--format", "json")
    time.sleep(1.2)
    ok("verdict", "set", "q", "--rating", "False")
    stamp = then.isoformat().replace("+00:00", "Z")
    assert ok("report", "contested", "--known-at", stamp, "--format", "json") == before
    assert ok("report", "contested", "--unrated", "--known-at", stamp, "--format", "json") == (
        unrated
    )
    assert ok("report", "contested", "--format", "json") != before


def test_voided_stances_leave_party_show_and_the_counts(story, run):
    ok = story
    detail = json.loads(ok("claim", "show", "q", "--format", "json"))[0]
    f_denial = next(t for t in detail["timeline"] if t["party"].startswith("F"))
    ok("stance", "void", str(f_denial["stance_id"]), "--reason", "never said")
    shown = json.loads(ok("party", "show", "F", "--format", "json"))[0]
    assert shown["stances"] == []
    counts = {r["party"]: r for r in json.loads(ok("report", "parties", "--format", "json"))}
    assert "F" not in counts and counts["E"]["stances"] == 1
    # An amend that changes nothing is refused, and nothing is written.
    e_denial = next(t for t in detail["timeline"] if t["party"].startswith("E"))
    result = run("stance", "amend", str(e_denial["stance_id"]), "--reason", "no change")
    assert result.exit_code == 2 and "as it is" in result.output


def test_misuse_is_one_line(story, run):
    for args in (
        ("report", "contested", "--limit", "0"),
        ("claim", "add", "x", "--by", "A", "--at", "2023-02-30"),
        ("claim", "add", "x", "--by", "A", "--at", "0001-01-01T00:00+05:00"),
        ("report", "contested", "--as-of", "9999-12-31T23:59-05:00"),
        ("claim", "link", "1"),
        ("stance", "void", "1", "--reason", " "),
    ):
        result = run(*args)
        assert result.exit_code == 2, args
        assert len(result.output.strip().splitlines()) == 1, (args, result.output)
        assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_one_claims_history_sees_the_stances_on_its_counter_claim(story):
    ok = story
    # Q's opponents withdraw first; A's retraction of P (which Q contradicts) ends it.
    ok("claim", "retract", "q", "--by", "E", "--at", f"{DAY[4]}T08:00+03:30")
    ok("claim", "retract", "q", "--by", "F", "--at", f"{DAY[4]}T09:00+03:30")
    ok("claim", "retract", "p", "--by", "A", "--at", f"{DAY[4]}T12:00+03:30")
    detail = json.loads(ok("claim", "show", "q", "--format", "json"))[0]  # q alone
    contested = [p for p in detail["periods"] if p["status"] == "contested"]
    assert [(p["until"], p["ended_by"], p["how"]) for p in contested] == [
        # P is the claim Q answers: its stances are the countered claim's, not a
        # counter-claim's (as claim show's timeline names them).
        (f"{DAY[4]}T12:00+03:30", "A retracts countered claim #1", "denials withdrawn")
    ]


def test_tz_is_never_silently_ignored(story, run, engine):
    """`--at 2026-05-04T09:00+02:00 --tz Asia/Tokyo` stored +02:00 without a word, and
    `--at now --tz Asia/Tokyo` stored UTC (trial D10). Now the editor's zone is kept for
    `now`, a time at the zone's own offset is taken, and a conflicting one is refused."""
    from conftest import snapshot

    before = snapshot(engine)
    for args in (("claim", "deny", "q", "--by", "G", "--at", "2026-05-04T09:00+02:00"),
                 ("stance", "amend", "1", "--at", "2026-05-01T10:00Z", "--reason", "r"),
                 ("source", "add", "Talks", "--outlet", "Y", "--published",
                  "2026-05-04T09:00+02:00")):  # fmt: skip
        result = run(*args, "--tz", "Asia/Tokyo")
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("Error: ") and len(result.output.splitlines()) == 1
        assert "+09:00" in result.output and "not both" in result.output, result.output
    assert snapshot(engine) == before  # nothing written
    # The zone's own offset at that time is what the time says: consistent, taken.
    story("claim", "deny", "q", "--by", "G", "--at", "2026-05-04T09:00+09:00", "--tz", "Asia/Tokyo")
    story(
        "claim", "deny", "q", "--by", "W", "--at", "2026-01-04T09:00+01:00", "--tz", "Europe/Paris"
    )
    story("claim", "comment", "q", "--by", "B", "--at", "now", "--tz", "Asia/Tokyo")
    story("claim", "comment", "p", "--by", "C", "--at", "now", "--tz", "-05:00")
    timeline = json.loads(story("claim", "show", "q", "--format", "json"))[0]["timeline"]
    said = {(t["party"], t["kind"]): (t["said_at"], t["said_tz"]) for t in timeline}
    assert said[("G", "denies")] == ("2026-05-04T09:00+09:00", "+09:00")
    assert said[("W", "denies")] == ("2026-01-04T09:00+01:00", "+01:00")
    at, zone = said[("B", "comments")]
    assert zone == "+09:00" and at.endswith("+09:00")
    assert abs(dt.datetime.fromisoformat(at) - dt.datetime.now(dt.UTC)) < dt.timedelta(hours=1)
    timeline = json.loads(story("claim", "show", "p", "--format", "json"))[0]["timeline"]
    assert [t["said_tz"] for t in timeline if (t["party"], t["kind"]) == ("C", "comments")] == [
        "-05:00"
    ]


READS_WITH_TIMES = [
    ("report", "contested", "--as-of"),
    ("report", "contested", "--known-at"),
    ("report", "claims", "--since"),
    ("report", "claims", "--until"),
    ("claim", "list", "--as-of"),
    ("claim", "show", "q", "--as-of"),
    ("claim", "show", "q", "--known-at"),
    ("report", "changes", "--since"),
    ("report", "changes", "--until"),
    ("report", "changes", "--known-at"),
    ("log", "--since"),
    ("export", "csv", "--out", "x.csv", "--as-of"),
    ("export", "xlsx", "--out", "x.xlsx", "--known-at"),
    ("export", "graph", "--out", "x.dot", "--since"),
]


@pytest.mark.parametrize("args", READS_WITH_TIMES, ids=" ".join)
def test_read_commands_refuse_a_time_whose_offset_disagrees_with_tz(story, run, args):
    """`report contested --as-of 2026-05-04T09:00+02:00 --tz Asia/Tokyo` took the +02:00 and
    ignored --tz without a word, while writes refuse the same pair: reads refuse it too."""
    import pathlib

    result = run(*args, "2090-05-04T09:00+02:00", "--tz", "Asia/Tokyo")
    assert result.exit_code == 2, (args, result.output)
    assert result.output.startswith("Error: ") and len(result.output.splitlines()) == 1
    assert "+09:00" in result.output and "not both" in result.output, result.output
    assert not list(pathlib.Path().glob("x.*"))  # nothing written
    # The zone's own offset then is what the time says: taken.
    story(*args, "2090-05-04T09:00+09:00", "--tz", "Asia/Tokyo")


def test_now_in_a_read_command_is_read_in_tz(story):
    out = story("claim", "show", "q", "--as-of", "now", "--tz", "Asia/Tokyo")
    assert re.search(r"^Status: contested as of [-0-9]+ [0-9:]+\+09:00$", out, re.M), out
    out = story("claim", "show", "q", "--known-at", "now", "--tz", "-05:00")
    assert re.search(r"^Status: contested as known at [-0-9]+ [0-9:]+-05:00$", out, re.M), out
    page = story("report", "contested", "--as-of", "now", "--tz", "Asia/Tokyo", "--format", "html")
    assert re.search(r"Contested claims as of [-0-9]+ [0-9:]+\+09:00", page), page[:500]


def test_claim_show_before_anything_recorded_answers_as_before_anything_said(story, run):
    """`claim show --as-of` before any stance answered "not yet stated by anyone", exit 0,
    while `--known-at` before the desk recorded any refused with an error, exit 1: the same
    kind of question, answered the same way, in a table and in JSON."""
    said = run("claim", "show", "q", "--as-of", "2020-01-01")
    known = run("claim", "show", "q", "--known-at", "2020-01-01")
    assert said.exit_code == known.exit_code == 0, (said.output, known.output)
    assert "Status: unstated (not yet stated by anyone) as of 2020-01-01" in said.stdout
    assert "Status: unrecorded (not yet recorded by the desk) as known at 2020-01-01" in (
        known.stdout
    )
    assert "No stances by then." in said.stdout and "No stances by then." in known.stdout
    docs = [json.loads(story("claim", "show", "q", "--format", "json", option, "2020-01-01"))[0]
            for option in ("--as-of", "--known-at")]  # fmt: skip
    assert [doc["status"] for doc in docs] == ["unstated", "unrecorded"]  # as the table
    for doc in docs:
        assert (doc["timeline"], doc["voided"], doc["periods"]) == ([], [], [])
        assert (doc["asserted_by"], doc["denied_or_countered_by"]) == ([], [])
    assert (docs[0]["as_of"], docs[0]["known_at"]) == ("2020-01-01", None)
    assert (docs[1]["as_of"], docs[1]["known_at"]) == (None, "2020-01-01")
    assert (docs[0]["as_of_tz"], docs[1]["known_at_tz"]) == ("+00:00", "+00:00")
    # Wagner mutiny: --as-of 2023-06-23 --tz +03:00 gave "as_of": "2023-06-23" alone,
    # where the table said "(+03:00)": whose day it is, kept (docs/json.md)
    asked = ("--as-of", "2020-01-01", "--known-at", "2020-01-02T10:00", "--tz", "+03:00")
    moscow = json.loads(story("claim", "show", "q", "--format", "json", *asked))[0]
    assert (moscow["as_of"], moscow["as_of_tz"]) == ("2020-01-01", "+03:00"), moscow
    assert (moscow["known_at"], moscow["known_at_tz"]) == ("2020-01-02T10:00+03:00", "+03:00")


def test_source_list_prints_a_publication_as_claim_tables_print_a_said_time(story):
    """`source list` printed a day-only publication at +02:00 as `2022-09-27`, its offset
    lost from the table, where claim tables print `2022-09-27 (+02:00)`: one rendering."""
    ok = story
    for when, tz in (("2026-05-04", "+02:00"), ("2026-05-04T09:30+02:00", None)):
        ok("source", "add", f"Paper {when}", "--outlet", "Y", "--published", when,
           *(("--tz", tz) if tz else ()))  # fmt: skip
        ok("claim", "comment", "q", "--by", "Y", "--at", when, *(("--tz", tz) if tz else ()))
    sources = ok("source", "list")
    timeline = ok("claim", "show", "q")
    for shown in ("2026-05-04 (+02:00)", "2026-05-04 09:30+02:00"):
        assert shown in sources, sources
        assert shown in timeline, timeline
    published = {s["title"]: (s["published"], s["published_tz"])
                 for s in json.loads(ok("source", "list", "--format", "json"))}  # fmt: skip
    assert published["Paper 2026-05-04"] == ("2026-05-04", "+02:00")  # JSON as before


def test_an_hour_without_minutes_is_refused_and_rfc_3339_lower_case_is_read(story, run, engine):
    """`--at 2022-09-27T08+02:00` (an hour) was taken and shown as 08:00+02:00, a minute
    nobody gave, and `2022-09-27t08:00:05z` lost its seconds (the seconds were looked for
    after an upper-case T only), while `2022-09-27t08:00z`, which RFC 3339 allows, was
    refused. An hour alone is refused in one line saying what to give; t and z are read."""
    from conftest import snapshot

    before = snapshot(engine)
    for args in (("claim", "deny", "q", "--by", "G", "--at", "2026-05-04T08+02:00"),
                 ("claim", "deny", "q", "--by", "G", "--at", "2026-05-04 08", "--tz", "+02:00"),
                 ("source", "add", "Paper", "--outlet", "Y", "--published", "2026-05-04T08Z"),
                 ("report", "contested", "--as-of", "2026-05-04t08z"),
                 ("claim", "deny", "q", "--by", "G", "--at", "2026-W18-1T08:00Z")):  # fmt: skip
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("Error: ") and len(result.output.splitlines()) == 1
        if "W18" not in args[-1]:
            assert "an hour without its minutes: give 2026-05-04T08:00" in result.output
    assert snapshot(engine) == before  # nothing written
    story("claim", "deny", "q", "--by", "G", "--at", "2026-05-04t08:00z")
    story("claim", "deny", "q", "--by", "W", "--at", "2026-05-04t08:00:05-05:00")
    timeline = json.loads(story("claim", "show", "q", "--format", "json"))[0]["timeline"]
    said = {t["party"]: t["said_at"] for t in timeline if t["kind"] == "denies"}
    assert (said["G"], said["W"]) == ("2026-05-04T08:00Z", "2026-05-04T08:00:05-05:00")
    assert "2026-05-04 08:00:05-05:00" in story("claim", "show", "q")


# -- times after now (a typo: 2030 for 2023) ----------------------------------------------


def test_a_time_after_now_is_refused_in_one_line_and_writes_nothing(story, run, engine):
    from conftest import snapshot

    before = snapshot(engine)
    for args in [
        ("claim", "comment", "q", "--by", "A", "--at", "2999-10-18", "--tz", "+03:00"),
        ("claim", "add", "R holds", "--by", "A", "--at", "2999-01-01T10:00+03:30"),
        ("claim", "deny", "p", "--by", "B", "--at", "2999-01-01T10:00Z"),
        ("stance", "amend", "1", "--at", "2999-01-01", "--tz", "+03:30", "--reason", "typo"),
        ("source", "add", "T", "--outlet", "A", "--published", "2999-01-01"),
    ]:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("Error: the ") and "is after now" in result.output
        assert len(result.output.splitlines()) == 1, result.output
    assert snapshot(engine) == before
    # Today in the zone furthest ahead of UTC has begun there: taken.
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).date().isoformat()
    story("claim", "comment", "q", "--by", "A", "--at", today, "--tz", "+14:00")


def test_a_day_has_begun_from_its_start_in_its_own_offset():
    from claimtrack.errors import UsageError
    from claimtrack.times import begun, parse_when

    day = parse_when("2026-05-02", "+14:00")  # from 2026-05-01 10:00Z
    start = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)
    assert begun(day, now_at=start) == day
    with pytest.raises(UsageError, match=r"^the said time 2026-05-02 \(\+14:00\) is after now"):
        begun(day, now_at=start - dt.timedelta(seconds=1))


def test_a_stance_dated_after_now_kept_from_before_is_not_reported_yet(story, monkeypatch):
    """A database may hold a stance dated after now, written before such times were
    refused: reports without --until/--as-of are as of now, as with `now`, and a date not
    yet come is nobody's last activity."""
    from claimtrack import times

    ok = story
    with monkeypatch.context() as m:  # as the desk wrote it before the refusal
        m.setattr(times, "begun", lambda when, what="said", now_at=None: when)
        ok("claim", "comment", "q", "--by", "A", "--at", "2999-10-18", "--tz", "+03:00")
    as_json = ("--format", "json")
    default = json.loads(ok("report", "changes", "--since", DAY[1], *as_json))
    assert default, "the story's changes"
    assert "2999" not in json.dumps(default)
    assert default == json.loads(ok("report", "changes", "--since", DAY[1], "--until", "now",
                                    *as_json))  # fmt: skip
    for command in (("report", "contested"), ("report", "claims"), ("claim", "list")):
        rows = json.loads(ok(*command, *as_json))
        assert rows == json.loads(ok(*command, "--as-of", "now", *as_json)), command
        assert "2999" not in json.dumps(rows), command
    # `claim show` lists it still, with its id, for the desk to correct it (stance amend).
    assert "2999-10-18" in ok("claim", "show", "q")


def test_a_window_lists_no_counter_claim_of_a_claim_stated_after_it(story, monkeypatch):
    """The al-Ahli story: "about 500 killed" on 1 June 21:00 +03:00, answered by "100 to
    300" on 2 June (-04:00). 1-2 June (+03:00) ends before that (-04:00) day does: it listed
    "500 killed" as a new counter-claim of "100 to 300", dated before that was stated,
    which the enclosing 1-3 June did not. A window lists what an enclosing one does."""
    from claimtrack import report

    ok = story
    ok("claim", "add", "About 500 killed", "--by", "A", "--at", "2026-06-01T21:00+03:00",
       "--slug", "t500")  # fmt: skip
    ok("claim", "counter", "t500", "100 to 300 killed", "--by", "D", "--at", "2026-06-02",
       "--tz", "-04:00", "--slug", "t100")  # fmt: skip

    def changes(until):
        args = ("report", "changes", "--since", "2026-06-01", "--until", until, "--tz", "+03:00",
                "--format", "json")  # fmt: skip
        rows = json.loads(ok(*args))
        for size in (1, 2):  # the same rows however the time is cut into windows
            monkeypatch.setattr(report, "CHANGES_WINDOW", size)
            assert json.loads(ok(*args)) == rows
        monkeypatch.undo()
        return [(r["change"], r["claim"], r["at"], r["at_tz"], r["detail"]) for r in rows]

    narrow, wide = changes("2026-06-02"), changes("2026-06-03")
    assert [r for r in narrow if r[0] == "new counter-claim"] == []
    assert [r for r in wide if r[0] == "new counter-claim"] == [
        ("new counter-claim", "About 500 killed", "2026-06-02", "-04:00", "#4: 100 to 300 killed")
    ]
    assert set(narrow) <= set(wide)


def test_a_report_as_of_a_time_not_yet_come_says_so(run, engine):
    """Crocus: `report contested --as-of 2030-01-01` (a year typed wrong) printed today's
    report without a word, read as the day asked for. It still answers (as things stand
    now) and says on stderr that the time has not come; a past --as-of says nothing."""
    when = ("--by", "A", "--create-missing", "--at", "2024-03-22")
    assert run("claim", "add", "Gunmen attacked the hall", *when).exit_code == 0
    assert run("claim", "deny", "1", "--by", "B", "--create-missing", "--at",
               "2024-03-23").exit_code == 0  # fmt: skip
    future = run("report", "contested", "--as-of", "2030-01-01", "--format", "json")
    assert future.exit_code == 0 and len(json.loads(future.stdout)) == 1, future.output
    assert future.stderr == (
        "Note: --as-of 2030-01-01 (Z) has not come yet: this is the answer as things stand now\n"
    )
    known = run("report", "contested", "--known-at", "2031-05-01T10:00+02:00")
    assert known.exit_code == 0 and "Note: --known-at 2031-05-01 10:00+02:00 has not come" in (
        known.stderr
    )
    past = run("report", "contested", "--as-of", "2024-03-23")
    assert past.exit_code == 0 and "Note" not in past.stderr


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_instant_read_back_is_the_same_utc_instant_on_every_path(backend):
    """The one-call read of a stored instant (``UTCDateTime.result_processor``) gives
    what ``process_result_value`` gives, for the driver's usual value and the others."""
    from sqlalchemy.dialects import postgresql, sqlite

    from claimtrack.schema import UTCDateTime

    dialect = sqlite.dialect() if backend == "sqlite" else postgresql.psycopg.dialect()
    kind = UTCDateTime()
    read = kind.dialect_impl(dialect).result_processor(dialect, None)
    naive = dt.datetime(2026, 4, 12, 8, 30, 5, 120)
    if backend == "sqlite":  # text as SQLAlchemy writes it, and other ISO spellings
        values = [None, "2026-04-12 08:30:05.000120", "2026-04-12 08:30:05", "2026-04-12T08:30"]
    else:  # psycopg's naive datetime, and an aware one
        values = [None, naive, naive.replace(tzinfo=dt.timezone(dt.timedelta(hours=5)))]
    for value in values:
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        expected = kind.process_result_value(parsed, dialect)
        got = read(value)
        assert got == expected and (got is None or got.tzinfo is dt.UTC), value


def test_claim_show_as_of_a_time_not_yet_come_says_so(run, engine):
    """`claim show --as-of 2030-01-01` answered as things stand now without a word, where
    `report contested` notes it on stderr: the same note, once nothing is refused."""
    when = ("--by", "A", "--create-missing", "--at", "2024-03-22")
    assert run("claim", "add", "Gunmen attacked the hall", *when).exit_code == 0
    for fmt in ("table", "json"):
        future = run("claim", "show", "1", "--as-of", "2030-01-01", "--format", fmt)
        assert future.exit_code == 0 and "asserted" in future.stdout, future.output
        assert future.stderr == (
            "Note: --as-of 2030-01-01 (Z) has not come yet: "
            "this is the answer as things stand now\n"
        )
    known = run("claim", "show", "1", "--known-at", "2031-05-01T10:00+02:00")
    assert "Note: --known-at 2031-05-01 10:00+02:00 has not come" in known.stderr
    assert "Note" not in run("claim", "show", "1", "--as-of", "2024-03-23").stderr
    refused = run("claim", "show", "9", "--as-of", "2030-01-01")  # refused: no note
    assert refused.exit_code == 1 and "Note" not in refused.stderr, refused.output


def test_a_claim_whose_only_stance_was_voided_has_the_status_word_the_table_shows(run, engine):
    """Crocus: `claim show 11 --format json` gave "status": null for a claim whose only
    stance the desk voided, where the table says "unstated (not yet stated by anyone)"."""
    when = ("--by", "A", "--create-missing", "--at", "2024-03-22")
    assert run("claim", "add", "Something new", *when).exit_code == 0
    assert run("stance", "void", "1", "--reason", "typo").exit_code == 0
    [doc] = json.loads(run("claim", "show", "1", "--format", "json").stdout)
    assert doc["status"] == "unstated" and doc["timeline"] == [], doc
    assert "Status: unstated (not yet stated by anyone)" in run("claim", "show", "1").stdout


def test_amending_a_stance_voided_already_names_the_one_in_its_place(run, engine):
    """Crocus: a second `stance amend 10` said only "stance 10 was voided already ...";
    it names the stance the first amend recorded ("amend #2 instead"), following a chain
    of amends, and nothing is written; a stance only voided names none."""
    from conftest import snapshot

    when = ("--by", "A", "--create-missing", "--at", "2024-03-22")
    assert run("claim", "add", "Gunmen attacked the hall", *when).exit_code == 0
    for reason in ("day wrong", "hour wrong"):
        assert run("stance", "amend", str(1 if reason == "day wrong" else 2), "--at",
                   "2024-03-21" if reason == "day wrong" else "2024-03-20",
                   "--reason", reason).exit_code == 0  # fmt: skip
    before = snapshot(engine)
    again = run("stance", "amend", "1", "--at", "2024-03-19", "--reason", "again")
    assert again.exit_code == 1 and again.stderr.endswith("; amend #3 instead\n"), again.output
    assert snapshot(engine) == before
    assert run("stance", "void", "3", "--reason", "not said").exit_code == 0
    last = run("stance", "amend", "1", "--at", "2024-03-19", "--reason", "again")
    assert last.exit_code == 1 and "instead" not in last.stderr, last.output


@pytest.mark.parametrize(
    "at, says, given",
    [("2022-03-27T03:30", "did not happen in Europe/Kyiv (its clocks went from +02:00 to "
      "+03:00): check it, or give it with its offset and without --tz", ()),
     ("2022-10-30T03:30", "happened twice in Europe/Kyiv (at +03:00, then at +02:00): give "
      "its offset", ("--tz", "Europe/Kyiv"))],
)  # fmt: skip
def test_a_clock_time_a_zone_skipped_or_showed_twice_is_refused(run, engine, at, says, given):
    """Kramatorsk: `--at 2022-03-27T03:30 --tz Europe/Kyiv` was stored at +02:00, though
    Kyiv's clocks went from 03:00 to 04:00 that night, and 03:30 on 30 October (which
    came twice) quietly took +03:00: an hour off, either way, without a word. Such a
    time is refused, exit 2, nothing written; with its offset it is taken as given."""
    from conftest import snapshot

    before = snapshot(engine)
    refused = run("claim", "add", "The station was struck", "--by", "Ukraine",
                  "--create-missing", "--at", at, "--tz", "Europe/Kyiv")  # fmt: skip
    assert (refused.exit_code, refused.stdout) == (2, ""), refused.output
    assert refused.stderr == f"Error: time '{at}' {says}\n"
    assert snapshot(engine) == before
    done = run("claim", "add", "The station was struck", "--by", "Ukraine", "--create-missing",
               "--at", f"{at}+02:00", *given)  # fmt: skip
    assert done.exit_code == 0, done.output
    shown = json.loads(run("claim", "show", "1", "--format", "json").stdout)[0]
    said = shown["timeline"][0]
    assert (said["said_at"], said["said_tz"]) == (f"{at}+02:00", "+02:00")


def test_contested_since_is_said_as_the_claims_own_stance_was(run, engine):
    """nu21: two claims in one report, Claim A made contested by a denial at 15:00+03:00
    and Claim B first said at 14:00+02:00, the same instant: the table showed A "contested
    since 14:00+02:00", B's offset (the lookup was by instant over the whole batch). Each
    claim's own stance (or its counter-claim's) says it, in every output."""

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    ok("claim", "add", "Claim A", "--by", "Alpha", "--create-missing", "--at",
       "2023-06-09T10:00+03:00", "--topic", "t1")  # fmt: skip
    ok("claim", "deny", "1", "--by", "Beta", "--create-missing", "--at", "2023-06-09T15:00+03:00")
    ok("claim", "add", "Claim B", "--by", "Gamma", "--create-missing", "--at",
       "2023-06-09T14:00+02:00", "--topic", "t1")  # fmt: skip
    ok("claim", "deny", "2", "--by", "Beta", "--at", "2023-06-10T09:00+03:00")
    ok("claim", "confirm", "1", "--by", "Delta", "--create-missing", "--at",
       "2023-06-10T08:00+02:00")  # fmt: skip
    table = ok("report", "contested", "--tablefmt", "plain")
    a, b = table.index("Claim A"), table.index("Claim B")
    assert "2023-06-09 15:00+03:00" in table[a:] and "14:00+02:00" not in table
    assert "2023-06-10 09:00+03:00" in table[b:a] and "08:00+02:00" not in table[b:a]
    rows = {r["claim"]: r for r in json.loads(ok("report", "contested", "--format", "json"))}
    assert (rows["Claim A"]["contested_since"], rows["Claim A"]["contested_since_tz"]) == (
        "2023-06-09T15:00+03:00", "+03:00")  # fmt: skip
    assert rows["Claim B"]["contested_since"] == "2023-06-10T09:00+03:00"
    assert "contested since 2023-06-09 15:00+03:00" in ok("claim", "show", "1")
