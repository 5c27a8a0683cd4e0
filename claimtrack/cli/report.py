"""``claimtrack report``: what stands contested, the claims by status, the parties."""

from __future__ import annotations

import click

from claimtrack.cli.output import check_tablefmt, emit, output_options, terminal_width, wrap

# models.CLAIM_STATUSES, spelled out so that --help need not import SQLAlchemy (a test
# keeps the two equal).
STATUSES = ("contested", "self-contradicted", "asserted", "retracted", "denied", "unsupported")


@click.group()
def report() -> None:
    """Reports over the claims database: the overview for the morning meeting.

    \b
    Example:
      claimtrack report contested --format json
    """


def filter_options(f):
    """Which claims: by story, party, side, activity window, and as of when."""
    options = [
        click.option("--topic", help="Only this story."),
        click.option(
            "--party",
            "party_ref",
            metavar="PARTY",
            help="Only claims this party (or anyone acting for it) is on a side of.",
        ),
        click.option(
            "--side",
            type=click.Choice(["for", "against"]),
            help="With --party: only where the party is on this side.",
        ),
        click.option("--since", metavar="WHEN", help="Only claims active at or after WHEN."),
        click.option("--until", metavar="WHEN", help="Only claims last active at or before WHEN."),
        click.option(
            "--as-of",
            metavar="WHEN",
            help="The state as it stood then: only stances said at or before WHEN.",
        ),
        click.option(
            "--tz", metavar="ZONE", help="Zone for times without an offset (+05:00, Asia/Karachi)."
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def make_filters(
    session,
    *,
    topic=None,
    party_ref=None,
    side=None,
    since=None,
    until=None,
    as_of=None,
    tz=None,
    status=None,
):
    """Filters from the options of ``filter_options``."""
    from claimtrack import record
    from claimtrack.errors import UsageError
    from claimtrack.report import Filters, parties_on_side_of
    from claimtrack.times import parse_when

    if side and not party_ref:
        raise UsageError("--side goes with --party")
    if status and status not in STATUSES:
        raise UsageError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    party_ids = (
        parties_on_side_of(session, record.find_party(session, party_ref)) if party_ref else None
    )
    return Filters(
        topic=topic, status=status, party_ids=party_ids,
        side={"for": "support", "against": "oppose"}.get(side),
        since=parse_when(since, tz).at if since else None,
        until=parse_when(until, tz).at if until else None,
        as_of=parse_when(as_of, tz).at if as_of else None,
    )  # fmt: skip


@report.command(
    epilog="""
\b
Examples:
  claimtrack report contested
  claimtrack report contested --party Iran --side against
  claimtrack report contested --as-of 2026-04-11T23:00+05:00
  claimtrack report contested --anonymous --format json | jq '.[].claim'
  claimtrack report contested --format csv > contested.csv
"""
)
@filter_options
@click.option(
    "--anonymous", is_flag=True, help="Only claims where a side rests on anonymous sources alone."
)
@click.option("--unrated", is_flag=True, help="Only claims the desk has given no verdict yet.")
@click.option("--out", type=click.Path(dir_okay=False), help="With --format html: the file.")
@click.option(
    "--sort",
    type=click.Choice(["activity", "since", "id"]),
    default="activity",
    show_default=True,
    help="Latest activity, latest contested, or newest claim first.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many claims.")
@output_options(html=True)
@click.pass_obj
def contested(env, anonymous, unrated, out, sort, limit, fmt, tablefmt, **filter_args) -> None:
    """Claims that one party asserts and another denies or counters.

    A claim is contested when, taking each party's latest stance, some party asserts
    or confirms it and another denies, disputes or asserts a claim that contradicts
    it (docs/model.md). Each side is shown with the side its parties act for; a side
    that rests on anonymous sources alone is flagged.
    """
    from claimtrack.db import read_session
    from claimtrack.report import contested_claims

    if fmt == "table":
        check_tablefmt(tablefmt)
    with read_session(env.engine()) as session:
        filters = make_filters(session, **filter_args)
        if fmt == "csv":
            from claimtrack.cli.output import utf8_stdout
            from claimtrack.export import export_claims

            filters.status = "contested"
            stream = utf8_stdout()
            export_claims(session, stream, filters)
            stream.flush()
            stream.detach()
            return
        claims = contested_claims(
            session,
            filters=filters,
            limit=limit,
            anonymous_only=anonymous,
            unrated=unrated,
            sort=sort,
        )
        if fmt == "html":
            write_html(session, claims, filters, out)
            return
    render_contested(claims, fmt=fmt, tablefmt=tablefmt)


def write_html(session, claims, filters, out) -> None:
    """The contested claims as one self-contained page, to ``out`` or standard output."""
    from pathlib import Path

    from claimtrack.html import contested_page
    from claimtrack.record import find_claim
    from claimtrack.report import claim_detail

    details = {c.claim_id: claim_detail(session, find_claim(session, c.claim_id),
                                        as_of=filters.as_of) for c in claims}  # fmt: skip
    page = contested_page(claims, details, as_of=filters.as_of)
    if out is None:
        click.echo(page)
        return
    Path(out).write_text(page, encoding="utf-8")
    click.echo(f"Wrote {len(claims)} contested claim(s) to {out}", err=True)


def render_contested(claims, *, fmt: str, tablefmt: str = "simple_grid") -> None:
    """Print contested claims as a table fitted to the terminal, or as JSON."""
    if fmt == "json":
        emit([c.as_dict() for c in claims], fmt="json")
        return
    if not claims:
        click.echo("No contested claims.")
        return
    # id, claim, for, against, times: the three text columns share what the terminal
    # leaves after the fixed ones (borders take about 3 columns each).
    free = max(40, terminal_width() - 4 - 19 - 17)
    claim_width = max(16, min(60, free * 2 // 5))
    party_width = max(12, min(40, (free - claim_width) // 2))
    table = [
        [
            c.claim_id,
            wrap(c.text, claim_width, max_lines=8)
            + (f"\n[verdict: {c.verdict['label']}]" if c.verdict else ""),
            _positions_cell(c.support, party_width),
            _positions_cell(c.oppose, party_width),
            f"{c.contested_since or ''}\n{c.last_activity or ''}",
        ]
        for c in claims
    ]
    headers = [
        "id",
        "claim",
        "asserted by",
        "denied /\ncountered by",
        "contested since\nlast activity",
    ]
    emit([], fmt="table", tablefmt=tablefmt, table_rows=table, headers=headers)


def _positions_cell(positions, width: int) -> str:
    """Each party with its side, and under it the quote as said, via whom."""
    lines = []
    for p in positions:
        lines.append(wrap(p.label(), width, max_lines=3))
        if p.quote:
            via = f" (via {p.via})" if p.via else ""
            lines.append(wrap(f"  “{p.quote}”{via}", width, max_lines=3))
    if positions and all(p.anonymous for p in positions):
        lines.append(wrap("(anonymous sources only)", width))
    return "\n".join(lines)


@report.command(
    epilog="""
\b
Examples:
  claimtrack report claims --status denied
  claimtrack report claims --topic islamabad-talks-2026 --format csv > claims.csv
"""
)
@click.option("--status", type=click.Choice(STATUSES), help="Only claims with this status.")
@filter_options
@click.option("--limit", type=click.IntRange(min=1), help="At most this many claims.")
@output_options()
@click.pass_obj
def claims(env, status, limit, fmt, tablefmt, **filter_args) -> None:
    """Claims by status (asserted, contested, denied, retracted, ...), latest first."""
    from claimtrack.db import read_session
    from claimtrack.report import claim_list

    with read_session(env.engine()) as session:
        filters = make_filters(session, status=status, **filter_args)
        rows = claim_list(session, filters, limit=limit)
    render_claims(rows, fmt=fmt, tablefmt=tablefmt)


def render_claims(rows: list[dict], *, fmt: str, tablefmt: str) -> None:
    """Claims with their status (``report claims``, ``claim list``): a table, JSON or CSV."""
    if fmt != "table":
        emit(rows, fmt=fmt, tablefmt=tablefmt)
        return
    if not rows:
        click.echo("No claims match.")
        return
    width = max(30, min(70, terminal_width() - 60))
    table = [[r["id"], r["status"], wrap(r["claim"], width, max_lines=4), r["for"],
              r["against"], r["topic"]] for r in rows]  # fmt: skip
    emit(
        rows,
        fmt=fmt,
        tablefmt=tablefmt,
        table_rows=table,
        headers=["id", "status", "claim", "for", "against", "topic"],
    )


@report.command(
    epilog="""
\b
Examples:
  claimtrack report parties
  claimtrack report parties --by side --topic islamabad-talks-2026
"""
)
@click.option(
    "--by",
    "group",
    type=click.Choice(["party", "side"]),
    default="party",
    show_default=True,
    help="One row per party, or per side they act for.",
)
@click.option("--topic", help="Only this story.")
@output_options()
@click.pass_obj
def parties(env, group, topic, fmt, tablefmt) -> None:
    """Per party (or side): claims asserted, denials issued, retractions, contested claims."""
    from claimtrack.db import read_session
    from claimtrack.report import party_overview

    with read_session(env.engine()) as session:
        rows = party_overview(session, topic=topic, by_side=group == "side")
    emit(rows, fmt=fmt, tablefmt=tablefmt)
