"""The trace: the forward and backward passes as an ordered list of small steps.

The animation, the narrative, the command line and the tests all read this one list,
so what a learner watches is exactly what the engine computed. It is pure data, built
from an :class:`~explorer.graph.engine.Evaluation` without recomputing anything. The
trace says what it reads (:class:`Traced`, :class:`TracedProgram`) instead of importing
the engine: the engine imports the trace, never the other way round.

Step order, matching a micrograd ``backward()``:

1. one :class:`ForwardStep` per computed node, in topological order (inputs and constants
   are known before the first step);
2. a :class:`SeedStep`: the output's gradient is 1;
3. one :class:`BackwardStep` per edge, targets in reverse topological order and each
   target's operands in slot order. Edges from constant subgraphs are left out: nobody
   asks how the output moves when the number 2 moves, and they would bury the lesson.
   Where a node receives several contributions, ``terms`` holds the running sum.

Imports: standard library, explorer.graph.model and explorer.graph.ops.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from explorer.graph.model import Edge
from explorer.graph.ops import Op


@dataclass(frozen=True, slots=True)
class ForwardStep:
    """Node ``node_id`` takes the operand values along ``edges`` and computes ``value``."""

    node_id: str
    edges: tuple[Edge, ...]
    operand_values: tuple[float, ...]
    value: float


@dataclass(frozen=True, slots=True)
class SeedStep:
    """The backward pass starts: d(output)/d(output) = 1."""

    node_id: str
    grad: float = 1.0


@dataclass(frozen=True, slots=True)
class BackwardStep:
    """Along ``edge``, against the arrow: ``upstream × local = contribution`` into the source.

    ``grad_before``/``grad_after`` are the source's accumulated gradient around this step;
    ``terms`` are all contributions the source has received so far, this one last, so a
    narrative can say ``14 + 28 = 42``. ``final`` is True on the source's last term.
    """

    edge: Edge
    upstream: float
    local: float
    contribution: float
    grad_before: float
    grad_after: float
    terms: tuple[float, ...]
    final: bool


Step = ForwardStep | SeedStep | BackwardStep


@dataclass(frozen=True, slots=True)
class Trace:
    steps: tuple[Step, ...]
    forward_count: int  # steps[:forward_count] are the forward pass

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def backward_start(self) -> int:
        """Index of the seed step (== forward_count), or len(steps) without an output."""
        return self.forward_count


class TracedProgram(Protocol):
    """What the trace reads of a compiled program (see :class:`explorer.graph.engine.Program`)."""

    ids: list[str]
    ops: list[Op]
    index: dict[str, int]
    edge_ends: list[tuple[int, int]]
    edges_into: list[range]
    varies: list[bool]

    @property
    def edges(self) -> list[Edge]: ...

    def ancestors(self, out: int) -> list[bool]: ...


class Traced(Protocol):
    """What the trace reads of one evaluation (see :class:`explorer.graph.engine.Evaluation`)."""

    @property
    def program(self) -> TracedProgram: ...

    @property
    def output(self) -> str | None: ...

    @property
    def value_list(self) -> Sequence[float]: ...

    @property
    def grad_list(self) -> Sequence[float]: ...

    @property
    def local_list(self) -> Sequence[float]: ...

    @property
    def contribution_list(self) -> Sequence[float]: ...


def build_trace(evaluation: Traced) -> Trace:
    """The steps of ``evaluation``'s two passes, read from its numbers (nothing is recomputed)."""
    program = evaluation.program
    values = evaluation.value_list
    steps: list[Step] = []
    for i, edges in enumerate(program.edges_into):
        if program.ops[i].arity == 0:
            continue
        edge_list = tuple(program.edges[e] for e in edges)
        operand_values = tuple(values[program.edge_ends[e][0]] for e in edges)
        steps.append(ForwardStep(program.ids[i], edge_list, operand_values, values[i]))
    forward_count = len(steps)
    if evaluation.output is None:
        return Trace(tuple(steps), forward_count)

    out = program.index[evaluation.output]
    steps.append(SeedStep(evaluation.output))
    mark = program.ancestors(out)
    received: dict[int, list[float]] = {}
    pending: list[tuple[int, int]] = []  # (edge index, source index) in backward order
    for i in range(out, -1, -1):
        if mark[i]:
            for e in program.edges_into[i]:
                src = program.edge_ends[e][0]
                if program.varies[src]:
                    pending.append((e, src))
    remaining: dict[int, int] = {}
    for _e, src in pending:
        remaining[src] = remaining.get(src, 0) + 1
    for e, src in pending:
        target = program.edge_ends[e][1]
        terms = received.setdefault(src, [])
        before = sum(terms) if terms else 0.0
        contribution = evaluation.contribution_list[e]
        terms.append(contribution)
        remaining[src] -= 1
        steps.append(
            BackwardStep(
                edge=program.edges[e],
                upstream=evaluation.grad_list[target],
                local=evaluation.local_list[e],
                contribution=contribution,
                grad_before=before,
                grad_after=before + contribution,
                terms=tuple(terms),
                final=remaining[src] == 0,
            )
        )
    return Trace(tuple(steps), forward_count)
