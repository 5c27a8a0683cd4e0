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
- the Arabic spellings editors use interchangeably folded to one: teh marbuta to heh
  (غزة = غزه), the alefs with hamza above or below, madda and wasla to the bare alef
  (أ إ آ ٱ → ا: الإسلامي = الاسلامي), and every Arabic combining mark dropped (the
  vowel signs, shadda and sukun, the superscript alef, Quranic annotation: مُحَمَّد =
  محمد), the marks being Unicode's nonspacing marks of the Arabic script (its
  Script_Extensions), not a list of ours. Hamza on waw or yeh (ؤ ئ) and the lone hamza
  (ء) are letters of their own and stay; so do Urdu's and Kurdish's own hehs (ہ ە).
  Revision 0017 recomputed stored keys when these folds came in;
- typographic quotes folded to the typewriter's: the curly and low single quotes, the
  modifier letter apostrophe and the prime (‘ ’ ‚ ‛ ʼ ′) to ``'``, the curly and low
  double quotes and the double prime (“ ” „ ‟ ″) to ``"``, so "Israel’s" finds
  "Israel's" and "Ma’ariv" the party "Ma'ariv": a phone or a word processor curls what a
  keyboard types straight, and nobody sees the difference on screen. Revision 0018
  recomputed stored keys when this fold came in;
- the hyphens and dashes that join words or span a range folded to the keyboard's
  hyphen-minus (the hyphen, the non-breaking hyphen a word processor puts in "pro‑Russian",
  the figure dash, the en dash of "21–25 hours", the minus sign), so "pro‑Russian" finds
  "pro-Russian"; the em dash, which sets a clause apart, is not folded. Revision 0020
  recomputed stored keys when this fold came in;
- the Cyrillic yo folded to ye (ё → е, and Ё, which case folding makes ё): Russian
  writes е for ё freely, so "Семен Пегов" is the party "Семён Пегов" and "Пригожин
  погиб" with either letter one claim. A ё typed as е and a combining diaeresis (U+0308,
  decomposed text) is ё after NFKC, and folds too. Revision 0021 recomputed stored keys
  when this fold came in;
- runs of white space made one space, and trimmed.

A claim's text is matched by two rules more, in ``record.normalised_text_key`` (not
here: a name's final full stop, "Acme Inc.", is part of it, and so are the quotes of
the outlet "The 'Independent'"): a text that differs only by its final full stops, or by
quotation marks around the whole of it (pasted with the quote), is the same claim.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# The hyphens and dashes that join or range words as the keyboard's hyphen-minus does:
# the hyphen, the non-breaking hyphen (NFKC makes it the hyphen), the figure dash, the
# en dash and the minus sign. The em dash, which sets a clause apart, stays itself.
HYPHENS = "\u2010\u2011\u2012\u2013\u2212"

# Arabic yeh and alef maksura -> Farsi yeh; Arabic kaf -> keheh; teh marbuta -> heh;
# alef with hamza above, below, madda, wasla -> alef; the tatweel (kashida), which only
# stretches a word, and the Braille blank, which shows nothing, are dropped; typographic
# single quotes (and the prime) -> ', double quotes (and the double prime) -> "; the
# hyphens -> -; the Cyrillic yo -> ye (ё Ё -> е Е: case folding makes Ё ё before this
# table is applied, but ``fold_marks`` applies it to text of either case). A change here
# changes stored keys: it needs a revision that recomputes them (as 0006, 0017, 0018,
# 0020 and 0021 do).
_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9",
                          "\u0629": "\u0647",
                          "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627",
                          "\u0671": "\u0627",
                          "\u0640": None, "\u2800": None,
                          **dict.fromkeys("\u2018\u2019\u201a\u201b\u02bc\u2032", "'"),
                          **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
                          **dict.fromkeys(HYPHENS, "-"),
                          "\u0451": "\u0435", "\u0401": "\u0415"})  # fmt: skip
# The quotes alone, folded before NFKC too: NFKC makes the double prime two primes (″ to
# ′′), which would fold to '' rather than ". (No ASCII text holds any of these: the
# fast path below stays right.)
_QUOTES = str.maketrans({k: v for k, v in _LETTERS.items() if v in ("'", '"')})
_QUOTES_FOLDED = frozenset(chr(k) for k in _QUOTES)


# The typographic quotes, the hyphens and the yo, as ``normalise`` folds them: what a
# stance's quote, matched without a key, is searched with folded (``fold_marks``).
_MARKS = str.maketrans(
    {k: v for k, v in _LETTERS.items() if v in ("'", '"', "-", "\u0435", "\u0415")}
)
# Each plain character and the ones ``normalise`` folds to it ("'": "'‘’...",
# "-": "-‐‑‒–−", "е": "её", "Е": "ЕЁ").
MARK_FORMS = {
    m: m + "".join(chr(k) for k, v in _MARKS.items() if v == m) for m in "'\"-\u0435\u0415"
}
# The quotes and hyphens alone (``fold_marks(text, yo=False)``).
_MARKS_ONLY = str.maketrans({k: v for k, v in _LETTERS.items() if v in ("'", '"', "-")})
# A yo typed decomposed (ye and a combining diaeresis), which NFKC makes ё.
_DECOMPOSED_YO = re.compile("([\u0435\u0415])\u0308")


def fold_marks(text: str, *, yo: bool = True) -> str:
    """``text`` with its typographic quotes and hyphens made the typewriter's and its
    yo ye (ё, or е and a combining diaeresis, made е; Ё, Е), as ``normalise`` folds
    them, and nothing else changed: for text matched without a key (a stance's quote).
    ``yo=False``: the quotes and hyphens only (a search's words shown back to the user)."""
    if not yo:
        return text.translate(_MARKS_ONLY)
    if "\u0308" in text:
        text = _DECOMPOSED_YO.sub(r"\1", text)
    return text.translate(_MARKS)


def stop_variants(key: str) -> tuple[str, ...]:
    """The other keys a name may be typed with when a name holding this one is meant: with
    or without a final full stop ("igor strelkov." for "igor strelkov", "u.s" for "u.s.").
    A reference tries them when nobody answers to its own key (``record.find_party``)."""
    base = key.rstrip(".")
    return tuple(k for k in (base, base + ".") if base and k != key)


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
    key = _plain_key(text)
    if key is not None:
        return key
    ignorable, space, marks = _patterns()
    key = unicodedata.normalize("NFKC", ignorable.sub("", text).translate(_QUOTES))
    key = unicodedata.normalize("NFKC", key.casefold())
    key = marks.sub("", ignorable.sub("", key).translate(_LETTERS))
    return space.sub(" ", key).strip()


# What may hold a character the full way removes or treats as a space: every category
# but letters, numbers, punctuation, symbols and the spacing marks, and the Hangul fillers
# (letters that Unicode counts as ignorable). tests/test_names.py checks, over every code
# point, that no other character is one the ``regex`` patterns below match.
_UNPLAIN_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Mn", "Me", "Zs", "Zl", "Zp"})
_UNPLAIN = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0", *_QUOTES_FOLDED})


def _plain(text: str) -> bool:
    """Whether no character of ``text`` but the space is ignorable, a combining mark, a
    space of another kind or a typographic quote: the full way's patterns match none."""
    category = unicodedata.category
    return not any(
        c != " " and (c in _UNPLAIN or c.isspace() or category(c) in _UNPLAIN_CATEGORIES)
        for c in set(text)
    )


def _plain_key(text: str) -> str | None:
    """``normalise`` of a text that needs none of the ``regex`` module's tables (most
    Chinese, Persian, Cyrillic, accented Latin: importing the module and compiling its
    patterns costs a command more than 5 ms), or None when it may. Where neither the
    text nor its folded form holds a character ``_plain`` excludes, the full way's
    removals take nothing away and its only spaces are single spaces."""
    if not _plain(text):
        return None
    key = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    if not _plain(key):  # NFKC can make a mark or a space of a letter (U+FC5E)
        return None
    return " ".join(word for word in key.translate(_LETTERS).split(" ") if word)


@functools.cache
def _patterns():
    """Default_Ignorable_Code_Point, runs of white space, and the Arabic script's
    combining marks, from Unicode's own tables."""
    import regex

    return (
        regex.compile(r"\p{Default_Ignorable_Code_Point}"),
        regex.compile(r"\s+"),
        regex.compile(r"(?V1)[\p{Script_Extensions=Arabic}&&\p{Mn}]"),
    )


# What a terminal would act on rather than show: the C0 controls but tab and newline
# (ESC starts a colour or a cursor move, BEL rings), DEL and the C1 controls. Bidi marks
# are left alone: Persian and Arabic need them.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The bidi embeddings, overrides and isolates, and what closes them (PDF, PDI): one left
# open reorders the rest of its line, a table's next cells included.
_OPENERS = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c",
            "\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}  # fmt: skip
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# The overrides (LRO, RLO): they show the text after them in the order they force, so
# "‮sdrawkcab" reads "backwards". Mixed text needs embeddings and isolates, hardly these.
OVERRIDES = {"\u202d": "left-to-right override", "\u202e": "right-to-left override"}
_UNSAFE = re.compile(f"{_CONTROLS.pattern[:-1]}{BIDI.pattern[1:-1]}]")


def control_picture(match: re.Match) -> str:
    """A control character as its Unicode picture (the one definition: tables, XLSX)."""
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ to ␟: \x1b as ␛, \x07 as ␇
    return "\u2421" if code == 0x7F else f"\\x{code:02x}"  # ␡; C1 has no pictures


def visible(text: str) -> str:
    """Text as a terminal should print it: control characters shown, never obeyed.
    Every table cell passes here (``render.fit``, ``render.table_text``), and every text
    a command prints; JSON and CSV keep the text. Here rather than in ``render``, so a
    command that prints one line (``claim add``'s near-duplicate note) does not import
    the tables' machinery (9 ms)."""
    if not _UNSAFE.search(text):
        return text
    text = _CONTROLS.sub(control_picture, text.replace("\r\n", "\n"))
    if not BIDI.search(text):
        return text
    return "\n".join(bidi_closed(line) for line in text.split("\n"))


def bidi_closed(line: str) -> str:
    """A line with every bidi embedding, override and isolate it leaves open closed at its
    end (UAX #9: a PDF closes the last embedding or override, a PDI the last isolate and
    whatever was opened inside it), so what follows it on the terminal's line, the
    table's next cells, keeps its own direction. The text itself is shown as it is."""
    if not BIDI.search(line):
        return line
    open_: list[str] = []
    for match in BIDI.finditer(line):
        char = match.group()
        if char in _OPENERS:
            open_.append(_OPENERS[char])
        elif char == "\u202c":
            if open_ and open_[-1] == "\u202c":
                open_.pop()
        elif "\u2069" in open_:  # a PDI closes its isolate and what was opened inside it
            while open_.pop() != "\u2069":
                pass
    return line + "".join(reversed(open_))


def overrides_in(text: str | None) -> list[str]:
    """The bidi overrides (``OVERRIDES``) a text holds, in code order: a search of the
    text for each (two, in C), cheap enough for every row of an import."""
    return [c for c in sorted(OVERRIDES) if c in (text or "")]


def override_note(what: str, text: str | None, remedy: str) -> str | None:
    """A note for a text just recorded that holds a bidi override, which makes what
    follows it show in the order it forces (a pasted post can hide one): the text is
    recorded as given, and this says so, with ``remedy`` should it be a paste's."""
    found = overrides_in(text)
    if not found:
        return None
    named = " and ".join(f"a {OVERRIDES[c]} (U+{ord(c):04X})" for c in found)
    return (f"Note: the {what} holds {named}, which shows the text after it in an "
            f"order not its own: recorded as given; if it came with a paste, {remedy}")  # fmt: skip


# In a name, which is one line, a line break (Unicode's line and paragraph separators
# too) or a tab is a control; and so are the
# bidi controls that reorder everything after them up to the end of the line (the
# embeddings, overrides and isolates: U+202A-U+202E, U+2066-U+2069), which would turn
# the rest of a table's line around. Text (a claim, a quote) keeps them: Persian needs
# them, and a quote's line breaks are its own.
_IN_NAMES = re.compile("[\t\n\r\u2028\u2029\u202a-\u202e\u2066-\u2069]")


# What no name given on one line holds: every C0 control (tab, line feed and carriage
# return included), DEL, the C1 controls (NEL among them), and Unicode's line and
# paragraph separators.
_LINE_BREAKERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def on_one_line(text: str) -> str:
    """The text with each run of line breaks and control characters made one space: for
    a name taken from a dataset, where a tab in a display name is not a paste error."""
    return re.sub(_LINE_BREAKERS.pattern + "+", " ", text).strip()


def one_line_breaker(text: str) -> str | None:
    """The first line break or control character in a name, if any (a paste error)."""
    found = _LINE_BREAKERS.search(text)
    return found.group() if found else None


def _name_picture(match: re.Match) -> str:
    code = ord(match.group())
    return control_picture(match) if code < 0x20 else f"\\u{code:04x}"  # ␉ ␊ ␍, \u202e


def visible_name(text: str) -> str:
    """A party's name as a terminal should print it: ``visible``, and line breaks, tabs
    and bidi embeddings, overrides and isolates shown (``Two␊Lines``, ``\\u202eiran``)."""
    if _IN_NAMES.search(text):
        text = _IN_NAMES.sub(_name_picture, text)
    return visible(text)


# A name quoted in a message is shown whole up to the longest name one can record
# (``record.MAX_LENGTH``); a longer one (a paste gone wrong: nu17's 100,000-character
# --by, echoed twice on one 200 KB line) by its start and its length.
QUOTED_WHOLE = 300
QUOTED_START = 80


def quoted_name(text: str) -> str:
    """A user-given name (a party, an alias, a source, a claim's reference) in a one-line
    message: ``visible_name`` between quotes, as Python's repr would quote it
    (``'Two␊Lines'``, ``'\\u202eevil'``, ``"O'Brien"``), so a confirmation line or an error
    shows it the way tables do and stays one line; past ``QUOTED_WHOLE`` characters, its
    first ``QUOTED_START`` and how many there are (``'Yevgeny Prig…' (100,000
    characters)``)."""
    shown = visible_name(text)
    length = ""
    if len(shown) > QUOTED_WHOLE:
        shown, length = shown[:QUOTED_START] + "…", f" ({len(text):,} characters)"
    quoted = f'"{shown}"' if "'" in shown and '"' not in shown else f"'{shown}'"
    return quoted + length
