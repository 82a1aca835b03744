"""The window's function commands: Group as Function, Ungroup, Expand/Collapse, reuse.

Select the nodes of ``2x + 1`` and press Ctrl+G: they become one box ``g`` whose edge is
labelled ``dg/dx = 2``; the nodes feeding the selection from outside become its
parameters. Ctrl+Shift+G ungroups, Ctrl+Shift+X shows the box's body in place (values and
gradients live) or hides it again. Every step is one undo step in the document. The
document's functions are listed in the palette and the quick-add search, for reuse.

Imports: PySide6, explorer.app (window type only), explorer.canvas, explorer.graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu

from explorer.app.actions import _action
from explorer.graph.functions import name_problem
from explorer.graph.model import GraphError

if TYPE_CHECKING:
    from explorer.app.window import MainWindow


class FunctionActions(QObject):
    """Owns the three actions and keeps the palette and quick add in step with the library."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        w = window
        group_tip = "Make the selected nodes one function; what feeds them becomes its parameters"
        self.group = _action(
            w, "group_function", "&Group as Function…", self.group_selection, ("Ctrl+G",), group_tip
        )
        ungroup_tip = "Replace the selected function box by its body"
        self.ungroup = _action(
            w, "ungroup_function", "&Ungroup Function", self.ungroup_selection, ("Ctrl+Shift+G",), ungroup_tip
        )
        expand_tip = "Show the selected function's body in place, or hide it"
        self.expand = _action(
            w,
            "expand_function",
            "&Expand/Collapse Function",
            self.toggle_expanded,
            ("Ctrl+Shift+X",),
            expand_tip,
        )
        edit = next((a.menu() for a in w.menuBar().actions() if a.text().replace("&", "") == "Edit"), None)
        if isinstance(edit, QMenu):
            edit.addSeparator()
            edit.addActions([self.group, self.ungroup, self.expand])
        document = w.document
        document.functions_changed.connect(self._library_changed)
        document.graph_reset.connect(self._library_changed)
        w.scene.selection_changed_ids.connect(self._selection_changed)
        document.undo_stack.indexChanged.connect(
            lambda _i: self._selection_changed(w.scene.selected_node_ids())
        )
        self._library_changed()
        self._selection_changed([])

    # ------------------------------------------------------------------ actions
    def group_selection(self, name: str | None = None) -> str | None:
        """Group the selected nodes; asks for a name unless one is given. Returns the call id."""
        w = self.window
        ids = w.scene.selected_node_ids()
        if name is None:
            taken = {f.name for f in w.document.graph.functions}
            suggestion = next(
                n for n in ("g", "f", "k", "u", "v", *(f"fn{i}" for i in range(1, 999))) if n not in taken
            )
            text, ok = QInputDialog.getText(
                w, "Group as Function", "Name of the new function:", QLineEdit.EchoMode.Normal, suggestion
            )
            if not ok:
                return None
            name = text.strip()
        problem = name_problem(name)
        if problem:
            w._status(f"cannot group: {problem}")
            return None
        try:
            call = w.document.group_as_function(ids, name)
        except GraphError as error:
            w._status(f"cannot group: {error}")
            return None
        w.scene.select_nodes([call])
        return call

    def ungroup_selection(self) -> None:
        w = self.window
        calls = [nid for nid in w.scene.selected_node_ids() if w.document.graph.node(nid).op == "call"]
        for call in calls[:1]:
            try:
                added = w.document.ungroup(call)
            except GraphError as error:
                w._status(f"cannot ungroup: {error}")
                return
            w.scene.select_nodes(added)

    def toggle_expanded(self) -> None:
        w = self.window
        for nid in w.scene.selected_node_ids():
            if w.document.graph.node(nid).op == "call":
                w.document.set_expanded(nid, nid not in w.document.expanded)

    # ------------------------------------------------------------------ state
    def _selection_changed(self, ids: list[str]) -> None:
        graph = self.window.document.graph
        ids = [nid for nid in ids if nid in graph]
        calls = [nid for nid in ids if graph.node(nid).op == "call"]
        self.group.setEnabled(any(not graph.node(nid).is_leaf for nid in ids))
        self.ungroup.setEnabled(len(calls) == 1)
        self.expand.setEnabled(bool(calls))

    def _library_changed(self) -> None:
        functions = [(f.name, f.signature) for f in self.window.document.graph.functions]
        self.window.palette.set_functions(functions)
        self.window.view.quick_add.functions = functions
