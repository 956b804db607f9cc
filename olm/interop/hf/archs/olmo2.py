"""``Olmo2ForCausalLM``: the Llama layout with norms after each sublayer and full-width QK-norm.

OLMo 2 stores no ``input_layernorm``: each layer has ``post_attention_layernorm`` and
``post_feedforward_layernorm`` inside the skips, and ``self_attn.q_norm`` / ``k_norm``
normalise all heads' queries and keys together (gains of width heads × head_dim).
"""

from __future__ import annotations

from olm.interop.hf.archs.base import ConfigView, Row
from olm.interop.hf.archs.llama import LlamaLike
from olm.interop.hf.spec import DecoderSpec

__all__ = ["Olmo2Arch"]


class Olmo2Arch(LlamaLike):
    """``Olmo2ForCausalLM``: post-sublayer RMSNorms, RoPE, SwiGLU, QK-norm across heads."""

    name = "Olmo2ForCausalLM"
    model_type = "olmo2"
    default_theta = 10000.0
    default_eps = 1e-5
    default_positions = 2048

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        return [
            ("embed_scale", spec.embed_scale is None),
            ("position", spec.position == "rope"),
            ("norm", spec.norm == "rms"),
            ("pre_norms", not spec.pre_norms),
            ("sandwich_norms", spec.sandwich_norms),
            ("head_dim", spec.head_dim * spec.num_heads == spec.hidden_size),
            ("qkv_bias", not spec.qkv_bias),
            ("out_bias", not spec.out_bias),
            ("qk_norm", spec.qk_norm),
            ("qk_norm_full", spec.qk_norm_full),
            ("qk_norm_eps", spec.qk_norm_eps == spec.norm_eps),
            ("attn_scale", spec.attn_scale is None),
            ("attn_softcap", spec.attn_softcap is None),
            ("sliding_windows", all(w is None for w in spec.sliding_windows)),
            ("ffn", spec.ffn == "gated"),
            ("ffn_bias", not spec.ffn_bias),
        ] + self.tail_checks(spec)

    def to_config(self, spec: DecoderSpec) -> dict:
        config = super().to_config(spec)
        del config["head_dim"]  # OLMo 2 derives it from hidden_size / heads
        config["attention_bias"] = False
        return config

    def from_config(self, view: ConfigView) -> DecoderSpec:
        fields = self.read_common(view)
        if view.bool("attention_bias", False):
            raise view.fail("attention_bias", "= true cannot be expressed for this architecture")
        fields["head_dim"] = fields["hidden_size"] // fields["num_heads"]
        return DecoderSpec(
            **fields, pre_norms=False, sandwich_norms=True, qk_norm=True, qk_norm_full=True,
            qk_norm_eps=fields["norm_eps"], ffn="gated",
        )

    def norm_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        return [
            Row(f"{p}post_attn_norm.weight", f"{h}post_attention_layernorm.weight"),
            Row(f"{p}post_ffn_norm.weight", f"{h}post_feedforward_layernorm.weight"),
        ]

    def attention_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        return super().attention_rows(spec, p, h) + [
            Row(f"{p}q_norm.weight", f"{h}self_attn.q_norm.weight"),
            Row(f"{p}k_norm.weight", f"{h}self_attn.k_norm.weight"),
        ]
