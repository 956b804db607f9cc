"""`olm.core.dist`: running under ``torchrun``: process group setup and rank helpers.

``torchrun`` sets ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; when they say more than one
process, :func:`setup_distributed` joins the group (NCCL on GPUs, gloo on CPUs). The same
``olm train`` command therefore runs alone or on a cluster unchanged. They live in the core
layer (plain torch, nothing above it) so that every layer may use them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import torch
import torch.distributed as dist

__all__ = ["DistInfo", "setup_distributed", "get_local_rank", "all_mean", "any_flag",
           "all_reduce"]


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
    all_reduce(value)
    return value / info.world_size


def any_flag(flag: bool, info: DistInfo, device: torch.device) -> bool:
    """True when any rank's ``flag`` is set (so all ranks stop at the same step)."""
    if not info.active:
        return flag
    t = torch.tensor([1.0 if flag else 0.0], device=device)
    all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item() > 0)


# How long :func:`all_reduce` waits for the backend to let go of a tensor. It lets go
# microseconds after the result is ready; only a descheduled worker thread takes longer.
RELEASE_WAIT_S = 30.0


def all_reduce(tensor: torch.Tensor, op: dist.ReduceOp = dist.ReduceOp.SUM) -> None:
    """``dist.all_reduce`` in place, returning only once the backend has let go of ``tensor``.

    Every collective olm issues on a tensor Python made goes through here. gloo's worker
    thread marks a job done and drops its reference to the job (and so to ``tensor``) a
    moment later. If Python has dropped ``tensor`` by then and the process is exiting, the
    worker frees a Python object while the interpreter shuts down, and the process aborts
    with "terminate called without an active exception": a finished run's rank dies with
    SIGABRT about once in thirty runs on a busy 2-core machine. Waiting here until the
    tensor's reference count is back to what it was before the call closes that window.
    """
    count = getattr(tensor, "_use_count", None)  # a private counter; older torch may lack it
    before = count() if count else 0
    dist.all_reduce(tensor, op=op)
    deadline = time.monotonic() + RELEASE_WAIT_S
    while count and count() > before and time.monotonic() < deadline:
        time.sleep(0)  # yield to the worker thread that still holds the job
