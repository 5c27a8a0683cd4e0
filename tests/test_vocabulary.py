"""The stance vocabulary is defined once: no other module spells a list of kinds."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from claimtrack import rule, vocabulary

ROOT = Path(__file__).parent.parent
KINDS = set(vocabulary.STANCE_KINDS)
# Migrations freeze the SQL of their day, as migrations must; the vocabulary is the source.
EXEMPT = {ROOT / "claimtrack" / "vocabulary.py"}
SOURCES = sorted(
    p
    for folder in ("claimtrack", "bench")
    for p in (ROOT / folder).rglob("*.py")
    if p not in EXEMPT
)


def kind_lists(source: str) -> list[int]:
    """Lines where a tuple, list or set literal holds two or more stance kinds."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            named = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(KINDS.intersection(named)) >= 2:
                found.append(node.lineno)
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_spells_a_list_of_stance_kinds(path):
    assert kind_lists(path.read_text(encoding="utf-8")) == [], path


def test_the_check_finds_a_list_when_there_is_one():
    assert kind_lists('X = ("asserts", "confirms")\nY = ["denies"]\n') == [1]


@pytest.mark.parametrize("path", sorted((ROOT / "claimtrack" / "templates").glob("*")))
def test_templates_spell_no_kinds(path):
    text = path.read_text(encoding="utf-8")
    assert not [k for k in KINDS if re.search(rf"[\"']{k}[\"']", text)], path


def test_the_rule_sql_is_generated_from_the_vocabulary():
    sides = rule.view_sql("claim_sides")
    assert f"l.kind IN ({vocabulary.sql_list(vocabulary.SUPPORT)})" in sides
    assert f"l.kind <> '{vocabulary.WITHDRAWAL}'" in sides
    assert vocabulary.sql_list(vocabulary.POSITION_KINDS) in rule.view_sql("stance_latest")


def test_every_kind_has_one_effect_and_the_models_use_them_all():
    from claimtrack import models

    assert {k.effect for k in vocabulary.KINDS} == {"support", "oppose", "withdraw", "none"}
    assert models.Stance.__table__.c.kind.type.enums == list(vocabulary.STANCE_KINDS)
