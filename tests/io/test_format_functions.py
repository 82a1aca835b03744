"""File format version 2: user-defined functions (``functions`` and call nodes)."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.graph.engine import evaluate
from explorer.graph.parser import parse
from explorer.io import format as fmt
from explorer.io.format import FormatError, dumps, graph_from_dict, load, loads

try:
    import jsonschema
except ImportError:  # pragma: no cover
    jsonschema = None

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "resources" / "schema" / "graph.schema.json"
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.json"))
LESSON = "x = 3; g(x) = 2*x + 1; f(z) = z**2; h = f(g(x))"


def doc() -> dict[str, Any]:
    return json.loads(dumps(parse(LESSON)))


def refused(document: object) -> str:
    with pytest.raises(FormatError) as info:
        graph_from_dict(document, source="f.json")
    text = str(info.value)
    assert "\n" not in text and text.startswith("f.json: ")
    return text


def chain(n: int, reverse: bool = False) -> dict[str, Any]:
    """f0(x) = -x, f_k(x) = f_{k-1}(x): n nested definitions."""
    functions = [
        {
            "name": "f0",
            "parameters": ["x"],
            "output": "n",
            "nodes": [{"id": "x", "op": "input", "name": "x"}, {"id": "n", "op": "neg"}],
            "edges": [{"source": "x", "target": "n", "slot": 0}],
        }
    ]
    for k in range(1, n):
        functions.append(
            {
                "name": f"f{k}",
                "parameters": ["x"],
                "output": "c",
                "nodes": [
                    {"id": "x", "op": "input", "name": "x"},
                    {"id": "c", "op": "call", "function": f"f{k - 1}"},
                ],
                "edges": [{"source": "x", "target": "c", "slot": 0}],
            }
        )
    if reverse:
        functions.reverse()
    return {"format": "chain-rule-explorer", "version": 2, "functions": functions, "nodes": [], "edges": []}


def test_functions_round_trip_exactly_and_compute_the_lesson() -> None:
    graph = parse(LESSON)
    text = dumps(graph)
    assert '"functions": [' in text and '{"id": "n2", "op": "call", "function": "g", "name": "g"}' in text
    again = loads(text)
    assert again == graph and dumps(again) == text
    ev = evaluate(again)
    assert (ev.value, ev["x"].grad) == (49.0, 28.0)


def test_graphs_without_functions_are_written_as_before() -> None:
    assert '"functions"' not in dumps(parse("a = 2; b = a * 3"))


def test_callees_may_come_after_callers_in_a_file() -> None:
    d = chain(5, reverse=True)
    graph = graph_from_dict(d)
    assert [f.name for f in graph.functions] == ["f0", "f1", "f2", "f3", "f4"]


def _set(d: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    d = copy.deepcopy(d)
    target: Any = d
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return d


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ["functions", 0, "nodes", 0, "name"],
            "y",
            "$.functions[0].nodes[0].name: input 'y' is not a parameter of g",
        ),
        (
            ["functions", 0, "parameters"],
            ["x", "y"],
            "$.functions[0].parameters[1]: parameter 'y' has no input node",
        ),
        (["functions", 0, "output"], KeyError, "$.functions[0]: missing key 'output'"),
        (["functions", 0, "output"], "ghost", "$.functions[0].output: no node with id 'ghost'"),
        (["functions", 0, "name"], "exp", "$.functions[0].name: cannot name a function: 'exp' is reserved"),
        (["functions", 1, "name"], "g", "$.functions[1].name: duplicate function name 'g'"),
        (
            ["functions", 0, "parameters"],
            [],
            "$.functions[0].parameters: a function needs at least one parameter",
        ),
        (["nodes", 1, "function"], "k", "$.nodes[1].function: unknown function 'k'"),
        (["nodes", 1, "function"], KeyError, "$.nodes[1]: missing key 'function'"),
        (["nodes", 0, "function"], "g", "$.nodes[0].function: only call nodes name a function, not input"),
        (["edges", 0, "slot"], 1, "$.edges[0].slot: slot 1 out of range: call has slots 0 to 0"),
        (["functions", 0, "edges"], [], "$.functions[0].nodes[2]: operand 1 of 'n3' is not connected"),
        (
            ["functions", 0, "nodes", 0, "trainable"],
            True,
            "$.functions[0].nodes[0].trainable: a parameter cannot",
        ),
        (["functions", 0, "extra"], 1, "$.functions[0]: unknown key 'extra'"),
    ],
)
def test_malformed_functions_are_refused_by_json_path(path: list[Any], value: Any, message: str) -> None:
    assert message in refused(_set(doc(), path, value))


def test_a_cycle_inside_a_body_is_refused_by_path() -> None:
    d = doc()
    d["functions"][0]["edges"].append({"source": "n5", "target": "n3", "slot": 0})
    d["functions"][0]["edges"][0]["slot"] = 0
    d["functions"][0]["edges"] = [e for e in d["functions"][0]["edges"] if e["source"] != "n2"]
    assert "$.functions[0].edges[" in refused(
        d
    ) and "the edges make a cycle: 'n3' -> 'n5' -> 'n3'" in refused(d)


def test_recursion_and_mutual_recursion_are_refused_with_the_names() -> None:
    d = doc()
    d["functions"][0]["nodes"][2] = {"id": "n3", "op": "call", "function": "g"}
    d["functions"][0]["edges"] = [
        e for e in d["functions"][0]["edges"] if e["target"] != "n3" or e["slot"] == 0
    ]
    assert "$.functions[0].nodes[2].function: 'g' calls itself" in refused(d)
    d = doc()
    d["functions"][0]["nodes"][2] = {"id": "n3", "op": "call", "function": "f"}
    d["functions"][0]["edges"] = [
        e for e in d["functions"][0]["edges"] if e["target"] != "n3" or e["slot"] == 0
    ]
    d["functions"][1]["nodes"][2] = {"id": "n3", "op": "call", "function": "g"}
    d["functions"][1]["edges"] = [e for e in d["functions"][1]["edges"] if e["slot"] == 0]
    assert "$.functions[0]: functions call each other in a cycle: 'g' -> 'f' -> 'g'" in refused(d)


def test_ten_thousand_nested_definitions_are_refused_at_once() -> None:
    for reverse in (False, True):
        start = time.perf_counter()
        text = refused(chain(10_000, reverse))
        assert "nests calls more than 100 deep" in text and "$.functions[" in text
        assert time.perf_counter() - start < 30  # nothing hangs (a generous guard, not a benchmark)
    loop = chain(10_000)
    loop["functions"][0] = copy.deepcopy(loop["functions"][1]) | {"name": "f0"}
    loop["functions"][0]["nodes"][1]["function"] = "f9999"
    assert "functions call each other in a cycle: 'f0' -> 'f9999' -> 'f9998'" in refused(loop)
    graph = graph_from_dict(chain(100))
    assert len(graph.functions) == 100


def test_a_version_1_file_cannot_carry_functions() -> None:
    d = doc()
    d["version"] = 1
    assert "$: unknown key 'functions' (it is new in file version 2)" in refused(d)
    del d["functions"]
    assert "$.nodes[1]: unknown key 'function' (it is new in file version 2)" in refused(d)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_bundled_example_opens_and_round_trips(path: Path) -> None:
    graph = load(path)
    assert loads(dumps(graph)) == graph


@pytest.fixture(scope="module")
def validator() -> Any:
    if jsonschema is None:
        pytest.skip("jsonschema is not installed")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_schema_accepts_functions_and_refuses_their_simple_mistakes(validator: Any) -> None:
    validator.validate(doc())
    assert list(validator.schema["properties"]) == [*fmt.TOP_KEYS, *fmt.RESERVED_KEYS]
    for path, value in [
        (["functions", 0, "output"], KeyError),
        (["nodes", 1, "function"], KeyError),
        (["nodes", 0, "function"], "g"),
        (["functions", 0, "parameters"], []),
        (["functions", 0, "nodes", 1, "value"], KeyError),
    ]:
        assert not validator.is_valid(_set(doc(), path, value)), path


def _locations(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _locations(item, (*here, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _locations(item, (*here, i))
    return found


FIELD = st.one_of(
    st.none(), st.integers(-1, 3), st.sampled_from(["g", "f", "x", "z", "n3", "call", "input", ""])
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_function_files_only_raise_format_error(validator: Any, data: st.DataObject) -> None:
    d = doc()
    where = data.draw(st.sampled_from(_locations(d)[1:]))
    kind = data.draw(st.sampled_from(["delete", "retype"]))
    mutated = _set(d, list(where), KeyError if kind == "delete" else data.draw(FIELD))
    try:
        graph = graph_from_dict(mutated)
    except FormatError as error:
        assert "\n" not in str(error)
        return
    assert loads(dumps(graph)) == graph
    validator.validate(mutated)  # the reader is never laxer than the schema
