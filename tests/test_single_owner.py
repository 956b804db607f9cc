"""One owner per concept (issue 10): no second definition of the names that had two.

Each case below reads olm/ and olm_studio/ (as source, nothing is imported) and fails
when a concept is defined outside its owner, or more than once. docs/CONTRACTS.md has the
owners table these cases check.
"""

from __future__ import annotations

import ast
import functools
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

# Cases that fail on this branch only because another helper's branch removes the second
# definition (train: issue 10 part 1; runs: issue 10 part 2). They are strict xfails: once
# that work is merged they pass, pytest reports XPASS(strict) as a failure, and the lead
# deletes the entry here. Nothing else may be added to this list.
PENDING_OTHER_BRANCHES: list[str] = []


@functools.cache
def _trees() -> dict[str, ast.Module]:
    """Every Python file of the library and the app, parsed once."""
    out = {}
    for top in ("olm", "olm_studio"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            out[rel] = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    return out


def _definitions(name: str) -> list[str]:
    """``path:line`` of every ``def``/``class`` called ``name`` (methods included)."""
    return [
        f"{rel}:{node.lineno}"
        for rel, tree in _trees().items()
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.name == name
    ]


def _only_in(name: str, owner: str) -> list[str]:
    """Definitions of ``name`` outside ``owner`` (a file, or a folder ending in "/")."""
    return [d for d in _definitions(name) if not d.split(":")[0].startswith(owner)]


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the constant nodes that are docstrings (prose may name anything)."""
    out = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(body[0].value, ast.Constant):
            out.add(id(body[0].value))
    return out


def _files_spelling(text: str) -> list[str]:
    """Files whose code (not docstrings or comments) spells the string ``text``."""
    out = []
    for rel, tree in _trees().items():
        docs = _docstrings(tree)
        if any(isinstance(n, ast.Constant) and isinstance(n.value, str) and text in n.value
               and id(n) not in docs for n in ast.walk(tree)):
            out.append(rel)
    return out


_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For,
             ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)


def _synonym_tables() -> list[str]:
    """Statements outside olm.graph.synonyms that spell two names of one concept.

    ``{"d_model": ..., "embedding_dim": ...}`` or ``args.get("embedding_dim",
    args.get("embed_dim"))`` is a second synonym table; code asks
    :func:`olm.graph.synonyms.names_for` / ``first_value`` instead.
    """
    import sys

    sys.path.insert(0, str(ROOT))
    try:
        from olm.core.synonyms import SYNONYMS, names_for
    finally:
        sys.path.remove(str(ROOT))
    groups = [set(names_for(c)) for c in SYNONYMS if len(names_for(c)) > 1]
    found = []
    for rel, tree in _trees().items():
        if rel in ("olm/core/synonyms.py", "olm/graph/synonyms.py"):
            continue
        docs = _docstrings(tree)
        for stmt in ast.walk(tree):
            if not isinstance(stmt, ast.stmt):
                continue
            parts = [getattr(stmt, f, None) for f in ("test", "iter")] \
                if isinstance(stmt, _COMPOUND) else [stmt]
            spelled = {n.value for part in parts if part is not None for n in ast.walk(part)
                       if isinstance(n, ast.Constant) and isinstance(n.value, str)
                       and id(n) not in docs}
            for group in groups:
                if len(spelled & group) >= 2:
                    found.append(f"{rel}:{stmt.lineno} {sorted(spelled & group)}")
    return found


# case id -> what must be empty
CASES = {
    "differences": lambda: _only_in("differences", "olm/graph/diff.py"),
    "diff_graphs": lambda: _only_in("diff_graphs", "olm/graph/diff.py")
    + _only_in("diff_documents", "olm/graph/diff.py")
    + _only_in("change_labels", "olm/graph/diff.py"),
    "graph_diff": lambda: _definitions("graph_diff") + [
        rel for rel in _trees() if rel.endswith("graph_diff.py")],
    "RenameModel": lambda: _only_in("RenameModel", "olm/graph/"),
    "fragments": lambda: _only_in("copy_fragment", "olm/graph/fragments.py")
    + _only_in("fragment_nodes", "olm/graph/fragments.py"),
    "synonym tables": _synonym_tables,
    "read_events": lambda: _only_in("read_events", "olm/train/events.py"),
    "resolve_device": lambda: _only_in("resolve_device", "olm/train/device.py"),
    # Rules the Studio asks olm for (issue 23): one definition each, in olm.
    "parse_device": lambda: _only_in("parse_device", "olm/train/device_names.py"),
    "derived_settings": lambda: _only_in("derived_settings", "olm/train/derived.py")
    + _only_in("finetune_warmup", "olm/train/derived.py"),
    "kv_heads_for": lambda: _only_in("kv_heads_for", "olm/graph/suggest.py"),
    "config_differences": lambda: _only_in("config_differences", "olm/train/differences.py"),
    "export_problem": lambda: _only_in("export_problem", "olm/interop/hf/problems.py")
    + _definitions("hf_problem"),
    "TrainSettings": lambda: _only_in("TrainSettings", "olm/train/"),
    # One run/checkpoint module owns loading; the Studio never has its own.
    "load_checkpoint_model": lambda: sorted(
        set(_only_in("load_checkpoint_model", "olm/"))
        | set(_definitions("load_checkpoint_model")[1:])),
    # The file name is a constant of the one module that owns the on-disk layout.
    "model.olm.json": lambda: _files_spelling("model.olm.json")[1:],
}


@pytest.mark.parametrize("case", [
    pytest.param(case, marks=pytest.mark.xfail(
        strict=True, reason="removed by another helper's branch; delete it from "
                            "PENDING_OTHER_BRANCHES when that merges"))
    if case in PENDING_OTHER_BRANCHES else case
    for case in CASES
])
def test_one_definition(case):
    assert CASES[case]() == []


def test_pending_list_names_only_real_cases():
    assert set(PENDING_OTHER_BRANCHES) <= set(CASES)
