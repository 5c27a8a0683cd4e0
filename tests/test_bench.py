"""The benchmark code runs (no timings are asserted: bench/run.py reports ratios)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def test_generator_builds_a_realistic_database(db_url):
    from generate import generate

    from claimtrack import rule

    counts = generate(db_url.render_as_string(hide_password=False), 2000, progress=None)
    assert counts["claims"] == 2000 and 2.2 < counts["stances"] / 2000 < 3.2
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            statuses = dict(
                connection.execute(
                    sa.text("SELECT status, count(*) FROM claim_state GROUP BY status")
                ).all()
            )
            view = rule.view_table("claim_status")
            from_scratch = dict(
                connection.execute(
                    sa.select(view.c.status, sa.func.count()).group_by(view.c.status)
                ).all()
            )
    finally:
        engine.dispose()
    assert statuses == from_scratch
    assert 0.05 < statuses["contested"] / 2000 < 0.2
    assert {"asserted", "retracted"} <= set(statuses)


def test_smoke_run_prints_every_target(tmp_path):
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--claims", "10000", "--repeats", "1",
         "--command-repeats", "1", "--import-claims", "500", "--workdir", str(tmp_path),
         "--json", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    ids = [row["id"] for row in json.loads(out.read_text())]
    assert ids == ["P1", "P2", "P3", "P3q", "P3i", "P4", "P4c", "P6e", "P5", "P6i", "P7",
                   "P9a", "P9k", "P9", "P10", "P4x", "P6x"]  # fmt: skip
    assert "| P4 " in result.stdout


def test_every_command_runs_with_its_defaults(tmp_path):
    """bench/commands.py (P11) on a small generated database: each command in
    `claimtrack --help` exits 0, so the table in docs/performance.md cannot rot."""
    from generate import generate

    db = tmp_path / "small.db"
    generate(str(db), 300, progress=None)
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "commands.py"), "--db", str(db), "--repeats", "1",
         "--skip", "import liar", "--json", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    ran = {r["command"]: r for r in json.loads(out.read_text()) if "code" in r}
    assert {"claim add", "report contested", "export graph", "import claimreview"} <= set(ran)
    assert all(r["code"] == 0 for r in ran.values())
    assert ran["export csv"]["bytes"] > 0 and ran["report parties"]["first_byte"] is not None


def test_generator_writes_the_same_rows_on_both_backends(tmp_path, pg_admin_url):
    """COPY on PostgreSQL, executemany on SQLite: the same rows, ids and derived state."""
    import datetime as dt

    from conftest import admin_execute, snapshot
    from generate import generate

    now = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    sqlite_url = f"sqlite+pysqlite:///{tmp_path / 'gen.db'}"
    name = f"claimtrack_test_gen_{os.getpid()}"
    admin_execute(pg_admin_url, f'CREATE DATABASE "{name}"')
    try:
        pg_url = pg_admin_url.set(database=name)
        tables = {}
        for url in (sqlite_url, pg_url.render_as_string(hide_password=False)):
            generate(url, 1500, progress=None, now=now)
            engine = sa.create_engine(url)
            try:
                tables[url] = snapshot(engine)
            finally:
                engine.dispose()
    finally:
        admin_execute(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    on_sqlite, on_pg = tables.values()
    # SQLite's --search index is FTS5 tables (claim_search, quote_search and their
    # shadow tables); PostgreSQL's is GIN indexes, which are not tables.
    fts = {t for t in on_sqlite if t.startswith(("claim_search", "quote_search"))}
    assert len(fts) >= 2
    assert on_sqlite.keys() - fts == on_pg.keys()
    for table in fts:
        del on_sqlite[table]
    for table in on_sqlite:
        assert on_sqlite[table] == on_pg[table], table
    assert len(on_pg["stance"]) > 3000 and len(on_pg["claim_history"]) >= 1500


def test_since_bench_runs(tmp_path):
    """bench/since.py (the --since figures in docs/performance.md) on a small database."""
    from generate import generate

    db = tmp_path / "small.db"
    generate(str(db), 300, progress=None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "since.py"), "--db", str(db), "--repeats", "1"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert result.stdout.count("| report contested --since") == 3
    assert result.stdout.count("| claim list --since") == 2
