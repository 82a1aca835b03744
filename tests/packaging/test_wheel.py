"""A wheel-installed app finds everything it reads at run time (examples, lessons, icons, schema).

Builds a wheel from a copy of the source tree, installs it into a fresh virtual environment
(its dependencies come from this interpreter's site-packages through a ``.pth`` file, so
nothing is downloaded but the build backend, which pip caches), and runs the installed
``chain-explorer`` from a folder where the repository is not importable. Takes ~10 s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from explorer.app.examples import list_examples
from explorer.bundled import SHIPPED

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.packaging

LIST_RESOURCES = r"""
import json, explorer
from explorer.bundled import resources_root, SHIPPED
from explorer.app.examples import list_examples
root = resources_root()
files = sorted(str(p.relative_to(root)) for d in SHIPPED if (root / d).is_dir()
               for p in (root / d).rglob("*") if p.is_file())
print(json.dumps({"package": explorer.__file__, "root": str(root), "files": files,
                  "examples": [e.title for e in list_examples()],
                  "lessons": sorted(p.name for p in (root / "lessons").glob("*.md"))}))
"""


def _shipped_in_repo() -> list[str]:
    root = ROOT / "resources"
    return sorted(
        str(p.relative_to(root))
        for d in SHIPPED
        if (root / d).is_dir()
        for p in (root / d).rglob("*")
        if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its ``bin`` folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "screenshots", ".*")
    for name in ("explorer", "resources"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("setup.py", "pyproject.toml", "MANIFEST.in", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    dist = tmp / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("*.whl")
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=False, symlinks=os.name != "nt")
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    fresh_python = bin_dir / "python"
    purelib = subprocess.run(
        [str(fresh_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Dependencies (Qt, NumPy, ...) from this interpreter, the app itself only from the wheel.
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(fresh_python), "install", "--no-deps", "-q", wheel],
        check=True,
        capture_output=True,
    )
    return bin_dir


def _run(bin_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(argv, cwd=bin_dir.parent, env=env, capture_output=True, text=True, check=False)


def test_installed_package_carries_every_runtime_resource(installed: Path) -> None:
    done = _run(installed, str(installed / "python"), "-c", LIST_RESOURCES)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert Path(found["package"]).is_relative_to(installed.parent), "imported the repo, not the wheel"
    assert Path(found["root"]).is_relative_to(installed.parent)
    assert found["files"] == _shipped_in_repo()
    assert found["examples"] == [e.title for e in list_examples()] and len(found["examples"]) >= 5
    assert found["lessons"] == sorted(p.name for p in (ROOT / "resources" / "lessons").glob("*.md"))


def test_installed_cli_opens_a_bundled_example_headless(installed: Path) -> None:
    root = json.loads(_run(installed, str(installed / "python"), "-c", LIST_RESOURCES).stdout)["root"]
    example = Path(root) / "examples" / "lesson_loss.json"
    done = _run(installed, str(installed / "chain-explorer"), "validate", str(example))
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr
    done = _run(installed, str(installed / "chain-explorer"), "eval", str(example), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["value"] == 49.0
    lesson = Path(root) / "lessons" / "01_chain_rule.md"  # its 'graph: example' and 'file' load too
    done = _run(installed, str(installed / "chain-explorer"), "validate", str(lesson))
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr


def test_installed_app_opens_a_lesson_headless(installed: Path) -> None:
    code = (
        "from PySide6.QtCore import QSettings\n"
        "from explorer.app.gui import make_application\n"
        "app = make_application()\n"
        "from explorer.app.window import MainWindow\n"
        "import sys, tempfile\n"
        "d = tempfile.mkdtemp()\n"
        "w = MainWindow(QSettings(d + '/s.ini', QSettings.Format.IniFormat), d + '/rec')\n"
        "w.startup(None)\n"
        "examples = len(w.welcome.example_buttons)\n"
        "w.welcome.lesson_buttons[0].click()\n"
        "panel = w.panels['lessonDock'].widget()\n"
        "print(examples, panel.counter.text(), w.document.evaluation['h'].value, w.welcome)\n"
        "w.document.undo_stack.setClean()\n"
    )
    done = _run(installed, str(installed / "python"), "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(len(list_examples())), "1", "of", "10", "49.0", "None"]
