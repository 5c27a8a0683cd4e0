"""What ``claim show`` and the JSON outputs show an editor, in a story a new user recorded
(the Kakhovka dam, 6 June 2023), on both backends: the desk's corrections (voided and
amending stances), one key for a claim's id, a party's name apart from its side, and
times written in JSON as tables print them."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
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
    # each stance's own void time: the two voids may fall either side of a minute
    void_times = [f"{dt.datetime.fromisoformat(voided[i]['void_at']):%Y-%m-%d %H:%M}Z"
                  for i in (2, 3)]  # fmt: skip
    assert stance_cells[2:] == [
        f"denies [voided {void_times[0]} by test-editor: disputed, did not deny; amended by #4]",
        f"denies [voided {void_times[1]} by test-editor: recorded twice]",
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
    assert detail["status"] == "unstated" and detail["timeline"] == []
    assert [t["stance_id"] for t in detail["voided"]] == [2, 3, 1]
    table = ok("claim", "show", "dam")
    assert "No stances" not in table and table.count("[voided ") == 3


def _claim_ids(ok, command: tuple[str, ...]) -> list:
    rows = json.loads(ok(*command, "--format", "json"))
    assert rows, command
    return [row["claim_id"] for row in rows]


def test_the_claim_id_has_one_key_in_every_json_output(kakhovka):
    ok = kakhovka
    time.sleep(1.1)  # the counter-claim recorded a second after the rest (a known-at apart)
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
    # the table as every table prints a time: a blank for the "T" (the balloon user)
    assert event["at"].endswith("Z") and event["at"].replace("T", " ") in ok("log", "--limit", "1")
    verdict = json.loads(ok("verdict", "show", "dam", "--format", "json"))[0]
    assert verdict["at"].endswith("Z") and "+00:00" not in json.dumps(verdict["at"])
    assert detail["verdict"]["at"] == verdict["at"]
    changes = json.loads(ok("report", "changes", "--since", "2023-06-06", "--format", "json"))
    assert SAID in {c["at"] for c in changes}
    # CSV, the interchange format, keeps ISO 8601's other form, read back by import csv.
    assert "2023-06-06T10:00+00:00" in ok("export", "csv", "--per", "stance", "--no-bom")


# -- tables at the widths an editor's terminal has ------------------------------------

# The Al-Ahli hospital explosion (Gaza, 17 October 2023), as a new user recorded it: at
# 100 to 120 columns the tables cut names in the middle of a word ("Netanyah|u", "Gaza
# Mi|nistry of Health") while each count took its whole header's width, and the parties
# report was wider than the terminal.
AHLI_NAMES = ("Benjamin Netanyahu", "Israel Defense Forces", "Gaza Ministry of Health",
              "Palestinian Islamic Jihad", "Al Jazeera", "Daniel Hagari",
              "سپاه پاسداران انقلاب اسلامی", "中华人民共和国外交部")  # fmt: skip
AHLI_COMMANDS = (
    ("claim", "show", "hospital"), ("report", "parties"), ("report", "parties", "--by", "side"),
    ("report", "contested"), ("report", "claims"), ("party", "show", "Benjamin Netanyahu"),
    ("party", "list"), ("verdict", "show", "rocket"),
    ("report", "changes", "--since", "2023-10-01", "--until", "2023-10-31"),
)  # fmt: skip


AHLI_STORY = (
    ("party", "add", "Israel Defense Forces", "--kind", "government"),
    ("party", "add", "Gaza Ministry of Health", "--kind", "government"),
    ("party", "add", "Palestinian Islamic Jihad", "--kind", "organisation"),
    ("party", "add", "Al Jazeera", "--kind", "media"),
    ("party", "add", "Daniel Hagari", "--for", "Israel Defense Forces"),
    ("party", "add", "سپاه پاسداران انقلاب اسلامی", "--kind", "government"),
    ("party", "add", "中华人民共和国外交部", "--kind", "government"),
    ("party", "add", "Benjamin Netanyahu", "--description", "Prime Minister of Israel"),
    ("claim", "add", "An Israeli airstrike hit the Al-Ahli Arab Hospital, killing 500 people",
     "--by", "Gaza Ministry of Health", "--at", "2023-10-17T19:00+03:00", "--topic", "ahli",
     "--slug", "hospital", "--quote", "Israeli occupation massacre at the Baptist hospital"),
    ("claim", "deny", "hospital", "--by", "Israel Defense Forces",
     "--at", "2023-10-17T23:00+03:00"),
    ("claim", "deny", "hospital", "--by", "Benjamin Netanyahu", "--at", "2023-10-18T01:00+03:00",
     "--quote", "It was barbaric terrorists in Gaza that attacked the hospital"),
    ("claim", "confirm", "hospital", "--by", "سپاه پاسداران انقلاب اسلامی",
     "--at", "2023-10-18T10:00+03:30"),
    ("claim", "counter", "hospital", "A misfired Palestinian Islamic Jihad rocket hit the car park",
     "--by", "Israel Defense Forces", "--at", "2023-10-18T02:00+03:00", "--slug", "rocket"),
    ("claim", "deny", "rocket", "--by", "Palestinian Islamic Jihad",
     "--at", "2023-10-18T09:00+03:00"),
    ("claim", "confirm", "rocket", "--by", "Daniel Hagari", "--at", "2023-10-18T20:00+03:00"),
    ("claim", "comment", "hospital", "--by", "中华人民共和国外交部",
     "--at", "2023-10-18T15:00+08:00", "--quote", "中方对加沙医院遭袭事件深感震惊"),
    ("claim", "dispute", "rocket", "--by", "Al Jazeera", "--at", "2023-10-19"),
    ("verdict", "set", "rocket", "--rating", "Likely", "--as", "mostly-true",
     "--summary", "US, UK and French intelligence assessments"),
)  # fmt: skip


@pytest.fixture
def ahli(run, engine):
    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    for command in AHLI_STORY:
        ok(*command)
    return ok


def _tables(out: str) -> list[list[str]]:
    """The lines of each box-drawn table in ``out``."""
    found: list[list[str]] = []
    for line in out.splitlines():
        if line.startswith("┌"):
            found.append([])
        if found and (found[-1] == [] or not found[-1][-1].startswith("└")):
            found[-1].append(line)
    return found


def _cells(table: list[str]) -> tuple[list[list[str]], list[list[list[str]]]]:
    """A table's header cells and its rows' cells, each cell the lines it has."""
    rows: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in table[1:]:
        if line.startswith(("├", "└")):
            rows.append([[x for x in column if x] for column in zip(*current, strict=True)])
            current = []
        else:
            current.append([part.strip() for part in line.split("│")[1:-1]])
    return rows[0], rows[1:]


def _columns_at(line: str) -> list[int]:
    """Where (in terminal columns) the borders of a table line are."""
    from wcwidth import wcswidth

    return [wcswidth(line[:i]) for i, ch in enumerate(line) if ch in "│┌┐└┘├┤┬┴┼"]


@pytest.mark.parametrize("columns", [80, 100, 110, 120, 160])
def test_tables_cut_no_word_of_a_name_and_fit_the_terminal(ahli, monkeypatch, columns):
    """At each width every table fits the terminal, its borders in line (Persian and
    Chinese names measured as the terminal draws them), and no cell cuts a word that
    its column can hold: "Netanyahu", "Ministry", "پاسداران" stay whole."""
    monkeypatch.setenv("COLUMNS", str(columns))
    # Chinese breaks between any two characters: its name is no word to keep whole.
    words = {w for name in AHLI_NAMES[:-1] for w in name.split()} | {
        "Prime", "Minister", "government", "organisation", "intelligence", "assessments"
    }  # fmt: skip
    for command in AHLI_COMMANDS:
        out = ahli(*command)
        if not _tables(out):  # too narrow for a table's words: a row at a time, words whole
            from wcwidth import wcswidth

            assert columns < 100 and out.count("─" * (columns - 1)) >= 1, (command, out)
            assert max(wcswidth(line) for line in out.splitlines()) < columns, (command, out)
            continue
        for table in _tables(out):
            assert all(_columns_at(line) == _columns_at(table[0]) for line in table), out
            assert _columns_at(table[0])[-1] < columns, (command, columns, out)
            for row in _cells(table)[1]:
                for cell in row:
                    for above, below in itertools.pairwise(cell):
                        joined = above.split()[-1] + below.split()[0]
                        assert joined not in words, (command, columns, joined, out)


@pytest.mark.parametrize("columns", [80, 100, 110, 120, 160])
def test_names_and_headers_keep_every_character(ahli, monkeypatch, columns):
    """A name is never cut short (no "Palestinian Islamic…"), nor a header: a count's
    header wraps ("counter_" over "claims") instead of widening its column, a word of it
    hyphenated where it must be ("asser-" over "ted"), never in pieces of a letter or two
    (Crocus at 80 columns: "as/se/rt/ed"): a table that cannot give its headers that much
    is shown a row at a time, each header whole."""
    monkeypatch.setenv("COLUMNS", str(columns))
    counts = ["asserted", "denied", "retractions", "counter_claims", "contested", "stances"]
    out = ahli("report", "parties")
    if not _tables(out):
        assert columns < 100, out
        labels = {line.split()[0] for line in out.splitlines() if line[:1].isalpha()}
        assert set(counts) <= labels, out
        return
    [table] = _tables(out)
    headers, rows = _cells(table)
    assert [_unhyphenated(h) for h in headers] == ["party", "side", "kind", *counts]
    assert all(len(h) <= 3 for h in headers), table[:5]
    assert {_solid(row[0]) for row in rows} == {_solid([n]) for n in AHLI_NAMES}
    sides = {_solid([n]) for n in AHLI_NAMES if n != "Daniel Hagari"}
    assert {_solid(row[1]) for row in rows} == sides
    [table] = _tables(ahli("report", "parties", "--by", "side"))
    assert {_solid(row[0]) for row in _cells(table)[1]} == sides
    if columns >= 110:  # room for every name's words and every header's
        assert all(len(h) <= 2 for h in headers), table[:4]
    [table] = _tables(ahli("claim", "show", "hospital"))
    parties = {_solid(row[1]) for row in _cells(table)[1]}
    named = [*AHLI_NAMES[:5], "Daniel Hagari (Israel Defense Forces)", *AHLI_NAMES[6:]]
    assert parties == {_solid([n]) for n in named}


def _unhyphenated(lines: list[str]) -> str:
    """A header's lines as one word, without the hyphens its broken words end in."""
    return "".join(line[:-1] if line.endswith("-") and line[:-1].isalpha() else line
                   for line in lines[:-1]) + lines[-1]  # fmt: skip


def _solid(lines: list[str]) -> str:
    """A cell's characters without the blanks that wrapping takes or adds."""
    return "".join("".join(lines).split())


def test_header_lines_break_after_underscores_and_keep_every_character():
    from claimtrack.render import header_lines

    assert header_lines("counter_claims", 8) == "counter_\nclaims"
    assert header_lines("counter_claims", 7) == "counter\n_claims"  # no "_" alone
    assert header_lines("counter_claims", 20) == "counter_claims"
    assert header_lines("denied /\ncountered by", 9) == "denied /\ncountered\nby"
    # hyphenated where a dictionary would ("retra-" over "ctions" read as two non-words)
    assert header_lines("retractions", 7) == "retrac-\ntions"
    assert header_lines("retractions", 6) == "re-\ntrac-\ntions"
    assert header_lines("contested", 6) == "con-\ntested"  # not "conte-" over "sted"
    assert header_lines("counter_claims", 6) == "coun-\nter_\nclaims"
    assert header_lines("asserted", 5) == "as-\nsert-\ned"
    assert header_lines("zzzzzzzz", 5) == "zzzz-\nzzzz"  # a word HYPHENS lacks: by columns


def test_every_header_word_says_where_it_may_be_hyphenated():
    """A table's header word that may be narrower than its column (longer than
    HEADER_MIN) is in HYPHENS, so no header of any table is broken by columns."""
    from claimtrack import render

    views = [v for v in vars(render).values() if isinstance(v, render.View)]
    words = set()
    for view in [*views, render.timeline_view(1)]:
        headers = [c.header for c in view.table] if view.table else list(view.headers)
        words |= {w for h in headers for w in re.split(r"[\s_/]+", h) if len(w) > 5}
    assert words - set(render.HYPHENS) == set()
    assert all("".join(parts) == word for word, parts in render.HYPHENS.items())


@pytest.mark.parametrize("columns", [80, 90, 100])
def test_headers_break_only_where_a_dictionary_hyphenates(ahli, monkeypatch, columns):
    """A narrow count's header read "retra-" over "ctions" and "conte-" over "sted"
    (`report parties --by side` at 80 columns): a word is hyphenated only between the
    parts HYPHENS gives it ("re-" "trac-" "tions")."""
    from claimtrack.render import HYPHENS

    monkeypatch.setenv("COLUMNS", str(columns))
    broken = 0
    for args in (("report", "parties"), ("report", "parties", "--by", "side")):
        for table in _tables(ahli(*args)):
            for header in _cells(table)[0]:
                whole, at = _unhyphenated(header), 0
                for line in header[:-1]:
                    at += len(line) - line.endswith("-")
                    if line.endswith("-"):  # the word it breaks, and where
                        start = re.split(r"[\s_]", whole[:at])[-1]
                        word = start + re.split(r"[\s_]", whole[at:])[0]
                        assert start in set(itertools.accumulate(HYPHENS[word])), header
                        broken += 1
    assert broken or columns == 100, columns  # the 80 and 90 columns tables break some


def test_a_claim_is_found_by_its_text(run, engine):
    """A CSV-imported claim has no slug: a new user's `claim show "The flooding killed
    dozens in occupied Oleshky"` said "unknown claim". Its text, as `claim add` compares
    texts, names it; a text two claims share is refused with their ids."""
    when = ("--create-missing", "--at", "2023-06-13")

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        return result

    ok("claim", "add", "The flooding killed dozens in occupied Oleshky", "--by", "V", *when)
    shown = ok("claim", "show", "the flooding  killed dozens in occupied Oleshky.")
    assert shown.stdout.startswith("Claim #1 ") and "merged" not in shown.output
    ok("claim", "deny", "The flooding killed dozens in occupied Oleshky", "--by", "S", *when)
    [row] = json.loads(ok("report", "contested", "--format", "json").stdout)
    assert row["claim_id"] == 1
    ok("claim", "add", "The flooding killed dozens in occupied Oleshky", "--by", "V",
       "--topic", "other", *when)  # fmt: skip
    refused = run("claim", "show", "The flooding killed dozens in occupied Oleshky")
    assert refused.exit_code == 1 and "(#1, #2)" in refused.output, refused.output
    ok("claim", "merge", "2", "1")  # one claim again
    assert ok("claim", "show", "The flooding killed dozens in occupied Oleshky").stdout.startswith(
        "Claim #1 "
    )
    unknown = run("claim", "show", "The flooding killed nobody")
    assert unknown.exit_code == 1 and "unknown claim" in unknown.output


@pytest.mark.parametrize("columns", [60, 80])
def test_claim_show_heading_lines_fit_the_terminal_with_words_whole(
    run, engine, monkeypatch, columns
):
    """Kakhovka at 80 columns: `claim show`'s heading lines were printed as they came,
    one 91 columns wide ("contradicted by #4: Ukraine destroyed the dam to redeploy forces
    for its counteroffensive"). Each is wrapped at blanks, within the terminal."""
    from wcwidth import wcswidth

    monkeypatch.setenv("COLUMNS", str(columns))
    texts = [
        "Russian forces blew up the Kakhovka dam on the night of the sixth of June",
        "Ukraine destroyed the dam to redeploy forces for its counteroffensive",
        "Підрив Каховської ГЕС лише підтверджує для всього світу, що їх потрібно вигнати",
    ]
    when = ("--create-missing", "--at", "2023-06-06")
    assert run("claim", "add", texts[0], "--by", "Zelensky", *when, "--slug", "dam").exit_code == 0
    for text in texts[1:]:
        assert run("claim", "counter", "dam", text, "--by", "Shoigu", *when).exit_code == 0
    out = run("claim", "show", "dam").stdout
    heading = out.split("\n\n", 1)[0].splitlines()
    assert max(wcswidth(line) for line in heading) <= columns, out
    words = {w for line in heading for w in line.split()}
    for text in texts:
        assert set(text.split()) <= words, (text, heading)  # every word whole on a line


@pytest.mark.parametrize("columns", [80, 120])
def test_a_table_too_narrow_for_its_words_is_shown_row_by_row(run, engine, monkeypatch, columns):
    """Kakhovka at 80 columns: `claim show`'s timeline cut a quote's words ("Російсь|ка"):
    the words of its seven columns side by side need more than 80. Such a table is shown
    a row at a time, "header  value" a line (as psql's expanded display), every word
    whole; where the words fit side by side (120 columns), it stays a table. So is a
    table whose headers could only be had in pieces of a letter or two (Crocus: `report
    parties` at 80 read "as/se/rt/ed"); at 100 it is a table, a header's word hyphenated."""
    from wcwidth import wcswidth

    monkeypatch.setenv("COLUMNS", str(columns))
    quote = "Російська армія вчергове розписалася у своєму терорі"
    when = ("--create-missing", "--at", "2023-06-06T07:12+03:00")
    assert run("claim", "add", "Russian forces blew up the Kakhovka dam", "--by",
               "Operational Command South", *when, "--slug", "dam",
               "--quote", quote, "--url", "https://t.me/ok_pivden/1234").exit_code == 0  # fmt: skip
    assert run("claim", "deny", "dam", "--by", "Dmitry Peskov", *when).exit_code == 0
    for args in (
        ("claim", "show", "dam"),
        ("report", "parties"),
        ("report", "parties", "--by", "side"),
    ):
        out = run(*args).stdout
        assert max(wcswidth(line) for line in out.splitlines()) <= columns, out
        tabled = "┌" in out
        words = {w.strip("│,") for line in out.splitlines() for w in line.split()}
        if args[0] == "claim":
            assert tabled == (columns == 120), out
            assert set(quote.split()) <= words, out  # every word of the quote whole
        else:  # names whole; counts' headers whole, or hyphenated only in a table
            assert tabled or columns < 100, out
            assert {"Peskov", "Operational", "Command", "South"} <= words, out
            if not tabled:  # 80: the counts' headers would be "as/se/rt/ed" in a table
                assert {"asserted", "retractions", "counter_claims"} <= words, out


def _texts_shown(out: str) -> str:
    """What a table or its rows-at-a-time form shows, column by column, without the
    blanks wrapping takes or adds: a text wrapped in a cell reads whole here."""
    if not _tables(out):
        return "".join(out.split())
    shown = []
    for table in _tables(out):
        for row in _cells(table)[1]:
            shown.extend(_solid(cell) for cell in row)
    return "|".join(shown)


@pytest.mark.parametrize("columns", [80, 100, 120])
def test_texts_addresses_and_summaries_wrap_whole_in_tables(run, engine, monkeypatch, columns):
    """Crocus at 80 and 100 columns: a claim lost its last word ("...to cross the…"), the
    Reuters address in `source list` ended in "moscow-…" (a copied link was broken) and
    `verdict show` cut its summary while three empty columns kept their width. Texts,
    addresses, summaries and names wrap, every character there, no line wider than the
    terminal; a column empty in every row gives up its width."""
    from wcwidth import wcswidth

    monkeypatch.setenv("COLUMNS", str(columns))
    url = ("https://www.reuters.com/world/europe/islamic-state-claims-moscow-attack-"
           "2024-03-22/?utm_source=desk&share=1")  # fmt: skip
    claim = ("The attackers were heading to Ukraine, where a window had been prepared "
             "for them to cross the border, Путин сказал; 他们试图逃往乌克兰边境; "
             "قال بوتين إن نافذة أعدت لهم")  # fmt: skip
    summary = ("The clip was assembled from unrelated interviews, and the voice does not "
               "match any recording of the secretary")  # fmt: skip
    when = ("--create-missing", "--at", "2024-03-23T15:30+03:00")
    assert run("source", "add", "Islamic State claims responsibility for deadly attack",
               "--outlet", "Reuters", "--url", url, "--create-missing").exit_code == 0  # fmt: skip
    assert run("claim", "add", claim, "--by", "Vladimir Putin", *when,
               "--slug", "window").exit_code == 0  # fmt: skip
    party = "Center for Countering Disinformation of the National Security Council"
    assert run("claim", "deny", "window", "--by", party, *when).exit_code == 0
    assert run("verdict", "set", "window", "--rating", "False", "--as", "false",
               "--summary", summary, "--url", url).exit_code == 0  # fmt: skip
    solid = "".join
    for args, texts in (
        (("source", "list"), [url]),
        (("verdict", "show", "window"), [summary, url]),
        (("report", "contested"), [claim, party]),  # a name whole too, never "Center…"
        (("claim", "list"), [claim]),
        (("report", "changes", "--since", "2024-03-20"), [claim]),
    ):
        out = run(*args).stdout
        assert max(wcswidth(line) for line in out.splitlines()) <= columns, (args, out)
        assert "…" not in out, (args, out)
        shown = _texts_shown(out)
        for text in texts:
            assert solid(text.split()) in shown, (args, text, out)
    verdict = run("verdict", "show", "window").stdout
    assert "worst" not in verdict and "publisher" not in verdict, verdict  # all empty
    assert "summary" in verdict


def test_claim_show_as_of_lists_no_counter_claim_before_it_was_said(kakhovka):
    """Salisbury: `claim show russia-responsible --as-of 2018-03-11` listed
    "contradicted by #4" though #4 was first stated on the 15th. As of a time, a link
    shows only to a claim stated by then; known at a time, only a link recorded by then."""
    ok = kakhovka
    time.sleep(1.1)  # the counter-claim recorded a second after the rest (a known-at apart)
    ok("claim", "counter", "dam", "Russian forces blew up the dam", "--by", "Ukraine",
       "--at", "2023-06-07T12:00+03:00")  # fmt: skip
    linked = "contradicted by #2: Russian forces blew up the dam"
    assert linked in ok("claim", "show", "dam")
    assert linked in ok("claim", "show", "dam", "--as-of", "2023-06-07T12:00+03:00")
    early = ok("claim", "show", "dam", "--as-of", "2023-06-07T11:59+03:00")
    assert "Status: contested" in early and "contradicted by" not in early
    shown = json.loads(ok("claim", "show", "dam", "--as-of", "2023-06-06", "--format", "json"))
    assert shown[0]["links"] == []
    # recorded before the counter-claim: not known then, wherever its said time lies
    (event,) = [
        e for e in json.loads(ok("log", "--format", "json")) if e["action"] == "claim counter"
    ]
    recorded = dt.datetime.fromisoformat(event["at"].replace("Z", "+00:00"))
    known_at = (recorded - dt.timedelta(seconds=1)).isoformat()
    before = json.loads(ok("claim", "show", "dam", "--known-at", known_at, "--format", "json"))
    assert before[0]["status"] == "contested" and before[0]["links"] == []


def test_report_changes_at_80_columns_wraps_its_times_not_the_claims(kakhovka, monkeypatch):
    """Salisbury: at 80 columns `report changes` kept "when" (22 characters) and "change"
    on one line each and squeezed the claim to 11 characters, nine lines a row. The time
    and the change wrap at their spaces; the claim and the detail share what is left."""
    monkeypatch.setenv("COLUMNS", "80")
    table = kakhovka("report", "changes", "--since", "2023-06-05")
    header = next(line for line in table.splitlines() if "claim" in line and "detail" in line)
    widths = {cell.strip(): len(cell) for cell in header.strip("│").split("│")}
    assert widths["when"] < 16 and widths["change"] < 16, widths
    assert widths["claim"] >= 18 and widths["detail"] >= 18, widths
    assert "2023-06-06" in table and "10:00Z" in table  # the time whole, on two lines
    assert max(len(line) for line in table.splitlines()) <= 80


# -- the Wagner mutiny (23 June 2023): what a new user's claim show read backwards -------


@pytest.fixture
def mutiny(run, engine, monkeypatch):
    """The FSB calls it a mutiny at 23:15 Moscow time; Prigozhin denies it, date only, on
    the UTC day; the NYT's anonymous officials say, date only at -04:00, that Surovikin
    knew, and Peskov disputes it at 13:00 Moscow time that day."""
    monkeypatch.setenv("COLUMNS", "250")  # each table row on one line

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    for name in ("FSB", "Yevgeny Prigozhin", "Vladimir Putin", "Dmitry Peskov"):
        ok("party", "add", name)
    ok("party", "add", "--anonymous", "US officials")
    ok("claim", "add", "Prigozhin's actions are an armed mutiny", "--slug", "mutiny",
       "--by", "FSB", "--at", "2023-06-23T23:15+03:00", "--topic", "wagner-mutiny")  # fmt: skip
    ok("claim", "deny", "mutiny", "--by", "Yevgeny Prigozhin", "--at", "2023-06-23")
    ok("claim", "add", "Surovikin knew of the plans in advance", "--slug", "surovikin-knew",
       "--by", "US officials", "--at", "2023-06-28", "--tz", "-04:00",
       "--topic", "wagner-mutiny")  # fmt: skip
    ok("claim", "dispute", "surovikin-knew", "--by", "Dmitry Peskov",
       "--at", "2023-06-28T13:00+03:00")  # fmt: skip
    return ok


def test_a_utc_day_is_marked_as_utc_in_tables_as_other_days_are(mutiny):
    """A bare UTC day printed as ``2023-06-23`` beside ``23:15+03:00`` read as a Moscow
    day, so the period seemed to end before it began; JSON keeps the day and its zone."""
    ok = mutiny
    shown = ok("claim", "show", "mutiny")
    assert "asserted 2023-06-23 23:15+03:00 – 2023-06-23 (Z) (opposed)" in shown
    assert "contested since 2023-06-23 (Z)" in shown
    row = next(line for line in shown.splitlines() if "Yevgeny Prigozhin" in line)
    assert "2023-06-23 (Z)" in row
    # As --as-of and the day of a -04:00 stance are shown.
    assert "as of 2023-06-24 (Z)" in ok("claim", "show", "mutiny", "--as-of", "2023-06-24")
    assert "2023-06-28 (-04:00)" in ok("claim", "show", "surovikin-knew")
    detail = json.loads(ok("claim", "show", "mutiny", "--format", "json"))[0]
    denial = next(t for t in detail["timeline"] if t["kind"] == "denies")
    assert (denial["said_at"], denial["said_tz"]) == ("2023-06-23", "+00:00")


def test_claim_show_notes_a_first_report_that_an_earlier_dated_day_may_precede(mutiny):
    """First reported is the stance whose said time was over first (docs/model.md): here
    Peskov's dispute, so the history reads "denied" before anyone said it. claim show
    says that the day-only assertion may have been said before it."""
    ok = mutiny
    shown = ok("claim", "show", "surovikin-knew")
    assert (
        "first reported: Dmitry Peskov disputes, 2023-06-28 13:00+03:00; but US officials "
        "asserts, 2023-06-28 (-04:00), may have been said before it"
    ) in shown
    # JSON says the same (it said nothing): the two stances of its timeline, and the line.
    detail = json.loads(ok("claim", "show", "surovikin-knew", "--format", "json"))[0]
    note = detail["may_precede_first_reported"]
    stances = {t["stance_id"]: (t["party"], t["kind"]) for t in detail["timeline"]}
    assert stances[note["first_reported_stance_id"]] == ("Dmitry Peskov", "disputes")
    assert stances[note["stance_id"]] == ("US officials", "asserts")
    assert note["note"].startswith("first reported: Dmitry Peskov disputes, 2023-06-28 13:00")
    assert " ".join(note["note"].split()) in " ".join(shown.split())
    # Not where the first reported stance is the claim's own assertion.
    assert "first reported:" not in ok("claim", "show", "mutiny")
    mutiny = json.loads(ok("claim", "show", "mutiny", "--format", "json"))[0]
    assert mutiny["may_precede_first_reported"] is None
    # Nor where the assertion's day began only after the dispute was over.
    ok("claim", "add", "Wagner will move to Belarus", "--slug", "belarus", "--by", "FSB",
       "--at", "2023-06-24T10:00+03:00", "--topic", "wagner-mutiny")  # fmt: skip
    ok("claim", "deny", "belarus", "--by", "Yevgeny Prigozhin", "--at", "2023-06-24T09:00+03:00")
    assert "first reported:" not in ok("claim", "show", "belarus")
    belarus = json.loads(ok("claim", "show", "belarus", "--format", "json"))[0]
    assert belarus["may_precede_first_reported"] is None


def test_the_other_side_at_a_time_a_partys_stance_overlaps_needs_again(mutiny, run, engine):
    """Putin confirms at 10:00 and is then recorded denying at that same minute (a wrong
    --by, most often): the later record alone would turn his position round. Refused,
    naming the earlier stance, unless --again; nothing written."""
    from conftest import snapshot

    ok = mutiny
    ok("claim", "confirm", "mutiny", "--by", "Vladimir Putin", "--at", "2023-06-24T10:00+03:00")
    before = snapshot(engine)
    for at in (("2023-06-24T10:00+03:00",), ("2023-06-24", "--tz", "+03:00")):
        refused = run("claim", "deny", "mutiny", "--by", "Vladimir Putin", "--at", *at)
        assert refused.exit_code == 1, refused.output
        assert refused.output.count("\n") == 1 and refused.output.startswith(
            "Error: Vladimir Putin confirms claim 1 at 2023-06-24 10:00+03:00 (stance 5)"
        ), refused.output
        assert "pass --again to record it" in refused.output
        assert snapshot(engine) == before
    # Said plainly after it: a change of mind, recorded as any other.
    ok("claim", "deny", "mutiny", "--by", "Vladimir Putin", "--at", "2023-06-24T11:00+03:00")
    # Said at the same minute, when the editor means it.
    ok("claim", "confirm", "mutiny", "--by", "Vladimir Putin", "--at", "2023-06-24T11:00+03:00",
       "--again")  # fmt: skip
    rows = json.loads(ok("claim", "show", "mutiny", "--format", "json"))[0]["timeline"]
    putin = [t["kind"] for t in rows if t["party"] == "Vladimir Putin"]
    assert putin == ["confirms", "denies", "confirms"]
