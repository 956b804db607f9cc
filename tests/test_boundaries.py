"""The line that matters most: `olm` never imports Qt, pyqtgraph or olm_studio."""

import ast
import os
import pathlib
import shutil
import subprocess
import sys

from waiting import CHILD_S

ROOT = pathlib.Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "olm_studio", "shiboken6")


def _imports(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def test_no_qt_import_anywhere_under_olm():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / "olm").rglob("*.py"))
        for line, name in _imports(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


def test_importing_the_whole_library_loads_no_qt():
    code = (
        "import sys, pkgutil, importlib, olm\n"
        "for m in pkgutil.walk_packages(olm.__path__, 'olm.'):\n"
        "    if m.name.endswith('__main__'): continue\n"
        "    importlib.import_module(m.name)\n"
        f"bad = [n for n in sys.modules if n.split('.')[0] in {FORBIDDEN!r}]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=CHILD_S)


def _lint_imports() -> list[str]:
    """The `lint-imports` command of the running interpreter's environment."""
    script = pathlib.Path(sys.executable).with_name("lint-imports")
    if script.exists():
        return [str(script)]
    found = shutil.which("lint-imports")
    assert found, "import-linter is not installed (it is in the test extra)"
    return [found]


def test_import_linter_layers_contract_holds():
    """pyproject.toml's import-linter contracts: core <- nn <- models <- graph <-
    data/train/generation/interop <- cli <- olm_studio, and Qt only in olm_studio."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([*_lint_imports(), "--no-cache"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=CHILD_S)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _source(rel: str) -> str:
    return (ROOT / rel).read_text(encoding="utf-8")


def test_canvas_does_not_import_panels():
    """Views speak through neutral modules (olm_studio/dragdrop.py), not through each other."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / "olm_studio" / "canvas").glob("*.py"))
        for line, name in _imports(path)
        if name.startswith("olm_studio.panels")
    ]
    assert offenders == []


def test_the_scene_emits_intents_and_never_calls_the_editor():
    for rel in ("olm_studio/canvas/gestures.py", "olm_studio/canvas/scene.py"):
        tree = ast.parse(_source(rel))
        calls = [
            node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "editor"
        ]
        assert calls == [], f"{rel} reaches the editor at lines {calls}"
        assert "canvas.editor" not in _source(rel), f"{rel} imports the editor"


def test_menus_inject_no_attributes_into_the_window():
    """build_menus returns what it made; it never sets `w.something = ...`."""
    tree = ast.parse(_source("olm_studio/menus.py"))
    injected = [
        f"line {node.lineno}: w.{target.attr}"
        for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
        and target.value.id in ("w", "window")
    ]
    assert injected == []
