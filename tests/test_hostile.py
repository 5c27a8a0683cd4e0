"""Hostile environments (issue #12): odd URLs, unwritable outputs, special files, huge
or sloppy input files, read-only and foreign databases, invisible editor names.

Each failure must be one line naming what was wrong, exit status 2 for a misused
command and 1 for a refusal by the data or the system, no traceback, nothing written.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import snapshot, stored_as_before

from claimtrack import bulk, db, importer
from claimtrack.cli import cli

MINIMAL = "claim,party,stance,source,date\n"


def error_line(result, code: int) -> str:
    """The one error line of a failed command, checked for the exit status and a clean
    output (a usage error adds click's two "Usage:/Try" lines before it)."""
    assert result.exit_code == code, result.output[-500:]
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    if code == 1:
        assert lines == errors, result.output
    return errors[0]


def invoke(*args: str, **kwargs):
    return CliRunner().invoke(cli, list(args), **kwargs)


@pytest.fixture
def story(run, engine):
    """A database with one contested claim, on each backend."""
    assert run("party", "add", "Iran", "--kind", "government").exit_code == 0
    assert run("party", "add", "US", "--kind", "government").exit_code == 0
    assert (
        run("claim", "add", "Ships transited", "--by", "Iran", "--at", "2026-04-11").exit_code == 0
    )
    assert run("claim", "deny", "1", "--by", "US", "--at", "2026-04-12").exit_code == 0
    return run


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- 1, 2: database URLs ------------------------------------------------------------


@pytest.mark.parametrize("command", [("claim", "list"), ("claim", "add", "X", "--by", "Iran")])
def test_a_url_whose_driver_is_not_installed(command):
    line = error_line(invoke("--db", "mysql://u:secret@h/x", *command), 1)
    assert "cannot open database mysql://u:***@h/x" in line
    assert "driver (MySQLdb) is not installed" in line and "secret" not in line


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgres://u:secret@h/x", "a PostgreSQL URL begins postgresql+psycopg:// (not postgres://)"),
        ("postgres+psycopg://u:secret@h/x", "begins postgresql+psycopg:// (not postgres://)"),
        ("foo://u:secret@h/x", "unknown kind of database 'foo'; give a SQLite file path or"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("command", [("report", "contested"), ("db", "copy", "DB")])
def test_a_url_of_no_dialect_is_one_line(url, said, command, tmp_path):
    """`--db postgres://...` (Heroku's way of writing it, which SQLAlchemy does not read)
    and `foo://` were a traceback (NoSuchModuleError: the dialect's driver was looked up
    before the engine was made; nu15): one line, exit 2, and `db copy` to such a URL too."""
    if command[0] == "db":
        source = tmp_path / "from.db"
        assert invoke("--db", str(source), "demo").exit_code == 0
        result = invoke("--db", str(source), "db", "copy", url)
    else:
        result = invoke("--db", url, *command)
    line = error_line(result, 2)
    assert said in line and "secret" not in result.output


@pytest.mark.parametrize("query", ["?mode=ro&uri=true", "?mode=ro"])
def test_a_sqlite_url_with_mode_ro_reads_and_refuses_writes_creating_nothing(tmp_path, query):
    """SQLite URI options as a user types them: a plain path with ?mode=ro&uri=true (which
    SQLite took for a file literally named 'x.db?mode=ro', and created), or ?mode=ro alone
    (which SQLAlchemy dropped with a warning). Reads read; a write is refused in one line;
    no file appears, for an existing database or a missing one."""
    db = tmp_path / "x.db"
    assert CliRunner().invoke(cli, ["--db", str(db), "party", "add", "Iran"]).exit_code == 0
    files = [p.name for p in tmp_path.iterdir()]
    url = f"sqlite:///{db}{query}"
    listed = CliRunner().invoke(cli, ["--db", url, "party", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert [p["name"] for p in json.loads(listed.stdout)] == ["Iran"]
    assert "Warning" not in listed.output
    refused = CliRunner().invoke(cli, ["--db", url, "party", "add", "Iraq"])
    assert refused.exit_code == 1 and len(refused.output.splitlines()) == 1, refused.output
    missing = f"sqlite:///{tmp_path / 'none.db'}{query}"
    for args in (["party", "list"], ["party", "add", "Iraq"]):
        result = CliRunner().invoke(cli, ["--db", missing, *args])
        assert result.exit_code == 1 and len(result.output.splitlines()) == 1, result.output
    # (a reader of a WAL database may leave its -wal and -shm beside it: SQLite's own)
    assert {p.name for p in tmp_path.iterdir()} - {"x.db-wal", "x.db-shm"} == set(files)


@pytest.mark.parametrize("how", ["--db", "CLAIMTRACK_DB"])
def test_a_malformed_url(how, monkeypatch):
    url = "postgresql+psycopg://u:secret@[::1/x"
    if how == "--db":
        result = invoke("--db", url, "claim", "list")
    else:
        monkeypatch.setenv("CLAIMTRACK_DB", url)
        result = invoke("claim", "list")
    line = error_line(result, 2)
    assert "cannot read database URL" in line and "secret" not in result.output


@pytest.mark.parametrize(
    ("url", "bad"),
    [
        ("postgresql+psycopg://[bad", "the host '[bad' has an unmatched bracket"),
        ("postgresql+psycopg://u:secret@bad]/x", "the host 'bad]' has an unmatched bracket"),
        ("postgresql+psycopg://u@h:99999/x", "the port 99999 is not between 1 and 65535"),
        ("postgresql+psycopg://u@db%20host/x", "the host 'db%20host' is not a host name"),
        ("postgresql+psycopg://u@a,b c/x", "the host 'b c' holds a space"),
    ],
)
def test_a_url_whose_host_or_port_is_malformed(url, bad):
    """Told from the URL alone, before any connection: a usage error, exit 2, one line
    naming the bad part (the story's tester got exit 1, "failed to resolve host")."""
    line = error_line(invoke("--db", url, "claim", "list"), 2)
    assert line.startswith("Error: cannot read database URL ") and bad in line, line
    assert "secret" not in line


def test_a_well_formed_host_that_does_not_resolve():
    """A host name that could exist is the connection's to refuse: exit 1. An IPv6
    address in brackets is well formed."""
    line = error_line(invoke("--db", "postgresql+psycopg://u@nohost.invalid/x", "claim",
                             "list"), 1)  # fmt: skip
    assert "cannot open database" in line and "nohost.invalid" in line
    assert db.malformed_netloc(db.resolve_url("postgresql+psycopg://u@[::1]:5432/x")) is None
    assert db.malformed_netloc(db.resolve_url("postgresql+psycopg://u@h1,h2.example/x")) is None


def test_redact_hides_a_password_given_as_a_query_parameter():
    url = "postgresql+psycopg://u@h/x?password=secret&sslpassword=other&sslmode=require"
    shown = db.redact(url)
    assert "secret" not in shown and "other" not in shown
    assert "password=REDACTED" in shown and "sslmode=require" in shown
    assert db.redact("postgresql+psycopg://u:secret@h/x") == "postgresql+psycopg://u:***@h/x"


def test_redact_prints_the_query_as_given():
    """``host=/tmp/pgdev``, not ``host=%2Ftmp%2Fpgdev``, and in the order given; what a
    value cannot hold as itself stays escaped, so the URL shown still reads back."""
    url = "postgresql+psycopg://u:pw@/story?port=5433&host=/tmp/pg dev&options=-c%20a%3Db%26c"
    from sqlalchemy.engine import make_url

    shown = db.redact(url)
    assert shown == (
        "postgresql+psycopg://u:***@/story?port=5433&host=/tmp/pg%20dev&options=-c%20a%3Db%26c"
    )
    assert make_url(shown).query == make_url(url).query


def test_a_password_in_the_query_is_never_printed(tmp_path):
    url = f"postgresql+psycopg://editor@/claims?host={tmp_path}&port=5999&password=pw-secret"
    line = error_line(invoke("--db", url, "claim", "list"), 1)
    assert "cannot open database" in line and "password=REDACTED" in line
    assert f"?host={tmp_path}&port=5999&" in line  # as given, not %2F-escaped
    assert "pw-secret" not in line


def test_db_current_prints_the_url_without_its_query_password(pg_admin_url):
    url = pg_admin_url.update_query_dict({"password": "pw-secret"})
    result = invoke("--db", url.render_as_string(hide_password=False), "db", "current")
    assert result.exit_code == 0, result.output
    assert "password=REDACTED" in result.output and "pw-secret" not in result.output
    if "host" in url.query:  # a socket folder, shown as the path it is
        assert f"host={url.query['host']}" in result.output


# -- 3, 4, 5: where output goes -------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("report", "contested", "--format", "html", "--out", "/nonexistent/x.html"),
        ("export", "csv", "--out", "/nonexistent/dir/x.csv"),
        ("export", "xlsx", "--out", "/nonexistent/dir/x.xlsx"),
        ("export", "claimreview", "--out", "/nonexistent/dir/x.json"),
    ],
)
def test_out_in_a_folder_that_does_not_exist(story, engine, command):
    """Refused as the command line is read (exit 2, as a folder given for the file is),
    not after the export has run."""
    before = snapshot(engine)
    line = error_line(story(*command), 2)
    folder = str(Path(command[-1]).parent)
    assert line.startswith(f"Error: Invalid value for '--out': cannot write {command[-1]}: "
                           f"no folder {folder} (see ")  # fmt: skip
    assert not Path("/nonexistent").exists()
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    "command",
    [("export", "csv"), ("export", "xlsx"), ("report", "contested", "--format", "csv")],
)
def test_out_dash_is_refused_not_a_file_named_dash(story, engine, command, tmp_path,
                                                   monkeypatch):  # fmt: skip
    """Crocus: `export csv --out -` wrote a file named "-" (where `claim add -` reads
    standard input): it is refused, exit 2, no file made, nothing written."""
    monkeypatch.chdir(tmp_path)
    before = snapshot(engine)
    result = story(*command, "--out", "-")
    assert result.exit_code == 2, result.output
    assert "- is not a file here: leave out --out to write to standard output" in result.output
    assert not (tmp_path / "-").exists() and not (tmp_path / "-.partial").exists()
    assert snapshot(engine) == before


def _limit_memory() -> None:
    # Were a regression to read /dev/zero without end, the child fails at 2 GiB instead
    # of taking the machine's memory.
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))


def _claimtrack(url: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "claimtrack", "--db", url, *args],
        stderr=subprocess.PIPE, text=True, timeout=60, preexec_fn=_limit_memory, **kwargs,
    )  # fmt: skip


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "command", [("export", "csv"), ("report", "contested"), ("db", "current"), ("log",)]
)
def test_standard_output_on_a_full_disk(story, engine, db_url, command):
    before = snapshot(engine)
    with open("/dev/full", "w") as full:
        done = _claimtrack(db_url.render_as_string(hide_password=False), *command, stdout=full)
    assert done.returncode == 1, done.stderr
    assert done.stderr == "Error: cannot write to standard output: No space left on device\n"
    assert snapshot(engine) == before


def test_a_reader_that_stops_reading_is_not_an_error_message(story, db_url):
    """`export csv | head`: click ends quietly, exit status 1, as before; the handling
    of a full disk must not turn this into an error message."""
    url = db_url.render_as_string(hide_password=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "claimtrack", "--db", url, "export", "csv"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    process.stdout.close()  # before the export writes a byte
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 1 and stderr == ""


# A write command whose standard output fails: its change is committed or not on its own
# merits, and one line says which (exit 3: written; exit 1: nothing written).
WRITES = {
    "party add": (("party", "add", "Pipe Party"), "party add #3 Pipe Party"),
    "claim comment": (
        ("claim", "comment", "1", "--by", "US", "--quote", "pipe test", "--at", "2026-04-13"),
        "claim comment #1 US comments (stance 3)",
    ),
    "import csv": (("import", "csv", "{csv}"), "import import new.csv: 1 claim, 1 stance"),
}


def _write_args(name: str, tmp_path: Path) -> tuple[tuple[str, ...], str]:
    args, entry = WRITES[name]
    if "{csv}" in args:
        new = tmp_path / "new.csv"
        new.write_text(MINIMAL + "The pipe leaked,Iran,asserts,,2026-04-13T10:00+03:30\n",
                       encoding="utf-8")  # fmt: skip
        args = tuple(str(new) if a == "{csv}" else a for a in args)
    return args, entry


def _written(engine, name: str) -> bool:
    import sqlalchemy as sa

    query = {
        "party add": "SELECT count(*) FROM party WHERE name = 'Pipe Party'",
        "claim comment": "SELECT count(*) FROM stance WHERE quote = 'pipe test'",
        "import csv": "SELECT count(*) FROM claim WHERE text = 'The pipe leaked'",
    }[name]
    with engine.connect() as connection:
        return connection.execute(sa.text(query)).scalar_one() == 1


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("name", WRITES)
def test_a_write_whose_output_is_full_is_kept_and_says_so(story, engine, db_url, tmp_path, name):
    """D15: a traceback before, after committing (claim comment, import) or not (party
    add): now committed always, one line naming what was written, exit 3."""
    args, entry = _write_args(name, tmp_path)
    with open("/dev/full", "w") as full:
        done = _claimtrack(db_url.render_as_string(hide_password=False), *args, stdout=full)
    assert done.stderr == (
        "Error: cannot write to standard output: No space left on device "
        f"(the change was written: {entry})\n"
    )
    assert done.returncode == 3
    assert _written(engine, name)


def _closing(*fds: int):
    """A child's ``preexec_fn`` that closes these descriptors (``>&-``, ``<&-``) and
    limits its memory."""
    import os

    def close() -> None:
        _limit_memory()
        for fd in fds:
            os.close(fd)

    return close


@pytest.mark.parametrize("name", WRITES)
def test_a_write_with_standard_output_closed_is_kept_and_says_so(
    story, engine, db_url, tmp_path, name
):
    """nu20: `party add X >&-` wrote and exited 0, its id lost unsaid, and `report
    contested >&-` ended in a traceback (Python leaves sys.stdout None). Now as a closed
    pipe: the write kept, one line naming it, exit 3; a read exit 1, one line; and the
    database, opened while descriptor 1 was free, is never written through it."""
    args, entry = _write_args(name, tmp_path)
    url = db_url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, "-m", "claimtrack", "--db", url, *args],
                          stderr=subprocess.PIPE, text=True, timeout=60,
                          preexec_fn=_closing(1))  # fmt: skip
    assert (done.returncode, done.stderr) == (3, (
        "Error: cannot write to standard output: standard output is closed "
        f"(the change was written: {entry})\n")), done.stderr  # fmt: skip
    assert _written(engine, name)
    before = snapshot(engine)
    for command in (("report", "contested"), ("export", "csv")):
        read = subprocess.run([sys.executable, "-m", "claimtrack", "--db", url, *command],
                              stderr=subprocess.PIPE, text=True, timeout=60,
                              preexec_fn=_closing(1))  # fmt: skip
        assert (read.returncode, read.stderr) == (
            1,
            "Error: cannot write to standard output: standard output is closed\n",
        ), read.stderr
    assert snapshot(engine) == before


def test_a_text_from_a_closed_standard_input_is_refused(story, engine, db_url):
    """nu20: `claim add - --by Norway <&-` ended in click's RuntimeError traceback."""
    url = db_url.render_as_string(hide_password=False)
    before = snapshot(engine)
    for args, option in ((("claim", "add", "-", "--by", "Iran"), "--text-file"),
                         (("claim", "comment", "1", "--by", "Iran", "--quote-file", "-"),
                          "--quote-file")):  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "claimtrack", "--db", url, *args],
                              capture_output=True, text=True, timeout=60,
                              preexec_fn=_closing(0))  # fmt: skip
        assert (done.returncode, done.stderr) == (
            2,
            f"Error: standard input is closed: give the text, or a file with {option}\n",
        )
    assert snapshot(engine) == before


@pytest.mark.parametrize("name", WRITES)
def test_a_write_whose_reader_closed_the_pipe_is_kept_and_says_so(
    story, engine, db_url, tmp_path, name
):
    """D7: `claim comment ... | true` was written, `party add X | true` not, both exit 1
    and silent: now both written, one line, exit 3."""
    args, entry = _write_args(name, tmp_path)
    url = db_url.render_as_string(hide_password=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "claimtrack", "--db", url, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    process.stdout.close()  # before the command writes a byte
    stderr = process.communicate(timeout=60)[1]
    assert stderr == (
        f"Error: cannot write to standard output: the reader closed the pipe "
        f"(the change was written: {entry})\n"
    )
    assert process.returncode == 3
    assert _written(engine, name)


def test_a_table_cut_off_by_its_reader_mid_write_exits_1(story, run, db_url, tmp_path):
    """Wagner mutiny: `claim list | (sleep 1; head -c 10)` exited 0, where the README
    promises 1: the table (780 KB, one write) was taken 65,536 bytes at a time by the
    pipe, and when the reader left, the buffered write returned the part it had taken and
    the rest was dropped without a word (a disk filling up would do the same). Every
    byte is written now, or the failure told."""
    text = tmp_path / "long.txt"
    text.write_text("word " * 100_000, encoding="utf-8")
    assert run("claim", "add", "--text-file", str(text), "--by", "Iran").exit_code == 0
    url = db_url.render_as_string(hide_password=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "claimtrack", "--db", url, "claim", "list"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert len(process.stdout.read(10)) == 10  # the table's one write has begun
    time.sleep(0.5)  # and filled the pipe
    process.stdout.close()
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 1, stderr
    assert b"Traceback" not in stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_write_to_a_full_output_that_writes_nothing_says_so(story, engine, db_url, tmp_path):
    """A dry run, or a refusal, to a full standard output: nothing written, exit 1."""
    args, _ = _write_args("import csv", tmp_path)
    url = db_url.render_as_string(hide_password=False)
    before = snapshot(engine)
    with open("/dev/full", "w") as full:
        dry = _claimtrack(url, *args, "--dry-run", stdout=full)
        refused = _claimtrack(url, "party", "add", "Iran", stdout=full)
    assert dry.stderr == (
        "Error: cannot write to standard output: No space left on device (nothing was written)\n"
    )
    assert dry.returncode == 1
    assert refused.stderr == "Error: party 'Iran' exists already: #1 'Iran'\n"
    assert refused.returncode == 1
    assert snapshot(engine) == before


def _demo_claims(db_url) -> int:
    import sqlalchemy as sa

    engine = db.create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM claim")).scalar_one()
    finally:
        engine.dispose()


def test_demo_into_a_closed_pipe_keeps_its_database(db_url, backend, tmp_path):
    """D1: `claimtrack demo | head -1` printed "... added" and then, on SQLite only,
    removed the database, silently. Now kept on both, and said."""
    url = db_url.render_as_string(hide_password=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "claimtrack", "--db", url, "demo"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    first = process.stdout.readline()  # as `head -1` does
    process.stdout.close()
    stderr = process.communicate(timeout=60)[1]
    assert first.startswith("Demo database: ") and first.rstrip().endswith("added)")
    entry = ("import seed islamabad-2026.toml: 22 parties, 53 aliases, 1 source, 23 claims, "
             "30 stances, 4 links")  # fmt: skip
    new = f", in the new database {db_url.database}" if backend == "sqlite" else ""
    assert stderr == (
        "Error: cannot write to standard output: the reader closed the pipe "
        f"(the change was written: {entry}{new})\n"
    )
    assert process.returncode == 3
    assert _demo_claims(db_url) == 23


def test_a_write_whose_standard_error_is_closed_too_tells_by_its_status(story, engine, db_url):
    url = db_url.render_as_string(hide_password=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "claimtrack", "--db", url, "party", "add", "Pipe Party"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    process.stdout.close()
    process.stderr.close()
    assert process.wait(timeout=60) == 3
    assert _written(engine, "party add")


def _special(kind: str, tmp_path: Path) -> Path:
    if kind == "symlink":
        target = tmp_path / "target.csv"
        target.write_text("precious\n", encoding="utf-8")
        (tmp_path / "link.csv").symlink_to(target)
        return tmp_path / "link.csv"
    os.mkfifo(tmp_path / "fifo.csv")
    return tmp_path / "fifo.csv"


@pytest.mark.parametrize("kind", ["symlink", "fifo"])
@pytest.mark.parametrize(
    "command",
    [
        ("export", "csv", "--out"),
        ("export", "xlsx", "--out"),
        ("export", "claimreview", "--out"),
        ("report", "contested", "--format", "html", "--out"),
    ],
)
def test_out_never_replaces_a_symlink_or_a_fifo(story, engine, tmp_path, kind, command):
    out = _special(kind, tmp_path)
    before = snapshot(engine)
    line = error_line(story(*command, str(out)), 2)
    assert "Invalid value for '--out'" in line
    assert ("a symbolic link to" if kind == "symlink" else "a FIFO") in line
    if kind == "symlink":
        assert out.is_symlink() and out.resolve() == tmp_path / "target.csv"
        assert (tmp_path / "target.csv").read_text(encoding="utf-8") == "precious\n"
    else:
        assert stat.S_ISFIFO(out.lstat().st_mode)
    assert not list(tmp_path.glob("*.partial"))
    assert snapshot(engine) == before


def test_out_never_replaces_a_device(story, tmp_path):
    # A device node of our own: were the refusal to regress, the test would otherwise
    # replace the system's /dev/null with a regular file.
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs CAP_MKNOD")
    line = error_line(story("export", "csv", "--out", str(device)), 2)
    assert f"{device} is a device" in line
    assert stat.S_ISCHR(device.lstat().st_mode)


# -- 6, 8: input files ------------------------------------------------------------------


@pytest.mark.parametrize("command", [("import", "csv"), ("seed",)], ids=" ".join)
@pytest.mark.parametrize("source", ["/dev/zero", "fifo"])
def test_import_refuses_a_device_or_a_fifo_at_once(
    story, engine, db_url, tmp_path, source, command
):
    if source == "fifo":
        source = str(tmp_path / "in.csv")
        os.mkfifo(source)  # opened for reading, it would wait for a writer for ever
    before = snapshot(engine)
    started = time.monotonic()
    done = _claimtrack(db_url.render_as_string(hide_password=False), *command, source)
    assert time.monotonic() - started < 30
    assert done.returncode == 2, done.stderr  # a bad path, as a missing file or a folder
    assert done.stderr == (
        f"Error: Invalid value for '{'FILE' if command != ('seed',) else '[FILE]'}': {source} "
        f"is not a regular file: save the data to a file first (see 'claimtrack "
        f"{' '.join(command)} --help')\n"
    )
    assert snapshot(engine) == before


# Every file a command reads, by the option or argument that names it.
FILE_INPUTS = {
    "claim add --quote-file": ("claim", "add", "New", "--by", "Iran", "--quote-file"),
    "claim add --text-file": ("claim", "add", "--by", "Iran", "--text-file"),
    "claim deny --quote-file": ("claim", "deny", "1", "--by", "Iran", "--quote-file"),
    "claim counter --quote-file": ("claim", "counter", "1", "No", "--by", "US", "--quote-file"),
    "import csv": ("import", "csv"),
    "import claimreview": ("import", "claimreview"),
    "seed": ("seed",),
}
FOLDER_INPUTS = {"import liar": ("import", "liar"), "import pheme": ("import", "pheme")}


def _refused_path(result, parameter: str, reason: str) -> None:
    """One line naming the parameter, the path and why; exit 2, as click's bad values."""
    line = error_line(result, 2)
    assert line.startswith(f"Error: Invalid value for '{parameter}': {reason}"), line


def _parameter(command: tuple[str, ...]) -> str:
    return {"seed": "[FILE]", "csv": "FILE", "claimreview": "FILE"}.get(command[-1], command[-1])


@pytest.mark.parametrize("command", FILE_INPUTS.values(), ids=FILE_INPUTS)
def test_a_file_that_cannot_be_read_is_refused_alike_whatever_the_reason(
    story, engine, tmp_path, command
):
    """A folder given for a file exited 2 ("Invalid value"), a missing file 1 ("no such
    file"): one mistake, two statuses. Each is a bad value now: exit 2, one line naming
    the path and why, nothing written."""
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo")
    before = snapshot(engine)
    for name, reason in (("folder", "{} is a folder, not a file"), ("nope.txt", "no such file: {}"),
                         ("fifo", "{} is not a regular file")):  # fmt: skip
        path = str(tmp_path / name)
        _refused_path(story(*command, path), _parameter(command), reason.format(path))
    _refused_path(story(*command, ""), _parameter(command), "give a file name")
    assert snapshot(engine) == before


@pytest.mark.parametrize("command", [*FILE_INPUTS.values(), *FOLDER_INPUTS.values()],
                         ids=[*FILE_INPUTS, *FOLDER_INPUTS])  # fmt: skip
def test_an_unreadable_file_or_folder_is_refused_as_a_missing_one_is(
    story, engine, db_url, tmp_path, command
):
    folder = command in FOLDER_INPUTS.values()
    path = tmp_path / ("secret" if folder else "secret.txt")
    if folder:
        path.mkdir()
    else:
        path.write_text("words\n", encoding="utf-8")
    path.chmod(0)
    before = snapshot(engine)
    argv = [sys.executable, "-m", "claimtrack", "--db", db_url.render_as_string(False),
            *command, str(path)]  # fmt: skip
    try:
        done = subprocess.run(_as_unprivileged(argv), capture_output=True, text=True, timeout=60)
    finally:
        path.chmod(0o755)
    assert done.returncode == 2, done.stderr
    parameter = "DIR" if folder else _parameter(command)
    assert done.stderr.startswith(
        f"Error: Invalid value for '{parameter}': cannot read {path}: Permission denied (see "
    ), done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert snapshot(engine) == before


@pytest.mark.parametrize("command", FOLDER_INPUTS.values(), ids=FOLDER_INPUTS)
def test_a_dataset_folder_that_is_missing_or_a_file_is_refused_alike(story, engine, tmp_path,
                                                                      command):  # fmt: skip
    """A file given for DIR exited 2, a folder that is not there 1 ("has no train.tsv")."""
    (tmp_path / "data.tsv").write_text("x\n", encoding="utf-8")
    before = snapshot(engine)
    for name, reason in (("data.tsv", "{} is a file, not a folder"),
                         ("nope", "no such folder: {}")):  # fmt: skip
        path = str(tmp_path / name)
        _refused_path(story(*command, path), "DIR", reason.format(path))
    assert snapshot(engine) == before


@pytest.mark.parametrize("command", [("import", "csv"), ("seed",)], ids=" ".join)
def test_a_bad_input_path_creates_no_database(tmp_path, command):
    path = tmp_path / "new.db"
    result = invoke("--db", str(path), *command, str(tmp_path))
    _refused_path(result, _parameter(command), f"{tmp_path} is a folder, not a file")
    result = invoke("--db", str(path), *command, str(tmp_path / "nope"))
    _refused_path(result, _parameter(command), f"no such file: {tmp_path / 'nope'}")
    assert not path.exists()


# What each command that reads a file reads of it at most: a seed file is read whole, a
# CSV file streamed.
LIMITS = [(("import", "csv"), bulk, "MAX_CSV_BYTES"), (("seed",), importer, "MAX_FILE_BYTES")]


@pytest.mark.parametrize("command, module, limit", LIMITS, ids=lambda v: " ".join(v)
                         if isinstance(v, tuple) else "")  # fmt: skip
def test_import_refuses_a_file_over_the_limit(story, engine, tmp_path, command, module, limit):
    size = getattr(module, limit)
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(size + 1)  # sparse: no disk used, nothing to read
    before = snapshot(engine)
    line = error_line(story(*command, str(path)), 1)
    assert line == f"Error: {path} is larger than {size // 1024**2} MiB, the most one import " + (
        "reads: split it into several files"
    )
    assert snapshot(engine) == before


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="no /proc")
@pytest.mark.parametrize("command, module, limit", LIMITS, ids=lambda v: " ".join(v)
                         if isinstance(v, tuple) else "")  # fmt: skip
def test_import_reads_no_more_than_the_limit(story, engine, monkeypatch, command, module, limit):
    """A regular file whose size stat() does not tell (or that grows) is read only up to
    the limit: /proc files say 0 bytes."""
    monkeypatch.setattr(module, limit, 1000)
    assert os.stat("/proc/self/maps").st_size == 0
    before = snapshot(engine)
    line = error_line(story(*command, "/proc/self/maps"), 1)
    assert line.startswith("Error: /proc/self/maps is larger than")
    assert snapshot(engine) == before


def _import(story, tmp_path, content: bytes):
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    return story("import", "csv", str(path)), path


def test_a_repeated_column_is_refused_by_name(story, engine, tmp_path):
    before = snapshot(engine)
    content = b"claim,party,stance,source,date,Party\nX,Iran,asserts,,2026-05-01,US\n"
    result, path = _import(story, tmp_path, content)
    line = error_line(result, 1)
    assert "column(s) 'party' appear more than once in the header" in line
    assert snapshot(engine) == before


def test_rows_of_empty_cells_that_spreadsheets_leave_are_skipped(story, engine, tmp_path):
    content = (MINIMAL + "Talks resume,Iran,asserts,,2026-05-01\n,,,,\n , ,,,\n,,\n\n").encode()
    result, path = _import(story, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert f"Imported 1 row(s) from {path}" in result.output
    listed = story("claim", "list", "--format", "json")
    assert "Talks resume" in listed.stdout


def test_ten_thousand_unknown_columns_make_a_short_error(story, engine, tmp_path):
    extra = ",".join(f"colour{n}" for n in range(10_000))
    content = f"claim,party,stance,source,date,{extra}\n".encode()
    before = snapshot(engine)
    result, path = _import(story, tmp_path, content)
    line = error_line(result, 1)
    assert len(line) < 400
    assert "'colour0', 'colour1'" in line and "'colour9' and 9,990 more" in line
    assert "colour10'" not in line
    assert snapshot(engine) == before


LATIN_1 = (MINIMAL + "Café crème à Genève,Iran,asserts,,2026-05-01\n").encode("latin-1")


def test_a_latin_1_file_is_not_guessed_as_utf_16(story, engine, tmp_path):
    # Every even-length run of bytes without surrogates "decodes" as UTF-16: this file
    # was once called UTF-16, and the iconv advised turned it into Chinese-looking junk.
    LATIN_1.decode("utf-16")
    before = snapshot(engine)
    result, path = _import(story, tmp_path, LATIN_1)
    line = error_line(result, 1)
    assert f"{path} is not UTF-8 (byte 34 cannot be read) and its encoding is unknown" in line
    assert "save it again as UTF-8" in line
    assert "UTF-16" not in line and "GB18030" not in line
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    "command, name",
    [(("seed",), "story.toml"), (("import", "claimreview"), "reviews.json")],
)
def test_a_file_not_a_spreadsheet_is_not_told_to_save_as_csv(run, engine, tmp_path, command,
                                                             name):  # fmt: skip
    """nu18: a seed's TOML and a ClaimReview's JSON in Latin-1 were told to be saved
    again as "a spreadsheet's 'CSV UTF-8'", and converted into converted.csv."""
    path = tmp_path / name
    path.write_bytes("title = 'Café crème à Genève'\n".encode("latin-1"))
    before = snapshot(engine)
    line = error_line(run(*command, str(path)), 1)
    assert "is not UTF-8" in line and "CSV" not in line
    assert line.endswith(f"> converted{path.suffix}")
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    "text, encoding, named",
    [
        (MINIMAL + "伊朗否认,Iran,denies,,2026-05-01\n", "gb18030", "GB18030"),
        (MINIMAL + "伊朗否认,Iran,denies,,2026-05-01\n", "utf-16", "UTF-16"),  # with a BOM
        (MINIMAL + "伊朗否认,Iran,denies,,2026-05-01\n", "utf-32", "UTF-32"),
        # no BOM: its ASCII header is every other byte NUL (nu20 #8: "unknown column(s)
        # 'c\x00l\x00...'")
        (MINIMAL + "伊朗否认,Iran,denies,,2026-05-01\n", "utf-16-le", "UTF-16LE"),
        (MINIMAL + "伊朗否认,Iran,denies,,2026-05-01\n", "utf-16-be", "UTF-16BE"),
        (MINIMAL + "Müller sagt nein,Iran,denies,,2026-05-01\n", "cp1252", None),
        (MINIMAL + "“Talks” – über,Iran,denies,,2026-05-01\n", "cp1252", None),
        (MINIMAL + "Мир,Iran,denies,,2026-05-01\n", "koi8-r", None),
    ],
)
def test_an_encoding_is_named_only_when_the_advice_is_right(story, tmp_path, text, encoding, named):
    result, path = _import(story, tmp_path, text.encode(encoding))
    line = error_line(result, 1)
    if named is None:
        assert "its encoding is unknown" in line and "iconv -f ENCODING" in line
        return
    assert f"iconv -f {named} -t UTF-8" in line
    # The advice, taken, gives back the text exactly.
    assert path.read_bytes().decode(named) == text


# -- 7, 9: where the database is ----------------------------------------------------------


@pytest.mark.parametrize(
    "command, code",
    [(("claim", "list"), 1), (("claim", "add", "X", "--by", "Iran"), 1), (("seed",), 1),
     (("db", "current"), 1), (("db", "upgrade"), 1)],
)  # fmt: skip
def test_a_default_database_that_is_a_dangling_symlink(tmp_path, monkeypatch, command, code):
    monkeypatch.delenv("CLAIMTRACK_DB")
    folder = tmp_path / "config" / "claimtrack"  # XDG_CONFIG_HOME, as conftest sets it
    folder.mkdir(parents=True)
    (folder / "claimtrack.db").symlink_to(tmp_path / "gone" / "claims.db")
    line = error_line(invoke(*command), code)
    assert line == (
        f"Error: database {folder / 'claimtrack.db'} is a symbolic link to "
        f"{tmp_path / 'gone' / 'claims.db'}, which does not exist: restore the file or "
        "remove the link"
    )
    assert (folder / "claimtrack.db").is_symlink() and not (tmp_path / "gone").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["claimtrack.db"]


def _as_unprivileged(argv: list[str]) -> list[str]:
    """argv run without root's power to ignore file permissions."""
    if os.geteuid() != 0:
        return argv
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file permissions cannot be enforced")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--", *argv]


@pytest.fixture
def read_only_db(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "claims.db"
    assert invoke("--db", str(path), "seed").exit_code == 0
    path.chmod(0o444)
    folder.chmod(0o555)
    yield path
    folder.chmod(0o755)
    path.chmod(0o644)


def test_a_read_only_database_in_a_read_only_folder_is_read(read_only_db):
    digest = sha256(read_only_db)

    def run(*args: str) -> subprocess.CompletedProcess:
        argv = [sys.executable, "-m", "claimtrack", "--db", str(read_only_db), *args]
        return subprocess.run(_as_unprivileged(argv), capture_output=True, text=True, timeout=60)

    report = run("report", "contested", "--format", "json")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)  # the seed's contested claims
    listed = run("claim", "list", "--format", "csv")
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 24  # the header and the seed's 23 claims
    write = run("claim", "add", "Probe", "--by", "Iran")
    assert write.returncode == 1
    assert write.stderr == "Error: database error: attempt to write a readonly database\n"
    assert sha256(read_only_db) == digest
    assert sorted(p.name for p in read_only_db.parent.iterdir()) == ["claims.db"]


@pytest.mark.parametrize(
    "command",
    [("claim", "list"), ("report", "contested"), ("claim", "add", "X", "--by", "Iran"),
     ("seed",), ("import", "csv", "in.csv"), ("db", "upgrade")],
)  # fmt: skip
def test_a_foreign_sqlite_file_is_refused_unchanged(tmp_path, command):
    """nu20: `db upgrade` added claimtrack's tables beside another program's, and WAL."""
    path = tmp_path / "notes.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
    connection.execute("INSERT INTO note (body) VALUES ('not a claims database')")
    connection.commit()
    connection.close()
    (tmp_path / "in.csv").write_text(MINIMAL + "X,Iran,asserts,,2026-05-01\n", encoding="utf-8")
    digest = sha256(path)
    line = error_line(invoke("--db", str(path), *command), 1)
    own = ": it holds other tables, and db upgrade does not add claimtrack's beside them"
    assert line == f"Error: database {path} is not a claimtrack database" + (
        own if command == ("db", "upgrade") else "")  # fmt: skip
    assert sha256(path) == digest  # byte for byte: its journal mode was not switched to WAL
    assert not list(tmp_path.glob("notes.db-*"))  # no -wal, -shm or -journal either


def test_a_claimtrack_database_is_put_in_wal_mode(tmp_path):
    """The journal mode is switched once the file is known to be claimtrack's."""
    path = tmp_path / "claims.db"
    assert invoke("--db", str(path), "seed").exit_code == 0
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    connection.close()
    assert invoke("--db", str(path), "claim", "list").exit_code == 0
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


# -- 10: who is writing -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200d \u2060", "\u202e", "\ufeff "])
@pytest.mark.parametrize("how", ["--editor", "CLAIMTRACK_EDITOR"])
def test_an_editor_name_of_invisible_characters_is_refused(story, engine, monkeypatch, name, how):
    before = snapshot(engine)
    if how == "--editor":
        result = story("--editor", name, "claim", "add", "Ships expelled", "--by", "Iran")
    else:
        monkeypatch.setenv("CLAIMTRACK_EDITOR", name)
        result = story("claim", "add", "Ships expelled", "--by", "Iran")
    line = error_line(result, 2)
    assert "editor name is empty once invisible characters are removed" in line
    assert snapshot(engine) == before


@pytest.mark.parametrize("quote", ["", "   ", "\n"])
@pytest.mark.parametrize(
    "command",
    [("claim", "deny", "1", "--by", "US"), ("claim", "add", "Ships expelled", "--by", "Iran")],
)
def test_an_empty_quote_is_refused_not_dropped(story, engine, command, quote):
    """A new user's `--quote ""` (an empty shell variable) recorded the stance as
    unquoted, exit 0, where an empty claim text is refused."""
    before = snapshot(engine)
    line = error_line(story(*command, "--at", "2026-04-12", "--quote", quote), 2)
    assert "--quote is empty: give the words as said, or leave it out" in line
    assert snapshot(engine) == before


def test_an_empty_quote_file_is_refused(story, engine, tmp_path):
    empty = tmp_path / "quote.txt"
    empty.write_text("\n", encoding="utf-8")
    before = snapshot(engine)
    result = story("claim", "deny", "1", "--by", "US", "--at", "2026-04-12",
                   "--quote-file", str(empty))  # fmt: skip
    assert "--quote-file is empty" in error_line(result, 2)
    assert snapshot(engine) == before


@pytest.mark.parametrize("needle", ["%", "_", "\\", "50%_off\\"])
def test_search_takes_percent_underscore_and_backslash_literally(run, engine, needle):
    """LIKE's wildcards mean themselves in --search, on both backends."""
    for text in ("Prices fell 50%_off\\ today", "Prices fell fifty per cent today"):
        result = run("claim", "add", text, "--by", "Desk", "--create-missing", "--at", "2026-04-12")
        assert result.exit_code == 0, result.output
    listed = json.loads(run("claim", "list", "--search", needle, "--format", "json").stdout)
    assert [r["claim"] for r in listed] == ["Prices fell 50%_off\\ today"]


def test_a_refused_command_on_a_new_file_says_only_why(tmp_path):
    """A write command on a database file that does not exist yet creates it; when the
    command is refused the file goes again, and the one line says why (not that a
    database was created)."""
    path = tmp_path / "new.db"
    refused = CliRunner().invoke(cli, ["--db", str(path), "claim", "deny", "1", "--by", "X"])
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines() == [
        "Error: unknown claim '1': see 'claimtrack claim list' for ids"
    ]
    assert not path.exists()
    added = CliRunner().invoke(cli, ["--db", str(path), "party", "add", "X"])
    assert added.exit_code == 0 and f"Created database {path}" in added.output
    assert path.exists()


# -- control characters never reach the terminal raw ------------------------------------

CONTROL_TEXT = "Bad \x01\x07\x1b[31m text\x7f\x9b end"


def test_tables_show_control_characters_as_pictures_and_json_keeps_them(run, engine):
    """ESC, BEL, \\x01, DEL and C1 in a claim (imported text can hold them) are shown,
    never obeyed, in every table; JSON still carries the exact text."""
    added = run("claim", "add", "--by", "IDF", "--create-missing", "--", CONTROL_TEXT)
    assert added.exit_code == 0, added.output
    claim = added.stdout.strip().splitlines()[-1]
    for args in (("claim", "list"), ("claim", "show", claim), ("report", "claims")):
        result = run(*args)
        assert result.exit_code == 0, result.output
        raw = result.stdout_bytes
        assert not [b for b in raw if b < 0x20 and b != 0x0A], (args, raw)
        text = result.stdout
        assert "\x7f" not in text and "\x9b" not in text, args
        assert "Bad ␁␇␛[31m text␡\\x9b end" in text, (args, text)
    records = json.loads(run("claim", "list", "--format", "json").stdout)
    assert [r["claim"] for r in records] == [CONTROL_TEXT]
    shown = json.loads(run("claim", "show", claim, "--format", "json").stdout)
    assert [r["claim"] for r in shown] == [CONTROL_TEXT]
    # The lines around the tables too: a party's header, a near-duplicate's note.
    party = run("party", "add", "Ink", "--alias", "a")
    assert party.exit_code == 0, party.output
    stored_as_before(engine, "Ink", "Ink\x1b]0;owned\x07")
    stored_as_before(engine, "a", "a\x1b[2J", alias=True)
    for args in (("party", "show", party.stdout.strip()),
                 ("claim", "add", "--by", "IDF", "--", CONTROL_TEXT + "!"),
                 ("claim", "comment", claim, "--by", party.stdout.strip())):  # fmt: skip
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output, (args, result.output)
        assert "␛" in result.output, (args, result.output)


def test_a_name_with_a_line_break_or_a_bidi_override_shows_them_in_tables(run, engine, monkeypatch):
    """A party named "Two\\nLines", or one whose name holds a right-to-left override
    (which turns the rest of the table's line around), printed raw in tables (trial D13);
    they are shown, as ESC and BEL are, and JSON keeps the names as given."""
    monkeypatch.setenv("COLUMNS", "400")  # no cell wraps: each name on one line
    names = ["Two\nLines", "\u202eevil", "iso\u2066late", "em\u202abed"]
    for name in ["Two Lines", *names[1:]]:
        assert run("party", "add", name, "--for", "Russia", "--create-missing").exit_code == 0
    stored_as_before(engine, "Two Lines", names[0])
    assert run("claim", "add", "It was sabotage", "--by", names[0], "--at", "2022-09-27",
               "--slug", "s").exit_code == 0  # fmt: skip
    for name in names[1:]:
        assert run("claim", "deny", "s", "--by", name, "--at", "2022-09-28").exit_code == 0
    for args, shown in (
        (("party", "list"), names),
        (("report", "contested"), names),
        (("claim", "show", "s"), names),
        (("report", "parties"), names),
        (("party", "show", names[0]), names[:1]),
        (("party", "show", names[1]), names[1:2]),
    ):
        result = run(*args)
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert not set(out) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), args
        assert "Two\n" not in out, (args, out)
        for name, picture in zip(names, ("Two␊Lines", "\\u202eevil", "iso\\u2066late",
                                         "em\\u202abed"), strict=True):  # fmt: skip
            assert (picture in out) == (name in shown), (args, picture, out)
    listed = json.loads(run("party", "list", "--format", "json").stdout)
    assert set(names) <= {p["name"] for p in listed}  # as given


def test_visible_leaves_persian_bidi_marks_and_line_breaks_alone():
    from claimtrack.render import visible

    persian = "می\u200cخواهد \u200f(ایران)"
    assert visible(persian) == persian
    # an embedding left open is closed at the end of its line, the text kept as given
    assert visible(persian + "\u202b") == persian + "\u202b\u202c"
    assert visible("one\ntwo\tthree\r\nfour") == "one\ntwo\tthree\nfour"
    assert visible("\x00\x1b\x1f\x7f\x85") == "␀␛␟␡\\x85"


@pytest.mark.parametrize(("line", "closed"), [
    ("a\u202eb", "a\u202eb\u202c"),  # an override left open
    ("a\u202eb\u202cc", "a\u202eb\u202cc"),  # closed by its own PDF: as it is
    ("\u2067a\u202eb", "\u2067a\u202eb\u202c\u2069"),  # closed inside out
    ("\u2067a\u202eb\u2069c", "\u2067a\u202eb\u2069c"),  # a PDI closes what is inside
    ("a\u202cb\u2069c", "a\u202cb\u2069c"),  # closers of nothing: nothing added
    ("\u202d\u202e\u2068x", "\u202d\u202e\u2068x\u2069\u202c\u202c"),
    ("\u2066a\u202c", "\u2066a\u202c\u2069"),  # a PDF does not close an isolate
])  # fmt: skip
def test_bidi_closed_closes_what_a_line_leaves_open(line, closed):
    from claimtrack.names import bidi_closed

    assert bidi_closed(line) == closed


def test_a_claim_or_quote_with_a_bidi_override_is_noted_and_closed_in_tables(
    run, engine, monkeypatch
):
    """A claim text holding a right-to-left override (pasted from a post) was recorded
    unsaid and printed raw: on a terminal that reorders, it turned the rest of the table's
    line, the next cells, around (nu14, Prigozhin). Recording it says so on stderr, with
    what to do; texts keep it (JSON as given), and every line of a table cell that
    leaves one open closes it (U+202C) where the cell ends."""
    monkeypatch.setenv("COLUMNS", "60")  # the claim's cell wraps
    text = "Wagner \u202edenied the crash of the jet over Tver region on 23 August"
    added = run("claim", "add", text, "--by", "Kremlin", "--create-missing", "--slug", "c",
                "--at", "2023-08-24")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "right-to-left override (U+202E)" in added.stderr
    assert "claimtrack claim merge 1 NEW" in added.stderr
    denied = run("claim", "deny", "c", "--by", "Wagner", "--create-missing",
                 "--quote", "we \u202ed\u202did not", "--at", "2023-08-25")  # fmt: skip
    assert denied.exit_code == 0, denied.output
    assert "left-to-right override (U+202D) and a right-to-left override" in denied.stderr
    assert "claimtrack stance amend 2" in denied.stderr
    plain = run("claim", "confirm", "c", "--by", "Kremlin", "--at", "2023-08-26")
    assert "override" not in plain.stderr
    for args in (("claim", "list"), ("report", "contested"), ("claim", "show", "c")):
        out = run(*args).stdout
        assert "\u202e" in out, args
        for shown in out.splitlines():
            from claimtrack.names import bidi_closed

            assert bidi_closed(shown) == shown, (args, shown)  # nothing left open
    listed = json.loads(run("claim", "list", "--format", "json").stdout)
    assert [c["claim"] for c in listed] == [text]  # as given, nothing added


def test_the_remedy_a_bidi_override_note_gives_works_as_told(run, engine):
    """nu17: the note said "record the claim again without it and merge", and recording
    it again was refused as the same claim ("already says this"): the note names --force."""
    text = "Wagner \u202edenied the crash of the jet over Tver region on 23 August"
    added = run("claim", "add", text, "--by", "Kremlin", "--create-missing", "--at",
                "2023-08-24")  # fmt: skip
    assert "record the claim again without it, with --force" in added.stderr, added.output
    clean = text.replace("\u202e", "")
    assert run("claim", "add", clean, "--by", "Kremlin", "--at", "2023-08-24").exit_code == 1
    again = run("claim", "add", clean, "--by", "Kremlin", "--at", "2023-08-24", "--force")
    assert again.exit_code == 0 and again.stdout == "2\n", again.output
    merged = run("claim", "merge", "1", "2")
    assert merged.exit_code == 0, merged.output
    assert [c["claim"] for c in json.loads(run("claim", "list", "--format", "json").stdout)] == [
        clean
    ]


def test_a_name_or_alias_with_a_bidi_override_is_noted_as_a_claim_is(run, engine):
    """nu19: `party add $'\\u202eevil'` said nothing, where a claim's text or a quote with
    the same character is noted; names are matched without it, so it went unseen until
    a CSV's sides cell and the HTML timeline showed the rest of their text reversed."""
    added = run("party", "add", "\u202eevil", "--alias", "plain", "--alias", "x\u202dy")
    assert added.exit_code == 0 and added.stdout == "1\n", added.output
    notes = added.stderr.splitlines()
    assert notes == [
        "Note: the party name holds a right-to-left override (U+202E), which shows the text "
        "after it in an order not its own: recorded as given; if it came with a paste, "
        "correct it with: claimtrack party edit 1 --name NAME",
        "Note: the alias holds a left-to-right override (U+202D), which shows the text after "
        "it in an order not its own: recorded as given; if it came with a paste, the party "
        "is found by the alias without it too",
    ], added.stderr
    assert "override" in run("party", "alias", "1", "z\u202ez").stderr
    assert "override" not in run("party", "alias", "1", "plain two").stderr
    fixed = run("party", "edit", "1", "--name", "evil")  # as the note says
    assert fixed.exit_code == 0 and "override" not in fixed.stderr, fixed.output
    assert "override" in run("party", "edit", "1", "--name", "ev\u202eil").stderr
    assert "override" not in run("party", "add", "Someone plain").stderr


def test_confirmations_and_errors_show_a_hostile_name_as_tables_do(run, engine):
    """`party merge`, `party edit`, `party alias`, a stance's confirmation, --create-missing's
    note and the errors that echo a name printed a name with a line break or a bidi override
    raw (a second line; the rest of the line turned around), or as Python's repr ('\\n'):
    each shows it through visible_name, as tables do, on one line."""
    bidi = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    two, evil = "Two\nLines", "\u202eevil"
    pictures = {two: "Two␊Lines", evil: "\\u202eevil"}

    def line(*args, code=0, shows=(two, evil), lines=1):
        result = run(*args)
        assert result.exit_code == code, (args, result.output)
        out = result.output
        assert len(out.strip().splitlines()) == lines, (args, out)
        assert not set(out) & bidi and "\\n" not in out, (args, out)
        for name in shows:
            assert pictures[name] in out, (args, name, out)
        return out

    assert run("party", "add", "Two Lines").exit_code == 0
    stored_as_before(engine, "Two Lines", two)  # a new name on two lines is refused
    line("claim", "add", "It was sabotage", "--by", evil, "--create-missing", "--slug", "s",
         "--at", "2022-09-27", shows=[evil], lines=2)  # its id and the note  # fmt: skip
    assert run("party", "add", "NATO").exit_code == 0
    line("claim", "deny", "s", "--by", two, "--at", "2022-09-28", shows=[two])
    line("party", "edit", evil, "--for", two)
    line("party", "alias", evil, "Al\u202eias", shows=[evil], lines=2)  # and the override's note
    line("party", "add", two, code=2, shows=[two])  # on two lines: refused, shown on one
    line("party", "add", "Al\u202eias", code=1, shows=[evil])
    line("claim", "deny", "s", "--by", "Two\nLinez", code=1, shows=[two])
    line("claim", "show", evil, code=1, shows=[evil])
    line("party", "merge", evil, two, lines=2)  # and the note of the status it changed
    line("party", "merge", two, two, code=2, shows=[two])
    shown = json.loads(run("party", "show", two, "--format", "json").stdout)
    assert evil in json.dumps(shown, ensure_ascii=False)  # JSON keeps the names as given


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("claim", "add", "Q held", "--by", "{long}"), 1,
         "'Prigozhin Prigozhin Prigozhin Prigozhin Prigozhin Prigozhin Prigozhin Prigozhin "
         "…' (99,999 characters). A party's name is at most 300 characters"),
        (("claim", "show", "{long}"), 1, "' (99,999 characters): see 'claimtrack claim list'"),
        (("claim", "deny", "1", "--by", "US", "--url", "http://a b{long}"), 2,
         "invalid URL 'http://a bPrigozhin Prigozhin Prigozhin Prigozhin Prigozhin Prigozhin "
         "Prigozhin …' (100,009 characters): give a full http:// or https:// address"),
        # A new address is the title of the source it adds: a page's worth is refused as
        # the URL it is (nu17: "source title is 100,018 characters long").
        (("claim", "confirm", "1", "--by", "US", "--url", "https://t.me/{path}"), 2,
         "--url is 100,013 characters long, and a source added by address takes it as its "
         "title, which is at most 1,000: add the source first"),
    ],
)  # fmt: skip
def test_a_pasted_page_is_echoed_by_its_start_and_length(story, engine, args, code, says):
    """nu17: a 100,000-character --by came back whole, twice, on one 200 KB line, with
    "Create it with: claimtrack party add '<all of it>'", a name party add refuses."""
    long = ("Prigozhin " * 10_000).strip()
    before = snapshot(engine)
    result = story(*(a.replace("{long}", long).replace("{path}", "p" * 100_000) for a in args))
    line = error_line(result, code)
    assert says in line and len(line) < 300, line[:500]
    assert snapshot(engine) == before


CREATE_UNDER_A_SIZE_LIMIT = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (16_384, 16_384))
sys.argv = ["claimtrack", "--db", sys.argv[1], "party", "add", "Nobody"]
from claimtrack.__main__ import main
main()
"""


def test_a_database_whose_creation_fails_is_not_left_behind(tmp_path):
    """nu18: the first write of a new SQLite file onto a full disk failed ("nothing was
    written") and left an empty file, which every read after called a database without
    claimtrack's schema. A file-size limit stands in for the disk (SQLite only)."""
    path = tmp_path / "new.db"
    done = subprocess.run([sys.executable, "-c", CREATE_UNDER_A_SIZE_LIMIT, str(path)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1 and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("Error: ") and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["media", "person"])
def test_anonymous_with_a_kind_is_refused_not_passed_over(run, engine, kind):
    """nu18: `party add X --anonymous --kind media` stored an anonymous party without a
    word of the --kind it passed over (person, the default, included when given)."""
    before = snapshot(engine)
    result = run("party", "add", "unnamed official", "--anonymous", "--kind", kind)
    assert result.exit_code == 2
    assert result.stderr == f"Error: --anonymous is a kind of its own: leave out --kind {kind}\n"
    assert snapshot(engine) == before
    assert run("party", "add", "unnamed official", "--anonymous").exit_code == 0
