"""The trace: the exact step list a learner watches, and its bookkeeping on any graph."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, note, settings

from explorer.graph.engine import evaluate
from explorer.graph.model import Edge, Graph
from explorer.graph.trace import BackwardStep, ForwardStep, SeedStep

from .strategies import Builder, describe, graphs


def lesson_loss() -> tuple[Graph, dict[str, str]]:
    b = Builder()
    ids = {"a": b.input("a", 2.0), "b": b.input("b", 3.0)}
    ids["c"] = b.op("mul", ids["a"], ids["b"], name="c")
    ids["one"] = b.const(1.0, "one")
    ids["d"] = b.op("add", ids["c"], ids["one"], name="d")
    ids["two"] = b.const(2.0, "two")
    ids["loss"] = b.op("pow", ids["d"], ids["two"], name="loss")
    return b.graph, ids


def test_lesson_loss_exact_step_list() -> None:
    g, n = lesson_loss()
    trace = evaluate(g).trace

    def e(src: str, dst: str, slot: int) -> Edge:
        return Edge(n[src], n[dst], slot)

    assert trace.steps == (
        ForwardStep(n["c"], (e("a", "c", 0), e("b", "c", 1)), (2.0, 3.0), 6.0),
        ForwardStep(n["d"], (e("c", "d", 0), e("one", "d", 1)), (6.0, 1.0), 7.0),
        ForwardStep(n["loss"], (e("d", "loss", 0), e("two", "loss", 1)), (7.0, 2.0), 49.0),
        SeedStep(n["loss"], 1.0),
        # upstream × local = contribution; edges from the constants 1 and 2 are left out
        BackwardStep(e("d", "loss", 0), 1.0, 14.0, 14.0, 0.0, 14.0, (14.0,), True),
        BackwardStep(e("c", "d", 0), 14.0, 1.0, 14.0, 0.0, 14.0, (14.0,), True),
        BackwardStep(e("a", "c", 0), 14.0, 3.0, 42.0, 0.0, 42.0, (42.0,), True),
        BackwardStep(e("b", "c", 1), 14.0, 2.0, 28.0, 0.0, 28.0, (28.0,), True),
    )
    assert trace.forward_count == trace.backward_start == 3
    assert len(trace) == 8


def test_fan_out_running_sum_14_plus_28() -> None:
    # y = (a + a·2)·14: a receives 14 straight through the sum, then 14·2 = 28 via m.
    b = Builder()
    a = b.input("a", 1.0)
    m = b.op("mul", a, b.const(2.0), name="m")
    s = b.op("add", a, m, name="s")
    y = b.op("mul", s, b.const(14.0), name="y")
    ev = evaluate(b.graph)
    steps = [st for st in ev.trace.steps if isinstance(st, BackwardStep)]
    assert [(st.edge.source, st.edge.target) for st in steps] == [(s, y), (a, s), (m, s), (a, m)]
    first, second = steps[1], steps[3]
    assert (first.contribution, first.terms, first.final) == (14.0, (14.0,), False)
    assert (first.grad_before, first.grad_after) == (0.0, 14.0)
    assert (second.upstream, second.local, second.contribution) == (14.0, 2.0, 28.0)
    assert second.terms == (14.0, 28.0) and second.final
    assert (second.grad_before, second.grad_after) == (14.0, 42.0)  # 14 + 28 = 42
    assert ev["a"].grad == 42.0


def test_same_node_twice_gives_two_terms() -> None:
    b = Builder()
    x = b.input("x", 3.0)
    y = b.op("mul", x, x)
    steps = evaluate(b.graph).trace.steps
    back = [st for st in steps if isinstance(st, BackwardStep)]
    assert [st.edge for st in back] == [Edge(x, y, 0), Edge(x, y, 1)]
    assert [(st.terms, st.final, st.grad_after) for st in back] == [
        ((3.0,), False, 3.0),
        ((3.0, 3.0), True, 6.0),
    ]


def test_undefined_values_flow_through_the_trace() -> None:
    b = Builder()
    x = b.input("x", -1.0)
    lg = b.op("log", x, name="lg")
    b.op("tanh", lg, name="t")
    trace = evaluate(b.graph).trace
    forward = [st for st in trace.steps if isinstance(st, ForwardStep)]
    assert forward[0].node_id == lg and math.isnan(forward[0].value)
    assert math.isnan(forward[1].value) and math.isnan(forward[1].operand_values[0])
    back = [st for st in trace.steps if isinstance(st, BackwardStep)]
    assert len(back) == 2 and all(math.isnan(st.contribution) for st in back)


def test_no_output_means_forward_steps_only() -> None:
    b = Builder()
    x = b.input("x", 1.0)
    b.op("neg", x)
    b.op("exp", x)  # two loose ends and no chosen output: the last sink is used
    trace = evaluate(b.graph).trace
    assert isinstance(trace.steps[trace.backward_start], SeedStep)
    assert len(evaluate(Graph()).trace) == 0


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(allow_missing=True))
def test_trace_bookkeeping_on_random_graphs(g: Graph) -> None:
    note(describe(g))
    ev = evaluate(g)
    trace = ev.trace
    forward = trace.steps[: trace.forward_count]
    computed = [n.id for n in g if not n.is_leaf]
    assert sorted(st.node_id for st in forward) == sorted(computed)  # type: ignore[union-attr]
    seen: set[str] = {n.id for n in g if n.is_leaf}
    for st in forward:
        assert isinstance(st, ForwardStep)
        assert all(e.source in seen for e in st.edges), "operands are computed first"
        seen.add(st.node_id)
        assert st.operand_values == tuple(ev.value_of(e.source) for e in st.edges)
        assert _same(st.value, ev.value_of(st.node_id))
    if ev.output is None:
        assert len(trace) == trace.forward_count
        return
    assert trace.steps[trace.forward_count] == SeedStep(ev.output)
    back = trace.steps[trace.forward_count + 1 :]
    # Exactly the edges on the output's ancestry whose source depends on some input.
    varies = {n.id for n in g if any(g.reaches(i.id, n.id) for i in g.inputs())}
    expected = {e for e in g.edges() if e.source in varies and g.reaches(e.target, ev.output)}
    assert {st.edge for st in back} == expected  # type: ignore[union-attr]
    assert len(back) == len(expected)
    running: dict[str, list[float]] = {}
    done: set[str] = set()
    for st in back:
        assert isinstance(st, BackwardStep)
        src, dst = st.edge.source, st.edge.target
        assert dst == ev.output or dst in done, "a node passes back only once complete"
        assert _same(st.upstream, ev.grad_of(dst))
        assert _same(st.local, ev.local_of(st.edge))
        assert _same(st.contribution, st.upstream * st.local)
        terms = running.setdefault(src, [])
        terms.append(st.contribution)
        assert st.terms == tuple(terms) or _all_same(st.terms, terms)
        assert _same(st.grad_after, st.grad_before + st.contribution)
        if st.final:
            done.add(src)
            # the trace's running sum is the engine's gradient, bit for bit
            assert _same(st.grad_after, ev.grad_of(src)) or math.isnan(ev.value)
    assert done == set(running)


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _all_same(a: tuple[float, ...], b: list[float]) -> bool:
    return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
