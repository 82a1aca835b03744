"""Small editing widgets of the canvas: the inline field and the quick-add search popup.

``InlineEditor`` is a line edit embedded in the scene over a node's value row (or its
header, for renaming). Enter commits, Escape cancels, clicking elsewhere commits; a
refused entry keeps the field open with the reason as its tooltip and a red frame.

``QuickAddPopup`` is the Tab / Shift+A search box: type part of an op's name, title or
symbol ("tanh", "mul", "×"), Up/Down to choose, Enter to add at the cursor.

Imports: PySide6, explorer.graph.ops, explorer.canvas.style.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsProxyWidget,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.canvas.style import CanvasStyle
from explorer.graph.ops import OPS


def _field_sheet(style: CanvasStyle, bad: bool = False) -> str:
    t = style.theme
    border = t.error if bad else t.node_selected
    return (
        f"QLineEdit {{ background: {t.node_fill}; color: {t.text}; border: 2px solid {border};"
        f" border-radius: 4px; padding: 0px 4px; selection-background-color: {t.value};"
        f" selection-color: {t.node_fill}; }}"
    )


class _LineEdit(QLineEdit):
    escaped = Signal()
    focus_lost = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.focus_lost.emit()


class InlineEditor(QGraphicsProxyWidget):
    """A line edit over part of a node. ``commit(text)`` returns None or the refusal reason."""

    def __init__(
        self,
        rect: QRectF,
        text: str,
        style: CanvasStyle,
        commit: Callable[[str], str | None],
        closed: Callable[[InlineEditor], None],
    ) -> None:
        super().__init__()
        self._style = style
        self._commit_fn = commit
        self._closed_fn = closed
        self._done = False
        self.line_edit = _LineEdit(text)
        self.line_edit.setFont(style.number_font)
        self.line_edit.setStyleSheet(_field_sheet(style))
        self.line_edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setWidget(self.line_edit)
        self.setGeometry(rect)
        self.setZValue(20.0)
        self.line_edit.returnPressed.connect(self.commit)
        self.line_edit.escaped.connect(self.cancel)
        self.line_edit.focus_lost.connect(self._focus_lost)

    def start(self) -> None:
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.line_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.line_edit.selectAll()

    @property
    def is_open(self) -> bool:
        return not self._done

    def commit(self) -> bool:
        """Apply the text; on refusal stay open and say why. Returns whether it closed."""
        if self._done:
            return True
        problem = self._commit_fn(self.line_edit.text())
        if problem:
            self.line_edit.setStyleSheet(_field_sheet(self._style, bad=True))
            self.line_edit.setToolTip(problem)
            return False
        self._finish()
        return True

    def cancel(self) -> None:
        if not self._done:
            self._finish()

    def _focus_lost(self) -> None:
        if not self._done and not self.commit():
            self.cancel()

    def _finish(self) -> None:
        self._done = True
        self._closed_fn(self)


class QuickAddPopup(QFrame):
    """Search-as-you-type list of ops; emits ``chosen(op_name)``."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget, style: CanvasStyle) -> None:
        super().__init__(parent)
        self.setObjectName("quickAdd")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        self.functions: list[tuple[str, str]] = []  # (name, signature) of the document's functions
        self._caption = QLabel("Add node")
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Search: tanh, mul, log…")
        self.list = QListWidget()
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setUniformItemSizes(True)
        layout.addWidget(self._caption)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        self.setFixedWidth(240)
        self.edit.textChanged.connect(self._filter)
        self.edit.installEventFilter(self)
        self.list.itemClicked.connect(lambda item: self._choose(item))
        self.set_style(style)
        self.hide()

    def set_style(self, style: CanvasStyle) -> None:
        t = style.theme
        self.setStyleSheet(
            f"QFrame#quickAdd {{ background: {t.node_fill}; border: 1px solid {t.node_border};"
            f" border-radius: 6px; }}"
            f" QLabel {{ color: {t.muted_text}; font-size: 11px; border: none; }}"
            f" QLineEdit {{ background: {t.background}; color: {t.text}; border: 1px solid {t.node_border};"
            f" border-radius: 4px; padding: 3px; }}"
            f" QListWidget {{ background: {t.node_fill}; color: {t.text}; border: none; }}"
            f" QListWidget::item:selected {{ background: {t.value}; color: {t.node_fill}; }}"
        )

    def popup_at(self, pos: QPoint) -> None:
        parent = self.parentWidget()
        self.edit.clear()
        self._filter("")
        self.adjustSize()
        if parent is not None:
            x = min(max(0, pos.x()), max(0, parent.width() - self.width()))
            y = min(max(0, pos.y()), max(0, parent.height() - self.height()))
            pos = QPoint(x, y)
        self.move(pos)
        self.show()
        self.raise_()
        self.edit.setFocus(Qt.FocusReason.PopupFocusReason)

    def matches(self) -> list[str]:
        """Op names currently listed, best first."""
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def _filter(self, text: str) -> None:
        query = text.strip().lower()
        scored: list[tuple[int, int, str]] = []
        for order, op in enumerate(OPS.values()):
            name, title, symbol = op.name, op.title.lower(), op.symbol.lower()
            if not query or query in (name, symbol):
                score = 0
            elif name.startswith(query) or title.startswith(query):
                score = 1
            elif query in name or query in title or query in op.expression.lower():
                score = 2
            else:
                continue
            scored.append((score, order, op.name))
        for order, (fname, _signature) in enumerate(self.functions, start=len(OPS)):
            lowered = fname.lower()
            if not query or query == lowered:
                score = 0
            elif lowered.startswith(query) or "function".startswith(query):
                score = 1
            elif query in lowered:
                score = 2
            else:
                continue
            scored.append((score, order, "fn:" + fname))
        self.list.clear()
        signatures = dict(self.functions)
        for _score, _order, name in sorted(scored):
            if name.startswith("fn:"):
                signature = signatures[name[3:]]
                item = QListWidgetItem(f"{name[3:]}    function {signature}")
                item.setToolTip(f"a call of your function {signature}")
            else:
                op = OPS[name]
                item = QListWidgetItem(f"{op.symbol}    {op.title}")
                item.setToolTip(op.expression)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        rows = min(8, max(1, self.list.count()))
        self.list.setFixedHeight(rows * max(18, self.list.sizeHintForRow(0)) + 4)
        self.adjustSize()

    def _choose(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        self.hide()
        self.chosen.emit(name)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                row = self.list.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                if 0 <= row < self.list.count():
                    self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose(self.list.currentItem())
                return True
            if key == Qt.Key.Key_Escape:
                self.hide()
                parent = self.parentWidget()
                if parent is not None:
                    parent.setFocus()
                return True
        if watched is self.edit and event.type() == QEvent.Type.FocusOut and not self.list.underMouse():
            self.hide()
        return super().eventFilter(watched, event)
