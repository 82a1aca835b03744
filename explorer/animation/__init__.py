"""Plays an engine trace on the canvas; seek(n) is the one way state is set."""
