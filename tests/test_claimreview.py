"""ClaimReview both ways: the export checked against schema.org's own vocabulary and
Google's fields, the import of what publishers emit, and the round trip between two desks."""

from __future__ import annotations

import copy
import functools
import gzip
import io
import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import admin_execute, snapshot
from sqlalchemy.engine import make_url

from claimtrack.claimreview import missing_fields
from claimtrack.cli import cli
from claimtrack.db import open_database

HERE = Path(__file__).parent
SCHEMA = HERE / "fixtures" / "schemaorg"  # schema.org release 12.0: see its README.md
TWO_PUBLISHERS = HERE.parent / "fixtures" / "claimreview-two-publishers.json"
SDO = "http://schema.org/"  # the vocabulary the context maps every term into

# Google's fact-check documentation (developers.google.com/search/docs/appearance/
# structured-data/factcheck), as tabulated by Full Fact's markup investigation
# (fullfact.github.io/markup-investigation/docs/notes/01-basic-usage/): ClaimReview
# REQUIRES claimReviewed, reviewRating and url, and RECOMMENDS author, datePublished and
# itemReviewed; Rating REQUIRES alternateName and RECOMMENDS name, ratingValue,
# bestRating and worstRating; Claim RECOMMENDS appearance, author, datePublished and
# firstAppearance. Written out here, apart from the product's own list, so that the test
# does not take the code's word for it.
GOOGLE_REQUIRED = (
    ("claimReviewed",),
    ("reviewRating",),
    ("url",),
    ("reviewRating", "alternateName"),
)
GOOGLE_RECOMMENDED = (
    ("author",), ("datePublished",), ("itemReviewed",), ("reviewRating", "name"),
    ("itemReviewed", "author"), ("itemReviewed", "datePublished"),
)  # fmt: skip


# -- the check: schema.org's vocabulary and context, as released ----------------------------


@functools.cache
def vocabulary() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """schema.org's types (each with its superclasses) and properties (each with the
    types it is valid on: domainIncludes), by name."""
    with gzip.open(SCHEMA / "schemaorg-current-https.jsonld.gz", "rt", encoding="utf-8") as f:
        graph = json.load(f)["@graph"]

    def names(value) -> set[str]:
        values = value if isinstance(value, list) else [] if value is None else [value]
        return {v["@id"].removeprefix("schema:") for v in values}

    parents, domains = {}, {}
    for term in graph:
        kinds = term["@type"] if isinstance(term["@type"], list) else [term["@type"]]
        name = term["@id"].removeprefix("schema:")
        if "rdfs:Class" in kinds:
            parents[name] = names(term.get("rdfs:subClassOf"))
        if "rdf:Property" in kinds:
            domains[name] = names(term.get("schema:domainIncludes"))
    return parents, domains


def ancestors(kind: str) -> set[str]:
    parents, _ = vocabulary()
    seen, todo = set(), [kind]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(parents.get(current, ()))
    return seen


@functools.cache
def _context() -> dict:
    return json.loads((SCHEMA / "schemaorgcontext.jsonld").read_text(encoding="utf-8"))


def offline_loader(url, options=None):
    """schema.org's real context, served from the fixture: the tests reach no network."""
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
    return {"contextUrl": None, "documentUrl": url, "document": _context()}


def vocabulary_problems(document) -> list[str]:
    """What in the document schema.org does not define: a type or property unknown to
    the vocabulary, or a property used on a type it is not valid on."""
    pyld = pytest.importorskip("pyld")
    parents, domains = vocabulary()
    problems: list[str] = []

    def walk(node: dict, where: str) -> None:
        kinds = [k.removeprefix(SDO) for k in node.get("@type", [])]
        for kind, iri in zip(kinds, node.get("@type", []), strict=True):
            if not iri.startswith(SDO) or kind not in parents:
                problems.append(f"{where}: unknown type {iri}")
        if not kinds:
            problems.append(f"{where}: a node without @type")
        known = [k for k in kinds if k in parents]  # an unknown type is reported once
        valid_on = set().union(*(ancestors(k) for k in known)) if known else None
        for key, values in node.items():
            if key.startswith("@"):
                continue
            name = key.removeprefix(SDO)
            if not key.startswith(SDO) or name not in domains:
                problems.append(f"{where}: unknown property {key}")
                continue
            if valid_on is not None and not domains[name] & valid_on:
                problems.append(f"{where}: {name} is not a property of {'/'.join(kinds)}")
            for index, value in enumerate(values):
                # A literal ({"@value": ...}) or a reference to an address ({"@id": ...},
                # as the context types url) is not a node to check.
                if "@value" not in value and set(value) != {"@id"}:
                    walk(value, f"{where}.{name}[{index}]")

    expanded = pyld.jsonld.expand(document, {"documentLoader": offline_loader})
    for index, node in enumerate(expanded):
        walk(node, f"[{index}]")
    return problems


def google_problems(review: dict) -> list[str]:
    def has(path) -> bool:
        node = review
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return node not in (None, "", {}, [])

    rating = review.get("reviewRating") or {}
    if rating.get("ratingValue") is not None:
        # A numeric rating needs its scale, and Google shows only the text.
        for key in ("bestRating", "worstRating"):
            if rating.get(key) is None:
                return [f"reviewRating.{key} (with ratingValue)"]
    return [".".join(p) for p in GOOGLE_REQUIRED if not has(p)]


def fixture_reviews() -> list[dict]:
    return json.loads(TWO_PUBLISHERS.read_text(encoding="utf-8"))


def test_the_fixture_is_valid_schema_org_and_meets_google():
    reviews = fixture_reviews()
    assert len(reviews) == 3 and len({r["author"]["name"] for r in reviews}) == 2
    assert vocabulary_problems(reviews) == []
    assert [google_problems(r) for r in reviews] == [[], [], []]


@pytest.mark.parametrize("path", GOOGLE_REQUIRED, ids=".".join)
def test_removing_a_required_field_fails_the_check(path):
    review = fixture_reviews()[0]
    node = review
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    assert ".".join(path) in google_problems(review)
    assert ".".join(path) in missing_fields(review)  # and the export's own check agrees


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda r: r.update(claimReveiwed=r.pop("claimReviewed")), "unknown property"),
        (lambda r: r["reviewRating"].update(ratingVal=1), "unknown property"),
        (lambda r: r.update({"@type": "ClaimReveiw"}), "unknown type"),
        # Valid words on the wrong type: a Rating has no claimReviewed, a Claim no
        # reviewRating.
        (lambda r: r["reviewRating"].update(claimReviewed="x"), "not a property of Rating"),
        (lambda r: r["itemReviewed"].update(reviewRating={"@type": "Rating"}), "of Claim"),
    ],
    ids=["misspelt", "misspelt-nested", "type", "domain", "domain-nested"],
)
def test_the_vocabulary_check_catches_what_a_bare_vocab_lets_through(change, problem):
    review = fixture_reviews()[0]
    change(review)
    problems = vocabulary_problems(review)
    assert len(problems) == 1 and problem in problems[0], problems


# -- the export ---------------------------------------------------------------------------


@pytest.fixture
def seeded(run, engine):
    assert run("seed").exit_code == 0
    assert run(
        "source", "add", "Talks end without deal", "--outlet", "Reuters",
        "--url", "https://reuters.example/talks-end", "--published", "2026-04-12T09:00+05:00",
    ).exit_code == 0  # fmt: skip
    result = run(
        "claim", "confirm", "asset-unfreeze", "--by", "Tasnim News Agency",
        "--source", "https://reuters.example/talks-end", "--at", "2026-04-12",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return run


RATED = ["asset-unfreeze", "destroyers-transit", "handshake", "duration-21-hours"]


def _rate_all(run) -> None:
    for n, slug in enumerate(RATED):
        args = [
            "verdict",
            "set",
            slug,
            "--rating",
            ["False", "Mostly true", "Spicy", "Unproven"][n],
        ]
        if n == 0:
            args += ["--value", "1", "--best", "5", "--worst", "1", "--summary", "No deal"]
        if n == 2:
            args += ["--as", "mixture"]
        assert run(*args, "--url", f"https://desk.example/checks/{slug}").exit_code == 0


def _export(run, *args, db=None) -> tuple[list[dict], object]:
    argv = ["export", "claimreview", *args]
    result = run(*argv) if db is None else _invoke(db, *argv)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result


def test_the_seed_export_passes_the_vocabulary_and_google(seeded):
    _rate_all(seeded)
    reviews, _ = _export(
        seeded, "--publisher", "The Desk", "--publisher-url", "https://desk.example"
    )
    assert len(reviews) == len(RATED)
    assert vocabulary_problems(reviews) == []
    for review in reviews:
        assert google_problems(review) == [] and missing_fields(review) == []
        missing = [".".join(p) for p in GOOGLE_RECOMMENDED if not _has(review, p)]
        assert missing == [], missing
        rating = review["reviewRating"]
        assert rating["name"] == rating["alternateName"]
    unfreeze = next(r for r in reviews if r["url"].endswith("asset-unfreeze"))
    item = unfreeze["itemReviewed"]
    assert item["author"] == {"@type": "Person", "name": "unnamed senior Iranian official"}
    # Where the author made the claim, and nowhere else: Reuters carried Tasnim's
    # confirmation, not the official's claim (the report's article has no address, so
    # no appearance).
    assert item["firstAppearance"]["name"] == "美伊谈判在“不信任和猜疑”中无果而终"
    assert "appearance" not in item
    assert unfreeze["reviewRating"]["ratingValue"] == 1
    assert unfreeze["reviewBody"].startswith("No deal. unnamed US official")


def _has(review, path) -> bool:
    node = review
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node not in (None, "", {}, [])


def test_a_verdict_without_url_is_left_out_and_the_export_fails(seeded, tmp_path):
    _rate_all(seeded)
    assert seeded("verdict", "set", "handshake", "--rating", "False").exit_code == 0  # no url
    out = tmp_path / "reviews.json"
    result = seeded("export", "claimreview", "--out", str(out))
    assert result.exit_code == 1
    assert "claim handshake left out: its review lacks url" in result.stderr
    assert "nothing written" in result.stderr and not out.exists()
    reviews, result = _export(seeded, "--skip-incomplete")
    assert "claim handshake left out: its review lacks url" in result.stderr
    assert len(reviews) == len(RATED) - 1 and all(r["url"] for r in reviews)
    assert "null" not in result.stdout


def test_claims_left_out_are_named_up_to_a_limit_then_counted(seeded, monkeypatch):
    """An archive of imported verdicts without addresses (LIAR's 12,836) is not named
    claim by claim on standard error: the first few, then how many more."""
    from claimtrack.cli import export

    monkeypatch.setattr(export, "MAX_LISTED_ERRORS", 1)
    for slug in ("handshake", "destroyers-transit"):  # no url
        assert seeded("verdict", "set", slug, "--rating", "False").exit_code == 0
    result = seeded("export", "claimreview")
    assert result.exit_code == 1
    named = [line for line in result.stderr.splitlines() if "left out: its review" in line]
    assert len(named) == 1
    assert "... and 1 more claim(s) left out" in result.stderr


def _rate_every_claim(run, *, without_url=()) -> int:
    """A verdict on every claim of the seed, with an address unless listed; and the two
    publishers' reviews imported on top: the claims they share get a second review."""
    assert _import(run, TWO_PUBLISHERS).exit_code == 0
    claims = json.loads(run("claim", "list", "--format", "json").stdout)
    for claim in claims:
        ref = str(claim["id"])
        url = [] if ref in without_url else ["--url", f"https://desk.example/checks/{ref}"]
        result = run("verdict", "set", ref, "--rating", "False", "--summary", "Said\nso", *url)
        assert result.exit_code == 0, result.output
    return len(claims)


def test_the_export_in_many_batches_is_the_whole_document_byte_for_byte(
    seeded, monkeypatch, tmp_path
):
    """Reviews are built a few verdicts at a time and written one by one: the bytes are
    those of the whole list dumped at once, and each review gets its own claim's record
    whichever batch it falls in."""
    from claimtrack import claimreview

    claims = _rate_every_claim(seeded)
    whole = seeded("export", "claimreview")
    assert whole.exit_code == 0, whole.output
    reviews = json.loads(whole.stdout)
    assert len(reviews) > claims  # a claim with two publishers' reviews, so more than one batch
    assert whole.stdout == json.dumps(reviews, ensure_ascii=False, indent=2) + "\n"
    monkeypatch.setattr(claimreview, "BATCH", 2)
    batched = seeded("export", "claimreview")
    assert batched.exit_code == 0 and batched.stdout == whole.stdout
    out = tmp_path / "reviews.json"
    assert seeded("export", "claimreview", "--out", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == whole.stdout


def test_an_incomplete_claim_after_the_first_batch_writes_nothing(seeded, monkeypatch, tmp_path):
    from claimtrack import claimreview

    monkeypatch.setattr(claimreview, "BATCH", 2)
    # The claim exported last (by id) has no address: its batch is not the first.
    last = max(c["id"] for c in json.loads(seeded("claim", "list", "--format", "json").stdout))
    _rate_every_claim(seeded, without_url={str(last)})
    folder = tmp_path / "out"
    folder.mkdir()
    for out in ([], ["--out", str(folder / "reviews.json")]):
        result = seeded("export", "claimreview", *out)
        assert result.exit_code == 1 and "1 claim(s) left out, nothing written" in result.stderr
        assert result.stdout == "" and list(folder.iterdir()) == []
    skipped = seeded("export", "claimreview", "--skip-incomplete")
    assert skipped.exit_code == 0 and "left out: its review lacks url" in skipped.stderr
    written = json.loads(skipped.stdout)
    assert written and all(r["url"] for r in written)
    assert not any(r["url"].endswith(f"/checks/{last}") for r in written)


def test_reviews_are_read_a_batch_at_a_time(seeded, engine, monkeypatch):
    """The first review is there before the later batches' records are read."""
    from claimtrack import claimreview
    from claimtrack.db import read_session

    _rate_every_claim(seeded)
    monkeypatch.setattr(claimreview, "BATCH", 2)
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with read_session(engine) as session:
        reviews = claimreview.reviews(session, publisher="The Desk")
        next(reviews)
        first = sum("FROM stance" in s for s in statements)
        rest = list(reviews)
        assert first == 1 and sum("FROM stance" in s for s in statements) > 2 and rest


def test_the_json_array_is_written_as_json_dumps_writes_the_list():
    from claimtrack.claimreview import write_reviews

    for items in ([], [{}], [{"a": []}], [{"a": "x\ny", "b": {"c": [1, {}]}}, {"d": "中 “”"}]):
        stream = io.StringIO()
        assert write_reviews(iter(items), stream) == len(items)
        assert stream.getvalue() == json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def test_a_snapshot_reads_what_was_committed_when_it_began(run, engine):
    """The check before an export and the export read the same verdicts, whatever another
    desk commits in between."""
    from claimtrack.db import read_session, snapshot

    count = sa.select(sa.func.count()).select_from(sa.table("party"))
    with read_session(engine) as session:
        snapshot(session)
        before = session.execute(count).scalar()
        assert run("party", "add", "Late party", "--kind", "person").exit_code == 0
        assert session.execute(count).scalar() == before
    with read_session(engine) as session:
        assert session.execute(count).scalar() == before + 1


# -- the import ---------------------------------------------------------------------------


def _import(run, path, *args):
    return run("import", "claimreview", str(path), *args)


def test_two_publishers_import_into_an_empty_database(run, engine):
    result = _import(run, TWO_PUBLISHERS)
    assert result.exit_code == 0, result.output
    assert "3 review(s) added" in result.output and "3 new claim(s)" in result.output
    rows = json.loads(run("report", "claims", "--format", "json").stdout)
    verdicts = {r["claim"]: r["verdict"] for r in rows}
    assert verdicts == {
        "The US agreed to unfreeze Iran's assets in Qatar": "False (false) per Fact Check One",
        "The Islamabad talks lasted 21 hours": "Mostly true (mostly-true) per Fact Check One",
        # The shared scale has no place for Pinocchios: the publisher's label stands alone.
        "Two US Navy destroyers transited the Strait of Hormuz on 11 April.":
            "Three Pinocchios per Second Desk",
    }  # fmt: skip
    table = run("report", "claims").output
    assert "[verdict: False (false) per Fact Check One]" in table
    assert "[verdict: Three Pinocchios per Second Desk]" in table
    # Who made each claim asserts it, in each source it appeared in.
    shown = run("claim", "show", "1", "--format", "json")
    assert "Ali Rezaei" in shown.stdout and "news-agency.example" in shown.stdout
    # The publisher's date, with its offset and precision.
    with engine.connect() as connection:
        published = connection.execute(sa.text(
            "SELECT url, published_offset, published_precision FROM verdict ORDER BY id"
        )).all()  # fmt: skip
    assert [tuple(p)[1:] for p in published] == [(210, "minute"), (0, "day"), (0, "minute")]
    shown = json.loads(run("verdict", "show", "1", "--format", "json").stdout)
    assert shown[0]["summary"] == "Qatar's central bank said no transfer had been agreed."
    before = snapshot(engine)
    again = _import(run, TWO_PUBLISHERS)
    assert again.exit_code == 0 and "0 review(s) added; 3 already there" in again.output
    assert snapshot(engine) == before
    # Other publishers' verdicts leave the claims on the desk's own work list.
    unrated = json.loads(run("report", "claims", "--unrated", "--format", "json").stdout)
    assert sorted(r["claim"] for r in unrated) == sorted(verdicts)
    desk = run("verdict", "set", "1", "--rating", "False", "--url", "https://d.example/1")
    assert desk.exit_code == 0, desk.output
    unrated = json.loads(run("report", "claims", "--unrated", "--format", "json").stdout)
    assert len(unrated) == 2 and verdicts.keys() - {r["claim"] for r in unrated} == {
        "The US agreed to unfreeze Iran's assets in Qatar"
    }


def test_html_page_and_data_feed(run, engine, tmp_path):
    reviews = fixture_reviews()
    page = tmp_path / "page.html"
    page.write_text(
        "<!doctype html><html><head><title>Checks</title>\n"
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "WebPage", "name": "Our checks"}</script>\n'
        '<script>var x = "<script type=\\"application/ld+json\\">";</script>\n'
        + "".join(
            f'<script type="application/ld+json">\n{json.dumps(r, indent=1)}\n</script>\n'
            for r in reviews[:2]
        )
        + "</head><body><p>text</p></body></html>\n",
        encoding="utf-8",
    )
    result = _import(run, page)
    assert result.exit_code == 0, result.output
    assert "2 review(s) added" in result.output and "1 WebPage" in result.output
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps({
        "@context": "http://schema.org", "@type": "DataFeed",
        "dataFeedElement": [
            {"@type": "DataFeedItem", "dateCreated": "2026-04-15T08:00:00Z", "item": [r]}
            for r in reviews
        ],
    }), encoding="utf-8")  # fmt: skip
    result = _import(run, feed)
    assert result.exit_code == 0, result.output
    assert "1 review(s) added; 2 already there" in result.output
    graph = tmp_path / "graph.json"
    graph.write_text(json.dumps({"@context": "https://schema.org", "@graph": reviews}))
    assert "0 review(s) added; 3 already there" in _import(run, graph).output


def _broken(change):
    def make(tmp_path: Path) -> Path:
        reviews = fixture_reviews()
        change(reviews)
        path = tmp_path / "broken.json"
        path.write_text(json.dumps(reviews, indent=2), encoding="utf-8")
        return path

    return make


def _text(content: str):
    def make(tmp_path: Path) -> Path:
        path = tmp_path / "broken.json"
        path.write_text(content, encoding="utf-8")
        return path

    return make


HOSTILE = [
    ("not-json", _text('[\n  {"@type": "ClaimReview",\n   "url": }\n]'),
     "line 3, column 11: not JSON"),
    ("html-bad-json", _text('<html>\n<script type="application/ld+json">\n{\n "a": ,\n}</script>'),
     "line 4, column 7: not JSON"),
    ("wrong-shape", _text('{"hello": "world"}'), "holds no ClaimReview"),
    ("a-number", _text("42"), "item 1 is a number, not a JSON object"),
    ("non-object-item", _broken(lambda r: r.insert(1, "x")), "item 2 is text, not a JSON object"),
    ("no-claimReviewed", _broken(lambda r: r[2].pop("claimReviewed")), "item 3: no claimReviewed"),
    ("no-url", _broken(lambda r: r[1].pop("url")), "item 2: no url"),
    ("bad-url", _broken(lambda r: r[1].update(url="javascript:alert(1)")),
     "item 2: url: invalid URL"),
    ("bad-date", _broken(lambda r: r[0].update(datePublished="13/04/2026")),
     "item 1: datePublished: not a time"),
    ("naive-time", _broken(lambda r: r[0].update(datePublished="2026-04-13T09:30")),
     "item 1: datePublished: time '2026-04-13T09:30' has no UTC offset"),
    # A fraction of a second is kept to the second, but the time as given is what is refused.
    ("naive-fraction", _broken(lambda r: r[0].update(datePublished="2026-04-13T09:30:00.5")),
     "item 1: datePublished: time '2026-04-13T09:30:00.5' has no UTC offset"),
    ("impossible-date", _broken(lambda r: r[0]["itemReviewed"].update(datePublished="2026-02-30")),
     "item 1: itemReviewed.datePublished: not a date"),
    ("rating-out-of-scale", _broken(lambda r: r[0]["reviewRating"].update(ratingValue=9)),
     "item 1: reviewRating.ratingValue 9 is not between 1 and 5"),
    ("rating-not-a-number", _broken(lambda r: r[0]["reviewRating"].update(ratingValue="high")),
     "item 1: reviewRating.ratingValue 'high' is not a number"),
    ("no-label",
     _broken(lambda r: [r[1]["reviewRating"].pop(k) for k in ("name", "alternateName")]),
     "item 2: reviewRating has no alternateName or name"),
    ("list-for-text", _broken(lambda r: r[0].update(claimReviewed=["a", "b"])),
     "item 1: claimReviewed is a list, not text"),
    ("huge-name", _broken(lambda r: r[2]["author"].update(name="N" * 5000)),
     "item 3: author: party name is 5,000 characters long"),
    ("nul", _broken(lambda r: r[1]["itemReviewed"]["author"].update(name="Omar\x00")),
     "item 2: itemReviewed.author.name contains a NUL byte"),
    ("no-author", _broken(lambda r: r[0].pop("author")), "item 1: no author"),
    ("said-after-now", _broken(lambda r: r[1]["itemReviewed"].update(datePublished="2999-04-13")),
     "item 2: itemReviewed.datePublished: the said time 2999-04-13 (Z) is after now"),
    ("published-after-now", _broken(lambda r: r[0].update(datePublished="2999-04-13T09:30Z")),
     "item 1: datePublished: the published time 2999-04-13 09:30Z is after now"),
    ("deep", _text("[" * 100_000 + "]" * 100_000), "nests too deep"),
]  # fmt: skip


@pytest.mark.parametrize("make, message", [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_input_one_line_nothing_written(run, engine, tmp_path, make, message):
    assert _import(run, TWO_PUBLISHERS, "--topic", "before").exit_code == 0
    before = snapshot(engine)
    result = _import(run, make(tmp_path), "--topic", "after")
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output
    assert snapshot(engine) == before


def test_a_good_review_after_a_bad_one_is_not_written(run, engine, tmp_path):
    reviews = fixture_reviews()
    reviews[2]["reviewRating"]["ratingValue"] = 2.5  # the last one is bad
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(reviews), encoding="utf-8")
    before = snapshot(engine)
    result = _import(run, path)
    assert result.exit_code == 1 and "item 3: reviewRating.ratingValue 2.5" in result.output
    assert snapshot(engine) == before


# -- the round trip -----------------------------------------------------------------------


@pytest.fixture
def empty_db(backend, tmp_path, request):
    """A second new database of the backend under test: the other desk's."""
    if backend == "sqlite":
        yield f"sqlite+pysqlite:///{tmp_path / 'other.db'}"
        return
    admin = request.getfixturevalue("pg_admin_url")
    name = f"claimtrack_test_{os.getpid()}_other_{id(request)}"
    admin_execute(admin, f'CREATE DATABASE "{name}"')
    try:
        url = admin.set(database=name)
        open_database(url, create=True, create_schema=True).dispose()  # as `db upgrade`
        yield url.render_as_string(hide_password=False)
    finally:
        admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _invoke(db: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)


def test_round_trip_export_import_export_gives_the_same_document(seeded, empty_db, tmp_path):
    _rate_all(seeded)
    first, _ = _export(seeded, "--publisher", "The Desk", "--publisher-url", "https://desk.example")
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(first, ensure_ascii=False), encoding="utf-8")
    result = _invoke(empty_db, "import", "claimreview", str(path), "--topic", "from-the-desk")
    assert result.exit_code == 0, result.output
    # The other desk signs its own verdicts otherwise: imported ones keep their author.
    second, _ = _export(None, "--publisher", "Other Desk", db=empty_db)
    assert second == first
    # And back: the first desk imports what the second exported, adding nothing new.
    again = seeded("import", "claimreview", str(path))
    assert again.exit_code == 0 and f"{len(first)} already there" in again.output
    engine = open_database(make_url(empty_db))
    try:
        with engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM verdict")).scalar()
    finally:
        engine.dispose()
    assert count == len(first) and copy.deepcopy(first) == first


def test_a_review_puts_the_author_only_where_it_made_the_claim(run, engine, empty_db, tmp_path):
    """nu18: every source of every stance was an appearance, and the import makes the
    author assert the claim in each: the round trip had the claim's author asserting it
    in the UN's record, where only Peskov had spoken, denying it. Imported beside the
    per-stance CSV, the author's quoted assertion was recorded a second time, unquoted."""
    for args in (
        ("party", "add", "OC South", "--kind", "agency"),
        ("party", "add", "Dmitry Peskov"),
        ("party", "add", "Ukrainska Pravda", "--kind", "media"),
        ("party", "add", "United Nations", "--kind", "organisation"),
        ("source", "add", "ZSU: dam blown", "--outlet", "Ukrainska Pravda", "--url",
         "https://pravda.example/a", "--published", "2023-06-06T07:12+03:00"),
        ("source", "add", "UNSC 9339th meeting", "--outlet", "United Nations", "--url",
         "https://press.un.example/x", "--published", "2023-06-06T15:00-04:00"),
        ("claim", "add", "Russian forces blew up the dam from inside", "--by", "OC South",
         "--source", "1", "--at", "2023-06-06T07:00+03:00", "--slug", "inside", "--quote",
         "blown up from inside"),
        ("claim", "deny", "inside", "--by", "Dmitry Peskov", "--source", "2", "--at",
         "2023-06-06T12:35+03:00"),
        ("verdict", "set", "inside", "--rating", "Likely", "--as", "mostly-true", "--url",
         "https://desk.example/1"),
    ):  # fmt: skip
        result = run(*args)
        assert result.exit_code == 0, result.output
    reviews, _ = _export(run)
    item = reviews[0]["itemReviewed"]
    assert [w["url"] for w in item["appearance"]] == ["https://pravda.example/a"]
    assert item["firstAppearance"]["url"] == "https://pravda.example/a"
    stances, reviewed = tmp_path / "s.csv", tmp_path / "r.json"
    assert run("export", "csv", "--per", "stance", "--out", str(stances)).exit_code == 0
    reviewed.write_text(json.dumps(reviews), encoding="utf-8")
    for args in (("import", "csv", str(stances)), ("import", "claimreview", str(reviewed))):
        result = _invoke(empty_db, *args)
        assert result.exit_code == 0, result.output
    assert "0 new stance(s)" in result.output
    shown = json.loads(_invoke(empty_db, "claim", "show", "inside", "--format", "json").stdout)
    said = sorted((s["party"], s["kind"], s["source"], s["quote"]) for s in shown[0]["timeline"])
    assert said == [("Dmitry Peskov", "denies", "UNSC 9339th meeting", None),
                    ("OC South", "asserts", "ZSU: dam blown", "blown up from inside")]  # fmt: skip


def test_a_review_names_who_asserted_the_claim_not_who_confirmed_it(run, engine):
    """nu20 (Nord Stream): Zakharova, confirming Hersh's story at 15:00 on the day he
    asserted it (a day, so over later), was exported as its author, with her time; a
    reader, our import too, then recorded her asserting it."""
    for args in (
        ("party", "add", "Seymour Hersh"),
        ("party", "add", "Maria Zakharova"),
        ("source", "add", "How America Took Out the Nord Stream Pipeline", "--outlet",
         "Seymour Hersh", "--url", "https://hersh.example/p", "--published", "2023-02-08"),
        ("claim", "add", "US Navy divers planted the explosives", "--by", "Seymour Hersh",
         "--source", "1", "--at", "2023-02-08", "--slug", "hersh"),
        ("claim", "confirm", "hersh", "--by", "Maria Zakharova", "--at",
         "2023-02-08T15:00+03:00"),
        ("verdict", "set", "hersh", "--rating", "Unproven", "--as", "unverified", "--url",
         "https://desk.example/2"),
    ):  # fmt: skip
        result = run(*args)
        assert result.exit_code == 0, result.output
    reviews, _ = _export(run)
    item = reviews[0]["itemReviewed"]
    assert (item["author"]["name"], item["datePublished"]) == ("Seymour Hersh", "2023-02-08")
    assert item["firstAppearance"]["url"] == "https://hersh.example/p"


def test_an_imported_verdict_is_dated_when_its_publisher_published_it(run, engine):
    imported = _import(run, TWO_PUBLISHERS)
    assert imported.exit_code == 0, imported.output
    # Its datePublished, with the offset and precision the publisher gave, not the import.
    shown = json.loads(run("verdict", "show", "1", "--format", "json").stdout)
    assert (shown[0]["at"], shown[0]["at_tz"]) == ("2026-04-13T09:30+03:30", "+03:30")
    (claim,) = json.loads(run("claim", "show", "1", "--format", "json").stdout)
    assert claim["verdict"]["at"] == "2026-04-13T09:30+03:30"
    csv_out = run("verdict", "show", "2", "--format", "csv").stdout
    assert ",test-editor,2026-04-14,'+00:00," in csv_out  # ' keeps a spreadsheet off it

    def changed(*args):
        result = run("report", "changes", *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return [(c["claim_id"], c["at"]) for c in json.loads(result.stdout)
                if c["change"] == "verdict"]  # fmt: skip

    # The review's day lists it (a day-dated one counts within that day); today does not.
    assert changed("--since", "2026-04-12", "--until", "2026-04-14") == [
        (1, "2026-04-13T09:30+03:30"), (2, "2026-04-14")]  # fmt: skip
    assert changed("--since", "2026-04-14T12:00Z", "--until", "2026-04-14") == [
        (2, "2026-04-14")]  # fmt: skip
    assert changed("--since", "2026-04-13T06:00Z", "--until", "2026-04-13T06:00Z") == [
        (1, "2026-04-13T09:30+03:30")]  # fmt: skip
    assert changed("--since", "2026-04-13T06:01Z", "--until", "2026-04-13T23:00Z") == []
    assert changed() == []
    # --known-at is what the desk had recorded: before the import, nothing.
    assert changed("--since", "2026-04-12", "--until", "2026-04-16", "--known-at",
                   "2026-04-16") == []  # fmt: skip
    assert len(changed("--since", "2026-04-12", "--until", "2026-04-16", "--known-at",
                       "now")) == 3  # fmt: skip
    # Looking back (--as-of) by the publisher's time: the 14th's is not yet published on
    # the 13th.
    (before,) = json.loads(run("claim", "show", "2", "--as-of", "2026-04-13", "--format",
                            "json").stdout)  # fmt: skip
    (after,) = json.loads(run("claim", "show", "2", "--as-of", "2026-04-14", "--format",
                           "json").stdout)  # fmt: skip
    assert before["verdict"] is None and after["verdict"]["at"] == "2026-04-14"


def test_claim_reviewed_is_cut_after_a_word(run, engine, tmp_path):
    """claimReviewed holds at most 75 characters: it was cut mid-word ("... not by an
    acciden…"); now after the last whole word, still ending in an ellipsis, the whole
    text in itemReviewed.text."""
    text = (
        "The Nord Stream pipelines were blown up by a state actor on purpose "
        "and not by an accident at sea"
    )  # the 75th character is inside "not"
    for args in (("claim", "add", text, "--by", "Mykhailo Podolyak", "--create-missing",
                  "--at", "2022-09-27T14:10+03:00"),
                 ("verdict", "set", "1", "--rating", "Confirmed", "--as", "true",
                  "--url", "https://desk.example/ns")):  # fmt: skip
        result = run(*args)
        assert result.exit_code == 0, result.output
    out = tmp_path / "reviews.json"
    result = run("export", "claimreview", "--publisher", "The Desk", "--out", str(out))
    assert result.exit_code == 0, result.output
    [review] = json.loads(out.read_text(encoding="utf-8"))
    reviewed = review["claimReviewed"]
    assert len(reviewed) <= 75 and reviewed.endswith("…"), reviewed
    kept = reviewed[:-1]
    assert text.startswith(kept) and text[len(kept)] == " ", reviewed  # a whole word
    assert kept.split() == text.split()[: len(kept.split())]
    assert len(kept) > 75 // 2  # the cut is near the limit, not at the first blank


@pytest.mark.parametrize("url", ["javascript:alert(1)", "notaurl", "", "https://"])
def test_the_publisher_url_is_an_address(seeded, engine, url):
    """nu18: --publisher-url took anything, and wrote it into every review's author."""
    _rate_all(seeded)
    before = snapshot(engine)
    result = seeded("export", "claimreview", "--publisher-url", url)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: invalid URL ") and len(result.stderr.splitlines()) == 1
    assert snapshot(engine) == before


# -- a new user's feeds: a mistyped topic, milliseconds, line breaks ------------------------


def _review(number: int, **changes) -> dict:
    """One review of a claim about Al-Ahli, with ``changes`` made to it."""
    review = {
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": f"https://fc-two.example/al-ahli/{number}",
        "datePublished": "2023-10-19T09:00+03:00",
        "claimReviewed": f"The car park was hit by a misfired rocket ({number})",
        "author": {"@type": "Organization", "name": "FC Two"},
        "reviewRating": {"@type": "Rating", "alternateName": "Unproven"},
        "itemReviewed": {"@type": "Claim", "datePublished": "2023-10-18",
                         "author": {"@type": "Person", "name": "Daniel Hagari"}},
    }  # fmt: skip
    review.update(changes)
    return review


def _reviews_file(tmp_path: Path, name: str, *reviews: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(list(reviews)), encoding="utf-8")
    return path


def test_a_mistyped_topic_is_refused_unless_new_topic(run, engine, tmp_path):
    """Al-Ahli: `--topic al-ahli-2O23` (for al-ahli-2023) said "1 review(s) added" and
    started a story of its own, where `claim add` and `import csv` refuse such a topic.
    Refused in one line, nothing written, unless --new-topic; a topic started beside
    others is named, as `import csv` names it; the first topic of all, or one there is,
    is not."""
    first = _import(run, _reviews_file(tmp_path, "one.json", _review(1)), "--topic",
                    "al-ahli-2023")  # fmt: skip
    assert first.exit_code == 0 and "New topics" not in first.output, first.output
    path = _reviews_file(tmp_path, "two.json", _review(2))
    before = snapshot(engine)
    for args in ((), ("--dry-run",)):
        refused = _import(run, path, "--topic", "al-ahli-2O23", *args)
        assert (refused.exit_code, refused.stdout) == (1, ""), refused.output
        assert refused.stderr == (
            "Error: new topic 'al-ahli-2O23' is close to 'al-ahli-2023': check the spelling, "
            "or give --new-topic to start it\n"
        )
        assert snapshot(engine) == before
    named = "New topics: 'al-ahli-2O23' (did you mean 'al-ahli-2023'?)\n"
    dry = _import(run, path, "--topic", "al-ahli-2O23", "--new-topic", "--dry-run")
    assert dry.exit_code == 0 and dry.stdout.endswith(named), dry.output
    assert snapshot(engine) == before
    done = _import(run, path, "--topic", "al-ahli-2O23", "--new-topic")
    assert done.exit_code == 0 and done.stdout.endswith(named), done.output
    topics = json.loads(run("report", "claims", "--format", "json").stdout)
    assert sorted(c["topic"] for c in topics) == ["al-ahli-2023", "al-ahli-2O23"]
    # A new story beside others: named, not refused; one there is: not named.
    other = _import(run, _reviews_file(tmp_path, "three.json", _review(3)), "--topic",
                    "gaza-hospitals")  # fmt: skip
    assert other.exit_code == 0 and other.stdout.endswith("New topics: 'gaza-hospitals'\n")
    same = _import(run, _reviews_file(tmp_path, "four.json", _review(4)), "--topic",
                   "al-ahli-2023")  # fmt: skip
    assert same.exit_code == 0 and "New topics" not in same.output, same.output


def test_a_date_with_a_fraction_of_a_second_is_kept_to_the_second_and_said(run, engine, tmp_path):
    """Al-Ahli: a feed's datePublished "2023-10-18T14:05:33.123Z" refused the whole file.
    Times are kept to the second (`--at` with a fraction is refused, naming the time to
    give): a publisher's time is kept at the second it falls in, with a note naming it."""
    first = _review(1, datePublished="2023-10-18T14:05:33.123Z")
    first["itemReviewed"]["datePublished"] = "2023-10-18T10:00:00,5+03:00"
    path = _reviews_file(
        tmp_path, "ms.json", first,
        _review(2, datePublished="2023-10-18T17:05:33.999+03:00"),
        _review(3, datePublished="2023-10-18T14:05:33.000Z"),  # no fraction to drop
    )  # fmt: skip
    before = snapshot(engine)
    dry = _import(run, path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    note = (
        "Note: 3 time(s) had a fraction of a second, dropped: times are kept to the second "
        "(item 1 datePublished '2023-10-18T14:05:33.123Z', item 1 itemReviewed.datePublished "
        "'2023-10-18T10:00:00,5+03:00', item 2 datePublished '2023-10-18T17:05:33.999+03:00')\n"
    )
    assert dry.stderr == note
    assert snapshot(engine) == before
    done = _import(run, path)
    assert done.exit_code == 0 and "3 review(s) added" in done.stdout and done.stderr == note
    shown = [json.loads(run("verdict", "show", str(n), "--format", "json").stdout)[0]["at"]
             for n in (1, 2, 3)]  # fmt: skip
    assert shown == ["2023-10-18T14:05:33Z", "2023-10-18T17:05:33+03:00",
                     "2023-10-18T14:05:33Z"]  # fmt: skip
    (claim,) = json.loads(run("claim", "show", "1", "--format", "json").stdout)
    assert claim["timeline"][0]["said_at"] == "2023-10-18T10:00:00+03:00"
    # Imported again, nothing is added, and nothing dropped is said.
    again = _import(run, path)
    assert again.exit_code == 0 and "3 already there" in again.stdout and again.stderr == ""


def test_line_breaks_stay_in_a_claim_and_are_said_when_a_name_loses_them(run, engine, tmp_path):
    """Al-Ahli: "FC\\nTwo" became "FC Two", a claim's line break a space, without a word.
    A claim keeps its line breaks and tabs, as `claim add` keeps them; a name, a title or
    a label is one line (`party add` refuses a line break in one): each made a space and
    named in a note. Other blanks in a name are kept as given, as `party add` keeps them."""
    text = "The car park was hit\nby a misfired rocket,\tnot an airstrike"
    review = _review(
        1, claimReviewed=text, author={"@type": "Organization", "name": "FC\nTwo"},
        reviewRating={"@type": "Rating", "alternateName": "Mostly\tfalse"},
    )  # fmt: skip
    review["itemReviewed"]["author"]["name"] = "Daniel  Hagari"
    review["itemReviewed"]["firstAppearance"] = {
        "@type": "CreativeWork", "name": "Briefing,\r\n18 October",
        "url": "https://idf.example/briefing",
        "publisher": {"@type": "GovernmentOrganization", "name": "Israel Defense Forces"},
    }  # fmt: skip
    path = _reviews_file(tmp_path, "breaks.json", review)
    done = _import(run, path)
    assert done.exit_code == 0, done.output
    assert done.stderr == (
        "Note: 3 name(s), title(s) or label(s) held a line break or a tab, each made a space: "
        "a name is one line (item 1 reviewRating.alternateName 'Mostly␉false', item 1 "
        "author.name 'FC␊Two', item 1 itemReviewed.firstAppearance.name "
        "'Briefing,␍␊18 October')\n"
    )
    (claim,) = json.loads(run("claim", "show", "1", "--format", "json").stdout)
    assert claim["claim"] == text
    assert claim["verdict"]["label"] == "Mostly false"
    assert claim["verdict"]["rating"] == "mostly-false"
    assert claim["timeline"][0]["source"] == "Briefing, 18 October"
    parties = {p["name"] for p in json.loads(run("party", "list", "--format", "json").stdout)}
    assert {"FC Two", "Daniel  Hagari", "Israel Defense Forces"} <= parties
