"""The pyqtgraph sensitivity panel: y(x) and dy/dx(x) with a draggable x.

``SensitivityPanel(document)`` is the widget the app docks; ``panel.py`` wires it to the
document, ``view.py`` draws, ``sampling.py`` holds the Qt-free numbers (ranges, gaps,
tangent, CSV) and ``export.py`` writes PNG, SVG and CSV.
"""

from __future__ import annotations

from explorer.plot.panel import SensitivityPanel

__all__ = ["SensitivityPanel"]
