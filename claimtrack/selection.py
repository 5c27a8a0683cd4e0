"""Which claims a report, listing or export covers: every criterion, in one object.

Commands build a ``Selection`` once from their options; query functions read it and
never change it (it is frozen: ``dataclasses.replace`` makes a narrower copy).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import Select, case, func, select

from claimtrack import rule
from claimtrack.sides import top_sides

SORTS = ("activity", "since", "id")
# The statuses of a claim with a party for it and a party against it (``rule.CLAIM_STATUS``).
BOTH_SIDES = ("contested", "self-contradicted")


@dataclass(frozen=True)
class Selection:
    topic: str | None = None
    status: str | None = None
    # --party with its affiliates: parties on a side of the claim (or on ``side`` of it,
    # as the rule places them: ``claim_sides``).
    party_ids: tuple[int, ...] | None = None
    side: str | None = None  # "support" or "oppose"
    # ``claim list``: without ``side``, any stance of those parties that counts, questions
    # and comments included, puts the claim in.
    any_stance: bool = False
    search: str | None = None  # words in the claim's text or a quote, taken literally
    # What the index found (``search.matching_claims``): the claims the search matches,
    # when few; or that they are many (each claim is tested as a listing walks them).
    search_ids: tuple[int, ...] | None = None
    search_many: bool = False
    # Activity whose said interval overlaps [since, until): a date-only stance of the day
    # of --since or of --until counts (rule.active_since; until: its last activity starts
    # before the end of what was given).
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    as_of: dt.datetime | None = None  # only stances whose said time was over by then
    known_at: dt.datetime | None = None  # only what the desk had recorded by then
    anonymous_only: bool = False  # a side rests on anonymous sources alone
    unrated: bool = False  # the desk has given no verdict yet (other publishers' do not count)
    # With status "contested": also claims that were contested and no longer are.
    include_resolved: bool = False
    between_sides: bool = False  # parties for and against act for different sides
    sort: str = "activity"
    limit: int | None = None

    def params(self) -> dict:
        times = {"as_of": self.as_of, "known_at": self.known_at}
        return {name: value for name, value in times.items() if value is not None}

    def execute(self, session, query):
        """Run ``query`` (restricted by ``where``) with this selection's times bound.

        With ``between_sides`` on PostgreSQL, planned with the JIT compiler off: the test
        claim by claim (``across_sides``) makes the planner's cost estimate large however
        few claims it reaches, and compiling it took 0.5 s of a top 50's 0.56 s at 1M."""
        if not self.between_sides or session.get_bind().dialect.name != "postgresql":
            return session.execute(query, self.params())
        from claimtrack.state_history import without_jit

        with without_jit(session.connection()):  # the plan is made here, not as rows come
            return session.execute(query, self.params())

    def views(self, scoped: bool = False) -> rule.Views:
        return rule.views(self.as_of is not None, scoped=scoped,
                          known_at=self.known_at is not None)  # fmt: skip

    def shape(self) -> tuple[bool, bool]:
        """Whether an as-of and a known-at are given: all that statements built with
        ``bound`` times depend on (``of_shape``)."""
        return self.as_of is not None, self.known_at is not None

    @classmethod
    def of_shape(cls, as_of: bool, known_at: bool) -> Selection:
        """A selection of that ``shape`` (its instants stand for any: a statement built
        from it with ``bound`` times binds the real ones, ``bound_params``)."""
        some = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        return cls(as_of=some if as_of else None, known_at=some if known_at else None)

    def bound_params(self) -> dict:
        """``params``, and what statements built with ``bound`` times (``counts``,
        ``published``) bind besides: the as-of less each span a published time can have."""
        from claimtrack.times import SPAN

        found = self.params()
        if self.as_of is not None:
            found.update((f"as_of_less_{p}", self.as_of - span) for p, span in SPAN.items())
        return found

    def published(self, verdict, *, bound: bool = False) -> list:
        """Conditions for a verdict published by this selection's as-of (its published
        time over by then) and recorded by its known-at (its created_at). With ``bound``,
        the times are parameters (``bound_params``), for a statement built once per
        process: its shape depends only on which of the two times are given."""
        from claimtrack.report import verdict_published_by

        as_of, known_at = self.bound_times() if bound else (self.as_of, self.known_at)
        conditions = []
        if as_of is not None:
            less = _as_of_less() if bound else None
            conditions.append(verdict_published_by(verdict, as_of, less))
        if known_at is not None:
            conditions.append(verdict.created_at < known_at)
        return conditions

    def counts(self, stance, *, bound: bool = False):
        """Conditions on a stance table for "counted by this selection's times" (with
        ``bound``, the times are the parameters ``:as_of`` and ``:known_at``, ``params``)."""
        as_of, known_at = self.bound_times() if bound else (self.as_of, self.known_at)
        conditions = [stance.void_at.is_(None)]
        if known_at is not None:
            conditions = [(stance.void_at.is_(None) | (stance.void_at >= known_at)),
                          stance.recorded_at < known_at]  # fmt: skip
        if as_of is not None:
            conditions.append(stance.said_until <= as_of)
        return conditions

    def bound_times(self) -> tuple:
        """Bound parameters ``:as_of`` and ``:known_at`` for the times given (None for
        those not)."""
        from sqlalchemy import bindparam

        from claimtrack.schema import UTCDateTime

        given = (("as_of", self.as_of), ("known_at", self.known_at))
        return tuple(None if value is None else bindparam(name, type_=UTCDateTime())
                     for name, value in given)  # fmt: skip

    def where(self, query: Select, views: rule.Views, claim_id) -> Select:
        """Restrict ``query`` (``claim_status`` in its FROM, ``claim_id`` a column of it)."""
        from claimtrack.schema import stance, verdict

        Stance, Verdict = stance.c, verdict.c
        status = views.claim_status
        if self.topic:
            query = query.where(status.c.topic == self.topic)
        if self.status and self.include_resolved:
            opposed = status.c.status == self.status
            query = query.where(opposed | claim_id.in_(_ever_opposed()))
        elif self.status:
            query = query.where(status.c.status == self.status)
        if self.between_sides:
            # Only a claim with a side for and a side against can have them act for
            # different sides: the stored status says which (an index walk), and the
            # test runs claim by claim on those as the walk reaches them.
            query = query.where(status.c.status.in_(BOTH_SIDES),
                                across_sides(claim_id, self.counts, self.known_at))  # fmt: skip
        if self.since:  # any of its activity said at or after it (an exact test)
            query = query.where(rule.active_since(status, claim_id, self.since, self.counts,
                                                  self.known_at))  # fmt: skip
        if self.until:
            query = query.where(status.c.last_activity < self.until)
        if self.party_ids is not None and self.any_stance and not self.side:
            # A stance that counts: not voided, and said (and recorded) by the times asked.
            spoke = select(Stance.claim_id).where(Stance.party_id.in_(self.party_ids),
                                                  *self.counts(Stance))  # fmt: skip
            query = query.where(claim_id.in_(spoke))
        elif self.party_ids is not None:
            sides = views.claim_sides
            involved = select(sides.c.claim_id).where(sides.c.party_id.in_(self.party_ids))
            if self.side:
                involved = involved.where(sides.c.side == self.side)
            query = query.where(claim_id.in_(involved))
        if self.search and self.search_ids is not None:
            query = query.where(claim_id.in_(self.search_ids))
        elif self.search:
            from claimtrack.search import scanning_condition, walking_condition

            condition = walking_condition if self.search_many else scanning_condition
            query = query.where(condition(claim_id, self.search))
        if self.anonymous_only:
            query = query.where(claim_id.in_(_anonymous_only_claims(views)))
        if self.unrated:
            # The desk's work list: a verdict another publisher gave (imported ClaimReview,
            # PolitiFact's in LIAR) does not rate the claim for the desk.
            rated = select(Verdict.claim_id).where(
                Verdict.publisher_id.is_(None), *self.published(Verdict)
            )
            query = query.where(claim_id.not_in(rated))
        return query

    def order(self, query: Select, views: rule.Views, claim_id) -> Select:
        """Sort and limit as chosen: latest activity, latest contested, or newest first."""
        status = views.claim_status
        if self.sort == "since":
            keys = (self.contested_period_began(status, claim_id).desc(), claim_id.desc())
        else:
            keys = {
                "activity": (status.c.last_activity.desc(), claim_id.desc()),
                "id": (claim_id,),
            }[self.sort]
        query = query.order_by(*keys)
        # With --include-resolved the history decides which rows stay: the caller limits.
        return query.limit(self.limit) if self.limit and not self.include_resolved else query

    def contested_period_began(self, status, claim_id):
        """SQL: when the claim's contested period standing now (or at the as-of, as known
        at the known-at) began, from the stored history: what reports print as "contested
        since" (``report.claims`` reads it with each row) and ``--sort since`` orders by;
        NULL if it is not contested. The end of its last period of another status, else
        the start of its first (a claim's periods follow one another without a gap)."""
        from sqlalchemy import and_

        from claimtrack.schema import claim_history

        h = claim_history.alias("contested_began")
        mine = [h.c.claim_id == claim_id]
        if self.known_at is None:
            mine.append(h.c.known_until.is_(None))
        else:
            mine += [h.c.known_from < self.known_at,
                     h.c.known_until.is_(None) | (h.c.known_until >= self.known_at)]  # fmt: skip
        if self.as_of is not None:
            mine.append(h.c.said_from <= self.as_of)
        ended = select(func.max(h.c.said_until)).where(and_(*mine), h.c.status != "contested")
        first = select(func.min(h.c.said_from)).where(and_(*mine))
        began = func.coalesce(ended.scalar_subquery(), first.scalar_subquery())
        return case((status.c.contested_since.is_(None), None), else_=began)


def _as_of_less() -> dict:
    """precision -> the bound parameter of the as-of less its span (``bound_params``)."""
    from sqlalchemy import bindparam

    from claimtrack.schema import UTCDateTime
    from claimtrack.times import SPAN

    return {p: bindparam(f"as_of_less_{p}", type_=UTCDateTime()) for p in SPAN}


def _ever_opposed() -> Select:
    """Claims that anyone ever denied or disputed, or that a link says are contradicted:
    the only claims that can ever have been contested."""
    from claimtrack.schema import claim_link, stance
    from claimtrack.vocabulary import OPPOSE

    Stance, ClaimLink = stance.c, claim_link.c
    denied = select(Stance.claim_id).where(Stance.kind.in_(OPPOSE))
    links = select(ClaimLink.from_claim_id).where(ClaimLink.kind == "contradicts")
    linked = select(ClaimLink.to_claim_id).where(ClaimLink.kind == "contradicts")
    return denied.union(links, linked)


def across_sides(claim_id, counts, known_at=None):
    """A condition on one claim (``claim_id``: the outer query's column): it has a party
    for it and a party against it that act for different sides (``sides.top_sides``).

    The sides are the rule's (``rule.CLAIM_SIDES``), read for this claim alone by its
    stances' index: each party's latest position on the claim (``counts(stance.c)``: the
    stances that count, ``Selection.counts``), and against it, each party's latest
    position for a claim that contradicts it (links made before ``known_at`` only). The
    claim qualifies when both sides are there and their parties do not all act for one
    side: a supporter and an opponent of different sides. Read as a set over every claim
    (the ``claim_sides`` view joined to itself, which ``tests/test_between_sides.py``
    holds this to) it took minutes at 20,000 claims."""
    from sqlalchemy import and_, exists, or_

    from claimtrack.vocabulary import OPPOSE, SUPPORT

    own, own_later, against, against_later, link, other, other_later = _sides_aliases()
    top = top_sides()
    own_top, against_top, other_top = (top.alias(f"{n}_top") for n in ("own", "against", "other"))

    def latest(s, later):  # s is its party's latest position on its claim
        return ~rule.superseded(s, later, counts)

    # Within the supporter's test, its claim is the claim (an outer column two levels up
    # would be taken for a table of the inner query's own).
    mine = own.c.claim_id
    denied = (
        exists()
        .select_from(against.join(against_top, against_top.c.party_id == against.c.party_id))
        .where(against.c.claim_id == mine, against.c.kind.in_(OPPOSE),
               against_top.c.top_id != own_top.c.top_id, *counts(against.c),
               latest(against, against_later))
    )  # fmt: skip
    linked = or_(
        and_(link.c.from_claim_id == mine, other.c.claim_id == link.c.to_claim_id),
        and_(link.c.to_claim_id == mine, other.c.claim_id == link.c.from_claim_id),
    )
    known = [link.c.created_at < known_at] if known_at is not None else []
    countered = (
        exists()
        .select_from(link.join(other, linked)
                     .join(other_top, other_top.c.party_id == other.c.party_id))
        .where(link.c.kind == "contradicts", *known, other.c.kind.in_(SUPPORT),
               other_top.c.top_id != own_top.c.top_id, *counts(other.c),
               latest(other, other_later))
    )  # fmt: skip
    return (
        exists()
        .select_from(own.join(own_top, own_top.c.party_id == own.c.party_id))
        .where(own.c.claim_id == claim_id, own.c.kind.in_(SUPPORT), *counts(own.c),
               latest(own, own_later), denied | countered)
    )  # fmt: skip


@functools.cache
def _sides_aliases() -> tuple:
    """The stance and link aliases ``across_sides`` reads, made once."""
    from claimtrack.schema import claim_link, stance

    return (stance.alias("side_own"), stance.alias("side_own_later"), stance.alias("side_against"),
            stance.alias("side_against_later"), claim_link.alias("side_link"),
            stance.alias("side_other"), stance.alias("side_other_later"))  # fmt: skip


def _anonymous_only_claims(views: rule.Views) -> Select:
    """Claims with a side whose every party is an anonymous source."""
    from claimtrack.schema import party

    sides = views.claim_sides
    return (
        select(sides.c.claim_id)
        .join(party, party.c.id == sides.c.party_id)
        .group_by(sides.c.claim_id, sides.c.side)
        .having(func.min(case((party.c.anonymous, 1), else_=0)) == 1)
    )
