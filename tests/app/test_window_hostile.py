"""The window against hostile files (issue 12, adversarial list): refuse in one line, keep running."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import pytest

from explorer.io.format import dumps


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_opening_a_named_pipe_is_refused_and_the_document_kept(window, dialogs, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    done = threading.Event()

    def unblock() -> None:  # frees a reader that blocked anyway (the bug), so it fails, not hangs
        done.wait(15)
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    guard = threading.Thread(target=unblock, daemon=True)
    guard.start()
    before = dumps(window.document.graph)
    try:
        assert window.open_file(fifo) is False
    finally:
        done.set()
        guard.join()
    assert dialogs.errors == [f"{fifo}: cannot read the file: not a regular file (a named pipe)"]
    assert dumps(window.document.graph) == before and window.document.file_path is None
