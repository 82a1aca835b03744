"""Vectorised sweeps: y(x) and dy/dx at many x values in one NumPy pass.

The plot redraws whole curves while the user drags, so a sweep must cost about as much
as a handful of point evaluations, not hundreds. Two observations make that so:

* Only nodes that depend on x *and* feed y change along the sweep. Everything else is a
  single number, computed once on floats, that NumPy broadcasts for free.
* With one input there is one tangent per node, so *forward mode* gives dy/dx in the same
  pass as the values: ``tangent = Σ local × tangent(operand)`` over the operands that
  depend on x. No backward pass, no per-edge storage.

The tape (which nodes, in which order, reading which slots) is compiled once per graph
structure and (x, y) pair and cached on the graph; values of the *other* inputs are read
at sweep time, so dragging another input never recompiles.

Wide graphs (a layer of neurons) have many nodes that do not depend on each other: the
tape groups nodes of the same op and the same depth into one NumPy call over a 2-D
array, a row per node, so a layer costs a few calls instead of a few per neuron. A group
reads an operand slot as rows of an earlier group's matrix (a slice or one fancy index),
as one node broadcast, or as a column of constants; only where that fails are rows
stacked. Chains stay one node at a time, as before.

A graph with function calls is swept as the same graph flattened (every call inlined,
cached per structure), so its curves are bit-for-bit those of the flat graph.

A sweep keeps an array only while something will still read it: the tape knows, per
step, which arrays are read for the last time, and drops them. A long chain then works
in a few arrays that stay in the cache and are recycled by the allocator, instead of
asking the system for fresh memory at every node (which, not the arithmetic, was what a
1,000-node random graph spent most of its time on). For the same reason, on glibc the
first sweep asks the C allocator (once, :mod:`explorer.graph.sweep_memory`) to keep
freed sweep memory for the next sweep rather than hand it back to the system each time.
One-input sweeps go further (:mod:`explorer.graph.tape_line`): each step is a closure
made for its op when the tape is compiled, writing into buffers planned from the same
lifetimes and kept between sweeps.

**Two inputs at once** (:func:`sweep_grid`, the plot's heat map): the same tape, seeded
at both inputs over a flattened grid, carries *two* tangents per node, stacked as a
leading axis of length 2 (``d/dx`` and ``d/dx₂``). The kernels need no change: a value
row ``(N,)`` broadcasts against a tangent ``(2, N)`` exactly as a number broadcasts
against a row; group matrices put the tangent axis first for the same reason.

Undefined points are NaN, exactly as in the point evaluation: infinities that an op
produces are turned into NaN at once, so ``tanh(exp(1000))`` is undefined here too.

Imports: standard library, NumPy and explorer.graph (engine, model; the kernels in
:mod:`explorer.graph.tape_kernels` and :mod:`explorer.graph.tape_line`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from explorer.graph.engine import Kernel as PointKernel
from explorer.graph.engine import compile_graph, forward_values, leaf_values
from explorer.graph.functions import flatten
from explorer.graph.model import Graph, GraphError
from explorer.graph.sweep_memory import keep_freed_memory
from explorer.graph.tape_kernels import _KERNELS, Values, _generic, _k_pow, _poison, _silence, _Step
from explorer.graph.tape_line import LinePlan, buffers_for, plan_line

# Ops that turn finite operands into infinities in practice; their results are fixed up
# to NaN at once. add/sub/mul only overflow beyond 1e308 and skip the fix-up for speed:
# there the point evaluation reports "overflow" while a sweep carries inf a few steps on.
_CAN_OVERFLOW = frozenset({"div", "pow", "exp", "log"})
# Where such an inf can come from, what carries it on, and which ops would turn it into a
# plausible finite number (tanh(inf) = 1, exp(-inf) = 0, 1/inf = 0): those few steps
# ("guarded", known when the tape is compiled) turn an infinite operand into NaN.
_MAKES_INF = frozenset({"add", "sub", "mul"})
_CARRIES_INF = frozenset({"neg", "abs", "sqrt", "relu"})
_ABSORBS_INF = frozenset({"tanh", "sigmoid", "relu", "exp", "div", "pow"})


# Ops whose kernels work unchanged on a 2-D array of rows (pow's reads its exponent as
# one number); a group needs at least this many nodes to beat one call per node.
_BATCHED = frozenset({"add", "sub", "mul", "div", "neg", "exp", "log", "sqrt", "relu", "tanh",
                      "sigmoid", "sin", "cos", "abs"})  # fmt: skip
_MIN_GROUP = 3
_ONE = (True,)
_TWO = {(a, b): (a, b) for a in (False, True) for b in (False, True)}  # shared, hashed once


@dataclass(slots=True)
class _Gather:
    """How a group reads one operand slot: a matrix with a row per member (or one row)."""

    kind: str  # "rows" of an earlier group, "one" node for all, "stack", "const" column
    nodes: tuple[int, ...]  # the operand of each member
    source: int  # the earlier group ("rows") or the node ("one")
    rows: slice | np.ndarray | None


@dataclass(slots=True)
class _Group:
    index: int  # where its matrices are kept during a sweep
    nodes: tuple[int, ...]
    step: _Step  # the kernel's view: operands 0.., result at len(gathers)
    gathers: tuple[_Gather, ...]
    publish: tuple[tuple[int, int], ...]  # (row, node) read later as a node of its own


@dataclass(frozen=True, slots=True)
class Tape:
    seeds: tuple[int, ...]  # the swept inputs: x (and x₂ for a grid)
    y: int
    units: tuple[_Step | _Group, ...]  # in an order where operands come first
    groups: int
    constants: list[PointKernel]  # the point-evaluation kernels of the constants it reads
    depends: bool  # y depends on a swept input
    # After units[k] runs, these arrays are read no more: nodes (>= 0) and group
    # matrices (``~g``, negative). Dropping them keeps the working set small.
    releases: tuple[tuple[int, ...], ...]
    # Grid sweeps: the tangent lane units[k] does not depend on (-1: it depends on both).
    quiet: tuple[int, ...]
    # One-input sweeps: specialised closures writing into planned buffers (tape_line).
    line: LinePlan | None

    @property
    def x(self) -> int:
        return self.seeds[0]


def _compile_tape(graph: Graph, x: int, y: int, x2: int | None = None) -> Tape:
    program = compile_graph(graph)
    ancestors = program.ancestors(y)
    n = len(program.ids)
    seeds = (x,) if x2 is None else (x, x2)
    depends = [False] * n
    lanes = [0] * n  # bit k: the node depends on seeds[k]
    for k, seed in enumerate(seeds):
        depends[seed] = True
        lanes[seed] = 1 << k
    unbounded = [False] * n  # the node's array may hold ±inf
    level = [0] * n  # longest chain of x-dependent nodes from x
    by_key: dict[tuple[int, str, tuple[bool, ...], bool, int, tuple[int, ...]], list[_Step]] = {}
    full = (1 << len(seeds)) - 1
    all_operands, all_ops = program.operands, program.ops
    for i in range(min(seeds) + 1, y + 1):
        if not ancestors[i]:
            continue
        # Written out for the two arities: this loop runs once per node per structure.
        operands = all_operands[i]
        if len(operands) == 1:
            a = operands[0]
            if a < 0 or not depends[a]:
                continue
            varying: tuple[bool, ...] = _ONE
            inf_in, lev = unbounded[a], level[a]
            lane = lanes[a]
        elif len(operands) == 2:
            a, b = operands
            if a < 0 or b < 0 or not (depends[a] or depends[b]):
                continue
            va, vb = depends[a], depends[b]
            varying = _TWO[va, vb]
            inf_in = (va and unbounded[a]) or (vb and unbounded[b])
            lev = max(level[a] if va else 0, level[b] if vb else 0)
            lane = lanes[a] | lanes[b]
        else:
            continue
        depends[i] = True
        lanes[i] = lane
        level[i] = lev + 1
        op = all_ops[i]
        name = op.name
        guard = inf_in and name in _ABSORBS_INF
        unbounded[i] = name in _MAKES_INF or (inf_in and name in _CARRIES_INF and not guard)
        step = _Step(i, op, operands, varying, name in _CAN_OVERFLOW, guard, _KERNELS.get(name, _generic))
        quiet: tuple[int, ...] = ()
        if lane == full and full > 1 and len(operands) == 2 and step.kernel in (_generic, _k_pow):
            quiet = tuple(
                -1 if lanes[j] in (0, full) else (lanes[j] ^ full).bit_length() - 1 for j in operands
            )
            if quiet != (-1, -1):
                step.quiet = quiet
        key = (lev, name, varying, guard, lane, quiet)  # a group shares its seeds too
        bucket = by_key.get(key)
        if bucket is None:
            by_key[key] = [step]
        else:
            bucket.append(step)
    needed = [ancestors[i] and not depends[i] for i in range(n)]
    constants = [k for k in program.kernels if needed[k[0]]]

    # Nodes of one level never read each other, so each bucket is one call if it is big.
    buckets = sorted(by_key.values(), key=lambda b: level[b[0].node])
    producer: dict[int, tuple[int, int]] = {}  # node -> (group, row)
    read_alone = {y}  # nodes something reads as a node of its own, not as a group row
    plans: list[_Step | tuple[list[_Step], list[_Gather]]] = []
    groups = 0
    for bucket in buckets:
        first = bucket[0]
        if len(bucket) < _MIN_GROUP or first.op.name not in _BATCHED:
            for step in bucket:
                for j, v in zip(step.operands, step.varying, strict=True):
                    if v:
                        read_alone.add(j)
                plans.append(step)
            continue
        gathers = []
        for k, is_varying in enumerate(first.varying):
            members = tuple(step.operands[k] for step in bucket)
            gathers.append(_gather(members, is_varying, producer, read_alone))
        for row, step in enumerate(bucket):
            producer[step.node] = (groups, row)
        plans.append((bucket, gathers))
        groups += 1

    units: list[_Step | _Group] = []
    for plan in plans:
        if isinstance(plan, _Step):
            units.append(plan)
            continue
        bucket, gathers = plan
        first = bucket[0]
        arity = len(first.operands)
        template = _Step(arity, first.op, tuple(range(arity)), first.varying, first.poison, first.guard,
                         first.kernel, first.quiet)  # fmt: skip
        publish = tuple((row, step.node) for row, step in enumerate(bucket) if step.node in read_alone)
        index = producer[first.node][0]
        units.append(_Group(index, tuple(st.node for st in bucket), template, tuple(gathers), publish))
    releases = _releases(units, keep={y, *seeds})
    # With two seeds, a node that depends on one only has a tangent that is exactly 0 for
    # the other; an infinite local derivative (sqrt at 0) times that 0 must not make it NaN.
    silent: list[int] = []
    for unit in units:
        lane = lanes[unit.node if type(unit) is _Step else unit.nodes[0]]  # type: ignore[union-attr]
        silent.append(-1 if lane == full else (lane ^ full).bit_length() - 1)
    line = plan_line(units, releases) if x2 is None else None
    return Tape(seeds, y, tuple(units), groups, constants, depends[y], releases, tuple(silent), line)


def _releases(units: list[_Step | _Group], keep: set[int]) -> tuple[tuple[int, ...], ...]:
    """Per unit, the arrays (nodes, and group matrices as ``~g``) it is the last to read."""
    last: dict[int, int] = {}
    for k, unit in enumerate(units):
        if type(unit) is _Step:
            for j, v in zip(unit.operands, unit.varying, strict=True):
                if v:
                    last[j] = k
            continue
        assert isinstance(unit, _Group)
        for gather in unit.gathers:
            if gather.kind == "rows":
                last[~gather.source] = k
            elif gather.kind == "one":
                last[gather.source] = k
            elif gather.kind == "stack":
                for j in gather.nodes:
                    last[j] = k
    freed: list[list[int]] = [[] for _ in units]
    for item, k in last.items():
        if item not in keep:
            freed[k].append(item)
    return tuple(tuple(f) for f in freed)


def _gather(
    members: tuple[int, ...], varying: bool, producer: dict[int, tuple[int, int]], read_alone: set[int]
) -> _Gather:
    if not varying:
        return _Gather("const", members, -1, None)
    if len(set(members)) == 1:
        read_alone.add(members[0])
        return _Gather("one", members, members[0], None)
    sources = {producer.get(j, (-1, 0))[0] for j in members}
    if len(sources) == 1 and -1 not in sources:
        rows = [producer[j][1] for j in members]
        step = rows[1] - rows[0]
        if step > 0 and rows == list(range(rows[0], rows[-1] + 1, step)):
            # every k-th row (one weight of each neuron): a view, no copy
            return _Gather("rows", members, sources.pop(), slice(rows[0], rows[-1] + 1, step))
        return _Gather("rows", members, sources.pop(), np.array(rows, dtype=np.intp))
    read_alone.update(members)
    return _Gather("stack", members, -1, None)


def _run_group(
    group: _Group,
    vals: Values,
    tans: Values,
    scalars: list[float],
    matrices: list[tuple[np.ndarray, np.ndarray] | None],
    points: int,
    lanes: int,
    quiet: int = -1,
) -> None:
    """One kernel call for a whole group, on matrices with a row per member.

    With ``lanes`` tangents per point (a grid sweep) the tangent matrices have a leading
    axis of that length; ``[..., rows, :]`` reads member rows either way.
    """
    v: Values = []
    t: Values = []
    for gather in group.gathers:
        if gather.kind == "rows":
            value, tangent = matrices[gather.source]  # type: ignore[misc]
            v.append(value[gather.rows])
            t.append(tangent[..., gather.rows, :] if lanes else tangent[gather.rows])
        elif gather.kind == "one":
            v.append(vals[gather.source][None])  # type: ignore[index]
            t.append(tans[gather.source][..., None, :] if lanes else tans[gather.source][None])  # type: ignore[index]
        elif gather.kind == "const":
            v.append(np.array([scalars[j] for j in gather.nodes])[:, None])
            t.append(0.0)  # not read: the slot does not vary
        else:
            v.append(np.stack([vals[j] for j in gather.nodes]))
            t.append(np.stack([tans[j] for j in gather.nodes], axis=-2))
    v.append(0.0)
    t.append(0.0)
    group.step.kernel(group.step, v, t)
    shape = (len(group.nodes), points)
    value, tangent = np.asarray(v[-1]), np.asarray(t[-1])
    if value.shape != shape:  # every operand was one broadcast row
        value = np.broadcast_to(value, shape)
    tangent_shape = (lanes, *shape) if lanes else shape
    if tangent.shape != tangent_shape:
        tangent = np.broadcast_to(tangent, tangent_shape)
    if quiet >= 0:
        tangent = np.asarray(_silence(tangent, quiet))
    matrices[group.index] = (value, tangent)
    for row, node in group.publish:
        vals[node] = value[row]
        tans[node] = tangent[..., row, :] if lanes else tangent[row]


def _run(tape: Tape, vals: Values, tans: Values, scalars: list[float], points: int, lanes: int = 0) -> None:
    """Every unit of the tape in order, dropping each array after its last reader."""
    matrices: list[tuple[np.ndarray, np.ndarray] | None] = [None] * tape.groups
    quiet = tape.quiet if lanes else (-1,) * len(tape.units)
    for unit, done, lane in zip(tape.units, tape.releases, quiet, strict=True):
        if type(unit) is _Step:
            unit.kernel(unit, vals, tans)
            if lane >= 0:
                tans[unit.node] = _silence(tans[unit.node], lane)
        else:
            _run_group(unit, vals, tans, scalars, matrices, points, lanes, lane)  # type: ignore[arg-type]
        if done:
            _release(done, vals, tans, matrices)


def _release(
    done: tuple[int, ...], vals: Values, tans: Values, matrices: list[tuple[np.ndarray, np.ndarray] | None]
) -> None:
    """Drop what nothing reads any more: nodes' arrays (``j``) and group matrices (``~g``)."""
    for j in done:
        if j >= 0:
            vals[j] = tans[j] = 0.0
        else:
            matrices[~j] = None


def _flat_twin(
    graph: Graph, out_id: str, values: Mapping[str, float] | None
) -> tuple[Graph, str, dict[str, float] | None]:
    """The graph with every call inlined, its leaves at ``graph``'s values, and where y went.

    Sweeps run on this twin so that a graph with functions gives bit-for-bit the curves
    of the flat graph. The twin is cached per structure; values move without a
    structural edit, so they are copied over here (leaves keep their ids).
    """
    flat, where = flatten(graph)
    pairs = graph.derived("tape.leaf_pairs", lambda g: [(n, flat.node(n.id)) for n in g if n.is_leaf])
    for mine, copy in pairs:
        if copy.value != mine.value:
            flat.set_value(copy.id, mine.value)
    flat_values = {graph.find(k).id: v for k, v in values.items()} if values else None
    return flat, where[out_id], flat_values


def _run_line(tape: Tape, vals: Values, tans: Values, scalars: list[float], points: int) -> None:
    """:func:`_run` for one input: each step a closure made for it (:mod:`tape_line`)."""
    matrices: list[tuple[np.ndarray, np.ndarray] | None] = [None] * tape.groups
    plan = tape.line
    assert plan is not None
    one, zero, buffers = buffers_for(plan.buffers, points)
    vals.append(one)  # the ONE and ZERO slots the closures read
    vals.append(zero)
    if plan.flat is not None:
        for step in plan.flat:
            step(vals, tans, buffers)
        del vals[-2:]
        return
    for unit, run, done in zip(tape.units, plan.closures, tape.releases, strict=True):
        if run is not None:
            run(vals, tans, buffers)
        else:
            _run_group(unit, vals, tans, scalars, matrices, points, 0)  # type: ignore[arg-type]
        if done:
            _release(done, vals, tans, matrices)
    del vals[-2:]


def sweep(
    graph: Graph,
    input_name_or_id: str,
    xs: np.ndarray | list[float],
    output: str | None = None,
    values: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(y, dy/dx) at every x in ``xs``, other inputs at their current (or given) values."""
    x_node = graph.find(input_name_or_id)
    if x_node.op != "input":
        raise GraphError(f"{x_node.label!r} is not an input")
    out_id = graph.find(output).id if output is not None else graph.default_output()
    if out_id is None:
        raise GraphError("the graph is empty: there is no output node")
    if graph.has_calls:
        flat, flat_out, flat_values = _flat_twin(graph, out_id, values)
        return sweep(flat, x_node.id, xs, flat_out, flat_values)
    program = compile_graph(graph)
    x, y = program.index[x_node.id], program.index[out_id]
    tape: Tape = graph.derived(f"tape:{x_node.id}:{out_id}", lambda g: _compile_tape(g, x, y))

    xs_arr = np.asarray(xs, dtype=float)
    if xs_arr.ndim != 1:
        raise GraphError("xs must be a one-dimensional array")
    if y == x:
        return xs_arr.copy(), np.ones_like(xs_arr)

    scalars = leaf_values(graph, program, values)
    forward_values(graph, program, scalars, None, kernels=tape.constants)
    vals: list[np.ndarray | float] = list(scalars)
    tans: list[np.ndarray | float] = [0.0] * len(scalars)
    vals[x] = xs_arr
    tans[x] = np.ones_like(xs_arr)
    keep_freed_memory()
    with np.errstate(all="ignore"):
        _run_line(tape, vals, tans, scalars, len(xs_arr))
        y_values = _poison(np.broadcast_to(np.asarray(vals[y], dtype=float), xs_arr.shape).copy())
        grads = _poison(np.broadcast_to(np.asarray(tans[y], dtype=float), xs_arr.shape).copy())
    if not tape.depends:
        # The output does not depend on x: a flat line with zero slope (or undefined).
        grads = np.where(np.isnan(y_values), np.nan, 0.0)
    grads[np.isnan(y_values)] = np.nan
    return y_values, grads


def sweep_grid(
    graph: Graph,
    x_name_or_id: str,
    x2_name_or_id: str,
    xs: np.ndarray | list[float],
    x2s: np.ndarray | list[float],
    output: str | None = None,
    values: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(y, ∂y/∂x, ∂y/∂x₂) over the grid of ``xs`` × ``x2s``, in one pass of the tape.

    Each result has shape ``(len(x2s), len(xs))``: ``[j, i]`` is at ``(xs[i], x2s[j])``,
    the orientation of an image with x across and x₂ up. Other inputs are at their
    current (or given) values; NaN is undefined, as in :func:`sweep`.
    """
    x_node, x2_node = graph.find(x_name_or_id), graph.find(x2_name_or_id)
    for node in (x_node, x2_node):
        if node.op != "input":
            raise GraphError(f"{node.label!r} is not an input")
    if x_node.id == x2_node.id:
        raise GraphError(f"{x_node.label!r} cannot be both axes of a grid")
    out_id = graph.find(output).id if output is not None else graph.default_output()
    if out_id is None:
        raise GraphError("the graph is empty: there is no output node")
    if graph.has_calls:
        flat, flat_out, flat_values = _flat_twin(graph, out_id, values)
        return sweep_grid(flat, x_node.id, x2_node.id, xs, x2s, flat_out, flat_values)
    program = compile_graph(graph)
    x, x2, y = program.index[x_node.id], program.index[x2_node.id], program.index[out_id]
    key = f"tape2:{x_node.id}:{x2_node.id}:{out_id}"
    tape: Tape = graph.derived(key, lambda g: _compile_tape(g, x, y, x2))

    xs_arr, x2s_arr = np.asarray(xs, dtype=float), np.asarray(x2s, dtype=float)
    if xs_arr.ndim != 1 or x2s_arr.ndim != 1:
        raise GraphError("xs and x2s must be one-dimensional arrays")
    shape = (len(x2s_arr), len(xs_arr))
    points = shape[0] * shape[1]
    scalars = leaf_values(graph, program, values)
    forward_values(graph, program, scalars, None, kernels=tape.constants)
    vals: list[np.ndarray | float] = list(scalars)
    tans: list[np.ndarray | float] = [0.0] * len(scalars)
    vals[x] = np.broadcast_to(xs_arr, shape).ravel()
    vals[x2] = np.repeat(x2s_arr, shape[1])
    seed = np.zeros((2, points))
    seed[0] = 1.0
    tans[x] = seed
    tans[x2] = seed[::-1].copy()  # (0, 1): d(x₂)/dx = 0, d(x₂)/d(x₂) = 1
    keep_freed_memory()
    with np.errstate(all="ignore"):
        _run(tape, vals, tans, scalars, points, lanes=2)
        y_values = _poison(np.broadcast_to(np.asarray(vals[y], dtype=float), (points,)).copy())
        grads = _poison(np.broadcast_to(np.asarray(tans[y], dtype=float), (2, points)).copy())
    undefined = np.isnan(y_values)
    if not tape.depends:
        grads = np.zeros((2, points))  # flat over the whole grid (or undefined)
    grads[:, undefined] = np.nan
    return y_values.reshape(shape), grads[0].reshape(shape), grads[1].reshape(shape)
