"""``DDPTrainer`` and ``AutoTrainer``: the Trainer across processes, and picking one.

Under ``torchrun`` (``WORLD_SIZE`` > 1) a :class:`DDPTrainer` joins the process group
(NCCL on GPUs, gloo on CPUs) and wraps the model in ``DistributedDataParallel``; rank 0
alone saves. ``AutoTrainer`` returns a DDPTrainer under torchrun and a Trainer otherwise.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from olm.train.device import resolve_device
from olm.train.distributed import setup_distributed
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


def AutoTrainer(model: nn.Module, optimizer, dataloader, device: str = "auto",
                context_length: int = 1024, **kwargs) -> Trainer:
    """A :class:`DDPTrainer` under torchrun, else a :class:`Trainer`, on the best device.

    ``device`` accepts "auto" (CUDA, then MPS, then CPU) besides explicit names; the
    FSDP options of the reference API are accepted and ignored (FSDP is not built here).
    """
    for key in [k for k in kwargs if k.startswith(("fsdp_", "ddp_")) or k in
                ("preset", "force_strategy", "verbose")]:
        value = kwargs.pop(key)
        if key.startswith("ddp_") and key != "ddp_backend":
            kwargs[key[4:]] = value
    spec = device.split(":")[0] if device.endswith(":auto") else device
    dist = setup_distributed()
    dev = str(resolve_device(spec, dist.local_rank))
    if dist.active:
        return DDPTrainer(model, optimizer, dataloader, dev, context_length, **kwargs)
    kwargs = {k: v for k, v in kwargs.items()
              if k not in ("find_unused_parameters", "broadcast_buffers", "bucket_cap_mb")}
    return Trainer(model, optimizer, dataloader, dev, context_length, **kwargs)


auto_trainer = AutoTrainer
