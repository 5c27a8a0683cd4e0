"""The files and folders commands read (``import csv FILE``, ``--quote-file FILE``, ``import
liar DIR``...), checked as click parses them: every path that cannot be read as asked,
whatever the reason (missing, a folder for a file, unreadable, a FIFO), is refused as
click refuses any bad value, in one line naming the path and why, exit 2, before the
command opens a database or writes anything. What a file holds (its encoding, its size,
its rows) is the command's to judge.
"""

from __future__ import annotations

from pathlib import Path

import click

from claimtrack.files import file_problem, folder_problem


class InputFile(click.Path):
    """A file to read: a regular file that can be opened for reading (or ``-``, standard
    input, where ``allow_dash``)."""

    def __init__(self, *, allow_dash: bool = False, path_type: type | None = None) -> None:
        super().__init__(dir_okay=False, allow_dash=allow_dash, path_type=path_type)

    def convert(self, value, param, ctx):
        if self.allow_dash and value == "-":
            return value
        problem = file_problem(value)
        if problem is not None:
            self.fail(problem, param, ctx)
        return self.coerce_path_result(value)


class InputFolder(click.Path):
    """A folder to read the files of (a dataset as published)."""

    def __init__(self) -> None:
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        problem = folder_problem(value)
        if problem is not None:
            self.fail(problem, param, ctx)
        return self.coerce_path_result(value)
