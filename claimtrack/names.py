"""Normalising names and texts so that look-alikes match and never duplicate."""

from __future__ import annotations

import re
import unicodedata

# Zero-width and bidi control characters: invisible, so two names that differ only by
# them must be the same name.
_INVISIBLE = dict.fromkeys(
    [
        0x200B,
        0x200C,
        0x200D,
        0x2060,
        0xFEFF,
        0x200E,
        0x200F,
        0x202A,
        0x202B,
        0x202C,
        0x202D,
        0x202E,
        0x2066,
        0x2067,
        0x2068,
        0x2069,
        0x00AD,
    ]
)
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Text as stored: invisible characters removed, white space folded and trimmed."""
    return _SPACE.sub(" ", text.translate(_INVISIBLE)).strip()


def normalise(text: str) -> str:
    """The matching key of a name or text: NFKC, casefolded, cleaned.

    NFKC folds full-width and compatibility forms (ＶＡＮＣＥ = Vance); casefold
    handles case in every script that has it.
    """
    return clean(unicodedata.normalize("NFKC", clean(text)).casefold())
