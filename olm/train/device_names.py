"""What a device string means: one grammar for ``--device``, the Train form and the strategies.

``auto``, ``cpu``, ``cuda``, ``mps``, ``cuda:N`` (pin GPU N), and ``cuda:auto`` /
``cpu:auto`` (let the strategy chooser pick among that kind's devices). Only the syntax is
read here; whether this machine has the device is for
:func:`olm.train.device.resolve_device` and :func:`olm.train.strategy.parse_device_string`,
which both read their string through :func:`parse_device`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from olm.core.errors import ConfigError

__all__ = ["DEVICE_NAMES", "DeviceName", "parse_device"]

DEVICE_NAMES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")  # what a person picks from
_CUDA_N = re.compile(r"cuda:(\d+)")


@dataclass(frozen=True)
class DeviceName:
    """A parsed device string.

    Args:
        kind: "auto", "cpu", "cuda" or "mps".
        index: the GPU of ``cuda:N``, else None.
        chooser: ``cuda:auto`` / ``cpu:auto``: the strategy chooser picks among that kind.
    """

    kind: str
    index: int | None = None
    chooser: bool = False


def parse_device(spec: str) -> DeviceName:
    """Read ``spec`` (case and surrounding spaces ignored); ConfigError naming it if unknown."""
    text = spec.strip().lower() if isinstance(spec, str) else None
    if text in DEVICE_NAMES:
        return DeviceName(text)
    if text in ("cuda:auto", "cpu:auto"):
        return DeviceName(text.split(":")[0], chooser=True)
    match = _CUDA_N.fullmatch(text or "")
    if match:
        return DeviceName("cuda", int(match.group(1)))
    raise ConfigError(f"device must be one of {', '.join(DEVICE_NAMES)}, cuda:N, cuda:auto or "
                      f"cpu:auto, got {spec!r}")
