"""Which claims a report, listing or export covers: every criterion, in one object.

Commands build a ``Selection`` once from their options; query functions read it and
never change it (it is frozen: ``dataclasses.replace`` makes a narrower copy).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, case, func, select

from claimtrack import rule

SORTS = ("activity", "since", "id")


@dataclass(frozen=True)
class Selection:
    topic: str | None = None
    status: str | None = None
    # Parties on a side of the claim (or on ``side`` of it): --party with its affiliates.
    party_ids: tuple[int, ...] | None = None
    side: str | None = None  # "support" or "oppose"
    # A party that took any stance on the claim, questions and comments included.
    speaker_id: int | None = None
    search: str | None = None  # words in the claim's text or a quote, taken literally
    since: dt.datetime | None = None  # last activity at or after
    until: dt.datetime | None = None  # last activity before (the end of what was given)
    as_of: dt.datetime | None = None  # only stances whose said time was over by then
    known_at: dt.datetime | None = None  # only what the desk had recorded by then
    anonymous_only: bool = False  # a side rests on anonymous sources alone
    unrated: bool = False  # the desk has given no verdict yet
    sort: str = "activity"
    limit: int | None = None

    def params(self) -> dict:
        times = {"as_of": self.as_of, "known_at": self.known_at}
        return {name: value for name, value in times.items() if value is not None}

    def views(self, scoped: bool = False) -> rule.Views:
        return rule.views(self.as_of is not None, scoped=scoped,
                          known_at=self.known_at is not None)  # fmt: skip

    def counts(self, stance):
        """Conditions on a stance table for "counted by this selection's times"."""
        conditions = [stance.void_at.is_(None)]
        if self.known_at is not None:
            conditions = [(stance.void_at.is_(None) | (stance.void_at >= self.known_at)),
                          stance.recorded_at < self.known_at]  # fmt: skip
        if self.as_of is not None:
            conditions.append(stance.said_until <= self.as_of)
        return conditions

    def where(self, query: Select, views: rule.Views, claim_id) -> Select:
        """Restrict ``query`` (``claim_status`` in its FROM, ``claim_id`` a column of it)."""
        from claimtrack.models import Claim, Stance, Verdict
        from claimtrack.names import normalise

        status = views.claim_status
        if self.topic:
            query = query.where(status.c.topic == self.topic)
        if self.status:
            query = query.where(status.c.status == self.status)
        if self.since:
            query = query.where(status.c.last_activity >= self.since)
        if self.until:
            query = query.where(status.c.last_activity < self.until)
        if self.party_ids is not None:
            sides = views.claim_sides
            involved = select(sides.c.claim_id).where(sides.c.party_id.in_(self.party_ids))
            if self.side:
                involved = involved.where(sides.c.side == self.side)
            query = query.where(claim_id.in_(involved))
        if self.speaker_id is not None:
            spoke = select(Stance.claim_id).where(Stance.party_id == self.speaker_id)
            query = query.where(claim_id.in_(spoke))
        if self.search:
            texts = select(Claim.id).where(
                Claim.text_norm.contains(normalise(self.search), autoescape=True)
            )
            quoted = select(Stance.claim_id).where(
                func.lower(Stance.quote).contains(self.search.lower(), autoescape=True)
            )
            query = query.where(claim_id.in_(texts) | claim_id.in_(quoted))
        if self.anonymous_only:
            query = query.where(claim_id.in_(_anonymous_only_claims(views)))
        if self.unrated:
            query = query.where(claim_id.not_in(select(Verdict.claim_id)))
        return query

    def order(self, query: Select, views: rule.Views, claim_id) -> Select:
        """Sort and limit as chosen: latest activity, latest contested, or newest first."""
        status = views.claim_status
        keys = {
            "activity": (status.c.last_activity.desc(), claim_id.desc()),
            "since": (status.c.contested_since.desc(), claim_id.desc()),
            "id": (claim_id,),
        }[self.sort]
        query = query.order_by(*keys)
        return query.limit(self.limit) if self.limit else query


def _anonymous_only_claims(views: rule.Views) -> Select:
    """Claims with a side whose every party is an anonymous source."""
    from claimtrack.models import Party

    sides = views.claim_sides
    return (
        select(sides.c.claim_id)
        .join(Party, Party.id == sides.c.party_id)
        .group_by(sides.c.claim_id, sides.c.side)
        .having(func.min(case((Party.anonymous, 1), else_=0)) == 1)
    )
