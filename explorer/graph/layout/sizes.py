"""How much room a node takes in the automatic layout: the real card and pill sizes.

The canvas draws a computed node or an input as a card and a constant as a small pill
at the right of its slot (so its output port is where a card's would be); the canvas
style reads its geometry from here, so the layout and the drawing cannot disagree.
Heights are measured from the card's vertical centre, where the layout lines nodes up.

Imports: standard library only.
"""

from __future__ import annotations

NODE_WIDTH = 150.0
NODE_HEIGHT = 84.0
COLUMN_GAP = 90.0
ROW_GAP = 36.0
COMPONENT_GAP = 2 * ROW_GAP
COLUMN_STEP = NODE_WIDTH + COLUMN_GAP

HEADER_HEIGHT = 30.0  # the card's title band; the body below holds value and gradient
BODY_MID = (HEADER_HEIGHT + NODE_HEIGHT) / 2.0  # where the output port sits
PILL_HEIGHT = 26.0  # a constant's pill, centred on the output port's height

_CARD = (-NODE_HEIGHT / 2.0, NODE_HEIGHT / 2.0)
_PILL = (BODY_MID - PILL_HEIGHT / 2.0 - NODE_HEIGHT / 2.0, BODY_MID + PILL_HEIGHT / 2.0 - NODE_HEIGHT / 2.0)


def extent(op: str) -> tuple[float, float]:
    """(top, bottom) of what is drawn for a node of ``op``, relative to the card's centre."""
    return _PILL if op == "const" else _CARD
