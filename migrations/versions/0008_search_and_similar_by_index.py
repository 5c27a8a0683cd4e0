"""Search and near-duplicates by index.

- ``claim_sketch``: each claim's MinHash sketch under its topic (``claimtrack.similar``),
  filled here for every claim: ``claim add`` finds near-duplicates by index instead of
  comparing the text with the topic's latest 5,000 claims one by one.
- ``--search`` by index, for any script (no word boundaries are assumed):
  on SQLite, FTS5 tables with the trigram tokenizer over ``claim.text_norm``
  (``claim_search``) and ``stance.quote`` (``quote_search``), external-content tables
  kept by triggers; on PostgreSQL, GIN indexes over each text's distinct character
  trigrams, from the IMMUTABLE SQL function ``claimtrack_trigrams`` (pg_trgm would need
  an extension, and under the C locale it skips every non-ASCII character).
  The index only narrows the rows; the search condition itself is unchanged
  (``claimtrack.search``). A SQLite built without FTS5's trigram tokenizer (before 3.34)
  gets no search tables, and searches scan as before.

A later revision that rebuilds ``claim`` or ``stance`` on SQLite (batch mode copies the
table and drops the old one) drops these triggers with it and must create them again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000

SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE claim_search USING fts5(text_norm, content='claim', "
    "content_rowid='id', tokenize='trigram', columnsize=0)",
    "CREATE TRIGGER claim_search_insert AFTER INSERT ON claim BEGIN "
    "INSERT INTO claim_search (rowid, text_norm) VALUES (new.id, new.text_norm); END",
    "CREATE TRIGGER claim_search_delete AFTER DELETE ON claim BEGIN "
    "INSERT INTO claim_search (claim_search, rowid, text_norm) "
    "VALUES ('delete', old.id, old.text_norm); END",
    "CREATE TRIGGER claim_search_update AFTER UPDATE OF text_norm ON claim BEGIN "
    "INSERT INTO claim_search (claim_search, rowid, text_norm) "
    "VALUES ('delete', old.id, old.text_norm); "
    "INSERT INTO claim_search (rowid, text_norm) VALUES (new.id, new.text_norm); END",
    "INSERT INTO claim_search (rowid, text_norm) SELECT id, text_norm FROM claim",
    "CREATE VIRTUAL TABLE quote_search USING fts5(quote, content='stance', "
    "content_rowid='id', tokenize='trigram', columnsize=0)",
    "CREATE TRIGGER quote_search_insert AFTER INSERT ON stance "
    "WHEN new.quote IS NOT NULL BEGIN "
    "INSERT INTO quote_search (rowid, quote) VALUES (new.id, new.quote); END",
    "CREATE TRIGGER quote_search_delete AFTER DELETE ON stance "
    "WHEN old.quote IS NOT NULL BEGIN "
    "INSERT INTO quote_search (quote_search, rowid, quote) "
    "VALUES ('delete', old.id, old.quote); END",
    "CREATE TRIGGER quote_search_update AFTER UPDATE OF quote ON stance BEGIN "
    "INSERT INTO quote_search (quote_search, rowid, quote) "
    "SELECT 'delete', old.id, old.quote WHERE old.quote IS NOT NULL; "
    "INSERT INTO quote_search (rowid, quote) "
    "SELECT new.id, new.quote WHERE new.quote IS NOT NULL; END",
    "INSERT INTO quote_search (rowid, quote) SELECT id, quote FROM stance WHERE quote IS NOT NULL",
]
SQLITE_SEARCH_DROP = [
    *(f"DROP TRIGGER IF EXISTS {table}_search_{event}"
      for table in ("claim", "quote") for event in ("insert", "delete", "update")),
    "DROP TABLE IF EXISTS claim_search",
    "DROP TABLE IF EXISTS quote_search",
]  # fmt: skip

# The distinct trigrams of a text, in one pass over its characters (substr at each place
# would scan a UTF-8 text from its start every time: hours for a claim of a megabyte).
POSTGRESQL_SEARCH = [
    "CREATE FUNCTION claimtrack_trigrams(text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT "
    "PARALLEL SAFE AS $$ SELECT ARRAY(SELECT DISTINCT g FROM ("
    "SELECT c || lead(c, 1) OVER w || lead(c, 2) OVER w AS g "
    "FROM unnest(string_to_array($1, NULL)) WITH ORDINALITY AS t(c, i) "
    "WINDOW w AS (ORDER BY i)) AS grams WHERE g IS NOT NULL) $$",
    "CREATE INDEX ix_claim_text_trigrams ON claim USING gin (claimtrack_trigrams(text_norm))",
    "CREATE INDEX ix_stance_quote_trigrams ON stance USING gin (claimtrack_trigrams(lower(quote)))",
]
POSTGRESQL_SEARCH_DROP = [
    "DROP INDEX IF EXISTS ix_stance_quote_trigrams",
    "DROP INDEX IF EXISTS ix_claim_text_trigrams",
    "DROP FUNCTION IF EXISTS claimtrack_trigrams(text)",
]


def _has_trigram_fts(connection) -> bool:
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(
                "CREATE VIRTUAL TABLE temp.claimtrack_probe USING fts5(x, tokenize='trigram')"
            )
            connection.exec_driver_sql("DROP TABLE temp.claimtrack_probe")
    except sa.exc.OperationalError:  # no FTS5, or SQLite before 3.34
        return False
    return True


def upgrade() -> None:
    from claimtrack.similar import sketch_rows

    connection = op.get_bind()
    op.create_table(
        "claim_sketch",
        sa.Column("topic_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("gram", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("claim_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_claim_sketch_claim_id_claim")
        ),
        sa.PrimaryKeyConstraint("topic_key", "gram", "claim_id", name=op.f("pk_claim_sketch")),
        sqlite_with_rowid=False,
    )

    claim = sa.table("claim", sa.column("id"), sa.column("topic"), sa.column("text_norm"))
    sketch = sa.table("claim_sketch", sa.column("topic_key"), sa.column("gram"),
                      sa.column("claim_id"))  # fmt: skip
    last = 0
    while True:
        part = connection.execute(
            sa.select(claim.c.id, claim.c.topic, claim.c.text_norm)
            .where(claim.c.id > last)
            .order_by(claim.c.id)
            .limit(BATCH)
        ).all()
        if not part:
            break
        rows = [row for c in part for row in sketch_rows(c.id, c.topic, c.text_norm)]
        connection.execute(sketch.insert(), rows)
        last = part[-1].id

    if connection.dialect.name == "sqlite":
        if _has_trigram_fts(connection):
            for statement in SQLITE_SEARCH:
                connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        for statement in POSTGRESQL_SEARCH:
            connection.exec_driver_sql(statement)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_SEARCH_DROP:
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        for statement in POSTGRESQL_SEARCH_DROP:
            connection.exec_driver_sql(statement)
    op.drop_table("claim_sketch")
