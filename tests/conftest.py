"""Backends for the tests: every database test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``CLAIMTRACK_TEST_PG_URL`` (a server the tests may create
databases on) or, failing that, a throwaway server these fixtures start themselves when
PostgreSQL's binaries are installed. Without either, PostgreSQL tests skip with the
reason, unless ``CLAIMTRACK_TEST_REQUIRE_PG=1`` (as in CI), which makes them fail.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pgserver
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from claimtrack.cli import cli
from claimtrack.db import open_database, write_session

BACKENDS = ("sqlite", "postgresql")
_counter = itertools.count()


@pytest.fixture(autouse=True)
def env_setup(tmp_path, monkeypatch):
    """No test touches a real user's database, app folder or editor name."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CLAIMTRACK_DB", str(tmp_path / "default.db"))
    monkeypatch.setenv("CLAIMTRACK_EDITOR", "test-editor")
    # Tables fit the terminal: give every test the same one, whatever runs it (xdist too).
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def pg_admin_url():
    """A URL to a PostgreSQL server's maintenance database, or a skip."""
    given = os.environ.get("CLAIMTRACK_TEST_PG_URL")
    if given:
        yield make_url(given)
        return
    reason = None
    base = None
    if pgserver.find_bin_dir() is None:
        reason = "PostgreSQL is not installed and CLAIMTRACK_TEST_PG_URL is not set"
    else:
        base = Path(tempfile.mkdtemp(prefix="claimtrack-pg-"))
        try:
            url = pgserver.start(base)
        except RuntimeError as exc:
            reason = str(exc)
    if reason:
        if os.environ.get("CLAIMTRACK_TEST_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL required but unavailable: {reason}")
        pytest.skip(reason)
    try:
        yield make_url(url)
    finally:
        pgserver.stop(base)
        shutil.rmtree(base, ignore_errors=True)


def admin_execute(admin_url, statement: str) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, tmp_path, request):
    """A URL to a new, empty database of the backend under test."""
    if backend == "sqlite":
        yield make_url(f"sqlite+pysqlite:///{tmp_path / 'test.db'}")
        return
    with new_pg_database(request) as url:
        yield url


@contextlib.contextmanager
def new_pg_database(request):
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    admin = request.getfixturevalue("pg_admin_url")
    name = f"claimtrack_test_{os.getpid()}_{next(_counter)}"
    admin_execute(admin, f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name)
    finally:
        admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(db_url):
    """An engine on a database migrated to head."""
    engine = open_database(db_url, create=True, create_schema=True)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with write_session(engine) as session:
        yield session


@pytest.fixture
def run(db_url):
    """Run the CLI against the test database; returns click's Result."""

    def invoke(*args: str, input: str | None = None, db: bool = True):
        argv = ["--db", db_url.render_as_string(hide_password=False), *args] if db else list(args)
        return CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)

    return invoke


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: for "nothing was written"."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    result = {}
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            rows = connection.execute(sa.select(table).order_by(*table.columns)).all()
            result[name] = [tuple(r) for r in rows]
    return result


def stored_as_before(engine, old: str, new: str, *, alias: bool = False) -> None:
    """Give a party (or an alias) the name ``new`` in the database, as claimtrack stored
    one before it refused names with line breaks and controls (user trial D12): such
    names stay readable, and must show as tables show them."""
    import sqlalchemy as sa

    from claimtrack.names import normalise

    keys = {"old": old, "new": new, "ok": normalise(old), "nk": normalise(new)}
    with engine.begin() as c:
        if alias:
            c.execute(sa.text("UPDATE party_alias SET alias = :new, alias_norm = :nk "
                              "WHERE alias = :old"), keys)  # fmt: skip
        else:
            c.execute(sa.text("UPDATE party SET name = :new, name_norm = :nk WHERE name = :old"),
                      keys)  # fmt: skip
        c.execute(sa.text("UPDATE party_name SET key = :nk WHERE key = :ok"), keys)
