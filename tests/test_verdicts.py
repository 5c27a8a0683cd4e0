"""Verdicts, ClaimReview JSON-LD, and the HTML report in a real browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import snapshot
from test_claimreview import offline_loader, vocabulary_problems

from claimtrack.claimreview import missing_fields

XSS = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='img'\">"


@pytest.fixture
def seeded(run, engine):
    assert run("seed").exit_code == 0
    return run


def test_verdicts_keep_their_history(seeded):
    assert seeded("verdict", "set", "asset-unfreeze", "--rating", "Unproven").exit_code == 0
    result = seeded(
        "verdict",
        "set",
        "asset-unfreeze",
        "--rating",
        "Pants on fire",
        "--summary",
        "Qatar's central bank denies any transfer",
        "--url",
        "https://desk.example/checks/1",
        "--by",
        "anna",
    )
    assert result.exit_code == 0 and "Pants on fire (false)" in result.output
    shown = json.loads(seeded("verdict", "show", "1", "--format", "json").stdout)
    assert [(v["label"], v["rating"], v["by"]) for v in shown] == [
        ("Pants on fire", "false", "anna"),
        ("Unproven", "unverified", "test-editor"),
    ]
    # Rated and contested at once: the verdict does not change the computed status.
    rows = json.loads(seeded("report", "contested", "--format", "json").stdout)
    unfreeze = next(r for r in rows if r["claim_id"] == 1)
    assert unfreeze["verdict"]["label"] == "Pants on fire"
    unrated = json.loads(seeded("report", "contested", "--unrated", "--format", "json").stdout)
    assert 1 not in [r["claim_id"] for r in unrated] and len(unrated) == len(rows) - 1


def test_a_verdict_on_a_merged_claim_says_where_it_went(run, engine):
    """Navalny (a new user): `verdict set 13` on a claim merged into #4 published on #4
    without a word, where `claim show 13` and the stance commands say so. It says so."""
    for text in ("The body was withheld", "The body was withheld for weeks"):
        added = run("claim", "add", text, "--by", "Navalny team", "--create-missing",
                    "--at", "2024-02-20", "--topic", "navalny", "--force")  # fmt: skip
        assert added.exit_code == 0, added.output
    assert run("claim", "merge", "2", "1").exit_code == 0
    given = run("verdict", "set", "2", "--rating", "Unproven")
    assert given.exit_code == 0, given.output
    assert given.stderr == "Note: claim 2 was merged into #1\n"
    assert given.stdout == "Verdict on claim #1: Unproven (unverified).\n"
    shown = run("verdict", "show", "2")
    assert shown.stderr == "Note: claim 2 was merged into #1\n" and "Unproven" in shown.stdout
    assert run("verdict", "show", "1").stderr == ""


def test_a_merge_moves_the_duplicates_verdicts_and_says_which_stands(run, engine):
    """Prigozhin (a new user): `claim merge kremlin-behind shot-down` said nothing of
    #2's verdict "Unproven", which then showed nowhere (`verdict show kremlin-behind`
    read #1's) but in the ClaimReview export's list of what it left out. Its verdicts
    move with its stances into #1's history, where the newest recorded stands, and the
    merge says so; a claim with no verdict merges as before."""
    for text, slug, by, day in (("The plane was shot down", "shot-down", "Grey Zone", 23),
                                ("The Kremlin was behind it", "kremlin-behind", "Anon", 24),
                                ("Air defences fired", "air-defences", "Voenkor", 25)):  # fmt: skip
        added = run("claim", "add", text, "--by", by, "--create-missing",
                    "--at", f"2023-08-{day}", "--slug", slug)  # fmt: skip
        assert added.exit_code == 0, added.output
    assert run("verdict", "set", "shot-down", "--rating", "No evidence", "--as",
               "unverified").exit_code == 0  # fmt: skip
    assert run("verdict", "set", "kremlin-behind", "--rating", "Unproven", "--as",
               "unverified").exit_code == 0  # fmt: skip
    merged = run("claim", "merge", "kremlin-behind", "shot-down")
    assert merged.exit_code == 0, merged.output
    assert merged.stdout == "Merged claim #2 into #1: 1 stance(s) and 1 verdict(s) moved.\n"
    assert merged.stderr == (
        "Note: #2's verdicts are in #1's history now; the newest recorded stands: 'Unproven' "
        "('claimtrack verdict show 1').\n"
    )
    shown = json.loads(run("verdict", "show", "shot-down", "--format", "json").stdout)
    assert [v["label"] for v in shown] == ["Unproven", "No evidence"]
    listed = json.loads(run("claim", "list", "--format", "json").stdout)
    assert {r["id"]: r["verdict"] for r in listed}[1] == "Unproven (unverified)"
    plain = run("claim", "merge", "air-defences", "shot-down")
    assert (plain.stdout, plain.stderr) == ("Merged claim #3 into #1: 1 stance(s) moved.\n", "")


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("verdict", "set", "1", "--rating", "Spicy"), 2, "add --as"),
        (("verdict", "set", "1", "--rating", "   "), 2, "label is empty"),
        (("verdict", "set", "1", "--rating", "3/5", "--value", "3"), 2, "together"),
        (
            (
                "verdict",
                "set",
                "1",
                "--rating",
                "x",
                "--as",
                "false",
                "--value",
                "9",
                "--best",
                "5",
                "--worst",
                "1",
            ),
            2,
            "not between",
        ),
        (("verdict", "set", "1", "--rating", "False", "--url", "ftp://x"), 2, "invalid URL"),
        (("verdict", "set", "999", "--rating", "False"), 1, "unknown claim"),
        (("verdict", "set", "1", "--rating", "x", "--as", "sorta"), 2, "Invalid value"),
    ],
)
def test_verdict_mistakes_write_nothing(seeded, engine, args, code, message):
    before = snapshot(engine)
    result = seeded(*args)
    assert result.exit_code == code and message in result.output
    assert snapshot(engine) == before


def _reviews(run, *args) -> list[dict]:
    result = run(
        "export",
        "claimreview",
        *args,
        "--publisher",
        "The Desk",
        "--publisher-url",
        "https://desk.example",
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_claimreview_for_every_rated_claim(seeded):
    rated = ["asset-unfreeze", "destroyers-transit", "handshake", "duration-21-hours"]
    for n, slug in enumerate(rated):
        assert (
            seeded(
                "verdict",
                "set",
                slug,
                "--rating",
                "Mostly false",
                "--value",
                "2",
                "--best",
                "5",
                "--worst",
                "1",
                "--url",
                f"https://desk.example/checks/{n}",
            ).exit_code
            == 0
        )
    reviews = _reviews(seeded)
    assert len(reviews) == len(rated)
    for review in reviews:
        assert missing_fields(review) == []
        assert review["@type"] == "ClaimReview" and review["author"]["name"] == "The Desk"
        assert len(review["claimReviewed"]) <= 75
        assert review["reviewRating"]["ratingValue"] == 2
    unfreeze = next(r for r in reviews if "unfreeze" in r["itemReviewed"]["text"])
    item = unfreeze["itemReviewed"]
    assert item["author"]["name"] == "unnamed senior Iranian official"
    assert item["datePublished"] == "2026-04-11"
    assert item["firstAppearance"]["name"] == "美伊谈判在“不信任和猜疑”中无果而终"
    # Denials and counter-claims have no ClaimReview field: they are in the body.
    assert "unnamed US official (United States) denies it" in unfreeze["reviewBody"]
    transit = next(r for r in reviews if "destroyers" in r["itemReviewed"]["text"])
    assert "Countered by the claim: Iran intercepted" in transit["reviewBody"]
    assert _reviews(seeded, "handshake")[0]["itemReviewed"]["text"].startswith("Members")


def test_the_required_field_check_fails_when_one_is_missing(seeded):
    seeded("verdict", "set", "1", "--rating", "False", "--url", "https://desk.example/1")
    [review] = _reviews(seeded)
    for path in (
        ("claimReviewed",),
        ("url",),
        ("author", "name"),
        ("reviewRating", "alternateName"),
    ):
        broken = json.loads(json.dumps(review))
        node = broken
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        assert missing_fields(broken) == [".".join(path)]
    # A verdict without a published address is not exported: the claim is named, exit 1.
    seeded("verdict", "set", "2", "--rating", "False")
    result = seeded("export", "claimreview", "2")
    assert result.exit_code == 1 and "lacks url" in result.stderr and result.stdout == ""


def test_claimreview_parses_as_json_ld(seeded):
    pyld = pytest.importorskip("pyld")
    seeded("verdict", "set", "1", "--rating", "False", "--url", "https://desk.example/1")
    [review] = _reviews(seeded)

    # schema.org's own context (tests/fixtures/schemaorg), not a bare @vocab.
    expanded = pyld.jsonld.expand(review, {"documentLoader": offline_loader})
    [node] = expanded
    assert node["@type"] == ["http://schema.org/ClaimReview"]
    rating = node["http://schema.org/reviewRating"][0]
    assert rating["http://schema.org/alternateName"][0]["@value"] == "False"
    item = node["http://schema.org/itemReviewed"][0]
    assert item["@type"] == ["http://schema.org/Claim"]
    assert vocabulary_problems(review) == []
    # Under a bare @vocab a misspelt property expands as well as a real one; against the
    # vocabulary it does not pass.
    review["itemReviewed"]["autor"] = review["itemReviewed"].pop("author")
    assert vocabulary_problems(review) == [
        "[0].itemReviewed[0]: unknown property http://schema.org/autor"
    ]


# -- the HTML report --------------------------------------------------------------


def _page(run, tmp_path: Path, *extra) -> tuple[Path, str]:
    out = tmp_path / "report.html"
    result = run("report", "contested", "--format", "html", "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out, out.read_text(encoding="utf-8")


def test_html_is_self_contained_and_escapes_everything(seeded, tmp_path):
    seeded("claim", "add", XSS, "--by", "Iran", "--topic", "islamabad-talks-2026")
    seeded("claim", "deny", "24", "--by", "United States", "--quote", "<b>no</b>")
    seeded(
        "verdict",
        "set",
        "1",
        "--rating",
        "False",
        "--summary",
        "<i>x</i>",
        "--url",
        "https://desk.example/1?a=1&b=2",
    )
    _, page = _page(seeded, tmp_path)
    assert "<script" not in page.lower() and 'onerror="' not in page
    assert "&lt;script&gt;document.title=" in page and "&lt;b&gt;no&lt;/b&gt;" in page
    assert "&lt;i&gt;x&lt;/i&gt;" in page and "a=1&amp;b=2" in page
    assert "http://" not in page.replace("https://desk.example", "")  # nothing to fetch
    assert 'lang="zh"' in page


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed")
def test_html_report_in_headless_chromium(seeded, tmp_path):
    seeded("claim", "add", XSS, "--by", "Iran", "--topic", "islamabad-talks-2026")
    seeded("claim", "deny", "24", "--by", "United States")
    seeded(
        "claim",
        "add",
        "اسماعیل بقائی: ۲۴ تا ۲۵ ساعت",
        "--by",
        "Esmaeil Baghaei",
        "--quote",
        "۲۴ تا ۲۵ ساعت",
        "--quote-lang",
        "fa",
        "--topic",
        "islamabad-talks-2026",
    )
    seeded("claim", "dispute", "25", "--by", "JD Vance")
    seeded("verdict", "set", "asset-unfreeze", "--rating", "Unproven")
    page, _ = _page(seeded, tmp_path)
    contested = json.loads(seeded("report", "contested", "--format", "json").stdout)
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [_chromium(), *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    # Every contested claim is on the page, with both sides.
    for row in contested:
        assert f'id="claim-{row["claim_id"]}"' in dom
        for side in ("asserted_by", "denied_or_countered_by"):
            for position in row[side]:
                assert position["party"].replace("'", "&#x27;") in dom or position["party"] in dom
    # No script ran: the title is the page's own and the XSS shows as text.
    assert "<title>Contested claims</title>" in dom and "pwned" not in dom.split("<body")[0]
    assert "&lt;script&gt;document.title=" in dom
    assert "Verdict: <strong>Unproven</strong>" in dom
    artefacts = Path(os.environ.get("CLAIMTRACK_ARTIFACTS", tmp_path))
    artefacts.mkdir(parents=True, exist_ok=True)
    shot = artefacts / "contested-report.png"
    subprocess.run(
        [_chromium(), *flags, "--window-size=412,3000", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 10_000


def test_exports_and_listings_carry_the_verdict(seeded):
    seeded("verdict", "set", "handshake", "--rating", "Unproven")
    exported = seeded("export", "csv", "--no-bom").stdout.splitlines()
    assert exported[0].endswith(",verdict,history")
    handshake = next(line for line in exported if ",handshake," in line)
    assert "Unproven (unverified),contested since 2026-04-12 (+03:30)" in handshake  # history
    listed = json.loads(seeded("claim", "list", "--format", "json").stdout)
    assert {r["slug"]: r["verdict"] for r in listed}["handshake"] == "Unproven (unverified)"


def test_a_desk_verdict_is_dated_when_it_was_recorded(seeded):
    import datetime as dt
    import time

    time.sleep(2)  # a second on the clock between the seed's records and the verdict
    before = dt.datetime.now(dt.UTC)
    assert seeded("verdict", "set", "1", "--rating", "False").exit_code == 0
    after = dt.datetime.now(dt.UTC)
    (shown,) = json.loads(seeded("verdict", "show", "1", "--format", "json").stdout)
    at = dt.datetime.fromisoformat(shown["at"])
    assert shown["at_tz"] == "+00:00" and at.utcoffset() == dt.timedelta(0)
    assert before.replace(microsecond=0) <= at <= after and at.microsecond == 0  # to the second
    changes = json.loads(seeded("report", "changes", "--format", "json").stdout)
    assert [(c["claim_id"], c["at"]) for c in changes if c["change"] == "verdict"] == [
        (1, shown["at"])
    ]
    # Looking back to before it was recorded, on either axis, it is not there.
    earlier = (before - dt.timedelta(seconds=1)).replace(microsecond=0).isoformat()
    for axis in ("--as-of", "--known-at"):
        (claim,) = json.loads(seeded("claim", "show", "1", axis, earlier, "--format",
                                     "json").stdout)  # fmt: skip
        assert claim["verdict"] is None, axis


def test_review_body_ends_each_sentence_once(run, engine):
    steps = [
        ("party", "add", "Ministry"),
        ("party", "add", "Army"),
        ("party", "add", "Paper", "--kind", "media"),
        ("claim", "add", "A strike hit the hospital", "--by", "Ministry", "--at", "2023-10-17",
         "--topic", "t"),
        ("claim", "confirm", "1", "--by", "Paper", "--at", "2023-10-17"),
        ("claim", "retract", "1", "--by", "Paper", "--at", "2023-10-23",
         "--quote", "The claim could not immediately be verified."),
        ("claim", "deny", "1", "--by", "Army", "--at", "2023-10-18", "--quote", "Lies"),
        ("claim", "counter", "1", "A rocket misfired", "--by", "Army", "--at", "2023-10-17"),
        ("verdict", "set", "1", "--rating", "False", "--url", "https://desk.example/1",
         "--summary", "Evidence points to a rocket"),
    ]  # fmt: skip
    for step in steps:
        result = run(*step)
        assert result.exit_code == 0, (step, result.output)
    [review] = _reviews(run, "1")
    assert review["reviewBody"] == (
        "Evidence points to a rocket. Army denies it: “Lies”. Paper retracted it: “The claim "
        "could not immediately be verified.” Countered by the claim: A rocket misfired."
    )


def test_a_verdict_on_a_counter_claim_says_it_counters_the_claim_it_answers(run, engine):
    """The ClaimReview body of a counter-claim said "Countered by the claim" of the
    claim it answers, as the original's says of it: each end says which way it goes."""
    for step in (("party", "add", "Iran"), ("party", "add", "United States"),
                 ("claim", "add", "Two destroyers transited Hormuz", "--by", "United States",
                  "--at", "2026-04-11T15:00+05:00"),
                 ("claim", "counter", "1", "Iran expelled the ships", "--by", "Iran",
                  "--at", "2026-04-11T18:00+05:00")):  # fmt: skip
        result = run(*step)
        assert result.exit_code == 0, (step, result.output)
    for claim in ("1", "2"):
        result = run("verdict", "set", claim, "--rating", "False", "--url",
                     f"https://desk.example/{claim}")  # fmt: skip
        assert result.exit_code == 0, result.output
    bodies = {r["url"]: r["reviewBody"] for r in _reviews(run)}
    assert bodies == {
        "https://desk.example/1": "Countered by the claim: Iran expelled the ships.",
        "https://desk.example/2": "Counters the claim: Two destroyers transited Hormuz.",
    }
