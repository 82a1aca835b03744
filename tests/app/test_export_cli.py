"""Tests for ``chain-explorer export`` (explorer.app.export_cli over explorer.app.exporting).

Two tests run the real command in a subprocess with no display at all (DISPLAY,
WAYLAND_DISPLAY and QT_QPA_PLATFORM removed); the rest call the CLI's ``main`` in
process, where the test QApplication already exists. Outputs are checked as files: PNG
sizes against the drawing's region, SVG parsed as XML with the numbers the lesson
derives by hand (c = 6, d = 7, loss = 49; gradients 14, 42, 28), PDF bytes, GIF frames
against the engine's trace, the Python script run by a fresh interpreter.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from explorer.app.cli import main
from explorer.app.exporting import (
    END_MS,
    HOLD_MS,
    STEP_MS,
    apply_stage,
    diagram_region,
    export_scene,
    frame_caption,
    frame_durations,
)
from explorer.graph.engine import evaluate
from explorer.io.export import pixel_size
from explorer.io.format import load
from explorer.theme import DARK, LIGHT

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "resources" / "examples" / "lesson_loss.json"
SVG = "{http://www.w3.org/2000/svg}"


def headless_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return [(t.text or "").strip() for t in root.iter(f"{SVG}text")]


def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["export", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.err


# ------------------------------------------------------------------------------ headless
def test_svg_without_any_display(tmp_path: Path) -> None:
    out = tmp_path / "lesson.svg"
    done = subprocess.run(
        [sys.executable, "-m", "explorer", "export", str(LESSON), "-o", str(out), "--stage", "gradients"],
        env=headless_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {out}"
    texts = svg_texts(out)
    for name in ("a", "b", "c", "d", "loss"):
        assert name in texts
    assert "42" in texts and "28" in texts  # d(loss)/da = 14·b, d(loss)/db = 14·a


def test_gif_without_any_display_has_one_frame_per_step(tmp_path: Path) -> None:
    out = tmp_path / "lesson.gif"
    done = subprocess.run(
        [sys.executable, "-m", "explorer", "export", str(LESSON), "-o", str(out)],
        env=headless_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    steps = len(evaluate(load(LESSON)).trace)
    assert steps == 3 + 1 + 4  # c, d, loss; the seed; loss→d, d→c, c→a, c→b
    with Image.open(out) as gif:
        assert gif.n_frames == steps + 1  # the start, then one frame per step
        durations = []
        for k in range(gif.n_frames):
            gif.seek(k)
            durations.append(gif.info["duration"])
        width = gif.size[0]
    assert durations == frame_durations(steps, 3)
    assert width <= 1920  # slide-sized


# ------------------------------------------------------------------------------ diagrams
@pytest.mark.parametrize("scale", [1, 2, 4])
def test_png_size_follows_the_scale_and_is_not_blank(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], tmp_path: Path, scale: int
) -> None:
    out = tmp_path / f"x{scale}.png"
    code, err = export(capsys, LESSON, "-o", out, "--scale", str(scale))
    assert (code, err) == (0, "")
    image = QImage(str(out))
    region = diagram_region(export_scene(load(LESSON)))
    assert image.size() == pixel_size(region, scale)
    assert 600 < region.width() < 1400 and 250 < region.height() < 700  # five cards in four columns
    colours = {
        image.pixelColor(x, y).name() for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
    }
    assert len(colours) > 50  # antialiased drawing, not a flat fill
    assert LIGHT.value in colours and LIGHT.grad in colours and LIGHT.background in colours


def test_png_dark_theme_and_transparent_background(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    dark, clear = tmp_path / "dark.png", tmp_path / "clear.png"
    assert export(capsys, LESSON, "-o", dark, "--theme", "dark", "--scale", "1") == (0, "")
    assert export(capsys, LESSON, "-o", clear, "--transparent", "--scale", "1") == (0, "")
    assert QImage(str(dark)).pixelColor(1, 1) == QColor(DARK.background)
    corner = QImage(str(clear)).pixelColor(1, 1)
    assert corner.alpha() == 0


STAGE_NUMBERS = {
    # Values at a = 2, b = 3: c = 6, d = 7, loss = 49. Gradients: loss 1, d 14, c 14, a 42, b 28.
    "clean": (set(), {"6", "7", "49", "42", "28", "14", "×3"}),
    "values": ({"2", "3", "6", "7", "49"}, {"42", "28", "14", "×3"}),
    "gradients": ({"42", "28", "14", "×3", "×2", "×14"}, {"6", "7", "49"}),
    "both": ({"2", "3", "6", "7", "49", "42", "28", "14", "×3"}, set()),
}


@pytest.mark.parametrize("stage", list(STAGE_NUMBERS))
def test_svg_stage_decides_which_numbers_appear(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], tmp_path: Path, stage: str
) -> None:
    out = tmp_path / f"{stage}.svg"
    assert export(capsys, LESSON, "-o", out, "--stage", stage) == (0, "")
    texts = set(svg_texts(out))
    present, absent = STAGE_NUMBERS[stage]
    assert {"a", "b", "c", "d", "loss"} <= texts
    assert {"1", "2"} <= texts  # the constants of d = c + 1 and loss = d ** 2 always show
    assert present <= texts, present - texts
    assert not (absent & texts), absent & texts


def test_pdf_is_vector(qapp: QApplication, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "lesson.pdf"
    assert export(capsys, LESSON, "-o", out) == (0, "")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert not re.search(rb"/Subtype\s*/Image", data)
    assert re.search(rb"/FontFile2|/FontFile3|/FontFile\b", data)  # text is text, with its font


def test_set_changes_the_numbers(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "set.svg"
    assert export(capsys, LESSON, "-o", out, "--set", "a=5", "--stage", "values") == (0, "")
    texts = set(svg_texts(out))
    assert {"5", "15", "16", "256"} <= texts  # c = 5·3, d = 16, loss = 16²


# ------------------------------------------------------------------------------ animations and code
def test_frames_folder_and_apng(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "frames"
    assert export(capsys, LESSON, "-o", f"{folder}{os.sep}", "--scale", "1") == (0, "")
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"frame_{k:03d}.png" for k in range(9)]
    first, last = QImage(str(folder / names[0])), QImage(str(folder / names[-1]))
    assert first.size() == last.size() and first != last
    apng = tmp_path / "lesson.apng"
    assert export(capsys, LESSON, "-o", apng, "--scale", "1") == (0, "")
    with Image.open(apng) as png:
        assert png.n_frames == 9


def test_python_export_runs_and_prints_the_lesson(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "lesson.py"
    assert export(capsys, LESSON, "-o", out, "--set", "b=4") == (0, "")
    assert not (tmp_path / "lesson.py.bak").exists()
    done = subprocess.run(
        [sys.executable, "-I", str(out)], capture_output=True, text=True, timeout=60, check=True
    )
    # b = 4: c = 8, d = 9, loss = 81; d(loss)/da = 18·4 = 72, d(loss)/db = 18·2 = 36.
    assert done.stdout.splitlines() == [
        "loss = 81.0",
        "a = 2.0    dloss/da = 72.0",
        "b = 4.0    dloss/db = 36.0",
    ]


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "{tmp}/x.jpg"], r"'\.jpg' is not an export format"),
        (["-o", "{tmp}/x.png", "--scale", "5"], "scale must be between 1 and 4"),
        (["-o", "{tmp}/x.png", "--set", "zz=1"], "no node named 'zz'"),
        (["-o", "{tmp}/x.png", "--set", "c=1"], "'c' is not an input"),
        (["-o", "{tmp}/missing/x.svg"], "no such folder"),
        (["-o", "{tmp}/missing/x.py"], "no such folder"),
    ],
)
def test_errors_are_one_line_and_exit_non_zero(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    code, err = export(capsys, LESSON, *[a.format(tmp=tmp_path) for a in args])
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("chain-explorer: error: ")
    assert re.search(message, err), err


def test_half_built_graph_cannot_become_code_and_empty_graphs_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from explorer.graph.model import Graph
    from explorer.io.format import save

    half = load(LESSON)
    half.disconnect(half.find("c").id, 1)
    save(half, tmp_path / "half.json")
    code, err = export(capsys, tmp_path / "half.json", "-o", tmp_path / "half.py")
    assert code == 1 and "operand 2 of 'c' (mul) is not connected" in err
    save(Graph(), tmp_path / "empty.json")
    code, err = export(capsys, tmp_path / "empty.json", "-o", tmp_path / "empty.png")
    assert code == 1 and "the graph is empty" in err


# ------------------------------------------------------------------------------ the pieces
def test_apply_stage_sets_what_cards_and_edges_show(qapp: QApplication) -> None:
    scene = export_scene(load(LESSON), stage="clean")
    graph = scene.document.graph

    def shown(name: str) -> tuple[str, str]:
        item = scene.node_item(graph.find(name).id)
        return item.value_text(), item.grad_text()

    const = next(n.id for n in graph if n.op == "const")
    edge = next(e for e in graph.edges() if e.source == graph.find("a").id)
    assert shown("a") == ("", "") and shown("c") == ("", "")
    assert scene.node_item(const).value_text() == "1"
    assert scene.edge_item(edge).label_text() == ""
    apply_stage(scene, "both")
    assert shown("a") == ("2", "42") and shown("c") == ("6", "14") and shown("loss") == ("49", "1")
    assert scene.node_item(const).grad_text() == ""  # a constant's gradient is not part of the lesson
    assert scene.edge_item(edge).label_text() == "×3"  # ∂c/∂a = b = 3
    apply_stage(scene, "gradients")
    assert shown("b") == ("", "28") and shown("d") == ("", "14")
    with pytest.raises(Exception, match="unknown stage 'all'"):
        apply_stage(scene, "all")


def test_export_scene_copies_the_graph(qapp: QApplication) -> None:
    graph = load(LESSON)
    scene = export_scene(graph)
    scene.document.graph.set_value(scene.document.graph.find("a").id, 9.0)
    assert graph.find("a").value == 2.0


def test_durations_hold_at_the_start_of_each_pass_and_at_the_end() -> None:
    assert frame_durations(8, 3) == [
        HOLD_MS,
        STEP_MS,
        STEP_MS,
        HOLD_MS,
        STEP_MS,
        STEP_MS,
        STEP_MS,
        STEP_MS,
        END_MS,
    ]
    assert frame_durations(0, 0) == [END_MS]
    assert min(STEP_MS, HOLD_MS, END_MS) >= 500 and HOLD_MS > STEP_MS  # readable at slide size


def test_captions_name_the_pass_the_step_and_the_numbers(qapp: QApplication) -> None:
    from explorer.animation.frames import Timeline

    timeline = Timeline(evaluate(load(LESSON)))
    captions = [frame_caption(timeline, n) for n in range(timeline.count + 1)]
    assert captions[0].startswith("Forward pass")
    assert captions[1].startswith("Forward 1/3:") and "= 6" in captions[1]
    assert captions[4].startswith("Backward pass starts:")
    assert captions[8].startswith("Backward 4/4:") and "= 28" in captions[8]
    assert "every gradient is known" in captions[8]
    assert all(not math.isnan(len(c)) and len(c) < 120 for c in captions)
