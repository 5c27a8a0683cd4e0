"""``db copy``: every row of one claimtrack database into another, empty one.

How a desk moves from SQLite to PostgreSQL (or back, or to another file) with nothing
lost: the per-stance CSV carries what was said, but not who a party that never spoke
acts for, nor the verdicts, the corrections' trail or the log. The copy carries every
table of ``claimtrack.schema`` as it is, ids included, so that ids, slugs and every
report read the same on the copy; the stored status and history come with it, and the
search indexes fill themselves (SQLite's triggers, PostgreSQL's indexes).

Streamed: each table is read in key order ``BATCH`` rows at a time and written with
executemany, in one transaction on the target (stopped part way, it writes nothing). A
row that refers to a row of its own table (a party acting for another, a claim merged
into another, an amending stance) is written without that reference, set once its
table is whole. Each table's next id is carried past the largest the source ever gave
(SQLite's ``sqlite_sequence``, PostgreSQL's sequences): an id merged away is not given
again on the copy either.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, bindparam, func, insert, select, text, update

from claimtrack.errors import ClaimtrackError
from claimtrack.progress import SILENT

BATCH = 5_000


def copy_database(source: Engine, target: Engine, *, progress=SILENT) -> dict[str, int]:
    """Copy every row of ``source`` into ``target`` (both at the schema's head; the
    target without a row in any table). Returns table name -> rows copied."""
    from claimtrack.schema import metadata

    tables = metadata.sorted_tables  # a table after those it refers to
    copied: dict[str, int] = {}
    with source.connect() as reading, target.begin() as writing:
        held = [
            t.name
            for t in tables
            if writing.execute(select(text("1")).select_from(t).limit(1)).first()
        ]
        if held:
            raise ClaimtrackError(
                f"the target already holds claimtrack data (in {', '.join(held[:3])}"
                f"{', ...' if len(held) > 3 else ''}): copy into an empty database"
            )
        for table in tables:
            copied[table.name] = _copy_table(reading, writing, table, progress)
        _carry_ids(reading, writing, tables)
    return copied


def _copy_table(reading: Connection, writing: Connection, table, progress) -> int:
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    key = list(table.primary_key.columns)
    total = reading.scalar(select(func.count()).select_from(table))
    later: list[dict] = []  # references to the same table, set once it is whole
    with progress.phase(f"copying {table.name}", total) as advance:
        result = reading.execution_options(yield_per=BATCH).execute(select(table).order_by(*key))
        for rows in result.partitions():
            batch = [row._asdict() for row in rows]
            for row in batch:
                refs = {name: row[name] for name in own if row[name] is not None}
                if refs:
                    later.append({**{f"key_{c.name}": row[c.name] for c in key}, **refs})
                    row.update(dict.fromkeys(refs))
            writing.execute(insert(table), batch)
            advance(len(batch))
    for name in own:
        found = [r for r in later if name in r]
        if found:
            statement = (
                update(table)
                .where(*(c == bindparam(f"key_{c.name}") for c in key))
                .values({name: bindparam(name)})
            )
            for start in range(0, len(found), BATCH):
                writing.execute(statement, found[start : start + BATCH])
    return total


def _carry_ids(reading: Connection, writing: Connection, tables) -> None:
    """Each table's next id on the target past the largest the source gave."""
    for table in tables:
        if "id" not in table.c or [c.name for c in table.primary_key.columns] != ["id"]:
            continue
        given = max(reading.scalar(select(func.max(table.c.id))) or 0,
                    _sequence(reading, table.name))  # fmt: skip
        if not given:
            continue
        if writing.dialect.name == "postgresql":
            writing.execute(
                text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n, true)"),
                {"t": table.name, "n": given},
            )
        elif _sequence(writing, table.name, has_row=True) is not None:  # AUTOINCREMENT
            writing.execute(
                text("UPDATE sqlite_sequence SET seq = :n WHERE name = :t"),
                {"t": table.name, "n": given},
            )


def _sequence(connection: Connection, table: str, *, has_row: bool = False) -> int | None:
    """The largest id ``table``'s sequence has given (0 when it has none); with
    ``has_row``, None on SQLite when the table has no AUTOINCREMENT sequence."""
    if connection.dialect.name == "postgresql":
        name = connection.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})
        if name is None:
            return 0
        last, called = connection.execute(
            text(f"SELECT last_value, is_called FROM {name}")  # noqa: S608 - the server's own name
        ).one()
        return last if called else last - 1
    if not connection.scalar(
        text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
    ):
        return None if has_row else 0
    seq = connection.scalar(text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table})
    if seq is None:
        return None if has_row else 0
    return seq
