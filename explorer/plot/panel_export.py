"""The sensitivity panel's exports: the plot as PNG or SVG, the sweep as CSV, and the dialog.

A mixin of :class:`~explorer.plot.panel.SensitivityPanel`, split from it so the panel keeps
to choosing x and y and drawing the curves. The writing itself is in
:mod:`explorer.plot.export`; a failed write becomes a one-line message, never an exception.

Imports: PySide6, numpy, explorer.plot, explorer.theme.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from explorer.plot import export
from explorer.theme import format_number

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtCore import SignalInstance

    from explorer.plot.view import SensitivityView
    from explorer.theme import Theme


class PanelExport:
    """Export the panel's plot and data; expects the panel's attributes."""

    view: SensitivityView
    message: SignalInstance
    _theme: Theme
    _range: tuple[float, float]
    _xs: np.ndarray
    _ys: np.ndarray
    _dys: np.ndarray

    # ------------------------------------------------------------------ hooks the panel provides
    if TYPE_CHECKING:

        def _names(self) -> tuple[str, str]: ...

    # ------------------------------------------------------------------ export
    def export_png(self, path: str | Path, scale: float = 2.0) -> None:
        """The plot as a PNG image (``scale`` × the on-screen size)."""
        export.save_png(self.view, path, scale, self._theme.background)

    def export_svg(self, path: str | Path) -> None:
        """The plot as an SVG drawing."""
        x_name, y_name = self._names()
        export.save_svg(self.view, path, title=f"{y_name}({x_name})", description=self._describe())

    def export_csv(self, path: str | Path) -> None:
        """The sweep as CSV: x, y, dy/dx, one row per sample; undefined cells empty."""
        x_name, y_name = self._names()
        export.save_csv(path, self._xs, self._ys, self._dys, x_name, y_name)

    def _export_dialog(self, kind: str) -> None:
        filters = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)", "csv": "CSV data (*.csv)"}
        x_name, y_name = self._names()
        suggestion = f"{y_name}_vs_{x_name}.{kind}"
        path, _ = QFileDialog.getSaveFileName(self, "Export", suggestion, filters[kind])
        if not path:
            return
        try:
            {"png": self.export_png, "svg": self.export_svg, "csv": self.export_csv}[kind](path)
        except OSError as exc:
            self.message.emit(f"Could not export to {path}: {exc.strerror or exc}")
        else:
            self.message.emit(f"Exported {Path(path).name}")

    def _describe(self) -> str:
        x_name, y_name = self._names()
        lo, hi = self._range
        return (
            f"{y_name} and d{y_name}/d{x_name} for {x_name} from {format_number(lo)} to {format_number(hi)}"
        )
