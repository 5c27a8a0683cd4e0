"""Convert the flattened PHEME rumour threads (Zubiaga et al. 2016) into claimtrack's
per-stance CSV.

    python bench/convert_pheme.py ../shared/data/pheme pheme.csv
    claimtrack import csv pheme.csv

Each rumour (the ``claim`` column) becomes a claim in the topic of its event. Every
tweet becomes a stance of its author, with the tweet as quote and as source (titled by
its 18-digit id, with its address): a source tweet that supports the rumour asserts it,
one that denies it denies it; replies that agree confirm, that disagree deny, that ask
for more information question, and the rest comment. The annotators' veracity label is
not carried over; a thread with no rumour text is named by its thread id.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import regex

# A display name of invisible characters only (Hangul fillers, zero-width spaces) names
# no one: claimtrack refuses it, so it is not offered as an alias.
_INVISIBLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\s]*")


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


SOURCE_STANCES = {"supporting": "asserts", "denying": "denies", "underspecified": "comments"}
REPLY_STANCES = {"agreed": "confirms", "disagreed": "denies",
                 "appeal-for-more-information": "questions", "comment": "comments"}  # fmt: skip


def convert(folder: Path, out: Path) -> int:
    """Write the import CSV; return the number of tweets."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from claimtrack.render import STANCES
    from claimtrack.spreadsheet import CsvWriter

    STANCE_COLUMNS = STANCES.headers

    with (folder / "pheme_tweets.csv").open(encoding="utf-8", newline="") as f:
        tweets = list(csv.DictReader(f))
    aliases = _aliases(tweets)
    refs: dict[tuple[str, str], str] = {}
    count = 0
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = CsvWriter(f, bom=False)
        writer.row(STANCE_COLUMNS)
        for t in tweets:
            # 22 tweets of PHEME's threads have no rumour text: name the thread instead.
            claim = t["claim"] or f"Rumour of thread {t['thread_id']} (PHEME gives no text)"
            key = (t["event"], claim)
            ref = refs.setdefault(
                key, f"pheme-{t['event'].replace('_', '-').lower()}-{len(refs) + 1}"
            )
            stances = SOURCE_STANCES if t["is_source"] == "1" else REPLY_STANCES
            said = dt.datetime.strptime(t["created_at"], "%a %b %d %H:%M:%S %z %Y")
            author = t["author_screen_name"]
            row = {
                "topic": f"pheme-{t['event']}", "claim_ref": ref, "claim": claim,
                "claim_lang": "en", "party": author, "party_kind": "person",
                "party_aliases": json.dumps([aliases[author]], ensure_ascii=False)
                if author in aliases else "",
                "stance": stances.get(t["stance"], "comments"), "quote": t["text"],
                "source_title": t["tweet_id"], "source_outlet": "Twitter",
                "source_url": f"https://twitter.com/{author}/status/{t['tweet_id']}",
                "said_at": said.isoformat(timespec="seconds"), "said_tz": "+00:00",
            }  # fmt: skip
            writer.row(row.get(column, "") for column in STANCE_COLUMNS)
            count += 1
    return count


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/convert_pheme.py PHEME_FOLDER OUT.csv")
    print(f"{convert(Path(sys.argv[1]), Path(sys.argv[2]))} tweets -> {sys.argv[2]}")
