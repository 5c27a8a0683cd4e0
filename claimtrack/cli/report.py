"""``claimtrack report``: what stands contested, and who is on each side."""

from __future__ import annotations

import click

from claimtrack.cli.output import emit, output_options, terminal_width, wrap

EXAMPLES = """
\b
Examples:
  claimtrack report contested
  claimtrack report contested --as-of 2026-04-11T23:00+05:00
  claimtrack report contested --format json | jq '.[].claim'
"""


@click.group()
def report() -> None:
    """Reports over the claims database.

    \b
    Example:
      claimtrack report contested --format json
    """


@report.command(epilog=EXAMPLES)
@click.option(
    "--as-of",
    metavar="WHEN",
    help="The state as it stood then: only stances said at or before WHEN "
    "(2026-04-12, 2026-04-12T08:30+05:00).",
)
@click.option(
    "--tz", metavar="ZONE", help="Zone for --as-of without an offset (+05:00, Asia/Karachi)."
)
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many claims.")
@output_options()
@click.pass_obj
def contested(env, as_of, tz, limit, fmt, tablefmt) -> None:
    """Claims that one party asserts and another denies or counters.

    A claim is contested when, taking each party's latest stance, some party asserts
    or confirms it and another denies, disputes or asserts a claim that contradicts
    it. Latest activity comes first.
    """
    from claimtrack.db import read_session
    from claimtrack.report import contested_claims
    from claimtrack.times import parse_when

    when = parse_when(as_of, tz).at if as_of else None
    engine = env.engine()
    with read_session(engine) as session:
        claims = contested_claims(session, as_of=when, limit=limit)
    render_contested(claims, fmt=fmt, tablefmt=tablefmt)


def render_contested(claims, *, fmt: str, tablefmt: str = "simple_grid") -> None:
    """Print contested claims as a table (aligned for wide characters), JSON or CSV."""
    if fmt == "table" and not claims:
        click.echo("No contested claims.")
        return
    rows = [c.as_dict() for c in claims]
    if fmt == "csv":
        rows = [
            {
                "claim_id": c.claim_id,
                "topic": c.topic,
                "claim": c.text,
                "asserted_by": [p.label() for p in c.support],
                "denied_or_countered_by": [p.label() for p in c.oppose],
                "contested_since": c.contested_since.isoformat() if c.contested_since else "",
                "last_activity": c.last_activity.isoformat() if c.last_activity else "",
            }
            for c in claims
        ]
    # The claim column takes what the fixed columns leave of the terminal.
    party_width = 26
    claim_width = max(24, min(60, terminal_width() - 110))
    table = [
        [
            c.claim_id,
            wrap(c.text, claim_width),
            _positions_cell(c.support, party_width),
            _positions_cell(c.oppose, party_width),
            str(c.contested_since or ""),
            str(c.last_activity or ""),
        ]
        for c in claims
    ]
    headers = [
        "id",
        "claim",
        "asserted by",
        "denied / countered by",
        "contested since",
        "last activity",
    ]
    emit(rows, fmt=fmt, tablefmt=tablefmt, table_rows=table, headers=headers)


def _positions_cell(positions, width: int) -> str:
    """Each party with its side, and under it the quote as said, via whom."""
    lines = []
    for p in positions:
        lines.append(wrap(p.label(), width))
        if p.quote:
            via = f" (via {p.via})" if p.via else ""
            lines.append(wrap(f"  “{p.quote}”{via}", width))
    return "\n".join(lines)
