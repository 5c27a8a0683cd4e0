"""Nothing lost: concurrent writers, killed imports, faults, upgrades, hostile input."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import snapshot
from hypothesis import given
from hypothesis import strategies as st

from claimtrack import db, schema
from claimtrack.cli import cli
from claimtrack.names import normalise

ROOT = Path(__file__).resolve().parent.parent
PROCESSES, CLAIMS_EACH = 8, 250


# -- concurrent editors ----------------------------------------------------------------


def _editor(url: str, number: int) -> None:
    """One editor recording claims and denials through the Python API, committing each."""
    from claimtrack import record
    from claimtrack.times import parse_when

    engine = db.open_database(db.resolve_url(url))
    editor = f"editor-{number}"
    try:
        for n in range(CLAIMS_EACH):
            with db.write_session(engine) as session, session.begin():
                asserter = record.find_party(session, "Iran")
                claim = record.add_claim(
                    session, f"claim {number}-{n}", topic="load", editor=editor
                )
                record.add_stance(
                    session,
                    claim,
                    asserter,
                    "asserts",
                    editor=editor,
                    said=parse_when("2026-04-11"),
                )
                if n % 2:
                    record.add_stance(
                        session,
                        claim,
                        record.find_party(session, "US"),
                        "denies",
                        editor=editor,
                        said=parse_when("2026-04-12"),
                    )
                record.log_event(session, editor, "claim add", f"#{claim.id}")
    finally:
        engine.dispose()


def test_postgresql_writers_take_turns_readers_do_not_wait(engine):
    """A PostgreSQL writer holds claimtrack's write lock until it commits (as SQLite's
    BEGIN IMMEDIATE), so the counts each write keeps start from the last commit."""
    if engine.dialect.name == "sqlite":  # BEGIN IMMEDIATE: a second writer is refused
        with db.write_session(engine) as writer:
            writer.execute(sa.text("SELECT 1"))
            other = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            assert other.execute("SELECT count(*) FROM claim").fetchone() == (0,)
            other.close()
        return
    # pg_locks lists the whole server: other tests' databases (pytest -n) hold the same
    # key at the same time. An advisory lock belongs to one database, so count only ours.
    held = sa.text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND ((classid::bigint << 32) | objid::bigint) = :key"
    )
    with db.write_session(engine) as writer, engine.connect() as other:
        writer.execute(sa.text("SELECT 1"))
        assert other.execute(held, {"key": db.WRITE_LOCK}).scalar() == 1
        second = other.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"),
                               {"key": db.WRITE_LOCK}).scalar()  # fmt: skip
        assert second is False  # a second writer waits
        assert other.execute(sa.text("SELECT count(*) FROM claim")).scalar() == 0  # a reader
        writer.commit()
        assert other.execute(held, {"key": db.WRITE_LOCK}).scalar() == 0


def test_eight_editors_at_once_lose_nothing(engine, db_url, run, monkeypatch):
    # What is tested is that nothing is lost, not how long a writer waits: on a loaded
    # two-core machine (the suite runs beside this test) a wait can pass the default 10 s,
    # and SQLite's busy handler is not fair (one writer can lose the race for minutes
    # while 7 others take turns: seen at 120 s with a load average of 9).
    monkeypatch.setenv("CLAIMTRACK_BUSY_TIMEOUT_MS", "600000")
    assert run("party", "add", "Iran", "--kind", "government").exit_code == 0
    assert run("party", "add", "US", "--kind", "government").exit_code == 0
    url = db_url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_editor, args=(url, n)) for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=900)
    assert [w.exitcode for w in workers] == [0] * PROCESSES  # no "database is locked"
    total = PROCESSES * CLAIMS_EACH
    with engine.connect() as connection:
        count = lambda sql: connection.execute(sa.text(sql)).scalar()  # noqa: E731
        assert count("SELECT count(*) FROM claim WHERE topic = 'load'") == total
        assert count("SELECT count(*) FROM stance") == total + total // 2
        assert count("SELECT count(*) FROM event WHERE action = 'claim add'") == total
        assert count("SELECT count(DISTINCT editor) FROM event WHERE action = 'claim add'") == 8
        assert count("SELECT count(*) FROM claim_state WHERE status = 'contested'") == total // 2
        view = count("SELECT count(*) FROM claim_status WHERE status = 'contested'")
        assert view == total // 2
    report = json.loads(run("report", "contested", "--format", "json").stdout)
    assert len(report) == total // 2


def test_readers_do_not_block_writers(tmp_path):
    """WAL: an export holding a read transaction open while another process records."""
    path = tmp_path / "wal.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(path), "seed"]).exit_code == 0
    engine = db.open_database(db.resolve_url(str(path)))
    try:
        with db.read_session(engine) as session:
            session.execute(sa.text("SELECT count(*) FROM stance")).scalar()  # read open
            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-m", "claimtrack", "--db", str(path), "claim", "deny",
                 "asset-unfreeze", "--by", "Pakistan", "--at", "2026-04-13"],
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr
            assert time.perf_counter() - started < 5  # did not wait for the reader
    finally:
        engine.dispose()


# -- faults -----------------------------------------------------------------------------


# Enough rows that the bulk import spends seconds inside its one transaction.
BIG = 20_000


def _big_csv(tmp_path: Path, claims: int = BIG) -> Path:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("claim,party,stance,source,date\n")
        for n in range(claims):
            f.write(f"bulk claim {n},Party {n % 40},asserts,Bulk report,2026-04-11\n")
    return path


def _import_transaction_open(engine) -> bool:
    """Whether another connection holds a write transaction open on the database."""
    if engine.dialect.name == "sqlite":
        # The import takes SQLite's write lock when its transaction begins (BEGIN
        # IMMEDIATE) and holds it until it commits: while it runs, nobody else gets it.
        probe = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # database is locked
            return True
        finally:
            probe.close()
    # PostgreSQL gives a transaction an id at its first write.
    sql = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
           "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")  # fmt: skip
    with engine.connect() as connection:
        return connection.execute(sa.text(sql)).scalar() > 0


def _import_started(engine, url: str, csv_path) -> subprocess.Popen:
    """``import csv`` in a process of its own, once its transaction is open."""
    process = subprocess.Popen(
        [sys.executable, "-m", "claimtrack", "--db", url, "import", "csv", str(csv_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not _import_transaction_open(engine):
        if process.poll() is not None:
            raise AssertionError(process.communicate())  # ended before it began
        if time.monotonic() >= deadline:
            process.kill()
            raise AssertionError("the import's transaction never began")
        time.sleep(0.02)
    return process


def test_kill_9_during_an_import_leaves_all_or_nothing(engine, db_url, tmp_path):
    url = db_url.render_as_string(hide_password=False)
    csv_path = _big_csv(tmp_path)
    before = snapshot(engine)
    process = _import_started(engine, url, csv_path)
    try:
        time.sleep(0.3)  # let it write some rows inside its transaction
        assert _import_transaction_open(engine), "the import committed before the kill"
    finally:
        process.kill()  # SIGKILL
        process.communicate()
    assert process.returncode == -signal.SIGKILL  # the kill landed: the import was running
    engine.dispose()
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert snapshot(engine) == before  # killed mid-transaction: none of it
    # The next command works, and the import can simply be run again.
    result = CliRunner().invoke(cli, ["--db", url, "import", "csv", str(csv_path)])
    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM claim")).scalar() == BIG


def test_ctrl_c_during_an_import_writes_nothing_and_says_so(engine, db_url, tmp_path):
    """SIGINT while the import's transaction is open: one line, exit 130 (not click's
    "Aborted!", exit 1, nor a traceback), and the database as it was."""
    url = db_url.render_as_string(hide_password=False)
    csv_path = _big_csv(tmp_path)
    before = snapshot(engine)
    process = _import_started(engine, url, csv_path)
    try:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, (out, err)
    assert err.decode().splitlines() == ["Interrupted: nothing was written"]
    assert out == b""
    engine.dispose()
    assert snapshot(engine) == before
    result = CliRunner().invoke(cli, ["--db", url, "import", "csv", str(csv_path)])
    assert result.exit_code == 0, result.output  # and it can simply be run again


# Ctrl-C in the middle of an import's work, where it is hardest to take: on SQLite as a
# statement of the write phase runs (SQLAlchemy closes a connection an interrupt goes
# through), on PostgreSQL in the middle of a COPY into the staging table (the connection
# is left mid-COPY, and the rollback fails in turn). The signal is sent by the process to
# itself at that point, so it lands there every time.
_INTERRUPTING = """
import os, signal, sys
import sqlalchemy as sa
from sqlalchemy import event

def kick():
    os.kill(os.getpid(), signal.SIGINT)

if sys.argv[1] == "sqlite":
    def before(conn, cursor, statement, *rest):
        if statement.lstrip().startswith("INSERT INTO stance"):
            kick()
    event.listen(sa.engine.Engine, "before_cursor_execute", before)
else:
    import psycopg
    write_row, rows = psycopg.Copy.write_row, [0]
    def counted(self, row):
        rows[0] += 1
        if rows[0] == 1000:
            kick()
        return write_row(self, row)
    psycopg.Copy.write_row = counted
from claimtrack.cli import cli
cli.main(sys.argv[2:], prog_name="claimtrack")
"""


def test_ctrl_c_in_the_midst_of_an_import_writes_nothing_and_says_so(engine, db_url, tmp_path):
    """nu17: at 5-12 s into a 300,000-row import, Ctrl-C gave a traceback on SQLite
    ("Cannot operate on a closed database", from putting SQLite's memory limit back on the
    connection SQLAlchemy had closed) and, once in eleven, "database error: ... another
    command is already in progress" on PostgreSQL, exit 1. Now one line, exit 130."""
    url = db_url.render_as_string(hide_password=False)
    csv_path = _big_csv(tmp_path, claims=5000)
    before = snapshot(engine)
    process = subprocess.run(
        [sys.executable, "-c", _INTERRUPTING, engine.dialect.name, "--db", url, "import", "csv",
         str(csv_path)],
        capture_output=True, timeout=300,
    )  # fmt: skip
    assert (process.returncode, process.stderr.decode().splitlines()) == (
        130, ["Interrupted: nothing was written"]), process.stderr.decode()[-3000:]  # fmt: skip
    assert process.stdout == b""
    engine.dispose()
    assert snapshot(engine) == before
    result = CliRunner().invoke(cli, ["--db", url, "import", "csv", str(csv_path)])
    assert result.exit_code == 0, result.output  # and it can simply be run again


def test_ctrl_c_after_the_import_committed_says_it_is_written(engine, db_url, tmp_path):
    """SIGINT once the import has committed, while it writes its summary: exit 130 and
    one line that says the rows are written, not that it failed; the rows are there.
    Its standard output is a pipe filled beforehand, so the summary's write blocks
    until the test reads: the signal lands after the commit, whatever the machine
    (Linux: the test reads the process's wait channel in /proc)."""
    import fcntl
    import os

    url = db_url.render_as_string(hide_password=False)
    csv_path = _big_csv(tmp_path, claims=50)
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETFL, os.O_NONBLOCK)
    try:
        while True:
            os.write(write_end, b"x" * 4096)
    except BlockingIOError:
        pass  # full
    fcntl.fcntl(write_end, fcntl.F_SETFL, 0)
    process = subprocess.Popen(
        [sys.executable, "-m", "claimtrack", "--db", url, "import", "csv", str(csv_path)],
        stdout=write_end,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    wchan = Path(f"/proc/{process.pid}/wchan")
    try:
        deadline = time.monotonic() + 60
        # Blocked writing to the full pipe (the kernel's wait channel says so; the
        # summary is written only once the commit has returned).
        while not wchan.read_text().endswith("pipe_write"):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the import never wrote its summary"
            time.sleep(0.02)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM claim")).scalar() == 50
        process.send_signal(signal.SIGINT)
        with os.fdopen(read_end, "rb") as pipe:
            written = pipe.read()  # unblocks it
        err = process.stderr.read()
        process.wait(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert err.decode().splitlines() == [
        "Interrupted after the changes were committed: they are written and kept"
    ]
    assert b"Traceback" not in written
    engine.dispose()
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM claim")).scalar() == 50


@pytest.fixture
def full_disk(tmp_path):
    """A 600 KB tmpfs (root only: SQLite's own "disk I/O error" needs a disk that is
    really full), unmounted after."""
    import os

    mount = tmp_path / "full"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)],
                          capture_output=True)  # fmt: skip
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_read_on_a_full_disk_says_the_disk_is_full(full_disk):
    """nu19: with no byte free, `report contested` said "cannot open database ...: disk
    I/O error": SQLite makes its -shm file beside the database even to read it."""
    path = full_disk / "s.db"
    assert CliRunner().invoke(cli, ["--db", str(path), "party", "add", "Iran"]).exit_code == 0
    with (full_disk / "fill").open("wb", buffering=0) as f:
        try:
            while f.write(b"\0" * 4096):
                pass
        except OSError:  # no space left: the disk is full
            pass
    result = CliRunner().invoke(cli, ["--db", str(path), "party", "list"])
    assert (result.exit_code, result.output) == (1, (
        f"Error: cannot open database {path}: the disk it is on is full, and SQLite needs "
        "room beside the file even to read it: free some space\n")), result.output  # fmt: skip
    (full_disk / "fill").unlink()
    assert CliRunner().invoke(cli, ["--db", str(path), "party", "list"]).exit_code == 0


def test_a_database_locked_past_the_busy_timeout(tmp_path, monkeypatch):
    path = tmp_path / "locked.db"
    assert CliRunner().invoke(cli, ["--db", str(path), "seed"]).exit_code == 0
    engine = db.open_database(db.resolve_url(str(path)))
    before = snapshot(engine)
    monkeypatch.setenv(db.ENV_BUSY_TIMEOUT, "300")
    with engine.connect().execution_options(claimtrack_write=True) as holder:
        holder.begin()  # BEGIN IMMEDIATE: the write lock, held
        result = CliRunner().invoke(
            cli, ["--db", str(path), "claim", "deny", "1", "--by", "Pakistan"]
        )
        holder.rollback()
    assert result.exit_code == 1
    # nu19: 300 ms was told as "waited 0 s"
    assert "locked by another writer (waited 0.3 s): try again" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(engine) == before
    engine.dispose()


def test_a_full_disk(tmp_path, monkeypatch):
    """SQLITE_FULL, as a full disk gives it, from a page limit on the database."""
    path = tmp_path / "full.db"
    assert CliRunner().invoke(cli, ["--db", str(path), "seed"]).exit_code == 0
    engine = db.open_database(db.resolve_url(str(path)))
    before = snapshot(engine)
    pages = engine.connect().exec_driver_sql("PRAGMA page_count").scalar()
    engine.dispose()
    original = db._configure_sqlite

    def tight(engine_):
        original(engine_)

        @sa.event.listens_for(engine_, "connect")
        def _limit(dbapi_connection, _record):
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(db, "_configure_sqlite", tight)
    long_text = "x" * 200_000
    result = CliRunner().invoke(cli, ["--db", str(path), "claim", "add", long_text, "--by", "Iran"])
    assert result.exit_code == 1
    assert "full" in result.output and "Traceback" not in result.output
    monkeypatch.setattr(db, "_configure_sqlite", original)
    engine = db.open_database(db.resolve_url(str(path)))
    assert snapshot(engine) == before
    engine.dispose()


def test_a_server_that_is_down(tmp_path):
    url = f"postgresql+psycopg://editor:pw-secret@/claims?host={tmp_path}&port=5999"
    result = CliRunner().invoke(cli, ["--db", url, "claim", "list"])
    assert result.exit_code == 1
    assert "cannot open database" in result.output and "pw-secret" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_wrong_password(pg_admin_url):
    from conftest import admin_execute

    admin_execute(pg_admin_url, "DROP ROLE IF EXISTS ct_editor")
    admin_execute(pg_admin_url, "CREATE ROLE ct_editor LOGIN PASSWORD 'right'")
    try:
        port = pg_admin_url.port or pg_admin_url.query.get("port")
        # Over TCP on loopback, where the test server asks for a password.
        url = f"postgresql+psycopg://ct_editor:wrong-pw@127.0.0.1:{port}/postgres"
        result = CliRunner().invoke(cli, ["--db", url, "claim", "list"])
        assert result.exit_code == 1, result.output
        assert "password authentication failed" in result.output
        assert "wrong-pw" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    finally:
        admin_execute(pg_admin_url, "DROP ROLE IF EXISTS ct_editor")


# -- upgrades ----------------------------------------------------------------------------


def _fill_0001(connection, *, intervals: bool = False) -> None:
    """Rows as revision 0001 holds them: parties, a claim, stances, a link, the log (with
    ``intervals``, stances as 0004 holds them: with their said interval and order)."""
    stance = (
        "INSERT INTO stance (claim_id, party_id, kind, said_at, said_offset, said_precision, "
        "recorded_at, recorded_by) VALUES "
        "(1, 2, 'asserts', :t, 300, 'day', :t, 'old'), "
        "(2, 1, 'asserts', :t, 300, 'day', :t, 'old')"
    )
    if intervals:
        stance = (
            "INSERT INTO stance (claim_id, party_id, kind, said_at, said_offset, "
            "said_precision, said_until, said_rank, recorded_at, recorded_by) VALUES "
            "(1, 2, 'asserts', :t, 300, 'day', :end, 0, :t, 'old'), "
            "(2, 1, 'asserts', :t, 300, 'day', :end, 0, :t, 'old')"
        )
    for statement in [
        "INSERT INTO party (id, name, name_norm, kind, anonymous, created_at) VALUES "
        "(1, 'Iran', 'iran', 'government', false, :t), "
        "(2, 'United States', 'united states', 'government', false, :t)",
        "INSERT INTO party_alias (party_id, alias, alias_norm) VALUES (1, '伊朗', '伊朗')",
        "INSERT INTO claim (id, topic, text, text_norm, text_key, created_at, created_by) "
        "VALUES (1, 't', 'Ships transited', 'ships transited', 'k1', :t, 'old'), "
        "(2, 't', 'Ships expelled', 'ships expelled', 'k2', :t, 'old')",
        stance,
        "INSERT INTO claim_link (from_claim_id, to_claim_id, kind, created_at, created_by) "
        "VALUES (2, 1, 'contradicts', :t, 'old')",
        "INSERT INTO event (at, editor, action, detail) VALUES (:t, 'old', 'seed', 'x')",
    ]:
        times = {"t": dt.datetime(2026, 4, 11, 10), "end": dt.datetime(2026, 4, 12, 10)}
        connection.execute(
            sa.text(statement), {k: v for k, v in times.items() if f":{k}" in statement}
        )
    if connection.dialect.name == "postgresql":
        for name in ("party", "claim"):
            connection.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), 10)")


def _fill_0002(connection, *, intervals: bool = False) -> None:
    """As 0001, with the claims' stored status that 0002 keeps."""
    _fill_0001(connection, intervals=intervals)
    connection.execute(sa.text(
        "INSERT INTO claim_state (claim_id, topic, status, supporters, opponents, "
        "contested_since, first_reported, last_activity) SELECT claim_id, topic, status, "
        "supporters, opponents, contested_since, first_reported, last_activity "
        "FROM claim_status"))  # fmt: skip


def _fill_0003(connection, *, intervals: bool = False) -> None:
    """As 0002, with a verdict; 0004 then gives every stance its said interval and order."""
    _fill_0002(connection, intervals=intervals)
    connection.execute(
        sa.text(
            "INSERT INTO verdict (claim_id, rating, label, created_at, created_by) "
            "VALUES (2, 'false', 'False', :t, 'old')"
        ),
        {"t": dt.datetime(2026, 4, 12, 9)},
    )


def _fill_0004(connection) -> None:
    """As 0003 upgraded to 0004, with a denial the desk recorded and then voided; 0005
    replays every claim into the stored history."""
    _fill_0003(connection, intervals=True)
    connection.execute(
        sa.text(
            "INSERT INTO stance (claim_id, party_id, kind, said_at, said_offset, said_precision, "
            "said_until, said_rank, recorded_at, recorded_by, void_at, void_by, void_reason) "
            "VALUES (1, 1, 'denies', :said, 0, 'minute', :until, 0, :rec, 'old', :void, 'old', "
            "'wrong claim')"
        ),
        {"said": dt.datetime(2026, 4, 12, 8), "until": dt.datetime(2026, 4, 12, 8, 1),
         "rec": dt.datetime(2026, 4, 12, 9), "void": dt.datetime(2026, 4, 12, 10)},
    )  # fmt: skip


# Every revision but the newest gets a filler here; a new revision needs one.
def _fill_0005(connection) -> None:
    """As 0004, with the stored history 0005 keeps; 0006 gives every name a key in one
    namespace (the alias 伊朗 of Iran among them) and every source title a digest."""
    from sqlalchemy.orm import Session

    from claimtrack import state

    _fill_0004(connection)
    state.rebuild(Session(bind=connection), counts=False)


def _fill_0006(connection) -> None:
    """As 0005 upgraded to 0006 (every name's key in ``party_name``), with a quote; 0007
    counts every party's part (``party_tally``)."""
    _fill_0005(connection)
    names = "(1, 'iran'), (2, 'united states'), (1, '伊朗')"
    connection.execute(sa.text(f"INSERT INTO party_name (party_id, key) VALUES {names}"))  # noqa: S608
    connection.execute(sa.text("UPDATE stance SET quote = '伊朗否认这一消息' WHERE claim_id = 2"))


def _fill_0007(connection) -> None:
    """As 0006 upgraded to 0007, with each party's part counted as 0007's writes keep it;
    0008 sketches every claim for near-duplicates and indexes texts and quotes for
    --search."""
    from sqlalchemy.orm import Session

    from claimtrack import tally

    _fill_0006(connection)
    tally.rebuild(Session(bind=connection), totals=False)


def _fill_0008(connection) -> None:
    """As 0007 upgraded to 0008, every claim sketched as ``claim add`` sketches it (the
    search index keeps itself); 0009 keeps the desk's verdict as its own (no publisher),
    with its rating."""
    from claimtrack.similar import sketch_rows

    _fill_0007(connection)
    claims = connection.execute(sa.text("SELECT id, topic, text_norm FROM claim")).all()
    connection.execute(schema.claim_sketch.insert(), [r for c in claims for r in sketch_rows(*c)])


def _fill_0009(connection) -> None:
    """As 0008 upgraded to 0009, with a verdict another publisher gave (Iran's, its label
    unplaced on the shared scale, published on a day); 0010 gives every party a
    description, empty until an editor writes one."""
    _fill_0008(connection)
    connection.execute(
        sa.text(
            "INSERT INTO verdict (claim_id, rating, label, created_at, created_by, "
            "publisher_id, publisher_url, published_at, published_offset, published_precision) "
            "VALUES (1, NULL, 'Fabricated', :t, 'old', 1, 'https://example.ir', :t, 210, 'day')"
        ),
        {"t": dt.datetime(2026, 4, 12, 20, 30)},
    )


def _fill_0010(connection) -> None:
    """As 0009 upgraded to 0010 (no party described yet); 0011 sums each party's counts
    over every topic (``party_total``), which ``report parties`` then reads."""
    _fill_0009(connection)


def _fill_0011(connection) -> None:
    """As 0010 upgraded to 0011, each party's counts summed over every topic as 0011's
    writes keep them (``party_total``, summed as 0011 sums them: the package's
    ``tally.rebuild`` also keeps the sides of 0014); 0012 re-derives every claim's state
    and history (contested since on the said axis)."""
    from sqlalchemy.orm import Session

    from claimtrack import tally

    _fill_0010(connection)
    tally.rebuild(Session(bind=connection), totals=False)
    counts = ", ".join(tally.COUNTS)
    summed = ", ".join(f"sum({n})" for n in tally.COUNTS)
    sql = (f"INSERT INTO party_total (party_id, {counts}) "  # noqa: S608
           f"SELECT party_id, {summed} FROM party_tally GROUP BY party_id")  # fmt: skip
    connection.execute(sa.text(sql))


def _fill_0012(connection) -> None:
    """As 0011 upgraded to 0012 (the same rows, state and history re-derived); 0013 adds
    an index on verdicts."""
    _fill_0011(connection)


def _fill_0013_changes(connection) -> None:
    """As 0012 upgraded to 0013; 0014 keeps each side's counts (``side_claim``,
    ``side_total``), filled from ``party_claim``."""
    _fill_0012(connection)


def _fill_0014_sides(connection) -> None:
    """As 0013 upgraded to 0014, each side's counts kept as 0014's writes keep them
    (``side_claim``, ``side_total``); 0015 makes the party and source tables again on
    SQLite, their ids never given twice (AUTOINCREMENT): the same rows."""
    from sqlalchemy.orm import Session

    from claimtrack import tally

    _fill_0013_changes(connection)
    tally.rebuild_sides(Session(bind=connection))


def _fill_0015_ids(connection) -> None:
    """As 0014 upgraded to 0015 (the same rows); 0016 re-derives the state and history
    on the said axis."""
    _fill_0014_sides(connection)


def _fill_0016_first(connection) -> None:
    """As 0015 upgraded to 0016 (the same rows); 0017 recomputes matching keys under the
    Arabic folds (these names hold none: the keys stay; tests/test_migrations.py has
    names that change and clash)."""
    _fill_0015_ids(connection)


def _fill_0017_arabic_forms(connection) -> None:
    """As 0016 upgraded to 0017 (the same rows); 0018 recomputes matching keys with
    typographic quotes folded and claims' final full stops aside (these texts hold
    neither: the keys stay; tests/test_migrations.py has texts that change and clash)."""
    _fill_0016_first(connection)


def _fill_0018_quotes_and_stops(connection) -> None:
    """As 0017 upgraded to 0018 (the same rows); 0019 makes PostgreSQL's trigram index of
    quotes again over Unicode's lower case (nothing is written on SQLite)."""
    _fill_0017_arabic_forms(connection)


def _fill_0019_quote_case(connection) -> None:
    """As 0018 upgraded to 0019 (the same rows); 0020 recomputes matching keys with the
    hyphens folded and quotes around a whole claim aside (these texts hold neither: the
    keys stay; tests/test_migrations.py has texts that change and clash)."""
    _fill_0018_quotes_and_stops(connection)


def _fill_0020_hyphens_and_wrapping_quotes(connection) -> None:
    """As 0019 upgraded to 0020 (the same rows); 0021 recomputes matching keys with ё
    folded to е (these texts hold none: the keys stay; tests/test_migrations.py has names
    and texts that change and clash)."""
    _fill_0019_quote_case(connection)


FILLERS = {"0001": _fill_0001, "0002": _fill_0002, "0003": _fill_0003, "0004": _fill_0004,
           "0005": _fill_0005, "0006": _fill_0006, "0007": _fill_0007,
           "0008": _fill_0008, "0009": _fill_0009, "0010": _fill_0010,
           "0011": _fill_0011, "0012": _fill_0012,
           "0013_changes": _fill_0013_changes, "0014_sides": _fill_0014_sides,
           "0015_ids": _fill_0015_ids, "0016_first": _fill_0016_first,
           "0017_arabic_forms": _fill_0017_arabic_forms,
           "0018_quotes_and_stops": _fill_0018_quotes_and_stops,
           "0019_quote_case": _fill_0019_quote_case,
           "0020_hyphens_and_wrapping_quotes": _fill_0020_hyphens_and_wrapping_quotes}  # fmt: skip


def test_every_revision_upgrades_to_head_with_its_rows(db_url):
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions[-1] == db.SCHEMA_HEAD
    assert set(FILLERS) == set(revisions[:-1]), "add a filler for the new revision"
    engine = db.create_engine(db_url)
    try:
        for revision in revisions[:-1]:
            with engine.begin() as connection:  # below 0009 a verdict needs a rating
                if sa.inspect(connection).has_table("verdict"):
                    connection.execute(sa.text("DELETE FROM verdict WHERE rating IS NULL"))
            db.downgrade(engine, "base")
            db.upgrade(engine, revision)
            with engine.begin() as connection:
                FILLERS[revision](connection)
                before = {t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()  # noqa: S608
                          for t in ("party", "party_alias", "claim", "stance", "claim_link",
                                    "event")}  # fmt: skip
            db.upgrade(engine)
            with engine.connect() as connection:
                after = {t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()  # noqa: S608
                         for t in before}  # fmt: skip
                assert after == before
                statuses = dict(
                    connection.execute(sa.text("SELECT claim_id, status FROM claim_state")).all()
                )
                assert statuses == {1: "contested", 2: "contested"}
                if "said_until" in {
                    c["name"] for c in sa.inspect(connection).get_columns("stance")
                }:
                    spans = connection.execute(
                        sa.text("SELECT said_at, said_until, said_rank FROM stance")
                    ).all()  # a day said at +05:00: the interval is the whole day
                    assert {(str(a)[:16], str(u)[:16], r) for a, u, r in spans} >= {
                        ("2026-04-11 10:00", "2026-04-12 10:00", 0)
                    }
                now = connection.execute(sa.text(
                    "SELECT claim_id, status FROM claim_history "
                    "WHERE known_until IS NULL AND said_until IS NULL")).all()  # fmt: skip
                assert dict(now) == statuses
                if sa.inspect(connection).has_table("party_tally"):
                    from sqlalchemy.orm import Session

                    from claimtrack.report import party_counts

                    session = Session(bind=connection)
                    kept = party_counts(session)
                    assert kept == party_counts(session, from_rule=True)
                    assert {r.name: r.contested for r in kept} == {"Iran": 2, "United States": 2}
                if sa.inspect(connection).has_table("side_total"):
                    from sqlalchemy.orm import Session

                    from claimtrack.report import side_counts

                    session = Session(bind=connection)
                    assert side_counts(session) == side_counts(session, recount=True)
                    assert {r.name: r.contested for r in side_counts(session)} == {
                        "Iran": 2, "United States": 2}  # fmt: skip
                verdicts = connection.execute(
                    sa.text("SELECT rating, label, publisher_id FROM verdict ORDER BY id")
                ).all()
                assert [tuple(v) for v in verdicts] in (
                    [], [("false", "False", None)],
                    [("false", "False", None), (None, "Fabricated", 1)],
                )  # fmt: skip
                described = "SELECT count(*) FROM party WHERE description IS NOT NULL"
                assert connection.execute(sa.text(described)).scalar() == 0
                if sa.inspect(connection).has_table("party_name"):
                    keys = connection.execute(sa.text("SELECT key, party_id FROM party_name"))
                    assert sorted(keys.all()) == [("iran", 1), ("united states", 2), ("伊朗", 1)]
                sketched = connection.execute(sa.text("SELECT DISTINCT claim_id FROM claim_sketch"))
                assert sorted(sketched.scalars()) == [1, 2]
    finally:
        engine.dispose()
    url = db_url.render_as_string(False)
    result = CliRunner().invoke(cli, ["--db", url, "claim", "show", "1"])
    assert "Status: contested" in result.output
    for words, found in (("ships exp", [2]), ("伊朗否认", [2]), ("transit", [1])):
        result = CliRunner().invoke(cli, ["--db", url, "claim", "list", "--search", words,
                                          "--format", "json"])  # fmt: skip
        assert [r["id"] for r in json.loads(result.output)] == found, words
    added = CliRunner().invoke(cli, ["--db", url, "claim", "add", "Ships transited!", "--by",
                                     "Iran", "--topic", "t"])  # fmt: skip
    assert "Note: similar claim #1: Ships transited" in added.output


# -- hostile input -------------------------------------------------------------------


MB_TEXT = "長" * 350_000 + "x"  # over 1 MB of UTF-8
HOSTILE = [
    # (arguments, exit code, text in the output, or None when stored verbatim)
    (("claim", "add", MB_TEXT, "--by", "Iran"), 0, None),
    (("claim", "add", "ایران says 21 hours، not ۲۴", "--by", "Iran"), 0, None),
    (("claim", "add", "'); DROP TABLE claim; --", "--by", "Iran"), 0, None),
    (("claim", "add", '=HYPERLINK("http://evil")', "--by", "Iran"), 0, None),
    (("claim", "add", "Robert'); SELECT * FROM party; --", "--by", "Iran"), 0, None),
    (("claim", "add", "", "--by", "Iran"), 2, "claim text is empty"),
    (("claim", "add", " \t ", "--by", "Iran"), 2, "claim text is empty"),
    (("claim", "add", "a\x00b", "--by", "Iran"), 2, "NUL"),
    (("claim", "add", "X", "--by", ""), 2, "--by is empty"),  # refused by name, as usage
    # An empty time (an unset shell variable) is refused, not taken for "now" (nu16).
    (("report", "contested", "--as-of", ""), 2, "--as-of is empty"),
    (("report", "claims", "--known-at", " "), 2, "--known-at is empty"),
    (("report", "changes", "--since", ""), 2, "--since is empty"),
    (("report", "changes", "--until", ""), 2, "--until is empty"),
    (("claim", "show", "1", "--as-of", ""), 2, "--as-of is empty"),
    (("log", "--since", ""), 2, "--since is empty"),
    (("claim", "add", "X", "--by", "Ir\u200ban"), 0, None),  # zero-width: the same party
    (("claim", "deny", "0", "--by", "Iran"), 1, "unknown claim"),
    (("claim", "deny", "-1", "--by", "Iran"), 2, "No such option"),
    (("claim", "deny", "99999999999999999999", "--by", "Iran"), 1, "unknown claim"),
    (("claim", "deny", "1", "--by", "Iran", "--at", "2026-02-30"), 2, "not a date"),
    (("claim", "deny", "1", "--by", "Iran", "--at", "yesterday"), 2, "not a time"),
    (("claim", "deny", "1", "--by", "Iran", "--at", "2026-04-12 25:00"), 2, "not a time"),
    (("claim", "deny", "1", "--by", "Iran", "--at", "12/04/2026"), 2, "not a time"),
    (("claim", "deny", "1", "--by", "Iran", "--tz", "+25:00"), 2, "under 24 hours"),
    # Python reads +03:99 as +04:39: a mistyped offset must not move the time unseen.
    (("claim", "deny", "1", "--by", "Iran", "--at", "2026-04-12T08:30+03:99"), 2, "00 to 59"),
    (("claim", "deny", "1", "--by", "Iran", "--at", "2026-04-12T08:30+0360"), 2, "00 to 59"),
    (("claim", "deny", "1", "--by", "Iran", "--tz", "+03:75"), 2, "00 to 59"),
    (("report", "contested", "--known-at", "2026-04-12T08:30-04:61"), 2, "00 to 59"),
    (("claim", "refutes", "1", "--by", "Iran"), 2, "No such command"),
    (("report",), 2, "report' needs a command: changes, claims, contested, parties"),
    (("claim", "link", "1", "1", "--same-as"), 2, "itself"),  # as claim merge X X
    (("claim", "merge", "1", "1"), 2, "nothing to merge"),  # bad usage, as party merge X X
    (("claim", "deny", "1", "--by", "Iran", "--url", "file:///etc/passwd"), 2, "invalid URL"),
    (("party", "add", "Ｉｒａｎ"), 1, "exists already"),  # full-width look-alike
    (("party", "add", "I\u200dran"), 1, "exists already"),  # zero-width look-alike
    (("party", "add", "\u202eiran"), 1, "exists already"),  # bidi override look-alike
    (("party", "add", "   "), 2, "party name is empty"),
    (("party", "add", "P" * 1_000_000), 2, "party name is 1,000,000 characters long"),
    (("claim", "add", "X", "--by", "Iran", "--topic", "t" * 5000), 2, "topic is 5,000"),
    (("party", "alias", "Iran", "\u200b"), 2, "has only invisible characters"),
    (("report", "contested", "--as-of", "2026-13-45"), 2, "not a date"),
    (("report", "contested", "--limit", "0"), 2, "Invalid value for '--limit'"),
    (("report", "contested", "--tablefmt", "<script>"), 2, "unknown table format"),
    (("export", "csv", "--per", "party"), 2, "Invalid value for '--per'"),
    (("log", "--since", "soon"), 2, "not a time"),
]
HOSTILE_FILES = [
    # (file bytes, text in the output)
    (b"claim,party,stance,source,date\nX,Iran,asserts,,2026-02-30\n", "not a date"),
    (b"claim,party,stance,source,date\nX,Iran,asserts,,2026-02-03T10:00+03:99\n", "00 to 59"),
    (
        "claim,party,stance,source,date\n伊朗,Iran,denies,,2026-05-01\n".encode("gbk"),
        "is not UTF-8",
    ),
    (b"claim,party,stance,source,date\n\xff\xfe\x00X,Iran,asserts,,2026-05-01\n", "is not UTF-8"),
    (b"claim,party,stance,source,date\nX\x00,Iran,asserts,,2026-05-01\n", "NUL"),
    (b"claim,party,stance\n", "missing column"),
    (b"claim,party,stance,source,date\n", "has a header but no rows"),
    (b"claim,party,stance,source,date\nX,Iran\n", "2 fields"),
    (b"claim,party,stance,source,date\nX,Iran,asserts,,2026-05-01,extra\n", "6 fields"),
    (b'claim,party,stance,source,date\n"X,Iran,asserts,,2026-05-01\n', "unbalanced quotes"),
    (b"claim,party,stance,source,date,colour\nX,Iran,asserts,,2026-05-01,red\n", "unknown column"),
    (b"claim,party,stance,source,date\nX,Iran,supports,,2026-05-01\n", "unknown stance"),
]


@pytest.fixture
def iran(run, engine):
    assert run("party", "add", "Iran", "--kind", "government").exit_code == 0
    assert (
        run("claim", "add", "Ships transited", "--by", "Iran", "--at", "2026-04-11").exit_code == 0
    )
    return run


@pytest.mark.parametrize("args, code, message", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_arguments(iran, engine, args, code, message):
    before = snapshot(engine)
    result = iran(*args)
    assert result.exit_code == code, result.output[-300:]
    assert "Traceback" not in result.output
    if message is not None:
        assert message in result.output
        assert snapshot(engine) == before
        return
    # Legitimate input is stored verbatim (cleaned of invisible characters only).
    with engine.connect() as connection:
        texts = list(connection.execute(sa.text("SELECT text FROM claim")).scalars())
        parties = connection.execute(sa.text("SELECT count(*) FROM party")).scalar()
    assert args[2] in texts
    assert parties == 1  # no look-alike party was created


@pytest.mark.parametrize("content, message", HOSTILE_FILES, ids=range(len(HOSTILE_FILES)))
def test_hostile_files(iran, engine, tmp_path, content, message):
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    before = snapshot(engine)
    result = iran("import", "csv", str(path))
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output
    assert snapshot(engine) == before


def test_there_are_at_least_forty_hostile_inputs():
    assert len(HOSTILE) + len(HOSTILE_FILES) >= 40


# -- names -------------------------------------------------------------------------------

INVISIBLE = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e"])


@given(st.text(), st.lists(st.tuples(st.integers(0, 50), INVISIBLE), max_size=5))
def test_normalise_ignores_invisible_characters(text, insertions):
    spoiled = text
    for position, char in insertions:
        spoiled = spoiled[:position] + char + spoiled[position:]
    assert normalise(spoiled) == normalise(text)


@given(st.text())
def test_normalise_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E)))
def test_normalise_folds_case_and_full_width(text):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in text)
    assert normalise(full_width) == normalise(text) == normalise(text.upper())


@pytest.mark.parametrize("value", ["abc", "-5", "1e3", "10 s", "99999999999"])
def test_a_bad_busy_timeout_is_refused_not_ignored(run, engine, monkeypatch, value):
    """CLAIMTRACK_BUSY_TIMEOUT_MS=abc or -5 was silently the default 10 s (trial D13)."""
    before = snapshot(engine)
    monkeypatch.setenv(db.ENV_BUSY_TIMEOUT, value)
    result = run("claim", "add", "The talks lasted 21 hours", "--by", "Iran", "--create-missing")
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: {db.ENV_BUSY_TIMEOUT}="), result.output
    assert len(result.output.splitlines()) == 1, result.output
    assert snapshot(engine) == before
    monkeypatch.setenv(db.ENV_BUSY_TIMEOUT, " 2500 ")
    assert db.busy_timeout_ms() == 2500
    assert run("claim", "add", "The talks lasted 21 hours", "--by", "Iran",
               "--create-missing").exit_code == 0  # fmt: skip


def test_ctrl_c_while_committing_says_it_may_or_may_not_be_written(engine, db_url, backend):
    """SIGINT while the database is still committing: one line that says the changes may
    or may not be written, exit 130, no traceback, and the database either as it was or
    with the whole change. PostgreSQL holds the COMMIT here: a deferred constraint
    trigger on the audit log waits at commit time for an advisory lock the test holds.
    SQLite's COMMIT (WAL) cannot be held from outside the process, so it is not tested."""
    if backend == "sqlite":
        pytest.skip("SQLite's COMMIT cannot be held open from another process")
    url = db_url.render_as_string(hide_password=False)
    assert CliRunner().invoke(cli, ["--db", url, "seed"]).exit_code == 0
    hold = sa.text("SELECT pg_advisory_lock(4242)")
    with engine.begin() as connection:
        connection.execute(sa.text(
            "CREATE FUNCTION held_commit() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_advisory_lock(4242); RETURN NULL; END $$"
        ))  # fmt: skip
        connection.execute(sa.text(
            "CREATE CONSTRAINT TRIGGER held_commit AFTER INSERT ON event "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION held_commit()"
        ))  # fmt: skip
    before = snapshot(engine)
    holder = engine.connect()
    holder.execute(hold)  # a session-level lock, held until released
    holder.commit()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "claimtrack", "--db", url, "claim", "add",
             "Talks resume in Doha next week", "--by", "Pakistan", "--at", "2026-04-13"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        waiting = sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND wait_event = 'advisory' AND datname = current_database()"
        )
        deadline = time.monotonic() + 60
        while not holder.execute(waiting).scalar():
            holder.rollback()  # pg_stat_activity is read once a transaction
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the command never reached its commit"
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        holder.execute(sa.text("SELECT pg_advisory_unlock_all()"))
        holder.close()
    assert process.returncode == 130, (out, err)
    assert err.decode().splitlines() == [
        "Interrupted while committing: the changes may or may not have been written; "
        "look before running the command again"
    ]
    assert out == b""
    engine.dispose()
    after = snapshot(engine)
    claims = [row for row in after["claim"] if "Doha" in str(row)]
    assert after == before or len(claims) == 1  # all of the change or none of it


CTRL_C_WHILE_LOADING = """
import sys

class CtrlC:  # the interrupt as it lands while Python imports click for the command
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            raise KeyboardInterrupt

sys.meta_path.insert(0, CtrlC())
sys.argv = ["claimtrack", "--db", sys.argv[1], "party", "add", "Nobody"]
from claimtrack.__main__ import main
main()
"""


def test_ctrl_c_while_the_command_loads_is_one_line(tmp_path):
    """nu18: Ctrl-C in the command's first tenth of a second (Python importing click,
    SQLAlchemy and the command) printed Python's KeyboardInterrupt traceback: the
    console script's entry point takes it, one line, exit 130, and nothing is created.
    (The interrupt is raised where the signal would land, at the import of click.)"""
    path = tmp_path / "never.db"
    done = subprocess.run([sys.executable, "-c", CTRL_C_WHILE_LOADING, str(path)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert (done.returncode, done.stderr, done.stdout) == (
        130,
        "Interrupted: nothing was written\n",
        "",
    )
    assert not path.exists()


# A statement that runs until it is stopped, in place of the report's first read of the
# claims: what a report over a large archive is, for as long as it takes.
_ENDLESS = """
import os, signal, sys, threading
import sqlalchemy as sa
from sqlalchemy import event

ENDLESS = {
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
              "SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(3600)",
}[sys.argv[1]]

def endless(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().startswith("SELECT") and "claim_state" in statement:
        threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
        return ENDLESS, ()
    return statement, parameters

event.listen(sa.engine.Engine, "before_cursor_execute", endless, retval=True)
from claimtrack.cli import cli
cli.main(sys.argv[2:], prog_name="claimtrack")
"""


def test_ctrl_c_stops_a_long_statement(engine, db_url):
    """nu20: Ctrl-C during one long SQLite statement (a report over a large archive) was
    acted on only when the statement ended: ten minutes later in the user's trial. SQLite
    runs Python's signal handlers between steps now, so the statement stops at once;
    psycopg cancels PostgreSQL's. One line, exit 130, rather than waiting it out."""
    url = db_url.render_as_string(hide_password=False)
    process = subprocess.run(
        [sys.executable, "-c", _ENDLESS, engine.dialect.name, "--db", url, "report",
         "contested"],
        capture_output=True, timeout=120,  # the statement never ends of itself
    )  # fmt: skip
    assert (process.returncode, process.stderr.decode().splitlines()) == (
        130, ["Interrupted: nothing was written"]), process.stderr.decode()[-3000:]  # fmt: skip
    assert process.stdout == b""
