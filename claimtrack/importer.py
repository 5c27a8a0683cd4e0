"""Loading a dataset of parties, sources, claims, stances and links, idempotently; and
reading the files imports take, within bounds.

A dataset is plain data (dicts and lists): the seed files in ``seeds/`` are TOML
documents of this shape, described in ``docs/seed-format.md``, loaded item by item
through the recording code. Loading twice adds nothing the second time: parties match by
name, sources by outlet and title, claims by slug (or topic and text), stances by claim,
party, kind, time, source and quote. ``import csv`` follows the same rules in bulk, for
files of any size (``claimtrack.bulk``).
"""

from __future__ import annotations

import codecs
import itertools
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimtrack import record
from claimtrack.errors import ClaimtrackError, UsageError
from claimtrack.models import Claim, Party, Source
from claimtrack.progress import SILENT
from claimtrack.times import begun, parse_when

BUNDLED_SEED = "islamabad-2026.toml"
MAX_LINES_NAMED = 5  # the lines a note names; the others it counts


class Overrides:
    """The rows of an import whose claim text or quote holds a bidi override
    (``names.overrides_in``): the first lines kept, all counted, for one note."""

    def __init__(self) -> None:
        self.lines: list[int] = []
        self.count = 0
        self.what: dict[str, None] = {}  # "claim text", "quote": in the order found
        self.found: set[str] = set()  # the overrides themselves

    def add(self, line: int, what: str, text: str) -> None:
        from claimtrack.names import overrides_in

        if not self.lines or self.lines[-1] != line:  # a row's claim and quote: one row
            self.count += 1
            if len(self.lines) < MAX_LINES_NAMED:
                self.lines.append(line)
        self.what.setdefault(what, None)
        self.found.update(overrides_in(text))

    def note(self) -> str | None:
        """``claim add``'s note (``names.override_note``), for the rows named by line."""
        if not self.count:
            return None
        from claimtrack.names import override_note

        shown = ", ".join(map(str, self.lines))
        more = f" and {self.count - len(self.lines):,} more" if self.count > len(self.lines) else ""
        what = " or ".join(self.what)
        return override_note(
            f"{what} on {self.count:,} row(s) (line(s) {shown}{more})",
            "".join(sorted(self.found)),
            "take it out of those rows ('import csv --dry-run' notes them before anything "
            "is written)",
        )


@dataclass
class LoadReport:
    """What a load added; what it found already there is not counted."""

    added: Counter = field(default_factory=Counter)
    present: int = 0  # stances the database already held
    # The first parties it created (of ``added["parties"]``), each with the parties of
    # close name it found already there: a typo made a new party.
    new_parties: list[tuple[str, list[str]]] = field(default_factory=list)
    # The first topics its claims started close to one there was, each with those
    # (``lookup.new_topic``), and how many: a typo in a topic starts a story of its own.
    new_topics: list[tuple[str, list[str]]] = field(default_factory=list)
    topics_started: int = 0
    # The new parties the file names only as another's party_for: they act for no one.
    sideless: list[str] = field(default_factory=list)
    # The lines whose claim text or quote is longer than an XLSX cell holds: stored whole,
    # but ``export xlsx`` needs --skip-long for them.
    long: list[int] = field(default_factory=list)
    # The rows whose claim text or quote holds a bidi override: noted, as ``claim add``.
    overrides: Overrides = field(default_factory=Overrides)

    def summary(self) -> str:
        """ "1 party, 2 sources, 1 claim, 3 stances": what it added, each in its number."""
        parts = [f"{n} {SINGULAR.get(what, what) if n == 1 else what}"
                 for what, n in self.added.items() if n]  # fmt: skip
        text = ", ".join(parts) if parts else "nothing new"
        return text + (f" ({self.present} stance(s) already present)" if self.present else "")

    def too_long(self) -> str | None:
        """ "Warning: 2 row(s) ... (lines 5, 9) ...", or None when every text fits a cell."""
        if not self.long:
            return None
        from claimtrack.spreadsheet import CELL_LIMIT

        shown = ", ".join(str(n) for n in self.long[:5])
        more = f" and {len(self.long) - 5:,} more" if len(self.long) > 5 else ""
        return (
            f"Warning: {len(self.long):,} row(s) hold a claim text or quote over {CELL_LIMIT:,} "
            f"characters, more than an XLSX cell holds (line(s) {shown}{more}): stored whole, "
            "but 'export xlsx' needs --skip-long, which leaves their cells empty (CSV and JSON "
            "carry them)"
        )

    def without_sides(self) -> str | None:
        """A note naming the new parties the file gave no side (``sideless``), or None."""
        if not self.sideless:
            return None
        import shlex

        from claimtrack.names import quoted_name

        one = len(self.sideless) == 1
        names = ", ".join(map(quoted_name, self.sideless[:3]))
        more = f" and {len(self.sideless) - 3:,} more" if len(self.sideless) > 3 else ""
        return (
            f"Note: new part{'y' if one else 'ies'} {names}{more}, named only as another's "
            f"party_for, act{'s' if one else ''} for no one here (a file gives the side of each "
            "party that speaks in it): give one with claimtrack party edit "
            f"{shlex.quote(self.sideless[0])} --for SIDE"
        )

    def parties_created(self) -> str | None:
        """ "New parties: 'Hmas' (did you mean 'Hamas'?); ... and 3 more. New topics:
        'crocus2024' (did you mean 'crocus-2024'?)", or None: one line, as ``claim add``
        notes a new topic close to one there is."""
        found = [
            f"{word}: {_named(created, count)}"
            for word, created, count in (
                ("New parties", self.new_parties, self.added["parties"]),
                ("New topics", self.new_topics, self.topics_started),
            )
            if created
        ]
        return ". ".join(found) or None


SINGULAR = {"parties": "party", "aliases": "alias", "sources": "source", "claims": "claim",
            "stances": "stance", "links": "link"}  # fmt: skip


def _named(created: list[tuple[str, list[str]]], count: int) -> str:
    """ "'Hmas' (did you mean 'Hamas'?); 'X' and 3 more": the first of ``count`` names
    created, each with the close names there were before it."""
    from claimtrack.names import quoted_name

    named = []
    for name, close in created:
        hint = f" (did you mean {', '.join(map(quoted_name, close))}?)" if close else ""
        named.append(quoted_name(name) + hint)
    more = count - len(named)
    return "; ".join(named) + (f" and {more} more" if more > 0 else "")


def bundled_seed_path() -> Path:
    from claimtrack.bundled import folder

    return folder("seeds") / BUNDLED_SEED


def read_toml(path: Path) -> dict[str, Any]:
    """A dataset file, read with the same limits as an import (a regular file, bounded)."""
    try:
        return tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ClaimtrackError(f"{path} is not valid TOML: {exc}") from None


class _Loader:
    def __init__(self, session: Session, data: dict[str, Any], editor: str, progress) -> None:
        self.session = session
        self.data = data
        self.editor = editor
        self.progress = progress
        self.topic = data.get("topic", record.DEFAULT_TOPIC)
        self.tz = data.get("tz")
        self.sources: dict[str, Source] = {}
        self.claims: dict[str, Claim] = {}  # by the file's key (default: slug)
        self.loaded_claims: list[Claim] = []  # in file order
        self.matched: set[int] = set()  # claims this load already stands for
        self.known: dict[str, Party] = {}  # party references already resolved
        self.created: set[int] = set()  # claims this load created
        self.added: set[tuple] = set()  # stances this load added, not yet flushed
        self.report = LoadReport()

    def where(self, section: str, index: int, item: dict) -> str:
        if "_line" in item:
            return f"line {item['_line']}"
        name = item.get("slug") or item.get("name") or item.get("key") or item.get("title")
        return f"{section} {index + 1}" + (f" ({name})" if name else "")

    def each(self, section: str, step, items=None) -> None:
        items = self.data.get(section, []) if items is None else items
        for index, item in enumerate(items):
            try:
                step(*item) if isinstance(item, tuple) else step(item)
            except ClaimtrackError as exc:
                where = self.where(section, index, item[0] if isinstance(item, tuple) else item)
                raise ClaimtrackError(f"{where}: {exc}") from None
            except KeyError as exc:
                where = self.where(section, index, item[0] if isinstance(item, tuple) else item)
                raise ClaimtrackError(f"{where}: missing field {exc.args[0]!r}") from None

    def run(self) -> LoadReport:
        with self.session.no_autoflush:
            self._run()
        self.session.flush()
        return self.report

    def _run(self) -> None:
        self.each("parties", self.party)
        # Affiliations once every party exists, so a file may name them in any order.
        self.each("parties", self.affiliation)
        self.each("sources", self.source)
        self.each("claims", self.claim)
        pairs = list(zip(self.data.get("claims", []), self.loaded_claims, strict=True))
        self.each("claims", self.links, pairs)

    def party(self, item: dict) -> None:
        kind = item.get("kind", "person")
        if item.get("if_missing"):
            # A name as typed (an alias will do); created only when nobody answers to it.
            try:
                record.find_party(self.session, item["name"])
                return
            except ClaimtrackError as exc:
                if "ambiguous" in str(exc):
                    raise
        party = record.find_named_party(self.session, item["name"], anonymous=kind == "anonymous")
        new = party is None
        if new:
            party = record.add_party(self.session, item["name"], kind=kind, editor=self.editor)
            self.report.added["parties"] += 1
        for alias in item.get("aliases", []):
            if record.add_alias(self.session, party, alias, new=new) is not None:
                self.report.added["aliases"] += 1
        self.session.flush()

    def affiliation(self, item: dict) -> None:
        if not item.get("for"):
            return
        party = record.find_party(self.session, item["name"])
        acts_for = record.find_party(self.session, item["for"])
        if party.acts_for_id != acts_for.id:
            record.check_not_circular(party, acts_for)
            party.acts_for = acts_for
            self.session.flush()

    def when(self, item: dict, key: str):
        """A said or published time, refused when it begins after now (a typo)."""
        # The zone is the entry's tz key, else the file's (nu19: the message named --tz,
        # which seed does not take).
        said = parse_when(str(item[key]), item.get("tz", self.tz), zone_from="a tz key")
        return begun(said, "published" if key == "published" else "said")

    def source(self, item: dict) -> None:
        outlet = self.find_party(item["outlet"])
        published = self.when(item, "published") if item.get("published") else None
        source, created = record.get_or_add_source(
            self.session,
            item["title"],
            outlet=outlet,
            url=item.get("url"),
            language=item.get("lang"),
            published=published,
        )
        self.report.added["sources"] += created
        self.sources[item.get("key", item["title"])] = source

    def find_source(self, ref: str) -> Source:
        return self.sources.get(ref) or record.find_source(self.session, ref)

    def claim(self, item: dict) -> None:
        topic = item.get("topic", self.topic)
        slug = item.get("slug")
        claim = None
        if slug:
            claim = self.session.scalars(select(Claim).where(Claim.slug == slug)).first()
        elif item.get("match_text", True):
            claim = record.find_same_claim(self.session, item["text"], topic)
            if claim is not None and claim.id in self.matched:
                claim = None  # another entry of this file already is that claim
        if claim is None:
            claim = record.add_claim(
                self.session,
                item["text"],
                topic=topic,
                language=item.get("lang"),
                slug=slug,
                editor=self.editor,
                allow_same=True,
            )
            self.report.added["claims"] += 1
            self.created.add(claim.id)
        self.matched.add(claim.id)
        self.loaded_claims.append(claim)
        key = item.get("key") or claim.slug
        if key:
            self.claims[key] = claim
        for number, stance in enumerate(item.get("stances", []), start=1):
            where = f"line {stance['_line']}" if "_line" in stance else f"stance {number}"
            try:
                self.stance(claim, stance)
            except KeyError as exc:
                raise ClaimtrackError(f"{where}: missing field {exc.args[0]!r}") from None
            except ClaimtrackError as exc:
                raise ClaimtrackError(f"{where}: {exc}") from None
        self.progress(1)

    def find_party(self, ref: str) -> Party:
        """record.find_party, remembered for the rest of the load."""
        party = self.known.get(ref)
        if party is None:
            party = self.known[ref] = record.find_party(self.session, ref)
        return party

    def stance(self, claim: Claim, item: dict) -> None:
        party = self.find_party(item["by"])
        via = self.find_party(item["via"]) if item.get("via") else None
        source = self.find_source(item["source"]) if item.get("source") else None
        said = self.when(item, "at")
        kind = item["kind"]
        quote = item.get("quote") or None
        key = (claim.id, party.id, kind, said.at, source.id if source else None, quote)
        # Stances wait unflushed until the end of the load; this load's own are checked
        # in memory, and only a claim that was there before can have one in the database.
        if key in self.added or (
            claim.id not in self.created
            and record.find_same_stance(
                self.session, claim, party, kind, said, source=source, quote=quote
            )
        ):
            self.report.present += 1
            return
        self.added.add(key)
        record.add_stance(
            self.session,
            claim,
            party,
            kind,
            said=said,
            quote=quote,
            quote_lang=item.get("quote_lang") or None,
            via=via,
            source=source,
            editor=item.get("recorded_by") or self.editor,
            recorded_at=item.get("recorded_at"),
            flush=False,
        )
        self.report.added["stances"] += 1

    def links(self, item: dict, claim: Claim) -> None:
        for kind in ("contradicts", "same_as"):
            for ref in item.get(kind, []):
                other = self.claims.get(ref) or record.find_claim(self.session, ref)
                if record.find_link(self.session, claim, other, kind) is None:
                    record.link_claims(self.session, claim, other, kind, editor=self.editor)
                    self.report.added["links"] += 1


def load_dataset(
    session: Session, data: dict[str, Any], *, editor: str, label: str, progress=SILENT
) -> LoadReport:
    """Load a dataset into the session's transaction and log it; the caller commits.
    ``progress``: two phases (``claimtrack.progress``), the claims, then re-rating them."""
    from claimtrack import state

    # Claims are re-rated once at the end, not at every flush of the load.
    session.info[state.DEFERRED] = True
    try:
        claims = len(data.get("claims", []))
        with progress.phase("Loading claims", claims, unit="claims") as advance:
            report = _Loader(session, data, editor, advance).run()
        with progress.phase("Re-rating claims", unit=None, estimate=False):
            state.refresh_pending(session)
    finally:
        session.info.pop(state.DEFERRED, None)
    record.log_event(session, editor, "import", f"{label}: {report.summary()}")
    return report


# -- reading files --------------------------------------------------------------------

# A file read whole (a seed file, a claim's text): at most this much of it.
MAX_FILE_BYTES = 256 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024


def check_file(path: Path, limit: int, option: str | None = None) -> int:
    """The size of a file we may read: a regular file of at most ``limit`` bytes.

    A device (``/dev/zero``) or a FIFO would otherwise be read without end; a file whose
    size the system does not report (``/proc``) is still read no further than the limit
    (``too_large``).
    """
    from claimtrack.files import file_problem

    problem = file_problem(path)  # a bad path, as the command line refuses one (exit 2)
    if problem is not None:
        raise UsageError(problem)
    try:
        status = path.stat()
    except OSError as exc:  # gone since
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if status.st_size > limit:
        raise too_large(path, limit, option)
    return status.st_size


def too_large(path: Path, limit: int, option: str | None = None) -> ClaimtrackError:
    if option:  # one text (a quote, a claim's text), not an import's rows
        return ClaimtrackError(f"{path} is larger than {limit // 1024**2} MiB, the most "
                               f"{option} reads")  # fmt: skip
    return ClaimtrackError(
        f"{path} is larger than {limit // 1024**2} MiB, the most one import "
        "reads: split it into several files"
    )


def read_text(path: Path, option: str | None = None) -> str:
    """A file's text: UTF-8 with or without BOM, anything else refused with advice.
    ``option``: the option that named a file holding one text (``--quote-file``), whose
    refusals speak of a text file rather than of an import's data.

    Only a regular file of at most ``MAX_FILE_BYTES`` is read, and never more than that.
    """
    check_file(path, MAX_FILE_BYTES, option)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise too_large(path, MAX_FILE_BYTES, option)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc.start, [data], option) from None
    if "\x00" in text[:200]:  # UTF-16 without a mark decodes as UTF-8, NULs and all
        raise nul_bytes(path, data, option)
    return text


def not_utf8(
    path: Path, position: int, chunks: Iterable[bytes], option: str | None = None
) -> ClaimtrackError:
    """The refusal of a file that is not UTF-8 (``position``: the first byte that cannot be
    read, counted after a byte-order mark), naming its encoding when its bytes
    (``chunks``, the whole file in order) leave little doubt. ``option``: see ``read_text``."""
    encoding = _encoding_by_signature(chunks)
    if option:  # a text file (or not text at all: a program, an image), not a spreadsheet
        advice = (
            f"convert it first, e.g. iconv -f {encoding} -t UTF-8 {path} > text.txt"
            if encoding
            else "give a text file saved as UTF-8"
        )
        return ClaimtrackError(
            f"{option} {path} is not UTF-8 text (byte {position} cannot be read): {advice}"
        )
    # A spreadsheet's advice for a CSV file only (nu18: a seed's TOML and a ClaimReview's
    # JSON were told of "a spreadsheet's 'CSV UTF-8'").
    suffix = path.suffix.lower()
    if not (suffix[1:].isascii() and suffix[1:].isalnum() and len(suffix) <= 9):
        suffix = ""  # none, or one not to repeat in a command line
    spreadsheet = " (a spreadsheet's 'CSV UTF-8')" if suffix in (".csv", "") else ""
    converted = f"converted{suffix or '.csv'}"
    if encoding is None:
        return ClaimtrackError(
            f"{path} is not UTF-8 (byte {position} cannot be read) and its encoding "
            f"is unknown: save it again as UTF-8{spreadsheet}, or, if you know its "
            f"encoding, iconv -f ENCODING -t UTF-8 {path} > {converted}"
        )
    return ClaimtrackError(
        f"{path} is not UTF-8; it reads as {encoding}: convert it first, "
        f"e.g. iconv -f {encoding} -t UTF-8 {path} > {converted}"
    )


def nul_bytes(path: Path, head: bytes, option: str | None = None) -> ClaimtrackError:
    """The refusal of a file that decodes as UTF-8 but holds NUL bytes where its text
    begins (``head``: its first bytes): UTF-16 without a byte-order mark (ASCII in it is
    every other byte NUL, as a header's first 16 letters are), named with the
    conversion, or not text at all."""
    encoding = _utf16_without_bom(head.removeprefix(codecs.BOM_UTF8))
    what = f"{option} {path}" if option else str(path)
    if encoding is None:
        return ClaimtrackError(f"{what} holds NUL bytes: it is not a text file")
    converted = "text.txt" if option else f"converted{path.suffix or '.csv'}"
    return ClaimtrackError(
        f"{what} reads as {encoding} without a byte-order mark (a NUL byte beside each "
        f"letter): convert it first, e.g. iconv -f {encoding} -t UTF-8 {path} > {converted}"
    )


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16LE or UTF-16BE when a file's first bytes are ASCII letters each beside a
    NUL (a header's first 16 letters are ASCII), else None."""
    head = head[:32]
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and not any(odd) and all(even):
        return "UTF-16LE"
    if len(head) >= 4 and not any(even) and all(odd):
        return "UTF-16BE"
    return None


def first_bad_byte(path: Path, limit: int) -> int:
    """Where a file stops being UTF-8, counted as ``bytes.decode("utf-8-sig")`` counts
    (after a byte-order mark), read in chunks; -1 if it is UTF-8 throughout."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as f:
        head = f.read(len(codecs.BOM_UTF8))
        chunk = head[len(codecs.BOM_UTF8) :] if head == codecs.BOM_UTF8 else head
        while chunk and offset <= limit:
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start
            offset += len(chunk)
            chunk = f.read(CHUNK_BYTES)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return offset - len(decoder.getstate()[0]) + exc.start
    return -1


def file_chunks(path: Path, limit: int) -> Iterator[bytes]:
    """A file's bytes in chunks, no further than ``limit``."""
    with path.open("rb") as f:
        read = 0
        while read <= limit and (chunk := f.read(CHUNK_BYTES)):
            read += len(chunk)
            yield chunk


def _encoding_by_signature(chunks: Iterable[bytes]) -> str | None:
    """The file's encoding where its bytes leave little doubt, else None.

    UTF-16 and UTF-32 are known by their byte-order mark (without one, almost any bytes
    decode as UTF-16, a Latin-1 file too), UTF-16 also by ASCII letters each beside a
    NUL where the file begins. Chinese in GB18030 is named only when every
    byte outside ASCII pairs up as GB2312 (EUC-CN) requires, both bytes 0xA1-0xFE: text
    in Latin-1 or Windows-1252 puts accented letters next to ASCII ones, which no GB2312
    pair can hold. (A Latin-1 file whose only accented letters come in pairs, "créé",
    still passes; rare enough to name GB18030, the superset of GB2312, for the rest.)
    """
    chunks = iter(chunks)
    first = next(chunks, b"")
    boms = [(codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
            (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")]  # fmt: skip
    unmarked = _utf16_without_bom(first)  # its ASCII every other byte NUL
    encoding, check = next(((name, name) for bom, name in boms if first.startswith(bom)),
                           (unmarked, unmarked) if unmarked else ("GB18030", "GB2312"))  # fmt: skip
    decoder = codecs.getincrementaldecoder(check)()
    try:
        for chunk in itertools.chain([first], chunks):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return encoding
