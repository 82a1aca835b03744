"""The paths view: every path from the chosen input to the output, and their sum.

Each row is one path with the product of the local derivatives along it; the line
below adds the products and shows that the sum is the gradient the backward pass found.
Hovering a row emphasises that path on the canvas (through the player, which owns what
the canvas shows).

Imports: PySide6, explorer.animation, explorer.graph, explorer.theme.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from explorer.animation.paths import DEFAULT_CAP, ChainPath, PathList, chain_paths
from explorer.animation.player import Player
from explorer.animation.wording import Rich, derivative, fmt, label, num, output_label, rich, signed_sum
from explorer.graph.engine import Evaluation
from explorer.theme import LIGHT, Theme

MAX_SHOWN_TERMS = 12


def path_text(evaluation: Evaluation, path: ChainPath) -> str:
    """``x → m → a → h:  2 × 1 × 14 = 28`` (factors in the order of the arrows)."""
    graph = evaluation.graph
    names = " → ".join(label(graph, n) for n in path.nodes)
    factors = " × ".join(fmt(v) for v in path.locals)
    if len(path.locals) == 1:
        return f"{names}:  {factors}"
    return f"{names}:  {factors} = {fmt(path.product)}"


def sum_line(evaluation: Evaluation, paths: PathList) -> Rich:
    """The sum of the path products, next to the gradient from the backward pass."""
    graph = evaluation.graph
    if evaluation.output is None:
        return rich("Choose an output to see paths.")
    name, out = label(graph, paths.start), output_label(evaluation)
    grad = evaluation.grad_of(paths.start)
    target = f"{derivative(out, name)}"
    if paths.total_count == 0:
        return rich(f"No path leads from {name} to {out}: {target} = ", num(0.0, "grad"))
    plural = "path" if paths.total_count == 1 else "paths"
    if paths.truncated or len(paths.paths) > MAX_SHOWN_TERMS:
        more = f" (… and {paths.truncated} more not listed)" if paths.truncated else ""
        return rich(
            f"Sum over all {paths.total_count} {plural}{more}: ",
            num(paths.total_sum, "grad"),
            f" = {target} = ",
            num(grad, "grad"),
        )
    return rich(
        f"Sum over {paths.total_count} {plural}: ",
        signed_sum(p.product for p in paths.paths),
        " = ",
        num(paths.listed_sum, "grad"),
        f"  —  the backward pass found {target} = ",
        num(grad, "grad"),
    )


class PathsView(QWidget):
    """A list of paths from one input to the output; hover highlights a path."""

    def __init__(self, player: Player, theme: Theme = LIGHT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self._theme = theme
        self._input: str | None = None
        self._hidden: str | None = None
        self.paths: PathList | None = None
        self.list = QListWidget(self)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setMouseTracking(True)
        self.list.itemEntered.connect(self._hovered)
        self.list.viewport().installEventFilter(self)
        self.sum_label = QLabel(self)
        self.sum_label.setWordWrap(True)
        self.sum_label.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.sum_label)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.refresh()

    def set_input(self, node_id: str | None) -> None:
        self._input = node_id
        self.refresh()

    def set_hidden(self, message: str | None) -> None:
        """Hide the paths (their products add up to the gradient) behind ``message``; None shows them."""
        if message != self._hidden:
            self._hidden = message
            self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        self.player.set_highlight()
        self.list.setVisible(self._hidden is None)
        if self._hidden is not None:
            self.paths = None
            self.sum_label.setText(self._hidden)
            return
        evaluation = self.player.document.evaluation
        if self._input is None or self._input not in evaluation.program.index:
            self.paths = None
            self.sum_label.setText("Pick an input to list its paths to the output.")
            return
        self.paths = chain_paths(evaluation, self._input, cap=DEFAULT_CAP)
        for k, path in enumerate(self.paths.paths):
            item = QListWidgetItem(path_text(evaluation, path))
            item.setData(Qt.ItemDataRole.UserRole, k)
            self.list.addItem(item)
        if self.paths.truncated:
            more = QListWidgetItem(f"… and {self.paths.truncated} more")
            more.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(more)
        self.sum_label.setText(sum_line(evaluation, self.paths).html(self._theme))

    def highlight_row(self, row: int | None) -> None:
        """Emphasise path ``row`` on the canvas (None: no path)."""
        if self.paths is None or row is None or not 0 <= row < len(self.paths.paths):
            self.player.set_highlight()
            return
        path = self.paths.paths[row]
        self.player.set_highlight(path.nodes, path.edges)

    def _hovered(self, item: QListWidgetItem) -> None:
        row = item.data(Qt.ItemDataRole.UserRole)
        self.highlight_row(row if isinstance(row, int) else None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self.player.set_highlight()
        return super().eventFilter(watched, event)
