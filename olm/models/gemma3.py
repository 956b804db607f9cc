"""Gemma 3 (Google, 2025): five local layers to one global, QK-norm instead of soft-capping.

What changed from Gemma 2, each expressed with ordinary components:
- the stack is heterogeneous in a 5 : 1 rhythm: one ``Repeat`` with a local and a global
  layer variant and the pattern ``[0, 0, 0, 0, 0, 1]`` (a partial cycle at the end, as in
  the published checkpoints: 26 layers end with two local ones);
- local layers use a short sliding window (512 or 1024) and RoPE base 10 000; global layers
  use base 1 000 000 (and, on the larger models, linear RoPE scaling x8 for 128k context);
- RMSNorm on queries and keys per head (QK-norm) replaces Gemma 2's attention soft-capping,
  and the final logits are no longer soft-capped;
- kept from Gemma 2: sandwich norms, ``sqrt(embed_dim)`` embedding scale, GeGLU with the
  tanh GELU, ``query_pre_attn_scalar ** -0.5`` attention scale, tied embeddings.
Gemma stores norm gains as ``weight - 1``; olm's RMSNorm holds the gain itself (the
Hugging Face bridge converts).
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

__all__ = ["Gemma3Model", "Gemma3_1B", "Gemma3_27B", "GEMMA3_PATTERN"]

# Five local (sliding-window) layers, then one global layer.
GEMMA3_PATTERN = [0, 0, 0, 0, 0, 1]


class Gemma3Model(Block):
    """Gemma 3 (text): sandwich-normed GQA/GeGLU layers, five local to one global, QK-norm.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): GeGLU hidden width.
        num_layers (int): number of decoder layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; must divide ``num_heads``.
        head_dim (int): width of each head.
        max_seq_len (int): longest sequence RoPE is prepared for.
        rope_theta (float): RoPE base of the global layers. Default: 1000000.0.
        rope_local_theta (float): RoPE base of the local layers. Default: 10000.0.
        rope_scaling (dict | None): RoPE scaling of the global layers (Hugging Face style,
            e.g. ``{"rope_type": "linear", "factor": 8.0}``). Default: None.
        sliding_window (int): window of the local layers. Default: 512.
        local_per_global (int): local layers before each global one. Default: 5.
        query_pre_attn_scalar (float): attention scores are scaled by its ``-0.5`` power.
            Default: 256.0.
        dropout (float): attention and feed-forward dropout. Default: 0.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
        rms_norm_eps (float): epsilon of every RMSNorm (QK-norm included). Default: 1e-6.
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
        rope_theta: float = 1_000_000.0,
        rope_local_theta: float = 10_000.0,
        rope_scaling: dict | None = None,
        sliding_window: int = 512,
        local_per_global: int = 5,
        query_pre_attn_scalar: float = 256.0,
        dropout: float = 0.0,
        tie_weights: bool = True,
        rms_norm_eps: float = 1e-6,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads, head_dim=head_dim)
        check_positive(vocab_size=vocab_size, num_layers=num_layers, head_dim=head_dim)
        if isinstance(local_per_global, bool) or not isinstance(local_per_global, int) \
                or local_per_global < 0:
            raise ConfigError(
                f"local_per_global must be a whole number >= 0, got {local_per_global!r}"
            )
        if not query_pre_attn_scalar > 0:
            raise ConfigError(
                f"query_pre_attn_scalar must be > 0, got {query_pre_attn_scalar!r}"
            )

        def norm() -> RMSNorm:
            return RMSNorm(embed_dim, eps=rms_norm_eps)

        def layer(window: int | None) -> Block:
            local = window is not None
            attention = rope_gqa(
                embed_dim, num_heads, num_kv_heads, max_seq_len,
                head_dim=head_dim, rope_theta=rope_local_theta if local else rope_theta,
                rope_scaling=None if local else rope_scaling,
                attention_scale=query_pre_attn_scalar**-0.5, sliding_window=window,
                use_qk_norm=True, rms_norm_eps=rms_norm_eps, dropout=dropout,
            )
            ffn = GeGLUFFN(
                embed_dim, hidden_dim=intermediate_size, dropout=dropout, bias=False,
                approximate="tanh",
            )
            return Block([sandwich(norm(), attention, norm()), sandwich(norm(), ffn, norm())])

        pattern = [0] * local_per_global + [1]
        if num_layers <= local_per_global:  # too short to reach a global layer
            stack: nn.Module = Repeat(lambda: layer(sliding_window), num_layers)
        elif local_per_global == 0:
            stack = Repeat(lambda: layer(None), num_layers)
        else:
            stack = Repeat(
                [lambda: layer(sliding_window), lambda: layer(None)], num_layers,
                pattern=pattern,
            )
        embedding = Embedding(vocab_size, embed_dim, scale=math.sqrt(embed_dim))
        super().__init__(
            [
                embedding,
                stack,
                norm(),
                OutputHead(
                    embed_dim, vocab_size, use_norm=False,
                    tied_embedding=embedding if tie_weights else None,
                ),
            ]
        )



# The presets: each is a row of olm.models.table (published numbers, year, size).
Gemma3_1B = preset_class("Gemma3_1B", Gemma3Model)
Gemma3_27B = preset_class("Gemma3_27B", Gemma3Model)
