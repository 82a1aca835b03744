"""Monkey test (issue 12): seeded random real mouse and key events on the main window.

Clicks, double-clicks, drags and wheel turns land on the canvas and the sensitivity plot;
keys go to whatever has focus (an inline editor, the quick-add box, a list), the way a
user's hands would. Keys that open modal dialogs (Ctrl+O, Ctrl+S, Ctrl+E, Ctrl+Q, F-keys)
and right-clicks are left out: a modal loop would wait for a human. Any exception raised
inside a Qt slot or virtual fails the test at the event that caused it.
"""

from __future__ import annotations

import os
import random

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from explorer.graph.parser import parse
from explorer.io.format import dumps, loads

from .slot_errors import failing_on_slot_errors

EVENTS = int(os.environ.get("MONKEY_EVENTS", "4000"))
SEED = int(os.environ.get("MONKEY_SEED", "1205"))
K = Qt.Key
CTRL, SHIFT, NONE = (
    Qt.KeyboardModifier.ControlModifier,
    Qt.KeyboardModifier.ShiftModifier,
    Qt.KeyboardModifier.NoModifier,
)
KEYS: list[tuple[Qt.Key, Qt.KeyboardModifier]] = [
    *((k, NONE) for k in (K.Key_Space, K.Key_Left, K.Key_Right, K.Key_Up, K.Key_Down, K.Key_Home, K.Key_End)),
    *((k, NONE) for k in (K.Key_Delete, K.Key_Backspace, K.Key_Escape, K.Key_Return, K.Key_Tab)),
    *((k, NONE) for k in (K.Key_1, K.Key_2, K.Key_0, K.Key_Minus, K.Key_Period, K.Key_E, K.Key_X, K.Key_T)),
    *((k, CTRL) for k in (K.Key_Z, K.Key_A, K.Key_C, K.Key_V, K.Key_X, K.Key_0, K.Key_Plus, K.Key_Minus)),
    (K.Key_Z, CTRL | SHIFT), (K.Key_A, SHIFT), (K.Key_End, SHIFT),
]  # fmt: skip
LEFT = Qt.MouseButton.LeftButton


def _move(widget: QWidget, pos: QPoint, held: Qt.MouseButton) -> None:
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(pos),
        QPointF(widget.mapToGlobal(pos)),
        Qt.MouseButton.NoButton,
        held,
        NONE,
    )
    QApplication.sendEvent(widget, event)


def _wheel(widget: QWidget, pos: QPoint, steps: int) -> None:
    event = QWheelEvent(
        QPointF(pos), QPointF(widget.mapToGlobal(pos)), QPoint(), QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton, NONE, Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(widget, event)


def test_random_real_events_never_raise_in_a_slot(window, dialogs) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(SEED)
    window.document.reset(parse("a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2"))
    window.fit_view()
    plot = window.sensitivity
    narrative = window.narrative
    narrative.predict_check.setChecked(True)
    targets = [(window.view.viewport(), 6), (plot.view.viewport(), 2), (narrative.steps_list.viewport(), 1)]
    widgets, weights = zip(*targets, strict=True)

    def point(widget: QWidget) -> QPoint:
        return QPoint(rng.randrange(max(widget.width(), 1)), rng.randrange(max(widget.height(), 1)))

    def click() -> None:
        w = rng.choices(widgets, weights)[0]
        QTest.mouseClick(w, LEFT, rng.choice([NONE, SHIFT, CTRL]), point(w))

    def double_click() -> None:
        w = rng.choices(widgets, weights)[0]
        QTest.mouseDClick(w, LEFT, NONE, point(w))

    def drag() -> None:
        w = rng.choices(widgets, weights)[0]
        start, end = point(w), point(w)
        QTest.mousePress(w, LEFT, NONE, start)
        for k in range(1, 5):
            t = k / 4
            _move(
                w,
                QPoint(
                    round(start.x() + (end.x() - start.x()) * t), round(start.y() + (end.y() - start.y()) * t)
                ),
                LEFT,
            )
        QTest.mouseRelease(w, LEFT, NONE, end)

    def wheel() -> None:
        w = rng.choices(widgets, weights)[0]
        _wheel(w, point(w), rng.choice([-2, -1, 1, 2]))

    def key() -> None:
        target = QApplication.focusWidget() or window.view
        if not target.isVisible():
            target = window.view
        QTest.keyClick(target, *rng.choice(KEYS))

    actions = [(click, 5), (double_click, 2), (drag, 4), (wheel, 1), (key, 8)]
    choices, action_weights = zip(*actions, strict=True)
    changes = [0]
    window.document.undo_stack.indexChanged.connect(lambda _i: changes.__setitem__(0, changes[0] + 1))
    with failing_on_slot_errors() as errors:
        for i in range(EVENTS):
            action = rng.choices(choices, action_weights)[0]
            action()
            if errors:
                pytest.fail(f"event {i} ({action.__name__}) raised in a slot:\n{errors[0]}")
            if len(window.document.graph) > 50:
                window.document.reset(parse("h(x) = (2x + 1)^2"))
    assert changes[0] > EVENTS // 20  # the monkey really edited the graph (hundreds of steps)
    graph = window.document.graph
    assert dumps(loads(dumps(graph))) == dumps(graph)
    assert dialogs.errors == [] and dialogs.questions == []
