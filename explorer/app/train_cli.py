"""``chain-explorer train``: gradient descent on a graph file, headless.

Prints the loss after each step (or JSON) and can save the trained graph. Every refusal
is one line naming the file (a learning rate that is not usable, no trainable inputs, a
loss undefined at the start); a run that diverges prints how far it got, keeps the last
good values (saved with ``-o``) and exits 1 with the divergence message.

Imports: standard library, explorer.graph, explorer.io (no Qt).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from explorer.theme import format_number

DEFAULT_LR = 0.05
DEFAULT_STEPS = 20
MAX_STEPS = 1_000_000


def add_parser(sub: Any) -> None:
    """The ``train`` subcommand's options (``sub`` is the CLI's subparsers object)."""
    tr = sub.add_parser("train", help="gradient descent on the trainable inputs of a graph file")
    tr.add_argument("file", help="graph file (.json) with trainable inputs")
    tr.add_argument(
        "--lr", default=str(DEFAULT_LR), metavar="X", help=f"learning rate (default {DEFAULT_LR})"
    )
    tr.add_argument(
        "--steps", default=str(DEFAULT_STEPS), metavar="N", help=f"steps (default {DEFAULT_STEPS})"
    )
    tr.add_argument("--json", action="store_true", help="machine-readable output")
    tr.add_argument("-o", "--out", metavar="OUT.json", help="save the trained graph here")


class TrainCliError(Exception):
    """A refusal: the message is the whole line."""


def _steps(text: str) -> int:
    try:
        steps = int(text.strip())
    except ValueError:
        raise TrainCliError(f"--steps {text.strip()!r} is not a whole number") from None
    if not 0 <= steps <= MAX_STEPS:
        raise TrainCliError(f"--steps must be between 0 and {MAX_STEPS:,} (got {steps})")
    return steps


def run_train(args: argparse.Namespace) -> int:
    """Load, train, report, save; raises TrainCliError (or FormatError) for a refusal."""
    from explorer.graph.training import Trainer, TrainingError
    from explorer.io.format import load, save

    steps = _steps(args.steps)
    graph = load(args.file)
    try:
        trainer = Trainer(graph, args.lr)
    except TrainingError as exc:
        raise TrainCliError(f"{args.file}: {exc}") from None
    problem = trainer.run(steps)
    trainer.apply()
    if args.out:
        save(graph, args.out)
    loss_label = graph.node(trainer.output).label
    if args.json:
        doc: dict[str, Any] = {
            "file": args.file,
            "output": loss_label,
            "learning_rate": trainer.learning_rate,
            "steps": trainer.steps,
            "losses": [_number(v) for v in trainer.losses],
            "parameters": {graph.node(pid).label: v for pid, v in trainer.values().items()},
            "diverged": None
            if problem is None
            else {"step": problem.step, "parameter": problem.parameter, "message": problem.message},
            "saved": args.out,
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        width = max(4, len(str(trainer.steps)))
        print(f"{'step':>{width}}  {loss_label}")
        for k, loss in enumerate(trainer.losses):
            print(f"{k:>{width}}  {format_number(loss, 12)}")
        first, last = trainer.losses[0], trainer.losses[-1]
        print(
            f"\n{trainer.steps} step{'s' if trainer.steps != 1 else ''} at lr {trainer.learning_rate:g} "
            f"on {len(trainer.parameters)} parameter{'s' if len(trainer.parameters) != 1 else ''}: "
            f"{loss_label} {format_number(first, 8)} → {format_number(last, 8)}"
        )
        if args.out:
            print(f"wrote {args.out}")
    if problem is not None:
        raise TrainCliError(f"{args.file}: {problem.message}")
    return 0


def _number(x: float) -> float | None:
    return x if math.isfinite(x) else None
