"""Command line against hostile or half-finished input (issue 12): one line, the right exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.app.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_program_free_names_are_inputs_set_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "eval", "--expr", "g = 2*x + 1; h = g**2", "--set", "x=3", "--json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    by_name = {n["name"]: n for n in doc["nodes"]}
    assert doc["output"] == "h" and doc["value"] == 49.0  # (2·3 + 1)², by hand
    assert by_name["x"]["op"] == "input" and by_name["x"]["grad"] == 28.0  # 2·7·2
    code, out, err = run(capsys, "eval", "--expr", "y = log(x - 2)")
    assert code == 0 and "warning: " in out  # x = 1 by default: log of -1 is diagnosed, not refused


def test_invalid_utf8_in_typed_text_is_bad_input_in_one_line() -> None:
    """``eval --expr $'x = \\xff\\xfe + 1'`` from a real shell: exit 1, one line, no 'internal error'."""
    root = Path(__file__).resolve().parents[1]
    argv = [sys.executable.encode(), b"-m", b"explorer", b"eval", b"--expr", b"x = \xff\xfe + 1"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(argv, cwd=root, capture_output=True, timeout=60, env=env)
    assert done.returncode == 1
    assert done.stderr == b"chain-explorer: error: --expr: not valid UTF-8 text (byte 0xff at character 5)\n"


def test_a_lone_surrogate_in_set_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "eval", "--expr", "x + 1", "--set", "x\ud800=2")
    reason = "not valid UTF-8 text (a lone surrogate at character 2)"
    assert code == 1 and err == f"chain-explorer: error: --set: {reason}\n"
