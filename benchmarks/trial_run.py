"""Trial run: a tiny Llama-style model learns the built-in corpus on 2 CPU threads.

Byte tokenizer, the standard library's own source as data, nothing downloaded; the run
goes through ``olm.train.train_iter`` exactly as ``olm train`` does. It reports the
validation-loss curve beside the corpus's unigram entropy: the loss of the best model
that ignores context. Ending clearly below it means the model learned from context.

    python benchmarks/trial_run.py [--steps 1500] [--max-seconds 270]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch

from olm.data import prepare_data
from olm.models import Llama3Model
from olm.train import TrainConfig, TrainRun
from olm.train.events import EndEvent, EvalEvent, StepEvent


def unigram_entropy(tokens: np.ndarray, vocab: int) -> float:
    """Entropy (nats) of the token frequencies: the loss floor of a context-free model."""
    counts = np.bincount(np.asarray(tokens), minlength=vocab).astype(np.float64)
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--seq-len", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-seconds", type=float, default=270.0,
                    help="stop training past this many seconds (then one last evaluation)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    t_start = time.perf_counter()
    data = prepare_data("builtin", "byte")
    h_uni = unigram_entropy(data.train.tokens, 256)
    torch.manual_seed(0)
    model = Llama3Model(vocab_size=256, embed_dim=128, intermediate_size=352, num_layers=3,
                        num_heads=4, num_kv_heads=2, max_seq_len=args.seq_len, rope_theta=10000.0)
    params = sum(p.numel() for p in model.parameters())
    cfg = TrainConfig(source=model, data="builtin", tokenizer="byte", steps=args.steps,
                      batch_size=args.batch_size, seq_len=args.seq_len, lr=3e-3, warmup_steps=30,
                      weight_decay=0.1, eval_every=max(1, args.steps // 10), eval_batches=8,
                      log_every=10, threads=args.threads, seed=0)
    print(f"model: Llama-style, {params / 1e6:.2f}M params, byte tokenizer, "
          f"{len(data.train) / 1e6:.1f}M training tokens; {args.threads} CPU threads")
    print(f"unigram entropy of the corpus: {h_uni:.3f} nats/byte")
    print(f"{'step':>6} {'val loss':>9} {'vs unigram':>11} {'elapsed s':>10} {'tok/s':>8}")
    curve, rate, end = [], 0.0, None
    run = TrainRun(cfg)

    def report(step: int, val: float) -> None:
        elapsed = time.perf_counter() - t_start
        curve.append((step, val, elapsed))
        print(f"{step:6d} {val:9.3f} {val - h_uni:+11.3f} {elapsed:10.1f} {rate:8.0f}")

    step = 0
    for ev in run:
        if isinstance(ev, StepEvent):
            rate, step = ev.tokens_per_s, ev.step
            if time.perf_counter() - t_start > args.max_seconds:
                print(f"time budget of {args.max_seconds:.0f} s reached at step {step}")
                break
        elif isinstance(ev, EvalEvent):
            report(ev.step, ev.val_loss)
        elif isinstance(ev, EndEvent):
            end = ev
    if end is None:  # stopped on the time budget: one last evaluation
        report(step, run.evaluate())
    total = time.perf_counter() - t_start
    final = curve[-1][1]
    print(f"final validation loss {final:.3f} nats/byte ({final / math.log(2):.2f} bits) vs "
          f"unigram {h_uni:.3f} ({h_uni / math.log(2):.2f} bits): "
          f"{100 * (1 - final / h_uni):.0f}% below, in {total:.0f} s total"
          + ("" if end is None else f" (status {end.status})"))


if __name__ == "__main__":
    main()
