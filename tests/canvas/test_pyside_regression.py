"""Guard against the PySide6 6.12 + CPython 3.11 crash ("Fatal Python error: none_dealloc").

That combination aborts the interpreter after a few thousand calls of a void C++ method
from Python; the canvas makes such calls constantly. pyproject pins PySide6 below 6.12
on Python 3.11. If the pin is ever lifted on a broken build, this test dies loudly
instead of the application dying in a user's hands.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGraphicsScene, QGraphicsSimpleTextItem


def test_many_void_calls_on_a_graphics_item(qapp) -> None:  # type: ignore[no-untyped-def]
    scene = QGraphicsScene()
    item = QGraphicsSimpleTextItem()
    scene.addItem(item)
    for k in range(50_000):
        item.setText(str(k))  # setText returns void: each return is a Py_None
    assert item.text() == "49999"
    scene.removeItem(item)
