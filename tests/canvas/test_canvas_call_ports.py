"""A function call's many operand ports: spread over the card, each one reachable by hand.

A neuron box ``neuron2_tanh(x1, x2, w1, w2, b)`` has five operands; its links must end at
five different heights, in slot order, and a drag onto any port must connect that slot.
"""

from __future__ import annotations

import itertools

from explorer.canvas import style as st
from explorer.graph.model import Edge
from explorer.graph.templates import neuron

from .canvas_helpers import close_canvas, make_canvas


def test_ports_share_the_card_height_in_slot_order() -> None:
    assert [st.input_port_y(k, 2) for k in range(2)] == [st.HEIGHT / 3, 2 * st.HEIGHT / 3], "two: as before"
    assert st.input_port_y(0, 1) == st.BODY_MID
    for arity in range(3, 10):
        ys = [st.input_port_y(k, arity) for k in range(arity)]
        assert ys[0] > 0 and ys[-1] < st.HEIGHT
        gaps = {round(b - a, 9) for a, b in itertools.pairwise(ys)}
        assert len(gaps) == 1 and min(gaps) > 0, "evenly spaced, top to bottom"


def test_each_port_of_a_call_is_hit_and_linked_where_it_is_drawn(qtbot) -> None:  # type: ignore[no-untyped-def]
    c = make_canvas(qtbot, neuron(functions=True))
    try:
        item = c.item("o")
        for slot in range(5):
            p = st.input_port(slot, 5)
            assert item.hit_part(p) == ("in", slot)
            # a little off towards the next port still picks the nearest one
            assert item.hit_part(p + type(p)(2.0, 3.0)) == ("in", slot)
        # unplug the bias and plug it back by dragging from b's output to port 5
        b, o = c.node_id("b"), c.node_id("o")
        c.graph.disconnect(o, 4)
        c.document.reset(c.graph.copy(), None)
        item = c.item("o")
        c.drag(c.point(c.item("b").output_port_pos()), c.point(item.input_port_pos(4)))
        assert Edge(b, o, 4) in c.graph.edges()
        ends = {e.slot: c.scene.edge_item(e) for e in c.graph.edges() if e.target == o}
        assert len(ends) == 5
    finally:
        close_canvas(c)
