"""Trainer callbacks: small objects whose hooks the :class:`Trainer` calls."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import torch

from olm.store import layout

__all__ = [
    "TrainerCallback",
    "CheckpointCallback",
    "EarlyStoppingCallback",
    "LRMonitorCallback",
    "MetricsLoggerCallback",
    "ThroughputCallback",
    "ValidationCallback",
]


class TrainerCallback:
    """Base callback: every hook is a no-op; override the ones you need.

    ``step`` is the optimizer step; ``batch_idx`` counts micro-batches.
    """

    def on_train_begin(self, trainer) -> None: ...
    def on_train_end(self, trainer) -> None: ...
    def on_epoch_begin(self, trainer, epoch: int) -> None: ...
    def on_epoch_end(self, trainer, epoch: int) -> None: ...
    def on_batch_begin(self, trainer, batch_idx: int) -> None: ...
    def on_batch_end(self, trainer, batch_idx: int, loss: float) -> None: ...
    def on_step_begin(self, trainer, step: int) -> None: ...
    def on_step_end(self, trainer, step: int, loss: float) -> None: ...


class CheckpointCallback(TrainerCallback):
    """Save a checkpoint folder every ``save_every`` steps, keeping the newest ``keep_last_n``.

    Args:
        checkpoint_dir (str): folder for ``step_NNNNNNN`` checkpoints.
        save_every (int): steps between saves.
        keep_last_n (int): how many to keep.
        save_best (bool): also keep a ``best`` copy at the lowest training loss.
    """

    def __init__(self, checkpoint_dir: str = layout.CHECKPOINTS_DIR, save_every: int = 1000,
                 keep_last_n: int = 5, save_best: bool = True) -> None:
        self.dir = Path(checkpoint_dir)
        self.save_every = save_every
        self.keep_last_n = keep_last_n
        self.save_best = save_best
        self.best = math.inf

    def on_step_end(self, trainer, step: int, loss: float) -> None:
        import shutil

        if self.save_best and loss < self.best:
            self.best = loss
            trainer.save_checkpoint(self.dir / "best")
        if step % self.save_every:
            return
        trainer.save_checkpoint(self.dir / layout.step_name(step))
        saved = sorted(p for p in self.dir.glob(f"{layout.STEP_PREFIX}*") if p.is_dir())
        for old in saved[: -self.keep_last_n]:
            shutil.rmtree(old, ignore_errors=True)


class EarlyStoppingCallback(TrainerCallback):
    """Stop when the (validation, else training) loss has not improved for ``patience`` checks.

    Args:
        patience (int): checks without improvement before stopping.
        min_delta (float): the improvement that counts.
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0) -> None:
        self.patience = patience
        self.min_delta = min_delta
        self.best = math.inf
        self.bad = 0

    def on_step_end(self, trainer, step: int, loss: float) -> None:
        value = getattr(trainer, "last_val_loss", None) or loss
        if value < self.best - self.min_delta:
            self.best, self.bad = value, 0
        else:
            self.bad += 1
            if self.bad >= self.patience:
                trainer.should_stop = True


class LRMonitorCallback(TrainerCallback):
    """Record the learning rate every ``log_every`` steps (in ``self.history``).

    Args:
        log_every (int): steps between records.
    """

    def __init__(self, log_every: int = 100) -> None:
        self.log_every = log_every
        self.history: list[tuple[int, float]] = []

    def on_step_end(self, trainer, step: int, loss: float) -> None:
        if step % self.log_every == 0:
            self.history.append((step, trainer.optimizer.param_groups[0]["lr"]))


class MetricsLoggerCallback(TrainerCallback):
    """Append ``{"step", "loss", "lr"}`` JSON lines to ``log_dir/metrics.jsonl``.

    Args:
        log_dir (str): folder for the log.
        log_every (int): steps between lines.
    """

    def __init__(self, log_dir: str = "logs", log_every: int = 10) -> None:
        self.path = Path(log_dir) / "metrics.jsonl"
        self.log_every = log_every

    def on_step_end(self, trainer, step: int, loss: float) -> None:
        if step % self.log_every:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as fh:
            lr = trainer.optimizer.param_groups[0]["lr"]
            fh.write(json.dumps({"step": step, "loss": loss, "lr": lr}) + "\n")


class ThroughputCallback(TrainerCallback):
    """Measure tokens per second over each ``log_every`` steps (in ``self.history``).

    Args:
        log_every (int): steps per measurement.
        context_length (int): tokens per sequence.
        batch_size (int): sequences per batch.
    """

    def __init__(self, log_every: int = 100, context_length: int = 1024, batch_size: int = 8) -> None:
        self.log_every = log_every
        self.tokens_per_step = context_length * batch_size
        self.history: list[float] = []
        self._t = None

    def on_step_end(self, trainer, step: int, loss: float) -> None:
        now = time.perf_counter()
        if self._t is None:
            self._t = now
            return
        if step % self.log_every == 0:
            self.history.append(self.log_every * self.tokens_per_step / max(now - self._t, 1e-9))
            self._t = now


class ValidationCallback(TrainerCallback):
    """Validation loss every ``eval_every`` steps (``trainer.last_val_loss``, ``self.history``).

    Args:
        val_dataloader: yields ``(input_ids, labels)``.
        eval_every (int): steps between evaluations.
        device (str | None): defaults to the trainer's device.
        use_amp (bool): autocast as in training (CUDA only).
    """

    def __init__(self, val_dataloader, eval_every: int = 500, device=None, use_amp: bool = True) -> None:
        self.loader = val_dataloader
        self.eval_every = eval_every
        self.device = device
        self.use_amp = use_amp
        self.history: list[tuple[int, float]] = []

    @torch.no_grad()
    def on_step_end(self, trainer, step: int, loss: float) -> None:
        if step % self.eval_every:
            return
        model = trainer.model
        model.eval()
        device = self.device or trainer.device
        total, n = 0.0, 0
        for x, y in self.loader:
            x = x[:, : trainer.context_length].to(device)
            y = y[:, : trainer.context_length].to(device)
            total += float(trainer.loss(model(x), y))
            n += 1
        model.train()
        trainer.last_val_loss = total / max(n, 1)
        self.history.append((step, trainer.last_val_loss))
