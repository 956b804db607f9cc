"""Canonical tensor names and shapes: the weights of a `DecoderSpec`, independent of format.

Every architecture maps its own tensor names onto these, and the `olm` side binds its
parameters to them, so neither side knows the other's naming. Layout follows
``torch.nn.Linear`` (``[out_features, in_features]``); norm weights are plain
multiplicative gains (Gemma's stored ``weight - 1`` is undone by its architecture).

Names: ``embed``, ``pos_embed``, ``final_norm``, ``head``, and per layer ``layers.{i}.``
followed by ``attn_norm``, ``post_attn_norm``, ``ffn_norm``, ``post_ffn_norm``, ``q``,
``k``, ``v``, ``o``, ``q_norm``, ``k_norm``, ``gate``, ``up``, ``down``, ``router``, ``experts.{e}.gate|up|down``;
each with ``.weight`` and, where present, ``.bias``; gpt-oss adds ``sinks`` and stores its
experts stacked: ``experts.gate_up`` ``[E, 2I, D]`` (value rows, then gate rows) and
``experts.down`` ``[E, D, I]``, each with a bias.
"""

from __future__ import annotations

from olm.interop.hf.spec import DecoderSpec

__all__ = ["canonical_shapes"]


def _norm(shapes: dict, name: str, spec: DecoderSpec) -> None:
    shapes[f"{name}.weight"] = (spec.hidden_size,)
    if spec.norm == "layer":
        shapes[f"{name}.bias"] = (spec.hidden_size,)


def _linear(shapes: dict, name: str, out: int, inp: int, bias: bool) -> None:
    shapes[f"{name}.weight"] = (out, inp)
    if bias:
        shapes[f"{name}.bias"] = (out,)


def _latent_attention(shapes: dict, p: str, spec: DecoderSpec) -> None:
    d, h, m = spec.hidden_size, spec.num_heads, spec.mla
    qk, r, rope = m["qk_nope_head_dim"] + m["qk_rope_head_dim"], m["kv_lora_rank"], m["qk_rope_head_dim"]
    if m["q_lora_rank"] is None:
        _linear(shapes, p + "q", h * qk, d, False)
    else:
        _linear(shapes, p + "q_a", m["q_lora_rank"], d, spec.qkv_bias)
        shapes[p + "q_a_norm.weight"] = (m["q_lora_rank"],)
        _linear(shapes, p + "q_b", h * qk, m["q_lora_rank"], False)
    _linear(shapes, p + "kv_a", r + rope, d, spec.qkv_bias)
    shapes[p + "kv_a_norm.weight"] = (r,)
    _linear(shapes, p + "kv_b", h * (m["qk_nope_head_dim"] + m["v_head_dim"]), r, False)
    _linear(shapes, p + "o", d, h * m["v_head_dim"], spec.out_bias)


def _attention(shapes: dict, p: str, spec: DecoderSpec) -> None:
    if spec.mla is not None:
        _latent_attention(shapes, p, spec)
        return
    d, hd = spec.hidden_size, spec.head_dim
    _linear(shapes, p + "q", spec.num_heads * hd, d, spec.qkv_bias)
    _linear(shapes, p + "k", spec.num_kv_heads * hd, d, spec.qkv_bias)
    _linear(shapes, p + "v", spec.num_kv_heads * hd, d, spec.qkv_bias)
    _linear(shapes, p + "o", d, spec.num_heads * hd, spec.out_bias)
    if spec.attn_sinks:  # one learned sink logit per query head
        shapes[p + "sinks"] = (spec.num_heads,)
    if spec.qk_norm:  # one RMSNorm gain per head dimension, shared by all heads
        full = spec.qk_norm_full
        shapes[p + "q_norm.weight"] = (spec.num_heads * hd,) if full else (hd,)
        shapes[p + "k_norm.weight"] = (spec.num_kv_heads * hd,) if full else (hd,)


def _deepseek_moe(shapes: dict, p: str, spec: DecoderSpec) -> None:
    d, h, e = spec.hidden_size, spec.intermediate_size, spec.num_experts
    _linear(shapes, p + "router", e, d, False)
    if spec.routing["score_bias"]:
        shapes[p + "router.score_bias"] = (e,)
    shapes[p + "experts.up.weight"] = (e, 2 * h, d)  # value rows, then gate rows
    shapes[p + "experts.down.weight"] = (e, d, h)
    if spec.shared_experts:
        s = spec.shared_experts * h
        for name, out, inp in (("gate", s, d), ("up", s, d), ("down", d, s)):
            _linear(shapes, f"{p}shared.{name}", out, inp, False)


def _ffn(shapes: dict, p: str, spec: DecoderSpec, layer: int = 0) -> None:
    d, h, b = spec.hidden_size, spec.intermediate_size, spec.ffn_bias
    if layer < spec.first_dense_layers:  # DeepSeek's dense first layers
        h = spec.dense_intermediate_size
        for name, out, inp in (("gate", h, d), ("up", h, d), ("down", d, h)):
            _linear(shapes, p + name, out, inp, b)
        return
    if spec.ffn == "moe" and spec.moe_kind == "deepseek":
        _deepseek_moe(shapes, p, spec)
        return
    if spec.ffn == "moe" and spec.moe_kind == "gpt_oss":  # one stacked bank per layer
        e = spec.num_experts
        _linear(shapes, p + "router", e, d, True)
        shapes[p + "experts.gate_up.weight"] = (e, 2 * h, d)  # value rows, then gate rows
        shapes[p + "experts.gate_up.bias"] = (e, 2 * h)
        shapes[p + "experts.down.weight"] = (e, d, h)
        shapes[p + "experts.down.bias"] = (e, d)
        return
    if spec.ffn == "moe":
        _linear(shapes, p + "router", spec.num_experts, d, False)
        for e in range(spec.num_experts):
            _linear(shapes, f"{p}experts.{e}.gate", h, d, b)
            _linear(shapes, f"{p}experts.{e}.up", h, d, b)
            _linear(shapes, f"{p}experts.{e}.down", d, h, b)
        return
    if spec.ffn == "gated":
        _linear(shapes, p + "gate", h, d, b)
    _linear(shapes, p + "up", h, d, b)
    _linear(shapes, p + "down", d, h, b)


def canonical_shapes(spec: DecoderSpec) -> dict[str, tuple[int, ...]]:
    """Canonical name → shape for every weight a model of ``spec`` has, in model order."""
    shapes: dict[str, tuple[int, ...]] = {"embed.weight": (spec.vocab_size, spec.hidden_size)}
    if spec.position == "learned":
        shapes["pos_embed.weight"] = (spec.max_positions, spec.hidden_size)
    for i in range(spec.num_layers):
        p = f"layers.{i}."
        if spec.pre_norms:
            _norm(shapes, p + "attn_norm", spec)
        _attention(shapes, p, spec)
        if spec.sandwich_norms:
            _norm(shapes, p + "post_attn_norm", spec)
        if spec.pre_norms:
            _norm(shapes, p + "ffn_norm", spec)
        _ffn(shapes, p, spec, i)
        if spec.sandwich_norms:
            _norm(shapes, p + "post_ffn_norm", spec)
    _norm(shapes, "final_norm", spec)
    if not spec.tied:
        _linear(shapes, "head", spec.vocab_size, spec.hidden_size, spec.head_bias)
    elif spec.head_bias:
        shapes["head.bias"] = (spec.vocab_size,)
    return shapes
