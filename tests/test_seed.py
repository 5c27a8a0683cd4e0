"""The bundled Islamabad dataset: loads idempotently and gives the contested picture."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from claimtrack import record, report
from claimtrack.importer import bundled_seed_path, load_dataset, read_toml
from claimtrack.models import Claim, Party, Stance
from claimtrack.selection import Selection


@pytest.fixture
def seeded(session):
    load_dataset(session, read_toml(bundled_seed_path()), editor="t", label="seed")
    session.commit()
    return session


def _by_slug(session):
    contested = report.claims(session, Selection(status="contested"), detail=True)
    return {c.claim_id: c for c in contested}, {
        c.slug: c.id for c in session.scalars(sa.select(Claim))
    }


@pytest.mark.parametrize(
    "slug, supporter, opponent",
    [
        (
            "asset-unfreeze",
            "unnamed senior Iranian official (Iran)",
            "unnamed US official (United States)",
        ),
        ("destroyers-transit", "United States", "Iran"),
        ("destroyers-expelled", "Iran", "United States"),
        ("meeting-room-clash", "Some Western media", "Tasnim News Agency (Iran)"),
        ("handshake", "Some Western media", "Tasnim News Agency (Iran)"),
        ("duration-21-hours", "JD Vance (United States)", "Esmaeil Baghaei (Iran)"),
    ],
)
def test_named_claims_are_contested_with_both_sides(seeded, slug, supporter, opponent):
    contested, ids = _by_slug(seeded)
    row = contested[ids[slug]]
    assert supporter in [p.party for p in row.support]
    assert opponent in [p.party for p in row.oppose]


@pytest.mark.parametrize(
    "slug", ["no-agreement", "hormuz-transit-rights", "face-to-face-two-hours", "talks-extended"]
)
def test_uncontested_claims_are_not_reported(seeded, slug):
    contested, ids = _by_slug(seeded)
    assert ids[slug] not in contested


def test_extension_claim_was_retracted(seeded):
    _, ids = _by_slug(seeded)
    status = seeded.execute(
        sa.text("SELECT status FROM claim_status WHERE claim_id = :id"),
        {"id": ids["talks-extended"]},
    ).scalar_one()
    assert status == "retracted"


def test_loading_twice_adds_nothing(seeded):
    counts = [
        seeded.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Party, Claim, Stance)
    ]
    again = load_dataset(seeded, read_toml(bundled_seed_path()), editor="t", label="seed")
    seeded.commit()
    assert again.summary() == "nothing new (30 stance(s) already present)"
    assert counts == [
        seeded.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Party, Claim, Stance)
    ]


@pytest.mark.parametrize(
    "alias, name",
    [
        ("万斯", "JD Vance"),
        ("vance", "JD Vance"),
        ("ＶＡＮＣＥ", "JD Vance"),  # full-width, NFKC folds it
        ("巴加埃", "Esmaeil Baghaei"),
        ("塔斯尼姆通讯社", "Tasnim News Agency"),
        ("美方", "United States"),
        ("一名伊朗高官", "unnamed senior Iranian official"),
    ],
)
def test_parties_are_found_by_alias_in_any_script(seeded, alias, name):
    assert record.find_party(seeded, alias).name == name


def test_affiliations_give_sides(seeded):
    vance = record.find_party(seeded, "Vance")
    assert record.party_side(vance).name == "United States"
    official = record.find_party(seeded, "unnamed senior Iranian official")
    assert official.anonymous and record.party_side(official).name == "Iran"


def test_an_anonymous_source_is_never_taken_for_a_named_party(seeded):
    """One namespace: a named party may not take an anonymous source's descriptor, and
    looking for a named party of those words finds none."""
    import pytest

    from claimtrack.errors import ClaimtrackError

    anonymous = record.find_named_party(seeded, "unnamed US official", anonymous=True)
    assert anonymous is not None
    assert record.find_named_party(seeded, "unnamed US official", anonymous=False) is None
    with pytest.raises(ClaimtrackError, match="belongs to party"):
        record.add_party(seeded, "unnamed US official", kind="person", editor="t")


def test_reuters_chain_is_recorded(seeded):
    _, ids = _by_slug(seeded)
    stance = seeded.scalars(
        sa.select(Stance).where(Stance.claim_id == ids["asset-unfreeze"], Stance.kind == "asserts")
    ).one()
    assert stance.via.name == "Reuters"
    assert stance.quote.startswith("美国已经同意解冻")
    assert stance.source.outlet.name == "Xinhua"
    assert (stance.said_offset, stance.said_precision) == (300, "day")


def test_seed_command_loads_a_file_from_fixtures(run, engine):
    from pathlib import Path

    fixture = Path(__file__).parent.parent / "fixtures" / "mini-story.toml"
    result = run("seed", str(fixture))
    assert result.exit_code == 0, result.output
    assert "2 parties" in result.output and "2 claims" in result.output
    report = run("report", "contested", "--format", "json").output
    assert "The bridge was closed on Monday." in report
    assert "nothing new" in run("seed", str(fixture)).output


@pytest.mark.parametrize("field", ["at", "published"])
def test_a_seed_time_after_now_is_refused_and_nothing_loaded(run, engine, tmp_path, field):
    """A said (or published) time after now is a typo, refused in one line, as on the
    command line; the file is loaded in one transaction, so nothing is written."""
    from conftest import snapshot

    def seed(times):
        path = tmp_path / "typo.toml"
        path.write_text(f"""topic = "t"
[[parties]]
name = "Iran"
[[sources]]
key = "s"
title = "T"
outlet = "Iran"
published = "{times['published']}"
[[claims]]
text = "X holds"
  [[claims.stances]]
  by = "Iran"
  kind = "asserts"
  at = "{times['at']}"
""", encoding="utf-8")  # fmt: skip
        return run("seed", str(path))

    before = snapshot(engine)
    result = seed({"at": "2026-04-12", "published": "2026-04-12", field: "2999-04-12"})
    assert result.exit_code != 0, result.output
    said = {"at": "said", "published": "published"}[field]
    assert f"the {said} time 2999-04-12 (Z) is after now" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert snapshot(engine) == before
    assert seed({"at": "2026-04-12", "published": "2026-04-12"}).exit_code == 0  # the typo only


def test_a_seed_time_without_an_offset_or_a_tz_names_the_tz_key(run, engine, tmp_path):
    """nu19: the refusal said "say which zone with --tz", an option seed does not take,
    and docs/seed-format.md said such a time was UTC. The file's (or entry's) tz key."""
    from conftest import snapshot

    path = tmp_path / "bare.toml"
    body = ('[[parties]]\nname = "Iran"\n[[claims]]\ntext = "X holds"\ntopic = "t"\n'
            '  [[claims.stances]]\n  by = "Iran"\n  kind = "asserts"\n'
            '  at = "2026-04-12T10:00"\n')  # fmt: skip
    path.write_text(body, encoding="utf-8")
    before = snapshot(engine)
    result = run("seed", str(path))
    assert (result.exit_code, result.stderr) == (1, (
        "Error: claims 1: stance 1: time '2026-04-12T10:00' has no UTC offset: add one "
        "(2026-04-12T08:30+05:00) or say which zone with a tz key\n")), result.output  # fmt: skip
    assert snapshot(engine) == before
    path.write_text('tz = "+03:30"\n' + body, encoding="utf-8")
    assert run("seed", str(path)).exit_code == 0
    [claim] = json.loads(run("report", "claims", "--format", "json").stdout)
    assert claim["last_activity"] == "2026-04-12T10:00+03:30", claim
