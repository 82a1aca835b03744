"""The sensitivity panel's gestures: dragging x (plot, slider, spin box) and typing the range.

A mixin of :class:`~explorer.plot.panel.SensitivityPanel`, split from it so the panel keeps
to choosing x and y and drawing the curves. Every gesture goes to the document through
:class:`~explorer.plot.gestures.ValueDrag` (one undo step per drag); the panel then moves
the marker from the evaluation like any other change of x.

Imports: PySide6, explorer.plot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker

from explorer.plot import limits

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from explorer.document.document import GraphDocument
    from explorer.plot.controls import NumberBox
    from explorer.plot.gestures import ValueDrag
    from explorer.plot.view import SensitivityView

SLIDER_STEPS = 1000


class PanelGestures:
    """Slots for the plot's drags, the slider, the x box and the range boxes."""

    _doc: GraphDocument
    _x_id: str | None
    _x2_id: str | None
    _range: tuple[float, float]
    view: SensitivityView
    message: SignalInstance
    _drag: ValueDrag
    _syncing: bool
    lo_box: NumberBox
    hi_box: NumberBox

    # ------------------------------------------------------------------ hooks the panel provides
    if TYPE_CHECKING:

        def set_range(self, lo: float, hi: float) -> None: ...

    # ------------------------------------------------------------------ gestures -> document
    def _begin_drag(self) -> None:
        if self._x_id is not None:
            self._drag.begin([self._x_id])

    def _drag_to(self, x: float) -> None:
        if self._x_id is not None:
            self._drag.set(self._x_id, x)

    def _end_drag(self) -> None:
        self._drag.end()

    def _begin_point_drag(self) -> None:
        if self._x_id is not None and self._x2_id is not None:
            graph = self._doc.graph
            text = f"Drag {graph.display_name(self._x_id)} and {graph.display_name(self._x2_id)}"
            self._drag.begin([self._x_id, self._x2_id], text)

    def _drag_point_to(self, x: float, x2: float) -> None:
        if self._drag.active and self._x_id is not None and self._x2_id is not None:
            x2_id = self._x2_id  # setting x may re-resolve the choices; keep this one
            self._drag.set(self._x_id, x)
            self._drag.set(x2_id, x2)

    def _x_box_changed(self, value: float) -> None:
        if not self._syncing:
            self._drag_to(value)

    def _slider_changed(self, step: int) -> None:
        if self._syncing:
            return
        lo, hi = self._range
        self._drag_to(self.view.snap_x(lo + (hi - lo) * step / SLIDER_STEPS))

    def _range_boxes_changed(self, _value: float) -> None:
        lo, hi = self.lo_box.value(), self.hi_box.value()
        if limits.usable_range(lo, hi):
            self.set_range(lo, hi)
        else:
            reason = "its left end below its right end" if lo >= hi else "a width the plot can show"
            self.message.emit(f"The range needs {reason}.")
            with QSignalBlocker(self.lo_box), QSignalBlocker(self.hi_box):
                self.lo_box.setValue(self._range[0])
                self.hi_box.setValue(self._range[1])
