"""The descent path on the loss surface, when exactly two inputs are trainable.

With two parameters the loss is a surface over a plane, and the sensitivity plot's heat
map already draws it. "Loss surface" in the Train dock points that heat map at the two
parameters and the loss; this controller then draws the run's path on it — one dot per
step, a line through them, the current step ringed — and keeps it in step with the run
(new steps, rewinds, a swapped pair of axes). It adds its items to the heat map's plot
and touches nothing else of the sensitivity panel.

Imports: PySide6, pyqtgraph (lazily, with the plot), explorer.app, explorer.plot (the
panel, through its public methods).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from explorer.graph.training import trainable_parameters

if TYPE_CHECKING:
    from explorer.app.train_dock import TrainPanel
    from explorer.app.window import MainWindow
    from explorer.plot.panel import SensitivityPanel


class DescentPath(QObject):
    """Draws the TrainPanel's path on the sensitivity heat map while it shows the two parameters."""

    def __init__(self, window: MainWindow, train: TrainPanel) -> None:
        super().__init__(train)
        self.window = window
        self.train = train
        self._plot: SensitivityPanel | None = None
        self._line: Any = None
        self._dot: Any = None
        train.stepped.connect(self.update)
        train.surface_requested.connect(self.show_surface)
        window.document.evaluated.connect(self.update)

    @property
    def points(self) -> tuple[list[float], list[float]]:
        """The path as drawn: (x values, x₂ values), empty when hidden."""
        if self._line is None or not self._line.isVisible():
            return [], []
        xs, ys = self._line.getData()
        return ([] if xs is None else list(xs)), ([] if ys is None else list(ys))

    def show_surface(self) -> None:
        """Heat map of the loss over the two parameters, with the path on it."""
        graph = self.window.document.graph
        params = trainable_parameters(graph)
        if len(params) != 2:
            self.window._status("The loss surface needs exactly two trainable inputs")
            return
        panel = self._panel()
        dock = self.window.panels["sensitivityDock"]
        dock.show()
        dock.raise_()
        panel.set_output(graph.resolve_output())
        panel.set_input(params[0])
        panel.set_second_input(params[1])
        trainer = self.train.trainer
        if trainer is not None and trainer.steps and trainer.parameters == params:
            # Both axes wide enough for the whole path, with a margin.
            for k, setter in enumerate((panel.set_range, panel.set_second_range)):
                values = [p[k] for p in trainer.path]
                lo, hi = min(values), max(values)
                pad = 0.25 * (hi - lo) + 0.1 * max(abs(lo), abs(hi), 1.0)
                setter(lo - pad, hi + pad)
        panel.update_heat_map()
        self.update()

    def _panel(self) -> SensitivityPanel:
        panel: SensitivityPanel = self.window.sensitivity  # builds the dock's panel if needed
        if panel is not self._plot:
            import pyqtgraph as pg

            self._plot = panel
            colour = QColor(self.window.theme.value)
            self._line = pg.PlotDataItem(
                pen=pg.mkPen(QColor("white"), width=2),
                symbol="o",
                symbolSize=5,
                symbolBrush=pg.mkBrush(colour),
                symbolPen=pg.mkPen(QColor("white")),
            )
            self._dot = pg.ScatterPlotItem(
                size=13, brush=pg.mkBrush(colour), pen=pg.mkPen(QColor("white"), width=2)
            )
            for item in (self._line, self._dot):
                item.setZValue(12)
                panel.view.heat_plot.addItem(item, ignoreBounds=True)
        return panel

    def update(self, *_: object) -> None:
        if self._plot is None or self._line is None:
            return
        trainer = self.train.trainer
        x_id, x2_id = self._plot.input_id, self._plot.second_input_id
        if trainer is None or len(trainer.parameters) != 2 or x_id is None or x2_id is None:
            self._hide()
            return
        order = {pid: k for k, pid in enumerate(trainer.parameters)}
        if x_id not in order or x2_id not in order:
            self._hide()
            return
        i, j = order[x_id], order[x2_id]
        xs = [p[i] for p in trainer.path]
        ys = [p[j] for p in trainer.path]
        self._line.setData(xs, ys)
        k = trainer.position
        self._dot.setData([xs[k]], [ys[k]])
        self._line.show()
        self._dot.show()

    def _hide(self) -> None:
        self._line.hide()
        self._dot.hide()
