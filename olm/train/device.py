"""Choosing the device: ``auto`` means CUDA, then Apple MPS, then CPU."""

from __future__ import annotations

import torch

from olm.core.errors import ConfigError
from olm.train.device_names import parse_device

__all__ = ["resolve_device"]


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def resolve_device(spec: str = "auto", local_rank: int = 0) -> torch.device:
    """The ``torch.device`` for ``spec`` (any string :func:`parse_device` reads).

    Under DDP, plain "cuda" means this process's GPU (``cuda:LOCAL_RANK``).

    Raises:
        ConfigError: the requested device is not available here.
    """
    name = parse_device(spec)
    if name.kind == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", local_rank)
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.kind == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"device {spec!r} requested but CUDA is not available; "
                              "use --device auto or cpu")
        return torch.device("cuda", local_rank if name.index is None else name.index)
    if name.kind == "mps" and not _mps_available():
        raise ConfigError("device 'mps' requested but MPS is not available; use --device cpu")
    return torch.device(name.kind)


# the strategy helpers live in olm.train.strategy (one job per file); the API names them here
from olm.train.strategy import (  # noqa: E402
    DeviceConfig,
    TrainerStrategy,
    detect_devices,
    determine_strategy,
    estimate_model_size,
    parse_device_string,
    print_strategy_summary,
)

__all__ += [
    "DeviceConfig",
    "TrainerStrategy",
    "detect_devices",
    "determine_strategy",
    "estimate_model_size",
    "parse_device_string",
    "print_strategy_summary",
]
