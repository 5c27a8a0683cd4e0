"""Public claim datasets, read from their published files and imported as claimtrack's
own records: ``claimtrack import liar DIR`` and ``claimtrack import pheme DIR``.

A dataset module turns its files into a :class:`Conversion`: per-stance rows (the columns
of ``export csv --per stance``, docs/csv.md), which go through the same bulk path as
``import csv`` (``claimtrack.bulk``), plus what that format cannot carry (verdicts, with
who published them; parties' descriptions), and an account of every input row: what it
became, or why it was not a stance of its own.
Nothing is downloaded; the files are read where they are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from claimtrack import record
from claimtrack.errors import ClaimtrackError
from claimtrack.importer import LoadReport
from claimtrack.links import chunks
from claimtrack.models import Claim, Party, PartyName
from claimtrack.names import normalise
from claimtrack.progress import SILENT
from claimtrack.times import When
from claimtrack.verdicts import Verdict


@dataclass(frozen=True)
class Publisher:
    """Who published a dataset's verdicts: a party, found by name or created."""

    name: str
    kind: str  # one of models.PARTY_KINDS
    url: str | None = None


@dataclass(frozen=True)
class VerdictRow:
    """A verdict ``publisher`` published on the claim whose slug is ``claim_ref``."""

    claim_ref: str
    label: str  # the publisher's own words
    rating: str | None  # its place on the shared scale (models.RATINGS), if it has one
    summary: str
    publisher: Publisher
    published: When | None = None  # when it was published, as well as the dataset says


@dataclass
class Conversion:
    """A dataset as claimtrack records, and where each of its input rows went."""

    name: str
    folder: Path
    rows: list[dict[str, str]] = field(default_factory=list)  # per-stance rows
    origins: list[str] = field(default_factory=list)  # "train.tsv:12" for each row
    verdicts: list[VerdictRow] = field(default_factory=list)
    # party name -> who it is ("Governor, Ohio"), for parties the rows name
    descriptions: dict[str, str] = field(default_factory=dict)
    # input file -> rows read; and what they became, by what (in the file's words)
    read: Counter = field(default_factory=Counter)
    accounted: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)  # what the user must know (no dates...)
    # replies' links to the tweets they answer (PHEME), by where they lead
    replies: Counter = field(default_factory=Counter)

    def add(self, origin: str, row: dict[str, str]) -> None:
        self.rows.append(row)
        self.origins.append(origin)

    def check_accounted(self) -> None:
        """Every row read is accounted for once; a converter that lost one is a bug."""
        read, accounted = sum(self.read.values()), sum(self.accounted.values())
        if read != accounted:
            raise AssertionError(f"{self.name}: {read} row(s) read, {accounted} accounted for")


class RowSource:
    """Converted rows, offered to ``bulk.import_csv`` as a ``bulk.CsvFile`` offers a file's:
    the same checks, staging and writing, and bad rows named by their place in the
    dataset's own files."""

    def __init__(self, conversion: Conversion) -> None:
        from claimtrack.bulk import Columns
        from claimtrack.render import STANCES

        self.path = conversion.folder
        self.columns = Columns(list(STANCES.headers), raw=True)
        self.headers = STANCES.headers
        self.conversion = conversion
        self.size = len(conversion.rows)
        self.unit = "rows"  # of ``size`` and ``bytes_read``, for the progress bar
        self.bytes_read = 0

    def rows(self, errors):
        for number, row in enumerate(self.conversion.rows, 1):
            self.bytes_read = number
            yield number, [row.get(column, "") for column in self.headers]

    def where(self, line: int) -> str:
        return self.conversion.origins[line - 1]


@dataclass
class ImportResult:
    report: LoadReport
    verdicts: int
    publishers: list[str]  # publishers' parties created
    described: int  # parties given a description


def import_conversion(
    session: Session, conversion: Conversion, *, editor: str, progress=SILENT
) -> ImportResult:
    """Import a converted dataset into the session's transaction and log it; the caller
    commits. Importing it again adds nothing."""
    from claimtrack.bulk import import_csv

    label = f"import {conversion.name} {conversion.folder}"
    report, _ = import_csv(
        session,
        RowSource(conversion),
        editor=editor,
        label=label,
        progress=progress,
        again=True,  # a dataset says what each said: a turn in it is the source's, not a slip
        dataset=True,  # its parties' kinds and sides are its converter's, not a desk's
    )
    publishers: list[Party] = []
    verdicts = add_verdicts(session, conversion.verdicts, editor=editor, created=publishers)
    if verdicts:
        record.log_event(session, editor, "verdict set", f"{label}: {verdicts} verdict(s)")
    described = add_descriptions(session, conversion.descriptions)
    if described:
        record.log_event(session, editor, "party edit", f"{label}: {described} description(s)")
    return ImportResult(report, verdicts, [p.name for p in publishers], described)


def add_descriptions(session: Session, descriptions: dict[str, str]) -> int:
    """Give each named party its description where it has none: one an editor wrote is
    kept, and a second import changes nothing. The number given."""
    connection = session.connection()
    party, names = Party.__table__, PartyName.__table__
    keys = {normalise(name): text for name, text in descriptions.items()}
    wanted: list[dict] = []
    for part in chunks(sorted(keys)):
        query = (
            select(names.c.key, party.c.id)
            .join(party, party.c.id == names.c.party_id)
            .where(names.c.key.in_(part), party.c.description.is_(None))
        )
        wanted += [{"pid": pid, "text": keys[key]} for key, pid in connection.execute(query)]
    if wanted:
        each = update(party).where(party.c.id == bindparam("pid"))
        connection.execute(each.values(description=bindparam("text")), wanted)
    return len(wanted)


def add_verdicts(
    session: Session, verdicts: list[VerdictRow], *, editor: str, created: list[Party]
) -> int:
    """Record each verdict on its claim, unless its publisher's newest verdict on the claim
    already says the same (label and rating): a second import adds none. A publisher no
    party answers to is created (and put in ``created``). The number added."""
    publishers = {
        p: record.resolve_party(
            session, p.name, create_missing=True, editor=editor, created=created, kind=p.kind
        )
        for p in dict.fromkeys(v.publisher for v in verdicts)
    }
    session.flush()
    connection = session.connection()
    claim, verdict = Claim.__table__, Verdict.__table__
    refs = sorted({v.claim_ref for v in verdicts})
    ids: dict[str, int] = {}
    for part in chunks(refs):
        query = select(claim.c.slug, claim.c.id).where(claim.c.slug.in_(part))
        ids.update((slug, claim_id) for slug, claim_id in connection.execute(query))
    missing = [ref for ref in refs if ref not in ids]
    if missing:  # the bulk path created or found every claim the rows name
        raise ClaimtrackError(f"no claim {missing[0]!r} to give a verdict to")
    in_force: dict[tuple[int, int | None], tuple[str, str | None]] = {}
    for part in chunks(sorted(ids.values())):
        newest = (
            select(verdict.c.claim_id, verdict.c.publisher_id, verdict.c.label, verdict.c.rating)
            .where(verdict.c.claim_id.in_(part))
            .order_by(verdict.c.claim_id, verdict.c.created_at, verdict.c.id)
        )
        for claim_id, publisher_id, label, rating in connection.execute(newest):
            in_force[claim_id, publisher_id] = (label, rating)  # the last read is the newest
    now = record.utcnow(session)
    new = [
        {"claim_id": ids[v.claim_ref], "rating": v.rating, "label": v.label,
         "summary": v.summary, "created_at": now, "created_by": editor,
         "publisher_id": publishers[v.publisher].id, "publisher_url": v.publisher.url,
         "published_at": v.published.at if v.published else None,
         "published_offset": v.published.offset_minutes if v.published else None,
         "published_precision": v.published.precision if v.published else None}
        for v in verdicts
        if in_force.get((ids[v.claim_ref], publishers[v.publisher].id)) != (v.label, v.rating)
    ]  # fmt: skip
    for start in range(0, len(new), 10_000):
        connection.execute(insert(verdict), new[start : start + 10_000])
    return len(new)
