"""The one tiny-model factory every test area uses (the ``tiny`` fixture of ``conftest.py``).

Each reference family (:mod:`olm.models.table` names them) gets one small configuration
that still switches on what sets the family apart (sliding windows shorter than the test
sequences, experts with top-2 routing, Gemma's explicit head width, ...). Tests ask for
``tiny.model("llama3")``, override sizes where an assertion needs them
(``tiny.model("gpt2", vocab_size=128, embed_dim=64)``), take the document with
``tiny.graph(...)``, and read the sizes from ``tiny.vocab``, ``tiny.dim``, ``tiny.hidden``
instead of repeating them. Code that runs outside a test function (hypothesis strategies)
imports :class:`TinyModels` from here.
"""

from __future__ import annotations

import importlib
from typing import Any

VOCAB, DIM, HIDDEN = 96, 32, 64
_LAYERS = dict(vocab_size=VOCAB, embed_dim=DIM, num_layers=2, num_heads=4, max_seq_len=32)
_GATED = dict(_LAYERS, intermediate_size=HIDDEN)

# family key -> (family class in olm.models, its arguments)
TINY_CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "gpt2": ("GPT2Model", dict(_LAYERS, dropout=0.0)),
    "llama2": ("Llama2Model", dict(_GATED, num_kv_heads=4)),
    "llama3": ("Llama3Model", dict(_GATED, num_kv_heads=2)),
    "qwen2": ("Qwen2Model", dict(_GATED, num_kv_heads=2)),
    "mistral": ("MistralModel", dict(_GATED, num_kv_heads=2, sliding_window=4)),
    "mixtral": ("MixtralModel", dict(_GATED, num_kv_heads=2, num_experts=4, top_k=2)),
    "gemma2": ("Gemma2Model", dict(_GATED, num_kv_heads=2, head_dim=16, sliding_window=4,
                                   query_pre_attn_scalar=16.0)),
    "gemma3": ("Gemma3Model", dict(_GATED, num_kv_heads=2, head_dim=16, sliding_window=4,
                                   local_per_global=1, query_pre_attn_scalar=16.0)),
    "phi3": ("Phi3Model", dict(_GATED, num_kv_heads=4)),
    "phi4": ("Phi4Model", dict(_GATED, num_kv_heads=2)),
    "olmo": ("OLMoModel", dict(_GATED)),
    "opt": ("OPTModel", dict(_GATED, dropout=0.0)),
}
TINY_FAMILIES = tuple(sorted(TINY_CONFIGS))


class TinyModels:
    """Builds the tiny model of a family; sizes are attributes so tests need not repeat them."""

    vocab = VOCAB
    dim = DIM
    hidden = HIDDEN
    families = TINY_FAMILIES

    @staticmethod
    def config(family: str, **overrides: Any) -> dict[str, Any]:
        """The family class's arguments for the tiny model (with ``overrides``)."""
        return {**TINY_CONFIGS[family][1], **overrides}

    @staticmethod
    def model(family: str, **overrides: Any):  # noqa: ANN205 - an nn.Module
        """The tiny model of ``family`` ("gpt2", "llama3", ...), built on torch's default device."""
        cls_name, _ = TINY_CONFIGS[family]
        cls = getattr(importlib.import_module("olm.models"), cls_name)
        return cls(**TinyModels.config(family, **overrides))

    @staticmethod
    def graph(family: str, name: str | None = None, **overrides: Any):  # noqa: ANN205
        """The document of :meth:`model` (built on ``meta``: no weights)."""
        import torch

        with torch.device("meta"):
            module = TinyModels.model(family, **overrides)
        return TinyModels.graph_of(module, name or f"tiny_{family}")

    @staticmethod
    def graph_of(module: Any, name: str):  # noqa: ANN205
        """The document of an already built tiny ``module``."""
        from olm.graph.describe_module import from_module

        return from_module(module, name=name)
