"""Where a red node's reason is found: the status-bar problem count and the inspector's wording.

The count ("⚠ 1 problem") is a button: each click selects the next node with a problem,
brings it into view, raises the inspector and says the reason in the status bar, so the
reason is one click away from wherever the user is looking. The card's own tooltip (and its
"!" badge, part of the card) say the same words; see ``NodeItem.tooltip_text``.

:func:`local_reason` replaces "1/a = undefined" in the inspector by why the local
derivative has no value here ("the log's operand a = −1 is ≤ 0").

Imports: PySide6, explorer.graph, explorer.theme.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QToolButton, QWidget

from explorer.graph.engine import Diagnostic, Evaluation
from explorer.graph.model import Graph
from explorer.theme import Theme, format_number

# Why an op's local derivative has no value, given the operand values (None: it has one).
_WHY: dict[str, Callable[[list[float]], str | None]] = {
    "log": lambda v: "the log's operand {0} is ≤ 0" if v[0] <= 0.0 else None,
    "sqrt": lambda v: "the square root's operand {0} is ≤ 0" if v[0] <= 0.0 else None,
    "div": lambda v: "the divisor {1} is 0" if v[1] == 0.0 else None,
    "pow": lambda v: (
        "the base {0} is negative and the exponent {1} is not a whole number"
        if v[0] < 0.0 and not float(v[1]).is_integer()
        else "the base {0} is 0 and the exponent {1} is not positive"
        if v[0] == 0.0 and v[1] <= 0.0
        else None
    ),
}


def local_reason(graph: Graph, ev: Evaluation, node_id: str) -> str | None:
    """Why the local derivatives of ``node_id`` are undefined at the current values, in words.

    None when they are defined, or when the cause is upstream (then an operand is itself
    undefined and the reason says which).
    """
    node = graph.node(node_id)
    names, values = [], []
    for source in node.operands:
        if source is None or source not in ev.program.index:
            return None
        names.append(graph.display_name(source))
        values.append(ev.value_of(source))
    for name, value in zip(names, values, strict=True):
        if math.isnan(value):
            return f"{name} is undefined (a problem upstream)"
    why = _WHY.get(node.op)
    text = why(values) if why is not None else None
    if text is None:
        return None
    shown = [f"{name} = {format_number(value)}" for name, value in zip(names, values, strict=True)]
    return text.format(*shown)


class ProblemButton(QToolButton):
    """ "⚠ 2 problems" in the status bar; a click goes to the next node with a problem."""

    go_to = Signal(str, str)  # node id, the reason in one line

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemButton")
        self.setAutoRaise(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._problems: list[Diagnostic] = []
        self._next = 0
        self.clicked.connect(self._clicked)
        self.hide()

    @property
    def problems(self) -> list[Diagnostic]:
        return list(self._problems)

    def show_problems(self, ev: Evaluation, graph: Graph, theme: Theme) -> None:
        """One entry per node with a problem, in graph order; hidden when there are none."""
        seen: set[str] = set()
        problems = []
        for d in ev.diagnostics:
            if d.node_id in graph and d.node_id not in seen:
                seen.add(d.node_id)
                problems.append(d)
        if [(d.node_id, d.message) for d in problems] != [(d.node_id, d.message) for d in self._problems]:
            self._next = 0
        self._problems = problems
        count = len(problems)
        self.setVisible(bool(count))
        self.setText(f"⚠ {count} problem{'s' if count != 1 else ''}")
        self.setStyleSheet(f"QToolButton#problemButton {{ color: {theme.error}; font-weight: 600; }}")
        self.setToolTip("\n".join(d.message for d in problems[:8]) + "\n\nClick to show the node.")

    def _clicked(self) -> None:
        if not self._problems:
            return
        problem = self._problems[self._next % len(self._problems)]
        self._next = (self._next + 1) % len(self._problems)
        self.go_to.emit(problem.node_id, problem.message)
