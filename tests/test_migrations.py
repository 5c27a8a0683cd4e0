"""Models and migrations agree, and the chain goes up, down and up again on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from conftest import snapshot

from claimtrack import db


def test_schema_head_constant_matches_the_migrations():
    script = ScriptDirectory.from_config(db.alembic_config())
    assert script.get_current_head() == db.SCHEMA_HEAD


def test_migrations_found_from_a_checkout_without_the_subpackage(monkeypatch):
    """A checkout's claimtrack run with a non-editable install (bench/generate.py puts the
    checkout first on sys.path) has no claimtrack.migrations: the checkout's own folder."""
    from pathlib import Path

    from claimtrack import bundled

    root = Path(bundled.__file__).resolve().parent.parent
    if not (root / "pyproject.toml").is_file():
        import pytest

        pytest.skip("claimtrack is not running from a checkout")
    monkeypatch.setattr(bundled.importlib.util, "find_spec", lambda name: None)
    assert bundled.folder("migrations") == root / "migrations"
    assert bundled.folder("seeds") == root / "seeds"
    script = ScriptDirectory.from_config(db.alembic_config())
    assert script.get_current_head() == db.SCHEMA_HEAD


def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as connection:
        command.check(db.alembic_config(connection))  # raises on any difference


def test_upgrade_downgrade_upgrade(db_url):
    engine = db.create_engine(db_url)
    try:
        db.upgrade(engine)
        with engine.connect() as connection:
            assert db.current_revision(connection) == db.SCHEMA_HEAD
            assert "contested_claims" in sa.inspect(connection).get_view_names()
        db.downgrade(engine, "base")
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            assert set(inspector.get_table_names()) <= {"alembic_version"}
            assert inspector.get_view_names() == []
        db.upgrade(engine)
        with engine.connect() as connection:
            assert db.current_revision(connection) == db.SCHEMA_HEAD
    finally:
        engine.dispose()


def test_downgrading_a_database_holding_claims_asks_first(run, engine, db_url, tmp_path,
                                                          monkeypatch):  # fmt: skip
    """A new user's story (the Kerch bridge): `db downgrade base` deleted a database's
    every claim without a word. It names the database and its claims and asks at a
    terminal, where "n" or no answer leaves everything as it was and "y" goes on; with
    nobody at a terminal (a script, input piped: Prigozhin's `< /dev/null`, two lines
    ending "Aborted!") it is refused in one line unless --yes is given. A database with
    no claims is not asked about, and a missing SQLite file is an error, not a new
    empty file."""
    from claimtrack.cli import db as db_command

    for text in ("Ships transited", "Ships were expelled"):
        add = run("claim", "add", text, "--by", "Navy", "--create-missing", "--at", "2026-04-11")
        assert add.exit_code == 0, add.output
    before = snapshot(engine)
    refused = run("db", "downgrade", "base", input="y\n")  # no terminal: not asked
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"Error: {db.redact(db_url)} holds 2 claims: downgrading to base removes every "
        "table, and every claim with them; give --yes to go on\n"
    )
    assert snapshot(engine) == before
    monkeypatch.setattr(db_command, "_at_a_terminal", lambda: True)
    for answer in ("", "n\n"):
        declined = run("db", "downgrade", "base", input=answer)
        assert declined.exit_code == 1
        assert "holds 2 claims: downgrading to base removes every table" in declined.stderr
        assert declined.stderr.rstrip().endswith("Aborted!")
        assert snapshot(engine) == before
    engine.dispose()
    stepped = run("db", "downgrade", "0019_quote_case", input="y\n")
    assert stepped.exit_code == 0, stepped.output
    assert "removes what the revisions after 0019_quote_case added" in stepped.stderr
    monkeypatch.undo()
    assert run("db", "upgrade").exit_code == 0
    assert run("db", "downgrade", "base", "--yes").exit_code == 0
    after = db.create_engine(db_url)
    try:
        with after.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
    finally:
        after.dispose()
    emptied = run("db", "downgrade", "base")  # nothing left to lose: not asked
    assert emptied.exit_code == 0 and "Downgrade?" not in emptied.output
    missing = tmp_path / "missing.db"
    gone = run("--db", str(missing), "db", "downgrade", "base", db=False)
    assert gone.exit_code == 1
    assert gone.stderr == f"Error: no database at {missing}: nothing to downgrade\n"
    assert not missing.exists()


def test_sqlite_settings(tmp_path):
    url = db.resolve_url(str(tmp_path / "x.db"))
    engine = db.open_database(url, create=True)
    try:
        with engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("foreign_keys") == 1
            assert pragma("journal_mode") == "wal"
            assert pragma("busy_timeout") == db.SQLITE_BUSY_TIMEOUT_MS
            # claimtrack.schema leaves this option to revision 0008 (see claim_sketch there)
            created = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'claim_sketch'"
            ).scalar()
            assert created.rstrip().endswith("WITHOUT ROWID")
            # ids of parties and sources are never given again (revision 0015), and a
            # fresh database is made through the revisions, so it has them too
            for table in ("party", "source"):
                created = connection.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = ?", (table,)
                ).scalar()
                assert "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT" in created
    finally:
        engine.dispose()
    assert (tmp_path / "x.db").stat().st_mode & 0o777 == 0o600


def test_constraints_hold_in_the_database(engine):
    import pytest
    from sqlalchemy.exc import IntegrityError

    with engine.connect() as connection:
        with pytest.raises(IntegrityError):
            connection.exec_driver_sql(
                "INSERT INTO party (name, name_norm, kind, anonymous, created_at) "
                "VALUES ('x', 'x', 'martian', false, '2026-01-01')"
            )


def test_the_schema_does_not_import_a_dialect():
    """Defining the tables imports no dialect: a PostgreSQL command would otherwise import
    SQLite's too (a dialect option named in a Table makes SQLAlchemy load that dialect)."""
    import subprocess
    import sys

    code = (
        "import sys, claimtrack.models; "
        "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy.dialects.')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = run.stdout.strip()
    assert loaded == "[]"


def _described(connection, table: str) -> dict:
    """A table as the database describes it: columns, keys, checks, unique constraints and
    indexes (not the primary key's name, which SQLite's AUTOINCREMENT form cannot carry)."""
    inspector = sa.inspect(connection)
    return {
        "columns": [(c["name"], str(c["type"]), c["nullable"])
                    for c in inspector.get_columns(table)],
        "pk": inspector.get_pk_constraint(table)["constrained_columns"],
        "fks": sorted((k["name"], tuple(k["constrained_columns"]), k["referred_table"])
                      for k in inspector.get_foreign_keys(table)),
        "checks": sorted((c["name"], c["sqltext"]) for c in inspector.get_check_constraints(table)),
        "uniques": sorted((u["name"], tuple(u["column_names"]))
                          for u in inspector.get_unique_constraints(table)),
        "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                          for i in inspector.get_indexes(table)),
    }  # fmt: skip


def test_ids_never_reused_keeps_every_key_check_and_index(db_url):
    """0015 makes the party and source tables again on SQLite (AUTOINCREMENT): the same
    columns, keys, checks and indexes before, after and after going back; the sequence
    starts past the largest id and past ids the log names as merged away. On PostgreSQL
    it changes nothing."""
    engine = db.create_engine(db_url)
    try:
        db.upgrade(engine, "0014_sides")
        with engine.begin() as connection:
            before = {t: _described(connection, t) for t in ("party", "source")}
            connection.exec_driver_sql(
                "INSERT INTO party (id, name, name_norm, kind, anonymous, created_at) VALUES "
                "(1, 'A', 'a', 'media', false, '2026-04-11 10:00:00'), "
                "(2, 'B', 'b', 'media', false, '2026-04-11 10:00:00')"
            )
            connection.exec_driver_sql(
                "INSERT INTO source (id, outlet_id, title, title_key, created_at) "
                "VALUES (5, 1, 'T', 'k', '2026-04-11 10:00:00')"
            )
            # #3 was added and merged away before the upgrade: the log still names it
            connection.exec_driver_sql(
                "INSERT INTO event (at, editor, action, detail) VALUES "
                "('2026-04-11 10:00:00', 'old', 'party add', '#3 C'), "
                "('2026-04-11 10:00:00', 'old', 'party merge', '#3 C [media] into #2 B: ...')"
            )
            if engine.dialect.name == "postgresql":  # as its sequences would stand
                for table, last in (("party", 3), ("source", 5)):
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})"
                    )
        db.upgrade(engine)
        with engine.begin() as connection:
            assert {t: _described(connection, t) for t in before} == before
            new_party = connection.execute(sa.text(
                "INSERT INTO party (name, name_norm, kind, anonymous, created_at) "
                "VALUES ('D', 'd', 'media', false, '2026-04-11 10:00:00') RETURNING id"
            )).scalar()  # fmt: skip
            new_source = connection.execute(sa.text(
                "INSERT INTO source (outlet_id, title, title_key, created_at) "
                "VALUES (1, 'U', 'u', '2026-04-11 10:00:00') RETURNING id"
            )).scalar()  # fmt: skip
            assert (new_party, new_source) == (4, 6)
        db.downgrade(engine, "0014_sides")
        with engine.connect() as connection:
            assert {t: _described(connection, t) for t in before} == before
            if engine.dialect.name == "sqlite":
                made = connection.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = 'party'"
                ).scalar()
                assert "AUTOINCREMENT" not in made
            names = connection.execute(sa.text("SELECT name FROM party ORDER BY id")).scalars()
            assert list(names) == ["A", "B", "D"]
        db.upgrade(engine)
    finally:
        engine.dispose()


def test_an_upgrade_checks_the_keys_each_revision_could_break(tmp_path):
    """SQLite runs revisions with foreign keys off, then checks them (``db._migrating``):
    every table's, unless each revision run names the tables it could break (0015: the
    party and source tables it makes again). A dangling key there is refused; one
    elsewhere is left to a check of every table, which a run of 0014 with 0015 still makes."""
    import sqlite3

    import pytest

    from claimtrack.errors import ClaimtrackError

    path = tmp_path / "keys.db"
    engine = db.create_engine(db.resolve_url(str(path)))

    def dangle(revision: str, sql: str) -> None:
        db.downgrade(engine, "base")
        db.upgrade(engine, revision)
        raw = sqlite3.connect(path)  # keys off: as an old claimtrack, or a hand, left it
        raw.execute(sql)
        raw.commit()
        raw.close()

    def revision() -> str:
        with engine.connect() as connection:
            return db.current_revision(connection)

    try:
        in_source = ("INSERT INTO source (outlet_id, title, title_key, created_at) "
                     "VALUES (99, 'T', 'k', '2026-04-11 10:00:00')")  # fmt: skip
        in_alias = "INSERT INTO party_alias (party_id, alias, alias_norm) VALUES (99, 'x', 'x')"
        dangle("0014_sides", in_source)
        with pytest.raises(ClaimtrackError, match="dangling reference in source"):
            db.upgrade(engine)
        assert revision() == "0014_sides"
        dangle("0014_sides", in_alias)  # not a table 0015 touches: not checked
        db.upgrade(engine)
        assert revision() == db.SCHEMA_HEAD
        dangle("0013_changes", in_alias)  # 0014 names no tables: every table is checked
        with pytest.raises(ClaimtrackError, match="dangling reference in party_alias"):
            db.upgrade(engine)
        assert revision() == "0013_changes"
    finally:
        engine.dispose()


def test_arabic_forms_rekeys_and_reports_each_clash_without_merging(db_url, capfd):
    """0017 folds Arabic spelling variants (user trial D5): stored keys are recomputed;
    two parties whose names now read alike are both kept, the clash printed and logged with
    the merge command (ids: the later one's name would find the earlier); two aliases of
    one party that now read alike stay two; claims are found by the new keys; going back
    restores 0016's keys."""
    from sqlalchemy.orm import Session

    from claimtrack.names import normalise
    from claimtrack.search import matching_claims
    from claimtrack.similar import sketch_rows

    old = importlib_before()
    parties = [(1, "Gaza Ministry of Health"), (2, "وزاره الصحه في غزه"),
               (3, "حركة الجهاد الإسلامي"), (4, "PIJ"), (5, "Abu Obeida")]  # fmt: skip
    aliases = [(1, "وزارة الصحة في غزة"), (4, "حركة الجهاد الأسلامي"),
               (5, "أبو عبيدة"), (5, "ابو عبيده")]  # fmt: skip
    text = "قَصْف مستشفى في غزة"
    engine = db.create_engine(db_url)
    try:
        db.upgrade(engine, "0016_first")
        rows_keyed_by(engine, old, hashlib_digest, parties, aliases, [(1, "gaza", text, None)])
        before = snapshot(engine)
        capfd.readouterr()
        db.upgrade(engine)
        printed = capfd.readouterr().err.splitlines()
        # #2's spelling was its key already: it keeps it; #4 is later than #3.
        assert [line.split("run: ")[-1] for line in printed if "Name clash" in line] == [
            "claimtrack party merge 1 2",
            "claimtrack party merge 4 3",
        ], printed
        with engine.connect() as c:
            logged = c.execute(sa.text(
                "SELECT editor, detail FROM event WHERE action = 'name clash' ORDER BY id"
            )).all()  # fmt: skip
            assert [(e, d.rsplit(" ", 2)[-2:]) for e, d in logged] == [
                ("db upgrade", ["1", "2"]),
                ("db upgrade", ["4", "3"]),
            ]
            keys = dict(c.execute(sa.text("SELECT key, party_id FROM party_name")).all())
            assert keys == {
                normalise("Gaza Ministry of Health"): 1, old("وزارة الصحة في غزة"): 1,
                normalise("وزاره الصحه في غزه"): 2, normalise("حركة الجهاد الإسلامي"): 3,
                old("حركة الجهاد الأسلامي"): 4, "pij": 4, "abu obeida": 5,
                normalise("ابو عبيدة"): 5,
            }  # fmt: skip
            assert c.execute(sa.text("SELECT count(*) FROM party_alias")).scalar() == 4
            assert c.execute(sa.text("SELECT count(*) FROM party")).scalar() == 5
            assert c.execute(sa.text("SELECT text_norm FROM claim")).scalar() == normalise(text)
            grams = c.execute(sa.text("SELECT topic_key, gram, claim_id FROM claim_sketch"))
            assert sorted(grams) == sorted(
                tuple(r.values()) for r in sketch_rows(1, "gaza", normalise(text))
            )
        with Session(engine) as session:
            assert matching_claims(session, "قصف مستشفى في غزه") == [1]
        db.downgrade(engine, "0016_first")
        _assert_keys_restored(engine, before)
        db.upgrade(engine)
    finally:
        engine.dispose()


def test_arabic_forms_clash_leaves_a_party_that_merge_joins(run, db_url):
    """After 0017 kept a clash apart, the command it printed joins the two parties."""
    from claimtrack.names import normalise

    engine = db.create_engine(db_url)
    try:
        db.upgrade(engine, "0016_first")
        before = importlib_before()
        with engine.begin() as c:
            for pid, name in ((1, "الجزيرة"), (2, "Al Jazeera")):
                c.execute(
                    sa.text(
                        "INSERT INTO party (id, name, name_norm, kind, anonymous, "
                        "created_at) VALUES (:i, :n, :k, 'media', false, :t)"
                    ),
                    {"i": pid, "n": name, "k": before(name), "t": "2026-04-11 10:00"},
                )
                c.execute(sa.text("INSERT INTO party_name (party_id, key) VALUES (:i, :k)"),
                          {"i": pid, "k": before(name)})  # fmt: skip
            c.execute(
                sa.text(
                    "INSERT INTO party_alias (party_id, alias, alias_norm) "
                    "VALUES (2, 'الجزيره', :k)"
                ),
                {"k": before("الجزيره")},
            )
            c.execute(sa.text("INSERT INTO party_name (party_id, key) VALUES (2, :k)"),
                      {"k": before("الجزيره")})  # fmt: skip
        db.upgrade(engine)
        with engine.connect() as c:
            holder = c.execute(sa.text("SELECT party_id FROM party_name WHERE key = :k"),
                               {"k": normalise("الجزيرة")}).scalar()  # fmt: skip
        assert holder == 2  # its spelling (ه) was its key already
        shown = run("party", "show", "الجزيرة")
        assert shown.exit_code == 0 and shown.output.startswith("#2 Al Jazeera"), shown.output
        merged = run("party", "merge", "1", "2")
        assert merged.exit_code == 0, merged.output
        listed = run("party", "list", "--format", "json")
        import json

        assert [(p["id"], p["aliases"]) for p in json.loads(listed.output)] == [
            (2, ["الجزيره", "الجزيرة"])
        ]
    finally:
        engine.dispose()


def revision(filename: str):
    """A revision's module, loaded from its file (names starting with digits cannot be
    imported): its frozen foldings."""
    import importlib.util

    from claimtrack import bundled

    path = bundled.folder("migrations") / "versions" / filename
    spec = importlib.util.spec_from_file_location(f"revision_{filename[:4]}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def importlib_before():
    """0016's folding, as revision 0017 keeps it for its downgrade."""
    return revision("0017_arabic_forms.py")._before


def revision_0018():
    """Revision 0018's module: its frozen foldings (``_fold``, ``_before`` = 0017's)."""
    return revision("0018_quotes_and_stops.py")


def hashlib_digest(key: str) -> str:
    """``text_key`` of a key before revision 0018: its digest, as it is."""
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()


def rows_keyed_by(engine, fold, digest, parties, aliases, claims) -> None:
    """Parties and their aliases, their names' namespace, and claims with their keys and
    sketches, as a revision whose folding is ``fold`` and text digest ``digest`` wrote
    them: the rows a key revision's upgrade then recomputes."""
    from claimtrack.similar import sketch_rows

    t = "2026-04-11 10:00:00"
    with engine.begin() as c:
        for pid, name in parties:
            c.execute(sa.text("INSERT INTO party (id, name, name_norm, kind, anonymous, "
                              "created_at) VALUES (:i, :n, :k, 'media', false, :t)"),
                      {"i": pid, "n": name, "k": fold(name), "t": t})  # fmt: skip
            c.execute(sa.text("INSERT INTO party_name (party_id, key) VALUES (:i, :k)"),
                      {"i": pid, "k": fold(name)})  # fmt: skip
        for pid, name in aliases:
            c.execute(sa.text("INSERT INTO party_alias (party_id, alias, alias_norm) "
                              "VALUES (:i, :a, :k)"),
                      {"i": pid, "a": name, "k": fold(name)})  # fmt: skip
            c.execute(sa.text("INSERT INTO party_name (party_id, key) VALUES (:i, :k)"),
                      {"i": pid, "k": fold(name)})  # fmt: skip
        for cid, topic, text, into in claims:
            key = fold(text)
            c.execute(sa.text("INSERT INTO claim (id, topic, text, text_norm, text_key, "
                              "merged_into_id, created_at, created_by) "
                              "VALUES (:i, :p, :x, :k, :d, :m, :t, 'old')"),
                      {"i": cid, "p": topic, "x": text, "k": key, "m": into, "t": t,
                       "d": digest(key)})  # fmt: skip
            for row in sketch_rows(cid, topic, key):
                c.execute(sa.text("INSERT INTO claim_sketch VALUES (:topic_key, :gram, "
                                  ":claim_id)"), row)  # fmt: skip


def upgraded(engine, capfd) -> list[str]:
    """The lines a key revision's upgrade to head printed on stderr."""
    capfd.readouterr()
    db.upgrade(engine)
    return capfd.readouterr().err.splitlines()


def assert_claims_keyed_as_now(c, claims) -> None:
    """Every claim kept (nothing merged, nothing lost), its keys and sketch as claimtrack
    makes them now."""
    from claimtrack import record
    from claimtrack.names import normalise
    from claimtrack.similar import sketch_rows

    stored = c.execute(sa.text(
        "SELECT id, text, text_norm, text_key FROM claim ORDER BY id")).all()  # fmt: skip
    for cid, text, norm, digest in stored:
        assert (norm, digest) == (normalise(text), record.text_key(text)), cid
    assert len(stored) == len(claims)
    grams = c.execute(sa.text("SELECT topic_key, gram, claim_id FROM claim_sketch"))
    assert sorted(grams) == sorted(
        tuple(r.values()) for cid, topic, text, _ in claims
        for r in sketch_rows(cid, topic, normalise(text))
    )  # fmt: skip


def test_quotes_and_stops_rekeys_and_reports_each_claim_clash(db_url, capfd):
    """0018 folds typographic quotes and sets a claim's final full stops aside (a user's
    duplicates): names' and texts' keys are recomputed; two claims of a topic that only
    now read alike are both kept, each such pair printed and logged once with the merge
    command; claims that read alike before (added with --force), in another topic, or
    merged already, are no news; going back restores 0017's keys."""
    from sqlalchemy.orm import Session

    from claimtrack import record
    from claimtrack.search import matching_claims

    old = revision_0018()._before
    israel = "Israel's army said it was not involved"
    claims = [
        (1, "gaza", "Israel\u2019s army said it was not involved", None),
        (2, "gaza", israel + ".", None),
        (3, "gaza", israel + ".", None),  # the same as #2 before: --force
        (4, "other", israel, None),  # another topic
        (5, "gaza", "Is it over?", None),
        (6, "gaza", "Is it over", None),  # a question is not the claim
        (7, "gaza", "Talks ended.", None),
        (8, "gaza", "Talks ended", 7),  # merged already
        (9, "gaza", "\u201cNo comment\u201d \u2026", None),
        (10, "gaza", '"No comment"', None),
    ]
    engine = db.create_engine(db_url)
    try:
        db.upgrade(engine, "0017_arabic_forms")
        rows_keyed_by(engine, old, hashlib_digest, ((1, "Ma'ariv"), (2, "Ma\u2019ariv Online")),
                      [(2, "Ma\u2019ariv")], claims)  # fmt: skip
        before = snapshot(engine)
        printed = upgraded(engine, capfd)
        assert [line.split("run: ")[-1] for line in printed if "clash" in line] == [
            "claimtrack party merge 2 1",
            "claimtrack claim merge 2 1",
            "claimtrack claim merge 3 1",
            "claimtrack claim merge 10 9",
        ], printed
        assert (
            'Claim clash: claim #2 "Israel\'s army said it was not involved." now reads as '
            "claim #1 'Israel\u2019s army said it was not involved' in topic 'gaza'" in printed[1]
        )
        with engine.connect() as c:
            logged = c.execute(sa.text(
                "SELECT editor, action, detail FROM event ORDER BY id")).all()  # fmt: skip
            assert [(e, a, d.rsplit(" ", 2)[-2:]) for e, a, d in logged] == [
                ("db upgrade", "name clash", ["2", "1"]),
                ("db upgrade", "claim clash", ["2", "1"]),
                ("db upgrade", "claim clash", ["3", "1"]),
                ("db upgrade", "claim clash", ["10", "9"]),
            ]
            keys = dict(c.execute(sa.text("SELECT key, party_id FROM party_name")).all())
            # #1 held "ma'ariv"; #2's alias keeps its old key, and is found by its id.
            assert keys == {"ma'ariv": 1, "ma'ariv online": 2, old("Ma\u2019ariv"): 2}
            assert_claims_keyed_as_now(c, claims)
        with Session(engine) as session:
            assert matching_claims(session, "israel\u2019s army") == [1, 2, 3, 4]
            assert record.find_same_claim(session, israel, "gaza").id == 1
        db.downgrade(engine, "0017_arabic_forms")
        _assert_keys_restored(engine, before)
        db.upgrade(engine)
    finally:
        engine.dispose()


def revision_0020():
    """Revision 0020's module: its frozen foldings (``_fold``, ``_digest``)."""
    return revision("0020_hyphens_and_wrapping_quotes.py")


def test_revision_0020_folds_as_claimtrack_does_now():
    """The frozen folding is the live one (until a later revision changes the live one:
    then this test moves to compare that revision's); 0018's is it but for the hyphens
    and the quotes around a whole text."""
    from claimtrack import record
    from claimtrack.names import normalise

    module, earlier = revision_0020(), revision_0018()
    texts = ["Israel\u2019s army.", "5\u2033 \u2026", "\u02bcn", "ايـران\u06d4", "Plain text. . ",
             "\u201cA\u201d\u3002", "x\x1f.", "...", "ﻏﺰﺓ’", "pro\u2011Russian", "21\u201325",
             "\u2212 5 \u2014 \u2010", "\u201cNo comment.\u201d", "'Yes' and 'no'",
             "\u300c不\u300d。", '"."', "\u00bb Nein \u00ab", '"A" B.']  # fmt: skip
    for text in texts:
        assert module._fold(text) == normalise(text), text
        assert module._digest(module._fold(text)) == record.text_key(text), text
    for text in texts[:9]:  # no hyphen
        assert earlier._fold(text) == normalise(text), text
    for text in texts[:5] + texts[6:9]:  # and no quotes around the whole
        assert earlier._digest(earlier._fold(text)) == record.text_key(text), text
    assert earlier._digest(earlier._fold(texts[5])) != record.text_key(texts[5])
    assert earlier._before("Israel\u2019s") == "israel\u2019s"


def test_hyphens_and_wrapping_quotes_rekeys_and_reports_each_clash(db_url, capfd):
    """0020 folds the hyphens and sets aside quotes around a whole claim (a user's
    duplicates, the Chinese balloon): names' and texts' keys recomputed, each new clash
    printed and logged with its merge command, nothing merged; going back restores
    0018's keys."""
    from sqlalchemy.orm import Session

    from claimtrack import record

    old = revision_0018()
    claims = [
        (1, "balloon", "The balloon was a civilian airship", None),
        (2, "balloon", "\u201cThe balloon was a civilian airship.\u201d", None),
        (3, "balloon", "A pro-Beijing account posted it", None),
        (4, "balloon", "A pro\u2011Beijing account posted it.", None),
        (5, "balloon", '"Yes" and "no"', None),
        (6, "balloon", 'Yes" and "no', None),  # quotes inside: not a wrapped text
        (7, "other", "\u201cThe balloon was a civilian airship\u201d", None),  # another topic
    ]
    engine = db.create_engine(db_url)
    try:
        db.upgrade(engine, "0019_quote_case")
        rows_keyed_by(
            engine,
            old._fold,
            old._digest,
            ((1, "Al-Ahli"), (2, "Al\u2011Ahli Hospital")),
            [(2, "Al\u2011Ahli")],
            claims,
        )
        before = snapshot(engine)
        printed = upgraded(engine, capfd)
        assert [line.split("run: ")[-1] for line in printed if "clash" in line] == [
            "claimtrack party merge 2 1",
            "claimtrack claim merge 2 1",
            "claimtrack claim merge 4 3",
        ], printed
        assert "(hyphens and dashes are one name)" in printed[0]
        with engine.connect() as c:
            logged = c.execute(sa.text("SELECT action, detail FROM event ORDER BY id")).all()
            assert [(a, d.rsplit(" ", 2)[-2:]) for a, d in logged] == [
                ("name clash", ["2", "1"]),
                ("claim clash", ["2", "1"]),
                ("claim clash", ["4", "3"]),
            ]
            keys = dict(c.execute(sa.text("SELECT key, party_id FROM party_name")).all())
            # #1 held "al-ahli"; #2's alias keeps its old key, and is found by its id.
            assert keys == {"al-ahli": 1, "al-ahli hospital": 2, old._fold("Al\u2011Ahli"): 2}
            assert_claims_keyed_as_now(c, claims)
        with Session(engine) as session:
            same = record.find_same_claim(session, "The balloon was a civilian airship.", "balloon")
            assert same.id == 1
        db.downgrade(engine, "0019_quote_case")
        _assert_keys_restored(engine, before)
        db.upgrade(engine)
    finally:
        engine.dispose()


def revision_0021():
    """Revision 0021's module: its frozen folding (``_fold``, ``_digest``)."""
    return revision("0021_cyrillic_yo.py")


def test_revision_0021_folds_as_claimtrack_does_now():
    """The frozen folding is the live one (until a later revision changes the live one:
    then this test moves to compare that revision's); 0020's is it but for ё."""
    from claimtrack import record
    from claimtrack.names import normalise

    module, earlier = revision_0021(), revision_0020()
    texts = ["Israel\u2019s army.", "5\u2033 \u2026", "ايـران\u06d4", "pro\u2011Russian",
             "\u201cNo comment.\u201d", "\u300c不\u300d。", "Семен Пегов", "Plain text. . ",
             "Семён Пегов", "СЕМЁН", "Се\u0308мен", "«Всё, Пригожин погиб».", "ёЁ\u0415\u0308",
             "\uff25\u0308"]  # fmt: skip
    for text in texts:
        assert module._fold(text) == normalise(text), text
        assert module._digest(module._fold(text)) == record.text_key(text), text
    for text in texts[:8]:  # no ё
        assert earlier._fold(text) == normalise(text), text
        assert earlier._digest(earlier._fold(text)) == record.text_key(text), text
    for text in texts[8:13]:
        assert earlier._fold(text) != normalise(text), text


def test_cyrillic_yo_rekeys_and_reports_each_clash(db_url, capfd):
    """0021 folds ё to е (a new user's duplicates, Prigozhin's jet): names' and texts'
    keys recomputed, each new clash printed and logged with its merge command, nothing
    merged, the search index following the new keys; going back restores 0020's keys."""
    from sqlalchemy.orm import Session

    from claimtrack import record
    from claimtrack.search import matching_claims

    old = revision_0020()
    claims = [
        (1, "wagner", "Самолёт Пригожина разбился", None),
        (2, "wagner", "Самолет Пригожина разбился.", None),
        (3, "wagner", "Все на борту погибли", None),
        (4, "wagner", "Всё на борту погибли", None),
        (5, "other", "Самолет Пригожина разбился", None),  # another topic
        (6, "wagner", "Самолёт Пригожина разбился.", None),  # one with #1 already: no news
    ]
    engine = db.create_engine(db_url)
    try:
        db.upgrade(engine, "0020_hyphens_and_wrapping_quotes")
        rows_keyed_by(
            engine,
            old._fold,
            old._digest,
            ((1, "Семён Пегов"), (2, "Семен Пегов"), (3, "WarGonzo")),
            [(3, "Вольнёнок"), (3, "ВОЕНКОР ПЕГОВ")],
            claims,
        )
        before = snapshot(engine)
        printed = upgraded(engine, capfd)
        assert [line.split("run: ")[-1] for line in printed if "clash" in line] == [
            "claimtrack party merge 1 2",
            "claimtrack claim merge 2 1",
            "claimtrack claim merge 4 3",
        ], printed
        assert "(ё and е are one name)" in printed[0]
        assert "(ё and е are one text)" in printed[1]
        with engine.connect() as c:
            logged = c.execute(sa.text("SELECT action, detail FROM event ORDER BY id")).all()
            assert [(a, d.rsplit(" ", 2)[-2:]) for a, d in logged] == [
                ("name clash", ["1", "2"]),
                ("claim clash", ["2", "1"]),
                ("claim clash", ["4", "3"]),
            ]
            keys = dict(c.execute(sa.text("SELECT key, party_id FROM party_name")).all())
            # #2 held "семен пегов"; #1 keeps its old key, and is found by its id.
            assert keys == {"семен пегов": 2, "семён пегов": 1, "wargonzo": 3,
                            "вольненок": 3, "военкор пегов": 3}  # fmt: skip
            norms = dict(c.execute(sa.text("SELECT id, name_norm FROM party")).all())
            assert norms == {1: "семён пегов", 2: "семен пегов", 3: "wargonzo"}
            assert_claims_keyed_as_now(c, claims)
        with Session(engine) as session:
            same = record.find_same_claim(session, "Самолет Пригожина разбился", "wagner")
            assert same.id == 1
            # The search index holds the new keys (SQLite's triggers, PostgreSQL's index).
            assert matching_claims(session, "самолёт пригожина") == [1, 2, 5, 6]
            assert matching_claims(session, "всё на борту") == [3, 4]
        db.downgrade(engine, "0020_hyphens_and_wrapping_quotes")
        _assert_keys_restored(engine, before)
        with Session(engine) as session:
            assert matching_claims(session, "самолет пригожина") == [2, 5]  # 0020's keys
        db.upgrade(engine)
    finally:
        engine.dispose()


def _assert_keys_restored(engine, before) -> None:
    """After a key revision's downgrade: the names, texts and sketches as ``before``, and
    the one namespace of names holding the same keys (its ids may differ)."""
    after = snapshot(engine)
    for table in ("party", "party_alias", "claim", "claim_sketch"):
        assert after[table] == before[table], table
    namespace = [sorted(r[1:] for r in rows["party_name"]) for rows in (after, before)]
    assert namespace[0] == namespace[1]
