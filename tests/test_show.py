"""What ``claim show`` and the JSON outputs show an editor, in a story a new user recorded
(the Kakhovka dam, 6 June 2023), on both backends: the desk's corrections (voided and
amending stances), one key for a claim's id, a party's name apart from its side, and
times written in JSON as tables print them."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from claimtrack.lookup import label_with_side

SAID = "2023-06-06T10:00Z"  # as the user typed it


@pytest.fixture
def kakhovka(run, engine, monkeypatch):
    """Leontyev (for Russia) says Ukraine blew up the dam; Ukraine denies it, twice by
    mistake: the desk voids the second denial and amends the first into a dispute."""
    monkeypatch.setenv("COLUMNS", "250")  # each table row on one line

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    ok("party", "add", "Russia", "--kind", "government")
    ok("party", "add", "Vladimir Leontyev", "--for", "Russia")
    ok("party", "add", "Ukraine", "--kind", "government")
    ok("claim", "add", "Ukraine blew up the Kakhovka dam", "--by", "Vladimir Leontyev",
       "--at", SAID, "--topic", "kakhovka", "--slug", "dam")  # fmt: skip
    ok("claim", "deny", "dam", "--by", "Ukraine", "--at", "2023-06-06T08:00+03:00")  # stance 2
    ok("claim", "deny", "dam", "--by", "Ukraine", "--at", "2023-06-06T09:00+03:00", "--again")
    return ok


def _show(ok, *args) -> dict:
    return json.loads(ok("claim", "show", "dam", *args, "--format", "json"))[0]


def test_claim_show_lists_voided_stances_and_marks_amending_ones(kakhovka):
    ok = kakhovka
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    time.sleep(1.2)
    ok("stance", "void", "3", "--reason", "recorded twice")
    ok("stance", "amend", "2", "--kind", "disputes", "--reason", "disputed, did not deny")

    detail = _show(ok)
    # The stances that count, as before: the amending one says what it replaced.
    assert [(t["stance_id"], t["kind"], t["amends"]) for t in detail["timeline"]] == [
        (4, "disputes", 2), (1, "asserts", None)
    ]  # fmt: skip
    # The voided ones, apart, with when, by whom and why, and what replaced them.
    voided = {t["stance_id"]: t for t in detail["voided"]}
    assert list(voided) == [2, 3]  # in said order
    assert voided[2]["kind"] == "denies" and voided[2]["amended_by"] == 4
    assert voided[2]["void_reason"] == "disputed, did not deny"
    assert voided[3]["void_reason"] == "recorded twice" and voided[3]["amended_by"] is None
    for t in voided.values():
        assert t["void_by"] == "test-editor"
        void_at = dt.datetime.fromisoformat(t["void_at"])
        assert t["void_at"].endswith("Z") and void_at >= before

    table = ok("claim", "show", "dam")
    lines = [line for line in table.splitlines() if "│ 2023-06-06" in line]
    stance_cells = [line.split("│")[3].strip() for line in lines]
    assert stance_cells[:2] == ["disputes (amends #2)", "asserts"]
    void_time = f"{dt.datetime.fromisoformat(voided[2]['void_at']):%Y-%m-%d %H:%M}Z"
    assert stance_cells[2:] == [
        f"denies [voided {void_time} by test-editor: disputed, did not deny; amended by #4]",
        f"denies [voided {void_time} by test-editor: recorded twice]",
    ]
    # The reports count what they counted: voided stances do not count.
    [row] = json.loads(ok("claim", "list", "--format", "json"))
    assert (row["status"], row["for"], row["against"]) == ("contested", 1, 1)
    assert [p["kind"] for p in detail["denied_or_countered_by"]] == ["disputes"]

    # As the desk knew it before the corrections: nothing voided, nothing amending.
    stamp = before.isoformat().replace("+00:00", "Z")
    then = _show(ok, "--known-at", stamp)
    assert [t["stance_id"] for t in then["timeline"]] == [2, 3, 1]
    assert then["voided"] == [] and {t["amends"] for t in then["timeline"]} == {None}
    assert "voided" not in ok("claim", "show", "dam", "--known-at", stamp)


def test_a_claim_whose_stances_were_all_voided_still_shows_them(kakhovka):
    ok = kakhovka
    for stance_id in ("1", "2", "3"):
        ok("stance", "void", stance_id, "--reason", "wrong claim")
    detail = _show(ok)
    assert detail["status"] is None and detail["timeline"] == []
    assert [t["stance_id"] for t in detail["voided"]] == [2, 3, 1]
    table = ok("claim", "show", "dam")
    assert "No stances" not in table and table.count("[voided ") == 3


def _claim_ids(ok, command: tuple[str, ...]) -> list:
    rows = json.loads(ok(*command, "--format", "json"))
    assert rows, command
    return [row["claim_id"] for row in rows]


def test_the_claim_id_has_one_key_in_every_json_output(kakhovka):
    ok = kakhovka
    ok("claim", "counter", "dam", "Russian forces blew up the dam", "--by", "Ukraine",
       "--at", "2023-06-06T07:00+03:00")  # fmt: skip
    assert _claim_ids(ok, ("claim", "list")) == [2, 1]
    assert _claim_ids(ok, ("report", "claims")) == [2, 1]
    assert sorted(_claim_ids(ok, ("report", "contested"))) == [1, 2]
    assert set(_claim_ids(ok, ("report", "changes", "--since", "2023-06-01"))) == {1, 2}
    assert _claim_ids(ok, ("claim", "show", "dam")) == [1]
    detail = _show(ok)
    assert {t["claim_id"] for t in detail["timeline"]} == {1, 2}  # the claim a stance is on
    assert [link["claim_id"] for link in detail["links"]] == [2]
    party = json.loads(ok("party", "show", "Ukraine", "--format", "json"))[0]
    assert {s["claim_id"] for s in party["stances"]} == {1, 2}
    # "id" stays, the same, where it was: for the scripts that read it.
    assert [r["id"] for r in json.loads(ok("claim", "list", "--format", "json"))] == [2, 1]
    assert detail["id"] == 1


def test_json_names_the_party_and_its_side_apart(kakhovka):
    ok = kakhovka
    detail = _show(ok)
    [row] = json.loads(ok("report", "contested", "--format", "json"))
    for record in (*detail["asserted_by"], *row["asserted_by"]):
        assert (record["party"], record["side"]) == ("Vladimir Leontyev", "Russia")
    for timeline in (detail["timeline"], row["timeline"]):
        leontyev = next(t for t in timeline if t["stance_id"] == 1)
        assert (leontyev["party"], leontyev["side"]) == ("Vladimir Leontyev", "Russia")
        assert label_with_side(leontyev["party"], leontyev["side"]) in ok("claim", "show", "dam")
    party = json.loads(ok("party", "show", "Vladimir Leontyev", "--format", "json"))[0]
    assert (party["name"], party["side"]) == ("Vladimir Leontyev", "Russia")
    ukraine = json.loads(ok("party", "show", "Ukraine", "--format", "json"))[0]
    assert ukraine["side"] == "Ukraine"
    # The table keeps the label.
    assert "Vladimir Leontyev (Russia)" in ok("report", "contested")


def test_json_writes_a_utc_time_as_the_table_does(kakhovka):
    ok = kakhovka
    ok("verdict", "set", "dam", "--rating", "False")
    detail = _show(ok)
    leontyev = next(t for t in detail["timeline"] if t["stance_id"] == 1)
    assert (leontyev["said_at"], leontyev["said_tz"]) == (SAID, "+00:00")
    assert detail["asserted_by"][0]["said_at"] == SAID
    assert detail["periods"][-1]["since"] == SAID
    assert "2023-06-06 10:00Z" in ok("claim", "show", "dam")  # the table
    [row] = json.loads(ok("report", "contested", "--format", "json"))
    assert row["contested_since"] == row["last_activity"] == SAID
    [listed] = json.loads(ok("claim", "list", "--format", "json"))
    assert listed["last_activity"] == SAID
    # A time said in another offset keeps it.
    assert row["first_reported"] == "2023-06-06T08:00+03:00"
    # Instants the desk recorded are UTC: Z, in JSON and in tables alike.
    recorded = [t["recorded_at"] for t in detail["timeline"]]
    assert all(r.endswith("Z") and "+00:00" not in r for r in recorded), recorded
    [event] = json.loads(ok("log", "--format", "json", "--limit", "1"))
    assert event["at"].endswith("Z") and event["at"] in ok("log", "--limit", "1")
    verdict = json.loads(ok("verdict", "show", "dam", "--format", "json"))[0]
    assert verdict["at"].endswith("Z") and "+00:00" not in json.dumps(verdict["at"])
    assert detail["verdict"]["at"] == verdict["at"]
    changes = json.loads(ok("report", "changes", "--since", "2023-06-06", "--format", "json"))
    assert SAID in {c["at"] for c in changes}
    # CSV, the interchange format, keeps ISO 8601's other form, read back by import csv.
    assert "2023-06-06T10:00+00:00" in ok("export", "csv", "--per", "stance", "--no-bom")
