"""Cells that spreadsheets open safely: the one place formulas are neutralised, and the
CSV and XLSX writers that use it.

CSV: UTF-8 with a byte-order mark and CRLF (what Excel needs), and a cell that a
spreadsheet would run as a formula or round as a number gets a leading apostrophe
(OWASP's CSV-injection advice), reversibly. XLSX: every text is a string cell, so no
cell is ever a formula; times are real date cells in the offset they were said in, with
the offset in the next column; openpyxl's write-only mode keeps memory flat. XML, so
XLSX, cannot hold most C0 control characters (BEL, ESC, \x01): each is written as its
Unicode control picture (U+2400 + its code: ␇, ␛, ␁) and the workbook notes which rows.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import IO, Any

from claimtrack.errors import ClaimtrackError
from claimtrack.times import When

# A spreadsheet runs a cell starting with these as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"
_MARKED = frozenset((*FORMULA_STARTS, TEXT_MARK))
LONG_DIGITS = 15  # a spreadsheet keeps 15 significant digits of a number
# A cell (after a NUL) whose text mark ``neutralise`` would not have put: before
# anything but what it marks, or alone.
_KEPT_MARK = re.compile("\x00'(?:[^=+\\-@\t\r']|\\Z)")
# The first characters of the cells ``neutralise`` may change: marked, or an ASCII digit.
_MAY_MARK = _MARKED | frozenset("0123456789")


def neutralise(value: str) -> str:
    """Make a cell show as text in a spreadsheet, reversibly (see ``restore``).

    A cell starting with a formula character, or with the text mark itself, gets the
    text mark (an apostrophe) in front; so does a run of more than 15 digits, which a
    spreadsheet would otherwise round to a float (an 18-digit tweet id to 5.5E+17).
    """
    if not value:
        return value
    if value[0] in _MARKED or _long_digits(value):
        return TEXT_MARK + value
    return value


def restore(value: str) -> str:
    """The inverse of ``neutralise``: the text mark taken off only where ``neutralise``
    would have put it, before a formula character, another mark or a long run of digits.
    An apostrophe typed by hand before anything else stays ("'Anglo-Saxons' did it")."""
    if value[:1] == TEXT_MARK and (value[1:2] in _MARKED or _long_digits(value[1:])):
        return value[1:]
    return value


def restore_all(values: list[str]) -> list[str]:
    """``restore`` of every cell of a row: the import's hot path, so C loops, not Python
    ones. Most rows' marks stand only before what ``neutralise`` marks (every offset:
    ``'+03:00``), and each comes off; a row with a mark before anything else (typed by
    hand, or before long digits) is restored cell by cell. (A NUL, which no cell may
    hold, parts the cells here.)"""
    joined = "\x00" + "\x00".join(values)
    if "\x00'" not in joined:
        return values
    if _KEPT_MARK.search(joined) is None:
        return list(map(str.removeprefix, values, repeat(TEXT_MARK)))
    return [restore(value) for value in values]


def _long_digits(value: str) -> bool:
    return len(value) > LONG_DIGITS and value.isdigit() and value.isascii()


def text(value: Any) -> str:
    """A cell's text for CSV: times with their offset, at their precision."""
    if value is None:
        return ""
    if isinstance(value, When):
        return value.isoformat()
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


class CsvWriter:
    """csv.writer with the desk's defaults: BOM, CRLF, formulas neutralised."""

    def __init__(self, out: IO[str], *, bom: bool = True, raw: bool = False) -> None:
        if bom:
            out.write("\ufeff")
        self._writer = csv.writer(out, lineterminator="\r\n")
        self._raw = raw

    def row(self, values: Iterable) -> None:
        # An export's hot path: ``text`` and ``neutralise`` asked only of the cells that
        # need them (not text; beginning with a marked character, or long enough).
        if self._raw:
            self._writer.writerow([v if type(v) is str else text(v) for v in values])
            return
        # One pass, ``neutralise`` spelled out for a text cell (most cells are text, and
        # most of those begin with a letter: one look-up, ``_MAY_MARK``).
        self._writer.writerow([
            (v if v[:1] not in _MAY_MARK
             else TEXT_MARK + v if v[0] in _MARKED or (len(v) > LONG_DIGITS and v.isdigit()
                                                       and v.isascii())
             else v) if type(v) is str else "" if v is None else neutralise(text(v))
            for v in values
        ])  # fmt: skip


# -- XLSX -------------------------------------------------------------------------------

DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
SECONDS_FORMAT = "yyyy-mm-dd hh:mm:ss"
MAX_WIDTH = 60  # characters: wider columns wrap
CELL_LIMIT = 32_767  # characters an XLSX cell holds
SHEET_ROWS = 1_048_576  # rows a sheet holds (Excel, LibreOffice): the rest go on another
# Long texts wrap in their cells; other columns stay one line.
WRAPPED = frozenset({"claim", "quotes", "sources", "quote", "asserted_by",
                     "denied_or_countered_by"})  # fmt: skip


class XlsxBook:
    """A workbook written sheet by sheet, row by row (openpyxl's write-only mode)."""

    def __init__(self, *, skip_long: bool = False) -> None:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell

        self.book = Workbook(write_only=True)
        self._new_cell = Cell
        self._illegal = ILLEGAL_CHARACTERS_RE
        # Texts openpyxl would take for a formula or an error unless typed as text.
        self._not_plain = frozenset(ERROR_CODES)
        # Each style the book uses, made once (``_styles``): openpyxl hashes a style and
        # looks it up in the book's tables each time one is set on a cell, which was most
        # of the export's own time; a cell made with a ready style array skips that.
        self._style: dict[str, Any] = {}
        self._row_pictured = False
        # Rows whose control characters became pictures: (sheet title, sheet row, claim).
        self.pictured: list[tuple[str, int, str | None]] = []
        # ``export xlsx --skip-long``: a text over ``CELL_LIMIT`` is left out of its cell,
        # which stays empty with a comment saying so, and is named in ``skipped_note``;
        # the rest of its row is written. Without it such a text stops the export.
        self.skip_long = skip_long
        # (sheet title, sheet row, column, claim, the text's length)
        self.skipped: list[tuple[str, int, str, str | None, int]] = []

    def _styles(self, sheet) -> None:
        """The style arrays of a header cell, a wrapped text and each time format."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        made = {
            "bold": {"font": Font(bold=True)},
            "wrap": {"alignment": Alignment(wrap_text=True, vertical="top")},
            **{form: {"number_format": form}
               for form in (DATE_FORMAT, TIME_FORMAT, SECONDS_FORMAT)},
        }  # fmt: skip
        for name, attributes in made.items():
            cell = WriteOnlyCell(sheet)
            for attribute, value in attributes.items():
                setattr(cell, attribute, value)
            self._style[name] = cell._style

    def _styled(self, sheet, value, style: str | None):
        """A cell of ``value`` in one of the book's styles (``_styles``), or in none; a
        text is a string cell (set after the value: openpyxl guesses a formula for text
        beginning with "=" and an error for "#N/A"; a claim is text, whatever it says)."""
        cell = self._new_cell(sheet, row=1, column=1, value=value,
                              style_array=self._style[style] if style else None)  # fmt: skip
        if isinstance(value, str):
            cell.data_type = "s"
        return cell

    def sheet(self, title: str, headers: Sequence[str], times: frozenset[str], rows) -> int:
        """Add a sheet: a frozen, filtered header row, then one row per item of ``rows``.

        Columns named in ``times`` hold ``When`` values: each becomes a date cell and,
        beside it, a ``<name>_tz`` column with the offset it was said in.

        A sheet holds 1,048,576 rows; past that the rows go on in "<title> (2)", and so
        on, each with the header: nothing is cut off.

        openpyxl writes each sheet to a temporary file first: one it cannot write (a full
        temporary folder) is one line naming the folder, not lxml's traceback.
        """
        with self._temporary_files(OSError):
            return self._sheet(title, headers, times, rows)

    @contextlib.contextmanager
    def _temporary_files(self, *also: type[Exception]):
        """lxml's failure to write a sheet's temporary file (and ``also``) told as one
        line; in ``save`` an OSError is the output's, told by its caller."""
        from lxml.etree import SerialisationError

        try:
            yield
        except (SerialisationError, *also) as exc:
            import errno
            import os
            import tempfile

            self._discard()
            # lxml names the system's error ("IO_ENOSPC"); said as the system says it
            code = getattr(errno, str(exc).removeprefix("IO_"), None)
            reason = os.strerror(code) if code else getattr(exc, "strerror", None) or str(exc)
            raise ClaimtrackError(
                f"cannot write the workbook's sheets in {tempfile.gettempdir()}: {reason} "
                "(set TMPDIR to a folder with room)"
            ) from None

    def _sheet(self, title: str, headers: Sequence[str], times: frozenset[str], rows) -> int:
        columns = [h for name in headers for h in ((name, f"{name}_tz") if name in times
                                                    else (name,))]  # fmt: skip
        # What each column holds: a time (two cells), a wrapped text, or a plain value.
        kinds = tuple("time" if name in times else "wrap" if name in WRAPPED else ""
                      for name in headers)  # fmt: skip
        count = on_sheet = part = 0
        sheet = None
        for values in rows:
            if sheet is None or on_sheet == SHEET_ROWS - 1:
                if sheet is not None:
                    self._finish(sheet, columns, on_sheet)
                part += 1
                sheet = self._start(title if part == 1 else f"{title} ({part})", columns)
                on_sheet = 0
            self._row_pictured = False
            try:
                row = self._row(sheet, kinds, values)
            except TooLong:
                if not self.skip_long:
                    raise self._refused(sheet, on_sheet, headers, values) from None
                values = self._left_out(sheet, on_sheet + 2, headers, values)
                row = self._row(sheet, kinds, values)
            except ClaimtrackError as exc:
                self._discard()
                where = f"{sheet.title!r} row {on_sheet + 2}"
                claim = _claim_label(headers, values)
                raise ClaimtrackError(
                    f"{claim} ({where}): {exc}" if claim else f"{where}: {exc}"
                ) from None
            if self._row_pictured:
                self.pictured.append((sheet.title, on_sheet + 2, _claim_label(headers, values)))
            sheet.append(row)
            count += 1
            on_sheet += 1
        if sheet is None:  # no rows: the sheet and its header all the same
            sheet = self._start(title, columns)
        self._finish(sheet, columns, on_sheet)
        return count

    def _refused(self, sheet, on_sheet: int, headers, values) -> ClaimtrackError:
        longest = max(len(v) for v in values if isinstance(v, str))
        where = f"{sheet.title!r} row {on_sheet + 2}"
        claim = _claim_label(headers, values)
        self._discard()
        return ClaimtrackError(
            f"{claim or where} ({where if claim else 'a cell'}): a cell of {longest:,} "
            f"characters does not fit in XLSX (at most {CELL_LIMIT:,}): export it as CSV, "
            "or leave such texts out with 'export xlsx --skip-long'"
        )

    def _left_out(self, sheet, at: int, headers: Sequence[str], values) -> list:
        """``values`` with each text over ``CELL_LIMIT`` replaced by an empty cell whose
        comment says what was there; each is noted in ``skipped``. Only that cell is
        lost: a claim whose joined quotes overflow keeps its row, its text and its id."""
        from openpyxl.comments import Comment

        claim = _claim_label(headers, values)
        kept = list(values)
        for i, (name, value) in enumerate(zip(headers, values, strict=True)):
            if isinstance(value, str) and len(value) > CELL_LIMIT:
                self.skipped.append((sheet.title, at, name, claim, len(value)))
                # Styled, so openpyxl's write-only append does not reuse this cell (and
                # its comment) for the cells after it.
                cell = self._styled(sheet, None, "wrap")
                cell.comment = Comment(
                    f"Left out: {len(value):,} characters, more than a cell holds "
                    f"({CELL_LIMIT:,}). Export CSV or JSON for the whole text.",
                    "claimtrack",
                )
                kept[i] = cell
        return kept

    def _start(self, title: str, columns: list[str]):
        from openpyxl.utils import get_column_letter

        sheet = self.book.create_sheet(title)
        if not self._style:
            self._styles(sheet)
        for i, name in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = _column_width(name)
        sheet.freeze_panes = "A2"
        sheet.append([self._styled(sheet, self._text(name), "bold") for name in columns])
        return sheet

    def _discard(self) -> None:
        """Close every sheet's XML stream and remove its temporary file before an error
        leaves the export: openpyxl's half-written sheets would otherwise complain (a
        traceback) when collected. What fails here is the error's own doing (the full
        disk the export met): the error is told, not this."""
        for sheet in self.book.worksheets:
            if not sheet.closed:
                with contextlib.suppress(Exception):
                    sheet.close()
            writer = sheet._writer
            if writer is None:
                continue
            for stream in (sheet._rows, writer.xf):  # their generators, finished now
                with contextlib.suppress(Exception):
                    if stream is not None:
                        stream.close()
            with contextlib.suppress(Exception):  # gone once the sheet is in the archive
                writer.cleanup()

    @staticmethod
    def _finish(sheet, columns: list[str], rows: int) -> None:
        from openpyxl.utils import get_column_letter

        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"

    def _row(self, sheet, kinds: tuple[str, ...], values) -> list:
        """The cells of one row; a text is a string cell, never a formula.

        Most cells go to openpyxl as they are (a text, a number, None: openpyxl makes
        its own cell of each); only a cell with a style or a text openpyxl would read as
        a formula or an error is a cell of ours.
        """
        texts = [v for v in values if isinstance(v, str)]
        joined = "".join(texts)
        if len(joined) > CELL_LIMIT or self._illegal.search(joined):
            values = [self._text(v) if isinstance(v, str) else v for v in values]
        not_plain = self._not_plain
        cells = []
        for kind, value in zip(kinds, values, strict=True):
            if kind == "time":
                cells.extend(self._time_cells(sheet, value))
            elif isinstance(value, str):
                if kind == "wrap":
                    cells.append(self._styled(sheet, value, "wrap"))
                elif value[:1] == "=" or value in not_plain:
                    cells.append(self._styled(sheet, value, None))
                else:
                    cells.append(value or None)  # an empty text: no cell at all, read back as None
            elif isinstance(value, dt.datetime):  # recorded times: UTC
                # to the second, as CSV and JSON write it (docs/csv.md): not milliseconds
                naive = value.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
                cells.append(self._styled(sheet, naive, SECONDS_FORMAT))
            else:
                cells.append(value)
        return cells

    def _text(self, value: str) -> str:
        """A text XLSX can hold: at most 32,767 characters, control characters as pictures."""
        if len(value) > CELL_LIMIT:
            raise TooLong()
        if self._illegal.search(value):  # C0 controls only: ␇ for \x07, ␛ for \x1b
            from claimtrack.render import control_picture

            value = self._illegal.sub(control_picture, value)
            self._row_pictured = True
        return value

    def _time_cells(self, sheet, when: When | None) -> tuple:
        if when is None:
            return None, None
        local = when.local().replace(tzinfo=None)
        if when.precision == "day":
            cell = self._styled(sheet, local.date(), DATE_FORMAT)
        else:
            form = TIME_FORMAT if when.precision == "minute" else SECONDS_FORMAT
            cell = self._styled(sheet, local, form)
        return cell, when.zone

    def save(self, out: IO[bytes] | str) -> None:
        """The workbook written to ``out``, as ``Workbook.save`` writes it; a write that
        fails (a full disk) closes the sheets, the archive and their temporary files
        before the error goes on (nu18: openpyxl left them to the collector, whose
        complaints were six tracebacks under the one-line error)."""
        from zipfile import ZIP_DEFLATED, ZipFile

        from openpyxl.writer.excel import ExcelWriter

        archive = ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True)
        # as openpyxl's save_workbook: the time it was written, in UTC, naive
        self.book.properties.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        try:
            with self._temporary_files():  # the last sheet's end is written as it closes
                ExcelWriter(self.book, archive).save()
        except BaseException:
            self._discard()
            with contextlib.suppress(Exception):  # writes its directory, if it can
                archive.close()
            raise

    def pictured_note(self) -> str | None:
        """One line naming the rows whose control characters were written as pictures."""
        if not self.pictured:
            return None
        by_claim: dict[str | None, list[str]] = {}
        for title, row, claim in self.pictured:
            by_claim.setdefault(claim, []).append(f"{title!r} row {row}")
        named = [f"{claim} ({', '.join(rows)})" if claim else ", ".join(rows)
                 for claim, rows in by_claim.items()]  # fmt: skip
        if len(named) > NOTE_NAMES:
            named = [*named[:NOTE_NAMES], f"+{len(named) - NOTE_NAMES} more"]
        return (
            "Warning: control characters XLSX cannot store are written as pictures "
            f"(␇ for BEL, ␛ for ESC; CSV keeps them) in: {'; '.join(named)}"
        )

    def skipped_note(self) -> str | None:
        """One line naming the cells ``skip_long`` left empty: sheet, row and column, by
        claim."""
        if not self.skipped:
            return None
        by_claim: dict[str | None, list[str]] = {}
        for title, row, column, claim, _ in self.skipped:
            by_claim.setdefault(claim, []).append(f"{title!r} row {row} {column}")
        named = [f"{claim} ({', '.join(cells)})" if claim else ", ".join(cells)
                 for claim, cells in by_claim.items()]  # fmt: skip
        if len(named) > NOTE_NAMES:
            named = [*named[:NOTE_NAMES], f"+{len(named) - NOTE_NAMES} more"]
        return (
            f"Warning: left out {len(self.skipped):,} text(s) over {CELL_LIMIT:,} characters, "
            "which an XLSX cell cannot hold (CSV and JSON have them); their cells are empty, "
            f"with a comment, and the rest of their rows written: {'; '.join(named)}"
        )


class TooLong(ClaimtrackError):
    """A text longer than an XLSX cell holds (``CELL_LIMIT``)."""


def too_long_for_xlsx(what: str, text: str | None) -> str | None:
    """A one-line warning when a text just recorded (a claim, a quote) is longer than an
    XLSX cell holds: stored whole, and CSV and JSON carry it, but ``export xlsx`` refuses
    it (or, with ``--skip-long``, leaves that cell empty). None when it fits."""
    if text is None or len(text) <= CELL_LIMIT:
        return None
    return (
        f"Warning: the {what} has {len(text):,} characters, more than an XLSX cell holds "
        f"({CELL_LIMIT:,}): it is stored whole, but 'export xlsx' needs --skip-long, which "
        "leaves its cells empty (CSV and JSON carry it)"
    )


NOTE_NAMES = 5  # claims the warning names before "+N more"
_CLAIM_KEYS = ("claim_id", "id", "slug", "claim_ref")


def _claim_label(headers: Sequence[str], values: Sequence) -> str | None:
    """ "claim bad-text" (its slug) or "claim #3" for a row of a claim, else None: the
    same name on the claims sheet and the stances sheet, whose ``claim_ref`` is either."""
    found = {name: value for name, value in zip(headers, values, strict=True)
             if name in _CLAIM_KEYS and value not in (None, "")}  # fmt: skip
    if "slug" in found:
        return f"claim {found['slug']}"
    # A sheet of claims (``report claims``) calls the claim's id "id", beside its slug.
    claim_id = found.get("claim_id", found.get("id") if "slug" in headers else None)
    if claim_id is None and str(found.get("claim_ref", "")).isdigit():
        claim_id = found["claim_ref"]
    if claim_id is not None:
        return f"claim #{claim_id}"
    return f"claim {found['claim_ref']}" if "claim_ref" in found else None


def _column_width(name: str) -> int:
    if name.endswith("_tz"):
        return 8
    if name in WRAPPED:
        return MAX_WIDTH
    if name.endswith(("_at", "_reported", "_since", "_activity", "published")):
        return 18
    return max(10, min(MAX_WIDTH, len(name) + 4))
