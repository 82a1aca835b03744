"""Main window, actions, docks, dialogs, settings, and the command-line entry point.

This packages __init__ imports nothing heavy: the CLIs headless commands must not pull in Qt.
"""
