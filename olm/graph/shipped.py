"""The data files shipped so that presets open without torch, and how they are made.

Three kinds of file are derived from the library and shipped with it:

- ``olm/models/documents/NAME.olm.json``: each preset's architecture document;
- ``olm/graph/data/catalog.json``: the component catalog (:mod:`olm.graph.catalog`);
- ``olm/graph/data/leaf_facts.json``: the figures of every leaf in those documents
  (:mod:`olm.graph.facts`);
- ``docs/presets.md`` (in a source checkout): the preset table for people.

:func:`expected_files` derives all of them in memory (this imports torch and builds every
preset on the ``meta`` device); ``tools/generate_data.py`` writes them, and the tests
check that the files on disk equal what it derives, so they cannot drift from the code.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

from olm.graph.catalog import CATALOG_FILE, catalog_to_data, live_catalog
from olm.graph.document import Graph
from olm.graph.facts import FACTS_FILE, facts_of
from olm.graph.project import graph_to_data
from olm.graph.source import DOCUMENTS_DIR, build_preset_graph

__all__ = ["expected_files", "render", "write_files"]

_IDS = uuid.UUID("6f1c2a52-4e55-4f0a-9d1e-6f6c6d2d7072")  # namespace of stable node ids


def _stable_ids(graph: Graph) -> dict[str, Any]:
    """The document's file data with ids derived from the preset name and walk order."""
    data = graph_to_data(graph)
    text = json.dumps(data, sort_keys=False)
    for index, node_id in enumerate(graph.walk()):
        stable = uuid.uuid5(_IDS, f"{graph.name}/{index}").hex
        text = text.replace(f'"{node_id}"', f'"{stable}"')
    return json.loads(text)


def render(data: Any) -> str:
    """The exact text written for ``data`` (stable, so regenerating changes nothing)."""
    return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def _leaf_facts(documents: dict[str, Graph]) -> dict[str, Any]:
    from olm.graph.meta import leaf_key, meta_leaf

    cat = live_catalog()
    leaves: dict[str, Any] = {}
    for graph in documents.values():
        env, _ = graph.variable_values()
        for node_id in graph.walk():
            node = graph.nodes[node_id]
            if node.is_container:
                continue
            key = leaf_key(graph, node_id, env)
            if key not in leaves:
                module = meta_leaf(graph, node_id, env)
                leaves[key] = facts_of(module, cat.get(node.type).family).to_dict()
    return {"format": 1, "leaves": dict(sorted(leaves.items()))}


def expected_files() -> dict[Path, str]:
    """Every shipped data file's path and the text it must hold (imports torch)."""
    from olm.models.table import PRESETS

    documents = {name: build_preset_graph(name) for name in PRESETS}
    files = {
        DOCUMENTS_DIR / f"{name}.olm.json": render(_stable_ids(graph))
        for name, graph in documents.items()
    }
    files[CATALOG_FILE] = render(catalog_to_data(live_catalog()))
    files[FACTS_FILE] = render(_leaf_facts(documents))
    docs = Path(__file__).resolve().parents[2] / "docs"
    if docs.is_dir():  # a source checkout, not an installed package
        from olm.models.table import presets_markdown

        files[docs / "presets.md"] = presets_markdown()
    return files


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_files() -> list[Path]:
    """Write every shipped data file whose text changed; returns the paths written."""
    written = []
    for path, text in expected_files().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            _write_atomically(path, text)
            written.append(path)
    return written
