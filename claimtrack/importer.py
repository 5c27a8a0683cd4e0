"""Loading a dataset of parties, sources, claims, stances and links, idempotently.

A dataset is plain data (dicts and lists) so that every file format goes through the
same loader: the seed files in ``seeds/`` are TOML documents of this shape, described
in ``docs/seed-format.md``. Loading twice adds nothing the second time: parties match by
name, sources by outlet and title, claims by slug (or topic and text), stances by claim,
party, kind, time, source and quote.
"""

from __future__ import annotations

import codecs
import json
import stat
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimtrack import record
from claimtrack.errors import ClaimtrackError
from claimtrack.models import Claim, Party, Source
from claimtrack.times import parse_when

BUNDLED_SEED = "islamabad-2026.toml"


@dataclass
class LoadReport:
    """What a load added; what it found already there is not counted."""

    added: Counter = field(default_factory=Counter)
    present: int = 0  # stances the database already held

    def summary(self) -> str:
        parts = [f"{n} {what}" for what, n in self.added.items() if n]
        text = ", ".join(parts) if parts else "nothing new"
        return text + (f" ({self.present} stance(s) already present)" if self.present else "")


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
        return parse_when(str(item[key]), item.get("tz", self.tz))

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
        if self.progress:
            self.progress(max(1, len(item.get("stances", []))))

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
    session: Session, data: dict[str, Any], *, editor: str, label: str, progress=None
) -> LoadReport:
    """Load a dataset into the session's transaction and log it; the caller commits."""
    from claimtrack import state

    # Claims are re-rated once at the end, not at every flush of the load.
    session.info[state.DEFERRED] = True
    try:
        report = _Loader(session, data, editor, progress).run()
        state.refresh_pending(session)
    finally:
        session.info.pop(state.DEFERRED, None)
    record.log_event(session, editor, "import", f"{label}: {report.summary()}")
    return report


# -- CSV ------------------------------------------------------------------------------

# Columns of the hand-typed minimal format, and what they stand for in the full one.
MINIMAL = {"claim": "claim", "party": "party", "stance": "stance", "source": "source_title",
           "date": "said_at", "topic": "topic", "quote": "quote", "via": "via"}  # fmt: skip
MAX_LISTED_ERRORS = 20
MAX_LISTED_COLUMNS = 10
# The whole file is read into memory and imported in one transaction (about 1 ms a row):
# 256 MiB is some two million rows, more than one import should hold. docs/csv.md.
MAX_FILE_BYTES = 256 * 1024 * 1024


def read_text(path: Path) -> str:
    """A file's text: UTF-8 with or without BOM, anything else refused with advice.

    Only a regular file of at most ``MAX_FILE_BYTES`` is read, and never more than that:
    a device (``/dev/zero``) or a FIFO would otherwise be read without end.
    """
    too_large = ClaimtrackError(
        f"{path} is larger than {MAX_FILE_BYTES // 1024**2} MiB, the most one import "
        "reads: split it into several files"
    )
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise ClaimtrackError(f"{path} is not a regular file: save the data to a file first")
        if status.st_size > MAX_FILE_BYTES:
            raise too_large
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat()
    except FileNotFoundError:
        raise ClaimtrackError(f"no such file: {path}") from None
    except OSError as exc:
        raise ClaimtrackError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise too_large
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        encoding = _encoding_by_signature(data)
        if encoding is None:
            raise ClaimtrackError(
                f"{path} is not UTF-8 (byte {exc.start} cannot be read) and its encoding "
                "is unknown: save it again as UTF-8 (a spreadsheet's 'CSV UTF-8'), or, if "
                f"you know its encoding, iconv -f ENCODING -t UTF-8 {path} > converted.csv"
            ) from None
        raise ClaimtrackError(
            f"{path} is not UTF-8; it reads as {encoding}: convert it first, "
            f"e.g. iconv -f {encoding} -t UTF-8 {path} > converted.csv"
        ) from None


def _encoding_by_signature(data: bytes) -> str | None:
    """The file's encoding where its bytes leave little doubt, else None.

    UTF-16 and UTF-32 are known by their byte-order mark (without one, almost any bytes
    decode as UTF-16, a Latin-1 file too). Chinese in GB18030 is named only when every
    byte outside ASCII pairs up as GB2312 (EUC-CN) requires, both bytes 0xA1-0xFE: text
    in Latin-1 or Windows-1252 puts accented letters next to ASCII ones, which no GB2312
    pair can hold. (A Latin-1 file whose only accented letters come in pairs, "créé",
    still passes; rare enough to name GB18030, the superset of GB2312, for the rest.)
    """
    boms = [(codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
            (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")]  # fmt: skip
    encoding, check = next(((name, name) for bom, name in boms if data.startswith(bom)),
                           ("GB18030", "GB2312"))  # fmt: skip
    try:
        data.decode(check)
    except UnicodeDecodeError:
        return None
    return encoding


class _CsvRows:
    """Turns rows of the per-stance export (or the minimal format) into a dataset."""

    def __init__(self, header: list[str], raw: bool) -> None:
        from claimtrack.render import STANCES

        self.raw = raw
        names = [h.strip().lower() for h in header]
        repeated = [name for name, n in Counter(names).items() if n > 1]
        if repeated:
            raise ClaimtrackError(
                f"column(s) {_listed(repeated)} appear more than once in the header: "
                "keep one of each"
            )
        self.minimal = "party_kind" not in names and "claim_ref" not in names
        mapping = MINIMAL if self.minimal else {c: c for c in STANCES.headers}
        unknown = [h for h in names if h not in mapping]
        if unknown:
            raise ClaimtrackError(
                f"unknown column(s) {_listed(unknown)}: the columns are those of "
                "'claimtrack export csv --per stance', or claim, party, stance, source, date"
            )
        self.columns = [mapping[h] for h in names]
        shown = {"said_at": "date" if self.minimal else "said_at"}
        missing = [shown.get(c, c) for c in ("claim", "party", "stance", "said_at")
                   if c not in self.columns]  # fmt: skip
        if missing:
            raise ClaimtrackError(f"missing column(s): {', '.join(missing)}")
        self.parties: dict[str, dict] = {}
        self.referenced: dict[str, dict] = {}
        self.sources: dict[str, dict] = {}
        self.claims: dict[str, dict] = {}

    def add(self, line: int, cells: list[str]) -> None:
        from claimtrack.models import PARTY_KINDS
        from claimtrack.spreadsheet import restore
        from claimtrack.vocabulary import BY_VERB, STANCE_KINDS

        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} fields where the header has {len(self.columns)}")
        if not self.raw:
            cells = [restore(c) for c in cells]
        row = dict(zip(self.columns, (c.strip() for c in cells), strict=True))
        for required in ("claim", "party", "stance"):
            if not row[required]:
                raise ValueError(f"{required} is empty")
        for value in cells:
            if "\x00" in value:
                raise ValueError("contains a NUL byte")
        word = row["stance"].lower()
        kind = BY_VERB[word].name if word in BY_VERB else word
        if kind not in STANCE_KINDS:
            raise ValueError(f"unknown stance {row['stance']!r}: use {', '.join(STANCE_KINDS)}")
        party_kind = row.get("party_kind") or "person"
        if party_kind not in PARTY_KINDS:
            raise ValueError(f"unknown party kind {party_kind!r}")
        said = row.get("said_at") or ""
        if not said:
            raise ValueError("the date is empty")
        parse_when(said, row.get("said_tz") or None)  # refuses bad dates here, with the line
        if row.get("source_published"):
            parse_when(row["source_published"], row.get("source_tz") or None)
        record.check_url(row.get("source_url") or None)
        aliases = json.loads(row["party_aliases"]) if row.get("party_aliases") else []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ValueError("party_aliases must be a JSON list of names")

        name = row["party"]
        if self.minimal:
            self.referenced.setdefault(name, {"name": name, "kind": "person", "if_missing": True})
        else:
            entry = self.parties.setdefault(
                name, {"name": name, "kind": party_kind, "aliases": [], "for": row.get("party_for")}
            )
            entry["aliases"] += [a for a in aliases if a not in entry["aliases"]]
        for ref, ref_kind in ((row.get("via"), "media"), (row.get("party_for"), "organisation")):
            if ref:
                self.referenced.setdefault(ref, {"name": ref, "kind": ref_kind, "if_missing": True})
        source_key = None
        if row.get("source_title"):
            outlet = row.get("source_outlet") or row.get("via") or name
            self.referenced.setdefault(
                outlet, {"name": outlet, "kind": "media", "if_missing": True}
            )
            source_key = f"{outlet}\x1f{row['source_title']}"
            self.sources.setdefault(source_key, {
                "key": source_key, "title": row["source_title"], "outlet": outlet,
                "url": row.get("source_url") or None, "lang": row.get("source_lang") or None,
                "published": row.get("source_published") or None,
                "tz": row.get("source_tz") or None, "_line": line,
            })  # fmt: skip
        topic = row.get("topic") or record.DEFAULT_TOPIC
        ref = row.get("claim_ref") or f"{topic}\x1f{row['claim']}"
        claim = self.claims.get(ref)
        if claim is None:
            claim_ref = row.get("claim_ref") or ""
            slug = claim_ref if claim_ref and not claim_ref.isdigit() else None
            claim = self.claims[ref] = {
                "key": ref, "slug": slug or None, "text": row["claim"], "topic": topic,
                "lang": row.get("claim_lang") or None, "_line": line, "stances": [],
                "contradicts": _refs(row.get("contradicts")), "same_as": _refs(row.get("same_as")),
            }  # fmt: skip
        recorded_at = row.get("recorded_at")
        claim["stances"].append({
            "by": name, "kind": kind, "quote": row.get("quote") or None,
            "quote_lang": row.get("quote_lang") or None, "via": row.get("via") or None,
            "source": source_key, "at": said, "tz": row.get("said_tz") or None,
            "recorded_by": row.get("recorded_by") or None,
            "recorded_at": _instant(recorded_at) if recorded_at else None, "_line": line,
        })  # fmt: skip

    def dataset(self) -> dict[str, Any]:
        parties = list(self.parties.values())
        parties += [p for name, p in self.referenced.items() if name not in self.parties]
        return {"parties": parties, "sources": list(self.sources.values()),
                "claims": list(self.claims.values())}  # fmt: skip


def _listed(names: list[str]) -> str:
    """Column names for an error message: the first few, then how many more."""
    shown = ", ".join(map(repr, names[:MAX_LISTED_COLUMNS]))
    more = len(names) - MAX_LISTED_COLUMNS
    return shown + (f" and {more:,} more" if more > 0 else "")


def _refs(cell: str | None) -> list[str]:
    return [r.strip() for r in (cell or "").split(";") if r.strip()]


def _instant(text: str):
    import datetime as dt

    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"recorded_at {text!r} has no UTC offset")
    return value


def read_csv(path: Path, *, raw: bool = False) -> tuple[dict[str, Any], int]:
    """The dataset in a CSV file and its number of rows; every bad row is reported at once."""
    import csv
    import io

    text = read_text(path)
    # A field may be as long as the file (a claim of megabytes round-trips), not the csv
    # module's default of 128 KiB.
    csv.field_size_limit(MAX_FILE_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ClaimtrackError(f"{path} is empty: expected a header row") from None
    except csv.Error as exc:
        raise ClaimtrackError(f"{path}: line 1: {exc}") from None
    rows = _CsvRows(header, raw)
    errors: list[str] = []
    count = 0
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(f"line {line}: {exc}")
            break  # the reader cannot find the next row reliably after this
        # Spreadsheets leave rows of empty cells (",,,,") below the data: not rows.
        if any(cell.strip() for cell in cells):
            count += 1
            try:
                rows.add(line, cells)
            except (ValueError, ClaimtrackError) as exc:
                errors.append(f"line {line}: {exc}")
        line = reader.line_num + 1
    if errors:
        listed = errors[:MAX_LISTED_ERRORS]
        more = len(errors) - len(listed)
        raise ClaimtrackError(
            f"{path}: {len(errors)} bad row(s), nothing imported:\n  "
            + "\n  ".join(listed)
            + (f"\n  ... and {more} more" if more else "")
        )
    if count == 0:
        raise ClaimtrackError(f"{path} has a header but no rows")
    return rows.dataset(), count
