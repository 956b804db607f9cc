"""The settings of one training run, as data, and the `olm train` command line they make.

The Train panel's form reads into a :class:`TrainSettings`, the run folder stores it as
JSON, and :meth:`TrainSettings.cli_args` turns it into the exact arguments a person would
type, so a run started from the Studio can be repeated on a server with `olm train`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

from olm.core.errors import ConfigError

__all__ = ["TrainSettings", "DEVICES", "PRECISIONS", "DATA_KINDS", "TOKENIZER_KINDS"]

DataKind = Literal["builtin", "file", "folder"]
TokenizerKind = Literal["byte", "bpe", "file"]

DATA_KINDS: tuple[str, ...] = ("builtin", "file", "folder")
TOKENIZER_KINDS: tuple[str, ...] = ("byte", "bpe", "file")
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")
PRECISIONS: tuple[str, ...] = ("auto", "bf16", "fp32")

# Byte-level tokenizers map every byte to one id: the vocabulary is exactly 256.
BYTE_VOCAB = 256


@dataclass
class TrainSettings:
    """Everything the person chose in the Train form.

    Args:
        data_kind: "builtin" (the standard library's own source, works offline),
            "file" (one text file) or "folder" (every text file under it).
        data_path: the file or folder for "file"/"folder"; ignored for "builtin".
        tokenizer_kind: "byte" (vocab 256), "bpe" (trained locally on the data) or
            "file" (a ``tokenizer.json``).
        bpe_vocab: vocabulary size of the BPE tokenizer when ``tokenizer_kind`` is "bpe".
        tokenizer_path: the ``tokenizer.json`` when ``tokenizer_kind`` is "file".
        batch_size: sequences per optimizer step.
        seq_len: tokens per sequence.
        lr: peak learning rate (warmup, then cosine decay).
        steps: optimizer steps to train for.
        device: "auto" (CUDA, then MPS, then CPU), "cpu", "cuda" or "mps".
        precision: "auto" or "bf16" (bf16 autocast on CUDA; CPU always trains in fp32)
            or "fp32" (no autocast anywhere).
        eval_every: steps between validation losses (0: only at the end).
        sample_every: steps between sample texts (0: none).
        checkpoint_every: steps between checkpoints (0: only at the end or on Stop).
        seed: random seed, so two runs differ only in what the person changed.
        threads: torch CPU threads for the run (0: torch's default).
    """

    data_kind: DataKind = "builtin"
    data_path: str = ""
    tokenizer_kind: TokenizerKind = "byte"
    bpe_vocab: int = 1024
    tokenizer_path: str = ""
    batch_size: int = 8
    seq_len: int = 128
    lr: float = 1e-3
    steps: int = 300
    device: str = "auto"
    precision: str = "auto"
    eval_every: int = 0
    sample_every: int = 0
    checkpoint_every: int = 0
    seed: int = 0
    threads: int = 0

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first setting that breaks a rule."""
        _choice("data_kind", self.data_kind, DATA_KINDS)
        _choice("tokenizer_kind", self.tokenizer_kind, TOKENIZER_KINDS)
        _choice("device", self.device, DEVICES)
        _choice("precision", self.precision, PRECISIONS)
        if self.data_kind != "builtin" and not self.data_path:
            raise ConfigError(f"data_path is empty: choose the {self.data_kind} to train on")
        if self.tokenizer_kind == "file" and not self.tokenizer_path:
            raise ConfigError("tokenizer_path is empty: choose a tokenizer.json file")
        if self.tokenizer_kind == "bpe" and not 257 <= self.bpe_vocab <= 1_000_000:
            raise ConfigError(f"bpe_vocab {self.bpe_vocab} must be between 257 and 1000000")
        for name in ("batch_size", "seq_len", "steps"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} {getattr(self, name)} must be at least 1")
        for name in ("eval_every", "sample_every", "checkpoint_every", "seed", "threads"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} {getattr(self, name)} must not be negative")
        if not (math.isfinite(self.lr) and 0 < self.lr < 10):
            raise ConfigError(f"lr {self.lr} must be a positive number below 10")

    def tokenizer_arg(self) -> str:
        """The ``--tokenizer`` value: ``byte``, ``bpe:N`` or the path of a tokenizer.json."""
        if self.tokenizer_kind == "bpe":
            return f"bpe:{self.bpe_vocab}"
        if self.tokenizer_kind == "file":
            return self.tokenizer_path
        return "byte"

    def data_arg(self) -> str:
        """The ``--data`` value: ``builtin`` or a path."""
        return "builtin" if self.data_kind == "builtin" else self.data_path

    def tokens_per_step(self) -> int:
        """Tokens one optimizer step consumes, for the tokens axis when events omit it."""
        return self.batch_size * self.seq_len

    def cli_args(self, source: str, out_dir: str, events: str = "-") -> list[str]:
        """The ``olm train`` arguments (without the program) for this run.

        Args:
            source: the model (preset name, ``.olm.json`` or ``.py``).
            out_dir: the folder `olm train` writes its checkpoint to.
            events: where the JSON-lines events go; ``-`` for stdout.
        """
        args = [
            "train", source,
            "--data", self.data_arg(),
            "--tokenizer", self.tokenizer_arg(),
            "--steps", str(self.steps),
            "--batch-size", str(self.batch_size),
            "--seq-len", str(self.seq_len),
            "--lr", repr(float(self.lr)),
            "--device", self.device,
            "--out", out_dir,
            "--events", events,
        ]
        args += ["--eval-every", str(self.eval_every),
                 "--sample-every", str(self.sample_every),
                 "--checkpoint-every", str(self.checkpoint_every),
                 "--seed", str(self.seed)]
        if self.precision == "fp32":
            args.append("--no-amp")
        if self.threads:
            args += ["--threads", str(self.threads)]
        return args

    def with_auto_intervals(self) -> TrainSettings:
        """A copy with intervals left at 0 filled in: ~10 evals, ~5 samples, ~4 checkpoints.

        Periodic checkpoints let a crashed run resume and the prompt box sample mid-run.
        """
        return dataclasses.replace(
            self,
            eval_every=self.eval_every or max(1, self.steps // 10),
            sample_every=self.sample_every or max(1, self.steps // 5),
            checkpoint_every=self.checkpoint_every or max(1, self.steps // 4),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form, stored in the run folder."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainSettings:
        """Read settings back, ignoring keys a newer Studio may have added."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def differences(self, other: TrainSettings) -> list[tuple[str, Any, Any]]:
        """``(name, mine, theirs)`` for every setting that differs from ``other``."""
        mine, theirs = self.to_dict(), other.to_dict()
        return [(k, mine[k], theirs[k]) for k in mine if mine[k] != theirs[k]]


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} {value!r} must be one of {', '.join(allowed)}")
