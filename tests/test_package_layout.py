"""The tests are one package, and the graph layer imports in one direction.

Helpers and strategies are shared with package imports (``from ..graph.strategies import
graphs``), never by putting folders on ``sys.path``: that needs every folder of tests to
be a package. The trace reads an evaluation through a protocol, so the engine imports
the trace and the trace never imports the engine.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

TESTS = Path(__file__).resolve().parent


def test_every_test_folder_is_a_package() -> None:
    folders = {p.parent for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts}
    missing = sorted(str(f.relative_to(TESTS.parent)) for f in folders if not (f / "__init__.py").exists())
    assert missing == [], f"add an empty __init__.py to: {', '.join(missing)}"


def test_no_test_module_edits_sys_path() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "path"
                and isinstance(node.func.value.value, ast.Name)
                and node.func.value.value.id == "sys"
            ):
                offenders.append(f"{path.relative_to(TESTS.parent)}:{node.lineno}")
    assert offenders == []


def test_the_trace_does_not_import_the_engine() -> None:
    graph = grimp.build_graph("explorer", cache_dir=None)  # TYPE_CHECKING imports count here
    assert "explorer.graph.trace" in graph.find_modules_directly_imported_by("explorer.graph.engine")
    assert not graph.chain_exists("explorer.graph.trace", "explorer.graph.engine")
