"""A picture of each dispute, and the claims graph for Graphviz and Gephi.

Two uses of one graph, claims as nodes and contradictions (a counter-claim's link to the
claim it answers) as edges:

- ``pictures``: for the HTML report, per topic, the contested claims laid out by
  networkx and drawn as inline SVG by the page's template, each party's stance a mark
  in the colour of the side it acts for; and per claim a strip of its status periods
  (from the stored history). At most ``DRAWN`` claims per topic are drawn (the most
  recently active), and the page says how many more there are.
- ``graph_items`` with ``write_dot`` / ``write_graphml``: ``export graph``, claims and
  parties as nodes, stances and contradictions as edges, written as the claims are
  read (see ``graph_items`` for what stays in memory).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from claimtrack.rows import ClaimRow, Position

DRAWN = 40  # claims drawn per topic: the most recently active
MARKS = 4  # stance marks drawn per side of a claim, then "+N"
LABEL_COLUMNS = 26  # terminal columns (wcwidth: a Chinese character is two) per line
LABEL_LINES = 2
SEED = 7  # the layout is the same every time the same claims are drawn

# Picture geometry, in SVG user units: the width is a phone's, so text drawn at 12
# units is 12 CSS pixels on a 412-pixel screen, and the page scales it down no further.
WIDTH = 400
CELL = 200  # the width one claim and its label take
RADIUS = 14
NODE_HEIGHT = 96  # marks, circle, two lines of label and a gap
PAD = 8
STRIP_WIDTH = 400

# Okabe and Ito's palette, which readers with colour blindness tell apart; a side past
# the eighth is grey, and the legend says so.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F6000",
           "#000000")  # fmt: skip
OTHER_SIDES = "#9E9E9E"
STATUS_COLOURS = {"contested": "#b3261e", "asserted": "#2a7d2a", "self-contradicted": "#8e6c00"}
QUIET = "#c7c7c7"  # retracted, denied, unsupported


# -- the picture in the HTML report -----------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One party's stance on a drawn claim: a dot (for) or a square (against)."""

    x: float
    y: float
    colour: str
    side: str  # "support" or "oppose"
    title: str  # "JD Vance (United States): against, denies"


@dataclass(frozen=True)
class Node:
    claim_id: int
    slug: str | None
    text: str  # in full, for the tooltip
    lines: tuple[str, ...]  # the label, wrapped and shortened
    x: float
    y: float
    marks: tuple[Mark, ...]
    more: tuple[tuple[float, int], ...]  # (x, how many) for sides with marks not drawn


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    title: str  # "#3 contradicts #2"


@dataclass(frozen=True)
class Picture:
    topic: str
    width: int
    height: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    legend: tuple[tuple[str, str], ...]  # (side, colour)
    not_drawn: int  # contested claims of the topic left out of the picture


@dataclass(frozen=True)
class Segment:
    status: str
    x: float
    width: float
    colour: str
    title: str  # "contested 2026-04-11 – 2026-04-12 (denials withdrawn)"


@dataclass(frozen=True)
class Strip:
    """A claim's status periods along one bar, from its first stance to ``end``."""

    segments: tuple[Segment, ...]
    start: str
    end: str


def page(session, rows: list[ClaimRow], selection) -> dict:
    """What the HTML report draws: a picture per topic of its contested claims, and a
    strip per claim running to the selection's as-of (or now)."""
    if selection.as_of is not None:
        end, label = selection.as_of, f"as of {selection.as_of:%Y-%m-%d %H:%M}Z"
    else:
        end, label = dt.datetime.now(dt.UTC), "now"
    contested = [r for r in rows if r.status == "contested"]
    strips = {r.claim_id: strip(r.periods, end, label) for r in rows}
    return {"pictures": pictures(session, contested), "strips": strips}


def pictures(session, rows: list[ClaimRow]) -> list[Picture]:
    """One picture per topic of these (contested) rows, topics in the rows' order."""
    from claimtrack.links import contradiction_pairs

    topics: dict[str, list[ClaimRow]] = {}
    for row in rows:
        topics.setdefault(row.topic, []).append(row)
    drawn = {topic: most_recent(group) for topic, group in topics.items()}
    ids = [r.claim_id for group in drawn.values() for r in group]
    pairs = contradiction_pairs(session, ids)
    return [
        picture(topic, drawn[topic], pairs, not_drawn=len(group) - len(drawn[topic]))
        for topic, group in topics.items()
    ]


def most_recent(rows: list[ClaimRow], limit: int | None = None) -> list[ClaimRow]:
    """The ``limit`` (``DRAWN``) most recently active claims, latest first, whatever order
    the report lists them in."""

    def activity(r: ClaimRow):
        last = r.last_activity.until if r.last_activity else dt.datetime.min.replace(tzinfo=dt.UTC)
        return (last, r.claim_id)

    return sorted(rows, key=activity, reverse=True)[: limit or DRAWN]


def picture(
    topic: str, rows: list[ClaimRow], pairs: Iterable[tuple[int, int]], *, not_drawn: int = 0
) -> Picture:
    """The drawn claims of one topic, the contradictions between them, their marks."""
    ids = [r.claim_id for r in rows]
    wanted = set(ids)
    links = [(a, b) for a, b in pairs if a in wanted and b in wanted and a != b]
    places, height = layout(ids, links)
    colours = side_colours(p for r in rows for p in (*r.support, *r.oppose))
    nodes = tuple(_node(r, *places[r.claim_id], colours) for r in rows)
    edges = tuple(
        Edge(*places[a], *places[b], f"#{a} contradicts #{b}") for a, b in sorted(set(links))
    )
    legend = tuple((side, colour) for side, colour in colours.items() if colour != OTHER_SIDES)
    if OTHER_SIDES in colours.values():
        legend += (("other sides", OTHER_SIDES),)
    return Picture(topic, WIDTH, height, nodes, edges, legend, not_drawn)


def layout(ids: list[int], links: list[tuple[int, int]]) -> tuple[dict, int]:
    """Where each claim's circle goes, and the picture's height.

    networkx places each group of claims that contradict one another (a spring layout,
    seeded so that the same claims are drawn the same way); the groups go down the page,
    largest first, each in a band as wide as a phone, and the claims that contradict no
    drawn claim follow two to a row. A phone reads the page from top to bottom.
    """
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(ids)
    graph.add_edges_from(links)
    order = {claim_id: n for n, claim_id in enumerate(ids)}
    groups = sorted(
        (sorted(group, key=order.__getitem__) for group in nx.connected_components(graph)),
        key=lambda group: (-len(group), order[group[0]]),
    )
    places: dict[int, tuple[float, float]] = {}
    top = PAD
    for group in (g for g in groups if len(g) > 1):
        # As tall as wide would do on a screen; on a phone, a group of n claims may take
        # about sqrt(n) rows of height, and only as many as its layout uses.
        tall = max(1, math.ceil(math.sqrt(len(group))) - 1) * NODE_HEIGHT / 2
        spread = nx.rescale_layout_dict(nx.spring_layout(graph.subgraph(group), seed=SEED), 1)
        lowest = min(float(y) for _, y in spread.values())
        used = max(float(y) for _, y in spread.values()) - lowest
        for claim_id, (x, y) in spread.items():
            places[claim_id] = (
                round(WIDTH / 2 + float(x) * (WIDTH - CELL) / 2, 1),
                round(top + _circle_top() + (float(y) - lowest) * tall, 1),
            )
        top += NODE_HEIGHT + used * tall
    alone = [g[0] for g in groups if len(g) == 1]
    for n, claim_id in enumerate(alone):
        row, column = divmod(n, WIDTH // CELL)
        places[claim_id] = (CELL / 2 + column * CELL, top + _circle_top() + row * NODE_HEIGHT)
    top += math.ceil(len(alone) / (WIDTH // CELL)) * NODE_HEIGHT
    return places, int(top + PAD)


def _circle_top() -> int:
    return 18 + RADIUS  # the marks' row above the circle


def side_colours(positions: Iterable[Position]) -> dict[str, str]:
    """side -> colour: the sides with the most stances first, then by name."""
    counts: dict[str, int] = {}
    for p in positions:
        counts[p.side_name] = counts.get(p.side_name, 0) + 1
    ranked = sorted(counts, key=lambda side: (-counts[side], side))
    return {side: PALETTE[n] if n < len(PALETTE) else OTHER_SIDES for n, side in enumerate(ranked)}


def label_lines(text: str) -> tuple[str, ...]:
    """A claim's text in at most two short lines, cut with an ellipsis: the full text is
    in the node's tooltip and in the claim's card."""
    from claimtrack.render import fit

    return tuple(fit(" ".join(text.split()), LABEL_COLUMNS, LABEL_LINES).splitlines())


def _node(row: ClaimRow, x: float, y: float, colours: dict[str, str]) -> Node:
    from claimtrack.vocabulary import SIDE_NAMES, counter_relation

    groups = [(row.support[:MARKS], len(row.support)), (row.oppose[:MARKS], len(row.oppose))]
    step, gap = 11, 8
    count = sum(len(shown) + (1 if total > len(shown) else 0) for shown, total in groups)
    left = x - (count * step + gap) / 2 + step / 2
    marks: list[Mark] = []
    more: list[tuple[float, int]] = []
    for n, (shown, total) in enumerate(groups):
        for p in shown:
            how = SIDE_NAMES[p.side] + ("" if p.counter_claim_id is None else
                                       f", by {counter_relation(p.answered)} "
                                       f"#{p.counter_claim_id}")  # fmt: skip
            marks.append(Mark(round(left, 1), y - RADIUS - 10, colours[p.side_name], p.side,
                              f"{p.party}: {how}, {p.kind}"))  # fmt: skip
            left += step
        if total > len(shown):
            more.append((round(left, 1), total - len(shown)))
            left += step
        if n == 0:
            left += gap
    return Node(row.claim_id, row.slug, row.text, label_lines(row.text), x, y, tuple(marks),
                tuple(more))  # fmt: skip


def strip(periods, end: dt.datetime, end_label: str) -> Strip | None:
    """A claim's status periods (``history.Period``) along a bar from its first stance
    to ``end``, each as wide as it lasted (at least a sliver)."""
    from claimtrack.render import period_text

    if not periods:
        return None
    start = periods[0].since.at
    last = max(p.until.until if p.until else p.since.until for p in periods)
    end = max(end, last)
    span = (end - start).total_seconds() or 1.0
    segments = []
    for p in periods:
        began = (p.since.at - start).total_seconds() / span * STRIP_WIDTH
        ended = ((p.until.at if p.until else end) - start).total_seconds() / span * STRIP_WIDTH
        colour = STATUS_COLOURS.get(p.status, QUIET)
        width = round(max(ended - began, 2.0), 1)
        segments.append(Segment(p.status, round(began, 1), width, colour, period_text(p)))
    return Strip(tuple(segments), str(periods[0].since), end_label)


# -- the claims graph for Graphviz and Gephi -------------------------------------------


@dataclass(frozen=True)
class Item:
    """A node (``target`` None) or an edge of the exported graph, with its attributes."""

    source: str
    target: str | None
    attributes: dict


# Every attribute a node or an edge can carry, and its GraphML type.
NODE_ATTRIBUTES = {"kind": "string", "label": "string", "text": "string", "slug": "string",
                   "topic": "string", "status": "string", "supporters": "int",
                   "opponents": "int", "first_reported": "string",
                   "first_reported_tz": "string", "contested_since": "string",
                   "contested_since_tz": "string", "last_activity": "string",
                   "last_activity_tz": "string", "verdict": "string",
                   "side": "string"}  # fmt: skip
EDGE_ATTRIBUTES = {"relation": "string", "stance": "string", "counter_claim": "int",
                   "counter_claim_relation": "string"}  # fmt: skip


@dataclass
class GraphCounts:
    claims: int = 0
    parties: int = 0
    stances: int = 0
    contradictions: int = 0
    outside: int = 0  # contradictions with claims outside the selection, not written


class IdBits:
    """A set of ids held as one bit each, up to the largest id added: 125 kB for the ids
    of a million claims, where a ``set`` of them takes some 60 MB (an int object and a
    table slot each). The database numbers ids from 1 upwards, so the largest is about
    the number of rows ever written."""

    __slots__ = ("bits",)

    def __init__(self) -> None:
        self.bits = bytearray()

    def add(self, n: int) -> None:
        if n < 0:
            raise ValueError(f"id {n} is negative")
        byte = n >> 3
        if byte >= len(self.bits):  # grow by at least half, as a list does
            self.bits.extend(bytes(max(byte + 1 - len(self.bits), len(self.bits) // 2)))
        self.bits[byte] |= 1 << (n & 7)

    def update(self, ids: Iterable[int]) -> None:
        for n in ids:
            self.add(n)

    def __contains__(self, n: int) -> bool:
        byte = n >> 3
        return 0 <= byte < len(self.bits) and bool(self.bits[byte] >> (n & 7) & 1)


def graph_items(session, selection, counts: GraphCounts | None = None) -> Iterator[Item]:
    """The chosen claims as nodes, each followed by its parties (the first time each is
    met) and their stances as edges, and each contradiction between two chosen claims as
    an edge once both ends are written.

    Claims are read in batches (``report.claims``); what stays in memory is which claim
    and party ids were written so far (``IdBits``: a bit per id, 125 kB for a million
    claims), never the texts.
    """
    from claimtrack import report
    from claimtrack.links import contradiction_pairs
    from claimtrack.vocabulary import SIDE_NAMES, counter_relation

    counts = counts if counts is not None else GraphCounts()
    claims_seen = IdBits()
    parties_seen = IdBits()
    batch: list[ClaimRow] = []

    def flush() -> Iterator[Item]:
        here = {r.claim_id for r in batch}
        claims_seen.update(here)
        for a, b in contradiction_pairs(session, sorted(here)):
            if a in claims_seen and b in claims_seen:
                counts.contradictions += 1
                if not (a in here and b in here):
                    counts.outside -= 1  # counted as outside when its first end was written
                yield Item(f"c{a}", f"c{b}", {"relation": "contradicts"})
            else:
                counts.outside += 1
        batch.clear()

    for row in report.claims(session, selection, detail=True):
        counts.claims += 1
        yield Item(f"c{row.claim_id}", None, _claim_attributes(row))
        for p in (*row.support, *row.oppose):
            if p.party_id not in parties_seen:
                parties_seen.add(p.party_id)
                counts.parties += 1
                yield Item(f"p{p.party_id}", None, {"kind": "party", "label": p.party_name,
                                                    "side": p.side_name})  # fmt: skip
            counts.stances += 1
            attributes = {"relation": SIDE_NAMES[p.side], "stance": p.kind}
            if p.counter_claim_id is not None:
                attributes["counter_claim"] = p.counter_claim_id
                attributes["counter_claim_relation"] = counter_relation(p.answered)
            yield Item(f"p{p.party_id}", f"c{row.claim_id}", attributes)
        batch.append(row)
        if len(batch) >= report.BATCH:
            yield from flush()
    yield from flush()


def _claim_attributes(row: ClaimRow) -> dict:
    found = {
        "kind": "claim",
        "label": f"#{row.claim_id} " + " ".join(label_lines(row.text)),
        "text": row.text,
        "slug": row.slug,
        "topic": row.topic,
        "status": row.status,
        "supporters": row.supporters,
        "opponents": row.opponents,
        "verdict": f"{row.verdict.label} ({row.verdict.rating})" if row.verdict else None,
    }
    for name in ("first_reported", "contested_since", "last_activity"):
        when = getattr(row, name)
        # with its zone, as JSON gives it: a day said in Washington is not the UTC day
        found[name], found[f"{name}_tz"] = (when.isoformat(), when.zone) if when else (None, None)
    return {name: value for name, value in found.items() if value is not None}


# Graphviz's look for each kind of node and edge.
DOT_STYLE = {"claim": 'shape=box style="rounded"', "party": "shape=ellipse",
             "for": 'color="#2a7d2a"', "against": 'color="#b3261e"',
             "contradicts": 'color="#b3261e" style=dashed dir=both arrowtail=none'}  # fmt: skip


def dot_string(value) -> str:
    """A DOT double-quoted string: quotes and backslashes escaped, line breaks as ``\\n``
    (Graphviz's escString, which label and tooltip read); any script as it is."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"\r\n|\r|\n", r"\\n", text) + '"'


def write_dot(items: Iterable[Item], out: IO[str]) -> None:
    """A Graphviz digraph, written item by item."""
    out.write('digraph claims {\n  graph [charset="UTF-8" overlap=false];\n')
    for item in items:
        attrs = " ".join(f"{name}={dot_string(v)}" for name, v in item.attributes.items())
        if item.target is None:
            style = DOT_STYLE[item.attributes["kind"]]
            out.write(f"  {dot_string(item.source)} [{style} {attrs}];\n")
        else:
            style = DOT_STYLE[item.attributes["relation"]]
            out.write(f"  {dot_string(item.source)} -> {dot_string(item.target)} "
                      f"[{style} {attrs}];\n")  # fmt: skip
    out.write("}\n")


# XML 1.0 cannot carry these characters at all, escaped or not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def write_graphml(items: Iterable[Item], out: IO[str], *, replaced: Callable | None = None) -> None:
    """GraphML (what Gephi, yEd and networkx read), written item by item with the
    standard library's streaming XML writer, which escapes every value. A control
    character XML cannot carry is written as U+FFFD; ``replaced(node id)`` hears of it."""
    from xml.sax.saxutils import XMLGenerator

    xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement("graphml", {"xmlns": "http://graphml.graphdrawing.org/xmlns"})
    for domain, attributes in (("node", NODE_ATTRIBUTES), ("edge", EDGE_ATTRIBUTES)):
        for name, kind in attributes.items():
            xml.ignorableWhitespace("\n  ")
            xml.startElement("key", {"id": f"{domain}_{name}", "for": domain,
                                     "attr.name": name, "attr.type": kind})  # fmt: skip
            xml.endElement("key")
    xml.ignorableWhitespace("\n  ")
    xml.startElement("graph", {"id": "claims", "edgedefault": "directed"})
    for n, item in enumerate(items):
        xml.ignorableWhitespace("\n    ")
        if item.target is None:
            domain, element = "node", {"id": item.source}
        else:
            domain, element = "edge", {"id": f"e{n}", "source": item.source,
                                       "target": item.target}  # fmt: skip
        xml.startElement(domain, element)
        for name, value in item.attributes.items():
            text = str(value)
            if _NOT_XML.search(text):
                text = _NOT_XML.sub("\ufffd", text)
                if replaced:
                    replaced(item.source)
            xml.ignorableWhitespace("\n      ")
            xml.startElement("data", {"key": f"{domain}_{name}"})
            xml.characters(text)
            xml.endElement("data")
        xml.ignorableWhitespace("\n    ")
        xml.endElement(domain)
    xml.ignorableWhitespace("\n  ")
    xml.endElement("graph")
    xml.ignorableWhitespace("\n")
    xml.endElement("graphml")
    xml.ignorableWhitespace("\n")
    xml.endDocument()
