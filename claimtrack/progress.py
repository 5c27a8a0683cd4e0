"""How long work reports its progress, without knowing where (or whether) it is shown.

Work that may take more than a moment takes a ``progress`` with one method,
``phase(label, total=None, *, unit="rows", estimate=True)``: a context manager that yields
``advance(n=1, note=None)``. ``total`` is in the unit ``advance`` counts (None when not
known); ``estimate=False`` for a phase whose units are not alike (steps of unequal
length), where no time left can be honestly given. ``claimtrack.cli.output.Progress``
draws the phases on a terminal; ``SILENT`` is for everything else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator


def ignore(n: int = 1, note: str | None = None) -> None:
    pass


class Silent:
    """Progress nobody sees."""

    @contextlib.contextmanager
    def phase(self, label: str, total: int | None = None, *, unit: str | None = "rows",
              estimate: bool = True) -> Iterator[Callable[..., None]]:  # fmt: skip
        yield ignore


SILENT = Silent()
