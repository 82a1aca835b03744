"""Build step: ship the repository's top-level ``resources/`` inside the package.

The wheel gets ``explorer/resources/{examples,lessons,icons,schema}`` so an installed app
(wheel, pipx, non-editable ``pip install .``) finds them through importlib.resources
(see ``explorer/bundled.py``). Everything else about the project is in ``pyproject.toml``.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["explorer", "explorer.*"]), "explorer.resources"],
    package_dir={"explorer.resources": "resources"},
    package_data={
        "explorer": ["py.typed"],
        "explorer.resources": [
            "examples/*.json",
            "lessons/*.md",
            "lessons/*.json",
            "icons/*.svg",
            "icons/*.png",
            "schema/*.json",
            "schema/*.md",
            "styles/*",
        ],
    },
    exclude_package_data={"explorer.resources": ["examples/*.py"]},
)
