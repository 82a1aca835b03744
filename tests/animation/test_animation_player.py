"""The player against a recording fake scene: seek, step, play, reset, hold, overlays."""

from __future__ import annotations

from typing import Any

import pytest

from explorer.animation.frames import PENDING
from explorer.animation.player import MIN_WIDTH, Player
from explorer.document.document import GraphDocument
from explorer.graph.model import Graph

from .animation_fakes import FakeScene, fan_out, lesson_loss, node_id


def _setup(graph: Graph) -> tuple[GraphDocument, FakeScene, Player]:
    document = GraphDocument(graph)
    scene = FakeScene(document)
    return document, scene, Player(document, scene)


def test_seek_applies_the_frame(qtbot: Any) -> None:
    doc, scene, player = _setup(lesson_loss())
    g = doc.graph
    a, c, d, loss = (node_id(g, n) for n in ("a", "c", "d", "loss"))
    assert player.is_idle and player.position == player.count == 8
    player.seek(0)
    assert scene.nodes[c].value == PENDING and scene.nodes[loss].value == PENDING
    player.seek(player.forward_count + 3)  # seed, d, c done
    assert scene.nodes[loss].value is None  # 49 shown by the canvas itself
    assert scene.nodes[c].grad is None and scene.nodes[c].emphasis == "active"
    assert scene.nodes[d].emphasis == "done"
    assert scene.nodes[a].grad == PENDING
    edge = next(e for e in g.edges() if e.source == c)
    assert scene.edges[edge].caption == "14 × 1 = 14" and scene.edges[edge].emphasis == "active"


def test_stepping_back_restores_exactly_the_earlier_state(qtbot: Any) -> None:
    _doc, scene, player = _setup(fan_out())
    player.animate_steps = False
    snapshots = []
    for n in range(player.count + 1):
        player.seek(n)
        snapshots.append(scene.snapshot())
    assert len({repr(s) for s in snapshots}) == len(snapshots)  # every step changes something
    for n in range(player.count, 0, -1):
        assert scene.snapshot() == snapshots[n]
        player.step_back()
    assert player.position == 0 and scene.snapshot() == snapshots[0]
    for n in (5, 2, 7, 0, 3):
        player.seek(n)
        assert scene.snapshot() == snapshots[n]
    for n in range(3, player.count):
        player.step_forward()
        assert scene.snapshot() == snapshots[n + 1]


def test_seeking_the_same_position_twice_sets_nothing(qtbot: Any) -> None:
    _doc, scene, player = _setup(lesson_loss())
    player.seek(4)
    calls = sum(n.calls for n in scene.nodes.values())
    player.seek(4)
    assert sum(n.calls for n in scene.nodes.values()) == calls


def test_an_animated_step_moves_the_dot_then_commits(qtbot: Any) -> None:
    doc, scene, player = _setup(lesson_loss())
    player.set_speed(50)
    player.seek(0)
    scene.pulses.clear()
    with qtbot.waitSignal(player.position_changed, timeout=5000) as blocker:
        player.step_forward()
        assert player.in_transition and player.position == 0  # nothing committed yet
    assert blocker.args == [1] and player.position == 1
    c = node_id(doc.graph, "c")
    assert scene.nodes[c].value is None
    moving = [p for p in scene.pulses if p[0] is not None]
    assert moving and {p[0].target for p in moving} == {c} and not any(p[2] for p in moving)
    assert {p[3] for p in moving} <= {"2", "3"}
    assert scene.pulses[-1][0] is None  # the dot is gone once the value has arrived


def test_play_runs_to_the_end(qtbot: Any) -> None:
    _doc, scene, player = _setup(lesson_loss())
    reference_doc = GraphDocument(lesson_loss())
    reference = FakeScene(reference_doc)
    Player(reference_doc, reference).seek(8)
    player.set_speed(400)
    with qtbot.waitSignal(player.finished, timeout=10000):
        player.play()
    assert not player.is_playing and player.position == player.count
    assert scene.snapshot() == reference.snapshot()
    backward = [p for p in scene.pulses if p[2]]
    assert any(p[3] == "14 × 3 = 42" for p in backward)


def test_play_from_the_end_starts_over(qtbot: Any) -> None:
    _doc, _scene, player = _setup(lesson_loss())
    player.animate_steps = False
    player.set_speed(1000)
    player.seek(player.count)
    with qtbot.waitSignal(player.finished, timeout=10000):
        player.play()
    assert player.position == player.count


def test_an_edit_during_play_resets(qtbot: Any) -> None:
    doc, scene, player = _setup(lesson_loss())
    player.set_speed(20)
    with qtbot.waitSignal(player.position_changed, timeout=5000):
        player.play()
    assert player.is_playing and scene.snapshot() != ({}, {})
    with qtbot.waitSignal(player.was_reset, timeout=1000):
        doc.set_value(node_id(doc.graph, "a"), 5.0)
    assert not player.is_playing and player.is_idle and not player.in_transition
    assert scene.snapshot() == ({}, {})  # the canvas shows the live evaluation again
    assert scene.pulses[-1][0] is None
    # The new trace has the new numbers: d(loss)/db = 2·(5·3 + 1)·5 = 160.
    b_step = player.timeline.steps[-1]
    assert b_step.grad_after == 160.0  # type: ignore[union-attr]


def test_an_edge_vanishing_mid_animation_is_clean(qtbot: Any) -> None:
    doc, scene, player = _setup(lesson_loss())
    player.seek(7)
    gone = next(e for e in doc.graph.edges() if e.source == node_id(doc.graph, "c"))
    assert scene.edges[gone].caption == "14 × 1 = 14"
    doc.unlink(gone.target, gone.slot)  # its item is gone: the player must not touch it
    assert player.is_idle
    assert all(n.state() == (None,) * 4 for n in scene.nodes.values())
    assert all(e.state() == (None, None, 1.0) for k, e in scene.edges.items() if k != gone)
    player.seek(player.count)  # the remaining graph still plays
    assert player.count == 4  # c and d are cut off from the output: forward c, d, loss; seed


def test_a_new_graph_resets(qtbot: Any) -> None:
    doc, _scene, player = _setup(lesson_loss())
    player.seek(5)
    doc.reset(fan_out())
    assert player.is_idle and player.count == 7


def test_hold_before_a_step_then_release(qtbot: Any) -> None:
    _doc, _scene, player = _setup(lesson_loss())
    player.animate_steps = False
    player.set_speed(1000)
    player.set_hold_before(lambda k: k == 6)
    with qtbot.waitSignal(player.held, timeout=5000) as blocker:
        player.play()
    assert blocker.args == [6] and player.position == 6 and not player.is_playing
    with qtbot.waitSignal(player.held, timeout=1000):
        player.step_forward()  # still held: the question has not been answered
    assert player.position == 6
    player.release()  # answered after stepping by hand: take just that step
    assert player.position == 7 and not player.is_playing
    player.seek(2)
    with qtbot.waitSignal(player.held, timeout=5000):
        player.play()
    with qtbot.waitSignal(player.finished, timeout=5000):
        player.release()  # answered while playing: play on to the end
    assert player.position == player.count


def test_step_forward_from_the_live_view_starts_at_the_beginning(qtbot: Any) -> None:
    _doc, _scene, player = _setup(lesson_loss())
    player.animate_steps = False
    player.step_forward()
    assert player.position == 1 and not player.is_idle
    player.reset()
    player.step_back()
    assert player.position == player.count - 1


def test_highlight_overrides_and_restores_emphasis(qtbot: Any) -> None:
    doc, scene, player = _setup(lesson_loss())
    g = doc.graph
    a, c = node_id(g, "a"), node_id(g, "c")
    edge = next(e for e in g.edges() if e.source == a)
    player.seek(player.count - 1)  # a is the active node
    player.set_highlight([c], [edge])
    assert scene.nodes[c].emphasis == "path" and scene.edges[edge].emphasis == "path"
    player.set_highlight()
    assert scene.nodes[c].emphasis == "done" and scene.edges[edge].emphasis == "active"


def test_forward_mode_and_gears_overlays(qtbot: Any) -> None:
    doc, scene, player = _setup(lesson_loss())
    g = doc.graph
    a, c, loss = node_id(g, "a"), node_id(g, "c"), node_id(g, "loss")
    player.set_forward_mode(a)
    assert scene.nodes[loss].tangent == "d(loss)/da = 42" and scene.nodes[c].tangent == "dc/da = 3"
    player.seek(1)
    assert scene.nodes[loss].tangent == "d(loss)/da = ?" and scene.nodes[c].tangent == "dc/da = 3"
    player.set_forward_mode(None)
    assert all(n.tangent is None for n in scene.nodes.values())
    player.set_gears(True)
    widths = {e: scene.edges[e].width for e in g.edges()}
    assert max(widths.values()) == pytest.approx(4.0) and min(widths.values()) == MIN_WIDTH
    doc.set_value(a, 1.0)  # gears follow the live evaluation
    assert {e: scene.edges[e].width for e in g.edges()} != widths
    player.set_gears(False)
    assert all(scene.edges[e].width == 1.0 for e in g.edges())


def test_removing_a_node_mid_animation_is_clean(qtbot: Any) -> None:
    doc, scene, player = _setup(lesson_loss())
    player.seek(6)
    c = node_id(doc.graph, "c")
    assert scene.nodes[c].emphasis == "active"
    doc.remove_nodes([c])  # its item and its links' items are gone: the player must not touch them
    assert player.is_idle
    assert all(n.state() == (None,) * 4 for k, n in scene.nodes.items() if k in doc.graph)
    doc.undo_stack.undo()
    assert player.is_idle and player.count == 8
    player.seek(8)
    assert scene.nodes[node_id(doc.graph, "a")].emphasis == "done"
