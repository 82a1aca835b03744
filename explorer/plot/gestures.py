"""Turning the panel's gestures into document edits: one undo step per drag.

A drag of x (the plot, the slider) is wrapped in ``begin_value_drag``/``end_value_drag``,
which merges its successive ``set_value`` calls on one node into a single undo step. A
drag of the heat map's point moves two inputs at once; the document merges only
same-node edits, so that drag is also wrapped in an undo macro. A refused value (the
document raises ``GraphError``) becomes a one-line message, never an exception in a
mouse handler.

Imports: PySide6 (via the document), explorer.document, explorer.graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from explorer.document.document import GraphDocument
from explorer.graph.model import GraphError


class ValueDrag:
    """Sets input values on a document, merging each drag into one undo step."""

    def __init__(self, document: GraphDocument, report: Callable[[str], None]) -> None:
        self._doc = document
        self._report = report
        self._active = False
        self._macro = False

    @property
    def active(self) -> bool:
        return self._active

    def begin(self, node_ids: Sequence[str], text: str = "") -> None:
        """Start a drag of one node (or of several together, named ``text`` in the history)."""
        if self._active:
            return
        self._active = True
        self._macro = len(node_ids) > 1
        if self._macro:
            self._doc.undo_stack.beginMacro(text or "Drag values")
        self._doc.begin_value_drag()

    def set(self, node_id: str, value: float) -> None:
        """A new value: part of the current drag, or its own undo step outside one."""
        try:
            self._doc.set_value(node_id, value)
        except GraphError as exc:
            self._report(str(exc))

    def end(self) -> None:
        if not self._active:
            return
        self._active = False
        self._doc.end_value_drag()
        if self._macro:
            self._macro = False
            self._doc.undo_stack.endMacro()
