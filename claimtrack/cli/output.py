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
            help="Table style, any of tabulate's formats (plain, github, grid, ...).",
        )
        @click.option(
            "--out",
            type=OutputFile(),
            help="Write to this file (default: standard output"
            + ("; xlsx needs a file)." if "xlsx" in formats else ")."),
        )
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            return f(*args, **kwargs)

        return wrapper

    return decorator


def check_output(fmt: str, tablefmt: str, out: Path | None) -> None:
    """Refuse a bad --tablefmt or an xlsx without --out before any work is done."""
    from tabulate import tabulate_formats

    if fmt == "table" and tablefmt not in tabulate_formats:
        raise click.BadParameter(
            f"unknown table format {tablefmt!r}; try one of: {', '.join(sorted(tabulate_formats))}",
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
            count = render.write_csv(view, rows, stream, bom=out is not None)
        elif fmt == "xlsx":
            with Progress(f"Writing {out.name}") as progress:
                count = render.write_xlsx([(sheet or view.name, view, rows)], stream,
                                          progress=progress)  # fmt: skip
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
    (no such folder, a full disk) is one line, exit status 1."""
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
    except BrokenPipeError:  # the reader stopped (| head): click exits quietly, status 1
        raise
    except OSError as exc:  # a full disk
        _stdout_to_devnull()
        raise click.ClickException(
            f"cannot write to standard output: {exc.strerror or exc}"
        ) from None
    finally:
        stream.detach()


def _stdout_to_devnull() -> None:
    """Point standard output at /dev/null after a failed write, so the interpreter's last
    flush of the bytes still buffered does not fail again (the recipe in the docs of
    Python's signal module, "Note on SIGPIPE")."""
    with contextlib.suppress(OSError, ValueError):  # CliRunner's stdout has no descriptor
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


class Progress:
    """A progress bar on stderr while long work runs, only when stderr is a terminal."""

    def __init__(self, label: str, length: int | None = None) -> None:
        self.bar = None
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True)

    def __enter__(self):
        if self.bar is None:
            return None
        bar = self.bar.__enter__()
        return bar.update

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


def utf8_stdout():
    """Standard output as UTF-8 text with no newline translation (CSV writes CRLF itself)."""
    import io

    sys.stdout.flush()
    return io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=True)
