"""The command line on programs that define functions (issue 10's 'done means')."""

from __future__ import annotations

import json

import pytest

from explorer.app.cli import main

LESSON = "g(x) = 2*x + 1; f(z) = z**2; h = f(g(x))"


def test_eval_json_lists_the_function_nodes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--expr", LESSON, "--set", "x=3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["value"] == 49.0
    nodes = {n["name"]: n for n in doc["nodes"]}
    assert nodes["x"]["grad"] == 28.0
    calls = [n for n in doc["nodes"] if n["op"] == "call"]
    assert [(n["function"], n["value"], n["grad"]) for n in calls] == [("g", 7.0, 14.0), ("f", 49.0, 1.0)]


def test_eval_table_and_sweep_through_functions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--expr", LESSON, "--set", "x=3", "--sweep", "x=0:3:4"]) == 0
    out = capsys.readouterr().out
    assert "g()" in out and "f()" in out and "h = 49" in out
    assert out.rstrip().endswith("28")


def test_a_bad_definition_is_one_line_with_line_and_column(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--expr", "g(x) = 2*x; h = g(1, 2)"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "line 1, column 22" in err and "g() takes 1 argument" in err
