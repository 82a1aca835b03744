"""The welcome page: what a launch without a file shows instead of a blank canvas.

Lessons (with the learner's progress), the examples with small pictures, recent files,
"Build from expression" and "New empty graph". It lies over the canvas; opening anything
(a lesson, an example, a file, a new graph, a built expression) replaces it, and so do
Esc and its close button. The first lesson's next step is one click away.

It stays cheap at launch: lesson titles come from one line of each file, and the
example pictures are drawn only after the window's first paint, one per event-loop turn.

Imports: PySide6, explorer.app (examples, lessons, export_cli lazily), explorer.io.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.app.examples import Example, list_examples
from explorer.app.lessons import LessonProgress, list_lessons

if TYPE_CHECKING:
    from explorer.app.window import MainWindow

THUMB = QSize(168, 100)
NARROW = 720  # below this width the lessons and the start buttons stack
MAX_RECENT = 6


def _heading(text: str, scale: float = 1.2) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


class WelcomePage(QWidget):
    """An overlay on the canvas view; ``dismissed`` fires once when it goes away."""

    dismissed = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window.view)
        self.setObjectName("welcomePage")
        self.window_ = window
        self._thumbs: list[tuple[QToolButton, Example]] = []
        self._first_paint = True
        self._closed = False

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        body = QWidget()
        body.setObjectName("welcomeBody")
        scroll.setWidget(body)
        # Nothing here is opaque: Qt then still paints the canvas under the page, so the
        # window's first-paint hook (deferred docks, launch benchmark) works as without it.
        scroll.viewport().setAutoFillBackground(False)
        body.setAutoFillBackground(False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        layout = QVBoxLayout(body)
        layout.setContentsMargins(28, 20, 28, 20)
        layout.setSpacing(14)
        top = QHBoxLayout()
        top.addWidget(_heading("Chain Rule Explorer", 1.8), 1)
        close = QToolButton()
        close.setObjectName("welcomeClose")
        close.setText("✕")
        close.setToolTip("Close the welcome page (Esc)")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        top.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        tagline = QLabel(
            "Each operation only knows its own local derivative; the chain rule multiplies local "
            "derivatives along each path and sums over paths. Start with a lesson, or open an example."
        )
        tagline.setWordWrap(True)
        layout.addWidget(tagline)

        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns.setSpacing(24)
        self.columns.addLayout(self._lessons_column(), 1)
        self.columns.addLayout(self._start_column(), 1)
        layout.addLayout(self.columns)
        layout.addWidget(_heading("Examples"))
        self.grid = self._examples_grid()
        layout.addLayout(self.grid)
        self._grid_columns = 0
        layout.addStretch(1)

        self.setAutoFillBackground(False)  # the canvas paints under it; the first-paint hook still fires
        window.view.installEventFilter(self)
        self.setGeometry(window.view.rect())
        self._reflow(self.width())
        window.theme_changed.connect(self._redraw_thumbnails)
        document = window.document
        document.graph_reset.connect(self.dismiss)
        document.node_added.connect(self.dismiss)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)

    # ------------------------------------------------------------------ sections
    def _lessons_column(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(8)
        column.addWidget(_heading("Lessons"))
        progress = LessonProgress(self.window_.prefs.qsettings)
        self.lesson_buttons: list[QPushButton] = []
        for i, entry in enumerate(list_lessons()):
            state = progress.get(entry.key)
            verb = "Start" if state.count == 0 else ("Review" if state.done else "Continue")
            button = QPushButton(f"{entry.title}\n{verb} · {state.text()}")
            button.setObjectName(f"lesson_{entry.key}")
            button.setToolTip(str(entry.path.name))
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumHeight(52)
            button.setStyleSheet("text-align: left; padding: 6px 12px;")
            if i == 0:
                button.setDefault(True)
            button.clicked.connect(lambda _=False, p=entry.path: self.window_.open_lesson(p))
            column.addWidget(button)
            self.lesson_buttons.append(button)
        if not self.lesson_buttons:
            column.addWidget(QLabel("No lessons found."))
        column.addStretch(1)
        return column

    def _start_column(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(8)
        column.addWidget(_heading("Start"))
        self.build_button = QPushButton("Build from expression…")
        self.build_button.setObjectName("welcomeBuild")
        self.build_button.setToolTip("Type h(x) = (2x+1)² or paste a micrograd program (Ctrl+E)")
        self.build_button.clicked.connect(self.window_.build_from_expression)
        self.new_button = QPushButton("New empty graph")
        self.new_button.setObjectName("welcomeNew")
        self.new_button.clicked.connect(self.window_.new_document)
        open_button = QPushButton("Open…")
        open_button.setObjectName("welcomeOpen")
        open_button.clicked.connect(self.window_.open_dialog)
        for b in (self.build_button, self.new_button, open_button):
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            column.addWidget(b)
        column.addSpacing(10)
        column.addWidget(_heading("Recent files", 1.0))
        self.recent_buttons: list[QPushButton] = []
        for path in self.window_.prefs.recent_files[:MAX_RECENT]:
            button = QPushButton(Path(path).name)
            button.setToolTip(path)
            button.setFlat(True)
            button.setStyleSheet("text-align: left;")
            button.clicked.connect(lambda _=False, p=path: self.window_.open_recent(p))
            column.addWidget(button)
            self.recent_buttons.append(button)
        if not self.recent_buttons:
            none = QLabel("None yet.")
            none.setEnabled(False)
            column.addWidget(none)
        column.addStretch(1)
        return column

    def _examples_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(12)
        self.example_buttons: list[QToolButton] = []
        for example in list_examples():
            button = QToolButton()
            button.setObjectName(f"example_{example.path.stem}")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setIconSize(THUMB)
            button.setText(example.title)
            button.setToolTip(example.description or example.title)
            button.setFixedWidth(THUMB.width() + 24)
            button.setAutoRaise(True)
            button.clicked.connect(lambda _=False, e=example: self.window_.open_example(e))
            self.example_buttons.append(button)
            self._thumbs.append((button, example))
        self._examples = [e for _, e in self._thumbs]
        return grid

    # ------------------------------------------------------------------ behaviour
    def _reflow(self, width: int) -> None:
        """Stack the two columns when narrow; as many example pictures per row as fit."""
        narrow = width < NARROW
        self.columns.setDirection(
            QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        )
        cell = THUMB.width() + 24 + self.grid.spacing()
        count = max(1, min(len(self.example_buttons), (width - 60) // cell))
        if count == self._grid_columns:
            return
        self._grid_columns = count
        for button in self.example_buttons:
            self.grid.removeWidget(button)
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 0)
        for i, button in enumerate(self.example_buttons):
            self.grid.addWidget(button, i // count, i % count, Qt.AlignmentFlag.AlignLeft)
        self.grid.setColumnStretch(count, 1)

    def dismiss(self, *_: object) -> None:
        if self._closed:
            return
        self._closed = True
        document = self.window_.document
        for signal in (document.graph_reset, document.node_added):
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(self.dismiss)
        with contextlib.suppress(RuntimeError, TypeError):
            self.window_.theme_changed.disconnect(self._redraw_thumbnails)
        self.window_.view.removeEventFilter(self)
        self.hide()
        self.deleteLater()
        self.window_.view.setFocus()
        self.dismissed.emit()

    @property
    def is_open(self) -> bool:
        return not self._closed

    def render_thumbnails(self) -> None:
        """Draw every example's picture now (normally spread over idle event-loop turns)."""
        while self._thumbs:
            self._render_next(schedule=False)

    def _redraw_thumbnails(self, *_: object) -> None:
        """The pictures follow the theme: draw them again, one per turn."""
        pending = not self._thumbs
        self._thumbs = [(b, e) for b, e in zip(self.example_buttons, self._examples, strict=True)]
        if pending and not self._first_paint:
            QTimer.singleShot(0, self, self._render_next)

    def _render_next(self, schedule: bool = True) -> None:
        if not self._thumbs or self._closed:
            return
        button, example = self._thumbs.pop(0)
        pixmap = example_thumbnail(example.path, self.window_.theme)
        if pixmap is not None:
            button.setIcon(pixmap)
        if schedule and self._thumbs:
            QTimer.singleShot(0, self, self._render_next)

    # ------------------------------------------------------------------ Qt events
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.palette().window())
        painter.end()
        if self._first_paint:
            self._first_paint = False
            QTimer.singleShot(0, self, self._render_next)  # pictures after the first picture

    # A graph file dropped on the page opens like one dropped on the canvas (the window decides).
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.window_.dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self.window_.dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.window_.dropEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.dismiss()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window_.view and event.type() == QEvent.Type.Resize:
            # Filters run before the view lays out its viewport: follow the view's new size.
            assert isinstance(event, QResizeEvent)
            self.setGeometry(QRect(QPoint(0, 0), event.size()))
            self._reflow(event.size().width())
        return False


def example_thumbnail(path: Path, theme: Any) -> QPixmap | None:
    """A small picture of an example graph (values and gradients), or None if it cannot be read."""
    from explorer.app.exporting import diagram_region, export_scene
    from explorer.io.export import render_image
    from explorer.io.format import FormatError, load

    try:
        graph = load(path)
    except FormatError:
        return None
    scene = export_scene(graph, theme, "both")
    region = diagram_region(scene)
    if region.isEmpty():
        return None
    scale = min(THUMB.width() / region.width(), THUMB.height() / region.height()) * 2.0
    image = render_image(scene, region, scale=scale)
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(2.0)
    return pixmap


def show_welcome(window: MainWindow) -> WelcomePage:
    page = WelcomePage(window)
    page.show()
    page.raise_()
    page.setFocus()
    window.welcome = page

    def forget() -> None:
        if window.welcome is page:
            window.welcome = None

    page.dismissed.connect(forget)
    return page
