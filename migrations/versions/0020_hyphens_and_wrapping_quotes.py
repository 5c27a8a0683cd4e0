"""Hyphens are one name, and quotation marks around a whole claim are no part of it.

``claimtrack.names.normalise`` now folds the hyphen, the non-breaking hyphen, the figure
dash, the en dash and the minus sign (U+2010 to U+2013, U+2212) to the keyboard's
hyphen-minus, so "pro‑Russian" typed in a word processor (a non-breaking hyphen) is
"pro-Russian"; and a claim's ``text_key`` (``record.normalised_text_key``) now sets aside
one pair of quotation marks around the whole text where neither mark is inside, so a
claim pasted with its quotes, “No comment.”, is the claim No comment (a new user's
duplicates, the Chinese balloon story). The em dash stays itself.

The stored keys are recomputed, and clashes reported, exactly as 0018 did it: this
revision runs 0018's steps (its module, loaded from this folder) with the foldings
below. Two parties that now answer to one key are reported ("name clash"), nothing
merged; two claims of one topic that now have one ``text_key`` are both kept, each pair
printed and logged ("claim clash") with the command that merges them.

The foldings are frozen here (``_fold`` and ``_digest`` for the upgrade; 0018's for the
downgrade), not imported from claimtrack: the live ones may change again.

Revision ID: 0020_hyphens_and_wrapping_quotes
Revises: 0019_quote_case
Create Date: 2026-11-28 21:00:00
"""

import functools
import hashlib
import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0020_hyphens_and_wrapping_quotes"
down_revision: str | None = "0019_quote_case"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As 0018: rows updated, deleted from party_name, added to claim_sketch.
SQLITE_KEYS_TO_CHECK = ("party_name", "claim_sketch")


@functools.cache
def _revision_0018():
    """0018's module: its re-keying steps and its (frozen) foldings."""
    path = Path(__file__).with_name("0018_quotes_and_stops.py")
    spec = importlib.util.spec_from_file_location("claimtrack_revision_0018", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    connection = op.get_bind()
    steps = _revision_0018()
    before = steps._fold
    kept = steps._rekey_namespace(
        connection, _fold, before=before, why="hyphens and dashes are one name"
    )
    steps._rekey_parties(connection, _fold, kept, was=before)
    steps._rekey_claims(connection, _fold, _digest)
    steps._report_claims(
        connection, before=lambda text: steps._digest(before(text)),
        why="hyphens, and quotation marks around a whole text, are one text",
    )  # fmt: skip


def downgrade() -> None:
    steps = _revision_0018()
    steps._rekey_back(op.get_bind(), steps._fold, steps._digest)


# -- the foldings, frozen: this revision's (claimtrack.names.normalise and
# record.normalised_text_key as it brought them in)

_HYPHENS = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2212", "-"))
_FINAL_STOPS = frozenset(".\u3002\u06d4")
_WRAPPERS = frozenset({('"', '"'), ("'", "'"), ("\u00ab", "\u00bb"), ("\u00bb", "\u00ab"),
                       ("\u2039", "\u203a"), ("\u300c", "\u300d"),
                       ("\u300e", "\u300f")})  # fmt: skip


def _fold(text: str) -> str:
    """This revision's ``normalise``: 0018's, and the hyphens folded (after 0018's
    folding, which leaves them as they are but for NFKC's U+2011 -> U+2010)."""
    return _revision_0018()._fold(text).translate(_HYPHENS)


def _without_final_stops(key: str) -> str:
    end = len(key)
    while end and (key[end - 1] in _FINAL_STOPS or key[end - 1].isspace()):
        end -= 1
    return key[:end] if end else key


def _digest(key: str) -> str:
    """This revision's ``text_key`` of a key: final full stops aside, then one pair of
    quotation marks around the whole (neither mark inside), then the stops inside them."""
    key = _without_final_stops(key)
    if len(key) > 2 and (key[0], key[-1]) in _WRAPPERS:
        inside = key[1:-1]
        if key[0] not in inside and key[-1] not in inside:
            key = _without_final_stops(inside.strip()) or key
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
