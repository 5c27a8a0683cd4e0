"""An id, once given, names one party (one source) for good: one merged away is never given
again, on SQLite (AUTOINCREMENT, revision 0015) as on PostgreSQL (sequences)."""

from __future__ import annotations

import sqlalchemy as sa


def _ids(engine, table: str) -> set[int]:
    with engine.connect() as connection:
        return set(connection.execute(sa.text(f"SELECT id FROM {table}")).scalars())  # noqa: S608


def test_a_merged_partys_id_is_not_given_again(run, engine):
    for name in ("A", "B", "C"):
        assert run("party", "add", name).exit_code == 0
    assert run("party", "merge", "C", "B").exit_code == 0  # C was #3, the newest
    assert _ids(engine, "party") == {1, 2}
    added = run("party", "add", "D")
    assert added.output.strip() == "4"
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT name FROM party WHERE id = 4")).scalar() == "D"
    missing = run("party", "show", "3")  # the old id finds no one, not D
    assert missing.exit_code != 0 and "D" not in missing.output


def test_a_joined_sources_id_is_not_given_again(run, engine, tmp_path):
    # Two outlets with a source of one title: merged, the later source (#2) joins the
    # earlier and is deleted.
    for outlet in ("Agency", "Agency Two"):
        assert run("party", "add", outlet, "--kind", "media").exit_code == 0
        assert run("source", "add", "Talks end", "--outlet", outlet).exit_code == 0
    assert run("party", "merge", "Agency Two", "Agency").exit_code == 0
    assert _ids(engine, "source") == {1}
    # An import numbers its new sources itself (claimtrack.bulk): past every id given.
    path = tmp_path / "more.csv"
    path.write_text("claim,party,stance,source,date\nShips left,Agency,asserts,Talks end "
                    "again,2026-04-12\n")  # fmt: skip
    assert run("import", "csv", str(path)).exit_code == 0
    assert _ids(engine, "source") == {1, 3}
    added = run("source", "add", "Talks resume", "--outlet", "Agency")
    assert added.exit_code == 0 and added.output.strip() == "4"


def test_a_refused_claim_add_draws_no_id(run, engine):
    """Kakhovka: on PostgreSQL a refused `claim add` (a bad URL or zone, an unknown party,
    a duplicate) drew a claim id, so the same commands numbered claims differently on the
    two databases, and a user merged the wrong claim. Each is now refused before the first
    write; the next claim, party and source take the next ids on both backends."""
    ok = run("claim", "add", "The dam was destroyed", "--by", "Kyiv", "--create-missing",
             "--at", "2023-06-06")  # fmt: skip
    assert ok.exit_code == 0, ok.output
    for args, code in [
        (("Some claim", "--by", "Kyiv", "--url", "ftp://x.org/a"), 2),
        (("Some claim", "--by", "Kyiv", "--at", "2023-06-06T10:00", "--tz", "Mars/Olympus"), 2),
        (("Some claim", "--by", "Nobody Known"), 1),
        (("Some claim", "--by", "Kyiv", "--quote", " "), 2),
        # A duplicate with a new party and a new source: neither is made before the refusal.
        (
            (
                "The dam was destroyed.",
                "--by",
                "New Party",
                "--create-missing",
                "--url",
                "https://example.org/new",
            ),
            1,
        ),  # fmt: skip
        (("Other claim", "--by", "Kyiv", "--slug", "Bad Slug"), 2),
        # nu21 #6: an unknown --source, refused after --create-missing had made the party.
        (("Other claim", "--by", "Brand New Person", "--create-missing", "--source", "9999"), 1),
    ]:
        refused = run("claim", "add", *args, "--topic", "general")
        assert refused.exit_code == code, (args, refused.output)
    for command in ("deny", "confirm"):  # the same, recording a stance on a claim there is
        refused = run("claim", command, "1", "--by", "Brand New Person", "--create-missing",
                      "--source", "9999")  # fmt: skip
        assert refused.exit_code == 1, refused.output
    counter = run("claim", "counter", "1", "The dam was destroyed", "--by", "Moscow",
                  "--create-missing", "--url", "https://example.org/c")  # fmt: skip
    assert counter.exit_code == 1, counter.output  # a duplicate, in the same topic
    added = run("claim", "add", "Some claim", "--by", "Moscow", "--create-missing",
                "--url", "https://example.org/a", "--at", "2023-06-07")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert _ids(engine, "claim") == {1, 2}
    assert _ids(engine, "party") == {1, 2}
    assert _ids(engine, "source") == {1}
    with engine.connect() as connection:  # the next ids drawn are the next ones
        if engine.dialect.name == "postgresql":
            for table in ("claim", "party", "source"):
                last = connection.execute(
                    sa.text(f"SELECT last_value FROM {table}_id_seq")  # noqa: S608
                ).scalar()
                assert last == max(_ids(engine, table)), table
