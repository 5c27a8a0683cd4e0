"""Which of a party's stances came later: the one order the rule, the timelines and the
repeated-stance guard share.

A said time is an interval (a whole day in its offset, a minute, a second). Of two
stances, the one whose interval starts after the other's ends is later; where the
intervals overlap, so that what was said cannot tell, the one recorded later is later.
``said_order`` builds the sequence by taking stances in the order they were recorded and
placing each after everything it does not plainly precede, so a stance recorded later
never moves two earlier ones against each other: the order of any subset (as known at
an earlier time) is the order the subset had then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol, TypeVar


class Said(Protocol):
    said_at: dt.datetime
    said_until: dt.datetime
    recorded_at: dt.datetime
    id: int


S = TypeVar("S", bound=Said)


def position(sequence: list[Said], said_at: dt.datetime, said_until: dt.datetime) -> int:
    """Where a stance said over [said_at, said_until) and recorded after all of
    ``sequence`` goes in it: after everything, except what plainly comes after it."""
    place = len(sequence)
    while place > 0 and sequence[place - 1].said_at >= said_until:
        place -= 1
    return place


def said_order(stances: Iterable[S]) -> list[S]:
    """The stances, earliest said first, by the rule above."""
    sequence: list[S] = []
    for s in sorted(stances, key=lambda s: (s.recorded_at, s.id)):
        sequence.insert(position(sequence, s.said_at, s.said_until), s)
    return sequence
