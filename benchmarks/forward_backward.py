"""Forward+backward speed of olm-composed models versus hand-written PyTorch.

Builds a small GPT-2-shaped and a Llama-shaped model twice: once composed from olm parts
(`Block`, `Residual`, `Repeat`, ...) and once as a straightforward hand-written PyTorch
module in the nanoGPT style (SDPA attention, fused norms) with the same parameter count.
Both are timed in alternation in the same process on the same batch; the figure that
matters is ``speed ratio = baseline time / olm time`` (>= 1.0 means olm is at least as fast).

Run: ``python benchmarks/forward_backward.py [--threads 2]``
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import interleaved_medians  # noqa: E402

from olm.models import GPT2Model, Llama3Model  # noqa: E402

V, D, L, H, KV, N, B = 512, 256, 4, 8, 2, 128, 8
FFN_LLAMA = 688


class HandAttention(nn.Module):
    def __init__(self, d: int, h: int, kv: int, bias: bool, rope: bool) -> None:
        super().__init__()
        self.h, self.kv, self.hd, self.rope = h, kv, d // h, rope
        self.q = nn.Linear(d, h * self.hd, bias=bias)
        self.k = nn.Linear(d, kv * self.hd, bias=bias)
        self.v = nn.Linear(d, kv * self.hd, bias=bias)
        self.o = nn.Linear(d, d, bias=bias)
        inv = 1.0 / (500000.0 ** (torch.arange(0, self.hd, 2).float() / self.hd))
        self.register_buffer("inv_freq", inv, persistent=False)

    def _rotate(self, x: torch.Tensor) -> torch.Tensor:
        t = torch.arange(x.shape[2], dtype=torch.float32)
        freqs = torch.outer(t, self.inv_freq)
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        x1, x2 = x.chunk(2, -1)
        return x * cos + torch.cat([-x2, x1], -1) * sin

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        q = self.q(x).view(b, n, self.h, self.hd).transpose(1, 2)
        k = self.k(x).view(b, n, self.kv, self.hd).transpose(1, 2)
        v = self.v(x).view(b, n, self.kv, self.hd).transpose(1, 2)
        if self.rope:
            q, k = self._rotate(q), self._rotate(k)
        if self.kv != self.h:
            k = k.repeat_interleave(self.h // self.kv, 1)
            v = v.repeat_interleave(self.h // self.kv, 1)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(y.transpose(1, 2).reshape(b, n, -1))


class HandGPT2(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, D), nn.Embedding(N, D)
        self.layers = nn.ModuleList()
        for _ in range(L):
            self.layers.append(nn.ModuleDict(dict(
                ln1=nn.LayerNorm(D), attn=HandAttention(D, H, H, True, False),
                ln2=nn.LayerNorm(D), fc=nn.Linear(D, 4 * D), proj=nn.Linear(4 * D, D),
            )))
        self.ln_f = nn.LayerNorm(D)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for layer in self.layers:
            x = x + layer["attn"](layer["ln1"](x))
            x = x + layer["proj"](F.gelu(layer["fc"](layer["ln2"](x)), approximate="tanh"))
        return F.linear(self.ln_f(x), self.wte.weight)


class HandLlama(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(V, D)
        self.layers = nn.ModuleList()
        for _ in range(L):
            self.layers.append(nn.ModuleDict(dict(
                n1=nn.RMSNorm(D, eps=1e-5), attn=HandAttention(D, H, KV, False, True),
                n2=nn.RMSNorm(D, eps=1e-5), gate=nn.Linear(D, FFN_LLAMA, bias=False),
                up=nn.Linear(D, FFN_LLAMA, bias=False), down=nn.Linear(FFN_LLAMA, D, bias=False),
            )))
        self.norm = nn.RMSNorm(D, eps=1e-5)
        self.head = nn.Linear(D, V, bias=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids)
        for layer in self.layers:
            x = x + layer["attn"](layer["n1"](x))
            h = layer["n2"](x)
            x = x + layer["down"](F.silu(layer["gate"](h)) * layer["up"](h))
        return self.head(self.norm(x))


def olm_gpt2() -> nn.Module:
    return GPT2Model(vocab_size=V, embed_dim=D, num_layers=L, num_heads=H, max_seq_len=N, dropout=0.0)


def olm_llama() -> nn.Module:
    return Llama3Model(vocab_size=V, embed_dim=D, intermediate_size=FFN_LLAMA, num_layers=L,
                       num_heads=H, num_kv_heads=KV, max_seq_len=N, tie_weights=False)


def _step(model: nn.Module, ids: torch.Tensor, labels: torch.Tensor):
    def run() -> None:
        logits = model(ids)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1))
        loss.backward()
        for p in model.parameters():
            p.grad = None
    return run


def measure(repeats: int = 15) -> dict[str, dict[str, float]]:
    """Returns, per architecture, the median seconds of both and the speed ratio."""
    torch.manual_seed(0)
    ids = torch.randint(0, V, (B, N))
    labels = torch.randint(0, V, (B, N))
    results = {}
    for name, ours, theirs in (("gpt2", olm_gpt2, HandGPT2), ("llama", olm_llama, HandLlama)):
        a, b = ours(), theirs()
        pa = sum(p.numel() for p in a.parameters())
        pb = sum(p.numel() for p in b.parameters())
        assert math.isclose(pa, pb, rel_tol=0.01), f"{name}: {pa} vs {pb} parameters"
        t = interleaved_medians({"olm": _step(a, ids, labels), "hand": _step(b, ids, labels)}, repeats)
        results[name] = {"olm_s": t["olm"], "hand_s": t["hand"], "ratio": t["hand"] / t["olm"],
                         "params": pa}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"forward+backward, batch {B}x{N}, d {D}, {L} layers, {args.threads} threads, CPU")
    for name, r in measure(args.repeats).items():
        print(f"{name:6s} params {r['params']:,}  olm {r['olm_s'] * 1e3:7.1f} ms  "
              f"hand-written {r['hand_s'] * 1e3:7.1f} ms  speed ratio {r['ratio']:.3f}")


if __name__ == "__main__":
    main()
