"""Export benchmark: every bundled example to SVG from the command line (budget: 2 s in total).

The batch is what a course author runs: one ``chain-explorer export EXAMPLE -o OUT.svg``
process per example, one after the other, with no display (DISPLAY, WAYLAND_DISPLAY and
QT_QPA_PLATFORM removed, so the command must choose the offscreen platform itself).
Wall time counts interpreter start-up and every import. The script also reports the
CPU time of the children (less sensitive to a busy machine) and, in process, what each
format costs once Qt is loaded.

Run:  /work/venv/bin/python tests/benchmarks/bench_export.py [--runs 3]
Under pytest (``--benchmark-enable`` to time it) the batch runs once and only its output
is checked; timings are never assertions.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.json"))
BUDGET_S = 2.0


def headless_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def export_all(folder: Path, fmt: str = "svg") -> tuple[float, float, list[Path]]:
    """(wall seconds, children's CPU seconds, outputs) for one sequential batch."""
    env = headless_env()
    outputs = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for example in EXAMPLES:
        out = folder / f"{example.stem}.{fmt}"
        subprocess.run(
            [sys.executable, "-m", "explorer", "export", str(example), "-o", str(out)],
            env=env,
            check=True,
            capture_output=True,
        )
        outputs.append(out)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, outputs


def in_process_costs() -> dict[str, float]:
    """Milliseconds per example and format once Qt and the app are loaded."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from explorer.app.exporting import diagram_region, ensure_application, export_scene, write_animation
    from explorer.io.code_export import export_python
    from explorer.io.export import DiagramOptions, write_diagram
    from explorer.io.format import load

    ensure_application()
    costs: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for example in EXAMPLES:
            graph = load(example)
            for fmt in ("png", "svg", "pdf", "gif", "py"):
                start = time.perf_counter()
                out = Path(tmp) / f"{example.stem}.{fmt}"
                if fmt == "py":
                    out.write_text(export_python(graph), encoding="utf-8")
                else:
                    scene = export_scene(graph)
                    if fmt == "gif":
                        write_animation(scene, out, "gif", 2.0)
                    else:
                        write_diagram(scene, out, diagram_region(scene), DiagramOptions(scale=2.0))
                costs.setdefault(fmt, []).append((time.perf_counter() - start) * 1000.0)
    return {fmt: statistics.mean(values) for fmt, values in costs.items()}


def test_batch_svg_export(benchmark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _wall, _cpu, outputs = benchmark.pedantic(export_all, args=(tmp_path,), rounds=1, iterations=1)
    assert len(outputs) == len(EXAMPLES) >= 5
    for out in outputs:
        text = out.read_text(encoding="utf-8")
        assert text.startswith("<?xml") and "<text" in text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    walls, cpus = [], []
    for k in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu, _ = export_all(Path(tmp))
        walls.append(wall)
        cpus.append(cpu)
        print(f"run {k + 1}: {len(EXAMPLES)} examples to SVG in {wall:.2f} s wall, {cpu:.2f} s CPU")
    best = min(walls)
    verdict = "within" if best <= BUDGET_S else "OVER"
    print(
        f"batch SVG export: best {best:.2f} s, median {statistics.median(walls):.2f} s wall "
        f"({verdict} the {BUDGET_S:.0f} s budget); median CPU {statistics.median(cpus):.2f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    costs = in_process_costs()
    print("in process, per example (Qt loaded): " + ", ".join(f"{f} {ms:.0f} ms" for f, ms in costs.items()))
    return 0 if best <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
