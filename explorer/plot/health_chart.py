"""Gradient magnitude by depth: the vanishing (or exploding) gradient as a line.

x is how many steps a node is before the output (longest path), y the median
|d(loss)/d(node)| of the nodes at that depth on a log axis, with the largest as a faint
second line. A long sigmoid chain falls by at least a factor of four per step. Draws
what it is given (:class:`~explorer.graph.health.DepthGradient` rows); the Train dock
feeds it.

Imports: NumPy, pyqtgraph, PySide6, explorer.graph.health, explorer.theme.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from explorer.graph.health import DepthGradient
from explorer.theme import LIGHT, Theme

TINY = 1e-300  # a zero gradient is drawn at the bottom of the log axis, not dropped


class DepthChart(pg.PlotWidget):
    """Median and largest |gradient| per depth, log scale."""

    def __init__(self, parent: QWidget | None = None, theme: Theme = LIGHT) -> None:
        super().__init__(parent)
        self.setObjectName("depthChart")
        self.setMinimumHeight(110)
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setLabel("bottom", "steps before the output")
        item.setLabel("left", "|gradient|")
        item.setLogMode(x=False, y=True)
        item.getViewBox().setMouseEnabled(x=False, y=False)
        self.largest = pg.PlotDataItem()
        self.median = pg.PlotDataItem(symbol="o", symbolSize=6)
        item.addItem(self.largest)
        item.addItem(self.median)
        self.set_theme(theme)

    def set_theme(self, theme: Theme) -> None:
        self.setBackground(QColor(theme.background))
        grad = QColor(theme.grad)
        faint = QColor(theme.grad)
        faint.setAlpha(90)
        self.median.setPen(pg.mkPen(grad, width=2))
        self.median.setSymbolBrush(pg.mkBrush(grad))
        self.median.setSymbolPen(pg.mkPen(grad))
        self.largest.setPen(pg.mkPen(faint, width=1))
        for side in ("left", "bottom"):
            axis = self.getPlotItem().getAxis(side)
            axis.setPen(pg.mkPen(QColor(theme.muted_text)))
            axis.setTextPen(pg.mkPen(QColor(theme.text)))

    def set_profile(self, rows: Sequence[DepthGradient]) -> None:
        xs = np.array([r.depth for r in rows], dtype=float)
        med = np.array([max(r.median, TINY) for r in rows], dtype=float)
        top = np.array([max(r.largest, TINY) for r in rows], dtype=float)
        self.median.setData(xs, med)
        self.largest.setData(xs, top)
