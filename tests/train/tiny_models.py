"""Tiny models for the training tests, built from olm components (D <= 64, 1-2 layers)."""

from __future__ import annotations

from torch import nn

from olm.nn.attention import GroupedQueryAttention
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block
from olm.nn.structure.combinators import Repeat, Residual


def tiny_llama(vocab: int = 256, dim: int = 32, layers: int = 1, heads: int = 2,
               kv_heads: int = 1, max_seq_len: int = 64, dropout: float = 0.0) -> nn.Module:
    """A Llama-shaped model: RMSNorm, GQA with RoPE, SwiGLU, tied head (+ optional dropout)."""
    emb = Embedding(vocab, dim)
    return Block([
        emb,
        *([nn.Dropout(dropout)] if dropout else []),
        Repeat(lambda: Block([
            Residual(Block([RMSNorm(dim), GroupedQueryAttention(dim, heads, kv_heads, max_seq_len)])),
            Residual(Block([RMSNorm(dim), SwiGLUFFN(dim, bias=False)])),
        ]), layers),
        OutputHead(dim, vocab, tied_embedding=emb),
    ])


TINY_SOURCE = '''
from olm.nn.attention import GroupedQueryAttention
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block
from olm.nn.structure.combinators import Repeat, Residual

model = Block([
    Embedding({vocab}, 32),
    Repeat(lambda: Block([
        Residual(Block([RMSNorm(32), GroupedQueryAttention(32, 2, 1, 64)])),
        Residual(Block([RMSNorm(32), SwiGLUFFN(32, bias=False)])),
    ]), 1),
    OutputHead(32, {vocab}),
])
'''


def write_tiny_source(path, vocab: int = 256) -> str:
    """Write a tiny model as a ``.py`` SOURCE file (what ``olm train`` accepts)."""
    path.write_text(TINY_SOURCE.format(vocab=vocab))
    return str(path)


class Poison(nn.Module):
    """Passes input through, until call number ``at``: then NaN output or an error."""

    def __init__(self, at: int, error: BaseException | None = None) -> None:
        super().__init__()
        self.at, self.error, self.calls = at, error, 0

    def forward(self, x):
        if self.training:
            self.calls += 1
        if self.calls >= self.at:
            if self.error is not None:
                raise self.error
            return x * float("nan")
        return x


def poisoned(at: int, error: BaseException | None = None) -> nn.Module:
    """``tiny_llama`` followed by a :class:`Poison` on the logits."""
    return nn.Sequential(tiny_llama(), Poison(at, error))
