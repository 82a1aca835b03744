"""Player: plays the engine's trace on the canvas, one edge at a time, forward and back.

The logical state is only ever set by going to a position ``n`` (``seek``): the player
asks :class:`~explorer.animation.frames.Timeline` for the frame at ``n`` and applies to
the scene only what differs from what it applied last. Between two positions a
``QVariantAnimation`` moves the pulse dot along the step's edge(s); it never changes
logical state, and the next position is committed when the dot arrives, so a value or a
gradient appears exactly when its pulse gets there.

When no animation is running (at start-up and after any edit) the player is *idle*: it
clears its overrides so the canvas shows the live evaluation, keeping only the optional
overlays (forward-mode tangents, gears widths, a highlighted path). Any edit to the
graph stops play and returns to idle; the trace is rebuilt lazily from the new
evaluation.

Imports: PySide6.QtCore, explorer.document (type only), explorer.graph, explorer.theme.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, QVariantAnimation, Signal

from explorer.animation.frames import Frame, Timeline, idle_frame, product_text
from explorer.animation.scene_api import EdgeItemLike, NodeItemLike, SceneLike
from explorer.animation.wording import fmt, label
from explorer.graph.engine import Evaluation
from explorer.graph.model import Edge
from explorer.graph.trace import BackwardStep, ForwardStep

if TYPE_CHECKING:
    from explorer.document.document import GraphDocument

DEFAULT_SPEED = 1.0  # steps per second
MIN_SPEED, MAX_SPEED = 0.05, 1000.0
PULSE_SHARE = 0.7  # of each step's time the dot travels; the rest it rests on the result
MIN_WIDTH, MAX_WIDTH = 0.35, 4.0  # gears view: edge width scale for |contribution| 0 .. max


def gear_widths(evaluation: Evaluation) -> dict[Edge, float]:
    """Edge width scale proportional to |contribution| (the strongest path stands out).

    Edges out of constants are drawn thinnest: the trace leaves them out, as nobody asks
    how the output moves when the number 2 moves.
    """
    program = evaluation.program
    contributions = {
        edge: (c if program.varies[program.index[edge.source]] else 0.0)
        for edge, c in evaluation.contributions.items()
    }
    finite = [abs(c) for c in contributions.values() if math.isfinite(c)]
    top = max(finite, default=0.0)
    widths: dict[Edge, float] = {}
    for edge, c in contributions.items():
        if not math.isfinite(c):
            widths[edge] = 1.0
        elif top == 0.0:
            widths[edge] = MIN_WIDTH
        else:
            widths[edge] = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * abs(c) / top
    return widths


class Player(QObject):
    """Plays ``document.evaluation.trace`` on ``scene``; ``seek(n)`` sets the state."""

    position_changed = Signal(int)
    playing_changed = Signal(bool)
    speed_changed = Signal(float)
    finished = Signal()  # play reached the end of the trace
    held = Signal(int)  # stopped before step k because the hold predicate asked (predict mode)
    was_reset = Signal()  # the graph changed: back to the live view, new trace

    def __init__(self, document: GraphDocument, scene: SceneLike, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.scene = scene
        self._timeline: Timeline | None = None
        self._position = 0
        self._idle = True
        self._playing = False
        self._speed = DEFAULT_SPEED
        self.animate_steps = True  # False: steps commit at once (no travelling dot)
        self._hold_before: Callable[[int], bool] | None = None
        self._pass_gate: int | None = None
        self._resume_after_hold = False
        self._tangent_input: str | None = None
        self._tangent_cache: tuple[Evaluation, str, dict[str, float]] | None = None
        self._gears = False
        self._widths: dict[Edge, float] = {}
        self._highlight_nodes: frozenset[str] = frozenset()
        self._highlight_edges: frozenset[Edge] = frozenset()
        self._frame = Frame(-1)  # the logical frame (without highlight)
        self._applied = Frame(-1)  # what the scene currently shows
        self._transition: int | None = None  # step whose pulse is travelling
        self._pulse = QVariantAnimation(self)
        self._pulse.setStartValue(0.0)
        self._pulse.setEndValue(1.0)
        self._pulse.valueChanged.connect(self._move_pulse)
        self._pulse.finished.connect(self._arrive)
        self._rest = QTimer(self)
        self._rest.setSingleShot(True)
        self._rest.timeout.connect(self._advance)
        document.evaluated.connect(self._on_evaluated)
        document.graph_reset.connect(self._forget_items)
        document.expansion_changed.connect(self.reset)  # a call opened or closed: new steps

    # ------------------------------------------------------------------ state
    @property
    def timeline(self) -> Timeline:
        """The current evaluation's trace, prepared for seeking (built on first use)."""
        evaluation = self.document.evaluation
        expanded = frozenset(getattr(self.document, "expanded", ()))
        timeline = self._timeline
        if timeline is None or timeline.evaluation is not evaluation or timeline.expanded != expanded:
            timeline = self._timeline = Timeline(evaluation, expanded)
        return timeline

    @property
    def count(self) -> int:
        return self.timeline.count

    @property
    def position(self) -> int:
        """Steps done; when idle (live view), the end of the trace."""
        return self.count if self._idle else self._position

    @property
    def is_idle(self) -> bool:
        return self._idle

    @property
    def is_playing(self) -> bool:
        return self._playing

    @property
    def in_transition(self) -> bool:
        return self._transition is not None

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def forward_count(self) -> int:
        return self.timeline.forward_count

    @property
    def frame(self) -> Frame:
        """The frame currently applied to the scene (highlight included)."""
        return self._applied

    # ------------------------------------------------------------------ transport
    def seek(self, n: int) -> None:
        """Show position ``n`` (clamped to 0..count): the one way logical state is set."""
        self._set_playing(False)
        self._stop_motion()
        self._go(n)

    def step_forward(self) -> None:
        """Take the next step: its pulse travels, then the result appears.

        Every press counts: one that comes while a pulse is still travelling finishes
        that step at once and sends the next step's pulse (three quick presses, three steps).
        """
        self._set_playing(False)
        if self._transition is not None:  # impatient: finish the step in flight at once
            k = self._transition
            self._stop_motion()
            self._go(k + 1)
        elif self._idle:
            self._go(0)
        self._begin(self._position)

    def step_back(self) -> None:
        """Go back one step, restoring exactly the earlier state."""
        self._set_playing(False)
        in_flight = self._transition is not None
        self._stop_motion()
        if self._idle:
            self._go(self.count - 1)
        elif in_flight:
            self._go(self._position)  # the step in flight is simply not taken
        else:
            self._go(self._position - 1)

    def play(self) -> None:
        if self._playing or self.count == 0:
            return
        if self._idle or self._position >= self.count:
            self._stop_motion()
            self._go(0)
        self._set_playing(True)
        if self._transition is None:
            self._advance()

    def pause(self) -> None:
        self._set_playing(False)
        self._stop_motion()

    def toggle_play(self) -> None:
        if self._playing:
            self.pause()
        else:
            self.play()

    def to_start(self) -> None:
        self.seek(0)

    def to_forward_end(self) -> None:
        self.seek(self.forward_count)

    def to_backward_end(self) -> None:
        self.seek(self.count)

    def set_speed(self, steps_per_second: float) -> None:
        speed = min(MAX_SPEED, max(MIN_SPEED, float(steps_per_second)))
        if speed != self._speed:
            self._speed = speed
            self.speed_changed.emit(speed)

    def reset(self) -> None:
        """Stop and return to the live view (called after every edit)."""
        self._set_playing(False)
        self._stop_motion()
        self._idle = True
        self._timeline = None
        self._highlight_nodes, self._highlight_edges = frozenset(), frozenset()
        self._refresh()
        self.was_reset.emit()
        self.position_changed.emit(self.position)

    # ------------------------------------------------------------------ predict mode
    def set_hold_before(self, predicate: Callable[[int], bool] | None) -> None:
        """Play and step_forward stop before step ``k`` when ``predicate(k)``; emits ``held(k)``."""
        self._hold_before = predicate

    def release(self) -> None:
        """Take the held step now (its pulse travels), and resume play if it was playing."""
        self._pass_gate = self._position
        if self._resume_after_hold:
            self._resume_after_hold = False
            self.play()
        else:
            self.step_forward()

    # ------------------------------------------------------------------ overlays
    def set_forward_mode(self, input_id: str | None) -> None:
        """Show tangents d(node)/d(input) on every node (None: off)."""
        self._tangent_input = input_id
        self._refresh()

    @property
    def forward_mode_input(self) -> str | None:
        return self._tangent_input

    def set_gears(self, on: bool) -> None:
        """Edge width in proportion to |contribution|."""
        self._gears = bool(on)
        self._apply_widths()

    @property
    def gears(self) -> bool:
        return self._gears

    def set_highlight(self, nodes: Iterable[str] = (), edges: Iterable[Edge] = ()) -> None:
        """Emphasise one path ("path"); empty arguments clear it."""
        self._highlight_nodes, self._highlight_edges = frozenset(nodes), frozenset(edges)
        self._apply(self._frame)

    # ------------------------------------------------------------------ internals
    def _set_playing(self, playing: bool) -> None:
        if not playing:
            self._rest.stop()
        if playing != self._playing:
            self._playing = playing
            self.playing_changed.emit(playing)

    def _stop_motion(self) -> None:
        self._rest.stop()
        self._transition = None
        self._pulse.stop()  # stop() does not emit finished
        self.scene.set_pulse(None, 0.0, False, "")

    def _go(self, n: int) -> None:
        timeline = self.timeline
        self._idle = False
        self._position = timeline.clamp(n)
        self._apply(self._logical_frame())
        self.position_changed.emit(self._position)

    def _begin(self, k: int) -> bool:
        """Start step ``k`` (position k -> k+1). False when at the end or held."""
        if k >= self.count:
            return False
        gate, self._pass_gate = self._pass_gate, None
        if self._hold_before is not None and gate != k and self._hold_before(k):
            self._resume_after_hold = self._playing
            self._set_playing(False)
            self.held.emit(k)
            return False
        if not self.animate_steps:
            self._go(k + 1)
            self._after_step()
            return True
        self._transition = k
        self._pulse.setDuration(max(1, round(PULSE_SHARE * 1000.0 / self._speed)))
        self._pulse.start()
        return True

    def show_pulse(self, k: int, t: float) -> None:
        """Draw step ``k``'s dot at progress ``t`` in [0, 1] without changing the logical state.

        A forward step sends one dot per operand edge, one after the other; a backward
        step sends one dot against the arrow carrying ``upstream × local = contribution``.
        (Used by the transition animation; also by exports that render frames.)
        """
        step = self.timeline.step(k)
        t = min(1.0, max(0.0, float(t)))
        if isinstance(step, ForwardStep):
            m = len(step.edges)
            if m == 0:
                self.scene.set_pulse(None, 0.0, False, "")
                return
            i = min(int(t * m), m - 1)
            self.scene.set_pulse(step.edges[i], t * m - i, False, fmt(step.operand_values[i]))
        elif isinstance(step, BackwardStep):
            text = product_text(step.upstream, step.local, step.contribution)
            self.scene.set_pulse(step.edge, t, True, text)
        else:
            self.scene.set_pulse(None, 0.0, False, "")

    def _move_pulse(self, value: Any) -> None:
        if self._transition is not None:
            self.show_pulse(self._transition, float(value))

    def _arrive(self) -> None:
        k = self._transition
        if k is None:
            return
        self._transition = None
        self.scene.set_pulse(None, 0.0, False, "")
        self._go(k + 1)
        self._after_step()

    def _after_step(self) -> None:
        if not self._playing:
            return
        if self._position >= self.count:
            self._set_playing(False)
            self.finished.emit()
        else:
            rest = (1.0 - PULSE_SHARE) if self.animate_steps else 1.0
            self._rest.start(max(0, round(rest * 1000.0 / self._speed)))

    def _advance(self) -> None:
        if not self._playing:
            return
        if self._position >= self.count:
            self._set_playing(False)
            self.finished.emit()
            return
        self._begin(self._position)

    def _tangents(self) -> tuple[Mapping[str, float] | None, str]:
        nid = self._tangent_input
        evaluation = self.document.evaluation
        if nid is None or nid not in evaluation.program.index or evaluation.graph.node(nid).op != "input":
            return None, ""
        cache = self._tangent_cache
        if cache is None or cache[0] is not evaluation or cache[1] != nid:
            cache = (evaluation, nid, evaluation.tangents(nid))
            self._tangent_cache = cache
        return cache[2], label(evaluation.graph, nid)

    def _logical_frame(self) -> Frame:
        tangents, name = self._tangents()
        if self._idle:
            return idle_frame(self.document.evaluation, tangents, name)
        return self.timeline.frame(self._position, tangents, name)

    def _refresh(self) -> None:
        self._apply(self._logical_frame())
        self._apply_widths()

    def _apply(self, frame: Frame) -> None:
        self._frame = frame
        if self._highlight_nodes or self._highlight_edges:
            nodes = dict(frame.node_emphasis)
            nodes.update(dict.fromkeys(self._highlight_nodes, "path"))
            edges = dict(frame.edge_emphasis)
            edges.update(dict.fromkeys(self._highlight_edges, "path"))
            frame = dataclasses.replace(frame, node_emphasis=nodes, edge_emphasis=edges)
        old = self._applied
        node, edge = self._node_item, self._edge_item
        _diff(old.values, frame.values, node, "set_value_override")
        _diff(old.grads, frame.grads, node, "set_grad_override")
        _diff(old.node_emphasis, frame.node_emphasis, node, "set_emphasis")
        _diff(old.tangents, frame.tangents, node, "set_tangent_text")
        _diff(old.captions, frame.captions, edge, "set_caption")
        _diff(old.edge_emphasis, frame.edge_emphasis, edge, "set_emphasis")
        self._applied = frame

    def _apply_widths(self) -> None:
        new = gear_widths(self.document.evaluation) if self._gears else {}
        old = self._widths
        for e in old.keys() - new.keys():
            item = self._edge_item(e)
            if item is not None:
                item.set_width_scale(1.0)
        for e, w in new.items():
            if old.get(e) != w:
                item = self._edge_item(e)
                if item is not None:
                    item.set_width_scale(w)
        self._widths = new

    def _node_item(self, node_id: str) -> NodeItemLike | None:
        try:
            return self.scene.node_item(node_id)
        except LookupError:  # the node was just removed; its item is gone
            return None

    def _edge_item(self, edge: Edge) -> EdgeItemLike | None:
        try:
            return self.scene.edge_item(edge)
        except LookupError:
            return None

    def _on_evaluated(self, _evaluation: object) -> None:
        self.reset()

    def _forget_items(self) -> None:
        """A whole new graph: the scene rebuilds its items, so nothing we set survives."""
        self._applied = Frame(-1)
        self._widths = {}


def _diff(
    old: Mapping[Any, str], new: Mapping[Any, str], item_for: Callable[[Any], Any], setter: str
) -> None:
    """Call ``setter`` only where the text changed; keys that disappear get ``None``."""
    for key, text in new.items():
        if old.get(key) != text:
            item = item_for(key)
            if item is not None:
                getattr(item, setter)(text)
    for key in old.keys() - new.keys():
        item = item_for(key)
        if item is not None:
            getattr(item, setter)(None)
