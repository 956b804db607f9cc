"""The settings of one training run, as a validated dataclass.

``olm train``'s flags map one to one onto these fields; the Studio fills the same
dataclass. Every rule is checked in ``__post_init__`` and broken ones raise a
:class:`ConfigError` that names the field.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from olm.core.errors import ConfigError
from olm.data.corpus import DEFAULT_MAX_BYTES

__all__ = ["TrainConfig"]

_DEVICES = ("auto", "cpu", "cuda", "mps")


def _positive(name: str, value: Any, allow_zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be an integer, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ConfigError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value}")


@dataclass
class TrainConfig:
    """One training run.

    Args:
        source (str | nn.Module | None): preset name, ``.olm.json``, ``.py``, or a module;
            None only when resuming (the checkpoint's model is used).
        data (str): "builtin", a text file or a folder.
        tokenizer (str): "byte", "bpe:N" or a tokenizer.json path.
        steps (int): total optimizer steps (a resumed run continues up to this).
        batch_size (int): sequences per micro-batch (per process under DDP).
        seq_len (int): tokens per sequence.
        grad_accum (int): micro-batches per optimizer step.
        lr (float): peak learning rate.
        min_lr (float | None): final rate of the cosine; None = lr / 10.
        warmup_steps (int | None): linear warmup; None = min(100, steps // 10).
        schedule (str): "cosine" (warmup then cosine) or "constant".
        weight_decay (float): AdamW weight decay on matrices.
        betas (tuple[float, float]): AdamW betas.
        grad_clip (float | None): global grad-norm clip; None disables (no norm reported).
        device (str): "auto" (CUDA, then MPS, then CPU), "cpu", "cuda", "cuda:N", "mps".
        use_amp (bool): bf16 autocast on CUDA (CPU always trains in fp32).
        compile (bool): wrap the model in ``torch.compile``.
        seed (int): seeds initialisation, data order and dropout.
        out (str | None): run folder for checkpoints (None: no checkpoints).
        resume (str | None): run or checkpoint folder to continue from.
        eval_every (int): steps between validation losses (0: only at the end).
        eval_batches (int): validation batches per evaluation.
        sample_every (int): steps between sample texts (0: never).
        sample_prompt (str): the prompt samples continue.
        sample_tokens (int): new tokens per sample.
        checkpoint_every (int): steps between checkpoints (0: only at the end).
        keep_checkpoints (int): how many step checkpoints to keep (the newest).
        log_every (int): steps between ``step`` events (each reads the loss: one sync).
        max_corpus_bytes (int | None): cap on the corpus read.
        val_fraction (float): share of tokens held out for validation.
        threads (int | None): torch CPU threads (None: torch's default).
        init_from (str | None): start from these pretrained weights (a Hugging Face
            folder, project, checkpoint or GGUF file; see ``olm.train.finetune``).
        freeze (list[str]): node ids or module paths whose weights do not train.
        drop_layers (str): with ``init_from`` and a SOURCE with fewer layers, which go:
            "last", "first" or "every" (evenly spread).
    """

    source: str | nn.Module | None = None
    data: str = "builtin"
    tokenizer: str = "byte"
    steps: int = 1000
    batch_size: int = 8
    seq_len: int = 256
    grad_accum: int = 1
    lr: float = 3e-4
    min_lr: float | None = None
    warmup_steps: int | None = None
    schedule: str = "cosine"
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)
    grad_clip: float | None = 1.0
    device: str = "auto"
    use_amp: bool = True
    compile: bool = False
    seed: int = 0
    out: str | None = None
    resume: str | None = None
    eval_every: int = 100
    eval_batches: int = 8
    sample_every: int = 0
    sample_prompt: str = "def "
    sample_tokens: int = 64
    checkpoint_every: int = 0
    keep_checkpoints: int = 2
    log_every: int = 1
    max_corpus_bytes: int | None = DEFAULT_MAX_BYTES
    val_fraction: float = 0.05
    threads: int | None = None
    init_from: str | None = None
    freeze: list[str] = field(default_factory=list)
    drop_layers: str = "last"

    def __post_init__(self) -> None:
        if self.source is None and self.resume is None and self.init_from is None:
            raise ConfigError("source is required (a preset, .olm.json or .py) unless resuming")
        for name in ("steps", "batch_size", "seq_len", "grad_accum", "eval_batches",
                     "log_every", "keep_checkpoints"):
            _positive(name, getattr(self, name))
        for name in ("eval_every", "sample_every", "sample_tokens", "checkpoint_every", "seed"):
            _positive(name, getattr(self, name), allow_zero=True)
        if self.warmup_steps is None and self.init_from is not None:
            from olm.train.finetune import finetune_warmup

            self.warmup_steps = finetune_warmup(self.steps)
        if self.warmup_steps is None:
            self.warmup_steps = min(100, self.steps // 10)
        _positive("warmup_steps", self.warmup_steps, allow_zero=True)
        if not self.lr > 0:
            raise ConfigError(f"lr must be > 0, got {self.lr}")
        if self.min_lr is None:
            self.min_lr = self.lr / 10
        if not 0 <= self.min_lr <= self.lr:
            raise ConfigError(f"min_lr {self.min_lr} must be in [0, lr={self.lr}]")
        if self.schedule not in ("cosine", "constant"):
            raise ConfigError(f"schedule must be 'cosine' or 'constant', got {self.schedule!r}")
        if self.weight_decay < 0:
            raise ConfigError(f"weight_decay must be >= 0, got {self.weight_decay}")
        if self.grad_clip is not None and not self.grad_clip > 0:
            raise ConfigError(f"grad_clip must be > 0 or None, got {self.grad_clip}")
        base = self.device.split(":")[0]
        if base not in _DEVICES:
            raise ConfigError(f"device must be one of {', '.join(_DEVICES)} (or cuda:N), "
                              f"got {self.device!r}")
        if not 0 < self.val_fraction <= 0.5:
            raise ConfigError(f"val_fraction must be in (0, 0.5], got {self.val_fraction}")
        if self.threads is not None:
            _positive("threads", self.threads)
        self.betas = tuple(self.betas)
        if not isinstance(self.freeze, (list, tuple)) or not all(
                isinstance(n, str) for n in self.freeze):
            raise ConfigError(f"freeze must be a list of node ids or module paths, got "
                              f"{self.freeze!r}")
        self.freeze = list(self.freeze)
        if self.drop_layers not in ("last", "first", "every"):
            raise ConfigError(f"drop_layers must be 'last', 'first' or 'every', got "
                              f"{self.drop_layers!r}")

    def to_json(self) -> dict:
        """The JSON-able fields (a module source becomes None), for events and checkpoints."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, nn.Module):
                value = None
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_json(cls, data: dict, **overrides: Any) -> TrainConfig:
        """Rebuild from :meth:`to_json` output, ignoring unknown keys, with overrides."""
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs.update(overrides)
        return cls(**kwargs)
