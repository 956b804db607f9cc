"""``olm sweep SOURCE [SOURCE2] --sizes K``: loss against compute, and the curve through it.

K sizes of SOURCE from the trial-scale ladder, each trained to the same tokens per
parameter within ``--budget``, then ``L(C) = E + A*C^-alpha`` fitted through the compute
the runs actually used (:mod:`olm.experiment.sweep`), with its residuals and the loss it
predicts at 10x and 100x the largest run. Two SOURCEs share the budget and the output
says where their curves cross.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from olm.core.errors import ConfigError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    from olm.cli.compare import add_shared_flags

    p = subparsers.add_parser(
        "sweep", help="train a model at several sizes and fit loss against compute",
        description="Train SOURCE at K trial-scale sizes to the same tokens per parameter "
                    "and fit L(C) = E + A*C^-alpha.")
    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="preset name, .olm.json or .py (one or two)")
    p.add_argument("--sizes", type=int, default=3, help="how many sizes (default 3)")
    p.add_argument("--tokens-per-param", type=float, default=20.0,
                   help="training tokens per parameter for every size (default 20)")
    add_shared_flags(p, "4m")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from olm.cli.compare import base_config, experiment_folder, run_all, say
    from olm.experiment.results import write_json_atomic
    from olm.experiment.stats import sci
    from olm.experiment.sweep import describe, plan_sweep, sweep_json, two_curves
    from olm.graph import from_source

    start = time.perf_counter()
    if len(args.sources) > 2:
        raise ConfigError(f"sweep takes one or two SOURCEs, got {len(args.sources)}")
    if args.json is not None:
        from olm.store.run_lock import check_output_path

        check_output_path("--json", args.json, folder=False)
    folder = experiment_folder(args.out, "olm-sweep-")
    config = base_config(args, args.sources[0], 100)
    budget = config.budget_seconds
    share = budget / len(args.sources)
    outputs = []
    for i, source in enumerate(args.sources):
        name = Path(source).name.removesuffix(".olm.json").removesuffix(".py")
        left = budget - (time.perf_counter() - start)
        plan = plan_sweep(name, from_source(source), config, args.sizes,
                          args.tokens_per_param, budget_seconds=min(share, left),
                          started=start if i == 0 else None)
        say(f"olm sweep: {name}: {args.sizes} sizes, "
            + ", ".join(f"{m.params:,} params x {m.steps} steps" for m in plan.models))
        results = run_all(plan, folder / f"{i}-{name}", args.progress_json, len(plan.models))
        data = sweep_json(plan, results)
        data["name"] = name
        outputs.append(data)
        print(describe(name, data))
        if any(r.status == "stopped" for r in results):
            break
    out = dict(outputs[0])
    if len(outputs) == 2:
        cross = two_curves(outputs[0], outputs[1])
        out["second"] = outputs[1]
        out["crossing"] = cross
        names = f"{outputs[0]['name']} and {outputs[1]['name']}"
        print(f"{names}: the fitted curves cross at {sci(cross)} FLOPs" if cross
              else f"{names}: the fitted curves do not cross")
    out["seconds"] = time.perf_counter() - start
    write_json_atomic(folder / "sweep.json", out)
    if args.json is not None:
        write_json_atomic(args.json, out)
    say(f"olm sweep: {out['seconds']:.0f} s for a budget of {budget:.0f} s; runs in {folder}")
    return 0 if any(o.get("fit") for o in outputs) else 1
