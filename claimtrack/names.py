"""Names and texts: stored as given, matched by a key that folds look-alikes together.

What an editor types is what claimtrack stores and prints (``clean`` only trims the
blanks around it): a zero-width non-joiner inside a Persian word, an emoji sequence, a
line break in a quote are spelling, not noise. Matching and duplicate detection use
``normalise``, a key built from Unicode itself rather than a hand-made list:

- every Default_Ignorable_Code_Point removed (zero-width characters, bidi marks, the
  combining grapheme joiner, variation selectors, tags...), from the ``regex`` module's
  Unicode property tables;
- NFKC, then case folding (ＶＡＮＣＥ = vance; Straße = strasse);
- the Arabic letters that Persian writes differently folded to one (ي ى → ی, ك → ک),
  so a name typed on an Arabic keyboard finds the one typed on a Persian one, and the
  tatweel that only stretches a word (ايـران = ایران) dropped, as is the Braille blank;
- runs of white space made one space, and trimmed.
"""

from __future__ import annotations

import functools
import unicodedata

# Arabic yeh and alef maksura -> Farsi yeh; Arabic kaf -> keheh; the tatweel (kashida),
# which only stretches a word, and the Braille blank, which shows nothing, are dropped.
_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9",
                          "\u0640": None, "\u2800": None})  # fmt: skip


def clean(text: str) -> str:
    """Text as stored: exactly as given, less the white space around it."""
    return text.strip()


def normalise(text: str) -> str:
    """The matching key of a name or text (see the module's notes); empty when the text
    holds nothing visible."""
    if text.isascii() and text.isprintable():
        # Nothing to fold but case and spaces, and no need of the regex module's Unicode
        # tables (tests/test_names.py holds this to the full way below).
        return " ".join(text.lower().split())
    ignorable, space = _patterns()
    key = unicodedata.normalize("NFKC", ignorable.sub("", text))
    key = unicodedata.normalize("NFKC", key.casefold())
    key = ignorable.sub("", key).translate(_LETTERS)
    return space.sub(" ", key).strip()


@functools.cache
def _patterns():
    """Default_Ignorable_Code_Point, and runs of white space, from Unicode's own tables."""
    import regex

    return regex.compile(r"\p{Default_Ignorable_Code_Point}"), regex.compile(r"\s+")
