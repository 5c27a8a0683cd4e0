"""The one exception the domain layer raises for anything a user can cause."""


class ClaimtrackError(Exception):
    """A mistake in the user's input or data: shown as one line, exit status 1."""


class UsageError(ClaimtrackError):
    """The command was given something it cannot take: shown as one line, exit status 2."""
