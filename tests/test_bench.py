"""The benchmark code runs (no timings are asserted: bench/run.py reports ratios)."""

from __future__ import annotations

import json
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
         "--import-claims", "500", "--workdir", str(tmp_path), "--json", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    ids = [row["id"] for row in json.loads(out.read_text())]
    assert ids == ["P1", "P2", "P3", "P3q", "P3i", "P4", "P4c", "P6e", "P5", "P6i", "P7"]
    assert "| P4 " in result.stdout
