"""Tests for explorer.io.export on a plain QGraphicsScene whose pixels are known.

A filled rectangle without an outline covers exactly the pixels of its rectangle, and a
text item holds a known string, so sizes, colours and regions can be asserted exactly;
the SVG is parsed as XML and rendered back with QSvgRenderer, the PDF is opened as bytes
(page box, fonts, no images), GIF/APNG files are read back with Pillow.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageSequence
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QImage, QPainter, QPen
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QGraphicsScene

from explorer.io.export import (
    DiagramOptions,
    ExportError,
    content_rect,
    copy_to_clipboard,
    format_for_path,
    items_rect,
    pixel_size,
    render_image,
    svg_bytes,
    write_apng,
    write_diagram,
    write_frames,
    write_gif,
    write_pdf,
    write_png,
    write_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
BACKGROUND = QColor("#f7f7f5")
BLUE = QColor("#0063a6")
ORANGE = QColor("#c2410c")


@pytest.fixture
def scene(qapp: QApplication) -> QGraphicsScene:
    """Blue 100×50 block at (10, 20), orange 40×40 block at (150, 30), a hidden item far
    away, and the text "grad 42" under the blue block."""
    s = QGraphicsScene()
    s.setBackgroundBrush(QBrush(BACKGROUND))
    s.addRect(QRectF(10, 20, 100, 50), QPen(Qt.PenStyle.NoPen), QBrush(BLUE))
    s.addRect(QRectF(150, 30, 40, 40), QPen(Qt.PenStyle.NoPen), QBrush(ORANGE))
    hidden = s.addRect(QRectF(900, 900, 10, 10), QPen(Qt.PenStyle.NoPen), QBrush(BLUE))
    hidden.hide()
    font = QFont()
    font.setPixelSize(14)
    text = s.addSimpleText("grad 42", font)
    text.setPos(12, 75)
    return s


def colour_at(image: QImage, x: int, y: int) -> QColor:
    return image.pixelColor(x, y)


def distinct_colours(image: QImage, step: int = 3) -> int:
    return len(
        {image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)}
    )


# ------------------------------------------------------------------------------ formats and regions
@pytest.mark.parametrize(
    ("path", "fmt"),
    [("a.png", "png"), ("b.SVG", "svg"), ("c.pdf", "pdf"), ("d.gif", "gif"), ("e.apng", "apng"),
     ("f.py", "py"), ("frames/", "frames")],
)  # fmt: skip
def test_format_comes_from_the_extension(path: str, fmt: str) -> None:
    assert format_for_path(path) == fmt


def test_an_existing_folder_means_frames_and_unknown_extensions_are_refused(tmp_path: Path) -> None:
    assert format_for_path(tmp_path) == "frames"
    with pytest.raises(ExportError, match=r"'\.jpg' is not an export format; use \.png"):
        format_for_path("out.jpg")
    with pytest.raises(ExportError, match="no extension"):
        format_for_path(str(tmp_path / "noext"))


def test_content_rect_is_the_painted_area_plus_margin(scene: QGraphicsScene) -> None:
    loose = items_rect(scene)
    assert loose.right() < 900  # the hidden item does not count
    tight = content_rect(scene, margin=0.0)
    # Left, top and right edges are the blocks' exact edges; the text reaches lower.
    assert (tight.left(), tight.top(), tight.right()) == (10.0, 20.0, 190.0)
    assert 80.0 < tight.bottom() < 100.0
    padded = content_rect(scene, margin=7.0)
    assert padded == tight.adjusted(-7.0, -7.0, 7.0, 7.0)
    assert content_rect(scene, margin=0.0, tight=False) == loose


def test_empty_scene_has_a_small_region(qapp: QApplication) -> None:
    assert content_rect(QGraphicsScene(), margin=2.0) == QRectF(-2.0, -2.0, 5.0, 5.0)


# ------------------------------------------------------------------------------ PNG
@pytest.mark.parametrize("scale", [1.0, 1.5, 2.0, 3.0, 4.0])
def test_png_has_the_size_for_its_scale_and_the_right_pixels(
    scene: QGraphicsScene, tmp_path: Path, scale: float
) -> None:
    region = QRectF(0, 0, 200, 100)
    path = tmp_path / "out.png"
    size = write_png(scene, path, region, DiagramOptions(scale=scale))
    image = QImage(str(path))
    assert (image.width(), image.height()) == (math.ceil(200 * scale), math.ceil(100 * scale))
    assert size == image.size()
    assert colour_at(image, round(50 * scale), round(40 * scale)) == BLUE
    assert colour_at(image, round(170 * scale), round(50 * scale)) == ORANGE
    assert colour_at(image, round(130 * scale), round(50 * scale)) == BACKGROUND
    assert image.dotsPerMeterX() == round(96 * scale / 0.0254)  # placed at its natural size


def test_transparent_png_has_no_background_and_the_scene_keeps_its_brush(
    scene: QGraphicsScene, tmp_path: Path
) -> None:
    path = tmp_path / "clear.png"
    write_png(scene, path, QRectF(0, 0, 200, 100), DiagramOptions(scale=1.0, transparent=True))
    image = QImage(str(path))
    assert image.hasAlphaChannel()
    assert colour_at(image, 130, 50).alpha() == 0
    assert colour_at(image, 50, 40) == BLUE
    assert scene.backgroundBrush().color() == BACKGROUND


def test_scale_outside_one_to_four_is_refused(scene: QGraphicsScene, tmp_path: Path) -> None:
    for bad in (0.5, 4.5, math.nan):
        with pytest.raises(ExportError, match="scale must be between 1 and 4"):
            write_png(scene, tmp_path / "x.png", QRectF(0, 0, 10, 10), DiagramOptions(scale=bad))


def test_missing_folder_is_one_line_error(scene: QGraphicsScene, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no such folder"):
        write_png(scene, tmp_path / "nope" / "x.png", QRectF(0, 0, 10, 10), DiagramOptions())
    with pytest.raises(ExportError, match="no such folder"):
        write_pdf(scene, tmp_path / "nope" / "x.pdf", QRectF(0, 0, 10, 10), DiagramOptions())


def test_caption_adds_a_band_with_text(scene: QGraphicsScene) -> None:
    plain = render_image(scene, QRectF(0, 0, 200, 100), 2.0)
    captioned = render_image(scene, QRectF(0, 0, 200, 100), 2.0, caption="Backward 3/4: 14 × 3 = 42")
    assert captioned.width() == plain.width() and captioned.height() > plain.height() + 60
    band = captioned.copy(0, plain.height() + 2, captioned.width(), captioned.height() - plain.height() - 2)
    assert distinct_colours(band, 1) > 5  # antialiased text, not an empty strip
    assert captioned.copy(0, 0, plain.width(), plain.height()) == plain


def test_pixel_size_rounds_up_but_not_for_exact_products() -> None:
    assert pixel_size(QRectF(0, 0, 100, 50), 2.0).toTuple() == (200, 100)
    assert pixel_size(QRectF(0, 0, 100.2, 50), 1.5).toTuple() == (151, 75)


# ------------------------------------------------------------------------------ SVG
def test_svg_is_xml_with_text_as_text_and_a_view_box(scene: QGraphicsScene, tmp_path: Path) -> None:
    path = tmp_path / "out.svg"
    options = DiagramOptions(title="Lesson graph", description="a & b < c")
    write_svg(scene, path, QRectF(0, 0, 200, 100), options)
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 200 100"
    assert root.findtext(f"{SVG}title") == "Lesson graph"
    assert root.findtext(f"{SVG}desc") == "a & b < c"
    texts = [t for t in root.iter(f"{SVG}text")]
    assert [t.text for t in texts] == ["grad 42"]
    family = texts[0].get("font-family") or ""
    assert "Sans Serif" not in family and family.endswith("sans-serif")
    assert not list(root.iter(f"{SVG}image"))  # vector shapes, no embedded bitmap


def test_svg_renders_back_like_the_png(scene: QGraphicsScene) -> None:
    """Rendered by QSvgRenderer, the SVG matches a direct render of the scene."""
    region = QRectF(0, 0, 200, 100)
    direct = render_image(scene, region, 1.0)
    renderer = QSvgRenderer(svg_bytes(scene, region))
    assert renderer.isValid()
    back = QImage(direct.size(), QImage.Format.Format_ARGB32_Premultiplied)
    back.fill(QColor("magenta"))
    painter = QPainter(back)
    renderer.render(painter, QRectF(0, 0, 200, 100))
    painter.end()
    assert colour_at(back, 50, 40) == BLUE and colour_at(back, 170, 50) == ORANGE
    assert colour_at(back, 130, 50) == BACKGROUND
    differing = sum(
        1 for x in range(0, 200, 2) for y in range(0, 100, 2) if direct.pixel(x, y) != back.pixel(x, y)
    )
    assert differing < 0.05 * 100 * 50  # only antialiased text edges may differ


def test_transparent_svg_has_no_background_rectangle(scene: QGraphicsScene) -> None:
    region = QRectF(0, 0, 200, 100)
    with_bg = svg_bytes(scene, region)
    without = svg_bytes(scene, region, DiagramOptions(transparent=True))
    assert b'fill="#f7f7f5"' in with_bg and b'fill="#f7f7f5"' not in without


# ------------------------------------------------------------------------------ PDF
def _pdf_streams(data: bytes) -> list[bytes]:
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def test_pdf_is_one_vector_page_the_size_of_the_region(scene: QGraphicsScene, tmp_path: Path) -> None:
    path = tmp_path / "out.pdf"
    write_pdf(scene, path, QRectF(0, 0, 200, 100), DiagramOptions(title="Lesson"))
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    boxes = re.findall(rb"/MediaBox \[([^\]]*)\]", data)
    assert len(boxes) == 1
    assert [round(float(v), 3) for v in boxes[0].split()] == [0, 0, 200, 100]
    assert not re.search(rb"/Subtype\s*/Image", data)  # nothing rasterised
    assert re.search(rb"/Subtype\s*/(Type0|TrueType|Type1|CIDFontType2)", data)  # real fonts
    content = b"\n".join(_pdf_streams(data))
    assert re.search(rb"\bTj\b|\bTJ\b", content)  # text drawn with text operators
    assert re.search(rb"\bre\b|\bl\b", content)  # and shapes as paths


def test_write_diagram_dispatches_by_extension(scene: QGraphicsScene, tmp_path: Path) -> None:
    region = QRectF(0, 0, 200, 100)
    for name, magic in (("a.png", b"\x89PNG"), ("b.svg", b"<?xml"), ("c.pdf", b"%PDF")):
        write_diagram(scene, tmp_path / name, region, DiagramOptions())
        assert (tmp_path / name).read_bytes().startswith(magic)
    with pytest.raises(ExportError, match="not a diagram format"):
        write_diagram(scene, tmp_path / "d.gif", region, DiagramOptions())


# ------------------------------------------------------------------------------ clipboard
def test_clipboard_gets_the_image_and_the_svg(scene: QGraphicsScene) -> None:
    copy_to_clipboard(scene, QRectF(0, 0, 200, 100), DiagramOptions(scale=2.0))
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasImage()
    image = QImage(mime.imageData())
    assert (image.width(), image.height()) == (400, 200)
    assert colour_at(image, 100, 80) == BLUE
    assert b"<text" in bytes(mime.data("image/svg+xml").data())


# ------------------------------------------------------------------------------ animations
def _frames(scene: QGraphicsScene) -> list[QImage]:
    """Three frames: the orange block moves right by 10 units per frame."""
    orange = next(i for i in scene.items() if i.boundingRect().width() == 40)
    frames = []
    for k in range(3):
        orange.setPos(QPointF(10.0 * k, 0.0))
        frames.append(render_image(scene, QRectF(0, 0, 220, 100), 1.0, caption=f"step {k}"))
    return frames


def test_gif_has_one_frame_each_with_its_duration_and_loops(scene: QGraphicsScene, tmp_path: Path) -> None:
    frames = _frames(scene)
    path = tmp_path / "anim.gif"
    write_gif(frames, [1500, 700, 3000], path)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 3
        assert gif.info["loop"] == 0
        pictures = [f.convert("RGB").copy() for f in ImageSequence.Iterator(gif)]
        durations = []
        gif.seek(0)
        for k in range(gif.n_frames):
            gif.seek(k)
            durations.append(gif.info["duration"])
    assert durations == [1500, 700, 3000]
    assert pictures[0].size == (frames[0].width(), frames[0].height())
    # The orange block's left edge moves: 150, 160, 170 scene units at 1×.
    for k, picture in enumerate(pictures):
        assert picture.getpixel((155 + 10 * k, 50)) == (0xC2, 0x41, 0x0C)
        assert picture.getpixel((145 + 10 * k, 50)) == (0xF7, 0xF7, 0xF5)
        assert picture.getpixel((50, 40)) == (0x00, 0x63, 0xA6)  # flat colours stay exact


def test_apng_keeps_full_colour_and_timing(scene: QGraphicsScene, tmp_path: Path) -> None:
    frames = _frames(scene)
    path = tmp_path / "anim.apng"
    write_apng(frames, [400, 500, 600], path)
    with Image.open(path) as png:
        assert png.n_frames == 3 and getattr(png, "is_animated", False)
        got = []
        for k in range(3):
            png.seek(k)
            got.append((png.info["duration"], png.convert("RGBA").getpixel((175, 50))))
    assert [d for d, _ in got] == [400, 500, 600]
    assert got[0][1] == (0xC2, 0x41, 0x0C, 255) and got[2][1] == (0xC2, 0x41, 0x0C, 255)


def test_frames_folder_has_numbered_pngs(scene: QGraphicsScene, tmp_path: Path) -> None:
    frames = _frames(scene)
    paths = write_frames(frames, tmp_path / "frames")
    assert [p.name for p in paths] == ["frame_000.png", "frame_001.png", "frame_002.png"]
    assert QImage(str(paths[1])) == frames[1].convertToFormat(QImage(str(paths[1])).format())


def test_animation_writers_refuse_bad_input(tmp_path: Path, scene: QGraphicsScene) -> None:
    with pytest.raises(ExportError, match="no frames"):
        write_gif([], [], tmp_path / "a.gif")
    frames = _frames(scene)
    with pytest.raises(ExportError, match="one duration per frame"):
        write_gif(frames, [100], tmp_path / "a.gif")
    with pytest.raises(ExportError, match="positive"):
        write_apng(frames, [100, 0, 100], tmp_path / "a.apng")
    with pytest.raises(ExportError, match="no frames"):
        write_frames([], tmp_path / "f")
