"""PHEME rumour threads (Zubiaga et al. 2016), flattened, as claimtrack records.

Reads ``pheme_tweets.csv`` (the tweets of each thread: its source tweet and the replies,
each reply with the tweet it answers in ``parent_id``) and ``pheme_links.csv`` (news
and blog articles that covered each rumour, with their position on it).

- **Claims.** Each thread's source tweet is a claim (slug ``pheme-<event>-<thread id>``)
  in the topic ``pheme-<event>``, in the tweet's words, asserted by its author. A thread
  whose source tweet this partial copy lacks takes the rumour, in the annotators' words,
  as its claim, asserted by no one. How the annotators placed the source tweet on the
  rumour (supporting, denying, underspecified) is kept in its source title.
- **Replies.** Each reply is its author's stance on the thread's claim (PHEME annotates a
  reply toward its thread's source tweet): agreed confirms, disagreed denies,
  appeal-for-more-information questions, comment comments; a reply the annotators left
  unlabelled is recorded as a comment, which takes no side. The reply link is kept in
  the tweet's source title ("<id>, in reply to <parent id>"), with the tweet's address.
  A tweet the file lists under two threads is taken once, in the thread its replies lead
  up to.
- **Rumours.** Several threads may carry one rumour: their claims are linked as the same
  (``same_as``) to the rumour's first thread (the earliest whose claim states the
  rumour: its source tweet supports it). No thread is linked as contradicting another:
  PHEME says which rumour a thread carries, not that two threads disagree.
- **Links.** Each article is its outlet's stance (a media party named by its domain) on
  the rumour's first thread, once (the file repeats each article for every thread of
  its rumour; putting it on each would count one article several times): for confirms,
  against denies, observing (or no position given) comments; the article is the
  source, its address kept. PHEME gives no date for an article: it is dated the day the
  rumour's first thread began.
- **Veracity.** The thread's veracity (true, false, unverified) is a verdict published
  by the party "PHEME annotators". It judges the rumour: on a thread whose source tweet
  does not state the rumour (denies it, or is underspecified), a true or false veracity
  keeps the annotators' label but is not placed on the shared scale, which would rate
  the tweet.

Not carried over: the annotators' certainty and evidentiality labels (claimtrack has
no place for them), and whether an author's account is verified. PHEME names no one's
affiliation, so no party is given a side.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import regex

from claimtrack.datasets import Conversion, Publisher, VerdictRow
from claimtrack.errors import ClaimtrackError

TWEETS, LINKS = "pheme_tweets.csv", "pheme_links.csv"
TWEET_COLUMNS = ("event", "thread_id", "claim", "veracity", "tweet_id", "parent_id",
                 "is_source", "author_screen_name", "author_name", "created_at", "stance",
                 "text")  # fmt: skip
LINK_COLUMNS = ("event", "thread_id", "claim", "veracity", "url", "outlet", "mediatype",
                "position")  # fmt: skip
# How the annotators placed a source tweet on its rumour, in its source title.
SOURCE_NOTES = {"supporting": "supporting the rumour", "denying": "denying the rumour",
                "underspecified": "underspecified on the rumour"}  # fmt: skip
REPLY_STANCES = {"agreed": "confirms", "disagreed": "denies",
                 "appeal-for-more-information": "questions", "comment": "comments",
                 "": "comments"}  # fmt: skip
LINK_STANCES = {"for": "confirms", "against": "denies", "observing": "comments", "": "comments"}
PUBLISHER = Publisher("PHEME annotators", "organisation")
VERACITY = {"true": ("True", "true"), "false": ("False", "false"),
            "unverified": ("Unverified", "unverified")}  # fmt: skip
# A display name of invisible characters only (Hangul fillers, zero-width spaces) names
# no one: claimtrack refuses it, so it is not offered as an alias.
_INVISIBLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\s]*")


def read_csv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line, row) for every row of one of PHEME's files, its columns checked."""
    if not path.is_file():
        raise ClaimtrackError(
            f"{path.parent} has no {path.name}: give the folder holding {TWEETS} and {LINKS}"
        )
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f, strict=True)
            missing = [c for c in columns if c not in (reader.fieldnames or ())]
            if missing:
                raise ClaimtrackError(f"{path}: missing column(s) {', '.join(missing)}")
            # A record's line is where it starts: a tweet's text may hold line breaks.
            rows, start = [], reader.line_num + 1
            for row in reader:
                rows.append((start, row))
                start = reader.line_num + 1
            return rows
    except UnicodeDecodeError as exc:
        raise ClaimtrackError(f"{path} is not UTF-8 ({exc.reason})") from None
    except csv.Error as exc:
        raise ClaimtrackError(f"{path}: {exc}") from None


def _aliases(tweets: list[dict]) -> dict[str, str]:
    """screen name -> its display name, where that names this account alone: display names
    are not unique on Twitter (two accounts called "Matthew" are two people), and in
    claimtrack a name or alias finds one party. A display name's tabs and line breaks
    (claimtrack refuses them in a name) are each made a space."""
    from claimtrack.names import normalise, on_one_line

    users: dict[str, set[str]] = {}
    for t in tweets:
        for name in (on_one_line(t["author_name"]), t["author_screen_name"]):
            users.setdefault(normalise(name), set()).add(t["author_screen_name"])
    found = {}
    for t in tweets:
        name, author = on_one_line(t["author_name"]), t["author_screen_name"]
        if (not _INVISIBLE.fullmatch(name) and normalise(name) != normalise(author)
                and users[normalise(name)] == {author}):  # fmt: skip
            found[author] = name
    return found


def _said(created_at: str) -> dt.datetime:
    return dt.datetime.strptime(created_at, "%a %b %d %H:%M:%S %z %Y")


class _Thread:
    """One thread: its claim, the rumour it carries, and when it began."""

    def __init__(self, row: dict, rumour: tuple[str, str]) -> None:
        self.id, self.event = row["thread_id"], row["event"]
        self.rumour = rumour
        self.rumour_text, self.veracity = row["claim"].strip(), row["veracity"]
        self.ref = f"pheme-{self.event.replace('_', '-').lower()}-{self.id}"
        self.topic = f"pheme-{self.event}"
        self.source: dict | None = None  # its source tweet, when this copy has it
        self.begun: dt.datetime | None = None
        self.same_as = ""  # the ref of its rumour's first thread, when not that thread

    @property
    def text(self) -> str:
        if self.source is not None:
            return self.source["text"]
        return self.rumour_text or f"Rumour of PHEME thread {self.id} (no text given)"

    @property
    def states_rumour(self) -> bool:
        """Its claim says what the rumour says: the source tweet supports the rumour, or
        (the source tweet missing) the claim is the rumour's own words."""
        return self.source is None or self.source["stance"] == "supporting"


def _threads(tweets: list[tuple[int, dict]]) -> dict[str, _Thread]:
    """Every thread in file order, with its source tweet and start; a rumour's threads
    must agree on its veracity."""
    threads: dict[str, _Thread] = {}
    veracity: dict[tuple[str, str], str] = {}
    for line, t in tweets:
        rumour = _rumour(t)
        if veracity.setdefault(rumour, t["veracity"]) != t["veracity"]:
            raise ClaimtrackError(
                f"{TWEETS}:{line}: veracity {t['veracity']!r}, where another thread of this "
                f"rumour has {veracity[rumour]!r}"
            )
        thread = threads.get(t["thread_id"]) or threads.setdefault(
            t["thread_id"], _Thread(t, rumour)
        )
        said = _said(t["created_at"])
        thread.begun = min(said, thread.begun or said)
        if t["is_source"] == "1" and thread.source is None:
            thread.source = t
    return threads


def _rumour(row: dict) -> tuple[str, str]:
    """A row's rumour: its event and the annotators' words (a thread without: its own)."""
    return (row["event"], row["claim"].strip() or f"\x00thread {row['thread_id']}")


def _firsts(threads: dict[str, _Thread]) -> dict[tuple[str, str], _Thread]:
    """Each rumour's first thread, the earliest begun among those whose claim states the
    rumour (else the earliest); the others are linked to it as the same."""
    by_rumour: dict[tuple[str, str], list[_Thread]] = {}
    for thread in threads.values():
        by_rumour.setdefault(thread.rumour, []).append(thread)
    firsts = {}
    for rumour, group in by_rumour.items():
        first = min(group, key=lambda th: (not th.states_rumour, th.begun))
        for thread in group:
            thread.same_as = "" if thread is first else first.ref
        firsts[rumour] = first
    return firsts


def _homes(tweets: list[tuple[int, dict]]) -> dict[str, int]:
    """tweet id -> the line of its listing taken: for a tweet listed under two threads,
    the one in the thread its replies lead up to (a thread's id is its source tweet's),
    else the first."""
    listings: dict[str, list[tuple[int, str]]] = {}
    parents: dict[str, str] = {}
    for line, t in tweets:
        listings.setdefault(t["tweet_id"], []).append((line, t["thread_id"]))
        if t["parent_id"]:
            parents.setdefault(t["tweet_id"], t["parent_id"])
    homes = {}
    for tweet_id, listed in listings.items():
        homes[tweet_id] = listed[0][0]
        threads = {thread: line for line, thread in reversed(listed)}
        if len(threads) > 1:
            current, seen = tweet_id, set()
            while current in parents and current not in seen:
                seen.add(current)
                current = parents[current]
                if current in threads:
                    homes[tweet_id] = threads[current]
                    break
    return homes


def convert(folder: Path) -> Conversion:
    """PHEME's two files as claimtrack rows and verdicts."""
    tweets = read_csv(folder / TWEETS, TWEET_COLUMNS)
    links = read_csv(folder / LINKS, LINK_COLUMNS)
    conversion = Conversion("PHEME", folder)
    aliases = _aliases([t for _, t in tweets])
    threads = _threads(tweets)
    firsts = _firsts(threads)
    homes = _homes(tweets)
    ids = {t["tweet_id"] for _, t in tweets}
    for line, t in tweets:
        where = f"{TWEETS}:{line}"
        conversion.read[TWEETS] += 1
        thread = threads[t["thread_id"]]
        is_source = t["is_source"] == "1"
        stances = SOURCE_NOTES if is_source else REPLY_STANCES
        if t["stance"] not in stances:
            raise ClaimtrackError(f"{where}: unknown stance {t['stance']!r}")
        if homes[t["tweet_id"]] != line:
            conversion.accounted[
                "tweets listed again (twice in a thread, or in a thread they do not answer)"
            ] += 1
            if not is_source:
                conversion.replies["listed again with its tweet"] += 1
            continue
        title = t["tweet_id"]
        parent = t["parent_id"]
        if is_source:
            conversion.accounted["source tweets (each its thread's claim, asserted)"] += 1
            title += f", source tweet {SOURCE_NOTES[t['stance']]}"
        elif not t["stance"]:
            conversion.accounted["replies without a stance label (recorded as comments)"] += 1
        else:
            conversion.accounted["replies with a stance label"] += 1
        if parent:  # kept, whether or not the tweet answered is in this partial copy
            title += f", in reply to {parent}"
            found = "in the file" if parent in ids else "not in this partial copy"
            conversion.replies[f"to a tweet {found}"] += 1
        elif not is_source:
            conversion.replies["replying to no tweet given"] += 1
        author = t["author_screen_name"]
        said = _said(t["created_at"])
        conversion.add(where, {
            "topic": thread.topic, "claim_ref": thread.ref, "claim": thread.text,
            "claim_lang": "en", "same_as": thread.same_as,
            "party": author, "party_kind": "person",
            "party_aliases": json.dumps([aliases[author]], ensure_ascii=False)
            if author in aliases else "",
            "stance": "asserts" if is_source else REPLY_STANCES[t["stance"]],
            "quote": t["text"],
            "source_title": title, "source_outlet": "Twitter",
            "source_url": f"https://twitter.com/{author}/status/{t['tweet_id']}",
            "said_at": said.isoformat(timespec="seconds"), "said_tz": "+00:00",
        })  # fmt: skip
    # An outlet whose domain is a Twitter author's display name (time.com: @TIME, shown
    # as "TIME.com") is that author: in claimtrack a name finds one party.
    from claimtrack.names import normalise

    accounts = {normalise(name): author for author, name in aliases.items()}
    began: dict[tuple[str, str], dt.datetime] = {}
    for thread in threads.values():
        began[thread.rumour] = min(thread.begun, began.get(thread.rumour, thread.begun))
    seen: set[tuple[tuple[str, str], str, str]] = set()
    for line, link in links:
        where = f"{LINKS}:{line}"
        conversion.read[LINKS] += 1
        rumour = _rumour(link)
        thread = threads.get(link["thread_id"])
        if thread is None or thread.rumour != rumour:
            raise ClaimtrackError(
                f"{where}: thread {link['thread_id']} with this rumour is not in {TWEETS}"
            )
        position = link["position"].strip()
        if position not in LINK_STANCES:
            raise ClaimtrackError(f"{where}: unknown position {position!r}")
        key = (rumour, link["url"], position)
        if key in seen:
            conversion.accounted["links given again for another thread of the rumour"] += 1
            continue
        seen.add(key)
        first = firsts[rumour]
        stance = _link_stance(first, position)
        if stance is None:  # the claim neither states nor denies the rumour
            conversion.accounted[
                "links on a rumour no thread's claim states or denies "
                "(recorded as comments, the position in the title)"
            ] += 1
            stance = "comments"
        else:
            conversion.accounted["links (an outlet's stance, on its rumour's first thread)"] += 1
        mediatype = link["mediatype"].strip()
        note = position if stance == "comments" and position != "observing" else ""
        # One address has a space in its query, which a browser sends as %20.
        url = link["url"].strip().replace(" ", "%20")
        outlet = accounts.get(normalise(link["outlet"]), link["outlet"])
        conversion.add(where, {
            "topic": first.topic, "claim_ref": first.ref, "claim": first.text,
            "claim_lang": "en", "same_as": first.same_as,
            "party": outlet, "party_kind": "media", "stance": stance,
            "source_title": url + f" ({', '.join(filter(None, (mediatype, note)))})"
            if mediatype or note else url,
            "source_outlet": outlet, "source_url": url,
            "said_at": began[rumour].date().isoformat(), "said_tz": "+00:00",
        })  # fmt: skip
    for thread in threads.values():
        if thread.veracity:
            conversion.verdicts.append(_verdict(thread))
    conversion.notes.append(
        "PHEME gives no date for a news link: each is dated the day its rumour's first thread began"
    )
    conversion.check_accounted()
    return conversion


def _link_stance(thread: _Thread, position: str) -> str | None:
    """An article's position on the rumour as a stance on the thread's claim: as it is
    where the claim states the rumour, turned round where its source tweet denies it;
    None where the tweet is underspecified and the article takes a side."""
    stance = LINK_STANCES[position]
    if thread.states_rumour or stance == "comments":
        return stance
    if thread.source["stance"] == "denying":
        return {"confirms": "denies", "denies": "confirms"}[stance]
    return None


def _verdict(thread: _Thread) -> VerdictRow:
    """The annotators' veracity of the thread's rumour, as a verdict on its claim."""
    label, rating = VERACITY[thread.veracity]
    placed = thread.states_rumour or rating == "unverified"
    rumour = thread.rumour_text or "(no text given)"
    how = "" if thread.source is None else (
        f" This thread's source tweet is {SOURCE_NOTES[thread.source['stance']]}"
        + ("." if placed else ": the veracity is the rumour's, not placed on the shared "
           "scale for this tweet.")
    )  # fmt: skip
    summary = f"Veracity of the rumour as PHEME's annotators judged it: {rumour}.{how}"
    return VerdictRow(thread.ref, label, rating if placed else None, summary, PUBLISHER)
