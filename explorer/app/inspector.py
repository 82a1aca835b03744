"""The inspector: everything about the selected node, and the place to edit its name and value.

Shows the op, the name (editable), the value (editable for inputs and constants), the
gradient d(output)/d(node), the op's local-derivative formulas with their numbers at this
point and what each edge passes back (upstream × local), and any diagnostics in red. With
nothing selected it summarises the graph. Edits go through GraphDocument methods, so each
is one undo step; the panel redraws from document signals, never from its own widgets.

Imports: PySide6, explorer.document, explorer.graph, explorer.theme.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from explorer.app.problems import local_reason
from explorer.document.document import GraphDocument
from explorer.graph.completeness import incomplete_message
from explorer.graph.engine import Evaluation
from explorer.graph.functions import op_of
from explorer.graph.model import Edge, GraphError, Node
from explorer.theme import LIGHT, Theme, format_number

DIGITS = 6


def _num(x: float) -> str:
    return format_number(x, DIGITS)


def _alert_sheet(theme: Theme) -> str:
    """Red text on a faint red card: a problem should be seen before it is read."""
    c = QColor(theme.error)
    fill = f"rgba({c.red()}, {c.green()}, {c.blue()}, 28)"
    edge = f"rgba({c.red()}, {c.green()}, {c.blue()}, 110)"
    return (
        f"color: {theme.error}; background: {fill}; border: 1px solid {edge}; "
        "border-radius: 5px; padding: 6px;"
    )


class _Note(QLabel):
    """A label that takes no room while it has nothing to say."""

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")


def _q(name: str) -> str:
    """A formula in a derivative gets brackets: ∂((2·x + 1)²)/∂(2·x + 1), but ∂h/∂x."""
    return name if name.replace("_", "a").isalnum() else f"({name})"


def _label(text: str, object_name: str = "", note: bool = False) -> QLabel:
    label = _Note(text) if note else QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if object_name:
        label.setObjectName(object_name)
    return label


class InspectorPanel(QScrollArea):
    """Details of one node (or a graph summary); name and value are editable."""

    def __init__(self, document: GraphDocument, theme: Theme = LIGHT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.theme = theme
        self._ids: list[str] = []
        # Predict mode: gradients the learner has not yet predicted read "?" here too.
        self.hides_gradient: Callable[[str], bool] = lambda _node_id: False
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("inspectorBody")
        outer = QVBoxLayout(body)
        outer.setContentsMargins(10, 10, 10, 10)
        outer.setSpacing(8)

        self.heading = _label("", "inspectorHeading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.heading)

        self.form_widget = QWidget()
        form = QFormLayout(self.form_widget)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.setPlaceholderText("(no name)")
        self.name_edit.editingFinished.connect(self._commit_name)
        self.value_edit = QLineEdit()
        self.value_edit.setObjectName("valueEdit")
        self.value_edit.editingFinished.connect(self._commit_value)
        self.trainable_box = QCheckBox("Trainable")
        self.trainable_box.setObjectName("trainableBox")
        self.trainable_box.setToolTip("A parameter: gradient descent (the Train dock) may change its value")
        self.trainable_box.clicked.connect(self._commit_trainable)
        self.value_label = _label("", "valueText")
        self.grad_label = _label("", "gradText")
        self.grad_title = QLabel("Gradient")
        form.addRow("Name", self.name_edit)
        form.addRow("Value", self.value_edit)
        form.addRow("Value", self.value_label)
        form.addRow("", self.trainable_box)
        form.addRow(self.grad_title, self.grad_label)
        self.form = form
        outer.addWidget(self.form_widget)

        self.edit_error = _label("", "editError", note=True)
        outer.addWidget(self.edit_error)

        self.locals_title = _label("Local derivatives", "sectionTitle")
        self.locals_label = _label("", "localDerivatives")
        self.locals_label.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.locals_title)
        outer.addWidget(self.locals_label)

        self.summary_label = _label("", "summary")
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.summary_label)

        self.diagnostics_label = _label("", "diagnostics")
        outer.addWidget(self.diagnostics_label)
        outer.addStretch(1)
        self.setWidget(body)

        # Every change that alters a number ends with ``evaluated``; redrawing only then
        # means never showing a graph half-way through a compound edit.
        document.evaluated.connect(self._refresh_later)
        document.metadata_changed.connect(self._refresh_later)
        document.node_removed.connect(self._node_removed)
        document.graph_reset.connect(self._reset)
        self.refresh()

    # ------------------------------------------------------------------ public
    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.refresh()

    def set_selection(self, node_ids: list[str]) -> None:
        self._ids = [nid for nid in node_ids if nid in self.document.graph]
        self.edit_error.clear()
        self.refresh(force=True)

    @property
    def node_id(self) -> str | None:
        return self._ids[0] if len(self._ids) == 1 else None

    def refresh(self, force: bool = False) -> None:
        node_id = self.node_id
        graph = self.document.graph
        if node_id is not None and node_id in graph and self._known(node_id):
            self._show_node(graph.node(node_id), force)
        else:
            self._show_summary()

    def _known(self, node_id: str | None) -> bool:
        """In the graph *and* in the latest evaluation (mid-edit they can differ)."""
        return (
            node_id is not None
            and node_id in self.document.graph
            and node_id in self.document.evaluation.program.index
        )

    # ------------------------------------------------------------------ document signals
    def _refresh_later(self, *_: object) -> None:
        self.refresh()

    def _node_removed(self, node_id: str) -> None:
        self._ids = [nid for nid in self._ids if nid != node_id]

    def _reset(self) -> None:
        self._ids = []
        self.edit_error.clear()
        self.refresh(force=True)

    # ------------------------------------------------------------------ rendering
    def _color(self, text: str, colour: str, bold: bool = True) -> str:
        weight = "font-weight:600;" if bold else ""
        return f'<span style="color:{colour};{weight}">{html.escape(text)}</span>'

    def _output_label(self, ev: Evaluation) -> str:
        if not self._known(ev.output):
            return "out"
        return self.document.graph.display_name(ev.output)

    def _set_row_visible(self, widget: QWidget, visible: bool) -> None:
        self.form.setRowVisible(widget, visible)

    def _show_node(self, node: Node, force: bool) -> None:
        ev = self.document.evaluation
        op = op_of(self.document.graph, node)
        t = self.theme
        is_output = ev.output == node.id
        me = self.document.graph.display_name(node.id)
        badge = (
            f' &nbsp;<span style="color:{t.output_border};font-weight:600">OUTPUT</span>' if is_output else ""
        )
        if node.op == "input":
            what = "an input: change its value here or drag it on the canvas"
        elif node.op == "const":
            what = "a constant: a fixed number in the formula"
        else:
            what = f"computes {op.expression}"
        self.heading.setText(
            f'<span style="font-size:large;font-weight:600">{html.escape(op.symbol)}</span>&nbsp; '
            f"<b>{html.escape(op.title)}</b>"
            f' <span style="color:{t.muted_text}">{html.escape(me)}</span>{badge}'
            f'<br><span style="color:{t.muted_text}">{html.escape(what)}</span>'
        )
        self.form_widget.show()
        self.summary_label.hide()
        if force or not self.name_edit.isModified():
            self.name_edit.setText(node.name)
            self.name_edit.setModified(False)
        value = ev.value_of(node.id)
        grad = ev.grad_of(node.id)
        self._set_row_visible(self.value_edit, node.is_leaf)
        self._set_row_visible(self.value_label, not node.is_leaf)
        if node.is_leaf and (force or not self.value_edit.isModified()):
            self.value_edit.setText(repr(node.value) if not node.value.is_integer() else str(int(node.value)))
            self.value_edit.setModified(False)
        self.value_label.setText(self._color(_num(value), t.value))
        self._set_row_visible(self.trainable_box, node.op == "input")
        self.trainable_box.setChecked(node.trainable)
        out = self._output_label(ev)
        self.grad_title.setText(f"∂{_q(out)}/∂{_q(me)}" if len(out) + len(me) < 16 else "Gradient")
        secret = self.hides_gradient(node.id)
        self.grad_label.setText(self._color("?" if secret else _num(grad), t.grad))
        self.grad_label.setToolTip(f"How much {out} changes per unit change of {me}")

        rows = self._local_rows(node, ev)
        self.locals_title.setVisible(bool(rows))
        self.locals_label.setVisible(bool(rows))
        self.locals_label.setText("".join(rows))

        diags = ev.diagnostics_for(node.id)
        self.diagnostics_label.setVisible(bool(diags))
        self.diagnostics_label.setText("\n".join(f"⚠ {d.message}" for d in diags))
        self.diagnostics_label.setStyleSheet(_alert_sheet(t))
        self.edit_error.setStyleSheet(f"color: {t.error};")

    def _describe(self, node_id: str) -> str:
        """How to name an operand node: its name, else what it is."""
        node = self.document.graph.node(node_id)
        if node.op == "const" and not node.name:
            return f"constant {_num(node.value)}"
        return self.document.graph.display_name(node_id)

    def _local_rows(self, node: Node, ev: Evaluation) -> list[str]:
        """Per operand: the formula, its number here, and upstream × local = what flows back."""
        op = op_of(self.document.graph, node)
        t = self.theme
        graph = self.document.graph
        rows: list[str] = []
        grad = ev.grad_of(node.id)
        out, me = html.escape(self._output_label(ev)), html.escape(self.document.graph.display_name(node.id))
        reason = local_reason(graph, ev, node.id)
        for slot, formula in enumerate(op.formulas):
            letter = "ab"[slot] if slot < 2 else f"x{slot + 1}"
            role = op.operand_names[slot] if slot < len(op.operand_names) else ""
            role_text = f" ({html.escape(role)})" if role and role != letter else ""
            source = node.operands[slot] if slot < len(node.operands) else None
            edge = Edge(source, node.id, slot) if source is not None else None
            if edge is None or source not in graph or edge not in ev.program.edge_index:
                rows.append(
                    f'<p style="margin:6px 0 0 0"><span style="font-family:monospace">{html.escape(formula)}'
                    f'</span><br><span style="color:{t.muted_text}">{letter}{role_text} is not connected'
                    "</span></p>"
                )
                continue
            local = ev.local_of(edge)
            contribution = ev.contribution_of(edge)
            if self.hides_gradient(node.id) or self.hides_gradient(source):
                # upstream × local is (part of) the operand's gradient: wait for the reveal
                rows.append(
                    f'<p style="margin:6px 0 0 0"><span style="font-family:monospace">{html.escape(formula)}'
                    f'</span><br><span style="color:{t.muted_text}">predict first; the product '
                    "appears once the gradient is revealed</span></p>"
                )
                continue
            if local != local and reason is not None:
                # "1/a = undefined" reads like a bug; say why there is no number here instead.
                why = f'<span style="color:{t.error}">no value here: {html.escape(reason)}</span>'
                rows.append(
                    f'<p style="margin:6px 0 0 0"><span style="font-family:monospace">{html.escape(formula)}'
                    f"</span><br>{why}</p>"
                )
                continue
            rhs = formula.rsplit("=", 1)[-1].strip()
            described = self._describe(source)
            who = ""
            if described != letter or role_text:
                who = (
                    f'<span style="color:{t.muted_text}">{letter}{role_text} is '
                    f"{html.escape(described)}</span><br>"
                )
            here = "" if rhs == _num(local) else f" = <b>{html.escape(_num(local))}</b>"
            rows.append(
                f'<p style="margin:6px 0 0 0">'
                f'<span style="font-family:monospace">{html.escape(formula)}</span>{here}<br>'
                f"{who}"
                f"∂{_q(out)}/∂{_q(me)} × ∂{_q(me)}/∂{letter} = {self._color(_num(grad), t.grad, False)} × "
                f"{html.escape(_num(local))} = {self._color(_num(contribution), t.grad)}</p>"
            )
        return rows

    def _show_summary(self) -> None:
        graph = self.document.graph
        ev = self.document.evaluation
        t = self.theme
        self.form_widget.hide()
        self.locals_title.hide()
        self.locals_label.hide()
        self.edit_error.clear()
        n_sel = len(self._ids)
        if n_sel > 1:
            self.heading.setText(f"<b>{n_sel} nodes selected</b>")
        else:
            self.heading.setText(f"<b>{html.escape(graph.title or 'Graph')}</b>")
        parts: list[str] = []
        if graph.description and n_sel <= 1:
            parts.append(f"<p>{html.escape(graph.description)}</p>")
        if self._known(ev.output):
            assert ev.output is not None
            out = graph.display_name(ev.output)
            parts.append(f"<p>Output <b>{html.escape(out)}</b> = {self._color(_num(ev.value), t.value)}</p>")
            inputs = [n for n in graph.inputs() if self._known(n.id)]
            unfinished = incomplete_message(graph, ev.output)
            if unfinished is not None:
                parts.append(f'<p style="color:{t.muted_text}">{html.escape(unfinished)}.</p>')
            elif inputs:
                grads = "<br>".join(
                    f"∂{_q(html.escape(out))}/∂{_q(html.escape(graph.display_name(n.id)))} = "
                    f"{self._color('?' if self.hides_gradient(n.id) else _num(ev.grad_of(n.id)), t.grad)}"
                    for n in inputs[:8]
                )
                parts.append(f"<p>{grads}</p>")
        elif len(graph):
            parts.append(f'<p style="color:{t.muted_text}">No output yet.</p>')
        count = len(graph)
        parts.append(
            f'<p style="color:{t.muted_text}">{count} node{"s" if count != 1 else ""}. '
            "Select a node to see its value, gradient and local derivatives.</p>"
            if count
            else f'<p style="color:{t.muted_text}">Empty graph. Drag an op from the palette, '
            "or build one from an expression (Ctrl+E).</p>"
        )
        self.summary_label.setText("".join(parts))
        self.summary_label.show()
        diags = ev.diagnostics
        self.diagnostics_label.setVisible(bool(diags) and n_sel <= 1)
        self.diagnostics_label.setText("\n".join(f"⚠ {d.message}" for d in diags[:6]))
        self.diagnostics_label.setStyleSheet(_alert_sheet(t))

    # ------------------------------------------------------------------ edits
    def _commit_name(self) -> None:
        node_id = self.node_id
        if node_id is None or not self.name_edit.isModified():
            return
        self.name_edit.setModified(False)
        try:
            self.document.rename(node_id, self.name_edit.text())
            self.edit_error.clear()
        except GraphError as error:
            self.edit_error.setText(str(error))
        self.refresh(force=True)

    def _commit_trainable(self, checked: bool) -> None:
        node_id = self.node_id
        if node_id is None:
            return
        try:
            self.document.set_trainable(node_id, checked)
            self.edit_error.clear()
        except GraphError as error:
            self.edit_error.setText(str(error))
        self.refresh(force=True)

    def _commit_value(self) -> None:
        node_id = self.node_id
        if node_id is None or not self.value_edit.isModified():
            return
        self.value_edit.setModified(False)
        text = self.value_edit.text().strip().replace("−", "-")
        try:
            value = float(text)
        except ValueError:
            self.edit_error.setText(f"{text!r} is not a number")
            self.refresh(force=True)
            return
        try:
            self.document.set_value(node_id, value)
            self.edit_error.clear()
        except GraphError as error:
            self.edit_error.setText(str(error))
        self.refresh(force=True)
