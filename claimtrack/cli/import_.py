"""``claimtrack import``: bring claims in from CSV, others' ClaimReview, and public datasets."""

from __future__ import annotations

from pathlib import Path

import click

from claimtrack.cli import complete
from claimtrack.cli.inputs import InputFile, InputFolder
from claimtrack.cli.output import Progress


@click.group("import")
def import_() -> None:
    """Import claims from files: CSV, others' ClaimReview, the LIAR and PHEME datasets.

    \b
    Examples:
      claimtrack import csv stances.csv --dry-run
      claimtrack import claimreview politifact.json --topic election-2026
      claimtrack --db liar.db import liar ../shared/data/liar
    """


@import_.command("csv")
@click.argument("file", type=InputFile(path_type=Path))
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check the file and count what it would add (naming new parties); write nothing, "
    "and leave the next ids as they were.",
)
@click.option(
    "--raw",
    is_flag=True,
    help="The file was exported with --raw: keep leading apostrophes as they are.",
)
@click.option(
    "--tz",
    metavar="ZONE",
    help="The zone of times written without an offset (+03:00, Asia/Gaza), where the row "
    "gives none; without it such a time is refused.",
)
@click.option(
    "--new-topic",
    is_flag=True,
    help="Start the file's new topics though a topic close to one exists (else refused as "
    "a likely typo, by its first line).",
)
@click.option(
    "--again",
    is_flag=True,
    help="Import rows whose party took the other side of the claim at a time the row's "
    "overlaps (else refused, by line, as 'claim deny' refuses one without --again).",
)
@click.pass_obj
def csv_(env, file: Path, dry_run: bool, raw: bool, tz: str | None, new_topic: bool,
         again: bool) -> None:  # fmt: skip
    """Import a CSV of stances in one transaction: all of it or, on any bad row, none.

    FILE is the per-stance export ('export csv --per stance') or a minimal file an
    editor can type, with the columns claim, party, stance, source, date (and
    optionally topic, quote, via); its source is a source's title, as --source TITLE
    names one. UTF-8, with or without BOM. Importing the same file again adds nothing.
    The formats are described in docs/csv.md.

    \b
    Examples:
      claimtrack import csv stances.csv
      claimtrack import csv desk-notes.csv --dry-run
      claimtrack import csv desk-notes.csv --tz Asia/Karachi
    """
    from claimtrack.bulk import CsvFile, import_csv
    from claimtrack.db import ids_kept, write_session

    with CsvFile(file, raw=raw, tz=tz) as source:  # the file and its header, before the database
        engine = env.engine(write=True)
        with write_session(engine) as session:
            with ids_kept(session, dry_run=dry_run):
                report, rows = import_csv(
                    session, source, editor=env.editor, label=f"import {file.name}",
                    progress=Progress(), new_topic=new_topic, again=again,
                )  # fmt: skip
            if not dry_run:
                session.commit()  # a dry run ends with the session, rolled back
        if dry_run:
            env.discard_new_database()  # a dry run leaves no database behind
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {rows} row(s) from {file}: {report.summary()}.")
    if report.parties_created():
        click.echo(report.parties_created())
    if report.without_sides():
        click.echo(report.without_sides(), err=True)
    if report.too_long():
        click.echo(report.too_long(), err=True)
    if report.overrides.note():
        click.echo(report.overrides.note(), err=True)


@import_.command("claimreview")
@click.argument("file", type=InputFile(path_type=Path))
@click.option(
    "--topic",
    default="general",
    shell_complete=complete.topics,
    show_default=True,
    help="The story the reviewed claims belong to (ClaimReview does not say).",
)
@click.option(
    "--tz",
    metavar="ZONE",
    help="The zone of dates given without an offset (+05:00, Asia/Karachi); "
    "without it such a time is refused, and a bare date is a UTC day.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check the file and count what it would add; write nothing, and leave the next "
    "ids as they were.",
)
@click.option(
    "--new-topic",
    is_flag=True,
    help="Start --topic though a topic close to it exists (else refused as a likely typo).",
)
@click.pass_obj
def claimreview(env, file: Path, topic: str, tz: str | None, dry_run: bool,
                new_topic: bool) -> None:  # fmt: skip
    """Import other fact-checkers' ClaimReview (schema.org JSON-LD) as their verdicts.

    FILE is ClaimReview as publishers emit it: one object, a list, an @graph, an HTML
    page with <script type="application/ld+json"> blocks, or a DataFeed (the shape of
    the public ClaimReview data feeds). Each review becomes its claim (itemReviewed.text,
    else claimReviewed), the party who made it asserting it (itemReviewed.author) in
    each source it appeared in (firstAppearance, appearance), and the publisher's
    verdict: its own label and scale (reviewRating), placed on the shared scale when
    the label says where, with who published it (author) and when (datePublished, with
    the offset and precision given; a fraction of a second is dropped, and said). Nodes
    of other types are skipped and counted. A claim's text keeps its line breaks; a
    name, title or label is one line (a line break or tab in one is made a space, and
    said). A new --topic close to one there is is refused as a likely typo, unless
    --new-topic; one started beside others is named.

    One transaction: a bad review stops the import with its item number (or the line of
    a JSON syntax error) and nothing is written. The review's url is its identity:
    importing the same reviews again adds nothing.

    \b
    Examples:
      claimtrack import claimreview reviews.json
      claimtrack import claimreview fact-check.html --topic islamabad-talks-2026
      claimtrack import claimreview feed.json --tz UTC --dry-run
    """
    from claimtrack.claimreview import import_reviews
    from claimtrack.db import ids_kept, write_session

    engine = env.engine(write=True)
    with write_session(engine) as session:
        with ids_kept(session, dry_run=dry_run):
            report = import_reviews(session, file, topic=topic, tz=tz, editor=env.editor,
                                    new_topic=new_topic)  # fmt: skip
        if not dry_run:
            session.commit()  # a dry run ends with the session, rolled back
    if dry_run:
        env.discard_new_database()  # a dry run leaves no database behind
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} ClaimReview from {file}: {report.summary()}.")
    if report.topic_started():
        click.echo(report.topic_started())
    for note in report.notes():
        click.echo(note, err=True)


_DATASET_HELP = """

    Nothing is downloaded: DIR is the dataset's folder as published. The import goes
    through the same bulk path as 'import csv', in one transaction, and importing the
    folder again adds nothing. It ends by saying what each input row became."""


@import_.command("liar")
@click.argument("folder", metavar="DIR", type=InputFolder())
@click.option("--dry-run", is_flag=True, help="Convert and check; write nothing.")
@click.pass_obj
def liar(env, folder: Path, dry_run: bool) -> None:
    """Import LIAR (Wang, ACL 2017): PolitiFact's 12,836 rated statements.

    DIR holds LIAR's train.tsv, valid.tsv and test.tsv. Each statement becomes a claim
    (slug liar-ID, topic liar-FIRST-SUBJECT) asserted by its speaker, a party named for
    display (john-kasich: "John Kasich", the slug kept as an alias) acting for their
    political party and described by their job and state ("Governor, Ohio"); the
    context is the source. PolitiFact's rating is a verdict published by the party
    PolitiFact, in its words ("Pants on Fire!") and on the shared scale; it is not a
    stance, so it does not make a claim contested. Every subject and the speaker's
    record are kept in the verdict's summary. LIAR gives no dates: every stance and verdict
    is dated 2017-04-23, the day LIAR v1.0 was released.

    \b
    Examples:
      claimtrack import liar ../shared/data/liar
      claimtrack --db liar.db import liar ~/data/liar --dry-run
    """
    from claimtrack.datasets import liar as dataset

    _import_dataset(env, dataset.convert(folder), dry_run)


liar.help += _DATASET_HELP


@import_.command("pheme")
@click.argument("folder", metavar="DIR", type=InputFolder())
@click.option("--dry-run", is_flag=True, help="Convert and check; write nothing.")
@click.pass_obj
def pheme(env, folder: Path, dry_run: bool) -> None:
    """Import PHEME's rumour threads (Zubiaga and others, 2016), flattened.

    DIR holds pheme_tweets.csv and pheme_links.csv. Each thread's source tweet becomes
    a claim (slug pheme-EVENT-THREAD, topic pheme-EVENT) asserted by its author; each
    reply is its author's stance on it (agreed: confirms, disagreed: denies,
    appeal-for-more-information: questions, comment or unlabelled: comments), the tweet
    it answers kept in its source title; threads of one rumour are linked as the same
    claim; each news link is its outlet's stance on the rumour's first thread, once
    (for: confirms, against: denies, observing: comments); the thread's veracity is a
    verdict published by "PHEME annotators".

    \b
    Examples:
      claimtrack import pheme ../shared/data/pheme
      claimtrack --db pheme.db import pheme ~/data/pheme --dry-run
    """
    from claimtrack.datasets import pheme as dataset

    _import_dataset(env, dataset.convert(folder), dry_run)


pheme.help += _DATASET_HELP


def _import_dataset(env, conversion, dry_run: bool) -> None:
    from claimtrack.datasets import import_conversion
    from claimtrack.db import ids_kept, write_session

    engine = env.engine(write=True)
    with write_session(engine) as session:
        with ids_kept(session, dry_run=dry_run):
            result = import_conversion(session, conversion, editor=env.editor,
                                       progress=Progress())  # fmt: skip
        if not dry_run:
            session.commit()  # a dry run ends with the session, rolled back
    if dry_run:
        env.discard_new_database()  # a dry run leaves no database behind
    read = ", ".join(f"{n:,} from {name}" for name, n in conversion.read.items())
    click.echo(f"Read {sum(conversion.read.values()):,} row(s): {read}.")
    for what, n in conversion.accounted.items():
        click.echo(f"  {n:,} {what}")
    if conversion.replies:
        click.echo("Reply links, kept in each reply's source title:")
        for what, n in conversion.replies.items():
            click.echo(f"  {n:,} {what}")
    verb = "Would import" if dry_run else "Imported"
    publishers = sorted({v.publisher.name for v in conversion.verdicts})
    verdicts = (
        f", {result.verdicts:,} verdict(s) by {', '.join(publishers)}" if result.verdicts else ""
    )
    described = f", {result.described:,} party description(s)" if result.described else ""
    from claimtrack.names import quoted_name, visible_name

    click.echo(visible_name(
        f"{verb} {len(conversion.rows):,} stance row(s): "
        f"{result.report.summary()}{verdicts}{described}."
    ))  # fmt: skip
    for name in result.publishers:
        click.echo(f"Created party {quoted_name(name)} to publish the verdicts.")
    for note in conversion.notes:
        click.echo(visible_name(f"Note: {note}."))
