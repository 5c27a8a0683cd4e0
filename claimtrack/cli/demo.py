"""``claimtrack demo``: the Islamabad talks in a demo database, and the contested report."""

from __future__ import annotations

from pathlib import Path

import click

DEMO_DB = "claimtrack-demo.db"


@click.command(
    epilog="""
\b
Examples:
  claimtrack demo
  claimtrack --db postgresql+psycopg://localhost/claims demo
"""
)
@click.pass_obj
def demo(env) -> None:
    """Load the Islamabad talks (11-12 April 2026) and show what stands contested.

    Uses ./claimtrack-demo.db unless --db names another database (CLAIMTRACK_DB is
    ignored here, so the demo never writes into your working database). Running it
    again adds nothing new.
    """
    from claimtrack import render, report
    from claimtrack.cli.output import show
    from claimtrack.cli.seed import load_seed
    from claimtrack.db import read_session, redact, resolve_url
    from claimtrack.selection import Selection

    # An empty --db (an unset shell variable) is refused as every command refuses it, not
    # taken for the demo's own file.
    url = env.url() if env.db is not None else resolve_url(str(Path.cwd() / DEMO_DB))
    loaded = load_seed(env, None, create_schema=True, url=url)
    added = ", ".join(f"{n} {what}" for what, n in loaded.added.items() if n)
    there = f"; {loaded.present} stance(s) already there" if loaded.present else ""
    click.echo(f"Demo database: {redact(url)} ({added or 'nothing new'} added{there})\n")
    engine = env.engine(url=url)
    click.echo("Contested claims, Islamabad talks, 11-12 April 2026:\n")
    with read_session(engine) as session:
        rows = report.claims(session, Selection(status="contested"), detail=True)
        show(render.CONTESTED, rows, fmt="table")
    db, note = _db_option(env.db, url)
    click.echo(
        f"""
Try next:
  claimtrack {db} report contested --format json
  claimtrack {db} report contested --as-of 2026-04-11T23:59+05:00
  claimtrack {db} db current
{note}"""
    )


def _db_option(given: str | None, url) -> tuple[str, str]:
    """``--db`` as the suggested commands give it, quoted for the shell (a URL's ``&``
    would end the command), and a note for what it leaves out: passwords are never
    printed, so a URL's password (in it or in its query) is left out, for libpq to take
    from PGPASSWORD or ~/.pgpass."""
    import shlex

    if not given:
        return f"--db {DEMO_DB}", ""
    if url.get_backend_name() == "sqlite":
        return f"--db {shlex.quote(given)}", ""
    query = {key: value for key, value in url.query.items() if "password" not in key.lower()}
    bare = url._replace(password=None).set(query=query)  # set() keeps a password of None
    shown = "--db " + shlex.quote(bare.render_as_string(hide_password=False))
    if bare == url:
        return shown, ""
    return shown, "The password is left out of --db: libpq reads it from PGPASSWORD or ~/.pgpass.\n"
