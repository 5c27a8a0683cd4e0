"""``claimtrack log``: the audit trail of every write."""

from __future__ import annotations

import click

from claimtrack.cli.options import when_option
from claimtrack.cli.output import output_options, show


@click.command()
@when_option("--since", help="Only writes at or after WHEN (2026-04-12, now).")
@click.option(
    "--tz",
    metavar="ZONE",
    help="Zone for --since without an offset, and for now (another offset is refused).",
)
@click.option("--limit", type=click.IntRange(min=1, max=10**9), help="At most this many entries.")
@output_options()
@click.pass_obj
def log(env, since, tz, limit, fmt, tablefmt, out) -> None:
    """Show who wrote what and when, newest first.

    \b
    Examples:
      claimtrack log --since 2026-04-12
      claimtrack log --format json --limit 20
    """
    from claimtrack import render, report
    from claimtrack.db import read_session
    from claimtrack.times import parse_when

    when = parse_when(since, tz, agree=True, option="--since").at if since else None
    with read_session(env.engine()) as session:
        rows = report.event_rows(session, since=when, limit=limit)
        show(render.EVENTS, rows, fmt=fmt, tablefmt=tablefmt, out=out)
