"""Hand-built functions for the tests: the lesson's g(x) = 2x + 1 and f(z) = z²."""

from __future__ import annotations

from explorer.graph.functions import Function
from explorer.graph.model import Graph


def body(params: list[str], build: str) -> Graph:
    """A body graph from a tiny recipe: 'mul c2 x' lines, each naming the new node's id."""
    g = Graph()
    for p in params:
        g.add_node("input", p, 1.0, node_id=f"p_{p}")
    last = ""
    for line in build.split(";"):
        nid, op, *args = line.split()
        if op == "const":
            g.add_node("const", value=float(args[0]), node_id=nid)
        else:
            g.add_node(op, node_id=nid)
            for slot, a in enumerate(args):
                g.connect(a, nid, slot)
        last = nid
    g.set_output(last)
    return g


def g_function() -> Function:
    return Function("g", ["x"], body(["x"], "two const 2; m mul two p_x; one const 1; s add m one"))


def f_function() -> Function:
    return Function("f", ["z"], body(["z"], "two const 2; sq pow p_z two"))


def lesson(x: float = 3.0) -> Graph:
    """h = f(g(x)) with g and f as functions; the call nodes are named g and h."""
    graph = Graph("lesson")
    g, f = g_function(), f_function()
    graph.add_function(g)
    graph.add_function(f)
    graph.add_node("input", "x", x, node_id="x")
    graph.add_call(g, "g", node_id="g")
    graph.add_call(f, "h", node_id="h")
    graph.connect("x", "g", 0)
    graph.connect("g", "h", 0)
    graph.set_output("h")
    return graph


def flat_lesson(x: float = 3.0) -> Graph:
    """The same computation written out in primitive nodes."""
    graph = Graph("lesson")
    graph.add_node("input", "x", x, node_id="x")
    graph.add_node("const", value=2.0, node_id="two")
    graph.add_node("mul", node_id="m")
    graph.add_node("const", value=1.0, node_id="one")
    graph.add_node("add", "g", node_id="g")
    graph.add_node("const", value=2.0, node_id="two2")
    graph.add_node("pow", "h", node_id="h")
    for s, t, k in [
        ("two", "m", 0),
        ("x", "m", 1),
        ("m", "g", 0),
        ("one", "g", 1),
        ("g", "h", 0),
        ("two2", "h", 1),
    ]:
        graph.connect(s, t, k)
    graph.set_output("h")
    return graph
