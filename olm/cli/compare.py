"""``olm compare A B [C ...]``: which model is better at equal compute, with intervals.

Each SOURCE (preset, ``.olm.json`` or ``.py``) trains at trial scale, several seeds each,
to the same training compute (``--equal flops``, the default) or tokens, all within one
``--budget``; the table gives each model's final validation loss with its 95% interval
over seeds, the compute its runs actually used, and its difference from the first model
in plain words (:mod:`olm.experiment`). ``--lesson`` compares GPT-2 with each step of the
"Modernise GPT-2" lesson instead, each step against the one before. Every run keeps its
folder under ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from olm.core.errors import ConfigError

__all__ = ["register", "run", "add_shared_flags", "base_config", "experiment_folder"]


def add_shared_flags(p: argparse.ArgumentParser, budget: str) -> None:
    """The settings ``olm compare`` and ``olm sweep`` share (names as in ``olm train``)."""
    p.add_argument("--budget", default=budget, help=f"time for the whole experiment (default "
                                                    f"{budget}; 90s, 3m, 1h)")
    p.add_argument("--json", default=None, metavar="PATH", help="write the results as JSON")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="experiment folder (runs, experiment.json, report.md); default: a "
                        "new temporary folder")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                   help="change a variable of every SOURCE (repeatable)")
    p.add_argument("--data", default="builtin", help="'builtin', a text file or a folder")
    p.add_argument("--tokenizer", default="byte", help="byte | bpe:N | tokenizer.json")
    p.add_argument("--batch-size", type=int, default=8, help="sequences per step")
    p.add_argument("--seq-len", type=int, default=128, help="tokens per sequence")
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N | mps")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--fit-vocab", action="store_true",
                   help="set each model's vocab_size to the tokenizer's (the trial sizing "
                        "does so for models with a vocab_size variable)")
    p.add_argument("--eval-batches", type=int, default=8,
                   help="validation batches for each final loss")
    p.add_argument("--progress-json", action="store_true",
                   help="print each finished run as a JSON line on stdout (for the Studio)")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "compare", help="compare models at equal compute, several seeds, with intervals",
        description="Train each SOURCE at trial scale to equal compute with several seeds and "
                    "report each model's validation loss with its 95% interval and its "
                    "difference from the first.")
    p.add_argument("sources", nargs="*", metavar="SOURCE",
                   help="preset name, .olm.json or .py (the first is the reference)")
    p.add_argument("--lesson", action="store_true",
                   help="compare GPT-2 with each 'Modernise GPT-2' step's model")
    p.add_argument("--seeds", type=int, default=3, help="runs per model (default 3)")
    p.add_argument("--equal", default="flops", choices=("flops", "tokens", "params"),
                   help="what every model gets the same of (default flops)")
    p.add_argument("--steps", type=int, default=300,
                   help="steps the trial sizing aims each run at (the compute split then "
                        "sets each run's steps)")
    add_shared_flags(p, "3m")
    p.set_defaults(func=run)


def base_config(args: argparse.Namespace, source: str, steps: int):
    """The settings every run of the experiment shares."""
    from olm.train.config import TrainConfig

    return TrainConfig(source=source, data=args.data, tokenizer=args.tokenizer, steps=steps,
                       batch_size=args.batch_size, seq_len=args.seq_len, lr=args.lr,
                       device=args.device, threads=args.threads, budget=args.budget,
                       eval_batches=args.eval_batches, sets=list(args.sets),
                       fit_vocab=args.fit_vocab)


def experiment_folder(out: str | None, prefix: str) -> Path:
    """The experiment folder: ``--out`` (created), else a fresh temporary one."""
    from olm.store.run_lock import check_output_path

    if out is None:
        return Path(tempfile.mkdtemp(prefix=prefix))
    check_output_path("--out", out, folder=True)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sources(args: argparse.Namespace) -> tuple[list[tuple[str, Any]], bool]:
    from olm.graph import from_source

    if args.lesson:
        if args.sources:
            raise ConfigError("--lesson compares the lesson's own models: give no SOURCE")
        from olm.experiment.lesson import lesson_models

        return lesson_models(), True
    if len(args.sources) < 2:
        raise ConfigError("compare needs at least two SOURCEs (or --lesson)")
    names = [Path(s).name.removesuffix(".olm.json").removesuffix(".py") for s in args.sources]
    return [(n, from_source(s)) for n, s in zip(names, args.sources)], False


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_all(plan: Any, folder: Path, progress_json: bool, total: int,
            deadline: float | None = None) -> list:
    """Train the plan's runs, printing each as it finishes. SIGINT/SIGTERM (the Studio's
    Cancel) stop the run in progress cleanly and start no other; the finished ones stay
    and are reported."""
    from olm.experiment.runner import run_plan
    from olm.experiment.stats import sci
    from olm.train.signals import StopFlag

    results = []
    with StopFlag() as stop:
        for result in run_plan(plan, folder, lambda: stop.requested is not None, deadline):
            results.append(result)
            if progress_json:
                print(json.dumps(result.to_json()), flush=True)
            loss = ("failed: " + str(result.reason)) if result.val_loss is None \
                else f"val loss {result.val_loss:.4f}"
            say(f"run {len(results)}/{total}: {result.model} seed {result.seed}: {loss}, "
                f"{sci(result.tokens)} tokens, {sci(result.flops)} FLOPs, {result.seconds:.1f} s")
            if result.status == "stopped" or stop.requested is not None:
                plan.notes.append(f"cancelled after {len(results)} of {total} runs")
                break
    return results


def run(args: argparse.Namespace) -> int:
    import time

    from olm.experiment.plan import check_request, plan_experiment
    from olm.experiment.results import (
        public_json,
        table,
        to_json,
        write_experiment,
        write_json_atomic,
    )
    from olm.experiment.stats import sci

    start = time.perf_counter()
    if args.json is not None:
        from olm.store.run_lock import check_output_path

        check_output_path("--json", args.json, folder=False)
    sources, chain = _sources(args)
    check_request(len(sources), args.seeds, args.equal)
    folder = experiment_folder(args.out, "olm-compare-")
    config = base_config(args, "GPT2", args.steps)
    say(f"olm compare: sizing {len(sources)} models at trial scale for {args.budget} "
        f"({args.seeds} seeds each, equal {args.equal})")
    plan = plan_experiment(sources, config, args.seeds, args.equal, started=start)
    for m in plan.models:
        say(f"  {m.name}: {m.params:,} parameters, {sci(m.flops_per_token)} FLOPs/token, "
            f"{m.steps} steps of {m.step_seconds * 1000:.0f} ms")
    for note in plan.notes:
        say(f"olm compare: note: {note}")
    total = len(plan.models) * len(plan.seeds)
    results = run_all(plan, folder, args.progress_json, total,
                      deadline=start + plan.budget_seconds * 1.05)
    data = to_json(plan, results, chain=chain)
    data["seconds"] = time.perf_counter() - start
    write_experiment(folder, data, "Lesson: what each swap buys" if chain else "Comparison")
    if args.json is not None:
        write_json_atomic(args.json, public_json(data))
    print(table(data, chain=chain))
    say(f"olm compare: {data['seconds']:.0f} s for a budget of {plan.budget_seconds:.0f} s; "
        f"runs and report in {folder}")
    return 0 if any(r.val_loss is not None for r in results) else 1
