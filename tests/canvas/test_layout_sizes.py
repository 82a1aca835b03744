"""The layout spaces rows by what the canvas really draws: cards and constants' pills.

The scene places nodes that arrive without a position clear of the ones the user placed.
"""

from __future__ import annotations

from explorer.canvas import style
from explorer.canvas.scene import GraphScene
from explorer.document.document import GraphDocument
from explorer.graph.layout import NODE_HEIGHT, NODE_WIDTH, layout
from explorer.graph.layout.sizes import extent
from explorer.graph.model import Graph


def test_layout_extents_are_the_drawn_card_and_pill() -> None:
    card, pill = style.CARD, style.pill_rect(12.0)
    centre = NODE_HEIGHT / 2
    assert (card.top() - centre, card.bottom() - centre) == extent("tanh") == extent("input")
    assert (pill.top() - centre, pill.bottom() - centre) == extent("const")
    assert card.width() == NODE_WIDTH


def test_scene_places_a_new_node_clear_of_a_hand_placed_one(qtbot) -> None:  # type: ignore[no-untyped-def]
    g = Graph()
    x = g.add_node("input", "x", 1.0, position=(0.0, 0.0)).id
    document = GraphDocument(g)
    scene = GraphScene(document)
    # Where the layout of the graph would put a new exp, the user has put a card of
    # their own: a layout that ignored it would stack the two.
    probe = g.copy()
    probe.add_node("input", "mine", 0.0)
    e = probe.add_node("exp").id
    spot = layout(probe)[e]
    document.add_node("input", "mine", 0.0, position=spot)
    new = document.add_node("exp")  # no position: the scene places it
    document.link(x, new, 0)
    mine_card = style.CARD.translated(scene.node_item(document.graph.find("mine").id).pos())
    new_card = style.CARD.translated(scene.node_item(new).pos())
    assert not mine_card.intersects(new_card), (mine_card, new_card)
    assert document.graph.find("mine").position == spot
