"""Build from expression (Ctrl+E): type an expression or a small program, see the graph, insert it.

The text is parsed on every change by :func:`explorer.graph.parser.parse` (an ``ast``
whitelist: nothing is evaluated). A valid text shows a live, laid-out preview of the graph
with its output value and gradients; an invalid one empties the preview and shows the
parser's one-line reason, the offending line with a caret under the column, and a red
mark in the editor. OK hands back the laid-out graph and whether to replace the current
graph or add beside it; the window turns that into one undo step.

Imports: PySide6, explorer.canvas, explorer.document, explorer.graph, explorer.theme.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFontDatabase, QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from explorer.document.document import GraphDocument
from explorer.graph.engine import evaluate
from explorer.graph.layout import apply_layout
from explorer.graph.model import Graph
from explorer.graph.parser import ParseError, parse
from explorer.theme import LIGHT, Theme, format_number

MAX_TITLE = 60
EXAMPLE_TEXT = "h(x) = (2x + 1)^2"


def caret_snippet(text: str, line: int, column: int) -> str:
    """The offending line and a caret under ``column`` (both 1-based), as plain text."""
    lines = text.splitlines() or [""]
    row = lines[min(max(line, 1), len(lines)) - 1]
    col = max(column, 1)
    return f"{row}\n{' ' * (col - 1)}^"


def title_for(text: str) -> str:
    """A document title from typed text: the text itself when it is one short line."""
    stripped = text.strip()
    if "\n" in stripped or ";" in stripped or len(stripped) > MAX_TITLE:
        return ""
    return stripped


class ExpressionDialog(QDialog):
    """Text box, parse status with caret, live graph preview, replace/add choice."""

    def __init__(
        self,
        parent: QWidget | None = None,
        theme: Theme = LIGHT,
        text: str = "",
        replace: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Build from expression")
        self.setObjectName("expressionDialog")
        self.theme = theme
        self._graph: Graph | None = None
        self.error: ParseError | None = None

        intro = QLabel(
            "An expression like <code>(2x+1)^2</code>, a definition <code>h(x) = …</code>, or a "
            "micrograd-style program (<code>a = Value(2.0)</code>, <code>c = a*b</code>, one per line). "
            "Free names become inputs."
        )
        intro.setWordWrap(True)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("expressionEdit")
        self.editor.setFont(mono)
        self.editor.setPlaceholderText(EXAMPLE_TEXT)
        self.editor.setTabChangesFocus(True)
        self.editor.setMaximumHeight(self.editor.fontMetrics().lineSpacing() * 6 + 16)
        self.status = QLabel()
        self.status.setObjectName("parseStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.caret = QLabel()
        self.caret.setObjectName("parseCaret")
        self.caret.setFont(mono)
        self.caret.setTextFormat(Qt.TextFormat.PlainText)

        self.preview_document = GraphDocument(parent=self)
        self.preview = self._make_preview(self.preview_document)
        self.preview.setMinimumSize(440, 220)

        self.replace_button = QRadioButton("Replace the current graph")
        self.add_button = QRadioButton("Add beside the current graph")
        (self.replace_button if replace else self.add_button).setChecked(True)
        choice = QHBoxLayout()
        choice.addWidget(self.replace_button)
        choice.addWidget(self.add_button)
        choice.addStretch(1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip("Build it (Ctrl+Enter)")

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.editor)
        layout.addWidget(self.status)
        layout.addWidget(self.caret)
        layout.addWidget(self.preview, 1)
        layout.addLayout(choice)
        layout.addWidget(self.buttons)
        self.resize(620, 520)

        self.editor.installEventFilter(self)  # Ctrl+Enter builds; Enter alone is a new line
        self.editor.textChanged.connect(self.update_preview)
        self.editor.setPlainText(text)
        self.update_preview()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.editor
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            if self.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled():
                self.accept()
            return True
        return super().eventFilter(watched, event)

    def _make_preview(self, document: GraphDocument) -> QWidget:
        from explorer.canvas.scene import GraphScene
        from explorer.canvas.view import GraphView

        self.preview_scene = GraphScene(document, self.theme)
        view = GraphView(self.preview_scene)
        view.setObjectName("expressionPreview")
        view.setInteractive(False)  # a picture of the result; edits happen on the main canvas
        return view

    # ------------------------------------------------------------------ state
    @property
    def text(self) -> str:
        return self.editor.toPlainText()

    @property
    def replace(self) -> bool:
        return self.replace_button.isChecked()

    def graph(self) -> Graph | None:
        """The parsed, laid-out graph (a fresh copy), or None while the text is refused."""
        return self._graph.copy() if self._graph is not None else None

    # ------------------------------------------------------------------ live parsing
    def update_preview(self) -> None:
        text = self.text
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._mark_error(None)
        if not text.strip():
            self._graph, self.error = None, None
            self.status.setText(f'<span style="color:{self.theme.muted_text}">Type an expression.</span>')
            self.caret.hide()
            self.preview_document.reset(Graph())
            ok.setEnabled(False)
            return
        try:
            graph = parse(text)
        except ParseError as error:
            self._graph, self.error = None, error
            self.status.setText(f'<span style="color:{self.theme.error}">⚠ {html.escape(str(error))}</span>')
            self.caret.setText(caret_snippet(text, error.line, error.column))
            self.caret.setStyleSheet(f"color: {self.theme.error};")
            self.caret.show()
            self._mark_error(error)
            # A refused text has no graph: an old picture would read as its result.
            self.preview_document.reset(Graph())
            ok.setEnabled(False)
            return
        graph.title = title_for(text)
        apply_layout(graph)
        self._graph, self.error = graph, None
        self.caret.hide()
        self.status.setText(self._summary(graph))
        ok.setEnabled(True)
        self.preview_document.reset(graph.copy())
        fit = getattr(self.preview, "fit_all", None)
        if callable(fit):
            fit()

    def _summary(self, graph: Graph) -> str:
        ev = evaluate(graph)
        t = self.theme
        n = len(graph)
        parts = [f"{n} node{'s' if n != 1 else ''}"]
        if ev.output is not None:
            out = graph.display_name(ev.output)
            parts.append(
                f'{html.escape(out)} = <span style="color:{t.value};font-weight:600">'
                f"{format_number(ev.value)}</span>"
            )
            for node in graph.inputs()[:4]:
                grad = format_number(ev.grad_of(node.id))
                parts.append(
                    f"∂{html.escape(out)}/∂{html.escape(graph.display_name(node.id))} = "
                    f'<span style="color:{t.grad};font-weight:600">{grad}</span>'
                )
        if ev.diagnostics:
            parts.append(f'<span style="color:{t.error}">⚠ {html.escape(ev.diagnostics[0].message)}</span>')
        return " · ".join(parts)

    def _mark_error(self, error: ParseError | None) -> None:
        if error is None:
            self.editor.setExtraSelections([])
            return
        doc = self.editor.document()
        block = doc.findBlockByNumber(max(error.line, 1) - 1)
        if not block.isValid():
            block = doc.lastBlock()
        cursor = QTextCursor(block)
        column = min(max(error.column, 1) - 1, max(block.length() - 1, 0))
        cursor.setPosition(block.position() + column)
        if column < block.length() - 1:
            cursor.movePosition(QTextCursor.MoveOperation.NextCharacter, QTextCursor.MoveMode.KeepAnchor)
        else:
            cursor.movePosition(QTextCursor.MoveOperation.PreviousCharacter, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor(self.theme.error))
        background = QColor(self.theme.error)
        background.setAlpha(50)
        fmt.setBackground(background)
        selection.format = fmt  # type: ignore[attr-defined]
        selection.cursor = cursor  # type: ignore[attr-defined]
        self.editor.setExtraSelections([selection])
