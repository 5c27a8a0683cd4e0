"""Finding a claim by what a user types (an id or a slug), with Core: what every command
that only reads needs, without the ORM (``record.find_claim`` gives the ORM object)."""

from __future__ import annotations

from claimtrack.errors import ClaimtrackError

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def as_id(ref: str) -> int | None:
    """The id a reference names, or None when it is not a possible id."""
    ref = ref.strip()
    if ref.isdigit() and ref.isascii() and 0 < int(ref) <= MAX_ID:
        return int(ref)
    return None


def label_with_side(name: str, side: str) -> str:
    """ "JD Vance (United States)"; a party that acts for no one is just its name."""
    return name if side == name else f"{name} ({side})"


def find_claim(session, ref: str | int):
    """A claim by id or slug, as a row (id, slug, topic, text, merged_into_id). A merged
    claim resolves to the claim it was merged into."""
    from sqlalchemy import select

    from claimtrack.schema import claim as table

    c = table.c
    query = select(c.id, c.slug, c.topic, c.text, c.merged_into_id)
    text = str(ref).strip()
    found = None
    if as_id(text) is not None:
        found = session.execute(query.where(c.id == as_id(text))).first()
    elif text and not text.isdigit():
        found = session.execute(query.where(c.slug == text.lower())).first()
    if found is None:
        from claimtrack.names import quoted_name

        raise ClaimtrackError(
            f"unknown claim {quoted_name(text)}: see 'claimtrack claim list' for ids"
        )
    seen = {found.id}
    while found.merged_into_id is not None and found.merged_into_id not in seen:
        found = session.execute(query.where(c.id == found.merged_into_id)).first()
        seen.add(found.id)
    return found
