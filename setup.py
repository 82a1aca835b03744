"""Build step: ship the repository's top-level ``resources/`` inside the package.

The wheel gets ``explorer/resources/{examples,lessons,icons,schema}`` so an installed app
(wheel, pipx, non-editable ``pip install .``) finds them through importlib.resources
(see ``explorer/bundled.py``, whose ``SHIPPED`` names the same folders; the wheel test
checks that the two agree). Everything else about the project is in ``pyproject.toml``.
"""

from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

SHIPPED = ("examples", "lessons", "icons", "schema", "styles")  # = explorer.bundled.SHIPPED
DATA = ("*.json", "*.md", "*.svg", "*.png", "*.qss")
HERE = Path(__file__).resolve().parent


class BuildPy(build_py):
    """Resource folders are data only: a helper script beside the examples is not shipped."""

    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        if package == "explorer.resources" or package.startswith("explorer.resources."):
            return []
        return super().find_package_modules(package, package_dir)  # type: ignore[no-any-return]


folders = [name for name in SHIPPED if (HERE / "resources" / name).is_dir()]
setup(
    packages=[
        *find_packages(include=["explorer", "explorer.*"]),
        "explorer.resources",
        *(f"explorer.resources.{name}" for name in folders),
    ],
    package_dir={"explorer.resources": "resources"},
    package_data={
        "explorer": ["py.typed"],
        **{f"explorer.resources.{name}": list(DATA) for name in folders},
    },
    cmdclass={"build_py": BuildPy},
)
