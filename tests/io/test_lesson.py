"""The lesson format: every directive read, every number checked, every refusal one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.bundled import lessons_dir
from explorer.io.lesson import (
    MAX_LESSON_BYTES,
    BuildTask,
    ConnectTask,
    DragTask,
    Expect,
    Highlight,
    LessonError,
    LoadGraph,
    Play,
    Predict,
    Select,
    SetValues,
    ShowDock,
    ShowView,
    chain_program,
    check_numbers,
    load_lesson,
    loads_lesson,
)

H = "graph: program x = 3; g = 2*x + 1; h = g**2"


def lesson(*lines: str, prose: str = "Some prose.") -> str:
    return "# T\n\nIntro.\n\n## Step one\n\n" + prose + "\n\n```lesson\n" + "\n".join(lines) + "\n```\n"


def refusal(text: str | bytes, **kw: object) -> str:
    with pytest.raises(LessonError) as info:
        loads_lesson(text, source="bad.md", **kw)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("bad.md")
    return message


# ---------------------------------------------------------------------------- structure
def test_title_summary_steps_and_prose() -> None:
    text = "# Title here\n\nFirst para\ncontinues.\n\nSecond.\n\n## A\n\nText *a*.\n\n## B\n\nText b.\n"
    les = loads_lesson(text)
    assert les.title == "Title here"
    assert les.summary == "First para\ncontinues."
    assert [s.title for s in les.steps] == ["A", "B"]
    assert les.steps[0].text == "Text *a*."
    assert les.steps[0].line == 8
    assert les.start_graph(0) is None


def test_headings_inside_code_fences_are_prose() -> None:
    les = loads_lesson("# T\n## Only\n```python\n## not a step\n```\n")
    assert len(les) == 1 and "## not a step" in les.steps[0].text


def test_directive_block_is_removed_from_prose_and_comments_skipped() -> None:
    les = loads_lesson(lesson("# a comment", "", H, "select: h"))
    step = les.steps[0]
    assert "lesson" not in step.text and "graph:" not in step.text
    assert [type(d) for d in step.directives] == [LoadGraph, Select]


def test_step_graph_carries_on_and_is_a_fresh_copy() -> None:
    text = lesson(H, "set: x = 1") + "\n## Two\n\nNo block: same graph.\n"
    les = loads_lesson(text)
    g0, g1 = les.start_graph(0), les.start_graph(1)
    assert g0 is not None and g1 is not None
    assert g0.find("x").value == 1.0 and g1.find("x").value == 1.0
    g1.set_value(g1.find("x").id, 5.0)
    again = les.start_graph(1)
    assert again is not None and again.find("x").value == 1.0


# ---------------------------------------------------------------------------- directives
def test_graph_program_multiline_and_numbers() -> None:
    les = loads_lesson(
        lesson("graph: program", "    x = 3", "    g = 2*x + 1", "    h = g**2", "expect: h = 49")
    )
    (load, expect) = les.steps[0].directives
    assert isinstance(load, LoadGraph) and isinstance(expect, Expect)
    assert load.graph.find("h").op == "pow"
    assert expect.condition.quantity.text == "h" and expect.condition.number == 49.0


def test_graph_example_is_a_bundled_file() -> None:
    les = loads_lesson(lesson("graph: example lesson_loss", "expect: dloss/da = 42", "expect: dloss/db = 28"))
    graph = les.start_graph(0)
    assert graph is not None and {"a", "b", "loss"} <= {n.name for n in graph}


def test_graph_file_is_read_next_to_the_lesson(tmp_path: Path) -> None:
    import explorer

    explorer.save(explorer.parse("a = 2; b = a * 5"), tmp_path / "g.json")
    (tmp_path / "l.md").write_text(lesson("graph: file g.json", "expect: db/da = 5"), encoding="utf-8")
    les = load_lesson(tmp_path / "l.md")
    assert les.path == tmp_path / "l.md"
    assert isinstance(les.steps[0].directives[0], LoadGraph)


def test_graph_chain_builds_a_long_chain() -> None:
    assert chain_program("3 of 1.5*t from x = 1") == "x = 1.0\nn1 = 1.5*x\nn2 = 1.5*n1\ny = 1.5*n2"
    les = loads_lesson(lesson("graph: chain 3 of 1.5*t from x = 1", "expect: dy/dx = 3.375"))
    graph = les.start_graph(0)
    assert graph is not None and len([n for n in graph if n.op == "mul"]) == 3


def test_set_select_highlight_play_dock() -> None:
    les = loads_lesson(
        lesson(H, "set: x = 0.5", "select: h", "highlight: g, h", "play: forward", "play: 4", "dock: chain")
    )
    _, sv, sel, hi, p1, p2, dock = les.steps[0].directives
    assert sv == SetValues(sv.line, (("x", 0.5),))
    assert sel == Select(sel.line, ("h",)) and hi == Highlight(hi.line, ("g", "h"))
    assert (p1, p2) == (Play(p1.line, "forward"), Play(p2.line, 4))
    assert dock == ShowDock(dock.line, "chain")
    graph = les.start_graph(0)
    assert graph is not None and graph.find("x").value == 0.5


def test_view_directive() -> None:
    les = loads_lesson(lesson(H, "view: gears, paths", "view: magnitudes"))
    _, a, b = les.steps[0].directives
    assert a == ShowView(a.line, ("gears", "paths")) and b == ShowView(b.line, ("magnitudes",))


def test_predict_condition_with_tolerance() -> None:
    les = loads_lesson(lesson(H, "predict: dh/dx = 28 ± 0.5"))
    (predict,) = les.steps[0].predictions
    assert isinstance(predict, Predict)
    c = predict.condition
    assert (c.quantity.of, c.quantity.wrt, c.number, c.tolerance) == ("h", "x", 28.0, 0.5)
    assert c.holds_for(28.4) and not c.holds_for(28.6)
    loads_lesson(lesson(H, "predict: dh/dg = 14 +- 0.01"))  # ASCII tolerance


def test_expect_relations() -> None:
    loads_lesson(lesson(H, "expect: dh/dx > 27", "expect: dh/dx < 29", "expect: h >= 49", "expect: h <= 49"))


def test_drag_task_is_met_when_its_condition_holds() -> None:
    les = loads_lesson(lesson(H, "task: drag x until dh/dx = 0 ± 0.05, show x = -0.5"))
    (task,) = les.steps[0].tasks
    assert isinstance(task, DragTask) and task.answer == -0.5
    graph = les.start_graph(0)
    assert graph is not None and not task.is_met(graph)
    graph.set_value(graph.find("x").id, -0.49)  # dh/dx = 4(2x+1) = 0.08: not yet
    assert not task.is_met(graph)
    graph.set_value(graph.find("x").id, -0.495)  # 0.04
    assert task.is_met(graph)


def test_connect_task() -> None:
    text = lesson(f"graph: file {lessons_dir() / 'chain_rule_unwired.json'}", "task: connect g -> f")
    refusal(text, folder=lessons_dir())  # absolute paths are refused ...
    les = loads_lesson(
        lesson("graph: file chain_rule_unwired.json", "task: connect g -> f"), folder=lessons_dir()
    )
    (task,) = les.steps[0].tasks
    graph = les.start_graph(0)
    assert isinstance(task, ConnectTask) and graph is not None and not task.is_met(graph)
    graph.connect(graph.find("g").id, graph.find("f").id, 0)
    assert task.is_met(graph)


def test_build_task_checks_the_learners_graph_at_points() -> None:
    import explorer

    les = loads_lesson(lesson(H, "task: build (2*x+1)**2 at x = -1, 0, 2"))
    (task,) = les.steps[0].tasks
    assert isinstance(task, BuildTask) and [p[0][1] for p in task.points] == [-1.0, 0.0, 2.0]
    assert task.is_met(explorer.parse("x = 5; y = 4*x**2 + 4*x + 1"))  # same function, other shape
    assert not task.is_met(explorer.parse("x = 5; y = 4*x**2 + 4*x"))
    assert not task.is_met(explorer.parse("z = 5; y = (2*z + 1)**2"))  # no input named x
    default = loads_lesson(lesson(H, "task: build x*x + x")).steps[0].tasks[0]
    assert isinstance(default, BuildTask) and len(default.points) == 3


def test_check_numbers_on_builtin_lessons() -> None:
    found = sorted(lessons_dir().glob("*.md"))
    assert [p.name for p in found] == ["01_chain_rule.md", "02_long_chains.md", "03_many_paths.md"]
    for path in found:
        les = load_lesson(path)
        assert check_numbers(les) == []


# ---------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["explode: now"], "bad.md: line 10: explode: unknown directive 'explode'"),
        (["graph program x = 1"], "bad.md: line 10: graph: missing ':' after 'graph'"),
        (["graph: example nope"], "bad.md: line 10: graph: no bundled example 'nope'"),
        (["graph: example ../x"], "bad.md: line 10: graph: no bundled example '../x'"),
        (["graph: file missing.json"], "bad.md: line 10: graph: graph file 'missing.json' not found"),
        (
            ["graph: file ../x.json"],
            "bad.md: line 10: graph: '../x.json': a graph file must be in the lesson's folder",
        ),
        (["graph: pictures x"], "bad.md: line 10: graph: unknown graph source 'pictures'"),
        (["graph: program x = = 2"], "bad.md: line 10: graph: cannot build the graph:"),
        (["graph: chain 0 of t from x = 1"], "bad.md: line 10: graph: a chain has 1 to 1000 links"),
        (["graph: chain 3 of x from x = 1"], "bad.md: line 10: graph: the template 'x' must use t"),
        (["set: x = 1"], "bad.md: line 10: set: no graph yet"),
        ([H, "set: x = three"], "bad.md: line 11: set: 'three' is not a number"),
        ([H, "set: x = nan"], "bad.md: line 11: set: 'nan' is not a finite number"),
        ([H, "set: g = 1"], "bad.md: line 11: set: 'g' is not an input"),
        ([H, "set: x"], "bad.md: line 11: set: expected NAME = NUMBER"),
        (
            [H, "select: q"],
            "bad.md: line 11: select: no node named 'q' in this step's graph (names: g, h, x)",
        ),
        ([H, "highlight: "], "bad.md: line 11: highlight: expected one or more node names"),
        ([H, "play: soon"], "bad.md: line 11: play: expected start, forward, end or a step number"),
        ([H, "dock: kitchen"], "bad.md: line 11: dock: unknown dock 'kitchen'"),
        (
            [H, "view: xray"],
            "bad.md: line 11: view: unknown view 'xray' (views: gears, paths, steps, magnitudes)",
        ),
        ([H, "view: paths, steps"], "bad.md: line 11: view: 'paths' and 'steps' are two tabs of one panel"),
        ([H, "view:"], "bad.md: line 11: view: expected one or more of gears"),
        ([H, "predict: dh/dx = 28 ± x"], "bad.md: line 11: predict: 'x' is not a number"),
        ([H, "predict: dh/dx < 28"], "bad.md: line 11: predict: a prediction asks for one number"),
        (
            [H, "predict: dh/dx = 27"],
            "bad.md: line 11: predict: dh/dx is 28 here, the lesson says dh/dx = 27",
        ),
        ([H, "expect: h = 1e999"], "bad.md: line 11: expect: '1e999' is not a finite number"),
        ([H, "expect: 2h = 1"], "bad.md: line 11: expect: expected a node name (h) or a derivative (dh/dx)"),
        ([H, "expect: h"], "bad.md: line 11: expect: expected QUANTITY = NUMBER"),
        ([H, "expect: dh/dq = 1"], "bad.md: line 11: expect: no node named 'q'"),
        ([H, "task: jump x"], "bad.md: line 11: task: unknown task 'jump'"),
        ([H, "task: drag g until h = 0"], "bad.md: line 11: task: 'g' is not an input"),
        (
            [H, "task: drag x until dh/dx = 0 ± 0.05, show x = 3"],
            "bad.md: line 11: task: at x = 3 the condition",
        ),
        ([H, "task: drag x sideways"], "bad.md: line 11: task: expected 'drag NAME until CONDITION"),
        ([H, "task: connect g to h"], "bad.md: line 11: task: expected 'connect SOURCE -> TARGET'"),
        ([H, "task: connect g -> q"], "bad.md: line 11: task: no node named 'q'"),
        ([H, "task: build (2*x at x = 1"], "bad.md: line 11: task: cannot build the graph:"),
        ([H, "task: build x*2 at y = 1"], "bad.md: line 11: task: 'y' does not appear in 'x*2'"),
        ([H, "task: build x*2 at x = 1, two"], "bad.md: line 11: task: 'two' is not a number"),
        ([H, "task: drag x until dh/dx = 0 ± 0.05, show g = 1"], "bad.md: line 11: task: 'show' must set"),
        ([H, "expect: h = 49 ± -1"], "bad.md: line 11: expect: a tolerance must not be negative"),
        (
            ["graph: chain 3 of t*2 from t = 1"],
            "bad.md: line 10: graph: the chain's input cannot be called 't'",
        ),
        (
            ["graph: chain lots of t"],
            "bad.md: line 10: graph: expected 'chain N of EXPR(t) from NAME = VALUE'",
        ),
        (["graph: example"], "bad.md: line 10: graph: expected 'example NAME', 'file PATH'"),
        (["graph: program x = 1; y = exp(x, 2)"], "bad.md: line 10: graph: cannot build the graph:"),
    ],
)
def test_bad_directive_is_one_line_with_file_line_and_directive(lines: list[str], expected: str) -> None:
    assert refusal(lesson(*lines), folder=Path("/nonexistent-lesson-folder")).startswith(expected)


def test_unclosed_lesson_block() -> None:
    text = "# T\n## S\n\n```lesson\ngraph: program x = 1\n"
    assert refusal(text) == "bad.md: line 4: lesson block opened here is never closed (add a line with ```)"


def test_unclosed_code_block() -> None:
    assert refusal("# T\n## S\n~~~python\nx\n").startswith(
        "bad.md: line 3: code block opened here is never closed"
    )


def test_no_steps_and_misplaced_blocks() -> None:
    assert refusal("# T\n\njust prose\n") == "bad.md: no steps: a lesson needs at least one '## ' section"
    assert refusal("# T\n```lesson\n```\n## S\n").startswith(
        "bad.md: line 2: a lesson block must be inside a step"
    )
    two = "# T\n## S\n```lesson\n```\n```lesson\n```\n"
    assert refusal(two) == "bad.md: line 5: a step may have only one lesson block"


def test_graph_file_needs_a_lesson_file() -> None:
    assert (
        refusal(lesson("graph: file g.json"))
        == "bad.md: line 10: graph: 'graph: file' needs a lesson read from a file"
    )


def test_too_many_steps() -> None:
    text = "# T\n" + "".join(f"## S{i}\n" for i in range(201))
    assert refusal(text) == "bad.md: line 202: more than 200 steps"


def test_several_sets_and_relations_in_one_step() -> None:
    les = loads_lesson(
        lesson("graph: program a = 1; b = 2; c = a * b", "set: a = 3, b = -0.5", "expect: c = -1.5")
    )
    graph = les.start_graph(0)
    assert graph is not None and (graph.find("a").value, graph.find("b").value) == (3.0, -0.5)


def test_binary_and_bad_encoding() -> None:
    assert (
        refusal(b"# T\n## S\n\x00\x01\x02") == "bad.md: line 3: this is a binary file, not a Markdown lesson"
    )
    assert refusal(b"# T\n## S\n\xff\xfe bad") == "bad.md: line 3: the text is not valid UTF-8"
    assert refusal("# T\n## S\n\x00") == "bad.md: this is a binary file, not a Markdown lesson"


def test_ten_megabyte_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    with big.open("wb") as handle:
        handle.write(b"# Big\n## S\n")
        handle.truncate(10 * 1024 * 1024)
    with pytest.raises(LessonError) as info:
        load_lesson(big)
    assert (
        str(info.value)
        == f"big.md: the file is 10,485,760 bytes; a lesson may be at most {MAX_LESSON_BYTES:,}"
    )
    assert refusal(b"x" * (MAX_LESSON_BYTES + 1)).startswith("bad.md: the text is 1,000,001 bytes")


def test_missing_file_gives_the_os_reason(tmp_path: Path) -> None:
    with pytest.raises(LessonError) as info:
        load_lesson(tmp_path / "gone.md")
    assert str(info.value) == "gone.md: No such file or directory"


def test_the_format_module_has_no_qt() -> None:
    import subprocess
    import sys

    code = "import sys, explorer.io.lesson; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_readme_example_lesson_is_valid_and_its_wrong_variant_is_refused() -> None:
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    match = re.search(r"````markdown\n(.*?)````", readme, re.S)
    assert match is not None
    les = loads_lesson(match.group(1), source="squares.md")
    assert [s.title for s in les.steps] == ["The slope at 3", "Find the bottom"]
    wrong = match.group(1).replace("predict: dh/dx = 6 ± 0.01", "expect: dh/dx = 7")
    message = refusal(wrong).replace("bad.md", "squares.md")
    assert f"chain-explorer: error: {message}" in readme
