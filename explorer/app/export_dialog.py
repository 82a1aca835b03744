"""File → Export…: choose what to export, see it, write it.

The dialog draws on a *private* copy of the document (an offscreen scene in the chosen
theme, light by default for print), so the user's canvas, selection and animation are
never touched. Every option change redraws the preview with exactly the function that
will write the file: the diagram at the chosen stage, the last frame of an animation,
or the Python script's text. Options are remembered in the QSettings the window passes
in; the file name defaults to ``<graph>-<stage>.<ext>`` in the last export folder (else
the graph's own folder) and follows the format until the user types a name of their own.

``copy_diagram(document, settings)`` is Edit → Copy as Image: the same drawing with the
remembered stage, theme and scale, on the clipboard as an image plus SVG.

The drawing and the writing are :mod:`explorer.app.exporting`'s, the pipeline the command
line uses too; this module only chooses, shows and remembers.

Imports: PySide6, explorer.app.exporting, explorer.document, explorer.io, explorer.theme.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QRectF, QSettings, QSize, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QImage, QPixmap, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.app.exporting import (
    STAGES,
    animation_region,
    animation_scale,
    apply_stage,
    diagram_region,
    export_scene,
    last_frame,
    write_code,
    write_scene,
)
from explorer.document.document import GraphDocument
from explorer.graph.model import GraphError
from explorer.io.code_export import GRAPH_BEGIN, export_python
from explorer.io.export import (
    MAX_SCALE,
    MIN_SCALE,
    DiagramOptions,
    ExportError,
    caption_height,
    copy_to_clipboard,
    pixel_size,
    render_image,
)
from explorer.theme import THEMES

FORMATS: tuple[tuple[str, str], ...] = (
    ("png", "PNG image"),
    ("svg", "SVG drawing (editable text)"),
    ("pdf", "PDF document (vector)"),
    ("gif", "Animated GIF: forward and backward passes"),
    ("apng", "Animated PNG: forward and backward passes"),
    ("frames", "Folder of numbered PNG frames"),
    ("py", "Python script (micrograd-style Value class)"),
)
STAGE_TITLES = {
    "clean": "Structure only",
    "values": "Values (forward pass)",
    "gradients": "Gradients (backward pass)",
    "both": "Values and gradients",
}
THEME_TITLES = {"light": "Light (for print)", "dark": "Dark"}
DIAGRAMS = frozenset({"png", "svg", "pdf"})
ANIMATIONS = frozenset({"gif", "apng", "frames"})
PIXEL_FORMATS = frozenset({"png", "gif", "apng", "frames"})
PREVIEW_SIZE = QSize(560, 300)
PREVIEW_RENDER_WIDTH = 1400.0  # scene units rendered 1:1 for the preview, at most
_EXTENSIONS = {"png": ".png", "svg": ".svg", "pdf": ".pdf", "gif": ".gif", "apng": ".apng", "py": ".py"}

# QSettings keys
K_FORMAT, K_STAGE, K_SCALE = "export/format", "export/stage", "export/scale"
K_TRANSPARENT, K_THEME, K_REGION, K_DIR = "export/transparent", "export/theme", "export/region", "export/dir"


def _text(settings: QSettings, key: str, allowed: object, default: str) -> str:
    value = settings.value(key, default)
    return value if isinstance(value, str) and value in allowed else default  # type: ignore[operator]


def _flag(settings: QSettings, key: str) -> bool:
    value = settings.value(key, False)
    return value in (True, "true", "1", 1)


def _number(settings: QSettings, key: str, default: float) -> float:
    try:
        value = float(settings.value(key, default))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return min(MAX_SCALE, max(MIN_SCALE, value)) if math.isfinite(value) else default


def default_stem(document: GraphDocument) -> str:
    """The graph's file name without extension, else a word from its title, else ``graph``."""
    if document.file_path is not None:
        return document.file_path.stem
    title = "".join(c if c.isalpha() or c.isdecimal() else "-" for c in document.graph.title.lower())
    return "-".join(part for part in title.split("-") if part)[:40] or "graph"


def default_name(document: GraphDocument, fmt: str, stage: str) -> str:
    stem = default_stem(document)
    if fmt in ANIMATIONS:
        return f"{stem}-passes{_EXTENSIONS.get(fmt, '')}" if fmt != "frames" else f"{stem}-frames"
    if fmt == "py":
        return f"{stem}.py"
    return f"{stem}-{stage}{_EXTENSIONS[fmt]}"


def copy_diagram(document: GraphDocument, settings: QSettings | None = None) -> QImage:
    """Edit → Copy as Image: the whole graph with the remembered stage, theme and scale."""
    settings = settings if settings is not None else QSettings()
    stage = _text(settings, K_STAGE, STAGES, "both")
    theme = THEMES[_text(settings, K_THEME, THEMES, "light")]
    scene = export_scene(document.graph, theme, stage)
    options = DiagramOptions(
        scale=_number(settings, K_SCALE, 2.0), transparent=_flag(settings, K_TRANSPARENT)
    )
    return copy_to_clipboard(scene, diagram_region(scene), options)


class ExportDialog(QDialog):
    """Format, region, stage, scale, theme and file; a live preview; Export and Copy."""

    def __init__(
        self,
        document: GraphDocument,
        settings: QSettings,
        view_rect: QRectF | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.document = document
        self.settings = settings
        self.view_rect = QRectF(view_rect) if view_rect is not None and not view_rect.isEmpty() else None
        self.exported_path: Path | None = None
        self._auto_name = ""
        self._building = True
        self._theme_name = ""
        self._scene = export_scene(document.graph, THEMES["light"], "both")

        self.format_box = QComboBox()
        for key, title in FORMATS:
            self.format_box.addItem(title, key)
        self.region_box = QComboBox()
        self.region_box.addItem("Whole graph", "all")
        self.region_box.addItem("Current view", "view")
        self.stage_box = QComboBox()
        for key in STAGES:
            self.stage_box.addItem(STAGE_TITLES[key], key)
        self.scale_box = QDoubleSpinBox()
        self.scale_box.setRange(MIN_SCALE, MAX_SCALE)
        self.scale_box.setSingleStep(0.5)
        self.scale_box.setDecimals(1)
        self.scale_box.setSuffix(" ×")
        self.size_label = QLabel()
        self.transparent_box = QCheckBox("Transparent background")
        self.theme_box = QComboBox()
        for key, title in THEME_TITLES.items():
            self.theme_box.addItem(title, key)
        self.path_edit = QLineEdit()
        self.browse_button = QPushButton("Browse…")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c81e1e;")
        self.preview_image = QLabel()
        self.preview_image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_image.setMinimumSize(PREVIEW_SIZE)
        self.preview_code = QPlainTextEdit()
        self.preview_code.setReadOnly(True)
        self.preview_code.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.preview_code.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview = QStackedWidget()
        self.preview.addWidget(self.preview_image)
        self.preview.addWidget(self.preview_code)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.copy_button = self.buttons.addButton("Copy to Clipboard", QDialogButtonBox.ButtonRole.ActionRole)

        form = QFormLayout()
        form.addRow("Format", self.format_box)
        form.addRow("Region", self.region_box)
        form.addRow("Show", self.stage_box)
        scale_row = QHBoxLayout()
        scale_row.addWidget(self.scale_box)
        scale_row.addWidget(self.size_label, 1)
        form.addRow("Scale", scale_row)
        form.addRow("", self.transparent_box)
        form.addRow("Theme", self.theme_box)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse_button)
        form.addRow("File", file_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self._restore()
        for box in (self.format_box, self.region_box, self.stage_box, self.theme_box):
            box.currentIndexChanged.connect(self._options_changed)
        self.scale_box.valueChanged.connect(self._options_changed)
        self.transparent_box.toggled.connect(self._options_changed)
        self.path_edit.textEdited.connect(self._path_edited)
        self.browse_button.clicked.connect(self.browse)
        self.export_button.clicked.connect(self.export)
        self.copy_button.clicked.connect(self.copy)
        self.buttons.rejected.connect(self.reject)
        self._building = False
        self._options_changed()

    # ------------------------------------------------------------------ options
    @property
    def fmt(self) -> str:
        return str(self.format_box.currentData())

    @property
    def stage(self) -> str:
        return str(self.stage_box.currentData())

    @property
    def theme_name(self) -> str:
        return str(self.theme_box.currentData())

    def options(self) -> DiagramOptions:
        graph = self.document.graph
        return DiagramOptions(
            scale=self.scale_box.value(),
            transparent=self.transparent_box.isChecked() and self.fmt in DIAGRAMS,
            title=graph.title or default_stem(self.document),
            description=graph.description,
        )

    def region(self) -> QRectF:
        """The part of the scene to draw: the whole graph, or the view the user was looking at."""
        if self.region_box.currentData() == "view" and self.view_rect is not None:
            return QRectF(self.view_rect)
        if self.fmt in ANIMATIONS:
            return animation_region(self._scene)
        apply_stage(self._scene, self.stage)
        return diagram_region(self._scene)

    def set_option(self, name: str, value: object) -> None:
        """Choose an option by key (``format``, ``stage``, ``theme``, ``region``), e.g. from tests."""
        box = {"format": self.format_box, "stage": self.stage_box, "theme": self.theme_box}.get(
            name, self.region_box
        )
        index = box.findData(value)
        if index < 0:
            raise ValueError(f"no {name} {value!r}")
        box.setCurrentIndex(index)

    def _restore(self) -> None:
        s = self.settings
        self.set_option("format", _text(s, K_FORMAT, dict(FORMATS), "png"))
        self.set_option("stage", _text(s, K_STAGE, STAGES, "both"))
        self.set_option("theme", _text(s, K_THEME, THEMES, "light"))
        self.set_option("region", _text(s, K_REGION, ("all", "view"), "all"))
        self.scale_box.setValue(_number(s, K_SCALE, 2.0))
        self.transparent_box.setChecked(_flag(s, K_TRANSPARENT))
        self._set_auto_path()

    def _remember(self) -> None:
        s = self.settings
        s.setValue(K_FORMAT, self.fmt)
        s.setValue(K_STAGE, self.stage)
        s.setValue(K_THEME, self.theme_name)
        s.setValue(K_REGION, self.region_box.currentData())
        s.setValue(K_SCALE, self.scale_box.value())
        s.setValue(K_TRANSPARENT, self.transparent_box.isChecked())
        if self.exported_path is not None:
            s.setValue(K_DIR, str(self.exported_path.parent))
        s.sync()

    def _folder(self) -> Path:
        remembered = self.settings.value(K_DIR, "")
        if isinstance(remembered, str) and remembered and Path(remembered).is_dir():
            return Path(remembered)
        if self.document.file_path is not None:
            return self.document.file_path.parent
        return Path.home()

    def _set_auto_path(self) -> None:
        current = self.path_edit.text().strip()
        folder = Path(current).parent if current else self._folder()
        name = default_name(self.document, self.fmt, self.stage)
        self._auto_name = str(folder / name) + ("/" if self.fmt == "frames" else "")
        self.path_edit.setText(self._auto_name)

    def _path_edited(self, _text: str) -> None:
        self._auto_name = ""  # the user's own name: keep it, only the extension follows the format

    def _follow_format(self) -> None:
        text = self.path_edit.text().strip()
        if not text or self._auto_name:  # still our suggestion: suggest again
            self._set_auto_path()
            return
        path = Path(text.rstrip("/"))
        if self.fmt == "frames":
            self.path_edit.setText(str(path.with_suffix("")) + "/")
        else:
            self.path_edit.setText(str(path.with_suffix(_EXTENSIONS[self.fmt])))

    def _options_changed(self, *_: object) -> None:
        if self._building:
            return
        fmt = self.fmt
        self.region_box.setEnabled(fmt != "py" and self.view_rect is not None)
        self.stage_box.setEnabled(fmt in DIAGRAMS)
        self.scale_box.setEnabled(fmt in PIXEL_FORMATS)
        self.transparent_box.setEnabled(fmt in DIAGRAMS)
        self.theme_box.setEnabled(fmt != "py")
        self.copy_button.setEnabled(fmt in DIAGRAMS or fmt == "py")
        self._follow_format()
        if self.theme_name != self._theme_name:
            self._scene.set_theme(THEMES[self.theme_name])
            self._theme_name = self.theme_name
        self.refresh_preview()

    # ------------------------------------------------------------------ preview
    def refresh_preview(self) -> None:
        """Redraw the preview for the current options; show a refusal instead if there is one."""
        self.error_label.clear()
        self.export_button.setEnabled(True)
        if self.fmt == "py":
            self.preview.setCurrentWidget(self.preview_code)
            try:
                self.preview_code.setPlainText(export_python(self.document.graph))
                self._show_graph_block()
            except GraphError as exc:
                self.preview_code.setPlainText("")
                self._refuse(str(exc))
            self.size_label.clear()
            return
        self.preview.setCurrentWidget(self.preview_image)
        region = self.region()
        scale = self.scale_box.value()
        size = pixel_size(region, scale)
        if self.fmt in ANIMATIONS:
            scale = animation_scale(region, scale)
            size = pixel_size(region, scale)
            size.setHeight(size.height() + caption_height(scale))
        self.size_label.setText(f"{size.width()} × {size.height()} px" if self.fmt in PIXEL_FORMATS else "")
        look = min(1.0, PREVIEW_RENDER_WIDTH / max(region.width(), region.height(), 1.0))
        if self.fmt in ANIMATIONS:
            image = last_frame(self._scene, region, look)
        else:
            apply_stage(self._scene, self.stage)
            image = render_image(self._scene, region, look, self.options().transparent)
        pixmap = QPixmap.fromImage(image)
        box = self.preview_image.size().expandedTo(PREVIEW_SIZE)
        self.preview_image.setPixmap(
            pixmap.scaled(box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        )
        if not len(self.document.graph):
            self._refuse("the graph is empty; there is nothing to export")

    def _show_graph_block(self) -> None:
        """Scroll the code preview so that the graph itself, not the class, is in sight."""
        found = self.preview_code.document().find(GRAPH_BEGIN)
        if not found.isNull():
            self.preview_code.moveCursor(QTextCursor.MoveOperation.End)
            found.clearSelection()
            self.preview_code.setTextCursor(found)
            self.preview_code.ensureCursorVisible()

    def _refuse(self, message: str) -> None:
        self.error_label.setText(message)
        self.export_button.setEnabled(False)

    @property
    def preview_pixmap(self) -> QPixmap:
        return self.preview_image.pixmap()

    # ------------------------------------------------------------------ actions
    def browse(self) -> None:
        current = self.path_edit.text().strip()
        if self.fmt == "frames":
            chosen = QFileDialog.getExistingDirectory(
                self, "Export frames to folder", str(Path(current).parent)
            )
            chosen = chosen and chosen + "/"
        else:
            ext = _EXTENSIONS[self.fmt]
            title = dict(FORMATS)[self.fmt]
            chosen, _filter = QFileDialog.getSaveFileName(self, "Export", current, f"{title} (*{ext})")
            if chosen and not chosen.lower().endswith(ext):
                chosen += ext
        if chosen:
            self.path_edit.setText(chosen)
            self._auto_name = ""

    def export(self) -> bool:
        """Write the file; on success remember the options and close. False (dialog stays) on failure."""
        text = self.path_edit.text().strip()
        if not text:
            self._refuse("choose a file name")
            return False
        path = Path(text)
        ext = _EXTENSIONS.get(self.fmt)
        if ext is not None and path.suffix.lower() != ext:
            self.error_label.setText(
                f"{path.name}: the name should end in {ext} for {self.format_box.currentText()}"
            )
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self._write(path)
        except (ExportError, GraphError, OSError) as exc:
            self.error_label.setText(str(exc) if not isinstance(exc, OSError) else f"{path}: {exc.strerror}")
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self.exported_path = path
        self._remember()
        self.accept()
        return True

    def _write(self, path: Path) -> None:
        """The export service writes; the dialog only says which region of its own scene."""
        if self.fmt == "py":
            write_code(self.document.graph, path)
            return
        options = self.options().checked()
        # An animation frames all its steps itself, unless the user chose the current view.
        own_view = self.region_box.currentData() == "view" and self.view_rect is not None
        region = self.region() if self.fmt in DIAGRAMS or own_view else None
        write_scene(self._scene, path, self.fmt, options, self.stage, region)

    def copy(self) -> None:
        """The diagram (image + SVG) or the script's text on the clipboard."""
        try:
            if self.fmt == "py":
                QGuiApplication.clipboard().setText(export_python(self.document.graph))
            else:
                apply_stage(self._scene, self.stage)
                copy_to_clipboard(self._scene, self.region(), self.options())
        except (ExportError, GraphError) as exc:
            self.error_label.setText(str(exc))
            return
        self._remember()
