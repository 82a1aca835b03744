"""The layers hold: the model and the file format never pull in Qt.

Checked twice, independently: by importing the pure modules in a fresh interpreter and
looking at ``sys.modules`` (catches indirect and lazy imports that actually run), and by
import-linter's static contracts in ``pyproject.toml`` (catches imports on paths the
first check does not execute).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT = ("PySide6", "pyqtgraph", "shiboken6")

PROBE = """
import importlib, json, pkgutil, sys
import explorer, explorer.graph
names = ["explorer", "explorer.io.format", "explorer.io.atomic", "explorer.bundled"]
names += ["explorer.io." + m for m in ("format_checks", "format_functions", "format_migrations")]
names += ["explorer.io.format_plan", "explorer.io.format_writing"]
names += ["explorer.io.code_export", "explorer.io.code_export_value"]
names += ["explorer.io.lesson", "explorer.io.lesson_model", "explorer.io.lesson_directives"]
names += [m.name for m in pkgutil.iter_modules(explorer.graph.__path__, "explorer.graph.")]
for name in names:
    importlib.import_module(name)
# The lazy public API resolves into the pure layers as well.
for attr in explorer.__all__:
    getattr(explorer, attr)
print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
"""


def test_pure_layers_import_without_qt() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert "explorer.graph.engine" in report["imported"]
    assert "explorer.graph.tape" in report["imported"]
    leaked = [m for m in report["modules"] if m.split(".")[0] in QT]
    assert leaked == [], f"Qt reached the pure layers: {leaked[:5]}"


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(exe).exists():
        pytest.skip("lint-imports (import-linter) is not installed in this environment")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([exe, "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
