"""Where the next step will push each parameter: a small arrow badge on its card.

While the Train dock holds a run, every trainable input wears a badge under its card,
"▲ 0.012" or "▼ 0.3": the change ``−lr · ∂loss/∂p`` the next step will make, so the
gradient's sign reads as a direction ("the loss goes down if p goes up"). The badges are
child items of the cards (they follow drags) and vanish when the run is forgotten.

Imports: PySide6, explorer.app (the badge item), explorer.canvas (the scene's lookups),
explorer.graph, explorer.theme.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from shiboken6 import isValid

from explorer.app.health_overlay import BadgeItem
from explorer.canvas.scene import GraphScene
from explorer.graph.training import Trainer
from explorer.theme import Theme, format_number


class NudgeBadges(QObject):
    """Keeps one badge per parameter in step with a Trainer's current position."""

    def __init__(self, scene: GraphScene, theme: Theme, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.theme = theme
        self._badges: dict[str, BadgeItem] = {}

    @property
    def texts(self) -> dict[str, str]:
        return {nid: b.text for nid, b in self._badges.items() if isValid(b)}

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.clear()

    def show(self, trainer: Trainer | None) -> None:
        if trainer is None:
            self.clear()
            return
        lr = trainer.learning_rate
        wanted = {}
        for pid, g in trainer.gradients.items():
            change = -lr * g
            if change != change:
                text, why = "?", "the gradient is undefined here"
            else:
                arrow = "▲" if change > 0 else "▼" if change < 0 else "•"
                text = f"{arrow} {format_number(abs(change), 2)}"
                why = f"next step: {trainer.graph.node(pid).label} changes by −lr · ∂loss/∂p = {change:.6g}"
            wanted[pid] = (text, why)
        for pid in list(self._badges):
            if pid not in wanted or not isValid(self._badges[pid]):
                self._drop(pid)
        for pid, (text, why) in wanted.items():
            badge = self._badges.get(pid)
            if badge is not None:
                badge.set_text(text, why)
                continue
            try:
                item = self.scene.node_item(pid)
            except KeyError:
                continue
            self._badges[pid] = BadgeItem(text, why, self.theme.grad, item, bottom=True)

    def clear(self) -> None:
        for pid in list(self._badges):
            self._drop(pid)

    def _drop(self, pid: str) -> None:
        badge = self._badges.pop(pid)
        if isValid(badge):
            badge.setParentItem(None)
            if badge.scene() is not None:
                badge.scene().removeItem(badge)
