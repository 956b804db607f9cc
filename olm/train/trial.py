"""Trial scale: a smaller copy of a model, same recipe, sized to train within a budget.

``olm train SOURCE --trial [--budget 3m]`` and the Studio's "Train at trial scale" train a
copy of SOURCE in which every component, its type and its options stay as they are
(norms, attention kind, RoPE settings, activation, tying, MoE routing...) and only the
size variables change, by these rules:

* **vocabulary** = the tokenizer's (``vocab_size``);
* **context** = the run's sequence length (``max_seq_len``);
* **width** ``embed_dim``: the largest on a ladder (64, 96, 128, 192, 256, 384, 512, ...,
  never above the original) whose estimated run time fits the budget;
* **depth** ``num_layers``: the original's depth-to-width ratio at the new width
  (``L * d / D``), at least 2 (or the original's, if smaller);
* **heads**: head size ``min(original head size, 32 below width 256, else 64)``, the count
  rounded to a multiple of the GQA group (``num_heads / num_kv_heads``) so the group
  ratio is kept; ``num_kv_heads = num_heads / group``; ``head_dim`` follows;
* **FFN and expert widths** (``hidden_dim``) scale with the width (``F * d / D``, a
  multiple of 8); the number of experts and ``top_k`` are recipe and stay.

A variable the document does not have is left alone; a size written as a number in a node
(a canvas edit such as the lesson's "3 KV heads") is rescaled by the same rules with its
ratios kept (:mod:`olm.train.trial_nodes`), and the copy is built on the ``meta`` device
before it is used. The time of
each candidate is :func:`olm.train.estimate.estimate_step` (FLOPs over the measured
device throughput, then a measured probe of the chosen size). A budget bounds the wall
time: when even the smallest copy cannot train the steps asked for within it, the run
trains as many as fit (and says so in its note), and the run gets a ``max_time`` (the
budget less the time spent sizing it) at which it stops cleanly with a checkpoint.
"""

from __future__ import annotations

import time
from typing import Any

from olm.core.errors import ConfigError
from olm.store.layout import ORIGINAL_DOCUMENT, TRIAL_DOCUMENT
from olm.train.config import TrainConfig
from olm.train.derived import derived_settings, replace_settings

__all__ = ["trial_graph", "trial_config", "trial_sizes", "check_buildable", "WIDTHS",
           "BUDGET_SHARE",
           "TRIAL_DOCUMENT", "ORIGINAL_DOCUMENT"]

WIDTHS = (64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096)
"""The widths a trial may take, smallest first."""
BUDGET_SHARE = 0.6
"""Share of the budget the training steps may use (data, evaluation and start-up take the rest)."""


def _round_to(value: float, multiple: int) -> int:
    return max(multiple, int(round(value / multiple)) * multiple)


def trial_sizes(env: dict[str, Any], width: int, vocab: int, seq_len: int) -> dict[str, int]:
    """The variables of the trial copy at ``width`` (see the module's rules)."""
    d0 = int(env.get("embed_dim") or width)
    sizes: dict[str, int] = {"vocab_size": vocab}
    if "max_seq_len" in env:
        sizes["max_seq_len"] = seq_len
    if "embed_dim" not in env:
        return sizes
    heads0 = int(env.get("num_heads") or 1)
    kv0 = int(env.get("num_kv_heads") or heads0)
    group = max(1, heads0 // max(1, kv0))
    head0 = int(env.get("head_dim") or d0 // heads0)
    head = min(head0, 32 if width < 256 else 64)
    heads = max(group, (width // max(1, head)) // group * group)
    while heads > group and (width % heads or (width // heads) % 2):
        heads -= group
    width = heads * max(2, (width // heads) // 2 * 2)
    sizes["embed_dim"] = width
    if "num_heads" in env:
        sizes["num_heads"] = heads
    if "num_kv_heads" in env:
        sizes["num_kv_heads"] = max(1, heads // group)
    if "head_dim" in env:
        sizes["head_dim"] = width // heads
    if "num_layers" in env:
        layers0 = int(env["num_layers"])
        sizes["num_layers"] = max(min(2, layers0), min(layers0, round(layers0 * width / d0)))
    if "hidden_dim" in env:
        sizes["hidden_dim"] = _round_to(int(env["hidden_dim"]) * width / d0, 8)
    return sizes


def _candidate(graph: Any, sizes: dict[str, int]) -> Any:
    """``graph`` with the trial's variables, then every size written as a number in a node
    rescaled with its ratios kept (:mod:`olm.train.trial_nodes`)."""
    from olm.graph.overrides import apply_overrides
    from olm.train.trial_nodes import rescale_nodes

    return rescale_nodes(graph, apply_overrides(graph, sizes).copy())


def check_buildable(graph: Any) -> None:
    """Build ``graph`` on the ``meta`` device (no weights allocated): the copy a run will
    train must exist before anyone says it is ready.

    Raises:
        ConfigError: it cannot be built; the message names the component's rule.
    """
    import torch

    import olm.graph

    try:
        with torch.device("meta"):
            olm.graph.build(graph, device="meta", check=False)
    except (ConfigError, ValueError, TypeError) as err:
        raise ConfigError(f"--trial: the trial-scale copy of {graph.name} cannot be "
                          f"built: {err}") from None


def trial_graph(graph: Any, config: TrainConfig, vocab: int, device: Any,
                probe: bool = True) -> tuple[Any, float]:
    """The trial-scale copy of ``graph`` for ``config`` on ``device`` and its estimated
    seconds per step. Widths are tried from the largest below the original's down."""
    from olm.train.estimate import estimate_step

    env, _ = graph.variable_values()
    d0 = int(env.get("embed_dim") or WIDTHS[0])
    widths = [w for w in WIDTHS if w <= d0] or [d0]
    limit = config.budget_seconds * BUDGET_SHARE
    best = None
    for width in reversed(widths):
        candidate = _candidate(graph, trial_sizes(env, width, vocab, config.seq_len))
        est = estimate_step(candidate, config, device, vocab, probe=False)
        best = (candidate, est.step_seconds)
        if est.total_seconds <= limit:
            break
    assert best is not None
    candidate, step = best
    if probe:  # measure the chosen size; one width down if the measurement says so
        step = estimate_step(candidate, config, device, vocab).step_seconds
        index = widths.index(int(candidate.variable_values()[0].get("embed_dim", d0))) \
            if "embed_dim" in env else 0
        while step * config.steps > limit and index > 0:
            index -= 1
            candidate = _candidate(graph, trial_sizes(env, widths[index], vocab,
                                                      config.seq_len))
            step = estimate_step(candidate, config, device, vocab).step_seconds
    check_buildable(candidate)
    return candidate, step


def trial_config(graph: Any, config: TrainConfig, folder: str | None = None,
                 probe: bool = True, began: float | None = None) -> tuple[TrainConfig, str]:
    """The run that trains ``graph``'s trial copy instead, and one line saying what changed.

    Both documents are written (atomically) to the run folder (``config.out``, else
    ``folder``, else a fresh temporary folder) as :data:`TRIAL_DOCUMENT` and
    :data:`ORIGINAL_DOCUMENT`; the returned config's source is the trial document, with
    ``--set``/``--fit-vocab`` already applied to it. The steps asked for are kept when they
    fit the budget, else as many as fit (warm-up shortened in proportion), and its
    ``max_time`` ends the run by the budget whatever the estimate said.

    Args:
        began: ``time.perf_counter()`` when the budget started (``olm train``: when the
            command started, so loading torch and the model counts); default: now.
    """
    import tempfile
    from pathlib import Path

    from olm.graph import save, stats
    from olm.train.device import resolve_device
    from olm.train.source import run_graph, tokenizer_vocab

    began = time.perf_counter() if began is None else began  # when the budget started
    original = run_graph(graph, config)
    vocab = tokenizer_vocab(config.tokenizer)
    device = resolve_device(config.device)
    trial, step = trial_graph(original, config, vocab, device, probe=probe)
    steps = config.steps
    limit = config.budget_seconds * BUDGET_SHARE
    over = step * steps > limit  # even the smallest width: fewer steps fit the budget
    if over:
        steps = max(1, int(limit // max(step, 1e-9)))
    where = Path(config.out or folder or tempfile.mkdtemp(prefix="olm-trial-"))
    where.mkdir(parents=True, exist_ok=True)
    save(original, where / ORIGINAL_DOCUMENT)
    save(trial, where / TRIAL_DOCUMENT)
    before, after = stats(original, seq_len=config.seq_len), stats(trial, seq_len=config.seq_len)
    env0, env1 = original.variable_values()[0], trial.variable_values()[0]
    changed = ", ".join(f"{k} {env0[k]}→{v}" for k, v in env1.items()
                        if k in env0 and env0[k] != v)
    cut = (f"; even the smallest copy needs about {_minutes(step * config.steps)} for "
           f"{config.steps} steps: training {steps} steps to fit the budget") if over else ""
    note = (f"{before.total_params:,} → {after.total_params:,} parameters "
            f"({changed or 'same sizes'}); about {step:.3f} s per step, {steps} steps in "
            f"budget {config.budget}{cut}")
    if not trial.nodes:
        raise ConfigError("--trial: the model is empty")
    changes: dict[str, Any] = dict(source=str(where / TRIAL_DOCUMENT), sets=[],
                                   fit_vocab=False, steps=steps,
                                   max_time=_max_time(config, time.perf_counter() - began))
    if steps != config.steps and config.warmup_steps != derived_settings(config)[
            "warmup_steps"]:  # a warmup given by hand shrinks with the steps
        changes["warmup_steps"] = config.warmup_steps * steps // config.steps
    return replace_settings(config, **changes), note  # a derived warmup follows the steps


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _max_time(config: TrainConfig, spent: float) -> str:
    """The wall time left to the run itself: the budget less the sizing already spent,
    or the run's own ``max_time`` when that is shorter. The estimate can be wrong (a
    loaded machine, a slow start); this bound is not."""
    left = max(1.0, config.budget_seconds - spent)
    own = config.max_time_seconds
    return f"{min(left, own) if own is not None else left:.1f}s"
