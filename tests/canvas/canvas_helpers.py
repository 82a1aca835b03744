"""Real-input helpers for the canvas tests (fixtures are in conftest.py).

Every helper sends genuine mouse and key events to the view's viewport, the way a user's
hand would. ``qtbot.mouseMove`` cannot carry a held button, so drags are built from
``QTest.mousePress``, hand-made ``QMouseEvent(MouseMove, …, buttons=held)`` sent with
``QApplication.sendEvent``, and ``QTest.mouseRelease``.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from explorer.canvas.scene import GraphScene
from explorer.canvas.view import GraphView
from explorer.document.document import GraphDocument
from explorer.graph.layout import apply_layout
from explorer.graph.model import Graph
from explorer.graph.parser import parse

LESSON = "a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2"
NO_MODS = Qt.KeyboardModifier.NoModifier
LEFT = Qt.MouseButton.LeftButton


@dataclass
class Canvas:
    document: GraphDocument
    scene: GraphScene
    view: GraphView

    @property
    def graph(self) -> Graph:
        return self.document.graph

    def node_id(self, name: str) -> str:
        return self.graph.find(name).id

    def item(self, name: str):  # type: ignore[no-untyped-def]
        return self.scene.node_item(self.node_id(name))

    # ---------------------------------------------------------------- coordinates
    def point(self, scene_pos: QPointF) -> QPoint:
        """Viewport pixel of a scene position."""
        return self.view.mapFromScene(scene_pos)

    # ---------------------------------------------------------------- mouse
    def press(self, pos: QPoint, button: Qt.MouseButton = LEFT, mods: Qt.KeyboardModifier = NO_MODS) -> None:
        QTest.mousePress(self.view.viewport(), button, mods, pos)

    def move(self, pos: QPoint, buttons: Qt.MouseButton = LEFT, mods: Qt.KeyboardModifier = NO_MODS) -> None:
        viewport = self.view.viewport()
        event = QMouseEvent(
            QEvent.Type.MouseMove,
            QPointF(pos),
            QPointF(viewport.mapToGlobal(pos)),
            Qt.MouseButton.NoButton,
            buttons,
            mods,
        )
        QApplication.sendEvent(viewport, event)

    def release(
        self, pos: QPoint, button: Qt.MouseButton = LEFT, mods: Qt.KeyboardModifier = NO_MODS
    ) -> None:
        QTest.mouseRelease(self.view.viewport(), button, mods, pos)

    def drag(
        self,
        start: QPoint,
        end: QPoint,
        button: Qt.MouseButton = LEFT,
        mods: Qt.KeyboardModifier = NO_MODS,
        steps: int = 6,
    ) -> None:
        """Press at ``start``, move in ``steps`` steps with the button held, release at ``end``."""
        self.press(start, button, mods)
        for k in range(1, steps + 1):
            t = k / steps
            p = QPoint(
                round(start.x() + (end.x() - start.x()) * t), round(start.y() + (end.y() - start.y()) * t)
            )
            self.move(p, button, mods)
        self.release(end, button, mods)

    def click(self, pos: QPoint, mods: Qt.KeyboardModifier = NO_MODS) -> None:
        QTest.mouseClick(self.view.viewport(), LEFT, mods, pos)

    def double_click(self, pos: QPoint) -> None:
        QTest.mouseDClick(self.view.viewport(), LEFT, NO_MODS, pos)


def lesson_graph() -> Graph:
    graph = parse(LESSON)
    apply_layout(graph)
    return graph


def make_canvas(qtbot, graph: Graph) -> Canvas:  # type: ignore[no-untyped-def]
    document = GraphDocument(graph)
    scene = GraphScene(document)
    view = GraphView(scene)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    qtbot.waitExposed(view)
    view.zoom_100()
    view.centerOn(scene.nodes_rect().center())
    view.setFocus()
    return Canvas(document, scene, view)


def close_canvas(canvas: Canvas) -> None:
    # Tearing down emits signals into Python slots of objects that are half gone.
    canvas.document.undo_stack.blockSignals(True)
    canvas.scene.blockSignals(True)
    canvas.view.close()


_PROBE = """
from PySide6.QtCore import QCoreApplication
app = QCoreApplication([])
from explorer.document.document import GraphDocument
from explorer.graph.model import Graph
g = Graph()
a = g.add_node("input", "a", 1.0).id
t = g.add_node("tanh").id
g.connect(a, t, 0)
doc = GraphDocument(g)
doc.remove_nodes([a, t])
import gc; gc.collect()
doc.undo_stack.undo()
assert len(doc.graph) == 2
"""


@functools.cache
def document_delete_undo_is_safe() -> bool:
    """Whether undoing GraphDocument.remove_nodes survives (run apart: it may segfault).

    With PySide6 6.11 the child commands of a compound QUndoCommand are deleted with
    their Python wrappers unless something keeps them referenced; GraphDocument's
    compound edits then crash on undo. The canvas cannot work around it (remove_nodes is
    the only way to delete), so tests that undo a deletion wait for the document fix.
    """
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
        check=False,
    )
    return result.returncode == 0
