"""XLSX export: three sheets that Excel and LibreOffice open as they are, text never a
formula, dates on the day they were said, and memory that stays flat."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parent.parent

CHINESE = "美国已经同意解冻伊朗"
PERSIAN = "می\u200cخواهد"  # with its zero-width non-joiner
LONG_ID = "123456789012345678"
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(1)", "-2+3", "#N/A", LONG_ID]


@pytest.fixture
def seeded(run, engine):
    result = run("seed")
    assert result.exit_code == 0, result.output
    return run


# -- helpers ---------------------------------------------------------------------------


def _export(run, path: Path, *args: str):
    result = run("export", "xlsx", "--out", str(path), *args)
    assert result.exit_code == 0, result.output
    assert path.exists() and not path.with_name(path.name + ".partial").exists()
    return openpyxl.load_workbook(path), result


def _header(sheet) -> list[str]:
    return [c.value for c in sheet[1]]


def _records(sheet) -> list[dict]:
    """Each body row as {header: cell} (cells, so data_type and number_format show)."""
    header = _header(sheet)
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def _all_cells(book):
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


def _formula_cells(book) -> list[str]:
    return [f"{c.parent.title}!{c.coordinate}" for c in _all_cells(book) if c.data_type == "f"]


def _raw_formulas(path: Path) -> list[str]:
    """Formula elements in the sheets' XML itself, whatever a reader makes of them."""
    with zipfile.ZipFile(path) as z:
        return [
            name
            for name in z.namelist()
            if name.startswith("xl/worksheets/") and re.search(rb"<(\w+:)?f[ >/]", z.read(name))
        ]


def _export_process(db_url, path: Path) -> subprocess.CompletedProcess:
    """``export xlsx`` in a process of its own, where what openpyxl prints at exit shows."""
    url = db_url.render_as_string(hide_password=False)
    argv = [sys.executable, "-m", "claimtrack", "--db", url, "export", "xlsx", "--out", str(path)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)


def _json(run, *args: str) -> list[dict]:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _add(run, text: str, *options: str) -> int:
    # "--" so a text starting with "-" is the argument, not an option.
    result = run("claim", "add", *options, "--create-missing", "--", text)
    assert result.exit_code == 0, result.output
    return int(re.search(r"\d+", result.stdout.strip().splitlines()[-1]).group())


def _record_hostile(run) -> dict[str, int]:
    ids = {text: _add(run, text, "--by", "Hostile", "--at", "2026-04-11", "--tz", "+03:30")
           for text in HOSTILE}  # fmt: skip
    ids["persian"] = _add(run, "Iran wants a deal", "--by", "اسماعیل بقائی", "--quote", PERSIAN,
                          "--quote-lang", "fa", "--at", "2026-04-11", "--tz", "+03:30")  # fmt: skip
    return ids


# -- 1. the seeded workbook ------------------------------------------------------------


def test_seeded_workbook_has_three_safe_sheets(seeded, tmp_path):
    path = tmp_path / "x.xlsx"
    book, result = _export(seeded, path)
    assert book.sheetnames == ["contested", "claims", "stances"]

    contested = _json(seeded, "report", "contested")
    claims = _json(seeded, "report", "claims")
    stance_csv = seeded("export", "csv", "--per", "stance").stdout.removeprefix("\ufeff")
    stances = len(list(csv.reader(io.StringIO(stance_csv, newline="")))) - 1
    assert (len(contested), len(claims), stances) == (11, 23, 30)  # the seeded dataset

    for sheet in book.worksheets:
        header = _header(sheet)
        assert sheet.freeze_panes == "A2", sheet.title
        last = openpyxl.utils.get_column_letter(len(header))
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", sheet.title
        assert all(c.font.bold for c in sheet[1]), sheet.title
    rows = {sheet.title: _records(sheet) for sheet in book.worksheets}
    assert [len(rows[n]) for n in book.sheetnames] == [len(contested), len(claims), stances]
    assert f"Exported {len(contested) + len(claims) + stances} row(s)" in result.stderr
    # The same claims, in the same order, as the JSON reports.
    assert [r["claim_id"].value for r in rows["contested"]] == [c["claim_id"] for c in contested]
    assert [r["claim_id"].value for r in rows["claims"]] == [c["id"] for c in claims]
    # Every time column has its offset beside it.
    header = _header(book["claims"])
    for name in ("first_reported", "contested_since", "last_activity"):
        assert header[header.index(name) + 1] == f"{name}_tz"

    assert _formula_cells(book) == []
    assert _raw_formulas(path) == []
    quotes = [r["quotes"] for r in rows["contested"] if CHINESE in (r["quotes"].value or "")]
    assert quotes and all(c.data_type == "s" for c in quotes)
    unfreeze = next(r for r in rows["contested"] if r["slug"].value == "asset-unfreeze")
    assert "美国已经同意解冻伊朗在卡塔尔和其他外国银行的海外资产" in unfreeze["quotes"].value
    assert any(r["quote"].value and CHINESE in r["quote"].value for r in rows["stances"])


def test_rows_past_a_sheets_limit_go_on_in_the_next_sheet(seeded, tmp_path, monkeypatch):
    """A sheet holds 1,048,576 rows; a larger export goes on in "stances (2)" and so on,
    each with its header, so no row is cut off (shown here with sheets of 8 rows)."""
    from claimtrack import spreadsheet

    whole, _ = _export(seeded, tmp_path / "whole.xlsx")
    monkeypatch.setattr(spreadsheet, "SHEET_ROWS", 8)
    book, result = _export(seeded, tmp_path / "split.xlsx")
    assert book.sheetnames == ["contested", "contested (2)", "claims", "claims (2)",
                               "claims (3)", "claims (4)", "stances", "stances (2)",
                               "stances (3)", "stances (4)", "stances (5)"]  # fmt: skip
    for name in ("contested", "claims", "stances"):
        parts = [s for s in book.worksheets if s.title.split(" (")[0] == name]
        assert all(s.max_row <= 8 and _header(s) == _header(whole[name]) for s in parts)
        values = [[c.value for c in r] for s in parts for r in s.iter_rows(min_row=2)]
        assert values == [[c.value for c in r] for r in whole[name].iter_rows(min_row=2)]
    assert "Exported 64 row(s)" in result.stderr


# -- 2. hostile texts --------------------------------------------------------------------


def test_hostile_texts_are_string_cells(run, engine, tmp_path):
    ids = _record_hostile(run)
    path = tmp_path / "hostile.xlsx"
    book, _ = _export(run, path)

    assert _formula_cells(book) == []
    assert _raw_formulas(path) == []
    claims = {r["claim_id"].value: r for r in _records(book["claims"])}
    stances = _records(book["stances"])
    for text in HOSTILE:
        cell = claims[ids[text]]["claim"]
        assert (cell.value, cell.data_type) == (text, "s"), cell.coordinate
        in_stances = [r["claim"] for r in stances if r["claim"].value == text]
        assert len(in_stances) == 1 and in_stances[0].data_type == "s"
    # Never a number anywhere: not 1.23456789012346E+17, not 2 or 1.
    numbers = [c.value for c in _all_cells(book) if isinstance(c.value, int | float)]
    assert not [n for n in numbers if n > 10**15]
    long_id = claims[ids[LONG_ID]]["claim"]
    assert isinstance(long_id.value, str) and long_id.value == LONG_ID
    # Persian with its zero-width non-joiner, as said.
    persian = next(r for r in stances if r["quote"].value is not None)
    assert (persian["quote"].value, persian["quote"].data_type) == (PERSIAN, "s")
    assert persian["party"].value == "اسماعیل بقائی"
    assert claims[ids["persian"]]["quotes"].value == f"اسماعیل بقائی: “{PERSIAN}”"


CONTROL = "Bad \x01\x07\x1b[31m text"


def test_control_characters_become_pictures_with_one_warning(run, engine, db_url, tmp_path):
    """XML has no C0 controls: each becomes its control picture, the export says which
    claims in one line of stderr, and CSV still holds the text exactly."""
    plain = _add(run, CONTROL, "--by", "Hostile", "--at", "2026-04-11")
    slugged = _add(run, "bell \x07 here", "--by", "Hostile", "--slug", "bell-here")
    path = tmp_path / "bell.xlsx"
    # A real process: openpyxl's half-closed streams used to print a traceback at exit,
    # where CliRunner never sees it.
    done = _export_process(db_url, path)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(path)
    claims = {r["claim_id"].value: r for r in _records(book["claims"])}
    assert claims[plain]["claim"].value == "Bad \u2401\u2407\u241b[31m text"
    assert claims[slugged]["claim"].value == "bell \u2407 here"
    stances = {r["claim_ref"].value: r for r in _records(book["stances"])}
    assert stances[str(plain)]["claim"].value == "Bad ␁␇␛[31m text"
    assert stances["bell-here"]["claim"].value == "bell ␇ here"
    # The warning names each claim and the sheet rows it is really on (row 1: the header).
    rows = {ref: (claims[key]["claim"].row, stances[ref]["claim"].row)
            for key, ref in ((plain, str(plain)), (slugged, "bell-here"))}  # fmt: skip
    # In the order of the claims sheet, where each is met first.
    listed = sorted([(rows[str(plain)], f"claim #{plain}"), (rows["bell-here"], "claim bell-here")])
    assert done.stderr.splitlines() == [
        "Warning: control characters XLSX cannot store are written as pictures (␇ for BEL, "
        "␛ for ESC; CSV keeps them) in: "
        + "; ".join(f"{name} ('claims' row {c}, 'stances' row {s})" for (c, s), name in listed),
        f"Exported 4 row(s) in three sheets to {path}",
    ]
    assert CONTROL in run("export", "csv").stdout  # CSV holds it as stored


def test_a_cell_too_long_is_one_line_naming_the_claim(run, engine, db_url, tmp_path):
    """A refused cell leaves no file, no traceback, and names the claim and its row."""
    long = _add(run, "x" * 40_000, "--by", "Hostile", "--at", "2026-04-11")
    _add(run, "short", "--by", "Hostile", "--at", "2026-04-12")  # newer: row 2
    path = tmp_path / "long.xlsx"
    done = _export_process(db_url, path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"Error: claim #{long} ('claims' row 3): a cell of 40,000 characters does not fit in "
        "XLSX (at most 32,767): export it as CSV, or leave such texts out with "
        "'export xlsx --skip-long'"
    ]
    assert not path.exists() and not path.with_name(path.name + ".partial").exists()


def test_skip_long_leaves_out_only_the_texts_and_names_each_cell(run, engine, tmp_path):
    """Kakhovka: a 200,000-character claim was stored without a word, and then no
    workbook could be written at all. `claim add` (and a stance's quote) now warns, and
    --skip-long writes the rest. A new user then found one long quote took its whole
    claim off the claims sheets (its joined quotes overflowed): now only the texts that
    do not fit are left out, each cell empty with a comment and named; nothing is cut
    short, and every row is written."""
    added = run("claim", "add", "--by", "A", "--create-missing", "--at", "2026-04-11",
                "--slug", "huge", "--", "y" * 40_000)  # fmt: skip
    assert added.exit_code == 0 and "Warning: the claim text has 40,000 characters" in (
        added.stderr
    ), added.output
    _add(run, "short", "--by", "A", "--at", "2026-04-12", "--slug", "short")
    quoted = run("claim", "deny", "short", "--by", "B", "--create-missing", "--at", "2026-04-12",
                 "--quote", "q" * 33_000)  # fmt: skip
    assert quoted.exit_code == 0 and "Warning: the quote has 33,000 characters" in quoted.stderr
    plain = run("claim", "deny", "huge", "--by", "B", "--at", "2026-04-12", "--quote", "fits")
    assert plain.exit_code == 0 and "Warning" not in plain.stderr
    path = tmp_path / "long.xlsx"
    done = run("export", "xlsx", "--out", str(path), "--skip-long")
    assert done.exit_code == 0, done.output
    warning, named = done.stderr.splitlines()[0].rsplit(": ", 1)
    assert warning == (
        "Warning: left out 7 text(s) over 32,767 characters, which an XLSX cell cannot hold "
        "(CSV and JSON have them); their cells are empty, with a comment, and the rest of "
        "their rows written"
    )
    # Newest activity first on the claims sheets: "short" (row 2), then "huge" (row 3);
    # on the stances sheet, claim by claim, in the order said.
    assert sorted(named.split("; ")) == [
        "claim huge ('contested' row 3 claim, 'claims' row 3 claim, 'stances' row 2 claim, "
        "'stances' row 3 claim)",
        "claim short ('contested' row 2 quotes, 'claims' row 2 quotes, 'stances' row 5 quote)",
    ]
    assert "Exported 8 row(s)" in done.stderr  # 2 + 2 + 4: no row left out
    book = openpyxl.load_workbook(path)
    for title in ("contested", "claims"):
        rows = {r["slug"].value: r for r in _records(book[title])}
        assert sorted(rows) == ["huge", "short"], title
        huge, short = rows["huge"], rows["short"]
        assert huge["claim"].value is None and huge["quotes"].value == "B: “fits”"
        assert "Left out: 40,000 characters" in huge["claim"].comment.text
        assert short["claim"].value == "short" and short["quotes"].value is None
        assert short["quotes"].comment.text.startswith("Left out: 33,0")
        assert (short["status"].value, huge["status"].value) == ("contested", "contested")
    stances = [(r["claim_ref"].value, r["claim"].value, r["party"].value, r["quote"].value)
               for r in _records(book["stances"])]  # fmt: skip
    assert sorted(stances, key=str) == sorted([
        ("huge", None, "A", None), ("huge", None, "B", "fits"),
        ("short", "short", "A", None), ("short", "short", "B", None),
    ], key=str)  # fmt: skip
    # Only the cells left out have a comment: openpyxl's writer reuses a cell otherwise.
    commented = [c for c in _all_cells(book) if c.comment is not None]
    assert len(commented) == 7 and all(c.value is None for c in commented)
    assert run("export", "csv").stdout.count("y" * 40_000) == 1  # all there, in CSV


def test_import_warns_of_texts_an_xlsx_cell_cannot_hold(run, engine, tmp_path):
    """`claim add` warns of a text over an XLSX cell; `import csv` now says the same of its
    rows, by line, and still stores them whole (the dry run says it too)."""
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([
            ["claim", "party", "stance", "date", "quote"],
            ["fits", "A", "asserts", "2026-04-11", ""],
            ["z" * 40_000, "A", "asserts", "2026-04-11", ""],
            ["fits too", "B", "denies", "2026-04-11", "q" * 33_000],
        ])  # fmt: skip
    for dry in (["--dry-run"], []):
        done = run("import", "csv", str(path), *dry)
        assert done.exit_code == 0, done.output
        assert done.stderr.splitlines() == [
            "Warning: 2 row(s) hold a claim text or quote over 32,767 characters, more than "
            "an XLSX cell holds (line(s) 3, 4): stored whole, but 'export xlsx' needs "
            "--skip-long, which leaves their cells empty (CSV and JSON carry them)"
        ]
    assert run("export", "csv").stdout.count("z" * 40_000) == 1  # whole, not cut
    similar = run("claim", "add", "z" * 39_990 + " and more", "--by", "A", "--at", "2026-04-12")
    assert similar.exit_code == 0, similar.output
    assert re.search(
        r"^Note: similar claim #\d+: z{200}… \(40,000 characters in all\)$", similar.stderr, re.M
    )  # the note names the long claim in a line an editor can read (ids differ on PostgreSQL)
    quiet = tmp_path / "short.csv"
    quiet.write_text("claim,party,stance,date\nshort,A,asserts,2026-04-11\n", encoding="utf-8")
    assert "Warning" not in run("import", "csv", str(quiet)).stderr


# -- 3. dates on the day they were said --------------------------------------------------


def test_dates_are_date_cells_on_the_day_said(run, engine, tmp_path):
    # Day precision at +05:00: its UTC instant is 2026-04-10 19:00, a day earlier.
    day = _add(run, "Said on a day", "--by", "Day", "--at", "2026-04-11", "--tz", "+05:00")
    minute = _add(run, "Said at a minute", "--by", "Minute", "--at", "2026-04-11T23:30-05:00")
    deny = run("claim", "deny", str(day), "--by", "Other", "--create-missing",
               "--at", "2026-04-12", "--tz", "-05:00")  # fmt: skip
    assert deny.exit_code == 0, deny.output
    book, _ = _export(run, tmp_path / "dates.xlsx")
    claims = {r["claim_id"].value: r for r in _records(book["claims"])}
    contested = {r["claim_id"].value: r for r in _records(book["contested"])}
    assert list(contested) == [day]

    def day_cell(cell, when: dt.date, zone, tz_cell):
        assert cell.is_date, (cell.coordinate, cell.value)
        value = cell.value.date() if isinstance(cell.value, dt.datetime) else cell.value
        assert value == when
        if isinstance(cell.value, dt.datetime):
            assert cell.value.time() == dt.time(0, 0)
        assert cell.number_format == "yyyy-mm-dd"
        assert (tz_cell.value, tz_cell.data_type) == (zone, "s")

    for row in (claims[day], contested[day]):
        day_cell(row["first_reported"], dt.date(2026, 4, 11), "+05:00", row["first_reported_tz"])
        day_cell(row["contested_since"], dt.date(2026, 4, 12), "-05:00", row["contested_since_tz"])
        day_cell(row["last_activity"], dt.date(2026, 4, 12), "-05:00", row["last_activity_tz"])

    row = claims[minute]
    for name in ("first_reported", "last_activity"):
        cell = row[name]
        assert cell.is_date and cell.value == dt.datetime(2026, 4, 11, 23, 30)
        assert cell.number_format == "yyyy-mm-dd hh:mm"
        assert row[f"{name}_tz"].value == "-05:00"
    assert row["contested_since"].value is None and row["contested_since_tz"].value is None

    # The stances sheet keeps said_at as ISO text, with its offset beside it.
    stances = {(r["claim"].value, r["stance"].value): r for r in _records(book["stances"])}
    said = stances["Said on a day", "asserts"]
    assert (said["said_at"].value, said["said_at"].data_type) == ("2026-04-11", "s")
    assert said["said_tz"].value == "+05:00"
    denied = stances["Said on a day", "denies"]
    assert (denied["said_at"].value, denied["said_tz"].value) == ("2026-04-12", "-05:00")
    said = stances["Said at a minute", "asserts"]
    assert (said["said_at"].value, said["said_tz"].value) == ("2026-04-11T23:30-05:00", "-05:00")


# -- 4. LibreOffice opens it -----------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_opens_the_workbook_as_text(seeded, tmp_path):
    hyperlink = HOSTILE[0]
    claim = _add(seeded, hyperlink, "--by", "Hostile", "--at", "2026-04-11", "--tz", "+03:30")
    deny = seeded("claim", "deny", str(claim), "--by", "Other", "--create-missing",
                  "--at", "2026-04-12", "--tz", "+03:30")  # fmt: skip
    assert deny.exit_code == 0, deny.output
    path = tmp_path / "book.xlsx"
    _export(seeded, path)

    def convert(target: str, outdir: Path) -> subprocess.CompletedProcess:
        done = subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
             "--convert-to", target, "--outdir", str(outdir), str(path)],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "Error" not in done.stderr, done.stderr
        return done

    # CSV as LibreOffice shows the cells: comma, quote, UTF-8, every sheet (the -1).
    convert("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            tmp_path / "csv")  # fmt: skip
    shown = {}
    for file in sorted((tmp_path / "csv").glob("*.csv")):
        rows = list(csv.reader(io.StringIO(file.read_text("utf-8-sig"), newline="")))
        shown[file.stem.removeprefix("book-")] = [dict(zip(rows[0], r, strict=True))
                                                  for r in rows[1:]]  # fmt: skip
    assert "contested" in shown or "book" in shown  # every sheet, or the first one
    contested = shown.get("contested", shown.get("book"))
    row = next(r for r in contested if r["claim_id"] == str(claim))
    assert row["claim"] == hyperlink  # shown as typed, not the link text "y"
    assert any(CHINESE in r["quotes"] for r in contested)
    assert (row["first_reported"], row["first_reported_tz"]) == ("2026-04-11", "+03:30")

    # Saved again by LibreOffice as XLSX: still text, still no formula.
    convert("xlsx", tmp_path / "lo")
    again = openpyxl.load_workbook(tmp_path / "lo" / "book.xlsx")
    assert again.sheetnames == ["contested", "claims", "stances"]
    assert _formula_cells(again) == []
    assert _raw_formulas(tmp_path / "lo" / "book.xlsx") == []
    cells = [c for c in _all_cells(again) if c.value == hyperlink]
    assert len(cells) >= 3 and all(c.data_type == "s" for c in cells)  # three sheets
    assert any(isinstance(c.value, str) and CHINESE in c.value for c in _all_cells(again))


# -- 5. --format xlsx on a listing -----------------------------------------------------------


def test_report_claims_as_xlsx(seeded, tmp_path):
    path = tmp_path / "f.xlsx"
    result = seeded("report", "claims", "--format", "xlsx", "--out", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    book = openpyxl.load_workbook(path)
    assert len(book.worksheets) == 1
    sheet = book.worksheets[0]
    ids = [r["id"] for r in _json(seeded, "report", "claims")]
    header = _header(sheet)
    assert header[0] == "id"
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ids
    assert f"Wrote {len(ids)} row(s)" in result.stderr
    assert sheet.freeze_panes == "A2" and _formula_cells(book) == []
    first = _records(sheet)[0]
    assert first["last_activity"].is_date and first["last_activity_tz"].value


def test_report_xlsx_without_out_is_a_usage_error(seeded, tmp_path):
    before = sorted(tmp_path.rglob("*"))
    result = seeded("report", "claims", "--format", "xlsx")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "--out" in errors[0], result.stderr
    assert sorted(tmp_path.rglob("*")) == before  # nothing written


# -- 6. flat memory --------------------------------------------------------------------------

# Run from a small wrapper so the peak is the export's own (as bench/run.py does).
PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
    "stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
CLI = "import sys; from claimtrack.cli import cli; sys.exit(cli())"


def _start_export(db: Path, out: Path) -> subprocess.Popen:
    """`claimtrack export xlsx` as a child of a wrapper that prints its peak RSS (KB)."""
    return subprocess.Popen(
        [sys.executable, "-c", PEAK, sys.executable, "-c", CLI, "--db", str(db),
         "export", "xlsx", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def test_xlsx_export_memory_is_flat(tmp_path):
    """SQLite only: the export streams, so five times the claims is not five times the
    memory. The two exports run side by side (each peak is its own process's)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    sizes = (2_000, 10_000)
    started = time.perf_counter()
    for n in sizes:
        counts = generate(f"sqlite+pysqlite:///{tmp_path / f'bench-{n}.db'}", n, progress=None)
        assert counts["claims"] == n
    print(f"generated {sizes} claims in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    children = {
        n: _start_export(tmp_path / f"bench-{n}.db", tmp_path / f"bench-{n}.xlsx") for n in sizes
    }
    peaks = {}
    try:
        for n, child in children.items():
            out, err = child.communicate(timeout=300)
            assert child.returncode == 0, err[-2000:]
            rows = int(re.search(r"Exported (\d+) row", err).group(1))
            assert rows > 3 * n  # three sheets: contested, every claim, every stance
            peaks[n] = int(out.split()[-1])
            print(f"{n:>6} claims: {rows} rows, done after {time.perf_counter() - started:.1f}s, "
                  f"peak RSS {peaks[n] / 1024:.1f} MB")  # fmt: skip
    finally:
        for child in children.values():  # a failed or stuck run: end its group, ours alone
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
    small, large = peaks[sizes[0]], peaks[sizes[1]]
    print(f"ratio {large / small:.2f} (limit 1.5), growth {(large - small) / 1024:.1f} MB")
    assert large < 1.5 * small


def test_recorded_at_is_written_to_the_second_as_in_csv(run, engine, tmp_path):
    """The stances sheet's recorded_at cells carried the milliseconds the database keeps,
    where CSV and JSON give whole seconds and docs/csv.md says it is written to the second:
    the workbook gives the same second as the CSV."""
    import csv

    import sqlalchemy as sa

    for n in range(3):
        _add(run, f"Claim {n}", "--by", "Someone", "--at", "2026-04-11", "--tz", "+05:00")
    with engine.connect() as c:
        stored = c.execute(sa.text("SELECT recorded_at FROM stance")).scalars().all()
    assert any(getattr(t, "microsecond", 0) for t in stored) or any(
        "." in str(t) for t in stored
    ), stored  # the database keeps a fraction: the export must drop it
    book, _ = _export(run, tmp_path / "book.xlsx")
    cells = {r["claim"].value: r["recorded_at"] for r in _records(book["stances"])}
    result = run("export", "csv", "--per", "stance", "--out", str(tmp_path / "s.csv"))
    assert result.exit_code == 0, result.output
    with open(tmp_path / "s.csv", encoding="utf-8-sig", newline="") as f:
        in_csv = {r["claim"]: r["recorded_at"] for r in csv.DictReader(f)}
    assert sorted(cells) == sorted(in_csv) == [f"Claim {n}" for n in range(3)]
    for claim, cell in cells.items():
        assert cell.is_date and cell.value.microsecond == 0, (claim, cell.value)
        utc = dt.datetime.fromisoformat(in_csv[claim]).astimezone(dt.UTC).replace(tzinfo=None)
        assert cell.value == utc, (claim, cell.value, in_csv[claim])


def test_claim_add_warns_from_one_character_over_what_a_cell_holds(run, engine):
    """`claim add` checks a text's length before it imports the spreadsheet module:
    its limit is the module's, and a text of exactly a cell's worth draws no warning."""
    from claimtrack.cli.claim import XLSX_CELL_LIMIT
    from claimtrack.spreadsheet import CELL_LIMIT

    assert XLSX_CELL_LIMIT == CELL_LIMIT
    fits = run("claim", "add", "--by", "A", "--create-missing", "--", "f" * CELL_LIMIT)
    assert fits.exit_code == 0 and "Warning" not in fits.stderr, fits.output
    over = run("claim", "add", "--by", "A", "--", "o" * (CELL_LIMIT + 1))
    assert over.exit_code == 0 and over.stderr.splitlines() == [
        f"Warning: the claim text has {CELL_LIMIT + 1:,} characters, more than an XLSX cell "
        f"holds ({CELL_LIMIT:,}): it is stored whole, but 'export xlsx' needs --skip-long, "
        "which leaves its cells empty (CSV and JSON carry it)"
    ], over.output


# -- a full disk (nu18): one line, nothing left behind -----------------------------------

WRITE_SHEETS = """
import resource, signal, sys
from claimtrack.errors import ClaimtrackError
from claimtrack.spreadsheet import XlsxBook

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
unraisable = []
sys.unraisablehook = unraisable.append
book = XlsxBook()
try:
    book.sheet("claims", ["claim"], frozenset(), ([f"claim {n} " * 10] for n in range(5_000)))
except ClaimtrackError as exc:
    print(exc)
import gc
gc.collect()
print(len(unraisable), "unraisable")
"""


def test_a_sheet_that_cannot_be_written_is_one_line(tmp_path):
    """openpyxl writes each sheet to a temporary file through lxml: a full temporary
    folder raised lxml's SerialisationError (a traceback), and the half-written sheets
    complained again when collected. A child process, whose file size limit stands in
    for the full disk."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    done = subprocess.run([sys.executable, "-c", WRITE_SHEETS], capture_output=True, text=True,
                          env={**os.environ, "TMPDIR": str(folder)}, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"cannot write the workbook's sheets in {folder}: File too large (set TMPDIR to a "
        "folder with room)",
        "0 unraisable",
    ]
    assert done.stderr == "" and list(folder.iterdir()) == []


class _FullDisk(io.RawIOBase):
    """A file on a disk with room for ``room`` bytes."""

    def __init__(self, room: int) -> None:
        self.room, self.data = room, bytearray()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, b) -> int:
        if len(self.data) + len(b) > self.room:
            raise OSError(28, "No space left on device")
        self.data += b
        return len(b)


def test_a_workbook_that_cannot_be_saved_leaves_nothing_to_complain(tmp_path, monkeypatch):
    """The archive failed as it was written (a full disk): openpyxl left the archive and
    the sheets not yet in it to the collector, whose complaints were six tracebacks
    under the one-line error. Now the error alone goes on, and the temporary files go."""
    import gc
    import tempfile

    from claimtrack.spreadsheet import XlsxBook

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    book = XlsxBook()
    for title in ("contested", "claims", "stances"):
        book.sheet(title, ["claim"], frozenset(), ([f"{title} {n}"] for n in range(2_000)))
    with pytest.raises(OSError, match="No space left on device"):
        book.save(_FullDisk(4_000))
    gc.collect()
    assert unraisable == [] and list(folder.iterdir()) == []
