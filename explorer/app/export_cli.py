"""``chain-explorer export``: the command line's thin face over :mod:`explorer.app.exporting`.

It turns the parsed arguments into one :func:`~explorer.app.exporting.export_graph` call
and says what it wrote. Problems are :class:`~explorer.io.export.ExportError`;
:mod:`explorer.app.cli` turns them into its own one-line errors, so nothing here imports
the command line back.

Imports: explorer.app.exporting, explorer.io.export, explorer.graph, explorer.theme.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from explorer.app.exporting import export_graph
from explorer.graph.model import Graph
from explorer.io.export import DiagramOptions, ExportError, format_for_path
from explorer.theme import THEMES


def run_export(
    args: argparse.Namespace,
    graph: Graph,
    parse_assignments: Callable[[Sequence[str], Graph], dict[str, float]],
) -> int:
    """``chain-explorer export FILE -o OUT``: the format comes from OUT's extension."""
    if not len(graph):
        raise ExportError(f"{args.file}: the graph is empty; there is nothing to export")
    fmt = format_for_path(args.out)
    for node_id, value in parse_assignments(args.set, graph).items():
        graph.set_value(node_id, value)
    options = DiagramOptions(
        scale=float(args.scale),
        transparent=bool(args.transparent),
        title=graph.title or Path(args.file).stem,
        description=graph.description,
    )
    export_graph(graph, args.out, options, THEMES[args.theme], args.stage, fmt)
    print(f"wrote {args.out}")
    return 0
