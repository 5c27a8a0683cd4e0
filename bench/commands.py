"""Run every command in ``claimtrack --help`` with its defaults against one database (P11).

    python bench/commands.py --db /tmp/copy-of-g1m.db
    python bench/commands.py --db postgresql+psycopg://localhost/g1m --markdown

It writes (a party, a source, claims, stances, a verdict, a merge, an import of three
rows), so point it at a copy: never at a database the desk uses. Databases come from
``bench/generate.py``, whose names (Person 1, Government 2, claims 1 to N) it uses.

For each command: the exit status, the wall time, the time to the first byte of output
(what an editor waits for before the report starts to scroll), the bytes written and
the peak resident memory of the process (``os.wait4``), and its CPU time (user and system:
what the load of a shared machine changes least). The floor, ``python -c "import click,
sqlalchemy.orm"``, is run just before each command, so each ratio is against a floor run
at the same load. Whole-archive outputs (unlimited reports, exports) are
marked: their target is the first byte within 1 s and memory at most 120 MB, not the
total time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import CLAIMTRACK  # the installed command, as a user runs it

PY = sys.executable
ROOT = Path(__file__).resolve().parent.parent
FLOOR = [PY, "-c", "import click, sqlalchemy.orm"]
REVIEWS = ROOT / "fixtures" / "claimreview-two-publishers.json"
DATA = ROOT.parent / "shared" / "data"  # LIAR and PHEME, beside the checkout (README)
# Outputs that are the whole archive: streamed, judged by first byte and memory.
WHOLE = {"report claims", "report contested", "claim list", "export csv", "export xlsx",
         "export claimreview", "export graph", "source list", "db rebuild-status",
         "log"}  # fmt: skip


def measure(argv: list[str], *, cwd: str | None = None, stdin: bytes | None = None) -> dict:
    """Exit status, wall and CPU seconds (user and system), seconds to the first byte of
    stdout, bytes, peak MB."""
    # Standard error to a file, not a pipe: a command that writes more than a pipe holds
    # to it while we wait on its standard output would wait for us for ever.
    errors = tempfile.TemporaryFile()
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=errors,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL, cwd=cwd,
    )  # fmt: skip
    if stdin is not None:
        process.stdin.write(stdin)
        process.stdin.close()
    first, size, head = None, 0, b""
    while chunk := process.stdout.read1(1 << 16):
        if first is None:
            first = time.perf_counter() - started
        size += len(chunk)
        if len(head) < 4096:
            head += chunk[:4096]
    _, status, usage = os.wait4(process.pid, 0)
    errors.seek(0)
    stderr = errors.read()
    errors.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return dict(
        code=process.returncode, wall=round(wall, 3),
        cpu=round(usage.ru_utime + usage.ru_stime, 3),
        first_byte=None if first is None else round(first, 3), bytes=size,
        peak_mb=round(usage.ru_maxrss / 1024), stdout=head.decode("utf-8", "replace"),
        stderr=stderr.decode("utf-8", "replace")[-400:],
    )  # fmt: skip


def _first_number(text: str, pattern: str = r"#?(\d+)") -> str:
    found = re.search(pattern, text)
    if not found:
        raise RuntimeError(f"no id in {text!r}")
    return found.group(1)


def plan(tag: str, workdir: Path, seen: dict[str, str]):
    """(name, arguments or a function of earlier outputs, options) for every command;
    ``seen`` holds the ids kept from earlier outputs (the new claim, its denial)."""
    csv_file = workdir / "three.csv"
    csv_file.write_text(
        "claim,party,stance,source,date\n"
        f"Bench import claim {tag} one,Person 1,asserts,,2026-04-11\n"
        f"Bench import claim {tag} one,Person 2,denies,,2026-04-12\n"
        f"Bench import claim {tag} two,Person 3,asserts,,2026-04-12\n",
        encoding="utf-8",
    )
    yield "--help", ["--help"], {}
    yield "demo", ["demo"], {"cwd": str(workdir), "own_db": True}
    yield "party add", ["party", "add", f"Bench party {tag}", "--for", "Government 1"], {}
    yield "party alias", ["party", "alias", f"Bench party {tag}", f"别名 {tag}"], {}
    yield "party edit", ["party", "edit", f"Bench party {tag}", "--kind", "agency"], {}
    yield "party list", ["party", "list"], {}
    yield "party show", ["party", "show", "Person 1"], {}
    yield "source add", ["source", "add", f"Bench report {tag}", "--outlet", "Outlet 1"], {}
    yield "source list", ["source", "list"], {}
    yield "claim add", ["claim", "add", f"Bench claim {tag}: the talks lasted 21 hours",
                        "--by", "Person 1", "--topic", "topic-1"], {"keep": "claim"}  # fmt: skip
    yield "claim add (2)", ["claim", "add", f"Bench duplicate {tag}", "--by", "Person 2",
                            "--topic", "topic-1"], {"keep": "dup"}  # fmt: skip
    yield (
        "claim confirm",
        lambda: ["claim", "confirm", seen["claim"], "--by", "Person 3"],
        {"keep": "confirmed"},
    )
    yield (
        "claim deny",
        lambda: ["claim", "deny", seen["claim"], "--by", "Person 900"],
        {"keep": "stance"},
    )
    yield "claim dispute", lambda: ["claim", "dispute", seen["claim"], "--by", "Person 901"], {}
    yield "claim question", lambda: ["claim", "question", seen["claim"], "--by", "Outlet 2"], {}
    yield "claim comment", lambda: ["claim", "comment", seen["claim"], "--by", "Outlet 3"], {}
    yield "claim retract", lambda: ["claim", "retract", seen["claim"], "--by", "Person 1"], {}
    yield (
        "claim counter",
        lambda: [
            "claim",
            "counter",
            seen["claim"],
            f"Bench counter {tag}: 24 hours",
            "--by",
            "Person 902",
        ],
        {},
    )
    yield "claim link", lambda: ["claim", "link", seen["claim"], "2", "--contradicts"], {}
    yield "claim show", lambda: ["claim", "show", seen["claim"]], {}
    yield "claim edit", lambda: ["claim", "edit", seen["claim"], "--slug", f"bench-{tag}"], {}
    yield "claim list", ["claim", "list"], {}
    yield "claim merge", lambda: ["claim", "merge", seen["dup"], seen["claim"]], {}
    yield "stance amend", lambda: ["stance", "amend", seen["stance"], "--reason", "bench",
                                   "--kind", "disputes"], {}  # fmt: skip
    yield "stance void", lambda: ["stance", "void", seen["confirmed"], "--reason", "bench"], {}
    yield "verdict set", lambda: ["verdict", "set", seen["claim"], "--rating", "Half right",
                                  "--as", "mixture", "--url",
                                  f"https://example.org/checks/{tag}"], {}  # fmt: skip
    yield "verdict show", lambda: ["verdict", "show", seen["claim"]], {}
    yield "report contested", ["report", "contested"], {}
    yield "report claims", ["report", "claims"], {}
    yield "report parties", ["report", "parties"], {}
    yield "report changes", ["report", "changes"], {}
    yield "export csv", ["export", "csv"], {}
    yield "export xlsx", ["export", "xlsx", "--out", str(workdir / "all.xlsx")], {}
    yield "export claimreview", ["export", "claimreview"], {}
    yield "export graph", ["export", "graph"], {}
    yield "import csv", ["import", "csv", str(csv_file)], {}
    yield "import claimreview", ["import", "claimreview", str(REVIEWS)], {}
    liar, pheme = DATA / "liar", DATA / "pheme"
    yield (
        "import liar",
        ["import", "liar", str(liar)] if liar.is_dir() else None,
        {"why": f"no {liar}"},
    )
    # Into a new database: LIAR and PHEME share a name ('Michael Skolnik'), and the one
    # imported second is refused for it, as the README says.
    yield (
        "import pheme",
        # (its own file: without --db it would go to the user's default database)
        ["--db", str(workdir / "pheme.db"), "import", "pheme", str(pheme)]
        if pheme.is_dir()
        else None,
        {"why": f"no {pheme}", "cwd": str(workdir), "own_db": True},
    )
    yield "log", ["log"], {}
    yield "seed", ["seed"], {}
    yield "party merge", ["party", "merge", f"Bench party {tag}", "Person 1"], {}
    yield "db current", ["db", "current"], {}
    yield "db upgrade", ["db", "upgrade"], {}
    yield "db rebuild-status", ["db", "rebuild-status"], {"slow": True}
    # The whole archive into a new SQLite file (a move to PostgreSQL is the same stream).
    yield "db copy", ["db", "copy", str(workdir / f"copy-{tag}.db")], {"slow": True}
    yield "db downgrade", None, {"why": "destructive: drops the schema (tested in the suite)"}


def run(db: str, *, slow: bool, repeats: int, skip: tuple[str, ...] = ()) -> list[dict]:
    tag = time.strftime("%H%M%S")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        seen: dict[str, str] = {}
        for name, argv, options in plan(tag, workdir, seen):
            if name in skip:
                options = {**options, "why": "left out with --skip"}
                argv = None
            if argv is None or (options.get("slow") and not slow):
                why = options.get("why") or "whole-archive rebuild; run with --slow"
                results.append(dict(command=name, skipped=why))
                print(f"  {name:<22} not run: {why}", flush=True)
                continue
            argv = argv() if callable(argv) else argv
            prefix = [*CLAIMTRACK, "--editor", "bench"]
            if not options.get("own_db"):
                prefix += ["--db", db]
            floor = measure(FLOOR)  # just before the command: the same load
            result = measure(prefix + argv, cwd=options.get("cwd"))
            result.update(floor=floor["wall"], floor_cpu=floor["cpu"])
            if options.get("keep") and result["code"] == 0:
                seen[options["keep"]] = _first_number(result["stdout"] + result["stderr"])
            result.update(command=name, whole=name in WHOLE)
            results.append(result)
            print(
                f"  {name:<22} exit {result['code']}  {result['wall']:8.2f} s  "
                f"(floor {floor['wall']:.2f} s)  CPU {result['cpu']:7.2f} s  first byte "
                f"{result['first_byte'] if result['first_byte'] is not None else '-':>6}  "
                f"{result['bytes']:>12,} B  {result['peak_mb']:>5} MB"
                + (f"  {result['stderr'].strip().splitlines()[-1]}" if result["code"] else ""),
                flush=True,
            )
    floors = [measure(FLOOR) for _ in range(repeats)]
    floors += [dict(wall=r["floor"], cpu=r["floor_cpu"]) for r in results if "floor" in r]
    results.append(dict(command="floor", wall=statistics.median(f["wall"] for f in floors),
                        cpu=statistics.median(f["cpu"] for f in floors)))  # fmt: skip
    return results


def markdown(results: list[dict]) -> str:
    floor = next(r for r in results if r["command"] == "floor")
    lines = [
        "| command | exit | wall (s) | × floor | CPU (s) | first byte (s) | output | peak MB "
        "| target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r["command"] == "floor":
            continue
        if "skipped" in r:
            lines.append(f"| `{r['command']}` | not run: {r['skipped']} | | | | | | | |")
            continue
        if r["whole"]:
            target = "first byte ≤ 1 s, ≤ 120 MB"
            met = (r["first_byte"] or r["wall"]) <= 1 and r["peak_mb"] <= 120
        else:
            target, met = "≤ 1 s", r["wall"] <= 1
        met = met and r["code"] == 0
        lines.append(
            f"| `{r['command']}` | {r['code']} | {r['wall']:.2f} | {r['wall'] / r['floor']:.1f}× | "
            f"{r['cpu']:.2f} | "
            f"{r['first_byte'] if r['first_byte'] is not None else '-'} | "
            f"{r['bytes']:,} B | {r['peak_mb']} | {target}: {'met' if met else 'NOT met'} |"
        )
    lines.append(
        f'\nFloor (`python -c "import click, sqlalchemy.orm"`, run just before each command; '
        f"× floor is against that run): median {floor['wall']:.3f} s wall, "
        f"{floor['cpu']:.3f} s CPU"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a COPY of a generated database (it writes)")
    parser.add_argument("--slow", action="store_true", help="also run db rebuild-status")
    parser.add_argument("--repeats", type=int, default=5, help="floor runs (median)")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="COMMAND",
        help="leave this command out (e.g. --skip 'export xlsx')",
    )
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--markdown", action="store_true", help="print a table for the docs")
    args = parser.parse_args()
    results = run(args.db, slow=args.slow, repeats=args.repeats, skip=tuple(args.skip))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.markdown:
        print(markdown(results))
    failed = [r["command"] for r in results if r.get("code")]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
