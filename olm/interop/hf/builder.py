"""Building the `olm` model a `DecoderSpec` describes, without wasting a random init.

Where the architecture's own `olm` family class (``Llama3Model``, ``Gemma2Model``, ...)
can express the spec exactly, that class is used, so an imported checkpoint opens in the
Studio as the family it is. Otherwise (a Llama with biases, a GPT-2 with a different MLP
width, ...) the model is composed from the same components with `Block`/`Residual`/
`Repeat`. Either way the result is checked by reading it back: its spec must equal the
one asked for.

The model is created on the ``meta`` device and then materialised empty, since every
weight is about to be overwritten by the checkpoint; derived buffers (RoPE frequencies)
are recomputed by their modules' ``reset_parameters``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from olm.core.errors import OLMError
from olm.interop.hf.reader import read_model
from olm.interop.hf.spec import DecoderSpec
from olm.models import (
    DeepSeekModel,
    Gemma2Model,
    Gemma3Model,
    GPT2Model,
    GPTOSSModel,
    Llama3Model,
    MistralModel,
    MixtralModel,
    OLMo2Model,
    Qwen2Model,
    Qwen3Model,
    Qwen3MoeModel,
)
from olm.nn.attention import GroupedQueryAttention
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import AbsolutePositionalEmbedding, Embedding
from olm.nn.feedforward import ClassicFFN, GeGLUFFN, SwiGLUFFN
from olm.nn.moe import GeGLUMoEFFN, GptOssMoEFFN, SwiGLUMoEFFN
from olm.nn.norms import LayerNorm, RMSNorm
from olm.nn.structure import Block, Repeat, Residual

__all__ = ["build_model"]


# -- family classes --------------------------------------------------------------------
def _rms_common(s: DecoderSpec) -> dict:
    return dict(
        vocab_size=s.vocab_size,
        embed_dim=s.hidden_size,
        intermediate_size=s.intermediate_size,
        num_layers=s.num_layers,
        num_heads=s.num_heads,
        num_kv_heads=s.num_kv_heads,
        max_seq_len=s.max_positions,
        rope_theta=s.rope_theta,
        rms_norm_eps=s.norm_eps,
        dropout=0.0,
        tie_weights=s.tied,
    )


def _window(s: DecoderSpec) -> int | None:
    return s.sliding_windows[0] if s.sliding_windows else None


def _gpt2(s: DecoderSpec) -> nn.Module:
    return GPT2Model(
        vocab_size=s.vocab_size,
        embed_dim=s.hidden_size,
        num_layers=s.num_layers,
        num_heads=s.num_heads,
        max_seq_len=s.max_positions,
        dropout=0.0,
        tie_weights=s.tied,
        layer_norm_eps=s.norm_eps,
    )


def _llama(s: DecoderSpec) -> nn.Module:
    return Llama3Model(**_rms_common(s), rope_scaling=s.rope_scaling)


def _qwen2(s: DecoderSpec) -> nn.Module:
    return Qwen2Model(**_rms_common(s), rope_scaling=s.rope_scaling)


def _mistral(s: DecoderSpec) -> nn.Module:
    return MistralModel(**_rms_common(s), sliding_window=_window(s), rope_scaling=s.rope_scaling)


def _mixtral(s: DecoderSpec) -> nn.Module:
    return MixtralModel(
        **_rms_common(s), num_experts=s.num_experts, top_k=s.top_k, sliding_window=_window(s)
    )


def _gemma2(s: DecoderSpec) -> nn.Module:
    common = _rms_common(s)
    scale = s.attn_scale if s.attn_scale is not None else s.head_dim**-0.5
    return Gemma2Model(
        **common,
        head_dim=s.head_dim,
        sliding_window=_window(s),
        attn_logit_softcap=s.attn_softcap,
        final_logit_softcap=s.final_softcap,
        query_pre_attn_scalar=float(round(1.0 / (scale * scale), 6)),
    )


def _gemma3(s: DecoderSpec) -> nn.Module:
    common = _rms_common(s)
    scale = s.attn_scale if s.attn_scale is not None else s.head_dim**-0.5
    w = s.sliding_windows
    # The 5 : 1 rhythm, read off the first global layer (all local: no global layer).
    local_per_global = w.index(None) if None in w else s.num_layers
    return Gemma3Model(
        **common,
        head_dim=s.head_dim,
        rope_local_theta=s.rope_local_theta if s.rope_local_theta is not None else s.rope_theta,
        rope_scaling=s.rope_scaling,
        sliding_window=_window(s) or 4096,
        local_per_global=local_per_global,
        query_pre_attn_scalar=float(round(1.0 / (scale * scale), 6)),
    )


def _qwen3(s: DecoderSpec) -> nn.Module:
    return Qwen3Model(**_rms_common(s), head_dim=s.head_dim, rope_scaling=s.rope_scaling)


def _qwen3_moe(s: DecoderSpec) -> nn.Module:
    common = _rms_common(s)
    expert_dim = common.pop("intermediate_size")
    return Qwen3MoeModel(
        **common, expert_dim=expert_dim, head_dim=s.head_dim, num_experts=s.num_experts,
        top_k=s.top_k,
    )


def _olmo2(s: DecoderSpec) -> nn.Module:
    common = _rms_common(s)
    del common["tie_weights"], common["rope_theta"]
    return OLMo2Model(**common, rope_theta=s.rope_theta, tie_weights=s.tied)


def _gpt_oss(s: DecoderSpec) -> nn.Module:
    return GPTOSSModel(
        vocab_size=s.vocab_size, embed_dim=s.hidden_size, num_layers=s.num_layers,
        num_heads=s.num_heads, num_kv_heads=s.num_kv_heads, head_dim=s.head_dim,
        max_seq_len=s.max_positions, num_experts=s.num_experts, top_k=s.top_k,
        expert_dim=s.intermediate_size, sliding_window=_window(s) or 128,
        rope_theta=s.rope_theta, rope_scaling=s.rope_scaling, rms_norm_eps=s.norm_eps,
        tie_weights=s.tied,
    )


def _deepseek(s: DecoderSpec) -> nn.Module:
    m, r = s.mla, s.routing
    return DeepSeekModel(
        vocab_size=s.vocab_size, embed_dim=s.hidden_size, num_layers=s.num_layers,
        num_heads=s.num_heads, max_seq_len=s.max_positions, kv_lora_rank=m["kv_lora_rank"],
        intermediate_size=s.dense_intermediate_size or s.intermediate_size,
        expert_dim=s.intermediate_size, num_experts=s.num_experts, top_k=s.top_k,
        num_shared_experts=s.shared_experts, first_dense_layers=s.first_dense_layers,
        q_lora_rank=m["q_lora_rank"], qk_nope_head_dim=m["qk_nope_head_dim"],
        qk_rope_head_dim=m["qk_rope_head_dim"], v_head_dim=m["v_head_dim"],
        scoring=r["scoring"], num_groups=r["num_groups"], topk_groups=r["topk_groups"],
        normalize_top_k=r["normalize"], routed_scaling_factor=r["scaling_factor"],
        bias_balancing=r["score_bias"], rope_theta=s.rope_theta, rope_scaling=s.rope_scaling,
        rms_norm_eps=s.norm_eps, tie_weights=s.tied, dropout=0.0,
    )


_FAMILIES: dict[str, Callable[[DecoderSpec], nn.Module]] = {
    "GPT2LMHeadModel": _gpt2,
    "LlamaForCausalLM": _llama,
    "Qwen2ForCausalLM": _qwen2,
    "MistralForCausalLM": _mistral,
    "MixtralForCausalLM": _mixtral,
    "Gemma2ForCausalLM": _gemma2,
    "Gemma3ForCausalLM": _gemma3,
    "Qwen3ForCausalLM": _qwen3,
    "Qwen3MoeForCausalLM": _qwen3_moe,
    "Olmo2ForCausalLM": _olmo2,
    "DeepseekV3ForCausalLM": _deepseek,
    "DeepseekV2ForCausalLM": _deepseek,
    "GptOssForCausalLM": _gpt_oss,
}


# -- composed from components ------------------------------------------------------------
def _norm(s: DecoderSpec) -> nn.Module:
    if s.norm == "layer":
        return LayerNorm(s.hidden_size, eps=s.norm_eps)
    return RMSNorm(s.hidden_size, eps=s.norm_eps)


def _attention(s: DecoderSpec, window: int | None) -> nn.Module:
    options = dict(
        head_dim=s.head_dim,
        use_bias=s.out_bias,
        qkv_bias=s.qkv_bias,
        attention_scale=s.attn_scale,
        attn_logit_softcap=s.attn_softcap,
        sliding_window=window,
        use_rope=s.position == "rope",
        use_qk_norm=s.qk_norm or None,
        qk_norm_per_head=False if s.qk_norm_full else None,
        rms_norm_eps=s.norm_eps if s.qk_norm else None,
        use_attention_sink=s.attn_sinks or None,
    )
    if s.position == "rope" and window is not None and s.rope_local_theta is not None:
        options.update(rope_theta=s.rope_local_theta)  # local layers: own base, unscaled
    elif s.position == "rope":
        options.update(rope_theta=s.rope_theta, rope_scaling=s.rope_scaling)
    given = {k: v for k, v in options.items() if v is not None}
    return GroupedQueryAttention(
        s.hidden_size, s.num_heads, s.num_kv_heads, s.max_positions, **given
    )


def _ffn(s: DecoderSpec) -> nn.Module:
    d, h, b, act = s.hidden_size, s.intermediate_size, s.ffn_bias, s.activation
    approx = "tanh" if act == "gelu_tanh" else "none"
    if s.ffn == "mlp":
        return ClassicFFN(d, hidden_dim=h, activation_fn=act, bias=b)
    if s.ffn == "gated" and act == "silu":
        return SwiGLUFFN(d, hidden_dim=h, bias=b)
    if s.ffn == "gated" and act in ("gelu", "gelu_tanh"):
        return GeGLUFFN(d, hidden_dim=h, bias=b, approximate=approx)
    if s.ffn == "moe" and s.moe_kind == "gpt_oss":
        limit = {} if s.swiglu_limit in (None, 7.0) else {"swiglu_limit": s.swiglu_limit}
        return GptOssMoEFFN(d, s.num_experts, s.top_k, hidden_dim=h, **limit)
    moe = dict(num_experts=s.num_experts, top_k=s.top_k, hidden_dim=h, bias=b)
    if s.ffn == "moe" and act == "silu":
        return SwiGLUMoEFFN(d, **moe)
    if s.ffn == "moe" and act in ("gelu", "gelu_tanh"):
        return GeGLUMoEFFN(d, **moe, approximate=approx)
    raise OLMError(f"an olm model cannot express a {s.ffn} feed-forward with activation {act!r}")


def _layer(s: DecoderSpec, window: int | None) -> Block:
    def skip(inner: nn.Module) -> Residual:
        parts = [_norm(s), inner] if s.pre_norms else [inner]
        if s.sandwich_norms:
            parts.append(_norm(s))
        return Residual(Block(parts))

    return Block([skip(_attention(s, window)), skip(_ffn(s))])


def _period(w: list) -> int:
    """The shortest cycle the per-layer windows repeat (the whole list if none shorter)."""
    return next(p for p in range(1, len(w) + 1) if all(w[i] == w[i % p] for i in range(len(w))))


def _stack(s: DecoderSpec) -> nn.Module:
    """One ``Repeat``: a layer variant per distinct window, and the cycle as its pattern."""
    w = s.sliding_windows
    if len(set(w)) == 1:
        return Repeat(lambda: _layer(s, w[0]), s.num_layers)
    kinds = list(dict.fromkeys(w))  # distinct windows, in order of first use
    pattern = [kinds.index(x) for x in w[: _period(w)]]
    factories = [lambda x=x: _layer(s, x) for x in kinds]
    return Repeat(factories, s.num_layers, pattern=pattern)


def _composed(s: DecoderSpec) -> nn.Module:
    emb = Embedding(s.vocab_size, s.hidden_size, scale=s.embed_scale)
    first: nn.Module = emb
    if s.position == "learned":
        first = Block([emb, AbsolutePositionalEmbedding(s.max_positions, s.hidden_size)])
    head = OutputHead(
        s.hidden_size,
        s.vocab_size,
        bias=s.head_bias,
        use_norm=False,
        tied_embedding=emb if s.tied else None,
        logit_softcap=s.final_softcap,
    )
    return Block([first, _stack(s), _norm(s), head])


# -- materialising -----------------------------------------------------------------------
def _first_difference(a: DecoderSpec, b: DecoderSpec) -> str | None:
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if name == "parts":
            continue
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=1e-6):
                return name
        elif x != y:
            return name
    return None


def _family_on_meta(
    make: Callable[[DecoderSpec], nn.Module], spec: DecoderSpec
) -> nn.Module | None:
    """The family model on the meta device if it reads back as ``spec``, else None."""
    try:
        with torch.device("meta"):
            model = make(spec)
        return model if _first_difference(read_model(model).spec, spec) is None else None
    except (OLMError, ValueError, TypeError):
        return None


def _composed_on_meta(spec: DecoderSpec) -> nn.Module:
    with torch.device("meta"):
        model = _composed(spec)
    field = _first_difference(read_model(model).spec, spec)
    if field is not None:
        raise OLMError(f"olm cannot build a model with this {field.replace('_', ' ')}")
    return model


def _materialise(model: nn.Module, dtype: torch.dtype) -> nn.Module:
    """Real (uninitialised) storage for a meta model, derived buffers recomputed."""
    model = model.to(dtype).to_empty(device=torch.device("cpu"))
    for m in model.modules():
        if m._buffers and any(b is not None for b in m._buffers.values()):
            reset = getattr(m, "reset_parameters", None)
            if reset is None:
                raise OLMError(f"internal: {type(m).__name__} has buffers but no reset_parameters")
            reset()
    return model


def build_model(
    spec: DecoderSpec, architecture: str, dtype: torch.dtype = torch.float32
) -> nn.Module:
    """An `olm` model with the structure ``spec`` describes; its weights are placeholders.

    Args:
        spec: what to build.
        architecture: the Hugging Face class name, to prefer the matching family class.
        dtype: the parameters' dtype (allocated directly in it, never via float32).
    """
    return _materialise(build_on_meta(spec, architecture), dtype)


def build_on_meta(spec: DecoderSpec, architecture: str) -> nn.Module:
    """The model ``spec`` describes on the ``meta`` device: its structure, no memory
    (``olm info`` describes a Hugging Face folder or a GGUF file this way).

    Args:
        spec: what to build.
        architecture: the Hugging Face class name, to prefer the matching family class.
    """
    family = _FAMILIES.get(architecture)
    model = _family_on_meta(family, spec) if family is not None else None
    return model if model is not None else _composed_on_meta(spec)
