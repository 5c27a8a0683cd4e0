"""Identity and verbatim text (issue #12): one namespace for party names and aliases,
matching keys from Unicode itself, texts stored exactly as given, `party merge`, and an
upgrade of a database that already holds a clash. Every test runs on both backends."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from conftest import snapshot
from hypothesis import assume, given
from hypothesis import strategies as st

from claimtrack import db
from claimtrack.names import normalise


@pytest.fixture
def ok(run, engine):
    def invoke(*args: str, input: str | None = None) -> str:
        result = run(*args, input=input)
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def refused(run, engine, *args: str) -> str:
    """The command fails in one line, exit 1 or 2, and writes nothing."""
    before = snapshot(engine)
    result = run(*args)
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    assert snapshot(engine) == before
    return errors[0]


@pytest.mark.parametrize(
    "name",
    ["Tasnim", "ＴＡＳＮＩＭ", "Tas\u200bnim", "Tas\u034fnim", "Tas\u061cnim", "Tasnim\ufe0f",
     " tasnim "],
)  # fmt: skip
def test_a_new_party_may_not_take_another_partys_alias(ok, run, engine, name):
    ok("party", "add", "Tasnim News Agency", "--kind", "media", "--alias", "Tasnim")
    line = refused(run, engine, "party", "add", name)
    assert "#1 'Tasnim News Agency'" in line and "alias" in line


def test_an_alias_that_is_the_name_itself_is_noted_not_dropped_unsaid(run, engine):
    """nu21 #8: `party add Norsar --alias NORSAR` exited 0 with no alias kept and no word."""
    result = run("party", "add", "Norsar", "--kind", "organisation", "--alias", "NORSAR",
                 "--alias", "Norwegian Seismic Array")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Note: alias 'NORSAR' is the name itself as names are found (case and accents "
        "aside): not kept as an alias"
    ]
    listed = json.loads(run("party", "list", "--format", "json").stdout)
    assert listed[0]["aliases"] == ["Norwegian Seismic Array"]


def test_an_alias_may_not_take_another_partys_name_and_merge_is_offered(ok, run, engine):
    ok("party", "add", "Iran", "--kind", "government")
    ok("party", "add", "United States", "--kind", "government")
    line = refused(run, engine, "party", "alias", "Iran", "United States")
    assert "#2 'United States'" in line and "claimtrack party merge 1 2" in line


def test_a_name_taken_suggests_the_merge_by_both_ids(ok, run, engine):
    """nu15 #9: `party alias` and `party edit --name` with another party's name or alias
    are refused, with the merge to run if the two are one, by the two ids: a name to copy
    may need quoting, and an alias (a name merged away) is refused by `party merge`."""
    ok("party", "add", "Tasnim agency", "--kind", "media")
    ok("party", "add", "Tasnim News Agency", "--kind", "media", "--alias", "Tasnim")
    for args in (("alias", "Tasnim agency", "Tasnim"),
                 ("alias", "1", "tasnim news agency"),
                 ("edit", "Tasnim agency", "--name", "Tasnim"),
                 ("edit", "1", "--name", "TASNIM NEWS AGENCY")):  # fmt: skip
        line = refused(run, engine, "party", *args)
        assert line.startswith("Error: ") and "belongs to party #2 'Tasnim News Agency'" in line
        assert line.endswith("if they are one party, run: claimtrack party merge 1 2"), line
    assert "Merged #1 Tasnim agency" in ok("party", "merge", "1", "2")  # as suggested


def test_a_merged_partys_old_id_says_where_it_went(ok, run, engine):
    """nu15 #6: after `party merge`, the merged party's id said "unknown party '1': no
    party has that id" (its row is gone; a merged claim's id says where it went). It
    names the party it went into, in the end, exit 1, nothing written; its old name
    is an alias of that party, and finds it."""
    ok("party", "add", "Tasnim agency", "--kind", "media")
    ok("party", "add", "Tasnim News Agency", "--kind", "media")
    ok("party", "add", "Tasnim", "--kind", "media")
    ok("claim", "add", "Ships expelled", "--by", "1", "--at", "2026-04-12", "--slug", "ships")
    ok("party", "merge", "1", "2")
    into_2 = "Error: party 1 was merged into party 2 (Tasnim News Agency); use 2"
    for args in (("party", "show", "1"), ("party", "edit", "1", "--kind", "agency"),
                 ("party", "alias", "1", "TNA"), ("party", "merge", "1", "3"),
                 ("party", "merge", "3", "1"), ("claim", "deny", "ships", "--by", "1"),
                 ("claim", "deny", "ships", "--by", "Iran", "--via", "1", "--create-missing"),
                 ("claim", "list", "--party", "1"),
                 ("report", "contested", "--party", "1")):  # fmt: skip
        assert refused(run, engine, *args) == into_2, args
    assert ok("party", "show", "Tasnim agency").startswith("#2 Tasnim News Agency")
    ok("party", "merge", "2", "3")  # and on: the party it went into, in the end
    assert refused(run, engine, "party", "show", "1") == (
        "Error: party 1 was merged into party 3 (Tasnim); use 3"
    )
    assert refused(run, engine, "party", "show", "4") == (
        "Error: unknown party '4': no party has that id."
    )


def test_a_merged_name_that_reads_like_a_merge_does_not_misdirect_its_old_id(ok, run, engine):
    """The merged party's target was read from the log's "#3 Name [kind] into #4 Name" by
    the first " [kind] into #N ": a name holding " [person] into #1 " sent the note to
    #1. The target is the split whose name the merge kept as an alias; the name of the
    party merged into may read like a merge too, and the note follows later merges."""
    ok("party", "add", "Eve")  # 1: where a hostile name would send the note
    ok("party", "add", "Tasnim News Agency", "--kind", "media")  # 2
    ok("party", "add", "Bob [person] into #1 Eve", "--kind", "government")  # 3
    ok("party", "add", "Pat [media] into #1 Eve", "--kind", "media")  # 4
    ok("party", "add", "Tasnim", "--kind", "media")  # 5
    ok("party", "merge", "3", "2")
    ok("party", "merge", "5", "4")  # the party merged into reads like a merge
    for old, into in (("3", "2 (Tasnim News Agency); use 2"),
                      ("5", "4 (Pat [media] into #1 Eve); use 4")):  # fmt: skip
        for args in (("party", "show", old), ("claim", "list", "--party", old)):
            assert refused(run, engine, *args) == f"Error: party {old} was merged into party {into}"
    ok("party", "merge", "2", "4")  # and on, through the log of each merge
    assert refused(run, engine, "party", "show", "3") == (
        "Error: party 3 was merged into party 4 (Pat [media] into #1 Eve); use 4"
    )
    assert ok("party", "show", "Bob [person] into #1 Eve").startswith("#4 Pat [media]")


@pytest.mark.parametrize("name", ["5", "５", "٥", "\u200b", "\u2060\u034f", "12 34"])
def test_names_that_no_one_could_reach_are_refused(run, engine, name):
    refused(run, engine, "party", "add", name)


def test_arabic_and_persian_letter_forms_find_the_same_party(ok):
    ok("party", "add", "علی کریمی")  # Persian kaf and yeh
    shown = ok("party", "show", "علي كريمي")  # Arabic kaf and yeh
    assert "علی کریمی" in shown
    assert normalise("كريمي") == normalise("کریمی")


def test_arabic_spelling_variants_are_one_name(ok, run, engine):
    """Teh marbuta and heh (ة ه), the alefs with hamza or madda and the bare alef
    (أ إ آ ٱ ا), and the vowel marks editors add or leave out are one name (user trial
    D5): a second Gaza health ministry is refused, and each spelling finds the party."""
    ok("party", "add", "Gaza Ministry of Health", "--alias", "وزارة الصحة في غزة")
    error = refused(run, engine, "party", "add", "وزارة الصحه في غزه")
    assert "belongs to party #1 'Gaza Ministry of Health'" in error, error
    ok("party", "add", "Al Jazeera", "--kind", "media", "--alias", "الجزيرة")
    assert ok("party", "show", "الجزيره").startswith("#2 Al Jazeera")
    ok("party", "add", "Palestinian Islamic Jihad", "--alias", "حركة الجهاد الإسلامي")
    for spelling in ("حركة الجهاد الاسلامي", "حركة الجهاد الأسلامي", "حركة الجهاد الآسلامي"):
        assert ok("party", "show", spelling).startswith("#3 Palestinian Islamic Jihad"), spelling
    # Two aliases that read alike are one: the second adds nothing.
    ok("party", "add", "Abu Obeida", "--alias", "أبو عبيدة", "--alias", "ابو عبيده")
    shown = json.loads(ok("party", "show", "ابو عبيدة", "--format", "json"))
    assert [p["aliases"] for p in shown] == [["أبو عبيدة"]], shown
    ok("party", "add", "مُحَمَّد الضَّيف")  # with its vowel marks
    assert "مُحَمَّد الضَّيف" in ok("party", "show", "محمد الضيف")
    # Claim texts are matched the same way: a search finds either spelling.
    ok("claim", "add", "قصف مستشفى في غزة", "--by", "Al Jazeera", "--at", "2026-04-11")
    found = json.loads(ok("claim", "list", "--search", "في غزه", "--format", "json"))
    assert [r["claim"] for r in found] == ["قصف مستشفى في غزة"]


def test_the_arabic_folds_and_what_stays_apart():
    alike = [("غزة", "غزه"), ("إسلام", "اسلام"), ("أحمد", "احمد"), ("آية", "ايه"),
             ("ٱلله", "الله"), ("مُحَمَّد", "محمد"), ("مصطفى", "مصطفي"), ("ا\u0655سلام", "اسلام"),
             ("ﻏﺰﺓ", "غزه")]  # fmt: skip  # a combining hamza; presentation forms
    for a, b in alike:
        assert normalise(a) == normalise(b), (a, b)
    # Hamza on waw or yeh and the lone hamza are letters of their own.
    for a, b in [("مسؤول", "مسوول"), ("رئيس", "رييس"), ("سماء", "سما")]:
        assert normalise(a) != normalise(b), (a, b)


def test_typographic_quotes_are_the_keyboards(ok, run, engine):
    """A phone's curly apostrophe finds the party typed with a straight one, and a
    second party spelled so is refused; the name is stored and shown as given."""
    ok("party", "add", "Ma'ariv", "--kind", "media")
    assert ok("party", "show", "Ma\u2019ariv").startswith("#1 Ma'ariv")
    assert ok("party", "show", "MA\u02bcARIV").startswith("#1 Ma'ariv")
    error = refused(run, engine, "party", "add", "Ma\u2019ariv")
    assert '#1 "Ma\'ariv"' in error, error
    ok("party", "add", "\u201cThe Source\u201d")
    assert ok("party", "show", '"the source"').startswith("#2 \u201cThe Source\u201d")
    single = "\u2018\u2019\u201a\u201b\u02bc\u2032"
    double = "\u201c\u201d\u201e\u201f\u2033"
    assert {normalise(f"a{q}b") for q in single} == {"a'b"}
    assert {normalise(f"a{q}b") for q in double} == {'a"b'}
    # The grave accent and the acute accent are not quotes; the guillemets stay too.
    assert len({normalise(f"a{q}b") for q in "'`\u00b4\u00ab"}) == 4


def test_cyrillic_yo_is_ye(ok, run, engine):
    """A new user's story (Prigozhin's jet, August 2023): Russian writes е for ё freely,
    and "Семен Пегов" beside the party "Семён Пегов" made a second party, only "close
    to" it. Now it is that party, refused as a second one, and so is a ё typed
    decomposed (е and a combining diaeresis) or in capitals; the name is kept as given."""
    ok("party", "add", "Семён Пегов", "--kind", "media")
    for spelling in ("Семен Пегов", "СЕМЕН ПЕГОВ", "СЕМЁН ПЕГОВ", "Се\u0308мен Пегов",
                     "СЕ\u0308МЕН ПЕГОВ"):  # fmt: skip
        assert ok("party", "show", spelling).startswith("#1 Семён Пегов"), spelling
    error = refused(run, engine, "party", "add", "Семен Пегов")
    assert "#1 'Семён Пегов'" in error, error
    ok("party", "add", "Пегов", "--alias", "Вольнёнок")
    assert ok("party", "show", "вольненок").startswith("#2 Пегов")
    error = refused(run, engine, "party", "add", "Вольненок")
    assert "#2 'Пегов'" in error, error
    assert normalise("ёЁ\u0435\u0308\u0415\u0308") == "ееее"
    # Cyrillic keeps its fast path (no regex tables); the decomposed ё takes the full way.
    from claimtrack.names import _plain_key

    assert _plain_key("Семён ПЕГОВ") == "семен пегов" == full("Семён ПЕГОВ")
    assert _plain_key("Се\u0308мен") is None
    # The Ukrainian and Belarusian letters of their own stay: є, і, ї, ў.
    assert len({normalise(c) for c in "еєэіиїуў"}) == 8


@given(st.text(max_size=40))
def test_cyrillic_yo_folds_whatever_surrounds_it(text):
    """ё, Ё and е with a combining diaeresis key as е does, whatever the text round them."""
    for yo in ("\u0451", "\u0401", "\u0435\u0308"):
        assert normalise(text.replace("е", yo)) == normalise(text)


@given(st.text(max_size=40))
def test_typographic_quotes_fold_whatever_surrounds_them(text):
    curly = text.replace("'", "\u2019").replace('"', "\u201d")
    assert normalise(curly) == normalise(text)


@given(st.text(max_size=40))
def test_text_key_ignores_final_full_stops_only(text):
    """A claim's digest is the same with a final full stop, ideographic or Urdu full
    stop or ellipsis, and spaces before it; not with a question or exclamation mark."""
    from claimtrack.record import text_key

    key = normalise(text)
    assume(key.rstrip(" .\u3002\u06d4"))
    for end in (".", " .", "\u3002", "\u06d4", "\u2026", "...", ". ."):
        assert text_key(text + end) == text_key(text), end
    if not key.endswith(("?", "!")):
        assert text_key(text + "?") != text_key(text)
        assert text_key(text + "!") != text_key(text)


def test_texts_are_stored_and_printed_as_given(ok):
    persian = "او می\u200cخواهد"  # the ZWNJ is spelling
    emoji = "Family 👨\u200d👩\u200d👧 at the port"
    quote = "first line\nsecond  line"
    ok("claim", "add", persian, "--by", "Zarif", "--create-missing", "--at", "2026-04-11",
       "--quote", quote)  # fmt: skip
    ok("claim", "add", emoji, "--by", "Zarif", "--at", "2026-04-11")
    rows = json.loads(ok("claim", "list", "--format", "json"))
    assert {r["claim"] for r in rows} == {persian, emoji}
    (shown,) = json.loads(ok("claim", "show", "1", "--format", "json"))
    assert shown["claim"] == persian
    assert [t["quote"] for t in shown["timeline"]] == [quote]
    # matching ignores the ZWNJ: a search typed without it finds the claim
    found = json.loads(ok("claim", "list", "--search", "میخواهد", "--format", "json"))
    assert [r["claim"] for r in found] == [persian]


def test_party_merge_moves_everything_and_keeps_the_name_resolvable(ok, run, engine):
    ok("party", "add", "Tasnim News Agency", "--kind", "media")
    ok("party", "add", "Tasnim", "--kind", "media", "--alias", "تسنیم")
    ok("party", "add", "Fars reporter", "--for", "Tasnim")
    ok("claim", "add", "Ships expelled", "--by", "Tasnim", "--at", "2026-04-12",
       "--url", "https://tasnim.example/1")  # fmt: skip
    ok("claim", "add", "Ships transited", "--by", "US", "--create-missing", "--at", "2026-04-11")
    ok("claim", "deny", "2", "--by", "Tasnim", "--at", "2026-04-12")
    before = ok("report", "contested", "--format", "json")
    out = ok("party", "merge", "Tasnim", "Tasnim News Agency")
    assert "into #1 Tasnim News Agency" in out and "2 stances" in out
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM party WHERE id = 2")).scalar() == 0
        assert c.execute(sa.text("SELECT count(*) FROM stance WHERE party_id = 2")).scalar() == 0
    for name in ("Tasnim", "تسنیم", "Tasnim News Agency"):
        assert ok("party", "show", name).startswith("#1 Tasnim News Agency")
    assert "Tasnim News Agency" in ok("party", "show", "Fars reporter")
    after = json.loads(ok("report", "contested", "--format", "json"))
    assert [r["claim_id"] for r in after] == [r["claim_id"] for r in json.loads(before)]
    assert "Tasnim News Agency" in json.dumps(after, ensure_ascii=False)
    log = ok("log")
    assert "party merge" in log
    refused(run, engine, "party", "merge", "Tasnim", "Tasnim")


def test_an_upgrade_reports_a_clash_and_loses_nothing(db_url, capfd):
    """A database at 0005 where a party is named as another's alias: the upgrade keeps
    both parties, names the clash (printed and in the log) with the merge command."""
    engine = db.create_engine(db_url)
    try:
        db.upgrade(engine, "0005")
        with engine.begin() as c:
            c.execute(
                sa.text(
                    "INSERT INTO party (id, name, name_norm, kind, anonymous, created_at) VALUES "
                    "(1, 'Tasnim News Agency', 'tasnim news agency', 'media', false, :t), "
                    "(2, 'Tasnim', 'tasnim', 'media', false, :t)"
                ),
                {"t": "2026-04-11 10:00:00"},
            )
            c.execute(sa.text("INSERT INTO party_alias (party_id, alias, alias_norm) "
                              "VALUES (1, 'Tasnim', 'tasnim')"))  # fmt: skip
        before = {t: _count(engine, t) for t in ("party", "party_alias")}
        db.upgrade(engine)
        assert {t: _count(engine, t) for t in before} == before
        printed = capfd.readouterr().err
        assert "claimtrack party merge 1 2" in printed
        with engine.connect() as c:
            logged = c.execute(sa.text("SELECT detail FROM event WHERE action = 'name clash'"))
            assert "claimtrack party merge 1 2" in logged.scalar()
            holders = c.execute(sa.text("SELECT party_id FROM party_name WHERE key = 'tasnim'"))
            assert holders.scalars().all() == [2]
    finally:
        engine.dispose()


def _count(engine, table: str) -> int:
    with engine.connect() as c:
        return c.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608


def test_a_long_cjk_source_title_is_accepted_on_both_backends(ok):
    title = "伊朗" * 500  # 1,000 characters, 3,000 bytes: over a PostgreSQL B-tree row
    ok("party", "add", "Xinhua", "--kind", "media")
    ok("source", "add", title, "--outlet", "Xinhua")
    assert title in ok("source", "list", "--format", "json")


def test_long_texts_come_from_standard_input_or_a_file_and_round_trip(ok, run, tmp_path):
    """A claim of 1 MB and a two-page quote: recorded from stdin and a file, exported per
    stance, imported into an empty database, exported again: the same bytes."""
    long_text = ("伊朗 می\u200cخواهد line\n" * 40_000)[:1_000_000]
    quote = "first page\n\nsecond page\r\nend"
    (tmp_path / "quote.txt").write_text(quote, encoding="utf-8", newline="")
    ok("claim", "add", "-", "--by", "Tasnim", "--create-missing", "--at", "2026-04-12",
       "--quote-file", str(tmp_path / "quote.txt"), input=long_text)  # fmt: skip
    (shown,) = json.loads(ok("claim", "show", "1", "--format", "json"))
    assert shown["claim"] == long_text.strip()
    assert shown["timeline"][0]["quote"] == quote
    first = tmp_path / "first.csv"
    ok("export", "csv", "--per", "stance", "--out", str(first))
    fresh = f"sqlite+pysqlite:///{tmp_path / 'fresh.db'}"
    from click.testing import CliRunner

    from claimtrack.cli import cli

    again = tmp_path / "again.csv"
    for args in (["import", "csv", str(first)], ["export", "csv", "--per", "stance", "--out",
                                                  str(again)]):  # fmt: skip
        result = CliRunner().invoke(cli, ["--db", fresh, *args])
        assert result.exit_code == 0, result.output
    assert again.read_bytes() == first.read_bytes()


def test_text_and_text_file_together_are_refused(run, engine, tmp_path):
    (tmp_path / "t.txt").write_text("x", encoding="utf-8")
    refused(run, engine, "claim", "add", "words", "--text-file", str(tmp_path / "t.txt"),
            "--by", "A", "--create-missing")  # fmt: skip
    refused(run, engine, "claim", "add", "--by", "A", "--create-missing")


def test_a_quote_file_that_is_not_text_is_refused_in_words_for_a_text_file(ok, run, engine,
                                                                        tmp_path):  # fmt: skip
    """`claim comment 1 --quote-file /bin/ls` advised saving the file "as UTF-8 (a
    spreadsheet's 'CSV UTF-8')" and an iconv "> converted.csv": an import's words for a quote
    file. A quote or text file is refused as a text file, naming the option."""
    import sys
    from pathlib import Path

    from claimtrack.importer import MAX_FILE_BYTES

    ok("claim", "add", "Ships sailed", "--by", "NATO", "--create-missing", "--at", "2022-09-27")
    program = Path(sys.executable).resolve()  # a binary, as /bin/ls
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café au lait".encode("latin-1"))
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("le café".encode("utf-16"))
    for option, args in (("--quote-file", ("claim", "comment", "1", "--by", "NATO")),
                         ("--text-file", ("claim", "add", "--by", "NATO"))):  # fmt: skip
        for path, advice in ((program, "give a text file saved as UTF-8"),
                             (latin, "give a text file saved as UTF-8"),
                             (utf16, f"iconv -f UTF-16 -t UTF-8 {utf16} > text.txt")):  # fmt: skip
            error = refused(run, engine, *args, option, str(path))
            assert error.startswith(f"Error: {option} {path} is not UTF-8 text"), error
            assert advice in error, error
            assert "CSV" not in error and "converted.csv" not in error, error
        unmarked = tmp_path / "unmarked.txt"  # UTF-16 without a mark "is" UTF-8, NULs and all
        unmarked.write_bytes("Ships sailed at dawn".encode("utf-16-le"))
        error = refused(run, engine, *args, option, str(unmarked))
        assert error == (f"Error: {option} {unmarked} reads as UTF-16LE without a byte-order "
                         "mark (a NUL byte beside each letter): convert it first, e.g. iconv "
                         f"-f UTF-16LE -t UTF-8 {unmarked} > text.txt"), error  # fmt: skip
        huge = tmp_path / "huge.txt"
        with huge.open("wb") as f:
            f.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing to read
        error = refused(run, engine, *args, option, str(huge))
        assert error.endswith(f"MiB, the most {option} reads"), error  # not "one import"
    # nu19: the same text on standard input was a usage error (exit 2), in a file exit 1.
    for args in (("claim", "comment", "1", "--by", "NATO", "--quote-file", "-"),
                 ("claim", "add", "-", "--by", "NATO")):  # fmt: skip
        before = snapshot(engine)
        result = run(*args, input="café au lait".encode("latin-1"))
        assert (result.exit_code, result.stderr) == (1, (
            "Error: standard input is not UTF-8 text (byte 3 cannot be read): give text saved "
            "as UTF-8\n")), result.output  # fmt: skip
        assert snapshot(engine) == before


@pytest.mark.parametrize(
    "toml",
    [
        '[[parties]]\nname = "Loop"\nfor = "Loop"\n',
        '[[parties]]\nname = "A1"\n[[parties]]\nname = "B1"\nfor = "A1"\n'
        '[[parties]]\nname = "A1"\nfor = "B1"\n',
    ],
)
def test_a_dataset_where_a_party_acts_for_itself_is_refused(run, engine, tmp_path, toml):
    path = tmp_path / "loop.toml"
    path.write_text(toml, encoding="utf-8")
    assert "that is circular" in refused(run, engine, "seed", str(path))


def test_persian_emoji_and_a_two_line_quote_survive_the_csv_round_trip(ok, tmp_path):
    texts = ["او می\u200cخواهد برود", "Family 👨\u200d👩\u200d👧 at the port"]
    quote = "first line\nsecond  line"
    for text in texts:
        ok("claim", "add", text, "--by", "Zarif", "--create-missing", "--at", "2026-04-11",
           "--quote", quote, "--force")  # fmt: skip
    first = tmp_path / "first.csv"
    ok("export", "csv", "--per", "stance", "--out", str(first))
    fresh = f"sqlite+pysqlite:///{tmp_path / 'fresh.db'}"
    from click.testing import CliRunner

    from claimtrack.cli import cli

    runner = CliRunner()
    assert runner.invoke(cli, ["--db", fresh, "import", "csv", str(first)]).exit_code == 0
    again = runner.invoke(cli, ["--db", fresh, "claim", "list", "--format", "json"])
    assert sorted(r["claim"] for r in json.loads(again.output)) == sorted(texts)
    second = tmp_path / "second.csv"
    result = runner.invoke(cli, ["--db", fresh, "export", "csv", "--per", "stance", "--out",
                                 str(second)])  # fmt: skip
    assert result.exit_code == 0 and second.read_bytes() == first.read_bytes()


def test_an_anonymous_source_shares_the_namespace(ok, run, engine):
    ok("party", "add", "Iran", "--kind", "government")
    assert "#1 'Iran'" in refused(run, engine, "party", "add", "--anonymous", "IRAN")
    ok("party", "add", "--anonymous", "unnamed US official")
    assert "unnamed US official" in refused(run, engine, "party", "add", "Unnamed us official")


def test_a_new_partys_refusal_points_at_no_party_that_will_not_exist(ok, run, engine):
    ok("party", "add", "Iran", "--kind", "government", "--alias", "ایران")
    line = refused(run, engine, "party", "add", "Newco", "--alias", "ايـران")  # tatweel
    assert "party merge" not in line and "#1 'Iran'" in line
    assert "ایران" in ok("party", "show", "ايران")  # Arabic yeh finds the Persian alias


def test_merge_joins_twin_sources_or_refuses_two_addresses(ok, run, engine):
    ok("party", "add", "Iran", "--kind", "government")
    ok("party", "add", "Tasnim agency", "--kind", "media", "--for", "Iran")
    ok("party", "add", "Tasnim News Agency", "--kind", "media")
    ok(
        "source",
        "add",
        "Talks collapse",
        "--outlet",
        "Tasnim agency",
        "--url",
        "https://a.example/1",
    )
    ok("source", "add", "Talks collapse", "--outlet", "Tasnim News Agency", "--url",
       "https://b.example/2")  # fmt: skip
    line = refused(run, engine, "party", "merge", "Tasnim agency", "Tasnim News Agency")
    assert "different addresses" in line
    # a party merged into one that acts for it: no self-affiliation, one line or a merge
    out = ok("party", "merge", "Iran", "Tasnim agency")
    assert "Merged #1 Iran" in out
    assert "acts for" not in ok("party", "show", "Tasnim agency").splitlines()[0]


def test_merge_into_a_party_acting_for_it_through_others_makes_no_loop(ok, run, engine):
    """Gov A <- Minister B <- Aide C; Gov A merged into Aide C: Aide C takes Gov A's side
    (none), Minister B acts for Aide C, and no party acts for itself through others."""
    ok("party", "add", "Gov A", "--kind", "government")
    ok("party", "add", "Minister B", "--for", "Gov A")
    ok("party", "add", "Aide C", "--for", "Minister B")
    ok("claim", "add", "The talks lasted 21 hours", "--by", "Minister B")
    ok("party", "merge", "Gov A", "Aide C")
    with engine.connect() as connection:
        acts_for = dict(connection.execute(sa.text(
            "SELECT p.name, f.name FROM party p LEFT JOIN party f ON f.id = p.acts_for_id"
        )).all())  # fmt: skip
    assert acts_for == {"Aide C": None, "Minister B": "Aide C"}
    listing = json.loads(ok("party", "list", "--format", "json"))
    assert {p["name"] for p in listing} == {"Aide C", "Minister B"}
    sides = json.loads(ok("report", "parties", "--by", "side", "--format", "json"))
    assert [(s["side"], s["asserted"]) for s in sides] == [("Aide C", 1)]


@pytest.mark.parametrize(
    "args",
    [
        ("claim", "list", "--limit", "99999999999999999999999"),
        ("report", "contested", "--limit", "9223372036854775808"),
        ("log", "--limit", "9223372036854775808"),
        ("claim", "add", "X", "--by", "Iran", "--create-missing", "--url", "http://[::1"),
        ("claim", "add", "X", "--by", "Iran", "--create-missing", "--url", "https://[zz]/"),
        ("claim", "add", "X", "--by", "١٢٣", "--create-missing"),
        ("verdict", "set", "1", "--rating", "false", "--value", "9" * 23, "--best", "9" * 23),
        ("db", "downgrade", "nonsense"),
        ("db", "upgrade", "--revision", "99999"),
        ("db", "upgrade", "--revision", ""),
        ("report", "contested", "--party", ""),
        # Prigozhin (a new user): an empty --search matched every claim, an empty --topic
        # was an unknown topic; both are empty, as --party "" is.
        ("claim", "list", "--search", ""),
        ("export", "csv", "--search", " "),
        ("report", "changes", "--topic", ""),
        ("report", "contested", "--topic", ""),
        ("claim", "link", "1", "1", "--contradicts", "--same-as"),
    ],
)
def test_more_hostile_arguments_are_one_line(ok, run, engine, args):
    ok("claim", "add", "Ships transited", "--by", "US", "--create-missing", "--at", "2026-04-11")
    refused(run, engine, *args)


def test_standard_input_is_read_once(run, engine):
    refused(run, engine, "claim", "add", "-", "--quote-file", "-", "--by", "A", "--create-missing")


def full(text: str) -> str:
    """``normalise`` the whole way, through the ``regex`` module's Unicode tables."""
    import unicodedata

    from claimtrack.names import _LETTERS, _QUOTES, _patterns

    ignorable, space, marks = _patterns()
    key = unicodedata.normalize("NFKC", ignorable.sub("", text).translate(_QUOTES))
    key = unicodedata.normalize("NFKC", key.casefold())
    key = marks.sub("", ignorable.sub("", key).translate(_LETTERS))
    return space.sub(" ", key).strip()


def test_plain_ascii_keys_are_the_full_keys():
    """normalise spares plain ASCII the Unicode folding; the key is the same."""
    import random
    import string

    rng = random.Random(11)
    for _ in range(5000):
        text = "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 30)))
        assert normalise(text) == full(text), repr(text)
    assert all(normalise(chr(c)) == full(chr(c)) for c in range(128))


def test_no_plain_character_is_one_the_full_way_removes_or_spaces():
    """``names._plain`` lets a text skip the ``regex`` module: over every code point, no
    character it lets through (but the space) is one the full way's patterns match, nor
    one the letter folds make (so its key needs none either)."""
    from claimtrack.names import _LETTERS, _patterns, _plain

    patterns = _patterns()
    let_through = [chr(c) for c in range(0x110000) if c != 0x20 and _plain(chr(c))]
    assert len(let_through) > 100_000
    assert not [c for c in let_through if any(p.match(c) for p in patterns)]
    folded = "".join(v for v in _LETTERS.values() if v)
    assert _plain(folded) and all(not p.match(c) for p in patterns for c in folded)


PLAIN_AND_NOT = (
    "台湾伊朗گزارشایرانايـرانغزةالإسلاميمُحَمَّد ＶＡＮＣＥStraßeÉcoleМосква한국\u1160\u3164ﱞ"
    "\u200c\u200b\u00ad\ufe0f\u202e  \u00a0\u3000\t\n\x1f‘’“”″′ʼ.…。۔!?0١۲"
    "ЁёЕе\u0308Семён"
)


@given(st.text(alphabet=PLAIN_AND_NOT, max_size=40))
def test_unicode_keys_are_the_full_keys(text):
    """Chinese, Persian, Arabic, Cyrillic (ё, Ё and a combining diaeresis among it),
    accented and wide Latin, with and without ignorable characters, marks, odd spaces and
    curly quotes: the same key either way."""
    assert normalise(text) == full(text)


@given(st.text())
def test_any_text_keys_as_the_full_way(text):
    assert normalise(text) == full(text)


def test_party_list_and_show_give_the_same_keys(ok):
    """`party list` gave `acts_for` and no `side`, `party show` `side` and no
    `acts_for`, and `party show`'s stances named the speaker `by` where timelines say
    `party` (trial D9): both give both, and `by` stays, equal to `party`."""
    ok("party", "add", "Russia", "--kind", "government")
    ok("party", "add", "Dmitry Peskov", "--for", "Russia")
    ok("party", "add", "Kremlin press office", "--kind", "agency", "--for", "Dmitry Peskov")
    ok("claim", "add", "Russia blew up the pipelines", "--by", "Mykhailo Podolyak",
       "--create-missing", "--at", "2022-09-27T14:10+03:00")  # fmt: skip
    ok("claim", "deny", "1", "--by", "Kremlin press office", "--at", "2022-09-28T12:30+03:00")
    listing = {p["name"]: p for p in json.loads(ok("party", "list", "--format", "json"))}
    shown = json.loads(ok("party", "show", "Kremlin press office", "--format", "json"))[0]
    for party in (listing["Kremlin press office"], shown):
        assert (party["acts_for"], party["side"]) == ("Dmitry Peskov", "Russia")
    assert (listing["Russia"]["acts_for"], listing["Russia"]["side"]) == (None, "Russia")
    [stance] = shown["stances"]
    assert stance["party"] == stance["by"] == "Kremlin press office"
    csv_head = ok("party", "list", "--format", "csv").lstrip("\ufeff").splitlines()[0]
    assert csv_head == "id,name,kind,acts_for,side,aliases,description"


def test_party_shows_stances_carry_the_speakers_side_as_timelines_do(ok):
    """`party show --format json` gave each stance its speaker (`party`) but not the
    speaker's `side`, which timelines carry beside `party`: it does, for the party's own
    stances and for those it relayed (the speaker's side, not the relaying party's)."""
    ok("party", "add", "Russia", "--kind", "government")
    ok("party", "add", "Dmitry Peskov", "--for", "Russia")
    ok("party", "add", "Ukraine", "--kind", "government")
    ok("party", "add", "Mykhailo Podolyak", "--for", "Ukraine")
    ok("party", "add", "Reuters", "--kind", "media")
    ok("claim", "add", "Russia blew up the pipelines", "--by", "Mykhailo Podolyak",
       "--via", "Reuters", "--at", "2022-09-27T14:10+03:00")  # fmt: skip
    ok("claim", "deny", "1", "--by", "Dmitry Peskov", "--at", "2022-09-28T12:30+03:00")
    ok("claim", "comment", "1", "--by", "Reuters", "--at", "2022-09-29")
    timeline = json.loads(ok("claim", "show", "1", "--format", "json"))[0]["timeline"]
    sides = {t["party"]: t["side"] for t in timeline}
    for name in ("Dmitry Peskov", "Reuters"):
        shown = json.loads(ok("party", "show", name, "--format", "json"))[0]
        assert shown["stances"], name
        for stance in shown["stances"]:
            assert stance["side"] == sides[stance["party"]], (name, stance)
    reuters = json.loads(ok("party", "show", "Reuters", "--format", "json"))[0]["stances"]
    assert [(s["kind"], s["party"], s["side"]) for s in reuters] == [
        ("comments", "Reuters", "Reuters"),
        ("relayed (asserts)", "Mykhailo Podolyak", "Ukraine"),
    ]


def test_merge_says_one_stance_not_one_stances(ok, engine):
    """`party merge` said "1 stances, 0 reported via, ..." (trial D13)."""
    ok("party", "add", "Tasnim agency", "--kind", "media")
    ok("party", "add", "Tasnim News Agency", "--kind", "media")
    ok("claim", "add", "The talks lasted 21 hours", "--by", "Tasnim agency")
    ok("source", "add", "Talks collapse", "--outlet", "Tasnim agency")
    out = ok("party", "merge", "Tasnim agency", "Tasnim News Agency")
    assert "1 stance, 0 reported via, 1 source, 0 acting for it, 0 sources joined" in out, out
    with engine.connect() as connection:
        logged = connection.execute(sa.text(
            "SELECT detail FROM event WHERE action = 'party merge'")).scalar_one()  # fmt: skip
    assert "1 stance, " in logged and "stances" not in logged, logged
