"""CSV export: safe in spreadsheets, complete, and a round trip through import."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from claimtrack import record, report
from claimtrack.cli import cli
from claimtrack.db import open_database, write_session
from claimtrack.names import clean, one_line_breaker
from claimtrack.spreadsheet import neutralise, restore
from claimtrack.times import parse_when

ED = "test-editor"


@pytest.fixture
def seeded(run, engine):
    assert run("seed").exit_code == 0
    return run


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_per_claim_export_opens_in_excel(seeded, tmp_path):
    out = tmp_path / "claims.csv"
    result = seeded("export", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith("\ufeff".encode())  # BOM: Excel reads the Chinese right
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    rows = _rows(data.decode("utf-8"))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["claim_id", "topic", "slug", "claim", "status"]
    assert len(body) == 23
    unfreeze = next(dict(zip(header, r, strict=True)) for r in body if r[2] == "asset-unfreeze")
    assert unfreeze["status"] == "contested"
    assert unfreeze["asserted_by"] == "unnamed senior Iranian official (Iran)"
    assert unfreeze["denied_or_countered_by"] == "unnamed US official (United States)"
    assert unfreeze["sides"] == "for: Iran; against: United States"
    assert "美国已经同意解冻伊朗" in unfreeze["quotes"]
    # The day it was said, in the offset it was said in (not the UTC instant, a day earlier).
    assert unfreeze["first_reported"] == "2026-04-11"


@pytest.mark.parametrize("options", [(), ("--as-of", "2026-04-11"), ("--sort", "id"),
                                     ("--status", "contested")])  # fmt: skip
def test_per_stance_limit_counts_claims_as_per_claim_does(seeded, options):
    """--limit 3 with --per stance: the stances of the three claims --per claim lists
    (it was ignored: every stance was written)."""

    def export(*args):
        result = seeded("export", "csv", "--no-bom", "--limit", "3", *options, *args)
        assert result.exit_code == 0, result.output
        return _rows(result.stdout)

    claims = [r[0] for r in export()[1:]]
    stances = export("--per", "stance")
    ref = stances[0].index("claim_ref")
    refs = {r[ref] for r in stances[1:]}
    assert len(claims) == 3 and len(stances) >= 4  # the header and a stance a claim at least
    slugs = {r[2] or r[0] for r in export()[1:]}  # claim_ref: the slug, else the id
    assert refs == slugs, (claims, refs)


def test_no_bom_and_stdout(seeded):
    result = seeded("export", "csv", "--no-bom", "--status", "retracted")
    assert not result.stdout.startswith("\ufeff")
    rows = _rows(result.stdout)
    assert [r[2] for r in rows[1:]] == ["talks-extended"]


@pytest.mark.parametrize(
    "value, safe",
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'quoted", "''quoted"),
        ("552783667052167168", "'552783667052167168"),
        ("123456789012345", "123456789012345"),
        ("Vance = 21 hours", "Vance = 21 hours"),
        ("万斯", "万斯"),
    ],
)
def test_neutralise_and_restore(value, safe):
    assert neutralise(value) == safe
    assert restore(neutralise(value)) == value


@given(
    st.lists(
        st.one_of(
            st.text(alphabet=st.sampled_from("'=+-@\t\r01a ,\n\"")),
            st.from_regex(r"'?[0-9]{14,18}", fullmatch=True),
        ),
        max_size=6,
    )
)
def test_restore_all_is_restore_of_each_cell_and_undoes_neutralise(cells):
    """The import's fast path (``restore_all``) agrees with ``restore`` cell by cell, on
    cells as exported and as typed by hand."""
    from claimtrack.spreadsheet import restore_all

    assert restore_all([neutralise(c) for c in cells]) == cells
    assert restore_all(cells) == [restore(c) for c in cells]


def _record_hostile(session):
    iran = record.add_party(session, "=cmd|' /C calc'!A0", kind="government", editor=ED)
    claim = record.add_claim(session, "+1 destroyers =SUM(A1)", topic="t", editor=ED)
    outlet = record.add_party(session, "Twitter", kind="media", editor=ED)
    source, _ = record.get_or_add_source(session, "552783667052167168", outlet=outlet)
    record.add_stance(
        session,
        claim,
        iran,
        "asserts",
        said=parse_when("2026-04-11"),
        quote="@everyone -look",
        source=source,
        editor=ED,
    )
    session.commit()


def test_formulas_are_neutralised_and_raw_keeps_them(run, session):
    _record_hostile(session)
    safe = _rows(run("export", "csv", "--per", "stance").stdout)
    row = dict(zip(safe[0], safe[1], strict=True))
    assert row["claim"] == "'+1 destroyers =SUM(A1)"
    assert row["party"] == "'=cmd|' /C calc'!A0"
    assert row["quote"] == "'@everyone -look"
    assert row["source_title"] == "'552783667052167168"
    raw = _rows(run("export", "csv", "--per", "stance", "--raw").stdout)
    assert dict(zip(raw[0], raw[1], strict=True))["claim"] == "+1 destroyers =SUM(A1)"


def test_round_trip_is_byte_identical(seeded, tmp_path, db_url, backend, request):
    first = tmp_path / "first.csv"
    assert seeded("export", "csv", "--per", "stance", "--out", str(first)).exit_code == 0
    target = _fresh_database(backend, tmp_path, request)
    result = CliRunner().invoke(
        cli, ["--db", target, "import", "csv", str(first)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "30 stances" in result.output and "23 claims" in result.output
    second = tmp_path / "second.csv"
    CliRunner().invoke(
        cli,
        ["--db", target, "export", "csv", "--per", "stance", "--out", str(second)],
        catch_exceptions=False,
    )
    assert second.read_bytes() == first.read_bytes()
    # The per-claim view of the rebuilt database is the same as well.
    claims = [
        CliRunner().invoke(cli, ["--db", db, "export", "csv"]).stdout
        for db in (db_url.render_as_string(False), target)
    ]
    assert claims[0] == claims[1]


def test_parties_said_at_one_time_keep_their_order_through_a_round_trip(
    run, engine, db_url, tmp_path, backend, request
):
    # Two denials said the same day by parties created in the other order: the import
    # numbers parties as the file first names them, so an order by party id would swap
    # them in the rebuilt database's per-claim cells (found by a new user).
    assert run("party", "add", "Zeta Ministry").exit_code == 0
    assert run("party", "add", "Alpha Agency").exit_code == 0
    added = run("claim", "add", "The dam was blown up from inside", "--by", "Kyiv Post",
                "--create-missing", "--at", "2023-06-06", "--tz", "+03:00")  # fmt: skip
    assert added.exit_code == 0
    for party in ("Zeta Ministry", "Alpha Agency", "alpha agency office"):
        said = ["--at", "2023-06-07", "--tz", "+03:00"]
        if party.islower():
            assert run("party", "add", party).exit_code == 0
        assert run("claim", "deny", "1", "--by", party, *said).exit_code == 0
    stances = tmp_path / "stances.csv"
    assert run("export", "csv", "--per", "stance", "--out", str(stances)).exit_code == 0
    target = _fresh_database(backend, tmp_path, request)
    imported = CliRunner().invoke(cli, ["--db", target, "import", "csv", str(stances)])
    assert imported.exit_code == 0, imported.output
    cells = []
    for db in (db_url.render_as_string(False), target):
        rows = _rows(CliRunner().invoke(cli, ["--db", db, "export", "csv"]).stdout)
        cells.append(dict(zip(rows[0], rows[1], strict=True))["denied_or_countered_by"])
        shown = CliRunner().invoke(cli, ["--db", db, "claim", "show", "1", "--format", "json"])
        cells.append([p["party"] for p in json.loads(shown.stdout)[0]["denied_or_countered_by"]])
    # Code point order on both backends, whatever the database's collation.
    assert cells[0] == cells[2] == "Alpha Agency; Zeta Ministry; alpha agency office"
    assert cells[1] == cells[3]


def test_a_merge_that_leaves_one_stance_twice_round_trips(run, engine, tmp_path, backend, request):
    """After a claim merge a claim can hold one stance twice, the records apart only in
    recorded_at: the export writes both rows, and the import keeps both (it dropped the
    second as "already present", and the round trip lost a row; found by a new user)."""
    from claimtrack.render import STANCES

    texts = {1: ("It is an armed mutiny", "10"), 2: ("This is an armed revolt", "11")}
    rows = [{"topic": "mutiny", "claim_ref": str(n), "claim": text, "party": "Putin",
             "party_kind": "person", "stance": "asserts", "said_at": "2023-06-24",
             "said_tz": "+00:00", "recorded_at": f"2026-11-28T{hour}:00:00+00:00",
             "recorded_by": ED} for n, (text, hour) in texts.items()]  # fmt: skip
    given = tmp_path / "given.csv"
    with given.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, STANCES.headers)
        writer.writeheader()
        writer.writerows(rows)
    assert run("import", "csv", str(given)).exit_code == 0
    merged = run("claim", "merge", "2", "1")
    assert merged.exit_code == 0, merged.output
    assert merged.stdout == "Merged claim #2 into #1: 1 stance(s) moved.\n"
    assert merged.stderr.startswith("Note: 1 moved stance(s) repeat one #1 had (same party, "
                                    "stance, time, source and quote): #2;")  # fmt: skip
    first = tmp_path / "first.csv"
    assert run("export", "csv", "--per", "stance", "--out", str(first)).exit_code == 0
    assert len(_rows(first.read_text(encoding="utf-8"))) == 3  # the header, the stance twice
    target = _fresh_database(backend, tmp_path, request)
    imported = CliRunner().invoke(cli, ["--db", target, "import", "csv", str(first)])
    assert imported.exit_code == 0, imported.output
    assert "1 claim, 2 stances" in imported.output and "already present" not in imported.output
    second = tmp_path / "second.csv"
    exported = ["--db", target, "export", "csv", "--per", "stance", "--out", str(second)]
    assert CliRunner().invoke(cli, exported).exit_code == 0
    assert second.read_bytes() == first.read_bytes()
    # Into the database it came from, or the one it went to: nothing new, both present.
    for db in ([], ["--db", target]):
        again = CliRunner().invoke(cli, [*db, "import", "csv", str(first)]) if db else run(
            "import", "csv", str(first))  # fmt: skip
        assert "nothing new (2 stance(s) already present)" in again.output, again.output
    # Where the stance is held once, one of the two rows is new.
    once = tmp_path / "once.csv"
    with once.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, STANCES.headers)
        writer.writeheader()
        writer.writerow(rows[0])
    (tmp_path / "third").mkdir()
    third = _fresh_database(backend, tmp_path / "third", request)
    for path, added in ((once, "1 stance"), (first, "1 stance (1 stance(s) already present)")):
        result = CliRunner().invoke(cli, ["--db", third, "import", "csv", str(path)])
        assert added in result.output, result.output


def _fresh_database(backend, tmp_path, request) -> str:
    """Another empty database of the same backend, at head; its URL."""
    if backend == "sqlite":
        return str(tmp_path / "fresh.db")
    from conftest import admin_execute

    admin = request.getfixturevalue("pg_admin_url")
    name = f"claimtrack_fresh_{abs(hash(str(tmp_path))) % 10**8}"
    admin_execute(admin, f'CREATE DATABASE "{name}"')
    request.addfinalizer(lambda: admin_execute(admin, f'DROP DATABASE "{name}" WITH (FORCE)'))
    url = admin.set(database=name)
    open_database(url, create=True, create_schema=True).dispose()
    return url.render_as_string(False)


def test_import_twice_adds_nothing(seeded, tmp_path):
    out = tmp_path / "s.csv"
    seeded("export", "csv", "--per", "stance", "--out", str(out))
    result = seeded("import", "csv", str(out))
    assert "nothing new (30 stance(s) already present)" in result.output


def test_as_of_day_one_is_before_the_denial(run, engine):
    for args in [
        (
            "claim",
            "add",
            "Assets in Qatar unfrozen",
            "--by",
            "Iranian official",
            "--at",
            "2026-04-11",
            "--create-missing",
        ),
        ("claim", "deny", "1", "--by", "US official", "--at", "2026-04-12", "--create-missing"),
    ]:
        assert run(*args).exit_code == 0
    day1 = json.loads(
        run("report", "contested", "--as-of", "2026-04-11", "--format", "json").stdout
    )
    day2 = json.loads(
        run("report", "contested", "--as-of", "2026-04-12", "--format", "json").stdout
    )
    assert day1 == [] and [r["claim_id"] for r in day2] == [1]
    csv_day1 = _rows(run("export", "csv", "--as-of", "2026-04-11").stdout)
    assert dict(zip(csv_day1[0], csv_day1[1], strict=True))["status"] == "asserted"


def test_report_filters(seeded):
    def ids(*args):
        return sorted(
            r["claim_id"]
            for r in json.loads(seeded("report", "contested", *args, "--format", "json").stdout)
        )

    everything = ids()
    assert len(everything) == 11
    # Vance acts for the United States, so --party "United States" finds his claims.
    us = ids("--party", "United States")
    assert set(ids("--party", "Vance")) <= set(us)
    assert sorted(set(everything) - set(us)) == [5, 6]  # Western media v. Tasnim only
    us_for = ids("--party", "United States", "--side", "for")
    us_against = ids("--party", "美方", "--side", "against")
    assert us_for and us_against and set(us_for) | set(us_against) == set(us)
    anonymous = json.loads(seeded("report", "contested", "--anonymous", "--format", "json").stdout)
    assert anonymous and all(r["anonymous_only"] for r in anonymous)
    # Claims 1-3 were last active on 11 April in Islamabad (+05:00), date only: a day that
    # overlaps 11 April UTC, and was over before 12 April began there.
    assert ids("--since", "2026-04-11") == everything
    assert ids("--since", "2026-04-12", "--tz", "+05:00") == sorted(set(everything) - {1, 2, 3})
    assert ids("--until", "2026-04-11T23:59+05:00") == [1, 2, 3]
    unknown = seeded("export", "csv", "--topic", "elsewhere")
    assert unknown.exit_code == 1 and unknown.output == "Error: unknown topic 'elsewhere'.\n"
    by_id = [
        r["claim_id"]
        for r in json.loads(
            seeded("report", "contested", "--sort", "id", "--format", "json").stdout
        )
    ]
    assert by_id == sorted(by_id)


def test_report_claims_and_parties(seeded):
    retracted = json.loads(
        seeded("report", "claims", "--status", "retracted", "--format", "json").stdout
    )
    assert [r["slug"] for r in retracted] == ["talks-extended"]
    sides = json.loads(seeded("report", "parties", "--by", "side", "--format", "json").stdout)
    iran = next(s for s in sides if s["side"] == "Iran")
    assert iran["retractions"] == 1 and iran["counter_claims"] >= 3
    parties = json.loads(seeded("report", "parties", "--format", "json").stdout)
    tasnim = next(p for p in parties if p["party"] == "Tasnim News Agency")
    assert (tasnim["denied"], tasnim["contested"]) == (2, 4)


def test_table_fits_a_narrow_terminal(seeded, monkeypatch):
    from wcwidth import wcswidth

    monkeypatch.setenv("COLUMNS", "80")
    out = seeded("report", "contested").stdout
    assert max(wcswidth(line) for line in out.splitlines()) <= 80
    assert "…" in out  # long quotes are cut, with an ellipsis


MINISTRIES = ["Gaza Health Ministry of the Strip, Gaza City office",
              "加沙地带卫生部新闻办公室发言人阿什拉夫·古德拉博士"]  # fmt: skip


@pytest.mark.parametrize("ministry", MINISTRIES)
def test_two_counter_claims_never_show_as_the_same_cell(run, engine, monkeypatch, ministry):
    """One party's two counter-claims: however narrow the table, and however wide the
    party's name (CJK is two columns a character), each cell keeps its claim's number,
    so the editor can tell which counter-claim is meant (both cells used to read
    "Gaza Health Ministry (Hamas) [counter-claim…"), and the party's whole name."""
    from wcwidth import wcswidth

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, result.output
        return result.stdout

    ok("claim", "add", "The death toll was probably between 100 and 300", "--by",
       "unnamed US intelligence official", "--topic", "t", "--slug", "low",
       "--create-missing")  # fmt: skip
    for toll in ("500", "471"):  # claims #2 and #3
        ok("claim", "counter", "low", f"{toll} people were killed in the hospital blast",
           "--by", ministry, "--create-missing")  # fmt: skip
    for columns in ("80", "100"):
        monkeypatch.setenv("COLUMNS", columns)
        out = ok("report", "contested", "--topic", "t")
        assert max(wcswidth(line) for line in out.splitlines()) <= int(columns)
        row = re.split(r"│ +1 │", out, maxsplit=1)[1].split("├", 1)[0]  # the toll-100-300 row
        column = "\n".join(line.split("│")[4].strip() for line in row.splitlines() if "│" in line)
        cells = column.split("[counter-claim")
        # The marks, whole (the later said first: both "now", maybe within one second).
        assert sorted(re.findall(r"#\d\]", cells[1] + cells[2])) == ["#2]", "#3]"], out
        # The name whole too, as names are everywhere (it used to be cut: "Gaza Health…").
        # (``row`` starts after the row's first line: the name's end, to its last word)
        assert "".join(ministry.split()).endswith("".join(cells[0].split())), out
        assert "…" not in column, out


def test_fit_keeping_cuts_the_text_never_the_mark():
    from wcwidth import wcswidth

    from claimtrack.render import fit, fit_keeping

    name = "加沙地带卫生部新闻办公室发言人阿什拉夫·古德拉博士"
    one = fit_keeping(name, "[counter-claim #12]", 16, 3)
    other = fit_keeping(name, "[counter-claim #13]", 16, 3)
    assert one != other and one.endswith("#12]") and other.endswith("#13]")
    assert all(wcswidth(line) <= 16 for line in one.splitlines())
    assert "…" in one  # the name was cut, and says so
    # Before, the whole label cut to three lines lost the number: the two were one.
    assert fit(f"{name} [counter-claim #12]", 16, 3) == fit(f"{name} [counter-claim #13]", 16, 3)
    # What fits is left as it was, mark and all, on as few lines as before.
    assert fit_keeping("Hamas", "[counter-claim #1]", 30, 3) == "Hamas [counter-claim #1]"
    # A mark that wraps in a narrow column: the whole is kept when it takes no more
    # lines than the cut name and the mark would (it took five, the name on two).
    mark = "(Iran) [counter-claim #10]"
    whole = "Tasnim News\nAgency (Iran)\n[counter-claim\n#10]"
    assert fit_keeping("Tasnim News Agency", mark, 14, 3) == whole


def test_a_narrow_table_cuts_the_name_never_the_side(run, engine, monkeypatch):
    """Nord Stream: the US and the UK on one side of two claims. A narrow table used to
    cut the side ("unnamed US officials (United…", "UK Ministry of Defence (United…"),
    so the two governments read alike."""

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, result.output
        return result.stdout

    ok("party", "add", "United States", "--kind", "government")
    ok("party", "add", "United Kingdom", "--kind", "government")
    ok("party", "add", "Russia", "--kind", "government")
    ok("party", "add", "unnamed US officials", "--anonymous", "--for", "United States")
    ok("party", "add", "UK Ministry of Defence", "--kind", "agency", "--for", "United Kingdom")
    ok("party", "add", "Vladimir Putin", "--for", "Russia")
    ok("claim", "add", "A pro-Ukrainian group sabotaged the Nord Stream pipelines", "--by",
       "unnamed US officials", "--topic", "ns", "--at", "2023-03-07T18:00-05:00")  # fmt: skip
    ok("claim", "deny", "1", "--by", "Vladimir Putin", "--at", "2023-03-14T12:00+03:00")
    ok("claim", "add", "Russian navy divers were near the pipelines", "--by",
       "UK Ministry of Defence", "--topic", "ns", "--at", "2023-03-08T10:00Z")  # fmt: skip
    ok("claim", "deny", "2", "--by", "Vladimir Putin", "--at", "2023-03-14T12:05+03:00")
    monkeypatch.setenv("COLUMNS", "70")
    out = ok("report", "contested", "--topic", "ns")
    cells = {}
    for row in out.split("├")[1:]:
        lines = [line.split("│") for line in row.splitlines() if "│" in line]
        cells[lines[0][1].strip()] = [" ".join(x[i].strip() for x in lines) for i in (3, 4)]
    for claim, side in (("1", "(United States)"), ("2", "(United Kingdom)")):
        asserted, denied = (" ".join(c.split()) for c in cells[claim])
        assert side in asserted, out
        assert "(Russia)" in denied, out


# -- the round trip with arbitrary text ------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
).filter(lambda t: record.normalise(t) != "" and not record.normalise(t).replace(" ", "").isdigit())
PREFIXED = st.builds(lambda p, t: p + t, st.sampled_from(["=", "+", "-", "@", "\t", "'", ""]), TEXT)
# A party's name is one line (record.ONE_LINE): texts and quotes keep their line breaks.
NAME = PREFIXED.filter(lambda t: not one_line_breaker(clean(t)))


def _wipe(engine) -> None:
    from claimtrack.models import Base

    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for name in tables:
                connection.execute(sa.text(f"DELETE FROM {name}"))  # noqa: S608


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    claims=st.lists(
        st.tuples(PREFIXED, NAME, st.one_of(st.none(), PREFIXED)), min_size=1, max_size=4
    )
)
def test_round_trip_with_arbitrary_text(engine, db_url, claims):
    """Unicode, quotes, newlines and formula-like prefixes survive export and import:
    the per-stance export's bytes (BOM, CRLF, as the CLI writes them) hold the generated
    texts as given, and importing them and exporting again gives the same bytes."""
    import csv
    import tempfile
    from pathlib import Path

    from click.testing import CliRunner

    from claimtrack.cli import cli
    from claimtrack.spreadsheet import restore

    url = db_url.render_as_string(hide_password=False)

    def export() -> bytes:
        result = CliRunner().invoke(cli, ["--db", url, "export", "csv", "--per", "stance"])
        assert result.exit_code == 0, result.output
        return result.stdout_bytes

    _wipe(engine)
    given = []
    with write_session(engine) as session:
        names = set()
        for n, (text, name, quote) in enumerate(claims):
            if record.normalise(name) in names or record.normalise(text) in names:
                continue
            names |= {record.normalise(name), record.normalise(text)}
            party = record.add_party(session, name, editor=ED)
            claim = record.add_claim(session, text, topic="t", editor=ED, allow_same=True)
            record.add_stance(session, claim, party, "asserts", quote=quote, editor=ED,
                              said=parse_when(f"2026-04-{n + 10}T08:30+05:00"))  # fmt: skip
            given.append((text.strip(), name.strip(), (quote or "").strip()))
        session.commit()
    first = export()
    assert first.startswith(b"\xef\xbb\xbf") and b"\r\n" in first
    rows = list(csv.DictReader(io.StringIO(first.decode("utf-8-sig"), newline="")))
    found = {(restore(r["claim"]), restore(r["party"]), restore(r["quote"])) for r in rows}
    assert found == set(given)
    _wipe(engine)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv"
        path.write_bytes(first)
        result = CliRunner().invoke(cli, ["--db", url, "import", "csv", str(path)])
        assert result.exit_code == 0, result.output
    assert export() == first


# -- a real spreadsheet --------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_shows_text_and_runs_no_formula(seeded, session, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    _record_hostile(session)
    csv_path = tmp_path / "claims.csv"
    assert seeded("export", "csv", "--per", "stance", "--out", str(csv_path)).exit_code == 0
    # CSV filter: comma, double quote, UTF-8 (76), from line 1; formulas evaluated as usual.
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
         "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path),
         str(csv_path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    book = openpyxl.load_workbook(tmp_path / "claims.xlsx")
    cells = [c for row in book.active.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [str(c.value) for c in cells]
    assert any("美国已经同意解冻伊朗在卡塔尔" in v for v in values)
    assert any(v.endswith("+1 destroyers =SUM(A1)") for v in values)
    assert any(v.endswith("552783667052167168") for v in values)  # not 5.5E+17
    assert not any("E+17" in v for v in values)


def test_table_aligns_persian_and_chinese_names(run, engine):
    from wcwidth import wcswidth

    for args in [
        (
            "claim",
            "add",
            "The talks lasted 24 to 25 hours",
            "--by",
            "اسماعیل بقائی",
            "--quote",
            "۲۴ تا ۲۵ ساعت",
            "--at",
            "2026-04-12",
            "--create-missing",
        ),
        (
            "claim",
            "dispute",
            "1",
            "--by",
            "万斯",
            "--quote",
            "经过21小时谈判",
            "--at",
            "2026-04-12",
            "--create-missing",
        ),
    ]:
        assert run(*args).exit_code == 0
    lines = [line for line in run("report", "contested").stdout.splitlines() if line]
    assert any("اسماعیل بقائی" in line for line in lines)
    assert any("万斯" in line for line in lines)
    assert len({wcswidth(line) for line in lines}) == 1


# -- the per-stance rows in said order ---------------------------------------------------


def _said_in_mixed_precision(run) -> None:
    """Claims whose timelines put a stance said on a day after a timed one of the same day
    recorded before it: SQL, sorting by said time, would put the day (its start) first."""

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, result.output

    new = "--create-missing"
    ok("claim", "add", "Call intercepted", "--by", "Hagari", new, "--slug", "call",
       "--at", "2023-10-18T01:35+03:00")  # fmt: skip
    ok("claim", "deny", "call", "--by", "Hamas", new, "--at", "2023-10-18", "--tz", "+03:00")
    ok("claim", "dispute", "call", "--by", "Channel 4", new, "--at", "2023-10-19T19:00+01:00")
    ok("claim", "add", "Strike", "--by", "MoH", new, "--slug", "strike",
       "--at", "2023-10-17T20:00+03:00")  # fmt: skip
    ok("claim", "confirm", "strike", "--by", "BBC", new, "--at", "2023-10-17", "--tz", "+03:00")
    ok("claim", "counter", "strike", "Misfire", "--by", "IDF", new, "--slug", "misfire",
       "--at", "2023-10-17T23:30+03:00")  # fmt: skip
    ok("claim", "deny", "misfire", "--by", "PIJ", new, "--at", "2023-10-17", "--tz", "+03:00")
    ok("claim", "retract", "strike", "--by", "BBC", "--at", "2023-10-18T09:00+01:00")


EXPECTED_ORDER = {
    "call": [("Hagari", "asserts"), ("Hamas", "denies"), ("Channel 4", "disputes")],
    "strike": [("MoH", "asserts"), ("BBC", "confirms"), ("BBC", "retracts")],
    "misfire": [("IDF", "asserts"), ("PIJ", "denies")],
}


def _timelines(run) -> dict[str, list[tuple[str, str]]]:
    """Each claim's own stances as ``claim show`` lists them."""
    found = {}
    for slug in EXPECTED_ORDER:
        shown = json.loads(run("claim", "show", slug, "--format", "json").stdout)[0]
        found[slug] = [(t["party"], t["kind"]) for t in shown["timeline"]
                       if t["claim_id"] == shown["id"]]  # fmt: skip
    return found


@pytest.mark.parametrize("batch", [None, 1])  # 1: parts of 4 rows, claims cut across them
def test_per_stance_rows_follow_the_timeline(run, engine, tmp_path, backend, request,
                                             monkeypatch, batch):  # fmt: skip
    import openpyxl

    from claimtrack import report

    _said_in_mixed_precision(run)
    assert _timelines(run) == EXPECTED_ORDER
    if batch:
        monkeypatch.setattr(report, "BATCH", batch)
    first = tmp_path / "first.csv"
    assert run("export", "csv", "--per", "stance", "--out", str(first)).exit_code == 0
    rows = _rows(first.read_text(encoding="utf-8"))
    header = rows[0]
    stances = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    exported: dict[str, list] = {}
    for s in stances:
        exported.setdefault(s["claim_ref"], []).append((s["party"], s["stance"]))
    assert exported == EXPECTED_ORDER
    assert list(exported) == ["call", "strike", "misfire"]  # claim by claim
    # The workbook's stances sheet is the same rows.
    book = tmp_path / "book.xlsx"
    assert run("export", "xlsx", "--out", str(book)).exit_code == 0
    sheet = openpyxl.load_workbook(book)["stances"]
    cells = list(sheet.iter_rows(values_only=True))
    at = {name: cells[0].index(name) for name in ("claim_ref", "party", "stance")}
    assert [(r[at["claim_ref"]], r[at["party"]], r[at["stance"]]) for r in cells[1:]] == [
        (s["claim_ref"], s["party"], s["stance"]) for s in stances
    ]
    # Imported into an empty database and exported again: the same bytes, the same order.
    target = _fresh_database(backend, tmp_path, request)
    result = CliRunner().invoke(cli, ["--db", target, "import", "csv", str(first)])
    assert result.exit_code == 0, result.output
    second = tmp_path / "second.csv"
    again = ["--db", target, "export", "csv", "--per", "stance", "--out", str(second)]
    assert CliRunner().invoke(cli, again).exit_code == 0
    assert second.read_bytes() == first.read_bytes()


def test_parties_by_side_count_each_claim_once(run, engine):
    """Two parties of one side on the same claim: the side supports (denies, retracted,
    is contested on) one claim, stands behind one counter-claim; its stances add up."""

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, result.output

    ok("party", "add", "Hamas", "--kind", "organisation")
    ok("party", "add", "Health Ministry", "--kind", "government", "--for", "Hamas")
    ok("party", "add", "Israel", "--kind", "government")
    ok("party", "add", "IDF", "--kind", "agency", "--for", "Israel")
    ok("claim", "add", "About 500 were killed", "--by", "Health Ministry", "--slug", "toll")
    ok("claim", "confirm", "toll", "--by", "Hamas")
    ok("claim", "deny", "toll", "--by", "IDF")
    ok("claim", "deny", "toll", "--by", "Israel")
    ok("claim", "counter", "toll", "Fewer than 300 were killed", "--by", "IDF", "--slug", "low")
    ok("claim", "confirm", "low", "--by", "Israel")
    ok("claim", "add", "The call was fabricated", "--by", "Hamas", "--slug", "call")
    ok("claim", "confirm", "call", "--by", "Health Ministry")
    ok("claim", "retract", "call", "--by", "Hamas")
    ok("claim", "retract", "call", "--by", "Health Ministry")
    parties = {
        p["party"]: p for p in json.loads(run("report", "parties", "--format", "json").stdout)
    }
    assert parties["Hamas"]["asserted"] == parties["Health Ministry"]["asserted"] == 1
    sides = {s["side"]: s for s in json.loads(
        run("report", "parties", "--by", "side", "--format", "json").stdout)}  # fmt: skip
    contested = {r["slug"] for r in json.loads(
        run("report", "contested", "--format", "json").stdout)}  # fmt: skip
    assert "toll" in contested
    hamas, israel = sides["Hamas"], sides["Israel"]
    assert (hamas["parties"], hamas["asserted"], hamas["retractions"]) == (2, 1, 1)
    assert hamas["stances"] == 6  # a sum: every stance of every party of the side
    assert (israel["parties"], israel["denied"], israel["counter_claims"]) == (2, 1, 1)
    assert israel["asserted"] == 1 and israel["stances"] == 4  # "low"
    # "toll" is what "low" answers, not a counter-claim of it: Hamas's side stands behind
    # none (nu17: the rule places it against "low" all the same, and it was counted).
    assert hamas["counter_claims"] == 0
    counters = {name: p["counter_claims"] for name, p in parties.items()}
    assert counters == {"Hamas": 0, "Health Ministry": 0, "Israel": 1, "IDF": 1}
    for topic in ("general", None):  # the topic's kept rows, the totals, and the rule
        with Session(engine) as session:
            for counted in (
                report.party_counts(session, topic=topic),
                report.party_counts(session, topic=topic, from_rule=True),
            ):
                assert {r.name: r.counter_claims for r in counted} == counters
            by_side = report.side_counts(session, topic=topic, recount=True)
            assert {r.name: r.counter_claims for r in by_side} == {"Hamas": 0, "Israel": 1}
    # Contested: the contested claims a party of the side is on a side of, each once.
    assert hamas["contested"] == len(contested & {"toll", "low"})
    assert israel["contested"] == len(contested & {"toll", "low"})
    # One topic: the same counts read from its rows; another topic has none of them.
    topic = json.loads(run("report", "claims", "--format", "json").stdout)[0]["topic"]
    by_topic = json.loads(
        run("report", "parties", "--by", "side", "--topic", topic, "--format", "json").stdout
    )
    assert {s["side"]: s for s in by_topic} == sides
    elsewhere = run("report", "parties", "--by", "side", "--topic", "elsewhere", "--format", "json")
    assert elsewhere.exit_code == 1 and elsewhere.output == "Error: unknown topic 'elsewhere'.\n"
