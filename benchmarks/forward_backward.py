"""Forward+backward speed of olm-composed models versus the best hand-written PyTorch.

The references are written the nanoGPT way, as fast as plain PyTorch gets without
``torch.compile``: one fused ``Linear(D, 3D)`` (GPT-2) or ``Linear(D, (H + 2 KV) hd)``
(Llama) for q/k/v, ``F.scaled_dot_product_attention`` with ``is_causal=True``, one fused
gate/up ``Linear`` in the SwiGLU MLP, RoPE tables computed once per forward (not once per
layer), native ``nn.LayerNorm`` / ``nn.RMSNorm``. Four cases:

- ``gpt2_block`` / ``llama_block``: one decoder layer, ``[B, N, D] -> [B, N, D]``;
- ``gpt2_lm`` / ``llama_lm``: the whole model, token ids -> logits -> cross-entropy.

Each pair holds the same weights (copied, and the outputs checked equal before timing),
and is timed in alternation in one process; the figure is
``speed ratio = reference time / olm time`` (>= 1.0 means olm is at least as fast).
The worst ratio is the headline.

Run: ``python benchmarks/forward_backward.py [--threads 2] [--device cpu|cuda]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import interleaved_medians  # noqa: E402

from olm.models import GPT2Model, Llama3Model  # noqa: E402
from olm.nn.structure import Repeat  # noqa: E402

V, D, L, H, KV, N, B = 512, 256, 4, 8, 2, 128, 8
FFN_LLAMA = 688
THETA = 500000.0


# ---- nanoGPT-style references (parameters registered in olm's order) -------------------
class RefGPT2Block(nn.Module):
    """nanoGPT's ``Block``: one ``c_attn`` for q/k/v, SDPA, GELU-tanh MLP."""

    def __init__(self, d: int, h: int) -> None:
        super().__init__()
        self.h = h
        self.ln_1 = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.c_fc = nn.Linear(d, 4 * d)
        self.mlp_proj = nn.Linear(4 * d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q = q.view(b, n, self.h, d // self.h).transpose(1, 2)
        k = k.view(b, n, self.h, d // self.h).transpose(1, 2)
        v = v.view(b, n, self.h, d // self.h).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.c_proj(y.transpose(1, 2).reshape(b, n, d))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class RefGPT2(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, D), nn.Embedding(N, D)
        self.h = nn.ModuleList(RefGPT2Block(D, H) for _ in range(L))
        self.ln_f = nn.LayerNorm(D)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1], device=ids.device))
        for block in self.h:
            x = block(x)
        return F.linear(self.ln_f(x), self.wte.weight)  # tied head


def rope_tables(n: int, hd: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    inv = 1.0 / (THETA ** (torch.arange(0, hd, 2, device=device).float() / hd))
    ang = torch.outer(torch.arange(n, device=device).float(), inv)
    ang = torch.cat((ang, ang), dim=-1)
    return ang.cos(), ang.sin()


def _rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)  # HF rotate_half layout
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


class RefLlamaBlock(nn.Module):
    """A Llama layer with fused q/k/v, fused gate/up, SDPA and RoPE tables from outside."""

    def __init__(self, d: int, inter: int, h: int, kv: int) -> None:
        super().__init__()
        self.h, self.kv, self.hd = h, kv, d // h
        self.n1 = nn.RMSNorm(d, eps=1e-5)
        self.qkv = nn.Linear(d, (h + 2 * kv) * self.hd, bias=False)
        self.o = nn.Linear(h * self.hd, d, bias=False)
        self.n2 = nn.RMSNorm(d, eps=1e-5)
        self.up_gate = nn.Linear(d, 2 * inter, bias=False)
        self.down = nn.Linear(inter, d, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        q, k, v = self.qkv(self.n1(x)).split(
            [self.h * self.hd, self.kv * self.hd, self.kv * self.hd], dim=2
        )
        q = q.view(b, n, self.h, self.hd).transpose(1, 2)
        k = k.view(b, n, self.kv, self.hd).transpose(1, 2)
        v = v.view(b, n, self.kv, self.hd).transpose(1, 2)
        q, k = _rope(q, cos, sin), _rope(k, cos, sin)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
        x = x + self.o(y.transpose(1, 2).reshape(b, n, d))
        up, gate = self.up_gate(self.n2(x)).chunk(2, dim=-1)
        return x + self.down(F.silu(gate) * up)


class RefLlama(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(V, D)
        self.layers = nn.ModuleList(RefLlamaBlock(D, FFN_LLAMA, H, KV) for _ in range(L))
        self.norm = nn.RMSNorm(D, eps=1e-5)
        self.head = nn.Linear(D, V, bias=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        cos, sin = rope_tables(ids.shape[1], D // H, ids.device)
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x, cos, sin)
        return self.head(self.norm(x))


class RefLlamaLayer(nn.Module):
    """One `RefLlamaBlock` taking only ``x`` (its RoPE tables computed per call, as in a model)."""

    def __init__(self) -> None:
        super().__init__()
        self.block = RefLlamaBlock(D, FFN_LLAMA, H, KV)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(x, *rope_tables(x.shape[1], D // H, x.device))


# ---- the olm side ------------------------------------------------------------------------
def olm_gpt2() -> nn.Module:
    return GPT2Model(vocab_size=V, embed_dim=D, num_layers=L, num_heads=H, max_seq_len=N,
                     dropout=0.0)


def olm_llama() -> nn.Module:
    return Llama3Model(vocab_size=V, embed_dim=D, intermediate_size=FFN_LLAMA, num_layers=L,
                       num_heads=H, num_kv_heads=KV, max_seq_len=N, tie_weights=False)


def first_layer(model: nn.Module) -> nn.Module:
    """The first decoder layer of an olm family model (its `Repeat`'s first copy)."""
    return next(m for m in model.modules() if isinstance(m, Repeat)).stack[0]


def copy_params(src: nn.Module, dst: nn.Module) -> None:
    """Copy weights by registration order (the references register in olm's order)."""
    a, b = list(src.parameters()), list(dst.parameters())
    assert [p.shape for p in a] == [p.shape for p in b], "parameter layouts differ"
    with torch.no_grad():
        for s, d in zip(a, b):
            d.copy_(s)


CASES: dict[str, tuple[Callable[[], nn.Module], Callable[[], nn.Module], bool]] = {
    # name: (olm module, reference module, takes token ids)
    "gpt2_block": (lambda: first_layer(olm_gpt2()), lambda: RefGPT2Block(D, H), False),
    "llama_block": (lambda: first_layer(olm_llama()), RefLlamaLayer, False),
    "gpt2_lm": (olm_gpt2, RefGPT2, True),
    "llama_lm": (olm_llama, RefLlama, True),
}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _step(model: nn.Module, x: torch.Tensor, labels: torch.Tensor | None, device: torch.device):
    def run() -> None:
        out = model(x)
        if labels is None:
            loss = out.square().mean()
        else:
            loss = F.cross_entropy(out.view(-1, out.shape[-1]), labels.view(-1))
        loss.backward()
        for p in model.parameters():
            p.grad = None
        _sync(device)

    return run


def measure(
    repeats: int = 15, cases: list[str] | None = None, device: str = "cpu", cpu_clock: bool = False
) -> dict[str, dict[str, float]]:
    """Per case: median seconds of olm and of the reference, their ratio, the parameters.

    ``cpu_clock`` times with the process's CPU time instead of the wall clock (steadier on a
    shared machine; meaningful on the CPU only).
    """
    clock = time.process_time if cpu_clock else time.perf_counter
    dev = torch.device(device)
    results = {}
    for name in cases or list(CASES):
        make_olm, make_ref, takes_ids = CASES[name]
        torch.manual_seed(0)
        ours, ref = make_olm().to(dev), make_ref().to(dev)
        copy_params(ours, ref)
        if takes_ids:
            x = torch.randint(0, V, (B, N), device=dev)
            labels = torch.randint(0, V, (B, N), device=dev)
        else:
            x, labels = torch.randn(B, N, D, device=dev), None
        with torch.no_grad():
            diff = (ours(x) - ref(x)).abs().max().item()
        assert diff < 1e-3, f"{name}: the reference disagrees with olm (max |diff| {diff:.2e})"
        t = interleaved_medians(
            {"olm": _step(ours, x, labels, dev), "ref": _step(ref, x, labels, dev)},
            repeats,
            clock=clock,
        )
        results[name] = {"olm_s": t["olm"], "ref_s": t["ref"], "ratio": t["ref"] / t["olm"],
                         "params": sum(p.numel() for p in ours.parameters())}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--cases", nargs="*", choices=list(CASES), default=None)
    parser.add_argument("--cpu-clock", action="store_true",
                        help="time CPU seconds of this process, not wall time (shared machines)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"forward+backward, batch {B}x{N}, d {D}, {L} layers, heads {H} (llama kv {KV}), "
          f"{args.threads} threads, {args.device}, {'CPU' if args.cpu_clock else 'wall'} clock; "
          f"ratio = reference time / olm time")
    results = measure(args.repeats, args.cases, args.device, args.cpu_clock)
    for name, r in results.items():
        print(f"{name:12s} params {r['params']:>10,}  olm {r['olm_s'] * 1e3:8.2f} ms  "
              f"nanoGPT-style {r['ref_s'] * 1e3:8.2f} ms  ratio {r['ratio']:.3f}")
    worst = min(results, key=lambda k: results[k]["ratio"])
    print(f"headline: worst ratio {results[worst]['ratio']:.3f} ({worst})")


if __name__ == "__main__":
    main()
