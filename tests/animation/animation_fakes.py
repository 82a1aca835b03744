"""Lesson graphs built by hand, and a fake scene that records what the player sets on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF

from explorer.graph.model import Edge, Graph


def lesson_h(x: float = 3.0) -> Graph:
    """h(x) = (2x + 1) ** 2, built node by node as the lesson draws it."""
    g = Graph("h")
    xi = g.add_node("input", "x", x).id
    two = g.add_node("const", "", 2.0).id
    m = g.add_node("mul", "m").id
    g.connect(two, m, 0)
    g.connect(xi, m, 1)
    one = g.add_node("const", "", 1.0).id
    a = g.add_node("add", "a").id
    g.connect(m, a, 0)
    g.connect(one, a, 1)
    p = g.add_node("const", "", 2.0).id
    h = g.add_node("pow", "h").id
    g.connect(a, h, 0)
    g.connect(p, h, 1)
    return g


def lesson_loss(a: float = 2.0, b: float = 3.0) -> Graph:
    """loss = (a*b + 1) ** 2 with c = a*b, d = c + 1."""
    g = Graph("loss")
    ai = g.add_node("input", "a", a).id
    bi = g.add_node("input", "b", b).id
    c = g.add_node("mul", "c").id
    g.connect(ai, c, 0)
    g.connect(bi, c, 1)
    one = g.add_node("const", "", 1.0).id
    d = g.add_node("add", "d").id
    g.connect(c, d, 0)
    g.connect(one, d, 1)
    two = g.add_node("const", "", 2.0).id
    loss = g.add_node("pow", "loss").id
    g.connect(d, loss, 0)
    g.connect(two, loss, 1)
    return g


def fan_out(x: float = 3.0) -> Graph:
    """z = x*x + x: x feeds three operand slots, so its gradient is a sum of three terms."""
    g = Graph("fan-out")
    xi = g.add_node("input", "x", x).id
    y = g.add_node("mul", "y").id
    g.connect(xi, y, 0)
    g.connect(xi, y, 1)
    z = g.add_node("add", "z").id
    g.connect(y, z, 0)
    g.connect(xi, z, 1)
    return g


def diamond(x: float = 2.0, w: float = 5.0) -> Graph:
    """out = (x*w) * exp(x) + x: two inputs, three paths from x, one from w."""
    g = Graph("diamond")
    xi = g.add_node("input", "x", x).id
    wi = g.add_node("input", "w", w).id
    p = g.add_node("mul", "p").id
    g.connect(xi, p, 0)
    g.connect(wi, p, 1)
    e = g.add_node("exp", "e").id
    g.connect(xi, e, 0)
    q = g.add_node("mul", "q").id
    g.connect(p, q, 0)
    g.connect(e, q, 1)
    out = g.add_node("add", "out").id
    g.connect(q, out, 0)
    g.connect(xi, out, 1)
    return g


def node_id(graph: Graph, name: str) -> str:
    return graph.find(name).id


@dataclass
class FakeNode:
    value: str | None = None
    grad: str | None = None
    emphasis: str | None = None
    tangent: str | None = None
    calls: int = 0

    def set_value_override(self, text: str | None) -> None:
        self.value, self.calls = text, self.calls + 1

    def set_grad_override(self, text: str | None) -> None:
        self.grad, self.calls = text, self.calls + 1

    def set_emphasis(self, kind: str | None) -> None:
        self.emphasis, self.calls = kind, self.calls + 1

    def set_tangent_text(self, text: str | None) -> None:
        self.tangent, self.calls = text, self.calls + 1

    def state(self) -> tuple[str | None, ...]:
        return (self.value, self.grad, self.emphasis, self.tangent)


@dataclass
class FakeEdge:
    caption: str | None = None
    emphasis: str | None = None
    width: float = 1.0

    def set_caption(self, text: str | None) -> None:
        self.caption = text

    def set_emphasis(self, kind: str | None) -> None:
        self.emphasis = kind

    def set_width_scale(self, scale: float) -> None:
        self.width = scale

    def path_point(self, t: float) -> QPointF:
        return QPointF(100.0 * t, 0.0)

    def state(self) -> tuple[object, ...]:
        return (self.caption, self.emphasis, self.width)


@dataclass
class FakeScene:
    """Items for the nodes and edges of a document's graph; unknown ids raise KeyError."""

    document: object
    nodes: dict[str, FakeNode] = field(default_factory=dict)
    edges: dict[Edge, FakeEdge] = field(default_factory=dict)
    pulses: list[tuple[Edge | None, float, bool, str]] = field(default_factory=list)

    def node_item(self, node_id: str) -> FakeNode:
        if node_id not in self.document.graph:  # type: ignore[attr-defined]
            raise KeyError(node_id)
        return self.nodes.setdefault(node_id, FakeNode())

    def edge_item(self, edge: Edge) -> FakeEdge:
        if edge not in self.document.graph.edges():  # type: ignore[attr-defined]
            raise KeyError(edge)
        return self.edges.setdefault(edge, FakeEdge())

    def set_pulse(self, edge: Edge | None, t: float, backward: bool, text: str) -> None:
        self.pulses.append((edge, t, backward, text))

    def snapshot(self) -> tuple[dict[str, tuple[str | None, ...]], dict[Edge, tuple[object, ...]]]:
        """Every item's display state, leaving out items that show nothing special."""
        nodes = {k: v.state() for k, v in self.nodes.items() if v.state() != (None, None, None, None)}
        edges = {k: v.state() for k, v in self.edges.items() if v.state() != (None, None, 1.0)}
        return nodes, edges
