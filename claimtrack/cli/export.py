"""``claimtrack export``: CSV for the desk's spreadsheets."""

from __future__ import annotations

from pathlib import Path

import click

from claimtrack.cli.output import Progress, utf8_stdout
from claimtrack.cli.report import filter_options, make_filters


@click.group()
def export() -> None:
    """Export claims for spreadsheets and other tools.

    \b
    Example:
      claimtrack export csv --out claims.csv
    """


@export.command("csv")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.option(
    "--per",
    type=click.Choice(["claim", "stance"]),
    default="claim",
    show_default=True,
    help="One row per claim (for reading) or per stance (for 'import csv').",
)
@filter_options
@click.option("--status", help="Only claims with this status (contested, asserted, ...).")
@click.option("--no-bom", is_flag=True, help="No byte-order mark (Excel needs it for Chinese).")
@click.option(
    "--raw",
    is_flag=True,
    help="Write cells as they are: no protection against spreadsheet formulas.",
)
@click.pass_obj
def csv_(env, out, per, status, no_bom, raw, **filter_args) -> None:
    """Export claims (or stances) as CSV that spreadsheets open safely.

    UTF-8 with a byte-order mark and CRLF line ends, so Excel shows Chinese; a cell
    that begins with = + - @ or a tab (or is a run of over 15 digits) gets a leading
    apostrophe so no spreadsheet runs it as a formula or rounds it. 'import csv' takes
    the apostrophe off again. The columns are described in docs/csv.md.

    \b
    Examples:
      claimtrack export csv --out claims.csv
      claimtrack export csv --per stance --topic islamabad-talks-2026 --out stances.csv
      claimtrack export csv --status contested --no-bom | head
    """
    from claimtrack.db import read_session
    from claimtrack.export import export_claims, export_stances

    run = export_claims if per == "claim" else export_stances
    with read_session(env.engine()) as session:
        filters = make_filters(session, status=status, **filter_args)
        if out is None:
            stream = utf8_stdout()
            run(session, stream, filters, bom=not no_bom, raw=raw)
            stream.flush()
            stream.detach()
            return
        partial = out.with_name(out.name + ".partial")
        try:
            with (
                partial.open("w", encoding="utf-8", newline="") as stream,
                Progress(f"Exporting {per} rows") as progress,
            ):
                count = run(session, stream, filters, bom=not no_bom, raw=raw, progress=progress)
            partial.replace(out)  # never a half-written file under the real name
        finally:
            partial.unlink(missing_ok=True)
    click.echo(f"Exported {count} {per} row(s) to {out}", err=True)
