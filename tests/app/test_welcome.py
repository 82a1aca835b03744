"""The welcome page: what a launch without a file shows, and how anything opened replaces it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from explorer.app.lesson_player import LessonPanel
from explorer.app.lessons import LessonProgress
from explorer.app.welcome import WelcomePage

from .app_helpers import write_graph


def welcome_of(window) -> WelcomePage:  # type: ignore[no-untyped-def]
    window.startup(None)
    page = window.welcome
    assert isinstance(page, WelcomePage) and page.isVisible()
    return page


def test_startup_without_a_file_shows_the_welcome_page(window) -> None:
    page = welcome_of(window)
    assert len(window.document.graph) == 0
    assert page.geometry() == window.view.rect()  # covers the canvas
    titles = [b.text().splitlines()[0] for b in page.lesson_buttons]
    assert titles == ["The chain rule", "Long chains", "Many paths"]
    assert all(b.text().endswith("Start · Not started") for b in page.lesson_buttons)
    assert len(page.example_buttons) >= 5 and page.example_buttons[0].text().startswith("h(x)")


def test_first_lesson_step_in_one_click(window, qtbot) -> None:
    page = welcome_of(window)
    qtbot.mouseClick(page.lesson_buttons[0], Qt.MouseButton.LeftButton)
    assert not page.is_open and window.welcome is None
    panel = window.panels["lessonDock"].widget()
    assert isinstance(panel, LessonPanel) and panel.counter.text() == "1 of 10"
    assert window.document.evaluation["h"].value == 49.0


def test_lesson_progress_is_shown(make_window, settings: QSettings) -> None:
    LessonProgress(settings).record("01_chain_rule", 3, 10)
    LessonProgress(settings).record("02_long_chains", 4, 5)
    page = welcome_of(make_window())
    texts = [b.text().splitlines()[1] for b in page.lesson_buttons]
    assert texts == ["Continue · Step 4 of 10", "Review · Done (5 steps)", "Start · Not started"]


def test_examples_have_thumbnails_drawn_after_the_first_paint(window, qtbot) -> None:
    page = welcome_of(window)
    button = page.example_buttons[0]
    qtbot.waitUntil(lambda: not button.icon().isNull())  # one per event-loop turn after painting
    page.render_thumbnails()
    assert all(not b.icon().isNull() for b in page.example_buttons)
    qtbot.mouseClick(page.example_buttons[1], Qt.MouseButton.LeftButton)
    assert not page.is_open and window.document.evaluation.value == 49.0  # loss


def test_recent_files_open_and_replace_it(make_window, settings: QSettings, tmp_path: Path, qtbot) -> None:
    path = tmp_path / "mine.json"
    graph = write_graph(path, x=3.0)
    make_window().prefs.add_recent(path)
    window = make_window(settings)
    page = welcome_of(window)
    assert [b.text() for b in page.recent_buttons] == ["mine.json"]
    qtbot.mouseClick(page.recent_buttons[0], Qt.MouseButton.LeftButton)
    assert not page.is_open and window.document.graph == graph


def test_new_empty_graph_and_escape_close_it(window, qtbot) -> None:
    page = welcome_of(window)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert not page.is_open and len(window.document.graph) == 0
    page = welcome_of(window)
    qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert not page.is_open


def test_build_from_expression_replaces_it(window, qtbot) -> None:
    page = welcome_of(window)
    qtbot.mouseClick(page.build_button, Qt.MouseButton.LeftButton)
    dialog = window.expression_dialog
    dialog.editor.setPlainText("x = 3; h = (2*x + 1)**2")
    dialog.accept()
    assert not page.is_open and window.document.evaluation.value == 49.0


def test_opening_a_file_from_the_menu_replaces_it(window, tmp_path: Path) -> None:
    page = welcome_of(window)
    path = tmp_path / "g.json"
    write_graph(path, x=2.0)
    assert window.open_file(path)
    assert not page.is_open


def test_startup_with_a_file_shows_no_welcome_page(window, tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    write_graph(path, x=2.0)
    window.startup(path)
    assert window.welcome is None


def test_a_file_dropped_on_it_opens(window, tmp_path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    page = welcome_of(window)
    path = tmp_path / "dropped.json"
    graph = write_graph(path, x=1.5)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    pos = page.rect().center()
    args = (Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(pos, *args)
    QApplication.sendEvent(page, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(page, QDropEvent(QPointF(pos), *args))
    QApplication.processEvents()  # the file opens once the drop has returned
    assert window.document.graph == graph and not page.is_open


def test_thumbnails_follow_the_theme(window) -> None:
    page = welcome_of(window)
    page.render_thumbnails()
    before = page.example_buttons[0].icon().pixmap(40, 24).toImage()
    window.set_theme("dark")
    page.render_thumbnails()
    after = page.example_buttons[0].icon().pixmap(40, 24).toImage()
    assert before.pixelColor(1, 1).lightness() > 200 > 80 > after.pixelColor(1, 1).lightness()


def test_narrow_canvas_stacks_the_columns(window) -> None:
    from PySide6.QtWidgets import QBoxLayout

    page = welcome_of(window)
    assert page.columns.direction() == QBoxLayout.Direction.LeftToRight
    page._reflow(500)
    assert page.columns.direction() == QBoxLayout.Direction.TopToBottom
    positions = {page.grid.getItemPosition(page.grid.indexOf(b))[1] for b in page.example_buttons}
    assert positions == {0, 1}  # two pictures per row fit in 500 pixels
