"""Held-out loss of a model on a corpus: what an operation on a pretrained model cost.

The validation windows are the ones ``olm train`` evaluates on (the same split, the same
fixed batches), so ``olm eval`` before and after an edit, and a run's ``val_loss``,
compare directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from olm.data import prepare_data
from olm.data.corpus import DEFAULT_MAX_BYTES
from olm.train.setup import check_vocab

__all__ = ["EvalResult", "heldout_loss"]


@dataclass
class EvalResult:
    """One measurement.

    Args:
        loss (float): mean next-token cross-entropy (nats per token).
        tokens (int): tokens scored.
    """

    loss: float
    tokens: int

    @property
    def perplexity(self) -> float:
        """``exp(loss)``."""
        return math.exp(min(self.loss, 700.0))


@torch.no_grad()
def heldout_loss(model: nn.Module, tokenizer: Any = "byte", data: str = "builtin", *,
                 seq_len: int = 256, batches: int = 8, batch_size: int = 8,
                 device: str | torch.device = "cpu",
                 max_bytes: int | None = DEFAULT_MAX_BYTES) -> EvalResult:
    """Mean loss of ``model`` on the held-out split of ``data``.

    Args:
        model: ids ``[B, N]`` → logits ``[B, N, V]``.
        tokenizer: the model's tokenizer (an object), or a spec (``"byte"``, ``"bpe:N"``).
        data: ``"builtin"``, a text file or a folder.
        seq_len: tokens per window.
        batches: how many fixed validation batches.
        batch_size: windows per batch.
        device: where to run.
        max_bytes: cap on the corpus read.

    Raises:
        OLMError: the tokenizer does not fit the model, or the split is too small.
    """
    prepared = prepare_data(data, tokenizer, max_bytes)
    check_vocab(model, prepared.tokenizer)
    prepared.val.check_fits(seq_len, "validation")
    was = model.training
    model.eval()
    total, count = 0.0, 0
    try:
        for x, y in prepared.val.eval_batches(batches, batch_size, seq_len):
            x, y = x.to(device), y.to(device)
            logits = model(x)
            total += float(F.cross_entropy(logits.flatten(0, 1).float(), y.flatten(),
                                           reduction="sum"))
            count += y.numel()
    finally:
        model.train(was)
    return EvalResult(total / count, count)
