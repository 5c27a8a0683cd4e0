"""Editorial verdicts, and their export as schema.org ClaimReview (JSON-LD).

A verdict is the desk's published judgement of a claim, apart from the computed status:
a claim can be contested and rated false. Verdicts are never overwritten; the newest
is the claim's verdict, the rest is its history.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimtrack import record
from claimtrack.errors import UsageError
from claimtrack.models import RATINGS, Claim, Stance, Verdict
from claimtrack.times import said_when
from claimtrack.vocabulary import OPPOSE, SUPPORT, WITHDRAW

# Common desk labels and what they mean on the shared scale.
SYNONYMS = {
    "true": "true", "correct": "true", "accurate": "true",
    "mostly true": "mostly-true", "mostly-true": "mostly-true",
    "half true": "mixture", "half-true": "mixture", "mixture": "mixture", "mixed": "mixture",
    "misleading": "mostly-false", "mostly false": "mostly-false",
    "mostly-false": "mostly-false", "barely true": "mostly-false",
    "false": "false", "pants on fire": "false", "pants-fire": "false", "fabricated": "false",
    "unverified": "unverified", "unproven": "unverified", "unconfirmed": "unverified",
}  # fmt: skip
# Google's required ClaimReview fields, as paths into the document.
REQUIRED = (
    ("claimReviewed",), ("url",), ("author", "name"), ("reviewRating",),
    ("reviewRating", "alternateName"),
)  # fmt: skip
CLAIM_REVIEWED_MAX = 75


def normalised_rating(label: str, explicit: str | None) -> str:
    if explicit:
        if explicit not in RATINGS:
            raise UsageError(f"unknown rating {explicit!r}: use one of {', '.join(RATINGS)}")
        return explicit
    found = SYNONYMS.get(" ".join(label.lower().split()))
    if found is None:
        raise UsageError(
            f"cannot tell what {label!r} means on the shared scale: add --as with one of "
            f"{', '.join(RATINGS)}"
        )
    return found


def set_verdict(
    session: Session,
    claim: Claim,
    label: str,
    *,
    rating: str | None = None,
    value: int | None = None,
    best: int | None = None,
    worst: int | None = None,
    summary: str | None = None,
    url: str | None = None,
    editor: str,
) -> Verdict:
    """Record a new verdict on the claim; earlier ones stay as its history."""
    label = " ".join(label.split())
    if not label:
        raise UsageError("the rating label is empty")
    if (value is None) != (best is None) or (value is None) != (worst is None):
        raise UsageError("give --value, --best and --worst together, or none of them")
    if value is not None and not min(best, worst) <= value <= max(best, worst):
        raise UsageError(f"--value {value} is not between --worst {worst} and --best {best}")
    verdict = Verdict(
        claim_id=claim.id,
        rating=normalised_rating(label, rating),
        label=label,
        rating_value=value,
        best_rating=best,
        worst_rating=worst,
        summary=(summary or "").strip() or None,
        url=record.check_url(url),
        created_at=record.utcnow(session),
        created_by=editor,
    )
    session.add(verdict)
    session.flush()
    return verdict


def history(session: Session, claim: Claim) -> list[Verdict]:
    """The claim's verdicts, newest first."""
    return list(session.scalars(
        select(Verdict).where(Verdict.claim_id == claim.id)
        .order_by(Verdict.created_at.desc(), Verdict.id.desc())
    ))  # fmt: skip


# -- ClaimReview -----------------------------------------------------------------------


def claim_review(
    session: Session, verdict: Verdict, *, publisher: str, publisher_url: str | None = None
) -> dict:
    """One schema.org ClaimReview for a verdict, with the claim's record around it."""
    from claimtrack.order import said_order

    claim = session.get(Claim, verdict.claim_id)
    # In said order (the rule's), without what the desk voided: the earliest asserter is
    # the one who said it first, whatever the precision or offset of each statement.
    stances = said_order(session.scalars(
        select(Stance).where(Stance.claim_id == claim.id, Stance.void_at.is_(None))
    ))  # fmt: skip
    rating: dict = {"@type": "Rating", "alternateName": verdict.label}
    if verdict.rating_value is not None:
        rating.update(
            ratingValue=verdict.rating_value,
            bestRating=verdict.best_rating,
            worstRating=verdict.worst_rating,
        )
    author: dict = {"@type": "Organization", "name": publisher}
    if publisher_url:
        author["url"] = publisher_url
    text = claim.text
    reviewed = text if len(text) <= CLAIM_REVIEWED_MAX else text[: CLAIM_REVIEWED_MAX - 1] + "…"
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "datePublished": verdict.created_at.date().isoformat(),
        "url": verdict.url,
        "claimReviewed": reviewed,
        "author": author,
        "reviewRating": rating,
        "itemReviewed": _item_reviewed(claim, stances),
    }
    body = _review_body(session, claim, verdict, stances)
    if body:
        review["reviewBody"] = body
    return review


def _item_reviewed(claim: Claim, stances: list[Stance]) -> dict:
    """The Claim: its first asserting party as author, its sources as appearances."""
    asserted = [s for s in stances if s.kind in SUPPORT]
    first = asserted[0] if asserted else (stances[0] if stances else None)
    appearances = []
    for s in stances:
        if s.source is not None:
            work = {"@type": "CreativeWork", "name": s.source.title}
            if s.source.url:
                work["url"] = s.source.url
            if work not in appearances:
                appearances.append(work)
    item: dict = {"@type": "Claim", "text": claim.text}
    if first is not None:
        kind = "Person" if first.party.kind in ("person", "anonymous") else "Organization"
        item["author"] = {"@type": kind, "name": first.party.name}
        item["datePublished"] = said_when(first).isoformat()
    if appearances:
        item["firstAppearance"] = appearances[0]
        if appearances[1:]:
            item["appearance"] = appearances[1:]
    return item


def _review_body(session: Session, claim: Claim, verdict: Verdict, stances: list[Stance]) -> str:
    """The summary, then what ClaimReview has no field for: denials and counter-claims."""
    from claimtrack.links import counter_claims_of
    from claimtrack.record import party_label

    summary = (verdict.summary or "").rstrip()
    body = (
        [summary if summary.endswith((".", "!", "?", "。")) else summary + "."] if summary else []
    )
    standing: dict[int, str] = {}  # party -> its position before each stance
    for s in stances:
        quote = f": “{s.quote}”" if s.quote else ""
        if s.kind in OPPOSE:
            body.append(f"{party_label(s.party)} {s.kind} it{quote}.")
        elif s.kind in WITHDRAW:
            withdrawn = standing.get(s.party_id)
            what = "withdrew its denial" if withdrawn in OPPOSE else "retracted it"
            body.append(f"{party_label(s.party)} {what}{quote}.")
        if s.kind in (*SUPPORT, *OPPOSE, *WITHDRAW):
            standing[s.party_id] = s.kind
    for other_id in sorted(counter_claims_of(session, [claim.id]).get(claim.id, ())):
        body.append(f"Countered by the claim: {session.get(Claim, other_id).text}")
    return " ".join(body)


def missing_fields(review: dict) -> list[str]:
    """The fields Google requires of a ClaimReview that this one lacks."""
    missing = []
    for path in REQUIRED:
        node = review
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node in (None, "", {}):
            missing.append(".".join(path))
    return missing


def claim_reviews(
    session: Session,
    *,
    claim_ids: list[int] | None = None,
    topic: str | None = None,
    publisher: str,
    publisher_url: str | None = None,
) -> list[dict]:
    """ClaimReviews for the newest verdict of each chosen claim that has one."""
    from claimtrack.report import latest_verdict_ids

    query = select(Verdict).where(Verdict.id.in_(latest_verdict_ids())).order_by(Verdict.claim_id)
    if claim_ids is not None:
        query = query.where(Verdict.claim_id.in_(claim_ids))
    if topic:
        query = query.join(Claim, Claim.id == Verdict.claim_id).where(Claim.topic == topic)
    return [claim_review(session, v, publisher=publisher, publisher_url=publisher_url)
            for v in session.scalars(query)]  # fmt: skip
