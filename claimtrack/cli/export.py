"""``claimtrack export``: CSV and XLSX for the desk's spreadsheets, ClaimReview for
fact-check search, the claims graph for Graphviz and Gephi."""

from __future__ import annotations

import click

from claimtrack.cli import complete
from claimtrack.cli.output import OutputFile, Progress
from claimtrack.cli.report import build_selection, selection_options
from claimtrack.progress import SILENT


@click.group()
def export() -> None:
    """Export claims for spreadsheets and other tools: CSV, XLSX, ClaimReview, a graph.

    \b
    Examples:
      claimtrack export csv --out claims.csv
      claimtrack export xlsx --out claims.xlsx
      claimtrack export graph --format graphml --out claims.graphml
    """


@export.command("csv")
@click.option(
    "--out",
    type=OutputFile(),
    help="Write to this file (default: standard output).",
)
@click.option(
    "--per",
    type=click.Choice(["claim", "stance"]),
    default="claim",
    show_default=True,
    help="One row per claim (for reading) or per stance (for 'import csv').",
)
@selection_options()
@click.option("--no-bom", is_flag=True, help="No byte-order mark (Excel needs it for Chinese).")
@click.option(
    "--raw",
    is_flag=True,
    help="Write cells as they are: no protection against spreadsheet formulas.",
)
@click.pass_obj
def csv_(env, out, per, no_bom, raw, **options) -> None:
    """Export claims (or stances) as CSV that spreadsheets open safely.

    UTF-8 with a byte-order mark and CRLF line ends, so Excel shows Chinese; a cell
    that begins with = + - @ or a tab (or is a run of over 15 digits) gets a leading
    apostrophe so no spreadsheet runs it as a formula or rounds it. 'import csv' takes
    that apostrophe off again (one typed before anything else stays). Times keep the
    offset they were said in. The columns are described in docs/csv.md.

    \b
    Examples:
      claimtrack export csv --out claims.csv
      claimtrack export csv --per stance --topic islamabad-talks-2026 --out stances.csv
      claimtrack export csv --status contested --no-bom | head
    """
    from claimtrack import render, report
    from claimtrack.cli.output import destination
    from claimtrack.db import read_session

    with read_session(env.engine()) as session:
        selection = build_selection(session, **options)
        progress = Progress() if out else SILENT  # rows on the terminal: no bar among them
        with (
            destination(out, binary=False) as stream,
            progress.phase(f"Exporting {per} rows", unit=per + "s") as advance,
        ):
            if per == "claim":  # the cells as the database joins them
                count = render.write_csv_cells(
                    render.CLAIM_EXPORT.text_headers, report.export_rows(session, selection),
                    stream, bom=not no_bom, raw=raw, progress=advance,
                )  # fmt: skip
            else:
                count = render.write_csv(render.STANCES, report.stances(session, selection),
                                         stream, bom=not no_bom, raw=raw,
                                         progress=advance)  # fmt: skip
    if out is not None:
        click.echo(f"Exported {count} {per} row(s) to {out}", err=True)


@export.command("xlsx")
@click.option(
    "--out",
    required=True,
    type=OutputFile(),
    help="The workbook to write (.xlsx).",
)
@selection_options()
@click.option(
    "--skip-long",
    is_flag=True,
    help="Leave empty each cell whose text is over 32,767 characters (an XLSX cell's most), "
    "with a comment, and name them, rather than refuse the workbook; the rest of the row "
    "is written.",
)
@click.pass_obj
def xlsx(env, out, skip_long, **options) -> None:
    """Export a workbook Excel and LibreOffice open as they are: three sheets, the
    contested claims, every claim, every stance.

    The claims' dates and times are date cells on the day and at the hour they were said,
    in the offset they were said in (shown beside them); the stances sheet has the columns
    of 'export csv --per stance', its said and published times as that text (recorded_at a
    date cell, in UTC); ids are number cells and texts are text cells,
    never formulas and never rounded; the header row is frozen and filtered. A control
    character XLSX cannot hold (BEL, ESC) is written as its picture (␇, ␛), with one warning
    line naming the claims; CSV keeps it as stored. A cell holds at most 32,767 characters:
    a longer text (a claim or quote; 'claim add' warns of one) stops the export, naming its
    claim, and no file is written; --skip-long leaves only that text out instead: its cell
    is empty, with a comment saying how long the text is, the rest of its row is written (a
    claim whose joined quotes overflow keeps its row; the quotes are each on the stances
    sheet), and one warning line names each such cell by sheet, row, column and claim.
    Nothing is cut short; CSV has no such limit.

    \b
    Examples:
      claimtrack export xlsx --out islamabad.xlsx
      claimtrack export xlsx --topic islamabad-talks-2026 --as-of 2026-04-12 --out day2.xlsx
    """
    from dataclasses import replace

    from claimtrack import render, report
    from claimtrack.cli.output import destination
    from claimtrack.db import read_session

    with read_session(env.engine()) as session:
        selection = build_selection(session, **options)
        contested = replace(selection, status="contested")
        # The claims' cells as the database joins them (as `export csv`), times as said.
        sheets = [
            (
                "contested",
                render.CONTESTED_SHEET,
                report.export_rows(session, contested, whens=True),
            ),
            ("claims", render.CLAIM_EXPORT, report.export_rows(session, selection, whens=True)),
            (
                "stances",
                render.STANCES,
                render.flat_cells(render.STANCES, report.stances(session, selection)),
            ),
        ]
        with (
            destination(out, binary=True) as stream,
            Progress().phase("Exporting rows") as advance,
        ):
            count = render.write_xlsx(sheets, stream, progress=advance, warn=_warn,
                                      skip_long=skip_long)  # fmt: skip
    click.echo(f"Exported {count} row(s) in three sheets to {out}", err=True)


@export.command("claimreview")
@click.argument("claims", nargs=-1, metavar="[CLAIM]...", shell_complete=complete.claims)
@click.option("--topic", help="Only claims of this story.", shell_complete=complete.topics)
@click.option(
    "--out",
    type=OutputFile(),
    help="Write to this file (default: standard output).",
)
@click.option(
    "--publisher",
    envvar="CLAIMTRACK_PUBLISHER",
    default="claimtrack desk",
    show_default=True,
    help="The organisation publishing the desk's verdicts ($CLAIMTRACK_PUBLISHER).",
)
@click.option("--publisher-url", envvar="CLAIMTRACK_PUBLISHER_URL", help="Its address.")
@click.option(
    "--skip-incomplete",
    is_flag=True,
    help="Write the complete reviews even when some claims are left out (exit 0).",
)
@click.pass_obj
def claimreview(env, claims, topic, out, publisher, publisher_url, skip_incomplete) -> None:
    """Export verdicts as schema.org ClaimReview JSON-LD (what fact-check search reads).

    One ClaimReview per claim and publisher with a verdict: its newest verdict as
    reviewRating (alternateName and name: the label; ratingValue, bestRating and
    worstRating when given), the first asserting party as the claim's author, the
    source it first asserted it in as firstAppearance and the sources of its
    assertions then with an address as appearances (where the author made the claim:
    not where others denied or confirmed it), and the denials and counter-claims,
    which ClaimReview has no field for, in reviewBody. Verdicts imported from other
    publishers keep their author.

    A review lacking a field Google requires (claimReviewed, url, author.name,
    reviewRating.alternateName: most often a verdict set without --url) is not
    written: each claim left out is named on standard error (the first 20, then how
    many more), and the command writes nothing and exits 1, unless --skip-incomplete,
    which writes the complete ones and exits 0. Claims without a verdict are not
    reviews and are not listed. Which claims are left out is found first, from a few
    columns; then the reviews are written as they are built, a few hundred verdicts at
    a time: a whole archive needs the memory of one batch.

    \b
    Examples:
      claimtrack export claimreview --topic islamabad-talks-2026 --out reviews.json
      claimtrack export claimreview asset-unfreeze --publisher "The Desk"
      claimtrack export claimreview --skip-incomplete --out reviews.json
    """
    from claimtrack import claimreview, record
    from claimtrack.cli.output import destination
    from claimtrack.db import read_session, snapshot
    from claimtrack.render import visible

    if not publisher.strip():  # every review's author.name would be empty
        from claimtrack.errors import UsageError

        raise UsageError("--publisher is empty: give the organisation publishing the verdicts")
    # An address as every other URL option takes one (nu18: "javascript:alert(1)" was
    # written into the JSON-LD as the publisher's url).
    publisher_url = record.check_url(publisher_url) if publisher_url is not None else None
    with read_session(env.engine()) as session:
        snapshot(session)  # the check and the export read the same verdicts
        from claimtrack.lookup import check_topic

        check_topic(session, topic)
        ids = [record.find_claim(session, ref).id for ref in claims] if claims else None
        chosen = dict(claim_ids=ids, topic=topic, publisher=publisher)
        # First which claims' reviews are incomplete, from a few columns: the export
        # refuses before its first byte, or names them before the complete ones.
        listed, left_out = [], 0
        for claim in claimreview.left_out(session, **chosen):
            left_out += 1
            if len(listed) < MAX_LISTED_ERRORS:
                listed.append(claim)
        for claim in listed:
            click.echo(visible(f"{claim} (set a verdict with --url to publish it)"), err=True)
        if left_out > MAX_LISTED_ERRORS:
            click.echo(f"... and {left_out - MAX_LISTED_ERRORS:,} more claim(s) left out",
                       err=True)  # fmt: skip
        if left_out and not skip_incomplete:
            raise click.ClickException(
                f"{left_out} claim(s) left out, nothing written: complete them, "
                "or pass --skip-incomplete to write the rest"
            )
        # Then the complete ones, streamed: built a batch at a time, written one by one.
        reviews = claimreview.reviews(session, **chosen, publisher_url=publisher_url)
        with destination(out, binary=False) as stream:
            count = claimreview.write_reviews(
                (r for r in reviews if not claimreview.missing_fields(r)), stream
            )
    if out is not None:
        click.echo(f"Exported {count} ClaimReview(s) to {out}", err=True)


MAX_LISTED_ERRORS = 20  # claims left out named one by one, as an import's bad rows


@export.command("graph")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["graphml", "dot"]),
    default="graphml",
    show_default=True,
    help="graphml for Gephi, yEd and networkx; dot for Graphviz.",
)
@click.option(
    "--out",
    type=OutputFile(),
    help="Write to this file (default: standard output).",
)
@selection_options()
@click.pass_obj
def graph(env, fmt, out, **options) -> None:
    """Export the claims graph: claims and parties as nodes, each party's stance on a
    claim (for or against, by its latest stance under the rule) and each contradiction
    between two exported claims as edges.

    Claim nodes carry their text, short label, slug, topic, status, counts, times and
    verdict; party nodes their name and the side they act for; stance edges go from the
    party to the claim ("for" or "against", the stance kind, and the linked claim that
    put the party against it, if any, with which way it is linked: "counter-claim", or
    "countered claim" for the claim a counter-claim answers); a contradiction goes from
    the counter-claim to the claim it answers. Contradictions with claims outside the
    selection are left out, and counted on standard error. The file is written as the
    claims are read: a whole archive needs memory only for which ids were written so far
    (a bit each).

    \b
    Examples:
      claimtrack export graph --out claims.graphml            # open in Gephi
      claimtrack export graph --status contested --topic islamabad-talks-2026 \\
          --format dot | dot -Tsvg > disputes.svg
      claimtrack export graph --format dot --out claims.dot
    """
    from claimtrack import graph as graphs
    from claimtrack.cli.output import destination
    from claimtrack.db import read_session

    counts = graphs.GraphCounts()
    replaced: set[str] = set()
    with read_session(env.engine()) as session:
        selection = build_selection(session, **options)
        items = graphs.graph_items(session, selection, counts)
        progress = Progress() if out else SILENT  # the graph on the terminal: no bar in it
        with (
            destination(out, binary=False) as stream,
            progress.phase("Exporting the graph", unit="nodes and edges") as advance,
        ):
            items = _counted(items, advance)
            if fmt == "dot":
                graphs.write_dot(items, stream)
            else:
                graphs.write_graphml(items, stream, replaced=replaced.add)
    if replaced:
        click.echo(
            f"Note: {len(replaced)} node(s) had control characters XML cannot carry, written "
            f"as U+FFFD: {', '.join(sorted(replaced)[:10])}",
            err=True,
        )
    where = f" to {out}" if out is not None else ""
    click.echo(
        f"Exported {counts.claims} claim(s), {counts.parties} party node(s), {counts.stances} "
        f"stance edge(s) and {counts.contradictions} contradiction(s){where}"
        + (
            f"; {counts.outside} contradiction(s) with claims outside the selection left out"
            if counts.outside
            else ""
        ),
        err=True,
    )


def _counted(items, advance):
    """The items, each counted on the progress bar as it is written."""
    for item in items:
        advance(1)
        yield item


def _warn(message: str) -> None:
    click.echo(message, err=True)
