"""Words for the steps inside an expanded function call (see :mod:`explorer.animation.expanded`).

A body step names body nodes by the body's own labels (``2·x``, ``x``) and says which
call it is inside (``inside g``); the gradients are the outer output's, so the lesson's
chain continues through the box: ``dh/dx = 14 × 2 = 28``.

Imports: standard library, explorer.graph, explorer.animation (frames, wording, expanded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.animation.expanded import split_path
from explorer.animation.wording import derivative, expression, fmt, label, num, output_label, rich
from explorer.graph.trace import BackwardStep, ForwardStep, SeedStep, Step

if TYPE_CHECKING:
    from explorer.animation.frames import Timeline
    from explorer.animation.narration import Narration


def body_step(step: Step) -> bool:
    """True for a step inside an expanded call's body."""
    node = step.edge.source if isinstance(step, BackwardStep) else step.node_id
    return split_path(node) is not None


def _names(timeline: Timeline, path: str) -> tuple[str, str]:
    """(body label of ``path``, the call's label) for a body path."""
    parts = split_path(path)
    assert parts is not None
    call, bid = parts
    body = timeline.opened[call].function.body
    return label(body, bid), label(timeline.evaluation.graph, call)


def summary(timeline: Timeline, k: int) -> str:
    """One line for the list of steps, prefixed with the call it is inside."""
    step = timeline.step(k)
    if isinstance(step, ForwardStep):
        name, call = _names(timeline, step.node_id)
        parts = split_path(step.node_id)
        assert parts is not None
        node = timeline.opened[parts[0]].function.body.node(parts[1])
        if node.is_leaf:
            return f"in {call}: {name} = {fmt(step.value)}"
        kind = node.function or node.op
        values = expression(kind, [fmt(v) for v in step.operand_values])
        return f"in {call}: {name} = {values} = {fmt(step.value)}"
    out = output_label(timeline.evaluation)
    if isinstance(step, SeedStep):
        name, call = _names(timeline, step.node_id)
        return f"in {call}: {derivative(out, name)} = {derivative(out, call)} = {fmt(step.grad)}"
    assert isinstance(step, BackwardStep)
    name, call = _names(timeline, step.edge.source)
    product = f"{fmt(step.upstream)} × {fmt(step.local)} = {fmt(step.contribution)}"
    head = f"in {call}: {derivative(out, name)}"
    if len(step.terms) == 1:
        return f"{head} = {product}"
    return f"{head} += {product}  →  {fmt(step.grad_after)}"


def describe(timeline: Timeline, k: int) -> Narration:
    """The narrative of a body step: title, words and the numbers."""
    from explorer.animation.narration import Narration

    step = timeline.step(k)
    line = rich(summary(timeline, k).partition(": ")[2])
    if isinstance(step, ForwardStep):
        name, call = _names(timeline, step.node_id)
        parts = split_path(step.node_id)
        assert parts is not None
        leaf = timeline.opened[parts[0]].function.body.node(parts[1]).is_leaf
        what = f"{name} receives its value" if leaf else f"compute {name}"
        title = f"Forward pass, step {k + 1} of {timeline.forward_count}: inside {call}, {what}"
        if leaf:
            words = rich(f"{call} is expanded: its parameter {name} gets the value on the arrow into {call}.")
        else:
            words = rich(f"Inside {call}, {name} is computed from the body's own nodes, like any other node.")
        return Narration(title, words, (line,))
    j = k - timeline.forward_count
    total = timeline.count - timeline.forward_count - 1
    out = output_label(timeline.evaluation)
    if isinstance(step, SeedStep):
        name, call = _names(timeline, step.node_id)
        title = f"Backward pass, step {j} of {total}: into the body of {call}"
        words = rich(
            f"{call} is expanded, so its gradient goes on into its body: the body's output {name} "
            f"is {call}, so it gets {call}'s gradient."
        )
        return Narration(title, words, (rich(f"{derivative(out, name)} = ", num(step.grad, "grad")),))
    assert isinstance(step, BackwardStep)
    src, call = _names(timeline, step.edge.source)
    dst = _names(timeline, step.edge.target)[0]
    title = f"Backward pass, step {j} of {total}: inside {call}, {dst} → {src}, against the arrow"
    words = rich(
        f"Inside {call}, {dst} passes its gradient back to {src}, multiplied by its local "
        f"derivative {derivative(dst, src)}."
    )
    product = rich(
        f"{derivative(out, src)} = ",
        num(step.upstream, "grad"),
        " × ",
        num(step.local, "local"),
        " = ",
        num(step.contribution, "grad"),
    )
    return Narration(title, words, (product,))
