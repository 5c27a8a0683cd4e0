"""Ids of parties and sources are never given again on SQLite (AUTOINCREMENT).

``party merge`` deletes the party merged away, and a source it joins with one of the
same title; without AUTOINCREMENT SQLite gives a new row the largest id + 1, so after
the newest party is merged away the next one took its id, and an old id (in a script,
an editor's note, the log's "party merge #3") silently named a stranger. PostgreSQL's
sequences never give an id twice: there this revision does nothing. Claims, stances,
links and verdicts are never deleted (a merged claim stays, marked), so their ids
cannot come back and their tables are left as they are.

SQLite has no ALTER for this: each table is made again, AUTOINCREMENT on its key (the
same columns, keys, checks and indexes; a few thousand parties and some 100,000 sources
at a million claims). The option is named here only, not in ``claimtrack.schema``:
naming a dialect's option there makes every command import that dialect (see
``claim_sketch``); tests/test_migrations.py checks a new database has it.

Each table's sequence starts past its largest id, and past any id the log names as added
or merged away ("party add #N", "party merge #N", "source add #N"): the newest party,
merged away before this upgrade, does not come back either.

Revision ID: 0015_ids
Revises: 0014_sides
Create Date: 2026-11-28 00:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_ids"
down_revision: str | None = "0014_sides"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables whose rows a command deletes, and the log entries that name their ids.
TABLES = {"party": ("party add", "party merge"), "source": ("source add",)}

# Made again with every row and id as it was, these tables' own keys are all a dangling
# reference could be in: the rows that refer to them are untouched. Checking only these
# (claimtrack.db._migrating) spares a check of every key of every table, 40-60 s at a
# million claims for a revision that itself takes 2 s.
SQLITE_KEYS_TO_CHECK = tuple(TABLES)


def _recreate(table: str, autoincrement: bool) -> None:
    with op.batch_alter_table(
        table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    for table, actions in TABLES.items():
        _recreate(table, True)
        # The copy's rows set the sequence to the largest id; the log may name a larger
        # one, deleted. "#N ..." casts to N (SQLite takes a number's leading digits).
        named = ", ".join(f"'{action}'" for action in actions)
        logged = connection.exec_driver_sql(
            "SELECT max(CAST(substr(detail, 2) AS INTEGER)) FROM event "  # noqa: S608
            f"WHERE action IN ({named}) AND detail LIKE '#%'"
        ).scalar()
        if not logged:
            continue
        connection.exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (logged, table)
        )
        connection.exec_driver_sql(
            "INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? "
            "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)",
            (table, logged, table),
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in reversed(TABLES):
        _recreate(table, False)
