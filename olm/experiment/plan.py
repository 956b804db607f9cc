"""Planning a comparison: each model's trial-scale copy, and the steps that equalise compute.

Every model is sized by the trial-scale rules (:mod:`olm.train.trial`, the rules of
``olm train --trial``) for its share of the budget, then all are brought to the one
width the smallest of them got, so a recipe is not compared with a bigger model of
another recipe (``--equal params`` instead picks, per model, the ladder width whose
parameter count is nearest the first model's). Throughput is measured by the trial
sizing's probe (:func:`olm.train.estimate.estimate_step`). The steps of each run then
split the training share of the budget so that every model gets:

* ``flops`` (default): the same training FLOPs, ``flops/token (olm.graph.stats) x tokens``;
* ``tokens`` or ``params``: the same number of tokens.

Each seed of each model is one run; the seed fixes initialisation and the data order,
which is the same for every model (``olm.data``'s batches depend on the seed and step
only), so the runs of one seed can be compared pair by pair.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from olm.core.errors import ConfigError
from olm.train.config import TrainConfig

__all__ = ["PlannedModel", "Plan", "plan_experiment", "check_request", "at_width", "ladder",
           "figures", "measure_runs", "choose_threads", "match_flops", "EQUAL", "MIN_STEPS"]

EQUAL = ("flops", "tokens", "params")
MIN_STEPS = 20
"""Fewer steps than this make a comparison of little worth (the warm-up alone is 10%)."""
TRAIN_SHARE = 0.8
"""Share of the budget the runs (steps, start-up, evaluation) are planned to fill; the
rest absorbs a machine that turns out slower than measured."""
EVAL_SHARE = 0.5
"""A validation batch's cost relative to a training step (forward only, no optimizer)."""
THREADS_MARGIN = 1.5
"""One thread is chosen only when it is this many times faster than the default."""
RUN_FIXED_SECONDS = 0.5
"""A run's fixed cost besides data, building and evaluation (events, the final checkpoint)."""


@dataclass
class PlannedModel:
    """One model of an experiment, at the size it will train.

    Args:
        name: how tables and verdicts name it.
        original: the SOURCE's document (with ``--set`` applied).
        graph: the trial-scale copy that trains.
        params: the copy's parameters.
        flops_per_token: its training FLOPs per token at the run's sequence length.
        kv_bytes_per_token: its KV cache per token (``olm.graph.stats``).
        step_seconds: measured seconds per optimizer step.
        steps: planned optimizer steps per run.
    """

    name: str
    original: Any
    graph: Any
    params: int
    flops_per_token: int
    kv_bytes_per_token: int
    step_seconds: float
    steps: int = 0


@dataclass
class Plan:
    """What an experiment will run.

    Args:
        models: in the order given (the first is the reference).
        seeds: the seeds every model trains with.
        equal: the quantity matched ("flops", "tokens" or "params").
        config: the settings every run shares (source, steps and seed set per run).
        budget_seconds: the whole experiment's budget.
        planned_seconds: the training time the plan expects.
        notes: what the plan had to compromise on, in words.
        overhead_seconds: a run's measured time outside its steps.
    """

    models: list[PlannedModel]
    seeds: list[int]
    equal: str
    config: TrainConfig
    budget_seconds: float
    planned_seconds: float
    notes: list[str] = field(default_factory=list)
    overhead_seconds: float = 0.0

    @property
    def tokens_per_step(self) -> int:
        cfg = self.config
        return cfg.batch_size * cfg.seq_len * cfg.grad_accum


def figures(graph: Any, seq_len: int) -> tuple[int, int, int]:
    """(parameters, training FLOPs per token, KV cache bytes per token), from the one
    owner of those figures, ``olm.graph.stats``."""
    from olm.graph import stats

    s = stats(graph, seq_len=seq_len)
    return s.total_params, s.training_flops_per_token, s.kv_cache_bytes_per_token


def _width(graph: Any) -> int | None:
    value = graph.variable_values()[0].get("embed_dim")
    return None if value is None else int(value)


def at_width(original: Any, width: int, vocab: int, seq_len: int) -> Any:
    """``original`` at one rung of the trial ladder (the trial rules at a given width)."""
    from olm.graph.overrides import apply_overrides
    from olm.train.trial import trial_sizes

    env = original.variable_values()[0]
    return apply_overrides(original, trial_sizes(env, width, vocab, seq_len))


def ladder(original: Any) -> list[int]:
    """The trial widths ``original`` may take (never above its own), smallest first."""
    from olm.train.trial import WIDTHS

    d0 = _width(original) or WIDTHS[0]
    return [w for w in WIDTHS if w <= d0] or [d0]


def check_request(models: int, seeds: int, equal: str) -> None:
    """Refuse an experiment that cannot be planned, naming the setting."""
    if models < 1:
        raise ConfigError("compare: name at least one SOURCE (a preset, .olm.json or .py)")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ConfigError(f"--seeds must be a whole number >= 1, got {seeds!r}")
    if equal not in EQUAL:
        raise ConfigError(f"--equal must be one of {', '.join(EQUAL)}, got {equal!r}")


def plan_experiment(sources: list[tuple[str, Any]], config: TrainConfig, seeds: int,
                    equal: Literal["flops", "tokens", "params"] = "flops",
                    same_width: bool = True, started: float | None = None) -> Plan:
    """Size every model and split ``config.budget`` among ``len(sources) * seeds`` runs.

    Args:
        sources: (name, document) pairs; the first is the reference.
        config: the shared settings; ``budget`` is the whole experiment's, ``steps`` the
            steps the trial sizing aims each run at.
        seeds: runs per model (seeds 0 .. seeds-1).
        equal: what to match.
        same_width: bring every model to the smallest width the trial sizing chose.
        started: when the experiment began (``time.perf_counter()``); the time spent
            before planning counts against the budget too.

    Raises:
        ConfigError: no sources, a bad ``seeds`` or ``equal``.
    """
    from olm.train.device import resolve_device
    from olm.train.preflight import tokenizer_vocab
    from olm.train.source import run_graph
    from olm.train.trial import trial_graph

    start = time.perf_counter() if started is None else started
    check_request(len(sources), seeds, equal)
    budget = config.budget_seconds
    runs = len(sources) * seeds
    per_run = dataclasses.replace(config, budget=f"{budget / runs:.3f}s")
    vocab = tokenizer_vocab(config.tokenizer)
    device = resolve_device(config.device)
    seq = config.seq_len

    originals = [(name, run_graph(graph, config, vocab)) for name, graph in sources]
    # sizes by the trial rules' FLOPs estimate; all the chosen copies are then measured
    # together (measure_runs), which replaces the trial sizing's probe of each
    sized = [trial_graph(g, per_run, vocab, device, probe=False) for _, g in originals]
    graphs = [g for g, _ in sized]
    widths = [w for w in (_width(g) for g in graphs) if w is not None]
    if equal == "params":
        target = figures(graphs[0], seq)[0]
        for i, (_, original) in enumerate(originals[1:], start=1):
            if _width(original) is None:
                continue
            options = [at_width(original, w, vocab, seq) for w in ladder(original)]
            graphs[i] = min(options, key=lambda g: abs(figures(g, seq)[0] - target))
    elif same_width and widths:
        common = min(widths)
        for i, (_, original) in enumerate(originals):
            if _width(graphs[i]) not in (None, common):
                rung = max([w for w in ladder(original) if w <= common] or [common])
                graphs[i] = at_width(original, rung, vocab, seq)
    models = []
    for (name, original), graph in zip(originals, graphs):
        params, fpt, kv = figures(graph, seq)
        models.append(PlannedModel(name, original, graph, params, fpt, kv, 0.0))
    threads = choose_threads(models[0], per_run, device, vocab)
    if threads is not None:
        config = dataclasses.replace(config, threads=threads)
        per_run = dataclasses.replace(per_run, threads=threads)
    overhead = measure_runs(models, per_run, device, vocab)

    tps = config.batch_size * seq * config.grad_accum
    planning = time.perf_counter() - start
    train_seconds = budget * TRAIN_SHARE - planning - runs * overhead
    notes: list[str] = []
    if threads is not None:
        notes.append("this busy CPU trains faster on one thread than on torch's default: "
                     "every run uses --threads 1")
    if train_seconds < budget * 0.1:
        notes.append(f"start-up and evaluation take about {overhead:.1f} s a run, most of the "
                     f"budget: give a larger --budget or fewer models or seeds")
        train_seconds = budget * 0.1
    if equal == "flops":
        match_flops(models, train_seconds / seeds, tps)
    else:
        steps = max(1, round(train_seconds / (seeds * sum(m.step_seconds for m in models))))
        for m in models:
            m.steps = steps
    fewest = min(m.steps for m in models)
    if fewest < MIN_STEPS:
        notes.append(f"the budget allows only {fewest} steps for a run: give a larger --budget "
                     f"or fewer models for a meaningful comparison")
    if equal == "flops":
        used = [m.steps * m.flops_per_token for m in models]
        spread = max(used) / min(used) - 1
        if spread > 0.05:
            notes.append(f"step rounding leaves the compute {spread:.0%} apart")
    planned = seeds * sum(m.steps * m.step_seconds + overhead for m in models)
    return Plan(models, list(range(seeds)), equal, config, budget, planned, notes, overhead)


def choose_threads(model: PlannedModel, config: TrainConfig, device: Any, vocab: int) -> int | None:
    """1 when the CPU is so busy (other processes) that one thread trains clearly faster
    than torch's default number, else None (keep the default). Measured, not guessed: a
    loaded machine makes multi-threaded steps wait on each other."""
    import torch

    from olm.graph import build
    from olm.train.estimate import probe_step_seconds

    if device.type != "cpu" or config.threads is not None or torch.get_num_threads() < 2:
        return None
    default = torch.get_num_threads()
    torch.manual_seed(0)
    module = build(model.graph)
    many = probe_step_seconds(module, config, vocab, device, max_seconds=0.3)
    torch.set_num_threads(1)
    try:
        one = probe_step_seconds(module, config, vocab, device, max_seconds=0.3)
    finally:
        torch.set_num_threads(default)
    return 1 if one * THREADS_MARGIN < many else None


def measure_runs(models: list[PlannedModel], config: TrainConfig, device: Any,
             vocab: int) -> float:
    """Measure each model's seconds per step (two interleaved probes, their mean, so a
    burst of load elsewhere on the machine hits every model alike) and return the
    seconds a run spends outside its steps (data, building, the final evaluation)."""
    import torch

    from olm.data import prepare_data
    from olm.graph import build
    from olm.train.estimate import probe_step_seconds

    if config.threads is not None:
        torch.set_num_threads(config.threads)
    t0 = time.perf_counter()
    prepare_data(config.data, config.tokenizer, config.max_corpus_bytes, config.val_fraction)
    data_seconds = time.perf_counter() - t0
    build(models[0].graph)  # the first build in a process pays one-off imports: not timed
    built, build_seconds = [], 0.0
    for m in models:
        t0 = time.perf_counter()
        torch.manual_seed(0)
        built.append(build(m.graph))
        build_seconds = max(build_seconds, time.perf_counter() - t0)
    setup = data_seconds + build_seconds
    times: list[list[float]] = [[] for _ in models]
    for _ in range(2):
        for i, module in enumerate(built):
            times[i].append(probe_step_seconds(module, config, vocab, device, max_seconds=0.6))
    for m, measured in zip(models, times):
        m.step_seconds = sum(measured) / len(measured)
    evaluation = max(m.step_seconds for m in models) * config.eval_batches * EVAL_SHARE
    return setup + evaluation + RUN_FIXED_SECONDS


def match_flops(models: list[PlannedModel], seconds: float, tokens_per_step: int) -> None:
    """Steps per run so every model trains the same FLOPs, filling ``seconds`` per seed.

    The ideal compute ``C`` fills the time; whole steps can only approximate it, so the
    reference's step count is searched downwards from its ideal for the one whose
    rounding leaves every model's compute closest to the reference's."""
    per_flop = sum(m.step_seconds / (m.flops_per_token * tokens_per_step) for m in models)
    compute = seconds / per_flop
    ideal = max(1, int(compute / (models[0].flops_per_token * tokens_per_step)))

    def steps_for(k: int) -> list[int]:
        target = k * models[0].flops_per_token
        return [max(1, round(target / m.flops_per_token)) for m in models]

    def spread(k: int) -> float:
        used = [s * m.flops_per_token for s, m in zip(steps_for(k), models)]
        return max(used) / min(used) - 1

    choices = range(ideal, max(0, int(ideal * 0.9)), -1)
    best = min(choices, key=lambda k: (spread(k) > 0.01, -k))
    for m, steps in zip(models, steps_for(best)):
        m.steps = steps
