"""The settings of one training run, as a validated dataclass.

This is the one definition of a run's settings: ``olm train`` derives its flags (and
their help text, from each field's metadata) from these fields, ``olm train --config``
reads them from a JSON file, a checkpoint records them, and the Studio edits one and
hands it to its child as a file. Every rule is checked in ``__post_init__`` and broken
ones raise a :class:`ConfigError` that names the field.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from olm.core.errors import ConfigError
from olm.data.corpus import DEFAULT_MAX_BYTES
from olm.store.record import is_record, settings_of
from olm.train.derived import default_min_lr, default_warmup
from olm.train.device_names import parse_device

if TYPE_CHECKING:  # a module source is only ever a torch module; torch loads lazily
    pass

__all__ = ["TrainConfig", "CONFIG_FORMAT"]

CONFIG_FORMAT = 1
"""The ``format`` a config file may carry (``olm train --config``)."""
_MAX_CONFIG_BYTES = 1_000_000


def _f(default: Any, help: str, **cli: Any) -> Any:
    """A field whose metadata carries its command-line help (and, in ``cli``, a flag name
    when not derived from the field's, ``choices``, or ``zero_is_none``)."""
    meta = {"help": help, **cli}
    if isinstance(default, (list, dict, tuple)):  # a fresh copy for every config
        return dataclasses.field(default_factory=lambda: copy.deepcopy(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def _finite(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {value!r}")


def _seconds(name: str, text: Any) -> float:
    """A duration ("90s", "3m", "1.5h" or a plain number of seconds) in seconds.

    Raises:
        ConfigError: not a positive, finite time (the message names ``name``).
    """
    low = str(text).strip().lower()
    scale = {"s": 1, "m": 60, "h": 3600}.get(low[-1:], None)
    number = low[:-1] if scale else low
    try:
        value = float(number) * (scale or 1)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} must be a positive time such as 90s, 3m or 1h, got "
                          f"{text!r}")
    return value


def _positive(name: str, value: Any, allow_zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be an integer, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ConfigError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value}")




def _is_module(value: Any) -> bool:
    """A torch module (checked without importing torch when none can exist yet)."""
    import sys

    torch_nn = sys.modules.get("torch.nn")
    return torch_nn is not None and isinstance(value, torch_nn.Module)
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
        events (str | None): where ``olm train`` writes the events as JSON lines ("-":
            stdout; None: nowhere). The loop itself only yields them.
        resume (str | None): run or checkpoint folder to continue from.
        eval_every (int): steps between validation losses (0: only at the end).
        eval_batches (int): validation batches per evaluation.
        sample_every (int): steps between sample texts (0: never).
        sample_prompt (str): the prompt samples continue.
        sample_tokens (int): new tokens per sample.
        checkpoint_every (int): steps between checkpoints (0: only at the end).
        keep_checkpoints (int): how many step checkpoints to keep (the newest).
        log_every (int): steps between ``step`` events (each reads the loss: one sync).
        telemetry (int): steps between ``telemetry`` events (per-node statistics of the
            run's graph, see ``olm.train.telemetry``; 0: off).
        max_corpus_bytes (int | None): cap on the corpus read.
        val_fraction (float): share of tokens held out for validation.
        threads (int | None): torch CPU threads (None: torch's default).
        init_from (str | None): start from these pretrained weights (a Hugging Face
            folder, project, checkpoint or GGUF file; see ``olm.train.finetune``).
        freeze (list[str]): node ids or module paths whose weights do not train.
        drop_layers (str): with ``init_from`` and a SOURCE with fewer layers, which go:
            "last", "first" or "every" (evenly spread).
    """

    source: str | Any | None = _f(  # str, or an nn.Module (torch stays unimported)
        None, "preset name, .olm.json or .py (optional with --resume or --init-from)")
    data: str = _f("builtin", "'builtin' (stdlib sources), a text file or a folder")
    tokenizer: str = _f("byte", "byte | bpe:N | path to tokenizer.json")
    steps: int = _f(1000, "total optimizer steps")
    batch_size: int = _f(8, "sequences per micro-batch (per process)")
    seq_len: int = _f(256, "tokens per sequence")
    grad_accum: int = _f(1, "micro-batches per step")
    lr: float = _f(3e-4, "peak learning rate (3e-5 by default with --init-from)")
    min_lr: float | None = _f(None, "final learning rate (default lr/10)")
    warmup_steps: int | None = _f(None, "default min(100, steps/10); min(20, steps/20) with "
                                        "--init-from")
    schedule: str = _f("cosine", "cosine (warmup then cosine) | constant",
                        choices=("cosine", "constant"))
    weight_decay: float = _f(0.1, "AdamW weight decay on matrices")
    betas: tuple[float, float] = _f((0.9, 0.95), "AdamW betas (two numbers)")
    grad_clip: float | None = _f(1.0, "clip norm ('off' disables)", zero_is_none=True)
    device: str = _f("auto", "auto | cpu | cuda | cuda:N | mps")
    use_amp: bool = _f(True, "bf16 autocast on CUDA (--no-amp: train in fp32)", flag="--amp")
    compile: bool = _f(False, "torch.compile the model")  # noqa: A003
    seed: int = _f(0, "seeds initialisation, data order and dropout")
    out: str | None = _f(None, "run folder for checkpoints")
    events: str | None = _f(None, "JSON-lines event file ('-' for stdout)")
    resume: str | None = _f(None, "run or checkpoint folder to continue from (its settings "
                                  "are restored; flags given override them)")
    eval_every: int = _f(100, "steps between validation losses (0: only at the end)")
    eval_batches: int = _f(8, "validation batches per evaluation")
    sample_every: int = _f(0, "steps between sample texts (0: off)")
    sample_prompt: str = _f("def ", "the prompt samples continue")
    sample_tokens: int = _f(64, "new tokens per sample")
    checkpoint_every: int = _f(0, "steps between checkpoints (0: only at the end)")
    keep_checkpoints: int = _f(2, "how many step checkpoints to keep (the newest)")
    log_every: int = _f(1, "steps between step events")
    telemetry: int = _f(0, "steps between per-node telemetry events (0: off)")
    max_corpus_bytes: int | None = _f(DEFAULT_MAX_BYTES, f"cap on the corpus read "
                                                         f"(default {DEFAULT_MAX_BYTES})")
    val_fraction: float = _f(0.05, "share of tokens held out for validation")
    threads: int | None = _f(None, "torch CPU threads (default: torch's)")
    init_from: str | None = _f(None, "fine-tune: start from these weights (Hugging Face folder, "
                                     "NAME.olm.json with weights beside it, checkpoint or run "
                                     "folder, .gguf); SOURCE may then be omitted, or an edited "
                                     "model that keeps what fits")
    freeze: list[str] = _f([], "do not train this node id or module path (repeatable)",
                           repeat=True, metavar="NODE")
    drop_layers: str = _f("last", "with --init-from and a SOURCE with fewer layers: which to "
                                  "drop (more layers duplicate the pretrained ones)",
                          choices=("last", "first", "every"))
    sets: list[str] = _f([], "change a model variable of SOURCE (repeatable), e.g. --set "
                             "embed_dim=256 --set num_layers=4", flag="--set", repeat=True,
                         metavar="NAME=VALUE")
    fit_vocab: bool = _f(False, "set the model's vocab_size to the tokenizer's (a larger "
                                "vocabulary only wastes parameters)")
    checkpoint_activations: bool = _f(False, "recompute each layer's activations in backward "
                                             "(less memory, about a third more compute)")
    trial: bool = _f(False, "train a smaller copy of SOURCE (same recipe) sized to finish "
                            "within --budget on this machine")
    budget: str = _f("3m", "with --trial: the time the run should take (90s, 3m, 1h)")
    max_time: str | None = _f(None, "stop cleanly with a checkpoint once the run has taken "
                                    "this long (90s, 3m, 1h); --resume goes on")

    def __post_init__(self) -> None:
        if self.source is None and self.resume is None and self.init_from is None:
            raise ConfigError("source is required (a preset, .olm.json or .py) unless resuming")
        for name in ("steps", "batch_size", "seq_len", "grad_accum", "eval_batches",
                     "log_every", "keep_checkpoints"):
            _positive(name, getattr(self, name))
        for name in ("telemetry", "eval_every", "sample_every", "sample_tokens", "checkpoint_every", "seed"):
            _positive(name, getattr(self, name), allow_zero=True)
        if self.warmup_steps is None:
            self.warmup_steps = default_warmup(self.steps, self.init_from)
        _positive("warmup_steps", self.warmup_steps, allow_zero=True)
        for name in ("lr", "weight_decay", "val_fraction"):
            _finite(name, getattr(self, name))
        for name in ("min_lr", "grad_clip"):
            if getattr(self, name) is not None:
                _finite(name, getattr(self, name))
        if not self.lr > 0:
            raise ConfigError(f"lr must be > 0, got {self.lr}")
        if self.min_lr is None:
            self.min_lr = default_min_lr(self.lr)
        if not 0 <= self.min_lr <= self.lr:
            raise ConfigError(f"min_lr {self.min_lr} must be in [0, lr={self.lr}]")
        if self.schedule not in ("cosine", "constant"):
            raise ConfigError(f"schedule must be 'cosine' or 'constant', got {self.schedule!r}")
        if self.weight_decay < 0:
            raise ConfigError(f"weight_decay must be >= 0, got {self.weight_decay}")
        if self.grad_clip is not None and not self.grad_clip > 0:
            raise ConfigError(f"grad_clip must be > 0 or None, got {self.grad_clip}")
        parse_device(self.device)  # the one device grammar; availability is checked later
        if not 0 < self.val_fraction <= 0.5:
            raise ConfigError(f"val_fraction must be in (0, 0.5], got {self.val_fraction}")
        if self.threads is not None:
            _positive("threads", self.threads)
        if (not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2
                or not all(isinstance(b, (int, float)) and not isinstance(b, bool)
                           and 0 <= b < 1 for b in self.betas)):
            raise ConfigError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        self.betas = tuple(float(b) for b in self.betas)
        for name in ("data", "tokenizer", "schedule", "device", "sample_prompt"):
            if not isinstance(getattr(self, name), str):
                raise ConfigError(f"{name} must be a string, got {getattr(self, name)!r}")
        for name in ("out", "resume", "events", "init_from"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                raise ConfigError(f"{name} must be a path (a string), got {getattr(self, name)!r}")
        for name in ("use_amp", "compile"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be true or false, got {getattr(self, name)!r}")
        if self.max_corpus_bytes is not None:
            _positive("max_corpus_bytes", self.max_corpus_bytes)
        if not isinstance(self.freeze, (list, tuple)) or not all(
                isinstance(n, str) for n in self.freeze):
            raise ConfigError(f"freeze must be a list of node ids or module paths, got "
                              f"{self.freeze!r}")
        self.freeze = list(self.freeze)
        if not isinstance(self.sets, (list, tuple)) or not all(
                isinstance(n, str) for n in self.sets):
            raise ConfigError(f"sets must be a list of NAME=VALUE texts, got {self.sets!r}")
        self.sets = list(self.sets)
        if self.sets:
            from olm.graph.overrides import parse_sets

            parse_sets(self.sets)  # a malformed one is refused now, naming it
        for name in ("fit_vocab", "checkpoint_activations", "trial"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be true or false, got {getattr(self, name)!r}")
        self.budget_seconds  # noqa: B018 (validates the budget text)
        self.max_time_seconds  # noqa: B018 (and the max_time text)
        if self.drop_layers not in ("last", "first", "every"):
            raise ConfigError(f"drop_layers must be 'last', 'first' or 'every', got "
                              f"{self.drop_layers!r}")

    @property
    def budget_seconds(self) -> float:
        """``budget`` in seconds ("90s", "3m", "1.5h" or a plain number of seconds)."""
        return _seconds("budget", self.budget)

    @property
    def max_time_seconds(self) -> float | None:
        """``max_time`` in seconds, or None: the wall time after which the run stops."""
        return None if self.max_time is None else _seconds("max_time", self.max_time)

    def to_json(self) -> dict:
        """The JSON-able fields (a module source becomes None), for events and checkpoints."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if _is_module(value):
                value = None
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_json(cls, data: dict, **overrides: Any) -> TrainConfig:
        """Rebuild from :meth:`to_json` output (a checkpoint's record), with overrides.

        Unknown keys are ignored here: a checkpoint written by a newer olm still resumes.
        A file a person wrote goes through :meth:`from_file`, which refuses them.
        """
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs.update(overrides)
        return cls(**kwargs)

    @staticmethod
    def read_file(path: str | os.PathLike[str]) -> dict[str, Any]:
        """The settings in a JSON config file, checked but not yet validated as a whole.

        The file is one JSON object of :class:`TrainConfig` field names (an optional
        ``"format": 1`` aside), or a run record (:mod:`olm.store.record`), whose settings
        are read; an unknown key is refused, naming the keys that exist.

        Raises:
            ConfigError: the file is missing, too large, not JSON, or has unknown keys.
        """
        p = os.fspath(path)
        if not os.path.isfile(p):
            raise ConfigError(f"config {p}: no such file")
        if os.path.getsize(p) > _MAX_CONFIG_BYTES:
            raise ConfigError(f"config {p} is larger than {_MAX_CONFIG_BYTES} bytes")
        try:
            with open(p, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as err:
            raise ConfigError(f"config {p} is not valid JSON: {err}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"config {p} must be a JSON object of settings")
        if is_record(data):  # a run record (RUN/record.json): its settings
            data = settings_of(data, p)
        data = dict(data)
        fmt = data.pop("format", CONFIG_FORMAT)
        if fmt != CONFIG_FORMAT:
            raise ConfigError(f"config {p} has format {fmt!r}; this olm reads {CONFIG_FORMAT}")
        names = [f.name for f in dataclasses.fields(TrainConfig)]
        unknown = sorted(k for k in data if k not in names)
        if unknown:
            raise ConfigError(f"config {p}: unknown setting{'s' * (len(unknown) > 1)} "
                              f"{', '.join(map(repr, unknown))}; known: {', '.join(names)}")
        return data

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **overrides: Any) -> TrainConfig:
        """A validated config from a JSON file (see :meth:`read_file`), with overrides."""
        return cls(**{**cls.read_file(path), **overrides})

    def write_file(self, path: str | os.PathLike[str]) -> None:
        """Write the JSON config file ``olm train --config`` reads (atomically)."""
        if _is_module(self.source):
            raise ConfigError("a config whose source is a module cannot be written to a file")
        data = {"format": CONFIG_FORMAT, **self.to_json()}
        target = os.fspath(path)
        tmp = f"{target}.tmp-{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
        os.replace(tmp, target)
