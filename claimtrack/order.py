"""Which stance came later: a party's own stances in said order (the rule, the
repeated-stance guard), and a claim's timeline in the order its stances were over
(``timeline_order``: the clock of ``--as-of``, the stored history and first reported).

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
import heapq
import operator
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


_OVER = operator.attrgetter("said_until", "said_at", "recorded_at", "id")


def timeline_order(stances: Iterable[S]) -> list[S]:
    """The stances of a claim (and of its counter-claims), in the order their said times
    were over: the clock ``--as-of`` and the stored history read, on which a stance counts
    once what was said is over (a date-only stance at the end of its day, in its offset).
    So a date-only stance comes after a timed one of the same day, whichever was recorded
    first: "by the end of that day" is all it says. Of stances over at the same instant,
    the one begun first comes first (a whole day before its last minute), then the one
    recorded first. First reported (``rule.CLAIM_STATUS``) is the first of this order.

    A party's own stances keep their said order (``said_order``: a retraction after what
    it withdraws): where one of them is over after a later one of the same party (a
    date-only denial recorded before a retraction at 11:00 that day), it takes the later
    one's place, just before it.
    """
    ordered = sorted(stances, key=_OVER)
    if len({(s.claim_id, s.party_id) for s in ordered}) == len(ordered):  # type: ignore[attr-defined]
        return ordered  # one stance a party: nothing to keep in said order (most claims)
    parties: dict[tuple[int, int], list[S]] = {}
    for s in ordered:
        parties.setdefault((s.claim_id, s.party_id), []).append(s)  # type: ignore[attr-defined]
    if len(parties) == len(ordered) or all(
        len(own) == 1 or all(map(operator.is_, said_order(own), own)) for own in parties.values()
    ):
        return ordered  # each party's stances were over in their said order
    runs = []
    for own in parties.values():
        own = said_order(own) if len(own) > 1 else own
        # Each stance's place: the earliest end of it and the party's later stances.
        over = own[-1].said_until
        keyed = []
        for s in reversed(own):
            over = min(over, s.said_until)
            keyed.append(((over, *_OVER(s)[1:]), s))
        keyed.reverse()
        runs.append(keyed)
    if len(runs) == 1:
        return [s for _, s in runs[0]]
    return [s for _, s in heapq.merge(*runs, key=lambda pair: pair[0])]
