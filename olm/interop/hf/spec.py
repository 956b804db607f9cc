"""`DecoderSpec`: the neutral description both sides of the Hugging Face bridge meet at.

An `olm` model is read into a spec by walking its structure (`reader.py`); a Hugging Face
``config.json`` is read into the same spec by its architecture (`archs/`). Export and import
are then two short hops: model → spec → config, and config → spec → model. Keeping one
spec means each architecture only states which specs it can express, and never needs to
know how `olm` modules are nested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["DecoderSpec", "Problem"]


@dataclass
class DecoderSpec:
    """A decoder-only transformer language model, described by its hyperparameters.

    Args:
        vocab_size (int): rows of the token embedding.
        hidden_size (int): the residual stream width D.
        num_layers (int): transformer layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads (GQA when fewer than ``num_heads``).
        head_dim (int): width of one head.
        intermediate_size (int): hidden width of the feed-forward (of each expert for MoE).
        max_positions (int): learned position table size, or the RoPE context length.
        position (str): "learned" (absolute table added to the embedding) or "rope".
        rope_theta (float): RoPE base.
        rope_scaling (dict | None): Hugging Face style rope parameters for scaled RoPE
            (``{"rope_type": "llama3", "factor": ..., ...}``); None for plain RoPE.
        rope_local_theta (float | None): the RoPE base of the sliding-window layers when it
            differs from ``rope_theta`` (Gemma 3: 10 000 local, 1 000 000 global); those
            layers are never scaled. None when every layer uses ``rope_theta``.
        norm (str): "layer" (LayerNorm with bias) or "rms" (RMSNorm).
        norm_eps (float): the epsilon every norm uses.
        sandwich_norms (bool): norms after attention and after the feed-forward too (Gemma 2).
        pre_norms (bool): norms before attention and the feed-forward (False with
            ``sandwich_norms``: norms only after each sublayer, OLMo 2).
        qkv_bias (bool): biases on the query/key/value projections.
        out_bias (bool): bias on the attention output projection.
        attn_scale (float | None): softmax scale; None means ``head_dim ** -0.5``.
        attn_softcap (float | None): attention logit soft-capping ``c * tanh(s / c)``.
        sliding_windows (list[int | None]): per layer, the sliding window or None (global).
        ffn (str): "mlp" (up, act, down), "gated" (``down(act(gate) * up)``) or "moe"
            (top-k routed gated experts).
        activation (str): "gelu_tanh", "gelu", "silu" or "relu".
        ffn_bias (bool): biases in the feed-forward projections.
        num_experts (int): experts per MoE layer (0 when dense).
        top_k (int): experts each token is routed to.
        shared_experts (int): always-on experts beside the routed ones.
        attn_sinks (bool): a learned per-head sink logit in every attention (gpt-oss).
        moe_kind (str): for ``ffn="moe"``: "softmax" (softmax over all experts, top-k,
            gated experts as separate weights) or "gpt_oss" (top-k then softmax, a biased
            router, a stacked bank of biased clamped-SwiGLU experts).
        swiglu_limit (float | None): the clamp of gpt-oss's SwiGLU (None otherwise).
        routing (dict | None): DeepSeek routing (``scoring``, ``num_groups``, ``topk_groups``,
            ``normalize``, ``scaling_factor``, ``score_bias``) when ``moe_kind`` is "deepseek".
        mla (dict | None): multi-head latent attention sizes (``kv_lora_rank``,
            ``q_lora_rank``, ``qk_nope_head_dim``, ``qk_rope_head_dim``, ``v_head_dim``,
            ``norm_eps``); ``head_dim`` is then the query/key width (nope + rope).
        first_dense_layers (int): leading layers with a dense gated feed-forward of
            ``dense_intermediate_size`` before the mixture-of-experts layers (DeepSeek).
        dense_intermediate_size (int): hidden width of those dense layers.
        qk_norm (bool): RMSNorm on queries and keys per head.
        qk_norm_full (bool): the QK-norm spans all heads (one gain per channel, OLMo 2).
        qk_norm_eps (float | None): the QK-norm's epsilon (configs share ``norm_eps``).
        embed_scale (float | None): factor the token embedding is multiplied by (Gemma).
        tied (bool): the output head reuses the token embedding matrix.
        head_bias (bool): the output head has a bias.
        final_softcap (float | None): final logit soft-capping.
        parts (dict[str, str]): for each field read from a model, the part it came from,
            so a refusal can name the part ("layer 0 attention (GroupedQueryAttention)").
    """

    vocab_size: int
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    max_positions: int
    position: Literal["learned", "rope"] = "rope"
    rope_theta: float = 10000.0
    rope_scaling: dict | None = None
    rope_local_theta: float | None = None
    norm: Literal["layer", "rms"] = "rms"
    norm_eps: float = 1e-6
    sandwich_norms: bool = False
    pre_norms: bool = True
    qkv_bias: bool = False
    out_bias: bool = False
    attn_scale: float | None = None
    attn_softcap: float | None = None
    sliding_windows: list = field(default_factory=list)
    ffn: Literal["mlp", "gated", "moe"] = "gated"
    activation: str = "silu"
    ffn_bias: bool = False
    num_experts: int = 0
    top_k: int = 0
    shared_experts: int = 0
    attn_sinks: bool = False
    moe_kind: Literal["softmax", "gpt_oss", "deepseek"] = "softmax"
    routing: dict | None = None
    mla: dict | None = None
    first_dense_layers: int = 0
    dense_intermediate_size: int = 0
    swiglu_limit: float | None = None
    qk_norm: bool = False
    qk_norm_full: bool = False
    qk_norm_eps: float | None = None
    embed_scale: float | None = None
    tied: bool = False
    head_bias: bool = False
    final_softcap: float | None = None
    parts: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.sliding_windows:
            self.sliding_windows = [None] * self.num_layers

    def part(self, name: str) -> str:
        """The model part a field was read from (or a readable stand-in)."""
        return self.parts.get(name, name.replace("_", " "))


@dataclass(frozen=True)
class Problem:
    """Why an architecture cannot express a spec.

    Args:
        field (str): the spec field that does not fit.
        message (str): the sentence for the user, naming the part and the architecture.
    """

    field: str
    message: str
