"""SensitivityPanel: the dock that plots y(x) and dy/dx(x) and lets the user drag x.

Choosing what to plot
    x is an input (default: the first input; selecting an input on the canvas makes it
    x). y is any node (default: the graph's output, followed as it changes). Selecting a
    computed node on the canvas makes it y; clearing the selection then returns y to the
    output, unless y was chosen in the panel's own list, which sticks. Selecting a
    constant changes nothing: it is not a function of x. An optional second input x₂
    adds a heat map of y over (x, x₂) with the gradient arrow.

Keeping in sync
    The document is the one source of truth. Every change of x — the vertical line on a
    plot, a press-and-drag anywhere on a plot, the slider, the spin box — goes through
    ``document.set_value``, a drag wrapped in ``begin_value_drag``/``end_value_drag`` so
    it is one undo step. The panel listens to ``document.evaluated`` and moves the
    marker, tangent, readouts, slider and spin box from the evaluation (scrubbing the
    node on the canvas lands here too). The curves are re-swept only when what they
    depend on changes: the graph's structure, the choice of x or y, the range, or the
    value of any *other* leaf. While x alone moves, nothing is re-swept.

    The y range is refitted when the curves change for a structural reason, and shortly
    after (debounced) when another input is being scrubbed, so it stands still under the
    user's hand. If x leaves the range (typed, or scrubbed on the canvas) the range
    recentres on it.

The second input's heat map is in :mod:`explorer.plot.heat_map`, the gestures in
:mod:`explorer.plot.panel_gestures` and the exports in :mod:`explorer.plot.panel_export`
(mixins of the panel).

Imports: PySide6, numpy, explorer.document, explorer.graph, explorer.io, explorer.theme,
explorer.plot.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QSignalBlocker, QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from explorer.document.document import GraphDocument
from explorer.graph.completeness import incomplete_message
from explorer.graph.engine import Evaluation
from explorer.graph.model import GraphError
from explorer.plot import limits, sweeps
from explorer.plot.controls import PlotControls
from explorer.plot.gestures import ValueDrag
from explorer.plot.heat_map import HEAT_COLUMNS, HEAT_DELAY_MS, HEAT_ROWS, HeatMap
from explorer.plot.panel_export import PanelExport
from explorer.plot.panel_gestures import SLIDER_STEPS, PanelGestures
from explorer.plot.view import SensitivityView
from explorer.theme import LIGHT, Theme, format_number

__all__ = ["HEAT_COLUMNS", "HEAT_DELAY_MS", "HEAT_ROWS", "SLIDER_STEPS", "SWEEP_POINTS", "SensitivityPanel"]

SWEEP_POINTS = 500
REFIT_DELAY_MS = 300


class SensitivityPanel(HeatMap, PanelGestures, PanelExport, QWidget):
    """y(x) and dy/dx(x) around the current x of a :class:`GraphDocument`, with a draggable x."""

    input_changed = Signal(object)  # x's node id, or None
    output_changed = Signal(object)  # y chosen explicitly, or None for the graph's output
    range_changed = Signal(float, float)
    message = Signal(str)  # a one-line status message

    def __init__(self, document: GraphDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sensitivity_panel")
        self._doc = document
        self._theme = LIGHT
        self._x_id: str | None = None
        self._y_choice: str | None = None  # None: follow the graph's output
        self._y_from_selection = False
        self._x2_id: str | None = None
        self._range = (-1.0, 1.0)
        self._x2_range = (-1.0, 1.0)
        self._shape_key: object = None
        self._values_key: object = None
        self._heat_key: object = None
        self._labels: dict[str, tuple[str, str]] = {}
        self._labels_dirty = True
        self._drag = ValueDrag(document, self.message.emit)
        self._syncing = False
        self._xs = np.zeros(0)
        self._ys = np.zeros(0)
        self._dys = np.zeros(0)
        self._heat: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

        self._build()
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(REFIT_DELAY_MS)
        self._refit_timer.timeout.connect(self.view.fit_y)
        self._heat_timer = QTimer(self)
        self._heat_timer.setSingleShot(True)
        self._heat_timer.setInterval(HEAT_DELAY_MS)
        self._heat_timer.timeout.connect(self.update_heat_map)

        document.evaluated.connect(self._on_evaluated)
        document.graph_reset.connect(self._on_reset)
        document.node_added.connect(self._mark_labels)
        document.node_removed.connect(self._mark_labels)
        document.output_changed.connect(self._mark_labels)
        document.node_changed.connect(self._node_changed)
        self._on_reset()

    # ------------------------------------------------------------------ widgets
    def _build(self) -> None:
        c = self.controls = PlotControls(self)
        # Short names for the controls other code (and the tests) reach for.
        self.x_combo, self.y_combo, self.x2_combo = c.x_combo, c.y_combo, c.x2_combo
        self.x_box, self.slider, self.lo_box, self.hi_box = c.x_box, c.slider, c.lo_box, c.hi_box
        c.x_combo.activated.connect(lambda _i: self.set_input(c.x_combo.currentData()))
        c.y_combo.activated.connect(lambda _i: self.set_output(c.y_combo.currentData()))
        c.x2_combo.activated.connect(lambda _i: self.set_second_input(c.x2_combo.currentData()))
        c.x_box.valueChanged.connect(self._x_box_changed)
        c.slider.setRange(0, SLIDER_STEPS)
        c.slider.sliderPressed.connect(self._begin_drag)
        c.slider.valueChanged.connect(self._slider_changed)
        c.slider.sliderReleased.connect(self._end_drag)
        c.lo_box.valueChanged.connect(self._range_boxes_changed)
        c.hi_box.valueChanged.connect(self._range_boxes_changed)
        c.fit_button.clicked.connect(self.fit_interesting_range)
        c.export_requested.connect(self._export_dialog)

        self.view = SensitivityView(self)
        # A curve still has room, and the window fits 1024×700 with the Train tab beside it.
        self.view.setMinimumSize(240, 180)
        self.view.x_drag_started.connect(self._begin_drag)
        self.view.x_dragged.connect(self._drag_to)
        self.view.x_drag_finished.connect(self._end_drag)
        self.view.point_drag_started.connect(self._begin_point_drag)
        self.view.point_dragged.connect(self._drag_point_to)
        self.view.point_drag_finished.connect(self._end_drag)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(c)
        layout.addWidget(self.view, 1)

    # ------------------------------------------------------------------ public API
    @property
    def document(self) -> GraphDocument:
        return self._doc

    @property
    def input_id(self) -> str | None:
        """The node on the horizontal axis."""
        return self._x_id

    @property
    def output_id(self) -> str | None:
        """The node plotted as y (the graph's output unless another was chosen)."""
        return self._y_effective()

    @property
    def second_input_id(self) -> str | None:
        return self._x2_id

    @property
    def x_range(self) -> tuple[float, float]:
        return self._range

    def set_input(self, node_id: str | None) -> None:
        """Plot against this input; the range is refitted around its value."""
        graph = self._doc.graph
        if node_id is not None and (node_id not in graph or graph.node(node_id).op != "input"):
            raise GraphError(f"{node_id!r} is not an input node")
        if node_id == self._x_id:
            return
        self._x_id = node_id
        if self._x2_id == node_id:
            self._x2_id = None
        self._labels_dirty = True
        self.input_changed.emit(node_id)
        if node_id is not None:
            self.fit_interesting_range()
        else:
            self._refresh()

    def set_output(self, node_id: str | None) -> None:
        """Plot this node as y; ``None`` follows the graph's output."""
        if node_id is not None and node_id not in self._doc.graph:
            raise GraphError(f"no node with id {node_id!r}")
        self._y_from_selection = False
        self._set_y(node_id)

    def set_range(self, lo: float, hi: float) -> None:
        """Sweep x over [lo, hi]."""
        lo, hi = float(lo), float(hi)
        if not limits.usable_range(lo, hi):
            raise ValueError(
                f"the range must be two finite numbers within ±{limits.PLOT_LIMIT:g}, low < high "
                f"(got {lo:g}, {hi:g})"
            )
        self._range = (lo, hi)
        self.view.set_x_range(lo, hi)
        with QSignalBlocker(self.lo_box), QSignalBlocker(self.hi_box):
            self.lo_box.setValue(lo)
            self.hi_box.setValue(hi)
            step = 10.0 ** math.floor(math.log10((hi - lo) / 50.0))
            for box in (self.x_box, self.lo_box, self.hi_box):
                box.setSingleStep(step)
        self.range_changed.emit(lo, hi)
        self._refresh()

    def fit_interesting_range(self) -> None:
        """Choose a range around x that shows the nearest extrema, kinks, roots and gaps."""
        if self._x_id is None or self._y_effective() is None:
            return
        x0 = self._doc.graph.node(self._x_id).value
        window = self._fit_for(self._x_id, x0)
        if window is None:
            self._refresh()  # x is too far out: the refresh says so instead of sweeping
        else:
            self.set_range(*window)

    def curve_data(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(xs, ys, dys) exactly as plotted; NaN where y is undefined."""
        return self._xs.copy(), self._ys.copy(), self._dys.copy()

    def refit_y(self) -> None:
        """Frame the y axes on the curves now (the panel does this on its own after edits)."""
        self._refit_timer.stop()
        self.view.fit_y()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.view.set_theme(theme)

    def set_slope_hidden(self, hidden: bool) -> None:
        """Predict mode asks for this gradient: keep dy/dx off the plot until it is revealed."""
        self.view.set_slope_hidden(hidden)

    def set_selected_node(self, node_id: str | None) -> None:
        """Follow the canvas selection: an input becomes x, a computed node becomes y."""
        graph = self._doc.graph
        if node_id is None or node_id not in graph:
            if self._y_from_selection:
                self._y_from_selection = False
                self._set_y(None)
            return
        node = graph.node(node_id)
        if node.op == "input":
            old_x, swap = self._x_id, node_id == self._x2_id
            self.set_input(node_id)
            if swap and old_x is not None:
                self.set_second_input(old_x)  # swap the heat map's axes rather than lose one
        elif node.op != "const":
            explicit = None if node_id == graph.default_output() else node_id
            self._y_from_selection = explicit is not None
            self._set_y(explicit)

    # ------------------------------------------------------------------ choosing x and y
    def _set_y(self, node_id: str | None) -> None:
        if node_id == self._y_choice:
            return
        self._y_choice = node_id
        self._labels_dirty = True
        self.output_changed.emit(node_id)
        self._refresh()

    def _y_effective(self) -> str | None:
        if self._y_choice is not None:
            return self._y_choice
        return self._doc.graph.default_output()

    def _resolve(self) -> None:
        """Drop choices whose nodes are gone (deleted, or a new graph)."""
        graph = self._doc.graph
        inputs = [n.id for n in graph.inputs()]
        if self._x_id not in inputs:
            self._x_id = inputs[0] if inputs else None
            self._labels_dirty = True
            window = None if self._x_id is None else self._fit_for(self._x_id, graph.node(self._x_id).value)
            if window is not None:
                self._range = window
                self.set_range(*window)
        if self._y_choice is not None and self._y_choice not in graph:
            self._y_choice = None
            self._y_from_selection = False
            self._labels_dirty = True
        if self._x2_id is not None and (self._x2_id not in inputs or self._x2_id == self._x_id):
            self._x2_id = None
            self.view.show_heat(False)
            self._labels_dirty = True

    def _names(self) -> tuple[str, str]:
        graph = self._doc.graph
        y = self._y_effective()
        x_name = graph.display_name(self._x_id) if self._x_id in graph else "x"
        y_name = graph.display_name(y) if y is not None and y in graph else "y"
        return x_name, y_name

    def _fit_for(self, input_id: str, x0: float) -> tuple[float, float] | None:
        """A range worth showing around x0; None when x0 is too far out to plot at all."""
        if limits.range_around(x0, 2.0) is None:
            return None
        return limits.usable_or_around(
            sweeps.fit_range(self._doc.graph, input_id, self._y_effective(), x0), x0
        )

    # ------------------------------------------------------------------ listening to the document
    def _mark_labels(self, *_: object) -> None:
        self._labels_dirty = True

    def _node_changed(self, node_id: str) -> None:
        # Called for every value change while dragging: only a new name or op matters.
        graph = self._doc.graph
        if node_id in graph:
            node = graph.node(node_id)
            if self._labels.get(node_id) != (graph.display_name(node_id), node.op):
                self._labels_dirty = True

    def _on_reset(self) -> None:
        self._x_id = None
        self._y_choice = None
        self._y_from_selection = False
        self._x2_id = None
        self._heat = None
        self._heat_key = None
        self.view.show_heat(False)
        self._labels_dirty = True
        self._shape_key = None
        self._refresh()

    def _refresh(self) -> None:
        self._on_evaluated(self._doc.evaluation)

    def _on_evaluated(self, ev: Evaluation) -> None:
        self._resolve()
        if self._labels_dirty:
            self._fill_combos()
        graph = self._doc.graph
        x, y = self._x_id, self._y_effective()
        if x is not None and not self._drag.active:
            value = graph.node(x).value
            lo, hi = self._range
            if not lo <= value <= hi:
                window = limits.range_around(value, 0.5 * (hi - lo))
                if window is None:
                    self._show_too_far(graph.display_name(x), value)
                    return
                self.set_range(*window)
                return  # set_range came back here with the new range
        shape_key = (id(graph), graph.structure_revision, x, y, self._range)
        program = ev.program
        xi = program.index.get(x) if x is not None else None
        values_key = tuple(ev.value_list[i] for i in program.leaves if i != xi)
        if shape_key != self._shape_key or values_key != self._values_key:
            structural = shape_key != self._shape_key
            self._shape_key, self._values_key = shape_key, values_key
            self._resweep()
            if structural:
                self.refit_y()
            else:
                self._refit_timer.start()
        if self._x2_id is not None:
            self._update_heat(ev)
        else:
            self._heat_timer.stop()
        self._show_point(ev)

    def _show_too_far(self, x_name: str, value: float) -> None:
        """x holds a value no axis can show (1e308): say so, draw nothing, raise nothing."""
        nan = np.full(SWEEP_POINTS, np.nan)
        self._xs, self._ys, self._dys = nan, nan.copy(), nan.copy()
        self._shape_key = None  # coming back into range sweeps afresh
        self.view.set_curves(self._xs, self._ys, self._dys)
        self.view.set_point(math.nan, math.nan, math.nan)
        self.view.set_note(
            f"{x_name} = {format_number(value)} is too far out to plot "
            f"(the axes reach ±{limits.PLOT_LIMIT:g})."
        )

    def _resweep(self) -> None:
        x, y = self._x_id, self._y_effective()
        lo, hi = self._range
        xs = np.linspace(lo, hi, SWEEP_POINTS)
        ys = dys = np.full(SWEEP_POINTS, np.nan)
        note = ""
        if x is None:
            note = "Add an input node to plot the output against it."
        elif y is None:
            note = "The graph has no output to plot."
        else:
            unfinished = incomplete_message(self._doc.graph, y)
            try:
                xs, ys, dys = sweeps.curve(self._doc.graph, x, y, lo, hi, SWEEP_POINTS)
            except GraphError as exc:
                note = unfinished or str(exc)
            else:
                if unfinished is not None:  # one reason, not "slope 0" and "undefined" besides
                    note = f"{unfinished}."
                elif y != x and not self._doc.graph.reaches(x, y):
                    x_name, y_name = self._names()
                    note = f"{y_name} does not depend on {x_name}: the slope is 0 everywhere."
        self._xs, self._ys, self._dys = xs, ys, dys
        self.view.set_curves(xs, ys, dys)
        self.view.set_note(note)

    def _derivative(self, ev: Evaluation, x: str, y: str) -> float:
        """dy/dx at the current point, from the evaluation (reverse mode when y is its output)."""
        if x == y:
            return 1.0
        if ev.value_of(y) != ev.value_of(y):
            return math.nan
        if ev.output == y:
            return ev.grad_of(x)
        return ev.tangents(x)[y]

    def _show_point(self, ev: Evaluation) -> None:
        x, y = self._x_id, self._y_effective()
        if x is None or y is None or x not in ev.program.index or y not in ev.program.index:
            self.view.set_point(math.nan, math.nan, math.nan)
            return
        xv = ev.value_of(x)
        self.view.set_point(xv, ev.value_of(y), self._derivative(ev, x, y))
        self._syncing = True
        try:
            with QSignalBlocker(self.x_box):
                self.x_box.setValue(xv)
            fraction = limits.slider_fraction(xv, *self._range)
            if not self.slider.isSliderDown() and fraction is not None:
                with QSignalBlocker(self.slider):
                    self.slider.setValue(round(fraction * SLIDER_STEPS))
        finally:
            self._syncing = False
        if self._x2_id is not None:
            x2 = self._x2_id
            self.view.set_heat_point(
                xv, ev.value_of(x2), self._derivative(ev, x, y), self._derivative(ev, x2, y)
            )

    def _fill_combos(self) -> None:
        graph = self._doc.graph
        self._labels = {n.id: (graph.display_name(n.id), n.op) for n in graph.nodes}
        self._labels_dirty = False
        self.controls.fill(graph, self._x_id, self._y_choice, self._x2_id)
        x_name, y_name = self._names()
        x2_name = graph.display_name(self._x2_id) if self._x2_id is not None else ""
        self.view.set_names(x_name, y_name, x2_name)
