"""A scaling sweep: one recipe at several sizes, each trained to the same tokens per
parameter, and the power law through the points.

The sizes are consecutive rungs of the trial-scale ladder (:data:`olm.train.trial.WIDTHS`,
with depth, heads and FFN width following by the trial rules), from the smallest up,
as many as asked. Each trains ``tokens_per_param x params`` tokens (20 by default, the
compute-optimal ratio of Hoffmann et al. 2022); when the budget cannot pay for that
ratio, the largest ratio it can pay for is used instead and the result says so. The fit
(:func:`olm.experiment.scaling.fit_power_law`) is through the compute each run actually
used and its final validation loss.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from olm.core.errors import ConfigError
from olm.experiment.plan import (
    TRAIN_SHARE,
    Plan,
    PlannedModel,
    at_width,
    choose_threads,
    figures,
    ladder,
    measure_runs,
)
from olm.experiment.runner import RunResult
from olm.experiment.scaling import PowerLaw, crossing, fit_power_law
from olm.experiment.stats import sci
from olm.train.config import TrainConfig

__all__ = ["plan_sweep", "sweep_json", "two_curves", "TOKENS_PER_PARAM", "PREDICT_AT"]

TOKENS_PER_PARAM = 20.0
PREDICT_AT = (10, 100)
"""Predictions at these multiples of the largest compute run."""


def plan_sweep(name: str, graph: Any, config: TrainConfig, sizes: int,
               tokens_per_param: float = TOKENS_PER_PARAM,
               budget_seconds: float | None = None, started: float | None = None) -> Plan:
    """The runs of a sweep of ``graph`` at ``sizes`` sizes within ``config.budget``
    (or ``budget_seconds``, this source's share when several are swept).

    Raises:
        ConfigError: fewer than three sizes (a three-parameter fit), a ladder too short,
            a non-positive ratio.
    """
    from olm.train.device import resolve_device
    from olm.train.preflight import tokenizer_vocab
    from olm.train.source import run_graph

    start = time.perf_counter() if started is None else started
    if isinstance(sizes, bool) or not isinstance(sizes, int) or sizes < 3:
        raise ConfigError(f"--sizes must be at least 3 (the fit has three unknowns), got "
                          f"{sizes!r}")
    if not tokens_per_param > 0:
        raise ConfigError(f"--tokens-per-param must be > 0, got {tokens_per_param}")
    budget = budget_seconds or config.budget_seconds
    vocab = tokenizer_vocab(config.tokenizer)
    device = resolve_device(config.device)
    original = run_graph(graph, config, vocab)
    rungs = ladder(original)
    if "embed_dim" not in original.variable_values()[0] or len(rungs) < sizes:
        raise ConfigError(f"sweep: {name} has {len(rungs)} trial sizes (an embed_dim "
                          f"variable of at least {64 * 2 ** ((sizes - 1) // 2)} is needed for "
                          f"{sizes}); ask for fewer --sizes")
    models = []
    for width in rungs[:sizes]:
        trial = at_width(original, width, vocab, config.seq_len)
        params, fpt, kv = figures(trial, config.seq_len)
        models.append(PlannedModel(f"{name} d={width}", original, trial, params, fpt, kv, 0.0))
    threads = choose_threads(models[0], config, device, vocab)
    if threads is not None:
        config = dataclasses.replace(config, threads=threads)
    overhead = measure_runs(models, config, device, vocab)
    tps = config.batch_size * config.seq_len * config.grad_accum
    train = budget * TRAIN_SHARE - (time.perf_counter() - start) - sizes * overhead
    notes = [] if threads is None else [
        "this busy CPU trains faster on one thread than on torch's default: every run uses "
        "--threads 1"]
    if train < budget * 0.1:
        notes.append(f"start-up and evaluation take about {overhead:.1f} s a run, most of the "
                     "budget: give a larger --budget")
        train = budget * 0.1
    seconds_per_ratio = sum(m.params / tps * m.step_seconds for m in models)
    ratio = min(tokens_per_param, train / seconds_per_ratio)
    if ratio < tokens_per_param:
        notes.append(f"the budget pays for {ratio:.2g} tokens per parameter, not "
                     f"{tokens_per_param:g}: the points are under-trained alike")
    for m in models:
        m.steps = max(1, round(ratio * m.params / tps))
    planned = sum(m.steps * m.step_seconds + overhead for m in models)
    cfg = dataclasses.replace(config, budget=f"{budget:.3f}s")
    return Plan(models, [0], "tokens-per-param", cfg, budget, planned, notes, overhead)


def sweep_json(plan: Plan, results: list[RunResult]) -> dict:
    """``{"points", "fit", "predicted"}`` from what the runs actually trained."""
    points = []
    for r in results:
        if r.val_loss is None:
            continue
        m = plan.models[r.index]
        points.append({"name": m.name, "params": m.params, "flops": r.flops,
                       "tokens": r.tokens, "val_loss": r.val_loss})
    out: dict[str, Any] = {"points": points, "fit": None, "predicted": [],
                           "residuals": [], "notes": list(plan.notes)}
    if len(points) < 3:
        out["notes"].append(f"only {len(points)} runs finished: no fit")
        return out
    fit = fit_power_law([p["flops"] for p in points], [p["val_loss"] for p in points])
    top = max(p["flops"] for p in points)
    out["fit"] = fit.to_json()
    out["residuals"] = list(fit.residuals)
    out["predicted"] = [{"flops": top * k, "val_loss": fit(top * k)} for k in PREDICT_AT]
    if not fit.alpha > 0:
        out["notes"].append("the fitted exponent is not positive: the sizes are too close or "
                            "too little trained to show a trend")
    return out


def two_curves(first: dict, second: dict) -> float | None:
    """The compute where two sweeps' fitted curves cross (None: no fit, or no crossing)."""
    if not first.get("fit") or not second.get("fit"):
        return None
    a = PowerLaw(**first["fit"])
    b = PowerLaw(**second["fit"])
    return crossing(a, b)


def describe(name: str, data: dict) -> str:
    """The sweep in words: the points, the fit, its residuals and predictions."""
    lines = [f"{name}:"]
    for p in data["points"]:
        lines.append(f"  {p['params']:>10,} params  {sci(p['tokens']):>7} tokens  "
                     f"{sci(p['flops']):>7} FLOPs  val loss {p['val_loss']:.4f}")
    fit = data.get("fit")
    if fit:
        lines.append(f"  fit: L(C) = {fit['E']:.3f} + {fit['A']:.4g} * C^-{fit['alpha']:.4f}  "
                     f"(residuals {', '.join(f'{r:+.4f}' for r in data['residuals'])})")
        for p in data["predicted"]:
            lines.append(f"  predicted at {sci(p['flops'])} FLOPs: {p['val_loss']:.4f}")
    lines.extend(f"  note: {n}" for n in data.get("notes", []))
    return "\n".join(lines)
