"""The ``claimtrack`` command (its console script) and ``python -m claimtrack``.

A Ctrl-C while Python loads the command (its first tenth of a second: click, SQLAlchemy,
the command's modules) comes before ``ClaimtrackGroup.main`` takes Ctrl-C: it is told as
any interrupt is, in one line, exit 130, rather than as Python's traceback. Nothing can
have been written: no database is open yet.
"""

import sys


def main() -> None:
    try:
        from claimtrack.cli import cli
    except KeyboardInterrupt:  # (not importing cli.interrupt now: it imports click)
        sys.stderr.write("Interrupted: nothing was written\n")
        sys.exit(130)  # cli.interrupt.EXIT_CODE: 128 + SIGINT
    cli(prog_name="claimtrack")


if __name__ == "__main__":
    main()
