"""The narrative of each step, in plain words and in the lesson's numbers; no Qt.

``describe(timeline, n)`` says what position ``n`` shows (the step just taken);
``step_summary(timeline, k)`` is the one-line form for the list of steps;
``chain_product(evaluation, node)`` writes a node's full chain-rule product, from the
output down to it, summed over paths. Numbers carry colour roles (value, gradient) that
the panel renders with the theme.

Imports: standard library, explorer.graph, explorer.theme (through wording).
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.animation import narration_body
from explorer.animation.frames import Timeline, running_sum_text
from explorer.animation.narration_body import body_step
from explorer.animation.paths import chain_paths
from explorer.animation.wording import (
    Rich,
    derivative,
    expression,
    expression_runs,
    fmt,
    label,
    label_is_formula,
    num,
    operand_label,
    output_label,
    rich,
    signed_sum,
)
from explorer.graph.completeness import incomplete_message
from explorer.graph.engine import Evaluation
from explorer.graph.functions import op_of
from explorer.graph.model import Edge
from explorer.graph.trace import BackwardStep, ForwardStep, SeedStep

MAX_PRODUCT_TERMS = 8


@dataclass(frozen=True, slots=True)
class Narration:
    title: str
    words: Rich
    numbers: tuple[Rich, ...]

    @property
    def plain(self) -> str:
        return "\n".join([self.title, self.words.plain, *(line.plain for line in self.numbers)])


def _names(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def describe(timeline: Timeline, n: int) -> Narration:
    """What the learner sees at position ``n``: the step that was just taken."""
    n = timeline.clamp(n)
    if n == 0:
        return _start(timeline)
    narration = describe_step(timeline, n - 1)
    if n == timeline.count:
        if timeline.output is None:
            ending = " No output is chosen, so there is no backward pass."
        elif n > timeline.forward_count:
            ending = " The backward pass is complete: every gradient is known."
        else:
            ending = ""
        narration = Narration(narration.title, narration.words + rich(ending), narration.numbers)
    return narration


def _start(timeline: Timeline) -> Narration:
    graph = timeline.evaluation.graph
    known: list[str | tuple[str, str | None] | Rich] = []
    for nid in timeline.leaves:
        if graph.node(nid).op != "input":
            continue
        if known:
            known.append(", ")
        known += [f"{label(graph, nid)} = ", num(timeline.evaluation.value_of(nid), "value")]
    words = rich(
        "Inputs and constants are known; every computed node shows “?”. "
        "Press Play (Space) or → to run the forward pass."
    )
    return Narration("Ready", words, (rich(*known),) if known else ())


def describe_step(timeline: Timeline, k: int) -> Narration:
    step = timeline.step(k)
    if body_step(step):  # inside an expanded call
        return narration_body.describe(timeline, k)
    if isinstance(step, ForwardStep):
        return _forward(timeline, k, step)
    if isinstance(step, SeedStep):
        return _seed(timeline, step)
    assert isinstance(step, BackwardStep)
    return _backward(timeline, k, step)


def _forward(timeline: Timeline, k: int, step: ForwardStep) -> Narration:
    graph = timeline.evaluation.graph
    node = graph.node(step.node_id)
    name = label(graph, node.id)
    title = f"Forward pass, step {k + 1} of {timeline.forward_count}: compute {name}"
    operands = [label(graph, e.source) for e in step.edges]
    kind = node.function or node.op  # a call reads as its function: g(x)
    formula = expression(kind, [operand_label(graph, e.source, kind, e.slot) for e in step.edges])
    if len(step.edges) < len(node.operands):
        missing = [str(s + 1) for s, src in enumerate(node.operands) if src is None]
        words = rich(
            f"{name} cannot be computed: operand {', '.join(missing)} is not connected, so it is undefined."
        )
        return Narration(title, words, (rich(name, " = ", num(step.value, "value")),))
    plural = "values" if len(operands) > 1 else "value"
    arrows = "arrows" if len(operands) > 1 else "arrow"
    # An unnamed node is already called by its formula: say which node, and skip "2·x = 2 × x".
    named = not label_is_formula(graph, node.id)
    into = name if named else f"the {op_of(graph, node).title} node"
    words = rich(
        f"The {plural} of {_names(operands)} travel{'' if len(operands) > 1 else 's'} along the {arrows} "
        f"into {into}, which computes {formula if named else name}."
    )
    numbers = rich(
        f"{name} = {formula} = " if named else f"{name} = ",
        expression_runs(kind, [num(v, "value") for v in step.operand_values]),
        " = ",
        num(step.value, "value"),
    )
    return Narration(title, words, (numbers,))


def _seed(timeline: Timeline, step: SeedStep) -> Narration:
    out = label(timeline.evaluation.graph, step.node_id)
    words = rich(
        f"The backward pass starts at the output. The gradient of {out} with respect to itself is 1: "
        f"when {out} moves a little, {out} moves by exactly that much."
    )
    return Narration("Backward pass begins", words, (rich(f"{derivative(out, out)} = ", ("1", "grad")),))


def _backward(timeline: Timeline, k: int, step: BackwardStep) -> Narration:
    ev = timeline.evaluation
    graph = ev.graph
    out = output_label(ev)
    src, dst = label(graph, step.edge.source), label(graph, step.edge.target)
    j = k - timeline.forward_count
    total = timeline.count - timeline.forward_count - 1
    title = f"Backward pass, step {j} of {total}: {dst} → {src}, against the arrow"
    rule = op_of(graph, graph.node(step.edge.target)).formulas[step.edge.slot]
    words = rich(
        f"{dst} passes its gradient back to {src}, multiplied by its local derivative "
        f"{derivative(dst, src)} (the rule {rule})."
    )
    m = timeline.term_count.get(step.edge.source, 1)
    if m > 1:
        words += rich(
            f" {src} feeds {m} operand slots, so its gradient is the sum of {m} contributions; "
            f"this is contribution {len(step.terms)} of {m}."
        )
    # Straight after the seed, d(out)/d(out) × d(out)/d(src) would name d(out)/d(src) twice.
    chain = "" if step.edge.target == ev.output else f"{derivative(out, dst)} × {derivative(dst, src)} = "
    product = rich(
        chain,
        num(step.upstream, "grad"),
        " × ",
        num(step.local, "local"),
        " = ",
        num(step.contribution, "grad"),
    )
    if m == 1:
        return Narration(title, words, (rich(f"{derivative(out, src)} = ", product),))
    lines = [rich(f"{derivative(out, src)} += ", product)]
    if len(step.terms) == 1:
        running = rich(f"{derivative(out, src)} = ", num(step.grad_after, "grad"), " so far")
    else:
        running = rich(
            f"{derivative(out, src)} = ",
            signed_sum(step.terms),
            " = ",
            num(step.grad_after, "grad"),
            "" if step.final else " so far",
        )
    lines.append(running)
    return Narration(title, words, tuple(lines))


def step_summary(timeline: Timeline, k: int) -> str:
    """One line per step for the list: ``c = a × b = 6``, ``d(loss)/dc = 14 × 1 = 14``."""
    ev = timeline.evaluation
    graph = ev.graph
    step = timeline.step(k)
    if body_step(step):  # inside an expanded call
        return narration_body.summary(timeline, k)
    if isinstance(step, ForwardStep):
        op_name = graph.node(step.node_id).function or graph.node(step.node_id).op
        name = label(graph, step.node_id)
        if len(step.edges) < len(graph.node(step.node_id).operands):
            return f"{name} = undefined (an operand is not connected)"
        if label_is_formula(graph, step.node_id):  # "2·x = 2 × 3 = 6", not "2·x = 2 × x = 6"
            values = expression(op_name, [fmt(v) for v in step.operand_values])
            return f"{name} = {values} = {fmt(step.value)}"
        operands = [operand_label(graph, e.source, op_name, e.slot) for e in step.edges]
        return f"{name} = {expression(op_name, operands)} = {fmt(step.value)}"
    out = output_label(ev)
    if isinstance(step, SeedStep):
        return f"{derivative(out, out)} = 1"
    assert isinstance(step, BackwardStep)
    src = label(graph, step.edge.source)
    product = f"{fmt(step.upstream)} × {fmt(step.local)} = {fmt(step.contribution)}"
    m = timeline.term_count.get(step.edge.source, 1)
    if m == 1:
        return f"{derivative(out, src)} = {product}"
    if len(step.terms) == 1:  # the running sum would only repeat the product's result
        return f"{derivative(out, src)} += {product}  (term 1 of {m})"
    return f"{derivative(out, src)} += {product}  →  {running_sum_text(step.terms, step.grad_after)}"


def chain_product(
    evaluation: Evaluation, node_id: str, max_terms: int = MAX_PRODUCT_TERMS
) -> tuple[Rich, ...]:
    """A node's gradient as the chain rule writes it: products of local derivatives, summed over paths."""
    graph = evaluation.graph
    name = label(graph, node_id)
    if evaluation.output is None:
        return (rich("No output is chosen, so there are no gradients."),)
    unfinished = incomplete_message(graph, evaluation.output)
    if unfinished is not None:
        return (rich(f"{unfinished}."),)
    out = output_label(evaluation)
    grad = evaluation.grad_of(node_id)
    if node_id == evaluation.output:
        return (rich(f"{derivative(out, out)} = ", ("1", "grad")),)
    paths = chain_paths(evaluation, node_id, cap=max_terms)
    if paths.total_count == 0:
        return (rich(f"{out} does not depend on {name}: {derivative(out, name)} = ", ("0", "grad")),)

    def symbols(edges: tuple[Edge, ...]) -> str:
        return " × ".join(derivative(label(graph, e.target), label(graph, e.source)) for e in reversed(edges))

    def factors(locals_: tuple[float, ...]) -> Rich:
        parts: list[str | tuple[str, str | None] | Rich] = []
        for i, v in enumerate(reversed(locals_)):
            if i:
                parts.append(" × ")
            parts.append(num(v, "local"))
        return rich(*parts)

    head = f"{derivative(out, name)} = "
    if paths.total_count == 1:
        path = paths.paths[0]
        if len(path.edges) == 1:  # the one factor *is* d(out)/d(node): say it once
            return (rich(head, num(grad, "grad")),)
        return (rich(head, symbols(path.edges), " = ", factors(path.locals), " = ", num(grad, "grad")),)
    lines = [
        rich(head + f"the sum over {paths.total_count} paths of the local derivatives multiplied along each:")
    ]
    for path in paths.paths:
        if len(path.edges) == 1:  # one factor: its product is itself
            lines.append(rich("   ", symbols(path.edges), " = ", num(path.product, "grad")))
            continue
        lines.append(
            rich("   ", symbols(path.edges), " = ", factors(path.locals), " = ", num(path.product, "grad"))
        )
    if paths.truncated:
        lines.append(rich(f"   … and {paths.truncated} more paths"))
        lines.append(rich(head, "sum of all path products = ", num(grad, "grad")))
    else:
        lines.append(rich(head, signed_sum(p.product for p in paths.paths), " = ", num(grad, "grad")))
    return tuple(lines)
