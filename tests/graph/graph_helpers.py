"""Structure checks shared by the olm.graph tests (tiny models: the ``tiny`` fixture)."""

from __future__ import annotations

from torch import nn


def shapes(module: nn.Module) -> dict[str, tuple]:
    """state_dict keys and shapes: what "the same structure" means in these tests."""
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def unique_params(module: nn.Module) -> int:
    """Parameter count with shared (tied) parameters counted once, from PyTorch itself."""
    seen = {id(p): p.numel() for p in module.parameters()}
    return sum(seen.values())
