"""Command line against hostile or half-finished input (issue 12): one line, the right exit code."""

from __future__ import annotations

import json

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
