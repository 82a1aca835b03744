"""The Lesson dock: every built-in lesson played through with real clicks, its numbers asserted."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from explorer.app.lesson_player import LessonPanel
from explorer.app.lessons import LessonProgress, list_lessons
from explorer.bundled import lessons_dir
from explorer.io.lesson import BuildTask, ConnectTask, DragTask, Expect, Predict, load_lesson

CHAIN = lessons_dir() / "01_chain_rule.md"


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled() and button.isVisible(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def value(window, name: str) -> float:  # type: ignore[no-untyped-def]
    return window.document.evaluation[name].value


def grad(window, of: str, wrt: str) -> float:  # type: ignore[no-untyped-def]
    from explorer.graph.engine import evaluate

    return evaluate(window.document.graph, output=of)[wrt].grad


def open_panel(window, path: Path = CHAIN) -> LessonPanel:  # type: ignore[no-untyped-def]
    assert window.open_lesson(path)
    panel = window.panels["lessonDock"].widget()
    assert isinstance(panel, LessonPanel)
    return panel


def test_chain_rule_lesson_by_next_alone_shows_every_number(window, qtbot) -> None:
    panel = open_panel(window)
    texts = [panel.text.toPlainText()]
    panel.step_changed.connect(lambda _k: texts.append(panel.text.toPlainText()))
    assert window.panels["lessonDock"].isVisible()
    assert panel.counter.text() == "1 of 10" and panel.step_title.text().startswith("Composition")
    # Step 1: h(x) = (2x+1)^2 at x = 3.
    assert value(window, "x") == 3.0 and value(window, "g") == 7.0 and value(window, "h") == 49.0
    assert window.scene.selected_node_ids() == [window.document.graph.find("h").id]
    assert window.player.position == window.player.forward_count
    click(qtbot, panel.next_button)
    assert grad(window, "g", "x") == 2.0 and grad(window, "h", "g") == 14.0  # dg/dx, df/dg = 2g
    click(qtbot, panel.next_button)
    assert panel.counter.text() == "3 of 10"
    assert grad(window, "h", "x") == 28.0 and window.document.evaluation["x"].grad == 28.0
    # It asks for dh/dx: the animation waits at the end of the forward pass, gradients hidden.
    assert window.player.position == window.player.forward_count
    assert window.panels["narrativeDock"].isVisible()
    click(qtbot, panel.next_button)  # the nudge
    assert value(window, "h1") == 49.0
    assert value(window, "h2") == pytest.approx(49.028004, abs=1e-9)
    assert value(window, "slope") == pytest.approx(28.004, abs=1e-6)
    click(qtbot, panel.next_button)  # pipeline and gears: x2 then x2g
    assert (grad(window, "g", "x"), grad(window, "h", "g"), grad(window, "h", "x")) == (2.0, 14.0, 28.0)
    click(qtbot, panel.next_button)  # f(g(h(x)))
    assert (grad(window, "h", "x"), grad(window, "g", "h"), grad(window, "f", "g")) == (3.0, 6.0, 2.0)
    assert grad(window, "f", "x") == 36.0
    click(qtbot, panel.next_button)  # local gradients of +, *, x^2 at a = 2, b = 3
    assert (grad(window, "s", "a"), grad(window, "s", "b")) == (1.0, 1.0)
    assert (grad(window, "p", "a"), grad(window, "p", "b")) == (3.0, 2.0)
    assert grad(window, "q", "a") == 4.0
    click(qtbot, panel.next_button)  # three-node example
    ev = window.document.evaluation
    assert ev["loss"].value == 49.0 and ev["a"].grad == 42.0 and ev["b"].grad == 28.0
    assert ev["c"].value == 6.0 and ev["d"].value == 7.0 and ev["c"].grad == 14.0
    click(qtbot, panel.next_button)
    click(qtbot, panel.next_button)
    assert panel.counter.text() == "10 of 10" and not panel.next_button.isEnabled()
    # Predictions hide their answers in their own step; the prose still says every number.
    written = set(re.findall(r"\d+(?:\.\d+)?", "\n".join(texts)))
    assert {"7", "49", "2", "14", "28", "49.028004", "28.004", "36", "42"} <= written


def test_every_builtin_lesson_plays_through_with_its_numbers(window, qtbot) -> None:
    entries = list_lessons()
    assert [e.title for e in entries] == ["The chain rule", "Long chains", "Many paths"]
    assert [e.title for e in entries] == [load_lesson(e.path).title for e in entries]  # cheap == full
    for entry in entries:
        panel = open_panel(window, entry.path)
        lesson = load_lesson(entry.path)
        for k, step in enumerate(lesson.steps):
            assert panel.step == k
            for d in step.directives:
                if isinstance(d, Expect | Predict):
                    assert d.condition.holds(window.document.graph), (entry.title, k, d.condition.text)
            if k < len(lesson) - 1:
                click(qtbot, panel.next_button)


def test_long_chains_numbers(window, qtbot) -> None:
    panel = open_panel(window, lessons_dir() / "02_long_chains.md")
    assert window.document.evaluation["x"].grad == pytest.approx(3.8752e-7, rel=1e-4)  # 10 sigmoids
    assert all(n.op == "sigmoid" for n in window.document.graph if n.op != "input")
    # The log-scale chart: 11 bars (x, n1..n9, y), each link at most a quarter of the next.
    assert panel.chart.isVisible()
    bars = [g for _, g in panel.chart.bars]
    assert len(bars) == 11 and bars[-1] == 1.0 and bars[0] == pytest.approx(3.8752e-7, rel=1e-4)
    assert all(a <= b * 0.25 + 1e-15 for a, b in itertools.pairwise(bars))
    assert panel.chart.decades() == (-7, 0)
    click(qtbot, panel.next_button)
    assert window.document.evaluation["x"].grad == pytest.approx(1.7113e-65, rel=1e-4)  # 100 sigmoids
    click(qtbot, panel.next_button)
    assert window.document.evaluation["x"].grad == pytest.approx(1.5**10)
    assert not panel.chart.isVisible()  # it asks for dy/dx first
    click(qtbot, panel.show_button)
    assert panel.chart.decades() == (0, 2)  # now it grows on the way back: 1 at y, 57.7 at x
    click(qtbot, panel.next_button)
    assert window.document.evaluation["x"].grad == pytest.approx(1.5**100)
    click(qtbot, panel.next_button)
    assert window.document.evaluation["x"].grad == 1.0  # relu passes 1
    click(qtbot, panel.show_button)
    assert value(window, "x") == -0.5 and window.document.evaluation["x"].grad == 0.0  # ... or 0
    assert [g for _, g in panel.chart.bars] == [0.0] * 10 + [1.0]  # the chart follows the drag


def test_views_gears_and_paths(window, qtbot) -> None:
    panel = open_panel(window)
    panel.go_to_step(4)  # the pipeline and the gears
    assert window.player.gears and window.narrative.gears_check.isChecked()
    click(qtbot, panel.next_button)
    assert not window.player.gears and not panel.chart.isVisible()
    panel = open_panel(window, lessons_dir() / "03_many_paths.md")
    narrative = window.narrative
    assert narrative.tabs.currentWidget() is narrative.paths_view


def test_many_paths_sum_over_paths(window, qtbot) -> None:
    panel = open_panel(window, lessons_dir() / "03_many_paths.md")
    assert window.document.evaluation["x"].grad == 6.0  # 3 + 3
    assert window.panels["narrativeDock"].isVisible()  # the paths view and the running sum
    click(qtbot, panel.next_button)
    click(qtbot, panel.next_button)
    assert window.document.evaluation["x"].grad == 7.0  # 3 + 4


def test_prediction_is_checked_with_tolerance(window, qtbot) -> None:
    panel = open_panel(window)
    panel.go_to_step(1)
    assert panel.prediction_box.isVisible() and "dh/dg" in panel.question.text()
    results: list[bool] = []
    panel.prediction_checked.connect(results.append)
    qtbot.keyClicks(panel.answer, "12")
    click(qtbot, panel.check_button)
    assert results == [False] and panel.verdict.text().startswith("Not quite")
    panel.answer.clear()
    qtbot.keyClicks(panel.answer, "14.005")
    qtbot.keyClick(panel.answer, Qt.Key.Key_Return)
    assert results == [False, True] and panel.verdict.text().startswith("✓ Right: dh/dg = 14")
    panel.answer.setText("fourteen")
    assert not panel.check_prediction() and "Type a number" in panel.verdict.text()
    panel.answer.setText("nan")
    assert not panel.check_prediction() and "Type a number" in panel.verdict.text()
    window.document.set_value(window.document.graph.find("x").id, 10.0)  # the learner plays; g = 21
    panel.answer.setText("14")
    assert panel.check_prediction()  # the step's question stands


def test_drag_task_noticed_when_the_learner_gets_there(window, qtbot) -> None:
    panel = open_panel(window)
    panel.go_to_step(8)
    (task,) = load_lesson(CHAIN).steps[8].tasks
    assert isinstance(task, DragTask)
    click(qtbot, panel.try_button)
    assert panel.tasks_label.text().startswith("Your turn: Drag x until dh/dx = 0")
    met: list[int] = []
    panel.task_met.connect(met.append)
    x = window.document.graph.find("x").id
    window.document.set_value(x, -0.4)  # dh/dx = 0.8: not yet
    assert met == [] and panel.tasks_label.text().startswith("○")
    window.document.set_value(x, -0.49)  # 0.08 > 0.05
    assert met == []
    window.document.set_value(x, -0.51)  # -0.08 ... still not
    window.document.set_value(x, -0.505)  # -0.04
    assert met == [0] and panel.tasks_label.text().startswith("✓ Drag x")
    assert "Well done" in panel.tasks_label.text()


def test_show_me_does_the_step(window, qtbot) -> None:
    panel = open_panel(window)
    panel.go_to_step(8)
    click(qtbot, panel.show_button)
    assert value(window, "x") == -0.5 and grad(window, "h", "x") == 0.0
    assert panel.tasks_label.text().startswith("✓")
    click(qtbot, panel.next_button)  # connect g -> f
    (task,) = load_lesson(CHAIN).steps[9].tasks
    assert isinstance(task, ConnectTask) and not task.is_met(window.document.graph)
    click(qtbot, panel.show_button)
    assert task.is_met(window.document.graph)
    assert panel.tasks_label.text().endswith("Well done: that was the last step of the lesson.")
    assert window.document.evaluation["x"].grad == 28.0 and value(window, "f") == 49.0
    panel.go_to_step(2)
    click(qtbot, panel.show_button)  # replays the backward pass
    assert window.player.is_playing
    window.player.pause()
    assert panel.answer.text() == "28"


def test_build_task(window, qtbot) -> None:
    panel = open_panel(window, lessons_dir() / "03_many_paths.md")
    panel.go_to_step(4)
    (task,) = load_lesson(lessons_dir() / "03_many_paths.md").steps[4].tasks
    assert isinstance(task, BuildTask) and not task.is_met(window.document.graph)
    import explorer

    met: list[int] = []
    panel.task_met.connect(met.append)
    window.insert_built_graph(explorer.parse("x = 2; y = x*(x + 1)"), replace=True)
    assert met == [0]


def test_back_restores_the_steps_graph_after_edits(window, qtbot) -> None:
    panel = open_panel(window)
    click(qtbot, panel.next_button)
    x = window.document.graph.find("x").id
    window.document.set_value(x, 10.0)  # the learner plays
    window.document.remove_nodes([window.document.graph.find("g").id])
    click(qtbot, panel.next_button)
    click(qtbot, panel.back_button)
    assert panel.counter.text() == "2 of 10"
    assert value(window, "x") == 3.0 and value(window, "h") == 49.0 and grad(window, "h", "g") == 14.0
    window.document.undo_stack.undo()  # entering a step is one undo step each: Back, then Next
    window.document.undo_stack.undo()  # ... and the learner's edits come back
    assert "g" not in {n.name for n in window.document.graph}


def test_progress_persists_and_reopens_where_left(window, qtbot, settings: QSettings) -> None:
    panel = open_panel(window)
    for _ in range(3):
        click(qtbot, panel.next_button)
    progress = LessonProgress(settings).get("01_chain_rule")
    assert (progress.step, progress.count, progress.text()) == (3, 10, "Step 4 of 10")
    click(qtbot, panel.back_button)
    assert LessonProgress(settings).get("01_chain_rule").furthest == 3
    window.document.undo_stack.setClean()
    panel = open_panel(window)
    assert panel.counter.text() == "3 of 10"
    panel.go_to_step(9)
    assert LessonProgress(settings).get("01_chain_rule").text() == "Done (10 steps)"


def test_bad_lesson_is_one_line_and_changes_nothing(window, dialogs, tmp_path: Path) -> None:
    before = window.document.graph.copy()
    bad = tmp_path / "bad.md"
    bad.write_text("# Bad\n## S\n```lesson\nexplode: now\n```\n", encoding="utf-8")
    assert not window.open_lesson(bad)
    assert dialogs.errors == [
        "bad.md: line 4: explode: unknown directive 'explode' (known: graph, set, select, highlight, "
        "play, dock, view, predict, expect, task)"
    ]
    assert window.document.graph == before and "lessonDock" not in window.panels


def test_markdown_runs_no_html_and_fetches_nothing(window, tmp_path: Path) -> None:
    (tmp_path / "pic.png").write_bytes(b"not really a png")
    lesson = tmp_path / "l.md"
    lesson.write_text(
        "# L\n## S\n\n**bold** <b>raw</b> <script>x</script>\n\n![remote](http://example.invalid/a.png)\n"
        "![local](pic.png)\n",
        encoding="utf-8",
    )
    panel = open_panel(window, lesson)
    text = panel.text.toPlainText()
    assert "bold" in text and "<b>raw</b>" in text  # shown as text, not interpreted
    assert panel.text.loadResource(2, "http://example.invalid/a.png") is None
    assert panel.text.loadResource(2, "../outside.png") is None
    assert panel.text.loadResource(2, "pic.png") is not None


def test_lessons_menu_lists_lessons_with_progress(window) -> None:
    window._fill_lessons_menu()
    texts = [a.text() for a in window.lessons_menu.actions()]
    assert texts == [f"{t}  (Not started)" for t in ("The chain rule", "Long chains", "Many paths")]
    window.lessons_menu.actions()[1].trigger()
    assert window.panels["lessonDock"].widget().lesson.title == "Long chains"


def test_title_theme_and_saved_layout(make_window, settings: QSettings, qtbot) -> None:
    window = make_window()
    panel = open_panel(window, lessons_dir() / "02_long_chains.md")
    assert window.windowTitle().startswith("Lesson: Long chains")
    window.set_theme("dark")
    assert panel.chart.theme.name == "dark"
    window.save_preferences()
    window.document.undo_stack.setClean()
    window.close()
    again = make_window(settings)  # the saved state names a dock that does not exist yet
    again.startup(None)
    assert again.welcome is not None and "lessonDock" not in again.panels
    assert again.open_lesson(CHAIN) and again.panels["lessonDock"].isVisible()


def test_a_lesson_file_opens_from_file_open_and_the_command_line(
    make_window, dialogs, tmp_path: Path
) -> None:
    lesson = tmp_path / "mine.md"
    lesson.write_text("# Mine\n## Only\n```lesson\ngraph: program x = 2; y = x**3\nexpect: dy/dx = 12\n```\n")
    window = make_window()
    dialogs.open_paths.append(str(lesson))
    assert window.open_dialog()
    assert window.panels["lessonDock"].widget().lesson.title == "Mine"
    assert window.document.evaluation["x"].grad == 12.0 and window.document.file_path is None
    other = make_window()
    other.startup(lesson)  # chain-explorer mine.md
    assert other.panels["lessonDock"].widget().counter.text() == "1 of 1" and other.welcome is None
