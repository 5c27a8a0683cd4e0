"""The progress bar (claimtrack.cli.output.Progress): on a terminal only, in labelled
phases, and an estimate of the time left only once there is enough to go on."""

from __future__ import annotations

import io
import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimtrack.cli import cli
from claimtrack.cli.output import Progress


class Terminal(io.StringIO):
    """What a terminal receives."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def estimates(text: str) -> list[str]:
    return re.findall(r"about (\S+) left", text)


def test_no_estimate_from_the_first_steps_then_the_rate_so_far():
    """A slow start (the first row after 20 s) is no ground for an estimate of days."""
    terminal, clock = Terminal(), Clock()
    progress = Progress(terminal, clock=clock)
    with progress.phase("Reading", 1000) as advance:
        clock.now += 20  # the first row after a slow start
        advance(1)
        for _ in range(48):  # then rows at 10 a second: 4.9 % done after 24.8 s
            clock.now += 0.1
            advance(1)
        assert estimates(terminal.getvalue()) == []
        assert "49/1,000 rows" in terminal.getvalue()
        for _ in range(51):  # 100 rows (10 %) in 29.9 s
            clock.now += 0.1
            advance(1)
        shown = estimates(terminal.getvalue())
    # from the rate so far (about 0.3 s a row, 900 rows to go: some 270 s), never days
    seconds = [int(m or 0) * 60 + int(s) for m, s in
               (re.fullmatch(r"(?:(\d+)m)?(\d+)s", e).groups() for e in shown)]  # fmt: skip
    assert seconds and 260 <= seconds[-1] <= 280
    assert max(seconds) <= 500
    assert "Reading" in terminal.getvalue()


def test_no_estimate_before_two_seconds_however_far_along():
    terminal, clock = Terminal(), Clock()
    with Progress(terminal, clock=clock).phase("Reading", 100) as advance:
        for _ in range(90):
            clock.now += 0.01
            advance(1)
    assert estimates(terminal.getvalue()) == []
    assert "90/100 rows" in terminal.getvalue()


@pytest.mark.parametrize("total, estimate", [(None, True), (5, False)])
def test_no_estimate_when_the_total_is_unknown_or_the_steps_unlike(total, estimate):
    terminal, clock = Terminal(), Clock()
    progress = Progress(terminal, clock=clock)
    with progress.phase("Writing", total, unit="steps", estimate=estimate) as advance:
        for step in ("parties", "sources", "claims", "stances"):
            advance(0, note=step)
            clock.now += 30
            advance(1)
    text = terminal.getvalue()
    assert estimates(text) == []
    assert "claims" in text and "2m00s" in text  # what it is doing, and for how long


def test_a_bar_in_bytes_shows_the_percentage_and_the_rows_beside_it():
    terminal, clock = Terminal(), Clock()
    with Progress(terminal, clock=clock).phase("Reading f.csv", 4000, unit="bytes") as advance:
        clock.now += 3
        advance(1000, note="10,000 rows")
    text = terminal.getvalue()
    assert "25%" in text and "10,000 rows" in text and "bytes" not in text
    assert estimates(text) == ["9s"]  # 1,000 bytes in 3 s, 3,000 to go


def test_nothing_is_drawn_when_stderr_is_not_a_terminal():
    stream = io.StringIO()
    with Progress(stream).phase("Reading", 10) as advance:
        advance(10)
    assert stream.getvalue() == ""


def test_a_command_draws_no_bar_into_a_pipe(tmp_path):
    data = tmp_path / "stances.csv"
    data.write_text("claim,party,stance,source,date\nA claim,Iran,asserts,,2026-04-12\n")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), "import", "csv", str(data)])
    assert result.exit_code == 0, result.output
    assert "Reading" not in result.output and "Writing" not in result.output


def test_a_command_draws_its_phases_on_a_terminal(tmp_path):
    """A real pseudo-terminal as stderr: the phases are drawn there, and standard
    output (a pipe) carries only the result."""
    import pty

    data = tmp_path / "stances.csv"
    rows = "".join(f"Claim {n},Party {n % 7},asserts,,2026-04-12\n" for n in range(2500))
    data.write_text("claim,party,stance,source,date\n" + rows)
    program = Path(sys.executable).with_name("claimtrack")
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [str(program), "--db", str(tmp_path / "t.db"), "import", "csv", str(data)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=secondary,
    )  # fmt: skip
    os.close(secondary)
    drawn = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the command ended and closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    os.close(primary)
    out = process.stdout.read().decode()
    assert process.wait() == 0
    text = drawn.decode()
    for phase in ("Reading stances.csv", "2,500 rows", "Writing", "5/5 steps", "Re-rating claims"):
        assert phase in text, (phase, text)
    assert estimates(text) == []  # a second's import: no estimate
    assert out.startswith("Imported 2500 row(s)") and "Reading" not in out
