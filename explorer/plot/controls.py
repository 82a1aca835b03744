"""The row of controls above the sensitivity plot: what to plot, the value of x, the range.

Plain widgets with no behaviour of their own beyond showing choices: the panel connects
their signals and decides what each one does to the document.

Imports: PySide6, explorer.graph.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSlider,
    QToolButton,
    QToolTip,
    QWidget,
)

from explorer.graph.model import Graph


class NumberBox(QDoubleSpinBox):
    """A spin box that shows numbers as the rest of the app writes them (``%g``-style)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(12)
        self.setRange(-1e12, 1e12)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            return self.value()
        if not self.minimum() <= value <= self.maximum():
            # Said, not silently clamped: 1e308 typed here becomes 1e12.
            QToolTip.showText(
                self.mapToGlobal(self.rect().bottomLeft()),
                f"{text.strip()} is beyond the plot's range: it stops at ±{self.maximum():g}. "
                "The Inspector takes any number.",
                self,
            )
        return value

    def validate(self, text: str, pos: int) -> object:
        stripped = text.strip()
        try:
            float(stripped)
            return (QValidator.State.Acceptable, text, pos)
        except ValueError:
            partial = stripped in ("", "-", "+", ".", "-.", "+.") or stripped[-1:] in ("e", "E", "-", "+")
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return (state, text, pos)


class PlotControls(QWidget):
    """Choosers for x, y and x₂, the x spin box and slider, the range boxes, Fit and Export."""

    export_requested = Signal(str)  # "png", "svg" or "csv"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.x_combo = QComboBox()
        self.y_combo = QComboBox()
        self.x2_combo = QComboBox()
        for combo in (self.x_combo, self.y_combo, self.x2_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(6)
        self.x_combo.setToolTip("The input on the horizontal axis (or select an input on the canvas)")
        self.y_combo.setToolTip("The node to plot: any node; by default the graph's output")
        self.x2_combo.setToolTip("A second input: adds a heat map of y over both, with the gradient arrow")

        self.x_box = NumberBox()
        self.x_box.setToolTip("The current value of x (each edit is one undo step)")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Drag to move x across the range (one undo step per drag)")
        self.lo_box = NumberBox()
        self.hi_box = NumberBox()
        self.lo_box.setToolTip("Left end of the plotted range")
        self.hi_box.setToolTip("Right end of the plotted range")
        self.fit_button = QToolButton()
        self.fit_button.setText("Fit")
        self.fit_button.setToolTip("Pick a range that shows what the curve does near x")
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction("Plot as PNG…", lambda: self.export_requested.emit("png"))
        menu.addAction("Plot as SVG…", lambda: self.export_requested.emit("svg"))
        menu.addAction("Sweep data as CSV…", lambda: self.export_requested.emit("csv"))
        self.export_button.setMenu(menu)

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(QLabel("x"), 0, 0)
        grid.addWidget(self.x_combo, 0, 1)
        grid.addWidget(QLabel("y"), 0, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.y_combo, 0, 3)
        grid.addWidget(QLabel("x₂"), 0, 4, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.x2_combo, 0, 5)
        grid.addWidget(QLabel("x ="), 1, 0)
        grid.addWidget(self.x_box, 1, 1)
        grid.addWidget(self.slider, 1, 2, 1, 4)
        range_row = QHBoxLayout()
        range_row.setSpacing(6)
        range_row.addWidget(self.lo_box, 1)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.hi_box, 1)
        range_row.addWidget(self.fit_button)
        range_row.addStretch(1)
        range_row.addWidget(self.export_button)
        grid.addWidget(QLabel("range"), 2, 0)
        grid.addLayout(range_row, 2, 1, 1, 5)
        for column in (1, 3, 5):
            grid.setColumnStretch(column, 1)

    def fill(self, graph: Graph, x_id: str | None, y_choice: str | None, x2_id: str | None) -> None:
        """Offer the graph's nodes: inputs for x and x₂, any node for y (first: the output)."""
        inputs = graph.inputs()
        out = graph.default_output()
        with QSignalBlocker(self.x_combo), QSignalBlocker(self.y_combo), QSignalBlocker(self.x2_combo):
            self.x_combo.clear()
            for node in inputs:
                self.x_combo.addItem(graph.display_name(node.id), node.id)
            self.x_combo.setCurrentIndex(max(0, self.x_combo.findData(x_id)))
            self.y_combo.clear()
            self.y_combo.addItem(f"output ({graph.display_name(out) if out is not None else 'none'})", None)
            for node in graph.nodes:
                kind = f"{node.function}()" if node.op == "call" else node.op
                self.y_combo.addItem(f"{graph.display_name(node.id)}  ·  {kind}", node.id)
            self.y_combo.setCurrentIndex(max(0, self.y_combo.findData(y_choice)) if y_choice else 0)
            self.x2_combo.clear()
            self.x2_combo.addItem("none", None)
            for node in inputs:
                if node.id != x_id:
                    self.x2_combo.addItem(graph.display_name(node.id), node.id)
            self.x2_combo.setCurrentIndex(max(0, self.x2_combo.findData(x2_id)) if x2_id else 0)
        for widget in (self.x_box, self.slider, self.lo_box, self.hi_box, self.fit_button):
            widget.setEnabled(x_id is not None)
        self.x2_combo.setEnabled(len(inputs) > 1)
