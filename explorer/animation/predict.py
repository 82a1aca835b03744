"""Predict, then reveal: the player stops before a gradient appears and asks for it.

With the mode on, the player holds before every backward step that completes a node's
gradient (the last contribution it receives). The learner types the number; the box
says whether it is right (relative 1e-3) and shows the chain-rule product, then the
step plays. "Show me" reveals without answering.

Imports: PySide6, explorer.animation, explorer.graph, explorer.theme.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from explorer.animation.checks import Verdict, check_prediction
from explorer.animation.narration import describe_step
from explorer.animation.narration_body import body_step
from explorer.animation.player import Player
from explorer.animation.wording import derivative, label, output_label
from explorer.graph.trace import BackwardStep
from explorer.theme import LIGHT, Theme


class PredictBox(QFrame):
    """The question, an answer field, and the verdict."""

    answered = Signal(object)  # Verdict
    reveal_changed = Signal()  # which gradients are secret may have changed: views re-ask

    def __init__(self, player: Player, theme: Theme = LIGHT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self._theme = theme
        self._active = False
        self._kept = False  # a lesson's question: secrets kept without holding the player
        self.held_step: int | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.question = QLabel(self)
        self.question.setWordWrap(True)
        self.answer = QLineEdit(self)
        self.answer.setPlaceholderText("your prediction, e.g. 42 or 3/4")
        self.answer.returnPressed.connect(self.submit)
        self.check_button = QPushButton("Check", self)
        self.check_button.clicked.connect(self.submit)
        self.reveal_button = QPushButton("Show me", self)
        self.reveal_button.clicked.connect(self.reveal)
        self.feedback = QLabel(self)
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.TextFormat.RichText)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.answer, 1)
        row.addWidget(self.check_button)
        row.addWidget(self.reveal_button)
        self._asking = QWidget(self)
        asking = QVBoxLayout(self._asking)
        asking.setContentsMargins(0, 0, 0, 0)
        asking.addWidget(self.question)
        asking.addLayout(row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._asking)
        layout.addWidget(self.feedback)
        self._asking.hide()
        self.feedback.hide()
        self.hide()
        player.held.connect(self.ask)
        player.was_reset.connect(self._clear)
        player.position_changed.connect(lambda _position: self.reveal_changed.emit())
        player.was_reset.connect(self.reveal_changed)

    @property
    def active(self) -> bool:
        return self._active

    def set_active(self, on: bool) -> None:
        self._active = bool(on)
        self.player.set_hold_before(self.should_hold if self._active else None)
        if not self._active:
            self._clear()
        self.reveal_changed.emit()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme

    @property
    def keeps_secrets(self) -> bool:
        return self._kept

    def keep_secrets(self, on: bool) -> None:
        """Hide every gradient the animation has not shown yet, without asking or holding.

        For a question asked elsewhere (a lesson step's prediction): the views stay quiet
        about gradients until the asker lets go or the animation reveals them.
        """
        if bool(on) != self._kept:
            self._kept = bool(on)
            self.reveal_changed.emit()

    def hides_gradient(self, node_id: str | None) -> bool:
        """True while predicting and the animation has not yet revealed this node's gradient.

        Every view that could give the answer away (the nudge check, the paths, the chain
        product, the plot's slope) asks this; the canvas hides it through the frame already.
        """
        player = self.player
        if not (self._active or self._kept) or node_id is None or player.is_idle:
            return False
        return node_id in player.frame.grads

    def should_hold(self, k: int) -> bool:
        """Hold before the step that completes a node's gradient (outside expanded bodies:
        the question is asked of the graph's own nodes)."""
        step = self.player.timeline.step(k)
        return isinstance(step, BackwardStep) and step.final and not body_step(step)

    def expected(self) -> float:
        assert self.held_step is not None
        step = self.player.timeline.step(self.held_step)
        assert isinstance(step, BackwardStep)
        return step.grad_after

    def ask(self, k: int) -> None:
        timeline = self.player.timeline
        step = timeline.step(k)
        assert isinstance(step, BackwardStep)
        graph = timeline.evaluation.graph
        out, src = output_label(timeline.evaluation), label(graph, step.edge.source)
        self.held_step = k
        several = timeline.term_count.get(step.edge.source, 1) > 1
        hint = " (all its contributions added up)" if several else ""
        self.question.setText(f"Predict: what is {derivative(out, src)}{hint}? Type it and press Enter.")
        self.answer.clear()
        self._asking.show()
        self.show()
        self.answer.setFocus()

    def submit(self) -> Verdict | None:
        if self.held_step is None:
            return None
        verdict = check_prediction(self.answer.text(), self.expected())
        if verdict.guess is None:
            self._say(f"<i>{verdict.message}</i>")
            return verdict
        mark = "✓" if verdict.correct else "✗"
        self._finish(f"<b>{mark} {verdict.message}</b>")
        self.answered.emit(verdict)
        return verdict

    def reveal(self) -> None:
        if self.held_step is not None:
            self._finish("<b>Here it is:</b>")

    def _finish(self, head: str) -> None:
        k = self.held_step
        assert k is not None
        lines = describe_step(self.player.timeline, k).numbers
        self._say("<br>".join([head, *(line.html(self._theme) for line in lines)]))
        self.held_step = None
        self._asking.hide()
        self.player.release()

    def position_moved(self, position: int) -> None:
        """The learner went elsewhere (scrubbed, stepped back): the question no longer applies."""
        if self.held_step is not None and position != self.held_step:
            self.held_step = None
            self._asking.hide()
            if self.feedback.isHidden():
                self.hide()

    def _say(self, text: str) -> None:
        self.feedback.setText(text)
        self.feedback.show()
        self.show()

    def _clear(self) -> None:
        self.held_step = None
        self._asking.hide()
        self.feedback.hide()
        self.hide()
