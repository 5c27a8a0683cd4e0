"""`export csv --per claim` reads its cells from the database (``report.export_rows``):
the same bytes as rendering ``report.claims`` (the rows the contested report still uses),
for every selection, on both backends. The XLSX export reads the same cells with each time
a ``When`` (``whens=True``)."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import stored_as_before

from claimtrack import render, report
from claimtrack.cli.export import export
from claimtrack.cli.report import build_selection
from claimtrack.db import read_session
from claimtrack.selection import Selection

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

# Each line: the options of one export, compared byte for byte with the rows rendered.
OPTIONS = [
    [],
    ["--topic", "islamabad-talks-2026"],
    ["--status", "contested"],
    ["--status", "denied", "--sort", "id"],
    ["--party", "Iran"],
    ["--party", "Iran", "--side", "against"],
    ["--party", "United States", "--side", "for", "--sort", "since"],
    ["--since", "2026-04-12", "--until", "2026-04-14"],
    ["--as-of", "2026-04-11"],
    ["--as-of", "2026-04-12T12:00+03:30", "--status", "contested"],
    ["--known-at", "2030-01-01"],
    ["--known-at", "2026-01-01"],
    ["--search", "美国"],
    ["--anonymous"],
    ["--unrated"],
    ["--between-sides"],
    ["--sort", "id", "--limit", "7"],
    ["--raw"],
    ["--no-bom", "--topic", "hostile"],
]


def _old_bytes(engine, args: list[str]) -> str:
    """The export as it was written before: ``report.claims`` rendered by CLAIM_EXPORT."""
    params = export.commands["csv"].make_context("csv", list(args)).params
    for name in ("out", "per"):
        params.pop(name)
    bom, raw = not params.pop("no_bom"), params.pop("raw")
    out = io.StringIO()
    with read_session(engine) as session:
        selection = build_selection(session, **params)
        rows = report.claims(session, selection, detail=True, history=True)
        render.write_csv(render.CLAIM_EXPORT, rows, out, bom=bom, raw=raw)
    return out.getvalue()


def _hostile(run, engine) -> None:
    """What the generated archives lack: day and minute stances that overlap, voids, a
    merge, retractions, counter-claims, a stance recorded after one it was said before,
    verdicts, CJK, control characters, formulas."""

    def ok(*args: str) -> str:
        result = run(*args)
        assert result.exit_code == 0, result.output
        return result.stdout.strip()

    ok("party", "add", "=cmd|' /C calc'!A0", "--kind", "government")
    ok("party", "add", "红色", "--kind", "person", "--for", "=cmd|' /C calc'!A0")
    stored_as_before(engine, "红色", "\x1b[31m红色\x07")  # a new name with controls is refused
    first = ok("claim", "add", "+1 destroyers =SUM(A1) 美国\x01", "--topic", "hostile",
               "--by", "=cmd|' /C calc'!A0", "--at", "2026-04-12", "--tz", "+03:30",
               "--quote", "@everyone -look", "--url", "https://x.example/1")  # fmt: skip
    ok("claim", "deny", first, "--by", "\x1b[31m红色\x07", "--at", "2026-04-12T10:15+03:30",
       "--quote", "-不是\ttab", "--url", "https://x.example/2")  # fmt: skip
    ok("claim", "confirm", first, "--by", "Iran", "--at", "2026-04-12T10:15+03:30",
       "--quote", "=1+1")  # fmt: skip
    counter = ok("claim", "counter", first, "123456789012345678", "--by", "United States",
                 "--at", "2026-04-12", "--tz", "-05:00", "--quote", "“quoted”")  # fmt: skip
    ok("claim", "retract", first, "--by", "Iran", "--at", "2026-04-13T09:00Z")
    ok("claim", "deny", counter, "--by", "Iran", "--at", "2026-04-13", "--tz", "+03:30")
    ok("claim", "dispute", first, "--by", "Pakistan", "--at", "2026-04-13T23:00-05:00")
    dup = ok("claim", "add", "+1 destroyers =SUM(A1) 美国 (again)", "--topic", "hostile",
             "--by", "Israel", "--at", "2026-04-12T08:00+03:00", "--force")  # fmt: skip
    ok("claim", "merge", dup, first)
    ok("verdict", "set", first, "--rating", "=Pants on fire", "--as", "false")
    ok("verdict", "set", first, "--rating", "Misleading \x07", "--as", "mostly-false")
    ok("verdict", "set", "asset-unfreeze", "--rating", "Unproven")
    with engine.connect() as connection:
        stances = connection.execute(sa.text("SELECT id FROM stance ORDER BY id")).scalars().all()
    for stance_id in (stances[2], stances[-3]):
        ok("stance", "void", str(stance_id), "--reason", "recorded wrong")
    # Recorded after the dispute, said before it: Pakistan's latest position is still the
    # dispute (said order), not the confirmation (the later id).
    ok("claim", "confirm", first, "--by", "Pakistan", "--at", "2026-04-13T08:00Z")


@pytest.fixture
def seeded(run, engine):
    assert run("seed").exit_code == 0
    _hostile(run, engine)
    return run


@pytest.mark.parametrize("args", OPTIONS, ids=lambda a: " ".join(a) or "all")
def test_export_rows_match_the_rendered_rows(seeded, engine, args):
    new = seeded("export", "csv", *args)
    assert new.exit_code == 0, new.output
    assert new.stdout_bytes == _old_bytes(engine, args).encode()


def test_a_generated_archive_exports_the_same_bytes(run, engine, db_url):
    from generate import generate

    generate(db_url.render_as_string(False), 300, progress=lambda *a: None,
             now=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))  # fmt: skip
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM claim")).scalar() == 300
    for args in ([], ["--status", "contested", "--sort", "since"], ["--party", "Government 3"],
                 ["--as-of", "2024-03-01"], ["--sort", "id", "--limit", "40"]):  # fmt: skip
        new = run("export", "csv", *args)
        assert new.exit_code == 0, new.output
        assert new.stdout_bytes == _old_bytes(engine, args).encode(), args
        assert new.stdout_bytes.count(b"\r\n") > 1


def test_include_resolved_keeps_the_claims_that_were_contested(seeded, engine):
    """``report contested --include-resolved`` filters on the history, then limits."""
    selection = Selection(status="contested", include_resolved=True, limit=3)
    with read_session(engine) as session:
        old = [render.CLAIM_EXPORT.text_row(r)
               for r in report.claims(session, selection, detail=True, history=True)]  # fmt: skip
        new = list(report.export_rows(session, selection))
    assert len(new) == 3
    assert [[render._flat_text(c) for c in row] for row in old] == new


@pytest.mark.parametrize("args", [*OPTIONS[:-2], ["--topic", "hostile"]],
                         ids=lambda a: " ".join(a) or "all")  # fmt: skip
def test_xlsx_cells_match_the_rendered_rows(seeded, engine, args):
    """The XLSX export's claims and contested sheets: ``export_rows`` with each time a
    ``When`` gives the flat cells ``report.claims`` rendered, times and all."""
    from dataclasses import replace

    from claimtrack.times import When

    params = export.commands["xlsx"].make_context("xlsx", [*args, "--out", "x.xlsx"]).params
    params.pop("out")
    params.pop("skip_long")  # how the workbook is written, not which rows
    with read_session(engine) as session:
        selection = build_selection(session, **params)
        for chosen in (selection, replace(selection, status="contested")):
            rows = report.claims(session, chosen, detail=True, history=True)
            old = list(render.flat_cells(render.CLAIM_EXPORT, rows))
            new = list(report.export_rows(session, chosen, whens=True))
            assert new == old
            assert any(isinstance(c, When) for row in new for c in row) or not new


def test_said_texts_are_whens_texts(seeded, engine):
    """``times.said_texts`` cuts a UTC time from its stored text: the same characters as
    ``When`` makes, for every stance's said time as each backend stores it, and for the
    precisions, offsets and years the stored stances lack."""
    from claimtrack import schema
    from claimtrack.times import When, said_texts

    s = schema.stance.c
    raw = schema.as_stored
    query = sa.select(raw(s.said_at), s.said_at.label("at"), s.said_offset,
                      raw(s.said_precision))  # fmt: skip
    with engine.connect() as connection:
        stored = connection.execute(query).all()
    assert {r[2] for r in stored} >= {0, 210, -300}  # the story's offsets, UTC among them
    utc = dt.UTC
    made = [
        (stored_at, When(at, offset, precision))
        for stored_at, at, offset, precision in stored
    ] + [
        (at.replace(tzinfo=None) if engine.dialect.name == "postgresql"
         else at.replace(tzinfo=None).isoformat(" ", "microseconds"), When(at, offset, precision))
        for at in (dt.datetime(2026, 4, 12, 8, 30, 15, tzinfo=utc),
                   dt.datetime(999, 12, 31, 23, 59, tzinfo=utc),
                   dt.datetime(2026, 1, 1, tzinfo=utc))
        for offset in (0, 330, -300)
        for precision in ("day", "minute", "second")
    ]  # fmt: skip
    for stored_at, when in made:
        assert said_texts(stored_at, when.offset_minutes, when.precision) == (
            when.isoformat(),
            when.zone,
            str(when),
        ), stored_at


@pytest.mark.parametrize("as_of, known_at", [(False, False), (True, False), (False, True)])
def test_scoped_rule_with_ids_bound_as_one_value(seeded, engine, as_of, known_at):
    """``rule.views(scoped=True, ids_bound=dialect)`` (what the export's sides statement
    runs once per batch) places the same parties on the same sides as the expanding lists
    of ``scoped``, for a few claims and for all (their counter-claims in scope)."""
    from claimtrack import rule
    from claimtrack.links import counter_claims_of, ids_value

    params = {}
    if as_of:
        params["as_of"] = dt.datetime(2026, 4, 12, 12, tzinfo=dt.UTC)
    if known_at:
        params["known_at"] = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    dialect = engine.dialect.name

    def sides(views) -> sa.Select:
        c = views.claim_sides.c
        return sa.select(c.claim_id, c.party_id, c.side, c.kind, c.counter_claim_id,
                         c.stance_id).order_by(*c)  # fmt: skip

    with read_session(engine) as session:
        every = session.execute(sa.text("SELECT id FROM claim ORDER BY id")).scalars().all()
        for ids in (every[:3], every):
            counters = counter_claims_of(session, ids)
            scope = sorted(set(ids).union(*counters.values()))
            listed = session.execute(
                sides(rule.views(as_of, scoped=True, known_at=known_at)),
                {**params, "scope": scope},
            ).all()
            bound = session.execute(
                sides(rule.views(as_of, scoped=True, known_at=known_at, ids_bound=dialect)),
                {**params, "scope": ids_value(session, scope)},
            ).all()
            assert bound == listed
            assert {r[0] for r in listed} & set(ids)
            assert any(r[4] is not None for r in listed) or ids != every  # counter-claims


def test_a_claims_times_keep_the_offset_of_its_own_stance(run, engine):
    """nu15 #2: the New York Times' report and Podolyak's counter-claim said at one
    instant, each in its own offset. Each claim's first report and last activity are shown
    as said on that claim, not in the zone of the stance on its counter-claim (recorded
    later); the report and the export agree."""
    import csv
    import json

    def ok(*args: str) -> str:
        result = run(*args)
        assert result.exit_code == 0, result.output
        return result.stdout.strip()

    claim = ok("claim", "add", "A pro-Ukrainian group sabotaged Nord Stream", "--topic", "ns",
               "--by", "The New York Times", "--at", "2023-03-07T12:00-05:00",
               "--create-missing")  # fmt: skip
    counter = ok("claim", "counter", claim, "Ukraine had nothing to do with the attack",
                 "--by", "Mykhailo Podolyak", "--at", "2023-03-07T19:00+02:00",
                 "--create-missing")  # fmt: skip
    expected = {int(claim): "-05:00", int(counter): "+02:00"}
    rows = json.loads(ok("report", "claims", "--format", "json"))
    assert {r["id"]: r["last_activity_tz"] for r in rows} == expected
    exported = run("export", "csv", "--no-bom")
    assert exported.stdout_bytes == _old_bytes(engine, ["--no-bom"]).encode()
    cells = list(csv.DictReader(io.StringIO(exported.stdout)))
    for key in ("first_reported_tz", "last_activity_tz"):
        assert {int(r["claim_id"]): r[key].lstrip("'") for r in cells} == expected, key
    # The contested period began with the counter-claim: said in Kyiv, on both.
    assert {r["contested_since_tz"].lstrip("'") for r in cells} == {"+02:00"}
