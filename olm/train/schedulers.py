"""Learning-rate schedules, stepped once per optimizer step.

Each is a ``torch.optim.lr_scheduler.LRScheduler`` whose rate is a pure function of the
step, so its saved state is a few numbers (JSON in a checkpoint) and a resumed run
continues on exactly the same curve.
"""

from __future__ import annotations

import math

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

from olm.core.errors import ConfigError

__all__ = [
    "SchedulerBase",
    "WarmupCosineScheduler",
    "CosineAnnealingLR",
    "LinearLR",
    "LinearDecayLR",
    "WarmupLR",
    "warmup_cosine_lr",
]


def warmup_cosine_lr(step: int, base_lr: float, warmup_steps: int, total_steps: int,
                     min_lr: float = 0.0) -> float:
    """Linear warmup to ``base_lr``, then half a cosine down to ``min_lr`` at ``total_steps``.

    Warmup uses ``(step + 1) / (warmup_steps + 1)`` so the first step already moves the
    weights (a rate of exactly 0 would waste it).
    """
    if step < warmup_steps:
        return base_lr * (step + 1) / (warmup_steps + 1)
    span = max(1, total_steps - warmup_steps)
    progress = min(1.0, (step - warmup_steps) / span)
    return min_lr + 0.5 * (base_lr - min_lr) * (1.0 + math.cos(math.pi * progress))


class SchedulerBase(LRScheduler):
    """A schedule given by ``rate(step, base_lr)``; subclasses define ``rate``.

    Args:
        optimizer (Optimizer): the optimizer whose groups' ``lr`` it sets.
        last_epoch (int): the last step taken (-1: none yet).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        super().__init__(optimizer, last_epoch)

    def rate(self, step: int, base_lr: float) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_lr(self) -> list[float]:
        return [self.rate(self.last_epoch, base) for base in self.base_lrs]


class WarmupCosineScheduler(SchedulerBase):
    """Linear warmup then cosine decay (see :func:`warmup_cosine_lr`).

    Args:
        optimizer (Optimizer): the optimizer.
        warmup_steps (int): steps of linear warmup.
        total_steps (int): the step at which the cosine reaches ``min_lr``.
        min_lr (float): the final learning rate.
        last_epoch (int): the last step taken (-1: none yet).
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int, total_steps: int,
                 min_lr: float = 0.0, last_epoch: int = -1) -> None:
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.min_lr = min_lr
        super().__init__(optimizer, last_epoch)

    def rate(self, step: int, base_lr: float) -> float:
        return warmup_cosine_lr(step, base_lr, self.warmup_steps, self.total_steps, self.min_lr)


class CosineAnnealingLR(SchedulerBase):
    """Cosine from the base rate to ``eta_min`` over ``T_max`` steps, then flat.

    Args:
        optimizer (Optimizer): the optimizer.
        T_max (int): steps of the decay.
        eta_min (float): the final learning rate.
        last_epoch (int): the last step taken (-1: none yet).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def rate(self, step: int, base_lr: float) -> float:
        return warmup_cosine_lr(step, base_lr, 0, self.T_max, self.eta_min)


class LinearLR(SchedulerBase):
    """Linear from ``start_factor * base`` to ``end_lr`` over ``total_steps``.

    Args:
        optimizer (Optimizer): the optimizer.
        total_steps (int): steps of the ramp.
        end_lr (float): the final learning rate.
        start_factor (float): the first rate as a fraction of the base rate.
        last_epoch (int): the last step taken (-1: none yet).
    """

    def __init__(self, optimizer: Optimizer, total_steps: int, end_lr: float = 0.0,
                 start_factor: float = 1.0, last_epoch: int = -1) -> None:
        self.total_steps = total_steps
        self.end_lr = end_lr
        self.start_factor = start_factor
        super().__init__(optimizer, last_epoch)

    def rate(self, step: int, base_lr: float) -> float:
        t = min(1.0, step / max(1, self.total_steps))
        start = base_lr * self.start_factor
        return start + (self.end_lr - start) * t


class LinearDecayLR(SchedulerBase):
    """Straight line from the base rate to 0 at ``total_steps``, then 0.

    The "trapezoid without warmup": with no cosine tail, the last steps still learn at a
    rate proportional to the steps left, which suits short fine-tuning runs.

    Args:
        optimizer (Optimizer): the optimizer.
        total_steps (int): the step at which the rate reaches 0 (>= 1).
        last_epoch (int): the last step taken (-1: none yet).
    """

    def __init__(self, optimizer: Optimizer, total_steps: int, last_epoch: int = -1) -> None:
        if total_steps < 1:
            raise ConfigError(f"LinearDecayLR total_steps must be >= 1, got {total_steps}")
        self.total_steps = total_steps
        super().__init__(optimizer, last_epoch)

    def rate(self, step: int, base_lr: float) -> float:
        return base_lr * max(0.0, 1.0 - step / self.total_steps)


class WarmupLR(SchedulerBase):
    """Linear from ``start_lr`` to the base rate over ``warmup_steps``, then flat.

    Args:
        optimizer (Optimizer): the optimizer.
        warmup_steps (int): steps of warmup.
        start_lr (float): the first learning rate.
        last_epoch (int): the last step taken (-1: none yet).
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int, start_lr: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.warmup_steps = warmup_steps
        self.start_lr = start_lr
        super().__init__(optimizer, last_epoch)

    def rate(self, step: int, base_lr: float) -> float:
        t = min(1.0, step / max(1, self.warmup_steps))
        return self.start_lr + (base_lr - self.start_lr) * t
