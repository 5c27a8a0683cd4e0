"""``import csv`` in bulk: a file of stances of any size, in one transaction.

The file is read once, streamed, and what is kept in memory does not grow with it
(but for 16 bytes per source, and the parties):

1. **Read and check.** Each row is checked as it is read; a bad row is noted by line
   (the first ``MAX_LISTED_ERRORS`` in full, the rest counted) and a good one is staged
   in temporary tables (``imp_row``; each claim once in ``imp_claim``, each source once
   in ``imp_source``, known by a digest), ``BATCH // STAGES`` rows at a time
   (PostgreSQL: ``COPY``); their indexes are built after. Only the parties, which are
   few, are collected in a dictionary. Any bad row, and nothing is written.
2. **Resolve.** Parties are looked up once (one query for every name key the file uses)
   and the missing ones created, as ``record`` would, in the one namespace of names.
   Sources (by outlet and title; a minimal file's by title alone, as ``--source``) and
   claims (by slug, or by topic and text) are matched in SQL, and the new ones written
   in one statement each, in the order the file first names them (new claims with their
   near-duplicate sketches, as ``claim add``).
3. **Write.** Stances go from the staging table into ``stance`` in one INSERT ... SELECT,
   leaving out those the database or the file already holds (same claim, party, kind,
   time, source and quote; rows apart in ``recorded_at`` are kept apart, as many present
   as the database holds), claim by claim in file order; then the links. The first
   claims and stances of a database go in with the table's indexes set aside, built
   once after (``insert_many.indexes_set_aside``).

The claims touched are then re-rated, said order, stored state and history, by the
functions every write uses (``state.refresh_pending``): stances that keep their original
``recorded_at`` rewrite the past, so those claims are replayed. The audit log entry
follows, in the same transaction; the caller commits.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    column,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    table,
    true,
    union,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from claimtrack import insert_many, record, schema, state
from claimtrack.errors import ClaimtrackError, UsageError
from claimtrack.importer import (
    LoadReport,
    Overrides,
    check_file,
    file_chunks,
    first_bad_byte,
    not_utf8,
    nul_bytes,
)
from claimtrack.importer import too_large as too_large_error
from claimtrack.links import chunks
from claimtrack.models import (
    PARTY_KINDS,
    Claim,
    ClaimLink,
    Party,
    PartyAlias,
    PartyName,
    Source,
    Stance,
    UTCDateTime,
)
from claimtrack.names import normalise, overrides_in, quoted_name, stop_variants
from claimtrack.progress import SILENT
from claimtrack.similar import sketch as sketch_of
from claimtrack.similar import topic_key
from claimtrack.spreadsheet import CELL_LIMIT, restore_all
from claimtrack.times import begun, parse_when, parse_zone
from claimtrack.vocabulary import BY_VERB, OPPOSE, STANCE_KINDS, SUPPORT, language_problem

# Columns of the hand-typed minimal format, and what they stand for in the full one.
MINIMAL = {"claim": "claim", "party": "party", "stance": "stance", "source": "source_title",
           "date": "said_at", "topic": "topic", "quote": "quote", "via": "via"}  # fmt: skip
MAX_LISTED_ERRORS = 20
MAX_LISTED_COLUMNS = 10
# The file is streamed, never held whole: the limit is what one transaction should hold
# (about eight million rows). docs/csv.md.
MAX_CSV_BYTES = 2 * 1024**3
MAX_NEW_PARTIES_NAMED = 10  # the new parties an import names; the others it counts
# A table is analysed after a load that wrote at least a tenth of the rows its statistics
# count (PostgreSQL's autovacuum_analyze_scale_factor is 0.1 too): ``_Load._analyze``.
ANALYZE_SHARE = 10
MAX_TOPICS_CHECKED = 100  # the new topics an import compares with those there are
BATCH = 10_000  # what the reader remembers of each kind (sources, times), and links read
# Rows are staged, and claims sketched, a fifth of a batch at a time: what such a batch
# holds in memory stays held (the allocator keeps it) through the rest of the load.
STAGES = 5
SHOW_EVERY = 1_000  # rows read between two progress reports
# SQLite's memory during an import (``_sqlite_heap_bounded``): docs/performance.md, P6.
SQLITE_HEAP = 8 * 1024**2
# A claim_ref (or, in the minimal format, topic and text) is staged as itself when short,
# else as a digest: a claim's text may be longer than an index entry may hold.
MAX_REF = 64
# The outlet number of a minimal file's sources, named by their titles alone (``_source``):
# parties are numbered from 1.
BY_TITLE = 0


# -- the file ---------------------------------------------------------------------------


class _Limited(io.RawIOBase):
    """A binary file read no further than ``limit`` bytes: one more is refused."""

    def __init__(self, f, path: Path, limit: int) -> None:
        self.f, self.path, self.limit = f, path, limit
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.f.readinto(buffer)
        self.done += n
        if self.done > self.limit:
            raise too_large_error(self.path, self.limit)
        return n

    def close(self) -> None:
        self.f.close()
        super().close()


class CsvFile:
    """A CSV file opened for import, its header read and checked, its rows not yet read.

    Opening it refuses what is not a regular file of at most ``MAX_CSV_BYTES``, a file
    that is not UTF-8 (at its start; further on, when the row is read), an empty file
    and a header with repeated, unknown or missing columns, before any database is
    opened.
    """

    unit = "bytes"  # of ``size`` and ``bytes_read``, for the progress bar

    def __init__(self, path: Path, *, raw: bool = False, tz: str | None = None) -> None:
        self.path = path
        self.tz = tz
        if tz is not None:
            parse_zone(tz)  # a bad zone is refused before the file is read
        self.size = check_file(path, MAX_CSV_BYTES)
        try:
            binary = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by close()
        except OSError as exc:  # gone or changed since check_file: a bad path still
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
        self.limited = _Limited(binary, path, MAX_CSV_BYTES)
        buffered = io.BufferedReader(self.limited, 1024 * 1024)
        self.text = io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")
        # A field may be as long as the file (a claim of megabytes round-trips), not the
        # csv module's default of 128 KiB.
        csv.field_size_limit(MAX_CSV_BYTES)
        self.reader = csv.reader(self.text, strict=True)
        try:
            header = self._next()
        except StopIteration:
            self.close()
            raise ClaimtrackError(f"{path} is empty: expected a header row") from None
        except csv.Error as exc:
            self.close()
            raise ClaimtrackError(f"{path}: line 1: {csv_problem(exc)}") from None
        except ClaimtrackError:
            self.close()
            raise
        if "\x00" in "".join(header):  # UTF-16 without a mark decodes as UTF-8, NULs and all
            self.close()
            with open(path, "rb") as f:
                raise nul_bytes(path, f.read(64))
        self.columns = Columns(header, raw, tz=self.tz)

    def _next(self) -> list[str]:
        try:
            return next(self.reader)
        except UnicodeDecodeError:
            position = first_bad_byte(self.path, MAX_CSV_BYTES)
            raise not_utf8(self.path, position, file_chunks(self.path, MAX_CSV_BYTES)) from None

    def rows(self, errors: Errors):
        """(line, cells) for every row with something in it; a row the reader cannot
        split is an error, and the last row read."""
        line = self.reader.line_num + 1
        while True:
            try:
                cells = self._next()
            except StopIteration:
                return
            except csv.Error as exc:
                errors.add(line, csv_problem(exc))
                return  # the reader cannot find the next row reliably after this
            # Spreadsheets leave rows of empty cells (",,,,") below the data: not rows.
            # (One join and strip, not a strip per cell: the same test, a third of the cost.)
            if "".join(cells).strip():
                yield line, cells
            line = self.reader.line_num + 1

    @property
    def bytes_read(self) -> int:
        return self.limited.done

    def close(self) -> None:
        self.text.close()

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def csv_problem(exc: csv.Error) -> str:
    """The csv module's complaint in an editor's words, where it is about quotes."""
    text = str(exc)
    if text == "unexpected end of data":
        return 'unbalanced quotes: a field opened with " is not closed by the end of the file'
    if text.startswith("',' expected after '\"'"):
        return 'unbalanced quotes: a " inside a quoted field is written twice ("")'
    return text


class Columns:
    """The header of a per-stance export or a minimal file, and each row checked by it."""

    def __init__(self, header: list[str], raw: bool, *, tz: str | None = None) -> None:
        from claimtrack.render import STANCES

        self.raw = raw
        self.tz = tz  # the zone of times given without an offset or a zone column
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
        other = set(STANCES.headers) if self.minimal else set(MINIMAL)
        if unknown and all(h in other for h in unknown):  # known, but the other format's
            raise ClaimtrackError(_mixed_formats(unknown, names, self.minimal))
        if len(names) == 1 and (separator := next((c for c in ";\t|" if c in names[0]), None)):
            shown = {"\t": "tabs", "|": "'|'", ";": "';'"}[separator]
            raise ClaimtrackError(
                f"the header is one column, {_listed(names)}: its columns are separated by "
                f"{shown}, not commas; save the file as CSV with commas (Excel: 'CSV UTF-8 "
                "(Comma delimited)')"
            )
        if unknown:
            raise ClaimtrackError(
                f"unknown column(s) {_listed(unknown)}: the columns are those of "
                "'claimtrack export csv --per stance', or claim, party, stance, source, date"
            )
        self.names = [mapping[h] for h in names]
        shown = {"said_at": "date" if self.minimal else "said_at"}
        missing = [shown.get(c, c) for c in ("claim", "party", "stance", "said_at")
                   if c not in self.names]  # fmt: skip
        if missing:
            raise ClaimtrackError(f"missing column(s): {', '.join(missing)}")
        # The offset columns, whose every cell begins with + or - and so is marked by an
        # export without --raw: how a --raw export is told (``row``).
        self._offsets = [i for i, c in enumerate(self.names) if c in ("said_tz", "source_tz")]
        # Decided by the first offset cell read; no question with --raw or no offsets.
        self.looks_raw: bool | None = None if self._offsets and not raw else False

    def row(self, cells: list[str]) -> dict[str, str]:
        """The row's cells by column, apostrophes taken off and blanks trimmed; a row that
        cannot be a stance raises ValueError (or ClaimtrackError) saying why."""
        if len(cells) != len(self.names):
            raise ValueError(f"{len(cells)} fields where the header has {len(self.names)}")
        # (A mark taken off and blanks trimmed take no NUL away: checked on the cells read.)
        restored = cells if self.raw else restore_all(cells)
        if self.looks_raw is not False:
            self._check_not_raw(cells, restored)
        trimmed = map(str.strip, restored)
        row = dict(zip(self.names, trimmed, strict=True))
        for required in ("claim", "party", "stance"):
            if not row[required]:
                raise ValueError(f"{required} is empty")
        if "\x00" in "".join(cells):
            raise ValueError("contains a NUL byte")
        return row

    def _check_not_raw(self, cells: list[str], restored: list[str]) -> None:
        """Refuse a --raw export read without --raw where a cell would lose a leading
        apostrophe ("'-5%' was never the figure"). An export without --raw marks every
        offset (``'+03:00``), a --raw one none: the first offset cell read tells which the
        file is (a cell edited by hand further down does not). Cheap: a look at one cell
        until that is known, and only a raw-looking file's rows compared after."""
        if self.looks_raw is None:
            first = next((cells[i] for i in self._offsets if cells[i]), None)
            if first is None:
                return
            self.looks_raw = first[:1] in ("+", "-")
        if not self.looks_raw or restored == cells:
            return
        at = next(i for i, (a, b) in enumerate(zip(cells, restored, strict=True)) if a != b)
        column, offset = next((self.names[i], cells[i]) for i in self._offsets if cells[i])
        raise RawExport(
            f"the {self.names[at]} cell begins with an apostrophe ({_glimpse(cells[at])}) that "
            f"the import would take off, and the file reads as a --raw export ({column} "
            f"{offset!r} has no apostrophe before it, as 'export csv' without --raw writes "
            "each offset): import it with --raw"
        )


class RawExport(ClaimtrackError):
    """A file that reads as a --raw export, imported without --raw, in which a cell would
    lose a leading apostrophe of its own: the whole file is refused (``_Reading.read``)."""


def _glimpse(text: str, limit: int = 40) -> str:
    """A text quoted in a bad row's line: its start when long."""
    return repr(text if len(text) <= limit else text[:limit].rstrip() + "…")


def _mixed_formats(columns: list[str], header: list[str], minimal: bool) -> str:
    """The refusal of a header that mixes the two formats: ``columns`` are the other
    format's, where the rest of ``header`` says which one the file is."""
    short = "the minimal format (claim, party, stance, source, date, topic, quote, via)"
    export = "a per-stance export ('claimtrack export csv --per stance')"
    if minimal:
        return (f"column(s) {_listed(columns)} are those of {export}, but without party_kind "
                f"or claim_ref the file is read as {short}: give one format's columns, "
                "not both")  # fmt: skip
    marks = [c for c in ("party_kind", "claim_ref") if c in header]
    makes = f"{' and '.join(marks)} make{'' if len(marks) > 1 else 's'}"
    renamed = {"date": "said_at", "source": "source_title"}
    instead = ", ".join(f"{renamed[c]} for {c}" for c in columns if c in renamed)
    return (f"column(s) {_listed(columns)} are those of {short}, but {makes} the "
            f"file {export}: give one format's columns, not both"
            + (f" ({instead} in an export)" if instead else ""))  # fmt: skip


def _listed(names: list[str]) -> str:
    """Column names for an error message: the first few, then how many more."""
    shown = ", ".join(map(repr, names[:MAX_LISTED_COLUMNS]))
    more = len(names) - MAX_LISTED_COLUMNS
    return shown + (f" and {more:,} more" if more > 0 else "")


class Errors:
    """Bad rows by line: the first ``MAX_LISTED_ERRORS`` kept, the others counted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.listed: list[tuple[int, str]] = []
        self.count = 0
        # How a row is named: its line in the file, or (a converted dataset's rows) its
        # place in the dataset's own files.
        self.where: Callable[[int], str] = lambda line: f"line {line}"

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED_ERRORS:
            self.listed.append((line, message))

    def check(self) -> None:
        """Refuse the whole file if any row was bad."""
        if not self.count:
            return
        ordered = sorted(self.listed, key=lambda error: error[0])
        listed = [f"{self.where(line)}: {message}" for line, message in ordered]
        more = self.count - len(listed)
        raise ClaimtrackError(
            f"{self.path}: {self.count} bad row(s), nothing imported:\n  "
            + "\n  ".join(listed)
            + (f"\n  ... and {more} more" if more else "")
        )


# -- the staging tables -----------------------------------------------------------------

_staging = MetaData()
# One row per stance row of the file: its claim by ref, its parties by their number in
# the file, its source by its outlet's number and its title's key.
_row = Table(
    "imp_row", _staging,
    Column("line", Integer, primary_key=True), Column("claim", String),
    Column("party", Integer), Column("via", Integer),
    Column("source_outlet", Integer), Column("source_key", String),
    Column("kind", String), Column("quote", Text), Column("quote_lang", String),
    # As UTCDateTime stores them (``_stored``).
    Column("said_at", DateTime), Column("said_offset", Integer),
    Column("said_precision", String), Column("said_until", DateTime),
    Column("recorded_at", DateTime), Column("recorded_by", String),
    prefixes=["TEMPORARY"],
)  # fmt: skip
# One row per claim, as the file first gives it (a claim named again further down a
# file that is not in claim order is staged again, and the later copy dropped).
_claim = Table(
    "imp_claim", _staging,
    Column("line", Integer, primary_key=True), Column("ref", String),
    Column("topic", String), Column("text", Text), Column("text_norm", Text),
    Column("text_key", String), Column("slug_given", String), Column("slug", String),
    # A claim_ref that is an id: the claim of that id, if it says the same, is this one.
    Column("id_given", Integer),
    Column("language", String), Column("contradicts", Text), Column("same_as", Text),
    # Why the claim could not be created, if it has to be.
    Column("invalid", Text),
    Column("candidate", Integer), Column("claim_id", Integer),
    Column("new", Boolean(create_constraint=False)),
    Index("ix_imp_claim_ref", "ref", "line"), Index("ix_imp_claim_candidate", "candidate"),
    # A slug the file gives twice: found by index, not by a scan per new claim.
    Index("ix_imp_claim_slug", "slug", "line"),
    Index("ix_imp_claim_claim_id", "claim_id"),
    prefixes=["TEMPORARY"],
)  # fmt: skip
# The rows not written: those repeating an earlier row's stance, or one the database holds.
_repeat = Table("imp_repeat", _staging, Column("line", Integer, primary_key=True),
                prefixes=["TEMPORARY"])  # fmt: skip
# One row per source (outlet number and title key), as the file first gives it. A minimal
# file names a source by its title alone, as ``--source TITLE`` does: its sources are
# staged, and its rows name them, with the outlet number ``BY_TITLE``; ``creator`` is the
# outlet a new source is given (the row's via, or its party).
_source = Table(
    "imp_source", _staging,
    Column("line", Integer, primary_key=True), Column("outlet", Integer),
    Column("creator", Integer),
    Column("title", Text), Column("title_key", String), Column("url", Text),
    Column("language", String), Column("published_at", DateTime),
    Column("published_offset", Integer), Column("published_precision", String),
    Column("outlet_id", Integer), Column("source_id", Integer),
    Column("new", Boolean(create_constraint=False)),
    Index("ix_imp_source_key", "outlet", "title_key", "line"),
    Index("ix_imp_source_found", "outlet_id", "title_key"),
    prefixes=["TEMPORARY"],
)  # fmt: skip
# A minimal file's sources found by title (``_Load._sources_by_title``): the first id of
# each title, and how many sources have it.
_titled = Table("imp_titled", _staging, Column("line", Integer, primary_key=True),
                Column("source_id", Integer), Column("found", Integer),
                prefixes=["TEMPORARY"])  # fmt: skip
# The new claims' sketches, before they go into ``claim_sketch`` in its key's order.
_sketch = Table("imp_sketch", _staging, Column("topic_key", Integer), Column("gram", Integer),
                Column("claim_id", Integer), prefixes=["TEMPORARY"])  # fmt: skip
# Each party number of the file, and the id it resolved to.
_party = Table("imp_party", _staging, Column("n", Integer, primary_key=True),
               Column("id", Integer), prefixes=["TEMPORARY"])  # fmt: skip


_STAGING_INDEXES = [index for table in _staging.sorted_tables for index in table.indexes]
# Staging columns filled in once the file is read.
_RESOLVED = ("candidate", "claim_id", "outlet_id", "source_id")


def _ref_key(ref: str) -> str:
    if len(ref) <= MAX_REF:
        return ref
    return "\x1f" + hashlib.sha256(ref.encode("utf-8")).hexdigest()


def _digest(text: str) -> bytes:
    """A key the reader remembers, of fixed size whatever the text's length."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _stored(value: dt.datetime) -> str:
    """An instant as ``UTCDateTime`` stores it on SQLite (naive UTC, to the microsecond),
    which PostgreSQL's ``COPY`` reads as a ``timestamp``: rows go from the staging table
    into ``stance`` as they are. (tests/test_bulk.py checks it against SQLAlchemy.)"""
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class _Stage:
    """Rows into a staging table, ``BATCH // STAGES`` at a time: ``COPY`` on PostgreSQL, an
    ``executemany`` of the table's ``insert()`` elsewhere."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self.connection = connection
        names = [c.name for c in table.columns if c.name not in _RESOLVED]
        columns = ", ".join(names)
        if connection.dialect.name == "postgresql":
            self.copy = f"COPY {table.name} ({columns}) FROM STDIN"
        else:  # the Core insert(), compiled once, run on tuples (no dict a row)
            self.copy = None
            statement = insert(table).values({name: bindparam(name) for name in names})
            compiled = statement.compile(dialect=connection.dialect)
            assert compiled.positiontup == names
            self.insert = str(compiled)
        self.pending: list[tuple] = []

    def add(self, row: tuple) -> None:
        self.pending.append(row)
        if len(self.pending) >= BATCH // STAGES:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        if self.copy:
            raw = self.connection.connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(self.copy) as copy:
                for row in self.pending:
                    copy.write_row(row)
        else:
            self.connection.exec_driver_sql(self.insert, self.pending)
        self.pending = []


# -- what the file names ----------------------------------------------------------------


class _PartyEntry:
    """A party as the file gives it: speaking (its kind, aliases and side from the full
    format) or only named (``if_missing``: found by any name, else created)."""

    __slots__ = ("name", "kind", "line", "aliases", "acts_for", "if_missing", "kind_given",
                 "kind_line", "for_line", "other_kinds", "other_sides", "later")  # fmt: skip

    def __init__(self, name: str, kind: str, line: int, *, acts_for=None, if_missing=False,
                 kind_given=False):  # fmt: skip
        self.name, self.kind, self.line = name, kind, line
        self.kind_given = kind_given  # a party_kind cell, not the default
        self.aliases: dict[str, int] = {}  # alias -> the line first giving it
        self.acts_for = acts_for or None
        self.if_missing = if_missing
        self.kind_line = self.for_line = line  # the lines that gave its kind and side
        # Another kind, or another party_for, a later row gives: kind or name -> its line.
        self.other_kinds: dict[str, int] = {}
        self.other_sides: dict[str, int] = {}
        self.later: list[tuple[str | None, str | None, int]] = []  # (kind, party_for, line)

    def also(self, kind: str | None, acts_for: str | None, line: int) -> None:
        """A later row of the same party giving a kind or a side (``settle``)."""
        if kind or acts_for:
            self.later.append((kind, acts_for, line))

    def settle(self) -> None:
        """A desk's file (``_Parties.strict``): a kind or side the first row did not give
        is a later row's; another than the one given is kept to be told (nu21: a later
        row's party_for was passed over, unsaid). A converted dataset's parties are as its
        first row gives them."""
        for kind, acts_for, line in self.later:
            if kind and not self.kind_given:
                self.kind, self.kind_given, self.kind_line = kind, True, line
            elif kind and kind != self.kind:
                self.other_kinds.setdefault(kind, line)
            if acts_for and self.acts_for is None:
                self.acts_for, self.for_line = acts_for, line
            elif acts_for and acts_for != self.acts_for:
                self.other_sides.setdefault(acts_for, line)


class _Reading:
    """The first pass: every row checked, the good ones staged, parties collected
    (``parties`` speaking, in file order; ``referenced``, only named)."""

    def __init__(self, connection: Connection, columns: Columns, errors: Errors) -> None:
        self.columns = columns
        self.errors = errors
        self.parties: dict[str, _PartyEntry] = {}
        self.referenced: dict[str, _PartyEntry] = {}
        self.sides_named: set[str] = set()  # the names given as a party_for
        self.numbers: dict[str, int] = {}  # every party name -> its number in the file
        # The sources staged lately: (outlet, title) -> (title key, address).
        self.sources: dict[tuple[str, str], tuple[str, str | None]] = {}
        # Every source staged: its outlet's number and title key, as a digest of fixed
        # size (a file may name more sources than ``sources`` remembers; each is staged
        # once, however often and far apart the file names it).
        self.staged: set[bytes] = set()
        self.rows = _Stage(connection, _row)
        self.claims = _Stage(connection, _claim)
        self.staged_sources = _Stage(connection, _source)
        self.last_ref: str | None = None
        self.last_text: str | None = None
        self.overrides = Overrides()  # lines with a bidi override in a claim or quote
        self._text_ref: tuple[tuple[str, str] | None, str] = (None, "")  # the last claim read
        self._languages: set[str] = set()  # the language codes checked (a file has few)
        self.count = 0
        self._aliases = ("", [])  # the last party_aliases cell read, and its names
        self._times: dict[tuple, tuple] = {}  # said times parsed lately, as staged
        self._instants: dict[str, str] = {}  # recorded_at cells read lately, as staged
        self.long: list[int] = []  # lines with a text over an XLSX cell (LoadReport.long)

    def read(self, source: CsvFile, advance: Callable[..., None]) -> int:
        """Check and stage every row; the number of rows (bad ones included). ``advance``
        counts in the source's unit (bytes of a file), the note counts rows."""
        shown = 0
        rows = source.unit != "rows"  # a count of rows beside a bar of bytes
        for line, cells in source.rows(self.errors):
            self.count += 1
            try:
                self.take(line, self.columns.row(cells))
            except RawExport as exc:  # the file, not the row: in one line
                raise ClaimtrackError(f"{source.path}: line {line}: {exc}") from None
            except (ValueError, ClaimtrackError) as exc:
                self.errors.add(line, str(exc))
            if self.count % SHOW_EVERY == 0:
                advance(source.bytes_read - shown, note=f"{self.count:,} rows" if rows else None)
                shown = source.bytes_read
        for stage in (self.rows, self.claims, self.staged_sources):
            stage.flush()
        advance(source.bytes_read - shown, note=f"{self.count:,} rows" if rows else None)
        return self.count

    def forget(self) -> None:
        """Let go of what only the reading needed (the sources staged, times parsed): the
        writing and re-rating that follow reuse its memory rather than add to it."""
        self.staged = set()
        self.sources = {}
        self._times, self._instants = {}, {}
        self.rows = self.claims = self.staged_sources = None

    def take(self, line: int, row: dict[str, str]) -> None:
        """Check one row (raising at the first fault) and stage it."""
        word = row["stance"].lower()
        kind = BY_VERB[word].name if word in BY_VERB else word
        if kind not in STANCE_KINDS:
            raise ValueError(f"unknown stance {row['stance']!r}: use {', '.join(STANCE_KINDS)}")
        party_kind = row.get("party_kind") or "person"
        if party_kind not in PARTY_KINDS:
            raise ValueError(f"unknown party kind {party_kind!r}")
        for field in ("claim_lang", "quote_lang", "source_lang"):  # as --lang is checked
            code = row.get(field)
            if code and code not in self._languages:
                problem = language_problem(code)
                if problem is not None:
                    raise ValueError(f"{field}: {problem}")
                self._languages.add(code)
        said = row.get("said_at") or ""
        if not said:
            raise ValueError("the date is empty")
        said = self._said(said, row.get("said_tz"))
        published = None
        if row.get("source_published"):
            published = begun(
                _parse_given(
                    row["source_published"], row.get("source_tz"), "source_tz", self.columns.tz
                ),
                "published",
            )
        aliases = self._alias_list(row.get("party_aliases") or "")
        recorded_at = row.get("recorded_at")
        recorded_at = self._recorded(recorded_at) if recorded_at else None
        name, via = row["party"], row.get("via") or None
        title = row.get("source_title")
        outlet = (row.get("source_outlet") or via or name) if title else None
        # A minimal file names a source by its title alone (``BY_TITLE``); the outlet is
        # a new one's.
        named = None if self.columns.minimal else outlet
        source = self.sources.get((named, title)) if title else None
        url = row.get("source_url") or None
        if source is None or url != source[1]:  # a source's own address is checked once
            url = record.check_url(url)
        if title and source is None:
            title = record.required(title, "source title")

        # Checked: from here on, only recording.
        if self.columns.minimal:
            self._reference(name, "person", line)
        else:
            entry = self.parties.get(name)
            if entry is None:
                acts_for = row.get("party_for")
                given = bool(row.get("party_kind"))
                entry = _PartyEntry(name, party_kind, line, acts_for=acts_for, kind_given=given)
                self.parties[name] = entry
                self.numbers.setdefault(name, len(self.numbers) + 1)
            else:
                entry.also(row.get("party_kind"), row.get("party_for"), line)
            for alias in aliases:
                entry.aliases.setdefault(alias, line)
        for ref, ref_kind in ((via, "media"), (row.get("party_for"), "organisation")):
            if ref:
                self._reference(ref, ref_kind, line)
        if row.get("party_for"):
            self.sides_named.add(row["party_for"])
        if title:
            self._reference(outlet, "media", line)
            if source is None:
                source = self._source(line, outlet, title, url, row, published)
        topic = row.get("topic") or record.DEFAULT_TOPIC
        text, quote = row["claim"], row.get("quote")
        if max(len(text), len(quote or "")) > CELL_LIMIT:
            self.long.append(line)
        ref = self._claim_ref(row.get("claim_ref"), topic, text)
        # A claim is staged by the first row of its run, and again by a row giving another
        # text for it: the texts are compared with the claim's (``_Load._claim_texts``).
        if ref != self.last_ref or text != self.last_text:
            self.last_ref, self.last_text = ref, text
            self.claims.add(_claim_row(line, ref, row, topic))
            if overrides_in(text):
                self.overrides.add(line, "claim text", text)
        if quote and overrides_in(quote):
            self.overrides.add(line, "quote", quote)
        self.rows.add((
            line, ref, self.numbers[name], self.numbers[via] if via else None,
            self._outlet_number(outlet) if title else None, source[0] if title else None,
            kind, row.get("quote") or None, row.get("quote_lang") or None, *said,
            recorded_at, row.get("recorded_by") or None,
        ))  # fmt: skip

    def _claim_ref(self, claim_ref: str | None, topic: str, text: str) -> str:
        """The row's claim as staged: its claim_ref, else its topic and text key. A file
        without claim_refs names a claim by its words, and two spellings of one claim
        (a curly apostrophe, a final full stop) are one claim, as they are one claim
        with the database (``record.find_same_claim``) and to ``claim add``. A claim_ref
        is the exporting database's identity: claims added there with ``--force`` keep
        one ref each, and stay apart."""
        if claim_ref:
            return _ref_key(claim_ref)
        if self._text_ref[0] != (topic, text):  # a claim's rows come together, mostly
            key = normalise(text)
            # A text with nothing to key on is refused (``_claim_row``) by its own line.
            named = record.normalised_text_key(key) if key else "\x1e" + text
            self._text_ref = ((topic, text), _ref_key(f"{topic}\x1f{named}"))
        return self._text_ref[1]

    def _said(self, text: str, tz: str | None) -> tuple:
        """A said time as staged: (at, offset, precision, until), ``tz`` the row's said_tz.
        A file gives the same times again and again: each is parsed once (of the last
        ``BATCH`` kept)."""
        key = (text, tz)
        staged = self._times.get(key)
        if staged is None:
            if self.columns.minimal:
                said = parse_when(text, self.columns.tz, zone_from="--tz")
            else:
                said = _parse_given(text, tz, "said_tz", self.columns.tz)
            said = begun(said)  # refused when it begins after now; a time kept stays past
            staged = (_stored(said.at), said.offset_minutes, said.precision, _stored(said.until))
            if text.strip().lower() != "now":  # "now" is each row's own instant
                self._keep(self._times, key, staged)
        return staged

    def _recorded(self, text: str) -> str:
        staged = self._instants.get(text)
        if staged is None:
            staged = self._keep(self._instants, text, _stored(_instant(text)))
        return staged

    @staticmethod
    def _keep(cache: dict, key, value):
        if len(cache) >= BATCH:
            cache.clear()
        cache[key] = value
        return value

    def _source(self, line, outlet, title, url, row, published) -> tuple[str, str | None]:
        """Stage a source not seen lately, unless staged before; it is remembered for the
        next ``BATCH``."""
        key = record.title_key(title)
        staged = _digest(f"{self._outlet_number(outlet)}\x1f{key}")
        if staged not in self.staged:
            self.staged.add(staged)
            self._stage_source(line, outlet, title, key, url, row, published)
        if len(self.sources) >= BATCH:
            # The oldest tenth forgotten at once: a dict's first key, after deletions
            # from its front, is found by a scan over the deleted slots (one at a time,
            # a scan per source: about 1% of the import).
            for oldest in list(itertools.islice(self.sources, BATCH // 10 or 1)):
                del self.sources[oldest]
        named = None if self.columns.minimal else outlet
        source = self.sources[(named, title)] = (key, url)
        return source

    def _outlet_number(self, outlet: str) -> int:
        """How the rows and the staged sources name a source's outlet: its number in the
        file, or ``BY_TITLE`` in a minimal file."""
        return BY_TITLE if self.columns.minimal else self.numbers[outlet]

    def _stage_source(self, line, outlet, title, key, url, row, published) -> None:
        p = published
        self.staged_sources.add((
            line, self._outlet_number(outlet), self.numbers[outlet], title, key, url,
            row.get("source_lang") or None,
            _stored(p.at) if p else None, p.offset_minutes if p else None,
            p.precision if p else None, False,
        ))  # fmt: skip

    def _alias_list(self, cell: str) -> list[str]:
        if cell == self._aliases[0]:
            return self._aliases[1]
        try:
            aliases = json.loads(cell) if cell else []
        except ValueError:
            aliases = None
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ValueError(
                f"party_aliases {_glimpse(cell)} is not a JSON list of names: give the names "
                'as the export writes them, ["Vance", "万斯"], or leave the cell empty'
            )
        self._aliases = (cell, aliases)
        return aliases

    def _reference(self, name: str, kind: str, line: int) -> None:
        if name not in self.referenced:  # then numbered too
            self.referenced[name] = _PartyEntry(name, kind, line, if_missing=True)
            self.numbers.setdefault(name, len(self.numbers) + 1)

    def party_entries(self) -> list[_PartyEntry]:
        """Speaking parties first, in file order, then those only named."""
        named = (e for name, e in self.referenced.items() if name not in self.parties)
        return [*self.parties.values(), *named]


def _claim_row(line: int, ref: str, row: dict[str, str], topic: str) -> tuple:
    """A claim as staged: its matching keys, and why it could not be created, if so."""
    text = row["claim"]
    key = normalise(text)
    claim_ref = row.get("claim_ref") or ""
    given = claim_ref if claim_ref and not claim_ref.isdigit() else None
    id_given = record.as_id(claim_ref) if claim_ref and given is None else None
    slug, invalid = None, None
    try:
        record.required(text, "claim text", key=key)
        record.required(topic, "topic")
        slug = record.check_slug(given)
    except ClaimtrackError as exc:
        invalid = str(exc)
    return (line, ref, topic, text, key, record.normalised_text_key(key), given, slug,
            id_given, row.get("claim_lang") or None, row.get("contradicts") or None,
            row.get("same_as") or None, invalid, False)  # fmt: skip


def _refs(cell: str | None) -> list[str]:
    return [r.strip() for r in (cell or "").split(";") if r.strip()]


def _topic_unused():
    """That no claim in the database has the staged claim's topic (``_claim``'s row)."""
    claim = Claim.__table__
    return ~select(claim.c.id).where(claim.c.topic == _claim.c.topic).exists()


def _instant(text: str) -> dt.datetime:
    form = "a time with its UTC offset, as the export writes it (2026-04-11T11:00:00+00:00)"
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"recorded_at {_glimpse(text)} is not a time: give {form}") from None
    if value.tzinfo is None:
        raise ValueError(f"recorded_at {text!r} has no UTC offset: give {form}")
    return value


def _parse_given(text: str, tz: str | None, column: str, file_tz: str | None):
    """A time of the per-stance format and its zone column: a zone given in the row must
    agree with an offset written in the time, as ``claim add`` refuses ``--at
    ...+05:00 --tz Europe/Moscow``; without one, the file's --tz reads a time without an
    offset (a time's own offset comes before --tz)."""
    if tz:
        return parse_when(text, tz, zone_from=column, agree=True)
    return parse_when(text, file_tz, zone_from=f"the {column} column or --tz")


# -- parties ----------------------------------------------------------------------------


class _Party:
    """What the load needs of a party: enough for ``record``'s checks and messages."""

    __slots__ = ("id", "name", "name_norm", "anonymous", "acts_for_id", "aliases", "book", "kind")

    def __init__(self, book, id, name, name_norm, anonymous, acts_for_id, kind=None) -> None:
        self.book, self.id, self.name, self.name_norm = book, id, name, name_norm
        self.anonymous, self.acts_for_id, self.kind = anonymous, acts_for_id, kind
        self.aliases: set[str] = set()  # alias keys

    @property
    def acts_for(self) -> _Party | None:  # for record.check_not_circular
        return self.book.by_id(self.acts_for_id) if self.acts_for_id is not None else None


class _Parties:
    """The parties a load names, looked up once (by every name key the file uses) and
    created as ``record.add_party`` and ``record.add_alias`` would; new ones are written
    together, and before any message needs their id.

    ``strict`` (a file of the desk's, not a converted dataset): a party there is keeps the
    kind and side it has (a row giving another is a bad row: ``party edit`` changes them,
    said), and a new name a keystroke from a party's is not created, as ``claim add
    --create-missing`` refuses it (``record.typo_matcher``), against the parties there
    were before the load (``known``: the largest id then)."""

    def __init__(self, connection: Connection, keys: set[str], now, errors: Errors, *,
                 strict: bool = False, known: int = 0) -> None:  # fmt: skip
        self.connection, self.now, self.errors = connection, now, errors
        self.strict, self.known = strict, known
        self.existing: set[int] = set()  # the ids of the parties found in the database
        self.names_before: list[str] | None = None  # their names and aliases, when asked
        self._typo = None
        self.moved: list[int] = []  # parties whose side ``load`` changed
        self.holders: dict[str, _Party] = {}  # name key -> the party answering to it
        self.ids: dict[int, _Party] = {}
        self.new: list[_Party] = []  # created, not yet written
        self.names: list[tuple[_Party, str]] = []  # party_name rows to write
        self.created: list[str] = []  # the names of the parties created, in order
        self.aliases: list[tuple[_Party, str, str]] = []  # party_alias rows, in order
        self.added = Counter()
        name = PartyName.__table__
        for part in chunks(sorted(keys)):
            query = (
                self._select()
                .add_columns(name.c.key)
                .join(name, name.c.party_id == Party.__table__.c.id)
            )
            for row in connection.execute(query.where(name.c.key.in_(part))):
                self.holders[row.key] = self._known(row)
        self._load_aliases(list(self.ids))

    @staticmethod
    def _select():
        party = Party.__table__
        return select(party.c.id, party.c.name, party.c.name_norm, party.c.anonymous,
                      party.c.acts_for_id, party.c.kind)  # fmt: skip

    def _known(self, row) -> _Party:
        party = self.ids.get(row.id)
        if party is None:
            party = self.ids[row.id] = _Party(self, row.id, row.name, row.name_norm,
                                              row.anonymous, row.acts_for_id, row.kind)  # fmt: skip
            self.existing.add(row.id)
        return party

    def before(self) -> list[str]:
        """The names and aliases of the parties there were before the load: one query."""
        if self.names_before is None:
            party, alias = Party.__table__, PartyAlias.__table__
            run = self.connection.scalars
            self.names_before = [
                *run(select(party.c.name).where(party.c.id <= self.known)),
                *run(select(alias.c.alias).where(alias.c.party_id <= self.known)),
            ]
        return self.names_before

    def _load_aliases(self, ids: list[int]) -> None:
        alias = PartyAlias.__table__
        for part in chunks(ids):
            query = select(alias.c.party_id, alias.c.alias_norm).where(alias.c.party_id.in_(part))
            for party_id, key in self.connection.execute(query):
                self.ids[party_id].aliases.add(key)

    def by_id(self, party_id: int) -> _Party | None:
        if party_id not in self.ids and self.new:
            self._write_new()
        if party_id not in self.ids:
            row = self.connection.execute(
                self._select().where(Party.__table__.c.id == party_id)
            ).first()
            if row is None:
                return None
            self._known(row)
            self._load_aliases([party_id])
        return self.ids[party_id]

    def find(self, ref: str) -> _Party | None:
        """``record.find_party``: by id, or by any name or alias."""
        if record.as_id(ref) is not None:
            party = self.by_id(record.as_id(ref))
            if party is not None:
                return party
        return self.holder(normalise(ref))

    def holder(self, key: str) -> _Party | None:
        """The party answering to a key; or, when none does, but for a final full stop
        (``record._party_candidates``)."""
        found = self.holders.get(key)
        if found is None:
            found = next((self.holders[k] for k in stop_variants(key) if k in self.holders), None)
        return found

    def load(self, entries: list[_PartyEntry]) -> None:
        """Find or create each party, then give them their aliases and sides."""
        if self.strict:
            for entry in entries:
                entry.settle()
        for entry in entries:
            try:
                self._entry(entry)
            except ClaimtrackError as exc:
                self.errors.add(entry.line, str(exc))
        # The sides are checked too before the stage's bad rows are told, so a file with a
        # bad kind and a bad side names both at once (nu21); the parties written meanwhile
        # go with the transaction the errors end. (A party whose row was bad and that is
        # not in the database has no side to check: ``_side``.)
        self._write_new()
        sides = []
        for entry in entries:
            if entry.acts_for:
                try:
                    sides += self._side(entry)
                except ClaimtrackError as exc:
                    self.errors.add(entry.for_line, str(exc))
            self._one_kind_and_side(entry)
        self.errors.check()
        party, name, alias = Party.__table__, PartyName.__table__, PartyAlias.__table__
        if sides:
            self.connection.execute(
                update(party).where(party.c.id == bindparam("party"))
                .values(acts_for_id=bindparam("acts_for")), sides,
            )  # fmt: skip
        self.moved = [s["party"] for s in sides]  # their sides changed (``tally.resides``)
        if self.names:
            rows = [{"party_id": p.id, "key": key} for p, key in self.names]
            self.connection.execute(insert(name), rows)
        if self.aliases:
            rows = [{"party_id": p.id, "alias": a, "alias_norm": key} for p, a, key in self.aliases]
            self.connection.execute(insert(alias), rows)

    def _entry(self, entry: _PartyEntry) -> None:
        if entry.if_missing and self.find(entry.name) is not None:
            return
        key = normalise(entry.name)
        holder = self.holder(key)
        anonymous = entry.kind == "anonymous"
        own = holder is not None and holder.name_norm.rstrip(".") == key.rstrip(".")
        # A blank party_kind is the party's own kind, an anonymous source's too (a row
        # naming one without its kind was refused as another party's name).
        named = own and (holder.anonymous == anonymous or not entry.kind_given)
        if own and not named and holder.id in self.existing:
            raise self._other_kind(holder, entry.kind)
        if named and self.strict and entry.kind_given and holder.id in self.existing:
            if holder.kind != entry.kind:  # as claim add refuses a conflicting --party-kind
                name = quoted_name(holder.name)
                raise ClaimtrackError(
                    f"party_kind {entry.kind}: {name} is of kind {holder.kind} in the "
                    f"database: give {holder.kind}, or change it first with: claimtrack party "
                    f"edit {name} --kind {entry.kind}"
                )
        party = holder if named else self._add(entry.name, entry.kind)
        for alias, line in entry.aliases.items():
            try:
                self._alias(party, alias, new=not named)
            except ClaimtrackError as exc:
                self.errors.add(line, str(exc))

    @staticmethod
    def _other_kind(holder: _Party, kind: str) -> ClaimtrackError:
        """A row giving a party of the database as an anonymous source when it is a named
        party, or the other way round: one party, told how to change it."""
        name = quoted_name(holder.name)
        if holder.anonymous:
            return ClaimtrackError(
                f"party_kind {kind}: {name} is an anonymous source in the database: give "
                f"anonymous, or make it a named party first with: claimtrack party edit "
                f"{name} --kind {kind}"
            )
        return ClaimtrackError(
            f"party_kind anonymous: {name} is a named party (kind {holder.kind}) in the "
            f"database: give {holder.kind}, or make it an anonymous source first with: "
            f"claimtrack party edit {name} --anonymous"
        )

    def _add(self, name: str, kind: str) -> _Party:
        """``record.add_party``."""
        name = record.required(name, "party name")
        key = normalise(name)
        holder = self.holder(key)
        if holder is not None:
            raise self._taken(None, holder, name, "party name", new=True)
        if self.strict and self.known:
            if self._typo is None:
                self._typo = record.typo_matcher(self.before())
            meant = self._typo(name)
            if meant is not None:
                raise ClaimtrackError(
                    f"unknown party {quoted_name(name)}: a keystroke from {quoted_name(meant)}, "
                    "so the import does not create it (as --create-missing does not). If it is "
                    f"another party, create it first with: claimtrack party add {quoted_name(name)}"
                )
        party = _Party(self, None, name, key, kind == "anonymous", None, kind)
        self.new.append(party)
        self.holders[key] = party
        self.names.append((party, key))
        self.added["parties"] += 1
        if len(self.created) < MAX_NEW_PARTIES_NAMED:
            self.created.append(name)
        return party

    def _alias(self, party: _Party, alias: str, *, new: bool) -> None:
        """``record.add_alias``."""
        alias = record.required(alias, "alias")
        key = normalise(alias)
        if key == party.name_norm or key in party.aliases:
            return
        holder = self.holders.get(key)
        if holder is not None and holder is not party:
            raise self._taken(party, holder, alias, "alias", new=new)
        if holder is None:
            self.holders[key] = party
            self.names.append((party, key))
        party.aliases.add(key)
        self.aliases.append((party, alias, key))
        self.added["aliases"] += 1

    def _taken(self, party, holder: _Party, name: str, what: str, *, new: bool):
        if holder.id is None:  # the message names it by id
            self._write_new()
        return record.name_taken(party, holder, name, what, new=new)

    def _write_new(self) -> None:
        table = Party.__table__
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        for start in range(0, len(self.new), BATCH):
            part = self.new[start : start + BATCH]
            rows = [{"name": p.name, "name_norm": p.name_norm, "kind": p.kind,
                     "anonymous": p.anonymous, "created_at": self.now} for p in part]  # fmt: skip
            for party, party_id in zip(part, self.connection.scalars(statement, rows), strict=True):
                party.id = party_id
                self.ids[party_id] = party
        self.new = []

    def _one_kind_and_side(self, entry: _PartyEntry) -> None:
        """A party's rows give it one kind and one side: another on a later row is a bad
        row (a name the same party has is the same side)."""
        if not (entry.other_kinds or entry.other_sides):
            return
        name = quoted_name(entry.name)
        # A party there was before: a later row agreeing with the database is not told
        # (the first row's disagreement is, by ``_entry`` or ``_side``).
        party = self.find(entry.name)
        before = party is not None and party.id in self.existing
        for kind, line in entry.other_kinds.items():
            if before and kind == party.kind:
                continue
            self.errors.add(line, f"party_kind {kind}: {name} is {entry.kind} on line "
                                  f"{entry.kind_line}: give one kind for each party")  # fmt: skip
        side = self.find(entry.acts_for) if entry.other_sides else None
        for other, line in entry.other_sides.items():
            found = self.find(other)
            if found is not None and before and found.id == party.acts_for_id:
                continue
            if side is None or found is None or found.id != side.id:
                self.errors.add(line, (
                    f"party_for {quoted_name(other)}: {name} acts for "
                    f"{quoted_name(entry.acts_for)} on line {entry.for_line}: give one side "
                    "for each party"
                ))  # fmt: skip

    def _side(self, entry: _PartyEntry) -> list[dict]:
        """The party's side, as ``record.check_not_circular`` allows it."""
        party, acts_for = self.find(entry.name), self.find(entry.acts_for)
        if party is None or acts_for is None:  # its row was bad: told already
            return []
        if party.acts_for_id == acts_for.id:
            return []
        if self.strict and party.acts_for_id is not None:  # moved by a cell, unsaid: no
            name, now = quoted_name(party.name), quoted_name(party.acts_for.name)
            raise ClaimtrackError(
                f"party_for {quoted_name(acts_for.name)}: {name} acts for {now} in the "
                f"database: give {now}, or change it first with: claimtrack party edit {name} "
                f"--for {quoted_name(acts_for.name)}"
            )
        record.check_not_circular(party, acts_for)
        party.acts_for_id = acts_for.id
        return [{"party": party.id, "acts_for": acts_for.id}]


def _opposite(kind, other):
    """Two stance kinds on opposite sides of a claim."""
    return or_(and_(kind.in_(SUPPORT), other.in_(OPPOSE)),
               and_(kind.in_(OPPOSE), other.in_(SUPPORT)))  # fmt: skip


def _overlapping(one, other):
    """Two said times (each from ``said_at`` to ``said_until``) that overlap."""
    return and_(one.said_at < other.said_until, other.said_at < one.said_until)


# -- the load ---------------------------------------------------------------------------


def import_csv(
    session: Session,
    source: CsvFile,
    *,
    editor: str,
    label: str,
    progress=SILENT,
    new_topic: bool = False,
    again: bool = False,
    dataset: bool = False,
) -> tuple[LoadReport, int]:
    """Import a CSV file into the session's transaction and log it; the caller commits.
    Returns what was added and the number of rows read. ``progress``: three phases
    (``claimtrack.progress``), reading the rows, writing them, re-rating the claims.
    ``new_topic``: start topics that read as typos of one there is (else refused).
    ``again``: record a row whose party took the other side at an overlapping time
    (else refused, as ``claim deny`` refuses it without --again). ``dataset``: the rows
    are a converted dataset's, whose parties' kinds and sides are the converter's guesses
    and whose names are its source's: a party there is keeps its own, and no name is
    refused as a typo (``_Parties``'s ``strict``, for a desk's file)."""
    load = _Load(session, source.path, editor, typos=not new_topic, again=again,
                 strict=not dataset)  # fmt: skip
    with _sqlite_heap_bounded(load.connection):
        with progress.phase(f"Reading {source.path.name}", source.size, unit=source.unit) as a:
            rows = load.read(source, a)
        report = load.write(rows, progress)
    load.drop()  # a failed load leaves them to the rollback
    record.log_event(session, editor, "import", f"{label}: {report.summary()}")
    return report, rows


@contextlib.contextmanager
def _sqlite_heap_bounded(connection: Connection) -> Iterator[None]:
    """SQLite's own memory (page caches, the sorts and temporary tables of the writing
    and re-rating statements) kept near ``SQLITE_HEAP`` while the import runs: past it,
    SQLite reuses its cache pages and spills sorts to temporary files, where each of the
    re-rating's statements over every stance would otherwise hold 10-15 MB more at 1M
    claims. The limit is the process's (``sqlite3_soft_heap_limit64``): the one it had
    is put back."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection  # usable after a failed statement too
    before = raw.execute("PRAGMA soft_heap_limit").fetchone()[0]
    raw.execute(f"PRAGMA soft_heap_limit = {SQLITE_HEAP:d}")
    try:
        yield
    finally:
        import sqlite3

        try:
            raw.execute(f"PRAGMA soft_heap_limit = {before:d}")
        except sqlite3.ProgrammingError:  # closed: SQLAlchemy drops a connection Ctrl-C
            # went through. The limit is the process's: any connection puts it back.
            with contextlib.closing(sqlite3.connect(":memory:")) as other:
                other.execute(f"PRAGMA soft_heap_limit = {before:d}")


class _Load:
    """One import, in the session's transaction (whose clock every row it writes bears),
    through its staging tables."""

    def __init__(self, session: Session, path: Path, editor: str, *, typos: bool = False,
                 again: bool = False, strict: bool = False) -> None:  # fmt: skip
        self.session = session
        self.path = path
        self.editor = editor
        self.typos = typos  # refuse a new topic that reads as a typo of one there is
        self.known_topics: list[str] | None = None  # ``_known_topics``: read once
        self.again = again  # record a row that turns its party round (``_turned``)
        self.strict = strict  # parties' kinds, sides and typos as the commands (``_Parties``)
        self.connection = session.connection()
        self.now = record.utcnow(session)
        self.errors = Errors(path)
        self.added: Counter = Counter()
        self.new_parties: list[tuple[str, list[str]]] = []  # LoadReport.new_parties
        self.sideless: list[str] = []  # LoadReport.sideless
        self.new_topics: list[tuple[str, list[str]]] = []  # LoadReport.new_topics
        self.topics_started = 0
        self.reading: _Reading | None = None
        self.by_title = False
        self.long: list[int] = []
        self.overrides = Overrides()
        _staging.drop_all(self.connection, checkfirst=True)
        _staging.create_all(self.connection)
        # The staging tables' indexes are built once the file is staged, each in one
        # sort, not entry by entry as the rows arrive.
        for index in _STAGING_INDEXES:
            index.drop(self.connection)

    def drop(self) -> None:
        _staging.drop_all(self.connection)

    def read(self, source: CsvFile, advance) -> int:
        self.reading = _Reading(self.connection, source.columns, self.errors)
        self.by_title = source.columns.minimal  # its sources named by title (``BY_TITLE``)
        if hasattr(source, "where"):
            self.errors.where = source.where
        count = self.reading.read(source, advance)
        self.long = self.reading.long
        self.overrides = self.reading.overrides
        self.reading.forget()
        if self.typos:  # a topic's typo is a bad row too: listed with the others
            self._topic_typos()
        self.errors.check()
        for index in _STAGING_INDEXES:
            index.create(self.connection)
        if count == 0:
            raise ClaimtrackError(f"{self.path} has a header but no rows")
        self._analyze(_staging.sorted_tables)  # autovacuum never sees temporary tables
        return count

    def _analyze(self, tables, added: dict[str, int] | None = None) -> None:
        """PostgreSQL: fresh statistics for tables this transaction filled. The planner
        would otherwise take a table of 270,000 new stances for the few hundred rows it
        had, and run the rule's joins over it as nested loops (an hour, not a minute).
        ANALYZE counts the transaction's own rows. Given ``added`` (rows this load wrote,
        by table), a table whose statistics already count ten times the rows added is
        left to autovacuum, as its own threshold would (``ANALYZE_SHARE``): a file of ten
        rows into a 1M-claim archive re-sampled the 2.7M stances and the claims, a
        second and a half of the server's time, and changed no plan."""
        if self.connection.dialect.name != "postgresql":
            return
        for each in tables:
            if added is not None:
                # What the planner counts now (the table found as ANALYZE finds it); -1
                # or 0 for a table never analysed.
                rows = self.connection.exec_driver_sql(
                    "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%(name)s)",
                    {"name": each.name},
                ).scalar()
                if rows and rows > 0 and added.get(each.name, 0) * ANALYZE_SHARE < rows:
                    continue
            self.connection.exec_driver_sql(f"ANALYZE {each.name}")

    def write(self, rows: int, progress=SILENT) -> LoadReport:
        for key in ("parties", "aliases", "sources", "claims", "stances", "links"):
            self.added[key] = 0
        # Steps of unequal length (matching claims is most of it): no estimate.
        with progress.phase("Writing", 5, unit="steps", estimate=False) as advance:
            advance(0, note="parties")
            self._parties()
            advance(1, note="sources")
            self._sources()
            advance(1, note="claims")
            self._claims()
            # Stances and links get ids past these: what the state refresh reads back.
            last = {t: self.connection.scalar(select(func.max(t.c.id))) or 0
                    for t in (Stance.__table__, ClaimLink.__table__)}  # fmt: skip
            advance(1, note="stances")
            stances = self._stances()
            advance(1, note="links")
            self._links()
            advance(1, note="done")
        with progress.phase("Re-rating claims", unit=None, estimate=False):
            self._refresh(*last.values())
        return LoadReport(added=self.added, present=rows - stances, new_parties=self.new_parties,
                          sideless=self.sideless,
                          new_topics=self.new_topics, topics_started=self.topics_started,
                          long=self.long, overrides=self.overrides)  # fmt: skip

    # parties: few, resolved in Python with record's rules

    def _parties(self) -> None:
        entries = self.reading.party_entries()
        keys = {normalise(e.name) for e in entries}
        keys |= {normalise(a) for e in entries for a in e.aliases}
        keys |= {v for k in list(keys) for v in stop_variants(k)}  # ``holder``
        table = Party.__table__
        known = self.connection.scalar(select(func.max(table.c.id))) or 0
        parties = _Parties(self.connection, keys, self.now, self.errors, strict=self.strict,
                           known=known)  # fmt: skip
        parties.load(entries)
        self.added.update(parties.added)
        # nu21 #4: a party the file names only as another's party_for, new here, acts for
        # no one: the chain above it (the ministry's government) is not in the file.
        reading = self.reading
        self.sideless = [n for n in parties.created
                         if n in reading.sides_named and n not in reading.parties]  # fmt: skip
        if parties.created:
            # Each with the close names of parties there before it, and of the new ones the
            # file named first ("Asociated Press" after "Associated Press": a new user's
            # file): at most MAX_NEW_PARTIES_NAMED names, compared with each other.
            close = record.name_matcher(parties.before(), cutoff=record.CLOSE_NOTE)
            created = parties.created
            self.new_parties = []
            for i, n in enumerate(created):
                among_new = record.close_names(n, created[:i], cutoff=record.CLOSE_NOTE)
                self.new_parties.append((n, list(dict.fromkeys([*close(n), *among_new]))[:3]))
        # The claims of the parties whose side changed are counted on their new sides, as
        # the load re-rates its claims (``state.refresh_pending``).
        self.session.info.setdefault(state.SIDES, set()).update(parties.moved)
        numbers = [{"n": n, "id": parties.find(name).id}
                   for name, n in self.reading.numbers.items()]  # fmt: skip
        self.connection.execute(insert(_party), numbers)
        self.reading = None  # the parties, the last of it the load needs

    # sources and claims: matched and created in SQL

    def _sources(self) -> None:
        """``record.get_or_add_source`` for each source the file names, by its outlet and
        title (a minimal file's, by title alone: ``_sources_by_title``): the first row
        naming a new one gives its address, language and date."""
        s, source = _source.c, Source.__table__
        other = _source.alias("other")
        run = self.connection.execute
        outlet_id = select(_party.c.id).where(_party.c.n == s.creator).scalar_subquery()
        run(update(_source).values(outlet_id=outlet_id))
        if self.by_title:
            self._sources_by_title()
        else:
            same = source.c.outlet_id == s.outlet_id, source.c.title_key == s.title_key
            found = select(source.c.id).where(*same)
            run(update(_source).where(exists(found)).values(source_id=found.scalar_subquery()))
        # Two names of one outlet are one source: the first creates it.
        first = ~exists().where(
            other.c.outlet_id == s.outlet_id, other.c.title_key == s.title_key,
            other.c.line < s.line,
        )  # fmt: skip
        run(update(_source).where(s.source_id.is_(None), first).values(new=True))
        self._number_new(_source, "source_id", source)
        columns = ["id", "outlet_id", "title", "title_key", "url", "language", "published_at",
                   "published_offset", "published_precision", "created_at"]  # fmt: skip
        new = select(s.source_id, s.outlet_id, s.title, s.title_key, s.url, s.language,
                     s.published_at, s.published_offset, s.published_precision,
                     literal(self.now, UTCDateTime()))  # fmt: skip
        statement = insert(source).from_select(columns, new.where(s.new).order_by(s.line))
        self.added["sources"] += self._written(statement)
        creator = (
            select(other.c.source_id)
            .where(other.c.new, other.c.outlet_id == s.outlet_id, other.c.title_key == s.title_key)
            .scalar_subquery()
        )
        run(update(_source).where(s.source_id.is_(None)).values(source_id=creator))

    def _sources_by_title(self) -> None:
        """A minimal file's sources, each named by its title alone, as ``--source TITLE``
        finds one (``record.find_source``): the source of that title, whatever its
        outlet, else a new one (new user: a row citing the IDF's briefing by its title,
        spoken by Daniel Hagari, made a second source of that title, his, and every
        ``--source`` naming it ambiguous after). A title several sources have is a bad
        row, by the first line naming it, as the commands refuse it. One join of the
        file's titles with the sources (``source`` has no index on the title alone)."""
        s, source = _source.c, Source.__table__
        run = self.connection.execute
        matched = (
            select(s.line, func.min(source.c.id), func.count(source.c.id))
            .select_from(_source)
            .join(source, source.c.title_key == s.title_key)
            .where(s.outlet == BY_TITLE)
            .group_by(s.line)
        )
        run(insert(_titled).from_select(["line", "source_id", "found"], matched))
        t = _titled.c
        ambiguous = select(t.line).where(t.found > 1)
        count = self.connection.scalar(select(func.count()).select_from(ambiguous.subquery()))
        if count:
            listed = ambiguous.order_by(t.line).limit(MAX_LISTED_ERRORS).subquery()
            holders = (
                select(s.line, s.title, source.c.id, Party.name)
                .join(listed, listed.c.line == s.line)
                .join(source, source.c.title_key == s.title_key)
                .join(Party, Party.id == source.c.outlet_id)
                .order_by(s.line, source.c.id)
            )
            found: dict[int, tuple[str, list[tuple[int, str]]]] = {}
            for line, title, source_id, outlet in self.connection.execute(holders):
                found.setdefault(line, (title, []))[1].append((source_id, outlet))
            for line, (title, sources) in found.items():
                ids = ", ".join(f"{i} of {quoted_name(outlet)}" for i, outlet in sources)
                self.errors.add(line, (
                    f"source {quoted_name(title)} is ambiguous (ids {ids}): a minimal file "
                    "names a source by its title alone; to choose one, give its outlet in "
                    "the per-stance format's source_outlet column"
                ))  # fmt: skip
            self.errors.count += count - len(found)
            self.errors.check()
        by_line = select(t.source_id).where(t.line == s.line).scalar_subquery()
        run(update(_source).where(s.outlet == BY_TITLE).values(source_id=by_line))

    def _claims(self) -> None:
        """``record.find_claim`` by slug, else ``record.find_same_claim`` by topic and text
        (a claim the database holds stands for one claim of the file, the first), else
        ``record.add_claim``; in one statement each."""
        c, claim = _claim.c, Claim.__table__
        other = _claim.alias("other")
        run = self.connection.execute
        self._claim_texts()
        # A claim named again further down the file is the one it first named.
        run(_claim.delete().where(
            exists().where(other.c.ref == c.ref, other.c.line < c.line)))  # fmt: skip
        by_slug = select(claim.c.id).where(claim.c.slug == c.slug_given)
        run(update(_claim).where(c.slug_given.is_not(None), exists(by_slug))
            .values(claim_id=by_slug.scalar_subquery()))  # fmt: skip
        same = claim.c.topic == c.topic, claim.c.text_key == c.text_key
        # The claim the file's id names, when it says the same: a file exported from this
        # database keeps claims added there with --force apart (importing it again adds
        # nothing); else the first claim that says the same.
        first_same = func.coalesce(
            select(claim.c.id).where(claim.c.id == c.id_given, *same).scalar_subquery(),
            select(func.min(claim.c.id)).where(*same).scalar_subquery(),
        )
        run(update(_claim).where(c.slug_given.is_(None), exists().where(*same))
            .values(candidate=first_same))  # fmt: skip
        taken_before = exists().where(
            other.c.line < c.line,
            or_(other.c.candidate == c.candidate,
                and_(other.c.slug_given.is_not(None), other.c.claim_id == c.candidate)),
        )  # fmt: skip
        run(update(_claim).where(c.candidate.is_not(None), ~taken_before)
            .values(claim_id=c.candidate))  # fmt: skip
        run(update(_claim).where(c.claim_id.is_(None)).values(new=True))

        slug_taken = exists().where(claim.c.slug == c.slug) | exists().where(
            other.c.new, other.c.slug == c.slug, other.c.line < c.line
        )
        refused = union(
            select(c.line, c.invalid.label("why")).where(c.new, c.invalid.is_not(None)),
            select(c.line, ("slug '" + c.slug + "' is taken by another claim").label("why"))
            .where(c.new, c.invalid.is_(None), c.slug.is_not(None), slug_taken),
        ).subquery()  # fmt: skip
        for line, why in run(select(refused).order_by(refused.c.line)):
            self.errors.add(line, why)
        self.errors.check()
        self._new_topics()

        self._number_new(_claim, "claim_id", claim)
        columns = ["id", "topic", "text", "text_norm", "text_key", "slug", "language",
                   "created_at", "created_by"]  # fmt: skip
        new = select(c.claim_id, c.topic, c.text, c.text_norm, c.text_key, c.slug, c.language,
                     literal(self.now, UTCDateTime()), literal(self.editor, String()))  # fmt: skip
        statement = insert(claim).from_select(columns, new.where(c.new).order_by(c.line))
        # The first claims of the database: its indexes (on PostgreSQL, the search's
        # trigram index too) are built once, after.
        first = insert_many.empty(self.connection, claim)
        with insert_many.indexes_set_aside(self.connection, claim, first):
            self.added["claims"] += self._written(statement)
        self._sketches()

    def _claim_texts(self) -> None:
        """A claim_ref that names a claim by its slug names its text too: a row whose claim
        reads otherwise (``normalise``'s key: not a curly apostrophe or a final full stop)
        than the claim of that slug in the database, or than the row that first gives the
        claim_ref in the file, is a bad row, as its text would be dropped unsaid. (An id
        is the exporting database's: the claim of that id here may be another, and a
        claim that says something else is matched by its words, ``_claims``.) Two
        statements, each over the claims staged (a claim's rows staged once unless one
        gives another text)."""
        c, claim = _claim.c, Claim.__table__
        first, earlier = _claim.alias("first"), _claim.alias("earlier")
        held = (
            select(c.line, c.slug_given, c.text, claim.c.id, claim.c.text)
            .join(claim, claim.c.slug == c.slug_given)
            .where(c.slug_given.is_not(None), claim.c.text_key != c.text_key)
        )
        for line, slug, text, claim_id, says in self.connection.execute(held):
            self.errors.add(
                line,
                f"claim_ref {slug!r} is claim {claim_id}, which says {_glimpse(says)}, not "
                f"{_glimpse(text)}: give its text, or no claim_ref (or another) for another "
                "claim",
            )
        in_file = (
            select(c.line, c.slug_given, c.id_given, c.text, first.c.line, first.c.text)
            .join(first, and_(first.c.ref == c.ref, first.c.line < c.line))
            .where(first.c.text_key != c.text_key,
                   ~exists().where(earlier.c.ref == first.c.ref, earlier.c.line < first.c.line),
                   # A slug's claim in the database: each row compared with it, above.
                   ~exists().where(claim.c.slug == c.slug_given))
        )  # fmt: skip
        for line, slug, claim_id, text, other, says in self.connection.execute(in_file):
            self.errors.add(
                line,
                f"claim_ref {slug or str(claim_id)!r} says {_glimpse(says)} on line {other}, "
                f"and {_glimpse(text)} here: give one text for each claim_ref",
            )
        self.errors.check()

    def _new_topics(self) -> None:
        """The topics the new claims start (before they are written) beside the topics
        there are, each with those close to it, as ``claim add`` notes them ("Note: new
        topic 'x'", ``lookup.new_topic``): a typo in a topic, or a file without a topic
        column filing its rows in "general", starts a story of its own (nu17: a denial
        meant for a claim of the story became a new claim in "general", unsaid). The
        first ``MAX_TOPICS_CHECKED`` new topics are named and compared (a big import
        starts many); none for the first topics of all."""
        if not self._known_topics():
            return
        started = self._close_topics(new=True, close_only=False)
        self.new_topics = [(t, found) for t, _, found in started[:MAX_NEW_PARTIES_NAMED]]
        c = _claim.c
        count = select(func.count(func.distinct(c.topic))).where(_topic_unused(), c.new)
        self.topics_started = self.connection.scalar(count)

    def _close_topics(self, *, new: bool,
                      close_only: bool = True) -> list[tuple[str, int, list[str]]]:  # fmt: skip
        """(topic, its first line, the topics there are close to it) of the file's topics
        no claim has (``new``: of its new claims only, once they are told apart), those
        close to one there is only unless ``close_only`` is false."""
        from claimtrack.lookup import new_topic

        c = _claim.c
        query = select(c.topic, func.min(c.line)).where(_topic_unused(), c.new if new else true())
        query = query.group_by(c.topic).order_by(c.topic).limit(MAX_TOPICS_CHECKED)
        known = self._known_topics()
        return [(t, line, found) for t, line in self.connection.execute(query)
                if (found := new_topic(self.session, t, known)) or not close_only]  # fmt: skip

    def _known_topics(self) -> list[str]:
        """The topics claims have before the import writes (``lookup.known_topics``),
        read once: each new topic is compared with them (one index probe per topic
        there is, so a read per new topic took 6 of `import liar`'s 15 s at 1M claims)."""
        if self.known_topics is None:
            from claimtrack.lookup import known_topics

            self.known_topics = known_topics(self.session)
        return self.known_topics

    def _topic_typos(self) -> None:
        """A file's topic that reads as a typo of one there is (``lookup.topic_typo``) is a
        bad row, by the first line that names it, listed with the file's other bad rows."""
        from claimtrack.lookup import topic_typo

        for topic, line, found in self._close_topics(new=False):
            typo = topic_typo(topic, found)
            if typo:
                self.errors.add(line, typo)

    def _sketches(self) -> None:
        """The new claims' near-duplicate sketches, as ``record.add_claim`` writes them:
        computed ``BATCH // STAGES`` claims at a time, staged, and written in one statement in the
        order of ``claim_sketch``'s key (its B-tree filled in order, not at random)."""
        c, sketch = _claim.c, schema.claim_sketch
        query = select(c.line, c.claim_id, c.topic, c.text_norm).where(c.new).order_by(c.line)
        columns = ["topic_key", "gram", "claim_id"]
        last = 0
        at_a_time = BATCH // STAGES
        while given := self.connection.execute(query.where(c.line > last).limit(at_a_time)).all():
            last = given[-1].line
            rows = [(topic_key(topic), gram, claim_id) for _, claim_id, topic, text_norm in given
                    for gram in sketch_of(text_norm)]  # fmt: skip
            insert_many.insert_stored(self.connection, _sketch, columns, rows)
        s = _sketch.c
        ordered = select(s.topic_key, s.gram, s.claim_id).order_by(s.topic_key, s.gram, s.claim_id)
        # The first sketches of the database: on PostgreSQL, its key to claim is checked
        # once, after (``insert_many.indexes_set_aside``).
        first = insert_many.empty(self.connection, sketch)
        with insert_many.indexes_set_aside(self.connection, sketch, first):
            self.connection.execute(insert(sketch).from_select(columns, ordered))

    def _number_new(self, staged: Table, id_column: str, target: Table) -> None:
        """Ids for the new rows (``new``) of a staging table, in the order the file names
        them, as the database would give them one by one."""
        line = staged.c.line
        new = select(line).where(staged.c.new).order_by(line)
        if self.connection.dialect.name == "postgresql":
            ordered = new.subquery()
            sequence = func.pg_get_serial_sequence(target.name, "id")
            numbered = select(ordered.c.line, func.nextval(sequence).label("id")).subquery()
        else:  # SQLite: the write lock is ours, and a new row takes the largest id + 1,
            # or, with AUTOINCREMENT (parties and sources: revision 0015), the largest
            # ever given + 1: an id deleted by a merge is never given again.
            given = table("sqlite_sequence", column("name"), column("seq"))
            largest = self.connection.scalar(select(func.max(target.c.id))) or 0
            ever = select(given.c.seq).where(given.c.name == target.name)
            last = max(largest, self.connection.scalar(ever) or 0)
            number = func.row_number().over(order_by=line) + last
            numbered = select(line, number.label("id")).where(staged.c.new).subquery()
        self.connection.execute(
            update(staged).where(line == numbered.c.line).values({id_column: numbered.c.id})
        )

    # stances: one statement

    def _stances(self) -> int:
        """``record.add_stance`` for each row, but for one the database already holds
        (``record.find_same_stance``) or an earlier row of the file gives."""
        r, c, stance = _row.c, _claim.c, Stance.__table__
        party, via, src = _party.alias("p"), _party.alias("v"), _source.alias("s")
        on_source = and_(src.c.outlet == r.source_outlet, src.c.title_key == r.source_key)

        def resolved(*columns):
            return (
                select(*columns)
                .select_from(_row)
                .join(_claim, c.ref == r.claim)
                .join(party, party.c.n == r.party)
                .outerjoin(via, via.c.n == r.via)
                .outerjoin(src, on_source)
            )

        # Rows repeating an earlier row's stance: found apart, on the key alone, so that
        # the rows themselves are sorted once, into claim order. Rows of one stance that
        # the file gives with different recording times are records of their own (a
        # claim merge can leave a claim two, which the export writes as two rows): kept.
        same = (c.claim_id, party.c.id, r.kind, r.said_at, src.c.source_id, r.quote)
        nth = func.row_number().over(partition_by=(*same, r.recorded_at), order_by=r.line)
        numbered = resolved(r.line, nth.label("nth")).subquery()
        repeats = select(numbered.c.line).where(numbered.c.nth > 1)
        self.connection.execute(insert(_repeat).from_select(["line"], repeats))
        # Of the rest, as many rows of a stance as the database holds are present (the
        # first in the file): importing a file again adds nothing, and a stance the
        # database holds is not added again, nor the one of two it holds twice.
        held = (
            select(func.count())
            .where(
                stance.c.claim_id == c.claim_id, stance.c.party_id == party.c.id,
                stance.c.kind == r.kind, stance.c.said_at == r.said_at,
                stance.c.source_id.is_not_distinct_from(src.c.source_id),
                stance.c.quote.is_not_distinct_from(r.quote),
            )
            .scalar_subquery()
        )  # fmt: skip
        nth = func.row_number().over(partition_by=same, order_by=r.line)
        rest = r.line.not_in(select(_repeat.c.line))
        numbered = resolved(r.line, nth.label("nth"), held.label("held")).where(~c.new, rest)
        numbered = numbered.subquery()
        present = select(numbered.c.line).where(numbered.c.nth <= numbered.c.held)
        self.connection.execute(insert(_repeat).from_select(["line"], present))
        if not self.again:
            self._turned()

        columns = ["claim_id", "party_id", "kind", "quote", "quote_lang", "via_id", "source_id",
                   "said_at", "said_offset", "said_precision", "said_until", "recorded_at",
                   "recorded_by"]  # fmt: skip
        now = literal(self.now, UTCDateTime())
        new = (
            resolved(
                c.claim_id, party.c.id, r.kind, r.quote, r.quote_lang, via.c.id, src.c.source_id,
                r.said_at, r.said_offset, r.said_precision, r.said_until,
                func.coalesce(r.recorded_at, now), func.coalesce(r.recorded_by, self.editor),
            )
            .where(r.line.not_in(select(_repeat.c.line)))
            .order_by(c.line, r.line)
        )  # fmt: skip
        statement = insert(stance).from_select(columns, new)
        # The first stances of the database: its indexes are built once, after.
        first = insert_many.empty(self.connection, stance)
        with insert_many.indexes_set_aside(self.connection, stance, first):
            added = self._written(statement)
        self.added["stances"] += added
        return added

    def _turned(self) -> None:
        """``record.check_stance_changes_something``'s last check, for the rows recorded
        now (without a recorded_at): a row whose party took the other side of its claim
        at a time the row's overlaps, in the database or on another row of the file,
        would count as the later only for being recorded later (a wrong party or date
        turning a position round unseen). Each such row is a bad row, by its line. A
        row with a recorded_at (an export's) was recorded before, --again or not.

        Two statements over the rows that could turn (cheap: a per-stance export has
        none), each joining on the claim and the party, not a query per row."""
        r, c, stance = _row.c, _claim.c, Stance.__table__
        sided = (*SUPPORT, *OPPOSE)
        kept = r.line.not_in(select(_repeat.c.line))
        if not self.connection.scalar(
            select(exists().where(r.recorded_at.is_(None), r.kind.in_(sided), kept))
        ):
            return

        # Each row of a sided stance, with its claim's id and its party's.
        party = _party.alias("p")
        resolved = (
            select(r.line, c.claim_id, party.c.id.label("party_id"), r.kind, r.said_at,
                   r.said_until, r.recorded_at, c.new)
            .join(_claim, c.ref == r.claim).join(party, party.c.n == r.party)
            .where(r.kind.in_(sided), kept)
        ).cte("turn_rows")  # fmt: skip
        # The claims and parties of which the file gives both sides (few): only their
        # rows are paired.
        side = case((resolved.c.kind.in_(SUPPORT), 1), else_=-1)
        both = (
            select(resolved.c.claim_id, resolved.c.party_id)
            .group_by(resolved.c.claim_id, resolved.c.party_id)
            .having(func.min(side) < func.max(side))
        ).subquery("both_sides")  # fmt: skip
        new, old = resolved.alias("n"), resolved.alias("o")
        found: dict[int, tuple] = {}  # line: (party, kind, claim, where)
        in_file = (
            select(new.c.line, new.c.party_id, old.c.kind, new.c.claim_id, old.c.line)
            .join(both, and_(both.c.claim_id == new.c.claim_id,
                             both.c.party_id == new.c.party_id))
            .join(old, and_(old.c.claim_id == new.c.claim_id, old.c.party_id == new.c.party_id))
            .where(new.c.recorded_at.is_(None), _opposite(new.c.kind, old.c.kind),
                   _overlapping(new.c, old.c),
                   or_(old.c.recorded_at.is_not(None), old.c.line < new.c.line))
            .order_by(new.c.line, old.c.line)
        )  # fmt: skip
        for line, party_id, kind, claim_id, other in self.connection.execute(in_file):
            found.setdefault(line, (party_id, kind, claim_id, f"on line {other}"))
        held = (
            select(new.c.line, new.c.party_id, stance.c.kind, new.c.claim_id, stance.c.id)
            .join(stance, and_(stance.c.claim_id == new.c.claim_id,
                               stance.c.party_id == new.c.party_id))
            .where(new.c.recorded_at.is_(None), ~new.c.new, stance.c.void_at.is_(None),
                   _opposite(new.c.kind, stance.c.kind), _overlapping(new.c, stance.c))
            .order_by(new.c.line, stance.c.id)
        )  # fmt: skip
        for line, party_id, kind, claim_id, stance_id in self.connection.execute(held):
            found.setdefault(line, (party_id, kind, claim_id, f"(stance {stance_id})"))
        named = Party.__table__
        names = {}
        for part in chunks(sorted({party_id for party_id, *_ in found.values()})):
            names.update(self.connection.execute(
                select(named.c.id, named.c.name).where(named.c.id.in_(part))).all())  # fmt: skip
        for line, (party_id, kind, claim_id, where) in sorted(found.items()):
            self.errors.add(
                line,
                f"{names[party_id]} {kind} claim {claim_id} {where} at a time this row's "
                "overlaps; this row would count as the later "
                "only for being recorded later: check its party and date, or pass --again "
                "to import it",
            )
        self.errors.check()

    def _written(self, statement) -> int:
        """Run an INSERT ... SELECT; the number of rows it wrote."""
        options = {"preserve_rowcount": True}  # psycopg tells it only when asked
        return self.connection.execute(statement.execution_options(**options)).rowcount

    # links: few, in Python with record's rules

    def _links(self) -> None:
        """``record.link_claims`` for each claim_ref in contradicts and same_as that is not
        linked already (either way), ``BATCH`` claims at a time."""
        c, link = _claim.c, ClaimLink.__table__
        has_links = or_(c.contradicts.is_not(None), c.same_as.is_not(None))
        query = select(c.line, c.claim_id, c.contradicts, c.same_as).where(has_links)
        last = 0
        while given := self.connection.execute(
            query.where(c.line > last).order_by(c.line).limit(BATCH)
        ).all():
            last = given[-1].line
            wanted = [(line, claim_id, kind, ref) for line, claim_id, *cells in given
                      for kind, cell in zip(("contradicts", "same_as"), cells, strict=True)
                      for ref in _refs(cell)]  # fmt: skip
            refs = self._claim_refs({ref for *_, ref in wanted})
            ends = {claim_id for _, claim_id, *_ in wanted} | {i for i in refs.values() if i}
            linked: set[tuple[int, int, str]] = set()
            for part in chunks(sorted(ends)):
                either = link.c.from_claim_id.in_(part) | link.c.to_claim_id.in_(part)
                for a, b, kind in self.connection.execute(
                    select(link.c.from_claim_id, link.c.to_claim_id, link.c.kind).where(either)
                ):
                    linked.add((min(a, b), max(a, b), kind))
            new = []
            for line, claim_id, kind, ref in wanted:
                other = refs[ref]
                if other is None:
                    self.errors.add(
                        line, f"unknown claim {ref!r}: see 'claimtrack claim list' for ids"
                    )
                elif other == claim_id:
                    self.errors.add(line, f"claim {claim_id} cannot be linked to itself")
                elif (*sorted((claim_id, other)), record.OPPOSITE_LINK[kind]) in linked:
                    self.errors.add(line, record.link_clash(claim_id, other, kind))
                elif (min(claim_id, other), max(claim_id, other), kind) not in linked:
                    linked.add((min(claim_id, other), max(claim_id, other), kind))
                    new.append({"from_claim_id": claim_id, "to_claim_id": other, "kind": kind,
                                "created_at": self.now, "created_by": self.editor})  # fmt: skip
            if new:
                self.connection.execute(insert(link), new)
            self.added["links"] += len(new)
        self.errors.check()

    def _claim_refs(self, refs: set[str]) -> dict[str, int | None]:
        """A claim_ref in a link: a claim of the file, else ``record.find_claim``."""
        found: dict[str, int | None] = {}
        keys = {_ref_key(ref): ref for ref in refs}
        c = _claim.c
        for part in chunks(sorted(keys)):
            for key, claim_id in self.connection.execute(
                select(c.ref, c.claim_id).where(c.ref.in_(part))
            ):
                found[keys[key]] = claim_id
        for ref in refs - set(found):
            try:
                found[ref] = record.find_claim(self.session, ref).id
            except ClaimtrackError:
                found[ref] = None
        return found

    # the stored state

    def _refresh(self, last_stance: int, last_link: int) -> None:
        """Re-rate the claims this load touched, as ``state`` does after any write: the
        new claims, those with new stances (replayed, where a stance kept a recording
        time other than this transaction's), and both ends of new links."""
        c, stance, link = _claim.c, Stance.__table__, ClaimLink.__table__
        new_stance, new_link = stance.c.id > last_stance, link.c.id > last_link
        touched = union(
            select(c.claim_id).where(c.new),
            select(stance.c.claim_id).where(new_stance),
            select(link.c.from_claim_id).where(new_link),
            select(link.c.to_claim_id).where(new_link),
        )
        count = self.connection.scalar(select(func.count()).select_from(touched.subquery()))
        if count > state.REBUILD_ABOVE:  # which analyses the tables it reads itself
            self.session.info[state.EVERYTHING] = True
            self._analyze([Source.__table__])
            state.refresh_pending(self.session)
            return
        written = {
            "claim": self.added["claims"],
            "source": self.added["sources"],
            "stance": self.added["stances"],
            "claim_link": self.added["links"],
        }
        self._analyze([Claim.__table__, Source.__table__, Stance.__table__, ClaimLink.__table__],
                      written)  # fmt: skip
        if count:
            rewritten = select(stance.c.claim_id).where(
                new_stance, stance.c.recorded_at != literal(self.now, UTCDateTime())
            )
            self.session.info.setdefault(state.TOUCHED, set()).update(
                self.connection.scalars(touched)
            )
            # No DISTINCT: the set drops repeats, and SQLite would answer a DISTINCT by
            # walking a whole index of stances by claim (0.35 s at 2.7M stances).
            self.session.info.setdefault(state.REPLAY, set()).update(
                self.connection.scalars(rewritten)
            )
        state.refresh_pending(self.session)
