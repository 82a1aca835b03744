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

Undefined points are NaN, exactly as in the point evaluation: infinities that an op
produces are turned into NaN at once, so ``tanh(exp(1000))`` is undefined here too.

Imports: standard library and NumPy only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from explorer.graph.engine import Kernel as PointKernel
from explorer.graph.engine import compile_graph, forward_values, leaf_values
from explorer.graph.functions import flatten
from explorer.graph.model import Graph, GraphError
from explorer.graph.ops import Op

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

Values = list["np.ndarray | float"]
Kernel = Callable[["_Step", Values, Values], None]


@dataclass(slots=True)  # not frozen: frozen __init__ is slow, and tapes of 10,000 steps
class _Step:
    node: int
    op: Op
    operands: tuple[int, ...]
    varying: tuple[bool, ...]  # which operands depend on x
    poison: bool
    guard: bool  # an operand may hold ±inf that this op would hide
    kernel: Kernel


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
    x: int
    y: int
    units: tuple[_Step | _Group, ...]  # in an order where operands come first
    groups: int
    constants: list[PointKernel]  # the point-evaluation kernels of the constants it reads
    depends: bool  # y depends on x


def _compile_tape(graph: Graph, x: int, y: int) -> Tape:
    program = compile_graph(graph)
    ancestors = program.ancestors(y)
    n = len(program.ids)
    depends = [False] * n
    depends[x] = True
    unbounded = [False] * n  # the node's array may hold ±inf
    level = [0] * n  # longest chain of x-dependent nodes from x
    by_key: dict[tuple[int, str, tuple[bool, ...], bool], list[_Step]] = {}
    all_operands, all_ops = program.operands, program.ops
    for i in range(x + 1, y + 1):
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
        elif len(operands) == 2:
            a, b = operands
            if a < 0 or b < 0 or not (depends[a] or depends[b]):
                continue
            va, vb = depends[a], depends[b]
            varying = _TWO[va, vb]
            inf_in = (va and unbounded[a]) or (vb and unbounded[b])
            lev = max(level[a] if va else 0, level[b] if vb else 0)
        else:
            continue
        depends[i] = True
        level[i] = lev + 1
        op = all_ops[i]
        name = op.name
        guard = inf_in and name in _ABSORBS_INF
        unbounded[i] = name in _MAKES_INF or (inf_in and name in _CARRIES_INF and not guard)
        step = _Step(i, op, operands, varying, name in _CAN_OVERFLOW, guard, _KERNELS.get(name, _generic))
        key = (lev, name, varying, guard)
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
                         first.kernel)  # fmt: skip
        publish = tuple((row, step.node) for row, step in enumerate(bucket) if step.node in read_alone)
        index = producer[first.node][0]
        units.append(_Group(index, tuple(st.node for st in bucket), template, tuple(gathers), publish))
    return Tape(x, y, tuple(units), groups, constants, depends[y])


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


def _poison(a: np.ndarray) -> np.ndarray:
    """Turn ±inf into NaN in two cheap ufunc calls (inf·0 is NaN, finite·0 is 0)."""
    return a + a * 0.0


def _generic(step: _Step, vals: Values, tans: Values) -> None:
    """Any op: forward, all local derivatives, tangent summed over varying operands."""
    args = tuple(vals[j] for j in step.operands)
    out = step.op.vforward(*args)
    if step.poison:
        out = _poison(out)
    if step.guard:
        for k, j in enumerate(step.operands):
            if step.varying[k]:
                out = out + 0.0 * vals[j]  # inf·0 is NaN, finite·0 is 0
    vals[step.node] = out
    local = step.op.vlocal(args, out)
    tangent: np.ndarray | float = 0.0
    for k, j in enumerate(step.operands):
        if step.varying[k]:
            tangent = tangent + local[k] * tans[j]
    tans[step.node] = tangent


# Hand-written kernels for the common ops: the fewest NumPy calls per node, since at a
# few hundred points the per-call overhead, not the arithmetic, is what a sweep costs.
def _k_add(step: _Step, vals: Values, tans: Values) -> None:
    a, b = step.operands
    va, vb = step.varying
    vals[step.node] = vals[a] + vals[b]
    tans[step.node] = tans[a] + tans[b] if va and vb else (tans[a] if va else tans[b])


def _k_sub(step: _Step, vals: Values, tans: Values) -> None:
    a, b = step.operands
    va, vb = step.varying
    vals[step.node] = vals[a] - vals[b]
    tans[step.node] = tans[a] - tans[b] if va and vb else (tans[a] if va else -tans[b])


def _k_mul(step: _Step, vals: Values, tans: Values) -> None:
    a, b = step.operands
    va, vb = step.varying
    vals[step.node] = vals[a] * vals[b]
    if va and vb:
        tans[step.node] = tans[a] * vals[b] + vals[a] * tans[b]
    else:
        tans[step.node] = tans[a] * vals[b] if va else vals[a] * tans[b]


def _k_neg(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    vals[step.node] = -vals[a]
    tans[step.node] = -tans[a]


def _k_tanh(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    out = np.tanh(vals[a])
    if step.guard:
        out = out + 0.0 * vals[a]
    vals[step.node] = out
    tans[step.node] = (1.0 - out * out) * tans[a]


def _k_sigmoid(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    # 1/(1 + e^-a) keeps full relative precision for very negative a, where the
    # tanh form cancels (log(sigmoid(-40)) must be -40, not log(0)); exp's overflow
    # to inf gives the right limit 0.
    out = 1.0 / (1.0 + np.exp(-vals[a]))
    if step.guard:
        out = out + 0.0 * vals[a]
    vals[step.node] = out
    tans[step.node] = out * (1.0 - out) * tans[a]


def _k_exp(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    out = _poison(np.exp(vals[a]))
    if step.guard:
        out = out + 0.0 * vals[a]
    vals[step.node] = out
    tans[step.node] = out * tans[a]


def _k_relu(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    va = vals[a]
    vals[step.node] = np.maximum(va, 0.0) + 0.0 * va if step.guard else np.maximum(va, 0.0)
    # A product, not np.where: 0 × NaN must stay NaN as in the point evaluation.
    tans[step.node] = (va > 0.0) * tans[a]


def _k_sin(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    va = vals[a]
    vals[step.node] = np.sin(va)
    tans[step.node] = np.cos(va) * tans[a]


def _k_cos(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    va = vals[a]
    vals[step.node] = np.cos(va)
    tans[step.node] = -np.sin(va) * tans[a]


def _k_pow_const_exponent(step: _Step, vals: Values, tans: Values) -> None:
    a, b = step.operands
    va, vb = vals[a], vals[b]
    out = _poison(np.power(va, vb))
    if vb == 0.0 or vb != vb or step.guard:
        out = out + 0.0 * va * vb  # IEEE: pow(NaN, 0) = pow(1, NaN) = 1; not here
    vals[step.node] = out
    if vb == 0.0:
        tans[step.node] = 0.0 * tans[a]
    elif vb == 2.0:
        tans[step.node] = 2.0 * va * tans[a]
    else:
        tans[step.node] = _poison(vb * np.power(va, vb - 1.0)) * tans[a]


def _k_pow(step: _Step, vals: Values, tans: Values) -> None:
    if step.varying == (True, False):
        _k_pow_const_exponent(step, vals, tans)
    else:
        _generic(step, vals, tans)


_KERNELS = {
    "add": _k_add,
    "sub": _k_sub,
    "mul": _k_mul,
    "neg": _k_neg,
    "tanh": _k_tanh,
    "exp": _k_exp,
    "sigmoid": _k_sigmoid,
    "relu": _k_relu,
    "pow": _k_pow,
    "sin": _k_sin,
    "cos": _k_cos,
}


def _run_group(
    group: _Group,
    vals: Values,
    tans: Values,
    scalars: list[float],
    matrices: list[tuple[np.ndarray, np.ndarray]],
    points: int,
) -> None:
    """One kernel call for a whole group, on matrices with a row per member."""
    v: Values = []
    t: Values = []
    for gather in group.gathers:
        if gather.kind == "rows":
            value, tangent = matrices[gather.source]
            v.append(value[gather.rows])
            t.append(tangent[gather.rows])
        elif gather.kind == "one":
            v.append(vals[gather.source][None])  # type: ignore[index]
            t.append(tans[gather.source][None])  # type: ignore[index]
        elif gather.kind == "const":
            v.append(np.array([scalars[j] for j in gather.nodes])[:, None])
            t.append(0.0)  # not read: the slot does not vary
        else:
            v.append(np.stack([vals[j] for j in gather.nodes]))
            t.append(np.stack([tans[j] for j in gather.nodes]))
    v.append(0.0)
    t.append(0.0)
    group.step.kernel(group.step, v, t)
    shape = (len(group.nodes), points)
    value, tangent = np.asarray(v[-1]), np.asarray(t[-1])
    if value.shape != shape:  # every operand was one broadcast row
        value = np.broadcast_to(value, shape)
    if tangent.shape != shape:
        tangent = np.broadcast_to(tangent, shape)
    matrices[group.index] = (value, tangent)
    for row, node in group.publish:
        vals[node] = value[row]
        tans[node] = tangent[row]


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
        flat, where = flatten(graph)
        # The flat copy is cached per structure; values move without a structural edit.
        pairs = graph.derived("tape.leaf_pairs", lambda g: [(n, flat.node(n.id)) for n in g if n.is_leaf])
        for mine, copy in pairs:
            if copy.value != mine.value:
                flat.set_value(copy.id, mine.value)
        flat_values = {graph.find(k).id: v for k, v in values.items()} if values else None
        return sweep(flat, x_node.id, xs, where[out_id], flat_values)
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
    matrices: list[tuple[np.ndarray, np.ndarray]] = [(xs_arr, xs_arr)] * tape.groups
    with np.errstate(all="ignore"):
        for unit in tape.units:
            if type(unit) is _Step:
                unit.kernel(unit, vals, tans)
            else:
                _run_group(unit, vals, tans, scalars, matrices, len(xs_arr))  # type: ignore[arg-type]
        y_values = _poison(np.broadcast_to(np.asarray(vals[y], dtype=float), xs_arr.shape).copy())
        grads = _poison(np.broadcast_to(np.asarray(tans[y], dtype=float), xs_arr.shape).copy())
    if not tape.depends:
        # The output does not depend on x: a flat line with zero slope (or undefined).
        grads = np.where(np.isnan(y_values), np.nan, 0.0)
    grads[np.isnan(y_values)] = np.nan
    return y_values, grads
