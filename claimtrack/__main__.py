"""The ``claimtrack`` command (its console script) and ``python -m claimtrack``.

A Ctrl-C while Python loads the command (its first tenth of a second: click, SQLAlchemy,
the command's modules) comes before ``ClaimtrackGroup.main`` takes Ctrl-C: it is told as
any interrupt is, in one line, exit 130, rather than as Python's traceback. Nothing can
have been written: no database is open yet.
"""

import sys


def _hold_closed_descriptors() -> None:
    """Standard input, output or error closed when the command started (``>&-``,
    ``<&-``): Python leaves ``sys.stdout`` None, and the next file opened (the database)
    would take descriptor 1. Each is held on /dev/null, and its stream stays None: a
    read of standard input is refused, a write to standard output fails as a closed
    pipe does (``cli.stdout``: exit 3 if the change was written, and one line saying so)."""
    import os

    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            held = os.open(os.devnull, os.O_RDWR)
            if held != fd:
                os.dup2(held, fd)
                os.close(held)


def main() -> None:
    if sys.stdin is None or sys.stdout is None or sys.stderr is None:
        _hold_closed_descriptors()
    try:
        from claimtrack.cli import cli
    except KeyboardInterrupt:  # (not importing cli.interrupt now: it imports click)
        sys.stderr.write("Interrupted: nothing was written\n")
        sys.exit(130)  # cli.interrupt.EXIT_CODE: 128 + SIGINT
    cli(prog_name="claimtrack")


if __name__ == "__main__":
    main()
