"""Small dialogs of the main window: About, Keyboard shortcuts, graph title/description.

The shortcut list is read from the window's actions, so it can never disagree with the
menus; canvas gestures that are not actions are listed beside them.

Imports: PySide6.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from explorer.app.shortcuts import is_listed

APP_NAME = "Chain Rule Explorer"

CANVAS_GESTURES: tuple[tuple[str, str], ...] = (
    ("Add a node", "Tab, Shift+A or double-click on the canvas, or drag from the palette"),
    ("Connect", "Drag from a node's output port to an operand port"),
    ("Change a value", "Drag on an input's value, or type it in the inspector"),
    ("Pan", "Middle-drag, or Space+drag"),
    ("Zoom", "Mouse wheel"),
    ("Play / pause", "Tap Space on the canvas"),
)


def shortcut_rows(actions: Mapping[str, QAction]) -> list[tuple[str, str]]:
    """(what, keys) for every action that has a shortcut, in menu order."""
    rows: list[tuple[str, str]] = []
    for action in actions.values():
        keys = [
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts() if is_listed(s)
        ]
        if keys:
            rows.append((action.text().replace("&", "").rstrip("…. "), ", ".join(keys)))
    return rows


def show_shortcuts(parent: QWidget, actions: Mapping[str, QAction]) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle("Keyboard shortcuts")
    dialog.setObjectName("shortcutsDialog")
    rows = "".join(
        f"<tr><td>{html.escape(what)}</td><td style='padding-left:18px'><b>{html.escape(keys)}</b></td></tr>"
        for what, keys in shortcut_rows(actions)
    )
    gestures = "".join(
        f"<tr><td>{html.escape(what)}</td><td style='padding-left:18px'>{html.escape(how)}</td></tr>"
        for what, how in CANVAS_GESTURES
    )
    label = QLabel(f"<table>{rows}</table><p><b>On the canvas</b></p><table>{gestures}</table>")
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(label)
    layout.addWidget(buttons)
    dialog.open()
    return dialog


def show_about(parent: QWidget, version: str) -> None:
    QMessageBox.about(
        parent,
        f"About {APP_NAME}",
        f"<h3>{APP_NAME} {html.escape(version)}</h3>"
        "<p>Build a computation graph, watch values flow forward and gradients flow back.</p>"
        "<p><i>Each operation only knows its own local derivative; the chain rule multiplies "
        "local derivatives along each path from a node to the output, and sums over paths.</i></p>",
    )


class GraphInfoDialog(QDialog):
    """Edit the graph's title and description (shown in the Examples menu and exports)."""

    def __init__(self, parent: QWidget | None, title: str, description: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Graph title and description")
        self.title_edit = QLineEdit(title)
        self.description_edit = QPlainTextEdit(description)
        self.description_edit.setTabChangesFocus(True)
        form = QFormLayout()
        form.addRow("Title", self.title_edit)
        form.addRow("Description", self.description_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(460, 260)

    def values(self) -> tuple[str, str]:
        return self.title_edit.text().strip(), self.description_edit.toPlainText().strip()
