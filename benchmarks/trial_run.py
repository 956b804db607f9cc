"""Trial run: pressing Train on the default GPT-2 with no settings touched, on this CPU.

The Studio's own default settings (``olm_studio.training.trial``: built-in corpus, byte
tokenizer, 300 steps, "Train at trial scale" on with a 3-minute budget) and its intervals
(``auto_intervals``) go through the same path as ``olm train``: the one pre-flight
(:func:`olm.train.preflight.plan_run`, which sizes the trial copy by the measured device)
then ``TrainRun``. It reports the wall time from pressing Train to the last step, and the
validation loss beside the corpus's unigram entropy: the loss of the best model that
ignores context. Ending below it means the model learned from context. The goal is below
the unigram entropy within 5 minutes on a 2-core CPU.

    python benchmarks/trial_run.py [--threads 2] [--device auto]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from olm.data import prepare_data
from olm.graph import from_source, save
from olm.train import TrainRun
from olm.train.events import EndEvent, EvalEvent, StartEvent, StepEvent
from olm.train.preflight import plan_run

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from olm_studio.training.trial import auto_intervals, default_config  # noqa: E402 (Qt-free)


def unigram_entropy(tokens: np.ndarray, vocab: int) -> float:
    """Entropy (nats) of the token frequencies: the loss floor of a context-free model."""
    counts = np.bincount(np.asarray(tokens), minlength=vocab).astype(np.float64)
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="the Studio's default is auto")
    ap.add_argument("--source", default="GPT2")
    ap.add_argument("--budget", default=None, help="the Studio's default (3m) unless given")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    folder = Path(tempfile.mkdtemp(prefix="olm-trial-run-"))
    save(from_source(args.source), folder / "model.olm.json")  # as the Studio's run folder
    config = dataclasses.replace(auto_intervals(default_config()),
                                 source=str(folder / "model.olm.json"), out=str(folder),
                                 device=args.device, threads=args.threads)
    if args.budget:
        config = dataclasses.replace(config, budget=args.budget)
    t_start = time.perf_counter()  # "pressing Train"
    config, problems, note = plan_run(config)
    print(f"trial scale: {note}")
    for p in problems:
        print(f"pre-flight {p.severity}: {p}")
    t_sized = time.perf_counter() - t_start
    h_uni = unigram_entropy(prepare_data(config.data, config.tokenizer).train.tokens, 256)
    print(f"unigram entropy of the corpus: {h_uni:.3f} nats/byte; sizing took {t_sized:.1f} s")
    print(f"{'step':>6} {'val loss':>9} {'vs unigram':>11} {'elapsed s':>10} {'tok/s':>8}")
    rate, end, below_at = 0.0, None, None
    for ev in TrainRun(config):
        elapsed = time.perf_counter() - t_start
        if isinstance(ev, StartEvent):
            print(f"model: {ev.params:,} parameters on {ev.device}, {ev.steps} steps")
        elif isinstance(ev, StepEvent):
            rate = ev.tokens_per_s or rate
        elif isinstance(ev, EvalEvent) and ev.val_loss is not None:
            if below_at is None and ev.val_loss < h_uni:
                below_at = elapsed
            print(f"{ev.step:6d} {ev.val_loss:9.3f} {ev.val_loss - h_uni:+11.3f} "
                  f"{elapsed:10.1f} {rate:8.0f}")
        elif isinstance(ev, EndEvent):
            end = ev
    total = time.perf_counter() - t_start
    final = end.val_loss if end is not None and end.val_loss is not None else float("nan")
    print(f"final validation loss {final:.3f} nats/byte ({final / math.log(2):.2f} bits) vs "
          f"unigram {h_uni:.3f}: {100 * (1 - final / h_uni):.0f}% below; "
          f"{total:.0f} s from Train to the end (status {end.status if end else '?'}); "
          f"below unigram after {below_at:.0f} s" if below_at is not None else
          f"final validation loss {final:.3f} vs unigram {h_uni:.3f}: NOT below, {total:.0f} s")
    print(f"goal (below unigram within 300 s): "
          f"{'met' if below_at is not None and below_at <= 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
