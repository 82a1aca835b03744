"""The narrative dock: the current step in words and numbers, every step, and the checks.

Top: what just happened, in plain words and in the lesson's numbers (values in the value
colour, gradients in the gradient colour). Below: the selected node's full chain-rule
product; the chosen input with its nudge check and the forward-mode / gears toggles;
then two tabs, the list of all steps (click one to go there) and the paths view.

Everything is redrawn from the player and the document's evaluation. The nudge line
follows every evaluation at once (two forward passes, well under a millisecond at 200
nodes), so it moves under the learner's hand while a value is dragged; the slower parts
(step list, paths, chain product) are rebuilt once edits pause, at the end of a value
drag (``GraphDocument.value_drag_finished``), or at once when the animation needs them.

Imports: PySide6, explorer.animation, explorer.document (type only), explorer.graph, explorer.theme.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.animation.checks import nudge, nudge_text
from explorer.animation.controls import handle_player_key
from explorer.animation.narration import chain_product, describe, step_summary
from explorer.animation.paths_view import PathsView
from explorer.animation.player import Player
from explorer.animation.predict import PredictBox
from explorer.animation.wording import Rich, derivative, label, num, output_label, rich
from explorer.graph.completeness import incomplete_message
from explorer.graph.engine import compile_graph
from explorer.graph.trace import BackwardStep
from explorer.theme import LIGHT, Theme

if TYPE_CHECKING:
    from explorer.animation.frames import Timeline
    from explorer.document.document import GraphDocument

REBUILD_DELAY_MS = 150


def _wrapping_label(parent: QWidget, rich_text: bool = True) -> QLabel:
    widget = QLabel(parent)
    widget.setWordWrap(True)
    widget.setTextFormat(Qt.TextFormat.RichText if rich_text else Qt.TextFormat.PlainText)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget


class StoryScroll(QScrollArea):
    """The narrative's text, scrolling in a short dock so the Steps list keeps its rows.

    It asks for the height its wrapped text needs at its actual width (a QScrollArea
    would not), and for three lines at least."""

    def __init__(self, story: QWidget, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setWidget(story)
        story.installEventFilter(self)

    def sizeHint(self) -> QSize:
        story = self.widget()
        layout = story.layout() if story is not None else None
        if story is None or layout is None:
            return super().sizeHint()
        width = max(self.viewport().width(), 100)
        height = layout.heightForWidth(width) if layout.hasHeightForWidth() else story.sizeHint().height()
        return QSize(story.sizeHint().width(), height + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, min(self.sizeHint().height(), 3 * self.fontMetrics().lineSpacing()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the text changed: ask for its new height
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # wrapped text needs another height at another width


class NarrativePanel(QWidget):
    """Narrative, step list, selected node's product, paths view, nudge check, predict mode."""

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "steps_list"):  # large text
            self.steps_list.setMinimumHeight(4 * self.steps_list.fontMetrics().lineSpacing() + 12)
            self.tabs.setMinimumHeight(0)
            self.tabs.setMinimumHeight(self.tabs.minimumSizeHint().height())

    def __init__(
        self,
        document: GraphDocument,
        player: Player,
        theme: Theme | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.player = player
        scene_theme = getattr(player.scene, "theme", None)
        self._theme = theme or (scene_theme if isinstance(scene_theme, Theme) else LIGHT)
        self._selected: str | None = None
        self._steps_dirty = True
        self._masked_steps = False  # some rows of the Steps list say "= ?" (predict mode)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.title_label = _wrapping_label(self, rich_text=False)
        bold = QFont(self.title_label.font())
        bold.setBold(True)
        self.title_label.setFont(bold)
        self.words_label = _wrapping_label(self)
        self.numbers_label = _wrapping_label(self)
        big = QFont(self.numbers_label.font())
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.numbers_label.setFont(big)
        self.predict = PredictBox(player, self._theme, self)
        self.selected_label = _wrapping_label(self)

        self.input_combo = QComboBox(self)
        self.input_combo.setToolTip("The input for the paths view, the nudge check and forward mode")
        self.input_combo.currentIndexChanged.connect(self._input_changed)
        self.predict_check = QCheckBox("Predict, then reveal", self)
        self.predict_check.setToolTip("Stop before each gradient appears and ask for it")
        self.predict_check.toggled.connect(self.predict.set_active)
        self.predict.reveal_changed.connect(self._reveal_changed)
        self.nudge_label = _wrapping_label(self)
        self.forward_mode_check = QCheckBox("Forward mode", self)
        self.forward_mode_check.setToolTip("Show d(node)/d(input) on every node, flowing forward")
        self.forward_mode_check.toggled.connect(self._forward_mode_toggled)
        self.gears_check = QCheckBox("Gears (width ∝ |contribution|)", self)
        self.gears_check.setToolTip(
            "Edge width in proportion to |contribution|: the strongest path stands out"
        )
        self.gears_check.toggled.connect(player.set_gears)
        for box in (self.predict_check, self.forward_mode_check, self.gears_check):
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.steps_list = QListWidget(self)
        self.steps_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps_list.itemClicked.connect(self._step_clicked)
        # Four steps stay in view however short the dock (the narrative scrolls instead).
        self.steps_list.setMinimumHeight(4 * self.fontMetrics().lineSpacing() + 12)
        self.paths_view = PathsView(player, self._theme, self)
        self.tabs = QTabWidget(self)
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tabs.addTab(self.steps_list, "Steps")
        self.tabs.addTab(self.paths_view, "Paths")
        # The text above gets the height it asks for first; the tabs take the rest, never
        # less than four steps (see changeEvent).
        self.tabs.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.tabs.setMinimumHeight(self.tabs.minimumSizeHint().height())

        input_row = QHBoxLayout()
        input_row.addWidget(QLabel("Input", self))
        input_row.addWidget(self.input_combo, 1)
        input_row.addWidget(self.predict_check)
        toggles = QHBoxLayout()
        toggles.addWidget(self.forward_mode_check)
        toggles.addWidget(self.gears_check)
        toggles.addStretch(1)
        story = QWidget(self)
        story_layout = QVBoxLayout(story)
        story_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.title_label,
            self.words_label,
            self.numbers_label,
            self.predict,
            self.selected_label,
        ):
            story_layout.addWidget(widget)
        story_layout.addStretch(1)
        self.story = StoryScroll(story, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.story)
        layout.addLayout(input_row)
        layout.addWidget(self.nudge_label)
        layout.addLayout(toggles)
        layout.addWidget(self.tabs, 1)

        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(REBUILD_DELAY_MS)
        self._rebuild_timer.timeout.connect(self.refresh)
        document.evaluated.connect(self._evaluated)
        document.value_drag_finished.connect(self.refresh)
        player.position_changed.connect(self._position_changed)
        player.was_reset.connect(self._reset)
        selection = getattr(player.scene, "selection_changed_ids", None)
        if selection is not None:
            selection.connect(self._selection_changed)
        theme_changed = getattr(player.scene, "theme_changed", None)
        if theme_changed is not None:
            theme_changed.connect(self._scene_theme_changed)
        self.refresh()

    # ------------------------------------------------------------------ size
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit_minimum_height()
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_minimum_height()

    def _fit_minimum_height(self) -> None:
        """Room for every line of the nudge check, which wraps to two or three lines.

        A wrapped label's minimum size is one line, so the dock could be given less than
        the panel needs and cut off its bottom: the Steps list's current row then hid
        under the dock's edge (921 × 690, with the lesson open).
        """
        layout = self.layout()
        label = self.nudge_label
        if layout is None or not label.isVisibleTo(self) or label.width() <= 0:
            extra = 0
        else:
            extra = max(0, label.heightForWidth(label.width()) - label.minimumSizeHint().height())
        wanted = (layout.totalMinimumSize().height() if layout is not None else 0) + extra
        if wanted != self.minimumHeight():
            self.setMinimumHeight(wanted)

    # ------------------------------------------------------------------ public
    def refresh(self) -> None:
        """Rebuild everything from the current evaluation (after edits settle)."""
        self._rebuild_timer.stop()
        self._fill_inputs()
        self._rebuild_steps()
        self.paths_view.set_input(self.current_input())
        self._reveal_changed()
        self._show_position()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.predict.set_theme(theme)
        self.paths_view.set_theme(theme)
        self.refresh()

    def current_input(self) -> str | None:
        data = self.input_combo.currentData()
        return data if isinstance(data, str) else None

    def set_input(self, node_id: str) -> None:
        index = self.input_combo.findData(node_id)
        if index >= 0:
            self.input_combo.setCurrentIndex(index)

    def show_node(self, node_id: str | None) -> None:
        """Show a node's full chain-rule product, from the output down to it."""
        evaluation = self.document.evaluation
        graph = self.document.graph
        if node_id is not None and node_id not in graph:
            node_id = None  # removed: forget it rather than ask the graph for it again
        self._selected = node_id
        # Mid-edit (a deletion emits selection changes before the document re-evaluates) the
        # evaluation may still name removed nodes; the next refresh shows the product.
        current = evaluation.graph is graph and evaluation.program is compile_graph(graph)
        if node_id is None or not current or node_id not in evaluation.program.index:
            self.selected_label.setText(
                f'<span style="color:{self._theme.muted_text}">'
                "Select a node to see its gradient as a chain-rule product.</span>"
            )
            return
        if self.predict.hides_gradient(node_id):
            self.selected_label.setText(self._secret(node_id, "its chain-rule product"))
            return
        lines = chain_product(evaluation, node_id)
        self.selected_label.setText("<br>".join(line.html(self._theme) for line in lines))

    def narrative_text(self) -> str:
        """The narrative as plain text (title, words, numbers), e.g. for tests and exports."""
        parts = [self.title_label.text(), self._words.plain, *(line.plain for line in self._numbers)]
        return "\n".join(p for p in parts if p)

    # ------------------------------------------------------------------ keys
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if handle_player_key(self.player, event):
            event.accept()
        else:
            super().keyPressEvent(event)

    # ------------------------------------------------------------------ reactions
    def _reset(self) -> None:
        self._steps_dirty = True
        self._show_position()
        self._rebuild_timer.start()

    def _evaluated(self, _evaluation: object) -> None:
        self._update_nudge()

    def _position_changed(self, position: int) -> None:
        self.predict.position_moved(position)
        if self._steps_dirty and not self.player.is_idle:
            self.refresh()  # the animation needs the fresh list now
        else:
            self._show_position()

    def _show_position(self) -> None:
        player = self.player
        if player.is_idle:
            ev = self.document.evaluation
            words = rich(
                "Live view: every value and gradient is shown. Press Play (Space) or → to watch the "
                "forward pass, then the backward pass, one edge at a time."
            )
            numbers: tuple[Rich, ...] = ()
            if ev.output is not None:
                out = output_label(ev)
                numbers = (rich(f"{out} = ", num(ev.value, "value")),)
            self._set_narrative("Chain rule, step by step", words, numbers)
        else:
            narration = describe(player.timeline, player.position)
            self._set_narrative(narration.title, narration.words, narration.numbers)
        row = -1 if player.is_idle else player.position
        self.steps_list.blockSignals(True)
        self.steps_list.setCurrentRow(row)
        if row >= 0 and self.steps_list.item(row) is not None:
            self.steps_list.scrollToItem(self.steps_list.item(row))
        self.steps_list.blockSignals(False)

    def _set_narrative(self, title: str, words: Rich, numbers: tuple[Rich, ...]) -> None:
        self._words, self._numbers = words, numbers
        self.title_label.setText(title)
        self.words_label.setText(words.html(self._theme))
        self.numbers_label.setText("<br>".join(line.html(self._theme) for line in numbers))

    def _rebuild_steps(self) -> None:
        timeline = self.player.timeline
        self.steps_list.clear()
        self.steps_list.addItem(QListWidgetItem("0. Start: inputs known"))
        for k in range(timeline.count):
            self.steps_list.addItem(QListWidgetItem(self._step_text(timeline, k)))
        self._steps_dirty = False

    def _step_text(self, timeline: Timeline, k: int) -> str:
        """The list's line for step ``k``; a gradient still to be predicted reads "= ?"."""
        step = timeline.step(k)
        if isinstance(step, BackwardStep) and self.predict.hides_gradient(step.edge.source):
            self._masked_steps = True
            ev = timeline.evaluation
            return f"{k + 1}. ← {derivative(output_label(ev), label(ev.graph, step.edge.source))} = ?"
        phase = "→" if k < timeline.forward_count else "←"
        return f"{k + 1}. {phase} {step_summary(timeline, k)}"

    def _mask_steps(self) -> None:
        """Predict mode: the Steps list must not read out the gradients ahead (re-texted in place)."""
        if self._steps_dirty or not (self._masked_steps or self.predict.active or self.predict.keeps_secrets):
            return
        timeline = self.player.timeline
        if self.steps_list.count() != timeline.count + 1:
            return  # a rebuild is on its way
        self._masked_steps = False
        for k in range(timeline.forward_count, timeline.count):
            item = self.steps_list.item(k + 1)
            text = self._step_text(timeline, k)
            if item.text() != text:
                item.setText(text)

    def _step_clicked(self, item: QListWidgetItem) -> None:
        self.player.seek(self.steps_list.row(item))

    def _fill_inputs(self) -> None:
        ev = self.document.evaluation
        keep = self.current_input()
        self.input_combo.blockSignals(True)
        self.input_combo.clear()
        for nid in ev.program.ids:
            if ev.graph.node(nid).op == "input":
                self.input_combo.addItem(label(ev.graph, nid), nid)
        index = self.input_combo.findData(keep) if keep is not None else -1
        self.input_combo.setCurrentIndex(index if index >= 0 else (0 if self.input_combo.count() else -1))
        self.input_combo.blockSignals(False)
        if self.forward_mode_check.isChecked():
            self.player.set_forward_mode(self.current_input())

    def _input_changed(self, _index: int) -> None:
        self.paths_view.set_input(self.current_input())
        self._reveal_changed()
        if self.forward_mode_check.isChecked():
            self.player.set_forward_mode(self.current_input())

    def _reveal_changed(self) -> None:
        """Predict mode: show each gradient-bearing view only once its gradient is revealed."""
        nid = self.current_input()
        hidden = self.predict.hides_gradient(nid)
        self.paths_view.set_hidden(self._secret(nid, "its paths") if hidden and nid is not None else None)
        self._mask_steps()
        self._update_nudge()
        self.show_node(self._selected)

    def _secret(self, node_id: str, what: str) -> str:
        ev = self.document.evaluation
        grad = derivative(output_label(ev), label(ev.graph, node_id))
        return (
            f'<span style="color:{self._theme.muted_text}">Predict {html.escape(grad)} first: '
            f"{what} {'appear' if what.endswith('s') else 'appears'} once it is revealed.</span>"
        )

    def _update_nudge(self) -> None:
        nid = self.current_input()
        ev = self.document.evaluation
        if (
            nid is None
            or ev.output is None
            or nid not in ev.program.index
            or ev.graph.node(nid).op != "input"
        ):
            self.nudge_label.setText("")
            return
        if self.predict.hides_gradient(nid):
            self.nudge_label.setText(self._secret(nid, "the nudge check"))
            return
        unfinished = incomplete_message(ev.graph, ev.output)
        if unfinished is not None:  # the chain product above already names the empty ports
            unfinished = "The nudge check waits until the empty ports are connected"
        elif ev.value != ev.value:
            problem = next((d for d in ev.diagnostics if d.kind in ("domain", "overflow")), None)
            out, x = output_label(ev), label(ev.graph, nid)
            unfinished = f"{out} is undefined here, so nudging {x} shows nothing"
            unfinished += f" (the problem: {problem.message})" if problem else ""
        if unfinished is not None:  # "undefined ≠ undefined" would read as a failed check
            self.nudge_label.setText(
                f'<span style="color:{self._theme.muted_text}">{html.escape(unfinished)}.</span>'
            )
            return
        self.nudge_label.setText(nudge_text(ev, nudge(ev, nid)).html(self._theme))

    def _forward_mode_toggled(self, on: bool) -> None:
        self.player.set_forward_mode(self.current_input() if on else None)

    def _selection_changed(self, ids: list[str]) -> None:
        if len(ids) != 1:
            self.show_node(None)
            return
        nid = ids[0]
        self.show_node(nid)
        if nid in self.document.graph and self.document.graph.node(nid).op == "input":
            self.set_input(nid)

    def _scene_theme_changed(self) -> None:
        theme = getattr(self.player.scene, "theme", None)
        if isinstance(theme, Theme):
            self.set_theme(theme)
