"""The sensitivity panel's second input: a heat map of y over (x, x₂) with the gradient arrow.

A mixin of :class:`~explorer.plot.panel.SensitivityPanel`, split from it so the panel keeps
to choosing x and y and drawing the curves. The map depends on neither x's nor x₂'s own
value (those are its axes), so dragging the point moves only the marker and the arrow;
an edit of any other leaf recomputes it after a short pause (at once when switched on).

Imports: PySide6, numpy, explorer.graph, explorer.plot, explorer.theme.
"""

from __future__ import annotations

import contextlib
import math
from typing import TYPE_CHECKING

import numpy as np

from explorer.graph.model import GraphError
from explorer.plot import sweeps
from explorer.theme import format_number

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer, SignalInstance

    from explorer.document.document import GraphDocument
    from explorer.graph.engine import Evaluation
    from explorer.plot.view import SensitivityView

HEAT_COLUMNS = 120
HEAT_ROWS = 64
HEAT_DELAY_MS = 150


class HeatMap:
    """Second input, its range and the heat map for the panel; expects the panel's attributes."""

    _doc: GraphDocument
    _x_id: str | None
    _x2_id: str | None
    _range: tuple[float, float]
    view: SensitivityView
    message: SignalInstance
    _x2_range: tuple[float, float]
    _shape_key: object
    _heat_key: object
    _heat: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    _heat_timer: QTimer
    _labels_dirty: bool

    # ------------------------------------------------------------------ hooks the panel provides
    if TYPE_CHECKING:

        def _fit_for(self, input_id: str, x0: float) -> tuple[float, float] | None: ...
        def _refresh(self) -> None: ...
        def _y_effective(self) -> str | None: ...

    # ------------------------------------------------------------------ second input and the map
    def set_second_input(self, node_id: str | None) -> None:
        """Add a heat map of y over (x, this input); ``None`` removes it."""
        graph = self._doc.graph
        if node_id is not None and (node_id not in graph or graph.node(node_id).op != "input"):
            raise GraphError(f"{node_id!r} is not an input node")
        if node_id == self._x_id:
            node_id = None
        if node_id == self._x2_id:
            return
        window = None if node_id is None else self._fit_for(node_id, graph.node(node_id).value)
        if node_id is not None and window is None:
            node = graph.node(node_id)
            name = graph.display_name(node_id)
            self.message.emit(f"{name} = {format_number(node.value)} is too far out to plot.")
            return
        self._x2_id = node_id
        self._heat_key = None
        if window is not None:
            self._x2_range = window
        self.view.show_heat(node_id is not None)
        self._labels_dirty = True
        self._refresh()

    def set_second_range(self, lo: float, hi: float) -> None:
        """The heat map's x₂ axis over [lo, hi] (e.g. to hold a whole descent path)."""
        lo, hi = float(lo), float(hi)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"the range must be two finite numbers, low < high (got {lo:g}, {hi:g})")
        self._x2_range = (lo, hi)
        self._heat_key = None
        self._refresh()

    def heat_data(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(xs, x2s, values[j, i] = y at (xs[i], x2s[j])) of the heat map, if shown."""
        if self._heat is None or self._x2_id is None:
            return None
        xs, x2s, values = self._heat
        return xs.copy(), x2s.copy(), values.copy()

    def update_heat_map(self) -> None:
        """Recompute the heat map now (after value edits it waits for a pause first)."""
        self._compute_heat()

    def _heat_key_for(self, ev: Evaluation) -> object:
        program = ev.program
        # The heat map depends on neither x's nor x₂'s own value: those are its axes.
        axes = {program.index.get(self._x_id or ""), program.index.get(self._x2_id or "")}
        others = tuple(ev.value_list[i] for i in program.leaves if i not in axes)
        return (self._shape_key, self._x2_id, self._x2_range, others)

    def _update_heat(self, ev: Evaluation) -> None:
        key = self._heat_key_for(ev)
        if key == self._heat_key:
            self._heat_timer.stop()
        elif self._heat_key is None:
            self._compute_heat()  # just switched on: show it at once
        else:
            # A few dozen sweeps: while a third input is scrubbed (or edits come in
            # quick succession) the map waits for a pause; marker and arrow stay live.
            self._heat_timer.start()

    def _compute_heat(self) -> None:
        self._heat_timer.stop()
        if self._x2_id is None:
            return
        self._heat_key = self._heat_key_for(self._doc.evaluation)
        y = self._y_effective()
        xs = np.linspace(*self._range, HEAT_COLUMNS)
        x2s = np.linspace(*self._x2_range, HEAT_ROWS)
        values = np.full((HEAT_ROWS, HEAT_COLUMNS), np.nan)
        if self._x_id is not None and y is not None:
            with contextlib.suppress(GraphError):  # the curves' note already says what is wrong
                values = sweeps.grid(self._doc.graph, self._x_id, self._x2_id, y, xs, x2s)
        self._heat = (xs, x2s, values)
        self.view.set_heat(xs, x2s, values)
