"""Where the files the app reads at run time live: examples, lessons, icons, schemas.

In the repository they sit in the top-level ``resources/`` folder; an installed wheel
carries a copy of that folder inside the package as ``explorer/resources`` (``setup.py``
maps it there). This module is the one place that knows both: everything else asks it.
Resources are found through :mod:`importlib.resources`, so any kind of install works
(wheel, pipx, ``pip install .``, editable, or a plain source checkout on ``PYTHONPATH``).

Imports: standard library only (used by the pure ``io`` layer and by the app).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# Sub-folders of resources/ that ship with the package (screenshots and build scripts do not).
SHIPPED = ("examples", "lessons", "icons", "schema", "styles")


def resources_root() -> Path:
    """The folder holding ``examples/``, ``lessons/``, ``icons/`` and ``schema/``.

    Installed: ``<site-packages>/explorer/resources``. Source checkout or editable
    install: the repository's ``resources/`` next to the ``explorer`` package.
    """
    packaged = files("explorer").joinpath("resources")
    if packaged.is_dir():
        # Wheels install as plain files, so the Traversable is a real directory.
        return Path(str(packaged))
    return Path(str(files("explorer"))).parent / "resources"


def resource_path(*parts: str) -> Path:
    """A file or folder under :func:`resources_root`, e.g. ``resource_path("icons", "check.svg")``."""
    return resources_root().joinpath(*parts)


def examples_dir() -> Path:
    return resource_path("examples")


def lessons_dir() -> Path:
    return resource_path("lessons")
