"""LIAR (Wang, ACL 2017): 12,836 statements rated by PolitiFact, as claimtrack records.

Each statement is a claim (slug ``liar-<id>``) in the topic of its first subject,
asserted by its speaker. The speaker is a party named for display (``john-kasich`` is
"John Kasich", the slug kept as an alias), acting for the political party LIAR gives
as its affiliation. The context ("a speech", "an interview on CNN") is the source
it was said through. PolitiFact's rating is PolitiFact's verdict on the claim, on the
shared scale (``RATINGS``), and PolitiFact's stance: false, pants-fire and barely-true
deny the claim, true and mostly-true confirm it, half-true is a comment.

What claimtrack has no column for is kept in the verdict's summary, per statement as
LIAR gives it: the speaker's job, state and affiliation, every subject, the speaker's
credit history and the statement's id.

LIAR gives no dates: every stance is dated 2017-04-23, the day LIAR v1.0 was
released (its README), the one day by which every statement had certainly been made.
claimtrack has no precision coarser than a day; the import says so, and so does each
verdict.

The files are read with ``csv.QUOTE_NONE``: 632 statements begin with a double quote,
and default quoting would silently swallow 29 rows.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from claimtrack.datasets import Conversion, VerdictRow
from claimtrack.errors import ClaimtrackError
from claimtrack.names import normalise

FILES = ("train.tsv", "valid.tsv", "test.tsv")
DATE = "2017-04-23"
NO_DATE = (
    f"LIAR gives no dates: every stance is dated {DATE}, the day LIAR v1.0 was released, "
    "by which each statement had been made (claimtrack's coarsest precision is a day)"
)
PUBLISHER = "PolitiFact"
# LIAR's label -> PolitiFact's own words (the Truth-O-Meter), the shared scale, and
# PolitiFact's stance on the statement.
LABELS = {
    "true": ("True", "true", "confirms"),
    "mostly-true": ("Mostly True", "mostly-true", "confirms"),
    "half-true": ("Half True", "mixture", "comments"),
    "barely-true": ("Barely True", "mostly-false", "denies"),  # "Mostly False" since 2011
    "false": ("False", "false", "denies"),
    "pants-fire": ("Pants on Fire!", "false", "denies"),
}
# LIAR's "party affiliation" -> the political party a speaker acts for. The other values
# LIAR puts in that column say what a speaker is, not whom they act for (an independent
# acts for no party): they are kept in the verdict's summary, not made sides.
SIDES = {
    "republican": "Republican Party",
    "democrat": "Democratic Party",
    "libertarian": "Libertarian Party",
    "green": "Green Party",
    "constitution-party": "Constitution Party",
    "tea-party-member": "Tea Party movement",
    "ocean-state-tea-party-action": "Ocean State Tea Party in Action",
    "democratic-farmer-labor": "Minnesota Democratic–Farmer–Labor Party",
    "liberal-party-canada": "Liberal Party of Canada",
    "Moderate": "Moderate Party of Rhode Island",
}
ROLES = {
    "none", "independent", "organization", "newsmaker", "journalist", "columnist",
    "talk-show-host", "activist", "state-official", "labor-leader", "business-leader",
    "education-official", "government-body", "county-commissioner",
}  # fmt: skip
KINDS = {"organization": "organisation", "government-body": "government"}
HISTORY = ("barely-true", "false", "half-true", "mostly-true", "pants-fire")
# Initialisms LIAR's slugs spell in lower case.
_INITIALISMS = {"aclu", "afl", "cio", "nra", "gop", "pac", "dnc", "rnc", "nrcc", "dccc", "seiu",
                "naacp", "cnn", "msnbc", "abc", "nbc", "cbs", "fbi", "epa", "irs", "usa", "us",
                "ii", "iii"}  # fmt: skip
_SMALL = {"a", "an", "and", "at", "by", "de", "for", "in", "of", "on", "or", "the", "to"}


def display_name(slug: str) -> str:
    """A speaker's slug as a name: ``john-kasich`` is "John Kasich". Words are split at
    ``-`` and ``_``; a word with a capital or a digit is kept as LIAR spells it (AARP,
    GaGOP); a few initialisms are capitalised (aclu: ACLU); "Mc" names get their second
    capital; small words after the first stay small."""
    words = [w for w in re.split(r"[-_]", slug) if w]
    out = []
    for i, word in enumerate(words):
        if any(ch.isupper() or ch.isdigit() for ch in word):
            out.append(word)
        elif word in _INITIALISMS:
            out.append(word.upper())
        elif i and word in _SMALL:
            out.append(word)
        elif word == "jr":
            out.append("Jr.")
        elif word.startswith("mc") and len(word) > 3:
            out.append("Mc" + word[2].upper() + word[3:])
        else:
            out.append(word[0].upper() + word[1:])
    return " ".join(out) or slug


def read_rows(folder: Path):
    """(file, line, fields) for every LIAR row, as the 14 fields its README describes."""
    for name in FILES:
        path = folder / name
        if not path.is_file():
            raise ClaimtrackError(
                f"{folder} has no {name}: give the folder holding LIAR's "
                f"{', '.join(FILES)} (https://www.cs.ucsb.edu/~william/data/liar_dataset.zip)"
            )
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            try:
                for line, fields in enumerate(reader, 1):
                    if len(fields) != 14:
                        raise ClaimtrackError(
                            f"{path}:{line}: {len(fields)} fields where LIAR has 14"
                        )
                    yield name, line, fields
            except UnicodeDecodeError as exc:
                raise ClaimtrackError(f"{path} is not UTF-8 ({exc.reason})") from None


def speaker_names(slugs: list[str]) -> dict[str, str]:
    """Each speaker's display name, unique among them and apart from the sides' names
    and PolitiFact's: two slugs that would read alike keep their slug in brackets."""
    names = {slug: display_name(slug) for slug in slugs}
    taken = {normalise(n) for n in (*SIDES.values(), PUBLISHER)}
    holders: dict[str, list[str]] = {}
    for slug, name in names.items():
        holders.setdefault(normalise(name), []).append(slug)
    for key, group in holders.items():
        if len(group) > 1 or key in taken:
            for slug in group:
                names[slug] = f"{names[slug]} ({slug})"
    return names


def convert(folder: Path) -> Conversion:
    """LIAR's three files as claimtrack rows and verdicts."""
    rows = list(read_rows(folder))
    conversion = Conversion("LIAR", folder, notes=[NO_DATE])
    conversion.read.update(dict.fromkeys(FILES, 0))  # an empty file is still reported
    names = speaker_names(sorted({fields[4] for *_, fields in rows}))
    # A speaker's side: the first political party any of their rows gives (two speakers
    # have "none" on some rows and a party or a role on others).
    sides: dict[str, str] = {}
    for *_, fields in rows:
        if fields[7].strip() in SIDES:
            sides.setdefault(fields[4], SIDES[fields[7].strip()])
    for file, line, fields in rows:
        conversion.read[file] += 1
        statement_id, label, statement, subjects, speaker, job, state, affiliation = fields[:8]
        history, context = fields[8:13], fields[13].strip()
        if label not in LABELS:
            raise ClaimtrackError(f"{folder / file}:{line}: unknown label {label!r}")
        said, rating, stance = LABELS[label]
        slug = "liar-" + statement_id.removesuffix(".json").replace("_", "-").lower()
        subject_list = [s.strip() for s in subjects.split(",") if s.strip()]
        name = names[speaker]
        side = sides.get(speaker, "")
        base = {
            "topic": "liar-" + (subject_list[0] if subject_list else "no-subject"),
            "claim_ref": slug, "claim": statement, "claim_lang": "en",
            "said_at": DATE, "said_tz": "+00:00",
        }  # fmt: skip
        speaker_row = dict(
            base, party=name, party_kind=KINDS.get(affiliation.strip(), "person"),
            party_aliases=_aliases(name, speaker),
            # A speaker that is the party itself acts for no one.
            party_for="" if normalise(side) == normalise(name) else side, stance="asserts",
        )  # fmt: skip
        if context:
            speaker_row.update(source_title=context, source_outlet=name, source_lang="en")
        verdict_row = dict(
            base, party=PUBLISHER, party_kind="media", stance=stance, quote=said, quote_lang="en"
        )
        where = f"{file}:{line}"
        conversion.add(where, speaker_row)
        conversion.add(where, verdict_row)
        conversion.accounted["statements (a claim, the speaker's and PolitiFact's stances)"] += 1
        ratings = "; ".join(f"{k} {v}" for k, v in zip(HISTORY, history, strict=True))
        details = [
            f"PolitiFact's Truth-O-Meter rating, from LIAR (statement {statement_id}, "
            f"label {label}).",
            f"Speaker: {name} (LIAR: {speaker}); job: {job.strip() or 'not given'}; "
            f"state: {state.strip() or 'not given'}; "
            f"party: {affiliation.strip() or 'not given'}.",
            f"Subjects: {', '.join(subject_list) or 'none'}.",
            f"Context: {context or 'not given'}.",
            f"Speaker's ratings in LIAR: {ratings}.",
            f"LIAR gives no date: dated {DATE}, the day LIAR v1.0 was released.",
        ]
        conversion.verdicts.append(VerdictRow(slug, said, rating, " ".join(details)))
    conversion.check_accounted()
    return conversion


def _aliases(name: str, slug: str) -> str:
    import json

    return json.dumps([slug]) if normalise(slug) != normalise(name) else ""
