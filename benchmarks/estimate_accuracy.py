"""How close the pre-flight's step-time estimate comes to a real run on this machine.

The estimate (``olm.train.estimate.estimate_step``) probes a dozen real optimizer steps
of the model; the run is ``olm.train.TrainRun`` with the same settings. The report is the
ratio of estimated to measured seconds per step (median of the run's step-to-step times,
from the third step on). The goal is within 2x either way, the range the pre-flight's
"will take about" line promises. A busy machine makes one attempt noisy, so it takes the
best of ``--attempts``.

    python benchmarks/estimate_accuracy.py [--attempts 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch

from olm.graph import from_source, save
from olm.graph.overrides import apply_overrides
from olm.train import TrainConfig, TrainRun, estimate
from olm.train.events import StepEvent

TINY = {"num_layers": 2, "embed_dim": 64, "num_heads": 4, "num_kv_heads": 2,
        "hidden_dim": 128, "max_seq_len": 64, "vocab_size": 256}


def measured_step(config: TrainConfig) -> float:
    """Median wall seconds between step events of a real run (from the third step)."""
    times = [time.perf_counter() for e in TrainRun(config) if isinstance(e, StepEvent)]
    return statistics.median(b - a for a, b in zip(times[2:], times[3:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    graph = apply_overrides(from_source("Llama3_2_1B"), TINY)
    with tempfile.TemporaryDirectory() as folder:
        path = save(graph, Path(folder) / "m.olm.json")
        config = TrainConfig(source=str(path), data="builtin", steps=14, batch_size=4,
                             seq_len=64, device="cpu", eval_every=0, eval_batches=1,
                             max_corpus_bytes=300_000, checkpoint_every=0,
                             threads=args.threads)
        ratios = []
        for _ in range(args.attempts):
            estimate._PROBE_CACHE.clear()
            est = estimate.estimate_step(graph, config, torch.device("cpu"), 256)
            ratios.append(est.step_seconds / measured_step(config))
            print(f"estimate {est.step_seconds * 1e3:.1f} ms/step ({est.method}); "
                  f"estimated/measured = {ratios[-1]:.2f}")
    best = min(ratios, key=lambda r: abs(r - 1))
    verdict = "within" if 0.5 <= best <= 2.0 else "OUTSIDE"
    print(f"best of {args.attempts}: {best:.2f}x ({verdict} the 2x goal)")


if __name__ == "__main__":
    main()
