"""Editing actions of the canvas: add, copy/paste, delete, rename, output, inline editors.

A mixin of :class:`~explorer.canvas.scene.GraphScene`, split out to keep the scene
readable. Each public action is what an application menu item calls; each makes exactly
one GraphDocument call (one undo step), or none and a ``message`` saying why.

Imports: PySide6, explorer.graph, explorer.io.format (via clipboard), explorer.canvas.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QGuiApplication

from explorer.canvas import style as st
from explorer.canvas.clipboard import graph_from_text, selection_text
from explorer.canvas.edge_item import EdgeItem
from explorer.canvas.editors import InlineEditor
from explorer.graph.model import Graph, GraphError
from explorer.graph.ops import OPS

if TYPE_CHECKING:
    from explorer.canvas.scene import GraphScene

PASTE_STEP = 30.0
FUNCTION_PREFIX = "fn:"  # how the palette and quick add name a call of a function


class SceneEditing:
    """The editing half of GraphScene (``self`` is always a GraphScene)."""

    def add_node_at(self: GraphScene, op: str, pos: QPointF) -> str:
        """Add an ``op`` node centred on ``pos``, select it; returns its id.

        ``fn:NAME`` adds a call of the document's function NAME (palette, quick add)."""
        if op.startswith(FUNCTION_PREFIX):
            corner = (round(pos.x() - st.WIDTH / 2.0), round(pos.y() - st.HEIGHT / 2.0))
            node_id = self.document.add_call(op[len(FUNCTION_PREFIX) :], (float(corner[0]), float(corner[1])))
            self.select_nodes([node_id])
            return node_id
        if op not in OPS:
            raise GraphError(f"unknown op {op!r}")
        name = self._fresh_input_name() if op == "input" else ""
        value = 1.0 if op in ("input", "const") else 0.0
        corner = (round(pos.x() - st.WIDTH / 2.0), round(pos.y() - st.HEIGHT / 2.0))
        node_id = self.document.add_node(op, name, value, (float(corner[0]), float(corner[1])))
        self.select_nodes([node_id])
        return node_id

    def _fresh_input_name(self: GraphScene) -> str:
        taken = {node.name for node in self.document.graph}
        for name in ("x", "y", "z", "w"):
            if name not in taken:
                return name
        k = 1
        while f"x{k}" in taken:
            k += 1
        return f"x{k}"

    def _selection_text(self: GraphScene) -> str:
        ids = self.selected_node_ids()
        if not ids:
            return ""
        positions = {nid: (self._nodes[nid].pos().x(), self._nodes[nid].pos().y()) for nid in ids}
        return selection_text(self.document.graph, ids, positions)

    def copy_selection(self: GraphScene) -> str:
        """The selection as graph-file JSON (also put on the clipboard); "" if nothing is selected."""
        text = self._selection_text()
        if text:
            self._last_copy = text
            self._paste_count = 0
            clipboard = QGuiApplication.clipboard()
            if clipboard is not None:
                clipboard.setText(text)
        return text

    def paste(self: GraphScene, text: str) -> list[str]:
        """Insert the graph in ``text`` (one undo step), select it; returns the new ids."""
        try:
            graph = graph_from_text(text)
        except GraphError as exc:
            self.message.emit(str(exc))
            return []
        if not len(graph):
            return []
        if text == self._last_copy:
            self._paste_count += 1
            step = PASTE_STEP * self._paste_count
            offset = (step, step)
        else:
            xs = [n.position[0] for n in graph if n.position is not None]
            ys = [n.position[1] for n in graph if n.position is not None]
            anchor = self.last_mouse_pos
            offset = (anchor.x() - min(xs, default=0.0), anchor.y() - min(ys, default=0.0))
        try:
            ids = self._insert(graph, offset, "Paste")
        except GraphError as exc:  # e.g. a different function of the same name is defined here
            self.message.emit(str(exc))
            return []
        self.select_nodes(ids)
        return ids

    def _insert(self: GraphScene, graph: Graph, offset: tuple[float, float], text: str) -> list[str]:
        """Add a copy of ``graph`` (names made unique), shifted by ``offset``; one undo step."""
        return self.document.insert_graph(graph, offset, text=text)

    def duplicate_selection(self: GraphScene) -> list[str]:
        text = self._selection_text()
        if not text:
            return []
        graph = graph_from_text(text)
        ids = self._insert(graph, (PASTE_STEP, PASTE_STEP), "Duplicate")
        self.select_nodes(ids)
        return ids

    def cut_selection(self: GraphScene) -> str:
        text = self.copy_selection()
        self.delete_selection()
        return text

    def delete_selection(self: GraphScene) -> None:
        """Delete the selected nodes, and disconnect selected links, as one undo step."""
        ids = self.selected_node_ids()
        doomed = set(ids)
        edges = [
            item.edge
            for item in self.selectedItems()
            if isinstance(item, EdgeItem) and not {item.edge.source, item.edge.target} & doomed
        ]
        if not ids and not edges:
            return
        stack = self.document.undo_stack
        macro = len(ids) + len(edges) > 1
        if macro:
            stack.beginMacro("Delete")
        try:
            # One node per call: see _insert for why not remove_nodes(ids) at once.
            for nid in ids:
                self.document.remove_nodes([nid])
            for edge in edges:
                self.document.unlink(edge.target, edge.slot)
        finally:
            if macro:
                stack.endMacro()

    def rename_selected(self: GraphScene) -> InlineEditor | None:
        ids = self.selected_node_ids()
        if not ids:
            self.message.emit("Select a node to rename it")
            return None
        return self.rename_node(ids[0])

    def set_selected_as_output(self: GraphScene) -> None:
        ids = self.selected_node_ids()
        if len(ids) != 1:
            self.message.emit("Select one node to make it the output")
            return
        self.document.set_output(ids[0])

    # ------------------------------------------------------------------ inline editors
    def edit_value(self: GraphScene, node_id: str) -> InlineEditor | None:
        """Open a field over the value of an input or constant."""
        node = self.document.graph.node(node_id)
        if not node.is_leaf:
            self.message.emit(f"{node.label!r} is computed; only inputs and constants hold a value")
            return None

        def commit(text: str) -> str | None:
            try:
                value = float(text.strip().replace(",", "."))
            except ValueError:
                return f"{text.strip()!r} is not a number"
            if not math.isfinite(value):
                return "the value must be a finite number"
            try:
                self.document.set_value(node_id, value)
            except GraphError as exc:
                return str(exc)
            return None

        item = self._nodes[node_id]
        rect = item.value_rect()
        if item.is_pill:  # room to type, centred on the pill as its number is
            centre = rect.center()
            rect.setWidth(max(rect.width(), 84.0))
            rect.moveCenter(centre)
        else:
            rect.setLeft(rect.left() + 36.0)
        editor = self._open_editor(rect, f"{node.value:.12g}", commit)
        if item.is_pill:
            editor.line_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return editor

    def rename_node(self: GraphScene, node_id: str) -> InlineEditor | None:
        """Open a field over the node's header to type a new name."""
        node = self.document.graph.node(node_id)

        def commit(text: str) -> str | None:
            try:
                self.document.rename(node_id, text)
            except GraphError as exc:
                return str(exc)
            return None

        item = self._nodes[node_id]
        if item.is_pill:  # a constant's name is written in its pill: room to type it
            rect = item.header_rect()
            rect.setLeft(min(rect.left(), rect.right() - 120.0))
        else:
            rect = item.header_rect().adjusted(6.0, 4.0, -6.0, -4.0)
        editor = self._open_editor(rect, node.name, commit)
        editor.line_edit.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return editor

    def _open_editor(
        self: GraphScene, rect: QRectF, text: str, commit: Callable[[str], str | None]
    ) -> InlineEditor:
        self._close_editor()
        editor = InlineEditor(rect, text, self._style, commit, self._editor_closed)
        self.addItem(editor)
        self._editor = editor
        editor.start()
        return editor

    def _editor_closed(self: GraphScene, editor: InlineEditor) -> None:
        if self._editor is editor:
            self._editor = None
        editor.hide()
        # Removing the proxy from inside its own key handler is unsafe: do it next turn.
        QTimer.singleShot(0, lambda: self._dispose_editor(editor))

    def _dispose_editor(self: GraphScene, editor: InlineEditor) -> None:
        if editor.scene() is self:
            self.removeItem(editor)
        editor.deleteLater()

    def _close_editor(self: GraphScene) -> None:
        if self._editor is not None:
            self._editor.commit() or self._editor.cancel()
