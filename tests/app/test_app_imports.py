"""No circle of imports inside ``explorer.app``.

Every module of the app layer must be importable on its own, in an order the import
graph defines: the command line must not reach the window, the dialog must not borrow
from the command line, and nothing may import back a module that imports it. The graph
is built with grimp (import-linter's engine) from the source, so function-level (lazy)
imports count too; imports under ``if TYPE_CHECKING:`` never run and are left out.
"""

from __future__ import annotations

import grimp


def _app_import_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("explorer", exclude_type_checking_imports=True, cache_dir=None)
    modules = sorted(m for m in graph.modules if m.startswith("explorer.app."))
    return {m: {t for t in graph.find_modules_directly_imported_by(m) if t in modules} for m in modules}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected parts with more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[v] = min(low[v], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                part = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    part.append(w)
                    if w == v:
                        break
                if len(part) > 1 or v in edges[v]:
                    found.append(sorted(part))
    return found


def test_cycle_finder_finds_a_known_circle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(_cycles(edges)) == [["a", "b", "c"], ["e"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_inside_the_app_layer() -> None:
    edges = _app_import_graph()
    assert "explorer.app.exporting" in edges and "explorer.app.cli" in edges
    assert _cycles(edges) == []


def test_the_export_service_belongs_to_neither_face() -> None:
    edges = _app_import_graph()
    assert edges["explorer.app.exporting"] == set()  # nothing else from the app layer
    assert "explorer.app.exporting" in edges["explorer.app.export_cli"]
    assert "explorer.app.exporting" in edges["explorer.app.export_dialog"]
    assert "explorer.app.export_cli" not in edges["explorer.app.export_dialog"]
    assert "explorer.app.cli" not in edges["explorer.app.export_cli"]
