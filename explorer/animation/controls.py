"""Transport controls for the player: buttons, a scrubber showing step k of N, and speed.

Keys (when the controls or the narrative have focus): Space play/pause, → / ← one step,
Home back to the start, Shift+End end of the forward pass, End end of the backward pass.
The buttons never take focus, so Space always means play rather than "click the focused
button". The app may bind the same keys window-wide; its shortcuts then win, which is
the same action.

Imports: PySide6, explorer.animation.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.animation.player import MAX_SPEED, Player


def handle_player_key(player: Player, event: QKeyEvent) -> bool:
    """Drive ``player`` from one key press; True when the key was one of ours."""
    key, mods = event.key(), event.modifiers()
    if mods & ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier):
        return False
    if key == Qt.Key.Key_Space:
        player.toggle_play()
    elif key == Qt.Key.Key_Right:
        player.step_forward()
    elif key == Qt.Key.Key_Left:
        player.step_back()
    elif key == Qt.Key.Key_Home:
        player.to_start()
    elif key == Qt.Key.Key_End:
        if mods & Qt.KeyboardModifier.ShiftModifier:
            player.to_forward_end()
        else:
            player.to_backward_end()
    else:
        return False
    return True


class AnimationControls(QWidget):
    """|◀  ◀  ▶  ▶|  forward end  backward end  [scrubber]  step k of N  speed."""

    def __init__(self, player: Player, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        def button(text: str, tip: str, slot: object) -> QToolButton:
            b = QToolButton(self)
            b.setText(text)
            b.setToolTip(tip)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(slot)
            return b

        self.start_button = button("|◀", "Back to the start (Home)", player.to_start)
        self.back_button = button("◀", "Step back one edge (←)", player.step_back)
        self.play_button = button("▶", "Play / pause (Space)", player.toggle_play)
        self.forward_button = button("▶|", "Step forward one edge (→)", player.step_forward)
        self.forward_end_button = button(
            "Forward ⇥", "To the end of the forward pass (Shift+End)", player.to_forward_end
        )
        self.backward_end_button = button(
            "Backward ⇥", "To the end of the backward pass (End)", player.to_backward_end
        )
        self.play_button.setMinimumWidth(36)

        self.scrubber = QSlider(Qt.Orientation.Horizontal, self)
        self.scrubber.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scrubber.setToolTip("Drag to any step")
        self.scrubber.valueChanged.connect(self._scrubbed)
        self.step_label = QLabel(self)
        self.step_label.setMinimumWidth(150)
        self.speed = QDoubleSpinBox(self)
        self.speed.setRange(0.25, min(MAX_SPEED, 20.0))
        self.speed.setSingleStep(0.25)
        self.speed.setDecimals(2)
        self.speed.setSuffix(" steps/s")
        self.speed.setToolTip("Animation speed")
        self.speed.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.speed.setValue(player.speed)
        self.speed.valueChanged.connect(player.set_speed)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for b in (
            self.start_button,
            self.back_button,
            self.play_button,
            self.forward_button,
            self.forward_end_button,
            self.backward_end_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.speed)
        scrub = QHBoxLayout()
        scrub.setContentsMargins(0, 0, 0, 0)
        scrub.addWidget(self.scrubber, 1)
        scrub.addWidget(self.step_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(buttons)
        layout.addLayout(scrub)

        player.position_changed.connect(self._sync)
        player.was_reset.connect(self._sync)
        player.playing_changed.connect(self._playing)
        player.speed_changed.connect(self._speed_changed)
        self._sync()

    # ------------------------------------------------------------------ keys
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if handle_player_key(self.player, event):
            event.accept()
        else:
            super().keyPressEvent(event)

    # ------------------------------------------------------------------ sync with the player
    def step_text(self) -> str:
        p = self.player
        count, position = p.count, p.position
        if p.is_idle:
            return f"live · {count} steps"
        if position == 0:
            phase = "start"
        elif position <= p.forward_count:
            phase = "forward"
        else:
            phase = "backward"
        return f"step {position} of {count} · {phase}"

    def _sync(self, *_: object) -> None:
        p = self.player
        self.scrubber.blockSignals(True)
        self.scrubber.setRange(0, p.count)
        self.scrubber.setValue(p.position)
        self.scrubber.blockSignals(False)
        self.step_label.setText(self.step_text())
        at_end = not p.is_idle and p.position >= p.count
        self.forward_button.setEnabled(p.count > 0 and not at_end)
        self.back_button.setEnabled(p.count > 0 and (p.is_idle or p.position > 0))

    def _scrubbed(self, value: int) -> None:
        self.player.seek(value)

    def _playing(self, playing: bool) -> None:
        self.play_button.setText("⏸" if playing else "▶")

    def _speed_changed(self, speed: float) -> None:
        self.speed.blockSignals(True)
        self.speed.setValue(speed)
        self.speed.blockSignals(False)
