"""The window's edit commands: clipboard, selection, layout, adding nodes, Build from expression.

A mixin of :class:`~explorer.app.window.MainWindow`, split from it so the window stays the
composition root. Each command is a thin call into the scene or the document, so every
edit is one undo step there; failures become a status-bar message, never an exception.

Imports: PySide6, explorer.app, explorer.graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog

from explorer.app.dialogs import GraphInfoDialog
from explorer.graph.layout import COLUMN_GAP, NODE_HEIGHT, NODE_WIDTH
from explorer.graph.model import Graph, GraphError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from explorer.app.expression_dialog import ExpressionDialog
    from explorer.canvas.scene import GraphScene
    from explorer.canvas.view import GraphView
    from explorer.document.document import GraphDocument
    from explorer.theme import Theme


class EditCommands:
    """Copy, cut, paste, duplicate, delete, rename, output, layout, add, build from expression."""

    document: GraphDocument
    scene: GraphScene
    view: GraphView
    theme: Theme
    lessons_menu: QMenu
    example_title: str | None
    expression_dialog: ExpressionDialog | None
    _last_expression: str
    _last_replace: bool

    # ------------------------------------------------------------------ hooks the window provides
    if TYPE_CHECKING:

        def fit_view(self, keep_fitting: bool = False) -> None: ...
        def _status(self, text: str) -> None: ...

    # ------------------------------------------------------------------ edit commands
    def copy(self) -> None:
        self.scene.copy_selection()  # the scene puts the graph-file text on the clipboard

    def cut(self) -> None:
        self.scene.cut_selection()

    def paste(self) -> None:
        text = QGuiApplication.clipboard().text()
        if text.strip():
            self.scene.last_mouse_pos = self.view.cursor_scene_pos()  # paste where the user looks
            self.scene.paste(text)

    def duplicate(self) -> None:
        self.scene.duplicate_selection()

    def delete(self) -> None:
        self.scene.delete_selection()

    def rename(self) -> None:
        self.scene.rename_selected()

    def set_output(self) -> None:
        self.scene.set_selected_as_output()

    def select_all(self) -> None:
        self.scene.select_nodes([n.id for n in self.document.graph.nodes])

    def auto_layout(self) -> None:
        self.document.auto_layout()
        self.fit_view()

    def select_nodes(self, ids: list[str]) -> None:
        self.scene.select_nodes(ids)

    def add_node_at_centre(self, op: str) -> str | None:
        """Add ``op`` in the middle of the visible canvas (palette double-click)."""
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        occupied = {n.position for n in self.document.graph.nodes}
        corner = (round(centre.x() - NODE_WIDTH / 2.0), round(centre.y() - NODE_HEIGHT / 2.0))
        while (float(corner[0]), float(corner[1])) in occupied:  # never hide a node under another
            centre += QPointF(24.0, 24.0)
            corner = (round(centre.x() - NODE_WIDTH / 2.0), round(centre.y() - NODE_HEIGHT / 2.0))
        try:
            return self.scene.add_node_at(op, centre)
        except GraphError as error:
            self._status(str(error))
            return None

    def open_lesson(self, path: str | Path, step: int | None = None) -> bool:
        """Start a lesson in the Lesson dock (the module loads on first use)."""
        from explorer.app.lesson_dock import open_lesson

        return open_lesson(self, path, step) is not None

    def _fill_lessons_menu(self) -> None:
        from explorer.app.lesson_dock import fill_lessons_menu

        fill_lessons_menu(self, self.lessons_menu)

    def build_from_expression(self) -> ExpressionDialog:
        """Open the Build-from-expression dialog (window-modal); OK inserts the graph."""
        from explorer.app.expression_dialog import ExpressionDialog  # the parser loads on first use

        dialog = ExpressionDialog(self, self.theme, self._last_expression, self._last_replace)
        dialog.accepted.connect(lambda: self._insert_built_graph(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.expression_dialog = dialog
        dialog.open()
        dialog.editor.setFocus()
        return dialog

    def _insert_built_graph(self, dialog: ExpressionDialog) -> list[str]:
        graph = dialog.graph()
        self._last_expression, self._last_replace = dialog.text, dialog.replace
        if graph is None:
            return []
        return self.insert_built_graph(graph, dialog.replace)

    def insert_built_graph(self, graph: Graph, replace: bool) -> list[str]:
        """One undo step: the laid-out ``graph`` replaces the current one or goes beside it."""
        current = [n.position for n in self.document.graph.nodes if n.position is not None]
        if replace or not len(self.document.graph):
            # A replaced graph is a new document: Save asks where, never over the old file.
            ids = self.document.insert_graph(
                graph, replace=True, text="Build from expression", untitled=replace
            )
            if replace:
                self.example_title = None
        else:
            placed = [n.position for n in graph.nodes if n.position is not None]
            dx = dy = 0.0
            if current and placed:
                dx = max(p[0] for p in current) + NODE_WIDTH + COLUMN_GAP - min(p[0] for p in placed)
                dy = min(p[1] for p in current) - min(p[1] for p in placed)
            ids = self.document.insert_graph(graph, (dx, dy), text="Add expression")
        self.select_nodes(ids)
        self.fit_view()
        return ids

    def edit_graph_info(self) -> None:
        graph = self.document.graph
        dialog = GraphInfoDialog(self, graph.title, graph.description)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.document.set_metadata(*dialog.values())
