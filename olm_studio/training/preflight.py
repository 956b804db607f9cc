"""Checks before a run starts, each saying what to change.

A run that dies after a minute of data preparation because the vocabulary is too small,
or that swaps the machine to death, teaches nothing. So before Train starts a child, the
panel asks :func:`check_run` and shows its problems:

* the model itself is valid (``olm.graph.validate``);
* the tokenizer's ids fit the model's embedding and head (vocabulary);
* the sequence length fits the positional scheme (a learned or sinusoidal table ends at
  its ``max_seq_len``; rotary positions extend, so that is only a warning);
* the model, its gradients, AdamW's two moments and the activations fit the device.

The model is built on the ``meta`` device, so even a 405B document is checked instantly.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import torch
from torch import nn

from olm.core import init_args
from olm_studio.training.settings import BYTE_VOCAB, TrainSettings

__all__ = ["Problem", "check_run", "tokenizer_vocab", "device_memory", "resolve_device",
           "training_memory", "ModelFacts", "model_facts"]

# Positional schemes that cannot produce a position past their max_seq_len.
_BOUNDED_POSITIONS = ("AbsolutePositionalEmbedding", "SinusoidalPositionalEmbedding")
_GB = 1024**3


@dataclass
class Problem:
    """One thing wrong (or risky) with a planned run.

    Args:
        severity: "error" blocks the run; "warning" is shown but the run may start.
        message: what is wrong, in numbers.
        fix: what to change.
    """

    severity: Literal["error", "warning"]
    message: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.message} — {self.fix}" if self.fix else self.message


@dataclass
class ModelFacts:
    """What the checks need to know about a model, read from its modules.

    Args:
        params: parameter count (tied weights once).
        vocab_sizes: ``(where, vocab)`` for every token embedding and output head.
        position_limits: ``(where, class name, max_seq_len)`` for every module with one.
        embed_dim: model width (0 when no embedding was found).
        layers: number of attention layers.
        heads: attention heads per layer (the largest seen).
    """

    params: int
    vocab_sizes: list[tuple[str, int]]
    position_limits: list[tuple[str, str, int]]
    embed_dim: int
    layers: int
    heads: int


def model_facts(module: nn.Module) -> ModelFacts:
    """Read vocabulary, positions and size off a (meta) module tree."""
    vocab, limits = [], []
    embed_dim = layers = heads = 0
    for name, sub in module.named_modules():
        args = _args(sub)
        family = getattr(type(sub), "family", None)
        where = f"{type(sub).__name__} ({name or 'model'})"
        if family in ("embedding", "head") and isinstance(args.get("vocab_size"), int):
            vocab.append((where, args["vocab_size"]))
            embed_dim = embed_dim or int(args.get("embedding_dim", args.get("embed_dim", 0)) or 0)
        if isinstance(args.get("max_seq_len"), int):
            limits.append((where, type(sub).__name__, args["max_seq_len"]))
        if family == "attention":
            layers += 1
            heads = max(heads, int(args.get("num_heads", 1) or 1))
    params = sum(p.numel() for p in module.parameters())
    return ModelFacts(params, vocab, limits, embed_dim, layers, heads)


def _args(module: nn.Module) -> dict[str, Any]:
    try:
        return init_args(module)
    except (TypeError, AttributeError, KeyError):
        return {}


def tokenizer_vocab(settings: TrainSettings) -> int:
    """How many ids the chosen tokenizer can produce."""
    if settings.tokenizer_kind == "bpe":
        return settings.bpe_vocab
    if settings.tokenizer_kind == "file":
        from tokenizers import Tokenizer

        try:
            return Tokenizer.from_file(settings.tokenizer_path).get_vocab_size(with_added_tokens=True)
        except Exception as err:  # tokenizers raises its own Exception type
            raise ValueError(f"cannot read tokenizer {settings.tokenizer_path}: {err}") from None
    return BYTE_VOCAB


def resolve_device(device: str) -> str:
    """``auto`` → cuda, then mps, then cpu (what `olm train` picks)."""
    if device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def _system_memory() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def device_memory(device: str) -> int | None:
    """Bytes a run may use on ``device`` (resolved), or ``None`` when the device is absent."""
    if device == "cuda":
        if not torch.cuda.is_available():
            return None
        free, _total = torch.cuda.mem_get_info()
        return int(free)
    if device == "mps":
        if not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            return None
        recommended = getattr(torch.mps, "recommended_max_memory", None)
        return int(recommended()) if recommended else _system_memory()
    return _system_memory()


def training_memory(facts: ModelFacts, settings: TrainSettings, vocab: int,
                    device: str = "cpu") -> int:
    """A rough upper estimate of the bytes training needs.

    Weights, gradients and AdamW's two moments are 16 bytes per parameter in fp32. The
    activations kept for backward are about 34 values per token per width per layer
    (Korthikanti et al., 2022, "Reducing Activation Recomputation"), plus the attention
    scores and the logits with their gradient.
    """
    tokens = settings.batch_size * settings.seq_len
    # bf16 autocast only happens on CUDA; CPU and MPS keep fp32 activations.
    act_bytes = 2 if device.startswith("cuda") and settings.precision != "fp32" else 4
    activations = facts.layers * tokens * facts.embed_dim * 34 * act_bytes // 2
    scores = facts.layers * settings.batch_size * facts.heads * settings.seq_len**2 * act_bytes
    logits = 3 * tokens * vocab * 4
    return 16 * facts.params + activations + scores + logits


def _check_validity(graph: Any) -> list[Problem]:
    import olm.graph

    problems = []
    for diag in olm.graph.validate(graph):
        if str(getattr(diag, "severity", "")).lower().endswith("error"):
            text = getattr(diag, "message", str(diag))
            problems.append(Problem("error", f"the model is not valid: {text}",
                                    "fix it in the editor (see the Diagnostics tab)"))
    return problems


def _check_vocab(facts: ModelFacts, settings: TrainSettings) -> list[Problem]:
    try:
        vocab = tokenizer_vocab(settings)
    except ValueError as err:
        return [Problem("error", str(err), "choose a valid tokenizer.json")]
    problems = []
    for where, size in facts.vocab_sizes:
        if size < vocab:
            problems.append(Problem(
                "error", f"the tokenizer produces {vocab} ids but {where} has vocab_size {size}",
                f"set vocab_size to at least {vocab}, or use a tokenizer with at most "
                f"{size} ids (e.g. BPE vocab {size})"))
    if not facts.vocab_sizes:
        problems.append(Problem("error", "the model has no token embedding or output head",
                                "add an Embedding at the start and an OutputHead at the end"))
    return problems


def _check_positions(facts: ModelFacts, settings: TrainSettings) -> list[Problem]:
    problems = []
    for where, cls, limit in facts.position_limits:
        if settings.seq_len <= limit:
            continue
        if cls in _BOUNDED_POSITIONS:
            problems.append(Problem(
                "error", f"sequence length {settings.seq_len} exceeds {where} max_seq_len {limit}",
                f"lower the sequence length to {limit} or raise max_seq_len"))
        else:
            problems.append(Problem(
                "warning", f"sequence length {settings.seq_len} is beyond {where} "
                           f"max_seq_len {limit}", "rotary positions extend, but check max_seq_len"))
    return problems


def _check_memory(facts: ModelFacts, settings: TrainSettings,
                  memory_of: Callable[[str], int | None]) -> list[Problem]:
    device = resolve_device(settings.device)
    available = memory_of(device)
    if available is None:
        return [Problem("error", f"device {device!r} is not available on this machine",
                        "choose device auto or cpu")]
    vocab = max([v for _w, v in facts.vocab_sizes] or [BYTE_VOCAB])
    needed = training_memory(facts, settings, vocab, device)
    text = (f"training needs about {needed / _GB:.2f} GB on {device} "
            f"({facts.params:,} parameters) but about {available / _GB:.2f} GB is free")
    fix = "use a smaller model, batch size or sequence length"
    if available and needed > available:
        return [Problem("error", text, fix)]
    if available and needed > 0.8 * available:
        return [Problem("warning", text.replace(" but ", " and only "), fix)]
    return []


def _check_precision(settings: TrainSettings) -> list[Problem]:
    device = resolve_device(settings.device)
    if settings.precision == "bf16" and not device.startswith("cuda"):
        return [Problem("warning", f"bf16 autocast runs only on CUDA: on {device} the run "
                                   "trains in fp32", "choose precision auto or fp32")]
    return []


def check_run(graph: Any, settings: TrainSettings,
              memory_of: Callable[[str], int | None] = device_memory) -> list[Problem]:
    """Every problem with training ``graph`` under ``settings``; errors first.

    Args:
        graph: an ``olm.graph`` document.
        settings: the planned run.
        memory_of: bytes usable on a device, ``None`` if absent (tests pass their own).
    """
    import olm.graph
    from olm.core.errors import OLMError

    try:
        settings.validate()
    except OLMError as err:
        return [Problem("error", str(err), "correct the setting")]
    problems = _check_validity(graph)
    if problems:
        return problems
    try:
        with torch.device("meta"):
            module = olm.graph.build(graph, device="meta", check=False)
        figures = olm.graph.stats(graph, seq_len=settings.seq_len)
    except (OLMError, ValueError, TypeError) as err:
        return [Problem("error", f"the model cannot be built: {err}", "fix it in the editor")]
    facts = model_facts(module)
    if figures.complete:
        facts.params = figures.total_params
    problems = (_check_vocab(facts, settings) + _check_positions(facts, settings)
                + _check_memory(facts, settings, memory_of) + _check_precision(settings))
    return sorted(problems, key=lambda p: p.severity != "error")
