"""``chain-explorer train``: losses per step, JSON, saving, and one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.app.cli import main
from explorer.graph.engine import evaluate
from explorer.graph.parser import parse
from explorer.graph.training import Trainer
from explorer.io.format import load, save

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"
MLP = str(EXAMPLES / "micrograd_mlp.json")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def graph_file(tmp_path: Path, program: str, *trainable: str, name: str = "g.json") -> str:
    g = parse(program)
    for t in trainable:
        g.set_trainable(g.find(t).id, True)
    path = tmp_path / name
    save(g, path)
    return str(path)


def test_table_prints_the_loss_after_each_step(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "train", MLP, "--lr", "0.05", "--steps", "3")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["step", "loss"]
    expected = Trainer(load(MLP), 0.05)
    expected.run(3)
    for k in range(4):
        step, loss = lines[1 + k].split()
        assert int(step) == k and float(loss) == pytest.approx(expected.losses[k], rel=1e-11)
    assert "3 steps at lr 0.05 on 37 parameters" in out


def test_json_and_saving_the_trained_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "trained.json"
    code, out, _ = run(capsys, "train", MLP, "--steps", "20", "--json", "-o", str(out_file))
    assert code == 0
    doc = json.loads(out)
    assert doc["learning_rate"] == 0.05 and doc["steps"] == 20 and doc["diverged"] is None
    assert len(doc["losses"]) == 21 and doc["losses"][-1] < doc["losses"][0]
    trained = load(out_file)
    assert evaluate(trained).value == doc["losses"][-1]
    assert {n.name: n.value for n in trained.nodes if n.trainable} == doc["parameters"]
    assert all(n.trainable for n in trained.nodes if n.name.startswith(("w", "b")))
    assert load(MLP) != trained, "the input file is untouched"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--lr", "0"], "greater than 0"),
        (["--lr", "-0.1"], "greater than 0"),
        (["--lr", "nan"], "finite"),
        (["--lr", "1e308"], "too large"),
        (["--lr", "quick"], "not a number"),
        (["--steps", "ten"], "whole number"),
        (["--steps", "-1"], "between 0"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], needle: str
) -> None:
    out_file = tmp_path / "out.json"
    code, out, err = run(capsys, "train", MLP, *extra, "-o", str(out_file))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("chain-explorer: error: ") and needle in err
    assert not out_file.exists()


def test_refusals_name_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = {
        graph_file(tmp_path, "a = 2.0; loss = a * a", name="plain.json"): "no trainable inputs",
        graph_file(
            tmp_path, "x = -1.0; loss = log(x)", "x", name="undefined.json"
        ): "undefined before training",
        str(tmp_path / "missing.json"): "missing.json",
    }
    for path, needle in cases.items():
        code, out, err = run(capsys, "train", path)
        assert code == 1 and out == "", path
        assert err.count("\n") == 1 and needle in err and Path(path).name in err


def test_divergence_exits_1_and_keeps_the_last_good_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = graph_file(tmp_path, "x = 2.0; loss = x**2", "x")
    out_file = tmp_path / "kept.json"
    code, out, err = run(capsys, "train", path, "--lr", "2", "--steps", "50", "-o", str(out_file))
    assert code == 1
    assert err.count("\n") == 1 and "step 7 diverged" in err and "'x'" in err
    assert out.splitlines()[-2].startswith("6 steps")  # then "wrote ..."
    assert load(out_file).find("x").value == 2.0 * (-3.0) ** 6


def test_malformed_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "train")
    assert code == 2 and err.count("\n") == 1
