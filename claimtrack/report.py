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
