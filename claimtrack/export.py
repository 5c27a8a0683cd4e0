"""CSV export for the desk: per claim (what editors read) and per stance (the interchange
format that ``claimtrack import csv`` reads back).

Rows stream from the database: the export holds one claim's rows at a time, whatever
the size of the database. Cells that a spreadsheet would run as a formula are written
as text by default (OWASP's CSV-injection guidance); see ``neutralise``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from claimtrack import rule
from claimtrack.models import Claim, ClaimLink, Party, PartyAlias, Source, Stance
from claimtrack.report import Filters
from claimtrack.times import When

CLAIM_COLUMNS = (
    "claim_id", "topic", "slug", "claim", "status", "asserted_by", "denied_or_countered_by",
    "sides", "first_reported", "contested_since", "last_activity", "sources", "quotes",
    "verdict",
)  # fmt: skip
STANCE_COLUMNS = (
    "topic", "claim_ref", "claim", "claim_lang", "contradicts", "same_as",
    "party", "party_kind", "party_aliases", "party_for",
    "stance", "quote", "quote_lang", "via",
    "source_title", "source_outlet", "source_url", "source_lang", "source_published",
    "source_tz", "said_at", "said_tz", "recorded_at", "recorded_by",
)  # fmt: skip

# A spreadsheet runs a cell starting with these as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"
_MARKED = frozenset((*FORMULA_STARTS, TEXT_MARK))
BATCH = 2000


def neutralise(value: str) -> str:
    """Make a cell show as text in a spreadsheet, reversibly (see ``restore``).

    A cell starting with a formula character, or with the text mark itself, gets the
    text mark (an apostrophe) in front; so does a run of more than 15 digits, which a
    spreadsheet would otherwise round to a float (an 18-digit tweet id to 5.5E+17).
    """
    if not value:
        return value
    if value[0] in _MARKED or (len(value) > 15 and value.isdigit() and value.isascii()):
        return TEXT_MARK + value
    return value


def restore(value: str) -> str:
    """The inverse of ``neutralise``."""
    return value[1:] if value.startswith(TEXT_MARK) else value


class Writer:
    """csv.writer with the desk's defaults: BOM, CRLF, formulas neutralised."""

    def __init__(self, out: IO[str], *, bom: bool = True, raw: bool = False) -> None:
        if bom:
            out.write("\ufeff")
        self._writer = csv.writer(out, lineterminator="\r\n")
        self._raw = raw

    def row(self, values: Iterable) -> None:
        cells = ("" if v is None else str(v) for v in values)
        self._writer.writerow(cells if self._raw else (neutralise(c) for c in cells))


def _stream(session: Session, query, params: dict) -> Iterator:
    return iter(session.execute(query.execution_options(yield_per=BATCH), params))


def _grouped(rows: Iterator, claim_id: int, pending: list) -> list:
    """Rows of ``claim_id`` from an iterator ordered by claim id (one row look-ahead)."""
    found = []
    while True:
        if not pending:
            nxt = next(rows, None)
            if nxt is None:
                return found
            pending.append(nxt)
        if pending[0].claim_id < claim_id:
            pending.pop()
        elif pending[0].claim_id == claim_id:
            found.append(pending.pop())
        else:
            return found


class _Parties:
    """Every party's name, label, kind, aliases and side, loaded once."""

    def __init__(self, session: Session) -> None:
        from claimtrack.record import party_label, party_side

        self.by_id = {p.id: p for p in session.scalars(select(Party))}
        self.label = {pid: party_label(p) for pid, p in self.by_id.items()}
        self.side_name = {pid: party_side(p).name for pid, p in self.by_id.items()}
        aliases: dict[int, list[str]] = {}
        for party_id, alias in session.execute(
            select(PartyAlias.party_id, PartyAlias.alias).order_by(PartyAlias.id)
        ):
            aliases.setdefault(party_id, []).append(alias)
        self.aliases = aliases


def _utc_text(instant) -> str:
    return instant.strftime("%Y-%m-%d %H:%MZ") if instant else ""


def export_claims(
    session: Session, out: IO[str], filters: Filters, *, bom=True, raw=False, progress=None
) -> int:
    """One row per claim: what it says, its status, both sides, sources and quotes."""
    views = rule.views(filters.as_of is not None)
    status = views.claim_status
    claims = filters.apply(
        views.select(
            Claim.id.label("claim_id"),
            Claim.topic,
            Claim.slug,
            Claim.text,
            status.c.status,
            status.c.first_reported,
            status.c.contested_since,
            status.c.last_activity,
        )
        .join(status, status.c.claim_id == Claim.id)
        .order_by(Claim.id),
        views,
        Claim.id,
    )
    chosen = (
        filters.apply(views.select(status.c.claim_id), views, status.c.claim_id).scalar_subquery()
        if filters.narrows()
        else None
    )
    sides = views.claim_sides
    sides_q = views.select(
        sides.c.claim_id, sides.c.party_id, sides.c.side, sides.c.kind, sides.c.counter_claim_id
    )
    said = select(Stance.claim_id, Stance.party_id, Stance.quote, Source.title, Source.url)
    said = said.outerjoin(Source, Source.id == Stance.source_id)
    if filters.as_of is not None:
        said = said.where(Stance.said_at <= filters.as_of)
    if chosen is not None:
        sides_q = sides_q.where(sides.c.claim_id.in_(chosen))
        said = said.where(Stance.claim_id.in_(chosen))
    sides_q = sides_q.order_by(
        sides.c.claim_id, sides.c.side.desc(), sides.c.said_at, sides.c.party_id, sides.c.stance_id
    )
    said = said.order_by(Stance.claim_id, Stance.said_at, Stance.id)

    parties = _Parties(session)
    params = filters.params()
    side_rows, side_pending = _stream(session, sides_q, params), []
    said_rows, said_pending = _stream(session, said, params), []
    from claimtrack.models import Verdict
    from claimtrack.verdicts import latest_verdict_ids

    verdicts = (
        select(Verdict.claim_id, Verdict.label, Verdict.rating)
        .where(Verdict.id.in_(latest_verdict_ids()))
        .order_by(Verdict.claim_id)
    )
    verdict_rows, verdict_pending = _stream(session, verdicts, {}), []
    writer = Writer(out, bom=bom, raw=raw)
    writer.row(CLAIM_COLUMNS)
    count = 0
    for claim in _stream(session, claims, params):
        positions = _grouped(side_rows, claim.claim_id, side_pending)
        stances = _grouped(said_rows, claim.claim_id, said_pending)
        support = [p for p in positions if p.side == "support"]
        oppose = [p for p in positions if p.side == "oppose"]

        def labels(group):
            return "; ".join(
                parties.label[p.party_id]
                + (f" [counter-claim #{p.counter_claim_id}]" if p.counter_claim_id else "")
                for p in group
            )

        def side_names(group):
            return ", ".join(dict.fromkeys(parties.side_name[p.party_id] for p in group))

        sources = dict.fromkeys(
            f"{s.title} <{s.url}>" if s.url else s.title for s in stances if s.title
        )
        quotes = [f"{parties.by_id[s.party_id].name}: “{s.quote}”" for s in stances if s.quote]
        writer.row([
            claim.claim_id, claim.topic, claim.slug, claim.text, claim.status,
            labels(support), labels(oppose),
            f"for: {side_names(support)}; against: {side_names(oppose)}"
            if support or oppose else "",
            _utc_text(claim.first_reported), _utc_text(claim.contested_since),
            _utc_text(claim.last_activity), "; ".join(sources), "; ".join(quotes),
            "; ".join(f"{v.label} ({v.rating})"
                      for v in _grouped(verdict_rows, claim.claim_id, verdict_pending)),
        ])  # fmt: skip
        count += 1
        if progress:
            progress(1)
    return count


def export_stances(
    session: Session, out: IO[str], filters: Filters, *, bom=True, raw=False, progress=None
) -> int:
    """One row per stance, with everything ``import csv`` needs to rebuild it."""
    views = rule.views(filters.as_of is not None)
    status = views.claim_status
    via = aliased(Party)
    outlet = aliased(Party)
    query = (
        views.select(
            Stance.claim_id,
            Claim.topic,
            Claim.slug,
            Claim.text,
            Claim.language,
            Stance.party_id,
            Stance.kind,
            Stance.quote,
            Stance.quote_lang,
            via.name.label("via"),
            Source.title,
            outlet.name.label("outlet"),
            Source.url,
            Source.language.label("slang"),
            Source.published_at,
            Source.published_offset,
            Source.published_precision,
            Stance.said_at,
            Stance.said_offset,
            Stance.said_precision,
            Stance.recorded_at,
            Stance.recorded_by,
        )  # fmt: skip
        .join(Claim, Claim.id == Stance.claim_id)
        .join(status, status.c.claim_id == Claim.id)
        .outerjoin(via, via.id == Stance.via_id)
        .outerjoin(Source, Source.id == Stance.source_id)
        .outerjoin(outlet, outlet.id == Source.outlet_id)
        .order_by(Stance.claim_id, Stance.said_at, Stance.id)
    )
    query = filters.apply(query, views, Claim.id)
    if filters.as_of is not None:
        query = query.where(Stance.said_at <= filters.as_of)
    other = aliased(Claim)
    links = (
        select(ClaimLink.from_claim_id.label("claim_id"), ClaimLink.kind, other.slug, other.id)
        .join(other, other.id == ClaimLink.to_claim_id)
        .order_by(ClaimLink.from_claim_id, ClaimLink.id)
    )
    parties = _Parties(session)
    link_rows, link_pending = _stream(session, links, {}), []
    writer = Writer(out, bom=bom, raw=raw)
    writer.row(STANCE_COLUMNS)
    count = 0
    current, refs = None, ("", "")
    for s in _stream(session, query, filters.params()):
        if s.claim_id != current:
            current = s.claim_id
            linked = _grouped(link_rows, s.claim_id, link_pending)
            refs = tuple(
                ";".join(ref(r.slug, r.id) for r in linked if r.kind == kind)
                for kind in ("contradicts", "same_as")
            )
        party = parties.by_id[s.party_id]
        said = When.from_stored(s.said_at, s.said_offset, s.said_precision)
        published = (
            When.from_stored(s.published_at, s.published_offset or 0, s.published_precision)
            if s.published_at else None
        )  # fmt: skip
        recorded = s.recorded_at
        writer.row([
            s.topic, ref(s.slug, s.claim_id), s.text, s.language, refs[0], refs[1],
            party.name, party.kind,
            json.dumps(parties.aliases.get(party.id, []), ensure_ascii=False)
            if parties.aliases.get(party.id) else "",
            party.acts_for.name if party.acts_for else "",
            s.kind, s.quote, s.quote_lang, s.via, s.title, s.outlet, s.url, s.slang,
            published.isoformat() if published else "", published.zone if published else "",
            said.isoformat(), said.zone, recorded.isoformat(timespec="seconds"), s.recorded_by,
        ])  # fmt: skip
        count += 1
        if progress:
            progress(1)
    return count


def ref(slug: str | None, claim_id: int) -> str:
    """How a claim is named in an export: its slug, or its id in the exporting database."""
    return slug or str(claim_id)
