"""Writing an imported checkpoint as olm files: a project file or a checkpoint folder.

Two forms, chosen by the output name:

- ``NAME.olm.json``: the olm.graph project file, with the weights beside it as
  ``NAME.safetensors`` and, when the folder had one, the tokenizer as ``NAME.tokenizer/``.
  The Studio opens the project; the weights load into ``olm.graph.build(load(...))`` with
  ``safetensors.torch.load_model``.
- any other name: a checkpoint folder (``model.olm.json``, ``model.safetensors``,
  ``tokenizer/``) that ``olm generate FOLDER`` and ``olm train --resume`` read.

Weights are written with ``safetensors.torch.save_model`` (tied tensors stored once and
re-tied on load), each file under a temporary name first, so nothing half-written is
left behind.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from safetensors.torch import save_model

from olm.core.errors import OLMError
from olm.interop.hf.load import HFImport

__all__ = ["write_project", "project_paths"]

_SUFFIX = ".olm.json"


def project_paths(output: str | Path) -> dict[str, Path]:
    """Where each file goes for ``output`` (keys: "graph", "weights", "tokenizer")."""
    out = Path(output)
    if out.name.endswith(_SUFFIX):
        stem = out.name[: -len(_SUFFIX)]
        return {
            "graph": out,
            "weights": out.with_name(stem + ".safetensors"),
            "tokenizer": out.with_name(stem + ".tokenizer"),
        }
    return {
        "graph": out / "model.olm.json",
        "weights": out / "model.safetensors",
        "tokenizer": out / "tokenizer",
    }


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
    single_file = Path(output).name.endswith(_SUFFIX)
    root = final["graph"].parent if single_file else Path(output)
    if not single_file and root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise OLMError(f"{root} exists and is not an empty folder")
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = root.parent / f".{root.name}.import-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        staged = {k: tmp / p.name for k, p in final.items()}
        _write_files(imported, graph_doc, staged)
        if single_file:
            root.mkdir(parents=True, exist_ok=True)
            for key in ("tokenizer", "weights", "graph"):  # the project file last
                if staged[key].exists():
                    if final[key].is_dir():
                        shutil.rmtree(final[key])
                    os.replace(staged[key], final[key])
            tmp.rmdir()
        else:
            if root.exists():
                root.rmdir()
            os.replace(tmp, root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {k: p for k, p in final.items() if p.exists()}
