"""The loss curve of a training run: loss against step, and where the run stands.

A plain pyqtgraph plot that draws what it is given (no document, no trainer): the
Train dock hands it the losses and the current step after every tick. The loss axis is
logarithmic while every loss is positive (a falling loss spans decades; on a linear axis
the end of a run looks flat), linear otherwise. A click picks a step: the dock rewinds
there.

Imports: NumPy, pyqtgraph, PySide6, explorer.theme.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from explorer.theme import LIGHT, Theme


class LossCurve(pg.PlotWidget):
    """Loss per step, a dot on the current step, a line at the step being looked at."""

    step_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None, theme: Theme = LIGHT) -> None:
        super().__init__(parent)
        self.setObjectName("lossCurve")
        self.setMinimumHeight(140)
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setLabel("bottom", "step")
        item.setLabel("left", "loss")
        item.getViewBox().setMouseEnabled(x=False, y=False)
        self.curve = pg.PlotDataItem()
        self.curve.setDownsampling(auto=True, method="peak")  # long runs stay cheap to draw
        self.curve.setClipToView(True)
        self.dot = pg.ScatterPlotItem(size=9)
        self.marker = pg.InfiniteLine(angle=90, movable=False)
        item.addItem(self.curve)
        item.addItem(self.marker)
        item.addItem(self.dot)
        self._log = False
        self._count = 0
        self.scene().sigMouseClicked.connect(self._clicked)
        self.set_theme(theme)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.setBackground(QColor(theme.background))
        value = QColor(theme.value)
        self.curve.setPen(pg.mkPen(value, width=2))
        self.dot.setBrush(pg.mkBrush(value))
        self.dot.setPen(pg.mkPen(QColor(theme.text), width=1))
        self.marker.setPen(pg.mkPen(QColor(theme.muted_text), width=1, style=Qt.PenStyle.DashLine))
        for side in ("left", "bottom"):
            axis = self.getPlotItem().getAxis(side)
            axis.setPen(pg.mkPen(QColor(theme.muted_text)))
            axis.setTextPen(pg.mkPen(QColor(theme.text)))

    def set_losses(self, losses: Sequence[float], position: int) -> None:
        """Show ``losses[k]`` (loss after k steps) and mark step ``position``."""
        self._count = len(losses)
        ys = np.asarray(losses, dtype=float)
        log = bool(len(ys)) and bool(np.all(ys > 0.0))
        if log != self._log:
            self._log = log
            self.getPlotItem().setLogMode(x=False, y=log)
        xs = np.arange(len(ys), dtype=float)
        self.curve.setData(xs, ys)
        if 0 <= position < len(ys) and math.isfinite(ys[position]):
            y = math.log10(ys[position]) if log else ys[position]
            self.dot.setData([float(position)], [y])
            self.marker.setPos(float(position))
            self.marker.show()
        else:
            self.dot.setData([], [])
            self.marker.hide()
        self.getPlotItem().getViewBox().setXRange(0.0, max(1.0, len(ys) - 1.0), padding=0.02)

    @property
    def is_log(self) -> bool:
        return self._log

    def _clicked(self, event: object) -> None:
        if not self._count:
            return
        pos = event.scenePos()  # type: ignore[attr-defined]
        box = self.getPlotItem().getViewBox()
        if not box.sceneBoundingRect().contains(pos):
            return
        k = round(box.mapSceneToView(pos).x())
        self.step_clicked.emit(max(0, min(self._count - 1, k)))
