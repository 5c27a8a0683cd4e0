"""The Cyrillic ё is е in a name and in a claim's text.

``claimtrack.names.normalise`` now folds ё to е (and Ё, which case folding makes ё; and a
ё typed decomposed, е and a combining diaeresis, which NFKC makes ё): Russian writes е
for ё freely, so "Семен Пегов" beside the party "Семён Пегов" made a second party, a
claim typed with е a second claim beside the one typed with ё, and a search typed with
one letter missed a claim holding the other (a new user's, Prigozhin's jet, August
2023).

The stored keys are recomputed, and clashes reported, exactly as 0018 and 0020 did it:
this revision runs 0018's steps (its module, loaded from this folder) with the foldings
below. Two parties that now answer to one key are reported ("name clash"), nothing
merged; two claims of one topic that now have one ``text_key`` are both kept, each pair
printed and logged ("claim clash") with the command that merges them.

The search indexes need nothing more: a claim's (SQLite's ``claim_search``, kept by the
triggers on ``claim.text_norm``; PostgreSQL's ``ix_claim_text_trigrams``, an index on an
expression of ``text_norm``) follows the recomputed keys as they are written, and a
quote's indexes its text as given, searched in every spelling (``claimtrack.search``).

The foldings are frozen here (``_fold`` and ``_digest`` for the upgrade; 0020's for the
downgrade), not imported from claimtrack: the live ones may change again.

Revision ID: 0021_cyrillic_yo
Revises: 0020_hyphens_and_wrapping_quotes
Create Date: 2026-11-29 04:30:00
"""

import functools
import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0021_cyrillic_yo"
down_revision: str | None = "0020_hyphens_and_wrapping_quotes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As 0018: rows updated, deleted from party_name, added to claim_sketch.
SQLITE_KEYS_TO_CHECK = ("party_name", "claim_sketch")


def _revision(filename: str, name: str):
    path = Path(__file__).with_name(filename)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def _revision_0018():
    """0018's module: its re-keying steps."""
    return _revision("0018_quotes_and_stops.py", "claimtrack_revision_0018")


@functools.cache
def _revision_0020():
    """0020's module: its (frozen) foldings, the keys below this revision."""
    return _revision("0020_hyphens_and_wrapping_quotes.py", "claimtrack_revision_0020")


def upgrade() -> None:
    connection = op.get_bind()
    steps, below = _revision_0018(), _revision_0020()
    before = below._fold
    kept = steps._rekey_namespace(connection, _fold, before=before, why="ё and е are one name")
    steps._rekey_parties(connection, _fold, kept, was=before)
    steps._rekey_claims(connection, _fold, _digest)
    steps._report_claims(
        connection, before=lambda text: below._digest(before(text)),
        why="ё and е are one text",
    )  # fmt: skip


def downgrade() -> None:
    below = _revision_0020()
    _revision_0018()._rekey_back(op.get_bind(), below._fold, below._digest)


# -- the folding, frozen: this revision's (claimtrack.names.normalise as it brought it
# in; record.normalised_text_key is 0020's)

_YO = str.maketrans({"\u0451": "\u0435", "\u0401": "\u0415"})


def _fold(text: str) -> str:
    """This revision's ``normalise``: 0020's, and ё folded to е (after 0020's folding,
    which has case-folded Ё to ё and composed a decomposed ё; a text of ASCII alone
    holds neither)."""
    return _revision_0020()._fold(text).translate(_YO)


def _digest(key: str) -> str:
    """This revision's ``text_key`` of a key: 0020's, unchanged."""
    return _revision_0020()._digest(key)
