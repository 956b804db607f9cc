"""Project files (``*.olm.json``): the document as versioned JSON, written atomically.

Layout of a file::

    {"format": 1, "graph": {name, variables, root, nodes}, "layout": {node id: {...}}}

``load`` checks everything before building a :class:`Graph`: size, JSON syntax, nesting,
the format number (older files go through :data:`MIGRATIONS`, newer ones are refused),
and the type of every field, so a corrupt, truncated, future or hostile file gives one
:class:`~olm.core.errors.FileFormatError` naming the file, the place and the reason.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Callable

from olm.core.errors import FileFormatError
from olm.core.files import atomic_write_text, read_bytes
from olm.core.limits import (
    MAX_DEPTH,
    MAX_EXPR_CHARS,
    MAX_NAME_CHARS,
    MAX_NODES,
    MAX_PROJECT_BYTES,
    MAX_TEXT_CHARS,
    MAX_VALUE_DEPTH,
    MAX_VARIABLES,
)
from olm.core.names import MODEL_DOCUMENT
from olm.graph.document import CONTAINERS, Graph
from olm.graph.values import TAGS

__all__ = ["FORMAT", "MIGRATIONS", "save", "load", "graph_from_data", "graph_to_data"]

FORMAT = 1
# MIGRATIONS[n] turns a format-n file's data into format n+1 (none yet: format 1 is the first).
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
_MAX_BYTES = MAX_PROJECT_BYTES
_MAX_NODES = MAX_NODES
# Integers beyond this are not hyperparameters (and Python could not print them as text).
_MAX_INT = 2**63


def graph_to_data(graph: Graph) -> dict[str, Any]:
    """The file content of ``graph`` (format, graph, layout)."""
    return {"format": FORMAT, "graph": graph.to_dict(), "layout": dict(graph.layout)}


def save(graph: Graph, path: str | os.PathLike) -> Path:
    """Write ``graph`` to ``path`` atomically (a temporary file, then ``os.replace``).

    Returns:
        Path: the path written.
    """
    path = Path(path)
    text = json.dumps(graph_to_data(graph), indent=1, ensure_ascii=False, allow_nan=False)
    return atomic_write_text(path, text + "\n")


class _Bad(Exception):
    pass


def _expect(value: Any, kind: type | tuple, where: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = {dict: "an object", list: "a list", str: "text", int: "a whole number"}
        wanted = names.get(kind, "a value") if isinstance(kind, type) else "a value"
        raise _Bad(f"{where}: expected {wanted}, found {type(value).__name__}")
    return value


def _check_text(value: str, where: str, limit: int = MAX_TEXT_CHARS) -> None:
    if len(value) > limit:
        raise _Bad(f"{where}: {len(value):,} characters of text is more than the {limit:,} allowed")


def _check_value(value: Any, where: str, depth: int = 0) -> None:
    if depth > MAX_VALUE_DEPTH:
        raise _Bad(f"{where}: nested too deeply")
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in TAGS:
            tag, inner = next(iter(value.items()))
            if tag in ("var", "expr", "ref", "module"):
                _expect(inner, str, f"{where}.{tag}")
                _check_text(inner, f"{where}.{tag}", MAX_EXPR_CHARS if tag == "expr" else MAX_NAME_CHARS)
                return
        for k, v in value.items():
            _check_text(k, f"{where}: a key", MAX_NAME_CHARS)
            _check_value(v, f"{where}.{k}", depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_value(v, f"{where}[{i}]", depth + 1)
    elif isinstance(value, float) and not math.isfinite(value):
        raise _Bad(f"{where}: {value!r} is not a finite number")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_INT:
        raise _Bad(f"{where}: a {value.bit_length()}-bit integer is far too large")
    elif isinstance(value, str):
        _check_text(value, where)
    elif not (value is None or isinstance(value, (bool, int, float, str))):
        raise _Bad(f"{where}: unexpected {type(value).__name__}")


def _check_depth(nodes: dict[str, Any], root: str) -> None:
    """Refuse containers nested deeper than MAX_DEPTH (walked iteratively, no recursion)."""
    stack = [(root, 1)]
    seen: set[str] = set()
    while stack:
        node_id, depth = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        if depth > MAX_DEPTH:
            raise _Bad(f"graph.nodes.{node_id}: parts are nested more than {MAX_DEPTH} deep")
        entry = nodes.get(node_id)
        if not isinstance(entry, dict):
            continue
        inner = list(entry.get("children", []) or [])
        params = entry.get("params")
        if isinstance(params, dict):
            inner += [v["module"] for v in params.values() if isinstance(v, dict) and set(v) == {"module"}]
        stack.extend((c, depth + 1) for c in inner if isinstance(c, str))


def _check_graph(data: Any) -> None:
    _expect(data, dict, "graph")
    nodes = _expect(data.get("nodes"), dict, "graph.nodes")
    if len(nodes) > _MAX_NODES:
        raise _Bad(f"graph.nodes: {len(nodes):,} nodes is more than a model can have")
    root = _expect(data.get("root"), str, "graph.root")
    if root not in nodes:
        raise _Bad(f"graph.root: {root!r} is not one of the nodes")
    if _expect(nodes[root], dict, f"graph.nodes.{root}").get("type") not in CONTAINERS:
        raise _Bad("graph.root: the root must be a container (Block, Residual, ...)")
    _check_text(_expect(data.get("name", "model"), str, "graph.name"), "graph.name", MAX_NAME_CHARS)
    variables = _expect(data.get("variables", {}), dict, "graph.variables")
    if len(variables) > MAX_VARIABLES:
        raise _Bad(f"graph.variables: {len(variables):,} variables is more than the {MAX_VARIABLES:,} allowed")
    for name, value in variables.items():
        if not name.isidentifier() or len(name) > MAX_NAME_CHARS:
            raise _Bad(f"graph.variables: {name[:60]!r} is not a valid variable name")
        _check_value(value, f"graph.variables.{name}")
    seen_as_child: set[str] = set()
    for node_id, entry in nodes.items():
        params = entry.get("params") if isinstance(entry, dict) else None
        for name, value in params.items() if isinstance(params, dict) else ():
            if isinstance(value, dict) and set(value) == {"module"}:
                owned = _expect(value["module"], str, f"graph.nodes.{node_id}.params.{name}.module")
                if owned not in nodes or owned == root or owned in seen_as_child:
                    raise _Bad(f"graph.nodes.{node_id}.params.{name}: {owned!r} is not a free node")
                seen_as_child.add(owned)
    for node_id, entry in nodes.items():
        if len(node_id) > MAX_NAME_CHARS:
            raise _Bad(f"graph.nodes: a node id of {len(node_id):,} characters is longer than {MAX_NAME_CHARS}")
        where = f"graph.nodes.{node_id}"
        _expect(entry, dict, where)
        _check_text(_expect(entry.get("type"), str, f"{where}.type"), f"{where}.type", MAX_NAME_CHARS)
        params = _expect(entry.get("params", {}), dict, f"{where}.params")
        _check_value(params, f"{where}.params")
        if entry.get("version", 1) != 1:
            raise _Bad(f"{where}.version: node version {entry.get('version')!r} is not supported")
        children = _expect(entry.get("children", []), list, f"{where}.children")
        for child in children:
            _expect(child, str, f"{where}.children")
            if child not in nodes:
                raise _Bad(f"{where}.children: {child!r} is not one of the nodes")
            if child in seen_as_child or child == root:
                raise _Bad(f"{where}.children: {child!r} appears in two places")
            seen_as_child.add(child)
        for i, wire in enumerate(_expect(entry.get("wires", []), list, f"{where}.wires")):
            if not (isinstance(wire, list) and len(wire) == 2 and all(w in children for w in wire)):
                raise _Bad(f"{where}.wires[{i}]: a wire joins two children of this container")
    _check_depth(nodes, root)


def graph_from_data(data: Any, where: str = "<data>") -> Graph:
    """Check and migrate file content, then build the :class:`Graph`.

    Raises:
        FileFormatError: naming ``where`` (the file), the place and the reason.
    """
    try:
        _expect(data, dict, "top level")
        version = data.get("format")
        if isinstance(version, bool) or not isinstance(version, int):
            raise _Bad('top level: no "format" number, so this is not an olm project file')
        if version > FORMAT:
            raise _Bad(
                f"format {version} is newer than this olm understands ({FORMAT}); update olm"
            )
        if version < 1:
            raise _Bad(f"format {version} is not a valid format number")
        while version < FORMAT:
            data = MIGRATIONS[version](data)
            version += 1
        _check_graph(data.get("graph"))
        layout = _expect(data.get("layout", {}), dict, "layout")
        for key, value in layout.items():
            _expect(value, dict, f"layout.{key}")
    except _Bad as err:
        raise FileFormatError(f"{where}: {err}") from None
    return Graph.from_dict(data["graph"], layout)


def load(path: str | os.PathLike) -> Graph:
    """Read a ``*.olm.json`` project file (or a checkpoint folder's ``model.olm.json``).

    Raises:
        FileFormatError: the file is missing, too large, corrupt, truncated, from a newer
            olm, or malformed; the message names the file, the place and the reason.
    """
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_DOCUMENT
    raw = read_bytes(path, _MAX_BYTES, "project file")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError as err:
        raise FileFormatError(f"{path}: byte {err.start}: not UTF-8 text") from None
    except json.JSONDecodeError as err:
        reason = "the file ends too early (truncated)" if err.pos >= len(raw) - 1 else err.msg
        raise FileFormatError(f"{path}: line {err.lineno} column {err.colno}: {reason}") from None
    except (RecursionError, ValueError, MemoryError) as err:
        reason = "nested too deeply" if isinstance(err, RecursionError) else str(err)[:200]
        raise FileFormatError(f"{path}: not valid project data ({reason})") from None
    return graph_from_data(data, str(path))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid number in a project file")
