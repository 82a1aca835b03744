"""Hostile graph files (issue 12, adversarial list): refused in one line, before anything blocks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import explorer
from explorer.graph.parser import parse
from explorer.io.format import FormatError, dumps, load, loads

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "resources" / "schema" / "graph.schema.json"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A named pipe nobody writes to. If a reader blocks on it anyway (the bug), a guard opens
    it for writing once the test is over or after a while, so a regression fails instead of hanging."""
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    done = threading.Event()

    def unblock() -> None:
        done.wait(15)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # no reader is blocked: nothing to free
            return
        os.close(fd)

    guard = threading.Thread(target=unblock, daemon=True)
    guard.start()
    yield path
    done.set()
    guard.join()


@needs_fifo
def test_a_named_pipe_is_refused_before_it_is_opened(fifo: Path) -> None:
    with pytest.raises(FormatError) as info:
        load(fifo)
    assert str(info.value) == f"{fifo}: cannot read the file: not a regular file (a named pipe)"
    with pytest.raises(FormatError, match="not a regular file"):
        explorer.load(fifo)


@needs_fifo
@pytest.mark.parametrize("command", [["validate"], ["eval"]])
def test_the_command_line_refuses_a_named_pipe_in_one_line(fifo: Path, command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "explorer", *command, str(fifo)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    reason = "cannot read the file: not a regular file (a named pipe)"
    assert done.stderr == f"chain-explorer: error: {fifo}: {reason}\n"


def _square() -> dict:
    return json.loads(dumps(parse("h(x) = (2x + 1)**2")))


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        (lambda d: d["edges"][0].__setitem__("slot", 0.0), "$.edges[0].slot", "an integer, found 0.0"),
        (lambda d: d.__setitem__("version", 1.0), "$.version", "expected an integer, found 1.0"),
        (lambda d: d.__setitem__("version", 2.0), "$.version", "expected an integer, found 2.0"),
    ],
)
def test_whole_numbers_written_as_floats_are_refused(change, path: str, fragment: str) -> None:
    doc = _square()
    change(doc)
    with pytest.raises(FormatError) as info:
        loads(json.dumps(doc))
    assert info.value.json_path == path and fragment in info.value.message


@pytest.mark.parametrize("name", ["x\ny", "x\u202e2", "a\u2067b", "nul\x00", "del\x7f", "c1\x85"])
def test_names_with_control_or_direction_characters_are_refused(name: str) -> None:
    doc = _square()
    doc["nodes"][0]["name"] = name
    with pytest.raises(FormatError) as info:
        loads(json.dumps(doc))
    assert info.value.json_path == "$.nodes[0].name" and "a name cannot contain" in info.value.message
    assert "\n" not in str(info.value)


def test_the_schema_refuses_those_names_too() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    doc = _square()
    assert validator.is_valid(doc)
    for name in ("x\ny", "x\u202e2", "ünïcode·name"):
        doc["nodes"][0]["name"] = name
        assert validator.is_valid(doc) == (name == "ünïcode·name"), ascii(name)
