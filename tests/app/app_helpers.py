"""Graphs and files for the main-window tests, built with the parser and the file format."""

from __future__ import annotations

from pathlib import Path

from explorer.graph.layout import apply_layout
from explorer.graph.model import Graph
from explorer.graph.parser import parse
from explorer.io.format import save


def make_graph(text: str = "h(x) = (2x + 1)^2", **values: float) -> Graph:
    graph = parse(text)
    for name, value in values.items():
        graph.set_value(graph.find(name).id, value)
    apply_layout(graph)
    return graph


def write_graph(path: Path, text: str = "h(x) = (2x + 1)^2", **values: float) -> Graph:
    graph = make_graph(text, **values)
    save(graph, path)
    return graph
