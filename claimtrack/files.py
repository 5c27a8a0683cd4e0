"""Whether a path can be read as a file or as a folder, and if not, why: one line naming
the path and the reason, the same for every command that reads one (``cli.inputs`` checks
its arguments with it before the command runs; ``importer.check_file`` again as it opens).

Kept free of heavy imports: click calls it as it parses the command line.
"""

from __future__ import annotations

import os
import stat


def file_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be read as a file, or None. Its kind is known before it is
    opened: a FIFO or a device opened for reading could wait, or read, for ever."""
    path = os.fsdecode(path)
    if not path.strip():
        return "give a file name"
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return f"no such file: {path}"
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if stat.S_ISDIR(status.st_mode):
        return f"{path} is a folder, not a file"
    if not stat.S_ISREG(status.st_mode):
        return f"{path} is not a regular file: save the data to a file first"
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    return None


def folder_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be read as a folder, or None."""
    path = os.fsdecode(path)
    if not path.strip():
        return "give a folder's name"
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return f"no such folder: {path}"
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if not stat.S_ISDIR(status.st_mode):
        return f"{path} is a file, not a folder"
    try:
        with os.scandir(path):
            pass
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    return None
