"""Output options shared by every listing command: ``--format table|json|csv``."""

from __future__ import annotations

import functools
import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import click

FORMATS = ("table", "json", "csv")


def output_options(*, csv: bool = True, html: bool = False) -> Callable:
    """``--format`` and ``--tablefmt``, stacked once and reused (sqlite-utils' pattern)."""
    choices = (FORMATS if csv else FORMATS[:2]) + (("html",) if html else ())

    def decorator(f: Callable) -> Callable:
        @click.option(
            "--format",
            "fmt",
            type=click.Choice(choices),
            default="table",
            show_default=True,
            help="table for people, json for scripts" + (", csv for spreadsheets" if csv else ""),
        )
        @click.option(
            "--tablefmt",
            default="simple_grid",
            show_default=True,
            metavar="NAME",
            help="Table style, any of tabulate's formats (plain, github, grid, ...).",
        )
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            return f(*args, **kwargs)

        return wrapper

    return decorator


def check_tablefmt(name: str) -> None:
    from tabulate import tabulate_formats

    if name not in tabulate_formats:
        raise click.BadParameter(
            f"unknown table format {name!r}; try one of: {', '.join(sorted(tabulate_formats))}",
            param_hint="--tablefmt",
        )


def emit(
    rows: Sequence[dict[str, Any]],
    *,
    fmt: str,
    tablefmt: str = "simple_grid",
    table_rows: Sequence[Sequence[Any]] | None = None,
    headers: Sequence[str] = (),
) -> None:
    """Print rows as JSON (``rows``), CSV (``rows``, flattened) or a table (``table_rows``)."""
    if fmt == "json":
        import json

        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        # The export's writer: formulas neutralised, as in every CSV claimtrack writes.
        from claimtrack.export import Writer

        stream = utf8_stdout()
        writer = Writer(stream, bom=False)
        if rows:
            writer.row(rows[0].keys())
        for row in rows:
            writer.row(_flat(v) for v in row.values())
        stream.flush()
        stream.detach()
    else:
        check_tablefmt(tablefmt)
        import tabulate as tabulate_module
        from tabulate import tabulate

        # tabulate widens every column to its header plus two; our widths are planned.
        tabulate_module.MIN_PADDING = 0

        if table_rows is None:
            table_rows = [list(r.values()) for r in rows]
            headers = list(rows[0].keys()) if rows else list(headers)
        click.echo(tabulate(table_rows, headers=list(headers), tablefmt=tablefmt))


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(_flat(v)) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
    return "" if value is None else value


def terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def display_width(text: str) -> int:
    from wcwidth import wcswidth

    width = wcswidth(text)
    return width if width >= 0 else len(text)


def wrap(text: str, width: int, *, max_lines: int | None = None) -> str:
    """Wrap to ``width`` terminal columns: Latin words whole, CJK between any characters.

    With ``max_lines``, what does not fit ends in an ellipsis (JSON and CSV have it all).
    """
    from wcwidth import wcwidth

    lines: list[str] = []
    line, line_width = "", 0
    for token in _tokens(text, width):
        token_width = sum(max(wcwidth(ch), 0) for ch in token)
        if line and line_width + token_width > width:
            lines.append(line.rstrip())
            line, line_width = "", 0
            if token.isspace():
                continue
        line += token
        line_width += token_width
    if line.strip():
        lines.append(line.rstrip())
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and display_width(last) > width - 1:
            last = last[:-1]
        lines[-1] = last + "…"
    return "\n".join(lines)


def _tokens(text: str, width: int):
    """Words, spaces and single wide characters; a word wider than a line is cut up."""
    word = ""
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        if ch.isspace() or wide or len(word) >= width:
            if word:
                yield word
                word = ""
            if ch.isspace() or wide:
                yield ch
                continue
        word += ch
    if word:
        yield word


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
