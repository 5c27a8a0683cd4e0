"""``--search``: the claims whose text, or a quote on which, holds the words given.

What matches is unchanged and taken literally: the claim's matching key (``text_norm``)
contains the search's (``names.normalise``), or a stance's quote, lower-cased, contains
the search lower-cased, Unicode's lower case in every script (``claimtrack_lower``: a
function each SQLite connection registers, and on PostgreSQL an SQL function under ICU's
collation, revision 0019; SQL's own ``lower`` knows only A to Z on SQLite and under the
C locale). Revision 0008 indexes both by character trigram, in any script:
SQLite's FTS5 trigram tables, PostgreSQL's GIN indexes over ``claimtrack_trigrams``.
The index only narrows the rows the same condition is then tested on, so it cannot
change an answer, only how fast it comes.

Typographic quotes and hyphens are the typewriter's, and the Cyrillic ё is е
(``names.fold_marks``): "it's" finds "it’s", “rocket” finds "rocket", "non-binding" finds
"non‑binding" (U+2011) and "Семен" finds "Семён" and the other way round, in a claim's
text (its key folds them, revisions 0018, 0020 and 0021; the index holds the key) and in
a quote, which is stored and indexed as given: a search holding a quote, an apostrophe, a
hyphen, an е or an ё asks the index for any of the spellings that fold to it
(``_spellings``: "сем" as "сем" or "сём") and tests each candidate with the quote's marks
folded (``quote_contains``).

``matching_claims`` asks the index for the claims that match. When they are few (at
most ``CAP``), a listing reads just those; when they are many (a common word: ``MANY``,
which on PostgreSQL the planner's estimate may already say),
the listing walks the claims in its own order, testing each, and soon finds its
``--limit``; when no index can answer (a search under three characters), it reads every
claim and quote, as it always did (``scanning_condition``).
"""

from __future__ import annotations

import re

CAP = 2000  # matching claims read by id; past this many, a listing walks in order
MANY = "many"  # what matching_claims says of a search that more than CAP claims match
TRIGRAM = 3


def keys(search: str) -> tuple[str, str]:
    """What a claim's key and what a quote, lower-cased (its typographic quotes folded),
    must contain."""
    from claimtrack.names import fold_marks, normalise

    return normalise(search), fold_marks(search.lower())


def _marked(text: str) -> bool:
    """Whether ``text`` holds a quote, an apostrophe or a hyphen, typewriter's or
    typographic, or an е or ё (either case)."""
    from claimtrack.names import MARK_FORMS

    return any(c in forms for c in text for forms in MARK_FORMS.values())


def _spellings(text: str) -> list[str]:
    """Every text that folds as ``text`` does (``names.fold_marks``): each quote, hyphen
    or е in it written each way ("it's", "it’s", "itʼs", ...; "сем", "сём"); a few dozen
    for a trigram."""
    from itertools import product

    from claimtrack.names import MARK_FORMS, fold_marks

    choices = [MARK_FORMS.get(c, c) for c in fold_marks(text)]
    return sorted("".join(chars) for chars in product(*choices))


def quote_contains(quote, quote_key: str):
    """A stance's quote (the column ``quote``), lower-cased, contains ``quote_key``; its
    typographic quotes and hyphens, and its ё, folded first when the key holds one (only
    then can they count)."""
    from sqlalchemy import func

    from claimtrack.names import MARK_FORMS

    lowered = func.claimtrack_lower(quote)
    if _marked(quote_key):
        for plain, forms in MARK_FORMS.items():
            if plain != plain.lower():  # Е, Ё: the quote is lower-cased already
                continue
            for form in forms[1:]:
                lowered = func.replace(lowered, form, plain)
    return lowered.contains(quote_key, autoescape=True)


def matching_claims(session, search: str) -> list[int] | str | None:
    """Every claim the search matches, by index; ``MANY`` when more than ``CAP`` do; None
    when no index can answer (a search under three characters, SQLite without FTS5's
    trigram tokenizer)."""
    text_key, quote_key = keys(search)
    if len(text_key) < TRIGRAM or len(quote_key) < TRIGRAM:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        queries = _sqlite(session, text_key, quote_key, search)
    elif dialect == "postgresql":
        queries = _postgresql(text_key, quote_key)
    else:
        return None
    if queries is None:
        return None
    found: set[int] = set()
    for query in queries:
        if dialect == "postgresql" and _estimated_rows(session, query) > CAP:
            # A common word: the index would list a million rows to say "many" (0.1 s
            # at 1M claims), and the planner's statistics say so in a millisecond.
            return MANY
        found.update(session.scalars(query.limit(CAP + 1)))
        if len(found) > CAP:
            return MANY
    return sorted(found)


def loosenings(search: str) -> list[str]:
    """``search`` with its final full stops, then the quotation marks around the whole of
    it, set aside, one step at a time (``“misfire”.`` -> ``"misfire"``, ``misfire``), as a
    claim's key sets them aside (``record.FINAL_STOPS``, ``record.WRAPPERS``; quotes the
    typewriter's, an ellipsis three stops): what to search for in turn when it finds
    nothing as typed. Empty when it holds neither."""
    from claimtrack.names import fold_marks
    from claimtrack.record import FINAL_STOPS, WRAPPERS

    stops = "".join(FINAL_STOPS) + "\u2026"
    steps, words = [], fold_marks(search, yo=False).strip()
    while True:
        if words.rstrip(stops).strip() != words:
            words = words.rstrip(stops).strip()
        elif len(words) > 2 and (words[0], words[-1]) in WRAPPERS:
            words = words[1:-1].strip()
        else:
            return steps
        if not words:
            return steps
        steps.append(words)


def _estimated_rows(session, query) -> float:
    """How many rows PostgreSQL's planner expects ``query`` to return (EXPLAIN, not run).

    Only a choice of path rests on it: both paths give the same claims, so a wrong
    estimate costs time, never an answer."""
    import json

    compiled = query.compile(dialect=session.get_bind().dialect)
    plan = (
        session.connection()
        .exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params)
        .scalar()
    )
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def _conditions(text_key: str, quote_key: str):
    from claimtrack.schema import claim, stance

    return (claim.c.text_norm.contains(text_key, autoescape=True),
            quote_contains(stance.c.quote, quote_key))  # fmt: skip


def _phrase(words: str) -> str:
    """An FTS5 string: the words as one phrase, taken literally."""
    return '"' + words.replace('"', '""') + '"'


def _quote_match(search: str) -> str:
    """An FTS5 query for the quotes holding ``search`` in any of its ``_spellings``: the
    search as one phrase; or, where it holds a quote, a hyphen, an е or an ё, its
    stretches between them as phrases and each trigram holding one as any of its
    spellings. The search folded first (a decomposed ё made е: its trigrams are then the
    key's)."""
    from claimtrack.names import MARK_FORMS, fold_marks

    search = fold_marks(search)
    if not _marked(search):
        return _phrase(search)
    stretches = re.split(f"[{re.escape(''.join(MARK_FORMS.values()))}]", search)
    terms = [_phrase(stretch) for stretch in stretches if len(stretch) >= TRIGRAM]
    for gram in dict.fromkeys(search[i : i + TRIGRAM] for i in range(len(search) - 2)):
        if _marked(gram):
            terms.append("(" + " OR ".join(map(_phrase, _spellings(gram))) + ")")
    return " AND ".join(terms)


def _sqlite(session, text_key: str, quote_key: str, search: str):
    """The index's candidates, each tested by the search's condition. FTS5's trigram
    tokenizer folds the case of the quotes and of what it is asked for alike, its own way:
    it is asked for the search as typed (Python's lower case of "İstanbul" has a letter
    more, which FTS5's folding of the quote has not)."""
    from sqlalchemy import column, literal_column, select, table, text

    from claimtrack.schema import claim, stance

    present = session.scalar(
        text("SELECT count(*) FROM sqlite_master WHERE name IN ('claim_search', 'quote_search')")
    )
    if present != 2:
        return None
    in_text, in_quote = _conditions(text_key, quote_key)
    texts, quotes = table("claim_search", column("rowid")), table("quote_search", column("rowid"))
    return [
        select(claim.c.id)
        .select_from(texts)
        .join(claim, claim.c.id == texts.c.rowid)
        .where(literal_column("claim_search").op("MATCH")(_phrase(text_key)), in_text),
        select(stance.c.claim_id)
        .select_from(quotes)
        .join(stance, stance.c.id == quotes.c.rowid)
        .where(literal_column("quote_search").op("MATCH")(_quote_match(search)), in_quote),
    ]


def trigrams(words: str) -> list[str]:
    """The distinct character trigrams of ``words``, as ``claimtrack_trigrams`` makes them."""
    return sorted({words[i : i + TRIGRAM] for i in range(len(words) - TRIGRAM + 1)})


def _postgresql(text_key: str, quote_key: str):
    from sqlalchemy import ARRAY, Text, and_, bindparam, func, select

    from claimtrack.schema import claim, stance

    def array(grams):
        return bindparam(None, grams, type_=ARRAY(Text))

    def holds(expression, words, *, spelled=False):
        """The text's trigrams hold the words'; ``spelled`` (a quote, indexed as given),
        a trigram holding a quote or a hyphen in any of its spellings (a claim's key folds
        them)."""
        indexed, grams = func.claimtrack_trigrams(expression), trigrams(words)
        if not spelled:
            return indexed.op("@>")(array(grams))
        plain = [g for g in grams if not _marked(g)]
        anyhow = [indexed.op("&&")(array(_spellings(g))) for g in grams if _marked(g)]
        return and_(*([indexed.op("@>")(array(plain))] if plain else []), *anyhow)

    in_text, in_quote = _conditions(text_key, quote_key)
    quoted = holds(func.claimtrack_lower(stance.c.quote), quote_key, spelled=True)
    return [
        select(claim.c.id).where(holds(claim.c.text_norm, text_key), in_text),
        select(stance.c.claim_id).where(quoted, in_quote),
    ]


def walking_condition(claim_id, search: str):
    """The search as a test of one claim at a time (``claim_id``: the outer query's
    column), for a listing that walks claims in its own order."""
    from sqlalchemy import literal, select

    from claimtrack import schema

    text_key, quote_key = keys(search)
    # Aliases: the outer query may read the claim and stance tables too, and each test
    # is about every stance of the claim, not the outer query's row.
    claim, stance = schema.claim.alias("search_claim"), schema.stance.alias("search_stance")
    # OFFSET 0 keeps each test a test of one claim: without it PostgreSQL may turn the
    # EXISTS into a hash of every matching stance, a scan of all of them (0.15 s at 2.7M
    # stances) to list the first 20 of a walk that finds them in a millisecond.
    in_text = (
        select(literal(1))
        .where(claim.c.id == claim_id, claim.c.text_norm.contains(text_key, autoescape=True))
        .offset(0)
        .exists()
    )
    in_quote = (
        select(literal(1))
        .where(stance.c.claim_id == claim_id, quote_contains(stance.c.quote, quote_key))
        .offset(0)
        .exists()
    )
    return in_text | in_quote


def scanning_condition(claim_id, search: str):
    """The search as the set of claims it matches, read from every claim and quote: for
    a search that no index can answer."""
    from sqlalchemy import select

    from claimtrack.schema import claim, stance

    text_key, quote_key = keys(search)
    texts = select(claim.c.id).where(claim.c.text_norm.contains(text_key, autoescape=True))
    quoted = select(stance.c.claim_id).where(quote_contains(stance.c.quote, quote_key))
    return claim_id.in_(texts) | claim_id.in_(quoted)
