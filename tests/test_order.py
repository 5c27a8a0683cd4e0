"""Said order (``claimtrack.order``): the one order of a party's stances, checked on
random stances of mixed precision, and through the CLI on both backends."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from claimtrack.order import said_order

BASE = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
SPANS = {"day": dt.timedelta(days=1), "minute": dt.timedelta(minutes=1)}
STANCE = st.tuples(
    st.integers(0, 3 * 24 * 60 - 1),  # minutes after BASE
    st.sampled_from(sorted(SPANS)),
)


def _stances(drawn) -> list:
    found = []
    for n, (minutes, precision) in enumerate(drawn):
        at = BASE + dt.timedelta(minutes=minutes)
        if precision == "day":
            at = at.replace(hour=0, minute=0)
        recorded = BASE + dt.timedelta(days=9, seconds=n)
        found.append(
            SimpleNamespace(id=n + 1, said_at=at, said_until=at + SPANS[precision],
                            recorded_at=recorded)
        )  # fmt: skip
    return found


@given(st.lists(STANCE, max_size=12))
def test_plainly_earlier_is_earlier_and_later_records_never_reorder(drawn):
    stances = _stances(drawn)
    order = said_order(stances)
    assert sorted(s.id for s in order) == [s.id for s in stances]
    place = {s.id: n for n, s in enumerate(order)}
    for a in stances:
        for b in stances:
            if a.said_until <= b.said_at:  # a was plainly said before b
                assert place[a.id] < place[b.id]
    for known in range(len(stances)):  # what the desk had after `known` recordings
        earlier = said_order(stances[:known])
        assert [s.id for s in earlier] == [s.id for s in order if s.id <= known]


def test_a_date_only_stance_not_yet_counted_does_not_reorder_timed_ones(engine, run):
    """A asserts at 16:30, retracts (date only), then is recorded denying at 11:05 the same
    day. As of 17:00 the retraction (which may have come later that day) does not count,
    and of the two that do, the assertion at 16:30 is A's latest: B's denial makes the
    claim contested."""

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, result.output
        return result.output

    ok("claim", "add", "Z", "--by", "A", "--create-missing", "--at", "2023-10-18T16:30+03:00")
    ok("claim", "deny", "1", "--by", "B", "--create-missing", "--at", "2023-10-18T09:00+03:00")
    ok("claim", "retract", "1", "--by", "A", "--at", "2023-10-18", "--tz", "+03:00")
    ok("claim", "deny", "1", "--by", "A", "--at", "2023-10-18T11:05+03:00")
    rows = json.loads(
        ok("report", "claims", "--as-of", "2023-10-18T17:00+03:00", "--format", "json")
    )
    assert [r["status"] for r in rows] == ["contested"]
    shown = ok("claim", "show", "1", "--as-of", "2023-10-18T17:00+03:00")
    assert "Status: contested" in shown
