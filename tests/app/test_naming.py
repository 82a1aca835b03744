"""One naming rule everywhere (issue 12 item 5): a node's name, else the formula the narrative
builds; never a bare id. Checked on the canvas refusal, the plot, the inspector, the status
bar and the CLI table, for a graph whose nodes have no names (as when built by hand)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from explorer.app.cli import main
from explorer.graph.layout import apply_layout
from explorer.graph.parser import parse
from explorer.io.format import save

from ..canvas.canvas_helpers import close_canvas, make_canvas

BARE_ID = re.compile(r"\bn\d+\b")
SQUARE = "(2·x + 1)²"


def hand_built():  # type: ignore[no-untyped-def]
    """h(x) = (2x+1)² with only x named: the nodes a learner drops from the palette."""
    graph = parse("(2*x + 1)**2", default_input_value=3.0)
    for node in graph.nodes:
        if node.name != "x":
            graph.rename(node.id, "")
    apply_layout(graph)
    return graph


def _node_of(graph, formula: str) -> str:  # type: ignore[no-untyped-def]
    return next(n.id for n in graph.nodes if graph.display_name(n.id) == formula)


def test_the_cycle_refusal_names_nodes_by_formula(qtbot) -> None:  # type: ignore[no-untyped-def]
    canvas = make_canvas(qtbot, hand_built())
    try:
        graph = canvas.graph
        square, product = _node_of(graph, SQUARE), _node_of(graph, "2·x")
        start = canvas.point(canvas.scene.node_item(square).output_port_pos())
        end = canvas.point(canvas.scene.node_item(product).input_port_pos(0))
        canvas.drag(start, end)
        note = canvas.scene.in_place_message()
        assert note == f"linking '{SQUARE}' into '2·x' would make a cycle"
    finally:
        close_canvas(canvas)


@pytest.fixture
def hand_built_window(window, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "square.json"
    save(hand_built(), path)
    assert window.open_file(path)
    return window


def test_plot_inspector_and_status_bar_use_the_formula(hand_built_window) -> None:  # type: ignore[no-untyped-def]
    window = hand_built_window
    graph = window.document.graph
    plot = window.sensitivity
    assert plot.controls.y_combo.itemText(0) == f"output ({SQUARE})"
    assert plot.view.y_plot.getAxis("left").labelText == SQUARE
    assert plot.view.dy_plot.getAxis("left").labelText == f"d({SQUARE})/dx"
    # Click the 2·x + 1 node on the canvas: the inspector and the status bar name it.
    target = _node_of(graph, "2·x + 1")
    item = window.scene.node_item(target)
    window.view.centerOn(item)
    where = window.view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    assert window.scene.selected_node_ids() == [target]
    inspector = window.inspector
    texts = [inspector.heading.text(), inspector.locals_label.text(), window.selection_label.text()]
    texts += [window.output_label.text(), inspector.grad_label.toolTip()]
    assert "2·x + 1" in inspector.heading.text() and "2·x + 1" in window.selection_label.text()
    assert SQUARE in window.output_label.text()
    for text in texts:
        assert not BARE_ID.search(text), text


def test_the_cli_table_uses_the_formula(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "square.json"
    save(hand_built(), path)
    assert main(["eval", str(path)]) == 0
    out = capsys.readouterr().out
    assert not BARE_ID.search(out), out
    rows = [line.split("  ")[0] for line in out.splitlines()[2:9]]
    assert rows == ["2", "x", "2·x", "1", "2·x + 1", "2", f"{SQUARE}"]
    assert f"d({SQUARE})/d(node)" in out.splitlines()[0] and out.rstrip().endswith(f"{SQUARE} = 49")
