"""PHEME rumour threads (Zubiaga et al. 2016), flattened, as claimtrack records.

Reads ``pheme_tweets.csv`` (the tweets of each thread: its source tweet and the replies,
each reply with the tweet it answers in ``parent_id``) and ``pheme_links.csv`` (news
and blog articles that covered each rumour, with their position on it).

- **Claims.** Each rumour, in the annotators' words (the ``claim`` column), is a claim
  (slug ``pheme-<event>-<n>``) in the topic ``pheme-<event>``. Several threads may carry
  one rumour: their source tweets are then several parties asserting one claim. A
  thread the annotators gave no rumour text takes its source tweet's text as the claim.
- **Source tweets.** Each thread's source tweet is its author's stance on the claim:
  supporting asserts it, denying denies it, underspecified comments.
- **Replies.** Each reply is its author's stance on the rumour (the annotation is
  toward the source rumour): agreed confirms, disagreed denies,
  appeal-for-more-information questions, comment comments; a reply the annotators left
  unlabelled is recorded as a comment, which takes no side. The reply link is kept in
  the tweet's source title ("<id>, in reply to <parent id>"), with the tweet's address.
- **Links.** Each article is its outlet's stance (a media party named by its domain):
  for confirms, against denies, observing (or no position given) comments; the
  article is the source, its address kept. PHEME gives no date for an article: it is
  dated the day its thread began.
- **Veracity.** The thread's veracity (true, false, unverified) is the annotators'
  verdict on the claim.

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

from claimtrack.datasets import Conversion, VerdictRow
from claimtrack.errors import ClaimtrackError

TWEETS, LINKS = "pheme_tweets.csv", "pheme_links.csv"
TWEET_COLUMNS = ("event", "thread_id", "claim", "veracity", "tweet_id", "parent_id",
                 "is_source", "author_screen_name", "author_name", "created_at", "stance",
                 "text")  # fmt: skip
LINK_COLUMNS = ("event", "thread_id", "claim", "veracity", "url", "outlet", "mediatype",
                "position")  # fmt: skip
SOURCE_STANCES = {"supporting": "asserts", "denying": "denies", "underspecified": "comments"}
REPLY_STANCES = {"agreed": "confirms", "disagreed": "denies",
                 "appeal-for-more-information": "questions", "comment": "comments",
                 "": "comments"}  # fmt: skip
LINK_STANCES = {"for": "confirms", "against": "denies", "observing": "comments", "": "comments"}
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
    claimtrack a name or alias finds one party."""
    from claimtrack.names import normalise

    users: dict[str, set[str]] = {}
    for t in tweets:
        for name in (t["author_name"], t["author_screen_name"]):
            users.setdefault(normalise(name), set()).add(t["author_screen_name"])
    found = {}
    for t in tweets:
        name, author = t["author_name"], t["author_screen_name"]
        if (not _INVISIBLE.fullmatch(name) and normalise(name) != normalise(author)
                and users[normalise(name)] == {author}):  # fmt: skip
            found[author] = name
    return found


def _said(created_at: str) -> dt.datetime:
    return dt.datetime.strptime(created_at, "%a %b %d %H:%M:%S %z %Y")


class _Claims:
    """Each rumour's claim: its ref, text, topic and veracity, in the order first named."""

    def __init__(self, tweets: list[tuple[int, dict]]) -> None:
        self.refs: dict[tuple[str, str], str] = {}
        self.claims: dict[str, dict] = {}
        self.sources = {t["thread_id"]: t["text"] for _, t in tweets if t["is_source"] == "1"}

    def of(self, row: dict, where: str) -> dict:
        event, text = row["event"], row["claim"].strip()
        key = (event, text or f"\x00thread {row['thread_id']}")
        ref = self.refs.get(key)
        if ref is None:
            ref = self.refs[key] = f"pheme-{event.replace('_', '-').lower()}-{len(self.refs) + 1}"
            if not text:  # the annotators gave no rumour text: the source tweet's words
                text = self.sources.get(row["thread_id"]) or (
                    f"Rumour of PHEME thread {row['thread_id']} (no text given)"
                )
            self.claims[ref] = {"ref": ref, "text": text, "topic": f"pheme-{event}",
                                "veracity": row["veracity"], "threads": set()}  # fmt: skip
        claim = self.claims[ref]
        if row["veracity"] != claim["veracity"]:
            raise ClaimtrackError(
                f"{where}: veracity {row['veracity']!r}, where another thread of this "
                f"rumour has {claim['veracity']!r}"
            )
        claim["threads"].add(row["thread_id"])
        return claim


def convert(folder: Path) -> Conversion:
    """PHEME's two files as claimtrack rows and verdicts."""
    tweets = read_csv(folder / TWEETS, TWEET_COLUMNS)
    links = read_csv(folder / LINKS, LINK_COLUMNS)
    conversion = Conversion("PHEME", folder)
    aliases = _aliases([t for _, t in tweets])
    claims = _Claims(tweets)
    ids = {t["tweet_id"] for _, t in tweets}
    begun: dict[str, dt.datetime] = {}  # thread -> its earliest tweet
    taken: dict[tuple[str, str], str] = {}  # (claim, tweet id) -> where it was taken
    for line, t in tweets:
        where = f"{TWEETS}:{line}"
        conversion.read[TWEETS] += 1
        claim = claims.of(t, where)
        said = _said(t["created_at"])
        begun[t["thread_id"]] = min(said, begun.get(t["thread_id"], said))
        is_source = t["is_source"] == "1"
        stances = SOURCE_STANCES if is_source else REPLY_STANCES
        if t["stance"] not in stances:
            raise ClaimtrackError(f"{where}: unknown stance {t['stance']!r}")
        if (claim["ref"], t["tweet_id"]) in taken:
            conversion.accounted["tweets listed again (same tweet, same rumour)"] += 1
            if not is_source:
                conversion.replies["listed again with its tweet"] += 1
            continue
        taken[(claim["ref"], t["tweet_id"])] = where
        title = t["tweet_id"]
        parent = t["parent_id"]
        if is_source:
            conversion.accounted["source tweets (asserting, denying or commenting)"] += 1
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
        conversion.add(where, {
            "topic": claim["topic"], "claim_ref": claim["ref"], "claim": claim["text"],
            "claim_lang": "en", "party": author, "party_kind": "person",
            "party_aliases": json.dumps([aliases[author]], ensure_ascii=False)
            if author in aliases else "",
            "stance": stances[t["stance"]], "quote": t["text"],
            "source_title": title, "source_outlet": "Twitter",
            "source_url": f"https://twitter.com/{author}/status/{t['tweet_id']}",
            "said_at": said.isoformat(timespec="seconds"), "said_tz": "+00:00",
        })  # fmt: skip
    # An outlet whose domain is a Twitter author's display name (time.com: @TIME, shown
    # as "TIME.com") is that author: in claimtrack a name finds one party.
    from claimtrack.names import normalise

    accounts = {normalise(name): author for author, name in aliases.items()}
    seen: set[tuple[str, str, str]] = set()
    for line, link in links:
        where = f"{LINKS}:{line}"
        conversion.read[LINKS] += 1
        claim = claims.of(link, where)
        position = link["position"].strip()
        if position not in LINK_STANCES:
            raise ClaimtrackError(f"{where}: unknown position {position!r}")
        key = (claim["ref"], link["url"], position)
        if key in seen:
            conversion.accounted["links given again for another thread of the rumour"] += 1
            continue
        seen.add(key)
        conversion.accounted["links (an outlet's stance)"] += 1
        day = min(begun[th] for th in claim["threads"] if th in begun).date().isoformat()
        mediatype = link["mediatype"].strip()
        # One address has a space in its query, which a browser sends as %20.
        url = link["url"].strip().replace(" ", "%20")
        outlet = accounts.get(normalise(link["outlet"]), link["outlet"])
        conversion.add(where, {
            "topic": claim["topic"], "claim_ref": claim["ref"], "claim": claim["text"],
            "claim_lang": "en", "party": outlet, "party_kind": "media",
            "stance": LINK_STANCES[position],
            "source_title": url + (f" ({mediatype})" if mediatype else ""),
            "source_outlet": outlet, "source_url": url,
            "said_at": day, "said_tz": "+00:00",
        })  # fmt: skip
    for claim in claims.claims.values():
        if claim["veracity"]:
            label, rating = VERACITY[claim["veracity"]]
            conversion.verdicts.append(VerdictRow(claim["ref"], label, rating, (
                f"Veracity as PHEME's annotators judged the rumour ({label.lower()}; "
                f"threads {', '.join(sorted(claim['threads']))})."
            )))  # fmt: skip
    conversion.notes.append(
        "PHEME gives no date for a news link: each is dated the day its rumour's first thread began"
    )
    conversion.check_accounted()
    return conversion
