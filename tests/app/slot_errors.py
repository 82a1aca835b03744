"""Fail a test on any exception raised inside a Qt slot or virtual (issue 12's soak and monkey).

pytest-qt already reports such exceptions; this keeps our own record too, so a long random
run stops at the first one and says which operation raised it.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def failing_on_slot_errors() -> Iterator[list[str]]:
    """Collect every exception that reaches ``sys.excepthook`` while the block runs."""
    errors: list[str] = []
    previous = sys.excepthook

    def hook(kind, value, tb) -> None:  # type: ignore[no-untyped-def]
        errors.append("".join(traceback.format_exception(kind, value, tb)))

    sys.excepthook = hook
    try:
        yield errors
    finally:
        sys.excepthook = previous
