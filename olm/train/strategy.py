"""Picking how to train on this machine: one CPU, one GPU, DDP, or FSDP.

The choice follows from two numbers: the memory a model needs to train (weights,
gradients and AdamW's two moments, :func:`estimate_model_size`) and the memory of one
GPU. A model that fits comfortably on each GPU is replicated (DDP, the fastest); one that
does not is sharded (FSDP), hybrid across nodes so the slow inter-node link only carries
the replica all-reduce. Presets move the "comfortably" threshold.
"""

from __future__ import annotations

import dataclasses
import enum
import os

import torch
from torch import nn

from olm.core.errors import ConfigError
from olm.train.device_names import parse_device

__all__ = [
    "TrainerStrategy",
    "DeviceConfig",
    "PRESETS",
    "detect_devices",
    "estimate_model_size",
    "determine_strategy",
    "parse_device_string",
    "print_strategy_summary",
    "strategy_summary",
]


class TrainerStrategy(enum.Enum):
    """How training is spread over devices (the value is a readable name)."""

    SINGLE_CPU = "single_cpu"
    SINGLE_GPU = "single_gpu"
    MULTI_GPU_DDP = "multi_gpu_ddp"
    MULTI_GPU_FSDP_HYBRID = "multi_gpu_fsdp_hybrid"
    MULTI_GPU_FSDP_FULL = "multi_gpu_fsdp_full"

    @property
    def is_fsdp(self) -> bool:
        return self in (TrainerStrategy.MULTI_GPU_FSDP_HYBRID, TrainerStrategy.MULTI_GPU_FSDP_FULL)


# fraction of one GPU's memory a model's training state may fill before DDP gives way to FSDP
PRESETS: dict[str, float] = {"speed": 0.8, "balanced": 0.5, "conservative": 0.3,
                             "memory_efficient": 0.0}


@dataclasses.dataclass
class DeviceConfig:
    """What this machine has, and (after :func:`determine_strategy`) how to use it.

    Args:
        num_gpus (int): visible CUDA devices.
        num_cpus (int): CPU cores.
        cuda_available (bool): CUDA can be used.
        gpu_memory_per_device (int | None): bytes of the smallest GPU.
        total_gpu_memory (int | None): bytes over all GPUs.
        strategy (TrainerStrategy | None): the chosen strategy.
        device_type (str): "cuda", "cpu" or "mps".
        local_rank (int): this process's rank on the machine (its GPU index).
        world_size (int): processes in the job (``WORLD_SIZE``).
        backend (str | None): "nccl" or "gloo" for multi-process strategies.
        mixed_precision (str | None): "bf16", "fp16" or None.
        sharding_strategy (str | None): FSDP sharding ("FULL_SHARD", "HYBRID_SHARD").
        auto_wrap_policy (str | None): FSDP wrapping ("size", "transformer").
        cpu_offload (bool): FSDP keeps parameters on the CPU between uses.
    """

    num_gpus: int
    num_cpus: int
    cuda_available: bool
    gpu_memory_per_device: int | None = None
    total_gpu_memory: int | None = None
    strategy: TrainerStrategy | None = None
    device_type: str = "cuda"
    local_rank: int = 0
    world_size: int = 1
    backend: str | None = None
    mixed_precision: str | None = None
    sharding_strategy: str | None = None
    auto_wrap_policy: str | None = None
    cpu_offload: bool = False

    @property
    def device(self) -> str:
        """The torch device string for this process ("cpu", "cuda:N", "mps")."""
        return f"cuda:{self.local_rank}" if self.device_type == "cuda" else self.device_type


def _gib(n: int | None) -> str:
    return "n/a" if n is None else f"{n / 2**30:.1f} GiB"


def detect_devices(verbose: bool = True) -> DeviceConfig:
    """The devices this process can see, and its place in a ``torchrun`` job."""
    cuda = torch.cuda.is_available()
    n = torch.cuda.device_count() if cuda else 0
    mems = [torch.cuda.get_device_properties(i).total_memory for i in range(n)]
    mps = getattr(torch.backends, "mps", None)
    kind = "cuda" if cuda else ("mps" if mps is not None and mps.is_available() else "cpu")
    cfg = DeviceConfig(
        num_gpus=n, num_cpus=os.cpu_count() or 1, cuda_available=cuda,
        gpu_memory_per_device=min(mems) if mems else None,
        total_gpu_memory=sum(mems) if mems else None, device_type=kind,
        local_rank=int(os.environ.get("LOCAL_RANK", "0")),
        world_size=int(os.environ.get("WORLD_SIZE", "1")),
    )
    if verbose:
        print(f"devices: {n} GPU(s) ({_gib(cfg.gpu_memory_per_device)} each), "
              f"{cfg.num_cpus} CPU core(s), world size {cfg.world_size}")
    return cfg


def estimate_model_size(model: nn.Module) -> int:
    """Bytes to train ``model`` with AdamW: weights, plus gradients and two moments per trainable one.

    Activations are not counted (they depend on batch and sequence length). Works on a
    model built on the ``meta`` device, so a large model can be sized before it exists.
    Shared (tied) parameters count once.
    """
    total = 0
    for p in model.parameters():
        size = p.numel() * p.element_size()
        total += size * (4 if p.requires_grad else 1)
    return total


def _as_strategy(value: TrainerStrategy | str) -> TrainerStrategy:
    if isinstance(value, TrainerStrategy):
        return value
    key = str(value).strip()
    for s in TrainerStrategy:
        if key.upper() == s.name or key.lower() == s.value:
            return s
    names = ", ".join(s.name for s in TrainerStrategy)
    raise ConfigError(f"force_strategy {value!r} is not a strategy; use one of {names}")


def _fill(cfg: DeviceConfig, strategy: TrainerStrategy, preset: str, size: int | None) -> DeviceConfig:
    """``cfg`` with the strategy and the settings that go with it."""
    out = dataclasses.replace(cfg, strategy=strategy)
    gpu = cfg.device_type == "cuda"
    multi = strategy not in (TrainerStrategy.SINGLE_CPU, TrainerStrategy.SINGLE_GPU)
    out.backend = ("nccl" if gpu else "gloo") if multi else None
    if gpu and preset != "conservative":
        bf16 = torch.cuda.is_bf16_supported() if torch.cuda.is_available() else True
        out.mixed_precision = "bf16" if bf16 else "fp16"
    else:
        out.mixed_precision = None
    if strategy.is_fsdp:
        out.sharding_strategy = ("HYBRID_SHARD" if strategy is TrainerStrategy.MULTI_GPU_FSDP_HYBRID
                                 else "FULL_SHARD")
        out.auto_wrap_policy = "size"
        mem, shards = cfg.gpu_memory_per_device, max(1, cfg.num_gpus, cfg.world_size)
        limit = 0.5 if preset == "memory_efficient" else 0.9
        out.cpu_offload = bool(size is not None and mem and size / shards > limit * mem)
    else:
        out.sharding_strategy = out.auto_wrap_policy = None
        out.cpu_offload = False
    return out


def determine_strategy(cfg: DeviceConfig, model: nn.Module | None = None, preset: str = "balanced",
                       force_strategy: TrainerStrategy | str | None = None) -> DeviceConfig:
    """A copy of ``cfg`` with a strategy and its settings chosen for ``model``.

    No CUDA: SINGLE_CPU (the DDP strategy on gloo when ``torchrun`` started several
    processes). One GPU: SINGLE_GPU. Several: DDP while the model's training state
    (:func:`estimate_model_size`) fits in the preset's share of one GPU, else FSDP —
    hybrid when the job spans more processes than this machine has GPUs (several nodes).
    ``force_strategy`` (a TrainerStrategy or its name) overrides the choice as given.

    Args:
        cfg (DeviceConfig): from :func:`detect_devices`.
        model (nn.Module | None): sized to choose between DDP and FSDP (None: DDP).
        preset (str): "speed", "balanced", "conservative" or "memory_efficient".
        force_strategy (TrainerStrategy | str | None): use this strategy.

    Raises:
        ConfigError: an unknown preset or strategy name.
    """
    if preset not in PRESETS:
        raise ConfigError(f"preset {preset!r} is not known; use one of {', '.join(PRESETS)}")
    size = estimate_model_size(model) if model is not None else None
    if force_strategy is not None:
        return _fill(cfg, _as_strategy(force_strategy), preset, size)
    gpus = cfg.num_gpus if cfg.device_type == "cuda" and cfg.cuda_available else 0
    if gpus == 0:
        strategy = TrainerStrategy.MULTI_GPU_DDP if cfg.world_size > 1 else TrainerStrategy.SINGLE_CPU
    elif gpus == 1 and cfg.world_size <= 1:
        strategy = TrainerStrategy.SINGLE_GPU
    elif size is None or (cfg.gpu_memory_per_device and size <= PRESETS[preset] * cfg.gpu_memory_per_device):
        strategy = TrainerStrategy.MULTI_GPU_DDP
    elif cfg.world_size > gpus:
        strategy = TrainerStrategy.MULTI_GPU_FSDP_HYBRID
    else:
        strategy = TrainerStrategy.MULTI_GPU_FSDP_FULL
    return _fill(cfg, strategy, preset, size)


def parse_device_string(device: str | DeviceConfig, model: nn.Module | None = None,
                        preset: str = "balanced",
                        force_strategy: TrainerStrategy | str | None = None) -> DeviceConfig:
    """A :class:`DeviceConfig` with a strategy for a device string.

    "auto" picks among everything visible; "cuda:auto" the same but requires CUDA;
    "cpu:auto" and "cpu" train on the CPU; "cuda" uses the GPUs (one per process);
    "cuda:N" pins GPU N; "mps" uses Apple's GPU. A DeviceConfig without a strategy gets
    one; with one it is returned as is.

    Raises:
        ConfigError: an unknown string, or a device this machine does not have.
    """
    if isinstance(device, DeviceConfig):
        if device.strategy is not None and force_strategy is None:
            return device
        return determine_strategy(device, model, preset, force_strategy)
    if not isinstance(device, str):
        raise ConfigError(f"device must be a string or DeviceConfig, got {device!r}")
    name = parse_device(device)
    cfg = detect_devices(verbose=False)
    if name.kind == "auto":
        return determine_strategy(cfg, model, preset, force_strategy)
    if name.kind == "cpu":
        cpu = dataclasses.replace(cfg, device_type="cpu", num_gpus=0, cuda_available=False,
                                  gpu_memory_per_device=None, total_gpu_memory=None)
        return determine_strategy(cpu, model, preset, force_strategy)
    if name.kind == "mps":
        if cfg.device_type != "mps":
            raise ConfigError(f"device {device!r} requested but MPS is not available; use 'cpu'")
        return _fill(cfg, TrainerStrategy.SINGLE_GPU, preset, None)
    if not cfg.cuda_available:
        raise ConfigError(f"device {device!r} requested but CUDA is not available; "
                          "use 'auto' or 'cpu'")
    if name.index is not None:
        if name.index >= cfg.num_gpus:
            raise ConfigError(f"device {device!r}: this machine has {cfg.num_gpus} GPU(s)")
        pinned = dataclasses.replace(cfg, local_rank=name.index, num_gpus=1)
        return determine_strategy(pinned, model, preset, force_strategy)
    return determine_strategy(cfg, model, preset, force_strategy)


def strategy_summary(cfg: DeviceConfig) -> str:
    """The lines :func:`print_strategy_summary` prints."""
    name = cfg.strategy.name if cfg.strategy is not None else "(not chosen)"
    lines = [f"strategy: {name}",
             f"  device: {cfg.device}  world size: {cfg.world_size}  backend: {cfg.backend or '-'}",
             f"  GPUs: {cfg.num_gpus} x {_gib(cfg.gpu_memory_per_device)}  CPUs: {cfg.num_cpus}",
             f"  mixed precision: {cfg.mixed_precision or 'off'}"]
    if cfg.strategy is not None and cfg.strategy.is_fsdp:
        lines.append(f"  sharding: {cfg.sharding_strategy}  wrap: {cfg.auto_wrap_policy}  "
                     f"cpu offload: {cfg.cpu_offload}")
    return "\n".join(lines)


def print_strategy_summary(cfg: DeviceConfig) -> None:
    """Print the chosen strategy and its settings (what AutoTrainer shows when verbose)."""
    print(strategy_summary(cfg))
