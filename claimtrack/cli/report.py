"""``claimtrack report``: what stands contested, the claims by status, the parties."""

from __future__ import annotations

import click

from claimtrack.cli import complete
from claimtrack.cli.options import when_option
from claimtrack.cli.output import FLAT, output_options, show

# models.CLAIM_STATUSES, spelled out so that --help need not import SQLAlchemy (a test
# keeps the two equal).
STATUSES = ("contested", "self-contradicted", "asserted", "retracted", "denied", "unsupported")
SORTS = ("activity", "since", "id")  # selection.SORTS


@click.group()
def report() -> None:
    """Reports over the claims database: the overview for the morning meeting.

    \b
    Example:
      claimtrack report contested --format json
    """


def selection_options(*, status: bool = True, party_help: str | None = None):
    """Every criterion a report, listing or export of claims takes, stacked once."""
    options = [
        click.option("--topic", help="Only this story.", shell_complete=complete.topics),
        click.option(
            "--party",
            "party_ref",
            metavar="PARTY",
            shell_complete=complete.parties,
            help=party_help or "Only claims this party (or anyone acting for it) is on a side of.",
        ),
        click.option(
            "--side",
            type=click.Choice(["for", "against"]),
            help="With --party: only where it (or anyone acting for it) is on this side "
            "of the claim: for by its latest stance, against by its latest stance or by "
            "asserting a counter-claim of it.",
        ),
        *(
            [click.option("--status", type=click.Choice(STATUSES), help="Only this status.")]
            if status
            else []
        ),
        click.option("--search", metavar="TEXT", help="Words in the claim or a quote, any script."),
        when_option(
            "--since",
            help="Only claims active at or after WHEN (a stance said on a day: all that day).",
        ),
        when_option(
            "--until", help="Only claims last active at or before WHEN (a bare date: that day too)."
        ),
        when_option(
            "--as-of",
            help="The state as it stood then: only what was said by WHEN (a bare date: "
            "by the end of that day).",
        ),
        when_option(
            "--known-at",
            help="The report as the desk could have printed it then: only what had been "
            "recorded (and not voided) by WHEN.",
        ),
        click.option(
            "--tz",
            metavar="ZONE",
            help="Zone for times without an offset, and for now: +05:00 or Asia/Karachi "
            "(a time with another offset is refused).",
        ),
        click.option(
            "--anonymous",
            "anonymous_only",
            is_flag=True,
            help="Only claims where a side rests on anonymous sources alone.",
        ),
        click.option(
            "--unrated",
            is_flag=True,
            help="Only claims the desk has given no verdict (others' verdicts do not count).",
        ),
        click.option(
            "--between-sides",
            is_flag=True,
            help="Only claims whose parties for and against act for different sides.",
        ),
        click.option(
            "--sort",
            type=click.Choice(SORTS),
            default="activity",
            show_default=True,
            help="Latest activity, latest contested, or by id.",
        ),
        click.option(
            "--limit", type=click.IntRange(min=1, max=10**9), help="At most this many claims."
        ),
    ]

    def decorator(f):
        for option in reversed(options):
            f = option(f)
        return f

    return decorator


def build_selection(session, *, party_ref=None, side=None, since=None, until=None, as_of=None,
                    known_at=None, tz=None, any_stance=False, **rest):  # fmt: skip
    """The Selection a command's options describe; ``any_stance``: --party without --side
    means any stance of the party or its affiliates, not only a side (``claim list``)."""
    from claimtrack.errors import UsageError
    from claimtrack.report import as_of_now
    from claimtrack.selection import Selection
    from claimtrack.times import parse_when

    if party_ref is not None and not party_ref.strip():
        raise UsageError("--party is empty: give a party's id, name or alias")
    if rest.get("search") is not None and not rest["search"].strip():
        # An empty shell variable: refused, as --party is (it matched every claim).
        raise UsageError("--search is empty: give the words to look for")
    if rest.get("search") is not None:
        from claimtrack.names import normalise

        if not normalise(rest["search"]):  # nu21: a zero-width space matched every claim
            raise UsageError("--search has only invisible characters: give the words to look for")
    if side and not party_ref:
        raise UsageError("--side goes with --party")
    party = None
    if party_ref:
        from claimtrack.record import find_party
        from claimtrack.report import parties_on_side_of

        party = find_party(session, party_ref)
    if rest.get("topic") is not None:
        from claimtrack.lookup import check_topic

        check_topic(session, rest["topic"])
    if rest.get("search"):
        from claimtrack.search import MANY, loosenings, matching_claims

        found = matching_claims(session, rest["search"])
        typed = rest["search"]
        for words in loosenings(typed) if found == [] else ():
            # '"misfire"' or 'the bridge.' pasted from a story: no claim holds the marks,
            # so the words are searched without them, a step at a time, and the user told.
            rest["search"], found = words, matching_claims(session, words)
            if found != []:
                break
        if rest["search"] != typed:
            click.echo(
                f"Note: no claim or quote holds {typed!r} as typed; "
                f"searched for {rest['search']!r}",
                err=True,
            )
        if found == MANY:
            rest["search_many"] = True
        elif found is not None:
            rest["search_ids"] = tuple(found)
    # No --as-of is now: as every write keeps it, unless a stance is dated after now.
    when = parse_when(as_of, tz, agree=True, option="--as-of") if as_of else as_of_now(session, tz)
    known = parse_when(known_at, tz, agree=True, option="--known-at") if known_at else None
    since_at = parse_when(since, tz, agree=True, option="--since").at if since else None
    until_at = parse_when(until, tz, agree=True, option="--until").until if until else None
    if since_at is not None and until_at is not None and until_at <= since_at:
        raise UsageError(f"--until {until} is not after --since {since}: nothing can be in it")
    selection = Selection(
        party_ids=tuple(parties_on_side_of(session, party)) if party else None,
        any_stance=any_stance,
        side={"for": "support", "against": "oppose"}.get(side),
        # A bare date is its whole day: --since from its start, the rest to its end.
        # A time with its own offset and a --tz at another: refused, as on writes.
        since=since_at,
        until=until_at,
        as_of=when.until if when else None,
        known_at=known.until if known else None,
        **rest,
    )
    note_future(as_of=when if as_of else None, known_at=known)  # once nothing is refused
    return selection


def note_future(**given) -> None:
    """A note on stderr for an --as-of or --known-at that has not come yet (a year typed
    wrong): the answer is the one for now, which read as the day asked for."""
    from claimtrack.times import now

    current = now().at
    for name, when in given.items():
        if when and when.at > current:
            option = "--" + name.replace("_", "-")
            click.echo(
                f"Note: {option} {when} has not come yet: this is the answer as things stand now",
                err=True,
            )


def describe_times(options) -> str:
    """ " as of 2026-04-12 (+03:30)", as the user gave the times back, for titles."""
    from claimtrack.times import parse_when

    words = []
    for name, label in (("as_of", "as of"), ("known_at", "as known at")):
        if options.get(name):
            words.append(f" {label} {parse_when(options[name], options.get('tz'), agree=True)}")
    return "".join(words)


@report.command(
    epilog="""
\b
Examples:
  claimtrack report contested
  claimtrack report contested --party Iran --side against
  claimtrack report contested --as-of 2026-04-11T23:00+05:00
  claimtrack report contested --anonymous --format json | jq '.[].claim'
  claimtrack report contested --format csv > contested.csv
  claimtrack report contested --format html --out contested.html
  claimtrack report contested --include-resolved --since 2026-04-12
  claimtrack report contested --known-at "2026-04-12T09:00+05:00"
"""
)
@selection_options(status=False)
@click.option(
    "--include-resolved",
    is_flag=True,
    help="Also claims that were contested and no longer are, with how and when it ended.",
)
@output_options(formats=(*FLAT, "html"))
@click.pass_obj
def contested(env, fmt, tablefmt, out, **options) -> None:
    """Claims that one party asserts and another denies or counters.

    A claim is contested when, taking each party's latest stance, some party asserts
    or confirms it and another denies, disputes or asserts a claim that contradicts
    it (docs/model.md). Each side is shown with the side its parties act for; a side
    that rests on anonymous sources alone is flagged. Every format lists the same
    claims in the same order; tables and the page name a few parties per side, JSON,
    CSV and XLSX all of them. The html page opens with a picture of each topic's
    dispute (claims, contradictions, each party's stance in its side's colour; at most
    40 claims per topic, the most recently active) and gives each claim a strip of its
    status periods.
    """
    from claimtrack import render, report
    from claimtrack.db import read_session

    def page(rows):  # only the html page draws: the other formats need not import graph
        from claimtrack import graph

        return graph.page(session, rows, selection)

    with read_session(env.engine()) as session:
        selection = build_selection(session, status="contested", **options)
        title = "Contested claims" + describe_times(options)
        # The page draws each claim's status periods, and JSON, CSV and XLSX list them (as
        # export does): all but the table read the stored history.
        rows = report.claims(session, selection, detail=True, history=fmt != "table")
        show(render.CONTESTED, rows, fmt=fmt, tablefmt=tablefmt, out=out, title=title,
             page=page)  # fmt: skip


@report.command(
    epilog="""
\b
Examples:
  claimtrack report claims --status denied
  claimtrack report claims --topic islamabad-talks-2026 --format csv > claims.csv
"""
)
@selection_options()
@output_options()
@click.pass_obj
def claims(env, fmt, tablefmt, out, **options) -> None:
    """Claims by status (asserted, contested, denied, retracted, ...), latest first."""
    from claimtrack import render, report
    from claimtrack.db import read_session

    with read_session(env.engine()) as session:
        selection = build_selection(session, **options)
        show(render.CLAIMS, report.claims(session, selection), fmt=fmt, tablefmt=tablefmt,
             out=out)  # fmt: skip


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
    help="One row per party, or per side they act for (each claim counted once per side).",
)
@click.option("--topic", help="Only this story.", shell_complete=complete.topics)
@output_options()
@click.pass_obj
def parties(env, group, topic, fmt, tablefmt, out) -> None:
    """Per party (or side): claims it supports and opposes, counter-claims it stands
    behind, retractions in force, contested claims it is on a side of, stances.

    Per side, each claim and counter-claim counts once however many of the side's
    parties took part in it (a ministry and the government it acts for asserting one
    claim: one asserted claim); stances are all its parties' stances, added up."""
    from claimtrack import render, report
    from claimtrack.db import read_session

    with read_session(env.engine()) as session:
        from claimtrack.lookup import check_topic

        check_topic(session, topic)
        if group == "side":
            rows = report.side_counts(session, topic=topic)
        else:
            rows = report.party_counts(session, topic=topic)
    show(render.SIDES if group == "side" else render.PARTIES, rows, fmt=fmt, tablefmt=tablefmt,
         out=out)  # fmt: skip


@report.command(
    epilog="""
\b
Examples:
  claimtrack report changes
  claimtrack report changes --since 2026-04-12T09:00+05:00
  claimtrack report changes --since 2026-04-11 --until 2026-04-12 --format json
"""
)
@when_option(
    "--since", help="From when (the last meeting; default: one day before --until, or before now)."
)
@when_option("--until", help="Until when (default: now; a date: its end).")
@click.option("--topic", help="Only this story.", shell_complete=complete.topics)
@when_option("--known-at", help="As the desk had it recorded then.")
@click.option(
    "--tz",
    metavar="ZONE",
    help="Zone for times without an offset, and for now (a time with another offset is refused).",
)
@output_options()
@click.pass_obj
def changes(env, since, until, topic, known_at, tz, fmt, tablefmt, out) -> None:
    """What changed since the last meeting: new claims, claims newly contested, disputes
    resolved (and how), claims retracted, new stances on contested claims, new verdicts,
    new counter-claims.

    Times are when things were said; a verdict's is when it was published, as its
    publisher said (an imported review's datePublished; the desk's own: when recorded).
    --since/--until are on that axis; --known-at is when the desk recorded them.
    """
    from claimtrack import render, report
    from claimtrack.db import read_session
    from claimtrack.selection import Selection
    from claimtrack.times import parse_when

    # No --until is --until now: a stance dated after now (a typo kept from before such
    # times were refused) is not a change yet.
    selection = Selection(
        topic=topic,
        as_of=parse_when(until or "now", tz, agree=True, option="--until").until,
        known_at=(parse_when(known_at, tz, agree=True, option="--known-at").until
                  if known_at else None),
    )  # fmt: skip
    if since:
        start = parse_when(since, tz, agree=True, option="--since").at
    else:  # the last day: what changed since this time yesterday
        import datetime as dt

        start = selection.as_of - dt.timedelta(days=1)
    if until and selection.as_of <= start:  # (a --since after now: nothing yet)
        from claimtrack.errors import UsageError

        raise UsageError(f"--until {until} is not after --since {since}: nothing can change")
    with read_session(env.engine()) as session:
        from claimtrack.lookup import check_topic

        check_topic(session, topic)
        rows = report.changes(session, selection, start)  # streamed, window by window
        show(render.CHANGES, rows, fmt=fmt, tablefmt=tablefmt, out=out)
