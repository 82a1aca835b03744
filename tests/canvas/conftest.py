"""Fixtures for the canvas tests: a shown view on the lesson graph at 100% zoom."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .canvas_helpers import Canvas, close_canvas, lesson_graph, make_canvas


@pytest.fixture
def canvas(qtbot) -> Iterator[Canvas]:  # type: ignore[no-untyped-def]
    c = make_canvas(qtbot, lesson_graph())
    yield c
    close_canvas(c)
