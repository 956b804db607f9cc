"""One optimizer step: the hot loop shared by ``olm train``, ``Trainer`` and the benchmark.

Everything here runs once per step, so it does the minimum: no host/device syncs (the
loss comes back as a device tensor; the caller decides when to read it), gradients freed
with ``set_to_none``, autocast only where it pays (bf16 on CUDA), and the mixture-of-
experts auxiliary losses found once at construction rather than searched every step.
"""

from __future__ import annotations

import contextlib
from typing import Sequence

import torch
from torch import Tensor, nn

from olm.train.losses import CrossEntropyLoss

__all__ = ["TrainStep", "autocast_dtype"]

Batch = tuple[Tensor, Tensor]


def autocast_dtype(device: torch.device, use_amp: bool = True) -> torch.dtype | None:
    """bf16 autocast on CUDA (fp16 where bf16 is unsupported); fp32 (None) elsewhere."""
    if not use_amp or device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def _aux_modules(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if getattr(m, "family", None) == "moe"]


class TrainStep:
    """Forward, backward (over ``len(batches)`` accumulated micro-batches), clip, update.

    Args:
        model (nn.Module): the model (possibly DDP-wrapped or compiled).
        optimizer (torch.optim.Optimizer): its optimizer.
        loss_fn (nn.Module | None): ``loss(logits, labels)``; default cross-entropy.
        scheduler: stepped after each optimizer step (or None).
        grad_clip (float | None): clip the global gradient norm to this (None: no clip).
        amp_dtype (torch.dtype | None): autocast dtype (None: full precision).
        device_type (str): "cuda", "cpu" or "mps", for autocast.
    """

    def __init__(
        self,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        loss_fn: nn.Module | None = None,
        *,
        scheduler=None,
        grad_clip: float | None = None,
        amp_dtype: torch.dtype | None = None,
        device_type: str = "cpu",
    ) -> None:
        self.model = model
        self.optimizer = optimizer
        self.loss_fn = loss_fn if loss_fn is not None else CrossEntropyLoss()
        self.scheduler = scheduler
        self.grad_clip = grad_clip
        self.amp_dtype = amp_dtype
        self.device_type = device_type
        # fp16 needs loss scaling; bf16 and fp32 do not
        self.scaler = torch.amp.GradScaler(device_type) if amp_dtype is torch.float16 else None
        inner = getattr(model, "module", model)
        self.aux = _aux_modules(getattr(inner, "_orig_mod", inner))
        self.params = [p for g in optimizer.param_groups for p in g["params"]]
        self.no_sync = getattr(model, "no_sync", None)
        # called after backward (gradients unscaled), before clipping and the update:
        # telemetry reads gradient norms and the weights before the step here
        self.inspect = None

    def autocast(self):
        """The autocast context of this step (a no-op in full precision)."""
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=self.amp_dtype)

    def _aux_loss(self) -> Tensor | None:
        total = None
        for m in self.aux:
            a = getattr(m, "aux_loss", None)
            if isinstance(a, Tensor):
                total = a if total is None else total + a
        return total

    def forward_backward(self, x: Tensor, y: Tensor, scale: float) -> Tensor:
        """Loss of one micro-batch, its gradients added to ``.grad``; returns the loss."""
        with self.autocast():
            loss = self.loss_fn(self.model(x), y)
        total = loss
        if self.aux:
            aux = self._aux_loss()
            if aux is not None:
                total = loss + aux
        total = total * scale if scale != 1.0 else total
        if self.scaler is not None:
            total = self.scaler.scale(total)
        total.backward()
        return loss.detach()

    def __call__(self, batches: Sequence[Batch]) -> tuple[Tensor, Tensor | None]:
        """Run one optimizer step; returns (mean loss, grad norm before clipping) on device."""
        n = len(batches)
        loss_sum = None
        for i, (x, y) in enumerate(batches):
            # DDP: all-reduce gradients only on the last micro-batch
            sync = self.no_sync is None or i == n - 1
            with contextlib.nullcontext() if sync else self.no_sync():
                loss = self.forward_backward(x, y, 1.0 / n)
            loss_sum = loss if loss_sum is None else loss_sum + loss
        if self.scaler is not None:
            self.scaler.unscale_(self.optimizer)
        if self.inspect is not None:
            self.inspect()
        grad_norm = None
        if self.grad_clip is not None:
            grad_norm = torch.nn.utils.clip_grad_norm_(self.params, self.grad_clip)
        if self.scaler is not None:
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        if self.scheduler is not None:
            self.scheduler.step()
        mean = loss_sum if n == 1 else loss_sum / n
        return mean, grad_norm
