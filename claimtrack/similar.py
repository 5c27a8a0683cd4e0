"""Near-duplicate claims: found through a small index, scored with rapidfuzz.

``claim add`` warns when the topic already has a claim that reads almost the same. Each
claim keeps, in ``claim_sketch``, a MinHash sketch of its matching key (``text_norm``):
the ``SKETCH`` smallest hashes of its character trigrams, under its topic's key. Two
texts that share most of their trigrams are very likely to share one of those hashes,
so the claims that share a hash with a new text, in its topic, are the candidates: for
each hash, the newest ``PER_HASH`` claims that have it (an index range, however large
the topic or the archive; a hash that a topic's boilerplate gives every claim does not
make the whole topic a candidate). The few that share most hashes are scored with
rapidfuzz's ratio, as difflib's ratio was over the topic's latest 5,000 texts before.
Character trigrams need no word boundaries: Chinese and Persian texts are sketched
like any other.

The sketch is written with the claim (``record.add_claim``), and a claim's text and
topic never change afterwards. A revision that changes ``text_norm`` (a new
``names.normalise``) or this module's sketch must recompute ``claim_sketch``, as
revision 0007 filled it.
"""

from __future__ import annotations

from zlib import crc32

SKETCH = 8  # hashes kept per claim (and looked up per new text)
PER_HASH = 400  # claims read per hash of the text: the newest that have it
CANDIDATES = 50  # claims scored at most: those sharing the most hashes with the text
THRESHOLD = 80  # rapidfuzz ratio (0..100) from which a claim is "similar"


def _int32(value: int) -> int:
    """An unsigned 32-bit hash as the signed integer a PostgreSQL INTEGER holds."""
    return value - (1 << 32) if value >= 1 << 31 else value


def topic_key(topic: str) -> int:
    return _int32(crc32(topic.encode("utf-8")))


def sketch(text_norm: str) -> list[int]:
    """The text's MinHash sketch: the smallest hashes of its character trigrams (of the
    whole text when it is shorter than three characters)."""
    n = len(text_norm)
    if n >= 3 and text_norm.isascii():
        # The import's hot path: an ASCII text's trigrams are its bytes' three-byte
        # slices. A hash with its top bit flipped sorts as its signed value does.
        data = text_norm.encode("ascii")
        flipped = sorted({crc32(data[i : i + 3]) ^ _TOP for i in range(n - 2)})
        return [h - _TOP for h in flipped[:SKETCH]]
    if n < 3:
        grams = {text_norm} if text_norm else set()
    else:
        grams = {text_norm[i : i + 3] for i in range(n - 2)}
    return sorted({_int32(crc32(g.encode("utf-8"))) for g in grams})[:SKETCH]


_TOP = 1 << 31


def sketch_rows(claim_id: int, topic: str, text_norm: str) -> list[dict]:
    """The ``claim_sketch`` rows of one claim."""
    key = topic_key(topic)
    return [{"topic_key": key, "gram": g, "claim_id": claim_id} for g in sketch(text_norm)]


def similar(session, text_norm: str, topic: str, *, limit: int = 3, exclude=()) -> list[int]:
    """Ids of the claims of the topic (not merged away) whose matching key is close to
    ``text_norm``, closest first (the newer first among equals)."""
    from sqlalchemy import func, select, union_all

    from claimtrack.schema import claim, claim_sketch

    grams = sketch(text_norm)
    if not grams:
        return []
    sketched, key = claim_sketch.c, topic_key(topic)
    # Each hash's newest claims (an index range each): a hash that boilerplate gives
    # every claim of a topic does not make the whole topic a candidate.
    newest = union_all(*(
        select(sketched.claim_id)
        .where(sketched.topic_key == key, sketched.gram == gram)
        .order_by(sketched.claim_id.desc())
        .limit(PER_HASH)
        .subquery()
        .select()
        for gram in grams
    )).subquery()  # fmt: skip
    shared = func.count()
    query = (
        select(newest.c.claim_id)
        .group_by(newest.c.claim_id)
        .order_by(shared.desc(), newest.c.claim_id.desc())
        .limit(CANDIDATES + len(exclude))
    )
    ids = [i for i in session.scalars(query) if i not in exclude][:CANDIDATES]
    if not ids:
        return []
    c = claim.c
    texts = session.execute(
        select(c.id, c.text_norm).where(c.id.in_(ids), c.topic == topic, c.merged_into_id.is_(None))
    ).all()
    from rapidfuzz.fuzz import ratio

    scored = [(ratio(text_norm, other, score_cutoff=THRESHOLD), claim_id)
              for claim_id, other in texts]  # fmt: skip
    return [claim_id for score, claim_id in sorted(scored, reverse=True)[:limit] if score]
