"""The skeleton every RMSNorm decoder family shares: embed, N layers, final norm, head.

Llama 2/3, Qwen 2, Mistral, Mixtral, Phi-3 and Phi-4 differ only in what goes inside a
layer; this module builds the rest so each family file states just its own choices.
"""

from __future__ import annotations

from typing import Any, Callable

from torch import nn

from olm.core.errors import ConfigError
from olm.models._layers import check_positive, decoder_layer
from olm.nn.attention import GroupedQueryAttention
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.norms import RMSNorm
from olm.nn.structure import Repeat

__all__ = ["gqa_decoder", "rms_decoder", "rope_gqa", "check_heads"]


def check_heads(
    embed_dim: int, num_heads: int, num_kv_heads: int | None = None, head_dim: int | None = None
) -> None:
    """Reject head counts that cannot split ``embed_dim`` or share key/value heads.

    With an explicit ``head_dim`` (Gemma 2) the heads need not divide ``embed_dim``.
    """
    check_positive(embed_dim=embed_dim, num_heads=num_heads)
    if head_dim is None and embed_dim % num_heads:
        raise ConfigError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
    if num_kv_heads is not None:
        check_positive(num_kv_heads=num_kv_heads)
        if num_heads % num_kv_heads:
            raise ConfigError(f"num_kv_heads {num_kv_heads} must divide num_heads {num_heads}")


def rope_gqa(
    embed_dim: int, num_heads: int, num_kv_heads: int, max_seq_len: int, **options: Any
) -> GroupedQueryAttention:
    """Bias-free grouped-query attention with RoPE; options left as ``None`` use the default.

    Passing only the options a family sets keeps the recorded arguments (and the Python
    the graph prints back) as short as the family's own description.
    """
    given = {k: v for k, v in options.items() if v is not None}
    return GroupedQueryAttention(
        embed_dim, num_heads, num_kv_heads, max_seq_len, use_bias=False, **given
    )


def rms_decoder(
    *,
    vocab_size: int,
    embed_dim: int,
    num_layers: int,
    attention: Callable[[], nn.Module],
    ffn: Callable[[], nn.Module],
    rms_norm_eps: float,
    tie_weights: bool,
) -> list[nn.Module]:
    """Children of a pre-norm RMSNorm decoder: ``[Embedding, Repeat(layer), RMSNorm, OutputHead]``.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        num_layers (int): number of decoder layers.
        attention (Callable[[], nn.Module]): makes one layer's attention.
        ffn (Callable[[], nn.Module]): makes one layer's feed-forward.
        rms_norm_eps (float): epsilon of every RMSNorm.
        tie_weights (bool): share the embedding matrix with the output head.
    """
    check_positive(vocab_size=vocab_size, num_layers=num_layers)
    embedding = Embedding(vocab_size, embed_dim)
    return [
        embedding,
        Repeat(
            lambda: decoder_layer(attention(), ffn(), lambda: RMSNorm(embed_dim, eps=rms_norm_eps)),
            num_layers,
        ),
        RMSNorm(embed_dim, eps=rms_norm_eps),
        OutputHead(
            embed_dim,
            vocab_size,
            use_norm=False,
            tied_embedding=embedding if tie_weights else None,
        ),
    ]


def gqa_decoder(
    *,
    vocab_size: int,
    embed_dim: int,
    intermediate_size: int,
    num_layers: int,
    num_heads: int,
    num_kv_heads: int,
    max_seq_len: int,
    dropout: float,
    rms_norm_eps: float,
    tie_weights: bool,
    ffn_cls: Callable[..., nn.Module] = SwiGLUFFN,
    **attention_options: Any,
) -> list[nn.Module]:
    """The Llama recipe: bias-free RoPE GQA and a bias-free gated FFN in an RMSNorm decoder.

    Llama 3, Qwen 2, Mistral, Phi-3 and Phi-4 differ only in ``attention_options``
    (``rope_theta``, ``rope_scaling``, ``qkv_bias``, ``sliding_window``, ...) and ``ffn_cls``.
    """
    return rms_decoder(
        vocab_size=vocab_size,
        embed_dim=embed_dim,
        num_layers=num_layers,
        attention=lambda: rope_gqa(
            embed_dim, num_heads, num_kv_heads, max_seq_len, dropout=dropout,
            # QK-norm shares the decoder's epsilon (Qwen 3, OLMo 2).
            rms_norm_eps=rms_norm_eps if attention_options.get("use_qk_norm") else None,
            **attention_options,
        ),
        ffn=lambda: ffn_cls(embed_dim, hidden_dim=intermediate_size, dropout=dropout, bias=False),
        rms_norm_eps=rms_norm_eps,
        tie_weights=tie_weights,
    )
