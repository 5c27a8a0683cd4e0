"""Where the database lives, how to connect to it, and keeping its schema at head.

``--db`` / ``CLAIMTRACK_DB`` take a file path (SQLite) or any SQLAlchemy URL
(``postgresql+psycopg://user@host/dbname``). A new SQLite file is created at the head
revision on first use; any other database behind head is refused with the command that
upgrades it, because silently migrating a shared PostgreSQL is not ours to decide.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.orm import Session

from claimtrack.errors import ClaimtrackError, UsageError

ENV_DB = "CLAIMTRACK_DB"
# The newest revision in migrations/versions; tests/test_migrations.py keeps it honest.
# Knowing it here spares every command the import of Alembic.
SCHEMA_HEAD = "0021_cyrillic_yo"
SQLITE_BUSY_TIMEOUT_MS = 10_000
ENV_BUSY_TIMEOUT = "CLAIMTRACK_BUSY_TIMEOUT_MS"  # how long a writer waits for another


BUSY_TIMEOUT_MAX_MS = 2**31 - 1  # what SQLite's busy_timeout holds (24 days)


def busy_timeout_ms() -> int:
    """``CLAIMTRACK_BUSY_TIMEOUT_MS``, else 10 s; a value that is not a whole number of
    milliseconds is refused, not ignored (the editor asked for a wait they would not get)."""
    value = os.environ.get(ENV_BUSY_TIMEOUT, "").strip()
    if not value:
        return SQLITE_BUSY_TIMEOUT_MS
    if not value.isascii() or not value.isdigit() or int(value) > BUSY_TIMEOUT_MAX_MS:
        raise UsageError(
            f"{ENV_BUSY_TIMEOUT}={value!r}: give a whole number of milliseconds from 0 to "
            f"{BUSY_TIMEOUT_MAX_MS} (10000 is 10 s), or unset it for 10 s"
        )
    return int(value)


def default_db_path() -> Path:
    import click

    return Path(click.get_app_dir("claimtrack")) / "claimtrack.db"


def resolve_url(value: str | None) -> URL:
    """A SQLAlchemy URL from ``--db``, ``CLAIMTRACK_DB`` or the default file. An empty
    ``CLAIMTRACK_DB`` (a shell variable set to nothing) is refused, as ``--db ""`` is:
    passed over, it wrote to the default file unsaid (nu19)."""
    if not value:
        given = os.environ.get(ENV_DB)
        if given is not None and not given.strip():
            raise UsageError(
                f"{ENV_DB} is empty: give a SQLite file or a database URL, or unset it"
            )
    value = value or os.environ.get(ENV_DB) or str(default_db_path())
    if "://" in value:
        try:
            url = make_url(value)
        except (sa.exc.ArgumentError, ValueError):  # ValueError: a bad port or IPv6 host
            raise UsageError(
                f"cannot read database URL {redact(value)}: "
                "give a file path or a URL like postgresql+psycopg://user@host/dbname"
            ) from None
        wrong = malformed_netloc(url)
        if wrong:
            raise UsageError(f"cannot read database URL {redact(url)}: {wrong}")
        return url
    return URL.create("sqlite+pysqlite", database=str(Path(value).expanduser().absolute()))


def malformed_netloc(url: URL) -> str | None:
    """What makes the URL's host or port one that no server can have, told without a
    connection (a usage error, exit 2), or None. A well-formed host that cannot be
    resolved or reached is for the connection to say (exit 1). Several hosts, as libpq
    takes them (``h1,h2``), are checked one by one; SQLAlchemy has already taken the
    brackets off an IPv6 address."""
    import ipaddress

    if url.port is not None and not 0 < url.port < 65536:
        return f"the port {url.port} is not between 1 and 65535"
    for host in (url.host or "").split(","):
        if "[" in host or "]" in host:
            return (f"the host {host!r} has an unmatched bracket "
                    "(an IPv6 address goes whole in [...]: [::1])")  # fmt: skip
        if not host.isprintable() or any(c.isspace() for c in host):
            return f"the host {host!r} holds a space or a control character"
        if ":" in host:  # only an IPv6 address has colons, once the port is off
            try:
                ipaddress.IPv6Address(host.split("%", 1)[0])
            except ValueError:
                return f"the host {host!r} is not an IPv6 address"
        elif not all(c.isalnum() or c in ".-_" for c in host):
            return f"the host {host!r} is not a host name (letters, digits, '.', '-', '_')"
    return None


def redact(url: URL | str) -> str:
    """The URL as it may be shown to anybody: never with its password."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except (sa.exc.ArgumentError, ValueError):
            return "<unreadable URL>"
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    # libpq also takes a password (or sslpassword) as a query parameter.
    hidden = {key: "REDACTED" for key in url.query if "password" in key.lower()}
    query = url.update_query_dict(hidden).query
    # The query as typed, in its order (``host=/tmp/pg``), not as SQLAlchemy renders it
    # (``host=%2Ftmp%2Fpg``, sorted): escaped only where it would read otherwise.
    pairs = [
        f"{_query_text(key)}={_query_text(value)}"
        for key, values in query.items()
        for value in (values if isinstance(values, tuple) else (values,))
    ]
    shown = url.set(query={}).render_as_string(hide_password=True)
    return f"{shown}?{'&'.join(pairs)}" if pairs else shown


# What a query's key or value cannot hold as itself: it would end or split it, or read as
# an escape or a space.
_QUERY_ESCAPES = str.maketrans({c: f"%{ord(c):02X}" for c in "%&=#+? \t\n\r"})


def _query_text(text: str) -> str:
    return text.translate(_QUERY_ESCAPES)


def _without_secrets(text: str, url: URL) -> str:
    """A driver's message with any password of the URL blanked out, should it echo one."""
    secrets = [url.password, *(v for k, v in url.query.items() if "password" in k.lower())]
    for secret in secrets:
        if isinstance(secret, str) and secret:
            text = text.replace(secret, "***")
    return text


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def create_engine(url: URL) -> Engine:
    """An engine with claimtrack's connection settings for the backend."""
    busy = busy_timeout_ms()  # a bad value is refused whatever the backend
    if is_sqlite(url):
        connect_args = {"timeout": busy / 1000}
        url = _sqlite_uri(url)
        engine = sa.create_engine(_readable_sqlite_url(url), connect_args=connect_args)
        _configure_sqlite(engine)
        return engine
    if url.get_backend_name() in ("postgres", "postgis", "pgsql"):  # Heroku's, and others'
        raise UsageError(
            f"cannot open database {redact(url)}: a PostgreSQL URL begins postgresql+psycopg:// "
            f"(not {url.get_backend_name()}://)"
        )
    try:
        # (The driver's name, when the URL gives none, is the dialect's: loading it may
        # find no such dialect.)
        if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
            url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is what we install
        # No table of ours has an HSTORE column: without this, psycopg's dialect looks up
        # the hstore type on the server at every first connect (a query, and psycopg's type
        # registry loaded for it), which every PostgreSQL command paid for.
        options = {"use_native_hstore": False} if url.get_driver_name() == "psycopg" else {}
        engine = sa.create_engine(url, **options)
    except sa.exc.NoSuchModuleError:
        raise UsageError(
            f"cannot open database {redact(url)}: unknown kind of database "
            f"{url.drivername!r}; give a SQLite file path or a postgresql+psycopg:// URL"
        ) from None
    except ImportError as exc:
        raise ClaimtrackError(
            f"cannot open database {redact(url)}: its driver ({exc.name}) is not installed; "
            "claimtrack works with SQLite and PostgreSQL (pip install 'claimtrack[postgres]')"
        ) from None
    if engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    return engine


# SQLite's own URI parameters (https://sqlite.org/uri.html): read only with uri=true.
_SQLITE_URI_OPTIONS = {"mode", "cache", "immutable", "vfs", "nolock", "psow", "modeof"}


def _sqlite_uri(url: URL) -> URL:
    """A SQLite URL with SQLite URI parameters (``?mode=ro``) made the URI SQLite reads:
    ``uri=true`` added when missing (SQLAlchemy would drop ``mode`` with a warning), and
    the path as a ``file:`` URI (given a plain path with ``uri=true``, SQLite opens, and
    creates, a file literally named ``x.db?mode=ro``)."""
    options = set(url.query) & _SQLITE_URI_OPTIONS
    if not options and not url.query.get("uri"):
        return url
    if not url.query.get("uri"):
        url = url.update_query_dict({"uri": "true"})
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        url = url.set(database=f"file:{url.database}")
    return url


def _readable_sqlite_url(url: URL) -> URL:
    """The URL, or for a file in a folder we cannot write, the same file opened immutable.

    A WAL database is read through its ``-shm`` file, which SQLite must be able to create
    next to it; in a read-only folder it cannot, and even reading fails. With no ``-shm``
    there, no writer has the file open, and none can start without write access to the
    folder, so reading it as immutable (no locks, no ``-shm``) is safe.
    """
    path = url.database
    if not path or path == ":memory:" or url.query.get("uri") or not Path(path).is_file():
        return url
    if os.access(Path(path).parent, os.W_OK) or Path(f"{path}-shm").exists():
        return url
    query = {"mode": "ro", "immutable": "1", "uri": "true"}
    return url.set(database=Path(path).absolute().as_uri(), query=query)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and commits before DDL; take it
    # over (SQLAlchemy's documented recipe) so migrations and imports are atomic.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms():d}")
        cursor.close()
        # SQLite's lower() knows only A to Z: a quote is searched by Unicode's lower case
        # (claimtrack.search; PostgreSQL's claimtrack_lower, revision 0019).
        dbapi_connection.create_function("claimtrack_lower", 1, _lower, deterministic=True)
        # Python runs a signal's handler only between its own steps, never within one
        # statement: without this, Ctrl-C during a long statement waited for its end
        # (ten minutes, in a user's trial). The handler is Python, so Ctrl-C is acted on
        # here, and raising in it stops the statement (``cli.interrupt``).
        dbapi_connection.set_progress_handler(_between_steps, PROGRESS_STEPS)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection):
        # Writers take the write lock up front, so a busy database waits out the busy
        # timeout instead of failing half-way through a read-then-write transaction.
        if connection.get_execution_options().get("claimtrack_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


# SQLite's virtual machine steps between calls of the progress handler: some hundreds of
# calls a second, each far under a microsecond's work.
PROGRESS_STEPS = 100_000


def _between_steps() -> int:
    return 0  # go on: a pending Ctrl-C raises here, before this line runs


def _lower(text):
    return text.lower() if isinstance(text, str) else text


# Any constant: the one lock every claimtrack writer of a PostgreSQL database takes.
WRITE_LOCK = 0x636C_6169  # "clai"


def _configure_postgresql(engine: Engine) -> None:
    # As SQLite's BEGIN IMMEDIATE: one writer at a time, so the derived tables each write
    # keeps (claim_state, claim_history, party_tally) are re-counted from what the writer
    # before it committed, never from the same rows at once. Readers never wait.
    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection):
        if connection.get_execution_options().get("claimtrack_write"):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK:d})")


def write_session(engine: Engine) -> Session:
    """A session for a transaction that writes; it keeps ``claim_state`` in step."""
    from claimtrack.state import WriteSession

    return WriteSession(engine.execution_options(claimtrack_write=True), expire_on_commit=False)


@contextlib.contextmanager
def ids_kept(session: Session, *, dry_run: bool) -> Iterator[None]:
    """Leave PostgreSQL's id sequences as they were before a write that does not commit:
    a dry run, or one refused part way. A rollback does not take back the ids it drew,
    so the next real claim or stance would be numbered past them (SQLite numbers from
    what its tables hold). Put back before the transaction ends, so without a race:
    every claimtrack writer takes ``WRITE_LOCK`` first, and this one holds it, so no
    other draws an id meanwhile. A transaction a failed statement broke cannot put them
    back (nor can a lost connection), and an interrupt (Ctrl-C) does not try: those ids
    stay drawn."""
    connection = session.connection()  # begins the transaction: the write lock is ours
    if connection.dialect.name != "postgresql":
        yield
        return
    before = _sequences(connection)
    try:
        yield
    except Exception:  # refused part way: put back if the transaction still can
        # (an interrupt, Ctrl-C, leaves them drawn: it ends the command at once)
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            _put_back(connection, before)
        raise
    if dry_run:
        _put_back(connection, before)


def _sequences(connection: Connection) -> list[tuple[str, int, bool]]:
    """Each id sequence of claimtrack's tables (that this role may read and set), with
    its last value and whether that value was drawn."""
    from claimtrack.schema import metadata

    tables = [t.name for t in metadata.sorted_tables if "id" in t.c]
    names = connection.scalars(
        sa.text(
            "SELECT seq FROM (SELECT pg_get_serial_sequence(t, 'id') AS seq "
            "FROM unnest(CAST(:tables AS text[])) AS t) AS s "
            "WHERE seq IS NOT NULL AND has_sequence_privilege(seq, 'SELECT,UPDATE')"
        ),
        {"tables": tables},
    ).all()
    found = []
    for name in names:  # the catalog's name, quoted by pg_get_serial_sequence as needed
        state = f"SELECT last_value, is_called FROM {name}"  # noqa: S608
        value, called = connection.execute(sa.text(state)).one()
        found.append((name, value, called))
    return found


def _put_back(connection: Connection, sequences: list[tuple[str, int, bool]]) -> None:
    from psycopg.pq import TransactionStatus

    raw = connection.connection.driver_connection
    if raw is None or raw.closed or raw.info.transaction_status != TransactionStatus.INTRANS:
        return  # broken by a failed statement, or gone
    for name, value, called in sequences:
        connection.execute(sa.text("SELECT setval(CAST(:seq AS regclass), :value, :called)"),
                           {"seq": name, "value": value, "called": called})  # fmt: skip


def read_session(engine: Engine) -> Session:
    return Session(engine)


def snapshot(session: Session) -> None:
    """Let every statement of the session's transaction read the same committed state,
    as commands that read twice need (a check, then the export it allows). SQLite's read
    transaction does already; PostgreSQL's default, READ COMMITTED, sees each commit.
    Call before the session's first statement."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


# -- schema lifecycle --------------------------------------------------------------


def alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    from claimtrack.bundled import folder

    config = Config()
    # migrations/ is installed as the claimtrack.migrations package (see pyproject.toml);
    # run from a checkout with a non-editable install, it is the checkout's migrations/.
    config.set_main_option("script_location", str(folder("migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def known_revision(revision: str) -> str:
    """The revision asked for, refused in one line when the migrations do not have it."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    known = [r.revision for r in script.walk_revisions()]
    if revision not in ("head", "base", *known):
        raise UsageError(
            f"unknown revision {revision!r}: give head, base or one of {', '.join(sorted(known))}"
        )
    return revision


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    revision = known_revision(revision)
    with engine.connect() as connection:
        at = current_revision(connection)
    if at is not None and at == (SCHEMA_HEAD if revision == "head" else revision):
        return  # nothing to do: no schema transaction, no foreign-key check of every row
    with _migrating(engine) as connection:
        command.upgrade(alembic_config(connection), revision)
    use_wal(engine)


@contextlib.contextmanager
def _migrating(engine: Engine):
    """A transaction for schema changes. On SQLite, a revision that rebuilds a table other
    tables refer to (batch mode) needs foreign keys off while it runs: SQLite's own
    procedure for altering tables is followed (keys off outside the transaction, a
    ``foreign_key_check`` before commit, keys on again).

    The check covers every table (a minute at a million claims), unless every revision
    run names the only tables it could have left a dangling key in (its module's
    ``SQLITE_KEYS_TO_CHECK``, gathered by migrations/env.py): a revision that makes
    tables again with their rows and ids unchanged, as 0015 does, names those."""
    with engine.execution_options(claimtrack_write=True).connect() as connection:
        raw = connection.connection.dbapi_connection if is_sqlite(engine.url) else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                connection.info.pop("claimtrack_keys_to_check", None)
                yield connection
                if raw is not None:
                    broken = _dangling_key(connection)
                    if broken is not None:
                        raise ClaimtrackError(
                            f"the upgrade would leave a dangling reference in {broken[0]}: "
                            "nothing was changed"
                        )
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")


def _dangling_key(connection: Connection):
    """The first row ``PRAGMA foreign_key_check`` finds, over the tables the revisions run
    name (see ``_migrating``), or over every table."""
    named = connection.info.pop("claimtrack_keys_to_check", None)
    if not named or any(tables is None for tables in named):
        return connection.exec_driver_sql("PRAGMA foreign_key_check").first()
    quote = connection.dialect.identifier_preparer.quote
    for table in sorted({table for tables in named for table in tables}):
        broken = connection.exec_driver_sql(f"PRAGMA foreign_key_check({quote(table)})").first()
        if broken is not None:
            return broken
    return None


def use_wal(engine: Engine) -> None:
    """Put a claimtrack SQLite file in WAL mode, so readers do not block writers.

    WAL is a lasting property of the file, so this is done once the file is known to be
    claimtrack's (at head, or just created): a foreign SQLite file is refused unchanged.
    """
    if not is_sqlite(engine.url):
        return
    connection = engine.raw_connection()  # autocommit: WAL cannot be set in a transaction
    try:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            with contextlib.suppress(Exception):  # a read-only file keeps its journal mode
                connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    revision = known_revision(revision)
    with _migrating(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(connection: Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _revision_at_open(connection: Connection) -> str | None:
    """``current_revision`` as every command opens its database: one statement reading
    ``alembic_version`` (looking for the table first costs a round trip, and on
    PostgreSQL a catalog query). Only when the read fails (no such table) is the table
    looked for, the failed read rolled back first: the connection is the caller's own,
    fresh from ``engine.connect()``, in no transaction of anyone else's."""
    try:
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        connection.rollback()
    return current_revision(connection)


def claims_held(connection: Connection) -> int | None:
    """How many claims the database holds; None when it has no claim table."""
    if not sa.inspect(connection).has_table("claim"):
        return None
    return connection.execute(sa.text("SELECT count(*) FROM claim")).scalar()


def is_empty(connection: Connection) -> bool:
    """No tables, or only Alembic's, empty: a database ``db downgrade base`` left (Alembic
    keeps its version table) is as empty as a new one."""
    return not set(sa.inspect(connection).get_table_names()) - {"alembic_version"}


def open_database(url: URL, *, create: bool = False, create_schema: bool = False) -> Engine:
    """Connect and check the schema is at head; create a new database where allowed.

    With ``create`` (commands that write), a missing SQLite file is created at head;
    without it (commands that only read) a missing file is an error rather than a new
    empty database. An empty database of another backend is set up only by
    ``claimtrack db upgrade`` and ``claimtrack demo``: a shared server is not ours to
    change unasked.
    """
    if sqlite_file_missing(url):
        folder = Path(url.database).parent
        if not create and not folder.is_dir() and folder != default_db_path().parent:
            # nu17: "record something" where recording would fail in turn
            raise ClaimtrackError(f"no database at {url.database}: folder {folder} does not exist")
        if not create:
            raise ClaimtrackError(
                f"no database at {url.database} yet: record something, run "
                "'claimtrack seed', or create it with 'claimtrack db upgrade'"
            )
        prepare_sqlite_file(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            revision = _revision_at_open(connection)
            empty = revision is None and is_empty(connection)
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        reason = _without_secrets(describe_db_error(exc), url)
        if reason == "disk I/O error" and is_sqlite(url) and _no_room_beside(url.database):
            # nu19: a full disk, which even a read needs room on (its -wal and -shm files)
            reason = ("the disk it is on is full, and SQLite needs room beside the file even "
                      "to read it: free some space")  # fmt: skip
        raise ClaimtrackError(f"cannot open database {redact(url)}: {reason}") from None
    if revision == SCHEMA_HEAD:
        use_wal(engine)
        return engine
    if empty and (create_schema or (create and is_sqlite(url))):
        upgrade(engine)
        return engine
    engine.dispose()
    if empty:
        raise ClaimtrackError(
            f"database {redact(url)} has no claimtrack schema yet: "
            "run 'claimtrack db upgrade' to create it"
        )
    if revision is None:
        raise ClaimtrackError(f"database {redact(url)} is not a claimtrack database")
    raise ClaimtrackError(
        f"database {redact(url)} is at schema revision {revision}, this claimtrack needs "
        f"{SCHEMA_HEAD}: run 'claimtrack db upgrade' (or upgrade claimtrack if the "
        "database is newer)"
    )


def sqlite_file_missing(url: URL) -> bool:
    """True for a SQLite URL whose file does not exist yet.

    A symbolic link to a missing file is an error, not a missing database: creating the
    database through it would put it wherever the link points.
    """
    missing = (
        is_sqlite(url)
        and bool(url.database)
        and url.database != ":memory:"
        and not url.query.get("uri")  # file: URIs (read-only opens) name existing files
        and not set(url.query) & _SQLITE_URI_OPTIONS  # as do SQLite's URI options
        and not Path(url.database).exists()
    )
    if missing and Path(url.database).is_symlink():
        raise ClaimtrackError(
            f"database {url.database} is a symbolic link to {os.readlink(url.database)}, "
            "which does not exist: restore the file or remove the link"
        )
    return missing


def prepare_sqlite_file(url: URL) -> None:
    """Create an empty SQLite file readable by its owner only (its folder too, if ours)."""
    path = Path(url.database)
    if not path.parent.is_dir():
        if path.parent != default_db_path().parent:
            raise ClaimtrackError(
                f"cannot create database {path}: folder {path.parent} does not exist"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o700)
    # A claims database is a newsroom's record: readable by its owner only.
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _no_room_beside(path: str) -> bool:
    """Whether the disk holding ``path`` has no room for SQLite's side files (a page or
    two of its -shm file)."""
    import shutil

    try:
        return shutil.disk_usage(Path(path).parent).free < 64 * 1024
    except OSError:
        return False


def describe_db_error(exc: sa.exc.DBAPIError) -> str:
    """One line from a driver error, without the SQL, the parameters or a password."""
    original = exc.orig if exc.orig is not None else exc
    text = str(original).strip().splitlines()
    line = text[0] if text else type(original).__name__
    if line == "database is locked":
        return (
            f"the database is locked by another writer (waited {busy_timeout_ms() / 1000:g} s): "
            "try again when it is done"
        )
    if line == "database or disk is full":
        return "the disk (or the database's size limit) is full: nothing was written"
    return line
