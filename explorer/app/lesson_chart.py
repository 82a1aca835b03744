"""Gradient magnitudes along a chain, on a log scale: what a long chain does to a gradient.

One point per node (constants left out), in the engine's topological order, at height
log10 |d(output)/d(node)|. A chain of sigmoids falls like a staircase (each link ≤ 0.25),
a chain of ×1.5 climbs, a live relu chain stays flat at 10⁰ = 1. Drawn with QPainter (no
plotting library to load), in the theme's gradient colour; zero gradients are marked at
the bottom as "0", since log 0 has no bar.

Imports: PySide6, explorer.graph (types), explorer.theme.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

if TYPE_CHECKING:
    from explorer.graph.engine import Evaluation
    from explorer.theme import Theme


def magnitudes(evaluation: Evaluation) -> list[tuple[str, float]]:
    """(label, |gradient|) for every non-constant node, inputs first, the output last."""
    graph = evaluation.graph
    found = []
    for node_id, grad in zip(evaluation.program.ids, evaluation.grad_list, strict=True):
        node = graph.node(node_id)
        if node.op != "const":
            found.append((node.name or node.op, abs(grad)))
    return found


class GradientChart(QWidget):
    """log10 |gradient| per node; ``set_evaluation`` redraws."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientChart")
        self.theme = theme
        self.bars: list[tuple[str, float]] = []
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(300, 170)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def set_evaluation(self, evaluation: Evaluation) -> None:
        self.bars = magnitudes(evaluation)
        self.setToolTip(
            "log₁₀ |d(output)/d(node)| per node, along the chain"
            + (f"\nfirst: {self.bars[0][1]:.3g}, last: {self.bars[-1][1]:.3g}" if self.bars else "")
        )
        self.update()

    def decades(self) -> tuple[int, int]:
        """The power-of-ten range shown (always includes 10⁰ = 1)."""
        logs = [math.log10(g) for _, g in self.bars if g > 0 and math.isfinite(g)]
        low = math.floor(min([*logs, 0.0]))
        high = math.ceil(max([*logs, 0.0]))
        return low, high if high > low else low + 1

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = QColor(self.theme.text)
        muted = QColor(self.theme.muted_text)
        fm = painter.fontMetrics()
        left = fm.horizontalAdvance("10⁻¹⁰⁰") + 8
        area = QRectF(left, fm.height() + 4, self.width() - left - 8, self.height() - 2 * fm.height() - 10)
        painter.setPen(text)
        painter.drawText(
            QRectF(0, 0, self.width(), fm.height()),
            "|gradient|, log scale",
        )
        if not self.bars or area.height() < 20:
            painter.end()
            return
        low, high = self.decades()
        span = high - low

        def y_of(log: float) -> float:
            return area.bottom() - (log - low) / span * area.height()

        step = max(1, math.ceil(span / max(2, area.height() // (fm.height() * 1.6))))
        painter.setPen(QPen(QColor(self.theme.grid), 1))
        for d in range(high, low - 1, -step):  # from 10⁰ (or the top) down
            y = y_of(d)
            painter.setPen(QPen(QColor(self.theme.grid), 1))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(muted)
            painter.drawText(
                QRectF(0, y - fm.height() / 2, left - 4, fm.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                _power(d),
            )
        width = area.width() / len(self.bars)
        colour = QColor(self.theme.grad)
        points: list[QPointF] = []
        for i, (_label, g) in enumerate(self.bars):
            x = area.left() + (i + 0.5) * width
            if g > 0 and math.isfinite(g):
                points.append(QPointF(x, y_of(math.log10(g))))
            else:  # log 0 has no height: say it
                painter.setPen(muted)
                painter.drawText(
                    QRectF(x - width / 2, area.bottom() - fm.height(), width, fm.height()),
                    Qt.AlignmentFlag.AlignCenter,
                    "0",
                )
        painter.setPen(QPen(colour, 2))
        painter.drawPolyline(points)
        painter.setBrush(colour)
        radius = max(1.5, min(4.0, width / 3))
        for point in points:
            painter.drawEllipse(point, radius, radius)
        painter.setPen(muted)
        first, last = self.bars[0][0], self.bars[-1][0]
        painter.drawText(
            QRectF(area.left(), area.bottom() + 2, area.width(), fm.height()),
            Qt.AlignmentFlag.AlignLeft,
            first,
        )
        painter.drawText(
            QRectF(area.left(), area.bottom() + 2, area.width(), fm.height()),
            Qt.AlignmentFlag.AlignRight,
            last,
        )
        painter.end()


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power(d: int) -> str:
    return "10" + str(d).translate(_SUPERSCRIPT)
