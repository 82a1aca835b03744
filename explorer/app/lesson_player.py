"""The Lesson dock: plays a lesson step by step on the open document.

It has the shape of the animation player: one state setter, :meth:`LessonPanel.go_to_step`,
and everything else derives from the step number. Entering a step (Next, Back, or the
saved place when a lesson reopens) restores that step's graph as one undo step, then
selects, highlights, seeks the animation and raises docks as the step says. A step that
asks for a prediction keeps every gradient hidden until it is answered or *Show me* is
pressed (the animation waits at the end of the forward pass). The learner
may edit freely; the panel only watches the document's evaluations to notice when a
task is met. It drives the window only through public methods (``LessonHost``, in
:mod:`explorer.app.lesson_host`).

Step text is shown by ``LessonText`` (Qt's own Markdown, no HTML, no network).

Imports: PySide6, explorer.app.lessons, explorer.app.lesson_host (and the chart and text
widgets), explorer.io.lesson, explorer.graph.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.app.lesson_chart import GradientChart
from explorer.app.lesson_host import (
    DOCKS,
    WIDE_PANEL,
    LessonHost,
)
from explorer.app.lesson_text import LessonText
from explorer.app.lessons import LessonProgress
from explorer.graph.layout import apply_layout
from explorer.graph.model import Graph, GraphError
from explorer.io.lesson import (
    BuildTask,
    ConnectTask,
    DragTask,
    Highlight,
    Lesson,
    Play,
    Predict,
    Select,
    ShowDock,
    ShowView,
    Task,
)


def task_text(task: Task) -> str:
    if isinstance(task, DragTask):
        return f"Drag {task.name} until {task.condition.text}"
    if isinstance(task, ConnectTask):
        return f"Connect {task.source} → {task.target}"
    return f"Build {task.expression}"


class LessonPanel(QWidget):
    """Step text, Back / Next, "3 of 9", Show me / Let me try, predictions and tasks."""

    step_changed = Signal(int)
    task_met = Signal(int)  # index into the step's tasks
    prediction_checked = Signal(bool)

    def __init__(self, host: LessonHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonPanel")
        self.host = host
        self.progress = LessonProgress(host.prefs.qsettings)
        self.lesson: Lesson | None = None
        self.step = 0
        self._met: set[int] = set()
        self._restoring = False
        self._secret = False  # the step's prediction is unanswered: gradients stay hidden

        self.lesson_title = QLabel()
        self.lesson_title.setObjectName("lessonTitle")
        self.lesson_title.setWordWrap(True)
        self.step_title = QLabel()
        self.step_title.setObjectName("stepTitle")
        self.step_title.setWordWrap(True)
        bold = QFont(self.step_title.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.25)
        self.step_title.setFont(bold)
        self.counter = QLabel()
        self.counter.setObjectName("stepCounter")
        self.text = LessonText()
        self.text.setObjectName("stepText")

        self.question = QLabel()
        self.question.setWordWrap(True)
        self.answer = QLineEdit()
        self.answer.setObjectName("predictionInput")
        self.answer.setPlaceholderText("your prediction")
        self.answer.returnPressed.connect(self.check_prediction)
        self.check_button = QPushButton("Check")
        self.check_button.setObjectName("checkButton")
        self.check_button.clicked.connect(self.check_prediction)
        self.verdict = QLabel()
        self.verdict.setObjectName("predictionVerdict")
        self.verdict.setWordWrap(True)
        self.prediction_box = QWidget()
        pbox = QVBoxLayout(self.prediction_box)
        pbox.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.answer, 1)
        row.addWidget(self.check_button)
        pbox.addWidget(self.question)
        pbox.addLayout(row)
        pbox.addWidget(self.verdict)

        self.chart = GradientChart(host.theme)
        self.chart.setVisible(False)

        self.tasks_label = QLabel()
        self.tasks_label.setObjectName("taskStatus")
        self.tasks_label.setWordWrap(True)

        self.back_button = QPushButton("◀ Back")
        self.back_button.setObjectName("backButton")
        self.back_button.setToolTip("Previous step (Alt+Left)")
        self.back_button.clicked.connect(self.back)
        self.show_button = QPushButton("Show me")
        self.show_button.setObjectName("showMeButton")
        self.show_button.setToolTip("The app does this step for you")
        self.show_button.clicked.connect(self.show_me)
        self.try_button = QPushButton("Let me try")
        self.try_button.setObjectName("letMeTryButton")
        self.try_button.setToolTip("Do it yourself; the lesson notices when you get there")
        self.try_button.clicked.connect(self.let_me_try)
        self.next_button = QPushButton("Next ▶")
        self.next_button.setObjectName("nextButton")
        self.next_button.setToolTip("Next step (Alt+Right)")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next)
        for key, slot in (("Alt+Left", self.back), ("Alt+Right", self.next)):
            QShortcut(QKeySequence(key), self, slot)

        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        nav.addWidget(self.counter)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        actions = QHBoxLayout()
        actions.addWidget(self.show_button)
        actions.addWidget(self.try_button)
        actions.addStretch(1)

        # Reading on one side, doing on the other: one column in a tall dock (beside the
        # canvas), two side by side in a wide one (under it, in a small window).
        reading = QVBoxLayout()
        reading.addWidget(self.lesson_title)
        reading.addWidget(self.step_title)
        reading.addWidget(self.text, 1)
        reading.addWidget(self.chart)
        doing = QVBoxLayout()
        doing.addWidget(self.prediction_box)
        doing.addWidget(self.tasks_label)
        doing.addStretch(1)  # in two columns: Back / Next at the bottom
        doing.addLayout(actions)
        doing.addLayout(nav)
        self._columns = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._columns.addLayout(reading, 3)
        self._columns.addLayout(doing, 0)

        host.document.evaluated.connect(self._on_edit)
        host.document.evaluated.connect(self._check_tasks)
        host.document.evaluated.connect(self._refresh_chart)
        theme_changed = getattr(host, "theme_changed", None)
        if theme_changed is not None:
            theme_changed.connect(self.chart.set_theme)
        self._sync_widgets()

    # ------------------------------------------------------------------ layout
    @property
    def two_columns(self) -> bool:
        return self._columns.direction() == QBoxLayout.Direction.LeftToRight

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        wide = self.width() >= WIDE_PANEL and self.width() > 1.8 * self.height()
        if wide != self.two_columns:
            direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
            self._columns.setDirection(direction)
            self._columns.setStretch(1, 2 if wide else 0)

    # ------------------------------------------------------------------ state
    @property
    def count(self) -> int:
        return len(self.lesson) if self.lesson is not None else 0

    def set_lesson(self, lesson: Lesson, step: int | None = None) -> None:
        """Open ``lesson`` at ``step`` (default: where the learner left it)."""
        self.lesson = lesson
        self.lesson_title.setText(lesson.title)
        if step is None:
            saved = self.progress.get(self._key())
            step = saved.step if saved.count == len(lesson) else 0
        self.go_to_step(step)

    def go_to_step(self, k: int) -> None:
        """The one state setter: show step ``k`` and restore its graph, selection and view."""
        if self.lesson is None:
            return
        k = max(0, min(k, self.count - 1))
        self.step = k
        self._met = set()
        step = self.lesson.steps[k]
        self.step_title.setText(step.title)
        self.counter.setText(f"{k + 1} of {self.count}")
        self.text.set_markdown(step.text, self.lesson.path.parent if self.lesson.path else None)
        self.verdict.clear()
        self.answer.clear()
        self._secret = bool(step.predictions)
        self._restoring = True
        try:
            graph = self.lesson.start_graph(k)
            if graph is not None:
                self._show_graph(graph, f"Lesson: {step.title}")
            self._apply_view(show_me=False)
        finally:
            self._restoring = False
        self.progress.record(self._key(), k, self.count)
        self._sync_widgets()
        self._check_tasks()
        self.step_changed.emit(k)

    def next(self) -> None:
        if self.step < self.count - 1:
            self.go_to_step(self.step + 1)

    def back(self) -> None:
        if self.step > 0:
            self.go_to_step(self.step - 1)

    def rewind_to(self, k: int) -> None:
        """Same as go_to_step: every step restores its own graph, whichever way we come."""
        self.go_to_step(k)

    # ------------------------------------------------------------------ actions
    def show_me(self) -> None:
        """Do the step's action: play its animation, do its tasks, reveal its predictions."""
        if self.lesson is None:
            return
        step = self.lesson.steps[self.step]
        document = self.host.document
        for task in step.tasks:
            try:
                if isinstance(task, DragTask) and task.answer is not None:
                    document.set_value(document.graph.find(task.name).id, task.answer)
                elif isinstance(task, ConnectTask):
                    self._connect(task)
                elif isinstance(task, BuildTask):
                    self._show_graph(task.reference.copy(), "Lesson: build")
            except GraphError as error:
                self.tasks_label.setText(f"Could not do it here: {error}")
        predictions = step.predictions
        if predictions:
            number = predictions[0].condition.number
            self.answer.setText(f"{number:g}")
            self.verdict.setText(f"The answer: {predictions[0].condition.quantity.text} = {number:g}")
        self._reveal(play=True)

    def let_me_try(self) -> None:
        """Hand over: focus the prediction box or the canvas and say what to do."""
        if self.lesson is None:
            return
        step = self.lesson.steps[self.step]
        if step.predictions:
            self.answer.setFocus()
        tasks = [t for i, t in enumerate(step.tasks) if i not in self._met]
        if tasks:
            self.tasks_label.setText("Your turn: " + "; ".join(task_text(t) for t in tasks) + ".")

    def check_prediction(self) -> bool:
        """Compare the typed number with the step's (within its tolerance).

        The lesson's number, not the live graph's: it was checked against the step's graph
        when the lesson was read, and the learner may have moved x since.
        """
        if self.lesson is None or not self.lesson.steps[self.step].predictions:
            return False
        condition = self.lesson.steps[self.step].predictions[0].condition
        text = self.answer.text().strip().replace("−", "-")
        try:
            guess = float(text)
        except ValueError:
            guess = math.nan
        if not math.isfinite(guess):
            self.verdict.setText("Type a number, e.g. 14 or 0.25.")
            return False
        right = condition.holds_for(guess)
        if right:
            self.verdict.setText(f"✓ Right: {condition.quantity.text} = {condition.number:.6g}")
            if self._secret:
                self._reveal(play=False)
        else:
            self.verdict.setText(f"Not quite ({guess:g}). Look at the local derivatives and try again.")
        self.prediction_checked.emit(right)
        return right

    # ------------------------------------------------------------------ helpers
    def _key(self) -> str:
        assert self.lesson is not None
        return self.lesson.path.stem if self.lesson.path else self.lesson.title

    def _show_graph(self, graph: Graph, text: str) -> None:
        if any(n.position is None for n in graph):
            apply_layout(graph)
        self.host.player.reset()
        document = self.host.document
        document.insert_graph(graph, replace=True, text=text)
        if document.file_path is None:
            # The lesson's own graph is nothing to save; only the learner's edits are.
            document.undo_stack.setClean()
        self.host.fit_view(keep_fitting=True)

    def _ids(self, names: tuple[str, ...]) -> list[str]:
        ids = []
        for name in names:
            try:
                ids.append(self.host.document.graph.find(name).id)
            except GraphError:
                continue  # the learner renamed or deleted it: nothing to point at
        return ids

    def _reveal(self, play: bool) -> None:
        """The prediction is answered (or given up): show the step's gradients after all."""
        was_secret = self._secret
        self._end_secret()
        self._apply_view(show_me=play)
        if was_secret and self.lesson is not None and not self.lesson.steps[self.step].of_kind(Play):
            self.host.player.reset()  # no position of its own: the live view, every gradient shown

    def _end_secret(self) -> None:
        if self._secret:
            self._secret = False
            self._keep_secrets(False)
            self._apply_views(self._views())  # the chart of magnitudes waited too

    def _on_edit(self, *_: object) -> None:
        """The learner changed the graph: the live view shows every gradient, so stop hiding."""
        if not self._restoring:
            self._end_secret()

    def _views(self) -> set[str]:
        assert self.lesson is not None
        step = self.lesson.steps[self.step]
        return {v for d in step.directives if isinstance(d, ShowView) for v in d.views}

    def _keep_secrets(self, on: bool) -> None:
        """The Chain Rule panel's live views (nudge, product, paths) and the inspector keep quiet."""
        narrative = self.host.panel_widget("narrativeDock") if on else self._narrative()
        predict = getattr(narrative, "predict", None)
        keep = getattr(predict, "keep_secrets", None)
        if keep is not None:
            keep(on)

    def _narrative(self) -> QWidget | None:
        """The Chain Rule panel if it is built (asking for it would build it)."""
        dock = self.host.panels.get("narrativeDock")
        return dock.widget() if dock is not None else None

    def _apply_view(self, show_me: bool) -> None:
        """Select, highlight, raise docks and seek as the step says.

        While the step's prediction is unanswered the animation stops at the end of the
        forward pass (values shown, no gradient on any card), whatever its ``play:`` says; the
        answer (or *Show me*) then applies the step's own position.
        """
        assert self.lesson is not None
        step = self.lesson.steps[self.step]
        player = self.host.player
        graph = self.host.document.graph
        if not show_me:
            player.set_highlight()
            self._apply_views(self._views())
        self._keep_secrets(self._secret)
        if self._secret:
            player.to_forward_end()
        for d in step.directives:
            if isinstance(d, Select):
                self.host.select_nodes(self._ids(d.names))
            elif isinstance(d, Highlight):
                ids = set(self._ids(d.names))
                edges = [e for e in graph.edges() if e.source in ids and e.target in ids]
                player.set_highlight(ids, edges)
            elif isinstance(d, ShowDock):
                dock = self.host.panels.get(DOCKS[d.dock])
                if dock is not None:
                    dock.show()
                    dock.raise_()
            elif isinstance(d, Play) and not self._secret:
                if show_me and d.position == "end":
                    player.to_start()
                    player.play()
                else:
                    self._seek(d.position)

    def _apply_views(self, views: set[str]) -> None:
        """Gears and the chart follow the step (off where it does not ask); tabs only when asked."""
        self.chart.setVisible("magnitudes" in views and not self._secret)  # no hint before the answer
        self._refresh_chart()
        narrative = self.host.panel_widget("narrativeDock") if views & {"gears", "paths", "steps"} else None
        if narrative is None and self.host.player.gears:
            narrative = self.host.panel_widget("narrativeDock")
        if narrative is None:
            return
        gears = getattr(narrative, "gears_check", None)
        if gears is not None:
            gears.setChecked("gears" in views)  # the box drives the player, and stays in sync
        tabs = getattr(narrative, "tabs", None)
        for name, attribute in (("paths", "paths_view"), ("steps", "steps_list")):
            if name in views and tabs is not None:
                tabs.setCurrentWidget(getattr(narrative, attribute))
                dock = self.host.panels.get("narrativeDock")
                if dock is not None:
                    dock.show()
                    dock.raise_()

    def _refresh_chart(self, *_: object) -> None:
        if self.chart.isVisibleTo(self):
            self.chart.set_theme(self.host.theme)
            self.chart.set_evaluation(self.host.document.evaluation)

    def _seek(self, position: str | int) -> None:
        player = self.host.player
        if position == "start":
            player.to_start()
        elif position == "forward":
            player.to_forward_end()
        elif position == "end":
            player.to_backward_end()
        else:
            player.seek(min(int(position), player.count))

    def _connect(self, task: ConnectTask) -> None:
        graph = self.host.document.graph
        source, target = graph.find(task.source), graph.find(task.target)
        free = [i for i, o in enumerate(target.operands) if o is None]
        self.host.document.link(source.id, target.id, free[0] if free else 0)

    def _check_tasks(self, *_: object) -> None:
        if self.lesson is None:
            return
        step = self.lesson.steps[self.step]
        tasks = step.tasks
        if not tasks:
            self.tasks_label.setVisible(False)
            return
        graph = self.host.document.graph
        lines = []
        for i, task in enumerate(tasks):
            met = task.is_met(graph)
            if met and i not in self._met and not self._restoring:
                self._met.add(i)
                self.task_met.emit(i)
            elif met:
                self._met.add(i)
            lines.append(("✓ " if i in self._met else "○ ") + task_text(task))
        if len(self._met) == len(tasks):
            last = self.step == self.count - 1
            lines.append(
                "Well done: that was the last step of the lesson."
                if last
                else "Well done: that's it. Press Next when you are ready."
            )
        self.tasks_label.setText("\n".join(lines))
        self.tasks_label.setVisible(True)

    def _sync_widgets(self) -> None:
        has = self.lesson is not None
        step = self.lesson.steps[self.step] if self.lesson is not None else None
        self.back_button.setEnabled(has and self.step > 0)
        self.next_button.setEnabled(has and self.step < self.count - 1)
        predictions: list[Predict] = step.predictions if step is not None else []
        self.prediction_box.setVisible(bool(predictions))
        if predictions:
            self.question.setText(f"Predict {predictions[0].condition.quantity.text}:")
        doable = step is not None and bool(step.tasks or step.predictions or step.of_kind(Play))
        self.show_button.setEnabled(doable)
        self.try_button.setEnabled(step is not None and bool(step.tasks or step.predictions))
        if not has:
            self.counter.setText("")
            self.step_title.setText("No lesson open")
