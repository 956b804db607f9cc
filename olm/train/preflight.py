"""Checks before a run starts, each saying what to change: one set, used by everyone.

A run that dies after a minute of data preparation because the vocabulary is too small,
or that swaps the machine to death, teaches nothing. :func:`preflight` looks at a graph
document and a :class:`TrainConfig` and lists what is wrong, from the library's own rules:

* the model is valid at this sequence length (``olm.graph.validate(graph, seq_len=...)``:
  a learned or sinusoidal position table shorter than ``seq_len`` is an error there);
* the training data exists;
* the tokenizer's ids fit the model's embedding (the same rule ``olm train`` enforces,
  :func:`olm.train.setup.check_vocab`);
* the device exists (:func:`olm.train.device.resolve_device`);
* the model, its gradients, AdamW's two moments and the activations fit that device.

The model is built on the ``meta`` device, so even a 405B document is checked at once.
The Studio shows these problems under its Train form; it has no checks of its own.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
from torch import nn

from olm.core import init_args
from olm.core.errors import OLMError
from olm.train.config import TrainConfig
from olm.train.device import resolve_device
from olm.train.source import BYTE_VOCAB as _BYTE_VOCAB
from olm.train.source import tokenizer_vocab

__all__ = ["Problem", "ModelFacts", "preflight", "plan_run", "model_facts", "tokenizer_vocab",
           "device_memory", "training_memory", "TRIAL_OFF_WITH_WEIGHTS"]

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
    """What the size estimate needs to know about a model, read from its modules.

    Args:
        params: parameter count (tied weights once).
        vocab: the vocabulary the model embeds (None without an embedding).
        embed_dim: model width (0 when no embedding was found).
        layers: number of attention layers.
        heads: attention heads per layer (the largest seen).
    """

    params: int
    vocab: int | None
    embed_dim: int
    layers: int
    heads: int


def _args(module: nn.Module) -> dict[str, Any]:
    try:
        return init_args(module)
    except (TypeError, AttributeError, KeyError):
        return {}


def model_facts(module: nn.Module) -> ModelFacts:
    """Width, depth, heads and vocabulary read off a (meta) module tree."""
    from olm.graph.synonyms import first_value
    from olm.train.setup import model_vocab_size

    embed_dim = layers = heads = 0
    for sub in module.modules():
        args = _args(sub)
        family = getattr(type(sub), "family", None)
        if family in ("embedding", "head") and isinstance(args.get("vocab_size"), int):
            embed_dim = embed_dim or int(first_value(args, "embed_dim", 0) or 0)
        if family == "attention":
            layers += 1
            heads = max(heads, int(args.get("num_heads", 1) or 1))
    params = sum(p.numel() for p in module.parameters())
    return ModelFacts(params, model_vocab_size(module), embed_dim, layers, heads)


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


def device_memory(device: torch.device) -> int | None:
    """Bytes a run may use on ``device``, or None when the device is absent."""
    if device.type == "cuda":
        if not torch.cuda.is_available():
            return None
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    if device.type == "mps":
        recommended = getattr(getattr(torch, "mps", None), "recommended_max_memory", None)
        return int(recommended()) if recommended else _system_memory()
    return _system_memory()


def training_memory(facts: ModelFacts, config: TrainConfig, vocab: int,
                    device: torch.device) -> int:
    """A rough upper estimate of the bytes training needs.

    Weights, gradients and AdamW's two moments are 16 bytes per parameter in fp32. The
    activations kept for backward are about 34 values per token per width per layer
    (Korthikanti et al., 2022, "Reducing Activation Recomputation"), plus the attention
    scores and the logits with their gradient. With ``checkpoint_activations`` only each
    layer's input is kept, plus one layer's insides while it is recomputed.
    """
    tokens = config.batch_size * config.seq_len
    # bf16 autocast only happens on CUDA; CPU and MPS keep fp32 activations.
    act_bytes = 2 if device.type == "cuda" and config.use_amp else 4
    per_layer = tokens * facts.embed_dim * 34 * act_bytes // 2
    per_layer += config.batch_size * facts.heads * config.seq_len**2 * act_bytes
    if getattr(config, "checkpoint_activations", False):
        activations = facts.layers * tokens * facts.embed_dim * act_bytes + per_layer
    else:
        activations = facts.layers * per_layer
    logits = 3 * tokens * vocab * 4
    return 16 * facts.params + activations + logits


class _Tokenizer:
    """What :func:`check_vocab` reads of a tokenizer, without building one."""

    def __init__(self, spec: str, vocab_size: int) -> None:
        self.spec, self.vocab_size = spec, vocab_size


def _check_vocab(module: nn.Module, config: TrainConfig) -> list[Problem]:
    """Smaller model vocabulary than the tokenizer's: error; larger: a warning (wasted
    embedding and head rows that never see a token), fixed by ``--fit-vocab``."""
    from olm.train.setup import check_vocab, model_vocab_size

    try:
        vocab = tokenizer_vocab(config.tokenizer)
        check_vocab(module, _Tokenizer(config.tokenizer, vocab))
    except OLMError as err:
        return [Problem("error", str(err),
                        "choose another tokenizer, or fit the vocabulary (--fit-vocab)")]
    model_vocab = model_vocab_size(module)
    if model_vocab is not None and model_vocab > vocab:
        return [Problem("warning", f"the model's vocabulary is {model_vocab:,} but tokenizer "
                                   f"{config.tokenizer!r} has {vocab:,} tokens: "
                                   f"{model_vocab - vocab:,} rows never train",
                        f"fit the vocabulary to {vocab} (--fit-vocab)")]
    return []


def _check_data(config: TrainConfig) -> list[Problem]:
    if config.data == "builtin":
        return []
    if not config.data.strip():
        return [Problem("error", "no training data chosen", "choose a text file or folder")]
    if not Path(config.data).exists():
        return [Problem("error", f"data {config.data}: no such file or folder",
                        "choose an existing text file or folder")]
    return []


def _check_memory(facts: ModelFacts, config: TrainConfig, device: torch.device,
                  memory_of: Callable[[torch.device], int | None]) -> list[Problem]:
    available = memory_of(device)
    if available is None:
        return [Problem("error", f"device {str(device)!r} is not available on this machine",
                        "choose device auto or cpu")]
    try:
        vocab = tokenizer_vocab(config.tokenizer)
    except OLMError:
        vocab = facts.vocab or _BYTE_VOCAB
    needed = training_memory(facts, config, max(vocab, facts.vocab or 0), device)
    text = (f"training needs about {needed / _GB:.2f} GB on {device} "
            f"({facts.params:,} parameters) but about {available / _GB:.2f} GB is free")
    fix = _memory_fix(facts, config, max(vocab, facts.vocab or 0), device, available)
    if available and needed > available:
        return [Problem("error", text, fix)]
    if available and needed > 0.8 * available:
        return [Problem("warning", text.replace(" but ", " and only "), fix)]
    return []


def _memory_fix(facts: ModelFacts, config: TrainConfig, vocab: int, device: torch.device,
                available: int | None) -> str:
    """The settings that fit: activation checkpointing, then a smaller batch with more
    accumulation (same tokens per step), else a smaller model or ``--trial``."""
    import dataclasses

    def fits(**change: Any) -> bool:
        trial = dataclasses.replace(config, **change)
        return not available or training_memory(facts, trial, vocab, device) <= available

    if not config.checkpoint_activations and fits(checkpoint_activations=True):
        return "add --checkpoint-activations (recomputes activations in backward)"
    batch = config.batch_size
    while batch > 1:
        batch //= 2
        accum = config.grad_accum * config.batch_size // batch
        if fits(batch_size=batch, grad_accum=accum):
            return (f"use a smaller batch: --batch-size {batch} --grad-accum {accum} (same "
                    "tokens per step)"
                    + ("" if config.checkpoint_activations else
                       " or --checkpoint-activations"))
    return "use a smaller model (--trial, or --set embed_dim=... --set num_layers=...) " \
           "or a shorter --seq-len"


def _check_time(graph: Any, config: TrainConfig, device: torch.device, facts: ModelFacts,
                vocab: int) -> list[Problem]:
    from olm.train.estimate import WARN_SECONDS, estimate_step

    if config.trial:  # sized to its budget by olm.train.trial
        return []
    est = estimate_step(graph, config, device, min(vocab, facts.vocab or vocab))
    if est.total_seconds <= WARN_SECONDS:
        return []
    return [Problem("warning", f"{config.steps} steps will take about "
                               f"{_duration(est.total_seconds)} on {device} "
                               f"({est.step_seconds:.2f} s per step, {est.method} estimate)",
                    "train a smaller copy with the same recipe (--trial), or fewer --steps")]


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _trial_copy(graph: Any, config: TrainConfig) -> Any:
    """The trial-scale copy ``olm train --trial`` would train (sized by FLOPs, without the
    probe; :func:`olm.train.trial.trial_graph` builds it on the meta device)."""
    from olm.train.trial import trial_graph

    try:
        device = resolve_device(config.device)
    except OLMError:
        device = torch.device("cpu")  # the device problem is reported below
    copy, _ = trial_graph(graph, config, tokenizer_vocab(config.tokenizer), device,
                          probe=False)
    return copy


def preflight(graph: Any, config: TrainConfig,
              memory_of: Callable[[torch.device], int | None] = device_memory,
              timing: bool = True) -> list[Problem]:
    """Every problem with training ``graph`` under ``config``; errors first.

    Args:
        graph: an ``olm.graph`` document (the run's ``--set``/``--fit-vocab`` apply to it).
        config: the planned run (already valid: a :class:`TrainConfig` checks itself).
        memory_of: bytes usable on a device, None if absent (tests pass their own).
        timing: estimate the run's time (:mod:`olm.train.estimate`; may run a short
            probe) and warn above a few minutes.
    """
    import olm.graph
    from olm.train.source import run_graph

    if config.init_from and config.trial:  # what the run does (plan_run): no trial copy
        config = dataclasses.replace(config, trial=False)
    try:
        graph = run_graph(graph, config)
        if config.trial:  # check the exact copy the run will train, not the original
            graph = _trial_copy(graph, config)
    except OLMError as err:
        return [Problem("error", str(err), "correct the --set or vocabulary setting"
                        if not config.trial else "change the model or train it without "
                        "trial scale")]

    problems = [Problem("error", f"the model is not valid: {d.message}",
                        "fix it in the editor (see the Diagnostics tab)")
                for d in olm.graph.validate(graph, seq_len=config.seq_len)
                if d.severity == "error"]
    try:
        with torch.device("meta"):
            module = olm.graph.build(graph, device="meta", check=False)
        figures = olm.graph.stats(graph, seq_len=config.seq_len)
    except (OLMError, ValueError, TypeError) as err:
        return problems or [Problem("error", f"the model cannot be built: {err}",
                                    "fix it in the editor")]
    facts = model_facts(module)
    if figures.complete:
        facts.params = figures.total_params
    problems += _check_data(config)
    if not config.init_from:  # a run from weights takes their own tokenizer
        problems += _check_vocab(module, config)
    try:
        device = resolve_device(config.device)
    except OLMError as err:
        problems.append(Problem("error", str(err), "choose device auto or cpu"))
    else:
        if not config.trial:  # a trial copy is sized to the machine: the original may not fit
            problems += _check_memory(facts, config, device, memory_of)
        elif memory_of(device) is None:
            problems.append(Problem("error", f"device {str(device)!r} is not available on "
                                             "this machine", "choose device auto or cpu"))
        if timing and not any(p.severity == "error" for p in problems):
            try:
                vocab = tokenizer_vocab(config.tokenizer)
            except OLMError:
                vocab = facts.vocab or _BYTE_VOCAB
            if config.init_from:  # the weights' own tokenizer fills their vocabulary
                vocab = facts.vocab or vocab
            problems += _check_time(graph, config, device, facts, vocab)
    return sorted(problems, key=lambda p: p.severity != "error")


TRIAL_OFF_WITH_WEIGHTS = ("off: a run from pretrained weights (--init-from) trains them at "
                          "their own size; a smaller copy would throw the weights away")
"""The line ``olm train`` prints when ``--trial`` meets ``--init-from``."""


def plan_run(config: TrainConfig, began: float | None = None
             ) -> tuple[TrainConfig, list[Problem], str | None]:
    """What ``olm train`` checks before a fresh run of a named SOURCE.

    Returns the config to run (with ``trial`` set, one whose source is the trial-scale
    copy, :func:`olm.train.trial.trial_config`), the pre-flight problems, and a line
    saying what the trial scale changed (None without ``trial``). Trial scale never
    applies to a run that starts from weights: it is turned off, and the line says so.
    Resumed, fine-tuned and module sources are checked by the run itself. ``began``
    (``time.perf_counter()``) is when the command started: the trial's budget counts
    from there.
    """
    if config.init_from and config.trial:  # never a silent smaller copy of the weights
        return dataclasses.replace(config, trial=False), [], TRIAL_OFF_WITH_WEIGHTS
    if not isinstance(config.source, str) or config.resume or config.init_from:
        return config, [], None
    from olm.graph import from_source

    graph = from_source(config.source)
    note = None
    checked, timing = config, True
    if config.trial:
        from olm.train.trial import trial_config

        if int(os.environ.get("WORLD_SIZE", "1")) > 1:
            raise OLMError("--trial picks sizes by timing this machine, which each process "
                           "would do differently: run it without torchrun")
        config, note = trial_config(graph, config, began=began)  # writes both documents
        graph = from_source(config.source)
        # the trial document is what trains: check it as it is, memory included
        checked, timing = dataclasses.replace(config, trial=False), False  # sized already
    return config, preflight(graph, checked, timing=timing), note
