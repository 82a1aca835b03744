"""Launch-to-first-paint with no file: the welcome page (budget: 700 ms, as bench_startup).

Each run starts a fresh Python process that imports the app, builds the MainWindow on a
throw-away settings file, calls ``startup(None)`` (what ``chain-explorer`` with no
argument does: the welcome page, lessons listed by title only), shows the window and runs
the event loop until the canvas has finished its first paint (the welcome page lies
over it and paints in the same pass). The time counts from just
before the child is launched, so interpreter start-up and every import count. The child
also reports whether any lesson was parsed or the lesson player loaded (neither should:
lessons are read when opened).

Run:  /work/venv/bin/python tests/benchmarks/bench_welcome.py [--runs 7]
Under pytest (benchmarking disabled by default) one launch runs and its facts are checked.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

import pytest

try:  # in the suite (tests is a package) or run as a script from its folder
    from .bench_startup import run_child
except ImportError:
    from bench_startup import run_child  # type: ignore[no-redef]

BUDGET_MS = 700.0
ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys, time
launched = float(sys.argv[1]); workdir = sys.argv[2]
marks = {}
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from explorer.app.gui import make_application
app = make_application()
from explorer.app.window import MainWindow
window = MainWindow(QSettings(workdir + "/settings.ini", QSettings.Format.IniFormat), workdir + "/recovery")
marks["window"] = time.time()
window.startup(None)
marks["welcome"] = time.time()

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "paint_start" not in marks:
            marks["paint_start"] = time.time()
            QTimer.singleShot(0, done)  # runs once this paint has finished
        return False

seen = {}

def done():
    marks["paint"] = time.time()
    seen["welcome"] = window.welcome is not None and window.welcome.isVisible()
    seen["heavy"] = sorted(m for m in ("pyqtgraph", "sympy", "scipy") if m in sys.modules)
    seen["player_loaded"] = "explorer.app.lesson_player" in sys.modules
    seen["lesson_parser_loaded"] = "explorer.io.lesson" in sys.modules
    app.quit()

spy = FirstPaint()
window.view.viewport().installEventFilter(spy)
window.show()
app.exec()
print(json.dumps({"launched": launched, "marks": marks,
                  "lessons": [b.text().splitlines()[0] for b in window.welcome.lesson_buttons], **seen}))
"""


def run_once(platform: str = "offscreen") -> dict[str, object]:
    return run_child(CHILD, platform)


def first_paint_ms(data: dict[str, object]) -> float:
    marks: dict[str, float] = data["marks"]  # type: ignore[assignment]
    return (marks["paint"] - float(data["launched"])) * 1000.0  # type: ignore[arg-type]


def test_launch_without_a_file_paints_the_welcome_page(benchmark: pytest.FixtureRequest) -> None:
    data = benchmark.pedantic(run_once, rounds=1, iterations=1)  # type: ignore[attr-defined]
    assert data["welcome"] is True
    assert data["lessons"] == ["The chain rule", "Long chains", "Many paths"]
    assert data["player_loaded"] is False  # lessons are parsed only when one is opened
    assert data["lesson_parser_loaded"] is False
    assert "pyqtgraph" not in data["heavy"]  # type: ignore[operator]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    args = parser.parse_args()
    totals = []
    for i in range(args.runs):
        data = run_once(args.platform)
        t0 = float(data["launched"])  # type: ignore[arg-type]
        marks = {k: (float(v) - t0) * 1000.0 for k, v in data["marks"].items()}  # type: ignore[union-attr]
        totals.append(marks["paint"])
        stages = "  ".join(f"{k}={v:.0f}" for k, v in marks.items())
        print(f"run {i + 1}: first paint {marks['paint']:.0f} ms  ({stages})")
        if i == 0:
            print(f"  player loaded: {data['player_loaded']}; heavy modules: {data['heavy'] or 'none'}")
    median = statistics.median(totals)
    verdict = "within" if median <= BUDGET_MS else "OVER"
    print(
        f"launch to first paint (welcome page): median {median:.0f} ms, best {min(totals):.0f} ms "
        f"over {len(totals)} runs ({verdict} the {BUDGET_MS:.0f} ms budget)"
    )
    return 0 if median <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
