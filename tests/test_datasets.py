"""`import liar` and `import pheme`: the public datasets in ../shared/data, every row
accounted for, on both databases. The data is read where it lies (licences: research
use only for LIAR, tweet text its authors'), and the tests that need it are skipped,
saying so, when the folder is absent."""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import snapshot

from claimtrack.datasets import liar, pheme
from claimtrack.names import normalise

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
needs_liar = pytest.mark.skipif(
    not (DATA / "liar").is_dir(), reason=f"{DATA / 'liar'} is absent (the LIAR dataset)"
)
needs_pheme = pytest.mark.skipif(
    not (DATA / "pheme").is_dir(), reason=f"{DATA / 'pheme'} is absent (the PHEME dataset)"
)


def _rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text(sql))]


def _count(engine, sql: str) -> int:
    return _rows(engine, sql)[0][0]


# -- LIAR -------------------------------------------------------------------------------


def _liar_lines(folder: Path) -> list[list[str]]:
    """LIAR's rows, read here independently of the converter (QUOTE_NONE, as its
    README's format requires)."""
    rows = []
    for name in ("train.tsv", "valid.tsv", "test.tsv"):
        with (folder / name).open(encoding="utf-8", newline="") as f:
            rows += list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return rows


@pytest.mark.parametrize(
    ("slug", "name"),
    [("john-kasich", "John Kasich"), ("barack-obama", "Barack Obama"),
     ("league-of-women-voters", "League of Women Voters"), ("john-mccain", "John McCain"),
     ("aclu-georgia-foundation", "ACLU Georgia Foundation"), ("AARP", "AARP"),
     ("Jack_Graham", "Jack Graham"), ("GaGOP", "GaGOP"), ("ron-paul-jr", "Ron Paul Jr."),
     ("defenders-wildlife-action-fund-defenders-wildlife-",
      "Defenders Wildlife Action Fund Defenders Wildlife")],
)  # fmt: skip
def test_liar_speaker_names_for_display(slug, name):
    assert liar.display_name(slug) == name


def test_liar_names_that_would_read_alike_keep_their_slug():
    names = liar.speaker_names(["john-smith", "John_Smith", "republican-party", "anne-lee"])
    assert names == {"john-smith": "John Smith (john-smith)",
                     "John_Smith": "John Smith (John_Smith)",
                     "republican-party": "Republican Party (republican-party)",
                     "anne-lee": "Anne Lee"}  # fmt: skip


def _small_liar(folder: Path, rows: list[str]) -> Path:
    folder.mkdir()
    (folder / "train.tsv").write_text("".join(rows), encoding="utf-8")
    (folder / "valid.tsv").write_text("", encoding="utf-8")
    (folder / "test.tsv").write_text("", encoding="utf-8")
    return folder


KASICH = ("11.json\tpants-fire\t\"Says Ohio has 10 jobs.\tjobs,economy\tjohn-kasich\tGovernor\t"
          "Ohio\trepublican\t1\t2\t3\t4\t5\ta speech in Columbus\n")  # fmt: skip
NEWSMAN = "12.json\ttrue\tThe sky is blue.\tweather\tjoe-news\t\t\tjournalist\t0\t0\t0\t0\t0\t\n"


KASICH_AGAIN = ("13.json\tfalse\tRain is dry.\tweather\tjohn-kasich\t\tohio\trepublican\t"
                "1\t2\t3\t4\t5\t\n")  # fmt: skip


def test_liar_statement_in_full(run, engine, tmp_path):
    folder = _small_liar(tmp_path / "liar", [KASICH, NEWSMAN, KASICH_AGAIN])
    result = run("import", "liar", str(folder))
    assert result.exit_code == 0, result.output
    assert "Read 3 row(s): 3 from train.tsv, 0 from valid.tsv, 0 from test.tsv." in result.output
    assert "LIAR gives no dates: every stance is dated 2017-04-23" in result.output
    assert "3 verdict(s) by PolitiFact, 1 party description(s)." in result.output
    assert "Created party 'PolitiFact' to publish the verdicts." in result.output
    assert "different jobs or states" not in result.output  # ohio is Ohio; no job: none given
    # A statement that begins with a double quote keeps it, and the next row survives.
    assert _rows(engine, "SELECT slug, topic, text FROM claim ORDER BY id") == [
        ("liar-11", "liar-jobs", '"Says Ohio has 10 jobs.'),
        ("liar-12", "liar-weather", "The sky is blue."),
        ("liar-13", "liar-weather", "Rain is dry."),
    ]
    parties = _rows(engine, """
        SELECT p.name, p.kind, a.alias, s.name, p.description FROM party p
        LEFT JOIN party_alias a ON a.party_id = p.id LEFT JOIN party s ON s.id = p.acts_for_id
        ORDER BY p.name""")  # fmt: skip
    assert parties == [
        ("Joe News", "person", "joe-news", None, None),  # a journalist acts for no party
        ("John Kasich", "person", "john-kasich", "Republican Party", "Governor, Ohio"),
        ("PolitiFact", "media", None, None, None),
        ("Republican Party", "organisation", None, None, None),
    ]
    # The speakers' stances only: PolitiFact's rating is its verdict, not a side taken.
    stances = _rows(engine, """
        SELECT c.slug, p.name, st.kind, src.title, st.said_precision
        FROM stance st JOIN claim c ON c.id = st.claim_id JOIN party p ON p.id = st.party_id
        LEFT JOIN source src ON src.id = st.source_id ORDER BY st.id""")  # fmt: skip
    assert stances == [
        ("liar-11", "John Kasich", "asserts", "a speech in Columbus", "day"),
        ("liar-12", "Joe News", "asserts", None, "day"),
        ("liar-13", "John Kasich", "asserts", None, "day"),
    ]
    assert _rows(engine, "SELECT DISTINCT status FROM claim_state") == [("asserted",)]
    shown = json.loads(run("verdict", "show", "liar-11", "--format", "json").stdout)
    assert [(v["label"], v["rating"], v["publisher"]) for v in shown] == [
        ("Pants on Fire!", "false", "PolitiFact")
    ]
    # Dated the day LIAR was released, as the import says, not the day it was imported.
    assert (shown[0]["at"], shown[0]["at_tz"]) == ("2017-04-23", "+00:00")
    summary = shown[0]["summary"]
    for kept in ("party column: republican", "Subjects: jobs, economy",
                 "Context: a speech in Columbus", "barely-true 1; false 2; half-true 3",
                 "LIAR gives no date"):  # fmt: skip
        assert kept in summary
    assert "Governor" not in summary and "Ohio" not in summary.replace("Says Ohio", "")
    published = _rows(engine, """SELECT DISTINCT v.publisher_url, v.published_precision
                                 FROM verdict v JOIN party p ON p.id = v.publisher_id
                                 WHERE p.name = 'PolitiFact'""")  # fmt: skip
    assert published == [("https://www.politifact.com", "day")]
    # Every view of the claim says whose verdict it is.
    shown = run("claim", "show", "liar-11").stdout
    assert "Verdict: Pants on Fire! (false) per PolitiFact" in shown
    table = run("report", "claims").stdout  # the note may wrap in its column
    assert "[verdict: Pants on Fire!" in table and "(false)" in table
    assert "per PolitiFact]" in table
    claims = json.loads(run("report", "claims", "--format", "json").stdout)
    assert {c["slug"]: c["verdict"] for c in claims}["liar-12"] == "True (true) per PolitiFact"
    exported = list(csv.DictReader(run("export", "csv").stdout.lstrip("\ufeff").splitlines()))
    assert {r["slug"]: r["verdict"] for r in exported}["liar-13"] == "False (false) per PolitiFact"
    # LIAR gives no address for PolitiFact's article: no ClaimReview can be complete.
    reviews = run("export", "claimreview", "--skip-incomplete")
    assert reviews.exit_code == 0 and json.loads(reviews.stdout) == []
    assert "claim liar-11 left out: its review lacks url" in reviews.output
    again = run("import", "liar", str(folder))
    assert "nothing new" in again.output and "verdict(s)" not in again.output
    assert "description(s)" not in again.output and "Created party" not in again.output


def test_liar_speakers_rows_disagreeing_keep_the_most_frequent(run, engine, tmp_path):
    rows = [
        f"{n}.json\ttrue\tStatement {n}.\tx\tann-lee\t{job}\tTexas\tdemocrat\t0\t0\t0\t0\t0\t\n"
        for n, job in ((1, "Mayor"), (2, "Senator"), (3, "Senator"))
    ]
    assert run("party", "add", "Bob Roe", "--description", "Editor's words").exit_code == 0
    rows.append("4.json\ttrue\tStatement 4.\tx\tbob-roe\tAuthor\t\tnone\t0\t0\t0\t0\t0\t\n")
    result = run("import", "liar", str(_small_liar(tmp_path / "liar", rows)))
    assert result.exit_code == 0, result.output
    assert "1 speaker(s) have rows giving different jobs or states" in result.output
    described = dict(_rows(engine, "SELECT name, description FROM party"))
    assert described["Ann Lee"] == "Senator, Texas"
    assert described["Bob Roe"] == "Editor's words"  # an editor's description is kept


def test_liar_bad_folder_says_why_and_writes_nothing(run, engine, tmp_path):
    before = snapshot(engine)
    # A folder that is not there is a bad path (exit 2, as a file given for DIR is); one
    # without LIAR's files is refused by what it holds (exit 1).
    result = run("import", "liar", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert f"no such folder: {tmp_path / 'nowhere'}" in result.output.strip().splitlines()[-1]
    (tmp_path / "empty").mkdir()
    result = run("import", "liar", str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("Error: ")
    assert "has no train.tsv" in result.output
    folder = _small_liar(tmp_path / "liar", [NEWSMAN, "13.json\ttrue\tshort row\n"])
    result = run("import", "liar", str(folder))
    assert result.exit_code == 1
    assert f"Error: {folder / 'train.tsv'}:2: 3 fields where LIAR has 14" in result.output
    assert snapshot(engine) == before


def _slice(source: Path, target: Path, per_file: int) -> Path:
    """The first ``per_file`` rows of each LIAR file: a deterministic slice."""
    target.mkdir()
    for name in ("train.tsv", "valid.tsv", "test.tsv"):
        with (source / name).open(encoding="utf-8", newline="") as f:
            lines = [line for _, line in zip(range(per_file), f, strict=False)]
        (target / name).write_text("".join(lines), encoding="utf-8")
    return target


@needs_liar
def test_liar_every_statement_a_claim(run, engine, backend, tmp_path):
    """12,836 statements in, 12,836 claims out, each with its speaker's stance and
    PolitiFact's verdict; every speaker a named party, with the side LIAR gives and the
    job and state as its description.
    The whole of LIAR on SQLite (about 25 s); on PostgreSQL, where the whole takes about a
    minute, the first 1,000 rows of each file."""
    folder = DATA / "liar"
    if backend == "postgresql":
        folder = _slice(folder, tmp_path / "liar", 1000)
    lines = _liar_lines(folder)
    n = len(lines)
    if backend == "sqlite":
        assert n == 12836
    result = run("import", "liar", str(folder))
    assert result.exit_code == 0, result.output
    assert f"{n:,} statements (a claim, its speaker's assertion, PolitiFact's verdict)" in (
        result.output
    )
    assert _count(engine, "SELECT count(*) FROM claim") == n
    assert _count(engine, "SELECT count(*) FROM stance") == n
    expected = Counter(liar.LABELS[label] for _, label, *_ in lines)
    verdicts = Counter(
        {(label, rating): k for label, rating, k in _rows(engine, """
            SELECT label, rating, count(*) FROM verdict v JOIN party p ON p.id = v.publisher_id
            WHERE p.name = 'PolitiFact' GROUP BY label, rating""")}
    )  # fmt: skip
    assert verdicts == expected
    assert _count(engine, "SELECT count(DISTINCT claim_id) FROM verdict") == n
    assert _count(engine, "SELECT count(*) FROM verdict WHERE publisher_id IS NULL") == 0

    # Every speaker: a party named for display, answering to its slug, with its side.
    assert {line[7] for line in lines} <= set(liar.SIDES) | liar.ROLES
    speakers: dict[str, str | None] = {line[4]: None for line in lines}
    for line in lines:  # the first political party any of a speaker's rows gives
        if line[7] in liar.SIDES and speakers[line[4]] is None:
            speakers[line[4]] = line[7]
    found = {}
    for name, alias, side in _rows(engine, """
            SELECT p.name, a.alias, s.name FROM party p
            LEFT JOIN party_alias a ON a.party_id = p.id
            LEFT JOIN party s ON s.id = p.acts_for_id"""):  # fmt: skip
        found[normalise(alias or name)] = (name, side)
    names = liar.speaker_names(sorted(speakers))
    for slug, affiliation in speakers.items():
        name, side = found[normalise(slug)]  # by its slug, as an alias or as its name
        assert name == names[slug]
        assert side == liar.SIDES.get(affiliation)
    with_side = sum(1 for a in speakers.values() if a)
    assert _count(engine, "SELECT count(*) FROM party WHERE acts_for_id IS NOT NULL") == with_side
    # Every speaker whose rows give a job or a state is described by them.
    given = {line[4] for line in lines if liar._given(line[5]) or liar._given(line[6])}
    described = _count(engine, "SELECT count(*) FROM party WHERE description IS NOT NULL")
    assert described == len(given)
    if backend == "sqlite":
        assert (len(speakers), with_side, described) == (3318, 1916, 2548)
        kasich = _rows(engine, "SELECT description FROM party WHERE name = 'John Kasich'")
        assert kasich == [("Governor of Ohio as of Jan. 10, 2011",)]  # LIAR's words
        obama = _rows(engine, "SELECT description FROM party WHERE name = 'Barack Obama'")
        assert obama == [("President, Illinois",)]
    # Nobody in LIAR takes a side against a statement: PolitiFact judges, it does not deny.
    statuses = dict(_rows(engine, "SELECT status, count(*) FROM claim_state GROUP BY status"))
    assert statuses == {"asserted": n}
    before = snapshot(engine)
    again = run("import", "liar", str(folder))
    assert again.exit_code == 0 and "nothing new" in again.output
    log = {k: v for k, v in before.items() if k != "event"}
    assert {k: v for k, v in snapshot(engine).items() if k != "event"} == log
    if backend == "sqlite":
        _liar_workbook_opens_as_it_should(run, tmp_path, n)


def _liar_workbook_opens_as_it_should(run, tmp_path, statements: int) -> None:
    """The whole LIAR archive as XLSX: every row, no formula cell, dates as date cells."""
    import datetime as dt
    import subprocess

    from openpyxl import load_workbook

    book_path = tmp_path / "liar.xlsx"
    result = run("export", "xlsx", "--out", str(book_path))
    assert result.exit_code == 0, result.output
    if shutil.which("soffice"):  # as LibreOffice opens it and saves it again
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
             "--convert-to", "xlsx", "--outdir", str(tmp_path / "resaved"), str(book_path)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        book_path = tmp_path / "resaved" / "liar.xlsx"
    book = load_workbook(book_path, read_only=True)
    # A streamed workbook records no dimensions: count the rows themselves.
    sizes = {sheet.title: sum(1 for _ in sheet.iter_rows(min_row=2)) for sheet in book.worksheets}
    assert sizes == {"contested": 0, "claims": statements, "stances": statements}
    claims = book["claims"].iter_rows(values_only=False)
    header = [c.value for c in next(claims)]
    first = header.index("first_reported")
    formulas = 0
    for row in claims:
        formulas += sum(c.data_type == "f" for c in row)
        assert isinstance(row[first].value, dt.datetime | dt.date)
    assert formulas == 0


# -- PHEME ------------------------------------------------------------------------------


@needs_pheme
def test_pheme_every_tweet_and_link_accounted_for(run, engine):
    folder = DATA / "pheme"
    with (folder / "pheme_tweets.csv").open(encoding="utf-8", newline="") as f:
        tweets = list(csv.DictReader(f))
    with (folder / "pheme_links.csv").open(encoding="utf-8", newline="") as f:
        links = list(csv.DictReader(f))
    assert (len(tweets), len(links)) == (1275, 168)
    threads = {t["thread_id"]: t for t in tweets}
    sources = {t["thread_id"]: t for t in tweets if t["is_source"] == "1"}
    rumours = {(t["event"], t["claim"] or t["thread_id"]) for t in tweets}
    # A tweet listed twice (in one thread, or under a thread it does not answer) is one
    # stance; an article listed for each thread of its rumour is one stance.
    link_stances = {(k["event"], k["claim"], k["url"], k["position"]) for k in links}
    unique_tweets = {t["tweet_id"] for t in tweets}
    assert (len(threads), len(rumours), len(unique_tweets), len(link_stances)) == (78, 39, 1266, 73)

    result = run("import", "pheme", str(folder))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Read 1,443 row(s): 1,275 from pheme_tweets.csv, 168 from pheme_links.csv." in out
    listed = [int(line.split()[0].replace(",", "")) for line in out.splitlines()
              if line.startswith("  ")]  # fmt: skip
    replies = sum(1 for t in tweets if t["is_source"] == "0")
    assert sum(listed) == len(tweets) + len(links) + replies  # rows, then reply links
    # One claim per thread: its source tweet, asserted by its author.
    slugs = {f"pheme-{t['event']}-{t['thread_id']}" for t in tweets}
    assert {s for (s,) in _rows(engine, "SELECT slug FROM claim")} == slugs
    asserted = _rows(engine, """
        SELECT c.slug, p.name, c.text FROM stance st JOIN claim c ON c.id = st.claim_id
        JOIN party p ON p.id = st.party_id WHERE st.kind = 'asserts'""")  # fmt: skip
    assert sorted(asserted) == sorted(
        (f"pheme-{t['event']}-{th}", t["author_screen_name"], t["text"])
        for th, t in sources.items()
    )
    missing = set(threads) - set(sources)  # its claim: the rumour, in the annotators' words
    assert [t for (t,) in _rows(engine, "SELECT text FROM claim")
            if t in {threads[th]["claim"] for th in missing}]  # fmt: skip
    # Threads of one rumour are the same claim, linked; none contradicts another.
    links_made = dict(_rows(engine, "SELECT kind, count(*) FROM claim_link GROUP BY kind"))
    assert links_made == {"same_as": len(threads) - len(rumours)}
    twitter = """SELECT count(*) FROM stance st JOIN source s ON s.id = st.source_id
                 JOIN party o ON o.id = s.outlet_id WHERE o.name = 'Twitter'"""
    assert _count(engine, twitter) == len(unique_tweets)
    stances = _count(engine, "SELECT count(*) FROM stance")
    assert stances == len(unique_tweets) + len(link_stances)
    # Each article once, on its rumour's first thread.
    per_claim = _rows(engine, """
        SELECT count(DISTINCT st.claim_id), count(*) FROM stance st
        JOIN source s ON s.id = st.source_id JOIN party o ON o.id = s.outlet_id
        WHERE o.name <> 'Twitter'""")  # fmt: skip
    assert per_claim == [(len({(k["event"], k["claim"]) for k in links}), len(link_stances))]
    # Every reply's link to the tweet it answers, in its source title.
    titles = {t for (t,) in _rows(engine, "SELECT title FROM source")}
    for t in tweets:
        if t["parent_id"]:
            assert f"{t['tweet_id']}, in reply to {t['parent_id']}" in titles
    # Replies' labels as stances on their thread's claim.
    kinds = Counter(dict(_rows(engine, "SELECT kind, count(*) FROM stance GROUP BY kind")))
    assert kinds["questions"] == sum(
        1 for t in {t["tweet_id"]: t for t in tweets}.values()
        if t["stance"] == "appeal-for-more-information"
    )  # fmt: skip
    # Each thread's veracity as a verdict by PHEME's annotators; placed on the shared
    # scale unless the thread's source tweet does not state the rumour.
    expected = Counter()
    for th, t in threads.items():
        if t["veracity"]:
            stated = th not in sources or sources[th]["stance"] == "supporting"
            expected[t["veracity"] if stated or t["veracity"] == "unverified" else None] += 1
    verdicts = Counter(dict(_rows(engine, """
        SELECT v.rating, count(*) FROM verdict v JOIN party p ON p.id = v.publisher_id
        WHERE p.name = 'PHEME annotators' GROUP BY v.rating""")))  # fmt: skip
    assert verdicts == expected and sum(verdicts.values()) == 77
    assert _count(engine, "SELECT count(*) FROM verdict") == 77
    assert "per PHEME annotators" in run("report", "claims").stdout
    # 18-digit tweet ids survive in source titles and slugs, and in the export.
    exported = list(csv.DictReader(run("export", "csv", "--per", "stance").stdout.splitlines()))
    assert "552783667052167168, source tweet supporting the rumour" in {
        r["source_title"] for r in exported
    }
    assert "pheme-charliehebdo-552783667052167168" in {r["claim_ref"] for r in exported}
    contested = json.loads(run("report", "contested", "--format", "json").stdout)
    assert len(contested) == 34
    assert all(r["asserted_by"] and r["denied_or_countered_by"] for r in contested)
    before = {k: v for k, v in snapshot(engine).items() if k != "event"}
    again = run("import", "pheme", str(folder))
    assert f"nothing new ({stances} stance(s) already present)" in again.output
    assert {k: v for k, v in snapshot(engine).items() if k != "event"} == before


def _small_pheme(folder: Path, tweets: list[str], links: list[str]) -> Path:
    folder.mkdir()
    (folder / "pheme_tweets.csv").write_text(
        "\n".join([",".join(pheme.TWEET_COLUMNS), *tweets]) + "\n", encoding="utf-8"
    )
    (folder / "pheme_links.csv").write_text(
        "\n".join([",".join(pheme.LINK_COLUMNS), *links]) + "\n", encoding="utf-8"
    )
    return folder


def test_pheme_threads_rumours_and_articles(run, engine, tmp_path):
    """Two threads of one rumour, the first denying it: claims linked as the same, the
    article on the thread that states the rumour, the verdict placed only there; a third
    thread, underspecified, alone: an article for its rumour takes no side on it."""
    at = "Wed Jan 07 11:{:02d}:00 +0000 2015"
    tweets = [
        f"ev,10,Ships sank,true,10,,1,amy,Amy,{at.format(1)},denying,No ships sank",
        f"ev,20,Ships sank,true,20,,1,bob,Bob,{at.format(2)},supporting,Two ships sank",
        f"ev,10,Ships sank,true,11,10,0,cat,Cat,{at.format(3)},agreed,Right none sank",
        f"ev,10,Ships sank,true,21,20,0,dan,Dan,{at.format(4)},disagreed,Not so",
        f"ev,20,Ships sank,true,21,20,0,dan,Dan,{at.format(4)},disagreed,Not so",
        f"ev,30,Port shut,false,30,,1,eve,Eve,{at.format(5)},underspecified,The port?",
    ]
    links = ["ev,10,Ships sank,true,https://a.example/1,a.example,news-media,for",
             "ev,20,Ships sank,true,https://a.example/1,a.example,news-media,for",
             "ev,30,Port shut,false,https://b.example/2,b.example,blog,against"]  # fmt: skip
    result = run("import", "pheme", str(_small_pheme(tmp_path / "pheme", tweets, links)))
    assert result.exit_code == 0, result.output
    assert "1 tweets listed again" in result.output
    stances = _rows(engine, """
        SELECT c.slug, p.name, st.kind, src.title FROM stance st
        JOIN claim c ON c.id = st.claim_id JOIN party p ON p.id = st.party_id
        JOIN source src ON src.id = st.source_id ORDER BY c.id, st.id""")  # fmt: skip
    assert stances == [
        ("pheme-ev-10", "amy", "asserts", "10, source tweet denying the rumour"),
        ("pheme-ev-10", "cat", "confirms", "11, in reply to 10"),
        ("pheme-ev-20", "bob", "asserts", "20, source tweet supporting the rumour"),
        ("pheme-ev-20", "dan", "denies", "21, in reply to 20"),  # its thread: 20's
        ("pheme-ev-20", "a.example", "confirms", "https://a.example/1 (news-media)"),
        ("pheme-ev-30", "eve", "asserts", "30, source tweet underspecified on the rumour"),
        ("pheme-ev-30", "b.example", "comments", "https://b.example/2 (blog, against)"),
    ]
    linked = _rows(engine, """
        SELECT a.slug, b.slug, l.kind FROM claim_link l JOIN claim a ON a.id = l.from_claim_id
        JOIN claim b ON b.id = l.to_claim_id""")  # fmt: skip
    assert linked == [("pheme-ev-10", "pheme-ev-20", "same_as")]
    verdicts = _rows(engine, """
        SELECT c.slug, v.label, v.rating, p.name FROM verdict v
        JOIN claim c ON c.id = v.claim_id JOIN party p ON p.id = v.publisher_id
        ORDER BY c.slug""")  # fmt: skip
    assert verdicts == [
        ("pheme-ev-10", "True", None, "PHEME annotators"),
        ("pheme-ev-20", "True", "true", "PHEME annotators"),
        ("pheme-ev-30", "False", None, "PHEME annotators"),
    ]
    shown = run("claim", "show", "pheme-ev-10").stdout
    assert "Verdict: True per PHEME annotators" in shown and "same as #2" in shown


def test_pheme_bad_folder_says_why_and_writes_nothing(run, engine, tmp_path):
    before = snapshot(engine)
    folder = tmp_path / "pheme"
    folder.mkdir()
    (folder / "pheme_tweets.csv").write_text("event,thread_id\n", encoding="utf-8")
    result = run("import", "pheme", str(folder))
    assert result.exit_code == 1
    assert "pheme_tweets.csv: missing column(s) claim, veracity, tweet_id" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(engine) == before


def test_pheme_rows_named_by_their_file_and_line_when_refused(run, engine, tmp_path):
    """A name another party holds in the database: the row is named in PHEME's terms."""
    assert run("party", "add", "Matthew Example", "--alias", "matthewx").exit_code == 0
    folder = tmp_path / "pheme"
    folder.mkdir()
    header = ",".join(pheme.TWEET_COLUMNS)
    (folder / "pheme_tweets.csv").write_text(
        header + "\nev,1,A rumour,true,1,,1,matty,Matthew Example,Wed Jan 07 11:07:51 +0000 2015,"
        "supporting,\"It is so,\nreally\"\n", encoding="utf-8")  # fmt: skip
    (folder / "pheme_links.csv").write_text(",".join(pheme.LINK_COLUMNS) + "\n", encoding="utf-8")
    before = snapshot(engine)
    result = run("import", "pheme", str(folder))
    assert result.exit_code == 1
    assert "pheme_tweets.csv:2: alias 'Matthew Example' belongs to party" in result.output
    assert snapshot(engine) == before
