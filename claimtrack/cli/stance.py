"""``claimtrack stance``: corrections by the desk to stances recorded by mistake.

A retraction is a party taking back what it said; a void is the desk saying it recorded
something wrongly. Both stay on record; a voided stance stops counting, and every
correction is in ``claimtrack log`` with who, when and why.
"""

from __future__ import annotations

import click

from claimtrack.cli import complete
from claimtrack.cli.options import (
    PARTY,
    language_code,
    not_empty,
    optional,
    stance_kind,
    when_option,
)


@click.group()
def stance() -> None:
    """Correct stances recorded by mistake: void them, or amend them.

    \b
    Examples:
      claimtrack stance void 12 --reason "Tasnim quoted the wrong official"
      claimtrack stance amend 12 --at 2026-04-12T11:00+03:30 --reason "time was wrong"
    """


@stance.command("void")
@click.argument("stance_ref", metavar="STANCE")
@click.option("--reason", required=True, help="Why: it goes into the record and the log.")
@click.pass_obj
def void(env, stance_ref, reason) -> None:
    """Void a mis-recorded stance: it stops counting, and stays on record.

    Reports as known at an earlier time (--known-at) still show it as it was.

    \b
    Example:
      claimtrack stance void 12 --reason "recorded against the wrong claim"
    """
    from claimtrack import record
    from claimtrack.db import write_session
    from claimtrack.report import status_of

    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin():
        found = record.void_stance(
            session, record.find_stance(session, stance_ref), reason=reason, editor=env.editor
        )
        record.log_event(session, env.editor, "stance void", f"#{found.id}: {reason}")
        session.flush()
        status = status_of(session, found.claim_id)
        what = _described(found)
    status = status or "stated by no one"
    click.echo(f"Voided stance #{found.id} ({what}) on claim #{found.claim_id} (now {status}).")


def _described(stance) -> str:
    """Whose stance it is, what and when said ("Human Rights Watch asserts, said
    2022-04-08 (Z)"): a correction says what it touched, so an id mistyped, or drawn
    otherwise on another database, shows before anyone relies on it."""
    from claimtrack.names import visible_name
    from claimtrack.times import said_when

    return f"{visible_name(stance.party.name)} {stance.kind}, said {said_when(stance)}"


@stance.command("amend")
@click.argument("stance_ref", metavar="STANCE")
@click.option("--reason", required=True, help="Why: it goes into the record and the log.")
@click.option("--kind", type=stance_kind(), help="What the party really did.")
@when_option("--at", help="When it was really said.")
@click.option(
    "--tz",
    metavar="ZONE",
    help="Zone for --at without an offset, and for now (not another offset).",
)
@click.option(
    "--quote",
    help="The words as really said.",
    callback=not_empty(optional("give the words as said")),
)
@click.option(
    "--quote-lang",
    metavar="CODE",
    help="The quote's language.",
    callback=language_code,
)
@click.option(
    "--source",
    metavar="SOURCE",
    help="Where it was really reported (id, URL, title).",
    callback=not_empty(optional("give a source's id, URL or title")),
)
@click.option(
    "--via",
    metavar="PARTY",
    help="Who it was really said to or through.",
    shell_complete=complete.parties,
    callback=not_empty(optional(PARTY)),
)
@click.pass_obj
def amend(env, stance_ref, reason, kind, at, tz, quote, quote_lang, source, via) -> None:
    """Void a stance and record it again as it should have been, in one step.

    What you do not give is copied from the old stance; the new one points to it.

    \b
    Examples:
      claimtrack stance amend 12 --kind disputes --reason "disputed, did not deny"
      claimtrack stance amend 12 --at 2026-04-12 --tz +03:30 --reason "date only"
    """
    from claimtrack import record
    from claimtrack.db import write_session
    from claimtrack.report import status_of
    from claimtrack.times import begun, parse_when

    said = begun(parse_when(at, tz, agree=True)) if at else None
    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin():
        old = record.find_stance(session, stance_ref)
        found_source = record.find_source(session, source) if source else None
        found_via = record.find_party(session, via) if via else None
        new = record.amend_stance(session, old, reason=reason, editor=env.editor, kind=kind,
                                  said=said, quote=quote, quote_lang=quote_lang,
                                  source=found_source, via=found_via)  # fmt: skip
        record.log_event(session, env.editor, "stance amend", f"#{old.id} -> #{new.id}: {reason}")
        session.flush()
        status = status_of(session, new.claim_id)
        was, now = _described(old), _described(new)
    click.echo(f"Stance #{old.id} ({was}) voided; recorded #{new.id} ({now}) in its place "
               f"(claim #{new.claim_id} now {status}).")  # fmt: skip
