"""``DDPTrainer`` and ``AutoTrainer``: the Trainer across processes, and picking one.

Under ``torchrun`` (``WORLD_SIZE`` > 1) a :class:`DDPTrainer` joins the process group
(NCCL on GPUs, gloo on CPUs) and wraps the model in ``DistributedDataParallel``; rank 0
alone saves. ``AutoTrainer`` picks a strategy (:mod:`olm.train.strategy`) and returns the
Trainer, DDPTrainer or FSDPTrainer that carries it out.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from olm.core.errors import ConfigError
from olm.train.distributed import setup_distributed
from olm.train.strategy import (
    DeviceConfig,
    TrainerStrategy,
    parse_device_string,
    print_strategy_summary,
)
from olm.train.trainer import Trainer

__all__ = ["DDPTrainer", "AutoTrainer", "auto_trainer"]


class DDPTrainer(Trainer):
    """A :class:`Trainer` whose model is wrapped in ``DistributedDataParallel``.

    Args:
        *args: as :class:`Trainer`.
        ddp_backend (str | None): "nccl" or "gloo"; None picks by device.
        find_unused_parameters (bool): DDP option.
        broadcast_buffers (bool): DDP option.
        bucket_cap_mb (int): DDP option.
        gradient_as_bucket_view (bool): DDP option.
        static_graph (bool): DDP option.
        **kwargs: as :class:`Trainer`.
    """

    def __init__(self, *args, ddp_backend: str | None = None, find_unused_parameters: bool = False,
                 broadcast_buffers: bool = True, bucket_cap_mb: int = 25,
                 gradient_as_bucket_view: bool = True, static_graph: bool = False, **kwargs) -> None:
        use_cuda = ddp_backend == "nccl" if ddp_backend else torch.cuda.is_available()
        self.dist = setup_distributed(use_cuda=use_cuda)
        super().__init__(*args, **kwargs)
        if self.dist.active:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.model = nn.parallel.DistributedDataParallel(
                self.model, device_ids=ids, find_unused_parameters=find_unused_parameters,
                broadcast_buffers=broadcast_buffers, bucket_cap_mb=bucket_cap_mb,
                gradient_as_bucket_view=gradient_as_bucket_view, static_graph=static_graph,
            )

    @property
    def is_main(self) -> bool:
        return self.dist.is_main

    def save_checkpoint(self, path: str | Path) -> Path | None:
        """Rank 0 saves; other ranks return None."""
        if not self.dist.is_main:
            return None
        return super().save_checkpoint(path)


_FSDP_KEYS = ("min_num_params", "transformer_layer_cls", "backward_prefetch",
              "limit_all_gathers", "use_orig_params", "cpu_offload", "sharding_strategy",
              "auto_wrap_policy", "mixed_precision_policy")
_DDP_KEYS = ("find_unused_parameters", "broadcast_buffers", "bucket_cap_mb",
             "gradient_as_bucket_view", "static_graph", "backend")


def AutoTrainer(model: nn.Module, optimizer, dataloader, device: str | DeviceConfig = "auto",
                context_length: int = 1024, preset: str = "balanced", force_strategy=None,
                verbose: bool = True, **kwargs) -> Trainer:
    """The trainer the device and model call for: Trainer, DDPTrainer or FSDPTrainer.

    ``device`` ("auto", "cuda:auto", "cpu:auto", "cuda", "cuda:N", "cpu", "mps" or a
    :class:`DeviceConfig`) and the model's size pick a :class:`TrainerStrategy`
    (:func:`determine_strategy`); FSDP strategies get an :class:`FSDPTrainer` with the
    strategy's sharding, the DDP strategy (and any ``torchrun`` job) a :class:`DDPTrainer`,
    single-device ones a :class:`Trainer`. ``ddp_*`` and ``fsdp_*`` keyword arguments go to
    the matching trainer without their prefix; the others to :class:`Trainer`.
    """
    ddp = {k[4:]: kwargs.pop(k) for k in [k for k in kwargs if k.startswith("ddp_")]}
    fsdp = {k[5:]: kwargs.pop(k) for k in [k for k in kwargs if k.startswith("fsdp_")]}
    for name, opts, keys in (("ddp_", ddp, _DDP_KEYS), ("fsdp_", fsdp, _FSDP_KEYS)):
        unknown = sorted(set(opts) - set(keys))
        if unknown:
            raise ConfigError(f"AutoTrainer: unknown option(s) {', '.join(name + k for k in unknown)}")
    cfg = parse_device_string(device, model, preset=preset, force_strategy=force_strategy)
    if verbose:
        print_strategy_summary(cfg)
    dist = setup_distributed(use_cuda=cfg.device_type == "cuda")
    # under torchrun each process takes the GPU of its local rank; alone, the one asked for
    dev = f"cuda:{dist.local_rank}" if cfg.device_type == "cuda" and dist.active else cfg.device
    strategy = cfg.strategy
    if strategy is not None and strategy.is_fsdp:
        from olm.train.fsdp import FSDPTrainer

        options = {"sharding_strategy": cfg.sharding_strategy or "FULL_SHARD",
                   "auto_wrap_policy": cfg.auto_wrap_policy, "cpu_offload": cfg.cpu_offload,
                   "mixed_precision_policy": cfg.mixed_precision, **fsdp}
        return FSDPTrainer(model, optimizer, dataloader, dev, context_length, **options, **kwargs)
    if strategy is TrainerStrategy.MULTI_GPU_DDP or dist.active:
        if "backend" in ddp:
            ddp["ddp_backend"] = ddp.pop("backend")
        return DDPTrainer(model, optimizer, dataloader, dev, context_length, **ddp, **kwargs)
    return Trainer(model, optimizer, dataloader, dev, context_length, **kwargs)


auto_trainer = AutoTrainer
