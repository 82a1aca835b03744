"""The graph file format: exact round trips, every refusal with its JSON path, schema agreement, fuzzing."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.graph.model import MAX_NAME_LENGTH, Graph, name_problem
from explorer.graph.ops import LEAF_OPS, OPS
from explorer.io import format as fmt
from explorer.io.format import FormatError, dumps, graph_from_dict, graph_to_dict, load, loads, save

try:
    import jsonschema
except ImportError:  # pragma: no cover - the schema tests skip, everything else still runs
    jsonschema = None

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "resources" / "schema" / "graph.schema.json"
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.json"))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def square_graph() -> Graph:
    """h(x) = (2x + 1)², the brief's running example."""
    g = Graph("Square", "h(x) = (2x+1)² — ünïcode stays readable")
    x = g.add_node("input", "x", 3.0, (0.0, 10.0), node_id="x")
    two = g.add_node("const", "", 2.0, node_id="two")
    m = g.add_node("mul", "m", node_id="m")
    one = g.add_node("const", "one", 1.0, node_id="one")
    a = g.add_node("add", "a", position=(100.5, -20.25), node_id="a")
    h = g.add_node("pow", "h", node_id="h")
    e = g.add_node("const", "", 2.0, node_id="e")
    g.connect(two.id, m.id, 0)
    g.connect(x.id, m.id, 1)
    g.connect(m.id, a.id, 0)
    g.connect(one.id, a.id, 1)
    g.connect(a.id, h.id, 0)
    g.connect(e.id, h.id, 1)
    g.set_output(h.id)
    return g


SQUARE_TEXT = """\
{
  "format": "chain-rule-explorer",
  "version": 2,
  "title": "Square",
  "description": "h(x) = (2x+1)² — ünïcode stays readable",
  "output": "h",
  "nodes": [
    {"id": "x", "op": "input", "name": "x", "value": 3.0, "position": [0.0, 10.0]},
    {"id": "two", "op": "const", "name": "", "value": 2.0},
    {"id": "m", "op": "mul", "name": "m"},
    {"id": "one", "op": "const", "name": "one", "value": 1.0},
    {"id": "a", "op": "add", "name": "a", "position": [100.5, -20.25]},
    {"id": "h", "op": "pow", "name": "h"},
    {"id": "e", "op": "const", "name": "", "value": 2.0}
  ],
  "edges": [
    {"source": "two", "target": "m", "slot": 0},
    {"source": "x", "target": "m", "slot": 1},
    {"source": "m", "target": "a", "slot": 0},
    {"source": "one", "target": "a", "slot": 1},
    {"source": "a", "target": "h", "slot": 0},
    {"source": "e", "target": "h", "slot": 1}
  ]
}
"""


# ------------------------------------------------------------------------------ round trips


def test_dumps_writes_the_documented_layout_exactly() -> None:
    assert dumps(square_graph()) == SQUARE_TEXT


def test_loads_rebuilds_the_same_graph_and_text() -> None:
    g = loads(SQUARE_TEXT)
    assert g == square_graph()
    assert g.output == "h"
    assert [(e.source, e.target, e.slot) for e in g.edges()][:2] == [("two", "m", 0), ("x", "m", 1)]
    assert g.node("x").position == (0.0, 10.0) and g.node("m").position is None
    assert dumps(g) == SQUARE_TEXT


def test_save_then_load_round_trips_and_keeps_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "loss.json"
    first = square_graph()
    save(first, path)
    assert path.read_bytes() == SQUARE_TEXT.encode("utf-8")
    assert not (tmp_path / "loss.json.bak").exists()
    second = load(path)
    assert second == first
    second.rename("x", "input_x")
    save(second, path)
    assert load(path) == second
    assert (tmp_path / "loss.json.bak").read_bytes() == SQUARE_TEXT.encode("utf-8")
    assert load(tmp_path / "loss.json.bak") == first


def test_save_refuses_an_unwritable_graph_and_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "loss.json"
    save(square_graph(), path)
    g = square_graph()
    g.move("a", (math.nan, 0.0))
    with pytest.raises(FormatError) as info:
        save(g, path)
    assert (info.value.source, info.value.json_path) == ("<graph>", "$.nodes[4].position[0]")
    assert path.read_text(encoding="utf-8") == SQUARE_TEXT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.json"]
    g.move("a", object())  # type: ignore[arg-type]  # e.g. a QPointF leaking in from the canvas
    with pytest.raises(FormatError, match="a Python object is not a JSON value") as info:
        dumps(g)
    assert info.value.json_path == "$.nodes[4].position"


def test_the_writer_refuses_what_the_reader_would_refuse() -> None:
    g = Graph(description="x" * (fmt.MAX_STRING_LENGTH + 1))
    with pytest.raises(FormatError, match="longer than 10,000") as info:
        graph_to_dict(g)
    assert info.value.json_path == "$.description"


def test_numbers_are_normalised_and_kept_exactly() -> None:
    g = Graph()
    g.add_node("input", "tiny", 5e-324, (1, -2), node_id="n1")  # int position, subnormal value
    g.add_node("const", "", -0.0, node_id="n2")
    g.add_node("const", "", 0.1 + 0.2, node_id="n3")
    text = dumps(g)
    assert '"position": [1.0, -2.0]' in text and '"value": -0.0' in text
    back = loads(text)
    assert back.node("n1").value == 5e-324 and back.node("n3").value == 0.1 + 0.2
    assert math.copysign(1.0, back.node("n2").value) == -1.0
    assert dumps(back) == text


def test_empty_graph_and_half_built_graph_round_trip() -> None:
    assert loads(dumps(Graph())) == Graph()
    assert '"nodes": [],' in dumps(Graph())
    g = Graph("half")
    g.add_node("input", "x", 1.0)
    g.add_node("mul", "loose")  # both operand slots left empty: the editor saves such graphs
    assert loads(dumps(g)) == g


def test_reading_accepts_any_edge_order_node_order_and_the_optional_keys() -> None:
    doc = json.loads(SQUARE_TEXT)
    doc["edges"].reverse()
    doc["nodes"].reverse()  # consumers listed before their operands
    for key in ("title", "description", "output"):
        del doc[key]
    doc["layout"] = {"algorithm": "layered", "spacing": [1, 2]}
    doc["meta"] = {}
    doc["version"] = 1
    doc["nodes"][-1]["value"] = 3  # ints are numbers
    g = graph_from_dict(doc)
    assert [n.id for n in g.nodes] == ["e", "h", "a", "one", "m", "two", "x"]
    assert g.title == "" and g.output is None and g.node("x").value == 3.0
    assert sorted((e.source, e.target, e.slot) for e in g.edges()) == sorted(
        (e.source, e.target, e.slot) for e in square_graph().edges()
    )
    assert "layout" not in dumps(g)


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + SQUARE_TEXT.encode("utf-8"))
    assert load(path) == square_graph()
    assert loads("\ufeff" + SQUARE_TEXT) == square_graph()


def test_a_long_chain_listed_backwards_loads_without_recursion() -> None:
    n = 10_000
    nodes = [{"id": f"n{i}", "op": "neg" if i else "input", "name": ""} for i in range(n)]
    nodes[0]["value"] = 1.0
    edges = [{"source": f"n{i - 1}", "target": f"n{i}", "slot": 0} for i in range(1, n)]
    doc = {"format": "chain-rule-explorer", "version": 1, "nodes": nodes[::-1], "edges": edges[::-1]}
    g = loads(json.dumps(doc))
    assert len(g) == n and len(g.edges()) == n - 1
    assert g.topological_order()[:3] == ["n0", "n1", "n2"]


# ------------------------------------------------------------------------------ migrations


def test_migrations_upgrade_older_files_one_step_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    def from_zero(doc: dict[str, Any]) -> dict[str, Any]:
        new = {k: v for k, v in doc.items() if k != "links"}
        new["edges"], new["version"] = doc["links"], 1
        return new

    monkeypatch.setattr(fmt, "MIGRATIONS", {0: from_zero, 1: fmt.MIGRATIONS[1]})
    doc = json.loads(SQUARE_TEXT)
    doc["version"], doc["links"] = 0, doc.pop("edges")
    assert loads(json.dumps(doc)) == square_graph()
    del doc["links"]
    with pytest.raises(FormatError) as info:
        loads(json.dumps(doc))
    assert info.value.json_path == "$" and "cannot upgrade from file version 0" in info.value.message
    doc["version"] = -1
    with pytest.raises(FormatError, match=r"unknown file version -1 \(this app reads 0 to 2\)"):
        loads(json.dumps(doc))

    def refusing(doc: dict[str, Any]) -> dict[str, Any]:
        raise FormatError("links must be a list", json_path="$.links")

    monkeypatch.setattr(fmt, "MIGRATIONS", {0: refusing, 1: fmt.MIGRATIONS[1]})
    doc["version"] = 0
    with pytest.raises(FormatError) as info:
        loads(json.dumps(doc), source="old.json")
    assert str(info.value) == "old.json: $.links: links must be a list"


def test_the_migration_registry_exists_and_version_zero_is_refused_today() -> None:
    assert fmt.FORMAT_NAME == "chain-rule-explorer" and fmt.FORMAT_VERSION == 2
    assert isinstance(fmt.MIGRATIONS, dict)
    doc = json.loads(SQUARE_TEXT)
    doc["version"] = 0
    with pytest.raises(FormatError, match=r"unknown file version 0 \(this app reads 1 to 2\)"):
        graph_from_dict(doc)


# --------------------------------------------------------------------- refusals, one by one


def base() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(SQUARE_TEXT)
    return result


def edit(change: Callable[[dict[str, Any]], object]) -> str:
    doc = base()
    change(doc)
    return json.dumps(doc, ensure_ascii=False)


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """A change that sets doc[a][b]... for a dotted path like 'nodes.2.op'."""

    def change(doc: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.lstrip("-").isdigit() else p for p in path.split(".")]
        target: Any = doc
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def _del(path: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target: Any = doc
        for key in parents:
            target = target[key]
        del target[last]

    return change


def _nest(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


CASES: list[tuple[str, str, str]] = [
    # (text, json_path, message fragment)
    ("[]", "$", "expected an object, found an array"),
    ("3", "$", "expected an object, found a number"),
    (edit(_del("format")), "$", "missing key 'format'"),
    (edit(_set("format", "drawio")), "$.format", "expected 'chain-rule-explorer', found 'drawio'"),
    (edit(_set("format", 1)), "$.format", "expected a string, found a number"),
    (edit(_del("version")), "$", "missing key 'version'"),
    (edit(_set("version", "1")), "$.version", "expected an integer, found a string"),
    (edit(_set("version", 1.5)), "$.version", "expected an integer, found a number"),
    (edit(_set("version", True)), "$.version", "expected an integer, found a boolean"),
    (edit(_set("version", None)), "$.version", "expected an integer, found null"),
    (edit(_set("version", 0)), "$.version", "unknown file version 0"),
    (edit(_set("colour", "red")), "$", "unknown key 'colour'"),
    (edit(_set("layout", [])), "$.layout", "expected an object, found an array"),
    (edit(_set("title", 5)), "$.title", "expected a string, found a number"),
    (edit(_set("description", None)), "$.description", "expected a string, found null"),
    (edit(_del("nodes")), "$", "missing key 'nodes'"),
    (edit(_del("edges")), "$", "missing key 'edges'"),
    (edit(_set("nodes", {})), "$.nodes", "expected an array, found an object"),
    (edit(_set("edges", "none")), "$.edges", "expected an array, found a string"),
    (edit(_set("nodes.1", 5)), "$.nodes[1]", "expected an object, found a number"),
    (edit(_set("nodes.2.colour", "red")), "$.nodes[2]", "unknown key 'colour'"),
    (edit(_del("nodes.0.id")), "$.nodes[0]", "missing key 'id'"),
    (edit(_set("nodes.0.id", 7)), "$.nodes[0].id", "expected a string, found a number"),
    (edit(_set("nodes.1.id", "")), "$.nodes[1].id", "a node id must not be empty"),
    (edit(_set("nodes.3.id", "m")), "$.nodes[3].id", "duplicate node id 'm' (also $.nodes[2])"),
    (edit(_del("nodes.3.op")), "$.nodes[3]", "missing key 'op'"),
    (edit(_set("nodes.3.op", "foo")), "$.nodes[3].op", "unknown op 'foo'"),
    (edit(_set("nodes.3.op", ["add"])), "$.nodes[3].op", "expected a string, found an array"),
    (edit(_del("nodes.0.value")), "$.nodes[0]", "missing key 'value' (input nodes need one)"),
    (edit(_del("nodes.1.value")), "$.nodes[1]", "missing key 'value' (const nodes need one)"),
    (edit(_set("nodes.2.value", 1.0)), "$.nodes[2].value", "only input and const nodes have a value"),
    (edit(_set("nodes.1.value", "2")), "$.nodes[1].value", "expected a number, found a string"),
    (edit(_set("nodes.1.value", False)), "$.nodes[1].value", "expected a number, found a boolean"),
    (edit(_set("nodes.1.value", 10**400)), "$.nodes[1].value", "number out of range"),
    (edit(_set("nodes.1.value", 10**2000)), "$.nodes[1].value", "number out of range"),
    (edit(_set("nodes.2.name", "a" * 65)), "$.nodes[2].name", "name longer than 64 characters"),
    (edit(_set("nodes.5.name", "m")), "$.nodes[5].name", "duplicate name 'm' (also $.nodes[2])"),
    (edit(_set("nodes.2.name", None)), "$.nodes[2].name", "expected a string, found null"),
    (edit(_set("nodes.0.position", [1.0])), "$.nodes[0].position", "expected [x, y], found an array of 1"),
    (edit(_set("nodes.0.position", None)), "$.nodes[0].position", "expected [x, y], found null"),
    (edit(_set("nodes.0.position", [1, "2"])), "$.nodes[0].position[1]", "expected a number, found a string"),
    (edit(_set("edges.0", [])), "$.edges[0]", "expected an object, found an array"),
    (edit(_set("edges.1.weight", 1)), "$.edges[1]", "unknown key 'weight'"),
    (edit(_del("edges.1.slot")), "$.edges[1]", "missing key 'slot'"),
    (edit(_set("edges.2.source", "zz")), "$.edges[2].source", "no node with id 'zz'"),
    (edit(_set("edges.2.target", "zz")), "$.edges[2].target", "no node with id 'zz'"),
    (edit(_set("edges.2.target", None)), "$.edges[2].target", "expected a node id, found null"),
    (edit(_set("edges.1.slot", 2)), "$.edges[1].slot", "slot 2 out of range: mul has slots 0 to 1"),
    (edit(_set("edges.1.slot", -1)), "$.edges[1].slot", "slot -1 out of range"),
    (edit(_set("edges.1.slot", "1")), "$.edges[1].slot", "expected an integer, found a string"),
    (edit(_set("edges.1.slot", 0.5)), "$.edges[1].slot", "expected an integer, found a number"),
    (edit(_set("edges.1.target", "x")), "$.edges[1].slot", "node 'x' is input and takes no operands"),
    (
        edit(lambda d: d["edges"].append({"source": "x", "target": "a", "slot": 1})),
        "$.edges[6]",
        "slot 1 of node 'a' is already fed by $.edges[3]",
    ),
    (
        edit(_set("edges.0", {"source": "h", "target": "m", "slot": 0})),
        "$.edges[4]",
        "the edges make a cycle: 'm' -> 'a' -> 'h' -> 'm'",
    ),
    (edit(_set("edges.4.source", "h")), "$.edges[4]", "the edges make a cycle: 'h' -> 'h'"),
    (edit(_set("output", "zz")), "$.output", "no node with id 'zz'"),
    (edit(_set("output", 3)), "$.output", "expected a node id or null, found a number"),
    (edit(_set("description", "d" * 10_001)), "$.description", "text longer than 10,000 characters"),
    (edit(_set("meta", {"k" * 10_001: 1})), "$.meta", "a key is longer than 10,000 characters"),
    (edit(_set("nodes.0.name", "\ud800")), "$.nodes[0].name", "text contains an unpaired surrogate"),
    (edit(_set("meta", _nest(120))), "$.meta" + ".a" * 99, "nesting deeper than 100 levels"),
    (SQUARE_TEXT.replace('"value": 3.0', '"value": NaN'), "$.nodes[0].value", "NaN is not allowed"),
    (
        SQUARE_TEXT.replace("[0.0, 10.0]", "[Infinity, 1]"),
        "$.nodes[0].position[0]",
        "Infinity is not allowed (numbers must be finite)",
    ),
    (SQUARE_TEXT.replace('"value": 1.0', '"value": 1e999'), "$.nodes[3].value", "number out of range"),
    (
        edit(_set("meta", {"my key": [1, 2]})).replace("2]", "-Infinity]"),
        '$.meta["my key"][1]',
        "-Infinity is not allowed",
    ),
    (SQUARE_TEXT.replace('"name": "m"', '"name": "m", "name": "m"'), "$.nodes[2]", "duplicate key 'name'"),
]


CASE_IDS = [f"{c[1][:30]} {c[2][:20]}" for c in CASES]


@pytest.mark.parametrize(("text", "json_path", "fragment"), CASES, ids=CASE_IDS)
def test_each_problem_is_one_format_error_at_its_json_path(text: str, json_path: str, fragment: str) -> None:
    with pytest.raises(FormatError) as info:
        loads(text, source="loss.json")
    error = info.value
    assert error.json_path == json_path
    assert fragment in error.message
    assert str(error) == f"loss.json: {json_path}: {error.message}"
    assert "\n" not in str(error) and error.line is None


def test_the_error_line_reads_as_documented() -> None:
    with pytest.raises(FormatError) as info:
        loads(edit(_set("nodes.3.op", "foo")), source="loss.json")
    assert str(info.value) == "loss.json: $.nodes[3].op: unknown op 'foo'"
    assert isinstance(info.value, ValueError) and info.value.source == "loss.json"


def test_a_newer_file_names_both_versions() -> None:
    with pytest.raises(FormatError) as info:
        loads(edit(_set("version", 3)), source="loss.json")
    assert str(info.value) == (
        "loss.json: $.version: written by a newer version of Chain Rule Explorer "
        "(file version 3, this app reads up to 2)"
    )


def test_json_syntax_errors_give_line_and_column() -> None:
    text = '{\n  "format": "chain-rule-explorer",\n  "version": 1,\n  "nodes" []\n}'
    with pytest.raises(FormatError) as info:
        loads(text.replace('"nodes" []', '"nodes": [] "edges": []'), source="loss.json")
    assert str(info.value) == "loss.json: line 4, column 15: invalid JSON: Expecting ',' delimiter"
    assert (info.value.line, info.value.column, info.value.json_path) == (4, 15, None)
    with pytest.raises(FormatError, match=r"^<text>: line 1, column 3: invalid JSON"):
        loads("{ ")
    with pytest.raises(FormatError, match=r"^<text>: the file is empty$"):
        loads(" \n")


def test_nesting_up_to_the_limit_is_fine() -> None:
    assert loads(edit(_set("meta", _nest(fmt.MAX_DEPTH - 1)))) == square_graph()  # 100 levels with the root


def test_absurd_nesting_is_a_format_error_not_a_recursion_error() -> None:
    with pytest.raises(FormatError, match="nesting deeper than 100 levels"):
        loads("[" * 200_000 + "]" * 200_000)


def test_size_limits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * fmt.MAX_FILE_BYTES + SQUARE_TEXT.encode())
    with pytest.raises(FormatError, match="larger than 20,000,000 bytes") as info:
        load(big)
    assert info.value.source == str(big)
    monkeypatch.setattr(fmt, "MAX_ITEMS", 5)
    with pytest.raises(FormatError, match="more than 5 nodes") as info:
        loads(SQUARE_TEXT)
    assert info.value.json_path == "$.nodes"
    monkeypatch.setattr(fmt, "MAX_ITEMS", 7)
    with pytest.raises(FormatError, match="more than 7 edges"):
        loads(edit(lambda d: d["edges"].extend([{}, {}])))
    monkeypatch.setattr(fmt, "MAX_FILE_BYTES", 100)
    with pytest.raises(FormatError, match="longer than 100 characters"):
        loads(SQUARE_TEXT)


def test_the_node_limit_is_real_at_full_scale() -> None:
    nodes = [{"id": f"n{i}", "op": "const", "value": 0} for i in range(fmt.MAX_ITEMS + 1)]
    doc = {"format": "chain-rule-explorer", "version": 1, "nodes": nodes, "edges": []}
    with pytest.raises(FormatError, match="more than 100,000 nodes"):
        graph_from_dict(doc)


def test_bad_utf8_names_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(SQUARE_TEXT.encode("utf-8").replace("ünïcode".encode(), "ünïcode".encode("latin-1")))
    with pytest.raises(FormatError) as info:
        load(path)
    assert info.value.message == "not valid UTF-8 text (byte 0xfc)"
    assert (info.value.line, info.value.column) == (5, 36)
    assert str(info.value).startswith(f"{path}: line 5, column 36: ")


def test_unreadable_files_give_the_os_reason(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as info:
        load(tmp_path / "missing.json")
    assert str(info.value) == f"{tmp_path / 'missing.json'}: cannot read the file: No such file or directory"
    with pytest.raises(FormatError, match="cannot read the file: Is a directory"):
        load(tmp_path)


def test_graph_from_dict_refuses_python_values_json_cannot_hold() -> None:
    for change, path in [
        (_set("nodes.0.position", (1.0, 2.0)), "$.nodes[0].position"),
        (_set("meta", {1: 2}), "$.meta"),
        (_set("nodes.0.value", math.inf), "$.nodes[0].value"),
    ]:
        doc = base()
        change(doc)
        with pytest.raises(FormatError) as info:
            graph_from_dict(doc, source="<clipboard>")
        assert (info.value.source, info.value.json_path) == ("<clipboard>", path)
    looped = base()
    looped["meta"] = {"self": looped}
    with pytest.raises(FormatError, match="nesting deeper"):
        graph_from_dict(looped)


# ---------------------------------------------------------------------------- JSON Schema


@pytest.fixture(scope="module")
def validator() -> Any:
    if jsonschema is None:
        pytest.skip("jsonschema is not installed (it belongs in the test extras)")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_schema_matches_the_op_table_and_limits(validator: Any) -> None:
    schema = validator.schema
    node, edge = schema["$defs"]["node"], schema["$defs"]["edge"]
    assert set(node["properties"]["op"]["enum"]) == {*OPS, "call"}
    assert set(node["if"]["properties"]["op"]["enum"]) == set(LEAF_OPS)
    assert "maximum" not in edge["properties"]["slot"]  # a call has a slot per parameter
    assert node["properties"]["name"]["maxLength"] == MAX_NAME_LENGTH
    assert schema["properties"]["nodes"]["maxItems"] == fmt.MAX_ITEMS
    assert list(schema["properties"]) == [*fmt.TOP_KEYS, *fmt.RESERVED_KEYS]
    assert list(node["properties"]) == list(fmt.NODE_KEYS)
    assert list(edge["properties"]) == list(fmt.EDGE_KEYS)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_shipped_example_passes_the_schema_and_the_reader(validator: Any, path: Path) -> None:
    validator.validate(json.loads(path.read_text(encoding="utf-8")))
    load(path)


def test_the_schema_also_refuses_what_it_can_express(validator: Any) -> None:
    validator.validate(base())
    beyond_schema = ("duplicate", "no node", "already fed", "cycle", "unknown file", "nesting", "surrogate")
    beyond_schema += ("out of range", "is not allowed")  # JSON Schema cannot ask for finite numbers
    beyond_schema += ("takes no operands",)  # nor for a slot below the *target's* arity
    for text, _, fragment in CASES:
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        if not any(word in fragment for word in beyond_schema):
            assert not validator.is_valid(doc), fragment


# ------------------------------------------------------------------------- property tests

FLOATS = st.floats(allow_nan=False, allow_infinity=False)
TEXT = st.text(max_size=30)


@st.composite
def graphs(draw: st.DrawFn, max_nodes: int = 12) -> Graph:
    """Any graph the editor could make, using every op, odd ids and names, loose slots."""
    g = Graph(draw(TEXT), draw(TEXT))
    ids = draw(st.lists(st.text(min_size=1, max_size=8), max_size=max_nodes, unique=True))
    for node_id in ids:
        op = draw(st.sampled_from(sorted(OPS)))
        name = draw(st.one_of(st.just(""), st.text(min_size=1, max_size=MAX_NAME_LENGTH)))
        if any(n.name == name for n in g.nodes) or name_problem(name):
            name = ""
        value = draw(FLOATS) if op in LEAF_OPS else 0.0  # the file keeps values of leaves only
        position = draw(st.none() | st.tuples(FLOATS, FLOATS))
        g.add_node(op, name, value, position, node_id=node_id)
    for node in g.nodes:
        for slot in range(OPS[node.op].arity):
            source = draw(st.none() | st.sampled_from(ids))
            if source is not None and not g.reaches(node.id, source):
                g.connect(source, node.id, slot)
    if ids and draw(st.booleans()):
        g.set_output(draw(st.sampled_from(ids)))
    return g


@FUZZ
@given(graphs())
def test_random_graphs_round_trip_exactly(graph: Graph) -> None:
    text = dumps(graph)
    back = loads(text)
    assert back == graph
    assert back.edges() == graph.edges()
    assert dumps(back) == text
    assert graph_from_dict(json.loads(text)) == graph


@FUZZ
@given(graphs())
def test_random_graphs_pass_the_schema(validator: Any, graph: Graph) -> None:
    validator.validate(json.loads(dumps(graph)))


def only_format_errors(call: Callable[[], Graph]) -> Graph | None:
    """Run a load; anything but success or a one-line FormatError fails the test."""
    try:
        graph = call()
    except FormatError as error:
        assert "\n" not in str(error)
        return None
    assert loads(dumps(graph)) == graph  # whatever is accepted must write back and reload
    return graph


JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(JSON)
def test_arbitrary_json_values_only_ever_raise_format_error(value: object) -> None:
    only_format_errors(lambda: graph_from_dict(value))
    only_format_errors(lambda: loads(json.dumps(value)))


FIELD = st.one_of(
    JSON,
    st.sampled_from(["x", "m", "h", "", "input", "mul", "neg", "pow"]),
    st.integers(-2, 3),
)
NEAR_NODE = st.dictionaries(st.sampled_from([*fmt.NODE_KEYS, "extra"]), FIELD, max_size=6)
NEAR_EDGE = st.dictionaries(st.sampled_from([*fmt.EDGE_KEYS, "extra"]), FIELD, max_size=4)


@FUZZ
@given(st.lists(NEAR_NODE, max_size=5), st.lists(NEAR_EDGE, max_size=5), FIELD)
def test_near_valid_documents_only_raise_format_error(
    validator: Any, nodes: list[Any], edges: list[Any], output: object
) -> None:
    doc = {"format": "chain-rule-explorer", "version": 1, "nodes": nodes, "edges": edges, "output": output}
    if only_format_errors(lambda: graph_from_dict(doc)) is not None:
        validator.validate(doc)  # the reader is never laxer than the schema


def _locations(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _locations(item, (*here, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _locations(item, (*here, i))
    return found


@FUZZ
@given(graphs(max_nodes=6), st.data())
def test_mutated_files_only_raise_format_error(graph: Graph, data: st.DataObject) -> None:
    doc = graph_to_dict(graph)
    text = dumps(graph)
    kind = data.draw(st.sampled_from(["delete", "retype", "swap", "truncate", "flip", "insert"]))
    if kind in ("delete", "retype", "swap"):
        mutated = copy.deepcopy(doc)
        where = data.draw(st.sampled_from(_locations(mutated)[1:]))
        parent: Any = mutated
        for key in where[:-1]:
            parent = parent[key]
        if kind == "delete":
            del parent[where[-1]]
        elif kind == "retype":
            parent[where[-1]] = data.draw(JSON)
        else:
            pool = [n["id"] for n in doc["nodes"]] + ["", "ghost"]
            parent[where[-1]] = data.draw(st.sampled_from(pool))
        only_format_errors(lambda: loads(json.dumps(mutated, ensure_ascii=False)))
    elif kind == "truncate":
        only_format_errors(lambda: loads(text[: data.draw(st.integers(0, len(text) - 1))]))
    else:
        raw = bytearray(text.encode("utf-8"))
        at = data.draw(st.integers(0, len(raw) - 1))
        if kind == "flip":
            raw[at] ^= data.draw(st.integers(1, 255))
        else:
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=3))
        only_format_errors(lambda: fmt.loads_bytes(bytes(raw), source="flipped.json"))
