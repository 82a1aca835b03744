"""The headless export pipeline: one service that the command line and the dialog both call.

Neither face owns it. ``chain-explorer export`` (:mod:`explorer.app.export_cli`) turns
its arguments into one call to :func:`export_graph`; File → Export…
(:mod:`explorer.app.export_dialog`) keeps a scene of its own for the live preview and
writes through :func:`write_scene`, with exactly the drawing the preview shows.

Everything is drawn on an offscreen copy of the document by a private
:class:`~explorer.canvas.scene.GraphScene` (light theme by default, never the user's
live canvas), told what to show for a *stage*; animations are driven by a private
:class:`~explorer.animation.player.Player` seeking position by position. The writers
themselves are the plain functions in :mod:`explorer.io.export`. Problems are
:class:`~explorer.io.export.ExportError` with a one-line message; each face shows it its
own way.

Stages (what the numbers on the cards say):

* ``clean`` — the structure: constants keep their numbers (``2x + 1`` needs its 2 and 1),
  everything else is blank and edges carry no labels;
* ``values`` — the forward pass done: every value, no gradients;
* ``gradients`` — the backward pass: gradients and the local derivatives on the edges,
  values only on constants;
* ``both`` — values, gradients and local derivatives.

As in the animation's last frame, constants and nodes the output does not depend on
show no gradient, and edges out of constants no label: nobody asks how the output moves
when the number 2 moves.

Imports: PySide6, explorer.canvas, explorer.animation, explorer.document, explorer.io,
explorer.graph, explorer.theme; nothing else from explorer.app.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from explorer.canvas.scene import GraphScene
from explorer.document.document import GraphDocument
from explorer.graph.model import Graph
from explorer.io.export import (
    ANIMATION_FORMATS,
    DIAGRAM_FORMATS,
    DiagramOptions,
    ExportError,
    content_rect,
    format_for_path,
    render_image,
    write_apng,
    write_diagram,
    write_frames,
    write_gif,
)
from explorer.theme import LIGHT, Theme

STAGES = ("clean", "values", "gradients", "both")
STEP_MS = 900  # one trace step
HOLD_MS = 2200  # before the forward pass and between the passes
END_MS = 3500  # on the finished backward pass, before the loop starts again
MAX_ANIMATION_WIDTH = 1920  # pixels: a GIF wider than a slide only costs bytes


def ensure_application() -> QApplication:
    """The running QApplication, or a new one that needs no display.

    Without an X11/Wayland display (a server, CI, ssh) Qt would abort looking for one, so
    the offscreen platform is chosen first unless the user chose another.
    """
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and sys.platform not in ("win32", "darwin"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QApplication(sys.argv[:1])


# ------------------------------------------------------------------------------ the whole job
def export_graph(
    graph: Graph,
    path: str | os.PathLike[str],
    options: DiagramOptions | None = None,
    theme: Theme = LIGHT,
    stage: str = "both",
    fmt: str | None = None,
) -> None:
    """Write ``graph`` to ``path`` in ``fmt`` (by default the one ``path``'s extension names).

    The graph is copied first; the caller's graph is never touched.
    """
    fmt = fmt if fmt is not None else format_for_path(path)
    if fmt == "py":
        write_code(graph, path)
        return
    options = (options if options is not None else DiagramOptions()).checked()
    ensure_application()
    write_scene(export_scene(graph, theme, stage), path, fmt, options, stage)


def write_scene(
    scene: GraphScene,
    path: str | os.PathLike[str],
    fmt: str,
    options: DiagramOptions,
    stage: str = "both",
    region: QRectF | None = None,
) -> None:
    """A diagram at ``stage`` or an animation of the passes, drawn from ``scene``.

    ``region`` is the part of the scene to draw; by default the whole graph (for an
    animation: every frame's extent). The scene is left showing ``stage``.
    """
    if fmt in DIAGRAM_FORMATS:
        apply_stage(scene, stage)
        write_diagram(scene, path, region if region is not None else diagram_region(scene), options, fmt)
    elif fmt in ANIMATION_FORMATS:
        write_animation(scene, path, fmt, options.scale, region)
        apply_stage(scene, stage)
    else:
        raise ExportError(f"{fmt} is not a drawing format")


def write_code(graph: Graph, path: str | os.PathLike[str]) -> None:
    """The graph as a runnable Python script (micrograd-style ``Value`` class), atomically."""
    from explorer.io.atomic import atomic_write_text
    from explorer.io.code_export import export_python

    text = export_python(graph)
    target = Path(path)
    if not target.parent.is_dir():
        raise ExportError(f"{target.parent}: no such folder")
    atomic_write_text(target, text, backup=False)


# ------------------------------------------------------------------------------ preparation
def export_scene(graph: Graph, theme: Theme = LIGHT, stage: str = "both") -> GraphScene:
    """A private document and scene showing ``graph`` (a copy) at ``stage``; needs a QApplication."""
    document = GraphDocument(graph.copy())
    scene = GraphScene(document, theme)
    apply_stage(scene, stage)
    return scene


def apply_stage(scene: GraphScene, stage: str) -> None:
    """Tell every card and edge what to show for ``stage`` (one of :data:`STAGES`)."""
    if stage not in STAGES:
        raise ExportError(f"unknown stage {stage!r}; use one of {', '.join(STAGES)}")
    evaluation = scene.document.evaluation
    program = evaluation.program
    graph = scene.document.graph
    show_values = stage in ("values", "both")
    show_grads = stage in ("gradients", "both")
    scene.clearSelection()
    scene.set_show_edge_labels(show_grads)
    for nid in program.ids:
        item = scene.node_item(nid)
        op = graph.node(nid).op
        item.set_value_override(None if show_values or op == "const" else "")
        gets_grad = show_grads and program.varies[program.index[nid]] and _reaches_output(evaluation, nid)
        item.set_grad_override(None if gets_grad else "")
        item.set_emphasis(None)
    for edge in program.edges:
        source_varies = program.varies[program.index[edge.source]]
        scene.edge_item(edge).set_caption(None if show_grads and source_varies else "")


def _reaches_output(evaluation: Any, node_id: str) -> bool:
    if evaluation.output is None:
        return False
    program = evaluation.program
    return program.ancestors(program.index[evaluation.output])[program.index[node_id]]


def diagram_region(scene: GraphScene, margin: float | None = None) -> QRectF:
    """The whole graph, tightly, with a margin."""
    return content_rect(scene) if margin is None else content_rect(scene, margin)


# ------------------------------------------------------------------------------ animation
def frame_caption(timeline: Any, n: int) -> str:
    """One line under frame ``n``: which pass, which step, and its numbers."""
    from explorer.animation.narration import step_summary
    from explorer.graph.trace import BackwardStep, ForwardStep, SeedStep

    if n == 0:
        return "Forward pass: the inputs and constants are known"
    k = n - 1
    step = timeline.step(k)
    summary = step_summary(timeline, k)
    if isinstance(step, ForwardStep):
        return f"Forward {k + 1}/{timeline.forward_count}:   {summary}"
    if isinstance(step, SeedStep):
        return f"Backward pass starts:   {summary}"
    assert isinstance(step, BackwardStep)
    total = timeline.count - timeline.forward_count - 1
    done = "   (every gradient is known)" if n == timeline.count else ""
    return f"Backward {k - timeline.forward_count}/{total}:   {summary}{done}"


def frame_durations(count: int, forward_count: int) -> list[int]:
    """Milliseconds for positions 0..count: holds at the start of each pass and at the end."""
    durations = [STEP_MS] * (count + 1)
    durations[0] = HOLD_MS
    if 0 < forward_count < count:
        durations[forward_count] = HOLD_MS
    durations[count] = END_MS
    return durations


def animation_frames(
    scene: GraphScene, scale: float = 1.5, captions: bool = True, region: QRectF | None = None
) -> tuple[list[QImage], list[int]]:
    """One image per position of the trace (0 = nothing computed .. every step done).

    The player seeks position by position on the private scene; frame ``n`` shows the
    state after step ``n``, with the step in the caption.
    """
    from explorer.animation.player import Player  # only animations pay for importing it

    player = Player(scene.document, scene)
    player.animate_steps = False
    timeline = player.timeline
    count = timeline.count
    try:
        region = region if region is not None else animation_region(scene, player)
        scale = animation_scale(region, scale)
        frames = []
        for n in range(count + 1):
            player.seek(n)
            caption = frame_caption(timeline, n) if captions else ""
            frames.append(render_image(scene, region, scale, caption=caption))
    finally:
        player.reset()
    return frames, frame_durations(count, timeline.forward_count)


def last_frame(scene: GraphScene, region: QRectF, scale: float) -> QImage:
    """The animation's last frame: every value and gradient, the last step in the caption."""
    from explorer.animation.player import Player

    player = Player(scene.document, scene)
    try:
        player.seek(player.count)
        caption = frame_caption(player.timeline, player.count)
        return render_image(scene, region, scale, caption=caption)
    finally:
        player.reset()


def animation_region(scene: GraphScene, player: Any = None) -> QRectF:
    """The region every frame shows: captions on the edges grow during the passes, so it
    frames the start, the end of the forward pass and the end (leaves the player idle)."""
    from explorer.animation.player import Player

    own = player is None
    player = player if player is not None else Player(scene.document, scene)
    timeline = player.timeline
    region = QRectF()
    try:
        for n in sorted({0, timeline.forward_count, timeline.count}):
            player.seek(n)
            region = region.united(content_rect(scene))
    finally:
        if own:
            player.reset()
    return region


def animation_scale(region: QRectF, scale: float) -> float:
    """The scale frames are drawn at: as asked, but no wider than a slide (and never below 1)."""
    return max(1.0, min(scale, MAX_ANIMATION_WIDTH / max(region.width(), 1.0)))


def write_animation(
    scene: GraphScene,
    path: str | os.PathLike[str],
    fmt: str,
    scale: float,
    region: QRectF | None = None,
) -> int:
    """GIF, APNG or a folder of numbered PNGs; returns the number of frames."""
    if fmt not in ANIMATION_FORMATS:
        raise ExportError(f"{fmt} is not an animation format")
    frames, durations = animation_frames(scene, scale, region=region)
    if fmt == "gif":
        write_gif(frames, durations, path)
    elif fmt == "apng":
        write_apng(frames, durations, path)
    else:
        write_frames(frames, path)
    return len(frames)
