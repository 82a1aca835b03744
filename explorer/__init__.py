"""Chain Rule Explorer: see backpropagation.

The public, Qt-free Python API::

    import explorer
    g = explorer.parse("a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2")
    ev = explorer.evaluate(g)          # ev.value == 49.0, ev["a"].grad == 42.0
    ys, dys = explorer.sweep(g, "a", numpy.linspace(-3, 3, 500))
    explorer.save(g, "loss.json"); g2 = explorer.load("loss.json")

Names resolve lazily so that ``import explorer`` stays cheap for the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Evaluation", "Graph", "GraphError", "evaluate", "load", "parse", "save", "sweep"]

if TYPE_CHECKING:
    from explorer.graph.engine import Evaluation, evaluate
    from explorer.graph.model import Graph, GraphError
    from explorer.graph.parser import parse
    from explorer.graph.tape import sweep
    from explorer.io.format import load, save

_WHERE = {
    "Evaluation": "explorer.graph.engine",
    "evaluate": "explorer.graph.engine",
    "Graph": "explorer.graph.model",
    "GraphError": "explorer.graph.model",
    "parse": "explorer.graph.parser",
    "sweep": "explorer.graph.tape",
    "load": "explorer.io.format",
    "save": "explorer.io.format",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'explorer' has no attribute {name!r}")
