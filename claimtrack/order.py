"""Which of a party's stances came later: the one order the rule, the timelines and the
repeated-stance guard share.

A said time is an interval (a whole day in its offset, a minute, a second). Of two
stances, the one whose interval starts after the other's ends is later; where the
intervals overlap, so that what was said cannot tell, the one recorded later is later.
``said_order`` builds the sequence by taking stances in the order they were recorded and
placing each as late as it can go: before the first stance it plainly precedes, or at
the end. So a stance recorded later never moves two earlier ones against each other (the
order of any subset, as known at an earlier time, is the order the subset had then), and
a stance plainly said before another is always before it, whatever lies between (so the
order of the stances counted as of any time does not hang on one not yet counted).

Where overlaps chain (a date-only retraction overlapping a denial at 11:05 and an
assertion at 16:30 the same day), the two rules cannot both hold for every pair; the
plain order of said times wins, and the overlapping one goes as late as it can.
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
    ``sequence`` goes in it: just before the first stance said plainly after it (one whose
    interval starts when this one's has ended), or at the end."""
    place = len(sequence)
    for index in range(len(sequence) - 1, -1, -1):
        other = sequence[index]
        if other.said_until <= said_at:
            # Plainly before this one: everything plainly after this one comes later
            # in the sequence than it does, so there is nothing more to find.
            break
        if other.said_at >= said_until:
            place = index
    return place


def said_order(stances: Iterable[S]) -> list[S]:
    """The stances, earliest said first, by the rule above."""
    sequence: list[S] = []
    for s in sorted(stances, key=lambda s: (s.recorded_at, s.id)):
        sequence.insert(position(sequence, s.said_at, s.said_until), s)
    return sequence
