"""Transport controls for the player: buttons, a scrubber showing step k of N, and speed.

Keys (when the controls or the narrative have focus): Space play/pause, → / ← one step,
Home back to the start, Shift+End end of the forward pass, End end of the backward pass.
The transport buttons draw the style's standard media icons (a text glyph such as ⏸ is
missing from common Linux fonts and shows as an empty box); their text names the action
for screen readers and tests. The buttons never take focus, so Space always means play
rather than "click the focused button". The app may bind the same keys window-wide; its
shortcuts then win, which is the same action.

Imports: PySide6, explorer.animation.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
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
    """Start, step back, play/pause, step forward, forward end, backward end, scrubber, step k of N, speed."""

    def __init__(self, player: Player, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        def icon(name: str) -> QIcon:
            return self.style().standardIcon(getattr(QStyle.StandardPixmap, name))

        self.play_icon, self.pause_icon = icon("SP_MediaPlay"), icon("SP_MediaPause")

        def button(text: str, tip: str, slot: object, pixmap: str, beside: bool = False) -> QToolButton:
            b = QToolButton(self)
            b.setText(text)
            b.setIcon(icon(pixmap))
            b.setToolButtonStyle(
                Qt.ToolButtonStyle.ToolButtonTextBesideIcon
                if beside
                else Qt.ToolButtonStyle.ToolButtonIconOnly
            )
            b.setAccessibleName(text)
            b.setToolTip(tip)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(slot)
            return b

        self.start_button = button(
            "Start", "Back to the start (Home)", player.to_start, "SP_MediaSkipBackward"
        )
        self.back_button = button(
            "Step back", "Step back one edge (←)", player.step_back, "SP_MediaSeekBackward"
        )
        self.play_button = button("Play", "Play / pause (Space)", player.toggle_play, "SP_MediaPlay")
        self.forward_button = button(
            "Step forward", "Step forward one edge (→)", player.step_forward, "SP_MediaSeekForward"
        )
        self.forward_end_button = button(
            "Forward",
            "To the end of the forward pass (Shift+End)",
            player.to_forward_end,
            "SP_MediaSkipForward",
            True,
        )
        self.backward_end_button = button(
            "Backward",
            "To the end of the backward pass (End)",
            player.to_backward_end,
            "SP_MediaSkipForward",
            True,
        )
        self.play_button.setIcon(self.play_icon)  # the same QIcon _playing() swaps back in
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
        scrub = QHBoxLayout()
        scrub.setContentsMargins(0, 0, 0, 0)
        scrub.addWidget(self.scrubber, 1)
        scrub.addWidget(self.step_label)
        scrub.addWidget(self.speed)  # down here the six buttons keep their words at 1024 px
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(buttons)
        layout.addLayout(scrub)

        # Short words where the long ones do not fit (a 1024 px window with the lesson
        # open): "⏭ Fwd" reads better than "⏭ Fo…rd", and the two icons are the same.
        self._labels = {
            self.forward_end_button: ("Forward", "Fwd"),
            self.backward_end_button: ("Backward", "Bwd"),
        }

        player.position_changed.connect(self._sync)
        player.was_reset.connect(self._sync)
        player.playing_changed.connect(self._playing)
        player.speed_changed.connect(self._speed_changed)
        self._sync()

    # ------------------------------------------------------------------ size
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_labels()

    def _fit_labels(self) -> None:
        """The long words on the two end buttons when the row has room for them."""
        row = self.layout().itemAt(0).layout()
        assert row is not None
        margins = self.layout().contentsMargins()
        extra = 0
        for button, (long_text, _) in self._labels.items():
            metrics = button.fontMetrics()
            extra += max(0, metrics.horizontalAdvance(long_text) - metrics.horizontalAdvance(button.text()))
        fits = row.sizeHint().width() + extra + margins.left() + margins.right() <= self.width()
        for button, (long_text, short_text) in self._labels.items():
            text = long_text if fits else short_text
            if button.text() != text:
                button.setText(text)

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
        self.play_button.setText("Pause" if playing else "Play")
        self.play_button.setAccessibleName(self.play_button.text())
        self.play_button.setIcon(self.pause_icon if playing else self.play_icon)

    def _speed_changed(self, speed: float) -> None:
        self.speed.blockSignals(True)
        self.speed.setValue(speed)
        self.speed.blockSignals(False)
