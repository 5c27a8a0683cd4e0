"""Shell completion (docs/completion.md): click's mechanism, completing party names and
aliases, claim slugs and topics from the database named on the command line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import snapshot

from claimtrack import completion
from claimtrack.cli import cli


def complete(words: str, *, shell: str = "bash", env: dict | None = None) -> list[str]:
    """What claimtrack answers a shell asking to complete the last word of ``words``
    (a trailing space: a new, empty word), as click's shell scripts ask it."""
    from click.shell_completion import split_arg_string

    parts = split_arg_string(words)
    cword = len(parts) if words.endswith(" ") else len(parts) - 1
    # fish gives the word being completed itself, the other shells its index
    cword = (parts[-1] if cword < len(parts) else "") if shell == "fish" else cword
    environment = {"COMP_WORDS": words, "COMP_CWORD": str(cword),
                   "_CLAIMTRACK_COMPLETE": f"{shell}_complete", **(env or {})}  # fmt: skip
    result = CliRunner().invoke(cli, [], env=environment, prog_name="claimtrack")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    if shell == "zsh":  # type, value, help: three lines each
        lines = result.output.split("\n")[:-1]
        return [f"{lines[i + 1]}|{lines[i + 2]}" for i in range(0, len(lines), 3)]
    # bash's script reads each line with `read`, which takes a backslash as an escape
    return [
        re.sub(r"\\(.)", r"\1", line.split(",", 1)[1])
        for line in result.output.splitlines()
        if line
    ]


@pytest.fixture
def desk(engine, run, db_url):
    """A database with parties in three scripts, slugged claims in two topics; the URL."""
    for args in (
        ("party", "add", "JD Vance", "--alias", "万斯", "--alias", "Vance", "--kind", "person"),
        ("party", "add", "Esmaeil Baghaei", "--alias", "اسماعیل بقائی", "--alias", "巴加埃"),
        ("party", "add", "Tasnim", "--kind", "media", "--alias", "Tasnim News Agency"),
        ("claim", "add", "The US agreed to unfreeze assets", "--by", "Tasnim", "--slug",
         "asset-unfreeze", "--topic", "islamabad-talks-2026"),
        ("claim", "add", "Talks lasted 21 hours", "--by", "JD Vance", "--slug", "duration-21",
         "--topic", "islamabad-talks-2026"),
        ("claim", "add", "Talks lasted 24 hours", "--by", "Esmaeil Baghaei", "--slug",
         "duration-24", "--topic", "islamabad-aftermath"),
        ("claim", "add", "A claim without slug", "--by", "Tasnim", "--topic", "hormuz"),
    ):  # fmt: skip
        assert run(*args).exit_code == 0
    return db_url.render_as_string(hide_password=False)


def test_parties_complete_by_name_and_alias_in_any_script(desk):
    db = f"claimtrack --db '{desk}'"
    assert complete(f"{db} claim deny asset-unfreeze --by 万") == ["万斯"]
    assert complete(f"{db} claim deny asset-unfreeze --by jd", shell="fish") == ["JD Vance"]
    assert complete(f"{db} claim deny asset-unfreeze --by jd") == ["JD\\ Vance"]  # any case
    assert complete(f"{db} claim deny asset-unfreeze --by اسما") == ["اسماعیل\\ بقائی"]
    assert complete(f"{db} claim deny asset-unfreeze --by Va") == ["Vance"]  # a prefix only
    assert complete(f"{db} party show Tas") == ["Tasnim", "Tasnim\\ News\\ Agency"]
    # zsh and fish show what an alias stands for
    assert complete(f"{db} party show 巴", shell="zsh") == ["巴加埃|alias of Esmaeil Baghaei"]
    # party merge takes PARTY by its own name (an alias is refused: no undo)
    assert complete(f"{db} party merge 巴") == []
    assert complete(f"{db} party merge Esm", shell="zsh") == ["Esmaeil Baghaei|_"]
    assert complete(f"{db} party merge Tasnim 'Esm", shell="zsh") == ["Esmaeil Baghaei|_"]
    for words in (
        "claim add x --by Va",
        "claim add x --by jd --via Va",
        "source add t --outlet Va",
        "report contested --party Va",
        "party add x --for Va",
        "party alias Va",
    ):
        assert complete(f"{db} {words}") == ["Vance"], words
    assert complete(f"{db} claim deny asset-unfreeze --by nobody") == []


def test_claims_and_topics_complete(desk):
    db = f"claimtrack --db '{desk}'"
    assert complete(f"{db} claim show dur") == ["duration-21", "duration-24"]
    assert complete(f"{db} claim show DURATION-2", shell="zsh") == [
        "duration-21|Talks lasted 21 hours",
        "duration-24|Talks lasted 24 hours",
    ]
    assert complete(f"{db} claim link asset-unfreeze dur") == ["duration-21", "duration-24"]
    assert complete(f"{db} verdict set a") == ["asset-unfreeze"]
    assert complete(f"{db} claim show 4", shell="zsh") == ["4|A claim without slug"]
    assert complete(f"{db} claim show 99") == []
    assert complete(f"{db} report contested --topic islamabad-") == [
        "islamabad-aftermath",
        "islamabad-talks-2026",
    ]
    assert complete(f"{db} export claimreview --topic ") == [
        "hormuz",
        "islamabad-aftermath",
        "islamabad-talks-2026",
    ]
    assert complete(f"{db} report contested --topic h") == ["hormuz"]


def test_the_database_comes_from_the_command_line_or_the_environment(desk, tmp_path):
    absent = str(tmp_path / "elsewhere.db")
    words = "claim deny 1 --by 万"
    assert complete(f"claimtrack {words}", env={"CLAIMTRACK_DB": desk}) == ["万斯"]
    assert complete(f"claimtrack --db '{desk}' {words}", env={"CLAIMTRACK_DB": absent}) == ["万斯"]
    assert complete(f"claimtrack --db '{absent}' {words}", env={"CLAIMTRACK_DB": desk}) == []
    assert not Path(absent).exists()


def test_completion_never_creates_or_writes_a_database(desk, tmp_path):
    engine = sa.create_engine(desk)
    before = snapshot(engine)
    for shell in ("bash", "zsh", "fish"):
        assert complete(f"claimtrack --db '{desk}' claim deny 1 --by T", shell=shell)
    assert snapshot(engine) == before
    engine.dispose()
    absent = tmp_path / "absent.db"
    assert complete(f"claimtrack --db '{absent}' claim deny 1 --by T") == []
    assert complete("claimtrack report contested --topic ") == []  # the default file
    made = [p.name for p in tmp_path.iterdir() if p.name.startswith(("absent.db", "default.db"))]
    assert made == []


@pytest.mark.parametrize(
    "db",
    [
        "not-a-database.db",  # a file that is not SQLite
        "postgresql+psycopg://nobody@127.0.0.1:1/none",  # a server that is not there
        "nosuchdriver://x/y",  # a URL claimtrack cannot open
        "postgresql+psycopg://bad:port",  # a URL that does not parse
    ],
)
def test_a_failing_completer_offers_nothing_and_prints_no_traceback(db, tmp_path):
    (tmp_path / "not-a-database.db").write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(
        cli,
        [],
        prog_name="claimtrack",
        env={
            "COMP_WORDS": f"claimtrack --db {db} party show a",
            "COMP_CWORD": "5",
            "_CLAIMTRACK_COMPLETE": "bash_complete",
        },  # fmt: skip
    )
    assert (result.exit_code, result.output.strip()) == (0, "")


def test_commands_complete_without_loading_every_command():
    assert complete("claimtrack re") == ["report"]
    assert complete("claimtrack claim sh") == ["show"]
    assert complete("claimtrack import ") == ["claimreview", "csv", "liar", "pheme"]
    code = (
        "import os, sys\n"
        "from claimtrack.cli import cli\n"
        "os.environ.update(COMP_WORDS='claimtrack cl', COMP_CWORD='1',"
        " _CLAIMTRACK_COMPLETE='bash_complete')\n"
        "try:\n    cli.main(prog_name='claimtrack')\n"
        "except SystemExit:\n    pass\n"
        "print('claimtrack.cli.claim' in sys.modules, 'sqlalchemy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["plain,claim", "False False"]


def test_each_look_up_is_an_index_search(engine, desk):
    """No completer scans a table: every statement it runs is answered from an index."""
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", keep)
    with engine.connect() as connection:
        assert completion.parties(connection, "t")
        assert completion.claims(connection, "d")
        assert completion.topics(connection, "i")
        assert completion.topics(connection, "")
    sa.event.remove(engine, "before_cursor_execute", keep)
    with engine.connect() as connection:
        postgresql = engine.dialect.name == "postgresql"
        if postgresql:  # the planner would scan tables this small: ask it not to
            connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            prefix = "EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            plan = "\n".join(str(row[-1]) for row in rows)
            if postgresql:
                assert "Seq Scan" not in plan, (statement, plan)
            else:
                assert "SCAN claim" not in plan and "SCAN party_name" not in plan, plan


def test_shell_scripts_register_and_keep_names_whole(desk, tmp_path):
    for shell in ("bash", "zsh", "fish"):
        result = CliRunner().invoke(
            cli, [], prog_name="claimtrack", env={"_CLAIMTRACK_COMPLETE": f"{shell}_source"}
        )
        assert result.exit_code == 0 and "_CLAIMTRACK_COMPLETE" in result.output, shell
    fish = CliRunner().invoke(
        cli, [], prog_name="claimtrack", env={"_CLAIMTRACK_COMPLETE": "fish_source"}
    )
    assert 'string split -m 1 "," -- $completion' in fish.output  # a comma stays in a name


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_inserts_a_name_with_spaces_as_one_word(desk):
    """The real bash script, run by bash: "JD Vance" comes back as one escaped word."""
    script = CliRunner().invoke(
        cli, [], prog_name="claimtrack", env={"_CLAIMTRACK_COMPLETE": "bash_source"}
    )
    program = Path(sys.executable).with_name("claimtrack")
    assert program.exists()
    test = (
        script.output
        + f"\nCOMP_WORDS=(claimtrack --db '{desk}' claim deny 1 --by jd)\nCOMP_CWORD=7\n"
        + "_claimtrack_completion claimtrack\nprintf '<%s>\\n' \"${COMPREPLY[@]}\"\n"
    )
    env = {**os.environ, "PATH": f"{program.parent}{os.pathsep}{os.environ['PATH']}"}
    out = subprocess.run(["bash", "-c", test], capture_output=True, text=True, env=env)
    assert (out.returncode, out.stdout, out.stderr) == (0, "<JD\\ Vance>\n", "")
