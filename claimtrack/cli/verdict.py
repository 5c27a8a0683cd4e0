"""``claimtrack verdict``: the desk's published verdicts, kept as a history."""

from __future__ import annotations

import re

import click

from claimtrack.cli import complete
from claimtrack.cli.options import not_empty, optional
from claimtrack.cli.output import output_options
from claimtrack.cli.output import show as show_rows

MAX_LABEL = 300  # characters of a rating label, as of a party's name
_LINE_BREAK = re.compile("[\n\r\v\f\x85\u2028\u2029]")

# models.RATINGS, spelled out so that --help need not import SQLAlchemy (a test keeps
# the two equal).
RATINGS = ("true", "mostly-true", "mixture", "mostly-false", "false", "unverified")


@click.group()
def verdict() -> None:
    """Verdicts: what the desk publishes about a claim.

    \b
    Example:
      claimtrack verdict set asset-unfreeze --rating Unproven --summary "No deal on assets"
    """


@verdict.command("set")
@click.argument("claim_ref", metavar="CLAIM", shell_complete=complete.claims)
@click.option(
    "--rating",
    "label",
    required=True,
    metavar="LABEL",
    help="The desk's own label (Pants on fire, Unproven, Misleading, ...).",
)
@click.option(
    "--as",
    "rating",
    type=click.Choice(RATINGS),
    help="Its place on the shared scale, when the label does not say.",
)
@click.option(
    "--value",
    type=click.IntRange(-(10**9), 10**9),
    help="A numeric rating, with --best and --worst.",
)
@click.option("--best", type=click.IntRange(-(10**9), 10**9), help="The best value of the scale.")
@click.option("--worst", type=click.IntRange(-(10**9), 10**9), help="The worst value of the scale.")
@click.option(
    "--summary",
    help="The verdict in a sentence or two.",
    callback=not_empty(optional("give the verdict in a sentence or two")),
)
@click.option(
    "--url",
    help="Where the verdict is published.",
    callback=not_empty(optional("give an address")),
)
@click.option(
    "--by",
    "by",
    metavar="EDITOR",
    help="Who gives it (default: --editor).",
    callback=not_empty(optional("give the editor's name")),
)
@click.pass_obj
def set_(env, claim_ref, label, rating, value, best, worst, summary, url, by) -> None:
    """Give CLAIM a verdict; an earlier verdict stays in its history.

    \b
    Examples:
      claimtrack verdict set 1 --rating Unproven --url https://desk.example/checks/1
      claimtrack verdict set 7 --rating "Two hours short" --as mostly-false \\
        --value 2 --best 5 --worst 1
    """
    from claimtrack import record
    from claimtrack.db import write_session
    from claimtrack.names import quoted_name
    from claimtrack.verdicts import set_verdict

    # nu21: a label on two lines was made one unsaid, and one of 5,000 characters taken:
    # a label is a few words on one line, as a name is (a summary says the rest).
    given = label.strip()
    if _LINE_BREAK.search(given):  # folded into a blank before, unsaid
        raise click.UsageError(f"the rating label {quoted_name(given)} contains a line break: "
                               "give it on one line")  # fmt: skip
    if len(given) > MAX_LABEL:
        raise click.UsageError(
            f"the rating label is {len(given):,} characters, over the "
            f"{MAX_LABEL} a label may have: say the rest in --summary"
        )
    engine = env.engine(write=True)
    editor = by or env.editor
    with write_session(engine) as session, session.begin():
        claim = record.find_claim(session, claim_ref)
        new = set_verdict(
            session,
            claim,
            label,
            rating=rating,
            value=value,
            best=best,
            worst=worst,
            summary=summary,
            url=url,
            editor=editor,
        )
        record.log_event(session, editor, "verdict set", f"#{claim.id}: {new.label} ({new.rating})")
    _say_merged(claim_ref, claim)
    click.echo(f"Verdict on claim #{claim.id}: {new.label} ({new.rating}).")


@verdict.command("show")
@click.argument("claim_ref", metavar="CLAIM", shell_complete=complete.claims)
@output_options()
@click.pass_obj
def show(env, claim_ref, fmt, tablefmt, out) -> None:
    """Show CLAIM's verdicts, newest (the one in force) first.

    \b
    Example:
      claimtrack verdict show asset-unfreeze --format json
    """
    from claimtrack import record, render, report
    from claimtrack.db import read_session

    with read_session(env.engine()) as session:
        claim = record.find_claim(session, claim_ref)
        _say_merged(claim_ref, claim)
        rows = report.verdict_rows(session, claim)
    if fmt == "table" and not rows:
        click.echo(f"Claim #{claim.id} has no verdict yet.")
        return
    show_rows(render.VERDICTS, rows, fmt=fmt, tablefmt=tablefmt, out=out)


def _say_merged(claim_ref: str, claim) -> None:
    """A verdict is the claim's a merged one went into: said, as ``claim show`` says it."""
    from claimtrack.lookup import merged_note

    note = merged_note(claim_ref, claim)
    if note:
        click.echo(note, err=True)
