"""Checks on option values that every command shares."""

from __future__ import annotations

from collections.abc import Callable

PARTY = "give a party's id, name or alias"


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


def optional(hint: str) -> str:
    return f"{hint}, or leave it out"
