"""The rows reports yield: plain typed values, everything any format needs, no SQL.

``claimtrack.report`` builds them; ``claimtrack.render`` turns them into a table, JSON,
CSV, XLSX or HTML. A time is a ``When``: the instant with the offset and precision it
was said in. Here, the rows of claims; ``claimtrack.listings``, those of the other
listings (each dataclass costs an import half a millisecond to make, and the daily
commands show claims).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from claimtrack.times import When


@dataclass(frozen=True)
class VerdictInfo:
    rating: str | None  # on the shared scale (None: the publisher's label has no place)
    label: str  # the publisher's own words
    summary: str | None
    url: str | None
    by: str
    at: When  # when it was published, as the publisher said (the desk's: when recorded)
    publisher: str | None = None  # who published it, when not the desk

    def __str__(self) -> str:
        """ "Pants on fire (false)"; another publisher's: "Four Pinocchios per The Post"."""
        text = self.label if self.rating is None else f"{self.label} ({self.rating})"
        return f"{text} per {self.publisher}" if self.publisher else text


@dataclass(frozen=True)
class Position:
    """One party on one side of a claim, by its latest stance (or a counter-claim's)."""

    party: str  # its name and the side it acts for: "JD Vance (United States)"
    side_name: str  # the side it acts for: "United States"
    side: str  # "support" or "oppose"
    kind: str  # the stance kind that put it there
    said: When
    party_id: int
    party_name: str  # its name alone: "JD Vance"
    # The claim linked as contradicting this one whose supporters the party is among, and
    # which way: ``answered``, it is the claim this one answers (this is its counter-claim,
    # "countered claim #1"), else a counter-claim of this one ("counter-claim #8").
    counter_claim_id: int | None = None
    answered: bool = False
    quote: str | None = None
    quote_lang: str | None = None
    via: str | None = None
    source: str | None = None
    anonymous: bool = False


@dataclass(frozen=True)
class TimelineEntry:
    """One stance on a claim or on one of its counter-claims, as recorded."""

    stance_id: int
    claim_id: int  # the claim itself, or the counter-claim the stance is on
    party: str
    party_name: str
    kind: str
    quote: str | None
    quote_lang: str | None
    via: str | None
    source: str | None
    source_url: str | None
    said: When
    recorded_at: dt.datetime
    recorded_by: str
    side: str | None = None  # the party's side (the top of its chain): "Russia"
    amends: int | None = None  # the stance this one was recorded in place of (stance amend)
    # A voided stance (listed apart: it does not count): when the desk voided it, who, why,
    # and the stance recorded in its place when it was amended.
    void_at: dt.datetime | None = None
    void_by: str | None = None
    void_reason: str | None = None
    amended_by: int | None = None
    # On a stance on another claim: that claim is one this claim contradicts (this is its
    # counter-claim), not a counter-claim of this one.
    answered: bool = False


@dataclass(frozen=True)
class ClaimRow:
    """A claim with its status; with ``detail``, both sides, the verdict and the timeline."""

    claim_id: int
    slug: str | None
    topic: str
    text: str
    status: str | None  # None: looking back, nobody had stated it yet
    supporters: int
    opponents: int
    first_reported: When | None
    contested_since: When | None
    last_activity: When | None
    verdict: VerdictInfo | None = None
    support: tuple[Position, ...] = ()
    oppose: tuple[Position, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    periods: tuple = ()  # history.Period, oldest first, when asked for

    def anonymous_only(self) -> list[str]:
        """The sides that rest only on anonymous sources: "for", "against", both or none."""
        return [
            name
            for name, group in (("for", self.support), ("against", self.oppose))
            if group and all(p.anonymous for p in group)
        ]

    def within_side(self) -> str | None:
        """The side, when every party for and against acts for that one side."""
        sides = {p.side_name for p in (*self.support, *self.oppose)}
        return sides.pop() if len(sides) == 1 and self.support and self.oppose else None

    def resolved(self):
        """The last contested period, when the claim is no longer contested."""
        if self.status == "contested":
            return None
        return next((p for p in reversed(self.periods) if p.status == "contested"), None)

    def own_stances(self) -> list[TimelineEntry]:
        """The timeline's stances on this claim itself (not on its counter-claims)."""
        return [t for t in self.timeline if t.claim_id == self.claim_id]

    def reported_before_first(self) -> TimelineEntry | None:
        """A stance for the claim that may have been said before the first reported one,
        when that one is not for it: the timeline (and first reported) goes by when what
        was said was over, so a denial at 13:00 comes before an assertion dated, date
        only, that day (docs/model.md), and would read as denied before anyone said it."""
        from claimtrack.vocabulary import side_of

        own = self.own_stances()
        if not own or side_of(own[0].kind) == "support":
            return None
        first = own[0].said
        return next((t for t in own[1:] if side_of(t.kind) == "support"
                     and t.said.at < first.until), None)  # fmt: skip


@dataclass(frozen=True)
class LinkedClaim:
    kind: str  # "contradicts" or "same_as"
    direction: str  # "from": this claim links to it; "to": it links to this claim
    claim_id: int
    text: str
    merged_into: int | None


@dataclass(frozen=True)
class ClaimDetail:
    """One claim as ``claim show`` prints it: status, links and every stance in time order."""

    row: ClaimRow
    links: tuple[LinkedClaim, ...]
    as_of: When | None
    known_at: When | None = None
    voided: tuple[TimelineEntry, ...] = ()  # stances the desk voided (by known_at), said order
