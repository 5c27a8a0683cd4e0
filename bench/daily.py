"""The daily commands against the import floor, as whole processes (issue 13, item 2).

    python bench/daily.py --db /tmp/copy-of-1m.db              # 5 rounds each
    python bench/daily.py --db /tmp/copy-of-1m.db --repeats 9 --only add,show

Each command runs alternately with its floor (``python -c "import click"`` for
``--help``, ``python -c "import click, sqlalchemy.orm"`` for the others) and the medians
of wall time and CPU time (user + system) are compared. ``claim add`` WRITES to the
database: give it a copy. It adds into the topic of ``--topic`` (default ``topic-0``,
5,000 claims in bench/generate.py's data).

claimtrack turns the garbage collector off while it imports and freezes what it
imported (``claimtrack.cli``), which spares it collections that the floor, a plain
import, still runs, at its start and at its exit. ``--strict`` compares with that
floor's imports under the same regime as well (``gc_floor``), to show what the
commands cost beyond their imports however the collector is set.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (  # noqa: E402
    CLAIMTRACK,
    FLOOR_CLICK,
    FLOOR_DRIVER,
    FLOOR_ORM,
    collecting_as_the_command,
)

GC_FLOOR = {  # the floors with the collector as claimtrack sets it
    tuple(FLOOR_CLICK): [sys.executable, "-c", "import gc; import click; gc.disable()"],
    tuple(FLOOR_ORM): [sys.executable, "-c", "import gc; import click; gc.disable(); "
                       "import sqlalchemy.orm; gc.freeze(); gc.enable()"],
}  # fmt: skip


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {process.stderr.decode()[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def queries(db: str, repeats: int, *, show: str, search: str, topic: str) -> None:
    """Each command's database work, in process and warm (the first run compiles the
    statements and fills the caches): the median of ``repeats`` runs."""
    from claimtrack import db as database
    from claimtrack import report, similar
    from claimtrack.lookup import find_claim
    from claimtrack.names import normalise
    from claimtrack.search import MANY, matching_claims
    from claimtrack.selection import Selection

    def searched(session):
        found = matching_claims(session, search)
        ids = tuple(found) if found not in (None, MANY) else None
        chosen = Selection(search=search, search_ids=ids, search_many=found == MANY, limit=20)
        return list(report.claims(session, chosen))

    work = {
        f"claim show {show}": lambda s: report.claim_detail(s, find_claim(s, show)),
        "report contested --limit 50": lambda s: list(
            report.claims(s, Selection(status="contested", limit=50), detail=True)
        ),
        f"claim list --search {search} --limit 20": searched,
        f"claim add: near-duplicates in {topic}": lambda s: similar.similar(
            s, normalise("Synthetic claim 17: figure 4242 in region 17"), topic
        ),
    }
    engine = database.open_database(database.resolve_url(db))
    try:
        with database.read_session(engine) as session:
            for label, run in work.items():
                run(session)
                times = []
                with collecting_as_the_command():
                    for _ in range(repeats):
                        started = time.perf_counter()
                        run(session)
                        times.append(time.perf_counter() - started)
                print(f"  queries of {label:<44} {statistics.median(times) * 1000:6.2f} ms")
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a COPY of a generated database")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--topic", default="topic-0")
    parser.add_argument("--show", default="1", help="the claim `claim show` shows")
    parser.add_argument("--search", default="region", help="the word `claim list` searches")
    parser.add_argument("--only", help="comma-separated: help,add,show,report,search")
    parser.add_argument(
        "--strict", action="store_true", help="also compare with the floor, collector as ours"
    )
    parser.add_argument(
        "--queries", action="store_true", help="only time each command's queries, in process"
    )
    args = parser.parse_args()
    if args.queries:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        queries(args.db, max(args.repeats, 9), show=args.show, search=args.search,
                topic=args.topic)  # fmt: skip
        return
    # (run.py lets the children write bytecode: the warm-up run writes it where an
    # editable install has none.)
    os.environ["CLAIMTRACK_EDITOR"] = "bench"
    db = ["--db", args.db]
    postgres = args.db.startswith("postgresql")
    counter = iter(range(10**9))

    def add():
        text = f"bench claim {time.time_ns()} {next(counter)} 台湾 گزارش"
        return [*CLAIMTRACK, *db, "claim", "add", text, "--by", "Person 1", "--topic", args.topic]

    cases = {
        "help": ("claimtrack --help", lambda: [*CLAIMTRACK, "--help"], FLOOR_CLICK, 1.2),
        "add": (f"claim add (topic {args.topic})", add, FLOOR_ORM, 1.15),
        "show": (f"claim show {args.show}", lambda: [*CLAIMTRACK, *db, "claim", "show", args.show],
                 FLOOR_ORM, 1.15),
        "report": ("report contested --limit 50",
                   lambda: [*CLAIMTRACK, *db, "report", "contested", "--limit", "50"],
                   FLOOR_ORM, 1.15),
        "search": (f"claim list --search {args.search} --limit 20",
                   lambda: [*CLAIMTRACK, *db, "claim", "list", "--search", args.search,
                            "--limit", "20"], FLOOR_ORM, 1.15),
    }  # fmt: skip
    only = args.only.split(",") if args.only else list(cases)
    print(f"{'':<44} {'wall: ours / floor = ratio':>31}   {'CPU: ours / floor = ratio':>30}")
    for key in only:
        label, argv, floor, target = cases[key]
        timed(argv())  # warm the page cache
        ours, base, strict, driver = [], [], [], []
        with_driver = postgres and floor is FLOOR_ORM
        for _ in range(args.repeats):  # alternately, so drift hits both alike
            ours.append(timed(argv()))
            base.append(timed(floor))
            if args.strict:
                strict.append(timed(GC_FLOOR[tuple(floor)]))
            if with_driver:
                driver.append(timed(FLOOR_DRIVER))
        wall, wall_floor = (statistics.median(t[0] for t in runs) for runs in (ours, base))
        cpu, cpu_floor = (statistics.median(t[1] for t in runs) for runs in (ours, base))
        verdict = "met" if wall / wall_floor <= target else "NOT met"
        print(f"{label:<44} {wall:6.3f}s / {wall_floor:6.3f}s = {wall / wall_floor:5.2f}x   "
              f"{cpu:6.3f}s / {cpu_floor:6.3f}s = {cpu / cpu_floor:5.2f}x   "
              f"(target {target}x: {verdict})", flush=True)  # fmt: skip
        for name, runs in (("v. gc_floor", strict), ("v. floor + psycopg, dialect", driver)):
            if runs:
                wall_2, cpu_2 = (statistics.median(t[i] for t in runs) for i in (0, 1))
                print(f"{'  ' + name:<44} {wall:6.3f}s / {wall_2:6.3f}s = "
                      f"{wall / wall_2:5.2f}x   {cpu:6.3f}s / {cpu_2:6.3f}s = "
                      f"{cpu / cpu_2:5.2f}x", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
