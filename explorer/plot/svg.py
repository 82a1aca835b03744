"""The plot as an SVG document, through Qt's ``QSvgGenerator`` (QtSvg is in PySide6-Essentials).

pyqtgraph's own SVG exporter fails on the paths Qt 6.12 produces, so the scene is painted
onto a ``QSvgGenerator`` instead. That generator gets clipping wrong: a clip set under a
transform, or a text item's own clip, comes out untransformed or as an empty clip path,
which browsers take as "clip everything away" (a blank page) and Qt's renderer ignores
(curves spilling over the neighbouring plot). So no clip Qt writes is kept:

1. the scene is painted once with the plots' *contents* hidden: axes, grids, labels,
   legend, readout — none of which needs clipping;
2. then once per plot with only that plot's contents visible: curves, markers, rules,
   tangent, heat map;

every clip Qt wrote is stripped, and each plot's layer is wrapped in one clip path of
our own — the plot's rectangle in page coordinates. The layers are merged with
ElementTree into one document.

Imports: PySide6, pyqtgraph, standard library.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, QSize
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)


def svg_text(view: QGraphicsView, title: str = "", description: str = "") -> str:
    """What ``view`` shows, as an SVG 1.1 document (UTF-8 text)."""
    rect = view.viewport().rect()
    source, size = view.mapToScene(rect).boundingRect(), rect.size()
    scene = view.scene()
    dpi = round(view.logicalDpiY())
    sx, sy = size.width() / source.width(), size.height() / source.height()
    layers: list[tuple[QRectF | None, str]] = []
    with uncached(scene), _unclipped(scene) as boxes:
        with _hidden([vb.childGroup for vb in boxes]):
            layers.append((None, _paint(scene, source, size, dpi)))
        for vb in boxes:
            rect_in_scene = vb.sceneBoundingRect().intersected(source)
            if rect_in_scene.isEmpty():
                continue
            page = QRectF(
                (rect_in_scene.x() - source.x()) * sx,
                (rect_in_scene.y() - source.y()) * sy,
                rect_in_scene.width() * sx,
                rect_in_scene.height() * sy,
            )
            others = [i for i in scene.items() if not _related(i, vb)]
            with _hidden(others):
                layers.append((page, _paint(scene, source, size, dpi)))
    return _merge(layers, size, title, description)


def _related(item: QGraphicsItem, vb: pg.ViewBox) -> bool:
    return item is vb or vb.isAncestorOf(item) or item.isAncestorOf(vb)


@contextmanager
def _hidden(items: list[QGraphicsItem]) -> Iterator[None]:
    shown = [i for i in items if i.isVisible()]
    for item in shown:
        item.setVisible(False)
    try:
        yield
    finally:
        for item in shown:
            item.setVisible(True)


@contextmanager
def uncached(scene: QGraphicsScene) -> Iterator[None]:
    """Items paint themselves, not their on-screen pixmap caches, while exporting.

    Otherwise Qt draws a cached item as a bitmap: an SVG would hold raster images and a
    2x PNG would be a blurry 1x one.
    """
    no_cache = QGraphicsItem.CacheMode.NoCache
    cached = [(i, i.cacheMode()) for i in scene.items() if i.cacheMode() != no_cache]
    for item, _mode in cached:
        item.setCacheMode(no_cache)
    try:
        yield
    finally:
        for item, mode in cached:
            item.setCacheMode(mode)


@contextmanager
def _unclipped(scene: QGraphicsScene) -> Iterator[list[pg.ViewBox]]:
    """The visible view boxes, with their own (mis-exported) child clipping switched off."""
    flag = QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape
    boxes = [i for i in scene.items() if isinstance(i, pg.ViewBox) and i.isVisible()]
    clipping = [vb for vb in boxes if vb.flags() & flag]
    for vb in clipping:
        vb.setFlag(flag, False)
    try:
        yield boxes
    finally:
        for vb in clipping:
            vb.setFlag(flag, True)


def _paint(scene: QGraphicsScene, source: QRectF, size: QSize, dpi: int) -> str:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator(QSvgGenerator.SvgVersion.Svg11)
    generator.setOutputDevice(buffer)
    # Text is sized in points: at the screen's resolution it keeps its on-screen width,
    # so the readout's coloured runs still line up.
    generator.setResolution(dpi)
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError("could not start the SVG generator")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data()).decode("utf-8")


def _layer(text: str, prefix: str) -> tuple[ET.Element, list[ET.Element], list[ET.Element]]:
    """One painted layer without Qt's clips: (root, definitions to keep, drawn elements)."""
    text = re.sub(r'\sclip-path="url\(#[^)]*\)"', "", text)
    text = re.sub(r"<path[^>]*\sd=\"\"[^>]*/>", "", text)  # nothing to draw; renderers complain
    # Layers come from separate generators: keep their ids (gradients, images) apart.
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}\1"', text)
    root = ET.fromstring(text.encode("utf-8"))
    defs: list[ET.Element] = []
    body: list[ET.Element] = []
    for child in root:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "defs":
            defs += [d for d in child if d.tag.rsplit("}", 1)[-1] != "clipPath"]
        elif tag not in ("title", "desc"):
            body.append(child)
    return root, defs, body


def _merge(layers: list[tuple[QRectF | None, str]], size: QSize, title: str, description: str) -> str:
    first, _defs, _body = _layer(layers[0][1], "a")
    root = ET.Element(f"{{{SVG}}}svg", {k: v for k, v in first.attrib.items() if "}" not in k})
    root.set("version", "1.1")
    ET.SubElement(root, f"{{{SVG}}}title").text = title
    ET.SubElement(root, f"{{{SVG}}}desc").text = description
    defs = ET.SubElement(root, f"{{{SVG}}}defs")
    groups: list[ET.Element] = []
    for k, (page, text) in enumerate(layers):
        _root, layer_defs, body = _layer(text, f"l{k}_")
        defs.extend(layer_defs)
        group = ET.Element(f"{{{SVG}}}g")
        if page is not None:
            clip = ET.SubElement(defs, f"{{{SVG}}}clipPath", {"id": f"plot{k}"})
            ET.SubElement(
                clip,
                f"{{{SVG}}}rect",
                {
                    "x": f"{page.x():g}",
                    "y": f"{page.y():g}",
                    "width": f"{page.width():g}",
                    "height": f"{page.height():g}",
                },
            )
            group.set("clip-path", f"url(#plot{k})")
        group.extend(body)
        groups.append(group)
    root.extend(groups)
    ET.indent(root, space="")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        + ET.tostring(root, encoding="unicode")
        + "\n"
    )
