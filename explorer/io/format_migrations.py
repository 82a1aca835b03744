"""Upgrades of older graph documents, one file version at a time.

Part of the graph file format (:mod:`explorer.io.format` is its public face, and reads
:data:`MIGRATIONS` through its own name so that tests can register more). Imports: standard
library and the format's check module (never Qt).
"""

from __future__ import annotations

from collections.abc import Callable

from explorer.io.format_checks import Document, _Refused

Migration = Callable[[Document], Document]


def _v1_to_v2(document: Document) -> Document:
    """Version 2 adds optional keys (``trainable`` on inputs, ``functions`` and call nodes); a
    version-1 file has none of them."""
    if "functions" in document:
        raise _Refused("$", "unknown key 'functions' (it is new in file version 2)")
    for i, node in enumerate(document.get("nodes") or ()):
        for key in ("trainable", "function"):
            if isinstance(node, dict) and key in node:
                raise _Refused(f"$.nodes[{i}]", f"unknown key {key!r} (it is new in file version 2)")
    return {**document, "version": 2}


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}
"""``MIGRATIONS[v]`` turns a version-``v`` document into a version ``v + 1`` one (setting
``"version"``). It gets a document that passed the JSON-level checks, must not mutate it,
and may raise :class:`~explorer.io.format.FormatError` (or ``_Refused`` with a JSON path) for
content it cannot upgrade."""
