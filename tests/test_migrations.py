"""Models and migrations agree, and the chain goes up, down and up again on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from claimtrack import db


def test_schema_head_constant_matches_the_migrations():
    script = ScriptDirectory.from_config(db.alembic_config())
    assert script.get_current_head() == db.SCHEMA_HEAD


def test_migrations_found_from_a_checkout_without_the_subpackage(monkeypatch):
    """A checkout's claimtrack run with a non-editable install (bench/generate.py puts the
    checkout first on sys.path) has no claimtrack.migrations: the checkout's own folder."""
    from pathlib import Path

    from claimtrack import bundled

    root = Path(bundled.__file__).resolve().parent.parent
    if not (root / "pyproject.toml").is_file():
        import pytest

        pytest.skip("claimtrack is not running from a checkout")
    monkeypatch.setattr(bundled.importlib.util, "find_spec", lambda name: None)
    assert bundled.folder("migrations") == root / "migrations"
    assert bundled.folder("seeds") == root / "seeds"
    script = ScriptDirectory.from_config(db.alembic_config())
    assert script.get_current_head() == db.SCHEMA_HEAD


def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as connection:
        command.check(db.alembic_config(connection))  # raises on any difference


def test_upgrade_downgrade_upgrade(db_url):
    engine = db.create_engine(db_url)
    try:
        db.upgrade(engine)
        with engine.connect() as connection:
            assert db.current_revision(connection) == db.SCHEMA_HEAD
            assert "contested_claims" in sa.inspect(connection).get_view_names()
        db.downgrade(engine, "base")
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            assert set(inspector.get_table_names()) <= {"alembic_version"}
            assert inspector.get_view_names() == []
        db.upgrade(engine)
        with engine.connect() as connection:
            assert db.current_revision(connection) == db.SCHEMA_HEAD
    finally:
        engine.dispose()


def test_sqlite_settings(tmp_path):
    url = db.resolve_url(str(tmp_path / "x.db"))
    engine = db.open_database(url, create=True)
    try:
        with engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("foreign_keys") == 1
            assert pragma("journal_mode") == "wal"
            assert pragma("busy_timeout") == db.SQLITE_BUSY_TIMEOUT_MS
            # claimtrack.schema leaves this option to revision 0008 (see claim_sketch there)
            created = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'claim_sketch'"
            ).scalar()
            assert created.rstrip().endswith("WITHOUT ROWID")
    finally:
        engine.dispose()
    assert (tmp_path / "x.db").stat().st_mode & 0o777 == 0o600


def test_constraints_hold_in_the_database(engine):
    import pytest
    from sqlalchemy.exc import IntegrityError

    with engine.connect() as connection:
        with pytest.raises(IntegrityError):
            connection.exec_driver_sql(
                "INSERT INTO party (name, name_norm, kind, anonymous, created_at) "
                "VALUES ('x', 'x', 'martian', false, '2026-01-01')"
            )


def test_the_schema_does_not_import_a_dialect():
    """Defining the tables imports no dialect: a PostgreSQL command would otherwise import
    SQLite's too (a dialect option named in a Table makes SQLAlchemy load that dialect)."""
    import subprocess
    import sys

    code = (
        "import sys, claimtrack.models; "
        "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy.dialects.')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = run.stdout.strip()
    assert loaded == "[]"
