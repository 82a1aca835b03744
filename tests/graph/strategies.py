"""Hypothesis strategies for random computation graphs, and an independent reference.

``graphs()`` draws a DAG through the public :class:`~explorer.graph.model.Graph` API
(``add_node`` / ``connect`` / ``set_output``) over *every* computed op in the op table,
so a new op is covered as soon as it is registered. Operands are chosen among earlier
nodes, which keeps the graph acyclic without retries; depth is bounded so values stay
sane. Inputs are named ``x0, x1, …`` and constants ``c0, c1, …``.

``reference()`` is a second, deliberately naive implementation of the chain rule (its own
topological sort, a dict per quantity, no compiled program) used to check the engine.
It uses only the op table's *local* functions: the traversal, the accumulation and the
NaN rules are written again here. With ``perturb > 0`` it multiplies every computed
value and every local derivative by ``1 ± perturb`` (random signs): how far the results
move measures how ill-conditioned a point is, which is what a tolerance has to allow for
when two correct float implementations are compared.

Other test packages import it as a package module (``tests`` is a package):
``from ..graph.strategies import graphs``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from hypothesis import strategies as st

from explorer.graph.model import Graph
from explorer.graph.ops import OPS, DomainError

COMPUTED_OPS: tuple[str, ...] = tuple(sorted(name for name, op in OPS.items() if op.arity > 0))
SMOOTH_OPS: tuple[str, ...] = tuple(op for op in COMPUTED_OPS if op not in {"relu", "abs"})


def moderate(limit: float = 3.0) -> st.SearchStrategy[float]:
    """Floats in [-limit, limit]; hypothesis still tries 0, ±1 and the ends."""
    return st.floats(-limit, limit, allow_nan=False, allow_infinity=False)


@st.composite
def graphs(
    draw: st.DrawFn,
    *,
    ops: tuple[str, ...] = COMPUTED_OPS,
    min_inputs: int = 1,
    max_inputs: int = 3,
    max_consts: int = 2,
    min_ops: int = 1,
    max_ops: int = 10,
    max_depth: int = 4,
    values: st.SearchStrategy[float] | None = None,
    allow_missing: bool = False,
    choose_output: bool = True,
) -> Graph:
    """A random DAG; its last computed node is the output (when ``choose_output``).

    With ``allow_missing`` some operand slots stay unconnected and the output may be
    left unchosen, so the engine meets half-built graphs too.
    """
    values = values if values is not None else moderate()
    g = Graph()
    depth: dict[str, int] = {}
    for k in range(draw(st.integers(min_inputs, max_inputs))):
        depth[g.add_node("input", f"x{k}", draw(values)).id] = 0
    for k in range(draw(st.integers(0, max_consts))):
        depth[g.add_node("const", f"c{k}", draw(values)).id] = 0
    last = None
    for _ in range(draw(st.integers(min_ops, max_ops))):
        op = draw(st.sampled_from(ops))
        eligible = [nid for nid, d in depth.items() if d < max_depth]
        node = g.add_node(op)
        d = 0
        for slot in range(OPS[op].arity):
            if allow_missing and draw(st.integers(0, 9)) == 0:
                continue
            # Index from the end so that shrinking (towards 0) prefers recent nodes and
            # keeps graphs deep and connected rather than a fan of loose sinks.
            src = eligible[-1 - draw(st.integers(0, len(eligible) - 1))]
            g.connect(src, node.id, slot)
            d = max(d, depth[src] + 1)
        depth[node.id] = d
        last = node.id
    if choose_output and last is not None and not (allow_missing and draw(st.booleans())):
        g.set_output(last)
    return g


@st.composite
def layered_graphs(
    draw: st.DrawFn,
    *,
    ops: tuple[str, ...] = COMPUTED_OPS,
    max_layers: int = 4,
    max_width: int = 6,
    values: st.SearchStrategy[float] | None = None,
) -> Graph:
    """Wide graphs: layers of nodes that share an op and read the layer before.

    These are what the sweep batches into one call per layer, so operands are drawn
    to hit every way a batch can read a slot: the previous layer in order, permuted or
    strided, one node for all, constants, or a mixture from anywhere earlier.
    """
    values = values if values is not None else moderate()
    g = Graph()
    inputs = [g.add_node("input", f"x{k}", draw(values)).id for k in range(draw(st.sampled_from([1, 1, 2])))]
    consts = [g.add_node("const", f"c{k}", draw(values)).id for k in range(draw(st.integers(1, 3)))]
    previous = inputs
    earlier = [*inputs, *consts]
    for _ in range(draw(st.integers(1, max_layers))):
        width = draw(st.integers(3, max_width))
        same_op = draw(st.integers(0, 4)) > 0
        layer_op = draw(st.sampled_from(ops))
        # Mostly one way per slot for the whole layer (so the layer batches), sometimes
        # one way per node (so the batch splits or stacks).
        ways = ["in order", "shifted", "first", "const", "anywhere"]
        layer_how = [
            draw(st.sampled_from([*ways[:3], "per node"])),
            draw(st.sampled_from([*ways[:4], "per node"])),
        ]
        layer = []
        for k in range(width):
            op = layer_op if same_op else draw(st.sampled_from(ops))
            node = g.add_node(op).id
            for slot in range(OPS[op].arity):
                how = layer_how[slot]
                if how == "per node":
                    how = draw(st.sampled_from(ways))
                if how == "in order":
                    src = previous[k % len(previous)]
                elif how == "shifted":
                    src = previous[(2 * k + 1) % len(previous)]
                elif how == "first":
                    src = previous[0]
                elif how == "const":
                    src = consts[k % len(consts)]
                else:
                    src = draw(st.sampled_from(earlier))
                g.connect(src, node, slot)
            layer.append(node)
        earlier.extend(layer)
        previous = layer
    # Sum the last layer so that every node feeds the output.
    total = previous[0]
    for node in previous[1:]:
        add = g.add_node("add").id
        g.connect(total, add, 0)
        g.connect(node, add, 1)
        total = add
    g.set_output(total)
    return g


def input_names(graph: Graph) -> list[str]:
    return [n.name for n in graph.inputs()]


def describe(graph: Graph) -> str:
    """One line per node, for hypothesis ``note()`` when a property fails."""
    lines = []
    for n in graph:
        what = repr(n.value) if n.is_leaf else ", ".join(str(s) for s in n.operands)
        lines.append(f"{n.id} {n.name or '-'} = {n.op}({what})")
    lines.append(f"output: {graph.output}")
    return "\n".join(lines)


class Builder:
    """Terse graph building for hand-written cases: ``b.op("mul", a, b, name="c")``."""

    def __init__(self) -> None:
        self.graph = Graph()

    def input(self, name: str, value: float) -> str:
        return self.graph.add_node("input", name, value).id

    def const(self, value: float, name: str = "") -> str:
        return self.graph.add_node("const", name, value).id

    def op(self, op: str, *operands: str | None, name: str = "") -> str:
        node = self.graph.add_node(op, name)
        for slot, src in enumerate(operands):
            if src is not None:
                self.graph.connect(src, node.id, slot)
        return node.id


# ------------------------------------------------------------------------- reference
@dataclass(frozen=True)
class Reference:
    values: dict[str, float]
    grads: dict[str, float]  # d(output)/d(node) for every node
    overflowed: bool  # some op returned an infinity without a domain error


def _order(graph: Graph) -> list[str]:
    """Topological order by repeated sweeps (quadratic, obviously right)."""
    done: set[str] = set()
    order: list[str] = []
    pending = [n for n in graph]
    while pending:
        rest = []
        for node in pending:
            if all(s is None or s in done for s in node.operands):
                done.add(node.id)
                order.append(node.id)
            else:
                rest.append(node)
        assert len(rest) < len(pending), "cycle"
        pending = rest
    return order


def _finite_or_nan(v: float) -> float:
    return v if math.isfinite(v) else math.nan


def reference(
    graph: Graph,
    values: dict[str, float] | None = None,
    output: str | None = None,
    perturb: float = 0.0,
    seed: int = 0,
    absolute: bool = False,
) -> Reference:
    """Values and reverse-mode gradients, written independently of the engine.

    With ``absolute`` every local derivative is replaced by its magnitude, so a gradient
    becomes the sum over paths of |product|: the scale that bounds the rounding error of
    summing those paths in a different order.
    """
    rng = random.Random(seed)

    def wobble(v: float) -> float:
        return v * (1.0 + perturb * rng.choice((-1.0, 1.0))) if perturb else v

    if values:
        graph = graph.copy()
        for key, v in values.items():
            node = graph.find(key)
            assert node.op == "input", "only inputs can be overridden"
            graph.set_value(node.id, v)
    order = _order(graph)
    val: dict[str, float] = {}
    local: dict[tuple[str, int], float] = {}
    overflowed = False
    for nid in order:
        node = graph.node(nid)
        if node.is_leaf:
            val[nid] = float(node.value)
            continue
        args = [math.nan if s is None else val[s] for s in node.operands]
        v = math.nan
        if all(math.isfinite(a) for a in args):
            op = OPS[node.op]
            try:
                v = wobble(op.forward(*args))
            except DomainError:
                v = math.nan
            else:
                overflowed = overflowed or math.isinf(v)
                v = _finite_or_nan(v)
            if math.isfinite(v):
                for slot, d in enumerate(op.local(tuple(args), v)):
                    d = _finite_or_nan(wobble(d))
                    local[nid, slot] = abs(d) if absolute else d
        val[nid] = v

    out = graph.find(output).id if output is not None else graph.default_output()
    if out is None or math.isnan(val[out]):
        return Reference(val, dict.fromkeys(order, math.nan), overflowed)
    grads = dict.fromkeys(order, 0.0)
    grads[out] = 1.0
    # Reverse order visits every consumer before the node it reads from.
    for nid in reversed(order):
        if not graph.reaches(nid, out):
            continue
        for slot, src in enumerate(graph.node(nid).operands):
            if src is not None:
                grads[src] += grads[nid] * local.get((nid, slot), math.nan)
    return Reference(val, grads, overflowed)


def spread(
    graph: Graph,
    values: dict[str, float],
    output: str | None = None,
    perturb: float = 1e-11,
    trials: int = 3,
) -> tuple[Reference, list[Reference]]:
    """The reference and ``trials`` perturbed copies of it (see the module docstring)."""
    base = reference(graph, values, output)
    return base, [reference(graph, values, output, perturb, seed) for seed in range(1, trials + 1)]


def tolerance(exact: float, perturbed: list[float], rtol: float = 1e-9) -> float | None:
    """How far two faithful float implementations may differ here; None if ill-posed.

    The perturbation (1e-11 relative per operation) is ~10^4 times the rounding a real
    implementation commits, so the spread it causes is a generous bound for well-posed
    points and grows with the condition number. A point whose result changes from
    defined to undefined under perturbation sits on a domain boundary: None; so does one
    whose result moves by more than 1e-3 relative.
    """
    if any(math.isnan(p) != math.isnan(exact) for p in perturbed):
        return None
    if math.isnan(exact):
        return 0.0
    if math.isinf(exact) or any(math.isinf(p) for p in perturbed):
        # A product of local derivatives overflowed: only an identical infinity is "close".
        return 0.0 if all(p == exact for p in perturbed) else None
    moved = max((abs(p - exact) for p in perturbed), default=0.0)
    if moved > 1e-3 * abs(exact):
        # Condition number beyond ~1e8 (cos(4e38), a difference of near-equal numbers):
        # double precision does not determine the result, and the linear picture behind
        # the bound breaks down too.
        return None
    return rtol * abs(exact) + moved + 1e-300


def close(a: float, b: float, tol: float) -> bool:
    """Equal within ``tol``, where NaN equals NaN only."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= tol


def compare_sweep(graph: Graph, name: str, xs: list[float] | object) -> int:
    """Assert ``sweep`` equals point-by-point ``evaluate`` (and the reference) at each x.

    Values and slopes must agree within the point's conditioning (``tolerance``), NaN in
    the same places; points on a domain boundary or beyond 1e100 (where the sweep
    by design lets add/sub/mul carry an infinity a few steps, and where products of
    local derivatives overflow in one order of multiplication but not another) are
    skipped. Returns how
    many values and slopes were compared.
    """
    import numpy as np

    from explorer.graph.engine import evaluate
    from explorer.graph.tape import sweep

    grid = np.asarray(xs, dtype=float)
    x_id = graph.find(name).id
    ys, dys = sweep(graph, name, grid)
    assert ys.shape == dys.shape == grid.shape
    compared = 0
    for k, xv in enumerate(grid):
        point = {name: float(xv)}
        ev = evaluate(graph, point)
        base, wobbled = spread(graph, point)
        out = ev.output
        assert out is not None
        # Same op functions on the same numbers: values identical to the reference.
        for nid, v in base.values.items():
            assert close(ev.value_of(nid), v, 0.0), (xv, nid, ev.value_of(nid), v)
        biggest = max((abs(v) for v in base.values.values() if not math.isnan(v)), default=0.0)
        # Σ |path products|: where it is astronomical, reverse and forward mode overflow
        # (or not) depending only on the order of the products (x/x at x = 1e-308).
        paths = reference(graph, point, absolute=True).grads[x_id]
        if base.overflowed or biggest >= 1e100 or paths >= 1e100:
            continue
        tol_y = tolerance(base.values[out], [w.values[out] for w in wobbled])
        if tol_y is not None:
            assert close(float(ys[k]), ev.value, tol_y), (xv, ys[k], ev.value)
            compared += 1
        for nid, gr in base.grads.items():
            tol = tolerance(gr, [w.grads[nid] for w in wobbled])
            if tol is None:
                continue
            assert close(ev.grad_of(nid), gr, tol), (xv, nid, ev.grad_of(nid), gr)
            if nid == x_id:
                assert close(float(dys[k]), ev.grad_of(nid), tol), (xv, dys[k], ev.grad_of(nid))
                compared += 1
    return compared
