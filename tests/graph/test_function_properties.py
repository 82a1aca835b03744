"""Property tests: a function is the same computation as the nodes it groups.

For random graphs, grouping a connected set of nodes into a function (inputs outside
become its parameters) must give the same values — bit for bit, since the body runs
the same operations inline — and the same gradients up to re-association: the call's
local derivatives are sums over body paths, multiplied by the gradient outside, where
the flat graph multiplies first and sums later. The tolerance is 1e-12 relative plus
the rounding of re-summing the |path products| (the reference's absolute gradient),
which only matters where paths cancel. Forward mode and sweeps must agree too, and
ungrouping must give back the graph that was grouped: the same nodes, links, names,
values and positions, and where the grouped nodes were consecutive, the same file.
"""

from __future__ import annotations

import math
import sys

import numpy as np
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from explorer.graph.engine import evaluate
from explorer.graph.functions import FunctionError, group, ungroup
from explorer.graph.model import Graph
from explorer.graph.tape import sweep

from .strategies import describe, graphs, input_names, reference

EPS = sys.float_info.epsilon
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
GRID = np.linspace(-2.5, 2.5, 11)


@st.composite
def grouped(draw: st.DrawFn) -> tuple[Graph, Graph, list[str]]:
    """(flat graph, the same with a connected set of computed nodes grouped, that set)."""
    g = draw(graphs(max_ops=8))
    computed = [n.id for n in g if not n.is_leaf]
    root = draw(st.sampled_from(computed))
    chosen = [root]
    for _ in range(draw(st.integers(0, 5))):
        frontier = [s for nid in chosen for s in g.node(nid).operands if s is not None and s not in chosen]
        frontier = [s for s in frontier if g.node(s).op != "input"]
        if not frontier:
            break
        chosen.append(draw(st.sampled_from(frontier)))
    try:
        result = group(g, chosen, "fn")
    except FunctionError:
        assume(False)
        raise
    return g, result, chosen


def close(a: float, b: float, scale: float, n: int) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= 1e-12 * abs(a) + 4 * n * EPS * scale


def canonical(g: Graph) -> tuple[object, ...]:
    nodes = sorted((n.id, n.op, n.name, n.value, n.position, tuple(n.operands), n.function) for n in g)
    return (g.title, g.output, tuple(nodes), tuple(f.name for f in g.functions))


@SETTINGS
@given(case=grouped())
def test_grouping_keeps_values_and_gradients(case: tuple[Graph, Graph, list[str]]) -> None:
    flat, fn_graph, chosen = case
    note(describe(flat))
    note(f"grouped: {chosen}")
    a, b = evaluate(flat), evaluate(fn_graph)
    scale = reference(flat, absolute=True).grads
    (call_id,) = [n.id for n in fn_graph if n.op == "call"]
    inside, _ = b.inside(call_id)
    for node in flat:
        va, ga = a.value_of(node.id), a.grad_of(node.id)
        if node.id in fn_graph:
            vb, gb = b.value_of(node.id), b.grad_of(node.id)
        else:
            vb, gb = inside[node.id].value, inside[node.id].grad
        assert va == vb or (math.isnan(va) and math.isnan(vb)), (node.id, va, vb)
        assert close(ga, gb, scale[node.id], len(flat)), (node.id, ga, gb)
    assert all(d.node_id in fn_graph for d in b.diagnostics)


@SETTINGS
@given(case=grouped(), data=st.data())
def test_grouping_keeps_forward_mode_and_sweeps(
    case: tuple[Graph, Graph, list[str]], data: st.DataObject
) -> None:
    flat, fn_graph, _chosen = case
    note(describe(flat))
    name = data.draw(st.sampled_from(input_names(flat)))
    a, b = evaluate(flat), evaluate(fn_graph)
    out = flat.output
    assert out is not None
    scale = reference(flat, absolute=True).grads[flat.find(name).id]
    ta, tb = a.tangents(name)[out], b.tangents(name)[out]
    if scale < 1e100:
        assert close(ta, tb, scale, len(flat)), (ta, tb)
    for x, y in zip(sweep(flat, name, GRID), sweep(fn_graph, name, GRID), strict=True):
        assert np.array_equal(x, y, equal_nan=True)


@SETTINGS
@given(case=grouped())
def test_ungroup_restores_the_graph(case: tuple[Graph, Graph, list[str]]) -> None:
    flat, fn_graph, _chosen = case
    (call_id,) = [n.id for n in fn_graph if n.op == "call"]
    back = ungroup(fn_graph, call_id)
    assert canonical(back) == canonical(flat)
    grouped = [k for k, n in enumerate(flat.nodes) if n.id not in fn_graph or n.id == call_id]
    if grouped == list(range(grouped[0], grouped[-1] + 1)):
        assert back == flat  # consecutive nodes come back in their places: the same file
    a, b = evaluate(flat), evaluate(back)
    assert a.values.keys() == b.values.keys()
    for nid, v in a.values.items():
        assert v == b.values[nid] or (math.isnan(v) and math.isnan(b.values[nid]))
