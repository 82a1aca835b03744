"""Tests for File → Export… (explorer.app.export_dialog).

The dialog is driven through its widgets and public methods with qtbot; files it writes
are checked the same way as the command line's (sizes against the region, SVG text,
GIF frames against the trace), settings go to a private INI file, and the user's own
document must come out untouched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QRectF, QSettings
from PySide6.QtGui import QGuiApplication, QImage

from explorer.app.export_dialog import ExportDialog, copy_diagram, default_name
from explorer.document.document import GraphDocument
from explorer.graph.engine import evaluate
from explorer.io.export import pixel_size
from explorer.io.format import load

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "resources" / "examples" / "lesson_loss.json"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def document(tmp_path: Path, qapp: object) -> GraphDocument:
    doc = GraphDocument(load(LESSON))
    doc.mark_saved(tmp_path / "graphs" / "lesson_loss.json")
    (tmp_path / "graphs").mkdir()
    return doc


@pytest.fixture
def make_dialog(qtbot, settings: QSettings, document: GraphDocument):  # type: ignore[no-untyped-def]
    def make(view_rect: QRectF | None = None, doc: GraphDocument = document) -> ExportDialog:
        dialog = ExportDialog(doc, settings, view_rect)
        qtbot.addWidget(dialog)
        return dialog

    return make


def svg_texts(path: Path) -> set[str]:
    return {(t.text or "").strip() for t in ET.parse(path).getroot().iter(f"{SVG}text")}


# ------------------------------------------------------------------------------ defaults
def test_defaults_light_theme_png_both_and_a_name_beside_the_graph(make_dialog, tmp_path: Path) -> None:
    dialog = make_dialog()
    assert (dialog.fmt, dialog.stage, dialog.theme_name) == ("png", "both", "light")
    assert dialog.scale_box.value() == 2.0
    assert dialog.path_edit.text() == str(tmp_path / "graphs" / "lesson_loss-both.png")
    assert not dialog.preview_pixmap.isNull()
    assert dialog.error_label.text() == ""
    assert not dialog.region_box.isEnabled()  # no view was given


def test_default_names(qapp: object) -> None:
    doc = GraphDocument(load(LESSON))
    doc.graph.title = "loss = (a·b + 1)² at a = 2"
    assert default_name(doc, "svg", "gradients") == "loss-a-b-1-at-a-2-gradients.svg"
    assert default_name(doc, "gif", "both") == "loss-a-b-1-at-a-2-passes.gif"
    assert default_name(doc, "frames", "both") == "loss-a-b-1-at-a-2-frames"
    doc.graph.title = ""
    assert default_name(doc, "py", "both") == "graph.py"


def test_the_name_follows_the_format_until_the_user_types_one(make_dialog, tmp_path: Path, qtbot) -> None:
    dialog = make_dialog()
    folder = tmp_path / "graphs"
    dialog.set_option("stage", "gradients")
    assert dialog.path_edit.text() == str(folder / "lesson_loss-gradients.png")
    dialog.set_option("format", "gif")
    assert dialog.path_edit.text() == str(folder / "lesson_loss-passes.gif")
    dialog.set_option("format", "frames")
    assert dialog.path_edit.text() == str(folder / "lesson_loss-frames") + "/"
    dialog.path_edit.clear()
    qtbot.keyClicks(dialog.path_edit, str(tmp_path / "mine.png"))
    dialog.set_option("format", "svg")
    assert dialog.path_edit.text() == str(tmp_path / "mine.svg")
    dialog.set_option("stage", "values")
    assert dialog.path_edit.text() == str(tmp_path / "mine.svg")


def test_controls_follow_the_format(make_dialog) -> None:
    dialog = make_dialog(QRectF(0, 0, 300, 200))
    expected = {
        # format: (stage, scale, transparent, copy)
        "png": (True, True, True, True),
        "svg": (True, False, True, True),
        "pdf": (True, False, True, True),
        "gif": (False, True, False, False),
        "frames": (False, True, False, False),
        "py": (False, False, False, True),
    }
    for fmt, flags in expected.items():
        dialog.set_option("format", fmt)
        got = (
            dialog.stage_box.isEnabled(),
            dialog.scale_box.isEnabled(),
            dialog.transparent_box.isEnabled(),
            dialog.copy_button.isEnabled(),
        )
        assert got == flags, fmt
        assert dialog.region_box.isEnabled() == (fmt != "py")


# ------------------------------------------------------------------------------ preview
def test_preview_changes_with_the_stage_and_shows_code_for_python(make_dialog) -> None:
    dialog = make_dialog()
    dialog.set_option("stage", "clean")
    clean = dialog.preview_pixmap.toImage()
    dialog.set_option("stage", "both")
    both = dialog.preview_pixmap.toImage()
    assert clean.size() == both.size() and clean != both
    dialog.set_option("format", "py")
    assert dialog.preview.currentWidget() is dialog.preview_code
    code = dialog.preview_code.toPlainText()
    assert "c = a * b" in code and "loss.backward()" in code and "class Value:" in code


def test_size_label_tells_the_pixel_size(make_dialog) -> None:
    dialog = make_dialog()
    dialog.scale_box.setValue(3.0)
    size = pixel_size(dialog.region(), 3.0)
    assert dialog.size_label.text() == f"{size.width()} × {size.height()} px"


# ------------------------------------------------------------------------------ exporting
def test_export_png_writes_the_scaled_region_and_remembers_options(
    make_dialog, settings: QSettings, tmp_path: Path
) -> None:
    dialog = make_dialog()
    dialog.set_option("stage", "gradients")
    dialog.scale_box.setValue(3.0)
    dialog.transparent_box.setChecked(True)
    region = dialog.region()
    assert dialog.export()
    path = tmp_path / "graphs" / "lesson_loss-gradients.png"
    assert dialog.exported_path == path and dialog.result() == ExportDialog.DialogCode.Accepted
    image = QImage(str(path))
    assert image.size() == pixel_size(region, 3.0)
    assert image.pixelColor(0, 0).alpha() == 0
    again = make_dialog()
    assert (again.fmt, again.stage, again.scale_box.value()) == ("png", "gradients", 3.0)
    assert again.transparent_box.isChecked()
    assert again.path_edit.text() == str(tmp_path / "graphs" / "lesson_loss-gradients.png")
    assert settings.value("export/dir") == str(tmp_path / "graphs")


def test_export_svg_of_the_current_view(make_dialog, tmp_path: Path) -> None:
    view = QRectF(-40.0, -60.0, 500.0, 300.0)
    dialog = make_dialog(view)
    dialog.set_option("format", "svg")
    dialog.set_option("region", "view")
    dialog.set_option("stage", "gradients")
    assert dialog.region() == view
    assert dialog.export()
    root = ET.parse(dialog.exported_path).getroot()
    assert root.get("viewBox") == "0 0 500 300"
    texts = svg_texts(dialog.exported_path)
    assert {"a", "b", "42", "28"} <= texts


def test_export_gif_has_one_frame_per_step(make_dialog, document: GraphDocument) -> None:
    dialog = make_dialog()
    dialog.set_option("format", "gif")
    dialog.scale_box.setValue(1.0)
    promised = dialog.size_label.text()
    assert dialog.export()
    with Image.open(dialog.exported_path) as gif:
        assert gif.n_frames == len(evaluate(document.graph).trace) + 1
        assert promised == f"{gif.size[0]} × {gif.size[1]} px"


def test_export_python_and_copy(make_dialog, tmp_path: Path) -> None:
    dialog = make_dialog()
    dialog.set_option("format", "py")
    dialog.copy()
    assert "loss.backward()" in QGuiApplication.clipboard().text()
    assert dialog.export()
    assert dialog.exported_path == tmp_path / "graphs" / "lesson_loss.py"
    assert "a = Value(2.0)" in dialog.exported_path.read_text(encoding="utf-8")


def test_copy_puts_the_diagram_on_the_clipboard(make_dialog) -> None:
    dialog = make_dialog()
    dialog.scale_box.setValue(1.0)
    dialog.copy()
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasImage() and mime.hasFormat("image/svg+xml")
    assert QImage(mime.imageData()).size() == pixel_size(dialog.region(), 1.0)


def test_copy_diagram_uses_the_remembered_options(document: GraphDocument, settings: QSettings) -> None:
    settings.setValue("export/scale", 1.0)
    settings.setValue("export/stage", "values")
    image = copy_diagram(document, settings)
    assert QImage(QGuiApplication.clipboard().mimeData().imageData()).size() == image.size()
    assert 600 < image.width() < 1400


# ------------------------------------------------------------------------------ refusals and isolation
def test_a_half_built_graph_cannot_become_code(make_dialog, tmp_path: Path) -> None:
    graph = load(LESSON)
    graph.disconnect(graph.find("c").id, 1)
    doc = GraphDocument(graph)
    dialog = make_dialog(doc=doc)
    dialog.set_option("format", "py")
    assert "operand 2 of 'c' (mul) is not connected" in dialog.error_label.text()
    assert not dialog.export_button.isEnabled()
    dialog.set_option("format", "png")
    assert dialog.export_button.isEnabled() and dialog.error_label.text() == ""


def test_errors_keep_the_dialog_open(make_dialog, tmp_path: Path) -> None:
    dialog = make_dialog()
    dialog.path_edit.setText(str(tmp_path / "missing" / "x.png"))
    assert not dialog.export()
    assert "no such folder" in dialog.error_label.text()
    assert dialog.result() != ExportDialog.DialogCode.Accepted and dialog.exported_path is None
    dialog.path_edit.setText(str(tmp_path / "x.jpg"))
    assert not dialog.export()
    assert "should end in .png" in dialog.error_label.text()
    assert not (tmp_path / "x.jpg").exists()


def test_the_users_document_is_untouched(make_dialog, document: GraphDocument) -> None:
    before = document.graph.copy()
    depth = document.undo_stack.count()
    dialog = make_dialog()
    for fmt in ("png", "gif", "py"):
        dialog.set_option("format", fmt)
    dialog.set_option("theme", "dark")
    assert dialog.export()
    assert document.graph == before
    assert document.undo_stack.count() == depth and not document.is_modified


def test_browse_uses_the_chosen_file_and_adds_the_extension(make_dialog, dialogs, tmp_path: Path) -> None:
    dialog = make_dialog()
    dialog.set_option("format", "pdf")
    dialogs.save_paths.append(str(tmp_path / "chosen"))
    dialog.browse()
    assert dialog.path_edit.text() == str(tmp_path / "chosen.pdf")
    dialog.set_option("format", "svg")
    assert dialog.path_edit.text() == str(tmp_path / "chosen.svg")
