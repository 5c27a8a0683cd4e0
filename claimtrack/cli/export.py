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


@export.command("claimreview")
@click.argument("claims", nargs=-1, metavar="[CLAIM]...")
@click.option("--topic", help="Only claims of this story.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.option(
    "--publisher",
    envvar="CLAIMTRACK_PUBLISHER",
    default="claimtrack desk",
    show_default=True,
    help="The organisation publishing the verdicts ($CLAIMTRACK_PUBLISHER).",
)
@click.option("--publisher-url", envvar="CLAIMTRACK_PUBLISHER_URL", help="Its address.")
@click.pass_obj
def claimreview(env, claims, topic, out, publisher, publisher_url) -> None:
    """Export verdicts as schema.org ClaimReview JSON-LD (what fact-check search reads).

    One ClaimReview per claim with a verdict: its newest verdict as reviewRating, the
    first asserting party as the claim's author, the earliest source as its
    firstAppearance, and the denials and counter-claims, which ClaimReview has no
    field for, in reviewBody. Claims without a verdict are left out.

    \b
    Examples:
      claimtrack export claimreview --topic islamabad-talks-2026 --out reviews.json
      claimtrack export claimreview asset-unfreeze --publisher "The Desk"
    """
    import json

    from claimtrack import record
    from claimtrack.db import read_session
    from claimtrack.verdicts import claim_reviews, missing_fields

    with read_session(env.engine()) as session:
        ids = [record.find_claim(session, ref).id for ref in claims] if claims else None
        reviews = claim_reviews(
            session, claim_ids=ids, topic=topic, publisher=publisher, publisher_url=publisher_url
        )
    incomplete = [(r["claimReviewed"], missing_fields(r)) for r in reviews if missing_fields(r)]
    for text, fields in incomplete:
        click.echo(f"Note: {text!r} lacks {', '.join(fields)} (set the verdict's --url)", err=True)
    document = json.dumps(reviews, ensure_ascii=False, indent=2)
    if out is None:
        click.echo(document)
    else:
        out.write_text(document + "\n", encoding="utf-8")
        click.echo(f"Exported {len(reviews)} ClaimReview(s) to {out}", err=True)
