"""CSV import: all or nothing, every bad row by line, and the public datasets in full."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import snapshot

from claimtrack.cli import cli

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = "claim,party,stance,source,date\n"


@pytest.fixture
def ready(run, engine):
    """A database with the seed in it."""
    assert run("seed").exit_code == 0
    return run


def test_minimal_file_typed_by_hand(ready, tmp_path):
    path = tmp_path / "desk.csv"
    path.write_text(
        "claim,party,stance,source,date,topic,quote\n"
        "The bridge was closed on Monday,万斯,asserts,Evening Post,2026-05-04,bridge,关闭\n"
        "The bridge was closed on Monday,Beta Agency,deny,,2026-05-04T12:30+02:00,bridge,\n",
        encoding="utf-8",
    )
    result = ready("import", "csv", str(path))
    assert result.exit_code == 0, result.output
    assert "1 party," in result.output  # 万斯 is JD Vance already; Beta Agency is new
    rows = json.loads(ready("report", "contested", "--topic", "bridge", "--format", "json").stdout)
    assert rows[0]["asserted_by"][0]["party"] == "JD Vance"
    assert rows[0]["asserted_by"][0]["side"] == "United States"
    assert rows[0]["denied_or_countered_by"][0]["party"] == "Beta Agency"


def test_an_apostrophe_typed_by_hand_is_kept(ready, tmp_path):
    """nu20 #4: "'Anglo-Saxons' did it" typed into a file lost its apostrophe, unsaid: the
    import took off any leading apostrophe as an export's text mark. Only a mark the
    export would have put (before = + - @, a mark, long digits) comes off now."""
    path = tmp_path / "typed.csv"
    path.write_text(
        "claim,party,stance,source,date,quote\n"
        "'Anglo-Saxons' did it,Iran,asserts,,2026-05-01,'It was them'\n"
        "'=1 is a formula,Iran,asserts,,2026-05-01,\n",
        encoding="utf-8",
    )
    result = ready("import", "csv", str(path))
    assert result.exit_code == 0, result.output
    listed = ready("claim", "list", "--search", "Anglo-Saxons", "--format", "json").stdout
    assert [row["claim"] for row in json.loads(listed)] == ["'Anglo-Saxons' did it"]
    [shown] = json.loads(ready("claim", "show", "'Anglo-Saxons' did it", "--format", "json").stdout)
    assert [s["quote"] for s in shown["asserted_by"]] == ["'It was them'"]
    assert json.loads(ready("claim", "list", "--search", "is a formula", "--format",
                            "json").stdout)[0]["claim"] == "=1 is a formula"  # fmt: skip


def test_a_new_party_named_only_as_a_party_for_is_noted_sideless(run, engine, tmp_path):
    """nu21 #4: Klymenko acts for the Interior Ministry, which acts for Ukraine; a per-stance
    export carries Klymenko's party_for, not the ministry's, so imported elsewhere the
    ministry acted for no one and Klymenko's side became the ministry, unsaid. Said now."""
    for args in (("party", "add", "Ukraine", "--kind", "government"),
                 ("party", "add", "Interior Ministry", "--kind", "organisation", "--for",
                  "Ukraine"),
                 ("party", "add", "Ihor Klymenko", "--for", "Interior Ministry"),
                 ("claim", "add", "The dam was blown up", "--by", "Ihor Klymenko", "--at",
                  "2023-06-06")):  # fmt: skip
        assert run(*args).exit_code == 0
    path = tmp_path / "s.csv"
    assert run("export", "csv", "--per", "stance", "--out", str(path)).exit_code == 0
    other = f"sqlite+pysqlite:///{tmp_path / 'other.db'}"
    result = CliRunner().invoke(cli, ["--db", other, "import", "csv", str(path)])
    assert result.exit_code == 0, result.output
    assert ("Note: new party 'Interior Ministry', named only as another's party_for, acts "
            "for no one here") in result.stderr  # fmt: skip
    again = run("import", "csv", str(path))  # into the database it came from: all there
    assert again.exit_code == 0 and "party_for" not in again.output, again.output


def test_bom_and_crlf_are_read(ready, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        "\ufeffclaim,party,stance,source,date\r\nX held,Iran,asserts,,2026-05-01\r\n".encode()
    )
    result = ready("import", "csv", str(path))
    assert result.exit_code == 0, result.output


def test_dry_run_writes_nothing(ready, tmp_path, engine):
    path = tmp_path / "d.csv"
    path.write_text(MINIMAL + "Y held,Iran,asserts,,2026-05-01\n", encoding="utf-8")
    before = snapshot(engine)
    result = ready("import", "csv", str(path), "--dry-run")
    assert result.exit_code == 0 and "Would import 1 row(s)" in result.output
    assert "1 claim," in result.output
    assert snapshot(engine) == before


def test_two_spellings_of_one_claim_in_a_file_are_one_claim(ready, tmp_path, engine):
    """The rows of a file are one claim when their texts share a key (a curly or straight
    apostrophe, a final full stop), as a row matching a claim of the database is, and as
    ``claim add`` refuses the second: the dry run says so, and the import does it."""
    path = tmp_path / "dup.csv"
    path.write_text(
        "claim,party,stance,date\n"
        "The dam was blown up on Russia\u2019s orders,Volodymyr Zelensky,asserts,"
        "2023-06-06T09:30+03:00\n"
        "The dam was blown up on Russia's orders.,Volodymyr Zelensky,asserts,"
        "2023-06-06T09:30+03:00\n"
        "The dam was blown up on Russia's orders,Someone Else,denies,2023-06-07\n",
        encoding="utf-8",
    )
    before = snapshot(engine)
    dry = ready("import", "csv", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "1 claim, 2 stances" in dry.output  # the second row repeats the first's stance
    assert snapshot(engine) == before
    result = ready("import", "csv", str(path))
    assert result.exit_code == 0, result.output
    assert "1 claim, 2 stances" in result.output
    claims = json.loads(ready("claim", "list", "--search", "dam", "--format", "json").stdout)
    assert [c["claim"] for c in claims] == ["The dam was blown up on Russia\u2019s orders"]


def _claim_and_stance_ids(run, text: str) -> tuple[int, int]:
    """The ids a new claim (``claim add``, which records its assertion too) and a denial
    of it (``claim deny``) get."""
    added = run("claim", "add", text, "--by", "Iran", "--at", "2026-05-02")
    assert added.exit_code == 0, added.output
    denied = run("claim", "deny", text, "--by", "Israel", "--at", "2026-05-03")
    assert denied.exit_code == 0, denied.output
    return int(added.stdout.split()[-1]), int(denied.stdout.split()[1].strip("#:"))


@pytest.mark.parametrize("how", ["dry run", "refused"])
def test_an_import_that_writes_nothing_draws_no_ids(ready, tmp_path, how):
    """A new user's PostgreSQL database numbered the next claim past the ids a dry run
    (or a refused import) had drawn: PostgreSQL's sequences do not go back with a
    rollback. Now the claim and the stance after it get the ids they would have got
    without it, on both backends."""
    claim, stance = _claim_and_stance_ids(ready, "Z held before")
    path = tmp_path / "d.csv"
    # Refused once its claims and stances are written: a link to no claim.
    bad = "no-such-claim" if how == "refused" else ""
    path.write_text("claim_ref,claim,party,stance,said_at,source_title,contradicts\n"
                    "y-held,Y held,New Party,asserts,2026-05-01,Some Outlet,\n"
                    f"v-held,V held,Iran,denies,2026-05-01,,{bad}\n", encoding="utf-8")  # fmt: skip
    result = ready("import", "csv", str(path), *(["--dry-run"] if how == "dry run" else []))
    assert result.exit_code == (0 if how == "dry run" else 1), result.output
    assert ("unknown claim 'no-such-claim'" in result.output) == (how == "refused")
    assert _claim_and_stance_ids(ready, "Z held after") == (claim + 1, stance + 2)
    # Nor did it spoil what a real import then draws.
    path.write_text(MINIMAL + "Y held,New Party,asserts,Some Outlet,2026-05-01\n",
                    encoding="utf-8")  # fmt: skip
    assert ready("import", "csv", str(path)).exit_code == 0
    assert _claim_and_stance_ids(ready, "Z held last") == (claim + 3, stance + 5)


@pytest.mark.parametrize("command", [
    ("import", "csv", "{csv}", "--dry-run"),
    ("import", "claimreview", str(ROOT / "fixtures" / "claimreview-two-publishers.json"),
     "--dry-run"),
])  # fmt: skip
def test_a_dry_run_leaves_no_new_database_file(tmp_path, command):
    """A dry run into a SQLite file that does not exist yet: it says what it would add,
    and the file it had to create to check against is gone again."""
    path = tmp_path / "d.csv"
    path.write_text(MINIMAL + "Y held,Iran,asserts,,2026-05-01\n", encoding="utf-8")
    db = tmp_path / "new.db"
    args = [a.replace("{csv}", str(path)) for a in command]
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    assert "Would import" in result.output and "Created database" not in result.output
    assert list(tmp_path.iterdir()) == [path]


BAD_FILES = [
    # (file content, words in the message)
    (MINIMAL + "X,Iran,refutes,,2026-05-01\n", "line 2: unknown stance 'refutes'"),
    (MINIMAL + "X,Iran,asserts,,2026-02-30\n", "line 2: not a date"),
    (MINIMAL + "X,Iran,asserts,,yesterday\n", "line 2: not a time"),
    (MINIMAL + "X,Iran,asserts,,2026-05-01T10:00\n", "say which zone with --tz"),
    (MINIMAL + "X,Iran,asserts,,2026-05-01T10:00:00.250+02:00\n", "line 2: time"),
    (MINIMAL + ",Iran,asserts,,2026-05-01\n", "line 2: claim is empty"),
    # A said time after now: a typo (2030 for 2023), not a stance.
    (
        MINIMAL + "X,Iran,asserts,,2026-05-01\nY,Iran,asserts,,2999-05-01\n",
        "line 3: the said time 2999-05-01 (Z) is after now",
    ),
    (
        "topic,claim_ref,claim,party,party_kind,stance,source_title,source_published,said_at,"
        "said_tz\nt,x,X,Iran,government,asserts,T,2999-01-01T10:00Z,2026-05-01,+00:00\n",
        "line 2: the published time 2999-01-01 10:00Z is after now",
    ),
    (MINIMAL + "   ,Iran,asserts,,2026-05-01\n", "line 2: claim is empty"),
    (MINIMAL + "X,,asserts,,2026-05-01\n", "line 2: party is empty"),
    (MINIMAL + "X,Iran,asserts,,\n", "line 2: the date is empty"),
    (MINIMAL + "X,Iran,asserts\n", "line 2: 3 fields where the header has 5"),
    (MINIMAL + "X,Iran,asserts,,2026-05-01,extra\n", "line 2: 6 fields"),
    # Prigozhin (a new user): the csv module's "unexpected end of data", where the docs
    # say unbalanced quotes; a European Excel file's semicolons an unknown column.
    (
        MINIMAL + '"X,Iran,asserts,,2026-05-01\n',
        'line 2: unbalanced quotes: a field opened with " is not closed by the end of the file',
    ),
    (
        MINIMAL + '"X" said,Iran,asserts,,2026-05-01\n',
        'line 2: unbalanced quotes: a " inside a quoted field is written twice ("")',
    ),
    (
        "claim;party;stance;source;date\nX;Iran;asserts;;2026-05-01\n",
        "the header is one column, 'claim;party;stance;source;date': its columns are separated "
        "by ';', not commas; save the file as CSV with commas (Excel: 'CSV UTF-8 (Comma "
        "delimited)')",
    ),
    ("claim,party,stance,when\nX,Iran,asserts,2026-05-01\n", "unknown column(s) 'when'"),
    ("claim,party,date\nX,Iran,2026-05-01\n", "missing column(s): stance"),
    (MINIMAL, "has a header but no rows"),
    ("", "is empty"),
    (
        MINIMAL + "X,Iran,asserts,,2026-05-01\nY,Iran,asserts,,2026-13-01\nZ,,denies,,2026-05-01\n",
        "2 bad row(s)",
    ),
    (MINIMAL + "X\x00,Iran,asserts,,2026-05-01\n", "NUL"),
    # A column of the other format: the two mixed, not an unknown column the other lists.
    (
        "claim,party,stance,source_url,date\nX,Iran,asserts,ftp://x,2026-05-01\n",
        "column(s) 'source_url' are those of a per-stance export ('claimtrack export csv --per "
        "stance'), but without party_kind or claim_ref the file is read as the minimal format",
    ),
    (
        "topic,claim_ref,claim,party,party_kind,stance,said_at,said_tz,date\n"
        "t,x,X,Iran,government,asserts,2026-05-01,+00:00,2026-05-01\n",
        "column(s) 'date' are those of the minimal format (claim, party, stance, source, date, "
        "topic, quote, via), but party_kind and claim_ref make the file a per-stance export "
        "('claimtrack export csv --per stance'): give one format's columns, not both (said_at "
        "for date in an export)",
    ),
    (
        "claim,party,party_kind,stance,said_at,source\nX,Iran,government,asserts,2026-05-01,T\n",
        "but party_kind makes the file a per-stance export",
    ),
    (
        "topic,claim_ref,claim,party,party_kind,stance,source_title,source_url,said_at,said_tz\n"
        "t,x,X,Iran,government,asserts,T,javascript:alert(1),2026-05-01,+00:00\n",
        "line 2: invalid URL",
    ),
    (
        "topic,claim_ref,claim,party,party_kind,stance,said_at,said_tz\n"
        "t,x,X,Iran,martian,asserts,2026-05-01,+00:00\n",
        "line 2: unknown party kind 'martian'",
    ),
    (
        "topic,claim_ref,claim,party,party_kind,party_aliases,stance,said_at,said_tz\n"
        "t,x,X,Iran,government,not json,asserts,2026-05-01,+00:00\n",
        # Not the json module's "Expecting value: line 1 column 1 (char 0)".
        "line 2: party_aliases 'not json' is not a JSON list of names: give the names as the "
        'export writes them, ["Vance", "万斯"], or leave the cell empty',
    ),
    (
        "topic,claim_ref,claim,party,party_kind,stance,said_at,said_tz,recorded_at\n"
        "t,x,X,Iran,government,asserts,2026-05-01,+00:00,yesterday\n",
        # Not Python's "Invalid isoformat string: 'yesterday'".
        "line 2: recorded_at 'yesterday' is not a time: give a time with its UTC offset, as "
        "the export writes it (2026-04-11T11:00:00+00:00)",
    ),
    (
        "topic,claim_ref,claim,party,party_kind,stance,said_at,said_tz\n"
        "t,x,X,Iran,government,asserts,2023-06-07T10:00+03:00,+05:00\n",
        # Not stored at +03:00 unsaid: as claim add refuses --at ...+05:00 --tz Europe/Moscow.
        "line 2: time '2023-06-07T10:00+03:00' is at +03:00, but said_tz +05:00 is at +05:00 "
        "then: give the offset or said_tz, not both",
    ),
    (
        "topic,claim_ref,claim,party,party_kind,stance,source_title,source_published,"
        "source_tz,said_at,said_tz\n"
        "t,x,X,Iran,government,asserts,T,2023-06-07T10:00+03:00,Asia/Karachi,2023-06-07,+00:00\n",
        "line 2: time '2023-06-07T10:00+03:00' is at +03:00, but source_tz Asia/Karachi is at "
        "+05:00 then",
    ),
    (
        "topic,claim_ref,claim,party,party_kind,stance,said_at,said_tz\n"
        "t,Bad Slug!,X,Iran,government,asserts,2026-05-01,+00:00\n",
        "invalid slug",
    ),
]


@pytest.mark.parametrize("content, message", BAD_FILES)
def test_a_bad_file_imports_nothing(ready, tmp_path, engine, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    before = snapshot(engine)
    result = ready("import", "csv", str(path))
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert snapshot(engine) == before


def test_times_without_an_offset_take_the_zone_of_tz(ready, tmp_path, engine):
    path = tmp_path / "local.csv"
    path.write_text(MINIMAL + "Bridge shut,Iran,asserts,,2026-05-04T10:00\n", encoding="utf-8")
    before = snapshot(engine)
    for zone, message in (("Mars/Olympus", "unknown"), ("+99:00", "")):
        refused = ready("import", "csv", str(path), "--tz", zone)
        assert refused.exit_code != 0 and len(refused.output.strip().splitlines()) == 1
        assert message in refused.output and "Traceback" not in refused.output
    assert snapshot(engine) == before
    result = ready("import", "csv", str(path), "--tz", "Asia/Karachi")
    assert result.exit_code == 0, result.output
    found = json.loads(ready("claim", "list", "--search", "Bridge shut", "--format", "json").stdout)
    shown = json.loads(ready("claim", "show", str(found[0]["id"]), "--format", "json").stdout)
    assert shown[0]["asserted_by"][0]["said_at"] == "2026-05-04T10:00+05:00"


def test_quotes_inside_a_field_are_kept_verbatim(ready, tmp_path):
    path = tmp_path / "q.csv"
    path.write_text(
        MINIMAL + 'He said "no" ; DROP TABLE claim;--,Iran,asserts,,2026-05-01\n', encoding="utf-8"
    )
    assert ready("import", "csv", str(path)).exit_code == 0
    listed = json.loads(ready("claim", "list", "--search", "drop table", "--format", "json").stdout)
    assert [r["claim"] for r in listed] == ['He said "no" ; DROP TABLE claim;--']


def test_every_bad_row_is_listed_up_to_a_limit(ready, tmp_path, engine):
    path = tmp_path / "many.csv"
    path.write_text(
        MINIMAL + "".join(f"X{n},Iran,asserts,,2026-02-{30 + n % 2}\n" for n in range(30)),
        encoding="utf-8",
    )
    before = snapshot(engine)
    result = ready("import", "csv", str(path))
    assert result.exit_code == 1
    assert "30 bad row(s), nothing imported" in result.output
    assert "line 2:" in result.output and "line 21:" in result.output
    assert "... and 10 more" in result.output
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    "encoding, hint", [("gb18030", "GB18030"), ("utf-16", "UTF-16"), ("latin-1", "ENCODING")]
)
def test_other_encodings_are_refused_with_advice(ready, tmp_path, engine, encoding, hint):
    path = tmp_path / "enc.csv"
    text = MINIMAL + "伊朗否认,Iran,denies,,2026-05-01\n"
    if encoding == "latin-1":
        path.write_bytes(MINIMAL.encode() + b"Caf\xe9,Iran,asserts,,2026-05-01\n")
    else:
        path.write_bytes(text.encode(encoding))
    before = snapshot(engine)
    result = ready("import", "csv", str(path))
    assert result.exit_code == 1
    assert "is not UTF-8" in result.output and f"iconv -f {hint}" in result.output
    assert snapshot(engine) == before


def test_missing_file(ready, tmp_path):
    # A bad path, as a folder given for the file is: exit 2 (tests/test_hostile.py).
    result = ready("import", "csv", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2 and f"no such file: {tmp_path / 'nope.csv'}" in result.output


def test_unknown_names_in_a_minimal_file_become_parties(ready, tmp_path):
    path = tmp_path / "new.csv"
    path.write_text(MINIMAL + "Q held,Nobody Known,asserts,,2026-05-01\n", encoding="utf-8")
    result = ready("import", "csv", str(path))
    assert result.exit_code == 0 and "1 party" in result.output


def test_a_dataset_party_named_as_another_partys_alias_is_refused_with_its_entry(
    ready, tmp_path, engine
):
    # JD Vance answers to "Vance" already: a new party of that name would make it ambiguous
    path = tmp_path / "clash.toml"
    path.write_text('[[parties]]\nname = "Vance"\nkind = "anonymous"\n', encoding="utf-8")
    before = snapshot(engine)
    result = ready("seed", str(path))
    assert result.exit_code == 1, result.output
    assert "parties 1 (Vance)" in result.output and "'JD Vance' (an alias)" in result.output
    assert snapshot(engine) == before


def test_an_import_cannot_link_claims_both_as_contradicting_and_the_same(ready, tmp_path, engine):
    header = "topic,claim_ref,claim,party,party_kind,stance,said_at,said_tz,contradicts,same_as\n"
    row = "t,{ref},{ref} held,Iran,government,asserts,2026-05-01,+00:00,{against},{same}\n"
    path = tmp_path / "links.csv"
    path.write_text(
        header + row.format(ref="a", against="", same="")
        + row.format(ref="b", against="a", same=""), encoding="utf-8"
    )  # fmt: skip
    assert ready("import", "csv", str(path)).exit_code == 0
    before = snapshot(engine)
    for cells, message in (
        ({"against": "", "same": "b"}, "cannot be the same as #"),
        ({"against": "x", "same": "x"}, "they are linked as contradicting each other already"),
    ):
        path.write_text(
            header + row.format(ref="x", against="", same="")
            + row.format(ref="a", **cells), encoding="utf-8"
        )  # fmt: skip
        refused = ready("import", "csv", str(path))
        assert refused.exit_code == 1, refused.output
        assert "line 3: claim " in refused.output and message in refused.output
        assert snapshot(engine) == before


def test_an_import_names_the_parties_it_creates_with_close_matches(ready, tmp_path, engine):
    path = tmp_path / "typo.csv"
    path.write_text(
        MINIMAL + "Q held,Irna,denies,,2026-05-01\nQ held,Nobody Known,asserts,,2026-05-01\n",
        encoding="utf-8",
    )
    before = snapshot(engine)
    dry = ready("import", "csv", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    # A new party is named with those close enough to be its typo (``record.CLOSE_NOTE``):
    # Iran (75), not Israel or Xinhua (60: i, n, a in order), which a refusal suggests.
    named = "New parties: 'Irna' (did you mean 'Iran'?); 'Nobody Known'. New topics: 'general'\n"
    assert dry.output.endswith(f": 2 parties, 1 claim, 2 stances.\n{named}")
    assert snapshot(engine) == before
    done = ready("import", "csv", str(path))
    assert done.exit_code == 0 and done.output.endswith(named)
    # Again: nothing new, no party named.
    assert "New parties" not in ready("import", "csv", str(path)).output


def test_an_import_suggests_parties_without_case_and_by_a_word_of_a_name(ready, tmp_path):
    """As ``party show`` does: BAGHAEE is close to the alias Baghaei and to a word of
    Esmaeil Baghaei, the whole name first."""
    path = tmp_path / "caps.csv"
    # (Two keystrokes from Baghaei: one, as BAGHAEE, is refused, as --create-missing does.)
    path.write_text(MINIMAL + "Q held,BAGHAEEE,denies,,2026-05-01\n", encoding="utf-8")
    dry = ready("import", "csv", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.endswith(
        "New parties: 'BAGHAEEE' (did you mean 'Baghaei', 'Esmaeil Baghaei'?). "
        "New topics: 'general'\n"
    ), dry.output


def test_an_import_names_the_topics_it_starts_beside_new_parties(ready, tmp_path, engine):
    """Crocus: a row with topic crocus2024 (for crocus-2024) said only "Would import 1
    row(s) from topo.csv: 1 claims, 1 stances.". The topics an import starts are named in
    the line that names new parties, with the close topics there are, as claim add notes
    them; each count is in its number ("1 party", "1 claim")."""
    seeded = ready("report", "claims", "--format", "json").stdout
    [topic] = {c["topic"] for c in __import__("json").loads(seeded)}
    typo = topic.replace("-", "", 1)
    path = tmp_path / "topo.csv"
    path.write_text("claim,party,stance,source,date,topic\n"
                    f"The gunmen fled,Nobody Known,asserts,,2026-05-01,{typo}\n",
                    encoding="utf-8")  # fmt: skip
    line = f"New parties: 'Nobody Known'. New topics: '{typo}' (did you mean '{topic}'?)\n"
    before = snapshot(engine)
    # Salisbury: an import started 'salisbury-2O18' beside 'salisbury-2018', which claim
    # add refuses: a topic that reads as a typo of one there is is a bad row, by its line.
    for args in ((), ("--dry-run",)):
        refused = ready("import", "csv", str(path), *args)
        assert (refused.exit_code, refused.stdout) == (1, ""), refused.output
        assert refused.stderr == (
            f"Error: {path}: 1 bad row(s), nothing imported:\n  line 2: new topic '{typo}' is "
            f"close to '{topic}': check the spelling, or give --new-topic to start it\n"
        )
        assert snapshot(engine) == before
    dry = ready("import", "csv", str(path), "--dry-run", "--new-topic")
    assert dry.exit_code == 0, dry.output
    assert dry.output.endswith(f": 1 party, 1 claim, 1 stance.\n{line}"), dry.output
    assert snapshot(engine) == before
    done = ready("import", "csv", str(path), "--new-topic")
    assert done.exit_code == 0 and done.output.endswith(line), done.output
    assert "New topics" not in ready("import", "csv", str(path)).output  # nothing started


def test_an_import_names_every_topic_it_starts_beside_others(ready, tmp_path, engine):
    """nu17: a file without a topic column filed its rows in "general", and a denial meant
    for a claim of the story became a new claim there, unsaid ("Imported 1 row(s)"). Every
    topic an import starts beside those there are is named, as claim add notes it; the
    count is of all of them."""
    path = tmp_path / "untopical.csv"
    path.write_text("claim,party,stance,source,date\n"
                    "The talks failed,Iran,denies,,2026-04-12\n", encoding="utf-8")  # fmt: skip
    before = snapshot(engine)
    dry = ready("import", "csv", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.endswith(": 1 claim, 1 stance.\nNew topics: 'general'\n"), dry.output
    assert snapshot(engine) == before
    assert ready("import", "csv", str(path)).output.endswith("New topics: 'general'\n")
    path.write_text("claim,party,stance,source,date\n"
                    "The talks resumed,Iran,asserts,,2026-04-13\n", encoding="utf-8")  # fmt: skip
    assert "New topics" not in ready("import", "csv", str(path)).output  # 'general' is there
    many = tmp_path / "many-topics.csv"
    lines = [f"Claim {n},Iran,asserts,,2026-04-13,story-{n:03d}" for n in range(120)]
    many.write_text("claim,party,stance,source,date,topic\n" + "\n".join(lines) + "\n",
                    encoding="utf-8")  # fmt: skip
    done = ready("import", "csv", str(many), "--new-topic")
    assert done.exit_code == 0, done.output
    assert done.output.endswith("'story-009' and 110 more\n"), done.output


def test_an_import_reads_the_topics_there_are_once(ready, tmp_path, engine):
    """`import liar` into a 1M-claim database (200 topics) spent 6 of its 15 s reading the
    topics there are again for each of its new topics, twice (the typo check, then the
    note): one index probe per topic each time. They are read once per import."""
    import sqlalchemy as sa

    def topics_there_are() -> int:
        with engine.connect() as connection:
            return connection.scalar(sa.text("SELECT count(DISTINCT topic) FROM claim"))

    many = tmp_path / "many-topics.csv"
    lines = [f"Claim {n},Iran,asserts,,2026-04-13,story-{n:03d}" for n in range(40)]
    many.write_text("claim,party,stance,source,date,topic\n" + "\n".join(lines) + "\n",
                    encoding="utf-8")  # fmt: skip
    known = topics_there_are()
    probes = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "min(claim.topic)" in statement:  # ``completion.topics``: a probe per topic
            probes.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", keep)
    try:
        done = ready("import", "csv", str(many), "--new-topic")
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", keep)
    assert done.exit_code == 0, done.output
    assert done.output.endswith("'story-009' and 30 more\n"), done.output
    assert topics_there_are() == known + 40
    assert 0 < len(probes) <= known + 1  # the last probe finds none after the last topic


def test_an_import_names_at_most_ten_new_parties(ready, tmp_path):
    path = tmp_path / "many.csv"
    names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India",
             "Juliett", "Kilo", "Lima"]  # fmt: skip
    rows = "".join(f"Q held,{name},asserts,,2026-05-01\n" for name in names)
    path.write_text(MINIMAL + rows, encoding="utf-8")
    result = ready("import", "csv", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    named = "; ".join(f"'{name}'" for name in names[:10])
    assert result.output.endswith(f"New parties: {named} and 2 more. New topics: 'general'\n")


def test_an_import_names_a_new_party_close_to_another_new_one(ready, tmp_path, engine):
    """MH17 (a new user): "Associated Press" and "Asociated Press" in one file made two
    parties, and the import named both without a word, comparing new names only with
    the parties there were. A new name close to one the file named before it says so."""
    path = tmp_path / "typo2.csv"
    rows = ("Q held,Joint Investigation Team,asserts,,2026-05-01\n"
            "Q held,Joint Investigaton Team,confirms,,2026-05-02\n")  # fmt: skip
    path.write_text(MINIMAL + rows, encoding="utf-8")
    before = snapshot(engine)
    dry = ready("import", "csv", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.endswith(
        "New parties: 'Joint Investigation Team'; 'Joint Investigaton Team' (did you mean "
        "'Joint Investigation Team'?). New topics: 'general'\n"
    ), dry.output
    assert snapshot(engine) == before


def test_claims_added_with_force_stay_apart_through_a_round_trip(
    run, engine, tmp_path, backend, request
):
    """Two claims of one key (the second added with --force) are exported with a
    claim_ref each, and imported as two claims: the file's key is the claim_ref there."""
    from test_export import _fresh_database

    said = ["--by", "Kyiv Post", "--create-missing", "--at", "2023-06-06", "--tz", "+03:00"]
    assert run("claim", "add", "The dam was blown up on Russia\u2019s orders", *said).exit_code == 0
    forced = run("claim", "add", "The dam was blown up on Russia's orders.", *said, "--force")
    assert forced.exit_code == 0, forced.output
    first = tmp_path / "first.csv"
    assert run("export", "csv", "--per", "stance", "--out", str(first)).exit_code == 0
    target = _fresh_database(backend, tmp_path, request)
    imported = CliRunner().invoke(cli, ["--db", target, "import", "csv", str(first)])
    assert imported.exit_code == 0, imported.output
    assert "2 claims, 2 stances" in imported.output
    second = tmp_path / "second.csv"
    exported = ["--db", target, "export", "csv", "--per", "stance", "--out", str(second)]
    assert CliRunner().invoke(cli, exported).exit_code == 0
    assert second.read_bytes() == first.read_bytes()
    again = run("import", "csv", str(first))  # into the database it came from: nothing new
    assert again.exit_code == 0 and "nothing new" in again.output, again.output


def test_a_topic_typo_is_listed_with_the_files_other_bad_rows(ready, tmp_path, engine):
    """Kramatorsk: `import csv` listed the bad stance, the future date and the missing
    offset, and only once they were fixed, the topic typed `kramatorks-2022`: every bad
    row of a file is listed in one run, a topic's typo too."""
    seeded = ready("report", "claims", "--format", "json").stdout
    [topic] = {c["topic"] for c in __import__("json").loads(seeded)}
    typo = topic.replace("-", "", 1)
    path = tmp_path / "both.csv"
    path.write_text("claim,party,stance,source,date,topic\n"
                    f"The station was struck,Nobody Known,asserts,,2022-04-08,{typo}\n"
                    f"The station was hit,Nobody Known,struck,,2022-04-08,{topic}\n",
                    encoding="utf-8")  # fmt: skip
    before = snapshot(engine)
    refused = ready("import", "csv", str(path))
    assert refused.exit_code == 1, refused.output
    lines = refused.stderr.splitlines()
    assert lines[0] == f"Error: {path}: 2 bad row(s), nothing imported:"
    assert lines[1].startswith(f"  line 2: new topic '{typo}' is close to '{topic}'")
    assert lines[2].startswith("  line 3: unknown stance 'struck'")
    assert snapshot(engine) == before


TURNING = (
    "claim,party,stance,source,date\n"
    "The bridge is closed,Iran,denies,,2026-04-11T10:00+00:00\n"  # Iran asserted it that day
    "A new claim,Israel,asserts,,2026-04-11\n"
    "A new claim,Israel,denies,,2026-04-11T12:00+00:00\n"  # within the day it asserted
    "A new claim,Israel,denies,,2026-04-12\n"  # the next day: a change of mind
)


def test_import_refuses_a_row_that_turns_its_party_round_as_the_cli_does(run, engine, tmp_path):
    """A new user: `claim deny` refuses the other side of a party's standing stance at
    an overlapping time without --again (a wrong --by or --at would turn it round
    unseen), but `import csv` recorded it. Now the import lists such rows with the
    file's other bad rows, against the database and the file's earlier rows, and
    imports them with --again."""
    added = run("claim", "add", "The bridge is closed", "--by", "Iran", "--create-missing",
                "--at", "2026-04-11")  # fmt: skip
    assert added.exit_code == 0, added.output
    bridge = int(added.stdout.split()[-1])
    refused = run("claim", "deny", "The bridge is closed", "--by", "Iran", "--at",
                  "2026-04-11T10:00+00:00")  # fmt: skip
    assert refused.exit_code == 1 and "pass --again" in refused.stderr
    path = tmp_path / "turn.csv"
    path.write_text(TURNING + "Another claim,Iran,bogus,,2026-04-11\n", encoding="utf-8")
    before = snapshot(engine)
    done = run("import", "csv", str(path))
    assert done.exit_code == 1 and done.stderr.splitlines()[1:] == [
        "  line 6: unknown stance 'bogus': use asserts, confirms, denies, disputes, retracts, "
        "questions, comments"
    ], done.output  # the read's bad rows first: the turns are found once the rows resolve
    path.write_text(TURNING, encoding="utf-8")
    done = run("import", "csv", str(path))
    assert done.exit_code == 1
    assert done.stderr.splitlines() == [
        f"Error: {path}: 2 bad row(s), nothing imported:",
        f"  line 2: Iran asserts claim {bridge} (stance 1) at a time this row's overlaps; "
        "this row would count as the later only for being recorded later: check its party "
        "and date, or pass --again to import it",
        f"  line 4: Israel asserts claim {bridge + 1} on line 3 at a time this row's overlaps; "
        "this row would count as the later only for being recorded later: check its party "
        "and date, or pass --again to import it",
    ]
    assert snapshot(engine) == before
    done = run("import", "csv", str(path), "--again")
    assert done.exit_code == 0 and "4 stances" in done.stdout, done.output
    # A row recorded before (an export's, with its recorded_at) was checked then.
    path.write_text(
        "claim,party,party_kind,stance,said_at,recorded_at\n"
        "The bridge is closed,Iran,person,asserts,2026-04-11T10:00+00:00,2026-04-11T11:00:00Z\n",
        encoding="utf-8",
    )
    done = run("import", "csv", str(path))
    assert done.exit_code == 0 and "1 stance" in done.stdout, done.output


def test_import_refuses_a_language_code_the_commands_refuse(run, engine, tmp_path):
    """The balloon user: `--lang klingonese` was stored, and so was any claim_lang,
    quote_lang or source_lang of a file. The import checks them as --lang does, each bad
    row listed with its line, nothing imported."""
    path = tmp_path / "langs.csv"
    path.write_text(
        "topic,claim,claim_lang,party,party_kind,stance,quote,quote_lang,said_at,said_tz\n"
        "balloon,The craft was a weather airship,en,Mao Ning,person,asserts,是民用的,zh,"
        "2023-02-03,+08:00\n"
        "balloon,It flew over Montana,english,Pentagon,organisation,asserts,,,2023-02-02,-05:00\n"
        "balloon,It flew over Montana,en,Mao Ning,person,denies,不是,zh_CN,2023-02-03,+08:00\n",
        encoding="utf-8",
    )
    before = snapshot(engine)
    refused = run("import", "csv", str(path))
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[1:] == [
        "  line 3: claim_lang: 'english' is not a language code (zh, en, fa, en-GB, zh-Hant...)",
        "  line 4: quote_lang: 'zh_CN' is not a language code (zh, en, fa, en-GB, zh-Hant...)",
    ]
    assert snapshot(engine) == before
    path.write_text(path.read_text(encoding="utf-8").replace("english", "en-US")
                    .replace("zh_CN", "zh-Hans-CN"), encoding="utf-8")  # fmt: skip
    assert run("import", "csv", str(path)).exit_code == 0


def test_a_party_named_with_a_final_full_stop_is_the_party_without_it(ready, tmp_path, engine):
    """MH17 (a new user): `party add "igor strelkov."` made a second Igor Strelkov, where
    a claim's final full stop is the claim's. A name typed with a final full stop, or
    without one a party's name has, is that party: here, in `claim add`, in an import,
    and between two new names of one file."""
    assert ready("party", "add", "Igor Strelkov").exit_code == 0
    assert ready("party", "add", "U.S.", "--kind", "government").exit_code == 0
    before = snapshot(engine)
    for name, held in (("igor strelkov.", "Igor Strelkov"), ("U.S", "U.S.")):
        refused = ready("party", "add", name)
        assert refused.exit_code == 1, refused.output
        assert refused.stderr.startswith(f"Error: party '{name}' exists already: ")
        assert refused.stderr.endswith(f" '{held}'\n"), refused.stderr
    assert snapshot(engine) == before
    added = ready("claim", "add", "A Buk shot it down", "--by", "Igor Strelkov.", "--at",
                  "2014-07-17", "--topic", "mh17", "--new-topic")  # fmt: skip
    assert added.exit_code == 0 and "Created party" not in added.output, added.output
    path = tmp_path / "stops.csv"
    rows = ("A Buk shot it down,U.S,asserts,,2014-07-18,mh17\n"
            "A Buk shot it down,Joint Team.,confirms,,2016-09-28,mh17\n"
            "A Buk shot it down,Joint Team,confirms,,2018-05-24,mh17\n")  # fmt: skip
    path.write_text("claim,party,stance,source,date,topic\n" + rows, encoding="utf-8")
    imported = ready("import", "csv", str(path))
    assert imported.exit_code == 0, imported.output
    assert imported.output.endswith("New parties: 'Joint Team.'\n"), imported.output
    [shown] = json.loads(ready("claim", "show", "A Buk shot it down", "--format", "json").stdout)
    assert sorted({s["party"] for s in shown["timeline"]}) == [
        "Igor Strelkov",
        "Joint Team.",
        "U.S.",
    ]


def test_an_import_names_a_new_topic_that_is_part_of_one_there_is(ready, tmp_path, engine):
    """Kerch (a new user): a row's topic `kerch` beside `kerch-bridge-2022` started a story
    of its own without a word, not being close enough by difflib's ratio to be named."""
    path = tmp_path / "part.csv"
    path.write_text("claim,party,stance,date,topic\nIt was an inside job,Mykhailo Podolyak,"
                    "asserts,2022-10-08,islamabad\n", encoding="utf-8")  # fmt: skip
    dry = ready("import", "csv", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.endswith("New topics: 'islamabad' (did you mean 'islamabad-talks-2026'?)\n")


# -- a new user's per-stance file (items 4-19): rows that contradict the database --------


def _desk(run, tmp_path, *, raw: bool = False) -> tuple[Path, list[str], list[list[str]]]:
    """A small desk's database, built with the commands, and its per-stance export: the
    file, its header and its data rows (cells as written, apostrophes and all)."""
    import csv

    for args in (
        ("party", "add", "Kremlin", "--kind", "government"),
        ("party", "add", "Dmitry Peskov", "--for", "Kremlin"),
        ("party", "add", "Kyiv", "--kind", "government"),
        ("claim", "add", "The drone came from inside", "--by", "Dmitry Peskov", "--at",
         "2023-06-07T10:00+03:00", "--slug", "inside", "--topic", "drones"),
        ("claim", "deny", "inside", "--by", "Kyiv", "--at", "2023-06-07T12:00+03:00"),
        ("claim", "add", "'-5%' was never the figure", "--by", "Kyiv", "--at", "2023-06-08",
         "--topic", "drones"),
    ):  # fmt: skip
        done = run(*args)
        assert done.exit_code == 0, done.output
    path = tmp_path / "s.csv"
    done = run("export", "csv", "--per", "stance", "--out", str(path), *(["--raw"] if raw else []))
    assert done.exit_code == 0, done.output
    with path.open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    return path, header, rows


def _edited(path: Path, header: list[str], rows: list[list[str]], **changes) -> Path:
    """``path`` rewritten: each of ``changes`` (line: {column: cell}) made to the row of
    that line (2: the first data row), recorded_at and recorded_by cleared as a desk's new
    rows have them, other rows as exported."""
    import csv

    rows = [list(r) for r in rows]
    for line, cells in changes.items():
        row = rows[int(line.removeprefix("line")) - 2]
        for column, cell in {"recorded_at": "", "recorded_by": "", **cells}.items():
            row[header.index(column)] = cell
    out = path.with_name("edited.csv")
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows([header, *rows])
    return out


def test_a_claim_ref_whose_claim_says_something_else_is_a_bad_row(run, engine, tmp_path):
    """Item 4: a row naming the claim "inside" by its slug, in other words, attached its
    stance to that claim and dropped its text unsaid. Now each such row is a bad row,
    quoting both texts, with the file's other bad rows; so is a row giving a claim_ref of
    the file another text than its first row did. A text that reads the same (a final
    full stop) is the claim, and the unchanged export imports again as before."""
    path, header, rows = _desk(run, tmp_path)
    before = snapshot(engine)
    edited = _edited(path, header, rows,
                     line3={"claim": "The drone came from Ukraine", "said_at": "2023-06-09"},
                     line4={"stance": "bogus"})  # fmt: skip
    done = run("import", "csv", str(edited))
    assert done.exit_code == 1
    assert done.stderr.splitlines() == [
        f"Error: {edited}: 1 bad row(s), nothing imported:",
        "  line 4: unknown stance 'bogus': use asserts, confirms, denies, disputes, retracts, "
        "questions, comments",
    ]  # the read's bad rows first, as the other rows the database tells apart
    day = "2023-06-09"
    edited = _edited(path, header, rows,
                     line2={"claim": "Something else entirely", "said_at": day},
                     line3={"claim": "The drone came from Ukraine", "said_at": day})  # fmt: skip
    done = run("import", "csv", str(edited))
    assert done.exit_code == 1
    assert done.stderr.splitlines() == [
        f"Error: {edited}: 2 bad row(s), nothing imported:",
        "  line 2: claim_ref 'inside' is claim 1, which says 'The drone came from inside', not "
        "'Something else entirely': give its text, or no claim_ref (or another) for another "
        "claim",
        "  line 3: claim_ref 'inside' is claim 1, which says 'The drone came from inside', not "
        "'The drone came from Ukraine': give its text, or no claim_ref (or another) for "
        "another claim",
    ]
    assert snapshot(engine) == before
    # A claim_ref new to the database, given two texts in the file.
    edited = _edited(path, header, rows,
                     line2={"claim_ref": "fresh", "claim": "A new claim"},
                     line3={"claim_ref": "fresh", "claim": "Another new claim"})  # fmt: skip
    done = run("import", "csv", str(edited))
    assert done.exit_code == 1 and done.stderr.splitlines()[1:] == [
        "  line 3: claim_ref 'fresh' says 'A new claim' on line 2, and 'Another new claim' "
        "here: give one text for each claim_ref"
    ], done.output
    assert snapshot(engine) == before
    # The same words but for a final full stop: the claim.
    edited = _edited(path, header, rows,
                     line3={"claim": "The drone came from inside.", "said_at": day})  # fmt: skip
    done = run("import", "csv", str(edited))
    assert done.exit_code == 0 and "1 stance" in done.stdout, done.output
    done = run("import", "csv", str(path))
    assert done.exit_code == 0 and "nothing new (3 stance(s) already present)" in done.stdout


def test_a_row_moving_a_party_to_another_side_is_a_bad_row(run, engine, tmp_path):
    """Item 5: a row giving Dmitry Peskov, who acts for the Kremlin, the party_for Kyiv
    moved him, unsaid and unlogged; the import has no option meant to. Now it is a bad
    row saying how to move him. A blank party_for leaves a party's side as it is (an
    export leaves it blank for a party of no side); a party of no side is given one."""
    path, header, rows = _desk(run, tmp_path)
    before = snapshot(engine)
    edited = _edited(path, header, rows, line2={"party_for": "Kyiv", "said_at": "2023-06-09"})
    done = run("import", "csv", str(edited))
    assert done.exit_code == 1
    assert done.stderr.splitlines()[1:] == [
        "  line 2: party_for 'Kyiv': 'Dmitry Peskov' acts for 'Kremlin' in the database: give "
        "'Kremlin', or change it first with: claimtrack party edit 'Dmitry Peskov' --for 'Kyiv'"
    ], done.output
    assert snapshot(engine) == before
    edited = _edited(path, header, rows, line2={"party_for": "", "said_at": "2023-06-09"})
    done = run("import", "csv", str(edited))
    assert done.exit_code == 0 and "1 stance" in done.stdout, done.output
    shown = json.loads(run("party", "show", "Dmitry Peskov", "--format", "json").stdout)
    assert shown[0]["acts_for"] == "Kremlin"
    edited = _edited(path, header, rows, line3={"party_for": "Kremlin", "said_at": "2023-06-10"})
    done = run("import", "csv", str(edited))  # Kyiv had no side
    assert done.exit_code == 0 and "1 stance" in done.stdout, done.output


def test_a_later_row_giving_a_party_another_kind_or_side_is_a_bad_row(run, engine, tmp_path):
    """nu21 #2: a party's kind and side were read from its first row only: a later row's
    party_for (Peskov for Ukraine, where the database has him for Russia) was passed over,
    unsaid, and a file's bad kind and bad side came out one import at a time. Each later
    row giving another kind or side is a bad row, named with the first, all at once."""
    import csv

    path, header, rows = _desk(run, tmp_path)
    before = snapshot(engine)
    peskov = dict(zip(header, rows[0], strict=True))
    later = [
        {**peskov, "recorded_at": "", "recorded_by": "", "said_at": day, **cells}
        for day, cells in (
            ("2023-06-09", {"party_kind": "government"}),
            ("2023-06-10", {"party_kind": "", "party_for": "Kyiv"}),
            ("2023-06-11", {"party_kind": "", "party_for": ""}),
        )  # fmt: skip
    ]
    edited = path.with_name("later.csv")
    with edited.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerows([header, *rows, *([r[h] for h in header] for r in later)])
    done = run("import", "csv", str(edited))
    assert done.exit_code == 1
    first = len(rows) + 2  # the line of the first row added
    assert done.stderr.splitlines()[1:] == [
        f"  line {first}: party_kind government: 'Dmitry Peskov' is person on line 2: give "
        "one kind for each party",
        f"  line {first + 1}: party_for 'Kyiv': 'Dmitry Peskov' acts for 'Kremlin' on line 2: "
        "give one side for each party",
    ], done.output
    assert snapshot(engine) == before
    del later[:2]  # a blank kind and side on a later row are the party's own
    with edited.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerows([header, *rows, *([r[h] for h in header] for r in later)])
    done = run("import", "csv", str(edited))
    assert done.exit_code == 0 and "1 stance" in done.stdout, done.output


def test_a_row_giving_a_party_another_kind_is_a_bad_row(run, engine, tmp_path):
    """Item 6: a party_kind other than the party's was passed over unsaid, where claim add
    refuses a conflicting --party-kind. Now a bad row; a blank party_kind is the party's."""
    path, header, rows = _desk(run, tmp_path)
    before = snapshot(engine)
    edited = _edited(path, header, rows, line3={"party_kind": "person", "said_at": "2023-06-09"})
    done = run("import", "csv", str(edited))
    assert done.exit_code == 1
    assert done.stderr.splitlines()[1:] == [
        "  line 3: party_kind person: 'Kyiv' is of kind government in the database: give "
        "government, or change it first with: claimtrack party edit 'Kyiv' --kind person"
    ], done.output
    assert snapshot(engine) == before
    edited = _edited(path, header, rows, line3={"party_kind": "", "said_at": "2023-06-09"})
    done = run("import", "csv", str(edited))
    assert done.exit_code == 0 and "1 stance" in done.stdout, done.output


def test_a_row_turning_a_party_anonymous_or_named_points_at_party_edit(run, engine, tmp_path):
    """A row naming an anonymous source of the database with a blank party_kind was refused
    as "party name 'a Kremlin source' belongs to party #4 'a Kremlin source'", as was a row
    giving a named party as anonymous (or the reverse), unsaid why. A blank kind is the
    party's own; another anonymity is a bad row that names the command changing it."""
    path, header, rows = _desk(run, tmp_path)
    assert run("party", "add", "--anonymous", "a Kremlin source", "--for", "Kremlin").exit_code == 0
    source = {"party": "a Kremlin source", "party_for": "Kremlin", "said_at": "2023-06-09"}
    before = snapshot(engine)
    edited = _edited(path, header, rows, line2={**source, "party_kind": "person"},
                     line3={"party_kind": "anonymous", "said_at": "2023-06-09"})  # fmt: skip
    done = run("import", "csv", str(edited))
    assert done.exit_code == 1
    assert done.stderr.splitlines()[1:] == [
        "  line 2: party_kind person: 'a Kremlin source' is an anonymous source in the "
        "database: give anonymous, or make it a named party first with: claimtrack party "
        "edit 'a Kremlin source' --kind person",
        "  line 3: party_kind anonymous: 'Kyiv' is a named party (kind government) in the "
        "database: give government, or make it an anonymous source first with: claimtrack "
        "party edit 'Kyiv' --anonymous",
    ], done.output
    assert snapshot(engine) == before
    blank = _edited(path, header, rows, line2={**source, "party_kind": ""})
    done = run("import", "csv", str(blank))
    assert done.exit_code == 0, done.output
    assert done.stdout.endswith(": 1 stance (2 stance(s) already present).\n")  # no party
    [shown] = json.loads(run("party", "show", "a Kremlin source", "--format", "json").stdout)
    assert shown["kind"] == "anonymous" and len(shown["stances"]) == 1, shown
    assert run("party", "edit", "Kyiv", "--anonymous").exit_code == 0  # as the line says
    again = _edited(path, header, rows, line3={"party_kind": "anonymous", "said_at": "2023-06-10"})
    done = run("import", "csv", str(again))  # its line 4, exported before, has Kyiv named
    assert done.exit_code == 1 and "line 4: party_kind government: 'Kyiv' is anonymous on " \
        "line 3" in done.output, done.output  # fmt: skip
    again = _edited(path, header, rows, line3={"party_kind": "anonymous", "said_at": "2023-06-10"},
                    line4={"party_kind": ""})  # fmt: skip
    done = run("import", "csv", str(again))
    assert done.exit_code == 0 and "1 stance" in done.stdout, done.output


def test_a_said_tz_that_contradicts_the_said_at_offset_is_a_bad_row(run, engine, tmp_path):
    """Item 7: said_tz +05:00 beside said_at ...+03:00 was stored at +03:00 unsaid; the
    export's said_tz is the offset of said_at, so a zone that agrees is taken (a name too)
    and the round trip is untouched."""
    path, header, rows = _desk(run, tmp_path)
    before = snapshot(engine)
    edited = _edited(path, header, rows, line2={"said_tz": "'+05:00"})
    done = run("import", "csv", str(edited))
    assert done.exit_code == 1
    assert done.stderr.splitlines()[1:] == [
        "  line 2: time '2023-06-07T10:00+03:00' is at +03:00, but said_tz +05:00 is at "
        "+05:00 then: give the offset or said_tz, not both"
    ], done.output
    assert snapshot(engine) == before
    moscow = {"said_tz": "Europe/Moscow", "said_at": "2023-06-09T10:00+03:00"}
    edited = _edited(path, header, rows, line2=moscow)
    done = run("import", "csv", str(edited))
    assert done.exit_code == 0 and "1 stance" in done.stdout, done.output


def test_a_raw_export_imported_without_raw_is_refused_where_it_would_lose_an_apostrophe(
    run, engine, tmp_path
):
    """Item 8: a --raw export imported without --raw lost the apostrophe of "'Nothing
    serious' was a lie", exit 0 (now kept: only a mark before what an export marks is
    taken off). Its offsets have no apostrophe, which an export without --raw gives
    each: such a file, with a cell that would lose one ("'-5%' was never the figure"),
    is refused in one line; --raw imports it exactly. A --raw export without such a
    cell imports as before."""
    path, header, rows = _desk(run, tmp_path, raw=True)
    done = run("import", "csv", str(path))
    assert done.exit_code == 1
    assert done.stderr.splitlines() == [
        f"Error: {path}: line 4: the claim cell begins with an apostrophe (\"'-5%' was never "
        'the figure") that the import would take off, and the file reads as a --raw export '
        "(said_tz '+00:00' has no apostrophe before it, as 'export csv' without --raw writes "
        "each offset): import it with --raw"
    ]
    done = run("import", "csv", str(path), "--raw")
    assert done.exit_code == 0 and "already present" in done.stdout, done.output
    plain = path.with_name("plain.csv")
    plain.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:3]))
    done = run("import", "csv", str(plain))
    assert done.exit_code == 0, done.output


def test_an_import_notes_a_bidi_override_as_claim_add_does(run, engine, tmp_path):
    """Item 11: claim add notes a text holding a bidi override (U+202E); the import said
    nothing. It now gives the same note on stderr, naming the rows by line."""
    path = tmp_path / "rlo.csv"
    path.write_text(
        "claim,party,stance,date,quote\n"
        "The drone came from \u202eedisni,Kyiv,asserts,2023-06-07,\n"
        "Plain,Kyiv,asserts,2023-06-07,\n"
        "Plain,Kremlin,denies,2023-06-07,said \u202dthis\n",
        encoding="utf-8",
    )
    done = run("import", "csv", str(path))
    assert done.exit_code == 0, done.output
    assert done.stderr == (
        "Note: the claim text or quote on 2 row(s) (line(s) 2, 4) holds a left-to-right "
        "override (U+202D) and a right-to-left override (U+202E), which shows the text after "
        "it in an order not its own: recorded as given; if it came with a paste, take it out "
        "of those rows ('import csv --dry-run' notes them before anything is written)\n"
    )


def test_an_import_refuses_a_new_party_a_keystroke_from_one_as_create_missing_does(
    run, engine, tmp_path
):
    """Item 19: 'Dmitry Peskow' beside 'Dmitry Peskov' was created with a "did you mean";
    claim deny --create-missing refuses it (``record.likely_typo``). The import now
    refuses it by the same rule, as a bad row. New parties that are no typo, and a file
    naming both into an empty database, are imported."""
    path, header, rows = _desk(run, tmp_path)
    refused = run("claim", "deny", "inside", "--by", "Dmitry Peskow", "--create-missing")
    assert refused.exit_code == 1 and "a keystroke from 'Dmitry Peskov'" in refused.stderr
    before = snapshot(engine)
    edited = _edited(path, header, rows,
                     line2={"party": "Dmitry Peskow", "party_for": "", "said_at": "2023-06-09"},
                     line3={"party": "Maria Zakharova", "said_at": "2023-06-09"},
                     line4={"via": "Kremlinn"})  # fmt: skip
    done = run("import", "csv", str(edited))
    assert done.exit_code == 1
    assert done.stderr.splitlines()[1:] == [
        "  line 2: unknown party 'Dmitry Peskow': a keystroke from 'Dmitry Peskov', so the "
        "import does not create it (as --create-missing does not). If it is another party, "
        "create it first with: claimtrack party add 'Dmitry Peskow'",
        "  line 4: unknown party 'Kremlinn': a keystroke from 'Kremlin', so the import does "
        "not create it (as --create-missing does not). If it is another party, create it "
        "first with: claimtrack party add 'Kremlinn'",
    ], done.output
    assert snapshot(engine) == before
    names = ["Maria Zakharova", "Volodymyr Zelensky", "Andriy Yermak", "Sergei Shoigu"]
    fresh = tmp_path / "fresh.csv"
    fresh.write_text(MINIMAL + "".join(f"New claim,{n},asserts,,2023-06-09\n" for n in names))
    done = run("import", "csv", str(fresh))
    assert done.exit_code == 0 and "4 parties" in done.stdout, done.output
    empty = tmp_path / "empty.db"
    both = tmp_path / "both.csv"
    both.write_text(MINIMAL + "X,Dmitry Peskov,asserts,,2023-06-09\n"
                    "X,Dmitry Peskow,denies,,2023-06-09\n")  # fmt: skip
    done = CliRunner().invoke(cli, ["--db", str(empty), "import", "csv", str(both)])
    assert done.exit_code == 0 and "2 parties" in done.stdout, done.output


BRIEFING = "IDF press briefing on the Al-Ahli hospital explosion"


def _sources(run) -> list[tuple[int, str, str]]:
    listed = json.loads(run("source", "list", "--format", "json").stdout)
    return [(s["id"], s["title"], s["outlet"]) for s in listed]


def test_a_minimal_row_names_a_source_there_is_by_its_title(ready, tmp_path, engine):
    """Al-Ahli: a row whose source cell was the title of the IDF's briefing, spoken by
    Daniel Hagari, made a second source of that title with Hagari as its outlet (the dry
    run said "1 source"), and `--source TITLE` was ambiguous after. The cell names the
    source as `--source TITLE` does, whatever its outlet; only a title no source has is a
    new source, once, the outlet of the first row naming it its outlet."""
    added = ready("source", "add", BRIEFING, "--outlet", "Israel Defense Forces",
                  "--create-missing")  # fmt: skip
    assert added.exit_code == 0, added.output
    briefing = int(added.stdout)
    path = tmp_path / "al-ahli.csv"
    path.write_text(
        "claim,party,stance,source,date,topic\n"
        f"The car park was hit by a misfired rocket,Daniel Hagari,asserts,{BRIEFING},"
        "2023-10-18,al-ahli-2023\n"
        "The car park was hit by a misfired rocket,Omar Nazzal,denies,Gaza desk notes,"
        "2023-10-18,al-ahli-2023\n"
        "The car park was hit by a misfired rocket,Sami Abu Zuhri,denies,Gaza desk notes,"
        "2023-10-18,al-ahli-2023\n",
        encoding="utf-8",
    )
    sources = _sources(ready)
    before = snapshot(engine)
    dry = ready("import", "csv", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    # One new source: the desk notes, named twice; the briefing is the one there is.
    assert ": 3 parties, 1 source, 1 claim, 3 stances." in dry.output, dry.output
    assert snapshot(engine) == before
    done = ready("import", "csv", str(path))
    assert done.exit_code == 0 and ": 3 parties, 1 source, 1 claim, 3 stances." in done.output
    notes = (briefing + 1, "Gaza desk notes", "Omar Nazzal")
    assert _sources(ready) == [*sources, notes]
    (claim,) = json.loads(ready("claim", "list", "--topic", "al-ahli-2023", "--format",
                                "json").stdout)  # fmt: skip
    shown = json.loads(ready("claim", "show", str(claim["id"]), "--format", "json").stdout)
    said = sorted((s["party"], s["source"]) for s in shown[0]["timeline"])
    assert said == [("Daniel Hagari", BRIEFING), ("Omar Nazzal", "Gaza desk notes"),
                    ("Sami Abu Zuhri", "Gaza desk notes")]  # fmt: skip
    # The title names one source still.
    comment = ready("claim", "comment", str(claim["id"]), "--by", "Reuters", "--source",
                    BRIEFING, "--at", "2023-10-19")  # fmt: skip
    assert comment.exit_code == 0, comment.output
    again = ready("import", "csv", str(path))
    assert again.output.endswith(": nothing new (3 stance(s) already present).\n"), again.output


def test_a_minimal_row_naming_a_title_several_sources_have_is_a_bad_row(ready, tmp_path, engine):
    """As `--source TITLE` refuses a title two sources have, a row naming it is a bad row,
    by its first line, with their ids and outlets; nothing is written."""
    first = ready("source", "add", BRIEFING, "--outlet", "Israel Defense Forces",
                  "--create-missing")  # fmt: skip
    second = ready("source", "add", BRIEFING, "--outlet", "Israel")
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    ids = int(first.stdout), int(second.stdout)
    path = tmp_path / "ambiguous.csv"
    path.write_text(
        MINIMAL
        + "The talks failed,Iran,denies,,2026-04-12\n"
        + f"The car park was hit,Daniel Hagari,asserts,{BRIEFING},2023-10-18\n" * 2,
        encoding="utf-8",
    )
    before = snapshot(engine)
    for args in ((), ("--dry-run",)):
        refused = ready("import", "csv", str(path), *args)
        assert (refused.exit_code, refused.stdout) == (1, ""), refused.output
        assert refused.stderr == (
            f"Error: {path}: 1 bad row(s), nothing imported:\n  line 3: source '{BRIEFING}' is "
            f"ambiguous (ids {ids[0]} of 'Israel Defense Forces', {ids[1]} of 'Israel'): a "
            "minimal file names a source by its title alone; to choose one, give its outlet in "
            "the per-stance format's source_outlet column\n"
        )
        assert "Traceback" not in refused.output
        assert snapshot(engine) == before
    # The per-stance format names it by its outlet too.
    full = tmp_path / "full.csv"
    full.write_text(
        "claim,party,party_kind,stance,source_title,source_outlet,said_at\n"
        f"The car park was hit,Daniel Hagari,,asserts,{BRIEFING},Israel,2023-10-18\n",
        encoding="utf-8",
    )
    done = ready("import", "csv", str(full))
    assert done.exit_code == 0 and ": 1 party, 1 claim, 1 stance." in done.output, done.output


def test_source_add_notes_another_outlets_source_of_the_title(ready):
    """Al-Ahli: `source add` of a title another outlet's source has added a second one
    without a word, and `--source TITLE` was ambiguous after. It is still added (two
    outlets may carry one title), with a note naming the other and what to give."""
    first = ready("source", "add", BRIEFING, "--outlet", "Israel Defense Forces",
                  "--create-missing")  # fmt: skip
    assert first.exit_code == 0 and "Note: source" not in first.stderr, first.output
    second = ready("source", "add", BRIEFING, "--outlet", "Israel")
    assert second.exit_code == 0, second.output
    assert second.stderr == (
        f"Note: source #{int(first.stdout)} (outlet 'Israel Defense Forces') has this title "
        f"too: a --source naming it by its title is ambiguous now; give the id (this one's: "
        f"{int(second.stdout)})\n"
    )
    # Reusing the outlet's own says what it said before, and no note.
    again = ready("source", "add", BRIEFING, "--outlet", "Israel")
    assert again.stderr == f"Source #{int(second.stdout)} exists already; using it.\n"
    ambiguous = ready("claim", "comment", "1", "--by", "Reuters", "--source", BRIEFING,
                      "--at", "2026-04-12")  # fmt: skip
    assert ambiguous.exit_code == 1 and "is ambiguous" in ambiguous.stderr
