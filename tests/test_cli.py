"""The command line as a user meets it: demo, reports, database lifecycle, errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import snapshot
from wcwidth import wcswidth

from claimtrack import db
from claimtrack.cli import cli, walk_commands

ALL_COMMANDS = list(walk_commands())


@pytest.mark.parametrize("command", [(), *ALL_COMMANDS], ids=lambda c: " ".join(c) or "cli")
def test_help(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=" ".join)
def test_every_command_has_an_example(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert "Example" in result.output


def test_help_does_not_import_sqlalchemy_or_the_commands():
    code = (
        "import sys; from claimtrack.cli import cli\n"
        "try: cli(['--help'])\nexcept SystemExit: pass\n"
        "print('sqlalchemy' in sys.modules, 'alembic' in sys.modules, "
        "'claimtrack.cli.claim' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip().splitlines()[-1] == "False False False"


@pytest.mark.parametrize("columns", ["30", "100", "200", "", "x", "-3"])
def test_help_is_as_wide_as_clicks(monkeypatch, columns):
    """The top-level help measures the terminal itself (sparing the import of shutil),
    as click does."""
    monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setattr(click.formatting, "FORCED_WIDTH", None)
    ctx = cli.make_context("claimtrack", [], resilient_parsing=True)
    assert type(ctx) is not click.Context
    assert ctx.make_formatter().width == click.HelpFormatter().width


def test_the_collector_pauses_while_a_command_starts_and_no_longer(run, engine, monkeypatch):
    """Garbage collection is off while a command imports, on once it opens its database,
    and as it was when the command returns."""
    import gc

    from claimtrack.cli import Env

    seen = []
    opened = Env.engine

    def engine_(self, **kwargs):
        seen.append(gc.isenabled())
        result = opened(self, **kwargs)
        seen.append(gc.isenabled())
        return result

    monkeypatch.setattr(Env, "engine", engine_)
    assert run("claim", "list").exit_code == 0
    assert seen == [False, True] and gc.isenabled()
    gc.disable()
    try:
        assert run("claim", "list").exit_code == 0
        assert seen[2:] == [False, False]  # a caller's choice is left alone
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_help_lists_each_command_with_its_own_summary():
    """The top-level help lists the commands from a table, not from their modules: the
    table says what each command's own help says, and the listing is click's."""
    from claimtrack.cli import COMMANDS, SUMMARIES, LazyGroup

    ctx = click.Context(cli)
    assert list(SUMMARIES) == list(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command.short_help is None
        assert SUMMARIES[name] == command.help.split("\n\n")[0], name
    for width in (40, 80, 120):
        clicks, ours = (click.HelpFormatter(width=width) for _ in range(2))
        LazyGroup.format_commands(cli, ctx, clicks)
        cli.format_commands(ctx, ours)
        assert ours.getvalue() == clicks.getvalue()


def test_demo_in_current_directory_twice(tmp_path):
    runner = CliRunner()
    first = runner.invoke(cli, ["demo"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert (tmp_path / "claimtrack-demo.db").exists()
    assert not (tmp_path / "default.db").exists()  # CLAIMTRACK_DB is not the demo's
    second = runner.invoke(cli, ["demo"], catch_exceptions=False)
    assert "nothing new" in second.output
    assert first.stdout.split("\n", 1)[1] == second.stdout.split("\n", 1)[1]
    for word in ("unfreeze", "destroyers", "shook", "clash", "Try next:"):
        assert word in first.output  # table cells wrap, so single words
    assert "no agreement" not in first.output  # agreed by both sides: not contested


def test_demo_is_the_same_on_each_backend(run, tmp_path):
    result = run("demo")
    assert result.exit_code == 0, result.output
    sqlite = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "other.db"), "demo"], catch_exceptions=False
    )
    report = lambda r: r.stdout.split("\n", 1)[1].split("Try next:")[0]  # noqa: E731
    assert report(result) == report(sqlite)


def test_demo_suggests_commands_that_paste_and_never_a_password(db_url, backend, tmp_path):
    """D6: the "Try next" lines printed the URL's password, unquoted (a URL's `&` cut the
    pasted command in two). Now quoted, the password left out (libpq takes it from
    PGPASSWORD), and the suggested command runs as pasted."""
    import shlex

    if backend == "sqlite":
        url, password = str(tmp_path / "a b&c.db"), None
    else:
        password = db_url.password or "s3cret-demo-pw"  # a server that trusts takes any
        with_query = db_url.update_query_dict({"connect_timeout": "10"})  # and an `&`
        url = with_query.set(password=password).render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["--db", url, "demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    if password:
        assert password not in result.output
        assert "PGPASSWORD" in result.output.split("Try next:")[1]
    suggested = [shlex.split(line) for line in result.output.splitlines()
                 if line.startswith("  claimtrack ")]  # fmt: skip
    assert len(suggested) == 3
    for argv in suggested:
        assert argv[:2] == ["claimtrack", "--db"]
        assert "&" not in url or "&" in argv[2]  # one word: the shell did not cut it
    env = {"PGPASSWORD": str(password)} if password else {}
    current = CliRunner(env=env).invoke(cli, suggested[2][1:], catch_exceptions=False)
    assert current.exit_code == 0 and "revision" in current.output, current.output


@pytest.fixture
def seeded_run(run, engine):
    """``run`` on a database at head holding the Islamabad seed."""
    assert run("seed").exit_code == 0
    return run


def test_contested_report_json(seeded_run):
    run = seeded_run
    result = run("report", "contested", "--format", "json")
    rows = json.loads(result.output)
    unfreeze = next(r for r in rows if "unfreeze" in r["claim"])
    assert unfreeze["asserted_by"][0]["via"] == "Reuters"
    opponent = unfreeze["denied_or_countered_by"][0]
    assert (opponent["party"], opponent["side"]) == ("unnamed US official", "United States")
    assert unfreeze["asserted_by"][0]["said_at"] == "2026-04-11"
    assert unfreeze["asserted_by"][0]["said_tz"] == "+05:00"


def test_contested_report_as_of(seeded_run):
    run = seeded_run
    early = json.loads(
        run("report", "contested", "--as-of", "2026-04-11T23:59+05:00", "--format", "json").output
    )
    assert {r["claim"][:20] for r in early} == {
        "The US has agreed to",
        "Two US Navy destroye",
        "Iran intercepted the",
    }


def test_table_aligns_chinese_text(seeded_run):
    run = seeded_run
    result = run("report", "contested", "--tablefmt", "grid")
    lines = [line for line in result.output.splitlines() if line]
    assert any("美国已经同意" in line for line in lines)
    assert len({wcswidth(line) for line in lines}) == 1  # every line equally wide


def test_unknown_tablefmt_is_a_usage_error(seeded_run):
    run = seeded_run
    result = run("report", "contested", "--tablefmt", "nope")
    assert result.exit_code == 2
    assert "unknown table format" in result.output


def test_a_one_line_table_format_keeps_each_row_on_one_line(seeded_run):
    """nu20 #7: `--tablefmt tsv` wrapped cells to the terminal, a row over several lines
    a script cannot read; `unsafehtml` (cells unescaped) was offered. A format without
    multi-line cells gets each row on one line, every cell whole, line breaks shown."""
    run = seeded_run
    assert run("claim", "add", "Two lines\nin one claim, " + "long " * 60, "--by", "Iran",
               "--at", "2026-04-12T10:00+03:30", "--topic", "t").exit_code == 0  # fmt: skip
    listed = json.loads(run("claim", "list", "--format", "json").output)
    for args in (("claim", "list"), ("report", "contested"), ("report", "parties")):
        result = run(*args, "--tablefmt", "tsv")
        assert result.exit_code == 0, result.output
        header, *lines = result.output.splitlines()
        assert all(line.count("\t") == header.count("\t") for line in lines), args
        if args == ("claim", "list"):
            assert len(lines) == len(listed)
            assert any("Two lines␊in one claim, " + "long " * 59 + "long" in line
                       for line in lines)  # fmt: skip
    result = run("report", "contested", "--tablefmt", "unsafehtml")
    assert result.exit_code == 2 and "without escaping" in result.output
    html = run("report", "contested", "--tablefmt", "html").output
    assert html.count("<tr>") == len(json.loads(run("report", "contested", "--format",
                                                    "json").output)) + 1  # fmt: skip


@pytest.mark.parametrize(
    ("args", "imported"),
    [
        ((), "True True False"),  # the table: tabulate and wcwidth, but not the graph
        (("--format", "json"), "False False False"),
        (("--format", "json", "--tablefmt", "nope"), "False False False"),  # as before
        (("--tablefmt", "nope"), "refused"),
    ],
)
def test_report_imports_only_what_its_format_draws_with(seeded_run, db_url, args, imported):
    """``report contested`` imports tabulate (and with it wcwidth) for a table only, and
    the graph module for the HTML page only: each costs a daily command milliseconds."""
    argv = ["--db", db_url.render_as_string(hide_password=False), "report", "contested", *args]
    code = (
        "import sys; from claimtrack.cli import cli\n"
        f"try: cli({argv!r})\nexcept SystemExit as exit: status = exit.code\n"
        "print('refused' if status else ' '.join(str(name in sys.modules) for name in "
        "('tabulate', 'wcwidth', 'claimtrack.graph')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip().splitlines()[-1] == imported


def test_claim_add_maps_only_the_classes_it_writes(run, engine, db_url):
    """Mapping a class and configuring it at the first flush cost every writing command;
    ``claim add`` maps only the classes it writes with (a claim's sketch, state and
    history are written with Core, and have no class); a verdict's class is mapped with
    ``claimtrack.verdicts``, which the verdict commands import."""
    assert run("claim", "add", "The dam held", "--by", "Kyiv", "--create-missing").exit_code == 0
    argv = ["--db", db_url.render_as_string(hide_password=False), "claim", "add",
            "The dam was destroyed", "--by", "Kyiv"]  # fmt: skip
    code = (
        "import sys; from claimtrack.cli import cli\n"
        f"try: cli({argv!r})\nexcept SystemExit as exit: status = exit.code\n"
        "from claimtrack.models import Base\n"
        "print(status, sorted(m.class_.__name__ for m in Base.registry.mappers))\n"
        "from claimtrack.verdicts import Verdict\n"
        "import sqlalchemy as sa\n"
        "print(sa.select(Verdict.publisher_id).join(Verdict.claim).where(Verdict.id == 1)"
        ".compile() is not None, len(Base.registry.mappers))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    status, mapped = out.stdout.strip().splitlines()[-2].split(" ", 1)
    assert status == "0", out.stderr
    assert mapped == str(sorted(["Party", "PartyName", "PartyAlias", "Source", "Claim",
                                 "Stance", "ClaimLink", "Event"]))  # fmt: skip
    assert out.stdout.strip().splitlines()[-1] == "True 9"


def test_db_current_and_upgrade(run, db_url):
    engine = db.create_engine(db_url)
    db.upgrade(engine, "base")
    engine.dispose()
    result = run("db", "upgrade")
    assert result.exit_code == 0 and f"to {db.SCHEMA_HEAD}" in result.output
    assert f"already at revision {db.SCHEMA_HEAD}" in run("db", "upgrade").output
    assert f"revision {db.SCHEMA_HEAD} (up to date)" in run("db", "current").output


def test_empty_postgresql_database_is_not_migrated_silently(pg_admin_url):
    # (A new SQLite file, by contrast, is created at head by design.)
    from conftest import admin_execute

    admin_execute(pg_admin_url, 'CREATE DATABASE "claimtrack_empty"')
    try:
        url = pg_admin_url.set(database="claimtrack_empty").render_as_string(False)
        result = CliRunner().invoke(cli, ["--db", url, "report", "contested"])
    finally:
        admin_execute(pg_admin_url, 'DROP DATABASE "claimtrack_empty" WITH (FORCE)')
    assert result.exit_code == 1
    assert "run 'claimtrack db upgrade'" in result.output


def test_database_behind_head_is_refused(run, db_url, monkeypatch):
    engine = db.open_database(db_url, create=True, create_schema=True)
    before = snapshot(engine)
    engine.dispose()
    monkeypatch.setattr(db, "SCHEMA_HEAD", "9999")
    result = run("report", "contested")
    assert result.exit_code == 1
    assert "run 'claimtrack db upgrade'" in result.output
    assert "Traceback" not in result.output
    engine = db.create_engine(db_url)
    assert snapshot(engine) == before
    engine.dispose()


def test_password_never_shown():
    url = "postgresql+psycopg://editor:s3cret-pw@127.0.0.1:1/claims"
    result = CliRunner().invoke(cli, ["--db", url, "report", "contested"])
    assert result.exit_code == 1
    assert "s3cret-pw" not in result.output
    assert "cannot open database" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_missing_folder_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "no" / "x.db"), "seed"])
    assert result.exit_code == 1
    assert "folder" in result.output and "does not exist" in result.output
    assert not (tmp_path / "no").exists()


def test_bad_url_is_a_clear_error():
    result = CliRunner().invoke(cli, ["--db", "postgresql+psycopg://u:pw@[bad/x", "db", "current"])
    assert result.exit_code != 0
    assert "pw" not in result.output
    assert "Traceback" not in result.output


def test_bad_seed_file_writes_nothing(seeded_run, tmp_path, db_url):
    run = seeded_run
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[claims]]\ntext = "Something new"\n[[claims.stances]]\nby = "Nobody Known"\n'
        'kind = "asserts"\nat = "2026-04-12"\n',
        encoding="utf-8",
    )
    engine = db.create_engine(db_url)
    before = snapshot(engine)
    result = run("seed", str(bad))
    assert result.exit_code == 1
    assert "claims 1: stance 1: unknown party 'Nobody Known'" in result.output
    assert snapshot(engine) == before
    engine.dispose()


def test_a_database_in_a_folder_that_does_not_exist_says_so(tmp_path):
    """nu17: "no database at nodir/x.db yet: record something" pointed to a folder that
    does not exist, where recording fails in turn: the folder is named."""
    path = tmp_path / "nodir" / "x.db"
    for args in (["claim", "list"], ["report", "contested"]):
        result = CliRunner().invoke(cli, ["--db", str(path), *args])
        assert (result.exit_code, result.output) == (
            1, f"Error: no database at {path}: folder {path.parent} does not exist\n")  # fmt: skip
    result = CliRunner().invoke(cli, ["--db", str(path), "party", "add", "Iran"])
    created = f"Error: cannot create database {path}: folder {path.parent} does not exist\n"
    assert (result.exit_code, result.output) == (1, created)
    assert not path.parent.exists()


def test_default_database_lives_in_the_app_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CLAIMTRACK_DB")
    result = CliRunner().invoke(cli, ["db", "current"], catch_exceptions=False)
    assert f"{tmp_path}/config/claimtrack/claimtrack.db: no database yet" in result.output
    result = CliRunner().invoke(cli, ["report", "contested"], catch_exceptions=False)
    assert result.exit_code == 1 and "no database at" in result.output
    assert not (tmp_path / "config" / "claimtrack" / "claimtrack.db").exists()
    result = CliRunner().invoke(cli, ["seed"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "config" / "claimtrack"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "claimtrack.db").stat().st_mode & 0o777 == 0o600


def test_choices_spelled_out_for_help_match_the_models():
    from claimtrack import models
    from claimtrack.cli import report, verdict

    assert report.STATUSES == models.CLAIM_STATUSES
    assert verdict.RATINGS == models.RATINGS


def test_exit_statuses_are_in_the_top_level_help_and_the_readme_alike():
    """--help lists every exit status the code gives, and the README the same words."""
    import re
    from pathlib import Path

    from claimtrack.cli import EXIT_STATUSES, WRITTEN_UNCONFIRMED, Misuse
    from claimtrack.cli.interrupt import Interrupted

    assert set(EXIT_STATUSES) == {0, 1, click.ClickException.exit_code, Misuse.exit_code,
                                  WRITTEN_UNCONFIRMED, Interrupted.exit_code}  # fmt: skip
    epilog = CliRunner().invoke(cli, ["--help"]).output.split("Exit status:\n", 1)[1]
    epilog = re.sub(r"\n {5,}(?=\S)", " ", epilog)  # click wraps a line: join it again
    listed = dict(re.findall(r"^  (\d+) +(.+)$", epilog, re.MULTILINE))
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exit status\n", 1)[1].split("\n## ", 1)[0]
    in_readme = dict(re.findall(r"^- `(\d+)` (.+)$", section, re.MULTILINE))
    expected = {str(code): text for code, text in EXIT_STATUSES.items()}
    assert listed == expected
    assert in_readme == expected
    # and the codes are the ones a command really exits with
    assert CliRunner().invoke(cli, ["report", "contested", "--nonsense"]).exit_code == 2
    assert CliRunner().invoke(cli, ["party", "show", "nobody"]).exit_code == 1


def test_readme_since_example_keeps_the_claims_active_that_day(run):
    """README: ``report contested --party Iran --side against --since 2026-04-12`` on the
    demo. Five claims' last activity is 12 April, date only, in Tehran (+03:30): a day
    that began at 20:30 UTC on the 11th, and overlaps --since."""
    assert run("demo").exit_code == 0
    result = run("report", "contested", "--party", "Iran", "--side", "against",
                 "--since", "2026-04-12", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 5
    assert {(r["last_activity"], r["last_activity_tz"]) for r in rows} == {("2026-04-12", "+03:30")}
    everything = json.loads(run("report", "contested", "--format", "json").output)
    active = [r["claim_id"] for r in everything if r["last_activity"] == "2026-04-12"]
    since = run("report", "contested", "--since", "2026-04-12", "--format", "json").output
    assert [r["claim_id"] for r in json.loads(since)] == active
    table = run("report", "contested", "--party", "Iran", "--side", "against",
                "--since", "2026-04-12")  # fmt: skip
    assert "No contested claims" not in table.output
    claims = json.loads(run("claim", "list", "--format", "json").output)
    # 23:00 in Tehran is 19:30 UTC: Islamabad's 12 April (+05:00) was over by then, and
    # a claim last active at 12:00 in Tehran too; Tehran's, Gaza's and New York's were not.
    that_day = [c["id"] for c in claims if c["last_activity"] == "2026-04-12"
                and c["last_activity_tz"] != "+05:00"]  # fmt: skip
    assert {c["last_activity_tz"] for c in claims if c["id"] in that_day} == {
        "+03:30", "+03:00", "-04:00"}  # fmt: skip
    listed = run("claim", "list", "--since", "2026-04-12T23:00+03:30", "--format", "json")
    assert [c["id"] for c in json.loads(listed.output)] == that_day
    # New York's 12 April ends at 04:00 UTC on the 13th, after Tehran's midnight.
    after = run("claim", "list", "--since", "2026-04-13", "--tz", "+03:30", "--format", "json")
    assert {c["last_activity_tz"] for c in json.loads(after.output)} == {"-04:00", "+03:00"}
    after = run("claim", "list", "--since", "2026-04-13", "--tz", "-04:00", "--format", "json")
    assert json.loads(after.output) == []
    # nu19: a --known-at copied from the log (in Z) beside a --tz meant for a bare --as-of
    # is refused, and the refusal names the option whose offset differs.
    for args in (("report", "contested", "--known-at", "2026-04-13T09:00Z", "--as-of",
                  "2026-04-12"), ("claim", "show", "1", "--known-at", "2026-04-13T09:00Z"),
                 ("log", "--since", "2026-04-13T09:00Z")):  # fmt: skip
        refused = run(*args, "--tz", "+03:00")
        option = args[args.index("--since") if "--since" in args else args.index("--known-at")]
        assert (refused.exit_code, refused.stderr) == (2, (
            f"Error: {option} '2026-04-13T09:00Z' is at +00:00, but --tz +03:00 is at +03:00 "
            "then: give the offset or --tz, not both\n")), refused.output  # fmt: skip


def test_contested_since_is_the_start_of_the_dispute_when_its_opponents_change(run, engine):
    """The trial's claim #3: contested from the first denial on, without a break, while
    that opponent gave way to another. Every format says "contested since" the first
    denial, as the history does, however late it is asked (--as-of), and --sort since
    orders by it; the rule's own instant (when the sides as they now stand met, kept in
    claim_state) is the second denial."""

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, result.output
        return result.output

    ok("claim", "add", "Russia blew up the pipelines", "--by", "Podolyak", "--at",
       "2022-09-27T14:10+03:00", "--slug", "russia", "--create-missing")  # fmt: skip
    ok("claim", "deny", "russia", "--by", "Sikorski", "--at", "2022-09-27T17:56Z",
       "--create-missing")  # fmt: skip
    ok("claim", "deny", "russia", "--by", "Peskov", "--at", "2022-09-28T12:30",
       "--tz", "Europe/Moscow", "--create-missing")  # fmt: skip
    ok("claim", "retract", "russia", "--by", "Sikorski", "--at", "2022-09-30", "--tz",
       "Europe/Warsaw")  # fmt: skip
    # Another dispute, begun between the two denials and never interrupted.
    ok("claim", "add", "Divers did it", "--by", "Hersh", "--at", "2022-09-28T07:00Z",
       "--slug", "divers", "--create-missing")  # fmt: skip
    ok("claim", "deny", "divers", "--by", "Price", "--at", "2022-09-28T08:00Z",
       "--create-missing")  # fmt: skip
    first = ("2022-09-27T17:56Z", "+00:00")
    rows = json.loads(ok("report", "contested", "--format", "json"))
    russia = next(r for r in rows if r["slug"] == "russia")
    assert (russia["contested_since"], russia["contested_since_tz"]) == first
    assert russia["periods"][-1]["since"] == "2022-09-27T17:56Z"
    table = ok("report", "contested")
    assert "2022-09-27 17:56Z" in table and "2022-09-28 12:30+03:00" not in table
    report_csv = io.StringIO(ok("report", "contested", "--format", "csv"))
    csv_row = next(r for r in csv.DictReader(report_csv) if r["slug"] == "russia")
    assert csv_row["contested_since"] == "2022-09-27T17:56+00:00"
    assert csv_row["history"].endswith("contested since 2022-09-27 17:56Z")
    exported = next(r for r in csv.DictReader(io.StringIO(ok("export", "csv")))
                    if r["slug"] == "russia")  # fmt: skip
    assert exported["contested_since"] == "2022-09-27T17:56+00:00"
    assert "contested since 2022-09-27 17:56Z" in ok("claim", "show", "russia")
    for when in ("2022-09-28T12:00+03:00", "2022-10-29"):  # no later as later is asked
        back = json.loads(ok("report", "contested", "--as-of", when, "--format", "json"))
        assert next(r for r in back if r["slug"] == "russia")["contested_since"] == first[0]
    # Latest contested first: "divers" (28 September 08:00Z) before "russia" (27 September),
    # though the rule's instant for "russia" (Peskov's denial, 09:30Z) is the later.
    order = json.loads(ok("report", "contested", "--sort", "since", "--format", "json"))
    assert [r["slug"] for r in order] == ["divers", "russia"]
    order = json.loads(ok("report", "contested", "--sort", "since", "--as-of", "2022-10-29",
                          "--format", "json"))  # fmt: skip
    assert [r["slug"] for r in order] == ["divers", "russia"]
    # The rule's instant is unchanged: the sides as they now stand (Podolyak, Peskov).
    with engine.connect() as connection:
        stored = connection.execute(sa.text(
            "SELECT contested_since FROM claim_state JOIN claim ON claim.id = claim_id "
            "WHERE slug = 'russia'")).scalar_one()  # fmt: skip
    assert str(stored).startswith("2022-09-28 09:31")  # the end of the minute said


def test_contested_since_a_date_only_denial_in_every_format(run, engine, tmp_path):
    """An assertion at 01:35 and a date-only denial that day: contested since the day of
    the denial, as the history (claim show, report changes) says."""

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, result.output
        return result.output

    ok("claim", "add", "An intercepted call shows Hamas blaming Islamic Jihad",
       "--by", "Daniel Hagari", "--at", "2023-10-18T01:35+03:00", "--topic", "al-ahli",
       "--slug", "hamas-call", "--create-missing")  # fmt: skip
    ok("claim", "deny", "hamas-call", "--by", "Hamas", "--at", "2023-10-18", "--tz", "+03:00",
       "--create-missing")  # fmt: skip
    [row] = json.loads(ok("report", "contested", "--format", "json"))
    assert (row["contested_since"], row["contested_since_tz"]) == ("2023-10-18", "+03:00")
    assert row["periods"][-1]["since"] == "2023-10-18"
    assert row["periods"][-1]["began_by"] == "Hamas denies"
    csv_row = next(csv.DictReader(io.StringIO(ok("report", "contested", "--format", "csv"))))
    # (CSV quotes a cell that starts with "+" against formula injection)
    assert (csv_row["contested_since"], csv_row["contested_since_tz"]) == ("2023-10-18",
                                                                        "'+03:00")  # fmt: skip
    exported = next(csv.DictReader(io.StringIO(ok("export", "csv"))))
    assert (exported["contested_since"], exported["contested_since_tz"]) == ("2023-10-18",
                                                                          "'+03:00")  # fmt: skip
    assert "2023-10-18 (+03:00)" in ok("report", "contested")
    assert "01:35" not in ok("report", "contested").split("Hamas")[-1].split("\n")[0]
    assert "contested since 2023-10-18 (+03:00)" in ok("claim", "show", "hamas-call")
    as_of = json.loads(ok("report", "contested", "--as-of", "2023-10-19", "--tz", "+03:00",
                          "--format", "json"))  # fmt: skip
    assert as_of[0]["contested_since"] == "2023-10-18"
    openpyxl = pytest.importorskip("openpyxl")
    ok("report", "contested", "--format", "xlsx", "--out", str(tmp_path / "c.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "c.xlsx").active
    headers = [c.value for c in sheet[1]]
    values = dict(zip(headers, [c.value for c in sheet[2]], strict=True))
    assert values["contested_since_tz"] == "+03:00"
    assert str(values["contested_since"]).startswith("2023-10-18")
    assert "01:35" not in str(values["contested_since"])


def test_newly_contested_names_the_stance_that_contested_this_claim(run, engine):
    """The story's toll-100-300: an official asserts it (a counter-claim of the Health
    Ministry's two tolls) and, at the same minute, recorded later, disputes the 500 toll.
    The dispute is a stance on #2 that moves nobody's side on toll-100-300: what contested
    toll-100-300 is its own assertion; what contested toll-471 is that counter-claim."""

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, result.output
        return result.output

    ok("claim", "add", "About 500 people were killed in the hospital blast", "--by",
       "Gaza Health Ministry", "--at", "2023-10-17T19:45+03:00", "--topic", "al-ahli",
       "--slug", "toll-500", "--create-missing")  # fmt: skip
    ok("claim", "add", "471 people were killed in the hospital blast", "--by",
       "Gaza Health Ministry", "--at", "2023-10-18T21:00+03:00", "--topic", "al-ahli",
       "--slug", "toll-471")  # fmt: skip
    ok("claim", "counter", "toll-471", "The death toll was probably between 100 and 300",
       "--by", "unnamed US intelligence official", "--at", "2023-10-18T20:00-04:00",
       "--slug", "toll-100-300", "--create-missing")  # fmt: skip
    ok("claim", "link", "toll-100-300", "toll-500", "--contradicts")
    ok("claim", "dispute", "toll-500", "--by", "unnamed US intelligence official",
       "--at", "2023-10-18T20:00-04:00")  # fmt: skip
    official = "unnamed US intelligence official"
    [row] = json.loads(ok("claim", "show", "toll-100-300", "--format", "json"))
    began = [(p["status"], p["began_by"]) for p in row["periods"]]
    assert began == [("contested", f"{official} asserts")]
    [row] = json.loads(ok("claim", "show", "toll-471", "--format", "json"))
    began = [(p["status"], p["began_by"]) for p in row["periods"]]
    assert began[-1] == ("contested", f"{official} asserts counter-claim #3")
    changes = json.loads(ok("report", "changes", "--since", "2023-10-17", "--until",
                            "2023-10-20", "--format", "json"))  # fmt: skip
    newly = {c["claim_id"]: c["detail"] for c in changes if c["change"] == "newly contested"}
    assert newly[3] == f"{official} asserts"
    assert newly[2] == f"{official} asserts counter-claim #3"
    assert newly[1] == f"{official} disputes"  # on toll-500 itself both moved a side: the later


def test_demo_run_twice_says_so_in_one_sentence(run, engine):
    """The second run printed "(nothing new (30 stance(s) already present) added)"."""
    first = run("demo")
    assert first.exit_code == 0, first.output
    head = first.stdout.splitlines()[0]
    assert head.endswith(" stances, 4 links added)") and "already" not in head, head
    second = run("demo")
    assert second.exit_code == 0, second.output
    head = second.stdout.splitlines()[0]
    assert head.endswith(" (nothing new added; 30 stance(s) already there)"), head


TOPIC_COMMANDS = [
    ("report", "contested"),
    ("report", "claims"),
    ("report", "parties"),
    ("report", "parties", "--by", "side"),
    ("report", "changes"),
    ("claim", "list"),
    ("export", "csv"),
    ("export", "xlsx", "--out", "x.xlsx"),
    ("report", "contested", "--format", "html"),
    ("export", "graph"),
    ("export", "claimreview"),
]


@pytest.mark.parametrize("command", TOPIC_COMMANDS, ids=" ".join)
def test_a_topic_no_claim_has_is_refused_with_close_matches(seeded_run, engine, command):
    before = snapshot(engine)
    for typed, close in (
        ("Islamabad-Talks-2026", "Did you mean 'islamabad-talks-2026'?"),
        ("islamabad-talks", "Did you mean 'islamabad-talks-2026'?"),
        ("gaza", ""),
        # Navalny (a new user): a topic's first word typed alone had no suggestion.
        ("ISLAMABAD", "Did you mean 'islamabad-talks-2026'?"),
        ("2026", "Did you mean 'islamabad-talks-2026'?"),
    ):
        result = seeded_run(*command, "--topic", typed)
        assert result.exit_code == 1, result.output
        assert result.output == f"Error: unknown topic '{typed}'.{' ' * bool(close)}{close}\n"
    assert snapshot(engine) == before
    # The topic as it is: no refusal.
    assert seeded_run(*command, "--topic", "islamabad-talks-2026").exit_code == 0


def test_a_narrow_table_cuts_a_name_between_its_words(seeded_run):
    # The name column gives up none of its width to a word of another: the spare width of
    # columns wider than their longest word keeps "renseignement" whole.
    name = "Direction du renseignement militaire"
    added = seeded_run("party", "add", name, "--kind", "agency", "--for", "France",
                       "--create-missing")  # fmt: skip
    assert added.exit_code == 0, added.output
    table = seeded_run("party", "list").stdout
    cells = [line.split("│")[2].strip() for line in table.splitlines() if line.count("│") > 3]
    start = next(i for i, cell in enumerate(cells) if cell.startswith("Direction"))
    shown = cells[start : start + 3]  # the name's lines: cut only between its words
    assert " ".join(shown).startswith(name) and set(name.split()) <= set(" ".join(shown).split())
    assert max(map(len, table.splitlines())) <= 100  # COLUMNS, as conftest sets it


PARTY_LIST_STORY = (  # name, kind, --for, aliases, description
    ("United States", "government", None, ("美国", "USA"),
     "Federal government of the United States of America"),
    ("Iran", "government", None, ("伊朗", "ایران", "Islamic Republic of Iran"),
     "Government of the Islamic Republic"),
    ("Pakistan", "government", None, ("پاکستان",), "Host of the Islamabad talks"),
    ("Mohammad Bagher Ghalibaf", "person", "Iran", ("محمدباقر قالیباف", "Ghalibaf"),
     "Speaker of the Islamic Consultative Assembly"),
    ("Tasnim News Agency", "media", "Iran", ("خبرگزاری تسنیم", "Tasnim"),
     "Semi-official news agency affiliated with the IRGC"),
    ("Tasnim press office", "media", "Tasnim News Agency", (), None),
    ("Associated Press", "organisation", None, ("AP", "美联社"),
     "International news agency headquartered in New York City"),
    ("Antonio Guterres", "person", None, ("古特雷斯",),
     "Secretary-General of the United Nations"),
    ("Ishaq Dar", "person", "Pakistan", ("اسحاق ڈار", "Dar"),
     "Deputy Prime Minister and Foreign Minister of Pakistan"),
)  # fmt: skip


@pytest.mark.parametrize("columns", [80, 100])
def test_party_list_is_a_table_at_80_and_100_columns(run, engine, monkeypatch, columns):
    """A new user's `party list` of parties with aliases and descriptions was printed a
    row at a time at 80 columns (seven columns' words side by side need 90), a party a
    screen, and at 100 wrapped a word or two a line. It is a table at both: each
    description indented under its name, the party it acts for beside its side, every
    word whole and no line wider than the terminal."""
    from wcwidth import wcswidth

    monkeypatch.setenv("COLUMNS", str(columns))
    for name, kind, acts_for, aliases, description in PARTY_LIST_STORY:
        args = ["party", "add", name, "--kind", kind]
        args += ["--for", acts_for] if acts_for else []
        args += [x for alias in aliases for x in ("--alias", alias)]
        args += ["--description", description] if description else []
        assert run(*args).exit_code == 0, args
    out = run("party", "list").stdout
    assert out.startswith("┌"), out  # a table, not a row at a time
    assert max(wcswidth(line) for line in out.splitlines()) <= columns, out
    header = out.splitlines()[1]
    assert [h.strip() for h in header.split("│")[1:-1]] == ["id", "name", "kind", "side", "aliases"]
    names, sides, words = [], [], set()
    for line in out.splitlines()[3:]:
        cells = line.split("│")[1:-1]
        if cells:
            names.append(cells[1].rstrip())
            sides.append(cells[3].strip())
            words |= {w.strip(",") for cell in cells for w in cell.split()}
    for name, _kind, _for, aliases, description in PARTY_LIST_STORY:
        assert set(name.split()) | {w for a in aliases for w in a.split()} <= words, name
        if description:  # under the name, indented
            first = description.split()[0]
            at = next(i for i, cell in enumerate(names) if cell.strip().startswith(first))
            assert names[at].startswith("   " + first), (names[at], out)
            assert set(description.split()) <= words, description
    assert "Iran (for Tasnim" in " ".join(sides), out  # whom it acts for, by its side


def _refused_in_one_line(run, engine, *args, code=2) -> str:
    before = snapshot(engine)
    result = run(*args)
    assert result.exit_code == code, result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert snapshot(engine) == before
    return result.output


@pytest.mark.parametrize(
    "args",
    [
        ("party", "add", "Line1\nLine2"),
        ("party", "add", "Line1\r\nLine2"),
        ("party", "add", "Tab\there"),
        ("party", "add", "Esc\x1b[31m"),
        ("party", "add", "Next\x85line"),
        ("party", "add", "Para\u2029graph"),
        ("party", "add", "Hamas", "--alias", "Line1\nLine2"),
        ("party", "alias", "Iran", "Two\nLines"),
        ("party", "edit", "Iran", "--name", "Iran\nIslamic Republic"),
        ("source", "add", "Title\nand more", "--outlet", "Iran"),
        ("claim", "add", "X", "--by", "New\nParty", "--create-missing"),
    ],
)
def test_a_name_or_title_with_a_line_break_or_control_is_refused(run, engine, args):
    """A party name, alias or source title with a line break or a control character (a
    paste error, user trial D12) is refused in one line, exit 2, nothing written."""
    assert run("party", "add", "Iran").exit_code == 0
    out = _refused_in_one_line(run, engine, *args)
    assert "contains a line break or a control character: give it on one line" in out, out
    assert "\n" not in out.rstrip("\n") and "\x1b" not in out


def test_a_csv_import_refuses_a_party_name_on_two_lines(run, engine, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text('claim,party,stance,source,date\nX,"Two\nLines",asserts,,2026-05-01\n')
    result = run("import", "csv", str(path))
    assert result.exit_code != 0, result.output
    assert "line break or a control character" in result.output, result.output
    assert run("party", "list", "--format", "json").output.strip() == "[]"


@pytest.mark.parametrize("how", ["option", "variable"])
def test_an_empty_editor_is_refused_not_replaced_by_the_os_user(run, engine, monkeypatch, how):
    """`--editor ""` (or CLAIMTRACK_EDITOR set empty) fell back to the OS account, which
    the log then named (user trial D9): refused, as one of only invisible characters is."""
    if how == "option":
        args = ("--editor", "", "party", "add", "Someone Newer")
    else:
        monkeypatch.setenv("CLAIMTRACK_EDITOR", "")
        args = ("party", "add", "Someone Newer")
    out = _refused_in_one_line(run, engine, *args)
    assert "the editor name is empty" in out, out
    # an unset variable still falls back to the OS user
    monkeypatch.delenv("CLAIMTRACK_EDITOR")
    assert run("party", "add", "Someone Newer").exit_code == 0
    assert run("--editor", "desk-2", "party", "add", "Someone Newest").exit_code == 0
    log = json.loads(run("log", "--format", "json").output)
    assert {e["editor"] for e in log} >= {"desk-2"} and "" not in {e["editor"] for e in log}


@pytest.mark.parametrize("editor", ["bad\nname", "tab\tname", "esc\x1bname"])
def test_an_editor_name_on_two_lines_is_refused(run, engine, monkeypatch, editor):
    """nu19: CLAIMTRACK_EDITOR=$'bad\\nname' was stored as the log's editor, a name on two
    lines in every listing; refused as a party's name on two lines is."""
    monkeypatch.setenv("CLAIMTRACK_EDITOR", editor)
    out = _refused_in_one_line(run, engine, "party", "add", "Someone Newer")
    assert "the editor name" in out and "give it on one line" in out, out
    out = _refused_in_one_line(run, engine, "--editor", editor, "party", "add", "Someone Newer")
    assert "the editor name" in out, out


def test_create_missing_makes_the_party_of_the_kind_given(run, engine):
    """A new user could not say what a party --create-missing made was: every one was a
    person (a ministry, an anonymous official). --party-kind sets the --by party's kind
    when it is created; a known party of another kind is refused, not passed over, and
    the option without --create-missing is bad usage; nothing is written on refusal."""
    from claimtrack.cli.claim import CREATED_KINDS
    from claimtrack.schema import PARTY_KINDS

    assert CREATED_KINDS == PARTY_KINDS

    def kind(name: str) -> str:
        shown = run("party", "show", name, "--format", "json")
        assert shown.exit_code == 0, shown.output
        (party,) = json.loads(shown.stdout)
        return party["kind"]

    added = run("claim", "add", "Talks resume on Monday", "--by", "Pakistan Foreign Office",
                "--create-missing", "--party-kind", "government", "--via", "Dawn",
                "--at", "2026-04-10")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "Created party #1 'Pakistan Foreign Office' (government)" in added.stderr
    assert (kind("Pakistan Foreign Office"), kind("Dawn")) == ("government", "media")
    denied = run("claim", "deny", "Talks resume on Monday", "--by", "a senior official",
                 "--create-missing", "--party-kind", "anonymous", "--at", "2026-04-11")  # fmt: skip
    assert denied.exit_code == 0, denied.output
    assert kind("a senior official") == "anonymous"
    plain = run("claim", "confirm", "Talks resume on Monday", "--by", "Ishaq Dar",
                "--create-missing", "--at", "2026-04-11")  # fmt: skip
    assert plain.exit_code == 0 and kind("Ishaq Dar") == "person"  # the default, as before

    before = snapshot(engine)
    other = run("claim", "deny", "Talks resume on Monday", "--by", "Pakistan Foreign Office",
                "--create-missing", "--party-kind", "media", "--at", "2026-04-12",
                "--via", "Geo News")  # fmt: skip
    assert other.exit_code == 2 and other.stderr.splitlines() == [
        "Error: 'Pakistan Foreign Office' exists already (kind: government), so --party-kind "
        "media is not applied: it is the kind of a party --create-missing creates (change "
        "its kind with 'claimtrack party edit 1 --kind media')"
    ], other.output
    alone = run("claim", "add", "Talks end", "--by", "Qatar", "--party-kind", "government")
    assert alone.exit_code == 2 and alone.stderr.splitlines() == [
        "Error: --party-kind is the kind of a party --create-missing creates: pass "
        "--create-missing too"
    ], alone.output
    assert snapshot(engine) == before  # no party, claim or stance: Geo News not created
    assert run("claim", "add", "Talks end", "--by", "Pakistan Foreign Office", "--create-missing",
               "--party-kind", "government").exit_code == 0  # fmt: skip

    # A person there is, with --party-kind anonymous: the message said nothing of what to
    # do, where no command made a party anonymous. It names the one that does now, and
    # following it records the stance; the other way, --kind names it again (refused before).
    moved = ("claim", "add", "Talks move to Doha", "--by", "Ishaq Dar", "--create-missing",
             "--at", "2026-04-12", "--party-kind")  # fmt: skip
    before = snapshot(engine)
    anonymous = run(*moved, "anonymous")
    assert anonymous.exit_code == 2 and anonymous.stderr.splitlines() == [
        "Error: 'Ishaq Dar' exists already (kind: person), so --party-kind anonymous is not "
        "applied: it is the kind of a party --create-missing creates (make it an anonymous "
        "source with 'claimtrack party edit 4 --anonymous')"
    ], anonymous.output
    assert snapshot(engine) == before
    assert run("party", "edit", "4", "--anonymous").exit_code == 0
    assert run(*moved, "anonymous").exit_code == 0 and kind("Ishaq Dar") == "anonymous"
    named = run("claim", "confirm", "Talks move to Doha", "--by", "a senior official",
                "--create-missing", "--party-kind", "person", "--at", "2026-04-12")  # fmt: skip
    assert named.exit_code == 2 and named.stderr.endswith(
        "(change its kind with 'claimtrack party edit 3 --kind person')\n"
    ), named.output
    assert run("party", "edit", "3", "--kind", "person").exit_code == 0
    assert kind("a senior official") == "person"


def test_the_contested_tables_two_times_read_apart_when_wrapped():
    """MH17 (a new user): at 80 columns "contested since" and "last activity" wrapped to
    four lines in one narrow column (2018-05-24 / 17:00+03:00 / 2018-05-25 / (+03:00)),
    and which line was which time could not be told. A blank line parts the two times
    when either wraps; when both fit, they are on two lines."""
    from types import SimpleNamespace

    from claimtrack.render import _times_cell
    from claimtrack.times import parse_when

    row = SimpleNamespace(resolved=lambda: None,
                          contested_since=parse_when("2018-05-24T17:00+03:00", None),
                          last_activity=parse_when("2018-05-25", "+03:00"))  # fmt: skip
    assert _times_cell(row, 13).splitlines() == [
        "2018-05-24", "17:00+03:00", "", "2018-05-25", "(+03:00)"]  # fmt: skip
    assert _times_cell(row, 22).splitlines() == ["2018-05-24 17:00+03:00", "2018-05-25 (+03:00)"]


@pytest.mark.parametrize("db", ["", "  "])
def test_an_empty_db_option_is_refused_not_the_default_database(tmp_path, monkeypatch, db):
    """nu16: ``--db ""`` (an empty shell variable) fell back to $CLAIMTRACK_DB or the
    default file, and a write created it. Refused in one line, exit 2, nothing made."""
    from claimtrack.cli import cli

    monkeypatch.delenv("CLAIMTRACK_DB")
    for args in (["party", "add", "Somebody"], ["report", "claims"]):
        result = CliRunner().invoke(cli, ["--db", db, *args])
        assert result.exit_code == 2, result.output
        assert result.output.strip().splitlines() == [
            "Error: --db is empty: give a SQLite file or a database URL, or leave it out"
        ]
    assert not any((tmp_path / "config").rglob("*.db")) and not any(tmp_path.rglob("*.db"))


@pytest.mark.parametrize("db", ["", "  "])
def test_an_empty_db_variable_is_refused_not_the_default_database(tmp_path, monkeypatch, db):
    """nu19: ``CLAIMTRACK_DB=`` (set, to nothing) was passed over: `party add` printed its
    id into the default file, unsaid. Refused as ``--db ""`` is; one line, exit 2."""
    from claimtrack.cli import cli

    monkeypatch.setenv("CLAIMTRACK_DB", db)
    for args in (["party", "add", "Somebody"], ["report", "claims"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.output
        assert result.output.strip().splitlines() == [
            "Error: CLAIMTRACK_DB is empty: give a SQLite file or a database URL, or unset it"
        ]
    assert not any((tmp_path / "config").rglob("*.db")) and not any(tmp_path.rglob("*.db"))


def test_demo_refuses_an_empty_db_option_as_every_command_does(tmp_path, monkeypatch, engine,
                                                               db_url):  # fmt: skip
    """``demo --db ""`` loaded the demo into ./claimtrack-demo.db without a word, where
    every other command refuses an empty --db (acf6248): one line, exit 2, no demo file,
    and the database CLAIMTRACK_DB names untouched."""
    monkeypatch.setenv("CLAIMTRACK_DB", db_url.render_as_string(hide_password=False))
    before = snapshot(engine)
    for empty in ("", "  "):
        result = CliRunner().invoke(cli, ["--db", empty, "demo"])
        assert result.exit_code == 2, result.output
        assert result.output.strip().splitlines() == [
            "Error: --db is empty: give a SQLite file or a database URL, or leave it out"
        ]
    assert not (tmp_path / "claimtrack-demo.db").exists()
    assert snapshot(engine) == before
