"""A half-built graph says one thing (issue 12 item 6): the output is not computable until
its empty ports are connected, naming them; no "d/dx = 0", "undefined ≠ undefined" or
"slope is 0 everywhere" beside it."""

from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from explorer.graph.completeness import empty_ports, incomplete_message
from explorer.graph.layout import apply_layout
from explorer.graph.model import Graph
from explorer.io.format import save

MESSAGE = "(2·x)^□ is not computable until its empty port is connected: the exponent of '(2·x)^□'"
CONTRADICTIONS = ("does not depend", "≠", "slope is 0", "= 0", "gradient undefined")


def half_built() -> Graph:
    """x → 2·x → Power, its exponent still empty: a learner halfway through (2x)²."""
    g = Graph()
    x = g.add_node("input", "x", 3.0)
    two = g.add_node("const", value=2.0)
    mul = g.add_node("mul")
    power = g.add_node("pow")
    g.connect(two.id, mul.id, 0)
    g.connect(x.id, mul.id, 1)
    g.connect(mul.id, power.id, 0)
    g.set_output(power.id)
    apply_layout(g)
    return g


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ")


def test_the_sentence_names_every_empty_port_upstream_of_the_output() -> None:
    g = half_built()
    assert incomplete_message(g, g.output) == MESSAGE
    power = g.node(g.output or "")
    assert empty_ports(g, power.id) == [(power.id, 1)]
    loose = g.add_node("add")
    g.connect(power.id, loose.id, 0)
    assert incomplete_message(g, loose.id) == (
        "(2·x)^□ + □ is not computable until its empty ports are connected: "
        "the exponent of '(2·x)^□', operand 2 of '(2·x)^□ + □'"
    )


def test_every_view_says_the_same_one_thing(window, tmp_path: Path) -> None:
    path = tmp_path / "half.json"
    save(half_built(), path)
    assert window.open_file(path)
    graph = window.document.graph
    x = graph.find("x").id
    narrative, plot = window.narrative, window.sensitivity
    item = window.scene.node_item(x)
    window.view.centerOn(item)
    where = window.view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    assert window.scene.selected_node_ids() == [x] and plot.input_id == x
    views = {"plot": plot.view._note, "product": plain(narrative.selected_label.text())}
    nudge = plain(narrative.nudge_label.text())
    assert nudge == "The nudge check waits until the empty ports are connected."
    for where_, text in views.items():
        assert text == f"{MESSAGE}.", (where_, text)
    window.scene.clearSelection()
    summary = plain(window.inspector.summary_label.text())
    assert f"{MESSAGE}." in summary
    for text in [*views.values(), nudge, summary, plot.view.readout.text()]:
        for bad in CONTRADICTIONS:
            assert bad not in text, (bad, text)
