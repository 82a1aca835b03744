"""Shortcut keys: no key does two things anywhere in the window, on any platform's
bindings, and the shortcut list shows the keys a person would press.

Offscreen Qt answers ``QKeySequence.keyBindings`` with a short list; on X11 Delete also
gets Ctrl+D and Undo gets F14. The ``x11`` fixture makes Qt answer as X11 does, so the
suite sees what users on Linux desktops get."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget

from explorer.app.dialogs import shortcut_rows

from .app_helpers import make_graph

K = QKeySequence.StandardKey
# What PySide6 6.x answers on the xcb platform (measured on Xvfb).
X11_BINDINGS = {
    K.Delete: ["Del", "Ctrl+D"],
    K.Undo: ["Ctrl+Z", "F14", "Undo"],
    K.Redo: ["Ctrl+Shift+Z", "Redo"],
    K.Cut: ["Ctrl+X", "Shift+Del", "F20", "Cut"],
    K.Copy: ["Ctrl+C", "Ctrl+Ins", "F16", "Copy"],
    K.Paste: ["Ctrl+V", "Ctrl+Shift+Ins", "Shift+Ins", "F18", "Paste"],
    K.New: ["Ctrl+N", "New"],
    K.Open: ["Ctrl+O", "Open"],
    K.Save: ["Ctrl+S", "Save"],
    K.SaveAs: ["Ctrl+Shift+S", "Shift+Save"],
    K.Quit: ["Ctrl+Q", "Exit"],
    K.SelectAll: ["Ctrl+A"],
    K.ZoomIn: ["Ctrl++", "Zoom In"],
    K.ZoomOut: ["Ctrl+-", "Zoom Out"],
}


@pytest.fixture
def x11(monkeypatch: pytest.MonkeyPatch) -> None:
    real = QKeySequence.keyBindings

    def bindings(key: QKeySequence.StandardKey) -> list[QKeySequence]:
        if key in X11_BINDINGS:
            return [QKeySequence(text) for text in X11_BINDINGS[key]]
        return real(key)

    monkeypatch.setattr(QKeySequence, "keyBindings", staticmethod(bindings))


def _every_action(window) -> set[QAction]:
    """Every QAction reachable in the window, found independently of the app's own list:
    children of the window (docks and features included, lazy docks built first) and
    every action added to any widget."""
    for name in window.panels:
        window.panels[name].show()
        window.panel_widget(name)
    actions = set(window.findChildren(QAction))
    for widget in window.findChildren(QWidget):
        actions.update(widget.actions())
    for menu in (window.menuBar(), window.toolbar):
        actions.update(menu.actions())
    return actions


def _clashes(actions: set[QAction]) -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    for action in actions:
        for seq in action.shortcuts():
            if not seq.isEmpty():
                owners.setdefault(seq.toString(QKeySequence.SequenceFormat.PortableText), []).append(
                    action.text().replace("&", "")
                )
    return {key: names for key, names in owners.items() if len(names) > 1}


@pytest.mark.parametrize("platform", ["offscreen", "x11"])
def test_no_key_does_two_things_in_the_whole_window(
    platform: str, request: pytest.FixtureRequest, make_window: Callable[..., object]
) -> None:
    if platform == "x11":
        request.getfixturevalue("x11")
    window = make_window()
    actions = _every_action(window)
    assert len(actions) > len(window.actions)  # the docks' own actions are in the count
    assert _clashes(actions) == {}


def test_ctrl_d_duplicates_on_x11(x11: None, make_window: Callable[..., object], qtbot, qtlog) -> None:
    window = make_window()
    window.insert_built_graph(make_graph(), replace=True)
    window.select_nodes([window.document.graph.find("x").id])
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # else Qt's shortcut map is never asked
    window.view.setFocus()
    before = len(window.document.graph)
    with qtbot.waitSignal(window.actions["duplicate"].triggered, timeout=1000):
        QTest.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert len(window.document.graph) == before + 1
    assert not [r for r in qtlog.records if "Ambiguous" in r.message]
    QTest.keyClick(window.view, Qt.Key.Key_Delete)  # Delete still deletes (the copy)
    assert len(window.document.graph) == before


def test_the_shortcut_list_has_no_sun_keys_or_dedicated_keys(
    x11: None, make_window: Callable[..., object]
) -> None:
    window = make_window()
    rows = dict(shortcut_rows(window.actions))
    assert rows["Undo"] == QKeySequence("Ctrl+Z").toString(QKeySequence.SequenceFormat.NativeText)
    assert "F20" not in rows["Cut"] and not rows["Cut"].endswith("Cut")
    assert not any(f"F{n}" in keys for keys in rows.values() for n in range(13, 36))
    dialog = window.show_shortcuts()
    text = dialog.findChild(QLabel).text()
    assert "F14" not in text and "Ctrl+D" in text
    dialog.close()
