"""The ``chain-explorer`` command line.

``chain-explorer [FILE]`` opens the app; ``eval``, ``validate``, ``convert``,
``export`` and ``train`` work headless. Every failure is one line on stderr and a non-zero exit, never
a traceback: 1 for a problem with the input, 2 for a malformed command line, 70 for a
bug of ours. The headless commands import no Qt unless they must draw (export), so they
start fast and run on machines without a display.

Imports: explorer.graph, explorer.io (Qt only lazily, for the GUI and diagram export).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from explorer.theme import format_number

# Every number of the text output in one format (6 significant digits, exact integers as
# integers); --json keeps full precision.
TEXT_DIGITS = 6

PROG = "chain-explorer"
SUBCOMMANDS = ("eval", "validate", "convert", "export", "train")
MAX_SWEEP_POINTS = 1_000_000


class CliError(Exception):
    """A problem with what the user asked for; the message is the whole explanation."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line, not usage + error."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{PROG}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="See backpropagation: evaluate, check, convert and export computation graphs.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    ev = sub.add_parser("eval", help="values and gradients of a graph file or an expression")
    src = ev.add_mutually_exclusive_group(required=True)
    src.add_argument("file", nargs="?", help="graph file (.json)")
    src.add_argument("--expr", metavar="TEXT", help="an expression or a micrograd-style program")
    ev.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="set an input's value")
    ev.add_argument(
        "--output", metavar="NAME", help="the node to differentiate (default: the graph's output)"
    )
    ev.add_argument("--sweep", metavar="NAME=START:STOP:N", help="also sweep one input over N points")
    ev.add_argument("--json", action="store_true", help="machine-readable output")

    va = sub.add_parser("validate", help="check a graph file or a lesson (.md); prints 'ok' or the reason")
    va.add_argument("file")

    co = sub.add_parser("convert", help="write a laid-out graph file from an expression or another file")
    co_src = co.add_mutually_exclusive_group(required=True)
    co_src.add_argument("file", nargs="?", help="graph file to rewrite (normalised, laid out if unplaced)")
    co_src.add_argument("--expr", metavar="TEXT", help="an expression or a micrograd-style program")
    co.add_argument("-o", "--out", required=True, metavar="FILE", help="where to write the graph file")
    co.add_argument("--title", help="title stored in the file")
    co.add_argument("--description", help="description stored in the file")
    co.add_argument("--layout", action="store_true", help="lay the graph out again even if it has positions")

    ex = sub.add_parser("export", help="export a diagram, animation or Python code")
    ex.add_argument("files", nargs="+", metavar="FILE", help="graph file(s) (.json)")
    ex.add_argument(
        "-o",
        "--out",
        required=True,
        metavar="OUT",
        help="OUT.png, .svg, .pdf, .gif or .py; with several FILEs, a folder (see --format)",
    )
    ex.add_argument(
        "--format",
        choices=("png", "svg", "pdf", "gif", "apng", "py"),
        help="format when OUT is a folder (default svg)",
    )
    ex.add_argument("--stage", choices=("clean", "values", "gradients", "both"), default="both")
    ex.add_argument("--scale", type=float, default=2.0, help="PNG scale factor, 1 to 4 (default 2)")
    ex.add_argument("--theme", choices=("light", "dark"), default="light")
    ex.add_argument("--transparent", action="store_true", help="PNG with a transparent background")
    ex.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="set an input's value")

    from explorer.app.train_cli import add_parser as add_train_parser

    add_train_parser(sub)
    return parser


# ---------------------------------------------------------------------------------- helpers
def _load_graph(file: str | None, expr: str | None) -> Any:
    from explorer.graph.model import GraphError
    from explorer.graph.parser import parse
    from explorer.io.format import load

    if expr is not None:
        try:
            return parse(expr)
        except GraphError as exc:
            raise CliError(f"expression: {exc}") from None
    assert file is not None
    return load(file)


def _parse_assignments(items: Sequence[str], graph: Any) -> dict[str, float]:
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CliError(f"--set {item!r}: expected NAME=VALUE")
        try:
            value = float(text)
        except ValueError:
            raise CliError(f"--set {name}: {text.strip()!r} is not a number") from None
        if not math.isfinite(value):
            raise CliError(f"--set {name}: the value must be a finite number")
        node = _find(graph, name, "--set")
        if node.op != "input":
            raise CliError(f"--set {name}: {name!r} is not an input (it is {node.op})")
        values[node.id] = value
    return values


def _find(graph: Any, name: str, flag: str) -> Any:
    from explorer.graph.model import GraphError

    try:
        return graph.find(name)
    except GraphError:
        inputs = ", ".join(n.name or n.id for n in graph.inputs()) or "none"
        raise CliError(f"{flag} {name}: no node named {name!r} (inputs: {inputs})") from None


def _parse_sweep(spec: str, graph: Any) -> tuple[Any, Any]:
    import numpy as np

    name, sep, rng = spec.partition("=")
    parts = rng.split(":")
    if not sep or len(parts) != 3:
        raise CliError(f"--sweep {spec!r}: expected NAME=START:STOP:N")
    try:
        start, stop = float(parts[0]), float(parts[1])
    except ValueError:
        raise CliError(f"--sweep {spec!r}: START and STOP must be numbers") from None
    try:
        count = int(parts[2])
    except ValueError:
        raise CliError(f"--sweep {spec!r}: N must be a whole number") from None
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise CliError(f"--sweep {spec!r}: START and STOP must be finite")
    if not 1 <= count <= MAX_SWEEP_POINTS:
        raise CliError(f"--sweep {spec!r}: N must be between 1 and {MAX_SWEEP_POINTS:,}")
    node = _find(graph, name.strip(), "--sweep")
    if node.op != "input":
        raise CliError(f"--sweep {name}: {name!r} is not an input (it is {node.op})")
    return node, np.linspace(start, stop, count)


def _json_number(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _node_label(node: Any, graph: Any) -> str:
    """The one naming rule (name, else formula), as on the canvas and in the narrative."""
    return str(graph.display_name(node.id))


# ---------------------------------------------------------------------------------- commands
def _cmd_eval(args: argparse.Namespace) -> int:
    from explorer.graph.engine import evaluate
    from explorer.graph.model import GraphError
    from explorer.graph.tape import sweep

    graph = _load_graph(args.file, args.expr)
    if args.output is not None:
        out_node = _find(graph, args.output, "--output")
    else:
        try:
            out_node = graph.node(graph.resolve_output())
        except GraphError as exc:
            hint = " with --output NAME" if len(graph) else ""
            raise CliError(f"{exc}{hint}") from None
    values = _parse_assignments(args.set, graph)
    ev = evaluate(graph, values, out_node.id)
    sweep_result = None
    if args.sweep:
        x_node, xs = _parse_sweep(args.sweep, graph)
        ys, dys = sweep(graph, x_node.id, xs, out_node.id, values)
        sweep_result = (x_node, xs, ys, dys)

    order = [graph.node(nid) for nid in ev.program.ids]
    if args.json:
        doc: dict[str, Any] = {
            "output": out_node.name or out_node.id,  # machine-readable: ids stay ids
            "value": _json_number(ev.value),
            "nodes": [
                {
                    "id": n.id,
                    "name": n.name,
                    "op": n.op,
                    **({"function": n.function} if n.op == "call" else {}),
                    "value": _json_number(ev.value_of(n.id)),
                    "grad": _json_number(ev.grad_of(n.id)),
                }
                for n in order
            ],
            "diagnostics": [
                {"node": d.node_id, "name": graph.node(d.node_id).name, "kind": d.kind, "message": d.message}
                for d in ev.diagnostics
            ],
        }
        if sweep_result is not None:
            x_node, xs, ys, dys = sweep_result
            doc["sweep"] = {
                "input": x_node.name or x_node.id,
                "xs": [float(x) for x in xs],
                "values": [_json_number(float(y)) for y in ys],
                "grads": [_json_number(float(d)) for d in dys],
            }
        print(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
        return 0

    out_label = _node_label(out_node, graph)
    d_out = f"d{out_label}" if out_label.isidentifier() else f"d({out_label})"  # a formula needs brackets
    rows = [("node", "op", "value", f"{d_out}/d(node)")]
    for n in order:
        rows.append(
            (
                _node_label(n, graph) + ("  (output)" if n.id == out_node.id else ""),
                f"{n.function}()" if n.op == "call" else n.op,
                format_number(ev.value_of(n.id), TEXT_DIGITS),
                format_number(ev.grad_of(n.id), TEXT_DIGITS),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for k, row in enumerate(rows):
        print(
            "  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row))
        )
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print(f"\n{out_label} = {format_number(ev.value, TEXT_DIGITS)}")
    for d in ev.diagnostics:
        print(f"warning: {d.message}")
    if sweep_result is not None:
        x_node, xs, ys, dys = sweep_result
        x_label = _node_label(x_node, graph)
        print(f"\nsweep of {x_label}:")
        print(f"{x_label:>14}  {out_label:>18}  {'d' + out_label + '/d' + x_label:>18}")
        for x, y, d in zip(xs, ys, dys, strict=True):
            cells = tuple(format_number(float(v), TEXT_DIGITS) for v in (x, y, d))
            print(f"{cells[0]:>14}  {cells[1]:>18}  {cells[2]:>18}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from explorer.io.format import load

    if str(args.file).lower().endswith(".md"):  # a lesson: every directive and number checked
        from explorer.io.lesson import LessonError, load_lesson

        try:
            load_lesson(args.file)
        except LessonError as exc:
            raise CliError(str(exc)) from None
    else:
        load(args.file)
    print("ok")
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    from explorer.graph.layout import apply_layout
    from explorer.io.format import save

    graph = _load_graph(args.file, args.expr)
    if args.title is not None:
        graph.title = args.title
    if args.description is not None:
        graph.description = args.description
    if args.layout or any(n.position is None for n in graph.nodes):
        apply_layout(graph)
    save(graph, args.out)
    print(f"wrote {args.out}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    """One file to OUT, or many files into the folder OUT in one process (one Qt start-up)."""
    try:
        from explorer.app.export_cli import run_export
        from explorer.io.export import ExportError
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise CliError(f"export is not available: {exc}") from None
    out = Path(args.out)
    # A single FILE to "OUT/" (trailing separator) is a folder of PNG frames: run_export's call.
    into_folder = len(args.files) > 1 or args.format is not None
    if into_folder:
        if out.exists() and not out.is_dir():
            raise CliError(f"{out}: with several files, -o must name a folder")
        out.mkdir(parents=True, exist_ok=True)
    for file in args.files:
        target = str(out / f"{Path(file).stem}.{args.format or 'svg'}") if into_folder else args.out
        one = argparse.Namespace(**{**vars(args), "file": file, "out": target})
        try:
            code = run_export(one, _load_graph(file, None), _parse_assignments)
        except ExportError as exc:
            raise CliError(str(exc)) from None
        if code:
            return code
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from explorer.app.train_cli import TrainCliError, run_train

    try:
        return run_train(args)
    except TrainCliError as exc:
        raise CliError(str(exc)) from None


def _open_gui(argv: Sequence[str]) -> int:
    parser = _Parser(
        prog=PROG, description="Open Chain Rule Explorer (or use a COMMAND: " + ", ".join(SUBCOMMANDS) + ")"
    )
    parser.add_argument("file", nargs="?", help="graph file to open")
    args = parser.parse_args(argv)
    if args.file is not None and not Path(args.file).exists():
        raise CliError(f"{args.file}: no such file")
    from explorer.app.gui import main as gui_main

    return gui_main(args.file)


_TEXT_OPTIONS = ("--expr", "--title", "--description")


def _glue_text_options(argv: list[str]) -> list[str]:
    """``--expr -x`` means the expression ``-x``; argparse would take it for an option."""
    glued: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in _TEXT_OPTIONS and i + 1 < len(argv):
            glued.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            glued.append(argv[i])
            i += 1
    return glued


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``chain-explorer`` console script."""
    argv = _glue_text_options(list(sys.argv[1:] if argv is None else argv))
    try:
        if (argv and argv[0] in SUBCOMMANDS) or argv[:1] in (["-h"], ["--help"]):
            args = _build_parser().parse_args(argv)
            _check_text_arguments(args)
            handler = {
                "eval": _cmd_eval,
                "validate": _cmd_validate,
                "convert": _cmd_convert,
                "export": _cmd_export,
                "train": _cmd_train,
            }[args.command]
            return handler(args)
        return _open_gui(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `chain-explorer eval ... | head`: the reader left, nothing to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # one line, never a traceback
        return _report(exc)


def _check_text_arguments(args: argparse.Namespace) -> None:
    """Typed text must be valid UTF-8; Python hands undecodable bytes over as lone surrogates.

    File names are left alone: on POSIX any bytes may name a file.
    """
    for key in ("expr", "title", "description", "output", "sweep", "set"):
        value = getattr(args, key, None)
        for text in value if isinstance(value, list) else [value]:
            if not isinstance(text, str):
                continue
            bad = next((i for i, c in enumerate(text) if "\ud800" <= c <= "\udfff"), None)
            if bad is not None:
                code = ord(text[bad])
                what = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "a lone surrogate"
                raise CliError(f"--{key}: not valid UTF-8 text ({what} at character {bad + 1})")


def _report(exc: BaseException) -> int:
    from explorer.graph.model import GraphError

    try:
        from explorer.io.format import FormatError
    except ImportError:  # pragma: no cover
        FormatError = ValueError  # type: ignore[misc,assignment]
    if isinstance(exc, (CliError, GraphError, FormatError)):
        message, code = str(exc), 1
    elif isinstance(exc, OSError):
        message, code = f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "), 1
    else:
        message, code = f"internal error ({type(exc).__name__}): {exc}", 70
    sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
