"""Many rows into one table at once: COPY on PostgreSQL, executemany elsewhere.

On PostgreSQL, an executemany of INSERTs (even pipelined by psycopg) writes some
15,000 rows a second; ``COPY ... FROM STDIN`` several times that. COPY bypasses
SQLAlchemy's parameter handling, so what it would have done is done here: the column
types' bind processors (``UTCDateTime``: an aware instant to naive UTC, a naive one
refused) and the columns' Python-side scalar defaults (``Stance.said_rank``). It runs on
the connection's own transaction; it does not go through a session, so the session's
bulk listeners (``claimtrack.state``) do not see it: a caller that writes stances,
claims or links this way re-rates them itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import Table, delete, insert, literal_column, select
from sqlalchemy.engine import Connection


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys, named by column) into ``table``."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    given = list(rows[0])
    defaults = {}
    for column in table.columns:
        if column.name in given or column.default is None:
            continue
        if not column.default.is_scalar:
            raise ValueError(f"{table.name}.{column.name}: give it; COPY has no Python default")
        defaults[column.name] = column.default.arg
    names = [*given, *defaults]
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    # Only the columns that need converting are converted, row by row.
    converting = [(i, p) for i, p in enumerate(processors) if p is not None]
    fixed = list(defaults.values())

    def converted() -> Iterator[list]:
        for row in rows:
            values = [row[name] for name in given]
            values += fixed
            for index, process in converting:
                if values[index] is not None:
                    values[index] = process(values[index])
            yield values

    _copy(connection, table, names, converted())


def _copy(connection: Connection, table: Table, names: Sequence[str], rows: Iterable) -> None:
    """PostgreSQL: ``COPY`` rows of values as the database stores them into ``table``."""
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def insert_stored(
    connection: Connection, table: Table, names: Sequence[str], rows: Iterable[tuple]
) -> None:
    """Insert ``rows`` (tuples of the columns ``names``) whose values are already as the
    database stores them, as its driver hands them back (SQLite: timestamps as text;
    PostgreSQL: naive UTC datetimes): no type processing, no Python object per value.
    For copying what a query read back, unprocessed, into another table."""
    if connection.dialect.name == "postgresql":
        _copy(connection, table, names, rows)
        return
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in names)
    rows = list(rows)
    if rows:
        marks = ", ".join("?" * len(names))
        statement = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"  # noqa: S608
        connection.exec_driver_sql(statement, rows)


# At most this many rows in one DELETE of ``delete_all`` on SQLite.
DELETE_BATCH = 100_000


def delete_all(connection: Connection, table: Table) -> None:
    """Every row of ``table`` deleted, in the connection's transaction.

    On SQLite with foreign keys on (claimtrack turns them on), a DELETE from a table that
    has a foreign key is not a truncation: SQLite first gathers the rowid of every row it
    will delete, about 24 bytes a row, all held until the statement ends (67 MB for the
    2.8M history rows of a 1M-claim database). Deleting the first ``DELETE_BATCH`` rows
    at a time holds one batch's."""
    if connection.dialect.name != "sqlite":
        connection.execute(delete(table))
        return
    rowid = literal_column("rowid")
    last_of_batch = (
        select(rowid).select_from(table).order_by(rowid).offset(DELETE_BATCH - 1).limit(1)
    ).scalar_subquery()
    # Fewer rows than a batch left: the look-up finds none, and the DELETE nothing.
    while connection.execute(delete(table).where(rowid <= last_of_batch)).rowcount:
        pass
    connection.execute(delete(table))


def empty(connection: Connection, table: Table) -> bool:
    """Whether the table holds no row (as this transaction sees it)."""
    first = connection.exec_driver_sql(f"SELECT 1 FROM {table.name} LIMIT 1").first()  # noqa: S608
    return first is None


def may_set_aside(connection: Connection, table: Table) -> bool:
    """Whether a transaction about to refill this table may set its indexes aside
    (``indexes_set_aside``) without making anybody wait: on SQLite, always (readers see
    the last commit, whatever this transaction does to the schema); on PostgreSQL only
    when the table is empty, as dropping an index locks the table against readers until
    the commit, where an ordinary write would let them read the old rows meanwhile."""
    return connection.dialect.name == "sqlite" or empty(connection, table)


@contextlib.contextmanager
def indexes_set_aside(connection: Connection, table: Table, when: bool = True) -> Iterator[None]:
    """The table's secondary indexes dropped while a bulk write fills it, then built again
    from the definitions the database itself gave for them: one sort per index instead of
    a B-tree insert per row and index (on SQLite, with its small page cache, most of the
    time of a large load). The indexes backing keys and constraints stay. On PostgreSQL
    the table's foreign keys are set aside too, and added again (from the definitions
    the database gave) once the indexes are built: one check over the whole table
    instead of a trigger's look-up per row and key. Both backends
    drop and create indexes transactionally: a failed or killed load leaves them as they
    were (an error inside leaves them dropped: the transaction must roll back). Only
    ``when`` it is true (``may_set_aside``, asked before the table is emptied)."""
    if not when:
        yield
        return
    if connection.dialect.name == "postgresql":
        found = connection.exec_driver_sql(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = %(t)s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass)",
            {"t": table.name},
        ).all()
        keys = connection.exec_driver_sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' "
            "AND conrelid = format('%%I.%%I', current_schema(), %(t)s::text)::regclass "
            "ORDER BY conname",
            {"t": table.name},
        ).all()
    else:  # SQLite checks a key in the page cache, and cannot defer it in a transaction
        found = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table.name,),
        ).all()
        keys = []
    quote = connection.dialect.identifier_preparer.quote
    for name, _ in keys:
        connection.exec_driver_sql(f"ALTER TABLE {quote(table.name)} DROP CONSTRAINT {quote(name)}")
    for name, _ in found:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    for _, definition in found:
        connection.exec_driver_sql(definition)
    for name, definition in keys:
        connection.exec_driver_sql(
            f"ALTER TABLE {quote(table.name)} ADD CONSTRAINT {quote(name)} {definition}"
        )
