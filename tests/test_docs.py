"""Documentation matches the code: every command is in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import ALL_COMMANDS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=" ".join)
def test_every_command_is_in_the_readme(command):
    assert any(" ".join(command) in line for line in README.splitlines()), command


def test_readme_quick_start_has_exactly_two_commands():
    section = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = section.split("```", 2)[1]
    lines = [line for line in block.strip().splitlines() if line.strip()]
    assert lines == [
        "pip install . && claimtrack demo",
        "pip install -e '.[test]' && pytest -n auto",
    ]


def test_ci_runs_the_readme_test_command():
    section = README.split("## Quick start", 1)[1].split("##", 1)[0]
    command = section.split("```", 2)[1].strip().splitlines()[-1]
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert command.replace("pip install", "pip install -q") in ci


def test_the_command_reference_is_up_to_date(monkeypatch):
    """docs/cli.md is what `python docs/make_cli_reference.py` writes from the code."""
    import importlib.util

    path = Path(__file__).parent.parent / "docs" / "make_cli_reference.py"
    spec = importlib.util.spec_from_file_location("make_cli_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setenv("COLUMNS", "100")
    written = module.OUT.read_text(encoding="utf-8")
    assert written == module.reference(), "run: python docs/make_cli_reference.py"
