"""The pyqtgraph sensitivity panel: y(x) and dy/dx(x) with a draggable x."""
