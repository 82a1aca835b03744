"""One-input sweeps' specialised steps and planned buffers (``tape_line``).

They must compute exactly what the plain kernels compute (same operations, same order),
and a buffer must never be overwritten while something may still read it: both are
checked bit for bit against the plain kernels, which make a fresh array per result.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import explorer.graph.tape as tape
import explorer.graph.tape_line as tape_line
from explorer.graph.engine import compile_graph, forward_values, leaf_values
from explorer.graph.model import Graph

from .strategies import describe, graphs, input_names, layered_graphs

EDGES = np.array([-3.0, -1.0, -1e-300, 0.0, 0.5, 1.0, 2.0, 40.0, 1e308, -1e308, np.inf, -np.inf, np.nan])


def run_both(graph: Graph, name: str, xs: np.ndarray) -> tuple[tuple[object, object], tuple[object, object]]:
    """(value, tangent) of the output from the plain kernels and from the planned steps."""
    program = compile_graph(graph)
    out_id = graph.default_output()
    assert out_id is not None
    x, y = program.index[graph.find(name).id], program.index[out_id]
    compiled = tape._compile_tape(graph, x, y)
    scalars = leaf_values(graph, program, None)
    forward_values(graph, program, scalars, None, kernels=compiled.constants)
    results = []
    for runner in (tape._run, tape._run_line):
        vals: list[np.ndarray | float] = list(scalars)
        tans: list[np.ndarray | float] = [0.0] * len(scalars)
        vals[x], tans[x] = xs, np.ones_like(xs)
        with np.errstate(all="ignore"):
            runner(compiled, vals, tans, scalars, len(xs))
        # Copied now: the planned run's arrays are buffers the next sweep reuses.
        results.append(
            tuple(np.broadcast_to(np.asarray(a, dtype=float), xs.shape).copy() for a in (vals[y], tans[y]))
        )
    return results[0], results[1]  # type: ignore[return-value]


def assert_bitwise(a: object, b: object) -> None:
    np.testing.assert_array_equal(np.asarray(a).view(np.int64), np.asarray(b).view(np.int64))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(max_ops=24, max_depth=8), data=st.data())
def test_planned_steps_equal_the_plain_kernels_bit_for_bit(g: Graph, data: st.DataObject) -> None:
    note(describe(g))
    name = data.draw(st.sampled_from(input_names(g)), label="x")
    plain, planned = run_both(g, name, np.concatenate([np.linspace(-3.0, 3.0, 17), EDGES]))
    for a, b in zip(plain, planned, strict=True):
        assert_bitwise(a, b)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=layered_graphs(), data=st.data())
def test_planned_steps_around_batched_groups(g: Graph, data: st.DataObject) -> None:
    """Group matrices and their published rows may be views of a step's buffer."""
    note(describe(g))
    name = data.draw(st.sampled_from(input_names(g)), label="x")
    plain, planned = run_both(g, name, np.linspace(-2.0, 2.0, 9))
    for a, b in zip(plain, planned, strict=True):
        assert_bitwise(a, b)


def test_results_do_not_change_when_the_buffers_are_reused() -> None:
    from tests.benchmarks.bench_engine import random_dag

    first, second = random_dag(120, seed=3), random_dag(150, seed=4)
    xs = np.linspace(-2.0, 2.0, 50)
    ys, dys = tape.sweep(first, "x0", xs)
    kept = ys.copy(), dys.copy()
    tape.sweep(second, "x0", xs)  # the same buffers, other numbers
    tape.sweep(first, "x0", xs[::-1].copy())
    np.testing.assert_array_equal(ys, kept[0])
    np.testing.assert_array_equal(dys, kept[1])


def test_a_huge_sweep_does_not_keep_its_buffers() -> None:
    points = tape_line.KEEP_BYTES // 8  # one buffer alone fills the allowance
    one, zero, buffers = tape_line.buffers_for(3, points)
    assert len(buffers) == 3 and one.shape == zero.shape == (points,)
    assert points not in tape_line._kept.pools
    tape_line.buffers_for(3, 500)
    assert list(tape_line._kept.pools)[-1] == 500


def test_rows_of_a_group_that_pass_a_buffer_on_keep_it_alive() -> None:
    """s + c₁, s + c₂, s + c₃ run as one group whose tangent rows are views of s's buffer.

    s is read for the last time by the group; the steps after it must not get s's buffer
    while the rows still refer to it.
    """
    g = Graph()
    x = g.add_node("input", "x", 0.3).id
    s = g.add_node("sin").id
    g.connect(x, s, 0)
    rows = []
    for k in range(3):
        c = g.add_node("const", f"c{k}", 0.5 * k).id
        a = g.add_node("add").id
        g.connect(s, a, 0)
        g.connect(c, a, 1)
        rows.append(a)
    total = None
    for a, op in zip(rows, ("tanh", "cos", "exp"), strict=True):
        f = g.add_node(op).id
        g.connect(a, f, 0)
        if total is None:
            total = f
        else:
            t = g.add_node("mul").id
            g.connect(total, t, 0)
            g.connect(f, t, 1)
            total = t
    g.set_output(total)
    program = compile_graph(g)
    compiled = tape._compile_tape(g, program.index[x], program.index[total])
    assert compiled.groups == 1  # the case this test is about
    plain, planned = run_both(g, "x", np.linspace(-2.0, 2.0, 11))
    for a, b in zip(plain, planned, strict=True):
        assert_bitwise(a, b)


def test_a_chain_of_offsets_runs_in_a_few_buffers() -> None:
    """x + c passes its tangent on; holding all its operand held kept every buffer of a
    chain alive (1,000 steps at a million points: 8 GB instead of a few arrays)."""
    g = Graph()
    prev = g.add_node("input", "x", 0.3).id
    for i in range(200):
        op = ("add", "log", "sub", "sqrt")[i % 4]
        node = g.add_node(op).id
        g.connect(prev, node, 0)
        if op in ("add", "sub"):
            g.connect(g.add_node("const", f"c{i}", 1.0).id, node, 1)
        prev = node
    g.set_output(prev)
    program = compile_graph(g)
    compiled = tape._compile_tape(g, program.index[g.find("x").id], program.index[prev])
    assert compiled.line is not None and compiled.line.buffers <= 6


def scribbled_run(graph: Graph, name: str, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The planned run, with every buffer NaN-filled the moment the plan calls it free.

    A step that still read a freed buffer would then read NaN, whatever the numbers.
    """
    program = compile_graph(graph)
    out_id = graph.default_output()
    assert out_id is not None
    x, y = program.index[graph.find(name).id], program.index[out_id]
    compiled = tape._compile_tape(graph, x, y)
    plan = tape_line.plan_line(compiled.units, compiled.releases, record_free=True)
    scalars = leaf_values(graph, program, None)
    forward_values(graph, program, scalars, None, kernels=compiled.constants)
    vals: list[np.ndarray | float] = [*scalars, np.ones(len(xs)), np.zeros(len(xs))]
    tans: list[np.ndarray | float] = [0.0] * len(scalars)
    vals[x], tans[x] = xs, np.ones_like(xs)
    buffers = [np.full(len(xs), np.nan) for _ in range(plan.buffers)]
    matrices: list[object] = [None] * compiled.groups
    with np.errstate(all="ignore"):
        for unit, run, free in zip(compiled.units, plan.closures, plan.free_after, strict=True):
            if run is not None:
                run(vals, tans, buffers)
            else:
                tape._run_group(unit, vals, tans, scalars, matrices, len(xs), 0)  # type: ignore[arg-type]
            for b in free:
                buffers[b].fill(np.nan)
    return tuple(np.broadcast_to(np.asarray(a, dtype=float), xs.shape).copy() for a in (vals[y], tans[y]))  # type: ignore[return-value]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=st.one_of(graphs(max_ops=24, max_depth=8), layered_graphs()), data=st.data())
def test_no_step_reads_a_buffer_after_it_is_free(g: Graph, data: st.DataObject) -> None:
    note(describe(g))
    name = data.draw(st.sampled_from(input_names(g)), label="x")
    xs = np.linspace(-2.0, 2.0, 9)
    plain, _ = run_both(g, name, xs)
    for a, b in zip(plain, scribbled_run(g, name, xs), strict=True):
        assert_bitwise(a, b)
