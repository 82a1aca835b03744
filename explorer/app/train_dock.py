"""The Train dock: gradient descent on the open graph, watched step by step.

A view over the document, like the sensitivity plot. The numbers come from a pure
:class:`~explorer.graph.training.Trainer`, which keeps the whole path of the run; after
each tick the panel writes the parameters' new values through
:meth:`GraphDocument.set_values`, so the canvas, the inspector and the plot move with
them. Every tick of one Run (or one Step, one Reset, one rewind) shares a merge serial:
the whole run is one undo step back to the values before it.

The run is driven by a QTimer (one tick per frame, ~16 ms), never a loop: the window
keeps painting and answering while it trains. A tick takes as many steps as needed for a
Run of N to finish in about a second, within a time budget. The learning rate can change
mid-run; the path can be rewound to any step (the slider, or a click on the loss curve),
and Reset goes back to the values before training. Divergence, a refused learning rate,
no trainable inputs or an undefined loss show one red line and change nothing.

When the graph changes under the run (an edit, a value typed by hand, undo), the panel
finds the step whose values the graph now has, or else forgets the run and starts the
next one from what the graph holds.

Imports: PySide6, explorer.document, explorer.graph, explorer.plot (the curve), explorer.theme.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.document.document import GraphDocument
from explorer.graph.training import Trainer, TrainingError, parse_learning_rate, trainable_parameters
from explorer.theme import LIGHT, Theme, format_number

if TYPE_CHECKING:
    from explorer.app.window import MainWindow
    from explorer.plot.loss_curve import LossCurve

TICK_MS = 16
RUN_SECONDS = 0.75  # a Run of N steps takes about this long when steps are cheap (≤ 1 s with repaints)
TICK_BUDGET_S = 0.010  # never spend more than this per tick on steps
DEFAULT_LR = "0.05"
DEFAULT_RUN = 100


class TrainPanel(QWidget):
    """Learning rate, Step, Run N / Pause, Reset, the loss curve and a rewind slider."""

    message = Signal(str)  # for the status bar
    run_stopped = Signal()  # a run finished, diverged or was paused
    stepped = Signal(int)  # the position after a tick, step or rewind
    health_toggled = Signal(bool)  # show gradient health on the canvas
    surface_requested = Signal()  # two parameters: show the loss surface and the path on it
    shown = Signal()  # the panel redrew its state (a trainer appeared, moved or was forgotten)

    def __init__(self, document: GraphDocument, theme: Theme = LIGHT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainPanel")
        self.document = document
        self.theme = theme
        self.trainer: Trainer | None = None
        self.overlay: QObject | None = None  # the canvas overlay, when the window made one
        self.descent: QObject | None = None  # the path on the loss surface, likewise
        self.nudges: QObject | None = None  # the arrows on the parameters' cards, likewise
        self._serial = -1
        self._remaining = 0
        self._per_tick = 1
        self._pushing = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

        self.lr_edit = QLineEdit(DEFAULT_LR)
        self.lr_edit.setObjectName("learningRate")
        self.lr_edit.setToolTip("Learning rate: how far each step moves, p ← p − lr · ∂loss/∂p")
        self.lr_edit.editingFinished.connect(self._lr_edited)
        self.steps_box = QSpinBox()
        self.steps_box.setObjectName("runSteps")
        self.steps_box.setRange(1, 100_000)
        self.steps_box.setValue(DEFAULT_RUN)
        self.steps_box.valueChanged.connect(self._update_buttons)
        self.step_button = QPushButton("Step")
        self.step_button.setObjectName("stepButton")
        self.step_button.setToolTip("One gradient-descent step on every trainable input")
        self.step_button.clicked.connect(self.step)
        self.run_button = QPushButton()
        self.run_button.setObjectName("runButton")
        self.run_button.clicked.connect(self.toggle_run)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip("Back to the values before training (the run is kept: rewind to see it)")
        self.reset_button.clicked.connect(self.reset)
        self.surface_button = QPushButton("Loss surface")
        self.surface_button.setObjectName("surfaceButton")
        self.surface_button.setToolTip(
            "With exactly two trainable inputs: the loss as a heat map over both, with the descent path"
        )
        self.surface_button.clicked.connect(self.surface_requested.emit)

        self.status_label = QLabel()
        self.status_label.setObjectName("trainStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.error_label = QLabel()
        self.error_label.setObjectName("trainError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        from explorer.plot.loss_curve import LossCurve  # pyqtgraph loads when the dock is first shown

        self.curve: LossCurve = LossCurve(self, theme)
        self.curve.step_clicked.connect(self.go_to_step)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("stepSlider")
        self.slider.setToolTip("Rewind the run to any step it took")
        self.slider.setRange(0, 0)
        self.slider.sliderPressed.connect(self._new_serial)
        self.slider.valueChanged.connect(self._slider_moved)

        from explorer.plot.health_chart import DepthChart

        self.health_check = QCheckBox("Gradient health (canvas overlay and |gradient| by depth)")
        self.health_check.setObjectName("healthCheck")
        self.health_check.setToolTip(
            "Edges as wide as their |contribution| (log scale), badges on saturated tanh/sigmoid "
            "and dead relus, and how the gradient shrinks with depth"
        )
        self.health_check.toggled.connect(self._health_toggled)
        self.health_label = QLabel()
        self.health_label.setObjectName("healthSummary")
        self.health_label.setWordWrap(True)
        self.depth_chart: DepthChart = DepthChart(self, theme)
        self.health_label.hide()
        self.depth_chart.hide()

        grid = QGridLayout()
        grid.addWidget(QLabel("Learning rate"), 0, 0)
        grid.addWidget(self.lr_edit, 0, 1)
        grid.addWidget(QLabel("Steps"), 0, 2)
        grid.addWidget(self.steps_box, 0, 3)
        buttons = QHBoxLayout()
        for button in (self.step_button, self.run_button, self.reset_button, self.surface_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.curve, 1)
        layout.addWidget(self.slider)
        layout.addWidget(self.health_check)
        layout.addWidget(self.health_label)
        layout.addWidget(self.depth_chart, 1)

        document.evaluated.connect(self._document_evaluated)
        document.graph_reset.connect(self._graph_reset)
        self.set_theme(theme)
        self._show()

    # ------------------------------------------------------------------ public
    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.curve.set_theme(theme)
        self.depth_chart.set_theme(theme)
        self.error_label.setStyleSheet(f"color: {theme.error};")
        self._show()

    def set_learning_rate(self, text: str) -> bool:
        """Use ``text`` as the learning rate from the next step on (mid-run too)."""
        self.lr_edit.setText(text)
        return self._lr_edited()

    def step(self) -> None:
        """One step, one undo step."""
        self.pause()
        trainer = self._ensure_trainer()
        if trainer is None:
            return
        self._new_serial()
        self._advance(trainer, 1)

    def run(self, steps: int | None = None) -> None:
        """Start a run of ``steps`` (default: the Steps box) driven by the timer."""
        if self.running:
            return
        trainer = self._ensure_trainer()
        if trainer is None:
            return
        self._remaining = self.steps_box.value() if steps is None else steps
        self._per_tick = max(1, math.ceil(self._remaining * TICK_MS / (RUN_SECONDS * 1000.0)))
        self._new_serial()
        self._timer.start()
        self._update_buttons()

    def pause(self) -> None:
        if self.running:
            self._timer.stop()
            self._remaining = 0
            self._update_buttons()
            self.run_stopped.emit()

    def toggle_run(self) -> None:
        if self.running:
            self.pause()
        else:
            self.run()

    def reset(self) -> None:
        """Back to the values before training, as its own undo step; the path is kept."""
        self.pause()
        if self.trainer is not None and self._valid():
            self._new_serial()
            self._move_to(0, "Reset training")

    def go_to_step(self, k: int) -> None:
        """Rewind (or go forward again) to step ``k`` of the kept path."""
        self.pause()
        if self.trainer is None or not self._valid() or not 0 <= k <= self.trainer.steps:
            return
        if not self.slider.isSliderDown():
            self._new_serial()
        self._move_to(k, f"Rewind training to step {k}")

    # ------------------------------------------------------------------ stepping
    def _ensure_trainer(self) -> Trainer | None:
        if self.trainer is not None and self._valid():
            return self.trainer
        self._forget()
        try:
            self.trainer = Trainer(self.document.graph, self.lr_edit.text())
        except TrainingError as error:
            self._error(str(error))
            return None
        self._error("")
        return self.trainer

    def _tick(self) -> None:
        trainer = self.trainer
        if trainer is None or not self._valid():
            self.pause()
            return
        done, diverged = self._advance(trainer, min(self._per_tick, self._remaining))
        self._remaining -= done
        if self._remaining <= 0 or diverged:
            self._timer.stop()
            self._remaining = 0
            self._update_buttons()
            if not diverged:
                self.message.emit(f"Trained to step {trainer.steps}: loss {format_number(trainer.loss)}")
            self.run_stopped.emit()

    def _advance(self, trainer: Trainer, n: int) -> tuple[int, bool]:
        """Up to ``n`` steps within the tick budget, then one write to the document.

        Returns how many steps were taken and whether the run diverged.
        """
        start = time.perf_counter()
        done = 0
        problem = None
        while done < n:
            problem = trainer.step()
            if problem is not None:
                break
            done += 1
            if time.perf_counter() - start > TICK_BUDGET_S:
                break
        if done:
            self._push(f"Train to step {trainer.steps}")
        if problem is not None:
            self._error(problem.message)
            self.message.emit(problem.message)
        self._show()
        self.stepped.emit(trainer.position)
        return done, problem is not None

    def _move_to(self, k: int, text: str) -> None:
        assert self.trainer is not None
        self.trainer.go_to_step(k)
        self._push(text)
        self._show()
        self.stepped.emit(k)

    def _push(self, text: str) -> None:
        assert self.trainer is not None
        self._pushing = True
        try:
            self.document.set_values(self.trainer.values(), text, self._serial)
        finally:
            self._pushing = False

    def _new_serial(self) -> None:
        self._serial = self.document.new_merge_serial()

    # ------------------------------------------------------------------ keeping up with the document
    def _valid(self) -> bool:
        """Is the graph still the one the trainer works on? Undo/redo may land on a kept step."""
        trainer = self.trainer
        if trainer is None or trainer.graph is not self.document.graph:
            return False
        k = trainer.find_step()
        if k is None:
            return False
        if k != trainer.position:
            trainer.go_to_step(k)
        return True

    def _health_toggled(self, on: bool) -> None:
        self.health_label.setVisible(on)
        self.depth_chart.setVisible(on)
        self._show_health()
        self.health_toggled.emit(on)

    def _show_health(self) -> None:
        if not self.health_check.isChecked():
            return
        from explorer.graph.health import gradient_health

        health = gradient_health(self.document.evaluation)
        self.depth_chart.set_profile(health.by_depth)
        parts = []
        if health.saturated:
            parts.append(f"{len(health.saturated)} saturated tanh/sigmoid")
        if health.dead:
            parts.append(f"{len(health.dead)} dead relu{'s' if len(health.dead) != 1 else ''}")
        rows = health.by_depth
        if len(rows) > 1 and rows[0].median > 0.0:
            deepest = rows[-1]
            parts.append(
                f"|gradient| {format_number(rows[0].median)} at the output, "
                f"{format_number(deepest.median)} {deepest.depth} steps back"
            )
        self.health_label.setText(" · ".join(parts) or "No gradients yet.")

    def _document_evaluated(self, *_: object) -> None:
        self._show_health()
        if self._pushing or self.trainer is None:
            self._update_buttons()
            return
        if not self._valid():
            self.pause()
            self._forget()
        self._show()

    def _graph_reset(self) -> None:
        self.pause()
        self._forget()
        self._error("")
        self._show()

    def _forget(self) -> None:
        self.trainer = None

    # ------------------------------------------------------------------ widgets
    def _lr_edited(self) -> bool:
        text = self.lr_edit.text()
        try:
            rate = parse_learning_rate(text)
        except TrainingError as error:
            self._error(str(error))
            if self.trainer is not None:  # keep training at the last good rate
                self.lr_edit.setText(f"{self.trainer.learning_rate:g}")
            return False
        if self.trainer is not None:
            self.trainer.set_learning_rate(rate)
        self._error("")
        self._show()
        return True

    def _slider_moved(self, k: int) -> None:
        if self.trainer is not None and k != self.trainer.position:
            self.go_to_step(k)

    def _error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def _update_buttons(self, *_: object) -> None:
        n = self.steps_box.value()
        self.run_button.setText("Pause" if self.running else f"Run {n}")
        has_run = self.trainer is not None and self.trainer.steps > 0
        self.reset_button.setEnabled(has_run and not self.running)
        self.slider.setEnabled(has_run and not self.running)
        self.surface_button.setEnabled(len(trainable_parameters(self.document.graph)) == 2)

    def _show(self) -> None:
        trainer = self.trainer
        t = self.theme
        if trainer is None:
            graph = self.document.graph
            count = len(trainable_parameters(graph))
            self.status_label.setText(
                f'<span style="color:{t.muted_text}">'
                + (
                    f"{count} trainable input{'s' if count != 1 else ''}. Step or Run to descend the loss."
                    if count
                    else "No trainable inputs: select an input and tick “Trainable” in the inspector."
                )
                + "</span>"
            )
            self.curve.set_losses([], -1)
            self.slider.blockSignals(True)
            self.slider.setRange(0, 0)
            self.slider.blockSignals(False)
        else:
            k = trainer.position
            loss = self.document.graph.node(trainer.output).label
            first = trainer.losses[0]
            self.status_label.setText(
                f"step <b>{k}</b> of {trainer.steps} · {len(trainer.parameters)} parameters · "
                f'{loss} = <b style="color:{t.value}">{format_number(trainer.loss)}</b>'
                f' <span style="color:{t.muted_text}">(from {format_number(first)}, '
                f"lr {trainer.learning_rate:g})</span>"
            )
            self.curve.set_losses(trainer.losses, k)
            self.slider.blockSignals(True)
            self.slider.setRange(0, trainer.steps)
            self.slider.setValue(k)
            self.slider.blockSignals(False)
        self._update_buttons()
        self.shown.emit()


def install_train_dock(window: MainWindow) -> QDockWidget:
    """Add the Train dock (built when first shown) beside the sensitivity plot.

    Opening a graph that has trainable inputs brings the dock forward.
    """

    def make() -> QWidget:
        from explorer.app.health_overlay import HealthOverlay

        panel = TrainPanel(window.document, window.theme)
        window.theme_changed.connect(panel.set_theme)
        panel.message.connect(window._status)
        overlay = HealthOverlay(window.document, window.scene, window.theme, panel)
        window.theme_changed.connect(overlay.set_theme)
        panel.health_toggled.connect(overlay.set_enabled)
        panel.overlay = overlay
        from explorer.app.descent_path import DescentPath
        from explorer.app.nudge_badges import NudgeBadges

        panel.descent = DescentPath(window, panel)
        nudges = NudgeBadges(window.scene, window.theme, panel)
        window.theme_changed.connect(nudges.set_theme)
        panel.shown.connect(lambda: nudges.show(panel.trainer))
        panel.nudges = nudges
        return panel

    dock = window.add_panel(make, "Train", "trainDock", Qt.DockWidgetArea.RightDockWidgetArea, visible=False)
    sensitivity = window.panels.get("sensitivityDock")

    def graph_opened() -> None:
        if trainable_parameters(window.document.graph):
            # A tab beside the plot, made only now: tabifying the hidden dock up front
            # left a stray "Sensitivity | Train" tab bar on the window (Qt keeps it
            # visible at a stale place, over whatever dock later lies there).
            beside = sensitivity is not None and sensitivity.isVisible() and not sensitivity.isFloating()
            if beside and not dock.isVisible() and dock not in window.tabifiedDockWidgets(sensitivity):
                window.tabifyDockWidget(sensitivity, dock)
            dock.show()
            dock.raise_()

    window.document.graph_reset.connect(graph_opened)
    return dock
