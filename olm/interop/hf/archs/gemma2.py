"""``Gemma2ForCausalLM``: sandwich norms, soft-capping and alternating sliding windows.

Gemma stores each RMSNorm gain as ``weight - 1`` (its norm multiplies by ``1 + weight``),
scales the embedding by ``sqrt(hidden_size)``, scales attention scores by
``query_pre_attn_scalar ** -0.5``, and soft-caps attention scores and final logits.
"""

from __future__ import annotations

import math

from olm.interop.hf.archs.base import SPEC_TO_HF_ACTIVATION, ConfigView, Row
from olm.interop.hf.archs.llama import LlamaLike, _one_window_size, _window, _windows_from_types
from olm.interop.hf.spec import DecoderSpec

__all__ = ["Gemma2Arch"]


def _pre_attn_scalar(spec: DecoderSpec) -> float:
    scale = spec.attn_scale if spec.attn_scale is not None else spec.head_dim**-0.5
    return 1.0 / (scale * scale)


def _scalar_is_integral(spec: DecoderSpec) -> bool:
    # transformers types query_pre_attn_scalar as an int.
    q = _pre_attn_scalar(spec)
    return abs(q - round(q)) <= 1e-6 * max(q, 1.0)


class Gemma2Arch(LlamaLike):
    """``Gemma2ForCausalLM``."""

    name = "Gemma2ForCausalLM"
    model_type = "gemma2"
    default_tied = True
    default_positions = 8192
    norm_kind = "plus_one"

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        same = spec.qkv_bias == spec.out_bias
        scale_ok = spec.embed_scale is not None and math.isclose(
            spec.embed_scale, spec.hidden_size**0.5, rel_tol=1e-6
        )
        return [
            ("embed_scale", scale_ok),
            ("position", spec.position == "rope"),
            ("norm", spec.norm == "rms"),
            ("sandwich_norms", spec.sandwich_norms),
            ("pre_norms", spec.pre_norms),
            ("qkv_bias", same or not spec.qkv_bias),
            ("out_bias", same),
            ("qk_norm", not spec.qk_norm),
            ("qk_norm_full", not spec.qk_norm_full),
            ("attn_scale", _scalar_is_integral(spec)),
            ("sliding_windows", _one_window_size(spec)),
            ("ffn", spec.ffn == "gated"),
            ("ffn_bias", not spec.ffn_bias),
        ] + self.tail_checks(spec)[:-1]  # final soft-capping is expressible

    def to_config(self, spec: DecoderSpec) -> dict:
        config = super().to_config(spec)
        del config["hidden_act"]
        window = _window(spec)
        config.update(
            hidden_activation=SPEC_TO_HF_ACTIVATION[spec.activation],
            attention_bias=spec.qkv_bias,
            query_pre_attn_scalar=round(_pre_attn_scalar(spec)),
            attn_logit_softcapping=spec.attn_softcap,
            final_logit_softcapping=spec.final_softcap,
            sliding_window=window,
            layer_types=[
                "full_attention" if w is None else "sliding_attention" for w in spec.sliding_windows
            ],
        )
        return config

    def from_config(self, view: ConfigView) -> DecoderSpec:
        fields = self.read_common(view)
        fields["activation"] = view.activation("hidden_activation", "gelu_pytorch_tanh")
        if view.data.get("use_bidirectional_attention"):
            raise view.fail(
                "use_bidirectional_attention", "= true cannot be expressed by a causal olm model"
            )
        n, hd = fields["num_layers"], fields["head_dim"]
        window = view.data.get("sliding_window")
        if window is not None:
            view.int("sliding_window")
        types = view.data.get("layer_types")
        if types is None:
            types = ["sliding_attention" if (i + 1) % 2 else "full_attention" for i in range(n)]
        scalar = view.float("query_pre_attn_scalar", 256)
        if scalar <= 0:
            raise view.fail("query_pre_attn_scalar", f"must be positive, got {scalar}")
        bias = view.bool("attention_bias", False)
        return DecoderSpec(
            **fields,
            sandwich_norms=True,
            qkv_bias=bias,
            out_bias=bias,
            attn_scale=None if scalar == hd else scalar**-0.5,
            attn_softcap=view.optional_float("attn_logit_softcapping"),
            final_softcap=view.optional_float("final_logit_softcapping"),
            sliding_windows=_windows_from_types(view, types, window, n),
            ffn="gated",
            embed_scale=fields["hidden_size"] ** 0.5,
        )

    def norm_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        k = self.norm_kind
        return [
            Row(f"{p}attn_norm.weight", f"{h}input_layernorm.weight", k),
            Row(f"{p}post_attn_norm.weight", f"{h}post_attention_layernorm.weight", k),
            Row(f"{p}ffn_norm.weight", f"{h}pre_feedforward_layernorm.weight", k),
            Row(f"{p}post_ffn_norm.weight", f"{h}post_feedforward_layernorm.weight", k),
        ]
