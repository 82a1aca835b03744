"""Export the plot as PNG or SVG and the sweep as CSV: plain functions of (view, path).

Both images render the view's scene through a ``QPainter``, so what is saved is what is
on screen; SVG goes through Qt's ``QSvgGenerator`` (:mod:`explorer.plot.svg`), not
pyqtgraph's exporter, which fails on the paths Qt 6.12 produces.
No dialogs here: the caller chooses the path. Failures raise ``OSError``.

Imports: PySide6, numpy, explorer.io, explorer.plot.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsView

from explorer.io.atomic import atomic_write_text
from explorer.plot.sampling import sweep_csv
from explorer.plot.svg import svg_text, uncached


def _source(view: QGraphicsView) -> tuple[QRectF, QSize]:
    """The part of the scene the view shows, and its size on screen."""
    rect = view.viewport().rect()
    return view.mapToScene(rect).boundingRect(), rect.size()


def render_image(view: QGraphicsView, scale: float = 2.0, background: str = "#ffffff") -> QImage:
    """The view's scene as an image ``scale`` times its on-screen size."""
    source, size = _source(view)
    image = QImage(
        max(1, round(size.width() * scale)), max(1, round(size.height() * scale)), QImage.Format.Format_ARGB32
    )
    image.fill(QColor(background))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        with uncached(view.scene()):
            view.scene().render(painter, QRectF(image.rect()), source)
    finally:
        painter.end()
    return image


def save_png(
    view: QGraphicsView, path: str | os.PathLike[str], scale: float = 2.0, background: str = "#ffffff"
) -> None:
    image = render_image(view, scale, background)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError(f"could not encode the plot as PNG for {os.fspath(path)}")
    buffer.close()
    _write_bytes(Path(path), bytes(data.data()))


def save_svg(
    view: QGraphicsView, path: str | os.PathLike[str], title: str = "", description: str = ""
) -> None:
    """The view as SVG (see :mod:`explorer.plot.svg` for why it is painted in layers)."""
    atomic_write_text(path, svg_text(view, title, description), backup=False)


def save_csv(
    path: str | os.PathLike[str], xs: np.ndarray, ys: np.ndarray, dys: np.ndarray, x_name: str, y_name: str
) -> None:
    atomic_write_text(path, sweep_csv(xs, ys, dys, x_name, y_name), backup=False)


def _write_bytes(path: Path, data: bytes) -> None:
    """Write next to the target, then rename over it: never a half-written image."""
    temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
