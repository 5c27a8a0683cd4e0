"""Checks on option values that every command shares."""

from __future__ import annotations

from collections.abc import Callable

PARTY = "give a party's id, name or alias"
WHEN = "give a date or a time (2026-04-12, 2026-04-12T08:30+05:00, now)"


def not_empty(hint: str) -> Callable:
    """A click callback refusing an empty or blank value (exit 2, one line), most often an
    empty shell variable: ``--by ""`` would otherwise look up a party named "", and
    ``--via ""`` or ``--summary ""`` be dropped without a word."""

    def check(ctx, param, value):
        if isinstance(value, str) and not value.strip():
            from claimtrack.errors import UsageError

            raise UsageError(f"{param.opts[0]} is empty: {hint}")
        return value

    return check


def language_code(ctx, param, value):
    """A click callback for --lang and --quote-lang: a BCP 47 code (zh, en-GB), not empty."""
    if value is None:
        return value
    from claimtrack.vocabulary import language_problem

    value = not_empty(optional("give a language code"))(ctx, param, value).strip()
    problem = language_problem(value)
    if problem is not None:
        from claimtrack.errors import UsageError

        raise UsageError(f"{param.opts[0]}: {problem}")
    return value


def optional(hint: str) -> str:
    return f"{hint}, or leave it out"


def when_option(name: str, help: str) -> Callable:
    """A ``WHEN`` option (an as-of, a known-at, a since...): a date or a time, refused
    when given empty (an unset shell variable would otherwise mean "now")."""
    import click

    return click.option(name, metavar="WHEN", callback=not_empty(optional(WHEN)), help=help)


def stance_kind():
    """A stance's kind for an option: its name as stored (``denies``) or the verb the
    commands and the CSV import take (``deny``: nu17's ``stance amend --kind deny`` was
    refused, where the import takes it), shown and returned as the name."""
    import click

    from claimtrack.vocabulary import BY_VERB, STANCE_KINDS

    class StanceKind(click.Choice):
        def convert(self, value, param, ctx):
            verb = BY_VERB.get(value) if isinstance(value, str) else None
            return super().convert(verb.name if verb else value, param, ctx)

    return StanceKind(STANCE_KINDS)
