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


# Topics read for close matches when a --topic names none: a loose index scan, one
# probe per topic (``completion.topics``), stopped here on a database of very many.
MAX_TOPICS_COMPARED = 10_000


def check_topic(session, topic: str | None) -> None:
    """Refuse a --topic that no claim has: an empty report would read as "nothing
    there". One index probe on ``claim.topic`` (``ix_claim_topic_text_key``); only a
    refusal reads the topics, for the close matches it suggests."""
    if topic is None:
        return
    from sqlalchemy import select

    from claimtrack.schema import claim as table

    c = table.c
    if session.execute(select(c.id).where(c.topic == topic).limit(1)).first() is not None:
        return
    import difflib

    from claimtrack.completion import topics
    from claimtrack.names import quoted_name

    # Compared without case: a topic typed in capitals is found among its close matches.
    known = {t.casefold(): t for t in topics(session.connection(), "", limit=MAX_TOPICS_COMPARED)}
    close = difflib.get_close_matches(topic.casefold(), list(known), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(quoted_name(known[k]) for k in close)}?" if close else ""
    raise ClaimtrackError(f"unknown topic {quoted_name(topic)}.{hint}")
