"""The graph file's text: stable key order, one node or edge per line, UTF-8, trailing newline.

Files written this way diff well: keys in a fixed human order, nodes in the graph's insertion
order, edges in node-then-slot order, numbers as floats so that a reloaded graph writes
byte-identical text. The document itself (and its check) comes from
:func:`explorer.io.format.graph_to_dict`.

Part of the graph file format (:mod:`explorer.io.format` is its public face). Imports:
standard library and ``explorer.graph`` (never Qt).
"""

from __future__ import annotations

import json
import math
from typing import Any

from explorer.graph.model import Graph
from explorer.graph.ops import LEAF_OPS
from explorer.io.format_checks import Document


def nodes_to_list(graph: Graph) -> list[dict[str, Any]]:
    """The "nodes" array for a graph or a function body, keys in the file's order."""
    nodes: list[dict[str, Any]] = []
    for node in graph.nodes:
        item: dict[str, Any] = {"id": node.id, "op": node.op, "name": node.name}
        if node.op == "call":
            item = {"id": node.id, "op": "call", "function": node.function, "name": node.name}
        if node.op in LEAF_OPS:
            item["value"] = _as_float(node.value)
        if node.position is not None:
            xy = node.position
            item["position"] = [_as_float(c) for c in xy] if isinstance(xy, tuple | list) else xy
        if node.trainable:
            item["trainable"] = True
        nodes.append(item)
    return nodes


def _as_float(value: object) -> object:
    # Ints become floats so that a reloaded graph writes byte-identical text; others are refused.
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return math.inf
    return value


def document_text(data: Document) -> str:
    """The file text for a checked document (see :func:`explorer.io.format.dumps`)."""
    from explorer.io.format_functions import dump_functions

    lines = []
    for key, value in data.items():
        if key == "functions":
            text = dump_functions(value)
        elif key in ("nodes", "edges") and value:
            rows = ",\n    ".join(json.dumps(v, ensure_ascii=False, separators=(", ", ": ")) for v in value)
            text = f"[\n    {rows}\n  ]"
        else:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=2)
        lines.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}\n"
