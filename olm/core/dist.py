"""`olm.core.dist`: running under ``torchrun``: process group setup and rank helpers.

``torchrun`` sets ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; when they say more than one
process, :func:`setup_distributed` joins the group (NCCL on GPUs, gloo on CPUs). The same
``olm train`` command therefore runs alone or on a cluster unchanged. They live in the core
layer (plain torch, nothing above it) so that every layer may use them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

__all__ = ["DistInfo", "setup_distributed", "get_local_rank", "all_mean", "any_flag"]


@dataclass
class DistInfo:
    """Where this process sits.

    Args:
        rank (int): global rank (0 writes events and checkpoints).
        world_size (int): number of processes.
        local_rank (int): rank on this machine (picks the GPU).
        owns_group (bool): True when setup created the process group (and must end it).
    """

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    owns_group: bool = False

    @property
    def active(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def close(self) -> None:
        if self.owns_group and dist.is_initialized():
            dist.destroy_process_group()
            self.owns_group = False


def get_local_rank() -> int:
    """``LOCAL_RANK`` from the environment (0 when not under torchrun)."""
    return int(os.environ.get("LOCAL_RANK", "0"))


def setup_distributed(use_cuda: bool | None = None) -> DistInfo:
    """Join the process group torchrun describes; a single process gets a trivial DistInfo."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    if use_cuda is None:
        use_cuda = torch.cuda.is_available()
    owns = False
    if not dist.is_initialized():
        if use_cuda:
            torch.cuda.set_device(get_local_rank())
        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
        owns = True
    return DistInfo(dist.get_rank(), dist.get_world_size(), get_local_rank(), owns)


def all_mean(value: torch.Tensor, info: DistInfo) -> torch.Tensor:
    """Mean of ``value`` over ranks (itself when alone)."""
    if not info.active:
        return value
    value = value.detach().clone()
    dist.all_reduce(value, op=dist.ReduceOp.SUM)
    return value / info.world_size


def any_flag(flag: bool, info: DistInfo, device: torch.device) -> bool:
    """True when any rank's ``flag`` is set (so all ranks stop at the same step)."""
    if not info.active:
        return flag
    t = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item() > 0)
