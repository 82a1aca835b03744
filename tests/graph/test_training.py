"""Gradient descent on the graph: hand values, the engine's gradients, refusals, divergence."""

from __future__ import annotations

import math

import pytest

from explorer.graph.engine import evaluate, finite_difference
from explorer.graph.model import Graph
from explorer.graph.parser import parse
from explorer.graph.training import (
    DIVERGENCE_FACTOR,
    Trainer,
    TrainingError,
    parse_learning_rate,
    train,
    trainable_parameters,
)


def lesson_loss(*trainable: str) -> Graph:
    g = parse("a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2")
    for name in trainable:
        g.set_trainable(g.find(name).id, True)
    return g


def snapshot(g: Graph) -> list[tuple[str, float, bool]]:
    return [(n.id, n.value, n.trainable) for n in g.nodes]


def test_one_step_by_hand() -> None:
    # d(loss)/da = 2(ab + 1)·b = 42 and d(loss)/db = 2(ab + 1)·a = 28 (the lesson's numbers)
    g = lesson_loss("a", "b")
    trainer = Trainer(g, 0.01)
    assert trainer.loss == 49.0
    assert trainer.gradients == {g.find("a").id: 42.0, g.find("b").id: 28.0}
    assert trainer.step() is None
    a, b = 2.0 - 0.01 * 42.0, 3.0 - 0.01 * 28.0
    assert trainer.values() == {g.find("a").id: a, g.find("b").id: b}
    assert trainer.loss == (a * b + 1) ** 2
    assert trainer.loss < 49.0
    assert g.find("a").value == 2.0, "the graph changes only when the values are applied"
    trainer.apply()
    assert (g.find("a").value, g.find("b").value) == (a, b)


def test_only_trainable_inputs_move() -> None:
    g = lesson_loss("a")
    trainer = Trainer(g, 0.01)
    trainer.run(3)
    trainer.apply()
    assert g.find("b").value == 3.0
    assert trainable_parameters(g) == [g.find("a").id]


def test_gradients_are_the_engines_at_every_step() -> None:
    g = parse("x = 0.7; w = -1.3; b = 0.2; y = tanh(w*x + b); t = 0.5; loss = (y - t)**2")
    for name in ("w", "b"):
        g.set_trainable(g.find(name).id, True)
    trainer = Trainer(g, 0.3)
    for _ in range(5):
        trainer.apply()
        ev = evaluate(g)
        assert trainer.loss == ev.value
        for pid, grad in trainer.gradients.items():
            assert grad == ev.grad_of(pid)
            assert grad == pytest.approx(finite_difference(g, pid), rel=1e-6)
        assert trainer.step() is None
    assert trainer.losses == sorted(trainer.losses, reverse=True), "small steps go downhill"


@pytest.mark.parametrize(
    ("rate", "words"),
    [
        (0, "greater than 0"),
        (-0.1, "greater than 0"),
        ("nan", "finite"),
        ("NaN", "finite"),
        ("fast", "not a number"),
        ("", "not a number"),
        (1e308, "too large"),
        ("inf", "finite"),
    ],
)
def test_bad_learning_rates_are_refused_and_change_nothing(rate: float | str, words: str) -> None:
    g = lesson_loss("a")
    before = snapshot(g)
    with pytest.raises(TrainingError, match=words) as info:
        train(g, rate, 10)
    assert "\n" not in str(info.value)
    assert snapshot(g) == before
    trainer = Trainer(g, 0.01)
    with pytest.raises(TrainingError):
        trainer.set_learning_rate(rate)
    assert trainer.learning_rate == 0.01


def test_learning_rate_text_is_parsed() -> None:
    assert parse_learning_rate(" 0.05 ") == 0.05
    assert parse_learning_rate("1e-3") == 0.001


def test_no_trainable_inputs() -> None:
    g = lesson_loss()
    before = snapshot(g)
    with pytest.raises(TrainingError, match="no trainable inputs"):
        train(g, 0.1, 5)
    assert snapshot(g) == before


def test_trainable_inputs_the_loss_does_not_read() -> None:
    g = parse("a = 2.0; b = 3.0; loss = a * a")
    g.set_output(g.find("loss").id)
    g.set_trainable(g.find("b").id, True)
    with pytest.raises(TrainingError, match="does not depend on any trainable input"):
        Trainer(g, 0.1)


def test_loss_undefined_at_the_start() -> None:
    g = parse("x = -1.0; loss = log(x)")
    g.set_trainable(g.find("x").id, True)
    before = snapshot(g)
    with pytest.raises(TrainingError, match=r"undefined before training.*log") as info:
        train(g, 0.1, 5)
    assert "\n" not in str(info.value)
    assert snapshot(g) == before


def test_no_output_to_minimise() -> None:
    g = parse("a = 1.0; b = 2.0; c = a * 2; d = b * 3")
    g.set_output(None)  # two loose ends and none chosen
    g.set_trainable(g.find("a").id, True)
    with pytest.raises(TrainingError, match="no loss to minimise"):
        Trainer(g, 0.1)


def test_growth_past_a_million_times_stops_and_names_step_and_parameter() -> None:
    # loss = x², step x ← x − lr·2x = (1 − 2lr)x: at lr = 2, x triples and the loss grows 9×.
    g = parse("x = 2.0; loss = x**2")
    g.set_trainable(g.find("x").id, True)
    trainer = Trainer(g, 2.0)
    problem = trainer.run(100)
    assert problem is not None
    # 4·9^k > 1e6·4 first at k = 7
    k = next(k for k in range(1, 20) if 4.0 * 9.0**k > DIVERGENCE_FACTOR * 4.0)
    assert problem.step == k
    assert problem.parameter == "x"
    assert f"step {k} diverged" in problem.message and "'x'" in problem.message
    assert "\n" not in problem.message
    assert trainer.steps == k - 1, "the step that blew up was not taken"
    assert all(math.isfinite(v) for v in trainer.losses)
    assert trainer.values()[g.find("x").id] == 2.0 * (-3.0) ** (k - 1)


def test_loss_becoming_undefined_stops_and_says_where() -> None:
    # loss = sqrt(x) at x = 1 with lr 4: x ← 1 − 4·0.5 = −1, where sqrt is undefined
    g = parse("x = 1.0; w = 0.5; loss = sqrt(x) + w*w")
    g.set_trainable(g.find("x").id, True)
    g.set_trainable(g.find("w").id, True)
    trainer = Trainer(g, 4.0)
    problem = trainer.step()
    assert problem is not None
    assert problem.step == 1 and problem.parameter == "x"
    assert "undefined" in problem.message and "sqrt" in problem.message
    assert trainer.steps == 0 and trainer.loss == 1.25


def test_parameter_overflow_is_a_divergence() -> None:
    g = parse("x = 1e300; loss = x * 1e10")
    g.set_trainable(g.find("x").id, True)
    with pytest.raises(TrainingError):  # the loss itself overflows: undefined at the start
        Trainer(g, 1.0)
    g = parse("x = 1.0; k = 1.0; loss = x * k")
    g.set_trainable(g.find("k").id, True)
    g.set_value(g.find("x").id, 1e306)
    g.set_value(g.find("k").id, 1e-10)
    trainer = Trainer(g, 1000.0)  # k ← k − 1000·1e306: −inf
    problem = trainer.step()
    assert problem is not None and problem.parameter == "k"
    assert "inf" in problem.message


def test_rewind_keeps_the_path_and_stepping_from_there_replaces_it() -> None:
    g = lesson_loss("a", "b")
    trainer = Trainer(g, 0.002)
    trainer.run(6)
    path = list(trainer.path)
    trainer.go_to_step(2)
    assert trainer.values() == dict(zip(trainer.parameters, path[2], strict=True))
    assert trainer.steps == 6 and trainer.path == path, "looking back forgets nothing"
    assert trainer.gradients == Trainer(_with_values(g, path[2], trainer.parameters), 0.002).gradients
    trainer.go_to_step(6)
    trainer.go_to_step(2)
    trainer.step()
    assert trainer.steps == 3 and trainer.path == path[:4], "same rate, same steps"
    with pytest.raises(TrainingError, match="no step 9"):
        trainer.go_to_step(9)
    trainer.rewind_to(1)
    assert trainer.steps == 1 and len(trainer.losses) == 2 and len(trainer.rates) == 1


def _with_values(g: Graph, values: tuple[float, ...], ids: list[str]) -> Graph:
    other = g.copy()
    for pid, v in zip(ids, values, strict=True):
        other.set_value(pid, v)
    return other


def test_learning_rate_changes_mid_run() -> None:
    g = lesson_loss("a")
    trainer = Trainer(g, 0.001)
    trainer.run(2)
    trainer.set_learning_rate(0.004)
    trainer.run(2)
    assert trainer.rates == [0.001, 0.001, 0.004, 0.004]
    a = 2.0
    for lr in trainer.rates:
        a -= lr * 2 * (3 * a + 1) * 3
    assert trainer.values()[g.find("a").id] == pytest.approx(a, rel=1e-15)


def test_train_writes_the_trained_values() -> None:
    g = lesson_loss("a", "b")
    trainer, problem = train(g, 0.002, 10)
    assert problem is None and trainer.steps == 10
    assert evaluate(g).value == trainer.loss
    with pytest.raises(TrainingError, match="0 or more"):
        train(g, 0.01, -1)


def test_find_step_says_which_kept_step_the_graph_holds() -> None:
    g = lesson_loss("a", "b")
    trainer = Trainer(g, 0.002)
    trainer.run(3)
    assert trainer.find_step() == 0, "the graph still holds the values before training"
    trainer.apply()
    assert trainer.find_step() == 3
    trainer.go_to_step(1)
    assert trainer.find_step() == 3
    for pid, v in zip(trainer.parameters, trainer.path[2], strict=True):
        g.set_value(pid, v)
    assert trainer.find_step() == 2
    g.set_value(g.find("a").id, 0.123)
    assert trainer.find_step() is None, "a value typed by hand is on no step"
    trainer.apply()
    g.set_value(g.find("b").id, 1.0)  # b is trainable: also off the path
    assert trainer.find_step() is None
    g2 = lesson_loss("a")
    t2 = Trainer(g2, 0.01)
    g2.set_value(g2.find("b").id, 5.0)  # data (a non-trainable leaf) changed
    assert t2.find_step() is None
    t3 = Trainer(g2, 0.01)
    g2.set_trainable(g2.find("b").id, True)
    assert t3.find_step() is None
    t4 = Trainer(g2, 0.01)
    g2.rename(g2.find("c").id, "product")  # not structural, not a value: still fine
    assert t4.find_step() == 0
    g2.set_op(g2.find("d").id, "sub")
    assert t4.find_step() is None
