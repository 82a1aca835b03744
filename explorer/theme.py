"""Colours and fonts shared by every view, as plain strings (no Qt).

Value and gradient have one colour each, everywhere — canvas, plot, narrative, exports —
chosen from the Okabe–Ito palette so they stay distinct under the common colour-vision
deficiencies: values are blue, gradients are vermillion. Tangents (forward mode) are
bluish green. Each theme keeps those hues and only adjusts lightness for contrast.

Imports: standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# How every view writes a number (short, exact for integers, "undefined" for NaN): one
# definition, in the graph layer, because node names built there use it too.
from explorer.graph.naming import format_number as format_number


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    background: str
    grid: str
    node_fill: str
    node_header: str
    node_border: str
    node_selected: str
    output_border: str
    text: str
    muted_text: str
    value: str  # forward values
    grad: str  # gradients d(out)/d(node)
    tangent: str  # forward-mode tangents d(node)/dx
    error: str  # domain problems
    edge: str
    edge_label: str
    pulse: str
    input_fill: str
    const_fill: str


LIGHT = Theme(
    name="light",
    background="#f7f7f5",
    grid="#e6e6e1",
    node_fill="#ffffff",
    node_header="#eef1f5",
    node_border="#9aa3ad",
    node_selected="#e69f00",
    output_border="#222222",
    text="#1d232a",
    muted_text="#6b7480",
    value="#0063a6",
    grad="#c2410c",
    tangent="#00866b",
    error="#c81e1e",
    edge="#7d8793",
    edge_label="#3f4852",
    pulse="#e69f00",
    input_fill="#eaf3fb",
    const_fill="#f1f1ee",
)

DARK = Theme(
    name="dark",
    background="#1b1e23",
    grid="#262a31",
    node_fill="#2a2f37",
    node_header="#333a44",
    node_border="#5b6572",
    node_selected="#f0b429",
    output_border="#e8e8e8",
    text="#e8eaed",
    muted_text="#9aa3ad",
    value="#56b4e9",
    grad="#ff8a4c",
    tangent="#3fd0a8",
    error="#ff6b6b",
    edge="#8a94a1",
    edge_label="#c9ced6",
    pulse="#f0b429",
    input_fill="#263646",
    const_fill="#30343a",
)

THEMES = {LIGHT.name: LIGHT, DARK.name: DARK}


def value_step(value: float, fine: bool = False) -> float:
    """The step a dragged value moves in: 1% of its order of magnitude (0.1% when fine).

    The canvas scrub and the plot's x line (and slider) both snap to it, so a drag never
    leaves 0.500353 where the other gesture would give 0.5."""
    magnitude = 10.0 ** math.floor(math.log10(max(abs(value), 1.0))) if math.isfinite(value) else 1.0
    return magnitude * (0.001 if fine else 0.01)


def snap_value(value: float, step: float) -> float:
    """``value`` rounded to the decimals of ``step`` (a power of ten)."""
    if not math.isfinite(value):
        return value
    return round(value, max(0, -math.floor(math.log10(step))))
