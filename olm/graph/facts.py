"""What validation and statistics need to know about one leaf, with or without torch.

:mod:`olm.graph.stats` and :mod:`olm.graph.validate` used to read these figures off a
``meta``-device instance of each leaf (:mod:`olm.graph.meta`), which needs torch. For
the leaves of the shipped preset documents the same figures are also shipped as data
(``olm/graph/data/leaf_facts.json``, keyed by :func:`~olm.graph.meta.leaf_key`, written by
``tools/generate_data.py`` and checked against freshly built modules by the tests), so
opening and measuring a preset needs no torch. Until ``olm.nn`` is imported, a leaf found
in that table is not built; once torch is loaded every leaf is measured from its module.
"""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from olm.graph.document import Graph

__all__ = [
    "FACTS_FILE",
    "LeafFacts",
    "facts_of",
    "leaf_facts",
    "needs_torch",
    "shipped_facts",
    "uses_rope",
]

FACTS_FILE = Path(__file__).resolve().parent / "data" / "leaf_facts.json"


@dataclass(frozen=True)
class LeafFacts:
    """Figures of one leaf component, enough for statistics and model-wide rules.

    Args:
        params (int): its parameters.
        active_params (int): parameters used per token (MoE: only ``top_k`` experts).
        matmul_params (int): active parameters used in matrix products.
        q_dim (int): query width (attention only; 0 otherwise).
        kv_dim (int): key plus value width cached per token (attention only; 0 otherwise).
        uses_rope (bool): an attention layer that encodes positions itself (RoPE/ALiBi).
    """

    params: int
    active_params: int
    matmul_params: int
    q_dim: int = 0
    kv_dim: int = 0
    uses_rope: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-able fields."""
        return asdict(self)


def _count(module: Any) -> int:
    return sum(p.numel() for p in module.parameters())


def _matmul(module: Any) -> int:
    from torch import nn

    total = 0
    for sub in module.modules():
        if isinstance(sub, nn.Embedding):
            continue
        total += sum(p.numel() for p in sub._parameters.values() if p is not None and p.dim() >= 2)
    if getattr(module, "tied", False):
        total += module.weight.numel()
    return total


def uses_rope(module: Any) -> bool:
    """True when an attention layer encodes positions itself (RoPE or ALiBi)."""
    if isinstance(module, LeafFacts):
        return module.uses_rope
    name = type(module).__name__
    if "RoPE" in name or "ALiBi" in name:
        return True
    return getattr(module, "rope", None) is not None or getattr(module, "alibi", None) is not None


def facts_of(module: Any, family: str) -> LeafFacts:
    """The figures of a built (usually ``meta``-device) leaf of catalog family ``family``."""
    from torch import nn

    params = _count(module)
    active, matmul = params, _matmul(module)
    experts = getattr(module, "experts", None)
    top_k = getattr(module, "top_k", None)
    if isinstance(experts, nn.ModuleList) and len(experts) and isinstance(top_k, int):
        idle = max(len(experts) - top_k, 0)
        active -= idle * _count(experts[0])
        matmul -= idle * _matmul(experts[0])
    per_expert = getattr(module, "params_per_routed_expert", None)  # stacked expert banks
    if isinstance(per_expert, int) and isinstance(top_k, int):
        idle = max(int(module.num_experts) - top_k, 0)
        active -= idle * per_expert
        matmul -= idle * per_expert
    if family != "attention":
        return LeafFacts(params, active, matmul)
    q_dim = getattr(module, "q_dim", None)
    if q_dim is None and hasattr(module, "num_heads") and hasattr(module, "head_dim"):
        q_dim = module.num_heads * module.head_dim
    k = getattr(getattr(module, "k_proj", None), "out_features", None)
    v = getattr(getattr(module, "v_proj", None), "out_features", None)
    if k is None and hasattr(module, "num_kv_heads") and hasattr(module, "head_dim"):
        k = v = module.num_kv_heads * module.head_dim
    if callable(getattr(module, "cache_width", None)):  # latent attention caches one latent
        q_dim = module.num_heads * module.qk_dim
        k, v = module.cache_width(), 0
    return LeafFacts(
        params, active, matmul, int(q_dim or 0), int((k or 0) + (v or 0)), uses_rope(module)
    )


@functools.lru_cache(maxsize=1)
def shipped_facts() -> dict[str, LeafFacts]:
    """The shipped table: :func:`~olm.graph.meta.leaf_key` → figures (empty if missing)."""
    try:
        data = json.loads(FACTS_FILE.read_text(encoding="utf-8"))
        return {key: LeafFacts(**value) for key, value in data["leaves"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def leaf_facts(graph: Graph, node_id: str, env: dict[str, Any], family: str) -> LeafFacts:
    """Figures of leaf ``node_id``: from the shipped table before torch is loaded, else built.

    Raises:
        ConfigError: the component refuses these parameters (message names the node).
        OLMError: the type is not in the catalog.
    """
    from olm.graph.meta import leaf_key, meta_leaf

    if "olm.nn" not in sys.modules:
        known = shipped_facts().get(leaf_key(graph, node_id, env))
        if known is not None:
            return known
    return facts_of(meta_leaf(graph, node_id, env), family)


def needs_torch(graph: Graph) -> bool:
    """True when measuring or validating ``graph`` would import torch now.

    That is, torch is not loaded yet and some leaf is not in the shipped table (an
    edited preset, a user's own model). Never raises: a broken leaf counts as needing it.
    """
    if "olm.nn" in sys.modules:
        return False
    from olm.graph.meta import leaf_key

    known = shipped_facts()
    env, _ = graph.variable_values()
    for node_id in graph.walk():
        node = graph.nodes[node_id]
        if node.is_container:
            continue
        try:
            if leaf_key(graph, node_id, env) not in known:
                return True
        except Exception:  # noqa: BLE001 - cannot even name it: validation will build it
            return True
    return False
