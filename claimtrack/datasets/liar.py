"""LIAR (Wang, ACL 2017): 12,836 statements rated by PolitiFact, as claimtrack records.

Each statement is a claim (slug ``liar-<id>``) in the topic of its first subject,
asserted by its speaker. The speaker is a party named for display (``john-kasich`` is
"John Kasich", the slug kept as an alias), acting for the political party LIAR gives
as its affiliation, and described by their job and state ("Governor, Ohio"). The
context ("a speech", "an interview on CNN") is the source it was said through.

PolitiFact's rating is **PolitiFact's verdict** on the claim (published by the party
PolitiFact), in its own words ("Pants on Fire!") and on the shared scale (``RATINGS``).
It is not also a PolitiFact stance: a fact-checker's rating judges the claim from
outside the dispute (docs/model.md: a verdict is apart from the computed status), so a
claim PolitiFact rated false is not "contested" by PolitiFact; nobody in LIAR but the
speaker takes a side on a statement.

What claimtrack has no column for is kept in the verdict's summary, per statement as
LIAR gives it: the statement's id and label, LIAR's party column, every subject, the
context and the speaker's credit history (counts of their earlier ratings).

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
from collections import Counter
from pathlib import Path

from claimtrack.datasets import Conversion, Publisher, VerdictRow
from claimtrack.errors import ClaimtrackError
from claimtrack.names import normalise
from claimtrack.times import parse_when

FILES = ("train.tsv", "valid.tsv", "test.tsv")
DATE = "2017-04-23"
NO_DATE = (
    f"LIAR gives no dates: every stance is dated {DATE}, the day LIAR v1.0 was released, "
    "by which each statement had been made (claimtrack's coarsest precision is a day)"
)
# The verdicts too are dated the day LIAR was released: PolitiFact had published each by then.
RELEASED = parse_when(DATE, "+00:00")
PUBLISHER = Publisher("PolitiFact", "media", "https://www.politifact.com")
# LIAR's label -> PolitiFact's own words (the Truth-O-Meter) and the shared scale.
LABELS = {
    "true": ("True", "true"),
    "mostly-true": ("Mostly True", "mostly-true"),
    "half-true": ("Half True", "mixture"),
    "barely-true": ("Barely True", "mostly-false"),  # "Mostly False" since 2011
    "false": ("False", "false"),
    "pants-fire": ("Pants on Fire!", "false"),
}
ACCOUNTED = "statements (a claim, its speaker's assertion, PolitiFact's verdict)"
# Job or state cells that give neither.
NOT_GIVEN = {"none", "n/a", "unknown"}
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
    taken = {normalise(n) for n in (*SIDES.values(), PUBLISHER.name)}
    holders: dict[str, list[str]] = {}
    for slug, name in names.items():
        holders.setdefault(normalise(name), []).append(slug)
    for key, group in holders.items():
        if len(group) > 1 or key in taken:
            for slug in group:
                names[slug] = f"{names[slug]} ({slug})"
    return names


def _given(cell: str) -> str:
    """A job or state cell, its blanks folded; "" when it gives none ("None", "N/A")."""
    value = " ".join(cell.split())
    return "" if value.lower() in NOT_GIVEN else value


def descriptions(rows, names: dict[str, str]) -> tuple[dict[str, str], int]:
    """Each speaker's description, "job, state" ("Governor, Ohio"; the state left out when
    the job names it already), from their rows: for
    each of the two, the value their rows give most often, as spelt most often (ties: the
    first given; a row that gives none does not count). Also how many speakers' rows
    disagree (give two jobs, or two states, besides case)."""
    jobs: dict[str, Counter] = {}
    states: dict[str, Counter] = {}
    for *_, fields in rows:
        for counts, cell in ((jobs, fields[5]), (states, fields[6])):
            counts.setdefault(fields[4], Counter())
            if value := _given(cell):
                counts[fields[4]][value] += 1
    found, disagreeing = {}, 0
    for speaker in jobs:
        given = [c.most_common(1)[0][0] for c in (jobs[speaker], states[speaker]) if c]
        if len(given) == 2 and re.search(rf"\b{re.escape(given[1])}\b", given[0], re.I):
            given.pop()  # "Governor of Ohio", not "Governor of Ohio, Ohio"
        # Ohio and ohio are one state, spelt two ways: not a disagreement.
        disagreeing += any(
            len({value.casefold() for value in c}) > 1 for c in (jobs[speaker], states[speaker])
        )
        if given:
            found[names[speaker]] = ", ".join(given)
    return found, disagreeing


def convert(folder: Path) -> Conversion:
    """LIAR's three files as claimtrack rows, verdicts and speakers' descriptions."""
    rows = list(read_rows(folder))
    conversion = Conversion("LIAR", folder, notes=[NO_DATE])
    conversion.read.update(dict.fromkeys(FILES, 0))  # an empty file is still reported
    names = speaker_names(sorted({fields[4] for *_, fields in rows}))
    conversion.descriptions, disagreeing = descriptions(rows, names)
    if disagreeing:
        conversion.notes.append(
            f"{disagreeing:,} speaker(s) have rows giving different jobs or states: each is "
            "described by the job and the state their rows give most often"
        )
    # A speaker's side: the first political party any of their rows gives (two speakers
    # have "none" on some rows and a party or a role on others).
    sides: dict[str, str] = {}
    for *_, fields in rows:
        if fields[7].strip() in SIDES:
            sides.setdefault(fields[4], SIDES[fields[7].strip()])
    for file, line, fields in rows:
        conversion.read[file] += 1
        statement_id, label, statement, subjects, speaker, _, _, affiliation = fields[:8]
        history, context = fields[8:13], fields[13].strip()
        if label not in LABELS:
            raise ClaimtrackError(f"{folder / file}:{line}: unknown label {label!r}")
        said, rating = LABELS[label]
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
        conversion.add(f"{file}:{line}", speaker_row)
        conversion.accounted[ACCOUNTED] += 1
        ratings = "; ".join(f"{k} {v}" for k, v in zip(HISTORY, history, strict=True))
        details = [
            f"PolitiFact's Truth-O-Meter rating, from LIAR (statement {statement_id}, "
            f"label {label}).",
            f"LIAR's party column: {affiliation.strip() or 'not given'}.",
            f"Subjects: {', '.join(subject_list) or 'none'}.",
            f"Context: {context or 'not given'}.",
            f"Speaker's earlier ratings in LIAR: {ratings}.",
            f"LIAR gives no date: dated {DATE}, the day LIAR v1.0 was released.",
        ]
        conversion.verdicts.append(
            VerdictRow(slug, said, rating, " ".join(details), PUBLISHER, RELEASED)
        )
    conversion.check_accounted()
    return conversion


def _aliases(name: str, slug: str) -> str:
    import json

    return json.dumps([slug]) if normalise(slug) != normalise(name) else ""
