"""Where an edge's label chip goes and how it is painted: in the gap, off the cards, readable.

A mixin of :class:`~explorer.canvas.edge_item.EdgeItem`, split from it so the item keeps to
its curve, its state and its stroke. The chip (the local derivative ``×3``, or a caption
the animation sets) sits on the curve in the free stretch between the source's port and
the target's operand name; when the text does not fit there it is shortened (fewer
digits, a product broken over two lines, the result alone) before it would cover a card.
In a view the chip is drawn from a cached picture.

Imports: PySide6, explorer.theme, explorer.canvas.style.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QBrush, QPainter, QPen

from explorer.canvas import style as st
from explorer.theme import format_number

if TYPE_CHECKING:
    from PySide6.QtGui import QPainterPath, QPolygonF
    from PySide6.QtWidgets import QGraphicsScene

    from explorer.canvas.style import CanvasStyle

LABEL_HALF = QPointF(64.0, 19.0)  # room reserved around the chip (two lines high)
_CHIP_HEIGHT = 18.0


class EdgeChip:
    """Chip layout, placement and painting for a link; expects the edge item's state."""

    _style: CanvasStyle
    _ends: tuple[float, float, float, float, float]
    _limit: float | None
    _chip: dict[tuple[float, float], QRectF] | None
    _local: float
    _caption: str | None
    _emphasis: str | None
    _pen: QPen | None
    _measured: str | None
    _label_width: float

    # ------------------------------------------------------------------ hooks the item provides
    if TYPE_CHECKING:

        def label_text(self) -> str: ...
        def _paths(self) -> tuple[QPainterPath, QPolygonF, QPointF]: ...
        def scene(self) -> QGraphicsScene | None: ...

    # ------------------------------------------------------------------ placement
    def chip_rect(self) -> QRectF | None:
        """Where the label chip is drawn (scene coordinates); None when no label shows."""
        text = self.label_text()
        return self._chip_layout(text)[0] if text else None

    def _chip_layout(self, text: str) -> tuple[QRectF, tuple[str, ...]]:
        """The chip's box and its lines: the first of these that fits the gap between the
        cards without covering a card or an operand's name. A product: whole, then broken
        before its "=" ("14 × 3" over "= 42"), then its result alone; a local derivative:
        whole, then with three or two significant digits ("×-0.081", not "×-0.08087")."""
        metrics = self._style.edge_metrics
        gap = self._gap()
        if gap is None:
            return self._chip_box(math.ceil(metrics.horizontalAdvance(text)) + 10.0), (text,)
        candidates: list[tuple[str, ...]] = [(text,)]
        if self._caption is None and self._local == self._local:
            candidates += [("×" + format_number(self._local, d),) for d in (3, 2)]
        elif " = " in text:
            product, result = text.rsplit(" = ", 1)
            candidates += [(product, "= " + result), ("= " + result,)]
            try:
                value = float(result.replace("−", "-"))
            except ValueError:
                value = math.nan
            if math.isfinite(value):
                candidates += [("= " + format_number(value, d),) for d in (3, 2)]
                candidates.append((format_number(value, 2),))  # the tightest gaps
        room = gap[1] - gap[0]
        chosen: tuple[QRectF, tuple[str, ...]] | None = None
        for lines in candidates:
            width = math.ceil(max(metrics.horizontalAdvance(line) for line in lines)) + 10.0
            height = _CHIP_HEIGHT if len(lines) == 1 else 2.0 * metrics.height() + 4.0
            box = self._chip_box(width, height)
            chosen = (box, lines)
            if width - 6.0 <= room and not self._covers_a_card(box):
                break
        assert chosen is not None
        return chosen

    def _chip_box(self, width: float, height: float = 18.0) -> QRectF:
        """The chip on the curve, in the gap between the source's port and the target's
        operand name: just before that name, where the curve is level and the chips of two
        operands of one node are a port spacing apart (``x*x``'s two chips no longer touch);
        where the gap is too short, as far from the target as the source allows."""
        if self._chip is None:
            self._chip = {}
        asked = (width, height)
        cached = self._chip.get(asked)
        if cached is not None:
            return cached
        mid = self._paths()[2]
        cx = mid.x()
        gap = self._gap()
        box = QRectF(cx - width / 2.0, mid.y() - height / 2.0, width, height)
        if gap is not None:  # a link that runs backwards keeps its chip at the middle
            left, right = gap
            if right - left < width:  # a tight gap: less padding around the text first
                width = max(width - 6.0, right - left)
            if right - left >= width:
                # By the port it multiplies into; failing that (a card between the two, in
                # a hand-made layout) at the middle, or by the source.
                places = [right - width / 2.0, min(max(cx, left + width / 2.0), right - width / 2.0)]
                places.append(left + width / 2.0)
            else:  # too tight even so: from the source
                places = [left + width / 2.0]
            boxes = [QRectF(x - width / 2.0, self._curve_y(x) - height / 2.0, width, height) for x in places]
            box = next((b for b in boxes if not self._covers_a_card(b)), boxes[0])
        self._chip[asked] = box
        return box

    def _covers_a_card(self, box: QRectF) -> bool:
        """Whether ``box`` lies on a card or an operand name of any node in the scene."""
        scene = self.scene()
        if scene is None:
            return False
        for item in scene.items(box):
            occupied = getattr(item, "occupied_rects", None)
            if occupied is not None and any(box.intersects(rect) for rect in occupied()):
                return True
        return False

    def _gap(self) -> tuple[float, float] | None:
        """The free stretch of x between the source's port and the target's operand name
        (clear of the arrowhead); None for a link that runs backwards."""
        x0, _y0, x1, _y1, _dx = self._ends
        if x1 <= x0:
            return None
        return x0 + 4.0, (x1 if self._limit is None else min(x1, self._limit)) - 3.0

    def _curve_y(self, x: float) -> float:
        """The curve's y where it passes ``x`` (bisection on the Bézier parameter)."""
        x0, y0, x1, y1, dx = self._ends
        lo, hi = 0.0, 1.0
        for _ in range(24):
            t = (lo + hi) / 2.0
            u = 1.0 - t
            bx = u * u * u * x0 + 3.0 * u * u * t * (x0 + dx) + 3.0 * u * t * t * (x1 - dx) + t * t * t * x1
            if bx < x:
                lo = t
            else:
                hi = t
        t = (lo + hi) / 2.0
        u = 1.0 - t
        return u * u * u * y0 + 3.0 * u * u * t * y0 + 3.0 * u * t * t * y1 + t * t * t * y1

    # ------------------------------------------------------------------ painting
    def _paint_label(self, painter: QPainter, text: str, lod: float, pen: QPen | None, dpr: float) -> None:
        """A rounded chip with the text; in a view (``dpr`` > 0) the chip is a picture."""
        s = self._style
        if lod < st.LOD_DETAIL:
            painter.setOpacity(painter.opacity() * st.fade(lod, st.LOD_LABELS, st.LOD_DETAIL))
        box, lines = self._chip_layout(text)
        width, height = box.width(), box.height()
        mid = box.center()
        plain = pen is None or (pen is self._pen and self._emphasis is None)
        border = s.label_pen if plain or pen is None else QPen(pen.color(), 1.0)
        if dpr:
            pictures = s.pictures(lod, dpr)
            area = st.snap(QRectF(-1.0, -1.0, width + 2.0, height + 2.0), lod * dpr)
            key = ("chip", width, height, border.color().rgba())
            chip = pictures.get(key)
            if chip is None:
                chip = st.make_picture(
                    area,
                    lod * dpr,
                    painter.renderHints(),
                    lambda p: _paint_chip(p, QRectF(0.0, 0.0, width, height), s.label_back, border),
                )
                pictures[key] = chip
            ox, oy = st.draw_picture(painter, chip, area.translated(box.left(), box.top()), dpr)
        else:
            _paint_chip(painter, box, s.label_back, border)
            ox = oy = 0.0
        painter.setFont(s.edge_font)
        painter.setPen(s.grad if self._caption is not None else s.edge_label)
        if text != self._measured:
            self._measured = text
            self._label_width = s.edge_metrics.horizontalAdvance(text)
        step = s.edge_metrics.height()
        for k, line in enumerate(lines):
            line_width = self._label_width if line == text else s.edge_metrics.horizontalAdvance(line)
            y = mid.y() + (k - (len(lines) - 1) / 2.0) * step
            painter.drawText(QPointF(mid.x() - line_width / 2.0 + ox, y + s.edge_dy + oy), line)


def _paint_chip(painter: QPainter, box: QRectF, fill: QBrush, border: QPen) -> None:
    painter.setBrush(fill)
    painter.setPen(border)
    painter.drawRoundedRect(box, 9.0, 9.0)
