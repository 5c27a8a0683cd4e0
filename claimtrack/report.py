"""Reports: the SQL that reads the contested rule's views, and the rows it gives.

Every report reads the views defined in ``claimtrack.rule``; with ``as_of`` the same
bodies run as CTEs with the time filter, so a report as of yesterday is computed by the
same rule as today's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import TextClause, bindparam, select, text
from sqlalchemy.orm import Session

from claimtrack import rule
from claimtrack.models import Party, Stance, UTCDateTime
from claimtrack.record import party_label
from claimtrack.times import When

CONTESTED = """
SELECT claim_id, topic, text, contested_since, last_activity
FROM contested_claims
ORDER BY last_activity DESC, claim_id DESC
"""

SIDES = """
SELECT claim_id, party_id, side, kind, stance_id, counter_claim_id
FROM claim_sides
WHERE claim_id IN :claim_ids
ORDER BY claim_id, side DESC, said_at, party_id, COALESCE(counter_claim_id, 0), stance_id
"""


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

    def as_dict(self) -> dict:
        return {
            "claim_id": self.claim_id,
            "topic": self.topic,
            "claim": self.text,
            "asserted_by": [p.as_dict() for p in self.support],
            "denied_or_countered_by": [p.as_dict() for p in self.oppose],
            "contested_since": _iso(self.contested_since),
            "last_activity": _iso(self.last_activity),
        }


def _iso(when: When | None) -> str | None:
    return when.isoformat() if when else None


def rule_statement(sql: str, as_of: dt.datetime | None) -> TextClause:
    """A query over the rule's views, as they stand now or (with ``as_of``) as they stood."""
    statement = text(rule.as_of_prefix(as_of is not None) + sql)
    if as_of is not None:
        statement = statement.bindparams(bindparam("as_of", type_=UTCDateTime()))
    return statement


def _run(session: Session, sql: str, as_of: dt.datetime | None, **params):
    statement = rule_statement(sql, as_of)
    if as_of is not None:
        params["as_of"] = as_of
    if "claim_ids" in params:
        statement = statement.bindparams(bindparam("claim_ids", expanding=True))
    return session.execute(statement, params)


def contested_claims(
    session: Session, *, as_of: dt.datetime | None = None, limit: int | None = None
) -> list[ContestedClaim]:
    """The contested claims, latest activity first, each with both sides named."""
    sql = CONTESTED + (" LIMIT :limit" if limit else "")
    rows = _run(session, sql, as_of, **({"limit": limit} if limit else {})).all()
    claims = {
        row.claim_id: ContestedClaim(row.claim_id, row.topic, row.text, None, None) for row in rows
    }
    if not claims:
        return []
    sides = _run(session, SIDES, as_of, claim_ids=list(claims)).all()
    stances = _stances(session, [s.stance_id for s in sides])
    parties = _parties(session, {s.party_id for s in sides})
    for s in sides:
        stance = stances[s.stance_id]
        position = Position(
            party=parties[s.party_id],
            side=s.side,
            kind=s.kind,
            said=When.from_stored(stance.said_at, stance.said_offset, stance.said_precision),
            counter_claim_id=s.counter_claim_id,
            quote=stance.quote,
            via=stance.via.name if stance.via else None,
            source=stance.source.title if stance.source else None,
        )
        claim = claims[s.claim_id]
        (claim.support if s.side == "support" else claim.oppose).append(position)
    for row in rows:
        claim = claims[row.claim_id]
        claim.contested_since = _when_of(session, claim, _utc(row.contested_since))
        claim.last_activity = _when_of(session, claim, _utc(row.last_activity))
    return list(claims.values())


def _utc(value) -> dt.datetime | None:
    return UTCDateTime().process_result_value(value, None)


def _when_of(session: Session, claim: ContestedClaim, at: dt.datetime | None) -> When | None:
    """The instant as it was said: with the offset and precision of a stance said then."""
    if at is None:
        return None
    for position in claim.support + claim.oppose:
        if position.said.at == at:
            return position.said
    stance = session.scalars(
        select(Stance).where(Stance.claim_id == claim.claim_id, Stance.said_at == at).limit(1)
    ).first()
    if stance is not None:
        return When.from_stored(stance.said_at, stance.said_offset, stance.said_precision)
    return When(at, 0, "second")


def _stances(session: Session, ids: list[int]) -> dict[int, Stance]:
    return {s.id: s for s in session.scalars(select(Stance).where(Stance.id.in_(ids)))}


def _parties(session: Session, ids: set[int]) -> dict[int, str]:
    found = session.scalars(select(Party).where(Party.id.in_(ids)))
    return {p.id: party_label(p) for p in found}


# -- listings ------------------------------------------------------------------------


def claim_list(
    session: Session,
    *,
    topic: str | None = None,
    party: Party | None = None,
    status: str | None = None,
    search: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Claims with their status, newest activity first, filtered as asked."""
    from sqlalchemy import func, or_

    from claimtrack.models import Claim
    from claimtrack.names import normalise

    st = rule.status_table()
    query = (
        select(
            Claim.id,
            Claim.slug,
            Claim.topic,
            st.c.status,
            Claim.text,
            st.c.supporters,
            st.c.opponents,
            st.c.last_activity,
        )
        .join(st, st.c.claim_id == Claim.id)
        .order_by(st.c.last_activity.desc(), Claim.id.desc())
    )
    if topic:
        query = query.where(Claim.topic == topic)
    if status:
        query = query.where(st.c.status == status)
    if party is not None:
        query = query.where(
            Claim.id.in_(select(Stance.claim_id).where(Stance.party_id == party.id))
        )
    if search:
        key = normalise(search)
        quoted = select(Stance.claim_id).where(func.lower(Stance.quote).contains(search.lower()))
        query = query.where(or_(Claim.text_norm.contains(key), Claim.id.in_(quoted)))
    if limit:
        query = query.limit(limit)
    return [
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
        for row in session.execute(query)
    ]


@dataclass
class TimelineEntry:
    stance_id: int
    party: str
    kind: str
    quote: str | None
    via: str | None
    source: str | None
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


STATUS_OF_ONE = "SELECT status FROM claim_status WHERE claim_id = :claim_id"


def claim_detail(session: Session, claim, *, as_of: dt.datetime | None = None) -> dict:
    """A claim, its status (as of a time), its links, and every stance in time order.

    The timeline holds the claim's own stances and those on its counter-claims, so the
    whole exchange reads in one place.
    """
    from claimtrack.models import Claim, ClaimLink

    status = _run(session, STATUS_OF_ONE, as_of, claim_id=claim.id).scalar()
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
