"""`eval` writes every number of its text output in one format (6 significant digits,
exact integers as integers) and keeps full precision in --json."""

from __future__ import annotations

import json
import math
import re

import pytest

from explorer.app.cli import main
from explorer.graph.engine import evaluate
from explorer.graph.parser import parse

LESSON = "a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def _significant(text: str) -> int:
    digits = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return len(digits)


def test_the_table_uses_one_number_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--expr", LESSON]) == 0
    out = capsys.readouterr().out
    # d(loss)/d(2) = 49 · ln 7 = 95.3495973…, written like every other number.
    assert f"{49 * math.log(7):.6g}" in out and "95.3495973037" not in out
    numbers = [n for line in out.splitlines()[2:] for n in NUMBER.findall(line.split("  ", 1)[-1])]
    assert numbers and all(_significant(n) <= 6 for n in numbers)


def test_the_sweep_uses_the_same_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--expr", "h(x) = exp(x)**3.3", "--sweep", "x=0:1:3"]) == 0
    out = capsys.readouterr().out.split("sweep of x:")[1]
    numbers = NUMBER.findall(out)
    assert len(numbers) == 9 and all(_significant(n) <= 6 for n in numbers)
    assert f"{math.exp(3.3):.6g}" in out


def test_json_keeps_full_precision(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--expr", LESSON, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ev = evaluate(parse(LESSON))
    grads = {node["id"]: node["grad"] for node in doc["nodes"]}
    assert max(grads.values()) == 49 * math.log(7) == max(ev.grad_of(nid) for nid in grads)
