"""schema.org ClaimReview (JSON-LD), both ways: the desk's verdicts out, others' in.

Out: one ClaimReview per claim and publisher, from its newest verdict, with the claim's
first asserting party as the claim's author, its sources as appearances and the denials
(which ClaimReview has no field for) in reviewBody. A review lacking a field Google
requires is not written: ``left_out`` says which claims those are and why, from a few
columns, before ``reviews`` builds them a batch at a time and ``write_reviews`` writes
them one by one.

In: ClaimReview as publishers emit it (one object, a list, an ``@graph``, the JSON-LD
blocks of an HTML page, or a DataFeed of them, the shape of the public ClaimReview data
feeds) becomes claims, the parties asserting them, their sources and the publisher's
verdict. The review's url is its identity: importing it again adds nothing. The whole
file is read and checked before anything is written, and written in one transaction.

Google's documented fields (developers.google.com/search/docs/appearance/structured-data/
factcheck): ClaimReview requires claimReviewed, reviewRating and url, and recommends
author, datePublished and itemReviewed; Rating requires alternateName and recommends
name, ratingValue, bestRating and worstRating; Claim recommends author, datePublished,
appearance and firstAppearance.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from claimtrack import record
from claimtrack.errors import ClaimtrackError, UsageError
from claimtrack.models import Claim, Party, Source, Stance
from claimtrack.report import verdict_published
from claimtrack.times import When, begun, parse_when, said_when, without_fraction
from claimtrack.verdicts import SYNONYMS, Verdict, set_verdict
from claimtrack.vocabulary import OPPOSE, SUPPORT, WITHDRAW

# Google's required ClaimReview fields, as paths into the document; author.name is ours:
# a review nobody signs tells a reader nothing.
REQUIRED = (
    ("claimReviewed",), ("url",), ("author", "name"), ("reviewRating",),
    ("reviewRating", "alternateName"),
)  # fmt: skip
CLAIM_REVIEWED_MAX = 75
CONTEXT = "https://schema.org"

# schema.org types of who speaks, as claimtrack's party kinds (anything else: organisation).
PARTY_KINDS = {
    "Person": "person",
    "GovernmentOrganization": "government",
    "NewsMediaOrganization": "media",
}

# -- export ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LeftOut:
    """A claim whose review was not written, and the required fields it lacks."""

    claim_id: int
    ref: str  # its slug, or #id
    missing: tuple[str, ...]

    def __str__(self) -> str:
        return f"claim {self.ref} left out: its review lacks {', '.join(self.missing)}"


def newest_per_publisher():
    """A subquery of the newest verdict id per claim and publisher (the desk: NULL)."""
    return select(func.max(Verdict.id)).group_by(Verdict.claim_id, Verdict.publisher_id)


BATCH = 500  # verdicts read from the database at a time (as report.BATCH claims)


def _newest(
    session: Session,
    query,
    claim_ids: list[int] | None,
    topic: str | None,
    *,
    joined: bool = False,
):
    """The query narrowed to each publisher's newest verdict on the chosen claims (bound
    as one parameter, however many), in the export's order (by claim, the desk's first)."""
    from claimtrack.links import one_of

    query = query.where(Verdict.id.in_(newest_per_publisher())).order_by(
        Verdict.claim_id, Verdict.publisher_id.is_not(None), Verdict.id
    )
    if claim_ids is not None:
        query = query.where(one_of(session, Verdict.claim_id, claim_ids))
    if topic:
        if not joined:
            query = query.join(Claim, Claim.id == Verdict.claim_id)
        query = query.where(Claim.topic == topic)
    return query


def left_out(
    session: Session,
    *,
    claim_ids: list[int] | None = None,
    topic: str | None = None,
    publisher: str,
) -> Iterator[LeftOut]:
    """The claims whose review lacks a required field, in the export's order, without
    building a review: one streamed query of the columns those fields come from."""
    query = _newest(
        session,
        select(Verdict.claim_id, Claim.slug, Claim.text, Verdict.url, Verdict.label,
               Verdict.publisher_id, Party.name)
        .join(Claim, Claim.id == Verdict.claim_id)
        .outerjoin(Party, Party.id == Verdict.publisher_id),
        claim_ids, topic, joined=True,
    )  # fmt: skip
    rows = session.execute(query.execution_options(yield_per=BATCH * 4))
    for claim_id, slug, text, url, label, publisher_id, publisher_name in rows:
        author = publisher if publisher_id is None else publisher_name
        missing = missing_fields(_required(text, url, author, label))
        if missing:
            yield LeftOut(claim_id, slug or f"#{claim_id}", tuple(missing))


def reviews(
    session: Session,
    *,
    claim_ids: list[int] | None = None,
    topic: str | None = None,
    publisher: str,
    publisher_url: str | None = None,
) -> Iterator[dict]:
    """The ClaimReview of each publisher's newest verdict on the chosen claims, complete
    or not (``missing_fields`` tells), built ``BATCH`` verdicts at a time: the verdicts
    stream from the database and each batch's claims, stances and counter-claims are
    read with a few queries, so a whole archive needs the memory of one batch."""
    query = _newest(
        session, select(Verdict).options(joinedload(Verdict.publisher)), claim_ids, topic
    )
    result = session.execute(query.execution_options(yield_per=BATCH))
    for part in result.scalars().partitions():
        yield from _reviews(session, part, publisher=publisher, publisher_url=publisher_url)


def _reviews(
    session: Session, verdicts: list[Verdict], *, publisher: str, publisher_url: str | None
) -> list[dict]:
    """The reviews of these verdicts, their claims' records read together."""
    from claimtrack.links import answered, counter_claims_of, one_of
    from claimtrack.order import timeline_order

    ids = sorted({v.claim_id for v in verdicts})  # each list bound as one parameter
    claims = {c.id: c for c in session.scalars(select(Claim).where(one_of(session, Claim.id, ids)))}
    stances: dict[int, list[Stance]] = {i: [] for i in ids}
    query = select(Stance).where(one_of(session, Stance.claim_id, ids), Stance.void_at.is_(None))
    query = query.options(
        joinedload(Stance.party), joinedload(Stance.source).joinedload(Source.outlet)
    )
    for s in session.scalars(query):
        stances[s.claim_id].append(s)
    # In the timeline's order (as first reported), without what the desk voided: the
    # earliest asserter is the one whose statement was over first, whatever the precision
    # or offset of each statement.
    ordered = {i: timeline_order(found) for i, found in stances.items()}
    answers: dict[int, set[int]] = {}
    counters = counter_claims_of(session, ids, answers)
    others = sorted({o for found in counters.values() for o in found})
    texts: dict[int, str] = {}
    if others:
        query = select(Claim.id, Claim.text).where(one_of(session, Claim.id, others))
        texts = {claim_id: text for claim_id, text in session.execute(query)}
    return [
        _review(verdict, claims[verdict.claim_id], ordered[verdict.claim_id],
                [(o in answering, texts[o]) for o in sorted(counters.get(verdict.claim_id, ()))],
                publisher=publisher, publisher_url=publisher_url)
        for verdict in verdicts
        for answering in (answered(answers, verdict.claim_id),)
    ]  # fmt: skip


def _reviewed(text: str | None) -> str | None:
    """A claim's text as claimReviewed: at most CLAIM_REVIEWED_MAX characters, cut after
    a word ("… not by an…", not "… not by an acciden…") when a blank is within reach
    (text without blanks, Chinese say, is cut where the limit falls)."""
    if text is None or len(text) <= CLAIM_REVIEWED_MAX:
        return text
    cut = text[: CLAIM_REVIEWED_MAX - 1]
    if not text[CLAIM_REVIEWED_MAX - 1].isspace():  # the cut falls inside a word
        blank = max(cut.rfind(" "), cut.rfind("\n"), cut.rfind("\t"))
        if blank >= CLAIM_REVIEWED_MAX // 2:
            cut = cut[:blank]
    return cut.rstrip() + "…"


def _required(text: str | None, url: str | None, author: str | None, label: str | None) -> dict:
    """The part of a review holding the fields Google requires, from the columns they come
    from: both the review and the cheap check before an export build it here."""
    return {
        "url": url,
        "claimReviewed": _reviewed(text),
        "author": {"@type": "Organization", "name": author},
        "reviewRating": {"@type": "Rating", "alternateName": label, "name": label},
    }


def _review(
    verdict: Verdict,
    claim: Claim,
    stances: list[Stance],
    linked: list[tuple[bool, str]],
    *,
    publisher: str,
    publisher_url: str | None,
) -> dict:
    if verdict.publisher is not None:
        publisher, publisher_url = verdict.publisher.name, verdict.publisher_url
    required = _required(claim.text, verdict.url, publisher, verdict.label)
    rating = required["reviewRating"]
    if verdict.rating_value is not None:
        rating.update(
            ratingValue=verdict.rating_value,
            bestRating=verdict.best_rating,
            worstRating=verdict.worst_rating,
        )
    author = required["author"]
    if publisher_url:
        author["url"] = publisher_url
    review = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "datePublished": verdict_published(verdict).isoformat(),
        "url": required["url"],
        "claimReviewed": required["claimReviewed"],
        "author": author,
        "reviewRating": rating,
        "itemReviewed": _item_reviewed(claim, stances),
    }
    body = _review_body(verdict, stances, linked)
    if body:
        review["reviewBody"] = body
    return review


def write_reviews(reviews: Iterable[dict], stream) -> int:
    """The reviews as one JSON array, written item by item: the bytes of ``json.dumps(
    list(reviews), ensure_ascii=False, indent=2)`` and a newline, never the whole list."""
    count = 0
    for review in reviews:
        item = json.dumps(review, ensure_ascii=False, indent=2)
        # Strings hold no raw newline (JSON escapes it): every one is between two items.
        stream.write(("[\n  " if count == 0 else ",\n  ") + item.replace("\n", "\n  "))
        count += 1
    stream.write("\n]\n" if count else "[]\n")
    return count


def _agent(party: Party) -> dict:
    kind = "Person" if party.kind in ("person", "anonymous") else "Organization"
    return {"@type": kind, "name": party.name}


def _work(source) -> dict:
    """A source as a CreativeWork: its title, address, outlet, language and date."""
    work: dict = {"@type": "CreativeWork", "name": source.title}
    if source.url:
        work["url"] = source.url
    if source.published_at is not None:
        when = When(source.published_at, source.published_offset, source.published_precision)
        work["datePublished"] = when.isoformat()
    work["publisher"] = {"@type": "Organization", "name": source.outlet.name}
    if source.language:
        work["inLanguage"] = source.language
    return work


def _item_reviewed(claim: Claim, stances: list[Stance]) -> dict:
    """The Claim: its first asserting party as author, when it first asserted it as
    datePublished, the source of that assertion as firstAppearance, and the sources with
    an address of the author's assertions at that time as appearances. Only those: a
    reader (``import claimreview`` too) takes each appearance for the author making the
    claim there, then, and a source where another party denied or confirmed it would make
    the author say it where it did not (nu18: the round trip recorded the claim's author
    asserting it in the UN's meeting record, where only Peskov spoke, denying it). The
    denials are in reviewBody. A claim nobody asserted has every source of its stances,
    as ever. The author is who asserted it, not who confirmed it (nu20: Zakharova,
    confirming Hersh's story at a minute of a day he asserted it on, was its author); a
    claim only confirmed has its first confirmer."""
    asserted = [s for s in stances if s.kind == "asserts"] or [
        s for s in stances if s.kind in SUPPORT]  # fmt: skip
    if asserted:
        first = asserted[0]
        appeared = [s for s in asserted
                    if (s.party_id, s.said_at) == (first.party_id, first.said_at)]  # fmt: skip
    else:
        appeared = stances
    sources = []
    for s in appeared:
        if s.source is not None and s.source not in sources:
            sources.append(s.source)
    item: dict = {"@type": "Claim", "text": claim.text}
    if asserted:
        item["author"] = _agent(asserted[0].party)
        item["datePublished"] = said_when(asserted[0]).isoformat()
    if sources:
        item["firstAppearance"] = _work(sources[0])
        with_url = [_work(s) for s in sources if s.url]
        if with_url:
            item["appearance"] = with_url
    return item


def _review_body(verdict: Verdict, stances: list[Stance], linked: list[tuple[bool, str]]) -> str:
    """The summary, then what ClaimReview has no field for: denials, and the claims linked
    as contradicting it (``linked``: whether it answers each, and its text), each from
    this claim's end: its counter-claims, and the claim it counters."""
    from claimtrack.record import party_label

    body = []
    standing: dict[int, str] = {}  # party -> its position before each stance
    for s in stances:
        quote = f": “{s.quote}”" if s.quote else ""
        if s.kind in OPPOSE:
            body.append(_sentence(f"{party_label(s.party)} {s.kind} it{quote}"))
        elif s.kind in WITHDRAW:
            withdrawn = standing.get(s.party_id)
            what = "withdrew its denial" if withdrawn in OPPOSE else "retracted it"
            body.append(_sentence(f"{party_label(s.party)} {what}{quote}"))
        if s.kind in (*SUPPORT, *OPPOSE, *WITHDRAW):
            standing[s.party_id] = s.kind
    for answers, text in linked:
        how = "Counters the claim" if answers else "Countered by the claim"
        body.append(_sentence(f"{how}: {text.rstrip()}"))
    summary = (verdict.summary or "").rstrip()
    if summary:
        # A full stop before what follows; a summary alone stays as written, so that an
        # imported review's body comes back out unchanged.
        body.insert(0, _sentence(summary) if body else summary)
    return " ".join(body)


# What ends a sentence, and what may close after it: a quote ending "verified.”" has
# its full stop already.
_SENTENCE_ENDS = (".", "!", "?", "…", "。", "！", "？", "؟", "।")
_CLOSERS = "”’»\"')]）」』"


def _sentence(text: str) -> str:
    """The text with a full stop at its end, unless it ends a sentence already (before
    any closing quote or bracket)."""
    return text if text.rstrip(_CLOSERS).endswith(_SENTENCE_ENDS) else text + "."


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


# -- import: reading the file -----------------------------------------------------------


class _JsonLdBlocks(HTMLParser):
    """The ``<script type="application/ld+json">`` blocks of a page, with their lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[tuple[int, str]] = []
        self._open: int | None = None  # the line where the block's text starts
        self._parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        kind = (dict(attrs).get("type") or "").split(";")[0].strip().lower()
        if tag == "script" and kind == "application/ld+json":
            self._open = self.getpos()[0]
            self._parts = []

    def handle_data(self, data) -> None:
        if self._open is not None:
            if not self._parts:
                self._open = self.getpos()[0]
            self._parts.append(data)

    def handle_endtag(self, tag) -> None:
        if tag == "script" and self._open is not None:
            self.blocks.append((self._open, "".join(self._parts)))
            self._open = None


def read_nodes(path: Path) -> list:
    """The top-level JSON-LD nodes of a file, in order: JSON, or the JSON-LD blocks of an
    HTML page; lists, ``@graph`` and a DataFeed's items flattened."""
    from claimtrack.importer import read_text

    text = read_text(path)
    if text.lstrip().startswith("<"):
        parser = _JsonLdBlocks()
        parser.feed(text)
        parser.close()
        blocks = parser.blocks
        if not blocks:
            raise ClaimtrackError(f'{path}: the page has no <script type="application/ld+json">')
    else:
        blocks = [(1, text)]
    nodes: list = []
    for first_line, block in blocks:
        try:
            data = json.loads(block)
        except json.JSONDecodeError as exc:
            line = first_line + exc.lineno - 1
            raise ClaimtrackError(
                f"{path}: line {line}, column {exc.colno}: not JSON ({exc.msg})"
            ) from None
        except RecursionError:
            raise ClaimtrackError(f"{path}: the JSON nests too deep to read") from None
        nodes.extend(_flatten(data))
    return nodes


def _flatten(data) -> list:
    if isinstance(data, list):
        return [node for part in data for node in _flatten(part)]
    if isinstance(data, dict):
        if "@graph" in data:
            return _flatten(data["@graph"])
        if "dataFeedElement" in data:  # a DataFeed: each DataFeedItem's item(s)
            return [node for element in _listed(data["dataFeedElement"])
                    for node in _flatten(element.get("item", element)
                                         if isinstance(element, dict) else element)]  # fmt: skip
    return [data]


def _listed(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def type_name(node: dict) -> str | None:
    """A node's schema.org type without its prefix: ``schema:ClaimReview`` is ClaimReview."""
    kinds = node.get("@type")
    for kind in _listed(kinds):
        if isinstance(kind, str):
            return kind.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return None


# -- import: checking each review --------------------------------------------------------


@dataclass
class Agent:
    name: str
    kind: str
    url: str | None = None


@dataclass
class Work:
    title: str
    outlet: Agent
    url: str | None
    language: str | None
    published: When | None


@dataclass
class Review:
    number: int
    url: str
    text: str
    authors: list[Agent]
    said: When
    works: list[Work]
    label: str
    rating: str | None
    value: int | None
    best: int | None
    worst: int | None
    summary: str | None
    publisher: Agent
    published: When | None
    # What the import changed of what the review gave, said in a note (``_Changes``):
    # (the field, as given) of the names, titles and labels joined into one line, and of
    # the times with a fraction of a second, kept to the second.
    joined: list[tuple[str, str]] = field(default_factory=list)
    cut: list[tuple[str, str]] = field(default_factory=list)


class _Bad(Exception):
    """What is wrong with one review, said without its number."""


@dataclass
class _Changes:
    """What the checking of one review changed of what it gave (``Review.joined``, ``cut``)."""

    joined: list[tuple[str, str]] = field(default_factory=list)
    cut: list[tuple[str, str]] = field(default_factory=list)


# The texts of a review that are a claim's or a summary's, which keep their line breaks
# and tabs as given (as ``claim add`` keeps them in a claim's text); every other is a
# name, a title or a label, one line.
_TEXTS = ("claimReviewed", "text", "reviewBody")
# What ends a line of a one-line field, or is a tab, with the blanks around it: made one
# space (a feed's author "FC\nTwo" is "FC Two"), said in a note (``_Changes.joined``).
# Other control characters are left to be refused, as a party name's are.
_LINE_BREAK = re.compile(r"\s*[\t\n\x0b\x0c\r\x1c-\x1f\x85\u2028\u2029]\s*")


def _text(node: dict, key: str, what: str | None = None, *, required: bool = False,
          changes: _Changes | None = None) -> str | None:  # fmt: skip
    value = node.get(key)
    if value is None or value == "":
        if required:
            raise _Bad(f"no {what or key}")
        return None
    if not isinstance(value, str):
        raise _Bad(f"{what or key} is {_shape(value)}, not text")
    if "\x00" in value:
        raise _Bad(f"{what or key} contains a NUL byte")
    value = value.strip()
    if key in _TEXTS or not _LINE_BREAK.search(value):
        return value  # as given: a claim keeps its lines, a name its spaces
    if changes is not None:
        changes.joined.append((what or key, value))
    return _LINE_BREAK.sub(" ", value)


def _shape(value) -> str:
    return {dict: "an object", list: "a list", bool: "true or false", str: "text"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _node(value, what: str) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Bad(f"{what} is {_shape(value)}, not an object")
    return value


def _when(value, what: str, tz: str | None, changes: _Changes) -> When | None:
    """A date of the file; refused when it begins after now (a typo: nothing said or
    published then). A time with a fraction of a second, as feeds write them
    ("2023-10-18T14:05:33.123Z"), is kept to the second, as every time is
    (``times.without_fraction``), and said in a note (``_Changes.cut``)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Bad(f"{what} is {_shape(value)}, not a date")
    try:
        said = what == "itemReviewed.datePublished"  # when the claim was made
        whole, fraction = without_fraction(value)
        try:
            parsed = parse_when(whole, tz)
        except UsageError:
            parse_when(value, tz)  # refused for the time as given
            raise
        when = begun(parsed, "said" if said else "published")
        if fraction:
            changes.cut.append((what, value.strip()))
        return when
    except UsageError as exc:
        raise _Bad(f"{what}: {exc}") from None


def _url(value, what: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Bad(f"{what} is {_shape(value)}, not an address")
    try:
        return record.check_url(value)
    except UsageError as exc:
        raise _Bad(f"{what}: {exc}") from None


def _agents(value, what: str, changes: _Changes) -> list[Agent]:
    """People or organisations: an object, a name, or a list of them."""
    agents = []
    for part in _listed(value):
        if isinstance(part, str):
            node = {"name": part}
        else:
            node = _node(part, what)
        name = _text(node, "name", f"{what}.name", required=True, changes=changes)
        name = _checked(name, "party name", what)
        kind = PARTY_KINDS.get(type_name(node) or "", "organisation")
        agents.append(Agent(name, kind, _url(node.get("url"), f"{what}.url")))
    return agents


def _works(value, what: str, tz: str | None, changes: _Changes) -> list[Work]:
    """CreativeWorks (or bare addresses) the claim appeared in."""
    works = []
    for part in _listed(value):
        node = {"url": part} if isinstance(part, str) else _node(part, what)
        url = _url(node.get("url"), f"{what}.url")
        outlets = _agents(node.get("publisher"), f"{what}.publisher", changes) or _agents(
            node.get("author"), f"{what}.author", changes
        )
        if not outlets:
            if url is None:
                raise _Bad(f"{what} has neither url nor publisher: say where it appeared")
            outlets = [Agent(urlsplit(url).hostname, "media")]  # the site it is on
        title = (
            _text(node, "name", f"{what}.name", changes=changes)
            or _text(node, "headline", f"{what}.headline", changes=changes)
            or url
        )
        if title is None:
            raise _Bad(f"{what} has neither name nor url")
        title = _checked(title, "source title", what)
        language = _text(node, "inLanguage", f"{what}.inLanguage", changes=changes)
        published = _when(node.get("datePublished"), f"{what}.datePublished", tz, changes)
        works.append(Work(title, outlets[0], url, language, published))
    return works


def _checked(text: str, what: str, where: str) -> str:
    """The text, refused here (before anything is written) when the database would."""
    try:
        return record.required(text, what)
    except UsageError as exc:
        raise _Bad(f"{where}: {exc}") from None


def _integer(rating: dict, key: str) -> int | None:
    value = rating.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _Bad(f"reviewRating.{key} {value!r} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise _Bad(f"reviewRating.{key} {value!r} is not a whole number")
    if abs(value) > 10**9:
        raise _Bad(f"reviewRating.{key} {value!r} is out of range")
    return int(value)


def shared_rating(label: str) -> str | None:
    """Where a publisher's label sits on the shared scale, when the label says."""
    return SYNONYMS.get(" ".join(label.lower().split()))


def check_review(number: int, node: dict, tz: str | None) -> Review:
    """One ClaimReview read and checked; ``_Bad`` says what is wrong with it."""
    changes = _Changes()
    url = _url(node.get("url"), "url")
    if url is None:
        raise _Bad("no url: a review's address is what identifies it")
    reviewed = _text(node, "claimReviewed", required=True)
    item = _node(node.get("itemReviewed"), "itemReviewed") or {}
    text = _text(item, "text", "itemReviewed.text") or reviewed
    rating = _node(node.get("reviewRating"), "reviewRating")
    if rating is None:
        raise _Bad("no reviewRating")
    label = _text(rating, "alternateName", "reviewRating.alternateName", changes=changes)
    label = label or _text(rating, "name", "reviewRating.name", changes=changes)
    if label is None:
        raise _Bad("reviewRating has no alternateName or name: the publisher's verdict")
    value, best, worst = (_integer(rating, k) for k in ("ratingValue", "bestRating", "worstRating"))
    if value is not None:
        # schema.org: "If bestRating is omitted, 5 is assumed"; worstRating, 1.
        best = 5 if best is None else best
        worst = 1 if worst is None else worst
        if not min(best, worst) <= value <= max(best, worst):
            raise _Bad(f"reviewRating.ratingValue {value} is not between {worst} and {best}")
    else:
        best = worst = None
    publishers = _agents(node.get("author"), "author", changes)
    publishers = publishers or _agents(node.get("publisher"), "publisher", changes)
    if not publishers:
        raise _Bad("no author: who published the review")
    published = _when(node.get("datePublished"), "datePublished", tz, changes)
    works = _works(item.get("firstAppearance"), "itemReviewed.firstAppearance", tz, changes)
    firsts = {(w.url, w.title) for w in works}
    works += [
        w
        for w in _works(item.get("appearance"), "itemReviewed.appearance", tz, changes)
        if (w.url, w.title) not in firsts
    ]
    authors = _agents(item.get("author"), "itemReviewed.author", changes)
    if not authors:
        if not works:
            raise _Bad("no itemReviewed.author, and no appearance to say who made the claim")
        authors = [works[0].outlet]  # the claim as carried by where it appeared
    said = (
        _when(item.get("datePublished"), "itemReviewed.datePublished", tz, changes)
        or next((w.published for w in works if w.published), None)
        or published
    )
    if said is None:
        raise _Bad("no date: give itemReviewed.datePublished or the review's datePublished")
    return Review(
        number=number, url=url, text=text, authors=authors, said=said, works=works,
        label=label, rating=shared_rating(label), value=value, best=best, worst=worst,
        summary=_text(node, "reviewBody"), publisher=publishers[0], published=published,
        joined=changes.joined, cut=changes.cut,
    )  # fmt: skip


def read_reviews(path: Path, *, tz: str | None = None) -> tuple[list[Review], list[str]]:
    """Every ClaimReview in the file, checked, and the types of the other nodes in it."""
    reviews, others = [], []
    for number, node in enumerate(read_nodes(path), start=1):
        if not isinstance(node, dict):
            raise ClaimtrackError(f"{path}: item {number} is {_shape(node)}, not a JSON object")
        kind = type_name(node)
        if kind != "ClaimReview":
            others.append(kind or "untyped")
            continue
        try:
            reviews.append(check_review(number, node, tz))
        except _Bad as exc:
            raise ClaimtrackError(f"{path}: item {number}: {exc}") from None
    if not reviews:
        found = f" (found {', '.join(sorted(set(others)))})" if others else ""
        raise ClaimtrackError(
            f"{path} holds no ClaimReview{found}: give a ClaimReview object, a list of "
            "them, an @graph, a DataFeed, or an HTML page with them in JSON-LD"
        )
    return reviews, others


# -- import: writing --------------------------------------------------------------------


@dataclass
class ImportReport:
    reviews: int = 0
    already: int = 0
    claims: int = 0
    parties: list[str] = field(default_factory=list)
    sources: int = 0
    stances: int = 0
    others: list[str] = field(default_factory=list)
    # The topic, when the import started it beside topics there were, and those close to
    # it (``lookup.new_topic``), as ``import csv`` names the topics it starts.
    new_topic: tuple[str, list[str]] | None = None
    # Of the reviews added: (item, field, as given) of a name, title or label joined into
    # one line, and of a time kept to the second (``Review.joined``, ``Review.cut``).
    joined: list[tuple[int, str, str]] = field(default_factory=list)
    cut: list[tuple[int, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.reviews} review(s) added",
            f"{self.already} already there",
            f"{self.claims} new claim(s)",
            f"{len(self.parties)} new parties",
            f"{self.sources} new source(s)",
            f"{self.stances} new stance(s)",
        ]
        if self.others:
            counts = {k: self.others.count(k) for k in sorted(set(self.others))}
            kinds = ", ".join(f"{n} {k}" for k, n in counts.items())
            parts.append(f"{len(self.others)} node(s) that are not ClaimReview skipped ({kinds})")
        return "; ".join(parts)

    def topic_started(self) -> str | None:
        """ "New topics: 'x' (did you mean 'y'?)", as ``import csv`` says it, or None."""
        if self.new_topic is None:
            return None
        from claimtrack.names import quoted_name

        topic, close = self.new_topic
        hint = f" (did you mean {', '.join(map(quoted_name, close))}?)" if close else ""
        return f"New topics: {quoted_name(topic)}{hint}"

    def notes(self) -> list[str]:
        """What the import changed of what the file gave, one line each: nothing is
        changed unsaid (new user: an author "FC\nTwo" became "FC Two" without a word)."""
        notes = []
        if self.joined:
            notes.append(
                f"Note: {len(self.joined)} name(s), title(s) or label(s) held a line break or "
                f"a tab, each made a space: a name is one line ({_examples(self.joined)})"
            )
        if self.cut:
            notes.append(
                f"Note: {len(self.cut)} time(s) had a fraction of a second, dropped: times "
                f"are kept to the second ({_examples(self.cut)})"
            )
        return notes


MAX_EXAMPLES = 3  # the changes a note names; the others it counts


def _examples(changes: list[tuple[int, str, str]]) -> str:
    from claimtrack.names import quoted_name

    shown = [f"item {n} {what} {quoted_name(value)}" for n, what, value in changes[:MAX_EXAMPLES]]
    more = len(changes) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


class _Writer:
    def __init__(self, session: Session, topic: str, editor: str) -> None:
        self.session, self.topic, self.editor = session, topic, editor
        self.report = ImportReport()
        self.parties: dict[str, Party] = {}

    def party(self, agent: Agent) -> Party:
        if agent.name not in self.parties:
            created: list[Party] = []
            self.parties[agent.name] = record.resolve_party(
                self.session, agent.name, create_missing=True, editor=self.editor,
                created=created, kind=agent.kind,
            )  # fmt: skip
            self.report.parties += [p.name for p in created]
        return self.parties[agent.name]

    def write(self, review: Review) -> None:
        session = self.session
        if session.scalars(select(Verdict.id).where(Verdict.url == review.url)).first():
            self.report.already += 1
            return
        claim = record.find_same_claim(session, review.text, self.topic)
        if claim is None:
            claim = record.add_claim(session, review.text, topic=self.topic, editor=self.editor)
            self.report.claims += 1
        sources = []
        for work in review.works:
            source, new = record.get_or_add_source(
                session, work.title, outlet=self.party(work.outlet), url=work.url,
                language=work.language, published=work.published,
            )  # fmt: skip
            self.report.sources += new
            sources.append(source)
        for author in review.authors:
            party = self.party(author)
            for source in sources or [None]:
                # The review quotes nothing: a stance of the party's at that time and
                # source is the same whatever its quote (nu18: the per-stance CSV's quoted
                # assertion, imported first, was recorded again without its quote).
                same = record.find_same_stance(
                    session, claim, party, "asserts", review.said, source=source, quote=None,
                    any_quote=True,
                )  # fmt: skip
                if same is None:
                    record.add_stance(
                        session, claim, party, "asserts", said=review.said, source=source,
                        editor=self.editor,
                    )  # fmt: skip
                    self.report.stances += 1
        publisher = self.party(review.publisher)
        verdict = set_verdict(
            session, claim, review.label, rating=review.rating, placed=False,
            value=review.value, best=review.best, worst=review.worst,
            summary=review.summary, url=review.url, editor=self.editor,
            publisher=publisher, publisher_url=review.publisher.url,
            published=review.published,
        )  # fmt: skip
        record.log_event(
            session, self.editor, "claimreview import",
            f"#{claim.id}: {verdict.label} by {publisher.name} ({review.url})",
        )  # fmt: skip
        self.report.reviews += 1
        self.report.joined += [(review.number, *change) for change in review.joined]
        self.report.cut += [(review.number, *change) for change in review.cut]


def import_reviews(
    session: Session,
    path: Path,
    *,
    topic: str = record.DEFAULT_TOPIC,
    tz: str | None = None,
    editor: str,
    new_topic: bool = False,
) -> ImportReport:
    """Read every ClaimReview in the file, then write them in the caller's transaction.

    Any bad review raises ClaimtrackError naming it (``item N``) before anything is
    written; one the database refuses names it too, and the caller rolls back. A new
    topic that reads as a typo of one there is is refused, unless ``new_topic``, as
    ``claim add`` and ``import csv`` refuse it (``lookup.topic_typo``)."""
    from claimtrack import lookup

    topic = record.required(topic, "topic")
    reviews, others = read_reviews(path, tz=tz)
    # A typo of the story's topic started a story of its own, unsaid (new user:
    # --topic al-ahli-2O23 beside al-ahli-2023, "1 review(s) added").
    close = lookup.new_topic(session, topic)
    if close and not new_topic:
        typo = lookup.topic_typo(topic, close)
        if typo:
            raise ClaimtrackError(typo)
    # A new topic beside others is named (not the first of all), as ``import csv`` does.
    beside = close is not None and session.scalar(select(Claim.id).limit(1)) is not None
    writer = _Writer(session, topic, editor)
    writer.report.others = others
    with session.no_autoflush:
        for review in reviews:
            try:
                writer.write(review)
                session.flush()
            except ClaimtrackError as exc:
                raise ClaimtrackError(f"{path}: item {review.number}: {exc}") from None
    report = writer.report
    if beside and report.claims:
        report.new_topic = (topic, close)
    return report
