"""Alembic environment for claimtrack.

claimtrack runs migrations itself (``claimtrack db upgrade``, or on creating a new SQLite
database) and hands its own connection over in ``config.attributes["connection"]``, the
cookbook's "sharing a connection" pattern. Run from the ``alembic`` command line, it
connects to ``sqlalchemy.url`` instead.
"""

from alembic import context
from sqlalchemy import engine_from_config, pool

from claimtrack.schema import metadata

config = context.config
target_metadata = metadata

# The search structures of revision 0007 are made in SQL of each backend's own and have
# no model: SQLite's FTS5 tables (and their shadow tables), PostgreSQL's trigram indexes.
UNMODELLED_TABLES = ("claim_search", "quote_search")
UNMODELLED_INDEXES = ("ix_claim_text_trigrams", "ix_stance_quote_trigrams")


def include_name(name, type_, parent_names) -> bool:
    if type_ == "table":
        return not (name or "").startswith(UNMODELLED_TABLES)
    if type_ == "index":
        return name not in UNMODELLED_INDEXES
    return True


# Which tables' foreign keys need checking after a run with SQLite's keys off
# (``claimtrack.db._migrating``): each revision run adds the tables its module names in
# ``SQLITE_KEYS_TO_CHECK``, or None (every table) when it names none.
KEYS_TO_CHECK = "claimtrack_keys_to_check"


def note_keys_to_check(ctx, step, heads, run_args) -> None:
    tables = getattr(step.up_revision.module, "SQLITE_KEYS_TO_CHECK", None)
    ctx.connection.info.setdefault(KEYS_TO_CHECK, []).append(tables)


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite rebuilds tables to alter them
        compare_type=True,
        include_name=include_name,
        on_version_apply=note_keys_to_check,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        run_migrations(connection)


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
