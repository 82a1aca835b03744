"""Launch-to-first-paint benchmark for the main window (budget: 700 ms with an example loaded).

Each run starts a fresh Python process that imports the app, builds the MainWindow on a
throw-away settings file and recovery folder, opens a bundled example, shows the window
and runs the event loop until the canvas has finished its first paint. The time is
measured from just before the parent launches the child (so interpreter start-up and
every import count) to the end of that paint. Also reports which heavy modules loaded.

Run:  /work/venv/bin/python tests/benchmarks/bench_startup.py [--runs 7] [--platform offscreen]
Not a pytest test (timings are not assertions); prints one line per run and a summary.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_MS = 700.0
ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys, time
launched = float(sys.argv[1]); workdir = sys.argv[2]
marks = {}
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from explorer.app.gui import make_application
app = make_application()
marks["qt_app"] = time.time()
from explorer.app.window import MainWindow
from explorer.app.examples import lesson_path, list_examples
marks["imports"] = time.time()
window = MainWindow(QSettings(workdir + "/settings.ini", QSettings.Format.IniFormat), workdir + "/recovery")
marks["window"] = time.time()
example = lesson_path() or (list_examples()[0].path if list_examples() else None)
if example is not None:
    window.open_example(example)
marks["loaded"] = time.time()

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "paint" not in marks:
            marks["paint_start"] = time.time()
            QTimer.singleShot(0, done)  # runs once this paint has finished
        return False

def done():
    marks["paint"] = time.time()
    app.quit()

spy = FirstPaint()
window.view.viewport().installEventFilter(spy)
window.show()
app.exec()
heavy = sorted(m for m in ("pyqtgraph", "scipy", "sympy", "matplotlib") if m in sys.modules)
print(json.dumps({"launched": launched, "marks": marks, "nodes": len(window.document.graph),
                  "example": str(example), "heavy": heavy}))
"""


def run_once(platform: str) -> dict[str, object]:
    return run_child(CHILD, platform)


def run_child(child: str, platform: str) -> dict[str, object]:
    """Start ``child`` (a launch script) in a fresh interpreter and a scratch folder; its last
    printed line is JSON. Shared with bench_welcome: both time a launch the same way."""
    with tempfile.TemporaryDirectory() as workdir:
        env = dict(os.environ, QT_QPA_PLATFORM=platform, CHAIN_EXPLORER_RECOVERY_DIR=f"{workdir}/recovery")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
        launched = time.time()
        result = subprocess.run(
            [sys.executable, "-c", child, repr(launched), workdir],
            env=env,
            cwd=workdir,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"child failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def baseline_ms() -> float:
    """What the floor costs here: a bare interpreter importing PySide6.QtWidgets and NumPy."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import PySide6.QtWidgets, numpy"], check=True)
    return (time.perf_counter() - started) * 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    args = parser.parse_args()
    totals: list[float] = []
    for i in range(args.runs):
        data = run_once(args.platform)
        t0 = float(data["launched"])  # type: ignore[arg-type]
        marks = {k: (float(v) - t0) * 1000.0 for k, v in data["marks"].items()}  # type: ignore[union-attr]
        totals.append(marks["paint"])
        stages = "  ".join(f"{k}={v:.0f}" for k, v in marks.items())
        print(f"run {i + 1}: first paint {marks['paint']:.0f} ms  ({stages})  nodes={data['nodes']}")
        if i == 0:
            print(f"  example: {data['example']}; heavy modules loaded: {data['heavy'] or 'none'}")
    median = statistics.median(totals)
    floor = statistics.median(baseline_ms() for _ in range(3))
    print(f"baseline (python + import PySide6.QtWidgets, numpy): {floor:.0f} ms")
    verdict = "within" if median <= BUDGET_MS else "OVER"
    print(
        f"launch to first paint: median {median:.0f} ms, best {min(totals):.0f} ms "
        f"over {len(totals)} runs ({verdict} the {BUDGET_MS:.0f} ms budget)"
    )
    return 0 if median <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
