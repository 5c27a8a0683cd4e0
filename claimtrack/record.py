"""Recording: finding and creating parties, sources and claims, and adding stances and links.

Every function here works inside the caller's session and transaction; the caller
commits once, so a command either writes everything it meant to or nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from sqlalchemy import delete, exists, insert, or_, select, update
from sqlalchemy.orm import Session

from claimtrack.errors import ClaimtrackError, UsageError
from claimtrack.lookup import MAX_ID, as_id, label_with_side  # noqa: F401 - used here and by callers
from claimtrack.merges import Effects
from claimtrack.models import (
    LINK_KINDS,
    PARTY_KINDS,
    Claim,
    ClaimLink,
    Event,
    Party,
    PartyAlias,
    PartyName,
    Source,
    Stance,
)
from claimtrack.names import (
    clean,
    normalise,
    one_line_breaker,
    quoted_name,
    stop_variants,
    visible_name,
)
from claimtrack.times import When, said_when
from claimtrack.vocabulary import POSITION_KINDS, STANCE_KINDS, WITHDRAWAL, side_of

DEFAULT_TOPIC = "general"
ENV_EDITOR = "CLAIMTRACK_EDITOR"
SLUG = re.compile(r"^[a-z][a-z0-9-]*$")  # what a slug is (check_slug)
# An address ``check_url`` accepts without asking ``urlsplit``: http(s), a host of letters,
# digits, dots and dashes (so no user, port or brackets), then nothing or a path, query
# or fragment without blanks. An import checks one per source (63,223 in 100,000 rows).
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?:[/?#]\S*)?")


def current_editor(explicit: str | None = None) -> str:
    """Who is writing: ``--editor``, then ``CLAIMTRACK_EDITOR``, then the OS user. One
    given empty (``--editor ""``, ``CLAIMTRACK_EDITOR=``) is kept, not passed over, so
    the command refuses it rather than record the OS account under someone's action."""
    editor = explicit if explicit is not None else os.environ.get(ENV_EDITOR)
    if editor is None:
        import getpass  # here: a command that names its editor spares the import

        try:
            editor = getpass.getuser()
        except Exception:  # no user name in a bare container
            editor = "unknown"
    return clean(editor)


def utcnow(session: Session) -> dt.datetime:
    """This transaction's instant: everything one command records bears the same time."""
    from claimtrack.state_history import clock

    return clock(session)


def log_event(session: Session, editor: str, action: str, detail: str) -> None:
    session.add(Event(at=utcnow(session), editor=editor, action=action, detail=detail))


# Names and titles are looked up by index, which caps an entry's size (PostgreSQL: a
# few kilobytes); claim texts and quotes have no limit.
MAX_LENGTH = {"party name": 300, "alias": 300, "topic": 200, "source title": 1000}
# What is one line: a new name, alias or title with a line break or a control character
# in it is refused (``names.one_line_breaker``); claim texts, quotes and reasons keep theirs.
ONE_LINE = ("party name", "alias", "source title")


def required(text: str | None, what: str, *, key: str | None = None) -> str:
    """The text as given (blanks around it trimmed), refused when nothing in it shows.
    ``key``: its ``normalise``, when the caller has it already."""
    value = clean(text or "")
    if not value:
        raise UsageError(f"{what} is empty: give some text")
    if "\x00" in value:
        raise UsageError(f"{what} contains a NUL byte")
    if what in ONE_LINE and one_line_breaker(value):
        # A paste error: a name that no one could type back, and one that breaks every
        # one-line listing. Names stored before this check stay readable (visible_name).
        raise UsageError(
            f"{what} {quoted_name(value)} contains a line break or a control character: "
            "give it on one line"
        )
    key = normalise(value) if key is None else key
    if not key:
        raise UsageError(f"{what} {value!r} has only invisible characters: give some text")
    if what in ("party name", "alias") and key.replace(" ", "").isdigit():
        # "5" would always mean party #5: a name no one could ever reach.
        raise UsageError(
            f"{what} {quoted_name(value)} is only digits, which read as an id: add words"
        )
    limit = MAX_LENGTH.get(what)
    if limit and len(value) > limit:
        raise UsageError(f"{what} is {len(value):,} characters long: keep it to {limit}")
    return value


# -- parties ------------------------------------------------------------------------


def party_label(party: Party) -> str:
    """A party as a report prints it: its name and the side it acts for."""
    return label_with_side(party.name, party_side(party).name)


def party_side(party: Party) -> Party:
    """The party at the top of the affiliation chain: Vance -> US government."""
    seen = {party.id}
    while party.acts_for is not None and party.acts_for.id not in seen:
        party = party.acts_for
        seen.add(party.id)
    return party


def _party_candidates(session: Session, key: str) -> list[Party]:
    """The party answering to a key (a database upgraded with a name clash may hold two);
    when none does, those answering to it but for a final full stop (``stop_variants``:
    "Igor Strelkov." is Igor Strelkov, as a claim's final full stop is the claim's)."""
    found: list[Party] = []
    for keys in ((key,), stop_variants(key)):
        if keys and not found:
            stmt = (
                select(Party)
                .join(PartyName, PartyName.party_id == Party.id)
                .where(PartyName.key.in_(keys))
                .order_by(Party.id)
            )
            found = list(session.scalars(stmt))
    return found


def name_holder(session: Session, name: str) -> Party | None:
    """The party that holds this name (as its name or an alias), if any."""
    return session.scalars(
        select(Party)
        .join(PartyName, PartyName.party_id == Party.id)
        .where(PartyName.key == normalise(name))
    ).first()


def _take_name(session: Session, party: Party, name: str, what: str, *, new: bool) -> bool:
    """Give ``party`` this name in the one namespace; False when it has it already. A name
    another party holds is refused, naming the holder (``new``: the party is being
    created by this command, so merging is no answer)."""
    holder = name_holder(session, name)
    if holder is party:
        return False
    if holder is not None:
        raise name_taken(party, holder, name, what, new=new)
    session.add(PartyName(party=party, key=normalise(name)))
    return True


def name_taken(party, holder, name: str, what: str, *, new: bool) -> ClaimtrackError:
    """The refusal of a name (``what``: "party name" or "alias") that ``holder`` already
    answers to; ``party`` and ``holder`` need only an id, a name and its key."""
    held = "its name" if holder.name_norm.rstrip(".") == normalise(name).rstrip(".") else "an alias"
    if new:
        fix = "use that party, or give this one another name"
    else:
        # By id: a name may need quoting, or be an alias the merge refuses (nu15 #9).
        fix = f"if they are one party, run: claimtrack party merge {party.id} {holder.id}"
    return ClaimtrackError(
        f"{what} {quoted_name(name)} belongs to party #{holder.id} {quoted_name(holder.name)} "
        f"({held}): {fix}"
    )


def find_party(session: Session, ref: str, *, creatable: bool = False) -> Party:
    """A party by id, name or alias, case- and width-insensitively in any script. An
    unknown one is refused with the close names; ``creatable`` (a command that takes
    --create-missing) says how to create it, too."""
    ref = clean(ref)
    if as_id(ref) is not None:
        party = session.get(Party, as_id(ref))
        if party is not None:
            return party
    found = _party_candidates(session, normalise(ref))
    if len(found) == 1:
        return found[0]
    if found:
        names = "; ".join(f"{p.id}: {visible_name(party_label(p))}" for p in found)
        raise ClaimtrackError(f"party {quoted_name(ref)} is ambiguous: {names}. Use the id instead")
    merged = merged_party(session, as_id(ref)) if as_id(ref) is not None else None
    if merged is not None:
        raise ClaimtrackError(
            f"party {as_id(ref)} was merged into party {merged.id} "
            f"({visible_name(merged.name)}); use {merged.id}"
        )
    raise ClaimtrackError(_unknown_party_message(session, ref, creatable=creatable))


def merged_party(session: Session, party_id: int, _seen: set[int] | None = None) -> Party | None:
    """The party a party merged away (and so deleted) went into, in the end, or None.
    Read from the log, where ``party merge`` records "#12 Name [kind] into #7 Name": a
    merged claim keeps its row, a merged party does not. Only an id nobody has reads it
    (the log has no index but its time's).

    A name may itself hold " [person] into #5 ", so the text is not parsed for the first
    such mark: each place the merged party's name could end is tried, and the split is
    the one whose name the merge kept as an alias of the party it went into (or of the
    party that one went into since: aliases move with a merge and are never removed)."""
    seen = _seen if _seen is not None else set()
    if party_id in seen:
        return None
    seen.add(party_id)
    head = f"#{party_id} "
    detail = session.scalars(
        select(Event.detail)
        .where(Event.action == "party merge", Event.detail.startswith(head))
        .order_by(Event.id.desc())
    ).first()
    if detail is None:
        return None
    # Every place a name can end, the longest name first (lookahead: they may overlap).
    splits = [(detail[len(head) : m.start()], int(m.group(1)))
              for m in _MERGED_INTO.finditer(detail, len(head))][::-1]  # fmt: skip
    holders = dict(session.execute(
        select(PartyAlias.alias, PartyAlias.party_id)
        .where(PartyAlias.alias.in_(sorted({name for name, _ in splits})))
    ).all()) if splits else {}  # fmt: skip
    for name, into in splits:
        holder = holders.get(name)
        if holder is None:
            continue
        party = session.get(Party, into)
        if party is None:  # merged away since: where it went, if that holds the name
            party = merged_party(session, into, set(seen))
        if party is not None and party.id == holder:
            return party
    return None


_MERGED_INTO = re.compile(rf"(?= \[(?:{'|'.join(PARTY_KINDS)})\] into #(\d+) )")


def check_named_itself(party: Party, ref: str) -> None:
    """Refuse a party named by one of its aliases where a command cannot be undone (the
    party merged: a name merged away is an alias of the party it went into, so merging
    "by" it again would merge that party)."""
    ref = clean(ref)
    if as_id(ref) == party.id or normalise(ref) == party.name_norm:
        return
    raise ClaimtrackError(
        f"{quoted_name(ref)} is an alias of party #{party.id} {quoted_name(party.name)}: "
        f"name it by its own name or id to merge it"
    )


# How alike (rapidfuzz's ratio, 0..100, of the matching keys) a name and what was typed
# must be to be suggested: difflib's 0.6, as before; a word of a name, more (a surname
# typed alone, or nearly: "Irna" is not to bring every "Iranian ..." name).
CLOSE = 60
CLOSE_WORD = 80
# A party created is noted as close to another (perhaps a typo of it) from closer still:
# a refused name's suggestions cost nothing when wrong, a note that cries wolf ("Ukraine"
# close to "France", 62) teaches editors to skip the ones that matter.
CLOSE_NOTE = 75


# The most words of a name typed in which a whole party's name is noted (``name_matcher``):
# a person's names ("Alexander Grigoryevich Lukashenko"), not an institution's.
NAME_WORDS = 3


def close_names(ref: str, names: list[str], *, cutoff: int = CLOSE,
                persons: set[str] | None = None) -> list[str]:  # fmt: skip
    """Up to three of ``names`` close to ``ref``, closest first: what an unknown party's
    message suggests (and, from ``CLOSE_NOTE``, the note on a party created: also an
    import's, for each party it creates, by ``name_matcher``)."""
    return name_matcher(names, cutoff=cutoff, persons=persons)(ref)


def name_matcher(names: list[str], *, cutoff: int = CLOSE, persons: set[str] | None = None):
    """``close_names`` over ``names``, keyed once for as many refs as are asked. Matched
    by ``normalise``'s key, so case and width do not count (``ПУТИН``, ``путин``), against
    the whole name and each of its words: a surname typed alone finds ``Владимир Путин``.
    ``persons``: the names that are people's, when known; only such a name is found as a
    whole word of the name typed ("Lukashenko" in "Alexander Lukashenko", not "Israel" in
    "Israel Defense Forces": nu19 was told to merge the two)."""
    from rapidfuzz import fuzz, process

    keys, owners = [], []  # owners: (the name's index, 0 for the whole name, 1 a word)
    whole: dict[str, list[int]] = {}  # a whole name's key -> the names with it
    for index, name in enumerate(names):
        key = normalise(name)
        whole.setdefault(key, []).append(index)
        words = key.split(" ")
        for word, part in enumerate((key, *words) if len(words) > 1 else (key,)):
            keys.append(part)
            owners.append((index, min(word, 1)))

    def close(ref: str) -> list[str]:
        # Closest first; as close, a whole name before a word of one, then in given order.
        best: dict[int, tuple] = {}
        typed = normalise(ref)
        found = process.extract(typed, keys, scorer=fuzz.ratio, processor=None,
                                score_cutoff=cutoff, limit=None)  # fmt: skip
        for _, score, at in found:
            index, word = owners[at]
            if word and score < CLOSE_WORD:
                continue
            if not word and _another_party(typed, keys[at]):
                continue
            best[index] = min((-score, word, index), best.get(index, (0, 1, index)))
        # A whole name, as it is, a word of a short name typed: "Lukashenko" in "Alexander
        # Lukashenko" (nu17: created with no note). Only a word as long as a typo is told
        # by (``TYPO_LENGTH``): "Iran International" is not Iran, nor "US State
        # Department" the US; and only in a name of a few words, a person's: "State
        # Emergency Service of Ukraine" is not Ukraine, nor, being no word of it, is
        # "Russian Ministry of Defence" Russia (nu18: both were noted).
        words = typed.split(" ")
        for typed_word in words if 1 < len(words) <= NAME_WORDS else ():
            if len(typed_word) < TYPO_LENGTH:
                continue
            for index in whole.get(typed_word, ()):
                if persons is None or names[index] in persons:
                    best[index] = min((-100, 1, index), best.get(index, (0, 1, index)))
        ranked = sorted(best.values())
        return list(dict.fromkeys(names[index] for *_, index in ranked))[:3]

    return close


def _another_party(typed: str, key: str) -> bool:
    """Whether two names close as wholes differ only in words that are not close: a first
    name shared ("igor strelkov", "igor konashenkov": 69) is no sign of a typo, a surname
    one letter off ("alexander borodaj") is."""
    from rapidfuzz import fuzz

    mine, theirs = typed.split(" "), key.split(" ")
    shared = set(mine) & set(theirs)
    if not shared:
        return False
    rest = (
        " ".join(w for w in mine if w not in shared),
        " ".join(w for w in theirs if w not in shared),
    )
    return all(rest) and fuzz.ratio(*rest) < CLOSE


def _all_names(session: Session) -> dict[str, int]:
    """Every party's name and alias, each with its party's id."""
    owners = dict(session.execute(select(Party.name, Party.id)).all())
    for alias, party_id in session.execute(select(PartyAlias.alias, PartyAlias.party_id)):
        owners.setdefault(alias, party_id)
    return owners


def _person_names(session: Session) -> set[str]:
    """The names and aliases of the parties that are people (``name_matcher``'s
    ``persons``)."""
    people = select(Party.id).where(Party.kind == "person")
    names = set(session.scalars(select(Party.name).where(Party.id.in_(people))))
    names.update(session.scalars(select(PartyAlias.alias).where(PartyAlias.party_id.in_(people))))
    return names


def _one_per_party(close: list[str], owners: dict[str, int]) -> list[str]:
    """The names of ``close`` less those of a party named already (its name and an alias
    of it are one party: nu18 was offered "'Dmitry Peskov', 'Peskov'")."""
    seen: set[int] = set()
    kept = []
    for name in close:
        if owners[name] not in seen:
            seen.add(owners[name])
            kept.append(name)
    return kept


# A name typed for --create-missing one keystroke from a party's (a letter wrong, missing
# or added, or two swapped: "Dmitry Peskow") reads as a typo of it, from this length of
# its key: below it "Iran" and "Iraq" are two parties.
TYPO_LENGTH = 6


def likely_typo(session: Session, ref: str) -> str | None:
    """The name (or alias) of a party ``ref`` is one keystroke from (the optimal string
    alignment distance of their matching keys), or None."""
    key = _typo_key(ref)
    if len(key) < TYPO_LENGTH:
        return None
    # One ref: the close names straight away (11 ms against 4,520 names at 1M claims;
    # ``typo_matcher``'s index, built for many refs, cost 26 ms for one).
    return _keystroke_from(key, close_names(ref, list(_all_names(session))))


def _typo_key(ref: str) -> str:
    return normalise(ref).rstrip(".")  # a final full stop is no keystroke (``stop_variants``)


def _keystroke_from(key: str, close: list[str]) -> str | None:
    """The first of the ``close`` names one keystroke from ``key`` (the optimal string
    alignment distance of their matching keys), or None."""
    from rapidfuzz.distance import OSA

    for name in close:
        if OSA.distance(key, _typo_key(name), score_cutoff=1) <= 1:
            return name
    return None


def typo_matcher(names: list[str]) -> Callable[[str], str | None]:
    """``likely_typo`` over ``names``, keyed once for as many refs as are asked (an
    import's new parties: thousands, against the thousands of parties of a large
    database). Two keys one keystroke apart (a letter wrong, missing or added, or two
    swapped) share a key with one letter deleted, or one is the other with a letter
    deleted: each name's key and its deletions are indexed, so a ref is a few look-ups,
    and ``close_names`` (``name_matcher``), which decides, runs only for a ref within a
    keystroke of a name."""
    index: set[str] = set()  # the names' keys, and each with a letter deleted
    for name in names:
        key = _typo_key(name)
        if len(key) + 1 >= TYPO_LENGTH:  # a ref's key is from TYPO_LENGTH letters
            index.add(key)
            index.update(_deletions(key))
    close = None

    def typo(ref: str) -> str | None:
        nonlocal close
        key = _typo_key(ref)
        if len(key) < TYPO_LENGTH or (key not in index and index.isdisjoint(_deletions(key))):
            return None
        if close is None:
            close = name_matcher(names)
        return _keystroke_from(key, close(ref))

    return typo


def _deletions(key: str) -> set[str]:
    """``key`` with one of its letters deleted, each way."""
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


def close_to_others(session: Session, party: Party, name: str | None = None) -> tuple[str, ...]:
    """The names of other parties close to a new party's name (``close_names``): kept on
    it (``Party.close_to``) for the note that a created party may be a typo of one; or
    close to ``name``, an alias just given to it (another party's, perhaps)."""
    mine = {party.name, *(a.alias for a in party.aliases)}
    owners = _all_names(session)
    others = [n for n in owners if n not in mine]
    close = tuple(_one_per_party(close_names(name or party.name, others, cutoff=CLOSE_NOTE,
                                             persons=_person_names(session)),
                                 owners))  # fmt: skip
    if name is None:
        party.close_to = close
    return close


def _unknown_party_message(session: Session, ref: str, *, creatable: bool) -> str:
    owners = _all_names(session)
    close = _one_per_party(close_names(ref, list(owners)), owners)
    hint = f" Did you mean {', '.join(quoted_name(c) for c in close)}?" if close else ""
    if as_id(ref) is not None:  # an id nobody has: no name to create a party by
        return f"unknown party {quoted_name(ref)}: no party has that id.{hint}"
    if not creatable:  # a command that reads, or changes a party there is
        return f"unknown party {quoted_name(ref)}.{hint}"
    if len(ref) > MAX_LENGTH["party name"]:  # no party can be given this name
        return (f"unknown party {quoted_name(ref)}.{hint} A party's name is at most "
                f"{MAX_LENGTH['party name']} characters")  # fmt: skip
    return (
        f"unknown party {quoted_name(ref)}.{hint} Create it with: claimtrack party add "
        f"{quoted_name(ref)} (or pass --create-missing)"
    )


def resolve_party(
    session: Session,
    ref: str,
    *,
    create_missing: bool,
    editor: str,
    created: list[Party] | None = None,
    kind: str = "person",
    typed: bool = False,
) -> Party:
    """``find_party``, or a new party of ``kind`` when ``create_missing`` says so; not
    one ``typed`` (by an editor, on the command line) one keystroke from a party's name
    (``likely_typo``)."""
    try:
        return find_party(session, ref, creatable=True)
    except ClaimtrackError:
        if not create_missing or as_id(clean(ref)) is not None:
            raise
    meant = likely_typo(session, ref) if typed else None
    if meant is not None:
        raise ClaimtrackError(
            f"unknown party {quoted_name(ref)}: a keystroke from {quoted_name(meant)}, so "
            f"--create-missing did not create it. If it is another party, create it with: "
            f"claimtrack party add {quoted_name(ref)}"
        )
    party = add_party(session, ref, kind=kind, editor=editor)
    log_event(session, editor, "party add", f"#{party.id} {party.name} (created as missing)")
    if created is not None:
        close_to_others(session, party)  # for the note (``Party.close_to``)
        created.append(party)
    return party


def find_named_party(session: Session, name: str, *, anonymous: bool) -> Party | None:
    """The party (or anonymous source) whose own name (not an alias) this is."""
    party = name_holder(session, name)
    if party is None or party.name_norm != normalise(name) or party.anonymous != anonymous:
        return None
    return party


def add_party(
    session: Session,
    name: str,
    *,
    kind: str = "person",
    aliases: tuple[str, ...] | list[str] = (),
    acts_for: Party | None = None,
    description: str | None = None,
    editor: str,
) -> Party:
    """A new party; refuses a name (or descriptor) that is already taken."""
    name = required(name, "party name")
    if kind not in PARTY_KINDS:
        raise UsageError(f"unknown party kind {kind!r}: use one of {', '.join(PARTY_KINDS)}")
    anonymous = kind == "anonymous"
    existing = find_named_party(session, name, anonymous=anonymous)
    if existing is None and name_holder(session, name) is None:
        # Igor Strelkov with a final full stop is Igor Strelkov, as --by finds him.
        existing = next(iter(_party_candidates(session, normalise(name))), None)
    if existing is not None:
        raise ClaimtrackError(
            f"party {quoted_name(name)} exists already: #{existing.id} {quoted_name(existing.name)}"
        )
    party = Party(
        name=name,
        name_norm=normalise(name),
        kind=kind,
        anonymous=anonymous,
        acts_for=acts_for,
        description=clean_description(description),
        created_at=utcnow(session),
    )
    _take_name(session, party, name, "party name", new=True)
    session.add(party)
    for alias in aliases:
        add_alias(session, party, alias, new=True)
    session.flush()
    return party


def add_alias(
    session: Session, party: Party, alias: str, *, new: bool = False
) -> PartyAlias | None:
    """Add an alias; returns None when the party already answers to that name."""
    alias = required(alias, "alias")
    key = normalise(alias)
    if key == party.name_norm or any(a.alias_norm == key for a in party.aliases):
        return None
    _take_name(session, party, alias, "alias", new=new)
    record = PartyAlias(party=party, alias=alias, alias_norm=key)
    session.add(record)
    return record


# -- sources ------------------------------------------------------------------------


def check_url(url: str | None) -> str | None:
    if url is None:
        return None
    url = url.strip()
    if _PLAIN_URL.fullmatch(url):
        return url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a malformed host or port raises here
        host_ok = bool(parts.hostname)
    except ValueError:
        host_ok = False
    if not host_ok or parts.scheme not in ("http", "https") or " " in url:
        raise UsageError(f"invalid URL {quoted_name(url)}: give a full http:// or https:// "
                         "address")  # fmt: skip
    return url


def find_source(session: Session, ref: str) -> Source:
    """A source by id, URL or exact title."""
    ref = clean(ref)
    if as_id(ref) is not None:
        source = session.get(Source, as_id(ref))
        if source is not None:
            return source
    by_title = Source.title_key == title_key(ref)
    found = list(session.scalars(select(Source).where(or_(Source.url == ref, by_title))))
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(str(s.id) for s in found)
        raise ClaimtrackError(f"source {quoted_name(ref)} is ambiguous (ids {ids}): use the id")
    raise ClaimtrackError(
        f"unknown source {quoted_name(ref)}: see 'claimtrack source list', or add it with "
        "'claimtrack source add TITLE --outlet PARTY'"
    )


def sources_titled(session: Session, title: str) -> list[Source]:
    """The sources of this exact title, whatever their outlet (as ``find_source`` finds
    them by title), in id order."""
    query = select(Source).where(Source.title_key == title_key(clean(title)))
    return list(session.scalars(query.order_by(Source.id)))


def get_or_add_source(
    session: Session,
    title: str,
    *,
    outlet: Party,
    url: str | None = None,
    language: str | None = None,
    published: When | None = None,
) -> tuple[Source, bool]:
    """The source with this outlet and title, created if new; and whether it was."""
    title = required(title, "source title")
    url = check_url(url)
    existing = session.scalars(
        select(Source).where(Source.outlet_id == outlet.id, Source.title_key == title_key(title))
    ).first()
    if existing is not None:
        differ = _source_differences(existing, url, language, published)
        if differ:  # reusing it would drop what was given: refused, nothing written
            raise ClaimtrackError(
                f"source #{existing.id} {quoted_name(existing.title)} exists with "
                f"{' and '.join(differ)}: leave those options out to use it, or give the "
                "new one its own title"
            )
        return existing, False
    source = Source(
        outlet=outlet,
        title=title,
        title_key=title_key(title),
        url=url,
        language=language,
        published_at=published.at if published else None,
        published_offset=published.offset_minutes if published else None,
        published_precision=published.precision if published else None,
        created_at=utcnow(session),
    )
    session.add(source)
    session.flush()
    return source, True


def _source_differences(source: Source, url, language, published: When | None) -> list[str]:
    """What a source add gives that the existing source of its title does not hold: each
    as "<field> <stored> (not <given>)"; a field not given asks nothing."""
    differ = []
    if url is not None and url != source.url:
        differ.append(f"URL {source.url or 'none'} (not {url})")
    if language is not None and language != source.language:
        differ.append(f"language {source.language or 'none'} (not {language})")
    if published is not None:
        stored = (
            None
            if source.published_at is None
            else When(source.published_at, source.published_offset or 0,
                      source.published_precision)
        )  # fmt: skip
        if stored != published:
            differ.append(f"published {stored or 'none'} (not {published})")
    return differ


# -- claims -------------------------------------------------------------------------


def find_claim(session: Session, ref: str | int) -> Claim:
    """A claim by id or slug, as an ORM object (``lookup.find_claim``: as a row). A merged
    claim resolves to the claim it was merged into."""
    from claimtrack.lookup import find_claim as find_row

    return session.get(Claim, find_row(session, ref).id)


def check_slug(slug: str | None) -> str | None:
    if slug is None:
        return None
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise UsageError(
            f"invalid slug {slug!r}: use lower-case letters, digits and dashes, "
            "starting with a letter"
        )
    return slug


def text_key(text: str) -> str:
    """The digest that finds a claim saying the same, whatever its length: the same
    ``normalise``, final full stops aside."""
    return normalised_text_key(normalise(text))


# What a claim's key ignores at its end: full stops (Latin, ideographic, Arabic/Urdu) and
# the spaces before them. An ellipsis is three full stops once normalised (NFKC makes "…"
# "..."): "the army withdrew…" and "the army withdrew." say the same words, and a text
# cut short by the source that quoted it is still that text. "?" and "!" stay: a
# question is not the claim. A change here changes every stored ``text_key``: it needs
# a revision that recomputes them (as 0018 and 0020 do).
FINAL_STOPS = frozenset(".\u3002\u06d4")
# Quotation marks around a whole text, as ``normalise`` leaves them (typographic quotes
# folded to the typewriter's): the text pasted with its quotes is the text.
WRAPPERS = frozenset({('"', '"'), ("'", "'"), ("\u00ab", "\u00bb"), ("\u00bb", "\u00ab"),
                       ("\u2039", "\u203a"), ("\u300c", "\u300d"),
                       ("\u300e", "\u300f")})  # fmt: skip


def normalised_text_key(key: str) -> str:
    """``text_key`` of a text whose ``normalise`` is ``key``: its digest, less the final
    full stops and the spaces before them (a text of only full stops keeps them), and
    less one pair of quotation marks around the whole of it where neither mark is
    inside ('"No comment."' is "No comment"; '"Yes" and "no"' keeps its quotes), with the
    full stops just inside them. Spaces as ``str.strip`` sees them, as ``normalise``
    trims: it keeps an information separator (\\x1f) inside a text, and strips it from
    the end."""
    key = _without_final_stops(key)
    if len(key) > 2 and (key[0], key[-1]) in WRAPPERS:
        inside = key[1:-1]
        if key[0] not in inside and key[-1] not in inside:
            key = _without_final_stops(inside.strip()) or key
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _without_final_stops(key: str) -> str:
    end = len(key)
    while end and (key[end - 1] in FINAL_STOPS or key[end - 1].isspace()):
        end -= 1
    return key[:end] if end else key


def title_key(title: str) -> str:
    """A source title's digest, for its unique key (titles may be longer than an index row)."""
    return hashlib.sha256(title.encode("utf-8")).hexdigest()


def find_same_claim(session: Session, text: str, topic: str) -> Claim | None:
    return session.scalars(
        select(Claim)
        .where(Claim.topic == topic, Claim.text_key == text_key(text))
        .order_by(Claim.id)
    ).first()


def check_new_claim(
    session: Session, text: str, *, topic: str, slug: str | None, allow_same: bool = False
) -> tuple[str, str, str | None]:
    """What ``add_claim`` refuses, read without writing: an empty text or topic, a claim
    already saying it (unless ``allow_same``), a bad or taken slug. Returns the text,
    topic and slug as stored. ``claim add`` asks it before anything else is written, so
    that such a refusal draws no id (PostgreSQL's sequences do not go back)."""
    text = required(text, "claim text")
    topic = required(topic, "topic")
    same = None if allow_same else find_same_claim(session, text, topic)
    if same is not None:
        raise ClaimtrackError(
            f"claim {same.id} already says this in topic {topic!r}: record a stance on it "
            f"(claimtrack claim confirm {same.id} --by ...), or pass --force"
        )
    slug = check_slug(slug)
    if slug and session.scalars(select(Claim.id).where(Claim.slug == slug)).first():
        raise ClaimtrackError(f"slug {slug!r} is taken by another claim")
    return text, topic, slug


def add_claim(
    session: Session,
    text: str,
    *,
    topic: str = DEFAULT_TOPIC,
    language: str | None = None,
    slug: str | None = None,
    editor: str,
    allow_same: bool = False,
    checked: bool = False,
) -> Claim:
    """A new claim; refuses one whose normalised text already stands in the topic,
    unless ``allow_same``. ``checked``: the text, topic and slug are what
    ``check_new_claim`` returned, and no claim was written since (not read again)."""
    if not checked:
        text, topic, slug = check_new_claim(session, text, topic=topic, slug=slug,
                                            allow_same=allow_same)  # fmt: skip
    claim = Claim(
        topic=topic,
        text=text,
        text_norm=normalise(text),
        text_key=text_key(text),
        slug=slug,
        language=language,
        created_at=utcnow(session),
        created_by=editor,
    )
    session.add(claim)
    session.flush()
    from claimtrack.schema import claim_sketch
    from claimtrack.similar import sketch_rows

    rows = sketch_rows(claim.id, topic, claim.text_norm)
    if rows:
        session.connection().execute(insert(claim_sketch), rows)
    return claim


def add_stance(
    session: Session,
    claim: Claim,
    party: Party,
    kind: str,
    *,
    said: When,
    quote: str | None = None,
    quote_lang: str | None = None,
    via: Party | None = None,
    source: Source | None = None,
    editor: str,
    recorded_at: dt.datetime | None = None,
    flush: bool = True,
) -> Stance:
    """Record one party's position on a claim. Stances are never deleted.

    ``recorded_at`` keeps the original recording time when a stance is imported."""
    if kind not in STANCE_KINDS:
        raise UsageError(f"unknown stance kind {kind!r}: use one of {', '.join(STANCE_KINDS)}")
    if quote is not None:
        quote = quote.strip() or None
        if quote and "\x00" in quote:
            raise UsageError("quote contains a NUL byte")
    stance = Stance(
        claim=claim,
        party=party,
        kind=kind,
        quote=quote,
        quote_lang=quote_lang,
        via=via,
        source=source,
        said_at=said.at,
        said_offset=said.offset_minutes,
        said_precision=said.precision,
        said_until=said.until,
        recorded_at=recorded_at or utcnow(session),
        recorded_by=editor,
    )
    session.add(stance)
    if flush:
        session.flush()
    return stance


def first_said(session: Session, claim: Claim) -> tuple[When, str, str] | None:
    """(when, by whom, how) of the first counting stance said on the claim, in said
    order; None when none counts (read by the claim's stances, a few per claim)."""
    row = session.execute(
        select(Stance.said_at, Stance.said_offset, Stance.said_precision, Party.name, Stance.kind)
        .join(Party, Party.id == Stance.party_id)
        .where(Stance.claim_id == claim.id, Stance.void_at.is_(None))
        .order_by(Stance.said_at, Stance.id)
        .limit(1)
    ).first()
    return None if row is None else (said_when(row), row.name, row.kind)


def find_same_stance(
    session: Session,
    claim: Claim,
    party: Party,
    kind: str,
    said: When,
    *,
    source: Source | None,
    quote: str | None,
    any_quote: bool = False,
) -> Stance | None:
    """An existing stance with the same claim, party, kind, time, source and quote (any
    quote, with ``any_quote``: for a record that carries none)."""
    quoted = (Stance.quote == quote if quote else Stance.quote.is_(None),)
    return session.scalars(
        select(Stance).where(
            Stance.claim_id == claim.id,
            Stance.party_id == party.id,
            Stance.kind == kind,
            Stance.said_at == said.at,
            Stance.source_id == source.id if source else Stance.source_id.is_(None),
            *(() if any_quote else quoted),
        )
    ).first()


def link_claims(session: Session, a: Claim, b: Claim, kind: str, *, editor: str) -> ClaimLink:
    """Link claim ``a`` to ``b``: a contradicts b, or a is the same as b."""
    if kind not in LINK_KINDS:
        raise UsageError(f"unknown link kind {kind!r}: use one of {', '.join(LINK_KINDS)}")
    if a.id == b.id:
        raise ClaimtrackError(f"claim {a.id} cannot be linked to itself")
    existing = find_link(session, a, b, kind)
    if existing is not None:
        return existing
    check_link_fits(session, a, b, kind)
    link = ClaimLink(
        from_claim_id=a.id,
        to_claim_id=b.id,
        kind=kind,
        created_at=utcnow(session),
        created_by=editor,
    )
    session.add(link)
    session.flush()
    return link


# The other kind of link, which a pair of claims cannot have as well: a claim cannot
# contradict one it says the same as.
OPPOSITE_LINK = {"contradicts": "same_as", "same_as": "contradicts"}
LINKED_AS = {"contradicts": "as contradicting each other", "same_as": "as saying the same"}


def link_clash(a: int, b: int, kind: str) -> str:
    """Why claim a cannot be linked to b this way: they are linked the other way."""
    relation = "contradict" if kind == "contradicts" else "be the same as"
    linked = LINKED_AS[OPPOSITE_LINK[kind]]
    return f"claim {a} cannot {relation} #{b}: they are linked {linked} already"


def check_link_fits(session: Session, a: Claim, b: Claim, kind: str) -> None:
    """Refuse to link a and b one way when they are linked the other way already."""
    if find_link(session, a, b, OPPOSITE_LINK[kind]) is not None:
        raise ClaimtrackError(link_clash(a.id, b.id, kind))


def find_link(session: Session, a: Claim, b: Claim, kind: str) -> ClaimLink | None:
    """The link of this kind between a and b, in either direction."""
    return session.scalars(
        select(ClaimLink).where(
            ClaimLink.kind == kind,
            or_(
                (ClaimLink.from_claim_id == a.id) & (ClaimLink.to_claim_id == b.id),
                (ClaimLink.from_claim_id == b.id) & (ClaimLink.to_claim_id == a.id),
            ),
        )
    ).first()


def position_before(session: Session, claim: Claim, party: Party, said: When) -> Stance | None:
    """The party's standing position on the claim just before a stance said at ``said``
    and recorded now: the stance it would follow in said order (``claimtrack.order``)."""
    from claimtrack.order import position, said_order

    stances = session.scalars(
        select(Stance).where(
            Stance.claim_id == claim.id,
            Stance.party_id == party.id,
            Stance.kind.in_(POSITION_KINDS),
            Stance.void_at.is_(None),
        )
    ).all()
    sequence = said_order(stances)
    place = position(sequence, said.at, said.until)
    return sequence[place - 1] if place else None


def check_stance_changes_something(
    session: Session, claim: Claim, party: Party, kind: str, said: When, *, again: bool,
    quote: str | None = None,
) -> None:  # fmt: skip
    """Refuse a stance that repeats the party's position at the time it was said, or
    retracts nothing. The position is read in said order, so a back-dated repeat is
    caught as surely as one recorded in sequence. A question or comment that takes no
    position is refused when the party's same one (``quote``) said at the same time is
    recorded already: run twice, as an import finds it "already present".

    A repeated denial is news only when someone means it ("Iran denied it again"):
    ``again`` records it anyway.
    """
    if kind not in POSITION_KINDS:
        if not again:
            _check_not_recorded(session, claim, party, kind, said, quote)
        return
    before = position_before(session, claim, party, said)
    if kind == WITHDRAWAL and (before is None or before.kind == WITHDRAWAL):
        raise ClaimtrackError(
            f"{party.name} has no standing stance on claim {claim.id} to retract at {said}"
        )
    side = side_of(kind)
    same_side = before is not None and side is not None and side_of(before.kind) == side
    if same_side and not again:
        raise ClaimtrackError(
            f"{party.name} already {before.kind} claim {claim.id} (stance {before.id}); "
            "pass --again to record a repeated statement"
        )
    # The other side at a time that overlaps the standing stance's (the same minute, or
    # within its day): only being recorded later would make this the party's latest, and
    # a wrong --by or --at would turn its position round unseen (a new user's slip).
    turned = before is not None and side is not None and side_of(before.kind) not in (None, side)
    if turned and not again and before.said_at < said.until and said.at < before.said_until:
        same = (before.said_at, before.said_until) == (said.at, said.until)
        raise ClaimtrackError(
            f"{party.name} {before.kind} claim {claim.id} at {said_when(before)} (stance "
            f"{before.id}); said {'at the same time' if same else f'at {said}, overlapping it'}, "
            "this stance would count as the later only for being recorded later: check --by "
            "and --at, or pass --again to record it"
        )


def _check_not_recorded(session: Session, claim: Claim, party: Party, kind: str, said: When,
                        quote: str | None) -> None:  # fmt: skip
    """nu21: `claim question` run twice recorded the question twice, unsaid."""
    S = Stance
    same = session.scalar(
        select(S.id).where(
            S.claim_id == claim.id, S.party_id == party.id, S.kind == kind,
            S.said_at == said.at, S.said_precision == said.precision,
            S.said_offset == said.offset_minutes, S.void_at.is_(None),
            S.quote.is_(None) if quote is None else S.quote == quote,
        ).limit(1)
    )  # fmt: skip
    if same is not None:
        raise ClaimtrackError(
            f"{party.name} {kind} claim {claim.id} at {said} already (stance {same}); pass "
            "--again to record it again"
        )


def merge_claims(session: Session, duplicate: Claim, target: Claim, *, editor: str,
                 again: bool = False) -> tuple[int, int, Effects]:  # fmt: skip
    """Merge a duplicate into its target: stances, links and verdicts move, nothing is
    deleted.

    The duplicate stays, marked as merged, so its id still resolves to the target.
    Returns the numbers of stances and of verdicts moved, and what else the merge did
    (``claimtrack.merges``): a party's stances on the two said at overlapping times that
    take other positions are refused, as ``claim deny`` refuses one, unless ``again``.
    """
    if duplicate.id == target.id:
        # Bad usage, as ``party merge X X`` (exit 2): the two names are one claim.
        raise UsageError(f"claim {duplicate.id} is #{target.id}: nothing to merge")
    if find_link(session, duplicate, target, "contradicts") is not None:
        raise ClaimtrackError(
            f"claim {duplicate.id} cannot be merged into #{target.id}: they are linked "
            f"{LINKED_AS['contradicts']}"
        )
    from claimtrack import merges, state

    count, found = merges.overlaps(session, claim_ids=(duplicate.id, target.id))
    if count and not again:
        raise ClaimtrackError(merges.claim_refusal(duplicate.id, target.id, count, found))
    before = merges.claim_statuses(session, duplicate.id, target.id)
    # Re-rated once, as the merge ends: each flush below would otherwise replay the
    # target's whole contradiction group again (three replays, not one).
    with state.once(session):
        moved, verdicts = _merge_claims(session, duplicate, target, editor=editor)
    return moved, verdicts, Effects(count, found, merges.changes(session, before))


def repeated_stances(session: Session, duplicate: Claim, target: Claim) -> list[int]:
    """The ids of the duplicate's standing stances that repeat one standing on the target
    (``find_same_stance``'s key): a merge leaves the target both, two records of one
    stance (the export writes both)."""
    mine, theirs = Stance.__table__.alias("mine"), Stance.__table__.alias("theirs")
    same = exists().where(
        theirs.c.claim_id == target.id, theirs.c.void_at.is_(None),
        theirs.c.party_id == mine.c.party_id, theirs.c.kind == mine.c.kind,
        theirs.c.said_at == mine.c.said_at,
        theirs.c.source_id.is_not_distinct_from(mine.c.source_id),
        theirs.c.quote.is_not_distinct_from(mine.c.quote),
    )  # fmt: skip
    query = select(mine.c.id).where(mine.c.claim_id == duplicate.id, mine.c.void_at.is_(None))
    return list(session.scalars(query.where(same).order_by(mine.c.id)))


def _merge_claims(session: Session, duplicate: Claim, target: Claim, *,
                  editor: str) -> tuple[int, int]:  # fmt: skip
    from claimtrack.schema import verdict

    moved = 0
    for stance in list(duplicate.stances):
        stance.claim = target
        moved += 1
    # Its verdicts join the target's history, where the newest recorded stands (left on
    # the merged claim, one was in no report and still in the ClaimReview export).
    verdicts = session.execute(update(verdict).where(verdict.c.claim_id == duplicate.id)
                               .values(claim_id=target.id)).rowcount  # fmt: skip
    links = session.scalars(
        select(ClaimLink).where(
            or_(ClaimLink.from_claim_id == duplicate.id, ClaimLink.to_claim_id == duplicate.id)
        )
    )
    for link in list(links):
        ends = [
            target.id if end == duplicate.id else end
            for end in (link.from_claim_id, link.to_claim_id)
        ]
        other = session.get(Claim, ends[1] if ends[0] == target.id else ends[0])
        if other.id != target.id and find_link(session, target, other, OPPOSITE_LINK[link.kind]):
            # The target would both contradict the other claim and say the same as it.
            raise ClaimtrackError(
                f"claim {duplicate.id} cannot be merged into #{target.id}: #{duplicate.id} "
                f"{'contradicts' if link.kind == 'contradicts' else 'is the same as'} "
                f"#{other.id}, which #{target.id} "
                f"{'is the same as' if link.kind == 'contradicts' else 'contradicts'}"
            )
        # A link that would now join the target to itself, or repeat one it has, stays
        # on the merged claim, where it no longer counts.
        if ends[0] != ends[1] and find_link(session, target, other, link.kind) is None:
            link.from_claim_id, link.to_claim_id = ends
    session.flush()
    if find_link(session, duplicate, target, "same_as") is None:
        link_claims(session, duplicate, target, "same_as", editor=editor)
    duplicate.merged_into_id = target.id
    session.flush()
    return moved, verdicts


def set_slug(session: Session, claim: Claim, slug: str) -> str:
    """Give ``claim`` this slug (checked as ``claim add`` checks one); returns the change,
    for the log. The same slug again, or one another claim has, is refused."""
    slug = check_slug(slug)
    if slug == claim.slug:
        raise UsageError(f"claim {claim.id} has the slug {slug!r} already: nothing to change")
    taken = session.scalars(select(Claim.id).where(Claim.slug == slug)).first()
    if taken is not None:
        raise ClaimtrackError(f"slug {slug!r} is taken by claim {taken}")
    change = f"slug: {claim.slug or 'none'} -> {slug}"
    claim.slug = slug
    session.flush()
    return change


def similar_claims(
    session: Session, text: str, topic: str, *, limit: int = 3, exclude: tuple[int, ...] = ()
) -> list[Claim]:
    """Claims in the topic whose text is close to ``text``, closest first
    (``claimtrack.similar``: found by index, scored with rapidfuzz)."""
    from claimtrack.similar import similar

    ids = similar(session, normalise(text), clean(topic), limit=limit, exclude=exclude)
    if not ids:
        return []
    found = {c.id: c for c in session.scalars(select(Claim).where(Claim.id.in_(ids)))}
    return [found[claim_id] for claim_id in ids]  # one statement, not one a claim


# -- corrections by the desk ------------------------------------------------------------


def find_stance(session: Session, ref: str) -> Stance:
    stance = session.get(Stance, as_id(ref)) if as_id(ref) is not None else None
    if stance is None:
        raise ClaimtrackError(f"unknown stance {ref!r}: 'claimtrack claim show CLAIM' lists ids")
    return stance


def void_stance(session: Session, stance: Stance, *, reason: str, editor: str) -> Stance:
    """Stop a mis-recorded stance counting. It stays on record, with who voided it, when
    and why; looking back to before now (``--known-at``) still sees it."""
    reason = required(reason, "reason")
    if stance.void_at is not None:
        raise ClaimtrackError(_voided_already(stance))
    stance.void_at, stance.void_by, stance.void_reason = utcnow(session), editor, reason
    session.flush()
    return stance


def _voided_already(stance: Stance) -> str:
    return (
        f"stance {stance.id} was voided already, {stance.void_at:%Y-%m-%d %H:%M}Z by "
        f"{stance.void_by}: {stance.void_reason}"
    )


def amended_by(session: Session, stance: Stance) -> Stance | None:
    """The stance that stands in place of an amended one: the last of the chain of
    amends from it, if that one still counts; else None."""
    from claimtrack.schema import stance as table

    found = None
    while True:
        query = select(table.c.id).where(table.c.amends_id == stance.id).order_by(table.c.id)
        later = session.execute(query.limit(1)).scalar()
        if later is None:
            return found if found is not None and found.void_at is None else None
        found = stance = session.get(Stance, later)


def amend_stance(
    session: Session, stance: Stance, *, reason: str, editor: str, **changes
) -> Stance:
    """Void a stance and record it again as it should have been, linked to the old one.

    ``changes`` may set ``kind``, ``said`` (a When), ``quote``, ``quote_lang``, ``via``
    and ``source``; what is not given is copied. A stance voided already is refused,
    naming the stance that stands in its place when an amend recorded one."""
    if stance.void_at is not None:
        instead = amended_by(session, stance)
        hint = f"; amend #{instead.id} instead" if instead is not None else ""
        raise ClaimtrackError(_voided_already(stance) + hint)
    was = said_when(stance)
    said = changes.pop("said", None) or was
    fields = {name: getattr(stance, name) for name in ("kind", "quote", "quote_lang", "via",
                                                       "source")}  # fmt: skip
    given = {k: v for k, v in changes.items() if v is not None}
    if said == was and all(fields.get(k) == v for k, v in given.items()):
        raise UsageError(
            f"stance {stance.id} would be recorded again as it is: say what to change "
            "(--kind, --at, --quote, --source, --via), or void it"
        )
    void_stance(session, stance, reason=reason, editor=editor)
    fields.update(given)
    check_stance_changes_something(
        session, stance.claim, stance.party, fields["kind"], said, again=True
    )
    new = add_stance(session, stance.claim, stance.party, said=said, editor=editor,
                     flush=False, **fields)  # fmt: skip
    new.amends = stance
    session.flush()
    return new


def edit_party(
    session: Session,
    party: Party,
    *,
    name: str | None = None,
    kind: str | None = None,
    acts_for: Party | None = None,
    no_side: bool = False,
    description: str | None = None,
    anonymous: bool = False,
) -> list[str]:
    """Change a party's name, kind, side or description (``""`` removes it); returns what
    changed, as "field: old -> new". ``anonymous``: it becomes an anonymous source (the
    kind 'anonymous'); a named kind makes an anonymous source a named party again. Nothing
    kept depends on it (counts, sides and names do not; reports read it as they run)."""
    if anonymous:
        if kind not in (None, "anonymous"):
            raise UsageError(f"--anonymous is a kind of its own: leave out --kind {kind}")
        kind = "anonymous"
    changed = []
    if name is not None:
        name = required(name, "party name")
        if name != party.name:
            _take_name(session, party, name, "party name", new=False)
            if not any(a.alias_norm == party.name_norm for a in party.aliases):
                session.execute(delete(PartyName).where(
                    PartyName.party_id == party.id, PartyName.key == party.name_norm,
                    PartyName.key != normalise(name),
                ))  # fmt: skip
            changed.append(f"name: {party.name} -> {name}")
            party.name, party.name_norm = name, normalise(name)
    if kind is not None and kind != party.kind:
        if kind not in PARTY_KINDS:
            raise UsageError(f"unknown party kind {kind!r}: use one of {', '.join(PARTY_KINDS)}")
        changed.append(f"kind: {party.kind} -> {kind}")
        # One UPDATE of both: the anonymous_matches_kind CHECK holds them equal.
        party.kind, party.anonymous = kind, kind == "anonymous"
    if acts_for is not None or no_side:
        check_not_circular(party, acts_for)
        old = party.acts_for.name if party.acts_for else "no one"
        new = acts_for.name if acts_for else "no one"
        if old != new:
            changed.append(f"acts for: {old} -> {new}")
            party.acts_for = acts_for
    if description is not None:
        new_description = clean_description(description)
        if new_description != party.description:
            old, new = party.description or "none", new_description or "none"
            changed.append(f"description: {old} -> {new}")
            party.description = new_description
    if not changed:  # a usage error, as stance amend's "recorded again as it is" (nu18)
        raise UsageError(
            f"nothing to change for {party.name}: give --name, --kind, --anonymous, --for or "
            "--description"
        )
    session.flush()
    return changed


def clean_description(description: str | None) -> str | None:
    """A party's description with its blanks folded (it is one line); None when empty."""
    if description is None:
        return None
    if "\x00" in description:
        raise UsageError("the description contains a NUL byte")
    return " ".join(description.split()) or None


def check_not_circular(party: Party, acts_for: Party | None) -> None:
    seen = acts_for
    while seen is not None:
        if seen.id == party.id:
            raise ClaimtrackError(f"{party.name} cannot act for {acts_for.name}: that is circular")
        seen = seen.acts_for


def _one(what: str) -> str:
    """ "stances" -> "stance", "sources joined" -> "source joined": what one of them is."""
    word, _, rest = what.partition(" ")
    return " ".join([word[:-1], rest]).strip() if word in ("stances", "sources") else what


def merge_parties(session: Session, party: Party, into: Party, *,
                  again: bool = False) -> tuple[str, Effects]:  # fmt: skip
    """Make ``party`` one with ``into``: its stances, sources, aliases and the parties
    acting for it move to ``into``, its name becomes an alias of ``into`` (so it still
    finds the party), and it is removed. Returns what moved, for the log, and what else
    the merge did (``claimtrack.merges``): stances of the two on a claim said at
    overlapping times that take other positions are refused, as ``claim deny`` refuses
    one, unless ``again``."""
    from claimtrack import merges, state, tally

    if party.id == into.id:
        raise UsageError(
            f"{visible_name(party.name)} is {visible_name(into.name)}: nothing to merge"
        )
    count, found = merges.overlaps(session, party_ids=(party.id, into.id))
    if count and not again:
        raise ClaimtrackError(merges.party_refusal(party.name, into.name, count, found))
    before = merges.party_statuses(session, party.id, into.id)
    # INTO acting for PARTY, directly or through others: merged, it takes PARTY's side
    # (below), or the parties between would act for it and it for them, a loop.
    up = into.acts_for
    while up is not None and up.id != party.id:
        up = up.acts_for
    absorbs_its_side = up is not None
    connection = session.connection()
    stance, source = Stance.__table__, Source.__table__
    claims = set(session.scalars(select(Stance.claim_id).where(Stance.party_id == party.id)))
    # Sources: one of the same title at ``into`` is the same source, and takes the other's
    # stances, when nothing tells them apart; two addresses for one title are refused.
    theirs = {s.title_key: s for s in session.scalars(
        select(Source).where(Source.outlet_id == into.id))}  # fmt: skip
    twins = {}
    for mine in session.scalars(select(Source).where(Source.outlet_id == party.id)):
        other = theirs.get(mine.title_key)
        if other is None:
            continue
        if mine.url and other.url and mine.url != other.url:
            raise ClaimtrackError(
                f"{visible_name(party.name)} and {visible_name(into.name)} both published a "
                f"source titled {quoted_name(mine.title)}, "
                f"at different addresses (#{mine.id} {mine.url}, #{other.id} {other.url}): "
                "a merge would lose one; nothing was merged"
            )
        if mine.url and not other.url:
            other.url = mine.url
        twins[mine.id] = other.id
    for old, new in twins.items():
        connection.execute(update(stance).where(stance.c.source_id == old).values(source_id=new))
        connection.execute(delete(source).where(source.c.id == old))
    moved = {
        "stances": connection.execute(update(stance).where(stance.c.party_id == party.id)
                                      .values(party_id=into.id)).rowcount,
        "reported via": connection.execute(update(stance).where(stance.c.via_id == party.id)
                                           .values(via_id=into.id)).rowcount,
        "sources": connection.execute(update(source).where(source.c.outlet_id == party.id)
                                      .values(outlet_id=into.id)).rowcount,
    }  # fmt: skip
    if absorbs_its_side:  # it acted for the party it absorbs: take its side
        into.acts_for_id = party.acts_for_id
    members = Party.__table__
    session.flush()
    moved["acting for it"] = connection.execute(
        update(members)
        .where(members.c.acts_for_id == party.id, members.c.id != into.id)
        .values(acts_for_id=into.id)
    ).rowcount
    moved["sources joined"] = len(twins)
    aliases = [a.alias for a in party.aliases]
    for table in (PartyAlias.__table__, PartyName.__table__):
        connection.execute(update(table).where(table.c.party_id == party.id)
                           .values(party_id=into.id))  # fmt: skip
    session.add(PartyAlias(party_id=into.id, alias=party.name, alias_norm=party.name_norm))
    detail = (f"#{party.id} {party.name} [{party.kind}] into #{into.id} {into.name}: "
              + ", ".join(f"{n} {_one(what) if n == 1 else what}" for what, n in moved.items())
              + (f"; aliases {', '.join(aliases)}" if aliases else ""))  # fmt: skip
    session.flush()
    session.expire_all()
    if claims:  # before the party goes: its kept counts (``tally``) are re-counted away
        state.refresh(session, claims, replay=claims)
    effects = Effects(count, found, merges.changes(session, before))
    # Those that acted for it act for ``into`` now, or ``into`` took its side: their claims
    # are counted on their new sides. Else no party's side changed, and the claims whose
    # stances moved were re-counted above (re-counting every claim of ``into`` and of the
    # parties acting for it read a second of a 1M-claim archive on PostgreSQL).
    if moved["acting for it"] or absorbs_its_side:
        tally.resides(session, [into.id])
    connection.execute(delete(members).where(members.c.id == party.id))
    return detail, effects
