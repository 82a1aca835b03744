"""The command line: numbers against hand-derived values, and one-line errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from explorer.app.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"
LESSON = "a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def nodes_by_name(doc: dict) -> dict[str, dict]:
    return {n["name"]: n for n in doc["nodes"] if n["name"]}


def test_eval_lesson_program_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "eval", "--expr", LESSON, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["output"] == "loss"
    assert doc["value"] == 49.0
    nodes = nodes_by_name(doc)
    assert nodes["a"] == {**nodes["a"], "op": "input", "value": 2.0, "grad": 42.0}
    assert nodes["b"]["grad"] == 28.0
    assert nodes["c"]["grad"] == 14.0 and nodes["d"]["grad"] == 14.0
    assert doc["diagnostics"] == []
    assert "sweep" not in doc


def test_eval_expression_with_set_and_sweep(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "eval", "--expr", "(2*x+1)**2", "--set", "x=3", "--sweep", "x=-1:1:5", "--json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["value"] == 49.0
    assert nodes_by_name(doc)["x"]["grad"] == 28.0
    sweep = doc["sweep"]
    assert sweep["input"] == "x"
    assert sweep["xs"] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    xs = np.array(sweep["xs"])
    np.testing.assert_allclose(sweep["values"], (2 * xs + 1) ** 2, rtol=1e-12)
    np.testing.assert_allclose(sweep["grads"], 4 * (2 * xs + 1), rtol=1e-12, atol=1e-12)


def test_eval_undefined_is_null_and_diagnosed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "--expr", "x = -1.0; y = log(x)", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["value"] is None
    assert nodes_by_name(doc)["x"]["grad"] is None
    assert len(doc["diagnostics"]) == 1
    assert "'y'" in doc["diagnostics"][0]["message"] and "log" in doc["diagnostics"][0]["message"]


def test_eval_table_names_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "--expr", LESSON)
    assert code == 0
    assert "loss = 49" in out
    row_a = next(line for line in out.splitlines() if line.startswith("a "))
    assert row_a.split()[-2:] == ["2", "42"]


def test_eval_output_override(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "--expr", LESSON, "--output", "c", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["output"] == "c" and doc["value"] == 6.0
    assert nodes_by_name(doc)["a"]["grad"] == 3.0
    assert nodes_by_name(doc)["loss"]["grad"] == 0.0


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["eval", "--expr", "x +"], "line 1, column"),
        (["eval", "--expr", "__import__('os')"], "line 1"),
        (["eval", "--expr", LESSON, "--set", "q=1"], "no node named 'q'"),
        (["eval", "--expr", LESSON, "--set", "a=abc"], "not a number"),
        (["eval", "--expr", LESSON, "--set", "c=1"], "not an input"),
        (["eval", "--expr", LESSON, "--set", "a=nan"], "finite"),
        (["eval", "--expr", LESSON, "--sweep", "a=0:1"], "START:STOP:N"),
        (["eval", "--expr", LESSON, "--sweep", "a=0:1:0"], "between 1"),
        (["eval", "--expr", LESSON, "--output", "zz"], "no node named 'zz'"),
        (["eval", "no/such/file.json"], "file.json"),
        (["validate", "no/such/file.json"], "file.json"),
    ],
)
def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("chain-explorer: error: ")
    assert needle in err
    assert "Traceback" not in err


def test_malformed_command_line_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "eval")
    assert code == 2
    assert err.count("\n") == 1


def test_validate_and_convert_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "loss.json"
    code, out, err = run(capsys, "convert", "--expr", LESSON, "-o", str(target), "--title", "Loss")
    assert code == 0, err
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["title"] == "Loss"
    assert all("position" in n for n in data["nodes"])
    code, out, _ = run(capsys, "validate", str(target))
    assert (code, out) == (0, "ok\n")
    code, out, _ = run(capsys, "eval", str(target), "--set", "a=1", "--json")
    doc = json.loads(out)
    assert doc["value"] == 16.0 and nodes_by_name(doc)["a"]["grad"] == 24.0


def test_validate_reports_json_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "bad.json"
    run(capsys, "convert", "--expr", LESSON, "-o", str(target))
    data = json.loads(target.read_text(encoding="utf-8"))
    data["nodes"][2]["op"] = "frobnicate"
    target.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run(capsys, "validate", str(target))
    assert code == 1 and out == ""
    assert "bad.json" in err and "nodes[2]" in err and "frobnicate" in err


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_examples_validate(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", str(path))
    assert (code, out) == (0, "ok\n"), err


EXPECTED = {
    # example: (output value, {input: gradient}) derived by hand in each file's description
    "lesson_h": (49.0, {"x": 28.0}),
    "lesson_loss": (49.0, {"a": 42.0, "b": 28.0}),
    "fan_out": (-6.0, {"a": -3.0, "b": -8.0}),
    "tanh_neuron": (math.sqrt(0.5), {"x": -1.5, "w": 1.0, "b": 0.5}),
}


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_example_numbers(stem: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "eval", str(EXAMPLES / f"{stem}.json"), "--json")
    assert code == 0, err
    doc = json.loads(out)
    value, grads = EXPECTED[stem]
    assert doc["value"] == pytest.approx(value, rel=1e-12)
    nodes = nodes_by_name(doc)
    for name, grad in grads.items():
        assert nodes[name]["grad"] == pytest.approx(grad, rel=1e-9), name


def test_scalar_chain_example_matches_finite_difference(capsys: pytest.CaptureFixture[str]) -> None:
    # loss(p) = -log softmax_1(z(p)), written out independently of the graph.
    def loss(p: float) -> float:
        r = max(0.0, 0.8 * (1.5 * p) + 0.1)
        z1, z2 = 1.2 * r + 0.3, -0.7 * r + 0.2
        return -(z1 - math.log(math.exp(z1) + math.exp(z2)))

    _code, out, _ = run(capsys, "eval", str(EXAMPLES / "scalar_chain.json"), "--json")
    doc = json.loads(out)
    assert doc["value"] == pytest.approx(loss(0.5), rel=1e-12)
    h = 1e-6
    assert nodes_by_name(doc)["p"]["grad"] == pytest.approx(
        (loss(0.5 + h) - loss(0.5 - h)) / (2 * h), rel=1e-7
    )


def test_headless_commands_do_not_import_qt() -> None:
    code = (
        "import sys; from explorer.app.cli import main; "
        f"rc = main(['eval', '--expr', {LESSON!r}, '--json']); "
        "assert rc == 0; bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]; "
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_module_entry_point_reports_without_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "explorer", "eval", "--expr", "x.__class__"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_export_many_files_into_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    examples = sorted(str(p) for p in EXAMPLES.glob("*.json"))
    code, out, err = run(capsys, "export", *examples, "-o", str(tmp_path / "svg"))
    assert code == 0, err
    written = sorted(p.name for p in (tmp_path / "svg").iterdir())
    assert written == sorted(f"{Path(p).stem}.svg" for p in examples)
    assert out.count("wrote ") == len(examples)
    code, _, err = run(capsys, "export", *examples, "-o", str(tmp_path / "svg" / "fan_out.svg"))
    assert code == 1 and "must name a folder" in err
