"""``claimtrack db``: create, upgrade and inspect the database schema."""

from __future__ import annotations

import click


@click.group()
def db() -> None:
    """Database schema: where it is, which revision, upgrading it.

    \b
    Example:
      claimtrack --db postgresql+psycopg://editor@dbhost/claims db upgrade
    """


@db.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.pass_obj
def upgrade(env, revision: str) -> None:
    """Create or upgrade the schema of the database.

    \b
    Example:
      claimtrack --db postgresql+psycopg://newsroom@dbhost/claims db upgrade
    """
    from claimtrack import db as database

    url = env.url()
    if database.sqlite_file_missing(url):
        database.prepare_sqlite_file(url)
    engine = database.create_engine(url)
    try:
        with engine.connect() as connection:
            before = database.current_revision(connection)
            if before is None and not database.is_empty(connection):
                # nu20: another program's SQLite file gained claimtrack's thirty tables
                # (and WAL) beside its own, where every other command refuses it.
                from claimtrack.errors import ClaimtrackError

                raise ClaimtrackError(
                    f"database {database.redact(url)} is not a claimtrack database: it holds "
                    "other tables, and db upgrade does not add claimtrack's beside them"
                )
        database.upgrade(engine, revision)
        with engine.connect() as connection:
            after = database.current_revision(connection)
    finally:
        engine.dispose()
    target = database.redact(url)
    if before == after:
        click.echo(f"{target} is already at revision {after}.")
    else:
        from claimtrack.cli import interrupt  # committed by Alembic, outside a session

        interrupt.mark_written(f"db upgrade from {before or 'empty'} to {after}")
        click.echo(f"Upgraded {target} from {before or 'empty'} to {after}.")


@db.command()
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask first, where claims would go (scripts).")
@click.pass_obj
def downgrade(env, revision: str, yes: bool) -> None:
    """Downgrade the schema to REVISION ('base' removes every table).

    A database holding claims is named, with how many, and the downgrade asked for
    first ('base' deletes them all, an earlier revision what later ones added); without
    a terminal to ask at, it is refused unless --yes is given.

    \b
    Example:
      claimtrack --db old.db db downgrade 0019_quote_case
      claimtrack --db scratch.db db downgrade base --yes
    """
    from claimtrack import db as database
    from claimtrack.errors import ClaimtrackError

    url = env.url()
    revision = database.known_revision(revision)
    if database.sqlite_file_missing(url):
        raise ClaimtrackError(f"no database at {url.database}: nothing to downgrade")
    target = database.redact(url)
    engine = database.create_engine(url)
    try:
        with engine.connect() as connection:
            held = database.claims_held(connection)
        if held and not yes:
            what = (
                "removes every table, and every claim with them"
                if revision == "base"
                else f"removes what the revisions after {revision} added"
            )
            claims = f"{held:,} claim" + ("s" if held != 1 else "")
            warning = f"{target} holds {claims}: downgrading to {revision} {what}"
            if not _at_a_terminal():  # a script, or input piped: nobody to ask
                raise ClaimtrackError(f"{warning}; give --yes to go on")
            click.echo(warning + ".", err=True)
            click.confirm("Downgrade?", abort=True, err=True)
        database.downgrade(engine, revision)
    finally:
        engine.dispose()
    from claimtrack.cli import interrupt  # committed by Alembic, outside a session

    interrupt.mark_written(f"db downgrade to {revision}")
    click.echo(f"Downgraded {target} to {revision}.")


def _at_a_terminal() -> bool:
    """Whether someone is at a terminal to answer a question (standard input is one)."""
    import sys

    return sys.stdin.isatty()


@db.command()
@click.pass_obj
def current(env) -> None:
    """Show the database in use and its schema revision.

    \b
    Example:
      claimtrack db current
    """
    from claimtrack import db as database

    url = env.url()
    if database.sqlite_file_missing(url):
        click.echo(f"{database.redact(url)}: no database yet (created on first use)")
        return
    engine = database.create_engine(url)
    try:
        with engine.connect() as connection:
            revision = database.current_revision(connection)
    finally:
        engine.dispose()
    state = "up to date" if revision == database.SCHEMA_HEAD else f"head is {database.SCHEMA_HEAD}"
    click.echo(f"{database.redact(url)}: revision {revision or 'none'} ({state})")


@db.command("rebuild-status")
@click.pass_obj
def rebuild_status(env) -> None:
    """Recompute every claim's stored status and history from the stances.

    claimtrack keeps each claim's status, and its history over said and recorded time
    (what --as-of and --known-at read), up to date as it writes; this recomputes all of
    them, for a database changed by other tools.

    \b
    Example:
      claimtrack db rebuild-status
    """
    from claimtrack import state
    from claimtrack.cli.output import Progress
    from claimtrack.db import write_session

    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin():
        count = state.rebuild(session, progress=Progress())
        from claimtrack.record import log_event

        log_event(session, env.editor, "db rebuild-status", f"{count} claims")
    click.echo(f"Rebuilt the status and history of {count:,} claim(s).")


@db.command("copy")
@click.argument("target", metavar="TARGET")
@click.pass_obj
def copy(env, target: str) -> None:
    """Copy the database, every row of it, into TARGET, an empty database.

    How a desk moves from SQLite to PostgreSQL (or back): parties with their sides and
    aliases, sources, claims, stances and the desk's corrections, links, verdicts, the
    log and the stored status and history, ids included, so every report reads the same
    there. TARGET is a file path or a URL, as --db takes; its schema is created if it
    has none. One transaction: stopped part way, TARGET holds no row of it.

    \b
    Examples:
      claimtrack --db claims.db db copy postgresql+psycopg://newsroom@dbhost/claims
      claimtrack --db postgresql+psycopg://newsroom@dbhost/claims db copy backup.db
    """
    from claimtrack import db as database
    from claimtrack.cli.output import Progress
    from claimtrack.copy import copy_database
    from claimtrack.errors import ClaimtrackError, UsageError

    if not target.strip():  # an empty shell variable: resolve_url would take the default
        raise UsageError("TARGET is empty: give a SQLite file or a database URL to copy into")
    source = env.engine()
    to = database.resolve_url(target)
    if database.redact(to) == database.redact(env.url()):
        raise ClaimtrackError(f"{database.redact(to)} is the database to copy: give another")
    destination = env.engine(write=True, create_schema=True, url=to)
    copied = copy_database(source, destination, progress=Progress())
    counts = ", ".join(
        f"{copied[t]:,} {label}"
        for t, label in (("party", "parties"), ("source", "sources"), ("claim", "claims"),
                         ("stance", "stances"), ("claim_link", "links"), ("verdict", "verdicts"),
                         ("event", "log entries"))
    )  # fmt: skip
    click.echo(f"Copied {database.redact(env.url())} into {database.redact(to)}: {counts}.")
