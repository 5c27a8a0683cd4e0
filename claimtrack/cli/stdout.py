"""Standard output, behind a guard for the length of a command (``ClaimtrackGroup.main``):
its first failure (a closed pipe, a full disk) is noted, for ``ClaimtrackGroup.invoke``
to tell in one line whether the command's change was written. A module of its own, and
of the standard library only, as every command (``--help`` too) loads it.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable

# Standard output, as every command writes to it (``guard_standard_output``): its first
# failure (a closed pipe, a full disk), and whether the command goes on after one.
_stdout: dict = {"failure": None, "keep_going": False}


class _GuardedBuffer(io.RawIOBase):
    """Standard output's bytes, passed on until a write fails. The failure is noted, for
    ``ClaimtrackGroup.invoke`` to tell in one line, and standard output is pointed at
    /dev/null. A command that reads stops there (the error is raised); one that writes
    (``keep_going``, set once it opens its database to write) goes on to its commit or
    rollback, whatever became of its confirmation, so a closed pipe or a full disk never
    decides whether a change is written."""

    def __init__(self, target) -> None:
        super().__init__()
        self.target = target

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.target.isatty()

    def fileno(self) -> int:
        return self.target.fileno()

    def write(self, data) -> int:
        self._guard(lambda: self._write_all(memoryview(data).cast("B")))
        return len(data)

    def _write_all(self, data: memoryview) -> None:
        """Every byte, or the failure: a buffered write may take only part (a reader that
        closed the pipe during a 780 KB table: 65,536 bytes taken, the rest dropped and
        exit 0; a disk filling up the same); writing the rest raises what stopped it."""
        while data:
            taken = self.target.write(data)
            data = data[len(data) if taken is None else taken :]

    def flush(self) -> None:
        if not self.closed:
            self._guard(self.target.flush)

    def _guard(self, operation) -> None:
        failure = _stdout["failure"]
        if failure is None:
            try:
                operation()
                return
            except OSError as exc:
                _stdout["failure"] = failure = exc
                _stdout_to_devnull()
        if not _stdout["keep_going"]:
            raise failure


def guard_standard_output() -> Callable[[], None]:
    """Put standard output behind ``_GuardedBuffer`` for a command; returns what puts it
    back (``ClaimtrackGroup.main``)."""
    original = sys.stdout
    _stdout.update(failure=None, keep_going=False)
    if original is None:  # closed when the command started (``>&-``): every write fails
        sys.stdout = io.TextIOWrapper(_GuardedBuffer(_Closed()), encoding="utf-8",
                                      write_through=True)  # fmt: skip

        def reopen() -> None:
            sys.stdout = None

        return reopen
    buffer = getattr(original, "buffer", None)
    if buffer is None:  # an odd stream a host program gave: left alone
        return lambda: None
    with contextlib.suppress(OSError, ValueError):
        original.flush()
    guarded = io.TextIOWrapper(
        _GuardedBuffer(buffer), encoding=original.encoding, errors=original.errors,
        line_buffering=original.line_buffering, write_through=True,
    )  # fmt: skip
    sys.stdout = guarded

    def restore() -> None:
        sys.stdout = original
        with contextlib.suppress(OSError, ValueError):
            guarded.detach()

    return restore


class _Closed(io.RawIOBase):
    """Standard output closed before the command started: a write fails as a closed
    descriptor does."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        import errno

        raise OSError(errno.EBADF, "standard output is closed")


def keep_going() -> None:
    """The command writes to the database: a failure of standard output from now on does
    not stop it (``_GuardedBuffer``)."""
    _stdout["keep_going"] = True


def standard_output_failure() -> OSError | None:
    """Standard output's first failure in this command, once what is buffered is out."""
    if _stdout["failure"] is None and sys.stdout is not None:  # None: started without one
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
    return _stdout["failure"]


def writing() -> bool:
    return _stdout["keep_going"]


def _stdout_to_devnull() -> None:
    """Point standard output at /dev/null after a failed write, so the interpreter's last
    flush of the bytes still buffered does not fail again (the recipe in the docs of
    Python's signal module, "Note on SIGPIPE")."""
    with contextlib.suppress(OSError, ValueError):  # CliRunner's stdout has no descriptor
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
