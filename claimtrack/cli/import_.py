"""``claimtrack import``: bring claims in from CSV."""

from __future__ import annotations

from pathlib import Path

import click

from claimtrack.cli.output import Progress


@click.group("import")
def import_() -> None:
    """Import claims and stances from files.

    \b
    Example:
      claimtrack import csv stances.csv --dry-run
    """


@import_.command("csv")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Check the file and count what it would add; write nothing."
)
@click.option(
    "--raw",
    is_flag=True,
    help="The file was exported with --raw: keep leading apostrophes as they are.",
)
@click.pass_obj
def csv_(env, file: Path, dry_run: bool, raw: bool) -> None:
    """Import a CSV of stances in one transaction: all of it or, on any bad row, none.

    FILE is the per-stance export ('export csv --per stance') or a minimal file an
    editor can type, with the columns claim, party, stance, source, date (and
    optionally topic, quote, via). UTF-8, with or without BOM. Importing the same
    file again adds nothing. The formats are described in docs/csv.md.

    \b
    Examples:
      claimtrack import csv stances.csv
      claimtrack import csv desk-notes.csv --dry-run
    """
    from claimtrack.bulk import CsvFile, import_csv
    from claimtrack.db import write_session

    with CsvFile(file, raw=raw) as source:  # the file and its header, before the database
        engine = env.engine(write=True)
        with write_session(engine) as session:
            with Progress(f"Importing {file.name}", length=source.size) as progress:
                report, rows = import_csv(
                    session, source, editor=env.editor, label=f"import {file.name}",
                    progress=progress,
                )  # fmt: skip
            if not dry_run:
                session.commit()  # a dry run ends with the session, rolled back
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {rows} row(s) from {file}: {report.summary()}.")
