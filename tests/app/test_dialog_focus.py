"""After a dialog closes the keys belong to the canvas again, and Ctrl+Enter builds from
the expression dialog (Enter alone starts a new line of a program)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

CTRL = Qt.KeyboardModifier.ControlModifier


def _focus_elsewhere(window, qtbot) -> None:
    """Focus a dock widget, as a click on the palette does."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.palette.setFocus()
    QApplication.processEvents()
    assert QApplication.focusWidget() is window.palette


def test_ctrl_enter_builds_and_the_canvas_has_the_keys_again(window, qtbot) -> None:
    _focus_elsewhere(window, qtbot)
    QTest.keyClick(window.palette, Qt.Key.Key_E, CTRL)
    dialog = window.expression_dialog
    assert dialog is not None and dialog.isVisible()
    QTest.keyClicks(dialog.editor, "a = Value(2.0)")
    QTest.keyClick(dialog.editor, Qt.Key.Key_Return)  # a new line, not OK
    assert dialog.isVisible() and dialog.text == "a = Value(2.0)\n"
    QTest.keyClicks(dialog.editor, "b = a * a")
    QTest.keyClick(dialog.editor, Qt.Key.Key_Return, CTRL)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Accepted
    assert window.document.graph.find("b") is not None
    qtbot.waitUntil(lambda: window.isActiveWindow() and QApplication.focusWidget() is window.view)
    # The arrows now step the passes through the window's shortcuts (they do not scroll
    # the canvas), and Space plays.
    window.player.animate_steps = False
    with qtbot.waitSignal(window.actions["step_forward"].triggered, timeout=1000):
        QTest.keyClick(window.view, Qt.Key.Key_Right)
    assert window.player.position == 1
    with qtbot.waitSignal(window.player.playing_changed, timeout=2000):
        QTest.keyClick(window.view, Qt.Key.Key_Space)


def test_ctrl_enter_does_nothing_while_the_text_is_refused(window, qtbot) -> None:
    dialog = window.build_from_expression()
    QTest.keyClicks(dialog.editor, "x + * 2")
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    QTest.keyClick(dialog.editor, Qt.Key.Key_Enter, CTRL)  # the keypad's Enter
    assert dialog.isVisible()
    dialog.reject()


def test_cancel_and_other_dialogs_also_give_the_canvas_the_keys(window, qtbot) -> None:
    _focus_elsewhere(window, qtbot)
    dialog = window.build_from_expression()
    QTest.keyClick(dialog.editor, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: window.focusWidget() is window.view)
    _focus_elsewhere(window, qtbot)
    shortcuts = window.show_shortcuts()
    shortcuts.reject()
    qtbot.waitUntil(lambda: window.focusWidget() is window.view)
