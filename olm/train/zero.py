"""ZeRO stage 1: each rank keeps the optimizer state of only its share of the parameters.

Under ``torchrun`` this is ``torch.distributed.optim.ZeroRedundancyOptimizer``, which cuts
optimizer memory by the number of ranks (AdamW's two moments are most of a model's
training memory). In a single process there is nothing to shard, so the optimizer is
returned unchanged and the same script runs on a laptop.
"""

from __future__ import annotations

import inspect
from typing import Iterable

import torch
import torch.distributed as dist

from olm.core.errors import ConfigError

__all__ = ["ZeROOptimizer"]


def _constructor_kwargs(cls: type, defaults: dict) -> dict:
    """The entries of ``defaults`` that ``cls.__init__`` accepts (torch adds internal ones)."""
    sig = inspect.signature(cls.__init__)
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return dict(defaults)
    return {k: v for k, v in defaults.items() if k in sig.parameters and k != "params"}


def ZeROOptimizer(optimizer: torch.optim.Optimizer | type, params: Iterable | None = None,
                  process_group=None, parameters_as_bucket_view: bool = False,
                  **defaults) -> torch.optim.Optimizer:
    """Shard ``optimizer``'s state over the process group; the optimizer itself when alone.

    A function (like ``AutoTrainer``) because the single-process result is the given
    optimizer, not a wrapper; call ``consolidate_state_dict()`` on the sharded one before
    saving its state on rank 0.

    Args:
        optimizer: a built optimizer (its groups and defaults are reused), or an optimizer
            class, which then needs ``params`` and takes ``**defaults`` (``lr=...``).
        params: parameters or groups, only with an optimizer class.
        process_group: the group to shard over (None: the default group).
        parameters_as_bucket_view (bool): ZeroRedundancyOptimizer option.
        **defaults: constructor arguments, only with an optimizer class.

    Raises:
        ConfigError: an optimizer class without ``params``, or a built one with ``params``.
    """
    if isinstance(optimizer, torch.optim.Optimizer):
        if params is not None or defaults:
            raise ConfigError("ZeROOptimizer(optimizer): give params/defaults only with an "
                              "optimizer class, not a built optimizer")
        if not (dist.is_available() and dist.is_initialized()):
            return optimizer
        cls = type(optimizer)
        kwargs = _constructor_kwargs(cls, optimizer.defaults)
        groups = [dict(g) for g in optimizer.param_groups]
    elif isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        if params is None:
            raise ConfigError("ZeROOptimizer(optimizer_class) needs params=")
        if not (dist.is_available() and dist.is_initialized()):
            return optimizer(params, **defaults)
        cls, kwargs, groups = optimizer, defaults, list(params)
    else:
        raise ConfigError(f"ZeROOptimizer: optimizer must be an Optimizer or Optimizer class, "
                          f"got {optimizer!r}")
    # imported here: torch.distributed.optim pulls in TorchScript (slow, and deprecation
    # warnings) which a single-process run never needs
    from torch.distributed.optim import ZeroRedundancyOptimizer

    if groups and isinstance(groups[0], dict):
        first, rest = groups[0], groups[1:]
        zero = ZeroRedundancyOptimizer(first["params"], optimizer_class=cls,
                                       process_group=process_group,
                                       parameters_as_bucket_view=parameters_as_bucket_view,
                                       **{**kwargs, **_constructor_kwargs(cls, {
                                           k: v for k, v in first.items() if k != "params"})})
        for group in rest:
            zero.add_param_group(group)
        return zero
    return ZeroRedundancyOptimizer(groups, optimizer_class=cls, process_group=process_group,
                                   parameters_as_bucket_view=parameters_as_bucket_view, **kwargs)
