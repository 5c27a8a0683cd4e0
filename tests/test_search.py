"""--search and near-duplicates by index (revision 0007), on both backends: the index
narrows what the unchanged condition is tested on, so it finds exactly what a scan finds,
in any script."""

from __future__ import annotations

import json
import zlib

import pytest
import sqlalchemy as sa

from claimtrack import search, similar
from claimtrack.db import read_session, write_session
from claimtrack.names import normalise

TEXTS = [
    ("Two destroyers transited Hormuz", "美国军舰通过霍尔木兹海峡"),
    ("伊朗否认美国军舰通过霍尔木兹海峡的报道", None),
    ("ایران هرگونه توافق با آمریکا را رد کرد", "ایران می\u200cخواهد"),
    ("Prices fell 50%_off\\ today", 'He said "fifty" per cent'),
    ("ＨＯＲＭＵＺ in full width", None),
    ("Straße closed, STRASSE open", "İstanbul ÇAĞRI"),
    ("Russian forces blew up the Kakhovka dam", "Російські терористи. Підрив Каховської ГЕС"),
    ("Israel’s army said it’s not involved", "It’s a “misfire” by Islamic Jihad"),
    ('The "rocket" was Hamas\'s', "it's a 'misfire', said the IDF"),
    ("Ceasefire talks in Doha", "a non\u2011binding, short\u2013term truce"),
    ("Самолёт Пригожина разбился", "Семен Пегов: «Всё, ПРИГОЖИН ПОГИБ»"),
]
SEARCHES = ["hormuz", "HORMUZ", "霍尔木兹", "军舰通过", "توافق با", "میخواهد", "می\u200cخواهد",
            "50%_off\\", '"fifty"', "strasse", "İstanbul", "çağrı", "nothing like it", "ur",
            "伊朗", "a", "Каховської", "каховської", "КАХОВСЬКОЇ", "підрив каховської",
            "it's", "it’s", "“misfire”", '"misfire"', "'misfire'", "’s", "“rocket”",
            "It‘s A ″MISFIRE″", "Hamas’s", "самолет", "САМОЛЁТ", "всё, пригожин",
            "Все, пригожин", "семён пегов", "Се\u0308мен", "погиб"]  # fmt: skip


@pytest.fixture
def ok(run, engine):
    def invoke(*args: str) -> str:
        result = run(*args)
        assert result.exit_code == 0, result.output
        return result.stdout

    return invoke


@pytest.fixture
def filled(ok):
    for text, quote in TEXTS:
        args = ["claim", "add", text, "--by", "Desk", "--create-missing", "--at", "2026-04-12"]
        ok(*args, *(["--quote", quote] if quote else []))
    return ok


def _scanned(engine, words: str) -> list[int]:
    """The search condition tested on every row, with no index (and no SQL ``lower``,
    which knows only A to Z on SQLite and under PostgreSQL's C locale)."""
    from claimtrack.names import fold_marks

    text_key, quote_key = search.keys(words)
    with engine.connect() as connection:
        texts = connection.execute(sa.text("SELECT id, text_norm FROM claim")).all()
        quotes = connection.execute(
            sa.text("SELECT claim_id, quote FROM stance WHERE quote IS NOT NULL")
        ).all()
    found = {i for i, t in texts if text_key in t}
    found |= {i for i, q in quotes if quote_key in fold_marks(q.lower())}
    return sorted(found)


@pytest.mark.parametrize("words", SEARCHES)
def test_the_index_finds_what_a_scan_finds(filled, engine, words):
    with read_session(engine) as session:
        indexed = search.matching_claims(session, words)
    if len(normalise(words)) < 3 or len(words.lower()) < 3:
        assert indexed is None  # too short for a trigram index: the listing walks
    else:
        assert indexed == _scanned(engine, words)
    listed = json.loads(filled("claim", "list", "--search", words, "--format", "json"))
    assert sorted(r["id"] for r in listed) == _scanned(engine, words)


@pytest.mark.parametrize("words", ["Каховської", "каховської", "КАХОВСЬКОЇ", "гес"])
def test_a_quote_is_found_whatever_the_case_of_its_letters(filled, words):
    """A new user's story (the Kakhovka dam): a capitalised Cyrillic word of a quote was
    found by no spelling, on either backend (SQL's lower() folds only A to Z). Every
    path finds it: the index, the walk of a listing, the scan of a short search."""
    listed = json.loads(filled("claim", "list", "--search", words, "--format", "json"))
    assert [r["claim"] for r in listed] == ["Russian forces blew up the Kakhovka dam"]
    contested = filled("report", "claims", "--search", words, "--format", "json")
    assert [r["claim"] for r in json.loads(contested)] == [
        "Russian forces blew up the Kakhovka dam"
    ]


@pytest.mark.parametrize(
    ("words", "found"),
    [("it's", [8, 9]), ("it’s a", [8, 9]), ('"misfire"', [8]), ("“misfire”", [8]),
     ("'misfire'", [9]), ("‘misfire’", [9]), ('the "rocket"', [9]), ("hamas’s", [9]),
     ("’s", [8, 9]), ("non-binding", [10]), ("non\u2011binding", [10]),
     ("short-term", [10]), ("short\u2212term truce", [10]), ("n-b", [10]), ("-", [10]),
     ("самолет", [11]), ("САМОЛЁТ пригожина", [11]), ("семён пегов", [11]),
     ("СЕМЕН", [11]), ("все, пригожин", [11]), ("Всё", [11]), ("ё", [7, 11])],
)  # fmt: skip
def test_straight_and_curly_quotes_find_each_other(filled, engine, backend, monkeypatch,
                                                   words, found):  # fmt: skip
    """A new user's `claim list --search "it's"` did not find a quote that read "It’s a
    “misfire”", nor "“misfire”" one typed with straight quotes: a phone or a word
    processor curls what a keyboard types straight. Quotes fold as claims' texts do, by
    every path: the index (on PostgreSQL by its trigram index, a spelling of each trigram
    that holds a quote), the walk of a common word's listing, the scan of a short one.
    Hyphens too (another new user's, MH17: a quote typed with a non-breaking hyphen
    was found by no search typed with a keyboard's), and the Cyrillic ё and е (another's,
    Prigozhin's jet: a search typed with е missed the ё of a claim or a quote)."""

    def listed():
        out = filled("claim", "list", "--search", words, "--format", "json")
        return sorted(r["id"] for r in json.loads(out))

    assert listed() == found
    with read_session(engine) as session:
        assert search.matching_claims(session, words) == (found if len(words) > 2 else None)
        if backend == "postgresql" and len(words) > 2:  # the index can answer it
            session.execute(sa.text("SET LOCAL enable_seqscan = off"))
            query = search._postgresql(*search.keys(words))[1]
            compiled = query.compile(dialect=session.get_bind().dialect)
            explain = session.connection().exec_driver_sql
            plan = explain("EXPLAIN " + str(compiled), compiled.params).scalars().all()
            assert any("ix_stance_quote_trigrams" in line for line in plan), plan
    monkeypatch.setattr(search, "CAP", 0)  # as a common word: the listing walks
    assert listed() == found


@pytest.mark.parametrize(
    ("words", "found", "searched"),
    [('"misfire"', [8], None), ("“Islamic Jihad”.", [8], "Islamic Jihad"),
     ("«Doha»", [10], "Doha"), ("Kakhovka dam.", [7], "Kakhovka dam"),
     ('"fifty".', [4], '"fifty"'), ("“nothing like it”.", [], "nothing like it")],
)  # fmt: skip
def test_a_search_pasted_with_its_quote_marks_or_stop_finds_the_words(filled, run, words,
                                                                      found, searched):  # fmt: skip
    """A new user's story (the Kerch bridge): `--search '"misfire"'` and a sentence's
    words pasted with its full stop found nothing, the marks being in no claim. Where no
    claim or quote holds the search as typed, its wrapping marks and final stop are set
    aside and the user told; a search that matches as typed is taken as typed."""
    result = run("claim", "list", "--search", words, "--format", "json")
    assert result.exit_code == 0, result.output
    assert sorted(r["id"] for r in json.loads(result.stdout)) == found
    if searched is None:
        assert "Note" not in result.stderr
    else:
        assert result.stderr == (
            f"Note: no claim or quote holds {words!r} as typed; searched for {searched!r}\n"
        )
    contested = run("report", "claims", "--search", words, "--format", "json")
    assert sorted(r["id"] for r in json.loads(contested.stdout)) == found


def test_many_matches_walk_in_order_with_the_same_answer(filled, engine, monkeypatch):
    def listed():
        found = json.loads(filled("claim", "list", "--search", "ormuz", "--format", "json"))
        return [r["id"] for r in found]

    by_index = listed()
    monkeypatch.setattr(search, "CAP", 1)
    with read_session(engine) as session:
        assert search.matching_claims(session, "ormuz") == search.MANY
    assert listed() == by_index == [5, 1]  # the same activity: the newer first


def test_the_index_follows_new_claims_and_quotes(filled, engine):
    filled("claim", "confirm", "2", "--by", "Desk 2", "--create-missing", "--quote", "新的说法")
    with read_session(engine) as session:
        assert search.matching_claims(session, "新的说法") == [2]
        assert search.matching_claims(session, "transited hor") == [1]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("伊朗否认美国军舰通过霍尔木兹海峡的报道", "伊朗否认美国军舰通过霍尔木兹海峡报道"),
        ("ایران هرگونه توافق با آمریکا را رد کرد", "ایران هر گونه توافق با امریکا را رد کرد"),
        ("Two destroyers transited Hormuz", "Two destroyers transited Hormuz!"),
    ],
)
def test_near_duplicates_in_any_script_are_noted(ok, run, first, second):
    ok("claim", "add", first, "--by", "Desk", "--create-missing", "--topic", "talks")
    ok("claim", "add", "Something else entirely, said elsewhere", "--by", "Desk", "--topic",
       "talks")  # fmt: skip
    result = run("claim", "add", second, "--by", "Desk", "--topic", "talks")
    assert result.exit_code == 0
    assert f"Note: similar claim #1: {first}" in result.output
    assert "#2" not in result.output
    elsewhere = run("claim", "add", second, "--by", "Desk", "--topic", "other")
    assert "similar claim" not in elsewhere.output


def test_merged_claims_are_not_offered_as_similar(ok, run, engine):
    ok("claim", "add", "Ships crossed the strait at dawn", "--by", "Desk", "--create-missing")
    ok("claim", "add", "Ships crossed the strait at dawn!", "--by", "Desk")
    ok("claim", "merge", "2", "1")
    # (with a final full stop it would be claim 1 itself: refused)
    result = run("claim", "add", "Ships crossed the strait at dawn?", "--by", "Desk")
    assert "similar claim #1" in result.output and "similar claim #2" not in result.output
    with write_session(engine) as session:
        text = normalise("Ships crossed the strait at dawn?")
        assert similar.similar(session, text, "general", exclude=(1,)) == [3]


def test_the_sketch_is_a_few_trigram_hashes():
    assert similar.sketch("") == []
    assert len(similar.sketch("ab")) == 1
    assert len(similar.sketch("a longer text than eight trigrams")) == similar.SKETCH
    assert similar.sketch("伊朗否认") == sorted(similar.sketch("伊朗否认"))
    assert all(-(2**31) <= g < 2**31 for g in similar.sketch("x" * 10 + "伊朗"))


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "aaaa",
        "a longer text than eight trigrams",
        "figure 38505 in region 0: ~!{}",
        "x" * 10 + "伊朗",
        "ab",
    ],
)
def test_the_sketch_is_the_smallest_signed_crc32_of_the_trigrams(text):
    # The sketches stored in claim_sketch are compared with those of new texts: however
    # it is computed, a text's sketch stays this.
    grams = {text[i : i + 3] for i in range(len(text) - 2)} if len(text) >= 3 else {text}
    hashes = sorted({zlib.crc32(g.encode("utf-8")) for g in grams})
    signed = sorted(h - 2**32 if h >= 2**31 else h for h in hashes)
    assert similar.sketch(text) == signed[: similar.SKETCH]
