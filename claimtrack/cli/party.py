"""``claimtrack party``: who speaks, by what names, and for whom."""

from __future__ import annotations

import click

from claimtrack.cli import complete
from claimtrack.cli.options import PARTY, not_empty, optional
from claimtrack.cli.output import note_override, output_options
from claimtrack.cli.output import show as show_rows

KINDS = ("person", "government", "agency", "organisation", "media")


@click.group()
def party() -> None:
    """Parties: people, governments, agencies, outlets, anonymous sources.

    \b
    Examples:
      claimtrack party add "JD Vance" --alias 万斯 --for "United States"
      claimtrack party show 万斯
    """


@party.command("add")
@click.argument("name")
@click.option(
    "--alias",
    "aliases",
    multiple=True,
    metavar="ALIAS",
    help="Another name, in any script (repeat for more).",
)
@click.option("--kind", type=click.Choice(KINDS), default="person", show_default=True)
@click.option(
    "--anonymous",
    is_flag=True,
    help="NAME is the descriptor of an anonymous source, as an editor would print it.",
)
@click.option(
    "--for",
    "acts_for",
    metavar="PARTY",
    help="The party this one acts for (its side).",
    shell_complete=complete.parties,
    callback=not_empty(optional(PARTY)),
)
@click.option("--create-missing", is_flag=True, help="Create the --for party if it is unknown.")
@click.option(
    "--description",
    metavar="TEXT",
    help='Who it is, as you would print it after the name ("Governor, Ohio").',
)
@click.pass_obj
def add(env, name, aliases, kind, anonymous, acts_for, create_missing, description) -> None:
    """Add a party and print its id.

    \b
    Examples:
      claimtrack party add "JD Vance" --alias 万斯 --alias Vance --for "United States"
      claimtrack party add "John Kasich" --description "Governor, Ohio" --for "Republican Party"
      claimtrack party add Iran --kind government --alias 伊朗 --alias 伊方
      claimtrack party add --anonymous "unnamed senior Iranian official" --for Iran
    """
    from claimtrack import record
    from claimtrack.db import write_session

    if anonymous and click.get_current_context().get_parameter_source("kind") not in (
        click.core.ParameterSource.DEFAULT, None):  # fmt: skip
        # nu18: "--anonymous --kind media" stored an anonymous party, --kind passed over
        from claimtrack.errors import UsageError

        raise UsageError(f"--anonymous is a kind of its own: leave out --kind {kind}")
    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin():
        created = []
        side = None
        if acts_for:
            side = record.resolve_party(
                session,
                acts_for,
                create_missing=create_missing,
                editor=env.editor,
                created=created,
                kind="organisation",
                typed=True,
            )
        new = record.add_party(
            session,
            name,
            kind="anonymous" if anonymous else kind,
            aliases=aliases,
            acts_for=side,
            description=description,
            editor=env.editor,
        )
        record.log_event(session, env.editor, "party add", f"#{new.id} {record.party_label(new)}")
        note_created(created)
        close = record.close_to_others(session, new)
    _note_overrides(new.id, name, aliases)
    from claimtrack.names import normalise, quoted_name

    # nu21: `party add Norsar --alias NORSAR` kept no alias, unsaid.
    for alias in dict.fromkeys(a.strip() for a in aliases):
        if normalise(alias) == normalise(name):
            click.echo(f"Note: alias {quoted_name(alias)} is the name itself as names are "
                       "found (case and accents aside): not kept as an alias",
                       err=True)  # fmt: skip
    if close:  # a typo of a party there is, perhaps: say how to make them one
        import shlex

        click.echo(f"Note: close to {', '.join(map(quoted_name, close))}: if it is the same "
                   f"party, claimtrack party merge {new.id} {shlex.quote(close[0])}",
                   err=True)  # fmt: skip
    click.echo(new.id)


@party.command("edit")
@click.argument("party_ref", metavar="PARTY", shell_complete=complete.parties)
@click.option("--name", help="Its new name (the old one stays an alias).")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    help="Its new kind (an anonymous source given one is a named party again).",
)
@click.option(
    "--anonymous",
    is_flag=True,
    help="It is an anonymous source: its name is the descriptor an editor would print.",
)
@click.option(
    "--for",
    "acts_for",
    metavar="PARTY",
    help="The party it now acts for.",
    shell_complete=complete.parties,
    callback=not_empty(optional(PARTY) + " (--for-no-one: its own side)"),
)
@click.option("--for-no-one", is_flag=True, help="It acts for no other party (its own side).")
@click.option(
    "--description",
    metavar="TEXT",
    help='Who it is ("Governor, Ohio"); an empty TEXT ("") removes it.',
)
@click.pass_obj
def edit(env, party_ref, name, kind, anonymous, acts_for, for_no_one, description) -> None:
    """Correct a party's name, kind, side or description; every change is in the log.

    \b
    Examples:
      claimtrack party edit "Tasnim" --name "Tasnim News Agency"
      claimtrack party edit 7 --for Iran
      claimtrack party edit "John Kasich" --description "Governor, Ohio"
      claimtrack party edit "a senior official" --anonymous
    """
    from claimtrack import record
    from claimtrack.db import write_session
    from claimtrack.errors import UsageError
    from claimtrack.names import visible_name

    if acts_for and for_no_one:
        raise UsageError("give --for or --for-no-one, not both")
    if anonymous and kind is not None:  # as party add refuses them together
        raise UsageError(f"--anonymous is a kind of its own: leave out --kind {kind}")
    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin():
        found = record.find_party(session, party_ref)
        old_name = found.name
        side = record.find_party(session, acts_for) if acts_for else None
        changes = record.edit_party(session, found, name=name, kind=kind, acts_for=side,
                                    no_side=for_no_one, description=description,
                                    anonymous=anonymous)  # fmt: skip
        if name is not None and name != old_name:
            record.add_alias(session, found, old_name)  # the old name still finds it
        record.log_event(session, env.editor, "party edit", f"#{found.id}: {'; '.join(changes)}")
    click.echo(visible_name(f"#{found.id} {found.name}: " + "; ".join(changes)))
    if name is not None:
        _note_overrides(found.id, name, ())


def _note_overrides(party_id: int, name: str, aliases) -> None:
    """Say on stderr when a name or alias just recorded holds a bidi override, as for a
    claim's text (nu19: "\u202eevil" showed the rest of a CSV's sides cell, and HTML's
    timeline, reversed; names are matched without it, so it went unseen)."""
    note_override("party name", name, f"correct it with: claimtrack party edit {party_id} "
                  "--name NAME")  # fmt: skip
    for alias in aliases:
        _note_overrides_in_alias(alias)


def _note_overrides_in_alias(alias: str) -> None:
    note_override("alias", alias, "the party is found by the alias without it too")


@party.command("merge")
@click.argument("party_ref", metavar="PARTY", shell_complete=complete.party_names)
@click.argument("into_ref", metavar="INTO", shell_complete=complete.parties)
@click.option(
    "--again",
    is_flag=True,
    help="Merge even where the two took other positions on a claim at overlapping times "
    "(then the one recorded later counts as the later).",
)
@click.pass_obj
def merge(env, party_ref, into_ref, again) -> None:
    """Make PARTY one with INTO: the same speaker recorded twice.

    PARTY's stances, the sources it published, its aliases and the parties acting for it
    move to INTO; PARTY's name becomes an alias of INTO, so it still finds it. The claims
    it spoke on are re-rated: each status the merge changes is named, and in the log.
    There is no undo: PARTY is named by its own name or id (an alias, such as a name
    merged away, is refused). Where the two took other positions on a claim at
    overlapping times (one asserted it at 10:00, the other denied it at 10:00), merged,
    only the order they were recorded would say which stands: refused, as 'claim deny'
    refuses it, unless --again.

    \b
    Example:
      claimtrack party merge "Tasnim" "Tasnim News Agency"
    """
    from claimtrack import merges, record
    from claimtrack.db import write_session
    from claimtrack.names import visible_name

    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin():
        found = record.find_party(session, party_ref)
        into = record.find_party(session, into_ref)
        record.check_named_itself(found, party_ref)
        merged, kept = found.name, into.name
        detail, effects = record.merge_parties(session, found, into, again=again)
        logged = detail + merges.log_text(effects, by_party=True)
        record.log_event(session, env.editor, "party merge", logged)
    click.echo(visible_name(f"Merged {detail}"))
    for line in merges.notes(effects, merged=merged, into=kept):
        click.echo(line, err=True)


@party.command("alias")
@click.argument("party_ref", metavar="PARTY", shell_complete=complete.parties)
@click.argument("aliases", nargs=-1, required=True, metavar="ALIAS...")
@click.pass_obj
def alias(env, party_ref, aliases) -> None:
    """Give PARTY more names.

    \b
    Example:
      claimtrack party alias "Esmaeil Baghaei" 巴加埃 "اسماعیل بقائی"
    """
    from claimtrack import record
    from claimtrack.db import write_session

    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin():
        found = record.find_party(session, party_ref)
        added = [a for a in aliases if record.add_alias(session, found, a) is not None]
        if added:
            record.log_event(
                session, env.editor, "party alias", f"#{found.id} {found.name}: {', '.join(added)}"
            )
        close = {a: record.close_to_others(session, found, a) for a in added}
    from claimtrack.names import quoted_name, visible_name

    # Another party's name, perhaps (a new user's `party alias Peskov Путин` made every
    # --by Путин Peskov's without a word).
    for name, others in close.items():
        if others:
            listed = ", ".join(map(quoted_name, others))
            click.echo(f"Note: {quoted_name(name)} is close to {listed}: check that it is "
                       "this party's name", err=True)  # fmt: skip

    for name in added:
        _note_overrides_in_alias(name)
    click.echo(visible_name(
        f"{found.name}: {len(added)} new alias(es)"
        if added
        else f"{found.name} already answers to that"
    ))  # fmt: skip


@party.command("list")
@output_options()
@click.pass_obj
def list_(env, fmt, tablefmt, out) -> None:
    """List every party with its kind, side, aliases and description.

    \b
    Example:
      claimtrack party list --format json
    """
    from claimtrack import render, report
    from claimtrack.db import read_session

    with read_session(env.engine()) as session:
        book = report.PartyBook(session)  # each party's side: the top of whom it acts for
        rows = ((r, book.side(r.id)) for r in report.party_rows(session))
        show_rows(render.PARTY_LIST, rows, fmt=fmt, tablefmt=tablefmt, out=out)


@party.command("show")
@click.argument("party_ref", metavar="PARTY", shell_complete=complete.parties)
@output_options(formats=("table", "json"))
@click.pass_obj
def show(env, party_ref, fmt, tablefmt, out) -> None:
    """Show a party: its names, side and description, and every stance it took or relayed
    (given as --via it; a stance that only cites an article of its, --source, is not listed).

    \b
    Example:
      claimtrack party show 万斯
    """
    from claimtrack import record, render, report
    from claimtrack.db import read_session
    from claimtrack.render import visible, visible_name

    with read_session(env.engine()) as session:
        detail = report.party_detail(session, record.find_party(session, party_ref))
    if fmt == "json":
        show_rows(render.PARTY_DETAIL, [detail], fmt="json", out=out)
        return
    click.echo(f"#{detail.party.id} {visible_name(detail.label)} [{detail.party.kind}]")
    if detail.party.description:
        click.echo(visible(detail.party.description))
    if detail.party.aliases:
        click.echo("also: " + ", ".join(visible_name(a) for a in detail.party.aliases))
    if detail.stances:
        click.echo()
        show_rows(render.PARTY_STANCES, detail.stances, fmt=fmt, tablefmt=tablefmt, out=out)


def note_created(parties) -> None:
    """Say on stderr which parties --create-missing created."""
    from claimtrack.names import quoted_name

    for p in parties:
        close = f" (did you mean {', '.join(map(quoted_name, p.close_to))}?)" if p.close_to else ""
        click.echo(f"Created party #{p.id} {quoted_name(p.name)} ({p.kind}){close}", err=True)
