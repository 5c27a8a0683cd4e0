"""``claimtrack source``: where statements appeared."""

from __future__ import annotations

import click

from claimtrack.cli import complete
from claimtrack.cli.options import PARTY, language_code, not_empty, optional, when_option
from claimtrack.cli.output import output_options, show


@click.group()
def source() -> None:
    """Sources: the articles, broadcasts and posts that carried statements.

    \b
    Examples:
      claimtrack source add "Talks end" --outlet Reuters --url https://example.org/a
      claimtrack source list
    """


@source.command("add")
@click.argument("title")
@click.option(
    "--outlet",
    required=True,
    metavar="PARTY",
    help="The outlet that published it.",
    shell_complete=complete.parties,
    callback=not_empty(PARTY),
)
@click.option(
    "--url", help="Its address (http or https).", callback=not_empty(optional("give an address"))
)
@when_option("--published", help="When it was published (2026-04-12).")
@click.option("--tz", metavar="ZONE", help="Zone for --published without an offset.")
@click.option(
    "--lang",
    metavar="CODE",
    help="Its language (zh, en, fa, ...).",
    callback=language_code,
)
@click.option("--create-missing", is_flag=True, help="Create the outlet if it is unknown.")
@click.pass_obj
def add(env, title, outlet, url, published, tz, lang, create_missing) -> None:
    """Add a source and print its id (the outlet's source of this title is reused).

    A source of this title from another outlet is named in a note: --source by the
    title then finds both, and needs the id.

    \b
    Example:
      claimtrack source add "美伊谈判无果而终" --outlet 新华社 --published 2026-04-12 --tz +08:00
    """
    from claimtrack import record
    from claimtrack.cli.party import note_created
    from claimtrack.db import write_session
    from claimtrack.times import begun, parse_when

    when = begun(parse_when(published, tz, agree=True), "published") if published else None
    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin():
        created = []
        outlet_party = record.resolve_party(
            session,
            outlet,
            create_missing=create_missing,
            editor=env.editor,
            created=created,
            kind="media",
            typed=True,
        )
        found, new = record.get_or_add_source(
            session, title, outlet=outlet_party, url=url, language=lang, published=when
        )
        others = []
        if new:
            record.log_event(session, env.editor, "source add", f"#{found.id} {title}")
            others = [(s.id, s.outlet.name) for s in record.sources_titled(session, found.title)
                      if s.id != found.id]  # fmt: skip
        note_created(created)
    if not new:
        click.echo(f"Source #{found.id} exists already; using it.", err=True)
    if others:
        # Another outlet's source of this title (new user: a second "IDF press briefing"
        # made every --source naming the first ambiguous, unsaid).
        from claimtrack.names import quoted_name

        which = ", ".join(f"#{i} (outlet {quoted_name(name)})" for i, name in others)
        click.echo(f"Note: source{'s' if len(others) > 1 else ''} {which} "
                   f"{'have' if len(others) > 1 else 'has'} this title too: a --source naming "
                   f"it by its title is ambiguous now; give the id (this one's: {found.id})",
                   err=True)  # fmt: skip
    click.echo(found.id)


@source.command("list")
@output_options()
@click.pass_obj
def list_(env, fmt, tablefmt, out) -> None:
    """List the sources.

    \b
    Example:
      claimtrack source list --format csv > sources.csv
    """
    from claimtrack import render, report
    from claimtrack.db import read_session

    with read_session(env.engine()) as session:
        show(render.SOURCES, report.source_rows(session), fmt=fmt, tablefmt=tablefmt, out=out)
