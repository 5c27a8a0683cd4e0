"""The rows of the listings and exports besides claims: parties, sources, the log,
verdict histories, what changed, and stances one by one (``claimtrack.rows`` has the
rows of claims)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from claimtrack.rows import VerdictInfo
from claimtrack.times import When


@dataclass(frozen=True)
class StanceRow:
    """One stance with everything ``import csv`` needs to rebuild it (per-stance export)."""

    claim_id: int
    topic: str
    claim_ref: str
    claim: str
    claim_lang: str | None
    contradicts: str
    same_as: str
    party: str
    party_kind: str
    party_aliases: tuple[str, ...]
    party_for: str | None
    kind: str
    quote: str | None
    quote_lang: str | None
    via: str | None
    source_title: str | None
    source_outlet: str | None
    source_url: str | None
    source_lang: str | None
    source_published: When | None
    said: When
    recorded_at: dt.datetime
    recorded_by: str


@dataclass(frozen=True)
class PartyCounts:
    """``report parties``: one party's (or one side's) part in the claims."""

    name: str  # the party, or the side
    side: str
    kind: str  # the party's kind, or "side"
    parties: int  # 1 for a party; how many parties act for a side
    asserted: int
    denied: int
    retractions: int
    counter_claims: int
    contested: int
    stances: int


@dataclass(frozen=True)
class PartyRow:
    id: int
    name: str
    kind: str
    acts_for: str | None
    aliases: tuple[str, ...]
    description: str | None = None  # who it is ("Governor, Ohio")


@dataclass(frozen=True)
class PartyStance:
    stance_id: int
    claim_id: int
    claim: str
    kind: str  # the stance kind, or "relayed (kind)" for a stance it carried as via
    by: str
    quote: str | None
    said: When
    side: str = ""  # the speaker's side (``by``'s), as timelines give it


@dataclass(frozen=True)
class PartyDetail:
    party: PartyRow
    label: str  # its name and side, as tables print it: "JD Vance (United States)"
    stances: tuple[PartyStance, ...]
    side: str = ""  # the name of its side alone (the top of its chain): "United States"


@dataclass(frozen=True)
class SourceRow:
    id: int
    title: str
    outlet: str
    url: str | None
    lang: str | None
    published: When | None


@dataclass(frozen=True)
class EventRow:
    id: int
    at: dt.datetime
    editor: str
    action: str
    detail: str


@dataclass(frozen=True)
class VerdictRow:
    claim_id: int
    verdict: VerdictInfo
    rating_value: int | None
    best_rating: int | None
    worst_rating: int | None


@dataclass(frozen=True)
class ChangeRow:
    """``report changes``: one thing that happened to a claim within the window."""

    at: When  # when it was said (for a verdict: when it was published, as its publisher said)
    change: str  # "newly contested", "dispute resolved", "new stance", "verdict", ...
    claim_id: int
    claim: str
    detail: str
    # a new stance's quote, which ends ``detail`` (": “...”"): tables shorten it alone
    quote: str | None = None
