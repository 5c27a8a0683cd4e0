"""A quote is searched whatever the case of its letters, in any script.

``--search`` matched a quote by ``lower(quote)``, which on SQLite, and on a PostgreSQL
database of the C locale, lower-cases only A to Z: "Каховської" in a quote was found
neither by "Каховської" nor by "каховської" (a new user's story, the Kakhovka dam).
Quotes are now compared through ``claimtrack_lower``, Unicode's lower case:

- on PostgreSQL, an IMMUTABLE SQL function, ``lower`` under ICU's root collation
  (``und-x-icu``, whatever the database's own locale); a server built without ICU keeps
  the database's ``lower``, and says so. The trigram index over quotes
  (``ix_stance_quote_trigrams``, revision 0008) is made again over it;
- on SQLite, a function every claimtrack connection registers (``claimtrack.db``): Python's
  ``str.lower``. FTS5's trigram index (``quote_search``) already folds case in every
  script, so nothing is stored anew.

The downgrade makes the index over ``lower(quote)`` again and drops the function.

Revision ID: 0019_quote_case
Revises: 0018_quotes_and_stops
Create Date: 2026-11-28 06:50:00
"""

import sys
from collections.abc import Sequence

from alembic import op

revision: str = "0019_quote_case"
down_revision: str | None = "0018_quotes_and_stops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Nothing on SQLite is written: no key to check (claimtrack.db._migrating).
SQLITE_KEYS_TO_CHECK = ()

_FUNCTION = ("CREATE FUNCTION claimtrack_lower(text) RETURNS text LANGUAGE sql IMMUTABLE "
             "STRICT PARALLEL SAFE AS $$ SELECT lower($1{collate}) $$")  # fmt: skip
_INDEX = "CREATE INDEX ix_stance_quote_trigrams ON stance USING gin (claimtrack_trigrams({of}))"


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    icu = connection.exec_driver_sql(
        "SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'"
    ).first()
    if icu is None:
        sys.stderr.write(
            "Note: this PostgreSQL server has no ICU collations: quotes are searched with "
            "the database's own lower case (under the C locale, A to Z only).\n"
        )
    op.execute(_FUNCTION.format(collate=' COLLATE "und-x-icu"' if icu else ""))
    op.execute("DROP INDEX ix_stance_quote_trigrams")
    op.execute(_INDEX.format(of="claimtrack_lower(quote)"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_stance_quote_trigrams")
    op.execute(_INDEX.format(of="lower(quote)"))
    op.execute("DROP FUNCTION claimtrack_lower(text)")
