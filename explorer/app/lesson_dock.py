"""Where a lesson opens: File ▸ Lessons, the Lesson dock's place, and starting a lesson.

A lesson's dock goes beside the canvas (tabbed with the node palette) in a large window
and under it in a small one, where the canvas needs the width more than the prose does.

Imports: PySide6, explorer.app.lesson_player, explorer.app.lesson_host,
explorer.app.lessons, explorer.io.lesson.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from explorer.app.lesson_host import LESSON_DOCK_HEIGHT, SMALL_WINDOW, LessonHost, lesson_dock_width
from explorer.app.lesson_player import LessonPanel
from explorer.app.lessons import LessonProgress, list_lessons
from explorer.io.lesson import LessonError, load_lesson


def open_lesson(host: LessonHost, path: str | Path, step: int | None = None) -> LessonPanel | None:
    """Validate the lesson first; then (after the usual save question) start it in the Lesson dock.

    A refused lesson is one message line and leaves the open document as it was.
    """
    try:
        lesson = load_lesson(path)
    except LessonError as error:
        QMessageBox.critical(
            host if isinstance(host, QWidget) else None, "Cannot open the lesson", str(error)
        )
        return None
    if not host.new_document():  # the lesson must never be saved over the user's file
        return None
    host.example_title = f"Lesson: {lesson.title}"
    dock = host.panels.get("lessonDock")
    if dock is None or not isinstance(dock.widget(), LessonPanel):
        panel = LessonPanel(host)
        small = host.width() < SMALL_WINDOW
        area = Qt.DockWidgetArea.BottomDockWidgetArea if small else Qt.DockWidgetArea.LeftDockWidgetArea
        dock = host.add_panel(panel, "Lesson", "lessonDock", area)
        palette = host.panels.get("paletteDock")
        animation = host.panels.get("animationDock")
        if dock.isFloating() or host.dockWidgetArea(dock) != area:
            pass  # where the learner put it last time
        elif small:
            # Under the canvas, the whole width between the side docks: a graph of the
            # lesson's size stays readable (zoom ≥ 0.62) in a 1024 × 700 window. The node
            # palette steps aside (View ▸ Panels, or a lesson's "dock: nodes", brings it).
            if animation is not None and animation.isVisible():
                host.splitDockWidget(animation, dock, Qt.Orientation.Vertical)
            if palette is not None and not palette.isFloating() and palette.isVisible():
                palette.hide()
                # Closing the lesson brings the palette back: nobody is left without nodes.
                dock.visibilityChanged.connect(
                    lambda shown, d=dock, p=palette: None if shown or not d.isHidden() else p.show()
                )
            host.resizeDocks([dock], [LESSON_DOCK_HEIGHT], Qt.Orientation.Vertical)
        elif palette is not None:
            host.tabifyDockWidget(palette, dock)
            # Room for the prose: a third wider than the palette's strip.
            host.resizeDocks([dock], [lesson_dock_width(host.width())], Qt.Orientation.Horizontal)
    panel = dock.widget()
    assert isinstance(panel, LessonPanel)
    dock.show()
    dock.raise_()
    panel.set_lesson(lesson, step)
    return panel


def fill_lessons_menu(host: LessonHost, menu: QMenu) -> None:
    """File ▸ Lessons: every bundled lesson with the learner's progress."""
    menu.clear()
    progress = LessonProgress(host.prefs.qsettings)
    for entry in list_lessons():
        state = progress.get(entry.key)
        action = menu.addAction(f"{entry.title}  ({state.text()})")
        action.triggered.connect(lambda _=False, p=entry.path: open_lesson(host, p))
    if menu.isEmpty():
        menu.addAction("No lessons found").setEnabled(False)
