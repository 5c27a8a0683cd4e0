"""Ctrl-C: one line saying whether anything was written, exit 130, never a traceback.

``ClaimtrackGroup.main`` installs ``_interrupted`` as the SIGINT handler while a command
runs. It still raises KeyboardInterrupt where the command is (so a PostgreSQL query in
progress is cancelled by psycopg and its connection dropped, and SQLite's transaction is
rolled back as the session closes), but first ignores any further Ctrl-C, so the
rollback and the interpreter's exit are not interrupted in turn, and silences what the
clean-up may report on its way out (the connection pool's "Exception during reset",
"Exception ignored in ..."): the line ``Interrupted`` prints is the only one.

Whether anything was written is told by the commits: the engines a command opens
(``Env.engine``) note when a commit starts (``committing``), and claimtrack's write
sessions when it has landed (``committed``). Once the command's work is done, Ctrl-C is
ignored: nothing is left to interrupt but closing the database.
"""

from __future__ import annotations

import signal
import sys

import click

EXIT_CODE = 130  # 128 + SIGINT, as shells report a command ended by Ctrl-C

_state = {"installed": False, "interrupted": False, "committing": False, "committed": False,
          "pending": [], "written": []}  # fmt: skip


class Interrupted(click.ClickException):
    """Ctrl-C, told in one line (not click's "Aborted!", exit 1)."""

    exit_code = EXIT_CODE

    def __init__(self) -> None:
        super().__init__(message())

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


def message() -> str:
    if _state["committing"]:
        return (
            "Interrupted while committing: the changes may or may not have been written; "
            "look before running the command again"
        )
    if _state["committed"]:
        return "Interrupted after the changes were committed: they are written and kept"
    return "Interrupted: nothing was written"


def received() -> bool:
    """Whether Ctrl-C interrupted the command: an error raised after it (the clean-up of
    what it interrupted failing in turn: a COPY cut off mid-row, a connection SQLAlchemy
    closed as the interrupt went through it) is the interrupt's, told as it is."""
    return _state["interrupted"]


def written() -> bool:
    """Whether a commit may have landed (so a database the command created stays)."""
    return _state["committing"] or _state["committed"]


def install():
    """Take Ctrl-C for the command; returns what puts the previous handler back. Only in
    the main thread, and only where Python's own handler is in place (a host program's
    handler is left alone)."""
    _state.update(interrupted=False, committing=False, committed=False, pending=[], written=[])
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:
        return lambda: None
    try:
        signal.signal(signal.SIGINT, _interrupted)
    except ValueError:  # not the main thread: signals are the main thread's
        return lambda: None
    _state["installed"] = True

    def restore() -> None:
        _state["installed"] = False
        signal.signal(signal.SIGINT, previous)

    return restore


def finished() -> None:
    """The command's work is done: a Ctrl-C now would only interrupt the clean-up."""
    if _state["installed"]:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interrupted(signum, frame) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C: not mid-rollback
    _state["interrupted"] = True
    _quiet()
    raise KeyboardInterrupt


def _quiet() -> None:
    """Nothing more on stderr than the one line: the pool logs a connection it could not
    reset (psycopg's, cancelled mid-query) with its traceback, through logging's last
    resort handler; a connection collected at exit may report an exception ignored."""
    import logging

    logging.getLogger("sqlalchemy").addHandler(logging.NullHandler())
    logging.getLogger("sqlalchemy").propagate = False
    sys.unraisablehook = lambda unraisable: None


def watch(engine) -> None:
    """Note the commits of this engine's transactions (``written``)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    event.listen(engine, "commit", _committing)
    if not _state.get("sessions"):
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "after_flush", _flushed)
        event.listen(Session, "after_rollback", _rolled_back)
        _state["sessions"] = True


def _committing(connection) -> None:
    _state["committing"] = True


def _committed(session) -> None:
    if _state["committing"]:
        _state.update(committing=False, committed=True)
    _state["written"] += _state["pending"]
    _state["pending"] = []


def _flushed(session, context) -> None:
    """Note the audit entries (``record.log_event``) a commit would write: what
    ``what_was_written`` names."""
    from claimtrack.models import Event

    _state["pending"] += [f"{e.action} {e.detail}" for e in session.new if isinstance(e, Event)]


def _rolled_back(session) -> None:
    _state["pending"] = []


def mark_written(what: str) -> None:
    """A command that commits outside a session (``db upgrade``) says it has."""
    _state.update(committing=False, committed=True)
    _state["written"].append(what)


def what_was_written() -> str:
    """The audit entries of what the command committed, for a line that says so."""
    from claimtrack.names import visible

    entries = [visible(_cut(entry)) for entry in _state["written"]]
    if len(entries) > 3:
        entries = [*entries[:2], f"and {len(entries) - 2} more (see 'claimtrack log')"]
    return "; ".join(entries)


def _cut(entry: str, limit: int = 120) -> str:
    """An entry short enough for one line (a claim's text may be a megabyte; the log
    keeps it whole)."""
    return entry if len(entry) <= limit else entry[: limit - 1] + "…"
