"""Building what a run needs from its config: model, data, optimizer, schedule, state.

Kept apart from the loop in ``run.py`` so each file does one job: this one turns a
:class:`TrainConfig` into ready objects (and checks they fit together); the loop only
steps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from olm.core.errors import ConfigError, OLMError
from olm.data import PreparedData, prepare_data
from olm.store.checkpoint import Checkpoint, clean_leftovers, load, load_trainer_state
from olm.train.config import TrainConfig
from olm.train.finetune import freeze, start_from
from olm.train.optim import AdamW, param_groups
from olm.train.schedulers import WarmupCosineScheduler, WarmupLR
from olm.train.source import load_source

__all__ = ["model_vocab_size", "check_vocab", "build_model", "build_optimizer", "RunParts",
           "describe_failure"]


def model_vocab_size(model: nn.Module) -> int | None:
    """The vocabulary the model embeds (its first ``nn.Embedding``), or None if it has none."""
    for m in model.modules():
        if isinstance(m, nn.Embedding):
            return int(m.num_embeddings)
    return None


def check_vocab(model: nn.Module, tokenizer) -> None:
    """Refuse a tokenizer whose ids the model cannot embed, naming both fixes."""
    vocab = model_vocab_size(model)
    if vocab is not None and tokenizer.vocab_size > vocab:
        raise ConfigError(
            f"tokenizer {tokenizer.spec!r} has {tokenizer.vocab_size} tokens but the model's "
            f"vocabulary is {vocab}: use a tokenizer with at most {vocab} tokens "
            f"(e.g. --tokenizer byte, or bpe:{vocab}) or build the model with "
            f"vocab_size >= {tokenizer.vocab_size}"
        )


@torch.no_grad()
def check_seq_len(model: nn.Module, seq_len: int, vocab: int, device: torch.device) -> None:
    """One eval-mode forward of ``[1, seq_len]`` ids, so a too-long ``--seq-len`` (learned
    positions, a RoPE table) is a settings error now rather than a failed first step."""
    was = model.training
    model.eval()
    try:
        ids = torch.zeros(1, seq_len, dtype=torch.long, device=device).fill_(max(0, vocab - 1))
        model(ids)
    except (ValueError, IndexError) as err:
        text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ConfigError(f"the model cannot take --seq-len {seq_len}: {text}") from None
    finally:
        model.train(was)


def build_model(config: TrainConfig, ckpt: Checkpoint | None) -> tuple[Any, nn.Module]:
    """Seeded initialisation from the source; or the checkpoint's model when resuming."""
    torch.manual_seed(config.seed)
    if ckpt is not None:
        return ckpt.graph, ckpt.model
    return load_source(config.source, config)


def build_optimizer(model: nn.Module, config: TrainConfig):
    """AdamW over decay/no-decay groups plus the configured schedule."""
    opt = AdamW(param_groups(model, config.weight_decay), lr=config.lr, betas=config.betas)
    if config.schedule == "cosine":
        sched = WarmupCosineScheduler(opt, config.warmup_steps, config.steps, config.min_lr)
    else:
        sched = WarmupLR(opt, config.warmup_steps, start_lr=0.0)
    return opt, sched


@dataclass
class RunParts:
    """Everything a run holds besides its loop counters.

    Args:
        graph: the graph document (or None).
        model (nn.Module): the bare model, on its device.
        data (PreparedData): tokenizer and token splits.
        optimizer: AdamW.
        scheduler: the learning-rate schedule.
        start_step (int): optimizer steps already done (non-zero when resuming).
        state (dict): the resumed checkpoint's ``state.json`` (empty for a fresh run).
    """

    graph: Any
    model: nn.Module
    data: PreparedData
    optimizer: Any
    scheduler: Any
    start_step: int
    state: dict

    @classmethod
    def build(cls, config: TrainConfig, device: torch.device, is_main: bool = True,
              barrier=None) -> RunParts:
        """Build all parts; under DDP rank 0 tokenizes first and the others then read its cache."""
        if is_main and config.out is not None:
            clean_leftovers(config.out)  # what a killed save of this run left behind
        ckpt = load(config.resume, source=config.source) if config.resume else None
        tokenizer = config.tokenizer
        if ckpt is None and config.init_from is not None:  # fine-tuning: pretrained weights
            torch.manual_seed(config.seed)
            graph, model, pretrained_tokenizer, _ = start_from(config.init_from, config.source,
                                                               config.drop_layers)
            tokenizer = pretrained_tokenizer or tokenizer
        else:
            graph, model = build_model(config, ckpt)
        if ckpt is not None and ckpt.tokenizer is not None:
            tokenizer = ckpt.tokenizer
        freeze(model, graph, config.freeze)
        if barrier is not None and not is_main:
            barrier()
        data = prepare_data(config.data, tokenizer, config.max_corpus_bytes, config.val_fraction)
        if barrier is not None and is_main:
            barrier()
        check_vocab(model, data.tokenizer)
        data.train.check_fits(config.seq_len, "training")
        data.val.check_fits(config.seq_len, "validation")
        model.to(device)
        check_seq_len(model, config.seq_len, data.tokenizer.vocab_size, device)
        opt, sched = build_optimizer(model, config)
        state: dict = {}
        start = 0
        if ckpt is not None:
            state = load_trainer_state(ckpt.path, opt, sched)
            start = int(state.get("step", 0))
            if start > config.steps:
                raise ConfigError(f"checkpoint {ckpt.path} is at step {start}, past --steps "
                                  f"{config.steps}: raise --steps to continue")
        return cls(graph, model, data, opt, sched, start, state)


def describe_failure(err: BaseException) -> str:
    """One line for the end event and the CLI (not a traceback)."""
    if isinstance(err, OLMError):
        return str(err)
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}".rstrip(": ")
