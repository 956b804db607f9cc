"""No import cycles in ``olm`` or ``olm_studio``, counting every import of a project module.

import-linter sees module-level imports and says nothing about cycles inside one layer;
imports placed inside functions (or made through ``importlib.import_module("olm...")``)
hide cycles from a reader. This test builds the import graph from the source itself:
every ``import``/``from ... import`` anywhere in a module (module level, in functions,
in classes) and every ``importlib.import_module`` / ``__import__`` call with a literal
string, except what sits under ``if TYPE_CHECKING:``, and asserts that no strongly
connected component has more than one module. Importing a submodule from outside its
package also runs the package's ``__init__``, so that counts as importing the package.
(This file took in ``tests/test_import_cycles_studio.py``, which checked ``olm_studio``
alone with the same rules.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("olm", "olm_studio")


def _modules() -> dict[str, Path]:
    """Every module of the project packages, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST):
    """Every node under ``node`` except the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield other
                yield from _walk(other)
            continue
        yield child
        yield from _walk(child)


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module ``name`` names (its longest known prefix), or None."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _targets(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``module`` imports, wherever in the file the import is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: list[str] = []
    for node in _walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import sub`` imports the submodule when ``sub`` is one
            names += [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if (called in ("import_module", "__import__") and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                names.append(node.args[0].value)
    found = {_resolve(name, modules) for name in names}
    found.discard(None)
    found.discard(module)
    return found  # type: ignore[return-value]


def _entered(module: str, target: str, modules: dict[str, Path]) -> list[str]:
    """``target`` and the packages above it that ``module`` enters from outside (their
    ``__init__`` runs on the import)."""
    parts = target.split(".")
    parents = [".".join(parts[:i]) for i in range(1, len(parts))]
    return [target, *(p for p in parents
                      if p in modules and not module.startswith(p + "."))]


def _graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for module, path in modules.items():
        for target in _targets(module, path, modules):
            graph.add_edges_from((module, t) for t in _entered(module, target, modules)
                                 if t != module)
    return graph


def _cycles(package: str) -> list[list[str]]:
    graph = _graph()
    inside = graph.subgraph(n for n in graph if n == package or n.startswith(package + "."))
    return [sorted(c) for c in nx.strongly_connected_components(inside) if len(c) > 1]


def _report(components: list[list[str]], package: str) -> str:
    graph = _graph()
    lines = [f"{len(components)} import cycle(s) in {package}:"]
    for comp in components:
        cycle = nx.find_cycle(graph.subgraph(comp))
        lines.append(f"  {len(comp)} modules, e.g. " + " -> ".join(a for a, _ in cycle)
                     + f" -> {cycle[0][0]}")
    return "\n".join(lines)


def test_the_graph_sees_imports_inside_functions_and_through_importlib(tmp_path) -> None:
    """The scanner counts the imports a reader would miss (else a green test means little)."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "import importlib\n"
        "if TYPE_CHECKING:\n    import olm.graph\n"
        "def f():\n    from olm.store import checkpoint\n"
        "    return importlib.import_module('olm.nn')\n")
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    modules = {"olm.x": path, "olm.store": path, "olm.store.checkpoint": path,
               "olm.nn": path, "olm.graph": path}
    assert _targets("olm.x", path, modules) == {"olm.store.checkpoint", "olm.nn"}
    assert _entered("olm.x", "olm.store.checkpoint", modules) == [
        "olm.store.checkpoint", "olm.store"]
    assert _entered("olm.store.y", "olm.store.checkpoint", modules) == ["olm.store.checkpoint"]


def test_the_graph_sees_function_level_imports_in_the_studio() -> None:
    graph = _graph()
    # main_window imports PretrainedSession inside __init__ and the lesson panel in a method
    assert graph.has_edge("olm_studio.main_window", "olm_studio.pretrained")
    assert graph.has_edge("olm_studio.main_window", "olm_studio.lesson_panel")


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycles(package: str) -> None:
    components = _cycles(package)
    assert not components, _report(components, package)
