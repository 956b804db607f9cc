"""GPU training benchmark: GPT-2 124M, bf16 autocast, SDPA, torch.compile, fused AdamW.

Reports tokens/s and model FLOPs utilisation (MFU) of ``olm train``'s step on the olm
``GPT2`` preset, and of a plain hand-written GPT-2 (same weights, same batches, same
settings) in the same run. The target is MFU >= 45% on an H100/H200-class GPU.

    python benchmarks/gpu_benchmark.py [--batch-size 16] [--steps 30] [--no-compile]

MFU counts the FLOPs of a training step as in the PaLM paper's appendix B:
``6 * params + 12 * layers * heads * head_dim * seq`` per token (the second term is
attention's score and value products), over the GPU's dense bf16 peak.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

# dense bf16 tensor-core peaks (FLOP/s), by a substring of the device name
PEAKS = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L40S": 362e12, "A10G": 125e12,
         "L4": 121e12, "4090": 165e12, "3090": 71e12}
SEQ, VOCAB, LAYERS, HEADS, DIM = 1024, 50257, 12, 12, 768


def peak_flops(name: str, override: float | None) -> float | None:
    if override:
        return override * 1e12
    for key, value in PEAKS.items():
        if key in name:
            return value
    return None


def build(kind: str, device: torch.device) -> torch.nn.Module:
    """The olm GPT2 preset, or the plain GPT-2 holding the same initial weights."""
    from olm.models import GPT2

    torch.manual_seed(0)
    model = GPT2()
    for m in model.modules():  # dropout off: MFU is measured on the compute, as usual
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    if kind == "plain":
        sys.path.insert(0, str(Path(__file__).parent))
        from train_throughput import PlainGPT2, copy_params

        plain = PlainGPT2(VOCAB, DIM, LAYERS, HEADS, SEQ)
        copy_params(model, plain)
        model = plain
    return model.to(device)


def make_step(kind: str, model, compile_: bool):
    from olm.train import AdamW, TrainStep, param_groups

    if compile_:
        model = torch.compile(model)
    if kind == "olm":
        step = TrainStep(model, AdamW(param_groups(model, 0.1), lr=1e-4), grad_clip=1.0,
                         amp_dtype=torch.bfloat16, device_type="cuda")
        return lambda b: step([b])[0]
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.1, fused=True)

    def run(batch):
        x, y = batch
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = model(x)
        loss = F.cross_entropy(logits.float().flatten(0, 1), y.flatten())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss.detach()

    return run


def measure(kind: str, args, device) -> dict:
    model = build(kind, device)
    params = sum(p.numel() for p in model.parameters())
    run = make_step(kind, model, not args.no_compile)
    g = torch.Generator(device="cpu").manual_seed(1)
    ids = torch.randint(0, VOCAB, (args.batch_size, SEQ + 1), generator=g).to(device)
    batch = (ids[:, :-1], ids[:, 1:])
    t0 = time.perf_counter()
    for _ in range(args.warmup):
        run(batch)
    torch.cuda.synchronize()
    warm_s = time.perf_counter() - t0
    torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        loss = run(batch)
    torch.cuda.synchronize()
    dt = (time.perf_counter() - t0) / args.steps
    tokens_s = args.batch_size * SEQ / dt
    # embedding lookups are not matmuls: leave the position table out (token table = head)
    flops_tok = 6 * (params - SEQ * DIM) + 12 * LAYERS * HEADS * (DIM // HEADS) * SEQ
    del model
    return {"kind": kind, "params": params, "step_ms": dt * 1e3, "tokens_s": tokens_s,
            "flops": flops_tok * tokens_s, "loss": float(loss), "warmup_s": warm_s,
            "peak_gb": torch.cuda.max_memory_allocated() / 2**30}


def main() -> int:
    ap = argparse.ArgumentParser(description="GPT-2 124M training throughput and MFU on CUDA")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=8, help="untimed steps (compilation)")
    ap.add_argument("--no-compile", action="store_true")
    ap.add_argument("--peak-tflops", type=float, default=None, help="override the GPU's bf16 peak")
    ap.add_argument("--only", choices=("olm", "plain"), default=None)
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("gpu_benchmark: no CUDA device here; run it on a machine with an NVIDIA GPU",
              file=sys.stderr)
        return 1
    device = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    name = torch.cuda.get_device_name(device)
    peak = peak_flops(name, args.peak_tflops)
    print(f"{name}, torch {torch.__version__}, GPT-2 124M, batch {args.batch_size} x {SEQ}, "
          f"bf16 autocast, compile={not args.no_compile}, {args.steps} timed steps")
    for kind in ("olm", "plain") if args.only is None else (args.only,):
        r = measure(kind, args, device)
        mfu = f"{100 * r['flops'] / peak:5.1f}%" if peak else "  n/a (unknown GPU peak)"
        print(f"{kind:6} params {r['params'] / 1e6:.1f}M  step {r['step_ms']:7.1f} ms  "
              f"{r['tokens_s']:9.0f} tok/s  MFU {mfu}  peak mem {r['peak_gb']:.1f} GiB  "
              f"(warm-up {r['warmup_s']:.0f} s, loss {r['loss']:.3f})")
        torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    sys.exit(main())
