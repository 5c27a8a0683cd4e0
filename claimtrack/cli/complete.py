"""Shell completion from the database: click's own mechanism (docs/completion.md), with
``shell_complete`` callbacks that offer party names and aliases, claim slugs and topics.

A completer runs at every press of Tab, in the user's shell: it reads the database named
on the command line being completed (``--db``, else ``CLAIMTRACK_DB``, else the default
file), never creates or writes one, answers from an index with a LIMIT
(``claimtrack.completion``), and on any failure offers nothing rather than print a
traceback into the shell.
"""

from __future__ import annotations

import re

import click

# What bash would take apart in an inserted word: click's bash script inserts a value as
# it is, so "JD Vance" would become two arguments.
_BASH_SPECIAL = re.compile(r"""([\s"'\\|&;()<>$`!*?\[\]{}#~])""")


def parties(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Party names and aliases beginning with ``incomplete``."""
    from claimtrack import completion

    return _from_database(ctx, completion.parties, incomplete)


def party_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Party names (not aliases) beginning with ``incomplete``: where an alias is refused."""
    from functools import partial

    from claimtrack import completion

    return _from_database(ctx, partial(completion.parties, aliases=False), incomplete)


def claims(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Claim slugs beginning with ``incomplete`` (or the claim with that id)."""
    from claimtrack import completion

    return _from_database(ctx, completion.claims, incomplete)


def topics(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Topics beginning with ``incomplete``."""
    from claimtrack import completion

    return _from_database(ctx, completion.topics, incomplete)


def _from_database(ctx: click.Context, lookup, incomplete: str) -> list:
    import warnings

    from click.shell_completion import CompletionItem

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            engine = _read_only_engine(ctx)
            if engine is None:
                return []
            try:
                with engine.connect() as connection:
                    if connection.dialect.name == "postgresql":
                        connection = connection.execution_options(postgresql_readonly=True)
                    found = lookup(connection, incomplete)
            finally:
                engine.dispose()
    except Exception:  # noqa: BLE001 - a completer must never break the user's shell
        return []
    return [
        CompletionItem(c, help=None) if isinstance(c, str) else CompletionItem(c.value, help=c.help)
        for c in found
    ]


def _read_only_engine(ctx: click.Context):
    """An engine on the database the command line names, opened so that it cannot write;
    None when that is a SQLite file that does not exist (it is not created)."""
    from pathlib import Path

    import sqlalchemy as sa

    from claimtrack import db

    url = db.resolve_url(ctx.find_root().params.get("db"))
    if db.is_sqlite(url):
        if not url.query.get("uri"):
            if not url.database or not Path(url.database).is_file():
                return None
            as_uri = Path(url.database).absolute().as_uri()
            url = url.set(database=as_uri, query={"mode": "ro", "uri": "true"})
        # A writer holding the file: offer nothing at once rather than hang the prompt.
        return sa.create_engine(url, connect_args={"timeout": 0.2}, poolclass=sa.pool.NullPool)
    return db.create_engine(url.update_query_dict({"connect_timeout": "3"}))


def bash_escape(value: str) -> str:
    """``value`` as one word on a bash command line: ``JD\\ Vance``."""
    return _BASH_SPECIAL.sub(r"\\\1", value)


def register_shells() -> None:
    """claimtrack's bash and fish completion classes in place of click's own, which
    insert a name with a space as two words (bash) and cut it at a comma (fish)."""
    from click import shell_completion as sc

    class BashComplete(sc.BashComplete):
        def format_completion(self, item) -> str:
            # The script reads the line with `read`, which takes one level of backslashes.
            return f"{item.type},{bash_escape(item.value).replace(chr(92), chr(92) * 2)}"

    class FishComplete(sc.FishComplete):
        source_template = sc.FishComplete.source_template.replace(
            'string split "," $completion', 'string split -m 1 "," -- $completion'
        )

    sc.add_completion_class(BashComplete, "bash")
    sc.add_completion_class(FishComplete, "fish")
