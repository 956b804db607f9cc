"""Training throughput: ``olm train``'s step versus a minimal hand-written PyTorch loop.

Both sides train the same architecture (a small GPT-2-shaped and a small Llama-shaped
model) with the same weights, the same batches and the same optimizer settings, in the
same process, alternating rounds so machine load hits both alike. Our side is the olm
model (from ``olm.models``) driven by :class:`olm.train.TrainStep`, the exact step
``olm train`` runs; the baseline is a plain ``nn.Module`` written out below, driven by
the textbook loop (forward, cross-entropy, backward, clip, ``AdamW.step``, zero_grad).

Peak memory is measured per side in a fresh child process (peak RSS growth over the
RSS after setup), since CPU allocations have no per-tensor peak counter.

    python benchmarks/train_throughput.py [--steps 20] [--rounds 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import resource
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

from olm.models import GPT2Model, Llama3Model
from olm.train import AdamW, TrainStep, param_groups

VOCAB, SEQ, BATCH = 512, 128, 8


# ---- plain PyTorch reference models (parameters registered in olm's order) -----------------
class PlainGPT2Block(nn.Module):
    def __init__(self, d: int, h: int) -> None:
        super().__init__()
        self.h = h
        self.ln1 = nn.LayerNorm(d)
        self.qkv, self.o = nn.Linear(d, 3 * d), nn.Linear(d, d)  # q/k/v fused, as in olm
        self.ln2 = nn.LayerNorm(d)
        self.up, self.down = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        B, N, D = x.shape
        y = self.ln1(x)
        q, k, v = (t.view(B, N, self.h, -1).transpose(1, 2) for t in self.qkv(y).split(D, dim=-1))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o(a.transpose(1, 2).reshape(B, N, D))
        return x + self.down(F.gelu(self.up(self.ln2(x)), approximate="tanh"))


class PlainGPT2(nn.Module):
    def __init__(self, v: int, d: int, layers: int, h: int, ctx: int) -> None:
        super().__init__()
        self.wte, self.wpe = nn.Embedding(v, d), nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList(PlainGPT2Block(d, h) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.size(1), device=ids.device))
        for b in self.blocks:
            x = b(x)
        return F.linear(self.ln_f(x), self.wte.weight)


def _rope(x, cos, sin):  # rotate_half layout: dim i pairs with i + hd/2
    x1, x2 = x.chunk(2, dim=-1)
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


class PlainLlamaBlock(nn.Module):
    def __init__(self, d: int, inter: int, h: int, kv: int) -> None:
        super().__init__()
        self.h, self.kv, self.hd = h, kv, d // h
        self.n1 = nn.RMSNorm(d, eps=1e-5)
        self.qkv = nn.Linear(d, d + 2 * kv * self.hd, bias=False)  # q/k/v fused, as in olm
        self.o = nn.Linear(d, d, bias=False)
        self.n2 = nn.RMSNorm(d, eps=1e-5)
        self.up = nn.Linear(d, 2 * inter, bias=False)  # (value, gate) fused
        self.down = nn.Linear(inter, d, bias=False)

    def forward(self, x, cos, sin):
        B, N, D = x.shape
        y = self.n1(x)
        q, k, v = self.qkv(y).split([D, self.kv * self.hd, self.kv * self.hd], dim=-1)
        q = q.view(B, N, self.h, self.hd).transpose(1, 2)
        k = k.view(B, N, self.kv, self.hd).transpose(1, 2)
        v = v.view(B, N, self.kv, self.hd).transpose(1, 2)
        q, k = _rope(q, cos, sin), _rope(k, cos, sin)
        rep = self.h // self.kv
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o(a.transpose(1, 2).reshape(B, N, D))
        value, gate = self.up(self.n2(x)).chunk(2, dim=-1)
        return x + self.down(value * F.silu(gate))


class PlainLlama(nn.Module):
    def __init__(self, v, d, inter, layers, h, kv, theta=500000.0) -> None:
        super().__init__()
        self.emb = nn.Embedding(v, d)
        self.blocks = nn.ModuleList(PlainLlamaBlock(d, inter, h, kv) for _ in range(layers))
        self.norm = nn.RMSNorm(d, eps=1e-5)
        hd = d // h
        inv = 1.0 / theta ** (torch.arange(0, hd, 2).float() / hd)
        ang = torch.outer(torch.arange(SEQ).float(), inv)
        ang = torch.cat((ang, ang), dim=-1)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def forward(self, ids):
        n = ids.size(1)
        cos, sin = self.cos[:n], self.sin[:n]
        x = self.emb(ids)
        for b in self.blocks:
            x = b(x, cos, sin)
        return F.linear(self.norm(x), self.emb.weight)


# ---- the pairs -----------------------------------------------------------------------------
def copy_params(src: nn.Module, dst: nn.Module) -> None:
    """Copy weights by registration order (the plain models register in olm's order)."""
    a, b = list(src.parameters()), list(dst.parameters())
    assert [p.shape for p in a] == [p.shape for p in b], "parameter layouts differ"
    with torch.no_grad():
        for s, d in zip(a, b):
            d.copy_(s)


def make_pair(kind: str) -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(0)
    if kind == "gpt2":
        ours = GPT2Model(VOCAB, 128, 2, 4, SEQ, dropout=0.0)
        plain = PlainGPT2(VOCAB, 128, 2, 4, SEQ)
    else:
        ours = Llama3Model(VOCAB, 128, 352, 2, 4, 2, SEQ)
        plain = PlainLlama(VOCAB, 128, 352, 2, 4, 2)
    copy_params(ours, plain)
    ids = torch.randint(0, VOCAB, (2, SEQ))
    diff = (ours(ids) - plain(ids)).abs().max().item()
    assert diff < 1e-4, f"{kind}: the plain model disagrees with olm's (max |dlogit| {diff:.2e})"
    return ours, plain


def batches(n: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(1)
    out = []
    for _ in range(n):
        ids = torch.randint(0, VOCAB, (BATCH, SEQ + 1), generator=g)
        out.append((ids[:, :-1], ids[:, 1:]))
    return out


def olm_runner(model):
    step = TrainStep(model, AdamW(param_groups(model, 0.1), lr=1e-4), grad_clip=1.0)
    return lambda batch: step([batch])[0]


def plain_runner(model):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": rest, "weight_decay": 0.0}], lr=1e-4)

    def run(batch):
        x, y = batch
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
        return loss.detach()

    return run


def _rss_kb(field: str) -> int:
    """A memory figure of this process from /proc (Linux), in kB."""
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> None:
    """Reset the peak-RSS mark (VmHWM) so it measures training, not imports."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak_child(kind: str, side: str, steps: int, threads: int, q) -> None:
    torch.set_num_threads(threads)
    ours, plain = make_pair(kind)
    model = ours if side == "olm" else plain
    run = (olm_runner if side == "olm" else plain_runner)(model)
    data = batches(steps)
    base = _rss_kb("VmRSS")
    _reset_peak()
    for b in data:
        run(b)
    q.put((_rss_kb("VmHWM") - base) / 1024)


def peak_mb(kind: str, side: str, steps: int, threads: int) -> float:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_peak_child, args=(kind, side, steps, threads, q))
    p.start()
    value = q.get(timeout=600)
    p.join()
    return value


def step_time(run, batch) -> float:
    t = time.perf_counter()
    float(run(batch))
    return time.perf_counter() - t


def bench(kind: str, steps: int, rounds: int, threads: int) -> dict:
    """Median step time per side; the sides alternate step by step (same load for both)."""
    ours, plain = make_pair(kind)
    runs = {"olm": olm_runner(ours), "plain": plain_runner(plain)}
    data = batches(steps)
    for run in runs.values():  # warm-up: allocator, kernels, optimizer state
        for b in data[:3]:
            run(b)
    times: dict[str, list[float]] = {"olm": [], "plain": []}
    for r in range(rounds):
        for i, b in enumerate(data):
            order = ("olm", "plain") if (r + i) % 2 == 0 else ("plain", "olm")
            for side in order:
                times[side].append(step_time(runs[side], b))
    tok = BATCH * SEQ
    med = {s: tok / statistics.median(v) for s, v in times.items()}
    return {"kind": kind, **med, "ratio": med["olm"] / med["plain"],
            "mem_olm": peak_mb(kind, "olm", 4, threads),
            "mem_plain": peak_mb(kind, "plain", 4, threads)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20, help="steps per timed round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"CPU, {args.threads} threads, batch {BATCH} x seq {SEQ}, vocab {VOCAB}, "
          f"{args.rounds} rounds x {args.steps} steps (median step, sides alternating)")
    print(f"{'model':6} {'olm tok/s':>10} {'plain tok/s':>12} {'ratio':>6} "
          f"{'olm peak MB':>12} {'plain peak MB':>14}")
    for kind in ("gpt2", "llama"):
        r = bench(kind, args.steps, args.rounds, args.threads)
        print(f"{kind:6} {r['olm']:10.0f} {r['plain']:12.0f} {r['ratio']:6.3f} "
              f"{r['mem_olm']:12.1f} {r['mem_plain']:14.1f}")
        if not math.isfinite(r["ratio"]):
            raise SystemExit("benchmark failed")


if __name__ == "__main__":
    main()
