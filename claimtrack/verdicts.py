"""Editorial verdicts: the desk's, and other publishers' (``claimtrack.claimreview``).

A verdict is a published judgement of a claim, apart from the computed status: a claim
can be contested and rated false. Verdicts are never overwritten; the newest is the
claim's verdict, the rest is its history. ClaimReview, in and out, is in
``claimtrack.claimreview``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, relationship

from claimtrack import record, schema
from claimtrack.errors import UsageError
from claimtrack.models import RATINGS, Base, Claim, Party
from claimtrack.times import When


class Verdict(Base):
    """The desk's published verdict on a claim. A new verdict supersedes, never overwrites.

    Mapped here, with what the desk does with verdicts, not in ``claimtrack.models``: a
    mapped class costs every command that writes its mapping and its configuration at
    the first flush, and no daily command writes a verdict."""

    __table__ = schema.verdict

    claim = relationship("Claim")
    publisher = relationship("Party", foreign_keys=[schema.verdict.c.publisher_id])

    @property
    def publisher_name(self) -> str | None:
        """Who published it (None: the desk itself), as a row of ``report.verdicts_query``
        names it."""
        return None if self.publisher is None else self.publisher.name


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
    placed: bool = True,
    publisher: Party | None = None,
    publisher_url: str | None = None,
    published: When | None = None,
) -> Verdict:
    """Record a new verdict on the claim; earlier ones stay as its history.

    ``placed=False`` (another publisher's verdict) lets ``rating`` stay None when the
    label has no place on the shared scale; ``publisher``, ``publisher_url`` and
    ``published`` say who published it, and when, as they said."""
    label = " ".join(label.split())
    if not label:
        raise UsageError("the rating label is empty")
    if (value is None) != (best is None) or (value is None) != (worst is None):
        raise UsageError("give --value, --best and --worst together, or none of them")
    if value is not None and not min(best, worst) <= value <= max(best, worst):
        raise UsageError(f"--value {value} is not between --worst {worst} and --best {best}")
    verdict = Verdict(
        claim_id=claim.id,
        rating=normalised_rating(label, rating) if placed else rating,
        label=label,
        rating_value=value,
        best_rating=best,
        worst_rating=worst,
        summary=(summary or "").strip() or None,
        url=record.check_url(url),
        created_at=record.utcnow(session),
        created_by=editor,
        publisher=publisher,
        publisher_url=record.check_url(publisher_url),
        published_at=published.at if published else None,
        published_offset=published.offset_minutes if published else None,
        published_precision=published.precision if published else None,
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
