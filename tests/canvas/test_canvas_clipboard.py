"""Pure tests (no Qt) of the clipboard helpers and the scrub step."""

from __future__ import annotations

import pytest

from explorer.canvas.clipboard import graph_from_text, selection_graph, selection_text
from explorer.canvas.interactions import scrub_step
from explorer.graph.model import Edge, Graph, GraphError
from explorer.io.format import loads


def _graph() -> Graph:
    g = Graph()
    a = g.add_node("input", "a", 2.0, (0.0, 0.0)).id
    b = g.add_node("input", "b", 3.0, (0.0, 100.0)).id
    c = g.add_node("mul", "c", position=(200.0, 50.0)).id
    t = g.add_node("tanh", "t", position=(400.0, 50.0)).id
    g.connect(a, c, 0)
    g.connect(b, c, 1)
    g.connect(c, t, 0)
    return g


def test_a_selection_keeps_only_links_inside_it() -> None:
    g = _graph()
    sub = selection_graph(g, ["n3", "n1", "n4"], {"n1": (5.0, 6.0)})
    assert [n.id for n in sub.nodes] == ["n1", "n3", "n4"]  # graph order, not click order
    assert sub.edges() == [Edge("n1", "n3", 0), Edge("n3", "n4", 0)]  # b -> c was cut
    assert sub.node("n1").position == (5.0, 6.0)  # where the card is on screen
    assert sub.node("n3").position == (200.0, 50.0)
    assert sub.output is None


def test_selection_text_is_a_valid_graph_file() -> None:
    text = selection_text(_graph(), ["n1", "n2", "n3"], {})
    back = loads(text)
    assert [(n.name, n.op, n.value) for n in back.nodes] == [
        ("a", "input", 2.0),
        ("b", "input", 3.0),
        ("c", "mul", 0.0),
    ]
    assert graph_from_text(text) == back


def test_text_without_positions_is_laid_out() -> None:
    g = graph_from_text("x = 1.5\ny = x * x\n")
    assert all(n.position is not None for n in g.nodes)
    x, y = g.find("x"), g.find("y")
    assert x.position is not None and y.position is not None and x.position[0] < y.position[0]


@pytest.mark.parametrize("text", ["", "   ", '{"format": 1}', "this is not code ("])
def test_bad_clipboard_text_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(GraphError):
        graph_from_text(text)


@pytest.mark.parametrize(
    ("start", "fine", "step"),
    [(2.0, False, 0.01), (0.3, False, 0.01), (-45.0, False, 0.1), (1234.0, False, 10.0), (2.0, True, 0.001)],
)
def test_scrub_step_is_one_percent_of_the_magnitude(start: float, fine: bool, step: float) -> None:
    assert scrub_step(start, fine) == pytest.approx(step)
