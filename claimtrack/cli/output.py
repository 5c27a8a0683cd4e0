"""Output options shared by every listing (``--format``, ``--tablefmt``, ``--out``), and
the one function that sends a report's rows to the chosen format and place."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import click

from claimtrack.progress import ignore

FLAT = ("table", "json", "csv", "xlsx")
HELP = {"table": "table for people", "json": "json for scripts", "csv": "csv for spreadsheets",
        "xlsx": "xlsx for Excel (with --out)", "html": "html: one page to forward"}  # fmt: skip


class OutputFile(click.Path):
    """An ``--out`` file: a new name or a regular file, which the output replaces whole.

    The output is written under a temporary name and renamed over the target, so a
    symbolic link, a FIFO or a device there would be replaced by a regular file: such a
    target is refused instead, and survives.
    """

    # pathlib's predicates, symbolic link first (the others follow links).
    SPECIAL = (("is_symlink", "a symbolic link"), ("is_fifo", "a FIFO (named pipe)"),
               ("is_char_device", "a device"), ("is_block_device", "a device"),
               ("is_socket", "a socket"))  # fmt: skip

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value, param, ctx) -> Path:
        if isinstance(value, str) and not value.strip():
            self.fail("give a file name", param, ctx)
        if value == "-":  # elsewhere (claim add -, --quote-file -) a dash is a stream
            self.fail("- is not a file here: leave out --out to write to standard output",
                      param, ctx)  # fmt: skip
        path = super().convert(value, param, ctx)
        if not path.name or path.is_dir():
            self.fail(f"{value} is a folder: give a file name", param, ctx)
        for predicate, kind in self.SPECIAL:
            if getattr(path, predicate)():
                to = f" to {os.readlink(path)}" if kind == "a symbolic link" else ""
                self.fail(
                    f"{path} is {kind}{to}, which the output would replace with a regular "
                    "file: give a regular file's name, or leave out --out and redirect "
                    "standard output",
                    param,
                    ctx,
                )
        # Refused here, as a folder given for the file is, not once the export has run
        # (nu17: a missing folder exited 1 after the work, a folder 2 before it).
        folder = path.parent
        if not folder.is_dir():
            why = f"{folder} is not a folder" if folder.exists() else f"no folder {folder}"
            self.fail(f"cannot write {path}: {why}", param, ctx)
        return path


def output_options(*, formats: tuple[str, ...] = FLAT) -> Callable:
    """``--format``, ``--tablefmt`` and ``--out``, stacked once and reused (sqlite-utils)."""

    def decorator(f: Callable) -> Callable:
        @click.option(
            "--format",
            "fmt",
            type=click.Choice(formats),
            default="table",
            show_default=True,
            help=", ".join(HELP[name] for name in formats) + ".",
        )
        @click.option(
            "--tablefmt",
            default="simple_grid",
            show_default=True,
            metavar="NAME",
            help="Table style, any of tabulate's formats (plain, github, grid, ...); those "
            "without multi-line cells (tsv, html, latex) put each row on one line, uncut.",
        )
        @click.option(
            "--out",
            type=OutputFile(),
            help="Write to this file (default: standard output"
            + ("; xlsx needs a file)." if "xlsx" in formats else ")."),
        )
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            # Read by ``show`` where it writes CSV: not every command's own parameter.
            click.get_current_context().meta[NO_BOM] = kwargs.pop("no_bom", False)
            return f(*args, **kwargs)

        if "csv" in formats:  # as `export csv --no-bom`, wherever CSV can be written
            wrapper = click.option(
                "--no-bom",
                is_flag=True,
                help="CSV: no byte-order mark in the --out file (Excel needs it for "
                "Chinese; standard output never has one).",
            )(wrapper)
        return wrapper

    return decorator


NO_BOM = "claimtrack.no_bom"


def _csv_bom(out) -> bool:
    """A CSV file (``--out``) starts with a byte-order mark, for Excel, unless --no-bom;
    standard output never does, for the pipe or script that reads it."""
    ctx = click.get_current_context(silent=True)
    return out is not None and not (ctx is not None and ctx.meta.get(NO_BOM))


def check_output(fmt: str, tablefmt: str, out: Path | None) -> None:
    """Refuse a bad --tablefmt or an xlsx without --out before any work is done."""
    if fmt == "table":  # JSON, CSV, XLSX and HTML need not import tabulate and wcwidth
        from tabulate import tabulate_formats

        if tablefmt == "unsafehtml":  # tabulate's HTML without escaping: a claim's <script>
            raise click.BadParameter(
                "'unsafehtml' writes cells without escaping them: use --tablefmt html, or "
                "--format html for a page",
                param_hint="--tablefmt",
            )
        if tablefmt not in tabulate_formats:
            raise click.BadParameter(
                f"unknown table format {tablefmt!r}; "
                f"try one of: {', '.join(sorted(set(tabulate_formats) - {'unsafehtml'}))}",
                param_hint="--tablefmt",
            )
    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx writes a file: give --out FILE.xlsx")


def show(view, rows: Iterable, *, fmt: str, tablefmt: str = "simple_grid", out=None,
         sheet: str | None = None, title: str | None = None,
         page: Callable[[list], dict] | None = None) -> int:  # fmt: skip
    """Send rows to the chosen format, on standard output or into ``out``; ``page``
    gives the HTML page what it draws besides the rows (``graph.page``)."""
    from claimtrack import render

    check_output(fmt, tablefmt, out)
    with destination(out, binary=fmt == "xlsx") as stream:
        if fmt == "json":
            count = render.write_json(view, rows, stream)
        elif fmt == "csv":
            count = render.write_csv(view, rows, stream, bom=_csv_bom(out))
        elif fmt == "xlsx":
            with Progress().phase(f"Writing {out.name}") as advance:
                sheets = [(sheet or view.name, view, render.flat_cells(view, rows))]
                count = render.write_xlsx(sheets, stream, progress=advance,
                                          warn=lambda m: click.echo(m, err=True))  # fmt: skip
        elif fmt == "html":
            import datetime as dt

            made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            rows = list(rows)
            extra = page(rows) if page else {}
            page_text = render.html_page(rows, title=title or view.name, made=made, **extra)
            stream.write(page_text + "\n")
            count = len(rows)
        else:
            count = _tables(view, rows, tablefmt, stream)
    if out is not None:
        click.echo(f"Wrote {count} row(s) to {out}", err=True)
    return count


PAGE = 500  # rows per printed table: a table must be whole before it prints


def _tables(view, rows: Iterable, tablefmt: str, stream) -> int:
    """Rows as tables of at most PAGE rows each, printed as they come: the first is on
    screen at once, and memory stays flat however many rows there are."""
    import itertools

    from claimtrack import render

    count = 0
    rows = iter(rows)
    while page := list(itertools.islice(rows, PAGE)):
        stream.write(render.table_text(view, page, tablefmt=tablefmt) + "\n")
        count += len(page)
    if not count:
        stream.write(view.empty + "\n")
    return count


@contextlib.contextmanager
def destination(out: Path | None, *, binary: bool) -> Iterator:
    """Standard output, or a file written under a temporary name and renamed when whole:
    a failed export never leaves half a file under the real name. A write that fails
    (a full disk, no permission) is one line, exit status 1 (a missing folder is refused
    earlier, as ``OutputFile`` reads the option)."""
    if out is None:
        with _standard_output() as stream:
            yield stream
        return
    partial = out.with_name(out.name + ".partial")
    try:
        if binary:
            with partial.open("wb") as stream:
                yield stream
        else:
            with partial.open("w", encoding="utf-8", newline="") as stream:
                yield stream
        partial.replace(out)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)


@contextlib.contextmanager
def _standard_output() -> Iterator:
    stream = utf8_stdout()
    try:
        yield stream
        stream.flush()
    finally:
        with contextlib.suppress(OSError, ValueError):  # a failure is told by the group
            stream.detach()


class Progress:
    """Long work shown on stderr as labelled phases, each with its own bar: only when
    stderr is a terminal, never in a pipe or a log.

    A phase counts its work in one unit, its total in the same unit when it is known
    (the bytes of a file and the bytes read, never bytes against rows). It shows an
    estimate of the time left only once it has run ``ESTIMATE_AFTER`` seconds and done
    ``ESTIMATE_FROM`` of its work, from its own rate so far: click's estimate, made from
    the first steps, read "6 days" at the start of a two-minute import. A phase whose
    total is unknown, or whose steps are not alike (writing parties, then claims), shows
    how far it is and the time so far, never an estimate.
    """

    ESTIMATE_AFTER = 2.0  # seconds
    ESTIMATE_FROM = 0.05  # of the phase's work
    REDRAW = 0.1  # seconds between redraws at most

    def __init__(self, file=None, *, clock=None) -> None:
        import time

        self.file = file if file is not None else sys.stderr
        self.clock = clock or time.monotonic
        try:
            self.shown = self.file.isatty()
        except (AttributeError, ValueError):  # a closed or odd stream: no bar
            self.shown = False

    @contextlib.contextmanager
    def phase(self, label: str, total: int | None = None, *, unit: str | None = "rows",
              estimate: bool = True) -> Iterator[Callable[..., None]]:  # fmt: skip
        """A phase of ``total`` units (None: unknown), as ``claimtrack.progress`` describes
        it; yields ``advance(n=1, note=None)``."""
        if not self.shown:
            yield ignore
            return
        phase = _Phase(self, total, unit, estimate and total is not None)
        # click wants an iterable when the length is unknown: one it cannot measure.
        unmeasured = (_ for _ in ()) if total is None else None
        bar = click.progressbar(
            unmeasured, length=total, label=label, file=self.file, width=24,
            show_eta=False, show_pos=False, show_percent=total is not None,
            item_show_func=phase.info,
        )  # fmt: skip
        phase.bar = bar
        with bar:
            yield phase.advance
            phase.flush()


class _Phase:
    """One bar's count, clock and estimate."""

    def __init__(self, progress: Progress, total: int | None, unit: str | None, estimate: bool):
        self.progress, self.total, self.unit, self.estimate = progress, total, unit, estimate
        self.clock = progress.clock
        self.start = self.drawn = self.clock()
        self.done = self.pending = 0
        self.note: str | None = None
        self.bar = None

    def advance(self, n: int = 1, note: str | None = None) -> None:
        self.done += n
        self.pending += n
        if note is not None:
            self.note = note
        if note is not None or self.clock() - self.drawn >= Progress.REDRAW:
            self.flush()

    def flush(self) -> None:
        self.drawn = self.clock()
        if self.pending:
            self.bar.update(self.pending)
            self.pending = 0
        else:  # a new note, nothing counted
            self.bar.render_progress()

    def info(self, _item=None) -> str:
        """What the bar shows beside it: the count (bytes show as the percentage), the
        note, and the time left once it can be told, else the time so far."""
        elapsed = self.clock() - self.start
        bits = []
        if self.unit and self.unit != "bytes":
            total = f"/{self.total:,}" if self.total else ""
            bits.append(f"{self.done:,}{total} {self.unit}")
        if self.note:
            bits.append(self.note)
        left = self.left(elapsed)
        bits.append(f"about {_duration(left)} left" if left is not None else _duration(elapsed))
        return " · ".join(bits)

    def left(self, elapsed: float) -> float | None:
        """The time left at the rate so far; None until there is enough to go on."""
        if not self.estimate or not self.total or self.done <= 0:
            return None
        if elapsed < Progress.ESTIMATE_AFTER or self.done < Progress.ESTIMATE_FROM * self.total:
            return None
        return elapsed / self.done * max(self.total - self.done, 0)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m"


def utf8_stdout():
    """Standard output as UTF-8 text with no newline translation (CSV writes CRLF itself)."""
    import io

    sys.stdout.flush()
    return io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")


def note_override(what: str, text: str | None, remedy: str) -> None:
    """Say on stderr when a text just recorded (a claim's, a quote, a party's name or
    alias) holds a bidi override (``names.OVERRIDES``)."""
    from claimtrack.names import override_note

    note = override_note(what, text, remedy)
    if note:
        click.echo(note, err=True)
