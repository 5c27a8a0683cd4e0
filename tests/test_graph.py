"""The picture of each dispute in the HTML report, and ``export graph`` (DOT, GraphML)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from claimtrack import graph
from claimtrack.lookup import label_with_side

CHINESE = "美国已经同意解冻伊朗在卡塔尔的海外资产"
PERSIAN = "مذاکرات ۲۴ تا ۲۵ ساعت طول کشید"
HOSTILE = 'He said "no" \\ then\nleft 中文 اسماعیل \\'


@pytest.fixture
def seeded(run, engine):
    assert run("seed").exit_code == 0
    return run


def _contested(run) -> list[dict]:
    return json.loads(run("report", "contested", "--format", "json").stdout)


def _page(run, tmp_path: Path, *extra) -> tuple[Path, str]:
    out = tmp_path / "report.html"
    result = run("report", "contested", "--format", "html", "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out, out.read_text(encoding="utf-8")


def _nodes(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<g class="claim-node" data-claim="[^"]*" '
                                       r'data-claim-id="(\d+)"', page)]  # fmt: skip


def _scripts(run) -> None:
    """A Chinese and a Persian claim, each contested."""
    topic = ("--topic", "islamabad-talks-2026")
    assert run("claim", "add", CHINESE, "--by", "Iran", "--slug", "zh", *topic).exit_code == 0
    assert run("claim", "deny", "zh", "--by", "United States").exit_code == 0
    assert run("claim", "add", PERSIAN, "--by", "Esmaeil Baghaei", "--slug", "fa",
               *topic).exit_code == 0  # fmt: skip
    assert run("claim", "dispute", "fa", "--by", "JD Vance").exit_code == 0


# -- the picture in the HTML report ------------------------------------------------------


def test_every_contested_claim_is_one_node_and_every_contradiction_an_edge(seeded, tmp_path):
    _, page = _page(seeded, tmp_path)
    contested = _contested(seeded)
    assert sorted(_nodes(page)) == sorted(r["claim_id"] for r in contested)
    # The seed's four counter-claim links, each drawn once, between drawn claims.
    edges = re.findall(
        r"<line class=contradicts [^>]*><title>(#\d+ contradicts #\d+)</title>", page
    )
    assert sorted(edges) == sorted(["#3 contradicts #2", "#8 contradicts #7",
                                    "#10 contradicts #9", "#19 contradicts #18"])  # fmt: skip
    # One mark per party on a side, coloured by the side it acts for, named in a tooltip.
    mark = r'class=mark [^>]*?(?:fill|stroke)="(#[0-9A-F]{6})"[^>]*><title>([^<]*)</title>'
    marks = re.findall(mark, page)
    positions = sum(len(r["asserted_by"]) + len(r["denied_or_countered_by"]) for r in contested)
    assert len(marks) == positions
    colours = dict(re.findall(r'fill="(#[0-9A-F]{6})"/></svg> ([^<]+)</li>', page))
    assert {colours[c] for c, t in marks if "(Iran)" in t} == {"Iran"}
    assert {colours[c] for c, t in marks if "(United States)" in t} == {"United States"}
    # A strip of each claim's status periods, read from the stored history.
    assert page.count('data-status="contested"') >= len(contested)
    assert "<script" not in page and "not drawn" not in page


def test_picture_escapes_and_shortens_labels(seeded, tmp_path):
    assert seeded("claim", "add", HOSTILE + "<b>x</b>" * 20, "--by", "Iran", "--slug", "h",
                  "--topic", "islamabad-talks-2026").exit_code == 0  # fmt: skip
    assert seeded("claim", "deny", "h", "--by", "United States").exit_code == 0
    _, page = _page(seeded, tmp_path)
    node = re.search(r'data-claim="h".*?</g>', page, re.S).group(0)
    labels = re.findall(r"<text class=label [^>]*>([^<]*)</text>", node)
    assert len(labels) == 2 and labels[-1].endswith("…")  # shortened, two lines
    assert "<b>" not in node and "&lt;b&gt;" in node  # escaped, never markup
    assert "He said &#34;no&#34; \\ then\nleft" in node  # the tooltip has it whole


def test_picture_draws_at_most_the_cap_and_says_how_many_more(seeded, tmp_path, monkeypatch):
    monkeypatch.setattr(graph, "DRAWN", 3)
    _, page = _page(seeded, tmp_path, "--sort", "id")  # drawn: the latest all the same
    contested = _contested(seeded)
    newest = contested  # the report's own order: latest activity first
    assert len(_nodes(page)) == 3
    assert f"{len(contested) - 3} more not drawn" in page
    assert set(_nodes(page)) == {r["claim_id"] for r in newest[:3]}
    assert len(re.findall(r'<article id="claim-', page)) == len(contested)  # all listed


def test_strip_spans_each_period():
    import datetime as dt

    from claimtrack.history import Period
    from claimtrack.times import When

    def day(n):
        return When(dt.datetime(2026, 4, n, tzinfo=dt.UTC), 0, "day")

    periods = [Period("asserted", day(1), day(3), "X asserts"),
               Period("contested", day(3), day(7), "Y denies", "Y retracts", "denials withdrawn"),
               Period("asserted", day(7), None, "Y retracts")]  # fmt: skip
    bar = graph.strip(periods, dt.datetime(2026, 4, 11, tzinfo=dt.UTC), "now")
    assert [(s.status, s.x, s.width) for s in bar.segments] == [
        ("asserted", 0.0, 80.0),
        ("contested", 80.0, 160.0),
        ("asserted", 240.0, 160.0),
    ]
    assert "denials withdrawn" in bar.segments[1].title and bar.end == "now"


# -- export graph ------------------------------------------------------------------------


def _export(run, tmp_path, fmt, *extra) -> Path:
    out = tmp_path / f"claims.{fmt}"
    result = run("export", "graph", "--format", fmt, "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out


def _read_graphml(path: Path):
    g = nx.read_graphml(path, force_multigraph=True)
    nodes = {n: d["kind"] for n, d in g.nodes(data=True)}
    edges = sorted((u, v, d["relation"], d.get("stance", ""), d.get("counter_claim", 0))
                   for u, v, d in g.edges(data=True))  # fmt: skip
    return g, nodes, edges


def test_graphml_reads_back_with_every_claim_party_stance_and_contradiction(seeded, tmp_path):
    g, nodes, edges = _read_graphml(_export(seeded, tmp_path, "graphml"))
    claims = json.loads(seeded("claim", "list", "--format", "json").stdout)
    assert {n for n, k in nodes.items() if k == "claim"} == {f"c{c['id']}" for c in claims}
    contradictions = [(u, v) for u, v, relation, *_ in edges if relation == "contradicts"]
    assert sorted(contradictions) == sorted([("c3", "c2"), ("c8", "c7"), ("c10", "c9"),
                                             ("c19", "c18")])  # fmt: skip
    # Each contested claim's parties, as the report names them, are its stance edges.
    for row in _contested(seeded):
        want = sorted(
            (label_with_side(p["party"], p["side"]), "for" if side == "asserted_by" else "against",
             p["counter_claim_id"] or 0)
            for side in ("asserted_by", "denied_or_countered_by") for p in row[side]
        )  # fmt: skip
        got = sorted(
            (_label(g.nodes[u]), relation, counter)
            for u, v, relation, stance, counter in edges
            if v == f"c{row['claim_id']}" and relation != "contradicts"
        )
        assert got == want
    assert g.nodes["c1"]["status"] == "contested" and g.nodes["c1"]["supporters"] == 1


def _label(party: dict) -> str:
    from claimtrack.record import label_with_side

    return label_with_side(party["label"], party["side"])


def test_graph_is_the_same_read_in_small_batches(seeded, tmp_path, monkeypatch):
    """Written as the claims are read: a contradiction whose two ends come in different
    batches is written once, when the second end is."""
    whole = _read_graphml(_export(seeded, tmp_path, "graphml"))[1:]
    from claimtrack import report

    monkeypatch.setattr(report, "BATCH", 2)
    result = seeded("export", "graph", "--out", str(tmp_path / "small.graphml"))
    assert "4 contradiction(s)" in result.stderr
    assert _read_graphml(tmp_path / "small.graphml")[1:] == whole


def test_graph_selection_leaves_out_and_counts_outside_links(seeded, tmp_path):
    out = tmp_path / "two.graphml"
    result = seeded("export", "graph", "--out", str(out), "--search", "destroyers")
    assert result.exit_code == 0
    _, nodes, edges = _read_graphml(out)
    assert {n for n, k in nodes.items() if k == "claim"} == {"c2", "c3"}
    assert [e[:3] for e in edges if e[2] == "contradicts"] == [("c3", "c2", "contradicts")]
    result = seeded("export", "graph", "--out", str(out), "--search", "transited")
    assert "1 contradiction(s) with claims outside the selection left out" in result.stderr


def test_graphml_carries_any_script_and_stands_in_for_control_characters(seeded, tmp_path):
    assert seeded("claim", "add", HOSTILE + "\x1b[31m", "--by", "Iran", "--slug", "h",
                  "--topic", "t").exit_code == 0  # fmt: skip
    result = seeded("export", "graph", "--out", str(tmp_path / "g.graphml"), "--topic", "t")
    assert "written as U+FFFD: c24" in result.stderr
    g, _, _ = _read_graphml(tmp_path / "g.graphml")
    assert g.nodes["c24"]["text"] == HOSTILE + "\ufffd[31m"


def test_dot_strings_escape_quotes_backslashes_and_line_breaks():
    assert graph.dot_string('a "b" \\ c\r\nd\ne') == '"a \\"b\\" \\\\ c\\nd\\ne"'
    assert graph.dot_string(CHINESE + PERSIAN) == f'"{CHINESE}{PERSIAN}"'


def _unescape(value: str) -> str:
    """Graphviz's escString, as a label reads it: \\n a line break, \\\\ a backslash."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
def test_dot_parses_in_graphviz_with_the_same_graph_as_graphml(seeded, tmp_path):
    _scripts(seeded)
    seeded("claim", "add", HOSTILE, "--by", "Iran", "--slug", "h", "--topic", "t")
    dot = _export(seeded, tmp_path, "dot")
    parsed = subprocess.run(["dot", "-Tjson", str(dot)], capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert parsed.returncode == 0, parsed.stderr
    objects = json.loads(parsed.stdout)
    by_name = {o["name"]: o for o in objects["objects"]}
    _, nodes, edges = _read_graphml(_export(seeded, tmp_path, "graphml"))
    assert set(by_name) == set(nodes)
    dot_edges = sorted(
        (objects["objects"][e["tail"]]["name"], objects["objects"][e["head"]]["name"],
         e["relation"], e.get("stance", ""), int(e.get("counter_claim", 0)))
        for e in objects["edges"]
    )  # fmt: skip
    assert dot_edges == edges
    texts = {_unescape(o["text"]) for o in objects["objects"] if o.get("kind") == "claim"}
    assert {CHINESE, PERSIAN, HOSTILE} <= texts
    svg = subprocess.run(["dot", "-Tsvg", str(dot)], capture_output=True, text=True, timeout=60)
    assert svg.returncode == 0 and "美国已经同意解冻" in svg.stdout


def test_export_graph_refuses_bad_input_and_writes_nothing(seeded, tmp_path):
    result = seeded("export", "graph", "--format", "gexf")
    assert result.exit_code == 2 and "gexf" in result.output
    result = seeded("export", "graph", "--side", "for", "--out", str(tmp_path / "x.dot"))
    assert result.exit_code != 0 and "--side goes with --party" in result.output
    assert not (tmp_path / "x.dot").exists()


# -- in a real browser ---------------------------------------------------------------------


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync"]  # fmt: skip


def _browse(page: Path, profile: Path, *extra: str) -> tuple[str, list[str]]:
    """The DOM Chromium made of the page, and every URL the page (not the browser's own
    services) asked the network for, from Chromium's net log."""
    log = profile.with_suffix(".netlog.json")
    dom = subprocess.run(
        [_chromium(), *FLAGS, f"--user-data-dir={profile}", f"--log-net-log={log}", *extra,
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    events = json.loads(log.read_text())
    start = events["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    fetched = [e["params"]["url"] for e in events["events"]
               if e["type"] == start and e.get("params", {}).get("initiator") not in
               (None, "not an origin")]  # fmt: skip
    return dom, fetched


def _uncovered(text: str) -> set[str]:
    """Characters no installed font has a glyph for (fontconfig, which Chromium asks)."""
    missing = set()
    for char in set(text) - set(" \n…#'\""):
        found = subprocess.run(["fc-list", f":charset={ord(char):x}", "family"],
                               capture_output=True, text=True, timeout=60).stdout  # fmt: skip
        if not found.strip():
            missing.add(char)
    return missing


@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed")
@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig is not installed")
def test_picture_in_headless_chromium(seeded, tmp_path):
    _scripts(seeded)
    page, _ = _page(seeded, tmp_path)
    dom, fetched = _browse(page, tmp_path / "profile")
    contested = _contested(seeded)
    # One SVG node per contested claim, in the DOM the browser built.
    assert sorted(_nodes(dom)) == sorted(r["claim_id"] for r in contested)
    assert "<svg" in dom and fetched == []
    # The Chinese and Persian labels are drawn, and a font has every glyph of them.
    labels = re.findall(r'<text class="label" [^>]*>([^<]*)</text>', dom)
    zh = [t for t in labels if "美国" in t]
    fa = [t for t in labels if "مذاکرات" in t]
    assert zh and fa
    assert _uncovered("".join(zh + fa)) == set()
    assert _uncovered("\U000e01ef") == {"\U000e01ef"}  # the check can fail
    # The check for fetches can fail too: a page with an image elsewhere is caught.
    probe = tmp_path / "probe.html"
    probe.write_text('<img src="https://example.invalid/x.png">', encoding="utf-8")
    assert _browse(probe, tmp_path / "probe-profile")[1] == ["https://example.invalid/x.png"]
    # A screenshot at a phone's width, kept as a test artefact.
    artefacts = Path(os.environ.get("CLAIMTRACK_ARTIFACTS", tmp_path))
    artefacts.mkdir(parents=True, exist_ok=True)
    shot = artefacts / "contested-graph-412px.png"
    subprocess.run(
        [_chromium(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=412,1400",
         "--hide-scrollbars", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(header[16:20], "big") == 412 and shot.stat().st_size > 20_000


# -- what export graph keeps in memory ------------------------------------------------


def test_id_bits_hold_the_same_ids_as_a_set():
    import random

    rng = random.Random(13)
    ids = {0, 1, 7, 8, 9, 2**31 - 1, *(rng.randrange(1, 50_000) for _ in range(2_000))}
    bits, plain = graph.IdBits(), set()
    for n in ids:
        bits.add(n)
        plain.add(n)
        assert n in bits
    bits.update([3, 3, 40_001])
    plain.update([3, 3, 40_001])
    probes = [*range(-3, 70_000), 2**31 - 2, 2**31 - 1, 2**31, 2**40]
    assert [n for n in probes if n in bits] == sorted(n for n in probes if n in plain)
    with pytest.raises(ValueError):
        bits.add(-1)


def _exported_bytes(run, tmp_path, fmt: str, name: str) -> bytes:
    out = tmp_path / f"{name}.{fmt}"
    result = run("export", "graph", "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.mark.parametrize("data", ["seed", "generated"])
def test_graph_bytes_do_not_depend_on_how_the_written_ids_are_held(
    data, run, db_url, tmp_path, monkeypatch, request
):
    """``IdBits`` in place of the sets of ids it replaced: the same files, byte for byte,
    read in batches small enough that contradictions cross them."""
    if data == "seed":
        request.getfixturevalue("engine")  # the schema, which seed expects on PostgreSQL
        assert run("seed").exit_code == 0
    else:
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
        from generate import generate

        generate(db_url.render_as_string(hide_password=False), 600, progress=None)
    from claimtrack import report

    monkeypatch.setattr(report, "BATCH", 7)
    bits = {fmt: _exported_bytes(run, tmp_path, fmt, "bits") for fmt in ("graphml", "dot")}
    assert bits["graphml"].count(b'<data key="edge_relation">contradicts</data>') > 2
    monkeypatch.setattr(graph, "IdBits", set)
    for fmt, written in bits.items():
        assert _exported_bytes(run, tmp_path, fmt, "sets") == written


def test_graph_edges_come_in_the_order_the_links_were_recorded(run, engine, tmp_path):
    """Contradictions are written as recorded (by link id) on every backend, whatever
    order the database happens to hold them in: here SQLite's index on (from, to) would
    give #3 -> #1 first, and PostgreSQL, once the first link's row was rewritten (any
    UPDATE moves a row to the end of its table), the same."""
    import sqlalchemy as sa

    for text, party in (("P holds", "A"), ("Q holds", "B"), ("R holds", "C")):
        assert run("claim", "add", text, "--by", party, "--create-missing").exit_code == 0
    assert run("claim", "link", "3", "2", "--contradicts").exit_code == 0  # link 1
    assert run("claim", "link", "3", "1", "--contradicts").exit_code == 0  # link 2
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE claim_link SET created_by = created_by WHERE id = 1"))
    dot = _export(run, tmp_path, "dot").read_text(encoding="utf-8")
    assert re.findall(r'"c(\d+)" -> "c(\d+)" \[[^\]]*relation="contradicts"', dot) == [
        ("3", "2"), ("3", "1")
    ]  # fmt: skip
    graphml = _export(run, tmp_path, "graphml").read_text(encoding="utf-8")
    edges = re.findall(r'<edge [^>]*source="c(\d+)" target="c(\d+)"', graphml)
    assert [e for e in edges if e[0] == "3"] == [("3", "2"), ("3", "1")]
