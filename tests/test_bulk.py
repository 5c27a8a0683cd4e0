"""The bulk CSV import (claimtrack/bulk.py): what it keeps in memory, the rows it writes,
the lines it names, and the stored state it leaves, on both backends."""

from __future__ import annotations

import datetime as dt
import tracemalloc

import pytest
import sqlalchemy as sa
from conftest import snapshot

from claimtrack import bulk, state
from claimtrack.db import write_session
from claimtrack.progress import ignore

MINIMAL = "claim,party,stance,source,date\n"
FULL = "topic,claim_ref,claim,party,party_kind,party_aliases,stance,said_at,said_tz,recorded_at\n"


def _minimal(rows: int, *, bad: dict[int, str] | None = None) -> str:
    """``rows`` stances on rows // 2 claims by 40 parties in 280 sources, line n + 2 for
    row n; ``bad`` replaces whole lines (by line number)."""
    lines = [f"claim {n // 2},Party {n % 40},{'asserts' if n % 2 else 'denies'},"
             f"Report {n % 280},2026-04-{10 + n % 5}" for n in range(rows)]  # fmt: skip
    for line, text in (bad or {}).items():
        lines[line - 2] = text
    return MINIMAL + "\n".join(lines) + "\n"


def _count(engine, sql: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(sql)).scalar()


def test_times_are_staged_as_sqlalchemy_stores_them():
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    store = sa.DateTime().dialect_impl(dialect).bind_processor(dialect)
    zone = dt.timezone(dt.timedelta(hours=5, minutes=30))
    for value in (dt.datetime(2026, 4, 11, tzinfo=dt.UTC),
                  dt.datetime(2026, 4, 11, 8, 30, 15, 123456, tzinfo=zone),
                  dt.datetime(2, 1, 1, 5, 30, tzinfo=zone)):  # fmt: skip
        naive = value.astimezone(dt.UTC).replace(tzinfo=None)
        assert bulk._stored(value) == store(naive)


def test_a_bad_row_deep_in_a_big_file_imports_nothing_and_names_its_line(run, engine, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(_minimal(30_000, bad={25_002: "claim x,Party 1,asserts,,2026-02-30"}))
    before = snapshot(engine)
    result = run("import", "csv", str(path))
    assert result.exit_code == 1, result.output
    assert "1 bad row(s), nothing imported" in result.output
    assert "line 25002: not a date: '2026-02-30'" in result.output
    assert snapshot(engine) == before


def test_a_clash_with_the_database_deep_in_a_file_names_its_line(run, engine, tmp_path):
    assert run("claim", "add", "Bridge closed", "--by", "Iran", "--create-missing",
               "--slug", "bridge").exit_code == 0  # fmt: skip
    rows = [f"t,c{n},claim {n},Party {n % 9},person,,asserts,2026-04-11,+00:00,"
            for n in range(3000)]  # fmt: skip
    rows[2500] = "t,BRIDGE,Another claim,Party 1,person,,asserts,2026-04-11,+00:00,"
    rows[2800] = "t,c1,claim 1,Iran,anonymous,,asserts,2026-04-11,+00:00,"
    path = tmp_path / "clash.csv"
    path.write_text(FULL + "\n".join(rows) + "\n")
    before = snapshot(engine)
    result = run("import", "csv", str(path))
    assert result.exit_code == 1, result.output
    # A party of the file that is another party's kind: found while resolving.
    assert ("line 2802: party_kind anonymous: 'Iran' is a named party (kind person) in the "
            "database" in result.output)  # fmt: skip
    assert snapshot(engine) == before
    rows[2800] = "t,c1,claim 1,Party 1,person,,asserts,2026-04-11,+00:00,"
    path.write_text(FULL + "\n".join(rows) + "\n")
    result = run("import", "csv", str(path))
    # A new claim whose slug another claim has: found when the claims are matched.
    assert "line 2502: slug 'bridge' is taken by another claim" in result.output
    assert snapshot(engine) == before


def test_errors_are_listed_up_to_a_limit_and_counted(tmp_path):
    errors = bulk.Errors(tmp_path / "x.csv")
    for line in range(2, 5002):
        errors.add(line, "bad")
    assert errors.count == 5000 and len(errors.listed) == bulk.MAX_LISTED_ERRORS
    with pytest.raises(bulk.ClaimtrackError) as refused:
        errors.check()
    message = str(refused.value)
    assert "5000 bad row(s)" in message and "line 21: bad" in message
    assert "line 22:" not in message and "... and 4980 more" in message


def _read_peak(session, path) -> tuple[int, bulk._Reading]:
    """The most memory Python held while reading (and staging) a file."""
    load = bulk._Load(session, path, "test-editor")
    with bulk.CsvFile(path) as source:
        tracemalloc.start()
        try:
            reading = bulk._Reading(load.connection, source.columns, load.errors)
            reading.read(source, ignore)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    load.drop()
    return peak, reading


def test_reading_holds_the_same_memory_for_four_times_the_rows(session, tmp_path, monkeypatch):
    """Rows, claims and sources are staged in the database a batch at a time: what stays
    in memory is the parties (40 here) and the sources seen lately (at most a batch)."""
    monkeypatch.setattr(bulk, "BATCH", 1000)  # the same, ten times smaller and faster
    peaks = []
    # The first read fills SQLAlchemy's statement caches, whose size depends on which
    # tests ran before in this process: it is a warm-up, not a measurement.
    for rows in (2 * bulk.BATCH, 2 * bulk.BATCH, 8 * bulk.BATCH):
        path = tmp_path / f"{rows}.csv"
        path.write_text(_minimal(rows))
        peak, reading = _read_peak(session, path)
        assert reading.count == rows
        assert len(reading.numbers) == 40 and len(reading.sources) == 280
        assert not reading.rows.pending and not reading.claims.pending
        peaks.append(peak)
        session.rollback()
    assert peaks[2] < peaks[1] * 1.25, peaks


def _cycling_sources(rows: int) -> str:
    """``rows`` stances naming 20 sources (20 titles, of 4 outlets) in turns, each source
    again 20 rows after it was last named, by the party that first named it (its outlet)."""
    lines = [f"claim {n},Party {n % 4},asserts,Report {n % 20},2026-04-11" for n in range(rows)]
    return MINIMAL + "\n".join(lines) + "\n"


def test_a_source_named_again_after_the_reader_forgot_it_is_staged_once(
    session, tmp_path, monkeypatch
):
    monkeypatch.setattr(bulk, "BATCH", 5)  # the reader remembers 5 sources; the file has 20
    path = tmp_path / "sources.csv"
    path.write_text(_cycling_sources(100))
    load = bulk._Load(session, path, "test-editor")
    with bulk.CsvFile(path) as source:
        reading = bulk._Reading(load.connection, source.columns, load.errors)
        assert reading.read(source, ignore) == 100
    assert len(reading.sources) == 5
    staged = load.connection.execute(sa.select(bulk._source.c.outlet, bulk._source.c.line)
                                     .order_by(bulk._source.c.line)).all()  # fmt: skip
    # Each source once, staged by the first row that names it (line n + 2 for row n).
    assert [line for _, line in staged] == list(range(2, 22))
    load.drop()


def test_sources_named_in_turns_are_each_one_source(run, engine, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH", 5)
    path = tmp_path / "sources.csv"
    path.write_text(_cycling_sources(100))
    result = run("import", "csv", str(path))
    assert result.exit_code == 0, result.output
    assert "20 sources, 100 claims, 100 stances" in result.output
    said = (
        "SELECT c.text, p.name, s.title FROM stance st JOIN claim c ON c.id = st.claim_id "
        "JOIN party p ON p.id = st.party_id JOIN source s ON s.id = st.source_id "
        "JOIN party o ON o.id = s.outlet_id WHERE o.id = p.id ORDER BY st.id"
    )
    with engine.connect() as connection:
        rows = connection.execute(sa.text(said)).all()
    assert rows == [(f"claim {n}", f"Party {n % 4}", f"Report {n % 20}") for n in range(100)]


def test_every_row_is_one_stance_in_claim_order_and_a_second_import_adds_none(
    run, engine, tmp_path
):
    # Claims named in turns, not one after the other: each is still created once, in the
    # order the file first names it, and its stances get ids claim by claim.
    lines = [f"claim {n % 3},Party {n},asserts,,2026-04-{10 + n // 3}" for n in range(12)]
    path = tmp_path / "turns.csv"
    path.write_text(MINIMAL + "\n".join(lines) + "\n")
    result = run("import", "csv", str(path))
    assert result.exit_code == 0, result.output
    assert "Imported 12 row(s)" in result.output and "3 claims, 12 stances" in result.output
    with engine.connect() as connection:
        claims = connection.execute(sa.text("SELECT id, text FROM claim ORDER BY id")).all()
        stances = connection.execute(sa.text(
            "SELECT s.id, c.text, p.name FROM stance s JOIN claim c ON c.id = s.claim_id "
            "JOIN party p ON p.id = s.party_id ORDER BY s.id")).all()  # fmt: skip
    assert [text for _, text in claims] == ["claim 0", "claim 1", "claim 2"]
    assert [s.id for s in stances] == list(range(stances[0].id, stances[0].id + 12))
    expected = [(f"claim {n % 3}", f"Party {n}") for n in sorted(range(12), key=lambda n: n % 3)]
    assert [(s.text, s.name) for s in stances] == expected
    again = run("import", "csv", str(path))
    assert "nothing new (12 stance(s) already present)" in again.output
    assert _count(engine, "SELECT count(*) FROM stance") == 12


def test_a_stance_given_twice_is_recorded_once(run, engine, tmp_path):
    run("party", "add", "JD Vance", "--alias", "万斯", "--kind", "person")
    path = tmp_path / "twice.csv"
    path.write_text(MINIMAL + "Talks resume,JD Vance,asserts,,2026-04-11\n"
                    "Other claim,JD Vance,asserts,,2026-04-11\n"
                    "Talks resume,万斯,assert,,2026-04-11\n"  # the same party, by its alias
                    "Talks resume,JD Vance,asserts,,2026-04-11T00:00+00:00\n")  # fmt: skip
    result = run("import", "csv", str(path))
    assert result.exit_code == 0, result.output
    assert "2 claims, 2 stances (2 stance(s) already present)" in result.output
    assert _count(engine, "SELECT count(*) FROM stance") == 2


def test_a_long_claim_named_twice_is_one_claim(run, engine, tmp_path):
    text = "伊朗 " * 5000  # the minimal format names a claim by its topic and text
    path = tmp_path / "long.csv"
    path.write_text(MINIMAL + f"{text},Iran,asserts,,2026-04-11\nShort,Iran,asserts,,2026-04-11\n"
                    f"{text},US,denies,,2026-04-12\n")  # fmt: skip
    result = run("import", "csv", str(path))
    assert result.exit_code == 0, result.output
    assert "2 claims, 3 stances" in result.output
    assert _count(engine, "SELECT count(*) FROM claim") == 2


def test_a_party_is_found_by_its_id(run, engine, tmp_path):
    assert run("party", "add", "Iran", "--kind", "government").exit_code == 0
    path = tmp_path / "ids.csv"
    path.write_text(MINIMAL + "Talks resume,1,asserts,,2026-04-11\n")
    result = run("import", "csv", str(path))
    assert result.exit_code == 0 and "1 claim, 1 stance" in result.output
    assert _count(engine, "SELECT count(*) FROM party") == 1


def _history(engine) -> tuple[list, list]:
    from claimtrack.schema import claim_history, claim_state

    columns = [c for c in claim_history.c if c.name != "id"]
    with engine.connect() as connection:
        history = sorted(connection.execute(sa.select(*columns)).all(), key=repr)
        current = connection.execute(sa.select(claim_state).order_by(claim_state.c.claim_id)).all()
    return history, current


# The seed's claim asset-unfreeze, as a row naming it by its slug must give it.
UNFREEZE = (
    '"The US has agreed to unfreeze Iran\'s overseas assets in Qatar and other foreign banks."'
)


def test_the_stored_state_after_an_import_equals_a_replay_from_scratch(run, engine, tmp_path):
    """Stances imported with their own recording times rewrite the past of the claims
    they touch, seeded ones included: what the import stores is what replaying every
    claim from its stances gives."""
    assert run("seed").exit_code == 0
    rows = [
        f"islamabad-talks-2026,asset-unfreeze,{UNFREEZE},Pakistan,government,,denies,2026-04-12,"
        "+05:00,2026-04-12T09:00:00+00:00",
        f"islamabad-talks-2026,asset-unfreeze,{UNFREEZE},Iran,government,,confirms,2026-04-13,"
        "+03:30,2026-04-14T09:00:00+00:00",
        't,new-claim,A new claim,Alpha Ministry,government,"[""Alpha""]",asserts,'
        "2026-04-10,+00:00,2026-04-10T12:00:00+00:00",
        "t,new-claim,A new claim,Beta Agency,agency,,denies,2026-04-11,+00:00,",
    ]
    path = tmp_path / "past.csv"
    path.write_text(FULL + "\n".join(rows) + "\n")
    result = run("import", "csv", str(path))
    assert result.exit_code == 0, result.output
    assert "4 stances" in result.output
    stored = _history(engine)
    with write_session(engine) as session:
        state.rebuild(session)
        session.commit()
    assert _history(engine) == stored


def test_progress_is_told_every_byte(session, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(_minimal(3 * bulk.BATCH + 5))
    told, notes = [], []

    def advance(n, note=None):
        told.append(n)
        notes.append(note)

    load = bulk._Load(session, path, "test-editor")
    with bulk.CsvFile(path) as source:
        reading = bulk._Reading(load.connection, source.columns, load.errors)
        assert reading.read(source, advance) == 3 * bulk.BATCH + 5
    # bytes, the unit of the bar's length (the file's size), with the rows beside them
    assert len(told) == 3 * bulk.BATCH // bulk.SHOW_EVERY + 1
    assert sum(told) == path.stat().st_size
    assert notes[0] == f"{bulk.SHOW_EVERY:,} rows" and notes[-1] == f"{3 * bulk.BATCH + 5:,} rows"


def test_an_import_into_an_empty_database_is_rebuilt_whole_as_a_replay_gives_it(
    run, engine, tmp_path, monkeypatch
):
    """Into an empty database the stances go in with their indexes set aside and built
    after, and every claim is re-rated from scratch (here from the first claim on, as at
    scale): the indexes are the same after, every claim is sketched as ``claim add``
    sketches it, and the stored state is what a rebuild from the stances gives."""
    from claimtrack.similar import sketch_rows

    seeded = tmp_path / "seeded.db"
    assert run("--db", str(seeded), "seed", db=False).exit_code == 0
    exported = tmp_path / "seeded.csv"
    argv = ["--db", str(seeded), "export", "csv", "--per", "stance", "--out", str(exported)]
    assert run(*argv, db=False).exit_code == 0

    def indexes():
        inspector = sa.inspect(engine)
        return {t: sorted(inspector.get_indexes(t), key=repr) for t in ("stance", "claim_history")}

    before = indexes()
    monkeypatch.setattr(state, "REBUILD_ABOVE", 0)
    result = run("import", "csv", str(exported))
    assert result.exit_code == 0, result.output
    assert "23 claims, 30 stances" in result.output
    assert indexes() == before
    with engine.connect() as connection:
        claims = connection.execute(sa.text("SELECT id, topic, text_norm FROM claim")).all()
        sketched = connection.execute(sa.text("SELECT topic_key, gram, claim_id FROM claim_sketch"))
        assert sorted(sketched) == sorted(
            (r["topic_key"], r["gram"], r["claim_id"]) for c in claims for r in sketch_rows(*c)
        )
    derived = ("claim_state", "claim_history", "party_claim", "party_counter", "party_tally",
               "party_total", "side_claim", "side_total")  # fmt: skip

    def stored():
        tables = snapshot(engine)
        tables["claim_history"] = sorted(row[1:] for row in tables["claim_history"])  # no id
        return {name: tables[name] for name in derived}

    imported = stored()
    assert imported["claim_history"] and imported["party_tally"]
    with write_session(engine) as session:
        state.rebuild(session)
        session.commit()
    assert stored() == imported


def _keys_and_indexes(engine) -> list[tuple]:
    """Every foreign key and index the schema defines, as the database describes it."""
    if engine.dialect.name == "postgresql":
        sql = ("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
               "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace "
               "UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes "
               "WHERE schemaname = current_schema() ORDER BY 1, 2, 3")  # fmt: skip
    else:
        sql = "SELECT tbl_name, name, sql FROM sqlite_master ORDER BY 1, 2"
    with engine.connect() as connection:
        return connection.execute(sa.text(sql)).all()


def test_a_first_import_leaves_the_keys_and_indexes_as_they_were(run, engine, tmp_path):
    # Into an empty database the indexes (on PostgreSQL, the foreign keys too) of the
    # tables it fills are set aside and made again after: the same, and enforced.
    before = _keys_and_indexes(engine)
    assert any("FOREIGN KEY" in (row[2] or "").upper() or "REFERENCES" in (row[2] or "")
               for row in before)  # fmt: skip
    path = tmp_path / "first.csv"
    path.write_text(_minimal(50))
    result = run("import", "csv", str(path))
    assert result.exit_code == 0, result.output
    assert _keys_and_indexes(engine) == before
    with engine.connect() as connection, pytest.raises(sa.exc.IntegrityError):
        connection.execute(sa.text("INSERT INTO claim_sketch (topic_key, gram, claim_id) "
                                   "VALUES (1, 1, 999999)"))  # fmt: skip


def test_an_import_that_changes_a_partys_side_keeps_the_side_counts(run, engine, tmp_path):
    """A CSV row giving a party of no side a ``party_for`` moves the party, and the claims
    it spoke on, to that side; the kept per-side counts (``side_claim``, ``side_total``)
    follow, equal to a recount, each claim once per side. (A party of another side is
    not moved: a bad row, tests/test_import.py.)"""
    from claimtrack.db import read_session
    from claimtrack.report import side_counts

    def asserted():
        with read_session(engine) as session:
            kept = side_counts(session)
            assert kept == side_counts(session, recount=True)
            return {r.name: r.asserted for r in kept if r.asserted}

    head = "topic,claim_ref,claim,party,party_kind,party_aliases,party_for,stance,said_at,said_tz\n"
    first = tmp_path / "first.csv"
    sides = (("Vance", "US"), ("Rubio", ""))  # Rubio: his own side
    first.write_text(head + "".join(f"t,c1,talks went on,{name},person,,{side},asserts,"
                                    "2026-04-11,+00:00\n" for name, side in sides))  # fmt: skip
    result = run("import", "csv", str(first))
    assert result.exit_code == 0, result.output
    assert asserted() == {"US": 1, "Rubio": 1}
    second = tmp_path / "second.csv"
    second.write_text(head + "t,c2,bridge closed,Rubio,person,,UK,asserts,2026-04-12,+00:00\n")
    result = run("import", "csv", str(second))
    assert result.exit_code == 0, result.output
    assert asserted() == {"US": 1, "UK": 2}  # Rubio's two claims, with him


@pytest.mark.parametrize("bad", [False, True])
def test_sqlites_heap_is_bounded_during_an_import_and_given_back_after(
    session, engine, tmp_path, bad
):
    """The import bounds SQLite's memory (a process-wide setting) and puts back what the
    process had, whether the import succeeds or is refused."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's memory is the server's")
    raw = session.connection().connection.driver_connection
    raw.execute("PRAGMA soft_heap_limit = 123456789")
    path = tmp_path / "rows.csv"
    path.write_text(_minimal(20, bad={5: "x,y,not-a-stance,,2026-04-10"} if bad else None))
    seen = []

    def advance(n=1, note=None):
        seen.append(raw.execute("PRAGMA soft_heap_limit").fetchone()[0])

    class Watching:
        def phase(self, *args, **kwargs):
            import contextlib

            return contextlib.nullcontext(advance)

    try:
        with bulk.CsvFile(path) as source:
            bulk.import_csv(session, source, editor="t", label="t", progress=Watching())
    except bulk.ClaimtrackError:
        assert bad
    assert seen and set(seen) == {bulk.SQLITE_HEAP}
    assert raw.execute("PRAGMA soft_heap_limit").fetchone()[0] == 123456789
    raw.execute("PRAGMA soft_heap_limit = 0")


def test_a_small_import_into_a_big_table_leaves_its_statistics_to_autovacuum(run, engine, tmp_path):
    """PostgreSQL: an import analysed claim, source, stance and claim_link whatever it
    wrote: a three-row file into a 1M-claim archive re-sampled 2.7M stances, 1.5-3 s of
    wall (P11). A table is analysed when the load wrote a tenth of the rows its
    statistics count, or when they count none (a new database): ``reltuples``, which
    only ANALYZE (or VACUUM) sets, tells which. SQLite keeps no such statistics."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no ANALYZE of its own in an import")

    def counted() -> float:
        return _count(engine, "SELECT reltuples FROM pg_class WHERE oid = 'stance'::regclass")

    first = tmp_path / "first.csv"
    first.write_text(_minimal(400))
    assert run("import", "csv", str(first)).exit_code == 0
    assert counted() == 400  # a new database: analysed
    small = tmp_path / "small.csv"
    small.write_text(MINIMAL + "one more,Party 1,asserts,,2026-05-01\n"
                     "one more,Party 2,denies,,2026-05-02\n"
                     "two more,Party 3,asserts,,2026-05-02\n")  # fmt: skip
    assert run("import", "csv", str(small)).exit_code == 0
    assert _count(engine, "SELECT count(*) FROM stance") == 403
    assert counted() == 400  # three rows of 403: left as they were
    big = tmp_path / "big.csv"
    big.write_text(MINIMAL + "".join(f"claim b{n},Party {n % 9},asserts,,2026-05-03\n"
                                     for n in range(60)))  # fmt: skip
    assert run("import", "csv", str(big)).exit_code == 0
    assert counted() == 463  # sixty of 463: analysed
