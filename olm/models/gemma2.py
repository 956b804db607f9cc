"""Gemma 2 (Google, 2024): RMSNorm + GeGLU + GQA, with several stabilising twists.

What sets it apart from the Llama recipe, each expressed with ordinary components:
- the token embedding is multiplied by ``sqrt(embed_dim)`` (``Embedding(scale=...)``);
- "sandwich" norms: an RMSNorm before *and* after each sublayer, inside the skip
  (``Residual(Block([RMSNorm, attention, RMSNorm]))``);
- layers alternate local (sliding-window) and global attention: one ``Repeat`` with two
  layer variants and the pattern ``[0, 1]`` (local first);
- attention logits are soft-capped (``tanh(s / 50) * 50``) and scaled by
  ``query_pre_attn_scalar ** -0.5`` rather than ``head_dim ** -0.5``;
- the final logits are soft-capped too (``OutputHead(logit_softcap=30)``);
- the feed-forward is GeGLU with the tanh GELU approximation.
"""

from __future__ import annotations

import math

from torch import nn

from olm.core.errors import ConfigError
from olm.models._decoder import check_heads, rope_gqa
from olm.models._layers import check_positive, sandwich
from olm.models._preset import preset_class
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.feedforward import GeGLUFFN
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block, Repeat

__all__ = ["Gemma2Model", "Gemma2_2B", "Gemma2_9B", "Gemma2_27B"]


class Gemma2Model(Block):
    """Gemma 2: sandwich-normed GQA/GeGLU layers, alternating local and global attention.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): GeGLU hidden width.
        num_layers (int): number of decoder layers (local and global alternate).
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; must divide ``num_heads``.
        head_dim (int): width of each head (Gemma 2's is not ``embed_dim / num_heads``).
        max_seq_len (int): longest sequence RoPE is prepared for.
        rope_theta (float): RoPE base. Default: 10000.0.
        dropout (float): attention and feed-forward dropout. Default: 0.0.
        sliding_window (int): window of the local layers. Default: 4096.
        attn_logit_softcap (float | None): soft cap on attention scores. Default: 50.0.
        final_logit_softcap (float | None): soft cap on output logits. Default: 30.0.
        query_pre_attn_scalar (float): attention scores are scaled by its ``-0.5`` power.
            Default: 256.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
        rms_norm_eps (float): RMSNorm epsilon. Default: 1e-6.
    """

    family = "model"

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        intermediate_size: int,
        num_layers: int,
        num_heads: int,
        num_kv_heads: int,
        head_dim: int,
        max_seq_len: int,
        rope_theta: float = 10000.0,
        dropout: float = 0.0,
        sliding_window: int = 4096,
        attn_logit_softcap: float | None = 50.0,
        final_logit_softcap: float | None = 30.0,
        query_pre_attn_scalar: float = 256.0,
        tie_weights: bool = True,
        rms_norm_eps: float = 1e-6,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads, head_dim=head_dim)
        check_positive(vocab_size=vocab_size, num_layers=num_layers, head_dim=head_dim)
        if not query_pre_attn_scalar > 0:
            raise ConfigError(
                f"query_pre_attn_scalar must be > 0, got {query_pre_attn_scalar!r}"
            )

        def norm() -> RMSNorm:
            return RMSNorm(embed_dim, eps=rms_norm_eps)

        def layer(window: int | None) -> Block:
            attention = rope_gqa(
                embed_dim, num_heads, num_kv_heads, max_seq_len,
                head_dim=head_dim, rope_theta=rope_theta,
                attention_scale=query_pre_attn_scalar**-0.5,
                attn_logit_softcap=attn_logit_softcap, sliding_window=window,
                dropout=dropout,
            )
            ffn = GeGLUFFN(
                embed_dim, hidden_dim=intermediate_size, dropout=dropout, bias=False,
                approximate="tanh",
            )
            return Block([sandwich(norm(), attention, norm()), sandwich(norm(), ffn, norm())])

        embedding = Embedding(vocab_size, embed_dim, scale=math.sqrt(embed_dim))
        head_options = {} if final_logit_softcap is None else {"logit_softcap": final_logit_softcap}
        children: list[nn.Module] = [
            embedding,
            Repeat(
                [lambda: layer(sliding_window), lambda: layer(None)], num_layers, pattern=[0, 1]
            ),
            norm(),
            OutputHead(
                embed_dim, vocab_size, use_norm=False,
                tied_embedding=embedding if tie_weights else None, **head_options,
            ),
        ]
        super().__init__(children)


# The presets: each is a row of olm.models.table (published numbers, year, size).
Gemma2_2B = preset_class("Gemma2_2B", Gemma2Model)
Gemma2_9B = preset_class("Gemma2_9B", Gemma2Model)
Gemma2_27B = preset_class("Gemma2_27B", Gemma2Model)
