"""``--since`` at scale: the exact test (``rule.active_since``) v. its floor, in process.

    python bench/since.py --db /tmp/claims-1m.db --repeats 7     # read only
    python bench/since.py --db postgresql+psycopg://.../m1m

The floor is the query as it was before a date-only activity counted on its day: the
same selection with ``last_activity >= WHEN``, an index range and nothing more. Each
case runs alternately with its floor (the rows each selection finds and its queries,
as ``report contested`` and ``claim list`` build them); the medians are compared. WHEN
is taken from the data: a day and an hour before its latest activity. The exact test
finds every claim the floor finds, and the date-only ones that overlap WHEN besides.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from claimtrack import report, rule  # noqa: E402
from claimtrack.schema import claim_state  # noqa: E402
from claimtrack.selection import Selection  # noqa: E402

EXACT = rule.active_since


def floor(status, claim_id, since, counts, known_at=None):
    return status.c.last_activity >= since


def timed(engine, test, selection) -> tuple[float, list[int]]:
    rule.active_since = test
    try:
        with Session(engine) as session:
            mark = time.perf_counter()
            ids = [r.claim_id for r in report.claims(session, selection)]
            return time.perf_counter() - mark, ids
    finally:
        rule.active_since = EXACT


def cases(engine) -> dict[str, Selection]:
    with engine.connect() as connection:
        latest = connection.scalar(sa.select(sa.func.max(claim_state.c.last_activity)))
    latest = latest if isinstance(latest, dt.datetime) else dt.datetime.fromisoformat(latest)
    latest = latest.replace(tzinfo=dt.UTC)
    day, hour = latest - dt.timedelta(days=1), latest - dt.timedelta(hours=1)
    return {
        "report contested --since (a day back) --limit 50": Selection(
            status="contested", since=day, limit=50
        ),
        "claim list --since (an hour back) --limit 50": Selection(since=hour, limit=50),
        "report contested --since (an hour back), every row": Selection(
            status="contested", since=hour
        ),
        "claim list --since (long ago) --limit 50": Selection(
            since=latest - dt.timedelta(days=3650), limit=50
        ),
        "report contested --since (a day back) --as-of (an hour back) --limit 50": Selection(
            status="contested", since=day, as_of=hour, limit=50
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a database URL or SQLite file (read only)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    url = args.db if "://" in args.db else f"sqlite:///file:{args.db}?mode=ro&uri=true"
    engine = sa.create_engine(url)
    print("| case | exact | floor | ratio | rows (exact, floor) |")
    print("|---|---|---|---|---|")
    for name, selection in cases(engine).items():
        exact, floors = [], []
        for _ in range(args.repeats):
            seconds, found = timed(engine, floor, selection)
            floors.append(seconds)
            seconds, ids = timed(engine, EXACT, selection)
            exact.append(seconds)
        if not (set(found) <= set(ids) or len(ids) == selection.limit):
            raise SystemExit(f"{name}: the exact test lost claims the floor finds")
        a, b = statistics.median(exact), statistics.median(floors)
        print(f"| {name} | {a * 1000:.1f} ms | {b * 1000:.1f} ms | {a / b:.2f}x "
              f"| {len(ids)}, {len(found)} |")  # fmt: skip
    engine.dispose()


if __name__ == "__main__":
    main()
