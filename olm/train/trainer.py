"""``Trainer``: the object-style API over the same step function ``olm train`` uses.

For scripts that bring their own ``DataLoader`` of ``(input_ids, labels)`` batches. The
command line and the Studio use :func:`olm.train.run.train_iter` instead, which adds the
corpus, checkpoints and the event stream.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable

import torch
from torch import nn

from olm.core.errors import ConfigError
from olm.store.checkpoint import save_checkpoint
from olm.train.callbacks import TrainerCallback
from olm.train.losses import CrossEntropyLoss
from olm.train.optim import param_groups
from olm.train.schedulers import WarmupCosineScheduler
from olm.train.step import TrainStep, autocast_dtype

__all__ = ["Trainer"]


def _build_optimizer(model: nn.Module, optimizer, lr: float, weight_decay: float):
    if isinstance(optimizer, torch.optim.Optimizer):
        return optimizer
    if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        return optimizer(param_groups(model, weight_decay), lr=lr)
    raise ConfigError(f"optimizer must be an Optimizer or Optimizer class, got {optimizer!r}")


class Trainer:
    """Trains ``model`` on batches from ``dataloader`` with the shared :class:`TrainStep`.

    Args:
        model (nn.Module): ids ``[B, N]`` → logits ``[B, N, V]``.
        optimizer (Optimizer | type[Optimizer]): an optimizer, or a class built with
            ``learning_rate`` over decay/no-decay parameter groups.
        dataloader (Iterable): yields ``(input_ids, labels)``, each ``[B, N]``.
        device (str): "cpu", "cuda", "cuda:N", "mps".
        context_length (int): batches are cut to this many tokens.
        grad_accum_steps (int): micro-batches per optimizer step.
        use_amp (bool): bf16 autocast on CUDA (ignored on CPU).
        loss (type[nn.Module]): loss class, called ``loss(logits, labels)``.
        callbacks (list[TrainerCallback] | None): hook objects.
        scheduler: a ready scheduler (overrides the warmup+cosine default).
        grad_clip_norm (float | None): global grad-norm clip.
        warmup_steps (int | None): warmup of the default schedule (default 10% of total).
        total_steps (int | None): length of the default schedule (default: ``train``'s).
        min_lr (float): the cosine's final rate.
        learning_rate (float): peak rate when the optimizer is a class.
        weight_decay (float): decay for matrices when the optimizer is a class.
        use_warmup_cosine (bool): build the default schedule when no scheduler is given.
    """

    def __init__(
        self,
        model: nn.Module,
        optimizer,
        dataloader: Iterable,
        device: str,
        context_length: int,
        grad_accum_steps: int = 1,
        use_amp: bool = True,
        loss: type[nn.Module] = CrossEntropyLoss,
        callbacks: list[TrainerCallback] | None = None,
        scheduler=None,
        grad_clip_norm: float | None = None,
        warmup_steps: int | None = None,
        total_steps: int | None = None,
        min_lr: float = 0.0,
        learning_rate: float = 3e-4,
        weight_decay: float = 0.0,
        use_warmup_cosine: bool = True,
    ) -> None:
        if grad_accum_steps < 1:
            raise ConfigError(f"grad_accum_steps must be >= 1, got {grad_accum_steps}")
        self.device = torch.device(device)
        self.model = model.to(self.device)
        self.dataloader = dataloader
        self.context_length = context_length
        self.grad_accum_steps = grad_accum_steps
        self.use_amp = use_amp
        self.loss = loss() if isinstance(loss, type) else loss
        self.callbacks = list(callbacks or [])
        self.optimizer = _build_optimizer(model, optimizer, learning_rate, weight_decay)
        self.scheduler = scheduler
        self._schedule_args = (warmup_steps, total_steps, min_lr) if (
            scheduler is None and use_warmup_cosine) else None
        self.grad_clip_norm = grad_clip_norm
        self.global_step = 0
        self.current_epoch = 0
        self.total_tokens_processed = 0
        self.should_stop = False
        self.last_val_loss: float | None = None
        self._step: TrainStep | None = None

    @property
    def scaler(self):
        return None if self._step is None else self._step.scaler

    def add_callback(self, callback: TrainerCallback) -> None:
        self.callbacks.append(callback)

    def remove_callback(self, callback: TrainerCallback) -> None:
        self.callbacks.remove(callback)

    def _call(self, hook: str, *args) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(self, *args)

    def _make_step(self, total: int | None) -> TrainStep:
        if self._schedule_args is not None and self.scheduler is None:
            warmup, steps, min_lr = self._schedule_args
            steps = steps or total
            if steps is None:
                raise ConfigError("the warmup+cosine schedule needs total_steps, or train(max_steps=...)")
            warmup = warmup if warmup is not None else max(1, steps // 10)
            self.scheduler = WarmupCosineScheduler(self.optimizer, warmup, steps, min_lr)
        return TrainStep(self.model, self.optimizer, self.loss, scheduler=self.scheduler,
                         grad_clip=self.grad_clip_norm, device_type=self.device.type,
                         amp_dtype=autocast_dtype(self.device, self.use_amp))

    def _prepare(self, batch) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = batch[0], batch[1]
        n = self.context_length
        return (x[:, :n].to(self.device, non_blocking=True),
                y[:, :n].to(self.device, non_blocking=True))

    def _total_steps(self, epochs: int, max_steps, steps_per_epoch) -> int | None:
        if max_steps is not None:
            return max_steps
        per_epoch = steps_per_epoch
        if per_epoch is None:
            try:
                per_epoch = len(self.dataloader) // self.grad_accum_steps
            except TypeError:
                return None
        return epochs * per_epoch

    def train(self, epochs: int = 1, log_interval: int = 10, max_steps: int | None = None,
              steps_per_epoch: int | None = None) -> list[float]:
        """Train; returns one loss per optimizer step (mean over its micro-batches)."""
        total = self._total_steps(epochs, max_steps, steps_per_epoch)
        if self._step is None:
            self._step = self._make_step(total)
        losses: list[float] = []
        self.model.train()
        self._call("on_train_begin")
        for epoch in range(epochs):
            self.current_epoch = epoch
            self._call("on_epoch_begin", epoch)
            self._run_epoch(losses, log_interval, max_steps, steps_per_epoch)
            self._call("on_epoch_end", epoch)
            if self.should_stop or (max_steps is not None and self.global_step >= max_steps):
                break
        self._call("on_train_end")
        return losses

    def _run_epoch(self, losses, log_interval, max_steps, steps_per_epoch) -> None:
        pending: list = []
        epoch_steps = 0
        for batch_idx, batch in enumerate(self.dataloader):
            self._call("on_batch_begin", batch_idx)
            pending.append(self._prepare(batch))
            if len(pending) < self.grad_accum_steps:
                continue
            self._call("on_step_begin", self.global_step)
            loss_t, _ = self._step(pending)
            loss = float(loss_t)
            self.total_tokens_processed += sum(x.numel() for x, _ in pending)
            pending = []
            self.global_step += 1
            epoch_steps += 1
            losses.append(loss)
            if not math.isfinite(loss):
                raise FloatingPointError(f"loss became {loss} at step {self.global_step}")
            if log_interval and self.global_step % log_interval == 0:
                lr = self.optimizer.param_groups[0]["lr"]
                print(f"step {self.global_step}  loss {loss:.4f}  lr {lr:.3g}")
            self._call("on_batch_end", batch_idx, loss)
            self._call("on_step_end", self.global_step, loss)
            if self.should_stop or (max_steps is not None and self.global_step >= max_steps):
                return
            if steps_per_epoch is not None and epoch_steps >= steps_per_epoch:
                return

    def save_checkpoint(self, path: str | Path) -> Path:
        """A checkpoint folder (weights, optimizer, scheduler, RNG) at ``path``."""
        model = getattr(self.model, "module", self.model)
        return save_checkpoint(path, model, optimizer=self.optimizer, scheduler=self.scheduler,
                               state={"step": self.global_step,
                                      "tokens": self.total_tokens_processed})
