"""The ``claimtrack`` command line: parse, call the domain layer, render.

Each command lives in the module named for it (``claimtrack/cli/report.py`` holds
``claimtrack report``). The group loads a command's module only when that command runs
(its help lists them from ``SUMMARIES``), and command modules import SQLAlchemy inside
their functions, so ``claimtrack --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import gc
import importlib

import click

from claimtrack import __version__
from claimtrack.errors import ClaimtrackError, UsageError

# A command is short, and most of its time goes to importing SQLAlchemy and claimtrack:
# a full garbage collection among the imports (hundreds of thousands of objects, none of
# them garbage) costs more than the command's own work, and another at exit. So the
# collector pauses while a command starts (ClaimtrackGroup.main), and resumes when the
# command opens its database (Env.engine), with what was imported by then frozen: kept
# out of every collection, the one at exit included, as it lives as long as the process.
_collector = {"paused": False, "frozen": False}


def _resume_collection() -> None:
    """Collect garbage again, after freezing what exists once per process (in a process
    that runs many commands, the tests, later commands' leftovers are collected)."""
    if _collector["paused"]:
        if not _collector["frozen"]:
            gc.freeze()
            _collector["frozen"] = True
        _collector["paused"] = False
        gc.enable()


# command name -> "module:attribute", in the order help lists them.
COMMANDS = {
    "demo": "claimtrack.cli.demo:demo",
    "party": "claimtrack.cli.party:party",
    "source": "claimtrack.cli.source:source",
    "claim": "claimtrack.cli.claim:claim",
    "stance": "claimtrack.cli.stance:stance",
    "verdict": "claimtrack.cli.verdict:verdict",
    "report": "claimtrack.cli.report:report",
    "export": "claimtrack.cli.export:export",
    "import": "claimtrack.cli.import_:import_",
    "log": "claimtrack.cli.log:log",
    "seed": "claimtrack.cli.seed:seed",
    "db": "claimtrack.cli.db:db",
}


# command name -> the first paragraph of its help: what ``claimtrack --help`` lists,
# without importing every command's module (tests/test_cli.py keeps the two equal).
SUMMARIES = {
    "demo": "Load the Islamabad talks (11-12 April 2026) and show what stands contested.",
    "party": "Parties: people, governments, agencies, outlets, anonymous sources.",
    "source": "Sources: the articles, broadcasts and posts that carried statements.",
    "claim": "Claims, and who asserts, confirms, denies, disputes or retracts them.",
    "stance": "Correct stances recorded by mistake: void them, or amend them.",
    "verdict": "Verdicts: what the desk publishes about a claim.",
    "report": "Reports over the claims database: the overview for the morning meeting.",
    "export": "Export claims for spreadsheets and other tools: CSV, XLSX, ClaimReview, a graph.",
    "import": "Import claims from files: CSV, others' ClaimReview, the LIAR and PHEME datasets.",
    "log": "Show who wrote what and when, newest first.",
    "seed": "Load a seed dataset; loading the same file again adds nothing.",
    "db": "Database schema: where it is, which revision, upgrading it.",
}


# Every exit status claimtrack gives, for the epilog of ``claimtrack --help`` and the
# README's list (tests/test_cli.py keeps the two equal).
EXIT_STATUSES = {
    0: "done",
    1: "refused by the data or the system (an unknown party, a locked database, "
    "a full disk, an incomplete export), or a reader that closed the pipe",
    2: "the command was used wrongly (an unknown option, a bad value, a missing argument, "
    "a file to read that is missing, unreadable or a folder)",
    3: "written, but its output could not be (a closed pipe, a full disk): "
    "one line says what was written; do not run it again",
    130: "interrupted (Ctrl-C), in one line that says whether anything was written",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (click's documented pattern)."""

    def __init__(self, *args, lazy_subcommands: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = lazy_subcommands or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.lazy_subcommands, *super().list_commands(ctx)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            module_name, attribute = self.lazy_subcommands[cmd_name].split(":")
            return getattr(importlib.import_module(module_name), attribute)
        return super().get_command(ctx, cmd_name)


class Misuse(click.ClickException):
    """The command was used wrongly: one line, like every error, and exit status 2."""

    exit_code = 2


class HelpContext(click.Context):
    """click's context, measuring the terminal for help without importing shutil (which
    brings bz2 and lzma along: a tenth of what ``claimtrack --help`` costs)."""

    def make_formatter(self) -> click.HelpFormatter:
        width = self.terminal_width or click.formatting.FORCED_WIDTH
        if width is None:  # as click does it, with shutil.get_terminal_size's columns
            width = max(min(terminal_columns(), self.max_content_width or 80) - 2, 50)
        return self.formatter_class(width=width, max_width=self.max_content_width)


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: ``COLUMNS``, else the terminal's, else 80."""
    import os
    import sys

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class ClaimtrackGroup(LazyGroup):
    """The top-level group: turns anything a user can cause into a one-line error."""

    context_class = HelpContext

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their one-line help, as click lists them (shortened by click
        itself), from ``SUMMARIES``."""
        from gettext import gettext as _

        limit = formatter.width - 6 - max(len(name) for name in SUMMARIES)
        rows = [(name, click.Command(name, help=text).get_short_help_str(limit))
                for name, text in SUMMARIES.items()]  # fmt: skip
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The exit statuses, after the commands (``EXIT_STATUSES``)."""
        with formatter.section("Exit status"):
            formatter.write_dl([(str(code), text) for code, text in EXIT_STATUSES.items()])

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list:
        """The commands beginning with ``incomplete``, from ``SUMMARIES`` as help lists
        them (click's own would import every command's module), and the options."""
        from click.shell_completion import CompletionItem

        commands = [CompletionItem(name, help=click.Command(name, help=text).get_short_help_str())
                    for name, text in SUMMARIES.items() if name.startswith(incomplete)]  # fmt: skip
        return commands + click.Command.shell_complete(self, ctx, incomplete)

    def main(self, *args, **kwargs):
        import os

        if any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
            from claimtrack.cli.complete import register_shells  # the shell asks: Tab

            register_shells()
        if gc.isenabled():
            gc.disable()
            _collector["paused"] = True
        from claimtrack.cli import interrupt, stdout

        restore = interrupt.install()  # Ctrl-C: one line, exit 130 (``Interrupted``)
        unguard = stdout.guard_standard_output()  # a closed pipe, a full disk: one line
        try:
            return super().main(*args, **kwargs)
        finally:
            unguard()
            restore()
            _resume_collection()

    def invoke(self, ctx: click.Context):
        from claimtrack.cli import interrupt, stdout

        try:
            try:
                result = super().invoke(ctx)
                if stdout.standard_output_failure() is not None:  # a write command went on
                    raise stdout.standard_output_failure()
                interrupt.finished()
            except (Exception, KeyboardInterrupt) as exc:
                # Whatever failed once Ctrl-C was pressed is the interrupt's (its clean-up
                # failing in turn: a COPY cut off mid-row, a connection SQLAlchemy closed).
                interrupted = isinstance(exc, KeyboardInterrupt) or interrupt.received()
                failed = not (isinstance(exc, click.exceptions.Exit) and exc.exit_code == 0)
                if interrupted and interrupt.written():
                    failed = False  # what it created holds what was committed: it stays
                if stdout.standard_output_failure() is not None and interrupt.written():
                    failed = False  # written, only not confirmed: it stays, and is told
                if isinstance(ctx.obj, Env):
                    if failed:
                        ctx.obj.discard_new_database()
                    elif stdout.standard_output_failure() is None:
                        ctx.obj.announce_new_database()
                if interrupted and not isinstance(exc, KeyboardInterrupt):
                    raise KeyboardInterrupt from exc
                raise
            if isinstance(ctx.obj, Env):
                ctx.obj.announce_new_database()
            return result
        except KeyboardInterrupt:  # not click's "Aborted!", exit 1: say what was written
            raise interrupt.Interrupted() from None
        except OSError:  # standard output's (a closed pipe, a full disk), or not ours
            if stdout.standard_output_failure() is None:
                raise
            raise _output_lost(ctx, stdout.standard_output_failure()) from None
        except UsageError as exc:
            raise Misuse(str(exc)) from None
        except click.UsageError as exc:  # click's own: a bad option value, a missing argument
            where = exc.ctx.command_path if exc.ctx else "claimtrack"
            if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
                # 'claimtrack report' alone: one line naming its commands (click 8.2 put
                # the group's whole help after "Error:")
                names = ", ".join(exc.ctx.command.list_commands(exc.ctx))
                raise Misuse(f"'{where}' needs a command: {names} (see '{where} --help')") from None
            raise Misuse(f"{exc.format_message()} (see '{where} --help')") from None
        except ClaimtrackError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            message = _database_error(exc)
            if message is None:
                raise
            raise click.ClickException(message) from None


class OutputLost(click.ClickException):
    """Standard output failed (a closed pipe, a full disk): one line on standard error
    that says whether the command's change was written; exit status 1 if not,
    ``WRITTEN_UNCONFIRMED`` if it was, so a script whose standard error is closed too can
    still tell whether to run the command again."""

    def show(self, file=None) -> None:
        with contextlib.suppress(OSError, ValueError):  # standard error is closed too
            click.echo(f"Error: {self.format_message()}", err=True)


WRITTEN_UNCONFIRMED = 3


def _output_lost(ctx: click.Context, failure: OSError) -> Exception:
    """What a failure of standard output becomes: a reader that closed the pipe on a
    command that only reads ends quietly (click's way, exit 1); any other is one line."""
    import errno

    from claimtrack.cli import interrupt, stdout

    closed = isinstance(failure, BrokenPipeError) or failure.errno == errno.EPIPE
    reason = "the reader closed the pipe" if closed else (failure.strerror or str(failure))
    line = f"cannot write to standard output: {reason}"
    if interrupt.written():
        what = interrupt.what_was_written()
        env = ctx.obj if isinstance(ctx.obj, Env) else None
        if env is not None and env.new_file is not None:
            what = f"{what}, in the new database {env.new_file}" if what else str(env.new_file)
            env.new_file = None
        lost = OutputLost(f"{line} (the change was written{': ' + what if what else ''})")
        lost.exit_code = WRITTEN_UNCONFIRMED
        return lost
    if stdout.writing():
        return OutputLost(f"{line} (nothing was written)")
    if closed:
        return failure  # click: quiet, exit 1 (README: "a reader that closed the pipe")
    return OutputLost(line)


def _database_error(exc: Exception) -> str | None:
    """One line for a database failure a user can cause (read-only file, server down)."""
    import sys

    if "sqlalchemy" not in sys.modules:
        return None
    import sqlalchemy.exc as sa_exc

    if isinstance(exc, sa_exc.DBAPIError):
        from claimtrack.db import describe_db_error

        return f"database error: {describe_db_error(exc)}"
    return None


class Env:
    """What every command may need: where the database is, and who is writing."""

    # A plain class, not a dataclass: importing dataclasses costs `--help` 5 ms.
    def __init__(self, db: str | None, editor_name: str | None) -> None:
        self.db = db
        self.editor_name = editor_name
        self.engines: list = []
        self.new_file = None  # a pathlib.Path

    def url(self):
        from claimtrack.db import resolve_url

        if self.db is not None and not self.db.strip():  # an empty shell variable
            raise UsageError("--db is empty: give a SQLite file or a database URL, or leave it out")
        return resolve_url(self.db)

    def engine(self, *, write: bool = False, create_schema: bool = False, url=None):
        """Open the database (checked at head) and dispose of it when the command ends.

        ``write`` creates a missing SQLite file; a command that then fails removes it
        again, so a mistake leaves no trace.
        """
        from claimtrack.db import open_database, sqlite_file_missing

        _resume_collection()  # the command has what it imports

        url = url if url is not None else self.url()
        if write and sqlite_file_missing(url):
            from pathlib import Path

            # Known before it is created: a creation that fails (a full disk) removes
            # what it began (nu18: an empty file, which later reads called "no
            # claimtrack schema yet" where "no database yet" was meant).
            self.new_file = Path(url.database)
        engine = open_database(url, create=write, create_schema=create_schema)
        from claimtrack.cli import interrupt

        interrupt.watch(engine)  # what a Ctrl-C says was written
        if write:
            from claimtrack.cli import stdout

            stdout.keep_going()  # a closed standard output no longer decides the write
        self.engines.append(engine)
        click.get_current_context().call_on_close(engine.dispose)
        return engine

    def announce_new_database(self) -> None:
        """Say the command created its database, once it has succeeded (a command that
        fails removes the file again, and says only why it failed)."""
        if self.new_file is not None:
            click.echo(f"Created database {self.new_file}", err=True)
            self.new_file = None

    def discard_new_database(self) -> None:
        """Remove the SQLite file this command created (it failed, or was a dry run)."""
        for engine in self.engines:
            engine.dispose()
        if self.new_file is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                self.new_file.with_name(self.new_file.name + suffix).unlink(missing_ok=True)
            self.new_file = None

    @property
    def editor(self) -> str:
        from claimtrack.names import normalise, one_line_breaker, quoted_name
        from claimtrack.record import current_editor

        editor = current_editor(self.editor_name)
        if not normalise(editor):  # only invisible characters or spaces: nobody to trace
            raise UsageError(
                "the editor name is empty once invisible characters are removed: "
                "give a visible name with --editor or CLAIMTRACK_EDITOR"
            )
        if one_line_breaker(editor):  # as a party's name: every line of the log is one
            raise UsageError(
                f"the editor name {quoted_name(editor)} contains a line break or a control "
                "character: give it on one line with --editor or CLAIMTRACK_EDITOR"
            )
        return editor


@click.group(cls=ClaimtrackGroup, lazy_subcommands=COMMANDS)
@click.version_option(__version__, prog_name="claimtrack")
@click.option(
    "--db",
    metavar="PATH|URL",
    help="Database: a SQLite file path or a SQLAlchemy URL "
    "(postgresql+psycopg://user@host/dbname). Default: $CLAIMTRACK_DB, else a file in "
    "the user's application folder.",
)
@click.option(
    "--editor",
    metavar="NAME",
    help="Who is recording, for the audit log. Default: $CLAIMTRACK_EDITOR, else the OS user "
    "(an empty name is refused).",
)
@click.pass_context
def cli(ctx: click.Context, db: str | None, editor: str | None) -> None:
    """Track who claimed what, where it was reported, who denied it, and what
    stands contested.

    \b
    Start here:
      claimtrack demo                      the Islamabad talks, in a demo database
      claimtrack report contested          what stands contested now
      claimtrack --db team.db seed         load the bundled Islamabad dataset

    Every command's help is in docs/cli.md; shell completion in docs/completion.md.
    """
    ctx.obj = Env(db=db, editor_name=editor)


def walk_commands(group: click.Group | None = None, prefix: tuple[str, ...] = ()):
    """Every command's path under ``group`` (the whole CLI by default), groups first:
    for the docs (docs/make_cli_reference.py) and the tests that visit every command."""
    group = group or cli
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from walk_commands(command, (*prefix, name))
