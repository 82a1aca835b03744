"""Graphs and real-mouse helpers for the plot tests."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from explorer.graph.model import Graph


def square_graph(x0: float = 3.0) -> Graph:
    """h = (2x + 1)²: h(3) = 49, dh/dx = 4(2x + 1) = 28 at x = 3."""
    g = Graph()
    x = g.add_node("input", "x", x0)
    two = g.add_node("const", "two", 2.0)
    one = g.add_node("const", "one", 1.0)
    m = g.add_node("mul", "m")
    a = g.add_node("add", "a")
    e = g.add_node("const", "e", 2.0)
    h = g.add_node("pow", "h")
    g.connect(two.id, m.id, 0)
    g.connect(x.id, m.id, 1)
    g.connect(m.id, a.id, 0)
    g.connect(one.id, a.id, 1)
    g.connect(a.id, h.id, 0)
    g.connect(e.id, h.id, 1)
    return g


def log_graph(x0: float = 1.0) -> Graph:
    g = Graph()
    x = g.add_node("input", "x", x0)
    y = g.add_node("log", "y")
    g.connect(x.id, y.id, 0)
    return g


def two_input_graph(a0: float = 0.5, b0: float = -1.0) -> Graph:
    """y = tanh(a·b + b), with m = a·b and s = m + b named."""
    g = Graph()
    a = g.add_node("input", "a", a0)
    b = g.add_node("input", "b", b0)
    m = g.add_node("mul", "m")
    s = g.add_node("add", "s")
    y = g.add_node("tanh", "y")
    g.connect(a.id, m.id, 0)
    g.connect(b.id, m.id, 1)
    g.connect(m.id, s.id, 0)
    g.connect(b.id, s.id, 1)
    g.connect(s.id, y.id, 0)
    return g


def mouse(
    widget: QWidget, kind: QEvent.Type, pos: QPoint, button: Qt.MouseButton, buttons: Qt.MouseButton
) -> None:
    local = QPointF(pos)
    event = QMouseEvent(
        kind, local, QPointF(widget.mapToGlobal(local)), button, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, event)


def drag(widget: QWidget, points: Iterable[QPoint], on_move=None) -> None:
    """Press the left button at the first point, move through the rest with it held, release.

    ``qtbot.mouseMove`` cannot hold a button, so the events are built by hand.
    """
    points = list(points)
    left = Qt.MouseButton.LeftButton
    mouse(widget, QEvent.Type.MouseButtonPress, points[0], left, left)
    for p in points[1:]:
        mouse(widget, QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, left)
        if on_move is not None:
            on_move(p)
    mouse(widget, QEvent.Type.MouseButtonRelease, points[-1], left, Qt.MouseButton.NoButton)
