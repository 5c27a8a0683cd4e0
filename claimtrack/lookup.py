"""Finding a claim by what a user types (an id, a slug or its text), with Core: what every command
that only reads needs, without the ORM (``record.find_claim`` gives the ORM object)."""

from __future__ import annotations

from claimtrack.errors import ClaimtrackError, UsageError

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


def find_claim(session, ref: str | int, *, follow: bool = True):
    """A claim by id, slug or text (``_by_text``), as a row (id, slug, topic, text,
    merged_into_id). A merged claim resolves to the claim it was merged into (unless
    ``follow`` is false: the claim named, merged or not)."""
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
            found = _by_text(session, query, text)
    if found is None:
        from claimtrack.names import quoted_name

        if not text:  # bad usage, as an empty option is
            raise UsageError("CLAIM is empty: give a claim's id, slug or text")
        close = _close_slugs(session, text)
        hint = f". Did you mean {', '.join(map(quoted_name, close))}?" if close else ""
        raise ClaimtrackError(
            f"unknown claim {quoted_name(text)}: see 'claimtrack claim list' for ids{hint}"
        )
    return _merged_end(session, query, found) if follow else found


SLUGS_READ = 2000  # slugs read on each side of a mistyped one, by the slug's index


def _close_slugs(session, typed: str) -> list[str]:
    """Up to three slugs close to a reference that names no claim ("prigozhin-ded",
    "Prigozhin_Dead"), closest first (rapidfuzz): of the slugs that begin as it does
    (its first two characters), the ``SLUGS_READ`` on either side of where it would
    sort, read by the slug's index, however many claims there are. A slip in the first
    two characters is not found; a reference with a space is a claim's text, not a slug."""
    from claimtrack.record import SLUG

    typed = typed.lower().replace("_", "-")
    if len(typed) < 3 or not SLUG.match(typed):
        return []
    from rapidfuzz import fuzz, process
    from sqlalchemy import select

    from claimtrack.schema import claim as table

    slug = table.c.slug
    prefix = typed[:2] if typed[1] != "-" else typed[:1]
    within = (slug >= prefix, slug < prefix[:-1] + chr(ord(prefix[-1]) + 1))
    after = select(slug).where(*within, slug >= typed).order_by(slug).limit(SLUGS_READ)
    before = select(slug).where(*within, slug < typed).order_by(slug.desc()).limit(SLUGS_READ)
    slugs = [*session.scalars(before), *session.scalars(after)]
    found = process.extract(typed, slugs, scorer=fuzz.ratio, limit=3, score_cutoff=75)
    return [s for s, _, _ in found]


def merged_note(ref: str | int, found) -> str | None:
    """What a command says on stderr when ``ref`` named a claim merged into ``found`` (the
    claim ``find_claim`` followed it to); None when ``ref`` names ``found`` itself."""
    from claimtrack.record import text_key

    ref = str(ref).strip()
    if as_id(ref) == found.id or ref.lower() == found.slug or text_key(ref) == text_key(found.text):
        return None  # the claim itself, however its id or slug was typed ("01", "Slug")
    return f"Note: claim {ref} was merged into #{found.id}"


def _by_text(session, query, text: str):
    """The claim whose text is this one as ``claim add`` compares texts to refuse a
    duplicate (``record.text_key``: case, spaces, apostrophes and final full stops aside),
    in any topic: a claim imported without a slug is named by its text. Several claims
    (in several topics, or forced in twice and not merged) are refused, with their ids."""
    from claimtrack.names import quoted_name
    from claimtrack.record import text_key
    from claimtrack.schema import claim as table

    found = session.execute(
        query.where(table.c.topic.in_(_every_topic()), table.c.text_key == text_key(text))
        .order_by(table.c.id)
        .limit(MANY + 1)
    ).all()
    if len(found) <= 1:
        return found[0] if found else None
    ends = {_merged_end(session, query, row).id: row for row in found}
    if len(ends) == 1:
        return next(iter(ends.values()))
    ids = ", ".join(f"#{i}" for i in sorted(ends)[:MANY])
    raise ClaimtrackError(
        f"{len(ends) if len(found) <= MANY else 'many'} claims say {quoted_name(text)} "
        f"({ids}): give the id of the one you mean"
    )


MANY = 10  # claims of one text listed when a text names several


def _every_topic():
    """Every topic, by a loose index scan in one statement (a recursive CTE, one probe of
    ``ix_claim_topic_text_key`` per topic): with it a text is looked up topic by topic on
    the index, where ``text_key`` alone read every claim (1.6 s at 1,000,000 claims)."""
    from sqlalchemy import func, select

    from claimtrack.schema import claim as table

    c = table.c
    topics = select(func.min(c.topic).label("topic")).cte("topics", recursive=True)
    following = select(func.min(c.topic)).where(c.topic > topics.c.topic).scalar_subquery()
    topics = topics.union_all(select(following).where(topics.c.topic.is_not(None)))
    return select(topics.c.topic).where(topics.c.topic.is_not(None))


def _merged_end(session, query, found):
    """The claim a merged claim was merged into (in the end), or the claim itself."""
    from claimtrack.schema import claim as table

    seen = {found.id}
    while found.merged_into_id is not None and found.merged_into_id not in seen:
        found = session.execute(query.where(table.c.id == found.merged_into_id)).first()
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
    if not topic.strip():  # an empty shell variable, refused as an empty --party is
        from claimtrack.errors import UsageError

        raise UsageError("--topic is empty: give a topic's name")
    close = new_topic(session, topic)
    if close is None:
        return
    from claimtrack.names import quoted_name

    hint = f" Did you mean {', '.join(map(quoted_name, close))}?" if close else ""
    raise ClaimtrackError(f"unknown topic {quoted_name(topic)}.{hint}")


def new_topic(session, topic: str, known: list[str] | None = None) -> list[str] | None:
    """None when a claim has this topic (one index probe); else the topics close to it,
    perhaps none, among ``known`` (``known_topics``: read here, only then, unless given:
    an import compares its new topics with the topics read once)."""
    from sqlalchemy import select

    from claimtrack.schema import claim as table

    c = table.c
    if session.execute(select(c.id).where(c.topic == topic).limit(1)).first() is not None:
        return None
    import difflib

    # Compared without case: a topic typed in capitals is found among its close matches;
    # when none is close, the topics holding what was typed ("navalny" for
    # "navalny-death-2024", "kerch" for "kerch-bridge-2022": two new users'), none of
    # them alike enough to be refused as its typo (``topic_typo``), only named.
    typed = topic.casefold()
    if known is None:
        known = known_topics(session)
    folded = {t.casefold(): t for t in known}
    close = difflib.get_close_matches(typed, list(folded), n=3, cutoff=0.6)
    return [folded[k] for k in close or [k for k in folded if typed in k][:3]]


def known_topics(session) -> list[str]:
    """The topics claims have, in order, at most ``MAX_TOPICS_COMPARED`` of them."""
    from claimtrack.completion import topics

    return topics(session.connection(), "", limit=MAX_TOPICS_COMPARED)


def same_text_in(session, text: str, topics: list[str]) -> list[tuple[int, str]]:
    """(id, topic) of up to three claims, not merged, in these topics that say what
    ``text`` says (``record.text_key``: as ``claim add`` finds a duplicate in its topic):
    one probe of ``ix_claim_topic_text_key`` per topic, the topics bound as one value."""
    if not topics:
        return []
    import json

    from sqlalchemy import String, any_, bindparam, func, select

    from claimtrack.record import text_key
    from claimtrack.schema import claim as table

    c = table.c
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        within = c.topic == any_(bindparam("topics", topics, type_=ARRAY(String)))
    else:
        listed = func.json_each(bindparam("topics", json.dumps(topics))).table_valued("value")
        within = c.topic.in_(select(listed.c.value))
    query = select(c.id, c.topic).where(within, c.text_key == text_key(text),
                                        c.merged_into_id.is_(None))  # fmt: skip
    return [tuple(row) for row in session.execute(query.order_by(c.id).limit(3))]


# How alike a new topic and one there is must be (difflib's ratio, without case) for the
# new one to be taken for a typo of it and refused: "wagner-mutny" / "wagner-mutiny" 0.96,
# "crocus-2O24" / "crocus-2024" 0.91, "krokus-2024" 0.82; a new story beside an old one
# ("crocus-2024-trial" 0.79, "islamabad-aftermath" / "islamabad-talks" 0.65) is noted.
TYPO = 0.8
# A short topic one keystroke from one there is (a letter wrong, missing, added, or two
# swapped: "mh71", "mh18" for "mh17") is a typo too, though the ratio of four letters
# with one wrong is 0.75: from this length on (below it, "uk" and "us" are two stories).
SHORT_TYPO_LENGTH = 4


def topic_typo(topic: str, close: list[str]) -> str | None:
    """The refusal of a new topic that reads as a typo of one of ``close`` (``new_topic``'s
    close matches: difflib's ratio without case at least ``TYPO``, or one keystroke
    away, by the optimal string alignment distance, for topics of at least
    ``SHORT_TYPO_LENGTH`` characters), or None."""
    import difflib

    from rapidfuzz.distance import OSA

    from claimtrack.names import quoted_name

    typed = topic.casefold()

    def alike(other: str) -> bool:
        other = other.casefold()
        if difflib.SequenceMatcher(None, typed, other).ratio() >= TYPO:
            return True
        short = min(len(typed), len(other)) >= SHORT_TYPO_LENGTH
        return short and OSA.distance(typed, other, score_cutoff=1) <= 1

    likely = [t for t in close if alike(t)]
    if not likely:
        return None
    return (
        f"new topic {quoted_name(topic)} is close to {', '.join(map(quoted_name, likely))}: "
        "check the spelling, or give --new-topic to start it"
    )


def check_new_topic(session, topic: str, text: str, *, confirmed: bool) -> list[str]:
    """Refuse a claim that would start a topic so close to one there is that it reads as
    a typo of it, unless the editor confirmed it (``--new-topic``): "crocus-2O24" and
    "wagner-mutny" quietly started stories of their own, which the reports on the story
    never showed, and let in a claim the right topic would have refused as a duplicate
    (two new users' stories). Otherwise the notes to print: a claim starting a topic
    beside others says so ("Note: new topic 'x'", with the close ones it may have meant;
    not once confirmed), and names a claim of another topic saying the same (a claim
    filed without --topic, in "general", beside its story's). None for a topic there is,
    or the first one."""
    close = new_topic(session, topic)
    if close is None:
        return []
    from claimtrack.names import quoted_name

    if close and not confirmed:
        typo = topic_typo(topic, close)
        if typo:
            raise ClaimtrackError(typo)
    others = known_topics(session)
    if not others:  # the first claim of all
        return []
    meant = f" (did you mean {', '.join(map(quoted_name, close))}?)" if close else ""
    notes = [] if confirmed else [f"Note: new topic {quoted_name(topic)}{meant}"]
    for claim_id, other in same_text_in(session, text, others):
        notes.append(f"Note: claim {claim_id} in topic {quoted_name(other)} already says this")
    return notes
