"""Rebuild the bundled examples: ``python resources/examples/build_examples.py [STEM...]``.

The output is committed; with stems, only those examples are rebuilt.
"""

import sys
from pathlib import Path

from explorer.graph.layout import apply_layout
from explorer.graph.parser import parse
from explorer.graph.templates import lesson_network, micrograd_mlp
from explorer.io.format import save

OUT = Path(__file__).resolve().parent
EXAMPLES = {
    "lesson_h": (
        "h(x) = f(g(x)) = (2x + 1)² at x = 3",
        "The lesson's first example, as a composition of two functions: g(x) = 2x + 1 and f(z) = z². "
        "Forward: g = 2·3 + 1 = 7, h = f(7) = 49. Backward: dh/dh = 1, df/dg = 2·7 = 14, dg/dx = 2, so "
        "dh/dx = df/dg × dg/dx = 14 × 2 = 28. Select g or h and press Ctrl+Shift+X to see inside.",
        "x = 3.0\ng(x) = 2*x + 1\nf(z) = z**2\nh = f(g(x))\n",
    ),
    "lesson_loss": (
        "loss = (a·b + 1)² at a = 2, b = 3",
        "Three operations, two inputs. c = a·b = 6, d = c + 1 = 7, loss = d² = 49. Backward: "
        "d(loss)/dd = 2d = 14, d(loss)/dc = 14 × 1 = 14, d(loss)/da = 14 × b = 42, d(loss)/db = 14 × a = 28.",
        "a = 2.0\nb = 3.0\nc = a * b\nd = c + 1\nloss = d**2\n",
    ),
    "fan_out": (
        "Fan-out: gradients add up where paths meet",
        "a and b each feed two paths (d = a·b and e = a + b), and f = d·e. Each path brings its own "
        "contribution and the gradients are their sums: df/da = e·b + d·1 = 3 − 6 = −3, "
        "df/db = e·a + d·1 = −2 − 6 = −8.",
        "a = -2.0\nb = 3.0\nd = a * b\ne = a + b\nf = d * e\n",
    ),
    "tanh_neuron": (
        "A tanh neuron: o = tanh(w·x + b)",
        "One neuron with one input. n = w·x + b = 0.8814, o = tanh(n) = 0.7071. The local derivative "
        "of tanh is 1 − o² = 0.5, so do/dw = 0.5·x = 1, do/dx = 0.5·w = −1.5, do/db = 0.5.",
        "x = 2.0\nw = -3.0\nb = 6.881373587019543\nn = w*x + b\no = tanh(n)\n",
    ),
    "scalar_chain": (
        "From parameter to loss: embedding, linear, relu, linear, softmax, log",
        "A one-number version of a language model's path: a parameter p is looked up as an "
        "embedding, passes a linear layer and a relu, a second linear layer makes two logits, "
        "softmax turns them into a probability for the right answer, and the loss is its negative "
        "log (negative log-likelihood). Drag p and watch the loss and d(loss)/dp.",
        "p = 0.5\n"
        "emb = 1.5 * p\n"
        "h = 0.8 * emb + 0.1\n"
        "r = relu(h)\n"
        "z1 = 1.2 * r + 0.3\n"
        "z2 = -0.7 * r + 0.2\n"
        "e1 = exp(z1)\n"
        "e2 = exp(z2)\n"
        "prob = e1 / (e1 + e2)\n"
        "logp = log(prob)\n"
        "loss = -logp\n",
    ),
}

# Room for each function's body to open in place under its card (Expand).
POSITIONS = {"lesson_h": {"x": (0.0, 0.0), "g": (280.0, 0.0), "h": (760.0, 0.0)}}
ONLY = set(sys.argv[1:])  # e.g. "lesson_h": rebuild just that one

for stem, (title, description, program) in EXAMPLES.items():
    if ONLY and stem not in ONLY:
        continue
    g = parse(program)
    g.title, g.description = title, description
    apply_layout(g)
    for name, xy in POSITIONS.get(stem, {}).items():
        g.move(g.find(name).id, xy)
    save(g, OUT / f"{stem}.json")
    (OUT / f"{stem}.json.bak").unlink(missing_ok=True)
    print("wrote", stem)

# Networks come from the templates (trainable weights; see explorer/graph/templates.py).
for stem, graph in {"micrograd_mlp": micrograd_mlp(), "lesson_network": lesson_network()}.items():
    if ONLY and stem not in ONLY:
        continue
    save(graph, OUT / f"{stem}.json")
    (OUT / f"{stem}.json.bak").unlink(missing_ok=True)
    print("wrote", stem)
