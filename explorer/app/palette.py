"""The node palette: every op, grouped, draggable onto the canvas or added by double-click.

A drag carries the op name (UTF-8) under ``application/x-chain-explorer-op``, the MIME
type the canvas view accepts. Double-click or Enter emits ``op_activated(op)``; the window
adds the node at the centre of the view. The palette never touches the document itself.

Imports: PySide6, explorer.graph.ops.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QDrag, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.graph.ops import OPS

OP_MIME_TYPE = "application/x-chain-explorer-op"

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Inputs", ("input", "const")),
    ("Arithmetic", ("add", "sub", "mul", "div", "neg", "pow")),
    ("Functions", ("exp", "log", "sqrt", "relu", "tanh", "sigmoid", "sin", "cos", "abs")),
)

_OP_ROLE = Qt.ItemDataRole.UserRole
FUNCTIONS_GROUP = "Your functions"


def grouped_ops() -> list[tuple[str, list[str]]]:
    """The groups above, plus any op added to the table later under 'Other'."""
    listed = {op for _, ops in GROUPS for op in ops}
    groups = [(title, [op for op in ops if op in OPS]) for title, ops in GROUPS]
    extra = [op for op in OPS if op not in listed]
    if extra:
        groups.append(("Other", extra))
    return groups


def op_mime_data(op: str) -> QMimeData:
    data = QMimeData()
    data.setData(OP_MIME_TYPE, op.encode("utf-8"))
    data.setText(op)
    return data


class NodePalette(QTreeWidget):
    """A two-level list: group headers, then one row per op (symbol, title, expression)."""

    op_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("palette")
        self.setHeaderHidden(True)
        self.setColumnCount(2)
        self.setRootIsDecorated(False)
        self.setIndentation(8)
        self.setUniformRowHeights(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for title, ops in grouped_ops():
            header = QTreeWidgetItem(self, [title])
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            header.setFirstColumnSpanned(True)
            font = header.font(0)
            font.setBold(True)
            header.setFont(0, font)
            for op_name in ops:
                op = OPS[op_name]
                item = QTreeWidgetItem(header, [op.symbol, op.title])
                item.setData(0, _OP_ROLE, op_name)
                item.setTextAlignment(0, Qt.AlignmentFlag.AlignCenter)
                tip = op.expression if not op.formulas else op.expression + "\n" + "\n".join(op.formulas)
                item.setToolTip(0, tip)
                item.setToolTip(1, tip)
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                )
        self.expandAll()
        self._fit_columns()
        self.itemDoubleClicked.connect(self._activated)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # large-text mode: keep symbols whole
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Symbols whole and every title unelided ("Absolute value"): the dock may not get
        narrower than that, so no horizontal scroll bar is ever needed."""
        self.resizeColumnToContents(0)
        self.setColumnWidth(0, max(self.columnWidth(0) + 12, 44))
        titles = [
            self.topLevelItem(g).child(i)
            for g in range(self.topLevelItemCount())
            for i in range(self.topLevelItem(g).childCount())
        ]
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(item.text(1)) for item in titles), default=0) + 16
        scroll_bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.setMinimumWidth(
            self.indentation() + self.columnWidth(0) + widest + 2 * self.frameWidth() + scroll_bar
        )

    def set_functions(self, functions: list[tuple[str, str]]) -> None:
        """Show the document's functions ((name, signature) pairs) in their own group.

        Their rows carry ``fn:NAME``, which the canvas adds as a call of that function."""
        for g in range(self.topLevelItemCount()):
            if self.topLevelItem(g).text(0) == FUNCTIONS_GROUP:
                self.takeTopLevelItem(g)
                break
        if not functions:
            return
        header = QTreeWidgetItem(self, [FUNCTIONS_GROUP])
        header.setFlags(Qt.ItemFlag.ItemIsEnabled)
        header.setFirstColumnSpanned(True)
        font = header.font(0)
        font.setBold(True)
        header.setFont(0, font)
        for name, signature in functions:
            item = QTreeWidgetItem(header, [name, signature])
            item.setData(0, _OP_ROLE, f"fn:{name}")
            item.setTextAlignment(0, Qt.AlignmentFlag.AlignCenter)
            item.setToolTip(1, f"your function {signature}: drag onto the canvas to use it")
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
            )
        header.setExpanded(True)
        self._fit_columns()

    def op_items(self) -> dict[str, QTreeWidgetItem]:
        """Row for each op name (tests and the window look rows up by op)."""
        found: dict[str, QTreeWidgetItem] = {}
        for g in range(self.topLevelItemCount()):
            group = self.topLevelItem(g)
            for i in range(group.childCount()):
                child = group.child(i)
                found[child.data(0, _OP_ROLE)] = child
        return found

    def group_titles(self) -> list[str]:
        return [self.topLevelItem(i).text(0) for i in range(self.topLevelItemCount())]

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        op = item.data(0, _OP_ROLE)
        if isinstance(op, str):
            self.op_activated.emit(op)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self._activated(self.currentItem())
            return
        super().keyPressEvent(event)

    def mimeTypes(self) -> list[str]:
        return [OP_MIME_TYPE]

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:  # type: ignore[override]
        ops = [it.data(0, _OP_ROLE) for it in items if isinstance(it.data(0, _OP_ROLE), str)]
        return op_mime_data(ops[0] if ops else "")

    def startDrag(self, supported: Qt.DropAction) -> None:
        item = self.currentItem()
        op = item.data(0, _OP_ROLE) if item is not None else None
        if not isinstance(op, str):
            return
        drag = QDrag(self)
        drag.setMimeData(op_mime_data(op))
        drag.exec(Qt.DropAction.CopyAction)


def palette_panel(palette: NodePalette) -> QWidget:
    """The palette with a one-line hint under it, as the dock shows it."""
    panel = QWidget()
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(palette, 1)
    hint = QLabel("Drag onto the canvas, or double-click to add.")
    hint.setObjectName("paletteHint")
    hint.setWordWrap(True)
    hint.setContentsMargins(8, 6, 8, 8)
    layout.addWidget(hint)
    return panel
