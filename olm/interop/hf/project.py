"""Writing an imported checkpoint as olm files: a project file or a checkpoint folder.

Two forms, chosen by the output name (:func:`olm.store.layout.project_paths` draws both):

- ``NAME.olm.json``: the olm.graph project file, with the weights beside it as
  ``NAME.safetensors`` and, when the folder had one, the tokenizer as ``NAME.tokenizer/``.
  The Studio opens the project; the weights load into ``olm.graph.build(load(...))`` with
  ``safetensors.torch.load_model``. The files are staged in a hidden folder beside them
  (same folder, so the renames never cross a mount) and the project file is moved last.
- any other name: a checkpoint folder written by :func:`olm.store.checkpoint.save`, which
  ``olm generate FOLDER`` and ``olm export FOLDER`` read.

Weights are written with ``safetensors.torch.save_model`` (tied tensors stored once and
re-tied on load), so nothing half-written is left behind.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from safetensors.torch import save_model

from olm.core.errors import OLMError
from olm.interop.hf.load import HFImport
from olm.store.layout import PROJECT_SUFFIX, project_paths

__all__ = ["write_project", "project_paths"]


def _graph_module():
    try:
        import olm.graph as graph
    except ModuleNotFoundError:
        raise OLMError("writing an olm project needs olm.graph, which is not installed") from None
    return graph


def _write_files(imported: HFImport, graph_doc, paths: dict[str, Path]) -> None:
    graph = _graph_module()
    save_model(imported.model, str(paths["weights"]))
    graph.save(graph_doc, paths["graph"])
    if imported.tokenizer is not None:
        imported.tokenizer.save(paths["tokenizer"])


def write_project(imported: HFImport, output: str | Path) -> dict[str, Path]:
    """Write ``imported`` as a project file or a checkpoint folder (see the module doc).

    Returns:
        The paths written, by kind ("graph", "weights" and, with a tokenizer, "tokenizer").
    """
    graph_doc = _graph_module().from_module(imported.model)
    final = project_paths(output)
    if not Path(output).name.endswith(PROJECT_SUFFIX):
        root = Path(output)
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise OLMError(f"{root} exists and is not an empty folder")
        from olm.store.checkpoint import save

        save(root, imported.model, tokenizer=imported.tokenizer, graph=graph_doc)
        return {k: p for k, p in final.items() if p.exists()}
    root = final["graph"].parent
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{final['graph'].name}.import-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        staged = {k: tmp / p.name for k, p in final.items()}
        _write_files(imported, graph_doc, staged)
        for key in ("tokenizer", "weights", "graph"):  # the project file last
            if staged[key].exists():
                if final[key].is_dir():
                    shutil.rmtree(final[key])
                os.replace(staged[key], final[key])
        tmp.rmdir()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {k: p for k, p in final.items() if p.exists()}
