"""Pure model and autograd: ops, graph, engine, trace, parser, layout.

Imports: standard library and NumPy only — never Qt — so the maths is testable in
milliseconds and usable from the command line without a display.
"""
