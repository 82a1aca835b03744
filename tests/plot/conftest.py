"""Fixtures for the plot tests."""

from __future__ import annotations

import pyqtgraph as pg
import pytest


@pytest.fixture
def every_mouse_move():
    """pyqtgraph drops mouse moves closer than 10 ms apart; a test sends them faster."""
    old = pg.getConfigOption("mouseRateLimit")
    pg.setConfigOption("mouseRateLimit", 0)
    yield
    pg.setConfigOption("mouseRateLimit", old)
