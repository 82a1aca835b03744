"""File format version 2: the ``trainable`` flag, and version-1 files opening through the migration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.graph.model import Graph, GraphError
from explorer.io import format as fmt
from explorer.io.format import FormatError, dumps, load, loads

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.json"))
V1_EXAMPLES = [p for p in EXAMPLES if json.loads(p.read_text())["version"] == 1]


def _params() -> Graph:
    g = Graph("params")
    w = g.add_node("input", "w", 0.5)
    x = g.add_node("input", "x", 2.0)
    m = g.add_node("mul")
    g.connect(w.id, m.id, 0)
    g.connect(x.id, m.id, 1)
    g.set_trainable(w.id, True)
    return g


def test_trainable_is_written_only_where_set_and_reads_back() -> None:
    g = _params()
    text = dumps(g)
    assert '"version": 2' in text
    rows = [line for line in text.splitlines() if '"op": "input"' in line]
    assert ['"trainable": true' in row for row in rows] == [True, False]
    again = loads(text)
    assert again == g and [n.trainable for n in again.inputs()] == [True, False]
    assert dumps(again) == text


def test_equality_sees_the_trainable_flag() -> None:
    a, b = _params(), _params()
    b.set_trainable(b.find("w").id, False)
    assert a != b and a.copy() == a


@pytest.mark.parametrize("path", V1_EXAMPLES, ids=[p.name for p in V1_EXAMPLES])
def test_every_bundled_version_1_file_opens_and_saves_as_version_2(path: Path) -> None:
    graph = load(path)
    text = dumps(graph)
    assert json.loads(text)["version"] == 2
    assert loads(text) == graph
    assert not any(n.trainable for n in graph)


def test_a_version_1_file_cannot_carry_the_new_flag() -> None:
    doc = json.loads(dumps(_params()))
    doc["version"] = 1
    with pytest.raises(FormatError) as info:
        loads(json.dumps(doc), source="old.json")
    assert str(info.value) == "old.json: $.nodes[0]: unknown key 'trainable' (it is new in file version 2)"


@pytest.mark.parametrize(
    ("index", "value", "message"),
    [
        (0, "yes", "$.nodes[0].trainable: expected true or false, found a string"),
        (2, True, "$.nodes[2].trainable: only input nodes can be trainable, not mul"),
    ],
)
def test_bad_trainable_values_are_refused_by_path(index: int, value: object, message: str) -> None:
    doc = json.loads(dumps(_params()))
    doc["nodes"][index]["trainable"] = value
    with pytest.raises(FormatError) as info:
        loads(json.dumps(doc), source="p.json")
    assert str(info.value).startswith("p.json: ") and message in str(info.value)


def test_the_model_keeps_trainable_to_inputs() -> None:
    g = _params()
    m = next(n for n in g if n.op == "mul")
    with pytest.raises(GraphError, match="only inputs can be trainable"):
        g.set_trainable(m.id, True)
    with pytest.raises(GraphError, match="unmark it first"):
        g.set_op(g.find("w").id, "const")
    assert g.find("w").op == "input" and fmt.FORMAT_VERSION == 2
