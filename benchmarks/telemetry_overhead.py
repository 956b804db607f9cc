"""Telemetry overhead: training throughput with ``--telemetry 10`` versus without.

Both sides run the exact step ``olm train`` runs (:class:`olm.train.TrainStep`) on the
same small Llama-shaped document built by :func:`olm.graph.build`, with the same batches,
in the same process. One "block" is 10 optimizer steps; the telemetry side collects on
the tenth (hooks attached for that step only, as ``olm train --telemetry 10`` does).
Blocks of the two sides alternate (``_timing.interleaved_medians``) and the ratio of
median block times is reported: the issue asks for >= 0.95x throughput.

    python benchmarks/telemetry_overhead.py [--rounds 7] [--threads 1] [--device cpu]
"""

from __future__ import annotations

import argparse
import copy
import time

import torch
from _timing import interleaved_medians

from olm.graph import build, from_module
from olm.models import Llama3Model
from olm.train import AdamW, TrainStep
from olm.train.telemetry import Telemetry

VOCAB, SEQ, BATCH, EVERY = 512, 128, 8, 10


def _side(graph, device, telemetry: bool):
    torch.manual_seed(0)
    model = build(graph).to(device)
    step = TrainStep(model, AdamW(model.parameters(), lr=1e-4), grad_clip=1.0,
                     device_type=device.type)
    tel = Telemetry(model, graph, EVERY) if telemetry else None
    if tel is not None:
        step.inspect = tel.inspect
    gen = torch.Generator().manual_seed(1)
    batches = [torch.randint(0, VOCAB, (BATCH, SEQ + 1), generator=gen).to(device)
               for _ in range(EVERY)]
    counter = [0]

    def block() -> None:
        for b in batches:
            counter[0] += 1
            due = tel is not None and tel.due(counter[0])
            if due:
                tel.arm()
            loss, _ = step([(b[:, :-1], b[:, 1:])])
            if due:
                tel.finish()
        loss.item()  # one sync per block, as a step event would
        if device.type == "cuda":
            torch.cuda.synchronize()

    return block


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)  # steadier CPU-time ratios
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--dim", type=int, default=256)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    with torch.device("meta"):
        module = Llama3Model(vocab_size=VOCAB, embed_dim=args.dim, num_layers=args.layers,
                             num_heads=8, num_kv_heads=4, intermediate_size=4 * args.dim,
                             max_seq_len=SEQ)
    graph = from_module(module, name="bench")
    sides = {"plain": _side(copy.deepcopy(graph), device, False),
             "telemetry/10": _side(graph, device, True)}
    clock = time.process_time if device.type == "cpu" else time.perf_counter
    med = interleaved_medians(sides, repeats=args.rounds, warmup=1, clock=clock)
    ratio = med["plain"] / med["telemetry/10"]
    print(f"telemetry_overhead ({args.device}, {args.layers}x{args.dim}, batch {BATCH}x{SEQ}):"
          f" throughput with telemetry every {EVERY} steps = {ratio:.3f}x without "
          f"(target >= 0.95)")


if __name__ == "__main__":
    main()
