"""What a graph is made of: nodes, operand links, the errors an edit raises, and the name rule.

Plain data with no behaviour beyond a label, split from :mod:`explorer.graph.model` (the
container) so the pieces can be read on their own. Import them from either module.

Imports: standard library only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from explorer.graph.ops import LEAF_OPS

MAX_NAME_LENGTH = 64


class GraphError(ValueError):
    """An edit or a lookup the graph refuses; the message says why in one line."""


class CycleError(GraphError):
    """The link would make the output depend on itself."""


class ArityError(GraphError):
    """The slot does not exist for that op, or is already taken."""


# A name is shown in tables, captions and messages: control characters would break the line
# and bidi overrides would make it read as something else (U+202E turns "x‮2" into "2x").
_INVISIBLE_IN_NAMES = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a node, or None; the one rule for the editor, parser and files."""
    if len(name) > MAX_NAME_LENGTH:
        return f"name is longer than {MAX_NAME_LENGTH} characters"
    for char in name:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return f"a name cannot contain a control character (U+{ord(char):04X})"
        if char in _INVISIBLE_IN_NAMES:
            return f"a name cannot contain a text-direction character (U+{ord(char):04X})"
    return None


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    """Slot ``slot`` of node ``target`` reads the value of node ``source``."""

    source: str
    target: str
    slot: int


@dataclass(slots=True)
class Node:
    """One node. ``value`` is only meaningful for ``input`` and ``const`` nodes."""

    id: str
    op: str
    name: str = ""
    value: float = 0.0
    position: tuple[float, float] | None = None
    operands: list[str | None] = field(default_factory=list)
    # Only inputs can be trainable: gradient descent nudges exactly the marked parameters.
    trainable: bool = False
    # For op "call": the name of the function in the graph's library it uses.
    function: str = ""

    def copy(self) -> Node:
        """An equal node that shares nothing mutable (its operand list is its own)."""
        return replace(self, operands=list(self.operands))

    def unlinked(self, **changes: Any) -> Node:
        """A copy with every operand slot empty (links are added back one undoable step
        at a time), with ``changes`` applied (a new id, name or position)."""
        return replace(self, operands=[None] * len(self.operands), **changes)

    @property
    def label(self) -> str:
        """What to call the node in a message: its name, else its id."""
        return self.name or self.id

    @property
    def is_leaf(self) -> bool:
        return self.op in LEAF_OPS
