"""The stance vocabulary, defined once: each kind, what it does to a claim, and its words.

Everything else derives from this table: the models' enum, the rule's SQL literals
(``sql_list``), the CLI's stance commands, the importer's verbs, the labels reports
print. ``tests/test_vocabulary.py`` fails if another module spells a list of kinds.

Kept free of heavy imports, so ``claimtrack --help`` can read it.
"""

from __future__ import annotations

from typing import NamedTuple


class Kind(NamedTuple):
    name: str  # as stored: "asserts"
    verb: str  # the command and the CSV verb: "assert"
    effect: str  # "support", "oppose", "withdraw" or "none"
    meaning: str  # for --help


KINDS = (
    Kind("asserts", "assert", "support", "states it as so"),
    Kind("confirms", "confirm", "support", "says it is so, after another party did"),
    Kind("denies", "deny", "oppose", "says it is not so"),
    Kind("disputes", "dispute", "oppose", "calls it into doubt"),
    Kind("retracts", "retract", "withdraw", "withdraws its own earlier stance"),
    Kind("questions", "question", "none", "asks about it (takes no position)"),
    Kind("comments", "comment", "none", "remarks on it (takes no position)"),
)
BY_NAME = {k.name: k for k in KINDS}
BY_VERB = {k.verb: k for k in KINDS}

STANCE_KINDS = tuple(k.name for k in KINDS)
SUPPORT = tuple(k.name for k in KINDS if k.effect == "support")
OPPOSE = tuple(k.name for k in KINDS if k.effect == "oppose")
WITHDRAW = tuple(k.name for k in KINDS if k.effect == "withdraw")
# The rule knows one way to withdraw a stance; a second would need the rule changed.
(WITHDRAWAL,) = WITHDRAW
REMARKS = tuple(k.name for k in KINDS if k.effect == "none")
# Kinds that take (or withdraw) a position on a claim; the others are remarks.
POSITION_KINDS = (*SUPPORT, *OPPOSE, *WITHDRAW)
# The plain kinds a report need not spell out ("Vance" rather than "Vance [asserts]").
PLAIN = (SUPPORT[0], OPPOSE[0])

SIDE_NAMES = {"support": "for", "oppose": "against"}

# A claim linked as contradicting another, named from the other's end: a claim that
# contradicts it is its counter-claim; one it contradicts (the claim it answers), its
# countered claim. Marks, timelines and histories say "counter-claim #8" or "countered
# claim #1" with these words; JSON beside ``counter_claim_id`` too.
COUNTER_CLAIM, COUNTERED_CLAIM = "counter-claim", "countered claim"


def counter_relation(answered: bool) -> str:
    """ "countered claim" for a claim this one answers (contradicts), else "counter-claim"."""
    return COUNTERED_CLAIM if answered else COUNTER_CLAIM


def side_of(kind: str) -> str | None:
    """ "support" or "oppose" for a positional kind; None for withdrawals and remarks."""
    effect = BY_NAME[kind].effect
    return effect if effect in SIDE_NAMES else None


def sql_list(kinds: tuple[str, ...]) -> str:
    """Kinds as a SQL literal list for the rule's bodies: ``'asserts', 'confirms'``."""
    return ", ".join(f"'{k}'" for k in kinds)


# A language code as BCP 47 spells one (RFC 5646's well-formed tags, private-use and
# grandfathered tags aside): zh, en-GB, zh-Hant-TW, sr-Latn, es-419, fil. Checked for
# form, not against the registry: a code the registry added later still passes.
LANGUAGE_TAG = (
    r"[a-z]{2,3}(-[a-z]{3}){0,3}"  # language, extlangs
    r"(-[a-z]{4})?"  # script
    r"(-([a-z]{2}|[0-9]{3}))?"  # region
    r"(-([a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variants
    r"(-[0-9a-wy-z](-[a-z0-9]{2,8})+)*"  # extensions
    r"(-x(-[a-z0-9]{1,8})+)?"  # private use
)


def language_problem(code: str) -> str | None:
    """Why ``code`` is not a language code (None if it is one)."""
    import re

    if re.fullmatch(LANGUAGE_TAG, code, flags=re.IGNORECASE | re.ASCII):
        return None
    return f"{code!r} is not a language code (zh, en, fa, en-GB, zh-Hant...)"
