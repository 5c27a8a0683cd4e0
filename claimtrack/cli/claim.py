"""``claimtrack claim``: record claims and every party's stance on them, and read them back."""

from __future__ import annotations

import click

from claimtrack.cli import complete
from claimtrack.cli.inputs import InputFile
from claimtrack.cli.options import PARTY, language_code, not_empty, optional, when_option
from claimtrack.cli.output import note_override, output_options
from claimtrack.cli.output import show as show_rows
from claimtrack.cli.report import build_selection, selection_options
from claimtrack.vocabulary import KINDS, SUPPORT


@click.group()
def claim() -> None:
    """Claims, and who asserts, confirms, denies, disputes or retracts them.

    \b
    Examples:
      claimtrack claim add "Two destroyers transited Hormuz" --by "United States"
      claimtrack claim deny 1 --by Iran --quote "伊朗否认这一消息"
      claimtrack claim show 1
    """


new_topic_option = click.option(
    "--new-topic",
    is_flag=True,
    help="Start --topic though a topic close to it exists (else refused as a likely typo).",
)


# What --party-kind may make of a new --by party: ``schema.PARTY_KINDS``, named here so
# that the options are made without importing SQLAlchemy (a test keeps the two equal).
CREATED_KINDS = ("person", "government", "agency", "organisation", "media", "anonymous")


def stance_options(f):
    """The options that say who took a position, where, through whom, and when."""
    options = [
        click.option(
            "--by",
            required=True,
            metavar="PARTY",
            help="Who says it: a party's id, name or alias.",
            shell_complete=complete.parties,
            callback=not_empty(PARTY),
        ),
        click.option(
            "--source",
            metavar="SOURCE",
            help="Where it was reported: a source id, URL or exact title.",
            callback=not_empty(optional("give a source's id, URL or title")),
        ),
        click.option(
            "--url",
            help="Where it was reported, by address; added as a source if new (its outlet: "
            "--via, or else the party).",
            callback=not_empty(optional("give an address")),
        ),
        click.option(
            "--via",
            metavar="PARTY",
            shell_complete=complete.parties,
            help="Who it was said to or through (told Reuters: --via Reuters).",
            callback=not_empty(optional(PARTY)),
        ),
        click.option("--quote", help="The words as said, in their original language."),
        click.option(
            "--quote-file",
            type=InputFile(allow_dash=True),
            metavar="FILE",
            help="Read the quote from FILE (- for standard input): for a long statement.",
        ),
        click.option(
            "--quote-lang",
            metavar="CODE",
            help="The quote's language (zh, fa, en...).",
            callback=language_code,
        ),
        click.option(
            "--at",
            default="now",
            show_default=True,
            metavar="WHEN",
            help="When it was said: 2026-04-12, 2026-04-12T08:30+05:00 or now.",
        ),
        click.option(
            "--tz",
            metavar="ZONE",
            help="Zone for --at without an offset, and for now: +05:00 or Asia/Karachi "
            "(an --at with another offset is refused).",
        ),
        click.option(
            "--create-missing",
            is_flag=True,
            help="Create unknown parties named here (and say so); not one a keystroke "
            "from a known one.",
        ),
        click.option(
            "--party-kind",
            type=click.Choice(CREATED_KINDS),
            help="The kind of the --by party that --create-missing creates (default person; "
            "a --via party is created as media). A known party of another kind is refused: "
            "change it with 'party edit --kind' (or --anonymous).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _record_stance(session, env, target, kind, opts, created, *, again=False):
    """Resolve the stance options and record the stance; returns it."""
    return _add_stance(session, env, target, kind, _stance_inputs(session, env, opts, created),
                       again=again)  # fmt: skip


def _checked_options(opts) -> dict:
    """The stance options checked that need no database: when, the quote, the address.
    ``claim add`` checks them before it looks for a claim saying the same, so that a
    mistyped time or address is named first, not hidden behind that refusal."""
    from claimtrack import record
    from claimtrack.errors import UsageError
    from claimtrack.times import begun, parse_when

    said = begun(parse_when(opts["at"], opts["tz"], agree=True))
    quote = opts["quote"]
    if opts["quote_file"] is not None:
        if quote is not None:
            raise UsageError("give --quote or --quote-file, not both")
        quote = text_argument(None, opts["quote_file"], "--quote-file")
    if quote is not None and not quote.strip():
        # An empty shell variable, most often: the stance would be recorded as unquoted.
        option = "--quote-file" if opts["quote_file"] is not None else "--quote"
        raise UsageError(f"{option} is empty: give the words as said, or leave it out")
    if opts["source"] and opts["url"]:
        raise UsageError("give --source or --url, not both")
    url = record.check_url(opts["url"]) if opts["url"] else None
    if opts["party_kind"] and not opts["create_missing"]:
        raise UsageError("--party-kind is the kind of a party --create-missing creates: "
                         "pass --create-missing too")  # fmt: skip
    return {"said": said, "quote": quote, "url": url}


def _stance_inputs(session, env, opts, created, checked: dict | None = None) -> dict:
    """The stance options checked and resolved: when, the quote, who, via whom, where
    (``checked``: ``_checked_options`` already run). ``claim add`` and ``claim counter``
    call it before the claim is inserted, so that a refused option (a bad URL or zone,
    an unknown party) draws no claim id on PostgreSQL, whose sequences do not go back
    with a rollback."""
    from claimtrack import record
    from claimtrack.errors import ClaimtrackError, UsageError
    from claimtrack.names import quoted_name

    checked = checked or _checked_options(opts)
    said, quote, url = checked["said"], checked["quote"], checked["url"]

    def resolve(ref, kind_if_new):
        return record.resolve_party(
            session,
            ref,
            create_missing=opts["create_missing"],
            editor=env.editor,
            created=created,
            kind=kind_if_new,
            typed=True,
        )

    # The source first: a look-up, refused before --create-missing draws a party's id
    # (nu21: an unknown --source left the party sequence one further on PostgreSQL).
    source = new_url = None
    if opts["source"]:
        source = record.find_source(session, opts["source"])
    elif url:
        try:
            source = record.find_source(session, url)
        except ClaimtrackError:
            new_url = url  # added with the stance (``_add_stance``), the last write
    party_kind = opts["party_kind"]
    party = resolve(opts["by"], party_kind or "person")
    if party_kind and party not in created and party.kind != party_kind:
        # Not created, so not of the kind asked: said, not passed over.
        change = (f" (change its kind with 'claimtrack party edit {party.id} --kind "
                  f"{party_kind}')" if party_kind != "anonymous" else
                  f" (make it an anonymous source with 'claimtrack party edit {party.id} "
                  "--anonymous')")  # fmt: skip
        raise UsageError(
            f"{quoted_name(party.name)} exists already (kind: {party.kind}), so --party-kind "
            f"{party_kind} is not applied: it is the kind of a party --create-missing "
            f"creates{change}"
        )
    via = resolve(opts["via"], "media") if opts["via"] else None
    return {"said": said, "quote": quote, "quote_lang": opts["quote_lang"], "party": party,
            "via": via, "source": source, "new_url": new_url}  # fmt: skip


def _add_stance(session, env, target, kind, inputs: dict, *, again=False, first=False):
    """Record the stance ``_stance_inputs`` resolved on ``target``; returns it. ``first``:
    the command has just created the claim, which has no stance to repeat or retract (no
    statement looks for one)."""
    from claimtrack import record

    party, said, source = inputs["party"], inputs["said"], inputs["source"]
    earliest = None
    if not first:
        record.check_stance_changes_something(session, target, party, kind, said, again=again,
                                              quote=inputs["quote"])  # fmt: skip
        earliest = record.first_said(session, target)
    if inputs["new_url"]:
        url = inputs["new_url"]
        limit = record.MAX_LENGTH["source title"]
        if len(url) > limit:  # its title would be the address (nu17: "source title is ...")
            from claimtrack.errors import UsageError

            raise UsageError(
                f"--url is {len(url):,} characters long, and a source added by address takes "
                f"it as its title, which is at most {limit:,}: add the source first, with "
                "'claimtrack source add TITLE --outlet OUTLET --url URL', and give --source ID"
            )
        source, made = record.get_or_add_source(session, url, outlet=inputs["via"] or party,
                                                url=url)  # fmt: skip
        if made and inputs["via"] is None:
            # A source's outlet is not edited later: said now, while the command can be
            # run again (a TASS address filed as Peskov's own publication, unsaid).
            from claimtrack.names import quoted_name

            click.echo(
                f"Note: new source #{source.id} has {quoted_name(party.name)} as its outlet "
                "(no --via): for an outlet's report, give --via OUTLET or add the source "
                "first with 'claimtrack source add TITLE --outlet OUTLET --url URL'",
                err=True,
            )
    stance = record.add_stance(
        session,
        target,
        party,
        kind,
        said=said,
        quote=inputs["quote"],
        quote_lang=inputs["quote_lang"],
        via=inputs["via"],
        source=source,
        editor=env.editor,
    )
    _warn_too_long("quote", stance.quote)  # as recorded: nothing after it refuses the stance
    amend = f"record it again with 'claimtrack stance amend {stance.id}'"
    note_override("quote", stance.quote, amend)
    if earliest is not None and said.until <= earliest[0].at:
        # Wholly before anything said of the claim: a denial can come first, a date typed
        # wrong more often does (a stance dated the day before the attack it denies).
        from claimtrack.names import visible_name

        when, name, was = earliest
        click.echo(f"Note: stance #{stance.id} is dated {said}, before anything else said of "
                   f"claim #{target.id} (the first: {visible_name(name)} {was}, {when}); if its "
                   f"date is wrong: 'claimtrack stance amend {stance.id} --at TIME --reason "
                   "\"...\"'", err=True)  # fmt: skip
    return stance


# What an XLSX cell holds (``spreadsheet.CELL_LIMIT``; tests/test_xlsx.py keeps the two
# equal): a text within it needs no warning, and the command no spreadsheet module.
XLSX_CELL_LIMIT = 32_767
MAX_LISTED = 10  # the stances a merge names as repeats; the others it counts


def _warn_too_long(what: str, text: str | None) -> None:
    """Say on stderr when a text just recorded will not fit in an XLSX cell."""
    if text is None or len(text) <= XLSX_CELL_LIMIT:
        return
    from claimtrack.spreadsheet import too_long_for_xlsx

    warning = too_long_for_xlsx(what, text)
    if warning:
        click.echo(warning, err=True)


def _note_claim_text(new) -> None:
    """What a new claim's text, as stored (the blanks around it trimmed), is noted for:
    too long for an XLSX cell, a bidi override."""
    _warn_too_long("claim text", new.text)
    # Without it the text reads as this claim's (the same key): recording it again needs
    # --force (nu17: the note's remedy was refused as a duplicate, the note silent on it).
    note_override("claim text", new.text, "record the claim again without it, with --force "
                   "(the two read alike), and merge this one into it ('claimtrack claim merge "
                   f"{new.id} NEW')")  # fmt: skip


def _glimpse(text: str, limit: int = 200) -> str:
    """A note's view of a long text (a 200,000-character claim made a note of one line as
    long): its start and its length; ``claim show`` has the whole of it."""
    if len(text) <= limit:
        return text
    return f"{text[:limit].rstrip()}… ({len(text):,} characters in all)"


def _insert_claim(session, env, stored: tuple, lang: str | None):
    """The claim ``record.check_new_claim`` let through (its text, topic and slug as it
    returned them), inserted without looking for the same claim again."""
    from claimtrack import record

    text, topic, slug = stored
    return record.add_claim(session, text, topic=topic, language=lang, slug=slug,
                            editor=env.editor, allow_same=True, checked=True)  # fmt: skip


def _status(session, claim_id: int) -> str:
    from claimtrack.report import status_of

    return status_of(session, claim_id)


@claim.command("add")
@click.argument("text", required=False)
@click.option(
    "--text-file",
    type=InputFile(allow_dash=True),
    metavar="FILE",
    help="Read TEXT from FILE (- for standard input): for a text too long to type.",
)
@stance_options
@click.option(
    "--topic",
    default="general",
    show_default=True,
    help="The story it belongs to.",
    shell_complete=complete.topics,
)
@click.option("--slug", help="A short handle for the claim (asset-unfreeze).")
@click.option(
    "--lang",
    metavar="CODE",
    help="The language of TEXT.",
    callback=language_code,
)
@click.option("--force", is_flag=True, help="Add it even if the topic has a claim saying the same.")
@new_topic_option
@click.pass_obj
def add(env, text, text_file, topic, slug, lang, force, new_topic, **opts) -> None:
    """Record a claim asserted by a party, and print its id.

    TEXT is stored as given (only the blanks around it are trimmed); a text too long for
    the command line comes from a file or standard input (TEXT "-" or --text-file FILE,
    UTF-8).

    \b
    Examples:
      claimtrack claim add "The US agreed to unfreeze Iranian assets in Qatar" \\
        --by "unnamed senior Iranian official" --via Reuters \\
        --quote "美国已经同意解冻伊朗在卡塔尔的海外资产" --at 2026-04-11 --tz +05:00 \\
        --topic islamabad-talks --create-missing
      claimtrack claim add "Talks resume on Monday" --by "Pakistan Foreign Office" \\
        --create-missing --party-kind government
      claimtrack claim add - --by Tasnim < statement.txt
    """
    from claimtrack import record, state
    from claimtrack.cli.party import note_created
    from claimtrack.db import write_session
    from claimtrack.lookup import check_new_topic

    if "-" in (text, text_file) and opts.get("quote_file") == "-":
        from claimtrack.errors import UsageError

        raise UsageError("standard input can be read once: give the text or the quote a file")
    text = text_argument(text, text_file)

    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin(), state.once(session):
        created = []
        # Every refusal before the first write: on PostgreSQL a refused command would
        # otherwise draw ids that are never used (its sequences do not go back).
        checked = _checked_options(opts)  # a bad time or address named first
        stored = record.check_new_claim(session, text, topic=topic, slug=slug, allow_same=force)
        topic_notes = check_new_topic(session, topic, text, confirmed=new_topic)
        inputs = _stance_inputs(session, env, opts, created, checked)
        new = _insert_claim(session, env, stored, lang)
        similar = record.similar_claims(session, text, topic, exclude=(new.id,))
        _add_stance(session, env, new, "asserts", inputs, first=True)
        record.log_event(session, env.editor, "claim add", f"#{new.id} [{topic}] {new.text}")
        note_created(created)
    for note in topic_notes:
        click.echo(note, err=True)
    if similar:
        from claimtrack.names import visible

    for other in similar:
        click.echo(f"Note: similar claim #{other.id}: {_glimpse(visible(other.text))}", err=True)
    _note_claim_text(new)
    click.echo(new.id)


def text_argument(text: str | None, path: str | None, option: str = "--text-file") -> str:
    """TEXT as given, or read from a file or standard input ("-"), UTF-8."""
    if text is not None and path is None and text != "-":
        return text
    from claimtrack.errors import ClaimtrackError, UsageError
    from claimtrack.importer import MAX_FILE_BYTES, read_text

    if text is not None and path is not None:
        raise UsageError("give TEXT or --text-file, not both")
    if text is None and path is None:
        raise UsageError("give TEXT (or - to read it from standard input, or --text-file)")
    if path in (None, "-"):
        import sys

        if sys.stdin is None:  # closed when the command started (``<&-``)
            raise UsageError("standard input is closed: give the text, or a file with "
                             f"{option}")  # fmt: skip
        with click.open_file("-", "rb") as stdin:
            data = stdin.read(MAX_FILE_BYTES + 1)
        # Refused by what it holds, as a --text-file or --quote-file is (exit 1; nu19:
        # the same latin-1 text was exit 2 on standard input and 1 in a file).
        if len(data) > MAX_FILE_BYTES:
            raise ClaimtrackError(
                f"standard input is larger than {MAX_FILE_BYTES // 1024**2} MiB, the most a "
                "text read from it may be"
            )
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ClaimtrackError(
                f"standard input is not UTF-8 text (byte {exc.start} cannot be read): give "
                "text saved as UTF-8"
            ) from None
    from pathlib import Path

    return read_text(Path(path), option)


# `claim add` asserts; every other kind of stance has a command named for its verb.
STANCE_COMMANDS = {k.verb: (k.name, k.meaning) for k in KINDS if k.name != SUPPORT[0]}


def _stance_command(verb: str, kind: str, meaning: str):
    @click.argument("claim_ref", metavar="CLAIM", shell_complete=complete.claims)
    @stance_options
    @click.option(
        "--again",
        is_flag=True,
        help="Record it even though the party's latest stance already says so, or says "
        "the opposite at a time this one overlaps.",
    )
    @click.pass_obj
    def command(env, claim_ref, again, **opts) -> None:
        from claimtrack import record
        from claimtrack.cli.party import note_created
        from claimtrack.db import write_session

        engine = env.engine(write=True)
        with write_session(engine) as session, session.begin():
            created = []
            target = _find_claim(session, claim_ref)
            stance = _record_stance(session, env, target, kind, opts, created, again=again)
            record.log_event(
                session,
                env.editor,
                f"claim {verb}",
                f"#{target.id} {stance.party.name} {kind} (stance {stance.id})",
            )
            status = _status(session, target.id)
            note_created(created)
        from claimtrack.names import visible_name  # a name's controls shown, not obeyed

        click.echo(visible_name(
            f"Stance #{stance.id}: {stance.party.name} {kind} claim #{target.id} (now {status})"
        ))  # fmt: skip

    command.__doc__ = f"""Record that a party {meaning}.

    \b
    Examples:
      claimtrack claim {verb} 12 --by "unnamed US official" --at 2026-04-11 --tz +05:00
      claimtrack claim {verb} 12 --by "Qatari Foreign Ministry" --create-missing \\
        --party-kind government
    """
    return claim.command(verb)(command)


for _verb, (_kind, _meaning) in STANCE_COMMANDS.items():
    _stance_command(_verb, _kind, _meaning)


def _find_claim(session, ref, *, row: bool = False):
    """find_claim (with ``row``, as a Core row: for commands that only read), saying on
    stderr when an old id was merged into another."""
    if row:
        from claimtrack.lookup import find_claim
    else:
        from claimtrack.record import find_claim

    from claimtrack.lookup import merged_note

    found = find_claim(session, ref)
    note = merged_note(ref, found)
    if note:
        click.echo(note, err=True)
    return found


@claim.command("counter")
@click.argument("claim_ref", metavar="CLAIM", shell_complete=complete.claims)
@click.argument("text")
@stance_options
@click.option(
    "--topic",
    help="Its story; default: the story of CLAIM.",
    shell_complete=complete.topics,
)
@click.option("--slug", help="A short handle for the counter-claim.")
@click.option(
    "--lang",
    metavar="CODE",
    help="The language of TEXT.",
    callback=language_code,
)
@new_topic_option
@click.pass_obj
def counter(env, claim_ref, text, topic, slug, lang, new_topic, **opts) -> None:
    """Record a counter-claim: a new claim, asserted by a party, that contradicts CLAIM.

    Prints the new claim's id. TEXT "-" reads it from standard input.

    \b
    Example:
      claimtrack claim counter 2 "Iran intercepted and expelled the destroyers" --by Iran \\
        --quote "拦截并驱逐美舰" --at 2026-04-11 --tz +05:00
    """
    from claimtrack import record
    from claimtrack.cli.party import note_created
    from claimtrack.db import write_session
    from claimtrack.lookup import check_new_topic

    text = text_argument(text, None)

    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin():
        created = []
        target = _find_claim(session, claim_ref)
        topic = topic or target.topic
        # Every refusal before the first write (as in `claim add`): no id drawn for nothing.
        stored = record.check_new_claim(session, text, topic=topic, slug=slug)
        topic_notes = check_new_topic(session, topic, text, confirmed=new_topic)
        inputs = _stance_inputs(session, env, opts, created)
        new = _insert_claim(session, env, stored, lang)
        _add_stance(session, env, new, "asserts", inputs, first=True)
        record.link_claims(session, new, target, "contradicts", editor=env.editor)
        record.log_event(
            session, env.editor, "claim counter", f"#{new.id} contradicts #{target.id}: {new.text}"
        )
        note_created(created)
    for note in topic_notes:
        click.echo(note, err=True)
    _note_claim_text(new)
    click.echo(new.id)


@claim.command("link")
@click.argument("a", metavar="A", shell_complete=complete.claims)
@click.argument("b", metavar="B", shell_complete=complete.claims)
@click.option("--contradicts", "contradicts", is_flag=True, help="A contradicts B.")
@click.option("--same-as", "same_as", is_flag=True, help="A says the same as B.")
@click.pass_obj
def link(env, a, b, contradicts, same_as) -> None:
    """Link two claims: A contradicts B, or A is the same as B.

    \b
    Example:
      claimtrack claim link 8 7 --contradicts
    """
    from claimtrack import record
    from claimtrack.db import write_session
    from claimtrack.errors import ClaimtrackError, UsageError
    from claimtrack.lookup import find_claim, merged_note

    if contradicts == same_as:
        raise UsageError("say how they are linked: --contradicts or --same-as (one of them)")
    kind = "contradicts" if contradicts else "same_as"
    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin():
        first, second = record.find_claim(session, a), record.find_claim(session, b)
        if first.id == second.id:  # one claim: bad usage (exit 2), as `claim merge X X`,
            named = [find_claim(session, ref, follow=False) for ref in (a, b)]
            merged = [row.id for row in named if row.merged_into_id is not None]
            if merged:  # unless an old id made it one (refused by the data, exit 1)
                raise ClaimtrackError(f"claim #{merged[0]} was merged into #{first.id}: "
                                      "a claim cannot be linked to itself")  # fmt: skip
            raise UsageError(
                f"claim {first.id} is #{second.id}: a claim cannot be linked to itself"
            )
        for ref, found in ((a, first), (b, second)):  # said once not refused: one line
            note = merged_note(ref, found)
            if note:
                click.echo(note, err=True)
        if record.find_link(session, first, second, kind) is not None:
            click.echo(f"Claims #{first.id} and #{second.id} are linked already.")
            return
        record.link_claims(session, first, second, kind, editor=env.editor)
        record.log_event(session, env.editor, "claim link", f"#{first.id} {kind} #{second.id}")
    click.echo(f"Claim #{first.id} {kind.replace('_', ' ')} #{second.id}.")


def _recorded_by(session, claim, known) -> bool:
    """Whether the desk had recorded any stance on the claim by ``known``."""
    from sqlalchemy import exists, select

    from claimtrack.schema import stance

    s = stance.c
    return bool(session.scalar(
        select(exists().where(s.claim_id == claim.id, s.recorded_at < known.until))
    ))  # fmt: skip


@claim.command("merge")
@click.argument("duplicate", metavar="DUP", shell_complete=complete.claims)
@click.argument("into", metavar="INTO", shell_complete=complete.claims)
@click.option(
    "--again",
    is_flag=True,
    help="Merge even where a party took other positions on the two at overlapping times "
    "(then the one recorded later counts as the later).",
)
@click.pass_obj
def merge(env, duplicate, into, again) -> None:
    """Merge claim DUP into INTO: its stances and links move, nothing is deleted.

    DUP's id keeps working and says where it went. Each status the merge changes is
    named, and in the log. Where a party took other positions on the two at overlapping
    times (asserted one at 10:00, denied the other at 10:00), merged, only the order they
    were recorded would say which stands: refused, as 'claim deny' refuses it, unless
    --again.

    \b
    Example:
      claimtrack claim merge 14 3
    """
    from claimtrack import merges, record
    from claimtrack.db import write_session
    from claimtrack.errors import ClaimtrackError
    from claimtrack.lookup import find_claim

    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin():
        dup, target = record.find_claim(session, duplicate), record.find_claim(session, into)
        named = [find_claim(session, ref, follow=False) for ref in (duplicate, into)]
        merged = [row.id for row in named if row.merged_into_id is not None]
        if dup.id == target.id:  # one claim: bad usage (exit 2), unless merged already
            if merged:  # the merge run twice, say: done already (exit 1)
                raise ClaimtrackError(
                    f"claim #{merged[0]} was merged into #{target.id} already: nothing to merge"
                )
        elif merged:  # an old id would merge the claim it went into: no undo, so refused
            end = dup if named[0].merged_into_id is not None else target
            raise ClaimtrackError(
                f"claim #{merged[0]} was merged into #{end.id} already: name #{end.id} itself "
                "to merge it"
            )
        topics = (dup.topic, target.topic)
        repeated = record.repeated_stances(session, dup, target)
        moved, verdicts, effects = record.merge_claims(session, dup, target, editor=env.editor,
                                                       again=again)  # fmt: skip
        and_verdicts = f" and {verdicts} verdict(s)" if verdicts else ""
        record.log_event(
            session,
            env.editor,
            "claim merge",
            f"#{dup.id} into #{target.id} ({moved} stances{and_verdicts} moved)"
            + merges.log_text(effects, by_party=False),
        )
        standing = None
        if verdicts:
            from claimtrack.verdicts import history

            standing = history(session, target)[0].label
    click.echo(f"Merged claim #{dup.id} into #{target.id}: {moved} stance(s){and_verdicts} moved.")
    if standing is not None:
        click.echo(
            f"Note: #{dup.id}'s verdicts are in #{target.id}'s history now; the newest recorded "
            f"stands: {standing!r} ('claimtrack verdict show {target.id}').",
            err=True,
        )
    if topics[0] != topics[1]:
        click.echo(
            f"Note: #{dup.id} was in topic {topics[0]!r}; its stances are now in #{target.id}'s "
            f"topic {topics[1]!r}.",
            err=True,
        )
    for line in merges.notes(effects, duplicate=dup.id, target=target.id):
        click.echo(line, err=True)
    if repeated:
        ids = ", ".join(f"#{i}" for i in repeated[:MAX_LISTED])
        more = f" and {len(repeated) - MAX_LISTED} more" if len(repeated) > MAX_LISTED else ""
        click.echo(
            f"Note: {len(repeated)} moved stance(s) repeat one #{target.id} had (same party, "
            f"stance, time, source and quote): {ids}{more}; if one was recorded twice, "
            "'claimtrack stance void ID' it.",
            err=True,
        )


@claim.command("edit")
@click.argument("claim_ref", metavar="CLAIM", shell_complete=complete.claims)
@click.option(
    "--slug", required=True, help="The claim's slug: set, or changed (the old one stops working)."
)
@click.pass_obj
def edit(env, claim_ref, slug) -> None:
    """Give CLAIM a slug, or another one; the change is in the log.

    A claim imported without a slug, or recorded without one, gets a stable name to use
    in scripts and notes (ids differ between databases). Its text and topic are what
    it says and where it stands: a claim recorded wrongly is merged into the right one
    (claim merge), never rewritten.

    \b
    Example:
      claimtrack claim edit 14 --slug gru-officers
    """
    from claimtrack import record
    from claimtrack.db import write_session
    from claimtrack.lookup import find_claim

    engine = env.engine(write=True)
    with write_session(engine) as session, session.begin():
        named = find_claim(session, claim_ref, follow=False)
        if named.merged_into_id is not None:  # its slug would move to the claim it went into
            from claimtrack.errors import ClaimtrackError

            end = find_claim(session, named.id).id
            raise ClaimtrackError(
                f"claim #{named.id} was merged into #{end}: name #{end} itself to change its slug"
            )
        from claimtrack.models import Claim

        found = session.get(Claim, named.id)
        change = record.set_slug(session, found, slug)
        record.log_event(session, env.editor, "claim edit", f"#{found.id}: {change}")
    click.echo(f"#{found.id}: {change}")


@claim.command("show")
@click.argument("claim_ref", metavar="CLAIM", shell_complete=complete.claims)
@when_option("--as-of", help="Show the claim as it stood then.")
@when_option("--known-at", help="Show it as the desk had it recorded then.")
@click.option(
    "--tz",
    metavar="ZONE",
    help="Zone for times without an offset, and for now (a time with another offset is refused).",
)
@output_options(formats=("table", "json"))
@click.pass_obj
def show(env, claim_ref, as_of, known_at, tz, fmt, tablefmt, out) -> None:
    """Show a claim: its status, its verdict, its linked claims and the timeline of every stance.

    The timeline includes the stances on its counter-claims ("counter-claim #8") and, on
    a counter-claim, those on the claim it contradicts ("countered claim #7"); it ends
    with the stances the desk voided (they do not count), each marked with when, by whom
    and why; a stance recorded by `stance amend` is marked with the one it amends.

    \b
    Examples:
      claimtrack claim show destroyers-transit
      claimtrack claim show 1 --as-of 2026-04-11 --format json
    """
    from dataclasses import replace

    from claimtrack import render
    from claimtrack.cli.report import note_future
    from claimtrack.db import read_session
    from claimtrack.report import claim_detail
    from claimtrack.times import parse_when

    when = parse_when(as_of, tz, agree=True, option="--as-of") if as_of else None
    known = parse_when(known_at, tz, agree=True, option="--known-at") if known_at else None
    with read_session(env.engine()) as session:
        found = _find_claim(session, claim_ref, row=True)
        # Before the desk recorded anything of it, as before anyone stated it (--as-of):
        # shown with no status and no stances, not refused.
        unknown = known is not None and not _recorded_by(session, found, known)
        detail = claim_detail(session, found, as_of=when, known_at=known)
    note_future(as_of=when, known_at=known)  # once nothing is refused, as reports note it
    # A claim nobody had stated (by then, or whose only stances were voided) has no status
    # of the rule's (docs/model.md): JSON gives it the word the table shows, not null.
    word = "unrecorded" if unknown else "unstated"
    if fmt == "json":
        if detail.row.status is None:
            detail = replace(detail, row=replace(detail.row, status=word))
        show_rows(render.DETAIL, [detail], fmt="json", out=out)
        return
    row = detail.row
    handle = f" ({row.slug})" if row.slug else ""
    # Each heading line wrapped to the terminal (``render.heading``), as the table is.
    click.echo(render.heading(f"Claim #{row.claim_id}{handle} [{row.topic}]: {row.text}"))
    looking_back = "".join(
        f" {label} {when}" for label, when in (("as of", when), ("as known at", known)) if when
    )
    status = row.status or (f"{word} (not yet recorded by the desk)" if unknown
                            else f"{word} (not yet stated by anyone)")  # fmt: skip
    click.echo(render.heading(f"Status: {status}{looking_back}"))
    if row.within_side():
        click.echo(render.heading(
            f"a dispute within {row.within_side()}: every party for and against acts for it",
            indent=2,
        ))  # fmt: skip
    for period in row.periods:
        click.echo(render.heading(render.period_text(period), indent=2))
    note = render.first_reported_note(row)
    if note is not None:
        click.echo(render.heading(note, indent=2))
    for linked in detail.links:
        relation = render.link_relation(linked)
        click.echo(render.heading(f"{relation} #{linked.claim_id}: {linked.text}", indent=2))
    if row.verdict:
        click.echo(render.heading(f"Verdict: {row.verdict}"))
    if not row.timeline and not detail.voided:
        click.echo("No stances" + (" by then." if looking_back else "."))
        return
    click.echo()
    # The voided after the stances that count, each marked: they do not count.
    show_rows(render.timeline_view(row.claim_id), [*row.timeline, *detail.voided], fmt=fmt,
              tablefmt=tablefmt, out=out)  # fmt: skip


@claim.command("list")
@selection_options(
    party_help="Only claims this party (or anyone acting for it) took any stance on, "
    "questions and comments included (with --side: is on that side of)."
)
@output_options()
@click.pass_obj
def list_(env, fmt, tablefmt, out, **options) -> None:
    """List claims with their status, latest activity first.

    \b
    Examples:
      claimtrack claim list --status contested --topic islamabad-talks-2026
      claimtrack claim list --party 万斯
      claimtrack claim list --search 驱逐舰 --format json
    """
    from claimtrack import render, report
    from claimtrack.db import read_session

    with read_session(env.engine()) as session:
        selection = build_selection(session, any_stance=True, **options)
        show_rows(render.CLAIMS, report.claims(session, selection), fmt=fmt, tablefmt=tablefmt,
                  out=out)  # fmt: skip
