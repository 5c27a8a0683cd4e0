"""Measure claimtrack against floors run in the same process, and print ratios.

    python bench/run.py --claims 1000000                 # SQLite, about 8 minutes, and
                                                         # two imports of 2.7M stances (P5)
    python bench/run.py --claims 1000000 --import-claims 100000   # P5 on 270k stances
    python bench/run.py --claims 1000000 --pg URL        # and PostgreSQL (P5p, P8)
    python bench/run.py --claims 10000 --repeats 1       # the smoke run the tests do

Each operation is timed against its floor alternately, several times, and the median
of each is compared; nothing is compared across runs or machines. Databases are made
by bench/generate.py and kept in --workdir for the next run. The targets are those of
docs/performance.md; the table says which are met.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import gc
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PY = sys.executable
# The installed command, as a user runs it. Not ``python -m claimtrack``: run from a
# checkout (as these scripts are), that imports the checkout's source, not the installed
# package, and with PYTHONDONTWRITEBYTECODE set compiles every module on every run
# (0.04 s of a 0.23 s floor: 2026-11-29, `report contested --limit 50` at 1M claims).
_SCRIPT = Path(PY).with_name("claimtrack")
CLAIMTRACK = [str(_SCRIPT)] if _SCRIPT.exists() else [PY, "-m", "claimtrack"]
# An installed claimtrack runs from bytecode (pip compiles it), as the floors' click and
# SQLAlchemy do; an editable install writes its own on the first run, unless this is set.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
FLOOR_CLICK = [PY, "-c", "import click"]
FLOOR_ORM = [PY, "-c", "import click, sqlalchemy.orm"]
# On PostgreSQL every command imports the driver and SQLAlchemy's dialect for it besides
# (about 0.1 s): not a target's floor, but it tells what is left beyond them.
FLOOR_DRIVER = [PY, "-c", "import click, sqlalchemy.orm, psycopg, "
                "sqlalchemy.dialects.postgresql.psycopg"]  # fmt: skip

# One row per claim with the columns `export csv --per claim` writes, computed by the
# database alone: the floor for P4 (and, with string_agg, for P8). Each cell is made
# as the export makes it where SQL can: parties labelled with their side and stance,
# the sides named once, sources as "title <url>", quotes as "party: “quote”", the
# verdict in force, each time with the offset it was said in, and the status history;
# what SQL cannot do (the said order of stances whose times overlap, how each period
# ended) it leaves out, so the floor costs no more than the export's bytes would.
# (Read-only and constant: no user input.)
_SIDE_OF = """
WITH RECURSIVE chain(party_id, top_id, next_id) AS (
    SELECT id, id, acts_for_id FROM party
    UNION ALL
    SELECT chain.party_id, p.id, p.acts_for_id FROM chain JOIN party AS p ON p.id = chain.next_id
),
sided AS (
    SELECT claim_id,
           group_concat(CASE WHEN side = 'support' THEN label END, '; ') AS support,
           group_concat(CASE WHEN side = 'oppose' THEN label END, '; ') AS oppose,
           group_concat(DISTINCT for_side) AS for_sides,
           group_concat(DISTINCT against_side) AS against_sides
    FROM (SELECT s.claim_id, s.side, p.name || ' (' || t.name || ') [' || s.kind || ']' AS label,
                 CASE WHEN s.side = 'support' THEN t.name END AS for_side,
                 CASE WHEN s.side = 'oppose' THEN t.name END AS against_side
          FROM claim_sides AS s
          JOIN party AS p ON p.id = s.party_id
          JOIN chain AS ch ON ch.party_id = s.party_id AND ch.next_id IS NULL
          JOIN party AS t ON t.id = ch.top_id) AS labelled
    GROUP BY claim_id
)
"""
_SAID_TZ = """(SELECT x.said_offset FROM stance AS x
              WHERE x.claim_id = c.id AND x.{1} = st.{0} ORDER BY x.id DESC LIMIT 1)"""
PER_CLAIM_SQL = _SIDE_OF + """
SELECT c.id, c.topic, c.slug, c.text, st.status, sd.support, sd.oppose,
       'for: ' || sd.for_sides || '; against: ' || sd.against_sides,
       st.first_reported, {fr}, st.contested_since, {cs}, st.last_activity, {la},
       said.sources, said.quotes,
       v.label || ' (' || v.rating || ')',
       hist.periods
FROM claim AS c
JOIN claim_state AS st ON st.claim_id = c.id
LEFT JOIN sided AS sd ON sd.claim_id = c.id
LEFT JOIN (SELECT x.claim_id, group_concat(src.title || ' <' || src.url || '>', '; ') AS sources,
                  group_concat(p.name || ': “' || x.quote || '”', '; ') AS quotes
           FROM stance AS x
           JOIN party AS p ON p.id = x.party_id
           LEFT JOIN source AS src ON src.id = x.source_id
           WHERE x.void_at IS NULL
           GROUP BY x.claim_id) AS said ON said.claim_id = c.id
LEFT JOIN verdict AS v ON v.id = (SELECT max(w.id) FROM verdict AS w WHERE w.claim_id = c.id)
LEFT JOIN (SELECT h.claim_id, group_concat(h.status || ' since ' || h.said_from, '; ') AS periods
           FROM claim_history AS h WHERE h.known_until IS NULL
           GROUP BY h.claim_id) AS hist ON hist.claim_id = c.id
ORDER BY st.last_activity DESC, c.id DESC
""".format(fr=_SAID_TZ.format("first_reported", "said_at"),  # noqa: S608
           cs=_SAID_TZ.format("contested_since", "said_until"),  # the end of its interval
           la=_SAID_TZ.format("last_activity", "said_at"))  # fmt: skip


def postgres_sql(query: str) -> str:
    """A floor's SQL for PostgreSQL: string_agg for group_concat (whose one-argument
    DISTINCT form joins with commas)."""
    for column in ("for_side", "against_side"):
        query = query.replace(f"group_concat(DISTINCT {column})",
                              f"string_agg(DISTINCT {column}, ',')")  # fmt: skip
    return query.replace("group_concat(", "string_agg(")


TOP_CONTESTED_SQL = """
SELECT claim_id, last_activity FROM claim_state
WHERE status = 'contested' ORDER BY last_activity DESC LIMIT 50
"""


def run_child(argv: list[str], *, stdout=subprocess.DEVNULL) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KB) of one child process (``os.wait4``:
    the child's own, from the same run that is timed)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {stderr.decode()[-500:]}")
    return elapsed, usage.ru_maxrss


def alternate(measure, floor, repeats: int) -> tuple[float, float]:
    """Medians of ``measure`` and ``floor`` run in turns (so drift hits both alike)."""
    ours, base = [], []
    for _ in range(repeats):
        ours.append(measure())
        base.append(floor())
    return statistics.median(ours), statistics.median(base)


class Results:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, key, operation, ours, floor, target, *, unit="s", note=""):
        ratio = ours / floor if floor else float("inf")
        met = ratio <= target if target else None
        self.rows.append(dict(id=key, operation=operation, measured=ours, floor=floor,
                              ratio=round(ratio, 2), target=target, met=met, unit=unit,
                              note=note))  # fmt: skip
        verdict = "" if target is None else f" (target {target}x: {'met' if met else 'NOT met'})"
        print(
            f"  {key:<4} {operation:<58} {ours:9.4f}{unit} / {floor:9.4f}{unit} "
            f"= {ratio:6.2f}x{verdict}",
            flush=True,
        )

    def note(self, key, operation, value, target_text, met, unit=""):
        self.rows.append(
            dict(
                id=key,
                operation=operation,
                measured=value,
                floor=None,
                ratio=None,
                target=target_text,
                met=met,
                unit=unit,
                note="",
            )
        )
        print(
            f"  {key:<4} {operation:<58} {value}{unit} (target {target_text}: "
            f"{'met' if met else 'NOT met'})",
            flush=True,
        )

    def table(self) -> str:
        from tabulate import tabulate

        rows = [[r["id"], r["operation"],
                 f"{r['measured']:.4g}{r['unit']}" if isinstance(r["measured"], float)
                 else f"{r['measured']}{r['unit']}",
                 "" if r["floor"] is None else f"{r['floor']:.4g}{r['unit']}",
                 "" if r["ratio"] is None else f"{r['ratio']}x",
                 r["target"] if isinstance(r["target"], str)
                 else "" if r["target"] is None else f"≤ {r['target']}x",
                 {True: "met", False: "NOT met", None: ""}[r["met"]]]
                for r in self.rows]  # fmt: skip
        return tabulate(
            rows,
            headers=["", "operation", "claimtrack", "floor", "ratio", "target", ""],
            tablefmt="github",
        )


def database(workdir: Path, claims: int) -> Path:
    from generate import generate

    path = workdir / f"claims-{claims}.db"
    if not path.exists():
        print(f"generating {claims:,} claims -> {path} ...", flush=True)
        partial = path.with_suffix(".partial.db")
        partial.unlink(missing_ok=True)
        print("  ", generate(str(partial), claims, progress=None), flush=True)
        partial.rename(path)
    return path


@contextlib.contextmanager
def collecting_as_the_command():
    """Collect garbage as a command does while it runs its queries: what exists by then
    frozen (``claimtrack.cli._resume_collection`` freezes what it imported when it opens
    the database), so a full collection scans only what the timed work made, not this
    script's own results and modules (P10 at 1M claims: a median of 76 ms with them
    scanned, 50 ms frozen, on PostgreSQL, 2026-11-29)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def query_seconds(db_url: str, repeats: int) -> float:
    """Median in-process time of the contested top 50 (the report's own queries)."""
    from claimtrack import db, report
    from claimtrack.selection import Selection

    top = Selection(status="contested", limit=50)

    def contested_claims(session, limit):
        return list(report.claims(session, top, detail=True))

    engine = db.open_database(db.resolve_url(db_url))
    times = []
    try:
        with db.read_session(engine) as session:
            contested_claims(session, limit=50)  # warm the cache and the pool
            with collecting_as_the_command():
                for _ in range(repeats):
                    started = time.perf_counter()
                    contested_claims(session, limit=50)
                    times.append(time.perf_counter() - started)
    finally:
        engine.dispose()
    return statistics.median(times)


def sqlite_query_floor(path: Path, repeats: int) -> float:
    connection = sqlite3.connect(path)
    connection.execute(TOP_CONTESTED_SQL).fetchall()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        connection.execute(TOP_CONTESTED_SQL).fetchall()
        times.append(time.perf_counter() - started)
    connection.close()
    return statistics.median(times)


def stdlib_export(path: Path, out: Path) -> None:
    """The P4 floor: the database computes the rows, csv.writer writes them."""
    connection = sqlite3.connect(path)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        for row in connection.execute(PER_CLAIM_SQL):
            writer.writerow(row)
    connection.close()


def stdlib_load(csv_path: Path, target: Path) -> None:
    """The P5 floor: csv.reader and one executemany into a table of the same columns."""
    connection = sqlite3.connect(target)
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        columns = ", ".join(f'"{h}" TEXT' for h in header)
        connection.execute(f"CREATE TABLE rows ({columns})")
        marks = ", ".join("?" for _ in header)
        connection.executemany(f"INSERT INTO rows VALUES ({marks})", reader)  # noqa: S608
    connection.commit()
    connection.close()


def child(code: str) -> list[str]:
    return [PY, "-c", f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); {code}"]


def bench_sqlite(args, results: Results, workdir: Path) -> None:
    big = database(workdir, args.claims)
    r, c = args.repeats, args.command_repeats
    print(f"SQLite, {args.claims:,} claims", flush=True)
    ours, floor = alternate(
        lambda: run_child([*CLAIMTRACK, "--help"])[0], lambda: run_child(FLOOR_CLICK)[0], c
    )
    results.add("P1", "claimtrack --help", ours, floor, 1.2)

    counter = iter(range(10**9))
    ours, floor = alternate(
        lambda: run_child([*CLAIMTRACK, "--db", str(big), "--editor", "bench", "claim", "add",
                           f"bench claim {time.time_ns()} {next(counter)}", "--by", "Person 1",
                           "--topic", "bench"])[0],
        lambda: run_child(FLOOR_ORM)[0], c)  # fmt: skip
    results.add("P2", f"claim add on {args.claims:,} claims", ours, floor, 1.15)

    ours, floor = alternate(
        lambda: run_child([*CLAIMTRACK, "--db", str(big), "report", "contested", "--limit",
                           "50", "--format", "json"])[0],
        lambda: run_child(FLOOR_ORM)[0], c)  # fmt: skip
    results.add("P3", "report contested, top 50 (whole command)", ours, floor, 1.15)
    query = query_seconds(str(big), max(5, r))
    results.note(
        "P3q", "  its queries, in process", round(query * 1000, 2), "≤ 10 ms", query <= 0.010, "ms"
    )
    results.add(
        "P3i",
        "  the state lookup v. the sqlite3 index walk",
        query,
        sqlite_query_floor(big, max(5, r)),
        None,
        note="the rest is both sides of 50 claims",
    )

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmp = Path(tmp)
        out = tmp / "ours.csv"
        export_argv = [*CLAIMTRACK, "--db", str(big), "export", "csv", "--out", str(out)]

        export_peaks = []

        def ours_export():
            seconds, peak = run_child(export_argv)
            export_peaks.append(peak)
            return seconds

        ours, floor = alternate(ours_export,
                                lambda: run_child(child(
                                    f"import run; from pathlib import Path; run.stdlib_export("
                                    f"Path({str(big)!r}), Path({str(tmp / 'floor.csv')!r}))"))[0],
                                max(1, r // 2))  # fmt: skip
        results.add(
            "P4", f"export csv --per claim, {args.claims:,} claims v. stdlib", ours, floor, 1.3
        )
        if shutil.which("sqlite3"):
            with (tmp / "cli.csv").open("wb") as sink:
                cli_floor, _ = run_child(["sqlite3", "-csv", str(big), PER_CLAIM_SQL], stdout=sink)
            results.add("P4c", "  the same v. sqlite3 -csv", ours, cli_floor, 2.0)
        export_mb = max(export_peaks) // 1024
        results.note(
            "P6e",
            f"  peak memory of the export, {args.claims:,} claims",
            export_mb,
            "≤ 120 MB, flat",
            export_mb <= 120,
            " MB",
        )

        # P5: import the per-stance export of the --claims database (the measure:
        # 2.7M stances at 1M claims) into an empty file; --import-claims takes a smaller
        # one for a quicker run.
        small_claims = min(args.claims, args.import_claims or args.claims)
        small = database(workdir, small_claims)
        stances_csv = tmp / "stances.csv"
        run_child(
            [
                *CLAIMTRACK,
                "--db",
                str(small),
                "export",
                "csv",
                "--per",
                "stance",
                "--out",
                str(stances_csv),
            ]
        )
        with stances_csv.open(encoding="utf-8-sig") as f:
            rows = sum(1 for _ in csv.reader(f)) - 1

        def import_argv():
            target = tmp / f"import-{time.time_ns()}.db"
            return [*CLAIMTRACK, "--db", str(target), "import", "csv", str(stances_csv)]

        import_peaks = []

        def ours_import():
            seconds, peak = run_child(import_argv())
            import_peaks.append(peak)
            return seconds

        ours, floor = alternate(ours_import,
                                lambda: run_child(child(
                                    f"import run; from pathlib import Path; run.stdlib_load("
                                    f"Path({str(stances_csv)!r}), Path({str(tmp)!r}) / "
                                    f"'floor-{time.time_ns()}.db')"))[0],
                                1)  # fmt: skip
        results.add("P5", f"import csv, {rows:,} stances v. stdlib executemany", ours, floor, 1.5)
        import_mb = max(import_peaks) // 1024
        results.note(
            "P6i",
            f"  peak memory of the import, {rows:,} stances",
            import_mb,
            "≤ 120 MB, flat",
            import_mb <= 120,
            " MB",
        )

    # P7: the contested query from 10k claims to the full size.
    base = query_seconds(str(database(workdir, 10_000)), max(5, r))
    results.add("P7", f"contested query, {args.claims:,} v. 10,000 claims", query, base, 1.5)
    bench_history(str(big), results, r, "", c)
    bench_xlsx(args, results, workdir)


def bench_history(db_url: str, results: Results, repeats: int, prefix: str,
                  command_repeats: int) -> None:  # fmt: skip
    """P9: the contested top 50 as of an instant and as known at one, from the stored
    history (queries in process, and the whole command v. the floor); P10: one day of
    `report changes`."""
    from claimtrack import db, report
    from claimtrack.selection import Selection

    engine = db.open_database(db.resolve_url(db_url))
    with db.read_session(engine) as session:
        # The middle stance's said time, not the middle of the first and last: a few
        # stances said years apart (seeded, or written by the commands measured) would
        # put that in a stretch where nothing was said, and P10 would time an empty day.
        said = schema_column(session, "SELECT (SELECT said_at FROM stance ORDER BY said_at "
                                      "LIMIT 1 OFFSET (SELECT count(*) / 2 FROM stance)), "
                                      "max(recorded_at) FROM stance")  # fmt: skip
    engine.dispose()
    middle, recorded = said
    as_of = middle.isoformat(timespec="seconds")  # claimtrack takes times to the second
    tag = "PostgreSQL: " if prefix else ""
    for key, label, selection in (
        ("P9a", f"{tag}contested top 50 --as-of {as_of[:10]}, queries", Selection(
            status="contested", limit=50, as_of=middle)),
        ("P9k", f"{tag}contested top 50 --known-at (all recorded), queries", Selection(
            status="contested", limit=50, known_at=recorded + dt.timedelta(seconds=1))),
    ):  # fmt: skip
        seconds = in_process(db_url, lambda s, sel=selection: list(
            report.claims(s, sel, detail=True)), repeats)  # fmt: skip
        results.note(prefix + key, label, round(seconds * 1000, 2), "≤ 20 ms", seconds <= 0.020,
                     "ms")  # fmt: skip
    ours, floor = alternate(
        lambda: run_child([*CLAIMTRACK, "--db", db_url, "report", "contested", "--as-of", as_of,
                           "--limit", "50", "--format", "json"])[0],
        lambda: run_child(FLOOR_ORM)[0], command_repeats)  # fmt: skip
    results.add(prefix + "P9", f"{tag}report contested --as-of, top 50 (whole command)", ours,
                floor, 1.15)  # fmt: skip
    if prefix:
        ours, floor = alternate(
            lambda: run_child([*CLAIMTRACK, "--db", db_url, "report", "contested", "--as-of",
                               as_of, "--limit", "50", "--format", "json"])[0],
            lambda: run_child(FLOOR_DRIVER)[0], command_repeats)  # fmt: skip
        results.add(prefix + "P9d", "  the same v. the floor importing psycopg and its dialect",
                    ours, floor, None)  # fmt: skip
    day = Selection(as_of=middle)
    seconds = in_process(db_url, lambda s: list(
        report.changes(s, day, middle - dt.timedelta(days=1))), repeats)  # fmt: skip
    results.note(prefix + "P10", f"{tag}report changes, one day, queries",
                 round(seconds * 1000, 2), "≤ 50 ms", seconds <= 0.050, "ms")  # fmt: skip


def schema_column(session, sql: str):
    """One row of a constant query, times as aware datetimes (UTC)."""
    from sqlalchemy import text

    from claimtrack.schema import UTCDateTime

    row = session.execute(text(sql)).one()
    kind = UTCDateTime()
    dialect = session.get_bind().dialect
    return [kind.process_result_value(v, dialect) for v in row]


def in_process(db_url: str, work, repeats: int) -> float:
    """Median seconds of ``work(session)``, warm (one run first)."""
    from claimtrack import db

    engine = db.open_database(db.resolve_url(db_url))
    times = []
    try:
        with db.read_session(engine) as session:
            work(session)
            with collecting_as_the_command():
                for _ in range(max(5, repeats)):
                    started = time.perf_counter()
                    work(session)
                    times.append(time.perf_counter() - started)
    finally:
        engine.dispose()
    return statistics.median(times)


def bench_xlsx(args, results: Results, workdir: Path) -> None:
    """P4x: the XLSX export (three sheets: contested, claims, stances) v. the per-claim
    CSV export of the same database, and its peak memory."""
    size = min(args.claims, args.xlsx_claims)
    small = database(workdir, size)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        xlsx = [*CLAIMTRACK, "--db", str(small), "export", "xlsx", "--out", f"{tmp}/x.xlsx"]
        as_csv = [*CLAIMTRACK, "--db", str(small), "export", "csv", "--out", f"{tmp}/x.csv"]
        seconds, peak = run_child(xlsx)
        floor, _ = run_child(as_csv)
    results.add("P4x", f"export xlsx v. export csv, {size:,} claims", seconds, floor, 3.0)
    results.note("P6x", f"  peak memory of the XLSX export, {size:,} claims", peak // 1024,
                 "≤ 120 MB, flat", peak // 1024 <= 120, " MB")  # fmt: skip


def bench_postgres(args, results: Results) -> None:
    from generate import generate

    from claimtrack import db

    url = db.resolve_url(args.pg)
    print(f"PostgreSQL, {args.claims:,} claims ({db.redact(url)})", flush=True)
    engine = db.create_engine(url)
    with engine.connect() as connection:
        fresh = db.current_revision(connection) is None
    engine.dispose()
    if fresh:
        print("  ", generate(args.pg, args.claims, progress=None), flush=True)
    query = query_seconds(args.pg, max(5, args.repeats))
    results.note(
        "P8q",
        "PostgreSQL: contested top 50, its queries",
        round(query * 1000, 2),
        "≤ 20 ms",
        query <= 0.020,
        "ms",
    )
    bench_history(args.pg, results, args.repeats, "PG-", args.command_repeats)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pg.csv"
        ours, _ = run_child([*CLAIMTRACK, "--db", args.pg, "export", "csv", "--out", str(out)])
        psql_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
        query_text = " ".join(postgres_sql(PER_CLAIM_SQL).split())
        floor, _ = run_child(
            [
                "psql",
                psql_url,
                "-q",
                "-c",
                f"\\copy ({query_text}) to '{Path(tmp) / 'floor.csv'}' csv",
            ]
        )
        results.add("P8", "PostgreSQL: export csv --per claim v. psql \\copy", ours, floor, 1.5)

        # P5 on PostgreSQL: this database's per-stance export imported into an empty
        # database, v. psql \copy of the same file into one table of the same columns.
        stances_csv = Path(tmp) / "stances.csv"
        limit = ["--limit", str(args.import_claims)] if args.import_claims else []
        run_child([*CLAIMTRACK, "--db", args.pg, "export", "csv", "--per", "stance",
                   *limit, "--out", str(stances_csv)])  # fmt: skip
        with stances_csv.open(encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f))
            rows = sum(1 for _ in csv.reader(f))
        with scratch_database(url) as (target, target_psql):
            run_child([*CLAIMTRACK, "--db", target, "db", "upgrade"])  # as the floor's table
            ours, _ = run_child([*CLAIMTRACK, "--db", target, "import", "csv", str(stances_csv)])
            columns = ", ".join(f'"{h}" text' for h in header)
            run_child(["psql", target_psql, "-q", "-c", f"CREATE TABLE floor_rows ({columns})"])
            copy = f"\\copy floor_rows from '{stances_csv}' csv header"
            floor, _ = run_child(["psql", target_psql, "-q", "-c", copy])
        results.add("P5p", f"PostgreSQL: import csv, {rows:,} stances v. psql \\copy",
                    ours, floor, 1.5)  # fmt: skip


@contextlib.contextmanager
def scratch_database(url):
    """A new empty database on the server of ``url`` (its SQLAlchemy URL and its psql
    URL), dropped afterwards."""
    import sqlalchemy

    name = f"bench_import_{time.time_ns()}"
    admin = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    target = url.set(database=name)
    try:
        psql = target.set(drivername="postgresql")
        yield (target.render_as_string(hide_password=False),
               psql.render_as_string(hide_password=False))  # fmt: skip
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument(
        "--import-claims",
        type=int,
        help="size of the database whose stances P5 imports (default: --claims)",
    )
    parser.add_argument(
        "--xlsx-claims",
        type=int,
        default=100_000,
        help="size of the database P4x exports as XLSX and CSV (default: 100,000)",
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--command-repeats",
        type=int,
        default=9,
        help="turns of each sub-second whole command and its floor (P1, P2, P3, P9; "
        "default 9: one run of a 0.25 s command varies by 20 ms, more than the "
        "margin of a 1.15x target)",
    )
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument(
        "--pg",
        metavar="URL",
        help="also measure PostgreSQL at this URL "
        "(an empty database, or one this script filled before)",
    )
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    parser.add_argument(
        "--no-sqlite", action="store_true", help="with --pg: measure only PostgreSQL"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = Results()
    started = time.perf_counter()
    if not (args.no_sqlite and args.pg):
        bench_sqlite(args, results, args.workdir)
    if args.pg:
        bench_postgres(args, results)
    print()
    print(results.table())
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    if args.json:
        args.json.write_text(json.dumps(results.rows, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
