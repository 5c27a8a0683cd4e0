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

from collections.abc import Iterable, Sequence

from sqlalchemy import Table, insert
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
    quote = dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in given]
            values += fixed
            for index, process in converting:
                if values[index] is not None:
                    values[index] = process(values[index])
            copy.write_row(values)


def insert_stored(
    connection: Connection, table: Table, names: Sequence[str], rows: Iterable[tuple]
) -> None:
    """Insert ``rows`` (tuples of the columns ``names``) whose values are already as the
    database stores them, as its driver hands them back (SQLite: timestamps as text;
    PostgreSQL: naive UTC datetimes): no type processing, no Python object per value.
    For copying what a query read back, unprocessed, into another table."""
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in names)
    if connection.dialect.name == "postgresql":
        statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    rows = list(rows)
    if rows:
        marks = ", ".join("?" * len(names))
        statement = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"
        connection.exec_driver_sql(statement, rows)
