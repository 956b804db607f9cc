"""Carrying weights across an edit: an edited document's model keeps what it can.

After an edit, the new document builds a freshly initialised model. :func:`carry_weights`
fills it from the model before the edit, node by node (nodes are matched by id, else by
their place in the model), and says per node what happened:

- ``kept``: same tensors, same shapes: copied.
- a principled conversion, named in the status:
  * attention with fewer key/value heads (MHA → GQA): each group's K/V heads are
    mean-pooled (Ainslie et al. 2023, the GQA uptraining recipe; exact for groups of 1);
  * LayerNorm → RMSNorm (or back): the gain is kept, the bias dropped;
  * untying the output head: the head gets a copy of the embedding table;
  * a different vocabulary size: the shared rows are kept, new rows are the mean row;
  * fewer layers in a ``Repeat``: drop the last, the first or every k-th
    (``drop="last" | "first" | "every"``); more layers: duplicate (depth up-scaling).
- ``re-initialised``: nothing fits; the node keeps its fresh initialisation.

Only tensors move; no code is involved.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from olm.graph.document import Graph
from olm.graph.values import resolve

__all__ = ["node_paths", "layer_mapping", "carry_weights", "KEPT", "REINIT"]

KEPT = "kept"
REINIT = "re-initialised"
_GAINS = ("weight", "gamma")


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def node_paths(graph: Graph) -> dict[str, list[str]]:
    """Node id → the module path(s) its module has in ``build(graph)`` (several inside a
    ``Repeat``: one per layer, in order)."""
    env, _ = graph.variable_values()
    out: dict[str, list[str]] = {}

    def visit(node_id: str, prefixes: list[str]) -> None:
        node = graph.node(node_id)
        out.setdefault(node_id, []).extend(prefixes)
        for name, child in node.module_params().items():
            visit(child, [_join(p, name) for p in prefixes])
        if not node.is_container:
            return
        order = graph.order(node_id)
        if node.type == "Repeat":
            count = int(resolve(node.params.get("num_repeat", 1), env))
            visit(order[0], [_join(p, f"stack.{k}") for p in prefixes for k in range(count)])
        elif node.type == "Residual":
            visit(order[0], [_join(p, "block") for p in prefixes])
        else:
            for i, child in enumerate(order):
                visit(child, [_join(p, f"blocks.{i}") for p in prefixes])

    visit(graph.root, [""])
    return out


def layer_mapping(old: int, new: int, drop: Literal["last", "first", "every"] = "last"
                  ) -> list[int]:
    """Which old layer each of ``new`` layers copies.

    Fewer: drop the last layers, the first ones, or every k-th (evenly spread). More:
    each old layer is duplicated in place (depth up-scaling), ``[0, 0, 1, 1]`` for 2 → 4.
    """
    if new >= old:
        return [i * old // new for i in range(new)]
    if drop == "first":
        return list(range(old - new, old))
    if drop == "every":
        return [round(i * (old - 1) / max(new - 1, 1)) for i in range(new)] if new > 1 else [0]
    return list(range(new))


def _tensors(module: nn.Module) -> dict[str, torch.Tensor]:
    return dict(module.state_dict(keep_vars=True))


def _pool(old: torch.Tensor, new_shape: torch.Size, head_dim: int) -> torch.Tensor | None:
    if old.shape[1:] != new_shape[1:] or old.shape[0] % head_dim or new_shape[0] % head_dim:
        return None
    kv_old, kv_new = old.shape[0] // head_dim, new_shape[0] // head_dim
    if kv_new >= kv_old or kv_old % kv_new:
        return None
    g = kv_old // kv_new
    return old.reshape(kv_new, g, head_dim, *old.shape[1:]).mean(dim=1).reshape(new_shape)


def _resize_rows(old: torch.Tensor, new_shape: torch.Size) -> torch.Tensor | None:
    if old.dim() != len(new_shape) or old.shape[1:] != new_shape[1:]:
        return None
    out = old.mean(dim=0, keepdim=True).expand(new_shape).clone()
    n = min(old.shape[0], new_shape[0])
    out[:n] = old[:n]
    return out


def _head_dim(module: nn.Module, tensors: dict[str, torch.Tensor]) -> int | None:
    """Attention head width, from the query rows (works with fused q/k/v projections too,
    whose state dict still names ``q_proj.weight``)."""
    heads = getattr(module, "num_heads", None)
    q = tensors.get("q_proj.weight")
    if q is not None and isinstance(heads, int) and heads > 0 and q.shape[0] % heads == 0:
        return q.shape[0] // heads
    return None


def _carry_module(old: nn.Module, new: nn.Module) -> str:
    """Copy into ``new`` what fits from ``old``; the node's status."""
    src, dst = _tensors(old), _tensors(new)
    if not dst:
        return KEPT
    notes: list[str] = []
    filled: dict[str, torch.Tensor] = {}
    head_dim = _head_dim(new, dst)
    for name, target in dst.items():
        value = src.get(name)
        if value is not None and value.shape == target.shape:
            pass
        elif name in _GAINS and any(g in src for g in _GAINS if g != name):
            value = next(src[g] for g in _GAINS if g != name and g in src)
            value = value if value.shape == target.shape else None
            if value is not None:
                notes.append(f"kept the gain ({type(old).__name__} → {type(new).__name__})")
        elif value is not None and name.split(".")[0] in ("k_proj", "v_proj") and head_dim:
            value = _pool(value, target.shape, head_dim)
            if value is not None and not any(n.startswith("mean-pooled") for n in notes):
                notes.append(f"mean-pooled {src[name].shape[0] // head_dim} key/value heads "
                             f"into {target.shape[0] // head_dim}")
        elif value is not None and name in ("embedding.weight", "proj.weight", "bias"):
            value = _resize_rows(value, target.shape)
            if value is not None and not any(n.startswith("vocabulary") for n in notes):
                notes.append(f"vocabulary {src[name].shape[0]} → {target.shape[0]} "
                             "(new rows at the mean embedding)")
        elif value is None and name == "proj.weight" and getattr(old, "tied", False):
            value = _resize_rows(old.weight, target.shape)
            if value is not None:
                notes.append("untied the output head (a copy of the embedding)")
        else:
            value = None
        if value is not None:
            filled[name] = value.detach().to(target.dtype)
    if filled:  # through load_state_dict, so modules that store tensors fused stay right
        new.load_state_dict({**{k: v.detach() for k, v in dst.items()}, **filled})
    if getattr(new, "tied", False) and not getattr(old, "tied", False):
        notes.append("tied the output head to the embedding")
    if not filled:
        return REINIT
    if len(filled) < len(dst):
        return f"partly kept ({len(filled)} of {len(dst)} tensors)" + (f": {'; '.join(notes)}"
                                                                   if notes else "")
    if not notes and type(old) is type(new):
        return KEPT
    return "converted: " + "; ".join(notes or [f"{type(old).__name__} → {type(new).__name__}"])


def _get(model: nn.Module, path: str) -> nn.Module | None:
    try:
        return model.get_submodule(path)
    except AttributeError:
        return None


def carry_weights(old_graph: Graph, old_model: nn.Module, new_graph: Graph, new_model: nn.Module,
                  drop: Literal["last", "first", "every"] = "last") -> dict[str, str]:
    """Fill ``new_model`` (built from ``new_graph``) from ``old_model`` where it fits.

    Args:
        old_graph: the document before the edit; ``old_model`` is its model with weights.
        old_model: the model whose weights are carried.
        new_graph: the edited document.
        new_model: ``build(new_graph)``, freshly initialised; filled in place.
        drop: which layers go when a ``Repeat`` gets fewer: "last", "first" or "every".

    Returns:
        Leaf node id → what happened to its weights (``"kept"``, ``"converted: ..."``,
        ``"partly kept ..."``, ``"re-initialised"``), for every component node.
    """
    old_paths, new_paths = node_paths(old_graph), node_paths(new_graph)
    by_path = {p: nid for nid, paths in old_paths.items() for p in paths}
    report: dict[str, str] = {}
    for node_id, paths in new_paths.items():
        node = new_graph.node(node_id)
        if node.is_container:
            continue
        if node_id in old_paths and old_paths[node_id]:
            olds = old_paths[node_id]
            sources = [olds[i] for i in layer_mapping(len(olds), len(paths), drop)]
        else:
            sources = [p if p in by_path and not old_graph.node(by_path[p]).is_container
                       else None for p in paths]
        statuses = []
        for new_path, old_path in zip(paths, sources):
            new_module = _get(new_model, new_path)
            old_module = _get(old_model, old_path) if old_path is not None else None
            if new_module is None:
                continue
            statuses.append(REINIT if old_module is None else _carry_module(old_module, new_module))
        if statuses:
            report[node_id] = statuses[0] if len(set(statuses)) == 1 else statuses[-1]
    return report
