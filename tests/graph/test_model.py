"""The graph model: refused edits change nothing, undo-style edits restore exactly."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from explorer.graph.engine import evaluate
from explorer.graph.model import ArityError, CycleError, Edge, Graph, GraphError, Node

from .strategies import Builder, describe, graphs


def chain() -> tuple[Graph, list[str]]:
    """x -> a = neg(x) -> b = exp(a) -> c = a + b, with c the output."""
    b = Builder()
    x = b.input("x", 1.0)
    a = b.op("neg", x, name="a")
    e = b.op("exp", a, name="b")
    c = b.op("add", a, e, name="c")
    b.graph.set_output(c)
    return b.graph, [x, a, e, c]


def snapshot(g: Graph) -> tuple[Graph, dict[str, list[tuple[str, int]]], int, list[str]]:
    return g.copy(), {n.id: sorted(g.consumers(n.id)) for n in g}, g.structure_revision, g.topological_order()


def unchanged(g: Graph, snap: tuple[Graph, dict[str, list[tuple[str, int]]], int, list[str]]) -> bool:
    copy, consumers, revision, order = snap
    return (
        g == copy
        and {n.id: sorted(g.consumers(n.id)) for n in g} == consumers
        and g.structure_revision == revision
        and g.topological_order() == order
    )


# ------------------------------------------------------------------ cycles and arity
@pytest.mark.parametrize(("source", "target", "slot"), [(3, 1, 0), (2, 1, 0), (1, 1, 0)])
def test_cycle_is_refused_and_nothing_changes(source: int, target: int, slot: int) -> None:
    g, ids = chain()
    g.disconnect(ids[target], slot)  # free the slot so only the cycle can refuse
    snap = snapshot(g)
    with pytest.raises(CycleError, match="cycle"):
        g.connect(ids[source], ids[target], slot)
    assert unchanged(g, snap)


def test_arity_refusals_and_nothing_changes() -> None:
    g, (x, a, _e, c) = chain()
    k = g.add_node("const", "k", 2.0).id
    snap = snapshot(g)
    with pytest.raises(ArityError, match="no operand slot 1"):
        g.connect(k, a, 1)  # neg has one slot
    with pytest.raises(ArityError, match="no operand slot -1"):
        g.connect(k, c, -1)
    with pytest.raises(ArityError, match="already connected"):
        g.connect(k, c, 0)
    with pytest.raises(ArityError, match="takes no operands"):
        g.connect(a, x, 0)  # an input is a leaf
    with pytest.raises(ArityError, match="takes no operands"):
        g.connect(x, k, 0)
    with pytest.raises(ArityError):
        g.set_op(a, "add")  # 1 operand -> 2
    with pytest.raises(GraphError, match="no node"):
        g.connect("nope", c, 0)
    assert unchanged(g, snap)


def test_other_refusals_change_nothing() -> None:
    g, (x, a, _e, c) = chain()
    snap = snapshot(g)
    refusals = [
        lambda: g.add_node("frobnicate"),
        lambda: g.add_node("input", "x"),  # the name is taken
        lambda: g.add_node("input", "y" * 65),
        lambda: g.add_node("input", "y", float("nan")),
        lambda: g.add_node("input", "y", node_id=x),
        lambda: g.set_value(c, 3.0),  # computed nodes hold no value
        lambda: g.set_value(x, float("inf")),
        lambda: g.rename(a, "x"),
        lambda: g.disconnect(x, 0),
        lambda: g.disconnect(c, 5),
        lambda: g.set_op(a, "frobnicate"),
        lambda: g.set_output("nope"),
        lambda: g.remove_node("nope"),
    ]
    for refuse in refusals:
        with pytest.raises(GraphError):
            refuse()
        assert unchanged(g, snap)


def test_insert_node_refusals_change_nothing() -> None:
    g, (x, a, e, _c) = chain()
    node, index, links = g.remove_node(e)
    snap = snapshot(g)
    with pytest.raises(GraphError, match="does not exist"):
        g.insert_node(Node("z", "neg", "", 0.0, None, ["ghost"]))
    with pytest.raises(ArityError):
        g.insert_node(Node("z", "neg", "", 0.0, None, [None, None]))
    with pytest.raises(GraphError, match="already exists"):
        g.insert_node(Node(a, "neg", "", 0.0, None, [None]))
    # one refused link refuses the whole insertion, even after other links went in
    with pytest.raises(ArityError):
        g.insert_node(node, index, [*links, Edge(e, x, 0)])
    assert unchanged(g, snap)
    g.disconnect(a, 0)
    snap = snapshot(g)
    with pytest.raises(CycleError):
        g.insert_node(node, index, [*links, Edge(e, a, 0)])  # e reads a; a reading e is a cycle
    assert unchanged(g, snap)


# ------------------------------------------------------------------ remove + insert
def test_remove_then_insert_restores_exactly() -> None:
    g, ids = chain()
    before = snapshot(g)
    ev_before = evaluate(g)
    node, index, links = g.remove_node(ids[1])  # a: read by b and c, reads x
    assert ids[1] not in g and all(ids[1] not in n.operands for n in g)
    assert g.find("c").operands == [None, ids[2]]
    g.insert_node(node, index, links)
    g.set_output(ids[3])
    copy, consumers, _, order = before
    assert g == copy
    assert {n.id: sorted(g.consumers(n.id)) for n in g} == consumers
    assert g.topological_order() == order  # the evaluation (and trace) order too
    ev = evaluate(g)
    assert ev.value_list == ev_before.value_list and ev.grad_list == ev_before.grad_list
    assert ev.trace == ev_before.trace


def test_remove_clears_the_output_and_consumers() -> None:
    g, (_x, a, e, c) = chain()
    _node, index, links = g.remove_node(c)
    assert g.output is None and index == 3 and links == []
    assert g.consumers(a) == [(e, 0)] and g.consumers(e) == []
    assert [s.id for s in g.sinks()] == [e]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(allow_missing=True, max_ops=8), data=st.data())
def test_any_remove_then_insert_restores_exactly(g: Graph, data: st.DataObject) -> None:
    note(describe(g))
    victim = data.draw(st.sampled_from([n.id for n in g]))
    before = snapshot(g)
    was_output = g.output == victim
    node, index, links = g.remove_node(victim)
    g.insert_node(node, index, links)
    if was_output:
        g.set_output(victim)
    copy, consumers, _, order = before
    assert g == copy
    assert {n.id: sorted(g.consumers(n.id)) for n in g} == consumers
    assert g.topological_order() == order


# ------------------------------------------------------------------ random edits
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(allow_missing=True, max_ops=8), data=st.data())
def test_random_links_either_apply_or_change_nothing(g: Graph, data: st.DataObject) -> None:
    note(describe(g))
    ids = [n.id for n in g]
    for _ in range(10):
        source, target = data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids))
        slot = data.draw(st.integers(-1, 2))
        snap = snapshot(g)
        try:
            g.connect(source, target, slot)
        except GraphError:
            assert unchanged(g, snap)
            continue
        # accepted: still a DAG, consumers mirror operands, and the check agreed
        assert g.node(target).operands[slot] == source
        order = g.topological_order()
        assert sorted(order) == sorted(ids)
        position = {nid: k for k, nid in enumerate(order)}
        for e in g.edges():
            assert position[e.source] < position[e.target]
            assert (e.target, e.slot) in g.consumers(e.source)
        assert sum(len(g.consumers(n)) for n in ids) == len(g.edges())


def test_check_connect_names_the_reason() -> None:
    g, (x, a, _e, c) = chain()
    g.disconnect(a, 0)
    with pytest.raises(CycleError, match="'c' into 'a' would make a cycle"):
        g.check_connect(c, a, 0)
    g.check_connect(x, a, 0)  # allowed: no exception, no change
    assert g.node(a).operands == [None]


# ------------------------------------------------------------------ queries and caches
def test_topological_order_is_stable_and_ignores_link_order() -> None:
    g = Graph()
    x = g.add_node("input", "x").id
    p = g.add_node("neg", "p").id
    q = g.add_node("exp", "q").id
    g.connect(x, q, 0)  # linked in the "wrong" order
    g.connect(x, p, 0)
    assert g.topological_order() == [x, p, q]  # ties keep insertion order


def test_outputs_sinks_and_lookup() -> None:
    g = Graph()
    with pytest.raises(GraphError, match="empty"):
        g.resolve_output()
    assert g.default_output() is None
    x = g.add_node("input", "x").id
    assert g.resolve_output() == x
    p = g.add_node("neg", "p").id
    q = g.add_node("exp").id
    g.connect(x, p, 0)
    g.connect(x, q, 0)
    with pytest.raises(GraphError, match="2 possible outputs"):
        g.resolve_output()
    assert g.default_output() == q  # the last loose end while half-built
    g.set_output(p)
    assert g.resolve_output() == p == g.default_output()
    assert g.find("p").id == p and g.find(q).id == q
    with pytest.raises(GraphError):
        g.find("nope")
    assert g.reaches(x, p) and not g.reaches(p, x) and g.reaches(p, p)
    assert [n.id for n in g.inputs()] == [x]


def test_revisions_and_derived_cache() -> None:
    g, (x, a, e, _c) = chain()
    calls: list[int] = []

    def factory(graph: Graph) -> int:
        calls.append(1)
        return len(graph)

    assert g.derived("k", factory) == 4
    r, s = g.revision, g.structure_revision
    g.set_value(x, 2.0)
    g.move(a, (1.0, 2.0))
    g.rename(a, "alpha")
    assert g.revision == r + 3 and g.structure_revision == s
    assert g.derived("k", factory) == 4 and len(calls) == 1  # values never recompile
    g.set_op(e, "tanh")
    assert g.structure_revision == s + 1
    assert g.derived("k", factory) == 4 and len(calls) == 2


def test_copy_is_independent_and_equal() -> None:
    g, (x, a, e, c) = chain()
    h = g.copy()
    assert h == g
    h.set_value(x, 5.0)
    assert h != g and g.node(x).value == 1.0
    h = g.copy()
    h.disconnect(c, 0)
    assert g.node(c).operands == [a, e] and g.consumers(a) == [(e, 0), (c, 0)]
    assert g != "not a graph"
