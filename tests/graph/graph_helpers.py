"""Helpers shared by the olm.graph tests: tiny models of every family, structure checks."""

from __future__ import annotations

from typing import Callable

from torch import nn

from olm.models import (
    Gemma2Model,
    GPT2Model,
    Llama2Model,
    Llama3Model,
    MistralModel,
    MixtralModel,
    OLMoModel,
    OPTModel,
    Phi3Model,
    Phi4Model,
    Qwen2Model,
)

V, D, HID = 96, 32, 64

TINY: dict[str, Callable[[], nn.Module]] = {
    "gpt2": lambda: GPT2Model(V, D, 2, 4, 32, dropout=0.0),
    "llama2": lambda: Llama2Model(V, D, HID, 2, 4, 4, 32),
    "llama3": lambda: Llama3Model(V, D, HID, 2, 4, 2, 32),
    "qwen2": lambda: Qwen2Model(V, D, HID, 2, 4, 2, 32),
    "mistral": lambda: MistralModel(V, D, HID, 2, 4, 2, 32, sliding_window=4),
    "mixtral": lambda: MixtralModel(V, D, HID, 2, 4, 2, 32, num_experts=4, top_k=2),
    "gemma2": lambda: Gemma2Model(V, D, HID, 2, 4, 2, 16, 32, sliding_window=4,
                                  query_pre_attn_scalar=16.0),
    "phi3": lambda: Phi3Model(V, D, HID, 2, 4, 4, 32),
    "phi4": lambda: Phi4Model(V, D, HID, 2, 4, 2, 32),
    "olmo": lambda: OLMoModel(V, D, HID, 2, 4, max_seq_len=32),
    "opt": lambda: OPTModel(V, D, HID, 2, 4, dropout=0.0, max_seq_len=32),
}


def shapes(module: nn.Module) -> dict[str, tuple]:
    """state_dict keys and shapes: what "the same structure" means in these tests."""
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def unique_params(module: nn.Module) -> int:
    """Parameter count with shared (tied) parameters counted once, from PyTorch itself."""
    seen = {id(p): p.numel() for p in module.parameters()}
    return sum(seen.values())
