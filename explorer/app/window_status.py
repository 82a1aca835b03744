"""The window's title and status bar: output value, selection readout and the problem count.

A mixin of :class:`~explorer.app.window.MainWindow`, split from it so the window stays the
composition root. The labels redraw from the document's signals (wired by the window);
clicking the problem count selects the red node and says why in the status bar. The
selection also decides which edit actions are enabled.

Imports: PySide6, explorer.app, explorer.theme.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QToolTip

from explorer.app.dialogs import APP_NAME
from explorer.app.problems import ProblemButton
from explorer.theme import format_number

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDockWidget

    from explorer.app.inspector import InspectorPanel
    from explorer.canvas.scene import GraphScene
    from explorer.canvas.view import GraphView
    from explorer.document.document import GraphDocument
    from explorer.theme import Theme


class StatusReporting:
    """Window title, status-bar labels and the problem button, kept in step with the document."""

    document: GraphDocument
    scene: GraphScene
    view: GraphView
    inspector: InspectorPanel
    theme: Theme
    actions: dict[str, QAction]
    panels: dict[str, QDockWidget]
    example_title: str | None
    _auto_fit: bool

    def _install_status_bar(self) -> None:
        """The selection and output labels and the problem button, right of the messages."""
        self.selection_label = QLabel()
        self.selection_label.setObjectName("selectionStatus")
        self.selection_label.setTextFormat(Qt.TextFormat.RichText)
        self.output_label = QLabel()
        self.output_label.setObjectName("outputStatus")
        self.output_label.setTextFormat(Qt.TextFormat.RichText)
        self.problem_button = ProblemButton()
        self.problem_button.go_to.connect(self._go_to_problem)
        self.statusBar().addPermanentWidget(self.selection_label)
        self.statusBar().addPermanentWidget(self.output_label)
        self.statusBar().addPermanentWidget(self.problem_button)

    # ------------------------------------------------------------------ title and status
    def _update_title(self, *_: object) -> None:
        if self.document.file_path is not None:
            name = self.document.file_path.name
        else:
            name = self.example_title or self.document.graph.title or "Untitled"
        self.setWindowTitle(f"{name}[*] — {APP_NAME}")
        self.setWindowModified(self.document.is_modified)
        self.actions["revert"].setEnabled(self.document.file_path is not None and self.document.is_modified)

    def _status(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def _update_status(self, *_: object) -> None:
        ev = self.document.evaluation
        graph = self.document.graph
        t = self.theme
        if ev.output is None or ev.output not in graph:
            self.output_label.setText(f'<span style="color:{t.muted_text}">no output</span>')
        else:
            name = html.escape(graph.display_name(ev.output))
            text = f'{name} = <b style="color:{t.value}">{html.escape(format_number(ev.value))}</b>'
            self.output_label.setText(text)
        self.problem_button.show_problems(ev, graph, t)
        self._selection_changed(self.scene.selected_node_ids(), refresh_inspector=False)

    def _go_to_problem(self, node_id: str, message: str) -> None:
        """The status-bar problem count was clicked: show that node and say why it is red."""
        if node_id not in self.document.graph:
            return
        self._auto_fit = False
        self.scene.select_nodes([node_id])
        self.view.centerOn(self.scene.node_item(node_id))
        inspector = self.panels.get("inspectorDock")
        if inspector is not None:
            inspector.show()
            inspector.raise_()
        self.statusBar().showMessage(message)  # stays until the next message: it is the answer

    def _selection_changed(self, ids: list[str], refresh_inspector: bool = True) -> None:
        ids = [nid for nid in ids if nid in self.document.graph]
        if refresh_inspector:
            self.inspector.set_selection(ids)
        ev = self.document.evaluation
        if not ids:
            self.selection_label.setText("")
        elif len(ids) == 1 and ids[0] in ev.program.index:
            node = self.document.graph.node(ids[0])
            t = self.theme
            grad = "?" if self.inspector.hides_gradient(node.id) else format_number(ev.grad_of(node.id))
            self.selection_label.setText(
                f"{html.escape(self.document.graph.display_name(node.id))}: value "
                f'<span style="color:{t.value}">{format_number(ev.value_of(node.id))}</span>, gradient '
                f'<span style="color:{t.grad}">{grad}</span>&nbsp;&nbsp;'
            )
        else:
            self.selection_label.setText(f"{len(ids)} selected")
        has = bool(ids)
        for key in ("cut", "copy", "duplicate", "delete"):
            self.actions[key].setEnabled(has)
        for key in ("rename", "set_output"):
            self.actions[key].setEnabled(len(ids) == 1)

    def _document_replaced(self) -> None:
        QToolTip.hideText()  # a card's tooltip must not outlive its graph
        self._selection_changed([])
        self._update_title()
        self._update_status()
        self.fit_view(keep_fitting=True)
