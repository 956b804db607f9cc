"""Activation checkpointing (``--checkpoint-activations``): keep only each layer's input.

Every layer of every ``Repeat`` stack runs under :func:`torch.utils.checkpoint.checkpoint`
while training, so backward recomputes the layer's insides instead of holding them: the
activation memory of a deep model drops from about ``34 x width`` values per token per
layer to ``width`` (plus one layer's worth), for about a third more compute. Parameter
names are unchanged (the layer's ``forward`` is wrapped in place), so checkpoints and
the Hugging Face mapping never see it. Inference (no grad, or a KV cache) runs plainly.
"""

from __future__ import annotations

import functools
from typing import Any

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

__all__ = ["checkpoint_activations"]


def _recomputed(forward):
    @functools.wraps(forward)  # keeps the signature: containers pass only declared kwargs
    def run(x: torch.Tensor, *args: Any, **kwargs: Any):
        if not torch.is_grad_enabled() or kwargs.get("kv_cache") is not None:
            return forward(x, *args, **kwargs)
        return checkpoint(forward, x, *args, use_reentrant=False, **kwargs)

    return run


def checkpoint_activations(model: nn.Module) -> int:
    """Recompute every repeated layer of ``model`` in backward; returns how many layers."""
    from olm.nn.structure.combinators.repeat import Repeat

    count = 0
    for module in model.modules():
        if isinstance(module, Repeat):
            for layer in module.stack:
                if not getattr(layer, "_olm_recomputed", False):
                    layer.forward = _recomputed(layer.forward)
                    layer._olm_recomputed = True
                    count += 1
    return count
