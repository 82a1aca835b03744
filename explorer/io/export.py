"""Diagram and animation export: plain functions of (scene, region, options) -> file.

Nothing here opens a dialog or knows what a node is: the caller prepares a
``QGraphicsScene`` (the app builds an offscreen ``GraphScene`` in the light theme, with
the chosen stage and, for an animation, one player position per frame) and passes the
scene rectangle to draw. Each writer is then a few lines of Qt:

* PNG — ``QImage`` + ``QPainter`` + ``scene.render`` at 1–4 pixels per scene unit, the
  resolution stored so that a 2× image is placed at its natural size by office tools;
* SVG — ``QSvgGenerator``: shapes stay shapes and ``drawText`` stays ``<text>``, so the
  diagram is searchable and editable (pyqtgraph's SVG exporter is not used: it is broken
  with recent Qt);
* PDF — ``QPdfWriter``, one page the size of the diagram, vector throughout;
* GIF / APNG / numbered PNG frames — from a list of rendered ``QImage`` frames, written
  with Pillow (Qt cannot write GIF). Frame durations carry the holds.

Every failure is an :class:`ExportError` with a one-line message.

Imports: PySide6.QtCore/QtGui/QtSvg (no widgets); NumPy and Pillow lazily, for animations.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QMimeData, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)
from PySide6.QtSvg import QSvgGenerator

if TYPE_CHECKING:
    import numpy as np

MIN_SCALE, MAX_SCALE = 1.0, 4.0
DEFAULT_MARGIN = 24.0  # scene units of empty room around the drawing
SCREEN_DPI = 96.0
PDF_DPI = 1200  # device units of the PDF painter; the content is vector at any value

DIAGRAM_FORMATS = ("png", "svg", "pdf")
ANIMATION_FORMATS = ("gif", "apng", "frames")
FORMATS = (*DIAGRAM_FORMATS, "gif", "apng", "py")
_SUFFIXES = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".gif": "gif", ".apng": "apng", ".py": "py"}
FRAME_DIGITS = 3
TRIM_MAX_PIXELS = 16_000_000


class ExportError(Exception):
    """An export that could not be done; ``str()`` is the whole explanation, one line."""


class SceneLike(Protocol):
    """The part of ``QGraphicsScene`` the writers use."""

    def render(
        self, painter: QPainter, target: QRectF = ..., source: QRectF = ..., mode: Qt.AspectRatioMode = ...
    ) -> None: ...
    def backgroundBrush(self) -> QBrush: ...
    def setBackgroundBrush(self, brush: QBrush | QColor) -> None: ...
    def items(self) -> list: ...  # type: ignore[type-arg]


@dataclass(frozen=True, slots=True)
class DiagramOptions:
    """How to draw: pixels per scene unit (PNG and frames), background, margin."""

    scale: float = 2.0
    transparent: bool = False
    margin: float = DEFAULT_MARGIN
    title: str = ""
    description: str = ""

    def checked(self) -> DiagramOptions:
        if not (math.isfinite(self.scale) and MIN_SCALE <= self.scale <= MAX_SCALE):
            raise ExportError(
                f"the scale must be between {MIN_SCALE:g} and {MAX_SCALE:g} (got {self.scale:g})"
            )
        return self


def format_for_path(path: str | os.PathLike[str]) -> str:
    """The export format a path asks for: by extension, or ``frames`` for a folder."""
    text = os.fspath(path)
    if text.endswith(("/", os.sep)) or Path(text).is_dir():
        return "frames"
    suffix = Path(text).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    known = ", ".join(_SUFFIXES)
    what = f"'{suffix}'" if suffix else "no extension"
    raise ExportError(f"{text}: {what} is not an export format; use {known} or a folder/ for PNG frames")


# ------------------------------------------------------------------------------ regions
def items_rect(scene: SceneLike) -> QRectF:
    """Union of the bounding rectangles of every visible item."""
    rect = QRectF()
    # Not item.parentItem(): with PySide6 6.11 that call on a top-level item whose Python
    # wrapper is temporary hands the item to the wrapper, and it leaves the scene with it.
    for item in scene.items():
        if item.isVisible():
            rect = rect.united(item.sceneBoundingRect())
    return rect


def content_rect(scene: SceneLike, margin: float = DEFAULT_MARGIN, tight: bool = True) -> QRectF:
    """What the drawing covers, plus ``margin`` on each side.

    Items reserve room around themselves for badges and labels they may not be showing,
    so with ``tight`` the region is cut down to the pixels actually painted (found in a
    1× transparent render; skipped for very large scenes, where the room is negligible).
    """
    rect = items_rect(scene)
    if rect.isEmpty():
        rect = QRectF(0.0, 0.0, 1.0, 1.0)
    elif tight and rect.width() * rect.height() <= TRIM_MAX_PIXELS:
        rect = _painted_rect(scene, rect)
    return rect.adjusted(-margin, -margin, margin, margin)


def _painted_rect(scene: SceneLike, rect: QRectF) -> QRectF:
    image = render_image(scene, rect, 1.0, transparent=True).convertToFormat(QImage.Format.Format_Alpha8)
    width, stride = image.width(), image.bytesPerLine()
    data = bytes(image.constBits())
    top = bottom = -1
    left, right = width, 0
    for y in range(image.height()):
        row = data[y * stride : y * stride + width]
        rest = row.lstrip(b"\0")  # bytes methods scan in C: one Python step per row
        if not rest:
            continue
        top = y if top < 0 else top
        bottom = y
        left = min(left, width - len(rest))
        right = max(right, len(row.rstrip(b"\0")))
    if top < 0:
        return rect
    return QRectF(rect.x() + left, rect.y() + top, right - left, bottom + 1 - top)


def pixel_size(source: QRectF, scale: float) -> QSize:
    return QSize(
        max(1, math.ceil(source.width() * scale - 1e-9)), max(1, math.ceil(source.height() * scale - 1e-9))
    )


# ------------------------------------------------------------------------------ painting
def _paint(scene: SceneLike, painter: QPainter, target: QRectF, source: QRectF, transparent: bool) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    brush = scene.backgroundBrush()
    if transparent:
        # scene.render() paints the background brush first; take it away for the call.
        scene.setBackgroundBrush(QBrush(Qt.BrushStyle.NoBrush))
    try:
        scene.render(painter, target, source, Qt.AspectRatioMode.IgnoreAspectRatio)
    finally:
        if transparent:
            scene.setBackgroundBrush(brush)


def render_image(
    scene: SceneLike, source: QRectF, scale: float = 2.0, transparent: bool = False, caption: str = ""
) -> QImage:
    """The region ``source`` of the scene as an image, ``scale`` pixels per scene unit.

    A ``caption`` is written in a band under the drawing (animation frames say which
    step they show); the band has the scene's background colour.
    """
    size = pixel_size(source, scale)
    band = caption_height(scale) if caption else 0
    image = QImage(size.width(), size.height() + band, QImage.Format.Format_ARGB32_Premultiplied)
    dots = round(SCREEN_DPI * scale / 0.0254)
    image.setDotsPerMeterX(dots)
    image.setDotsPerMeterY(dots)
    background = scene.backgroundBrush().color() if scene.backgroundBrush().style() else QColor("white")
    image.fill(QColor(0, 0, 0, 0) if transparent else background)
    painter = QPainter(image)
    try:
        _paint(scene, painter, QRectF(0.0, 0.0, size.width(), size.height()), source, transparent)
        if caption:
            _draw_caption(painter, QRectF(0.0, size.height(), size.width(), band), caption, scene, scale)
    finally:
        painter.end()
    return image


def caption_height(scale: float) -> int:
    return math.ceil(44.0 * scale)


def _draw_caption(painter: QPainter, band: QRectF, text: str, scene: SceneLike, scale: float) -> None:
    background = scene.backgroundBrush().color()
    dark = background.lightnessF() < 0.5
    painter.fillRect(band, background)
    rule = QRectF(band.left(), band.top(), band.width(), max(1.0, round(scale)))  # whole pixels: crisp
    painter.fillRect(rule, QColor("#9aa3ad") if not dark else QColor("#5b6572"))
    font = QFont()
    font.setPixelSize(round(18 * scale))
    font.setWeight(QFont.Weight.DemiBold)
    room = band.adjusted(16.0 * scale, 0.0, -16.0 * scale, 0.0)
    shown = QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, room.width())
    painter.setFont(font)
    painter.setPen(QColor("#1d232a") if not dark else QColor("#e8eaed"))
    painter.drawText(room, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), shown)


# ------------------------------------------------------------------------------ diagram writers
def write_png(
    scene: SceneLike, path: str | os.PathLike[str], source: QRectF, options: DiagramOptions
) -> QSize:
    """PNG at ``options.scale``; returns the pixel size written."""
    options = options.checked()
    image = render_image(scene, source, options.scale, options.transparent)
    _save_image(image, path)
    return image.size()


def _target(path: str | os.PathLike[str]) -> Path:
    """The path to write, refused early (in one line) when its folder does not exist."""
    target = Path(path)
    if not target.parent.is_dir():
        raise ExportError(f"{target.parent}: no such folder")
    return target


def _save_image(image: QImage, path: str | os.PathLike[str]) -> None:
    target = _target(path)
    if not image.save(str(target), "PNG"):  # type: ignore[call-overload]  # stubs say bytes; runtime wants str
        raise ExportError(f"{target}: could not write the image")


def svg_bytes(scene: SceneLike, source: QRectF, options: DiagramOptions = DiagramOptions()) -> bytes:
    """The region as an SVG document, one SVG unit per scene unit, text kept as text."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    size = QSizeF(source.width(), source.height())
    generator.setSize(size.toSize())
    generator.setViewBox(QRectF(0.0, 0.0, size.width(), size.height()))
    generator.setResolution(round(SCREEN_DPI))
    generator.setTitle(options.title or "Computation graph")
    generator.setDescription(options.description or "Exported from Chain Rule Explorer")
    painter = QPainter()
    if not painter.begin(generator):
        raise ExportError("could not start the SVG writer")
    try:
        _paint(scene, painter, QRectF(0.0, 0.0, size.width(), size.height()), source, options.transparent)
    finally:
        painter.end()
    buffer.close()
    return _portable_fonts(bytes(data.data()))


_GENERIC_FAMILIES = {"sans serif": "sans-serif", "serif": "serif", "monospace": "monospace"}


def _portable_fonts(svg: bytes) -> bytes:
    """Name fonts the way every SVG viewer understands.

    Qt writes its own generic name (``font-family="Sans Serif"``), which browsers do not
    know and replace with a serif face; write the face Qt actually used, then a CSS
    generic family, so the text looks the same everywhere and stays editable.
    """
    text = svg.decode("utf-8")
    for family in set(re.findall(r'font-family="([^"]*)"', text)):
        generic = _GENERIC_FAMILIES.get(family.strip().lower())
        used = QFontInfo(QFont(family)).family()
        names = [used] if generic else [family, used]
        stack = [f"'{n}'" if " " in n else n for n in dict.fromkeys(n for n in names if n)]
        stack.append(generic or "sans-serif")
        value = html.escape(", ".join(stack), quote=False).replace('"', "&quot;")
        text = text.replace(f'font-family="{family}"', f'font-family="{value}"')
    return text.encode("utf-8")


def write_svg(
    scene: SceneLike, path: str | os.PathLike[str], source: QRectF, options: DiagramOptions
) -> None:
    _write_bytes(path, svg_bytes(scene, source, options))


def write_pdf(
    scene: SceneLike, path: str | os.PathLike[str], source: QRectF, options: DiagramOptions
) -> None:
    """One PDF page exactly the size of the drawing (1 scene unit = 1 pt at 100%), vector."""
    target = _target(path)
    writer = QPdfWriter(str(target))
    writer.setResolution(PDF_DPI)
    writer.setCreator("Chain Rule Explorer")
    writer.setTitle(options.title or "Computation graph")
    page = QPageSize(
        QSizeF(source.width(), source.height()),
        QPageSize.Unit.Point,
        "diagram",
        QPageSize.SizeMatchPolicy.ExactMatch,
    )
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(f"{target}: could not write the PDF")
    try:
        k = PDF_DPI / 72.0
        _paint(
            scene,
            painter,
            QRectF(0.0, 0.0, source.width() * k, source.height() * k),
            source,
            options.transparent,
        )
    finally:
        painter.end()


def write_diagram(
    scene: SceneLike,
    path: str | os.PathLike[str],
    source: QRectF,
    options: DiagramOptions,
    fmt: str | None = None,
) -> None:
    """PNG, SVG or PDF by ``fmt`` (default: from the path's extension)."""
    fmt = fmt or format_for_path(path)
    writers = {"png": write_png, "svg": write_svg, "pdf": write_pdf}
    if fmt not in writers:
        raise ExportError(f"{os.fspath(path)}: {fmt} is not a diagram format (use .png, .svg or .pdf)")
    writers[fmt](scene, path, source, options)


def _write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    target = _target(path)
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise ExportError(f"{target}: {exc.strerror or exc}") from None


# ------------------------------------------------------------------------------ clipboard
def copy_to_clipboard(scene: SceneLike, source: QRectF, options: DiagramOptions) -> QImage:
    """Put the diagram on the clipboard as an image, with the SVG alongside for editors
    that take vector data (Inkscape, office suites). Returns the image.

    The clipboard owns the QMimeData from then on; keeping no Python reference to it
    matters: a wrapper that outlived the application freed it a second time at exit.
    """
    options = options.checked()
    clipboard = QGuiApplication.clipboard()
    if clipboard is None:  # pragma: no cover - no GUI application
        raise ExportError("there is no clipboard")
    image = render_image(scene, source, options.scale, options.transparent)
    mime = QMimeData()
    mime.setImageData(image)
    mime.setData("image/svg+xml", QByteArray(svg_bytes(scene, source, options)))
    clipboard.setMimeData(mime)
    del mime
    return image


# ------------------------------------------------------------------------------ animations
def _to_pillow(image: QImage):  # type: ignore[no-untyped-def]
    from PIL import Image

    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height = rgba.width(), rgba.height()
    raw = bytes(rgba.constBits())[: rgba.sizeInBytes()]
    return Image.frombuffer("RGBA", (width, height), raw, "raw", "RGBA", rgba.bytesPerLine(), 1).copy()


def _check_frames(frames: Sequence[QImage], durations: Sequence[int]) -> None:
    if not frames:
        raise ExportError("there are no frames to write")
    if len(frames) != len(durations):
        raise ExportError("one duration per frame is needed")
    if any(d <= 0 for d in durations):
        raise ExportError("frame durations must be positive")


def write_gif(frames: Sequence[QImage], durations: Sequence[int], path: str | os.PathLike[str]) -> None:
    """An endlessly looping GIF, ``durations[k]`` milliseconds per frame (all frames opaque)."""
    _check_frames(frames, durations)
    target = _target(path)
    pictures = _paletted(frames)
    try:
        pictures[0].save(
            target, "GIF", save_all=True, append_images=pictures[1:], duration=list(durations), loop=0,
            disposal=1, optimize=False,
        )  # fmt: skip
    except OSError as exc:
        raise ExportError(f"{target}: {exc.strerror or exc}") from None


def _packed_rgb(image: QImage) -> np.ndarray:
    """Pixels as 0xRRGGBB integers (height × width)."""
    import numpy as np

    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height = rgb.width(), rgb.height()
    words = np.frombuffer(bytes(rgb.constBits()), np.uint32).reshape(height, rgb.bytesPerLine() // 4)
    return words[:, :width] & 0xFFFFFF


def _channels(colours: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.stack([(colours >> 16) & 255, (colours >> 8) & 255, colours & 255], axis=-1).astype(np.int32)


def _paletted(frames: Sequence[QImage]):  # type: ignore[no-untyped-def]
    """The frames as 256-colour images sharing one palette: the most frequent colours.

    A diagram is flat fills and text in a handful of colours, plus antialiased edges
    between them: with the 256 most frequent colours kept exactly (and every other
    colour mapped to its nearest), fills and text stay exact, the edges move by a shade,
    and no frame flickers against the next. No dithering: it would speckle the text.
    """
    import numpy as np
    from PIL import Image

    packed = [_packed_rgb(f) for f in frames]
    sample = np.concatenate([p[::2, ::2].ravel() for p in packed])
    colours, counts = np.unique(sample, return_counts=True)
    palette = colours[np.argsort(-counts, kind="stable")[:256]]
    present = np.zeros(1 << 24, bool)
    for p in packed:
        present[p] = True
    seen = np.flatnonzero(present).astype(np.uint32)
    wanted, offered = _channels(seen), _channels(palette)
    lookup = np.zeros(1 << 24, np.uint8)
    for start in range(0, len(seen), 4096):
        chunk = wanted[start : start + 4096, None, :] - offered[None, :, :]
        lookup[seen[start : start + 4096]] = (chunk * chunk).sum(axis=2).argmin(axis=1)
    flat = offered.astype(np.uint8).ravel().tolist()
    pictures = []
    for p in packed:
        picture = Image.fromarray(lookup[p])  # uint8, two dimensions: mode "L"
        picture.putpalette(flat)
        pictures.append(picture)
    return pictures


def write_apng(frames: Sequence[QImage], durations: Sequence[int], path: str | os.PathLike[str]) -> None:
    """An animated PNG: full colour and alpha, same timing as the GIF."""
    _check_frames(frames, durations)
    pictures = [_to_pillow(f) for f in frames]
    target = _target(path)
    try:
        pictures[0].save(
            target, "PNG", save_all=True, append_images=pictures[1:], duration=list(durations), loop=0,
            default_image=False,
        )  # fmt: skip
    except OSError as exc:
        raise ExportError(f"{target}: {exc.strerror or exc}") from None


def write_frames(frames: Sequence[QImage], folder: str | os.PathLike[str], stem: str = "frame") -> list[Path]:
    """Numbered PNG files ``frame_000.png``, ``frame_001.png``, ... in ``folder`` (created)."""
    if not frames:
        raise ExportError("there are no frames to write")
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{target}: {exc.strerror or exc}") from None
    digits = max(FRAME_DIGITS, len(str(len(frames) - 1)))
    paths = []
    for k, frame in enumerate(frames):
        path = target / f"{stem}_{k:0{digits}d}.png"
        _save_image(frame, path)
        paths.append(path)
    return paths
