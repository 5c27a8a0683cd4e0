"""Rows into formats: table, JSON, CSV, XLSX and HTML, for every report and listing.

Each report's shape is a ``View``: its flat columns (CSV, XLSX), its JSON record, its
table. The formats are functions over views and rows, so a report cannot print one set
of rows as a table and another as CSV. Tables fit the terminal (``COLUMNS`` or its real
width) with wcwidth's wrapping, which knows that a Chinese character takes two columns;
tables and HTML list a few parties per side and then "+N more", while JSON, CSV and
XLSX carry every one.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import IO, Any

from claimtrack.names import BIDI, bidi_closed, control_picture, visible, visible_name  # noqa: F401 - also imported from here
from claimtrack.rows import ClaimRow, Position, TimelineEntry
from claimtrack.times import When
from claimtrack.vocabulary import PLAIN, counter_relation

FORMATS = ("table", "json", "csv", "xlsx", "html")
PARTIES_SHOWN = 4  # per side, in tables and HTML
BORDER = 3  # columns a table border and padding take per column


# -- labels ------------------------------------------------------------------------------


def position_label(p: Position) -> str:
    """A party on a side: "Tasnim (Iran) [confirms]", "Iran [counter-claim #8]"."""
    mark = position_mark(p)
    return f"{p.party} {mark}" if mark else p.party


def position_mark(p: Position) -> str | None:
    """What tells a party's place on a side from its others: "[counter-claim #8]" or, on
    a counter-claim, "[countered claim #1]" (which claim, and which way it is linked),
    "[confirms]" (how); None for a plain assertion or denial."""
    if p.counter_claim_id is not None:
        return counter_mark(p)
    return None if p.kind in PLAIN else f"[{p.kind}]"


def counter_mark(p: Position) -> str:
    """ "[counter-claim #8]": the claim that puts the party against this one, from this
    one's end ("[countered claim #1]": the claim this one answers)."""
    return f"[{counter_relation(p.answered)} #{p.counter_claim_id}]"


def timeline_label(t: TimelineEntry, claim_id: int) -> str:
    """What a stance did: "denies", or "asserts counter-claim #8" when on a claim that
    contradicts this one, "asserts countered claim #7" on one this one contradicts."""
    if t.claim_id == claim_id:
        return t.kind
    return f"{t.kind} {counter_relation(t.answered)} #{t.claim_id}"


def stance_cell(t: TimelineEntry, claim_id: int) -> str:
    """``timeline_label``, and "(amends #14)" when the desk recorded it in place of a
    stance it voided (``stance amend``), and "[voided ...]" when the desk voided it."""
    label = timeline_label(t, claim_id)
    if t.amends is not None:
        label += f" (amends #{t.amends})"
    if t.void_at is not None:
        label += f" [{voided_text(t)}]"
    return label


def recorded_text(at, by: str | None) -> str:
    """ "2023-06-06 10:00Z editor": an instant the desk recorded, in UTC, and by whom."""
    return f"{at:%Y-%m-%d %H:%M}Z" + (f" {by}" if by else "")


def voided_text(t: TimelineEntry) -> str:
    """ "voided 2023-06-06 12:00Z by desk: wrong official; amended by #16"."""
    text = f"voided {t.void_at:%Y-%m-%d %H:%M}Z" + (f" by {t.void_by}" if t.void_by else "")
    if t.void_reason:
        text += f": {t.void_reason}"
    if t.amended_by is not None:
        text += f"; amended by #{t.amended_by}"
    return text


def verdict_text(row: ClaimRow) -> str | None:
    return str(row.verdict) if row.verdict else None


def shown(positions: tuple[Position, ...]) -> tuple[list[Position], int]:
    """The positions a table or page lists, and how many more parties there are: a party
    against a claim for two of its counter-claims is one of those the claim's "against"
    counts (nu20: "+7 more" beside 4 listed, where 8 were against)."""
    listed = list(positions[:PARTIES_SHOWN])
    named = {p.party_id for p in listed}
    return listed, len({p.party_id for p in positions[PARTIES_SHOWN:]} - named)


# -- views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    cell: Callable[[Any], Any]
    # 0: as wide as its cells (when the terminal has room, after every column's words);
    # otherwise its weight in sharing the width the terminal has left (``_widths``)
    width: int = 0
    lines: int | None = None  # at most this many lines in a table


@dataclass(frozen=True)
class View:
    """How one kind of row is shown: flat columns, a JSON record, table columns."""

    name: str
    flat: tuple[tuple[str, Callable[[Any], Any]], ...]
    table: tuple[Column, ...]
    record: Callable[[Any], dict] | None = None  # JSON; default: the flat columns
    empty: str = "Nothing matches."
    times: frozenset[str] = field(default_factory=frozenset)
    # flat columns that hold parties' names: one line each in tables (``visible_name``)
    names: frozenset[str] = field(default_factory=frozenset)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.flat)

    def flat_row(self, row) -> list:
        return [get(row) for _, get in self.flat]

    def json_record(self, row) -> dict:
        if self.record is not None:
            return self.record(row)
        return dict(zip(self.text_headers, self.text_row(row, for_json=True), strict=True))

    @property
    def text_headers(self) -> tuple[str, ...]:
        """The columns of CSV and JSON: each time is followed by the offset it was said in,
        since "2026-04-12" alone does not say which day's midnight it began at."""
        pairs = ((name, f"{name}_tz") if name in self.times else (name,) for name in self.headers)
        return tuple(h for pair in pairs for h in pair)

    def text_row(self, row, *, for_json: bool = False) -> list:
        """The cells of ``text_headers``: for CSV, or (``for_json``) for JSON, whose times
        are written as tables show them (``iso``)."""
        cells = []
        for name, value in zip(self.headers, self.flat_row(row), strict=True):
            if name in self.times:
                time = (iso(value) if for_json else value.isoformat()) if value else None
                cells.extend((time, value.zone) if value else (None, None))
            else:
                cells.append(_plain(value, utc_z=for_json))
        return cells


def iso(value) -> str | None:
    """A time in JSON: a said time (``When``) as said, at its precision and in its offset,
    or an instant the desk recorded (UTC, to the second); a UTC time ends in ``Z``, as
    tables print it (``2023-06-06T10:00Z``), never ``+00:00``."""
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, When) else value.isoformat(timespec="seconds")
    return text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text


def _plain(value: Any, *, utc_z: bool = True) -> Any:
    """A cell's value as text or JSON; a time as ``iso`` makes it (``utc_z``), or, for
    CSV, in ISO 8601's other form for UTC, ``+00:00``, as exports have always had it."""
    if isinstance(value, When) or hasattr(value, "isoformat"):
        if utc_z:
            return iso(value)
        return value.isoformat() if isinstance(value, When) else value.isoformat(timespec="seconds")
    if isinstance(value, tuple):
        return list(value)
    return value


def _joined(values: Iterable[str]) -> str:
    return "; ".join(values)


def _sides_text(row: ClaimRow) -> str:
    """ "for: Iran; against: United States", naming only the sides that have parties."""
    parts = [
        f"{word}: " + ", ".join(dict.fromkeys(p.side_name for p in group))
        for word, group in (("for", row.support), ("against", row.oppose))
        if group
    ]
    return "; ".join(parts)


def _sources_text(row: ClaimRow) -> str:
    found = dict.fromkeys(
        f"{t.source} <{t.source_url}>" if t.source_url else t.source
        for t in row.own_stances()
        if t.source
    )
    return _joined(found)


def _quotes_text(row: ClaimRow) -> str:
    return _joined(f"{t.party_name}: “{t.quote}”" for t in row.own_stances() if t.quote)


def _position_record(p: Position) -> dict:
    return {
        "party": p.party_name, "side": p.side_name, "kind": p.kind, "said_at": iso(p.said),
        "said_tz": p.said.zone, "quote": p.quote, "via": p.via, "source": p.source,
        "counter_claim_id": p.counter_claim_id,
        "counter_claim_relation": (None if p.counter_claim_id is None
                                   else counter_relation(p.answered)),
        "anonymous": p.anonymous,
    }  # fmt: skip


def timeline_record(t: TimelineEntry) -> dict:
    """A stance in JSON; ``amends``: the stance it was recorded in place of, or None."""
    return {
        "stance_id": t.stance_id, "claim_id": t.claim_id, "party": t.party_name,
        "side": t.side, "kind": t.kind,
        "quote": t.quote, "via": t.via, "source": t.source, "source_url": t.source_url,
        "said_at": iso(t.said), "said_tz": t.said.zone,
        "recorded_at": iso(t.recorded_at), "recorded_by": t.recorded_by, "amends": t.amends,
    }  # fmt: skip


def voided_record(t: TimelineEntry) -> dict:
    """A voided stance in JSON: the stance, and when (UTC), by whom and why it was voided,
    and the stance recorded in its place (``amended_by``) when it was amended."""
    return {**timeline_record(t), "void_at": iso(t.void_at), "void_by": t.void_by,
            "void_reason": t.void_reason, "amended_by": t.amended_by}  # fmt: skip


def verdict_record(row: ClaimRow) -> dict | None:
    v = row.verdict
    if v is None:
        return None
    return {"rating": v.rating, "label": v.label, "summary": v.summary, "url": v.url,
            "by": v.by, "at": iso(v.at), "at_tz": v.at.zone,
            "publisher": v.publisher}  # fmt: skip


def _times_record(row, names) -> dict:
    """Each time as said, and the offset it was said in."""
    found = {}
    for name in names:
        when = getattr(row, name)
        found[name] = iso(when)
        found[f"{name}_tz"] = when.zone if when else None
    return found


def contested_record(row: ClaimRow) -> dict:
    return {
        "claim_id": row.claim_id, "slug": row.slug, "topic": row.topic, "claim": row.text,
        "status": row.status,
        "asserted_by": [_position_record(p) for p in row.support],
        "denied_or_countered_by": [_position_record(p) for p in row.oppose],
        **_times_record(row, ("first_reported", "contested_since", "last_activity")),
        **_ended_record(row),
        "anonymous_only": row.anonymous_only(), "within_side": row.within_side(),
        "verdict": verdict_record(row),
        "timeline": [timeline_record(t) for t in row.timeline],
        "periods": [period_record(p) for p in row.periods],
    }  # fmt: skip


def _ended_at(name: str) -> Callable[[ClaimRow], Any]:
    """For a claim no longer contested (``--include-resolved``), its last contested
    period's ``since``, ``until`` or ``how``, as the table shows them; else None."""

    def get(row: ClaimRow):
        ended = row.resolved()
        return getattr(ended, name) if ended is not None else None

    return get


# What the table shows of a resolved claim, in JSON, CSV and XLSX too: "contested since"
# is kept as it was (null: the claim is not contested now), these are beside it.
ENDED = (("contested_from", _ended_at("since")), ("contested_until", _ended_at("until")),
         ("how_it_ended", _ended_at("how")))  # fmt: skip


def _ended_record(row: ClaimRow) -> dict:
    found = {}
    for name, get in ENDED:
        value = get(row)
        found[name] = iso(value) if name != "how_it_ended" else value
        if name != "how_it_ended":
            found[f"{name}_tz"] = value.zone if value else None
    return found


def _positions_cell(positions: tuple[Position, ...], width: int) -> str:
    """Each party with its side, under it the quote as said (via whom); then "+N more"."""
    from wcwidth import wcswidth

    listed, more = shown(positions)
    lines = []
    for p in listed:
        # The name, its side and its mark whole, as names are everywhere: "Center for
        # Countering Disinformation" read "Center for Countering…" at 100 columns.
        # The mark starts a line of its own unless it fits whole after the name, so that
        # "[counter-claim #2]" is never broken at its hyphen after a name.
        name = visible_name(p.party_name)
        side = None if p.side_name == p.party_name else f"({visible_name(p.side_name)})"
        named = fit(f"{name} {side}" if side else name, width).split("\n")
        mark = position_mark(p)
        if mark and wcswidth(f"{named[-1]} {mark}") <= width:
            named[-1] += f" {mark}"
        elif mark:
            named.extend(fit(mark, width).split("\n"))
        lines.extend(named)
        if p.quote:
            quote = f"  “{p.quote}”"  # who relayed it kept whole too, the quote cut
            lines.append(fit_keeping(quote, f"(via {visible_name(p.via)})", width, 3) if p.via
                         else fit(quote, width, 3))  # fmt: skip
    if more:
        lines.append(f"+{more} more")
    if positions and all(p.anonymous for p in positions):
        lines.append(fit("(anonymous sources only)", width))
    return "\n".join(lines)


def _verdict_note(row) -> list[str]:
    v = row.verdict
    return [f"[verdict: {v}]"] if v else []  # "False (false) per PolitiFact", as everywhere


def _claim_with_verdict(row, width: int) -> str:
    """The claim's text, and its verdict (and who published it) when it has one."""
    return "\n".join([fit(row.text, width), *(fit(n, width) for n in _verdict_note(row))])


def _claim_cell(row: ClaimRow, width: int) -> str:
    notes = _verdict_note(row)
    if row.within_side():
        notes.append(f"[within {row.within_side()}]")
    ended = row.resolved()
    if ended is not None:
        notes.append(f"[{row.status} now: {ended.how}, {ended.until}]")
    return "\n".join([fit(row.text, width), *(fit(n, width) for n in notes)])


def period_text(p) -> str:
    """ "contested 2026-05-02 – 2026-05-04 (+03:30) (denials withdrawn)"."""
    span = f"{p.since} – {p.until}" if p.until else f"since {p.since}"
    return f"{p.status} {span}" + (f" ({p.how})" if p.how else "")


def period_record(p) -> dict:
    return {"status": p.status, "since": iso(p.since), "since_tz": p.since.zone,
            "until": iso(p.until),
            "until_tz": p.until.zone if p.until else None, "began_by": p.began_by,
            "ended_by": p.ended_by, "how": p.how}  # fmt: skip


def _times_cell(row: ClaimRow, width: int) -> str:
    """The two times of the last column, one above the other; in a column too narrow for
    a time on one line, a blank line between them, so that the two lines of each read as
    one time (an editor at 80 columns saw four lines and could not tell which was which)."""
    ended = row.resolved()
    times = (ended.since, ended.until) if ended is not None else (row.contested_since,
                                                                 row.last_activity)  # fmt: skip
    first, second = (fit(f"{t or ''}", width) for t in times)
    return f"{first}\n\n{second}" if "\n" in first or "\n" in second else f"{first}\n{second}"


CLAIM_TIMES = frozenset({"first_reported", "contested_since", "last_activity"})

# The contested report and the per-claim export: a claim with both sides named.
CONTESTED = View(
    name="contested",
    flat=(
        ("claim_id", lambda r: r.claim_id), ("topic", lambda r: r.topic),
        ("slug", lambda r: r.slug), ("claim", lambda r: r.text), ("status", lambda r: r.status),
        ("asserted_by", lambda r: _joined(position_label(p) for p in r.support)),
        ("denied_or_countered_by", lambda r: _joined(position_label(p) for p in r.oppose)),
        ("sides", _sides_text), ("first_reported", lambda r: r.first_reported),
        ("contested_since", lambda r: r.contested_since),
        ("last_activity", lambda r: r.last_activity), ("sources", _sources_text),
        ("quotes", _quotes_text), ("verdict", verdict_text),
        ("history", lambda r: "; ".join(period_text(p) for p in r.periods)),
    ),
    table=(
        Column("id", lambda r, w: r.claim_id),
        Column("claim", _claim_cell, width=4),
        Column("asserted by", lambda r, w: _positions_cell(r.support, w), width=3),
        Column("denied /\ncountered by", lambda r, w: _positions_cell(r.oppose, w), width=3),
        Column("contested since\nlast activity", _times_cell),
    ),
    record=contested_record,
    empty="No contested claims.",
    times=CLAIM_TIMES,
)  # fmt: skip
CLAIM_EXPORT = replace(CONTESTED, name="claims", empty="No claims match.")
# The export's sheet of contested claims: ``report.export_rows``'s cells, without ``ENDED``.
CONTESTED_SHEET = CONTESTED
# ``report contested``: with a resolved claim's last contested period (``ENDED``), which the
# table shows in its "contested since" column.
CONTESTED = replace(CONTESTED, flat=(*CONTESTED.flat, *ENDED),
                    times=CLAIM_TIMES | {"contested_from", "contested_until"})  # fmt: skip

# Claims with their status and the size of each side: `report claims`, `claim list`.
CLAIMS = View(
    name="claims",
    flat=(
        ("id", lambda r: r.claim_id), ("slug", lambda r: r.slug), ("topic", lambda r: r.topic),
        ("status", lambda r: r.status), ("claim", lambda r: r.text),
        ("for", lambda r: r.supporters), ("against", lambda r: r.opponents),
        ("last_activity", lambda r: r.last_activity), ("verdict", verdict_text),
    ),
    table=(
        Column("id", lambda r, w: r.claim_id), Column("status", lambda r, w: r.status),
        Column("claim", _claim_with_verdict, width=1),
        Column("for", lambda r, w: r.supporters), Column("against", lambda r, w: r.opponents),
        Column("topic", lambda r, w: r.topic),
    ),
    empty="No claims match.",
    times=frozenset({"last_activity"}),
)  # fmt: skip


def _claims_record(row: ClaimRow) -> dict:
    """A row of ``claim list`` / ``report claims`` in JSON: the claim's id is ``claim_id``,
    as in every JSON output; ``id`` is kept for the scripts that read it (docs/json.md)."""
    record = dict(zip(CLAIMS.text_headers, CLAIMS.text_row(row, for_json=True), strict=True))
    return {"claim_id": row.claim_id, **record}


CLAIMS = replace(CLAIMS, record=_claims_record)

STANCES = View(
    name="stances",
    flat=(
        ("topic", lambda s: s.topic), ("claim_ref", lambda s: s.claim_ref),
        ("claim", lambda s: s.claim), ("claim_lang", lambda s: s.claim_lang),
        ("contradicts", lambda s: s.contradicts), ("same_as", lambda s: s.same_as),
        ("party", lambda s: s.party), ("party_kind", lambda s: s.party_kind),
        ("party_aliases", lambda s: json.dumps(list(s.party_aliases), ensure_ascii=False)
         if s.party_aliases else ""),
        ("party_for", lambda s: s.party_for), ("stance", lambda s: s.kind),
        ("quote", lambda s: s.quote), ("quote_lang", lambda s: s.quote_lang),
        ("via", lambda s: s.via), ("source_title", lambda s: s.source_title),
        ("source_outlet", lambda s: s.source_outlet), ("source_url", lambda s: s.source_url),
        ("source_lang", lambda s: s.source_lang),
        ("source_published", lambda s: s.source_published.isoformat()
         if s.source_published else None),
        ("source_tz", lambda s: s.source_published.zone if s.source_published else None),
        ("said_at", lambda s: s.said.isoformat()), ("said_tz", lambda s: s.said.zone),
        ("recorded_at", lambda s: s.recorded_at), ("recorded_by", lambda s: s.recorded_by),
    ),
    table=(),
    empty="No stances match.",
)  # fmt: skip


def _attributes(*names: str) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Flat columns that are a row's attributes of the same names."""
    from operator import attrgetter

    return tuple((name, attrgetter(name)) for name in names)


_COUNTS = ("asserted", "denied", "retractions", "counter_claims", "contested", "stances")
PARTIES = View(
    name="parties",
    flat=(("party", lambda r: r.name), ("side", lambda r: r.side), ("kind", lambda r: r.kind),
          *_attributes(*_COUNTS)),
    table=(),
    empty="No party has taken a stance.",
    names=frozenset({"party", "side"}),
)  # fmt: skip
SIDES = View(
    name="sides",
    flat=(("side", lambda r: r.name), *_attributes("parties", *_COUNTS)),
    table=(),
    empty="No party has taken a stance.",
    names=frozenset({"side"}),
)  # fmt: skip


def _party_name_cell(row, width: int) -> str:
    """A party's name, and under it, indented, who it is (its description): as seven
    columns side by side ``party list`` needed 90 columns for its words and was printed
    a row at a time at 80, a party a screen."""
    party = row[0]
    name = fit(visible_name(party.name), width)
    if not party.description:
        return name
    indent = 2 if width - 2 >= _word_width(party.description) else 0  # no word cut for it
    lines = fit(party.description, width - indent).split("\n")
    return "\n".join([name, *(" " * indent + line for line in lines)])


def _party_side_cell(row, width: int) -> str:
    """The party's side, and "(for ...)" the party it acts for directly (``party add
    --for``) when that is not its side."""
    party, side = row
    text = visible_name(side)
    if party.acts_for and party.acts_for != side:
        text += f" (for {visible_name(party.acts_for)})"
    return fit(text, width)


# ``party list``: each row a (``listings.PartyRow``, its side) pair. ``acts_for`` is the
# party it acts for directly, ``side`` the top of that chain, as everywhere (docs/json.md).
# The table puts the description under the name and ``acts_for`` beside the side.
PARTY_LIST = View(
    name="parties",
    flat=(("id", lambda r: r[0].id), ("name", lambda r: r[0].name),
          ("kind", lambda r: r[0].kind), ("acts_for", lambda r: r[0].acts_for),
          ("side", lambda r: r[1]), ("aliases", lambda r: r[0].aliases),
          ("description", lambda r: r[0].description)),
    table=(
        Column("id", lambda r, w: r[0].id),
        Column("name", _party_name_cell, width=3),
        Column("kind", lambda r, w: r[0].kind),
        Column("side", _party_side_cell, width=2),
        Column("aliases", lambda r, w: fit(", ".join(map(visible_name, r[0].aliases)), w),
               width=2),
    ),
    empty="No parties yet.",
    names=frozenset({"name", "acts_for", "side", "aliases"}),
)  # fmt: skip
SOURCES = View(
    name="sources",
    flat=_attributes("id", "title", "outlet", "url", "lang", "published"),
    table=(),
    empty="No sources yet.",
    times=frozenset({"published"}),
    names=frozenset({"outlet"}),
)  # fmt: skip
EVENTS = View(
    name="log",
    flat=_attributes("id", "at", "editor", "action", "detail"),
    table=(),
    empty="Nothing written yet.",
)  # fmt: skip
VERDICTS = View(
    name="verdicts",
    flat=(("rating", lambda v: v.verdict.rating), ("label", lambda v: v.verdict.label),
          ("summary", lambda v: v.verdict.summary), ("url", lambda v: v.verdict.url),
          ("publisher", lambda v: v.verdict.publisher),
          ("by", lambda v: v.verdict.by), ("at", lambda v: v.verdict.at),
          ("value", lambda v: v.rating_value), ("best", lambda v: v.best_rating),
          ("worst", lambda v: v.worst_rating)),
    table=(),
    empty="No verdict yet.",
    times=frozenset({"at"}),
)  # fmt: skip


def timeline_view(claim_id: int) -> View:
    """A claim's timeline, as ``claim show`` prints it: the stances that count, in said
    order, then those the desk voided, each marked with when, by whom and why."""
    return View(
        name="timeline",
        flat=(),
        table=(
            Column("said", lambda t, w: fit(str(t.said), w)),
            Column("party", lambda t, w: fit(visible_name(t.party), w), width=2),
            Column("stance", lambda t, w: fit(stance_cell(t, claim_id), w), width=2),
            Column("quote", lambda t, w: fit(t.quote or "", w), width=4),
            Column("via", lambda t, w: fit(visible_name(t.via or ""), w), width=1),
            Column("source", lambda t, w: fit(t.source or "", w), width=2),
            Column(
                "recorded",
                lambda t, w: fit(recorded_text(t.recorded_at, t.recorded_by), w),
                width=1,
            ),
        ),
        record=lambda t: voided_record(t) if t.void_at is not None else timeline_record(t),
    )


PARTY_STANCES = View(
    name="stances",
    flat=(),
    table=(
        Column("said", lambda s, w: fit(str(s.said), w), width=1),
        Column("stance", lambda s, w: s.kind),
        Column("by", lambda s, w: fit(visible_name(s.by), w), width=1),
        Column("id", lambda s, w: s.claim_id),
        Column("claim", lambda s, w: fit(s.claim, w), width=3),
        Column("quote", lambda s, w: fit(s.quote or "", w), width=2),
    ),
)  # fmt: skip


# -- tables ------------------------------------------------------------------------------


def terminal_width() -> int:
    """``COLUMNS`` when set, else the terminal's width, else 100."""
    return shutil.get_terminal_size((100, 24)).columns


def heading(text: str, indent: int = 0, hang: int = 4) -> str:
    """A line of ``claim show``'s heading ("  contradicted by #4: ...") wrapped to the
    terminal at blanks, ``indent`` columns in and each following line ``hang`` more, so
    that no line is wider than the terminal and no word is cut (but one wider than a
    whole line)."""
    pad, more = " " * indent, " " * (indent + hang)
    width = max(terminal_width(), indent + hang + 20)
    if len(text) <= SHORT * 10 and "\n" not in text and "\r" not in text:
        from wcwidth import wrap

        lines = wrap(visible(text), width, initial_indent=pad, subsequent_indent=more)
        if BIDI.search(text):  # an override wrapped onto two lines: each closed at its end
            lines = [bidi_closed(line) for line in lines]
        return "\n".join(lines)
    # A long text (wcwidth's wrap is slow on a long word: ``_wrap``), or one of many lines.
    first, *rest = fit(text, width - indent - hang).split("\n")
    return "\n".join([pad + first, *(more + line for line in rest)])


# wcwidth's wrap takes time quadratic in a word's length (a 100,000-character word without
# a blank, which Chinese text is: 8 s), so a long paragraph is wrapped a piece of about
# WRAP_LINES lines at a time (see _wrap).
WRAP_LINES = 16


def fit(text: str, width: int, lines: int | None = None) -> str:
    """Wrap to ``width`` terminal columns (wcwidth: CJK is two wide); at most ``lines``
    lines, the last ending in an ellipsis when cut. Line breaks in the text are kept;
    control characters are shown as pictures (``visible``)."""
    if len(text) <= SHORT:
        return _fit_short(text, width, lines)
    return _fit(text, width, lines)


def fit_keeping(text: str, mark: str, width: int, lines: int) -> str:
    """``fit`` of ``text`` followed by ``mark``, in at most ``lines`` lines, but when the
    whole is too long it is the text that is cut (ending in an ellipsis), never the mark:
    the mark tells this item from the next (``[counter-claim #12]``), so two items whose
    texts begin alike never show as the same cell. The mark takes the place of one line
    of the text at most: in a narrow column, where it wraps, the cell grows instead (and
    then the whole is kept when it takes no more lines than the cut text and the mark)."""
    whole = fit(f"{text} {mark}", width)
    kept = fit(mark, width).splitlines()
    if whole.count("\n") < max(lines, lines - 1 + len(kept)):
        return whole
    return "\n".join([fit(text, width, max(lines - 1, 1)), *kept])


# A long table repeats short cells (a side, a kind, a party) row after row: each is
# wrapped once, and the cache holds at most a few MB.
SHORT = 200


@functools.lru_cache(maxsize=4096)
def _fit_short(text: str, width: int, lines: int | None) -> str:
    return _fit(text, width, lines)


def _fit(text: str, width: int, lines: int | None) -> str:
    from wcwidth import wcswidth, wrap

    width = max(width, 1)
    # At most `lines` lines of `width` columns are shown: every character shown takes a
    # column or two (four per column leaves room for zero-width marks), so the rest of a
    # longer text cannot show and need not be wrapped.
    cut = lines is not None and len(text) > lines * width * 4
    if cut:
        text = text[: lines * width * 4]
    text = visible(text)
    if len(text) <= width and "\n" not in text and "\r" not in text:
        if 0 <= wcswidth(text) <= width:
            return text  # already fits: most cells of a long table
    out: list[str] = []
    for paragraph in text.splitlines() or [""]:
        out.extend(_wrap(paragraph, width))
    if lines and len(out) > lines:
        kept = " ".join(out[lines - 1 :])
        last = wrap(kept, width, max_lines=1, placeholder="…")
        if last == ["…"]:  # the next word is wider than the line: its start, not "…" alone
            last = [_first_columns(kept, width - 1) + "…"]
        out = out[: lines - 1] + last
    elif cut:  # only zero-width characters past the cut: still say the text goes on
        out[-1] += "…"
    if BIDI.search(text):  # an override wrapped onto two lines: each closed at its end
        out = [bidi_closed(line) for line in out]
    return "\n".join(out)


def _first_columns(text: str, columns: int) -> str:
    """The start of ``text`` that fits in ``columns`` terminal columns."""
    from wcwidth import wcwidth

    used = 0
    for i, char in enumerate(text):
        used += max(wcwidth(char), 0)
        if used > columns:
            return text[:i]
    return text


def _wrap(paragraph: str, width: int) -> list[str]:
    """wcwidth's wrap of one paragraph, the same lines, a piece at a time: each piece ends
    before a blank (or inside a word longer than a line, which wrap cuts by columns), its
    last line may take more of what follows, so it goes back in front of the rest."""
    from wcwidth import wrap

    piece = width * WRAP_LINES
    out: list[str] = []
    while len(paragraph) > 2 * piece:
        cut = paragraph.rfind(" ", piece // 2, piece)
        lines = wrap(paragraph[: cut if cut > 0 else piece], width)
        if len(lines) < 2:  # zero-width characters: no progress to make this way
            break
        out.extend(lines[:-1])
        paragraph = lines[-1] + paragraph[cut if cut > 0 else piece :]
    return out + (wrap(paragraph, width) or [""])


def table_text(view: View, rows: list, *, tablefmt: str = "simple_grid") -> str:
    """Rows as a table that fits the terminal (``_widths``), headers wrapped to their
    columns (``header_lines``)."""
    import tabulate as tabulate_module

    columns = view.table or tuple(
        Column(name, lambda r, w, get=get: _table_cell(get(r), w), width=1)
        if name not in view.names
        else Column(name, lambda r, w, get=get: _table_cell(_name_cell(get(r)), w), width=1)
        for name, get in view.flat
    )
    columns = tuple(replace(c, cell=_shown(c.cell)) for c in columns)
    if tablefmt not in tabulate_module.multiline_formats:
        return _one_line_table(tabulate_module, columns, rows, tablefmt)
    widths = _widths(columns, rows)
    if widths is None:
        return records_text(columns, rows)
    kept = [w > 0 for w in widths]  # a column empty in every row may be left out
    columns = tuple(c for c, k in zip(columns, kept, strict=True) if k)
    widths = [w for w, k in zip(widths, kept, strict=True) if k]
    cells = [[c.cell(r, w) for c, w in zip(columns, widths, strict=True)] for r in rows]
    headers = [header_lines(c.header, w) for c, w in zip(columns, widths, strict=True)]
    # tabulate makes a column two wider than its header (MIN_PADDING, a module setting it
    # reads at each call): that is what made "counter_claims" take the width of the names
    # beside it. The border already pads each column; the header gets the width _widths
    # gave it, no more.
    padding, tabulate_module.MIN_PADDING = tabulate_module.MIN_PADDING, 0
    try:
        return tabulate_module.tabulate(cells, headers=headers, tablefmt=tablefmt)
    finally:
        tabulate_module.MIN_PADDING = padding


# In a table whose rows are one line each (tsv, html, latex, ...: tabulate's formats
# without multi-line cells), a cell's line breaks and tabs are shown, not obeyed.
_CELL_BREAKS = re.compile("[\t\n\r\u2028\u2029]")
WHOLE = 10**9  # a width no cell reaches: nothing wrapped


def _one_line_table(tabulate_module, columns: tuple[Column, ...], rows: list, tablefmt) -> str:
    """Rows as a table of a format whose rows are one line each (``--tablefmt tsv``, for a
    script): no cell wrapped to the terminal, none cut, a line break within one shown
    (``␊``), as a party's name shows it."""

    def one_line(value):
        if isinstance(value, str) and _CELL_BREAKS.search(value):
            return _CELL_BREAKS.sub(control_picture, value.replace("\r\n", "\n"))
        return value

    cells = [[one_line(c.cell(r, WHOLE)) for c in columns] for r in rows]
    headers = [" ".join(c.header.split()) for c in columns]
    return tabulate_module.tabulate(cells, headers=headers, tablefmt=tablefmt)


def records_text(columns: tuple[Column, ...], rows: list) -> str:
    """Rows one under another, a line each column ("header  value", the value wrapped
    under itself), a rule between rows: what a table becomes on a terminal too narrow for
    its cells' words to stand whole side by side (``claim show``'s timeline at 80
    columns cut "Російсь|ка"), as psql's expanded display is."""
    from wcwidth import wcswidth

    # a column empty in every row is left out, as tables leave it out (``_widths``)
    cells = [[c.cell(r, 10_000) for r in rows] for c in columns]
    empty = [all(x is None or x == "" for x in column) for column in cells]
    if not all(empty):
        columns = tuple(c for c, e in zip(columns, empty, strict=True) if not e)
    labels = [" ".join(c.header.split()) for c in columns]
    label = max((wcswidth(text) for text in labels), default=0)
    width = terminal_width()
    value = max(width - label - 2, WHOLE_WORD)
    out: list[str] = []
    for row in rows:
        out.append("─" * max(width - 1, 1))
        for column, text in zip(columns, labels, strict=True):
            cell = column.cell(row, value)
            lines = ("" if cell is None else str(cell)).splitlines() or [""]
            out.append(f"{text}{' ' * (label - wcswidth(text) + 2)}{lines[0]}".rstrip())
            out.extend(f"{' ' * (label + 2)}{line}".rstrip() for line in lines[1:])
    return "\n".join(out)


def _shown(cell: Callable) -> Callable:
    """A column's cell with any text made ``visible``: the one gate to the terminal."""

    def shown_cell(row, width):
        value = cell(row, width)
        return visible(value) if isinstance(value, str) else value

    return shown_cell


def _name_cell(value: Any) -> Any:
    """A name (or names) as one line each: ``visible_name``."""
    if isinstance(value, str):
        return visible_name(value)
    if isinstance(value, tuple):
        return tuple(visible_name(v) for v in value)
    return value


def _table_cell(value: Any, width: int) -> Any:
    """A flat column's cell: text wrapped whole, never cut short (a title, an address, a
    verdict's summary: an address copied from a table must work), a number as it is."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        value = ", ".join(value)
    if isinstance(value, str):
        return fit(value, width)
    if isinstance(value, int):
        return value
    # a said time as claim tables print it (2022-09-27 (+02:00)); an instant the desk
    # recorded (the log's) as in JSON, to the second, with a blank for the "T" as in
    # every other table (2026-11-28 17:52:18Z)
    if isinstance(value, When):
        return fit(str(value), width)
    if hasattr(value, "isoformat"):
        return fit(iso(value).replace("T", " ", 1), width)
    return fit(str(value), width)


# A column is kept as wide as its longest word up to this many columns; a longer word (an
# address, a Latin run without a blank) is cut by columns. Chinese and Japanese text,
# which has no blanks, breaks between any two of its characters and needs no such width.
WHOLE_WORD = 20

# A word is what lies between blanks: wcwidth's wrap may also break after a hyphen, but a
# hyphenated name ("Al-Ahli") or mark ("[counter-claim #2]") reads best whole, and a
# column as wide as the whole word never breaks it. A header may break after an
# underscore ("counter_|claims"), or before one where that is narrower ("counter|_claims").
_BREAKS = re.compile(r"\s+")
_HEADER_PIECE = re.compile(r"[^\s_]*_+|[^\s_]+")
_HEADER_PIECE_BEFORE = re.compile(r"_*[^\s_]+|_+")


def _word_width(text: str) -> int:
    """The widest piece of ``text`` that wrapping keeps on one line: a word, where each
    wide (CJK) character is a piece of its own, two columns."""
    from wcwidth import wcswidth, wcwidth

    widest = 0
    for word in _BREAKS.split(text):
        if word.isascii():
            widest = max(widest, len(word))
            continue
        if not any(wcwidth(ch) == 2 for ch in word):
            widest = max(widest, wcswidth(word))
            continue
        run = 0
        for ch in word:
            w = wcwidth(ch)
            if w == 2:
                widest, run = max(widest, run, 2), 0
            else:
                run += max(w, 0)
        widest = max(widest, run)
    return widest


def header_lines(header: str, width: int) -> str:
    """A header wrapped to ``width`` columns: its own lines kept, each broken at blanks
    and after underscores ("counter_" over "claims"), or before them where that takes
    fewer lines ("counter" over "_claims"); a word wider than the column hyphenated where
    a dictionary would (``HYPHENS``: "retrac-" over "tions", never "retra-" over
    "ctions"). Every character is kept."""
    from wcwidth import wcswidth

    def broken(pieces: re.Pattern) -> list[str]:
        out = []
        for line in _header_wrap(header, width, pieces):  # a piece wider: hyphenated
            out.extend(_hyphenated(line, width) if wcswidth(line) > width else [line])
        return out

    after, before = broken(_HEADER_PIECE), broken(_HEADER_PIECE_BEFORE)
    return "\n".join(before if len(before) < len(after) else after)


# Where each word of a table's headers may be hyphenated, as a dictionary hyphenates it
# (TeX's US English patterns, a letter alone never left at either end); a word written
# without "-" is never broken. Every header's word longer than ``HEADER_MIN`` is here
# (test_show checks): a word not here would be cut by columns ("retra-" over "ctions").
HYPHENS = {
    word.replace("-", ""): tuple(word.split("-"))
    for word in (
        "ac-tion", "ac-tiv-i-ty", "against", "alias-es", "as-sert-ed", "change", "claims",
        "con-test-ed", "con-tra-dicts", "coun-ter", "coun-tered", "de-nied",
        "de-scrip-tion", "de-tail", "ed-i-tor", "out-let", "par-ties", "pub-lished",
        "pub-lish-er", "rat-ing", "re-cord-ed", "re-trac-tions", "source", "stance",
        "stances", "sta-tus", "sum-ma-ry",
    )
}  # fmt: skip


def _syllables(piece: str) -> list[str] | None:
    """A header's piece ("counter_", "_claims") in the parts it may be hyphenated
    between, its underscores kept on its first and last; None for a word not in
    ``HYPHENS``."""
    core = piece.strip("_")
    parts = HYPHENS.get(core.lower())
    if not core or parts is None:
        return None
    lead, trail = piece[: piece.index(core)], piece[piece.index(core) + len(core) :]
    out, at = [], 0
    for part in parts:  # the word's own letters, in its own case
        out.append(core[at : at + len(part)])
        at += len(part)
    out[0], out[-1] = lead + out[0], out[-1] + trail
    return out


def _hyphenated(word: str, width: int) -> list[str]:
    """A header's word wider than its column, broken where ``HYPHENS`` allows, as many
    parts a line as fit, each broken line ending in "-" ("retrac-" over "tions"); a part
    still wider than the column, or a word not in ``HYPHENS``, is broken by columns
    ("asser-" over "ted"), so that no piece reads as a word of its own; a column under 3
    wide is only cut."""
    if width < 3 or not word.isascii():
        return _wrap(word, width)
    parts = _syllables(word)
    if parts is None:
        return _cut(word, width)
    out, line = [], ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if not line or len(line + part) + (0 if last else 1) <= width:
            line += part
            continue
        out.append(line + "-")
        line = part
    out.append(line)
    # a part wider than the column (one too narrow for HYPHENS: its lines count no more)
    return [piece for line in out for piece in _cut(line, width)]


def _cut(word: str, width: int) -> list[str]:
    """A word broken by columns, each broken line ending in "-"."""
    out = []
    while len(word) > width:
        out.append(word[: width - 1] + "-")
        word = word[width - 1 :]
    return [*out, word]


def _header_wrap(header: str, width: int, pieces: re.Pattern) -> list[str]:
    from wcwidth import wcswidth

    out: list[str] = []
    for given in header.split("\n"):
        line = ""
        for match in pieces.finditer(given):
            piece = match.group()
            glue = " " if line and given[match.start() - 1 : match.start()].isspace() else ""
            if not line or wcswidth(line + glue + piece) <= width:
                line += glue + piece
                continue
            out.append(line)
            line = piece
        out.append(line)
    return out


def _header_word(header: str) -> int:
    """The width a header needs to keep each word whole (``header_lines``)."""
    from wcwidth import wcswidth

    return min(max(map(wcswidth, p.findall(header)), default=0)
               for p in (_HEADER_PIECE, _HEADER_PIECE_BEFORE))  # fmt: skip


def _header_least(header: str) -> int:
    """The width a header needs with its words hyphenated where ``HYPHENS`` allows
    ("re-", "trac-", "tions": 5), a word of ``HEADER_MIN`` columns or fewer whole."""
    from wcwidth import wcswidth

    def least(piece: str) -> int:
        parts = _syllables(piece) if piece.isascii() else None
        if parts is None:
            return min(wcswidth(piece), HEADER_MIN)
        return max(len(part) + (i < len(parts) - 1) for i, part in enumerate(parts))

    return min(max(map(least, p.findall(header)), default=0)
               for p in (_HEADER_PIECE, _HEADER_PIECE_BEFORE))  # fmt: skip


# A header's word may be broken (hyphenated: "retrac-" over "tions") to let the cells'
# words stand whole, but only where ``HYPHENS`` allows, and a word not there into no piece
# narrower than this: a table whose headers would read "as/se/rt/ed" (report parties at
# 80 columns) is shown a row at a time instead.
HEADER_MIN = 5


def _widths(columns: tuple[Column, ...], rows: list) -> list[int] | None:
    """Each column's width, the table within the terminal, in order of what matters most
    (None when the terminal is too narrow for steps 1 to 3: ``records_text`` then); 0
    for a column left out (step 7):

    1. what cannot wrap: a number, a cell that ignores its width, a character of a text;
    2. every word of the cells whole (up to ``WHOLE_WORD`` columns): "Netanyahu" is never
       cut while another column has width to give;
    3. every word of the headers whole ("counter_" over "claims"); when they cannot all
       be, each header gets as much as the others, and a word wider than its column is
       hyphenated where ``HYPHENS`` allows ("retrac-" over "tions"; a word not there in
       pieces of at least ``HEADER_MIN`` columns);
    4. fixed columns (``Column.width`` 0: ids, times) on one line;
    5. the flexible columns, by weight, as wide as their lines (fewer lines a cell);
    6. the headers on as few lines as they were written;
    7. a column empty in every row, its header's words whole, if there is width left
       for it; else it is left out of the table (``verdict show``'s value, best and
       worst kept the width its summary needed).

    Each step takes only what the terminal has left, the narrowest gaps closed first
    (but step 3's); so
    a word is cut only when it alone is wider than what is left for its column. Only
    what cannot wrap (step 1) can make a table wider than the terminal.
    """
    from wcwidth import wcswidth

    def widest(texts) -> int:
        return max((wcswidth(line) for t in texts for line in str(t).splitlines()), default=0)

    unwrapped = [[c.cell(r, 10_000) for r in rows] for c in columns]
    empty = [all(cell is None or cell == "" for cell in cells) for cells in unwrapped]
    if all(empty):
        empty = [False] * len(columns)
    natural = [
        max(widest(cells), widest(c.header.split("\n")))
        for c, cells in zip(columns, unwrapped, strict=True)
    ]
    floor, words, heads, flexible = [], [], [], {}
    for i, (c, cells) in enumerate(zip(columns, unwrapped, strict=True)):
        if empty[i]:  # no width until every other column has its own (step 7)
            floor.append(0), words.append(0), heads.append(0)
            continue
        texts = [t for t in cells if isinstance(t, str)]
        word = max((_word_width(t) for t in texts), default=0)
        if c.width:  # a flexible column's text wraps (``fit``); a number does not
            hard = widest(t for t in cells if not isinstance(t, str))
            hard = max(hard, min(word, 2))
        else:  # a fixed column's cells may ignore the width they are given: measure
            hard = widest(c.cell(r, 1) for r in rows)
        floor.append(max(hard, 1))
        words.append(max(floor[i], min(word, WHOLE_WORD)))
        heads.append(max(words[i], _header_word(c.header)))
        if texts and c.width:
            flexible[i] = c.width
    widths = list(floor)
    shown = len(columns) - sum(empty)
    free = terminal_width() - BORDER * shown - 1 - sum(floor)
    if sum(words) - sum(floor) > free:  # a word of a cell would be cut: no table
        return None
    free = _grow(widths, words, free)
    legible = [min(h, max(w, _header_least(c.header)))
               for c, h, w in zip(columns, heads, widths, strict=True)]  # fmt: skip
    if sum(legible) - sum(widths) > free:  # headers in pieces of a letter or two
        return None
    free = _grow(widths, legible, free)  # every header hyphenated where HYPHENS allows
    free = _level(widths, heads, free)
    free = _grow(
        widths,
        [n if not c.width else w for c, n, w in zip(columns, natural, widths, strict=True)],
        free,
    )
    free = _share(widths, flexible, natural, free)
    free = _grow(widths, [0 if e else n for e, n in zip(empty, natural, strict=True)], free)
    for i in (i for i, e in enumerate(empty) if e):
        need = _header_word(columns[i].header)
        if need + BORDER <= free:
            widths[i] = need
            free -= need + BORDER
    return widths


def _grow(widths: list[int], need: list[int], free: int) -> int:
    """Widen each column towards ``need`` as far as ``free`` goes, the narrowest gaps
    first (so the most columns are made whole); returns what is left of ``free``."""
    for i in sorted(range(len(widths)), key=lambda i: need[i] - widths[i]):
        taken = min(max(free, 0), need[i] - widths[i])
        if taken > 0:
            widths[i] += taken
            free -= taken
    return free


def _level(widths: list[int], need: list[int], free: int) -> int:
    """Widen the columns towards ``need`` evenly: all up to the same width as far as
    ``free`` goes (what is left then closes the narrowest gaps); returns what is left."""

    def cost(level: int) -> int:
        return sum(max(0, min(n, level) - w) for n, w in zip(need, widths, strict=True))

    level = 0
    while level < max(need, default=0) and cost(level + 1) <= free:
        level += 1
    for i, n in enumerate(need):
        taken = max(0, min(n, level) - widths[i])
        widths[i] += taken
        free -= taken
    return _grow(widths, need, free)


def _share(widths: list[int], flexible: dict[int, int], natural: list[int], free: int) -> int:
    """Share ``free`` among the flexible columns by weight, none beyond its natural width
    nor below the width it has; returns what is left."""
    active = {i for i in flexible if widths[i] < natural[i]}
    while active and free > 0:
        pool = free + sum(widths[i] for i in active)
        weights = sum(flexible[i] for i in active)
        target = {i: pool * flexible[i] // weights for i in active}
        settled = {i for i in active if not widths[i] < target[i] < natural[i]}
        if not settled:
            for i in sorted(active):
                free -= target[i] - widths[i]
                widths[i] = target[i]
            break
        for i in settled:
            if target[i] >= natural[i]:
                free -= natural[i] - widths[i]
                widths[i] = natural[i]
            active.discard(i)
    return free


# -- streams -----------------------------------------------------------------------------


def write_json(view: View, rows: Iterable, out: IO[str]) -> int:
    """A JSON array, written as the rows come: large results never sit in memory."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        text = json.dumps(view.json_record(row), ensure_ascii=False, indent=2)
        out.write("  " + text.replace("\n", "\n  "))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_csv(view: View, rows: Iterable, out: IO[str], *, bom=True, raw=False,
              progress=None) -> int:  # fmt: skip
    cells = ([_flat_text(value) for value in view.text_row(row)] for row in rows)
    return write_csv_cells(view.text_headers, cells, out, bom=bom, raw=raw, progress=progress)


def write_csv_cells(headers, rows: Iterable, out: IO[str], *, bom=True, raw=False,
                    progress=None) -> int:  # fmt: skip
    """CSV of rows already made cells (``report.export_rows``): returns the rows written."""
    from claimtrack.spreadsheet import CsvWriter

    writer = CsvWriter(out, bom=bom, raw=raw)
    writer.row(headers)
    count = 0
    for cells in rows:
        writer.row(cells)
        count += 1
        if progress:
            progress(1)
    return count


def _flat_text(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return "; ".join(value)
    return value


def flat_cells(view: View, rows: Iterable) -> Iterator[list]:
    """Each row as the cells of ``view.headers`` (what ``write_xlsx`` takes): a list in a
    cell joined with "; ", a time still a ``When``."""
    return ([_flat_text(v) for v in view.flat_row(r)] for r in rows)


def write_xlsx(sheets: Iterable[tuple[str, View, Iterable[list]]], out, *, progress=None,
               warn: Callable[[str], None] | None = None,
               skip_long: bool = False) -> int:  # fmt: skip
    """A workbook with one sheet per (title, view, cells); returns the rows written.
    ``cells`` are rows of ``view.headers`` (``flat_cells``, or ``report.export_rows``
    with ``whens``). ``warn`` gets the one line naming rows whose control characters
    became pictures, and (``skip_long``) the one naming the rows left out because a
    text in them is longer than a cell holds."""
    from claimtrack.spreadsheet import XlsxBook

    book = XlsxBook(skip_long=skip_long)
    count = 0
    for title, view, cells in sheets:
        flat = (_counted(row, progress) for row in cells)
        count += book.sheet(title, view.headers, view.times, flat)
    book.save(out)
    for note in (book.pictured_note(), book.skipped_note()):
        if note and warn:
            warn(note)
    return count


def _counted(value, progress):
    if progress:
        progress(1)
    return value


def html_page(rows: list[ClaimRow], *, title: str, made: str, pictures: tuple = (),
              strips: dict | None = None) -> str:  # fmt: skip
    """The contested claims as one self-contained page (no script, no fetch); with
    ``pictures`` (``graph.Picture``), a graph per topic drawn as inline SVG, and with
    ``strips`` (claim id -> ``graph.Strip``), each claim's status periods along a bar."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from claimtrack import __version__
    from claimtrack.graph import RADIUS, STRIP_WIDTH

    env = Environment(
        loader=PackageLoader("claimtrack", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["shown"] = shown
    template = env.get_template("contested.html")
    return template.render(
        claims=rows,
        title=title,
        made=made,
        version=__version__,
        plain=PLAIN,
        timeline_label=timeline_label,
        counter_mark=counter_mark,
        period_text=period_text,
        pictures=pictures,
        strips=strips or {},
        radius=RADIUS,
        strip_width=STRIP_WIDTH,
    )


def first_reported_note(row: ClaimRow) -> str | None:
    """``claim show``'s line under the history where the first reported stance is not for
    the claim and a stance for it may have been said before that one (a day-only
    assertion beside a timed denial: ``ClaimRow.reported_before_first``), else None."""
    earlier = row.reported_before_first()
    if earlier is None:
        return None
    first = row.own_stances()[0]
    return (f"first reported: {first.party_name} {first.kind}, {first.said}; but "
            f"{earlier.party_name} {earlier.kind}, {earlier.said}, may have been said "
            "before it (the timeline goes by when what was said was over)")  # fmt: skip


def _first_reported_record(row: ClaimRow) -> dict | None:
    """``first_reported_note`` in JSON: the two stances (in ``timeline``) and the line."""
    earlier = row.reported_before_first()
    if earlier is None:
        return None
    return {"first_reported_stance_id": row.own_stances()[0].stance_id,
            "stance_id": earlier.stance_id, "note": first_reported_note(row)}  # fmt: skip


def link_relation(x) -> str:
    """How a linked claim stands to this one, as ``claim show`` heads it: "contradicts"
    (this one is its counter-claim), "contradicted by" (it is this one's), "same as"."""
    relations = {("contradicts", "from"): "contradicts", ("contradicts", "to"): "contradicted by"}
    return relations.get((x.kind, x.direction), "same as")


def detail_record(d) -> dict:
    """``claim show --format json``: the claim, its sides, its links and its timeline."""
    r = d.row
    return {
        "claim_id": r.claim_id, "id": r.claim_id, "slug": r.slug, "topic": r.topic,
        "claim": r.text, "status": r.status,
        # with their zones, as every said time: "2023-06-23" alone could be anyone's day
        "as_of": iso(d.as_of), "as_of_tz": d.as_of.zone if d.as_of else None,
        "known_at": iso(d.known_at), "known_at_tz": d.known_at.zone if d.known_at else None,
        "links": [{"kind": x.kind, "direction": x.direction, "relation": link_relation(x),
                   "claim_id": x.claim_id, "claim": x.text, "merged_into": x.merged_into}
                  for x in d.links],
        "asserted_by": [_position_record(p) for p in r.support],
        "denied_or_countered_by": [_position_record(p) for p in r.oppose],
        "verdict": verdict_record(r),
        "timeline": [timeline_record(t) for t in r.timeline],
        "voided": [voided_record(t) for t in d.voided],
        "periods": [period_record(p) for p in r.periods],
        "may_precede_first_reported": _first_reported_record(r),
    }  # fmt: skip


DETAIL = View(name="claim", flat=(), table=(), record=detail_record)


def party_record(d) -> dict:
    """``party show --format json``: the party, its names, whom it acts for and its side,
    its stances (each stance's speaker as ``party`` with its ``side``, as in timelines, and
    as ``by``)."""
    p = d.party
    return {
        "id": p.id, "name": p.name, "kind": p.kind, "acts_for": p.acts_for, "side": d.side,
        "aliases": list(p.aliases), "description": p.description,
        "stances": [{"stance_id": s.stance_id, "claim_id": s.claim_id, "claim": s.claim,
                     "kind": s.kind, "party": s.by, "side": s.side, "by": s.by, "quote": s.quote,
                     "said_at": iso(s.said), "said_tz": s.said.zone}
                    for s in d.stances],
    }  # fmt: skip


PARTY_DETAIL = View(name="party", flat=(), table=(), record=party_record)


def _change_detail(c, width: int) -> str:
    """A change's detail whole, but a new stance's quote: at most 3 lines of it, the cut
    marked "…" ("Matthew Miller denies: “...”" lost the quote and kept only "denies:")."""
    if not c.quote:
        return fit(c.detail, width)
    head = c.detail.removesuffix(f": “{c.quote}”")
    return "\n".join([fit(head + ":", width), fit(f"“{c.quote}”", width, 3)])


CHANGES = View(
    name="changes",
    flat=(("at", lambda c: c.at), ("change", lambda c: c.change),
          ("claim_id", lambda c: c.claim_id), ("claim", lambda c: c.claim),
          ("detail", lambda c: c.detail)),
    table=(
        # "when" and "change" wrap at their spaces ("2018-09-05" over "12:00+01:00"), so
        # that at 80 columns the claim and the detail are not squeezed to a word a line.
        Column("when", lambda c, w: fit(str(c.at), w), width=1),
        Column("change", lambda c, w: fit(c.change, w), width=1),
        Column("id", lambda c, w: c.claim_id),
        Column("claim", lambda c, w: fit(c.claim, w), width=3),
        Column("detail", _change_detail, width=3),
    ),
    empty="Nothing changed.",
    times=frozenset({"at"}),
)  # fmt: skip
