"""Reports: the SQL that reads the contested rule's views, and the rows it gives.

Every report reads the views defined in ``claimtrack.rule``; with ``as_of`` the same
bodies run as CTEs with the time filter, so a report as of yesterday is computed by the
same rule as today's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, selectinload

from claimtrack import rule
from claimtrack.models import Party, Stance
from claimtrack.record import party_label
from claimtrack.times import When


@dataclass
class Position:
    """One party on one side of a claim."""

    party: str
    side: str  # "support" or "oppose"
    kind: str  # the stance kind that put it there
    said: When
    counter_claim_id: int | None = None
    quote: str | None = None
    via: str | None = None
    source: str | None = None
    anonymous: bool = False
    quote_lang: str | None = None

    def label(self) -> str:
        label = self.party
        if self.counter_claim_id is not None:
            label += f" [counter-claim #{self.counter_claim_id}]"
        elif self.kind not in ("asserts", "denies"):
            label += f" [{self.kind}]"
        return label

    def as_dict(self) -> dict:
        return {
            "party": self.party,
            "kind": self.kind,
            "said_at": self.said.isoformat(),
            "said_tz": self.said.zone,
            "quote": self.quote,
            "via": self.via,
            "source": self.source,
            "counter_claim_id": self.counter_claim_id,
            "anonymous": self.anonymous,
        }


@dataclass
class ContestedClaim:
    claim_id: int
    topic: str
    text: str
    contested_since: When | None
    last_activity: When | None
    support: list[Position] = field(default_factory=list)
    oppose: list[Position] = field(default_factory=list)
    verdict: dict | None = None

    def as_dict(self) -> dict:
        return {
            "claim_id": self.claim_id,
            "topic": self.topic,
            "claim": self.text,
            "asserted_by": [p.as_dict() for p in self.support],
            "denied_or_countered_by": [p.as_dict() for p in self.oppose],
            "contested_since": _iso(self.contested_since),
            "last_activity": _iso(self.last_activity),
            "anonymous_only": self.anonymous_only(),
            "verdict": self.verdict,
        }

    def anonymous_only(self) -> list[str]:
        """The sides that rest only on anonymous sources: "for", "against", both or none."""
        return [
            name
            for name, group in (("for", self.support), ("against", self.oppose))
            if group and all(p.anonymous for p in group)
        ]


def _iso(when: When | None) -> str | None:
    return when.isoformat() if when else None


@dataclass
class Filters:
    """Which claims a report or an export covers."""

    topic: str | None = None
    status: str | None = None
    party_ids: list[int] | None = None  # parties on either side (or on ``side``)
    side: str | None = None  # "support" or "oppose"
    since: dt.datetime | None = None  # last activity at or after
    until: dt.datetime | None = None  # last activity at or before
    as_of: dt.datetime | None = None

    def params(self) -> dict:
        return {"as_of": self.as_of} if self.as_of else {}

    def narrows(self) -> bool:
        return any((self.topic, self.status, self.party_ids is not None, self.since,
                    self.until))  # fmt: skip

    def apply(self, query: Select, views: rule.Views, claim_id_column) -> Select:
        """Restrict ``query`` (which has ``claim_status`` in its FROM) to the chosen claims."""
        status = views.claim_status
        if self.topic:
            query = query.where(status.c.topic == self.topic)
        if self.status:
            query = query.where(status.c.status == self.status)
        if self.since:
            query = query.where(status.c.last_activity >= self.since)
        if self.until:
            query = query.where(status.c.last_activity <= self.until)
        if self.party_ids is not None:
            sides = views.claim_sides
            involved = select(sides.c.claim_id).where(sides.c.party_id.in_(self.party_ids))
            if self.side:
                involved = involved.where(sides.c.side == self.side)
            query = query.where(claim_id_column.in_(involved))
        return query


def parties_on_side_of(session: Session, party: Party) -> list[int]:
    """The party and every party acting for it, directly or down a chain (Iran, its
    officials, its agencies): what ``--party Iran`` covers."""
    acts_for = dict(session.execute(select(Party.id, Party.acts_for_id)).all())
    found = {party.id}
    changed = True
    while changed:
        before = len(found)
        found |= {pid for pid, parent in acts_for.items() if parent in found}
        changed = len(found) != before
    return sorted(found)


SORTS = {
    "activity": lambda c: (c.last_activity.desc(), c.claim_id.desc()),
    "since": lambda c: (c.contested_since.desc(), c.claim_id.desc()),
    "id": lambda c: (c.claim_id,),
}


def contested_claims(
    session: Session,
    *,
    as_of: dt.datetime | None = None,
    limit: int | None = None,
    filters: Filters | None = None,
    anonymous_only: bool = False,
    unrated: bool = False,
    sort: str = "activity",
) -> list[ContestedClaim]:
    """The contested claims, latest activity first, each with both sides named."""
    from claimtrack.models import Claim
    from claimtrack.state import with_contradicting

    filters = filters or Filters()
    filters.as_of = as_of if as_of is not None else filters.as_of
    views = rule.views(filters.as_of is not None)
    status = views.claim_status
    query = (
        views.select(status.c.claim_id, status.c.topic, Claim.text, status.c.contested_since,
                     status.c.last_activity)
        .join(Claim, Claim.id == status.c.claim_id)
        .where(status.c.status == "contested")
    )  # fmt: skip
    query = filters.apply(query, views, status.c.claim_id)
    if anonymous_only:
        query = query.where(status.c.claim_id.in_(_anonymous_only_claims(views)))
    if unrated:
        from claimtrack.models import Verdict

        query = query.where(status.c.claim_id.not_in(select(Verdict.claim_id)))
    query = query.order_by(*SORTS[sort](status.c))
    if limit:
        query = query.limit(limit)
    rows = session.execute(query, filters.params()).all()
    claims = {
        row.claim_id: ContestedClaim(row.claim_id, row.topic, row.text, None, None) for row in rows
    }
    if not claims:
        return []
    # Both sides of just these claims: the rule scoped to them and their counter-claims.
    scoped = rule.views(filters.as_of is not None, scoped=True)
    sides = scoped.claim_sides
    scope = sorted(with_contradicting(session, set(claims)))
    params = {**filters.params(), "claims": list(claims), "scope": scope}
    side_rows = session.execute(
        scoped.select(
            sides.c.claim_id,
            sides.c.party_id,
            sides.c.side,
            sides.c.kind,
            sides.c.stance_id,
            sides.c.counter_claim_id,
        )
        .where(sides.c.claim_id.in_(list(claims)))
        .order_by(
            sides.c.claim_id,
            sides.c.side.desc(),
            sides.c.said_at,
            sides.c.party_id,
            func.coalesce(sides.c.counter_claim_id, 0),
            sides.c.stance_id,
        ),
        params,
    ).all()
    stances = _stances(session, [s.stance_id for s in side_rows])
    parties = {
        p.id: p
        for p in session.scalars(
            select(Party)
            # The side a party acts for, two steps up, in the same round trip or two.
            .options(selectinload(Party.acts_for).selectinload(Party.acts_for))
            .where(Party.id.in_({s.party_id for s in side_rows}))
        )
    }
    for s in side_rows:
        stance = stances[s.stance_id]
        position = Position(
            party=party_label(parties[s.party_id]),
            side=s.side,
            kind=s.kind,
            said=When.from_stored(stance.said_at, stance.said_offset, stance.said_precision),
            counter_claim_id=s.counter_claim_id,
            quote=stance.quote,
            via=stance.via.name if stance.via else None,
            source=stance.source.title if stance.source else None,
            anonymous=parties[s.party_id].anonymous,
            quote_lang=stance.quote_lang,
        )
        claim = claims[s.claim_id]
        (claim.support if s.side == "support" else claim.oppose).append(position)
    from claimtrack.verdicts import current, verdict_dict

    for claim_id, verdict in current(session, list(claims)).items():
        claims[claim_id].verdict = verdict_dict(verdict)
    said = _said_times(session, scope)
    for row in rows:
        claim = claims[row.claim_id]
        claim.contested_since = _when_of(said, row.contested_since)
        claim.last_activity = _when_of(said, row.last_activity)
    return list(claims.values())


def _anonymous_only_claims(views: rule.Views) -> Select:
    """Claims with a side whose every party is an anonymous source."""
    sides = views.claim_sides
    return (
        select(sides.c.claim_id)
        .join(Party, Party.id == sides.c.party_id)
        .group_by(sides.c.claim_id, sides.c.side)
        .having(func.min(case((Party.anonymous, 1), else_=0)) == 1)
    )


def _said_times(session: Session, scope: list[int]) -> dict[dt.datetime, When]:
    """Every time a stance on these claims (and their counter-claims) was said, as said."""
    rows = session.execute(
        select(Stance.said_at, Stance.said_offset, Stance.said_precision)
        .where(Stance.claim_id.in_(scope))
        .order_by(Stance.id)
    )
    return {at: When.from_stored(at, offset, precision) for at, offset, precision in rows}


def _when_of(said: dict[dt.datetime, When], at: dt.datetime | None) -> When | None:
    """The instant as it was said: with the offset and precision of a stance said then."""
    if at is None:
        return None
    return said.get(at) or When(at, 0, "second")


def _stances(session: Session, ids: list[int]) -> dict[int, Stance]:
    from sqlalchemy.orm import selectinload

    query = (
        select(Stance)
        .options(selectinload(Stance.via), selectinload(Stance.source))
        .where(Stance.id.in_(ids))
    )
    return {s.id: s for s in session.scalars(query)}


# -- listings ------------------------------------------------------------------------


def claim_list(
    session: Session,
    filters: Filters | None = None,
    *,
    spoke: Party | None = None,
    search: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Claims with their status, latest activity first.

    ``filters`` choose as the reports do; ``spoke`` keeps claims the party took any
    stance on (questions included); ``search`` looks in claim texts and quotes.
    """
    from sqlalchemy import or_

    from claimtrack.models import Claim
    from claimtrack.names import normalise

    filters = filters or Filters()
    views = rule.views(filters.as_of is not None)
    st = views.claim_status
    query = (
        views.select(Claim.id, Claim.slug, Claim.topic, st.c.status, Claim.text,
                     st.c.supporters, st.c.opponents, st.c.last_activity)
        .join(st, st.c.claim_id == Claim.id)
        .order_by(st.c.last_activity.desc(), Claim.id.desc())
    )  # fmt: skip
    query = filters.apply(query, views, Claim.id)
    if spoke is not None:
        query = query.where(
            Claim.id.in_(select(Stance.claim_id).where(Stance.party_id == spoke.id))
        )
    if search:
        quoted = select(Stance.claim_id).where(func.lower(Stance.quote).contains(search.lower()))
        query = query.where(or_(Claim.text_norm.contains(normalise(search)), Claim.id.in_(quoted)))
    if limit:
        query = query.limit(limit)
    rows = [
        {
            "id": row.id,
            "slug": row.slug,
            "topic": row.topic,
            "status": row.status,
            "claim": row.text,
            "for": row.supporters,
            "against": row.opponents,
            "last_activity": row.last_activity.isoformat() if row.last_activity else None,
        }
        for row in session.execute(query, filters.params())
    ]
    from claimtrack.verdicts import current

    verdicts = current(session, [r["id"] for r in rows])
    for r in rows:
        verdict = verdicts.get(r["id"])
        r["verdict"] = f"{verdict.label} ({verdict.rating})" if verdict else None
    return rows


def party_overview(session: Session, *, topic: str | None = None, by_side: bool = False):
    """Per party (or per side): claims asserted, denials issued, retractions, counter-claims
    and contested claims it is on a side of."""
    from claimtrack.models import Claim, ClaimLink
    from claimtrack.record import party_side

    counts = (
        select(
            Stance.party_id,
            func.count(func.distinct(case((Stance.kind.in_(("asserts", "confirms")),
                                           Stance.claim_id)))).label("asserted"),
            func.count(func.distinct(case((Stance.kind.in_(("denies", "disputes")),
                                           Stance.claim_id)))).label("denied"),
            func.count(case((Stance.kind == "retracts", 1))).label("retractions"),
            func.count(case((Stance.claim_id.in_(select(ClaimLink.from_claim_id).where(
                ClaimLink.kind == "contradicts")) & (Stance.kind == "asserts"), 1)))
            .label("counter_claims"),
            func.count().label("stances"),
        )
        .join(Claim, Claim.id == Stance.claim_id)
        .group_by(Stance.party_id)
    )  # fmt: skip
    views = rule.views()
    sides, status = views.claim_sides, views.claim_status
    contested = (
        select(sides.c.party_id, func.count(func.distinct(sides.c.claim_id)).label("n"))
        .join(status, status.c.claim_id == sides.c.claim_id)
        .where(status.c.status == "contested")
        .group_by(sides.c.party_id)
    )
    if topic:
        counts = counts.where(Claim.topic == topic)
        contested = contested.where(status.c.topic == topic)
    in_contest = dict(session.execute(contested).all())
    rows = []
    for row in session.execute(counts):
        party = session.get(Party, row.party_id)
        rows.append({
            "party": party.name, "side": party_side(party).name, "kind": party.kind,
            "asserted": row.asserted, "denied": row.denied, "retractions": row.retractions,
            "counter_claims": row.counter_claims, "contested": in_contest.get(row.party_id, 0),
            "stances": row.stances,
        })  # fmt: skip
    if by_side:
        totals: dict[str, dict] = {}
        for r in rows:
            t = totals.setdefault(
                r["side"],
                {
                    "side": r["side"],
                    "parties": 0,
                    "asserted": 0,
                    "denied": 0,
                    "retractions": 0,
                    "counter_claims": 0,
                    "stances": 0,
                },
            )
            t["parties"] += 1
            for key in ("asserted", "denied", "retractions", "counter_claims", "stances"):
                t[key] += r[key]
        rows = list(totals.values())
        return sorted(rows, key=lambda r: (-r["stances"], r["side"]))
    return sorted(rows, key=lambda r: (-r["stances"], r["party"]))


@dataclass
class TimelineEntry:
    stance_id: int
    party: str
    kind: str
    quote: str | None
    via: str | None
    source: str | None
    source_url: str | None
    said: When
    recorded_at: dt.datetime
    recorded_by: str
    claim_id: int  # the claim itself, or the counter-claim the stance is on

    def as_dict(self) -> dict:
        return {
            "stance_id": self.stance_id,
            "claim_id": self.claim_id,
            "party": self.party,
            "kind": self.kind,
            "quote": self.quote,
            "via": self.via,
            "source": self.source,
            "said_at": self.said.isoformat(),
            "said_tz": self.said.zone,
            "recorded_at": self.recorded_at.isoformat(timespec="seconds"),
            "recorded_by": self.recorded_by,
        }


def status_of(session: Session, claim_id: int, as_of: dt.datetime | None = None) -> str | None:
    """One claim's status under the rule, now or as of a time."""
    views = rule.views(as_of is not None)
    status = views.claim_status
    query = views.select(status.c.status).where(status.c.claim_id == claim_id)
    return session.execute(query, {"as_of": as_of} if as_of else {}).scalar()


def claim_detail(session: Session, claim, *, as_of: dt.datetime | None = None) -> dict:
    """A claim, its status (as of a time), its links, and every stance in time order.

    The timeline holds the claim's own stances and those on its counter-claims, so the
    whole exchange reads in one place.
    """
    from claimtrack.models import Claim, ClaimLink

    status = status_of(session, claim.id, as_of)
    links = session.scalars(
        select(ClaimLink)
        .where((ClaimLink.from_claim_id == claim.id) | (ClaimLink.to_claim_id == claim.id))
        .order_by(ClaimLink.id)
    ).all()
    linked = []
    for link in links:
        other_id = link.to_claim_id if link.from_claim_id == claim.id else link.from_claim_id
        other = session.get(Claim, other_id)
        linked.append(
            {
                "kind": link.kind,
                "direction": "from" if link.from_claim_id == claim.id else "to",
                "claim_id": other.id,
                "claim": other.text,
                "merged_into": other.merged_into_id,
            }
        )
    counter_ids = [x["claim_id"] for x in linked if x["kind"] == "contradicts"]
    stances = session.scalars(
        select(Stance)
        .where(Stance.claim_id.in_([claim.id, *counter_ids]))
        .order_by(Stance.said_at, Stance.id)
    ).all()
    timeline = [
        TimelineEntry(
            stance_id=s.id,
            party=party_label(s.party),
            kind=s.kind,
            quote=s.quote,
            via=s.via.name if s.via else None,
            source=s.source.title if s.source else None,
            source_url=s.source.url if s.source else None,
            said=When.from_stored(s.said_at, s.said_offset, s.said_precision),
            recorded_at=s.recorded_at,
            recorded_by=s.recorded_by,
            claim_id=s.claim_id,
        )
        for s in stances
        if as_of is None or s.said_at <= as_of
    ]
    return {
        "id": claim.id,
        "slug": claim.slug,
        "topic": claim.topic,
        "claim": claim.text,
        "status": status,
        "as_of": as_of.isoformat() if as_of else None,
        "links": linked,
        "timeline": [t.as_dict() for t in timeline],
        "_timeline": timeline,
    }


def party_list(session: Session) -> list[dict]:
    """Every party with its kind, side and aliases."""
    parties = session.scalars(select(Party).order_by(Party.id)).all()
    return [
        {
            "id": p.id,
            "name": p.name,
            "kind": p.kind,
            "acts_for": p.acts_for.name if p.acts_for else None,
            "aliases": [a.alias for a in p.aliases],
        }
        for p in parties
    ]


def party_detail(session: Session, party: Party) -> dict:
    """A party, its aliases and side, and its stances on claims, newest first."""
    from claimtrack.models import Claim

    rows = session.execute(
        select(Stance, Claim.text)
        .join(Claim, Claim.id == Stance.claim_id)
        .where((Stance.party_id == party.id) | (Stance.via_id == party.id))
        .order_by(Stance.said_at.desc(), Stance.id.desc())
    ).all()
    return {
        "id": party.id,
        "name": party.name,
        "kind": party.kind,
        "side": party_label(party),
        "aliases": [a.alias for a in party.aliases],
        "stances": [
            {
                "stance_id": s.id,
                "claim_id": s.claim_id,
                "claim": text_,
                "kind": s.kind if s.party_id == party.id else f"relayed ({s.kind})",
                "by": s.party.name,
                "quote": s.quote,
                "said_at": When.from_stored(s.said_at, s.said_offset, s.said_precision).isoformat(),
            }
            for s, text_ in rows
        ],
    }


def source_list(session: Session) -> list[dict]:
    from claimtrack.models import Source

    sources = session.scalars(select(Source).order_by(Source.id)).all()
    return [
        {
            "id": s.id,
            "title": s.title,
            "outlet": s.outlet.name,
            "url": s.url,
            "lang": s.language,
            "published": When.from_stored(
                s.published_at, s.published_offset or 0, s.published_precision
            ).isoformat()
            if s.published_at
            else None,
        }
        for s in sources
    ]


def event_list(
    session: Session, *, since: dt.datetime | None = None, limit: int | None = None
) -> list[dict]:
    """The audit trail, newest first."""
    from claimtrack.models import Event

    query = select(Event).order_by(Event.at.desc(), Event.id.desc())
    if since is not None:
        query = query.where(Event.at >= since)
    if limit:
        query = query.limit(limit)
    return [
        {
            "id": e.id,
            "at": e.at.isoformat(timespec="seconds"),
            "editor": e.editor,
            "action": e.action,
            "detail": e.detail,
        }
        for e in session.scalars(query)
    ]
