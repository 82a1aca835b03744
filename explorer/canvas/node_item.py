"""NodeItem: one node drawn as a card, ports included, in a single graphics item.

A dumb view: the scene calls setters (``set_node``, ``set_numbers``, ``set_errors`` …) and
the item only remembers what to draw; painting lives in :mod:`explorer.canvas.node_paint`.
There are no child items: at a thousand nodes, child text items and their bookkeeping
cost more than the drawing itself.

Two rules keep a frame where every number changes cheap:

* ``set_numbers`` stores floats and neither formats nor asks for a repaint; the string is
  made in ``paint()`` the first time the new number is drawn, so only *visible* cards
  format text. The scene asks the views for one full repaint per evaluation.
* Nothing calls back into Python on geometry changes (no ``itemChange`` override): the
  scene moves the edges itself, so building a thousand cards stays cheap.

A constant is drawn as a compact pill (its number and its output port) at the right of
the card's place, so links and the layout are the same as for a card.

Imports: PySide6, explorer.graph.ops, explorer.canvas.style / node_paint.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneHoverEvent

from explorer.canvas import style as st
from explorer.canvas.node_chrome import BADGE_RADIUS, CARD_PATH
from explorer.canvas.node_paint import NodePainting
from explorer.canvas.style import CanvasStyle
from explorer.graph.ops import LEAF_OPS, OPS, Op

if TYPE_CHECKING:
    from explorer.canvas.backdrop import Backdrop

EMPHASIS_KINDS = frozenset({"active", "done", "path", "dim"})
_FLAGS = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
_SHAPES: dict[tuple[int, float], QPainterPath] = {}


def _shape(arity: int, pill: QRectF | None) -> QPainterPath:
    """The card (or pill) plus a generous disc around every port, so ports are easy to hit."""
    key = (arity, -1.0 if pill is None else pill.width())
    path = _SHAPES.get(key)
    if path is None:
        if pill is None:
            path = QPainterPath(CARD_PATH)
        else:
            path = QPainterPath()
            path.addRoundedRect(pill, st.PILL_HEIGHT / 2.0, st.PILL_HEIGHT / 2.0)
        r = st.PORT_HIT_RADIUS
        for point in [st.OUTPUT_PORT, *(st.input_port(k, arity) for k in range(arity))]:
            disc = QPainterPath()
            disc.addEllipse(point, r, r)
            path = path.united(disc)
        _SHAPES[key] = path
    return path


class NodeItem(NodePainting, QGraphicsItem):
    """A node card. ``node_id`` is the only link to the model; the scene does the rest."""

    # Defaults live on the class: a thousand cards are built faster when each instance
    # only stores what differs.
    _op = "input"
    _arity = 0
    _name = ""
    _title = ""
    _symbol = ""
    _spec: Op = OPS["input"]
    _tag = ""
    _header: tuple[str, str, float, float] | None = None
    _value = math.nan
    _grad = math.nan
    _varies = True
    _value_wide = False
    _grad_wide = False
    _pill_width = 0.0
    _value_str: str | None = None
    _grad_str: str | None = None
    _value_x = 0.0
    _grad_x = 0.0
    _value_override: str | None = None
    _grad_override: str | None = None
    _tangent: str | None = None
    _emphasis: str | None = None
    _output = False
    _errors: tuple[str, ...] = ()
    _notes: tuple[str, ...] = ()
    _out_connected = False
    _hover: tuple[str, int] | None = None
    _port_mark: tuple[int, bool] | None = None  # (slot, or -1 for the output; acceptable)
    backdrop: Backdrop | None = None  # draws the card when zoomed far out

    def __init__(self, node_id: str, style: CanvasStyle) -> None:
        super().__init__()
        self.node_id = node_id
        self._style = style
        self._in_connected: list[bool] = []
        self.setFlags(_FLAGS)
        self.setAcceptHoverEvents(True)
        self.setZValue(1.0)

    def _changed(self) -> None:
        """Repaint after a change that also shows zoomed far out (drawn by the backdrop)."""
        self.update()
        backdrop = self.backdrop
        if backdrop is not None and backdrop.far:
            backdrop.invalidate(self.sceneBoundingRect())

    # ------------------------------------------------------------------ setters (the scene calls these)
    def set_style(self, style: CanvasStyle) -> None:
        self._style = style
        self._header = None
        self._value_str = self._grad_str = None
        self.update()

    def set_node(self, op: str, name: str, spec: Op | None = None) -> None:
        """What the node is: its op and its name (``spec``: a function call's own op)."""
        spec = spec or OPS[op]
        if op == self._op and name == self._name and self._symbol and spec is self._spec:
            return  # the document says "changed" for value edits too: nothing to redraw here
        self._spec = spec
        if spec.arity != self._arity or len(self._in_connected) != spec.arity:
            self.prepareGeometryChange()
            self._arity = spec.arity
            self._in_connected = [False] * spec.arity
        pill = op == "const"
        if pill != (self._op == "const") or (pill and name != self._name):
            self._value_str = self._grad_str = None
            self.prepareGeometryChange()
        self._op, self._name, self._symbol = op, name, spec.symbol
        if op in LEAF_OPS:
            self._title = name or ("input" if op == "input" else "constant")
            self._tag = ("INPUT" if op == "input" else "CONST") if name else ""
        else:
            same = spec.title.lower() == spec.symbol.lower()
            self._title = name or ("" if same else spec.title)
            self._tag = ""
        self._header = None
        self._changed()

    def set_numbers(self, value: float, grad: float) -> None:
        """New evaluation numbers. Cheap on purpose: no formatting, no repaint request."""
        if value != self._value and (value == value or self._value == self._value):
            self._value = value
            self._value_str = None
            if self._op == "const":
                self._value_changed_size()
        if grad != self._grad and (grad == grad or self._grad == self._grad):
            self._grad = grad
            self._grad_str = None

    def _value_changed_size(self) -> None:
        """A constant's pill is as wide as its number: its shape follows."""
        old = self._pill_width
        self._format_numbers()
        if self._pill_width != old:
            self._changed()

    def set_varies(self, varies: bool) -> None:
        """Whether the node depends on some input; one that does not shows no gradient."""
        if varies != self._varies:
            self._varies = varies
            self._grad_str = None
            self.update()

    @property
    def varies(self) -> bool:
        return self._varies

    @property
    def has_gradient(self) -> bool:
        """Whether the card shows a gradient (constants and input-free nodes do not)."""
        return self._varies and not self.is_pill

    def set_output(self, is_output: bool) -> None:
        if is_output != self._output:
            self._output = is_output
            self._changed()

    def set_errors(self, messages: tuple[str, ...], notes: tuple[str, ...] = ()) -> None:
        """Domain problems at this node turn the card red, with the reasons in the tooltip;
        ``notes`` (e.g. "operand 2 is not connected") only go into the tooltip."""
        if messages != self._errors or notes != self._notes:
            self._errors, self._notes = messages, notes
            self._changed()

    def set_input_connected(self, slot: int, connected: bool) -> None:
        if 0 <= slot < len(self._in_connected) and self._in_connected[slot] != connected:
            self._in_connected[slot] = connected
            self.update()

    def set_output_connected(self, connected: bool) -> None:
        if connected != self._out_connected:
            self._out_connected = connected
            self.update()

    def set_port_mark(self, mark: tuple[int, bool] | None) -> None:
        """Highlight a port while a link is dragged: (slot, ok); slot -1 is the output."""
        if mark != self._port_mark:
            self._port_mark = mark
            self.update()

    # -- display overrides for the animation (None = the evaluation's own number)
    def set_value_override(self, text: str | None) -> None:
        if text != self._value_override:
            self._value_override = text
            self._value_str = None
            if self._op == "const":
                self._value_changed_size()
            self.update()
            self._update_children()

    def set_grad_override(self, text: str | None) -> None:
        if text != self._grad_override:
            self._grad_override = text
            self._grad_str = None
            self.update()
            self._update_children()

    @property
    def overrides(self) -> tuple[str | None, str | None]:
        """What the animation shows instead of the value and the gradient (None: the number)."""
        return self._value_override, self._grad_override

    def _update_children(self) -> None:
        for child in self.childItems():  # an expanded function's frame shows the same state
            child.update()

    def set_emphasis(self, kind: str | None) -> None:
        """One of "active", "done", "path", "dim", or None for normal."""
        if kind is not None and kind not in EMPHASIS_KINDS:
            raise ValueError(f"unknown emphasis {kind!r}")
        if kind != self._emphasis:
            self._emphasis = kind
            self._changed()

    def set_tangent_text(self, text: str | None) -> None:
        """A line under the card in the tangent colour (forward mode), None to hide."""
        if text != self._tangent:
            self._tangent = text
            self.update()

    # ------------------------------------------------------------------ state (for the scene and tests)
    @property
    def op(self) -> str:
        return self._op

    @property
    def name(self) -> str:
        return self._name

    @property
    def title(self) -> str:
        return self._title

    @property
    def is_leaf(self) -> bool:
        return self._op in LEAF_OPS

    @property
    def is_output(self) -> bool:
        return self._output

    @property
    def has_error(self) -> bool:
        return bool(self._errors)

    @property
    def errors(self) -> tuple[str, ...]:
        return self._errors

    @property
    def emphasis(self) -> str | None:
        return self._emphasis

    @property
    def tangent_text(self) -> str | None:
        return self._tangent

    def input_connected(self, slot: int) -> bool:
        return self._in_connected[slot]

    def title_text(self) -> str:
        """The title exactly as the card's header shows it (elided to fit, or "")."""
        return self._header_layout()[0]

    def value_text(self) -> str:
        """The value exactly as the card shows it."""
        self._format_numbers()
        return self._value_str or ""

    def grad_text(self) -> str:
        """The gradient as the card shows it ("" when it shows none: see ``has_gradient``)."""
        self._format_numbers()
        return self._grad_str or ""

    def tooltip_text(self) -> str:
        """Problems first, then what the op computes and its local derivatives."""
        spec = self._spec
        if self._op == "input":
            help_text = (
                f"Input {self._name or self.node_id}\n"
                "Drag the value sideways to scrub it (Shift: fine), double-click to type."
            )
        elif self._op == "const":
            help_text = (
                "Constant: no input moves it, so it has no gradient.\n"
                "Drag the value sideways to scrub it, double-click to type."
            )
        else:
            help_text = "\n".join([f"{spec.title}: {spec.expression}", *spec.formulas])
            if not self._varies:
                help_text += "\nDepends on no input, so it has no gradient."
        problems = self._errors + self._notes
        return "\n".join(problems) + "\n\n" + help_text if problems else help_text

    # ------------------------------------------------------------------ geometry
    def input_port_pos(self, slot: int) -> QPointF:
        """Scene position of operand port ``slot``."""
        return self.mapToScene(st.input_port(slot, self._arity))

    def output_port_pos(self) -> QPointF:
        return self.mapToScene(st.OUTPUT_PORT)

    def output_port_xy(self) -> tuple[float, float]:
        """Scene position of the output port as numbers (cheaper than a QPointF)."""
        return self.x() + st.WIDTH, self.y() + st.BODY_MID

    def input_port_xy(self, slot: int) -> tuple[float, float]:
        return self.x(), self.y() + st.input_port_y(slot, self._arity)

    def value_rect(self) -> QRectF:
        """The value row (a constant's pill) in scene coordinates: where scrubbing and
        double-click editing work."""
        return self.mapRectToScene(self.card_shape() if self.is_pill else st.VALUE_ROW)

    def header_rect(self) -> QRectF:
        """Where the name is (a constant's pill: where its name would be written)."""
        if self.is_pill:
            return self.mapRectToScene(self.card_shape())
        return self.mapRectToScene(QRectF(0.0, 0.0, st.WIDTH, st.HEADER))

    def operand_name_left(self, slot: int) -> float:
        """Scene x where operand ``slot``'s name begins (a link's chip stays left of it)."""
        return self.x() + self.operand_name_box(slot).left()

    def operand_name_rect(self, slot: int) -> QRectF:
        """Operand ``slot``'s name in scene coordinates."""
        return self.operand_name_box(slot).translated(self.pos())

    def occupied_rects(self) -> list[QRectF]:
        """The card and its operand names (scene coordinates): where no edge chip may sit."""
        names = (self.operand_name_rect(slot) for slot in range(self._arity))
        return [self.card_rect(), *(rect for rect in names if not rect.isEmpty())]

    def card_rect(self) -> QRectF:
        """The card (a constant's pill) in scene coordinates."""
        return self.mapRectToScene(self.card_shape())

    def hit_part(self, pos: QPointF) -> tuple[str, int]:
        """What is under ``pos`` (item coordinates): ("out", 0), ("in", slot), ("value", 0),
        ("header", 0), ("body", 0) or ("none", 0)."""
        r2 = st.PORT_HIT_RADIUS**2
        x, y = pos.x(), pos.y()
        out = st.OUTPUT_PORT
        if (x - out.x()) ** 2 + (y - out.y()) ** 2 <= r2:
            return ("out", 0)
        # The nearest port wins: a call's many ports are closer than their hit radius.
        near = [
            (x - p.x()) ** 2 + (y - p.y()) ** 2
            for p in (st.input_port(k, self._arity) for k in range(self._arity))
        ]
        if near and min(near) <= r2:
            return ("in", near.index(min(near)))
        if self.is_pill:
            return ("value", 0) if self.card_shape().contains(pos) else ("none", 0)
        if self._op in LEAF_OPS and st.VALUE_ROW.contains(pos):
            return ("value", 0)
        if st.CARD.contains(pos):
            return ("header", 0) if y < st.HEADER else ("body", 0)
        return ("none", 0)

    def boundingRect(self) -> QRectF:
        return st.BOUNDS

    def shape(self) -> QPainterPath:
        path = _shape(self._arity, self.card_shape() if self.is_pill else None)
        if not self._errors:
            return path
        # The "!" badge straddles the card's corner: hovering or clicking any of it is the card.
        card = self.card_shape()
        badge = QPainterPath()
        badge.addEllipse(QPointF(card.right() - 4.0, card.top()), BADGE_RADIUS, BADGE_RADIUS)
        return path.united(badge)

    # ------------------------------------------------------------------ hover
    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        part = self.hit_part(event.pos())
        hover = part if part[0] in ("out", "in", "value") else None
        if hover != self._hover:
            self._hover = hover
            if hover is None:
                self.unsetCursor()
            elif hover[0] == "value":
                self.setCursor(Qt.CursorShape.SizeHorCursor)
            else:
                self.setCursor(Qt.CursorShape.CrossCursor)
            self.update()

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        if self._hover is not None:
            self._hover = None
            self.unsetCursor()
            self.update()
