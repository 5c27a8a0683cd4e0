"""The queries behind every report, listing and export: a Selection in, typed rows out.

Every report reads the rule's relations (``claimtrack.rule``): the stored state now, or
the same bodies as CTEs ``as_of`` a time. Large results stream: claims come from the
database in batches, and each batch's sides, stances and verdicts are read with a few
queries of at most ``BATCH`` bound ids, whatever the size of the archive.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import namedtuple
from collections.abc import Iterator
from itertools import groupby
from operator import attrgetter
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, case, func, null, select, true
from sqlalchemy.orm import Session

from claimtrack import rule, schema
from claimtrack.links import (
    answered,
    chunks,
    counter_claims_of,
    ids_value,
    named_any_of,
    named_one_of,
)
from claimtrack.order import timeline_order
from claimtrack.rows import ClaimDetail, ClaimRow, LinkedClaim, Position, TimelineEntry, VerdictInfo
from claimtrack.selection import Selection
from claimtrack.times import When, said_texts, said_when, utc_instant
from claimtrack.vocabulary import WITHDRAWAL, counter_relation

if TYPE_CHECKING:
    from claimtrack.listings import (
        ChangeRow,
        EventRow,
        PartyCounts,
        PartyDetail,
        PartyRow,
        SourceRow,
        StanceRow,
        VerdictRow,
    )

BATCH = 500  # claims read from the database at a time

# Reports read the tables with Core (``claimtrack.schema``): no ORM objects, no mapping.
Claim, ClaimLink, Event = schema.claim.c, schema.claim_link.c, schema.event.c
Party, PartyAlias, Source = schema.party.c, schema.party_alias.c, schema.source.c
Stance, Verdict = schema.stance.c, schema.verdict.c


def published_when(source) -> When | None:
    if source.published_at is None:
        return None
    return When(source.published_at, source.published_offset or 0, source.published_precision)


class PartyBook:
    """Parties' names, sides and aliases, read once per report: every party, or (with
    ``lazy``) the parties a report ``load``s and those they act for."""

    def __init__(self, session: Session, *, lazy: bool = False) -> None:
        self._session = session
        self._query = select(Party.id, Party.name, Party.kind, Party.acts_for_id,
                             Party.anonymous, Party.description)  # fmt: skip
        self.by_id = {} if lazy else {r.id: r for r in session.execute(self._query)}
        self._aliases: dict[int, tuple[str, ...]] | None = None
        self._sides: dict[int, int] = {}  # a party's side, once found (chains run long)
        self._labels: dict[int, str] = {}  # a party's label, once made (every row names one)

    def load(self, party_ids) -> None:
        """Read these parties, and the parties up their affiliation chains, unless read:
        one statement, the ids bound as one parameter, the chains walked by the database
        (a recursive CTE; a chain that loops ends where it comes round)."""
        wanted = sorted({p for p in party_ids if p not in self.by_id})
        if not wanted:
            return
        query = _parties_up(self._session.get_bind().dialect.name)
        rows = self._session.execute(query, {"ids": ids_value(self._session, wanted)})
        self.by_id.update((r.id, r) for r in rows)

    def side(self, party_id: int) -> str:
        """The name of the party at the top of its affiliation chain (Vance: United States)."""
        return self.by_id[self.side_id(party_id)].name

    def side_id(self, party_id: int) -> int:
        """The id of the party at the top of its affiliation chain."""
        side = self._sides.get(party_id)
        if side is None:
            side = self._sides[party_id] = self._chain(party_id)[-1]
        return side

    def depth(self, party_id: int) -> int:
        """How many parties up its chain its side is (0: it is its own side)."""
        return len(self._chain(party_id)) - 1

    def _chain(self, party_id: int) -> list[int]:
        seen, current = [party_id], self.by_id[party_id]
        while current.acts_for_id is not None and current.acts_for_id not in seen:
            seen.append(current.acts_for_id)
            current = self.by_id[current.acts_for_id]
        return seen

    def parent(self, party_id: int) -> str | None:
        """The name of the party it acts for directly, if any."""
        parent_id = self.by_id[party_id].acts_for_id
        return self.by_id[parent_id].name if parent_id else None

    def label(self, party_id: int) -> str:
        label = self._labels.get(party_id)
        if label is None:
            from claimtrack.lookup import label_with_side

            label = label_with_side(self.by_id[party_id].name, self.side(party_id))
            self._labels[party_id] = label
        return label

    def aliases(self, party_id: int) -> tuple[str, ...]:
        if self._aliases is None:
            found: dict[int, list[str]] = {}
            query = select(PartyAlias.party_id, PartyAlias.alias).order_by(PartyAlias.id)
            for pid, alias in self._session.execute(query):
                found.setdefault(pid, []).append(alias)
            self._aliases = {pid: tuple(names) for pid, names in found.items()}
        return self._aliases.get(party_id, ())


@functools.cache  # built once per process: building it cost a report more than running it
def _parties_up(dialect: str):
    """The parties in ``:ids`` (``links.ids_value``) and those up their chains."""
    ids = named_any_of(dialect, "ids")
    up = select(ids.c.value.label("id")).cte("up", recursive=True)
    up = up.union(
        select(Party.acts_for_id).join(up, Party.id == up.c.id)
        .where(Party.acts_for_id.is_not(None))
    )  # fmt: skip
    query = select(Party.id, Party.name, Party.kind, Party.acts_for_id, Party.anonymous,
                   Party.description)  # fmt: skip
    return query.where(Party.id.in_(select(up.c.id)))


# -- claims: the contested report, the listings, the per-claim export ------------------


def claims(
    session: Session, selection: Selection, *, detail: bool = False, history: bool = False
) -> Iterator[ClaimRow]:
    """The chosen claims in the chosen order, streamed; with ``detail``, each with both
    sides named, its verdict and its timeline; with ``history`` (or the selection's
    ``include_resolved``), its status periods (``claimtrack.history``)."""
    views = selection.views()
    status = views.claim_status
    query = views.select(
        Claim.id, Claim.slug, Claim.topic, Claim.text, status.c.status, status.c.supporters,
        status.c.opponents, status.c.first_reported, status.c.contested_since,
        status.c.last_activity,
        # What every report prints as "contested since": when the contested period
        # standing began, by the stored history (an index look-up a row, in the same
        # statement rather than one more per batch).
        selection.contested_period_began(status, status.c.claim_id).label("period_began"),
    ).join(schema.claim, Claim.id == status.c.claim_id)  # fmt: skip
    query = selection.where(query, views, status.c.claim_id)
    query = selection.order(query, views, status.c.claim_id)
    book = PartyBook(session, lazy=True) if detail else None
    if not selection.limit or selection.limit > BATCH or selection.include_resolved:
        query = query.execution_options(yield_per=BATCH)
    # else a top N (the contested top 50) comes in one fetch: streamed, on PostgreSQL
    # through a server-side cursor, it cost three more round trips (declare, fetch, close).
    result = selection.execute(session, query)
    history = history or selection.include_resolved
    left = selection.limit if selection.include_resolved else None
    for part in result.partitions(BATCH):
        rows = _claim_rows(session, selection, part, book)
        if history:
            rows = _with_periods(session, selection, rows)
        for row in rows:
            if left is not None:
                if left == 0:
                    return
                left -= 1
            yield row


# -- the per-claim export: the cells, from the database -----------------------------------


def export_rows(session: Session, selection: Selection, *, whens: bool = False) -> Iterator[list]:
    """The chosen claims as the cells of ``export csv --per claim`` (``render.CLAIM_EXPORT``'s
    text headers: times as said, each followed by its offset), streamed in the report's
    order: the same cells as ``claims(..., detail=True, history=True)`` rendered, without
    building the rows. With ``whens``, each time is one cell, its ``When`` (the flat
    headers, as the XLSX export writes them: a date cell and its offset beside it).

    The rule places the parties on the sides (one statement per batch); each is labelled
    with its side and stance and joined in the rule's order (``_position_cells``), the
    parties' sides read once per export. The statement that reads the stances makes each
    one's source and quote cell and sorts them by when they were over (``_export_stances``);
    Python keeps a party's own stances in said order where it has several on a claim
    (``order.timeline_order``), writes the offsets times were said in
    (``times.said_texts``), and names the status periods (``history.period_cells``), from
    that one read per batch of claims. Every row is read as the driver hands it back
    (``schema.driver_rows``): instants as stored, made text only where written.
    """
    from claimtrack.history import period_cells

    views = selection.views()
    status = views.claim_status
    raw = schema.as_stored
    query = views.select(
        Claim.id, Claim.slug, Claim.topic, Claim.text, raw(status.c.status),
        raw(status.c.first_reported), raw(status.c.contested_since), raw(status.c.last_activity),
    ).join(schema.claim, Claim.id == status.c.claim_id)  # fmt: skip
    query = selection.where(query, views, status.c.claim_id)
    query = selection.order(query, views, status.c.claim_id)
    result = selection.execute(session, query.execution_options(yield_per=BATCH))
    left = selection.limit if selection.include_resolved else None
    # A said time's cells, made once per (instant, offset, precision) in a batch (the
    # first reported time is often the first period's beginning too).
    made: dict[tuple, tuple] = {}

    def text_cells(at, offset, precision) -> tuple:  # a time as said, and its offset
        key = at, offset, precision
        found = made.get(key)
        if found is None:
            found = made[key] = said_texts(at, offset, precision)
        return found[:2]

    def when_cell(at, offset, precision) -> tuple:  # a time as said: one cell
        return (When(utc_instant(at), offset, precision),)

    cells = when_cell if whens else text_cells

    def period_text(s) -> str:  # a time as said, as the history cell writes it
        key = s.said_at, s.said_offset, s.said_precision
        found = made.get(key)
        if found is None:
            found = made[key] = said_texts(*key)
        return found[2]

    none = (None,) if whens else (None, None)
    said: dict = {}  # instant -> the stance said then (the last recorded), in a batch

    def said_cells(claim_id, at) -> tuple:  # a claim's first or last time as said
        if at is None:
            return none
        s = said.get(at)
        if s is None:
            return cells(at, 0, "second")
        if s.claim_id != claim_id:  # said then on a counter-claim: its own first (_said_when)
            s = _said_on(grouped.get(claim_id, ()), at) or s
        return cells(s.said_at, s.said_offset, s.said_precision)

    parties: dict[int, tuple[str, str, str]] = {}  # party id -> name, side's name, label
    resolved_too = selection.include_resolved
    for part in result.partitions():
        made.clear()  # memory flat, whatever the archive
        ids = [r[0] for r in part]
        answers: dict[int, set[int]] = {}
        counters = counter_claims_of(session, ids, answers)
        scope = sorted(set(ids).union(*counters.values()))
        stances = _export_stances(session, scope, selection)
        # By claim (the statement reads them by claim), each claim's in the read order.
        grouped = {claim: list(mine) for claim, mine in groupby(stances, _CLAIM_ID)}
        ordered = sorted(stances, key=_ID)
        said.clear()
        said.update(zip(map(_SAID_AT, ordered), ordered, strict=True))
        history = period_cells(session, ids, counters, grouped, selection, period_text)
        positions = _position_cells(session, selection, ids, scope, parties, answers)
        verdicts = current_verdicts(session, ids, selection)
        for claim_id, slug, topic, text, state, first, contested, last in part:
            periods, began, ever_contested = history.get(claim_id, _NO_HISTORY)
            if resolved_too and state != "contested" and not ever_contested:
                continue
            if left is not None:
                if left == 0:
                    return
                left -= 1
            mine = grouped.get(claim_id, ())
            # In the order their said times were over (``_export_stances``); a party's
            # own stances in said order (the timeline's, whatever its counter-claims').
            if len(mine) > 1 and len({s.party_id for s in mine}) < len(mine):
                mine = timeline_order(mine)
            support, oppose, sides = positions.get(claim_id, _UNPLACED)
            verdict = verdicts.get(claim_id)
            if contested is None:
                began_cells = none
            elif began is not None:  # "contested since" as the history cell names it
                began_cells = cells(began.said_at, began.said_offset, began.said_precision)
            else:
                s = _began_stance(grouped, counters, claim_id, contested)
                began_cells = (cells(contested, 0, "second") if s is None
                               else cells(s.said_at, s.said_offset, s.said_precision))  # fmt: skip
            first_cells = said_cells(claim_id, first)
            last_cells = said_cells(claim_id, last)
            # The source and quote cells as the statement made them (``_export_stances``).
            yield [
                claim_id, topic, slug, text, state, support, oppose, sides,
                *first_cells, *began_cells, *last_cells,
                "; ".join(dict.fromkeys([s.source_cell for s in mine if s.source_cell])),
                "; ".join([s.quote_cell for s in mine if s.quote_cell]),
                str(verdict) if verdict else None,
                periods,
            ]  # fmt: skip


def _said_on(stances, at):
    """Of ``stances`` (a claim's own), the last recorded said at ``at``, or None."""
    found = None
    for s in stances:
        if s.said_at == at and (found is None or s.id > found.id):
            found = s
    return found


_UNPLACED = ("", "", "")  # a claim nobody is on a side of
_NO_HISTORY = ("", None, False)  # a claim with no stored status


_ExportStance = namedtuple(
    "_ExportStance",
    "id claim_id party_id kind source_cell quote_cell said_at said_offset "
    "said_precision said_until recorded_at",
)
_ID, _CLAIM_ID, _SAID_AT = (attrgetter(name) for name in ("id", "claim_id", "said_at"))


def _export_stances(session: Session, scope: list[int], selection: Selection) -> list:
    """The stances that count on these claims and their counter-claims, with what the
    export writes of them: its party's name, its quote and its source; by claim, each
    claim's in the order their said times were over (``order.timeline_order``'s, before
    it keeps a party's own in said order), instants as stored."""
    query = _export_stances_query(session.get_bind().dialect.name, *selection.shape())
    params = selection.bound_params()
    found = []
    make = _ExportStance._make
    for chunk in chunks(scope):  # each chunk one bound array: a short statement to parse
        result = session.execute(query, {**params, "ids": ids_value(session, chunk)})
        found.extend(map(make, schema.driver_rows(result)))
    return found


@functools.cache  # built once per process: building it each batch cost the export a tenth
def _export_stances_query(dialect: str, as_of: bool, known_at: bool):
    """``_export_stances``'s statement: the stances on the claims in ``:ids``
    (``links.ids_value``) that count as of ``:as_of``, known at ``:known_at``."""
    # The cells made here, where each stance is read: "title <url>" (the title alone
    # without an address) and 'party: “quote”'; a kind and a precision as stored text.
    # The source and the party each looked up by key for the stance that has one: as
    # joins, PostgreSQL hashed every source and party for each batch (a quarter of the
    # statement's time at 100,000 claims, and more as the sources grow).
    source_cell = (
        select(case(
            (func.coalesce(Source.title, "") == "", null()),
            (func.coalesce(Source.url, "") == "", Source.title),
            else_=Source.title + " <" + Source.url + ">",
        ))
        .where(Source.id == Stance.source_id)
        .scalar_subquery()
    )  # fmt: skip
    party_name = select(Party.name).where(Party.id == Stance.party_id).scalar_subquery()
    quote_cell = case(
        (func.coalesce(Stance.quote, "") == "", null()),
        else_=party_name + ": “" + Stance.quote + "”",
    )
    raw = schema.as_stored
    counted = Selection.of_shape(as_of, known_at).counts(Stance, bound=True)
    return (
        select(Stance.id, Stance.claim_id, Stance.party_id, raw(Stance.kind),
               source_cell.label("source_cell"),
               quote_cell.label("quote_cell"), raw(Stance.said_at), Stance.said_offset,
               raw(Stance.said_precision), raw(Stance.said_until), raw(Stance.recorded_at))
        .where(*counted, named_one_of(dialect, Stance.claim_id, "ids"))
        .order_by(Stance.claim_id, Stance.said_until, Stance.said_at, Stance.recorded_at,
                  Stance.id)
    )  # fmt: skip


def _position_cells(session: Session, selection: Selection, ids, scope, parties: dict,
                    answers: dict) -> dict:  # fmt: skip
    """claim id -> (asserted_by, denied_or_countered_by, sides): the cells of the rule's
    sides scoped to these claims, each party as ``position_label`` names it ("Tasnim
    (Iran) [confirms]", "Iran [counter-claim #8]", "United States [countered claim #1]"
    on a claim that answers #1: ``answers`` as ``counter_claims_of`` fills it), in
    ``position_order``; the sides each once, in the order their first party comes.

    One statement reads the sides as the rule places them, in that order
    (``_side_cells_query``); each party's name and the name of its side (``_party_sides``:
    read once per export, kept in ``parties``) label them here."""
    from claimtrack.vocabulary import PLAIN

    query = _side_cells_query(session.get_bind().dialect.name, *selection.shape())
    params = {**selection.params(), "ids": ids_value(session, ids),
              "scope": ids_value(session, scope)}  # fmt: skip
    rows = schema.driver_rows(session.execute(query, params))
    _party_sides(session, parties, {r[2] for r in rows})
    cells = {}
    # The rows come by claim, then side ("oppose" before "support"), each in order.
    claim = support = oppose = None
    answering: set[int] = set()  # the claims the claim in hand answers
    for claim_id, side, party_id, kind, counter in rows:
        named = parties.get(party_id)
        if named is None:  # no side found (an affiliation loop): not placed, as in SQL
            continue
        if claim_id != claim:
            if claim is not None:
                cells[claim] = _side_cells(support, oppose)
            claim, support, oppose = claim_id, None, None
            answering = answered(answers, claim_id)
        if counter is not None:
            label = f"{named[2]} [{counter_relation(counter in answering)} #{counter}]"
        elif kind in PLAIN:
            label = named[2]
        else:
            label = f"{named[2]} [{kind}]"
        if side == "support":
            if support is None:
                support = [label], [named[1]]
            else:
                support[0].append(label)
                support[1].append(named[1])
        elif oppose is None:
            oppose = [label], [named[1]]
        else:
            oppose[0].append(label)
            oppose[1].append(named[1])
    if claim is not None:
        cells[claim] = _side_cells(support, oppose)
    return cells


def _side_cells(support, oppose) -> tuple[str, str, str]:
    """A claim's three side cells from its (labels, side names) for and against."""
    if oppose is None:
        return "; ".join(support[0]), "", "for: " + ", ".join(dict.fromkeys(support[1]))
    if support is None:
        return "", "; ".join(oppose[0]), "against: " + ", ".join(dict.fromkeys(oppose[1]))
    return ("; ".join(support[0]), "; ".join(oppose[0]),
            f"for: {', '.join(dict.fromkeys(support[1]))}; "
            f"against: {', '.join(dict.fromkeys(oppose[1]))}")  # fmt: skip


@functools.cache  # built once per process, its ids bound as one value each: not per batch
def _side_cells_query(dialect: str, as_of: bool, known_at: bool):
    """``_position_cells``'s statement: the rule's sides (``rule.CLAIM_SIDES``, scoped to
    the claims in ``:ids`` and their counter-claims in ``:scope``, ``links.ids_value``'s
    text each) by claim and side, each side's parties in ``position_order``."""
    sides = rule.views(as_of, scoped=True, known_at=known_at, ids_bound=dialect).claim_sides
    name = Party.name.collate("C") if dialect == "postgresql" else Party.name  # by_name
    return (
        select(sides.c.claim_id, schema.as_stored(sides.c.side), sides.c.party_id,
               schema.as_stored(sides.c.kind), sides.c.counter_claim_id)
        .join(schema.party, Party.id == sides.c.party_id)
        # A join with the ids (on PostgreSQL ``= ANY`` would cast them again for each row).
        .where(sides.c.claim_id.in_(select(named_any_of(dialect, "ids").c.value)))
        .order_by(sides.c.claim_id, sides.c.side, *position_order(sides, name))
    )  # fmt: skip


def _party_sides(session: Session, parties: dict, party_ids: set[int]) -> None:
    """Read into ``parties`` (party id -> (its name, its side's name, the two as a label
    names them: "Tasnim (Iran)", "Iran")) these parties not read yet; a party whose chain
    finds no side (a loop) is left out."""
    from claimtrack.sides import top_sides

    wanted = sorted(party_ids - parties.keys())
    if not wanted:
        return
    named, side_party = schema.party.alias("named"), schema.party.alias("side_party")
    for part in chunks(wanted):
        top = top_sides(part)
        query = (
            select(top.c.party_id, named.c.name, side_party.c.name)
            .join(named, named.c.id == top.c.party_id)
            .join(side_party, side_party.c.id == top.c.top_id)
        )
        parties.update((party_id, (name, side, name if side == name else f"{name} ({side})"))
                       for party_id, name, side in session.execute(query))  # fmt: skip


def _with_periods(session: Session, selection: Selection, rows: list[ClaimRow]) -> list:
    """The rows with their status periods; with ``include_resolved``, only those that are
    or were contested."""
    from dataclasses import replace

    from claimtrack.history import periods

    found = periods(session, [r.claim_id for r in rows], selection)
    # "contested since" exactly as the history names it (the stance that began it).
    rows = [replace(r, periods=tuple(found[r.claim_id]),
                    contested_since=_contested_period(found[r.claim_id]) or r.contested_since)
            for r in rows]  # fmt: skip
    if selection.include_resolved:
        rows = [r for r in rows if r.status == "contested" or r.resolved() is not None]
    return rows


def _claim_rows(session: Session, selection: Selection, part, book) -> list[ClaimRow]:
    ids = [r.id for r in part]
    answers: dict[int, set[int]] = {}
    counters = counter_claims_of(session, ids, answers)
    scope = sorted(set(ids).union(*counters.values()))
    stances = _stances(session, scope, selection, full=book is not None)
    if book is not None:
        book.load({s.party_id for s in stances})
    whens = {s.id: said_when(s) for s in stances}  # each stance's said time, made once
    said = {s.said_at: s for s in stances}  # the last recorded said at each instant
    verdicts = current_verdicts(session, ids, selection)
    positions = (_positions(session, selection, ids, scope, stances, book, answers, whens)
                 if book else {})  # fmt: skip
    grouped = _by_claim(stances)
    rows = []
    for r in part:
        support, oppose = positions.get(r.id, ((), ()))
        rows.append(ClaimRow(
            claim_id=r.id, slug=r.slug, topic=r.topic, text=r.text, status=r.status,
            supporters=r.supporters, opponents=r.opponents,
            first_reported=_said_when(said, r.first_reported, r.id, grouped.get(r.id, ()), whens),
            contested_since=_began(grouped, counters, r.id, r.period_began or r.contested_since,
                                   whens),
            last_activity=_said_when(said, r.last_activity, r.id, grouped.get(r.id, ()), whens),
            verdict=verdicts.get(r.id), support=support, oppose=oppose,
            timeline=(_timeline(r.id, counters, grouped, book, whens=whens, answers=answers)
                      if book else ()),
        ))  # fmt: skip
    return rows


def _contested_period(periods) -> When | None:
    """When the contested period standing at the end of ``periods`` began, as said."""
    if periods and periods[-1].status == "contested" and periods[-1].until is None:
        return periods[-1].since
    return None


def _stances(session: Session, scope: list[int], selection: Selection, *, full: bool) -> list:
    """The stances on these claims (and their counter-claims) that count for the
    selection (said by its as-of, known at its known-at, not voided)."""
    query = _stances_query(full, *selection.shape())
    params = selection.bound_params()
    found = []
    for chunk in chunks(scope):
        found.extend(session.execute(query, {**params, "scope": chunk}))
    return found  # each timeline puts its own in said order


@functools.cache  # built once per process: building it cost a report more than running it
def _stances_query(full: bool, as_of: bool, known_at: bool):
    """``_stances``'s statement: the stances on the claims in ``:scope`` that count as of
    ``:as_of``, known at ``:known_at`` (``Selection.bound_params``), by id."""
    if not full:
        query = select(Stance.id, Stance.claim_id, Stance.party_id, Stance.said_at,
                       Stance.said_offset, Stance.said_precision, Stance.said_until,
                       Stance.recorded_at)  # fmt: skip
    else:
        query = _shown_stances()
    query = query.where(*Selection.of_shape(as_of, known_at).counts(Stance, bound=True))
    return query.where(Stance.claim_id.in_(bindparam("scope", expanding=True))).order_by(Stance.id)


def by_name(session: Session, name):
    """A party's name as an ordering key that is the same on both backends and after a
    round trip through the per-stance CSV (ids are not: an import numbers parties in the
    order the file first names them): code point order, PostgreSQL's "C" collation, which
    is SQLite's own."""
    if session.get_bind().dialect.name == "postgresql":
        return name.collate("C")
    return name


def position_order(sides, name) -> tuple:
    """The order of the parties on each side of a claim, in every format (README, "Who is
    on each side"): stances on the claim itself before those that come from its
    counter-claims, so that a table's "+N more" never hides a direct denial behind a
    counter-claim's supporters; within each, the most recent said time first, then by
    name (code point: ``name`` as ``by_name`` makes it), counter-claim and stance."""
    return (
        sides.c.counter_claim_id.is_not(None), sides.c.said_at.desc(),
        name, func.coalesce(sides.c.counter_claim_id, 0),
        sides.c.stance_id,
    )  # fmt: skip


def _positions(
    session, selection: Selection, ids, scope, stances, book: PartyBook, answers: dict, whens=None
) -> dict:
    """claim id -> (support, oppose): each party on each side, by the rule scoped to them
    (``answers``: the links' direction, as ``counter_claims_of`` fills it, which marks a
    party against a claim through the claim it answers; ``whens``: stance id -> its said
    time, where the caller has made them)."""
    query = _sides_query(session.get_bind().dialect.name, *selection.shape())
    params = {**selection.params(), "claims": ids, "scope": scope, "rows": ids}
    by_id = {s.id: s for s in stances}
    found: dict[int, tuple[list, list]] = {i: ([], []) for i in ids}
    answering = {i: answered(answers, i) for i in ids}
    for s in session.execute(query, params):
        stance = by_id[s.stance_id]
        party = book.by_id[s.party_id]
        found[s.claim_id][0 if s.side == "support" else 1].append(Position(
            party=book.label(s.party_id), side_name=book.side(s.party_id), side=s.side,
            kind=s.kind, said=whens[stance.id] if whens else said_when(stance),
            party_id=s.party_id, party_name=party.name,
            counter_claim_id=s.counter_claim_id,
            answered=s.counter_claim_id in answering[s.claim_id],
            quote=stance.quote, quote_lang=stance.quote_lang, via=stance.via,
            source=stance.source, anonymous=party.anonymous,
        ))  # fmt: skip
    return {i: (tuple(a), tuple(b)) for i, (a, b) in found.items()}


@functools.cache  # built once per process: building it cost a report more than running it
def _sides_query(dialect: str, as_of: bool, known_at: bool):
    """``_positions``'s statement: the sides of the claims in ``:rows`` by the rule scoped
    to them (``:claims``, ``:scope``), in the order the report lists them."""
    scoped = rule.views(as_of, scoped=True, known_at=known_at)
    sides = scoped.claim_sides
    named = schema.party.alias("named")
    name = named.c.name.collate("C") if dialect == "postgresql" else named.c.name  # by_name
    return scoped.select(
        sides.c.claim_id, sides.c.party_id, sides.c.side, sides.c.kind, sides.c.stance_id,
        sides.c.counter_claim_id,
    ).join(named, named.c.id == sides.c.party_id).where(
        sides.c.claim_id.in_(bindparam("rows", expanding=True))
    ).order_by(
        sides.c.claim_id, sides.c.side.desc(), *position_order(sides, name),
    )  # fmt: skip


def _timeline(claim_id: int, counters: dict, stances: dict, book: PartyBook, *,
              voided: bool = False, whens: dict | None = None,
              answers: dict | None = None) -> tuple:  # fmt: skip
    """Stances on the claim and on the claims linked to it as contradicting it, in order.

    ``stances``: claim id -> its stances (``_by_claim``); ``voided``: rows of ``_voided``,
    which say who voided each and what amended it (other rows have no such columns);
    ``whens``: stance id -> its said time, where the caller has made them; ``answers``:
    claim id -> the claims it contradicts (``counter_claims_of``), which mark a stance
    on one of those as on the claim this one counters, not on a counter-claim of it."""
    mine = [s for c in (claim_id, *counters.get(claim_id, ())) for s in stances.get(c, ())]
    answering = answered(answers or {}, claim_id)

    def gone(s) -> dict:
        if not voided:
            return {}
        return {"void_at": s.void_at, "void_by": s.void_by, "void_reason": s.void_reason,
                "amended_by": s.amended_by}  # fmt: skip

    return tuple(
        TimelineEntry(
            stance_id=s.id,
            claim_id=s.claim_id,
            party=book.label(s.party_id),
            party_name=book.by_id[s.party_id].name,
            kind=s.kind,
            quote=s.quote,
            quote_lang=s.quote_lang,
            via=s.via,
            source=s.source,
            source_url=s.source_url,
            said=whens[s.id] if whens else said_when(s),
            recorded_at=s.recorded_at,
            recorded_by=s.recorded_by,
            side=book.side(s.party_id),
            amends=s.amends_id,
            **gone(s),
            answered=s.claim_id in answering,
        )  # fmt: skip
        for s in timeline_order(mine)
    )


def _shown_stances(*more):
    """What a timeline shows of each stance (its party, words, via, source, times, the
    stance it amends), and ``more``: a new statement each time (``_stances_query`` keeps
    the one it builds)."""
    via = schema.party.alias("via")
    return (
        select(Stance.id, Stance.claim_id, Stance.party_id, Stance.kind, Stance.quote,
               Stance.quote_lang, via.c.name.label("via"), Source.title.label("source"),
               Source.url.label("source_url"), Stance.said_at, Stance.said_offset,
               Stance.said_precision, Stance.said_until, Stance.recorded_at,
               Stance.recorded_by, Stance.amends_id, *more)
        .select_from(schema.stance)
        .outerjoin(via, via.c.id == Stance.via_id)
        .outerjoin(schema.source, Source.id == Stance.source_id)
    )  # fmt: skip


def _voided(session: Session, scope: list[int], selection: Selection) -> list:
    """The stances on these claims (and their counter-claims) that the desk had voided by
    the selection's known-at and that were said by its as-of, with who voided them, when
    and why, and the stance recorded in place of each amended one (``claim show``)."""
    amending = schema.stance.alias("amending")
    query = (
        _shown_stances(Stance.void_at, Stance.void_by, Stance.void_reason,
                       amending.c.id.label("amended_by"))
        # An amend keeps the claim: the claim's index finds the amending stance.
        .outerjoin(amending, (amending.c.claim_id == Stance.claim_id)
                   & (amending.c.amends_id == Stance.id))
        .where(Stance.void_at.is_not(None))
        .order_by(Stance.id)
    )  # fmt: skip
    if selection.known_at is not None:
        query = query.where(Stance.void_at < selection.known_at,
                            Stance.recorded_at < selection.known_at)  # fmt: skip
    if selection.as_of is not None:
        query = query.where(Stance.said_until <= selection.as_of)
    found = []
    for chunk in chunks(scope):
        found.extend(session.execute(query.where(Stance.claim_id.in_(chunk))))
    return found


def _by_claim(stances: list) -> dict[int, list]:
    found: dict[int, list] = {}
    for s in stances:
        found.setdefault(s.claim_id, []).append(s)
    return found


def _ended_stances(stances) -> dict:
    """The end of each said interval -> the stance said over it (of several, the one
    recorded last)."""
    found: dict = {}
    for s in stances:
        key = (s.recorded_at, s.id)
        if s.said_until not in found or found[s.said_until][0] < key:
            found[s.said_until] = (key, s)
    return {until: s for until, (_, s) in found.items()}


def _began(grouped: dict, counters: dict, claim_id: int, at: dt.datetime | None,
           whens: dict | None = None) -> When | None:  # fmt: skip
    """When a claim's contested period began, as said: ``at`` is the end of the said
    interval that made it contested (the rule's ``contested_since``); the stance said over
    it is the claim's own, else one on a counter-claim (whose supporters oppose it), never
    another claim's that ended at the same instant (nu21: Claim A "contested since
    14:00+02:00", the offset of a claim beside it in the report, for 15:00+03:00)."""
    if at is None:
        return None
    s = _began_stance(grouped, counters, claim_id, at)
    if s is None:
        return When(at, 0, "second")
    return whens[s.id] if whens is not None else said_when(s)


def _began_stance(grouped: dict, counters: dict, claim_id: int, at: dt.datetime):
    """``_began``'s stance: ``grouped``, claim id -> its stances; ``counters``, claim id ->
    its counter-claims (``counter_claims_of``). Of several said over the same interval,
    the one recorded last (the history's order)."""
    own = [s for s in grouped.get(claim_id, ()) if s.said_until == at]
    if not own:
        own = [s for other in counters.get(claim_id, ()) for s in grouped.get(other, ())
               if s.said_until == at]  # fmt: skip
    return _ended_stances(own).get(at)


def _said_when(said: dict, at: dt.datetime | None, claim_id: int, own,
               whens: dict | None = None) -> When | None:  # fmt: skip
    """A claim's instant (first reported, last activity) as it was said: with the offset
    and precision of a stance said then (``said``: instant -> the last recorded then), one
    of the claim's ``own`` if there is one, else one on a counter-claim (its last activity
    may be there). The export picks the same (``export_rows``). ``whens``: stance id -> its
    said time, where the caller has made them."""
    if at is None:
        return None
    s = said.get(at)
    if s is None:
        return When(at, 0, "second")
    if s.claim_id != claim_id:  # said then on a counter-claim: one of its own first
        s = _said_on(own, at) or s
    return whens[s.id] if whens is not None else said_when(s)


def current_verdicts(
    session: Session, claim_ids: list[int], selection: Selection | None = None
) -> dict[int, VerdictInfo]:
    """The newest verdict of each of these claims that has one (published by the
    selection's as-of and known-at, looking back)."""
    selection = selection or Selection()
    query = _current_verdicts_query(session.get_bind().dialect.name, *selection.shape())
    params = selection.bound_params()
    found = {}
    for part in chunks(claim_ids):
        rows = session.execute(query, {**params, "ids": ids_value(session, part)})
        found.update({v.claim_id: verdict_info(v) for v in rows})
    return found


@functools.cache  # built once per process: building it cost a report more than running it
def _current_verdicts_query(dialect: str, as_of: bool, known_at: bool):
    """The newest verdict of each claim in ``:ids`` (``links.ids_value``) published by
    ``:as_of``, recorded by ``:known_at`` (``Selection.bound_params``)."""
    published = Selection.of_shape(as_of, known_at).published(Verdict, bound=True)
    # The newest of these claims' verdicts only: an index range, not every verdict.
    # The list of ids one bound array (``one_of``): a short statement to parse.
    newest = latest_verdict_ids(named_one_of(dialect, Verdict.claim_id, "ids"), *published)
    return verdicts_query().where(named_one_of(dialect, Verdict.claim_id, "ids"),
                                  Verdict.id.in_(newest))  # fmt: skip


def latest_verdict_ids(*conditions):
    """A subquery of the newest verdict id of every rated claim (among those meeting
    ``conditions``: published by a time, looking back)."""
    return select(func.max(Verdict.id)).where(*conditions).group_by(Verdict.claim_id)


def verdicts_query(*columns):
    """Verdicts as rows, with their publisher's name (None: the desk's own verdict)."""
    publisher = schema.party.alias("publisher")
    query = select(schema.verdict, publisher.c.name.label("publisher_name"), *columns)
    return query.outerjoin(publisher, publisher.c.id == Verdict.publisher_id)


def verdict_info(v) -> VerdictInfo:
    """A verdict (a row of ``verdicts_query``, or a ``verdicts.Verdict``) as reports carry it."""
    return VerdictInfo(v.rating, v.label, v.summary, v.url, v.created_by,
                       verdict_published(v), v.publisher_name)  # fmt: skip


# A verdict's published time: when its publisher published it, as they said it (a day or
# an instant, in their offset: an imported ClaimReview's datePublished, LIAR's day); the
# desk's own verdicts are published when recorded (created_at, UTC, to the second). It
# is the verdict's time on the said/published axis (its "at" everywhere, ``--as-of``,
# ``report changes --since/--until``); ``--known-at`` reads created_at, when the desk
# recorded it. These three are its only definitions.


def verdict_published(v) -> When:
    """The verdict's published time (a row with the verdict's columns)."""
    if v.published_at is None:
        return When(v.created_at, 0, "second")
    return When(v.published_at, v.published_offset or 0, v.published_precision)


def verdict_published_by(verdict, t: dt.datetime, less: dict | None = None):
    """SQL: the verdict's published time was over by ``t`` (as a stance's said_until <= t:
    a verdict published on a day counts once that day is over). ``less``: precision ->
    ``t`` less its span, where ``t`` is a bound parameter (``Selection.bound_params``)."""
    from sqlalchemy import or_

    from claimtrack.times import SPAN

    return or_(
        verdict.published_at.is_(None) & (verdict.created_at < t),
        *((verdict.published_precision == precision)
          & (verdict.published_at <= (t - span if less is None else less[precision]))
          for precision, span in SPAN.items()),
    )  # fmt: skip


def verdict_published_within(verdict, start: dt.datetime, end: dt.datetime | None):
    """SQL: the verdict's published time had not ended by ``start`` and was over by ``end``
    (None: no end), as a stance's said interval ends in (start, end]: a verdict published
    on a day is within a window that starts that day.

    One range of ``ix_verdict_published`` per precision: the two tests ANDed, each an OR
    of one-sided ranges, look to SQLite's planner (which keeps no statistics here) like
    most of the table, and it read every verdict for each window."""
    from sqlalchemy import and_, or_

    from claimtrack.times import SPAN

    own = [verdict.created_at >= start] + ([verdict.created_at < end] if end is not None else [])
    return or_(
        and_(verdict.published_at.is_(None), *own),
        *(and_(verdict.published_precision == precision, verdict.published_at > start - span,
               *([verdict.published_at <= end - span] if end is not None else []))
          for precision, span in SPAN.items()),
    )  # fmt: skip


def said_after(session: Session, at: dt.datetime) -> bool:
    """Whether a stance in force is dated to begin after ``at`` (now): a typo kept from
    before such times were refused (``times.begun``). One index probe (said_at or
    said_until): 0.03 ms on SQLite, 0.05 ms on PostgreSQL, with 2.7M stances."""
    s = schema.stance.c
    query = select(s.id).where(s.said_until > at, s.said_at > at, s.void_at.is_(None))
    return session.scalar(query.limit(1)) is not None


def as_of_now(session: Session, zone: str | None = None) -> When | None:
    """The as-of of a report given none: None (what every write keeps: all that was
    said), or now (``--as-of now``) when a stance is dated after now, so that the report
    and ``--as-of now`` agree and a date not yet come is nobody's last activity."""
    from claimtrack.times import now, parse_zone

    current = now(parse_zone(zone))
    return current if said_after(session, current.at) else None


def status_of(session: Session, claim_id: int) -> str | None:
    """One claim's status now, as every write keeps it."""
    state = schema.claim_state.c
    return session.scalar(select(state.status).where(state.claim_id == claim_id))


def claim_detail(
    session: Session, claim, *, as_of: When | None = None, known_at: When | None = None
) -> ClaimDetail:
    """One claim with its status (as of a time, as known at a time), its links, every
    stance in said order and its status periods. Looking back to before anyone stated it,
    its status is None."""
    from dataclasses import replace

    from claimtrack.history import periods

    selection = Selection(
        as_of=as_of.until if as_of else None, known_at=known_at.until if known_at else None
    )
    scoped = selection.views(scoped=True)
    status = scoped.claim_status
    answers: dict[int, set[int]] = {}
    counters = counter_claims_of(session, [claim.id], answers)
    scope = sorted({claim.id}.union(*counters.values()))
    query = scoped.select(*status.c).where(status.c.claim_id == claim.id)
    state = session.execute(query, {**selection.params(), "claims": [claim.id], "scope": scope})
    stances = _stances(session, scope, selection, full=True)
    voided = _voided(session, scope, selection)
    book = PartyBook(session, lazy=True)
    book.load({s.party_id for s in (*stances, *voided)})
    said = {s.said_at: s for s in stances}  # the last recorded said at each instant
    grouped = _by_claim(stances)
    own = grouped.get(claim.id, ())
    s = state.first()
    row = ClaimRow(
        claim_id=claim.id, slug=claim.slug, topic=claim.topic, text=claim.text,
        status=s.status if s else None, supporters=s.supporters if s else 0,
        opponents=s.opponents if s else 0,
        first_reported=_said_when(said, s.first_reported, claim.id, own) if s else None,
        contested_since=_began(grouped, counters, claim.id, s.contested_since) if s else None,
        last_activity=_said_when(said, s.last_activity, claim.id, own) if s else None,
        verdict=current_verdicts(session, [claim.id], selection).get(claim.id),
        timeline=_timeline(claim.id, counters, grouped, book, answers=answers),
        periods=tuple(periods(session, [claim.id], selection)[claim.id]),
    )  # fmt: skip
    if s is not None and s.contested_since is not None:  # as the history says, as reports do
        row = replace(row, contested_since=_contested_period(row.periods) or row.contested_since)
    positions = _positions(session, selection, [claim.id], scope, stances, book, answers)
    support, oppose = positions[claim.id]
    links = _links(session, claim, selection)
    voided_timeline = _timeline(claim.id, counters, _by_claim(voided), book, voided=True,
                                answers=answers)  # fmt: skip
    return ClaimDetail(replace(row, support=support, oppose=oppose), links, as_of, known_at,
                       voided_timeline)  # fmt: skip


def _links(session: Session, claim, selection: Selection) -> tuple[LinkedClaim, ...]:
    """The claim's links, as the selection knows them: with a known-at, those recorded by
    then (as the rule counts them); with an as-of, those to a claim somebody had stated
    by then (a counter-claim first said later is not listed as of before it)."""
    other = schema.claim.alias("other")
    mine = ClaimLink.from_claim_id == claim.id
    query = (
        select(ClaimLink.kind, ClaimLink.from_claim_id, other.c.id, other.c.text,
               other.c.merged_into_id)
        .select_from(schema.claim_link)
        .join(other, other.c.id == func.coalesce(
            func.nullif(ClaimLink.to_claim_id, claim.id), ClaimLink.from_claim_id))
        .where(mine | (ClaimLink.to_claim_id == claim.id))
        .order_by(ClaimLink.id)
    )  # fmt: skip
    if selection.known_at is not None:
        query = query.where(ClaimLink.created_at < selection.known_at)
    if selection.as_of is not None:
        stated = select(Stance.id).where(Stance.claim_id == other.c.id, *selection.counts(Stance))
        query = query.where(stated.exists())
    return tuple(
        LinkedClaim(kind, "from" if source == claim.id else "to", oid, text, merged)
        for kind, source, oid, text, merged in session.execute(query)
    )


# -- stances: the interchange export ----------------------------------------------------


def stances(session: Session, selection: Selection) -> Iterator[StanceRow]:
    """Every stance on the chosen claims, claim by claim, each claim's in the order of its
    timeline in ``claim show`` (``order.timeline_order`` over its stances and its
    counter-claims', which SQL cannot sort by: a party's own stances keep their said
    order). Streamed: the database reads the stances by claim, and each claim's are put
    in order once all of them are read."""
    views = selection.views()
    status = views.claim_status
    via, outlet = schema.party.alias("via"), schema.party.alias("outlet")
    query = (
        views.select(
            Stance.id, Stance.claim_id, Claim.topic, Claim.slug, Claim.text, Claim.language,
            Stance.party_id, Stance.kind, Stance.quote, Stance.quote_lang,
            via.c.name.label("via"), Source.title, outlet.c.name.label("outlet"), Source.url,
            Source.language.label("slang"), Source.published_at, Source.published_offset,
            Source.published_precision, Stance.said_at, Stance.said_offset,
            Stance.said_precision, Stance.said_until, Stance.recorded_at, Stance.recorded_by,
        )
        .select_from(schema.stance)
        .join(schema.claim, Claim.id == Stance.claim_id)
        .join(status, status.c.claim_id == Claim.id)
        .outerjoin(via, via.c.id == Stance.via_id)
        .outerjoin(schema.source, Source.id == Stance.source_id)
        .outerjoin(outlet, outlet.c.id == Source.outlet_id)
        .order_by(Stance.claim_id, Stance.said_at, Stance.id)
    )  # fmt: skip
    query = selection.where(query, views, Claim.id)
    query = query.where(*selection.counts(Stance))
    if selection.limit:  # --limit counts claims: the stances of the first N, in its order
        chosen = selection.where(views.select(status.c.claim_id), views, status.c.claim_id)
        chosen = selection.order(chosen, views, status.c.claim_id).subquery()
        query = query.where(Claim.id.in_(select(chosen.c.claim_id)))
    book = PartyBook(session)
    result = selection.execute(session, query.execution_options(yield_per=BATCH * 4))
    pending: list = []  # the last claim's stances read so far: more may be in the next part
    for part in result.partitions():
        rows = [*pending, *part]
        last = rows[-1].claim_id
        pending = [s for s in rows if s.claim_id == last]
        yield from _stance_rows(session, selection, [s for s in rows if s.claim_id != last], book)
    yield from _stance_rows(session, selection, pending, book)


def _stance_rows(session: Session, selection: Selection, read: list, book) -> Iterator[StanceRow]:
    """The rows of these claims' stances (every stance of each, claim by claim), each
    claim's in its timeline's order."""
    if not read:
        return
    grouped = _by_claim(read)
    ids = sorted(grouped)
    refs = _link_refs(session, ids)
    counters = counter_claims_of(session, ids)
    answering = _by_claim(_stances(session, sorted(set().union(*counters.values())), selection,
                                   full=False))  # fmt: skip
    for claim_id, mine in grouped.items():
        others = counters.get(claim_id)
        if others:  # the timeline's order among the counter-claims' stances too
            timeline = [*mine, *(s for c in sorted(others) for s in answering.get(c, ()))]
            mine = [s for s in timeline_order(timeline) if s.claim_id == claim_id]
        else:
            mine = timeline_order(mine)
        for s in mine:
            yield _stance_row(s, refs.get(claim_id, ("", "")), book)


def _stance_row(s, refs: tuple[str, str], book: PartyBook) -> StanceRow:
    from claimtrack.listings import StanceRow

    party = book.by_id[s.party_id]
    return StanceRow(
        claim_id=s.claim_id, topic=s.topic, claim_ref=ref(s.slug, s.claim_id), claim=s.text,
        claim_lang=s.language, contradicts=refs[0], same_as=refs[1], party=party.name,
        party_kind=party.kind, party_aliases=book.aliases(party.id),
        party_for=book.parent(party.id), kind=s.kind, quote=s.quote, quote_lang=s.quote_lang,
        via=s.via,
        source_title=s.title, source_outlet=s.outlet, source_url=s.url, source_lang=s.slang,
        source_published=published_when(s), said=said_when(s), recorded_at=s.recorded_at,
        recorded_by=s.recorded_by,
    )  # fmt: skip


def _link_refs(session: Session, claim_ids: list[int]) -> dict[int, tuple[str, str]]:
    """claim id -> (the claims it contradicts, the claims it is the same as), as refs."""
    other = schema.claim.alias("other")
    found: dict[int, dict[str, list[str]]] = {}
    for part in chunks(claim_ids):
        query = (
            select(ClaimLink.from_claim_id, ClaimLink.kind, other.c.slug, other.c.id)
            .select_from(schema.claim_link)
            .join(other, other.c.id == ClaimLink.to_claim_id)
            .where(ClaimLink.from_claim_id.in_(part))
            .order_by(ClaimLink.from_claim_id, ClaimLink.id)
        )
        for claim_id, kind, slug, other_id in session.execute(query):
            found.setdefault(claim_id, {}).setdefault(kind, []).append(ref(slug, other_id))
    return {
        cid: (";".join(k.get("contradicts", [])), ";".join(k.get("same_as", [])))
        for cid, k in found.items()
    }


def ref(slug: str | None, claim_id: int) -> str:
    """How a claim is named in an export: its slug, or its id in the exporting database."""
    return slug or str(claim_id)


# -- parties -----------------------------------------------------------------------------


def parties_on_side_of(session: Session, party) -> list[int]:
    """The party and every party acting for it, directly or down a chain (Iran, its
    officials, its agencies): what ``--party Iran`` covers."""
    children: dict[int, list[int]] = {}
    for pid, parent in session.execute(select(Party.id, Party.acts_for_id)):
        children.setdefault(parent, []).append(pid)
    found, todo = {party.id}, [party.id]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return sorted(found)


def party_counts(
    session: Session, *, topic: str | None = None, from_rule: bool = False
) -> list[PartyCounts]:
    """Per party that spoke: the claims it supports and opposes under the rule, the
    counter-claims it stands behind, its retractions in force, the contested claims it
    is on a side of, and all its stances. Read from the counts every write keeps
    (``claimtrack.tally``); ``from_rule`` runs the rule over every stance instead."""
    if not from_rule:
        return _kept_party_counts(session, topic)
    from sqlalchemy import case

    from claimtrack.listings import PartyCounts

    views = Selection().views()
    sides, latest, status = views.claim_sides, views.stance_latest, views.claim_status

    def distinct_claims(condition):
        return func.count(func.distinct(case((condition, sides.c.claim_id))))

    on_sides = (
        select(
            sides.c.party_id,
            distinct_claims(sides.c.side == "support").label("asserted"),
            distinct_claims((sides.c.side == "oppose") & sides.c.counter_claim_id.is_(None))
            .label("denied"),
            func.count(func.distinct(case(
                (_answering(sides.c.claim_id, sides.c.counter_claim_id), sides.c.counter_claim_id)
            ))).label("counter_claims"),
            distinct_claims(status.c.status == "contested").label("contested"),
        )
        .join(status, status.c.claim_id == sides.c.claim_id)
        .group_by(sides.c.party_id)
    )  # fmt: skip
    retractions = (
        select(latest.c.party_id, func.count().label("n"))
        .join(status, status.c.claim_id == latest.c.claim_id)
        .where(latest.c.kind == WITHDRAWAL)
        .group_by(latest.c.party_id)
    )
    spoken = (
        select(Stance.party_id, func.count().label("n"))
        .select_from(schema.stance)
        .join(schema.claim, Claim.id == Stance.claim_id)
        .where(Stance.void_at.is_(None))
        .group_by(Stance.party_id)
    )
    if topic:
        on_sides = on_sides.where(status.c.topic == topic)
        retractions = retractions.where(status.c.topic == topic)
        spoken = spoken.where(Claim.topic == topic)
    counts = {r.party_id: r for r in session.execute(on_sides)}
    withdrawn = dict(session.execute(retractions).all())
    book = PartyBook(session)
    rows = []
    for party_id, n in session.execute(spoken):
        party, c = book.by_id[party_id], counts.get(party_id)
        rows.append(PartyCounts(
            name=party.name, side=book.side(party_id), kind=party.kind, parties=1,
            asserted=c.asserted if c else 0, denied=c.denied if c else 0,
            retractions=withdrawn.get(party_id, 0),
            counter_claims=c.counter_claims if c else 0, contested=c.contested if c else 0,
            stances=n,
        ))  # fmt: skip
    return sorted(rows, key=lambda r: (-r.stances, r.name))


def _answers(claim_id, counter_claim_id):
    """That ``counter_claim_id`` answers ``claim_id``: a contradicts link runs from it to
    the claim (``claim counter``, ``claim link A B --contradicts``). The counter-claims a
    party stands behind are those, not the claim a counter-claim answers, which the rule
    places against it just the same (nu17: the party asserting a claim showed one
    counter-claim for it)."""
    from sqlalchemy import and_

    link = schema.claim_link.c
    return and_(link.from_claim_id == counter_claim_id, link.to_claim_id == claim_id,
                link.kind == "contradicts")  # fmt: skip


def _answering(claim_id, counter_claim_id):
    """``_answers`` as an EXISTS, for the rule's own count (a join would drop the rows
    the other counts need)."""
    return select(schema.claim_link.c.from_claim_id).where(
        _answers(claim_id, counter_claim_id)).exists()  # fmt: skip


def _answered(table):
    """``party_counter`` (``table``) joined to the links ``_answers`` names: the links read
    first (a few tens of thousands at a million claims), each probing the table's key by
    its claim."""
    return schema.claim_link.join(table, _answers(table.c.claim_id, table.c.counter_claim_id))


def _kept_party_counts(session: Session, topic: str | None) -> list[PartyCounts]:
    from claimtrack.listings import PartyCounts

    k = schema.party_counter
    answered = _answered(k)
    # Grouped by party_id + 0: an expression no index orders, so SQLite reads the links
    # first (0.08 s at a million claims) rather than the table in party order for its
    # grouping, a row lookup and a probe of the links for each row (0.45 s).
    party = (k.c.party_id + 0).label("party_id")
    counters = select(party, func.count(func.distinct(k.c.counter_claim_id)))
    counters = counters.select_from(answered)
    if topic:  # the topic's rows of party_tally, summed
        t = schema.party_tally
        names = ("asserted", "denied", "contested", "retracted", "stances")
        counts = select(t.c.party_id, *(func.sum(t.c[n]).label(n) for n in names))
        counts = counts.where(t.c.topic == topic).group_by(t.c.party_id)
        counters = counters.where(k.c.topic == topic)
    else:  # every topic's, summed by every write
        counts = select(schema.party_total)
    counter_claims = dict(session.execute(counters.group_by(party)).all())
    book = PartyBook(session)
    rows = []
    for r in session.execute(counts):
        if not r.stances:
            continue
        party = book.by_id[r.party_id]
        rows.append(PartyCounts(
            name=party.name, side=book.side(r.party_id), kind=party.kind, parties=1,
            asserted=r.asserted, denied=r.denied, retractions=r.retracted,
            counter_claims=counter_claims.get(r.party_id, 0), contested=r.contested,
            stances=r.stances,
        ))  # fmt: skip
    return sorted(rows, key=lambda r: (-r.stances, r.name))


def side_counts(session: Session, *, topic: str | None = None,
                recount: bool = False) -> list[PartyCounts]:  # fmt: skip
    """Per side the parties act for (``PartyBook.side``, the top of each chain): the claims
    its parties support, deny, are on a side of while contested and have retracted, each
    claim counted once per side however many of its parties did so; the counter-claims
    any of them stands behind, each once; how many of its parties spoke, and all their
    stances (a sum of ``party_counts``).

    The claims are read from the per-side counts every write keeps (``side_total``, and
    ``side_claim`` summed for a topic: ``claimtrack.tally``), where counting them from
    ``party_claim`` reads every row of it (the kept per-party sums cannot say which
    claims two parties share): seconds at a million claims. ``recount`` counts them so,
    each party joined up its chain to its side (tests hold the kept counts to it). The
    counter-claims are counted from ``party_counter`` (a few tens of thousands of rows).
    """
    from claimtrack.listings import PartyCounts

    book = PartyBook(session)
    depth = max((book.depth(p) for p in book.by_id), default=0)
    chain = [schema.party.alias(f"up{n}") for n in range(depth + 1)]

    def by_side(table, joined=None):
        """The table (or ``joined``, a join holding it) joined up each party's chain, and
        its side's id (the last party found)."""
        joined = (table if joined is None else joined).join(
            chain[0], chain[0].c.id == table.c.party_id
        )
        for lower, upper in zip(chain, chain[1:], strict=False):
            joined = joined.outerjoin(upper, upper.c.id == lower.c.acts_for_id)
        ids = [p.c.id for p in reversed(chain)]
        return joined, (func.coalesce(*ids) if len(ids) > 1 else ids[0])

    flags = ("asserted", "denied", "contested", "retracted")
    if recount:
        t = schema.party_claim
        joined, side = by_side(t)
        per_claim = select(side.label("side_id"), *(func.max(t.c[n]).label(n) for n in flags))
        per_claim = per_claim.select_from(joined).group_by(t.c.claim_id, side)
        # Only the rows that count a claim (a third of them only count stances).
        per_claim = per_claim.where(sum((t.c[n] for n in flags[1:]), t.c[flags[0]]) > 0)
        if topic:
            per_claim = per_claim.where(t.c.topic == topic)
        per_claim = per_claim.subquery("per_claim")  # one row per claim and side
        claims = select(per_claim.c.side_id,
                        *(func.sum(per_claim.c[n]).label(n) for n in flags))  # fmt: skip
        claims = claims.group_by(per_claim.c.side_id)
    elif topic:
        kept = schema.side_claim.c
        claims = select(kept.side_id, *(func.sum(kept[n]).label(n) for n in flags))
        claims = claims.where(kept.topic == topic).group_by(kept.side_id)
    else:
        claims = select(schema.side_total)
    k = schema.party_counter
    joined, side = by_side(k, _answered(k))
    counters = select(side, func.count(func.distinct(k.c.counter_claim_id))).select_from(joined)
    if topic:
        counters = counters.where(k.c.topic == topic)
    counter_claims = {book.by_id[i].name: n for i, n in session.execute(counters.group_by(side))}
    counted = {book.by_id[r.side_id].name: r for r in session.execute(claims)}
    sides: dict[str, list[int]] = {}
    for r in party_counts(session, topic=topic):  # the parties that spoke, and their stances
        spoke = sides.setdefault(r.side, [0, 0])
        spoke[0], spoke[1] = spoke[0] + 1, spoke[1] + r.stances
    rows = []
    for name, (parties, stances) in sides.items():
        c = counted.get(name)
        rows.append(PartyCounts(
            name=name, side=name, kind="side", parties=parties,
            asserted=c.asserted if c else 0, denied=c.denied if c else 0,
            retractions=c.retracted if c else 0,
            counter_claims=counter_claims.get(name, 0),
            contested=c.contested if c else 0, stances=stances,
        ))  # fmt: skip
    return sorted(rows, key=lambda r: (-r.stances, r.name))


def party_rows(session: Session) -> Iterator[PartyRow]:
    """Every party with its kind, the party it acts for and its aliases."""
    from claimtrack.listings import PartyRow

    book = PartyBook(session)
    for p in sorted(book.by_id.values(), key=lambda p: p.id):
        yield PartyRow(p.id, p.name, p.kind, book.parent(p.id), book.aliases(p.id),
                       p.description)  # fmt: skip


def party_detail(session: Session, party) -> PartyDetail:
    """A party (a ``models.Party``), its aliases and side, and its stances (and those it
    relayed), newest first."""
    from claimtrack.listings import PartyDetail, PartyRow, PartyStance

    speaker = schema.party.alias("speaker")
    query = (
        select(schema.stance, Claim.text.label("claim_text"), speaker.c.name.label("speaker"))
        .join(schema.claim, Claim.id == Stance.claim_id)
        .join(speaker, speaker.c.id == Stance.party_id)
        .where((Stance.party_id == party.id) | (Stance.via_id == party.id))
        .where(Stance.void_at.is_(None))  # the desk's corrections: in the log, not here
        .order_by(Stance.said_at.desc(), Stance.id.desc())
    )
    rows = session.execute(query).all()
    book = PartyBook(session, lazy=True)  # the speakers' sides
    book.load({s.party_id for s in rows})
    stances = tuple(
        PartyStance(
            stance_id=s.id,
            claim_id=s.claim_id,
            claim=s.claim_text,
            kind=s.kind if s.party_id == party.id else f"relayed ({s.kind})",
            by=s.speaker,
            quote=s.quote,
            said=said_when(s),
            side=book.side(s.party_id),
        )  # fmt: skip
        for s in rows
    )
    from claimtrack.record import party_label, party_side

    # One party: its own row and relations, not every party's (PartyBook is for reports).
    parent = party.acts_for.name if party.acts_for else None
    aliases = tuple(a.alias for a in party.aliases)
    row = PartyRow(party.id, party.name, party.kind, parent, aliases, party.description)
    return PartyDetail(row, party_label(party), stances, party_side(party).name)


# -- sources, the log, verdicts ----------------------------------------------------------


def source_rows(session: Session) -> Iterator[SourceRow]:
    from claimtrack.listings import SourceRow

    outlet = schema.party.alias("outlet")
    query = select(schema.source, outlet.c.name.label("outlet_name"))
    query = query.join(outlet, outlet.c.id == Source.outlet_id)
    query = query.order_by(Source.id).execution_options(yield_per=BATCH)  # streamed
    for s in session.execute(query):
        yield SourceRow(s.id, s.title, s.outlet_name, s.url, s.language, published_when(s))


def event_rows(
    session: Session, *, since: dt.datetime | None = None, limit: int | None = None
) -> Iterator[EventRow]:
    """The audit trail, newest first."""
    from claimtrack.listings import EventRow

    query = select(schema.event).order_by(Event.at.desc(), Event.id.desc())
    if since is not None:
        query = query.where(Event.at >= since)
    if limit:
        query = query.limit(limit)
    for e in session.execute(query.execution_options(yield_per=BATCH)):
        yield EventRow(e.id, e.at, e.editor, e.action, e.detail)


def verdict_rows(session: Session, claim) -> list[VerdictRow]:
    """The claim's verdicts, newest (the one in force) first."""
    from claimtrack.listings import VerdictRow
    from claimtrack.verdicts import history

    return [
        VerdictRow(v.claim_id, verdict_info(v), v.rating_value, v.best_rating, v.worst_rating)
        for v in history(session, claim)
    ]


# -- what changed ---------------------------------------------------------------------------


# How many stances a window of ``changes`` spans at most (ties at its end aside): what
# memory holds at once, however long the time asked about.
CHANGES_WINDOW = 20_000


def changes(session: Session, selection: Selection, since: dt.datetime) -> Iterator[ChangeRow]:
    """What changed between ``since`` and the selection's as-of (or now): disputes that
    began and ended, new stances on contested claims, new verdicts and counter-claims,
    in the order they happened. The selection's topic and known-at apply.

    Streamed: the time is cut into windows of said time of about ``CHANGES_WINDOW``
    stances each (read from ``ix_stance_said_until``), and each window's changes are
    found and sorted before the next is read, so a year costs what a day does, window
    by window. A change belongs to the window its time ends in; every change happens
    at a stance said on its claim or on a claim contradicting it, or at a verdict.
    Without an as-of it is now (``--until now``): nothing said after now is a change yet."""
    if selection.as_of is None:
        from dataclasses import replace

        from claimtrack.times import now

        selection = replace(selection, as_of=now().until)
    start = since
    while True:
        end = _window_end(session, start, selection.as_of)
        rows = _changes_between(session, selection, start, end)
        yield from sorted(rows, key=lambda c: (c.at.until, c.claim_id, c.change))
        if end is None:
            return
        start = end


def _window_end(session: Session, start: dt.datetime, as_of) -> dt.datetime | None:
    """The said_until of the ``CHANGES_WINDOW``-th stance ending after ``start``; None
    when fewer are left before ``as_of`` (the last window, open-ended)."""
    return session.scalar(_window_end_query(as_of is not None), {"start": start, "as_of": as_of})


@functools.cache  # built once per process
def _window_end_query(as_of: bool):
    """``_window_end``'s statement: the index walk stops at ``:as_of`` (a day's report read
    the 20,001 entries from its start, where a few thousand end before the as-of)."""
    instant = schema.UTCDateTime()
    query = select(Stance.said_until).where(Stance.said_until > bindparam("start", type_=instant))
    if as_of:
        query = query.where(Stance.said_until < bindparam("as_of", type_=instant))
    return query.order_by(Stance.said_until).offset(CHANGES_WINDOW).limit(1)


def _changes_between(session, selection: Selection, start, end) -> list[ChangeRow]:
    """The changes whose time ends after ``start`` and by ``end`` (None: no end)."""
    from claimtrack.history import around

    last = end or selection.as_of  # the last window ends at the as-of

    def within(when: When | None) -> bool:
        # None: a period that began before the window
        return when is not None and when.until > start and (last is None or when.until <= last)

    seen = around(session, selection, start, end)
    ids, counters, texts, history = seen.touched, seen.counters, seen.texts, seen.periods
    found: list[ChangeRow] = []
    linked = {c for c in ids if counters.get(c)}
    first, appeared = _first_support(session, selection,
                                     linked.union(*(counters[c] for c in linked)))  # fmt: skip
    contested = {c for c in ids if history[c] and history[c][-1].status == "contested"}
    stances = _new_stances(session, seen.said, contested, texts)
    window = {x.id: x for x in seen.said}

    def said_in(stance_id, claim_id: int):
        said = window.get(stance_id)
        return said if said is not None and said.claim_id == claim_id else None

    for claim_id in ids:
        found.extend(_period_changes(claim_id, texts[claim_id], history[claim_id], within,
                                     stances, said_in))  # fmt: skip
        if claim_id in linked:  # (the others have no counter-claim to be new)
            found.extend(_new_counters(claim_id, counters, first, appeared, texts, within))
    found.extend(stances.values())  # less those that made their claim contested
    found.extend(_new_verdicts(session, selection, start, end))
    return found


def _new_counters(claim_id: int, counters, first, appeared, texts, within) -> list[ChangeRow]:
    """Claims first asserted in the window that contradict this claim, each dated when
    it was first asserted or confirmed (``first``: ``_first_support``), as said: from
    then its supporters count against this claim. A link has two ends: the claim
    supported later is the counter-claim of the other; a claim nobody supports has
    counter-claims from when it was first said of (``appeared``), not before. Which end
    is which is read from all that was said (as known), not only up to the window's end:
    a window lists what a wider one does, and no counter-claim of a claim stated after
    it (one first stated later is the counter-claim, in the window it was stated in)."""
    from claimtrack.listings import ChangeRow

    mine = first.get(claim_id) or appeared.get(claim_id)
    if mine is None:  # nothing said of it counts: nothing for a counter-claim to answer
        return []
    rows = []
    for other in sorted(counters.get(claim_id, ())):
        began = first.get(other)
        if began is None or not within(began):
            continue
        if (began.until, other) > (mine.until, claim_id):
            rows.append(ChangeRow(began, "new counter-claim", claim_id, texts[claim_id],
                                  f"#{other}: {texts[other]}"))  # fmt: skip
    return rows


def _first_support(session: Session, selection: Selection, claim_ids) -> tuple[dict, dict]:
    """(claim id -> when it was first asserted or confirmed, claim id -> when it was first
    said of, for the claims nobody supported), as said: the first in the timeline's order
    (``order.timeline_order``) of the stances that count as the selection knows them (its
    known-at), whenever said: after its as-of too, so which end of a link answers the
    other does not depend on where a window ends. Claims nothing counts on are left out."""
    dialect = session.get_bind().dialect.name
    known_at = selection.known_at is not None
    params = {"known_at": selection.known_at}

    def firsts(supporting: bool, ids) -> dict[int, When]:
        found: dict[int, list] = {}
        if ids:  # one statement, the ids bound as one parameter (``links.one_of``)
            query = _first_said_query(dialect, known_at, supporting)
            for s in session.execute(query, {**params, "ids": ids_value(session, sorted(ids))}):
                found.setdefault(s.claim_id, []).append(s)
        return {claim_id: said_when(timeline_order(them)[0]) for claim_id, them in found.items()}

    supported = firsts(True, claim_ids)
    return supported, firsts(False, set(claim_ids) - set(supported))


@functools.cache  # built once per process
def _first_said_query(dialect: str, known_at: bool, supporting: bool):
    """``_first_support``'s statement: the stances (asserting or confirming, if
    ``supporting``) that count on the claims in ``:ids``, known at ``:known_at``."""
    from claimtrack.vocabulary import SUPPORT

    query = select(Stance.id, Stance.claim_id, Stance.party_id, Stance.said_at,
                   Stance.said_offset, Stance.said_precision, Stance.said_until,
                   Stance.recorded_at)  # fmt: skip
    query = query.where(*Selection.of_shape(False, known_at).counts(Stance, bound=True))
    condition = Stance.kind.in_(SUPPORT) if supporting else true()
    return query.where(condition, named_one_of(dialect, Stance.claim_id, "ids"))


def _period_changes(claim_id: int, text: str, history: list, within, stances: dict,
                    said_in) -> list[ChangeRow]:  # fmt: skip
    """A claim first spoken of in the window ("new claim": its first status began in it,
    none standing at its start; one first said contested is "newly contested"), its
    contested periods begun or ended in it, and its retraction in it ("retracted": its
    supporters withdrew it, and it was not contested then). A period begun by a stance on
    the claim said in the window (``said_in``: the stance as read, or None) is that
    stance's row, with its quote, under the period's change; where ``stances`` lists it (a
    new stance on a claim contested at the window's end) it is taken out: one row for the
    one stance (a denial listed as "new stance" and again as "newly contested" read as
    two things)."""
    from claimtrack.listings import ChangeRow

    def began(period, change: str) -> ChangeRow:
        listed = stances.get(period.began_stance)
        if listed is not None and listed.claim_id == claim_id:
            del stances[period.began_stance]
            return dataclasses.replace(listed, at=period.since, change=change)
        said = said_in(period.began_stance, claim_id)
        if said is None:
            return ChangeRow(period.since, change, claim_id, text, period.began_by)
        return ChangeRow(period.since, change, claim_id, text, _stance_said(said), said.quote)

    rows = []
    if history and history[0].status != "contested" and within(history[0].since):
        rows.append(began(history[0], "new claim"))
    for before, period in zip([None, *history], history, strict=False):
        if period.status == "contested" and within(period.since):
            rows.append(began(period, "newly contested"))
        # nu19: a claim its own supporters withdrew, never contested (a ministry taking
        # back its toll), was no change at all; once contested it is "dispute resolved".
        withdrawn = period.status == "retracted" and within(period.since)
        if withdrawn and before is not None and before.status != "contested":
            rows.append(began(period, "retracted"))
        if period.status == "contested" and period.until and within(period.until):
            rows.append(ChangeRow(period.until, "dispute resolved", claim_id, text,
                                  f"{period.how} ({period.ended_by})"))  # fmt: skip
    return rows


def _new_stances(session, said: list, contested: set[int], texts) -> dict[int, ChangeRow]:
    """Stances said in the window on the claims contested at its end, by stance id: of
    those ``around`` read (``Around.said``), in the order of the index both backends once
    read them by (``ix_stance_latest``: claim, party, said time, id), as they were listed
    when this was a statement of its own."""
    mine = sorted((x for x in said if x.claim_id in contested),
                  key=lambda x: (x.claim_id, x.party_id, x.said_at, x.id))  # fmt: skip
    instant = schema.stored_instants(session.get_bind().dialect)
    return {x.id: _new_stance_row(instant, x, texts[x.claim_id]) for x in mine}


def _new_stance_row(instant, x, text: str) -> ChangeRow:
    """A stance said in the window (``Around.said``) as a "new stance" row: when it was
    said (``instant``: ``schema.stored_instants``), who took it and how, with its quote."""
    from claimtrack.listings import ChangeRow

    return ChangeRow(When(instant(x.said_at), x.said_offset, x.said_precision), "new stance",
                     x.claim_id, text, _stance_said(x), x.quote)  # fmt: skip


def _stance_said(x) -> str:
    """A stance's ``detail``: who took it and how, with its quote."""
    return f"{x.name} {x.kind}" + (f": “{x.quote}”" if x.quote else "")


def _new_verdicts(session, selection: Selection, start, end) -> list[ChangeRow]:
    from claimtrack.listings import ChangeRow

    query = verdicts_query(Claim.text.label("claim_text"))
    query = query.join(schema.claim, Claim.id == Verdict.claim_id)
    # The last window ends at the as-of (if any): a bound SQLite's planner needs to see.
    query = query.where(verdict_published_within(Verdict, start, end or selection.as_of))
    query = query.where(*selection.published(Verdict))
    if selection.topic:
        query = query.where(Claim.topic == selection.topic)
    # In id order, as ``_new_stances``: the same order on every backend. Sorted here: asked
    # of SQLite, it would read every verdict in id order rather than the window's by index.
    return [
        ChangeRow(verdict_published(v), "verdict", v.claim_id, v.claim_text,
                  f"{verdict_info(v)} by {v.created_by}")
        for v in sorted(session.execute(query), key=lambda v: v.id)
    ]  # fmt: skip
