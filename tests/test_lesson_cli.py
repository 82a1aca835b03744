"""``chain-explorer validate LESSON.md``: a teacher's check before sharing a lesson."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.app.cli import main
from explorer.bundled import lessons_dir


@pytest.mark.parametrize("name", ["01_chain_rule.md", "02_long_chains.md", "03_many_paths.md"])
def test_bundled_lessons_validate(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(lessons_dir() / name)]) == 0
    assert capsys.readouterr().out == "ok\n"


def test_a_wrong_number_is_one_line_naming_file_line_and_directive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lesson = tmp_path / "mine.md"
    lesson.write_text(
        "# Mine\n\n## One\n\n```lesson\ngraph: program x = 3; h = x**2\nexpect: dh/dx = 7\n```\n"
    )
    assert main(["validate", str(lesson)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert (
        err == "chain-explorer: error: mine.md: line 7: expect: dh/dx is 6 here, the lesson says dh/dx = 7\n"
    )
