"""No import cycles inside ``olm_studio``, counting every import of a project module.

Imports inside functions and ``importlib.import_module("...")`` calls with a literal
name count too (a lazy import hides a cycle from the import system, not from the
design); only imports under ``if TYPE_CHECKING:`` are left out. Importing a submodule
from outside its package also imports the package (its ``__init__``), so that counts as
an import of the package. networkx finds the strongly connected components.

(The store branch adds tests/test_import_cycles.py for ``olm`` and ``olm_studio``; the two
merge into that file.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "olm_studio"


def _modules() -> dict[str, Path]:
    out = {}
    for path in (ROOT / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Dotted names ``name`` imports anywhere in its file (TYPE_CHECKING blocks aside)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:  # ``from pkg import mod`` imports pkg.mod, else base
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__") and node.args and isinstance(
                    node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return found


def import_graph() -> nx.DiGraph:
    """Module → the project modules (and packages entered from outside) it imports."""
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for imported in _imported_names(name, path, modules):
            while imported and imported not in modules:  # an attribute: its module
                imported = imported.rpartition(".")[0]
            if not imported or imported == name:
                continue
            graph.add_edge(name, imported)
            parts = imported.split(".")
            for i in range(1, len(parts)):  # packages entered from outside run __init__
                parent = ".".join(parts[:i])
                if parent in modules and not name.startswith(parent + "."):
                    graph.add_edge(name, parent)
    return graph


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    # main_window imports PretrainedSession inside __init__ and the lesson panel in a method
    assert graph.has_edge("olm_studio.main_window", "olm_studio.pretrained")
    assert graph.has_edge("olm_studio.main_window", "olm_studio.lesson_panel")


def test_olm_studio_has_no_import_cycles():
    graph = import_graph()
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, "import cycles in olm_studio: " + "; ".join(
        " <-> ".join(c) for c in cycles)
