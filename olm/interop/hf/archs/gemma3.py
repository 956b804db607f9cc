"""``Gemma3ForCausalLM`` (text): Gemma 2's layout plus per-head QK-norm and two RoPE bases.

Gemma 3 keeps Gemma 2's sandwich norms, ``sqrt(hidden_size)`` embedding scale and
``query_pre_attn_scalar``, adds RMSNorm on queries and keys per head (stored, like every
Gemma norm, as ``weight - 1``), and gives its sliding-window layers their own RoPE base
(``sliding_attention`` in ``rope_parameters``; ``rope_local_base_freq`` in transformers 4)
while the global layers may be scaled (linear x8 on the larger models).
"""

from __future__ import annotations

from olm.interop.hf.archs.base import ConfigView, Row, rope_config, rope_fields
from olm.interop.hf.archs.gemma2 import Gemma2Arch
from olm.interop.hf.spec import DecoderSpec

__all__ = ["Gemma3Arch"]


def _nested(params: object) -> bool:
    return isinstance(params, dict) and any(isinstance(v, dict) for v in params.values())


class Gemma3Arch(Gemma2Arch):
    """``Gemma3ForCausalLM``: the text model of Gemma 3."""

    name = "Gemma3ForCausalLM"
    model_type = "gemma3_text"
    default_positions = 131072
    default_theta = 1_000_000.0
    local_rope = True

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        out = []
        for field, ok in super().checks(spec):
            if field == "qk_norm":
                out += [
                    ("qk_norm", spec.qk_norm),
                    ("qk_norm_eps", spec.qk_norm_eps in (None, spec.norm_eps)),
                ]
            else:
                out.append((field, ok))
        return out

    def to_config(self, spec: DecoderSpec) -> dict:
        config = super().to_config(spec)
        local = spec.rope_local_theta if spec.rope_local_theta is not None else spec.rope_theta
        full = rope_fields(spec)["rope_parameters"]
        config.update(
            rope_parameters={
                "sliding_attention": {"rope_type": "default", "rope_theta": local},
                "full_attention": full,
            },
            rope_local_base_freq=local,
            use_bidirectional_attention=False,
        )
        return config

    def from_config(self, view: ConfigView) -> DecoderSpec:
        params = view.data.get("rope_parameters")
        data = dict(view.data)
        if _nested(params):
            full, sliding = params.get("full_attention") or {}, params.get("sliding_attention") or {}
            data["rope_parameters"] = full
            local, scaling = rope_config(
                ConfigView({"rope_parameters": sliding or {"rope_theta": 10_000.0}}, self.name),
                10_000.0,
            )
            if scaling is not None:
                raise view.fail(
                    "rope_parameters", "scales the sliding layers' RoPE, which olm cannot express"
                )
        else:
            local = view.float("rope_local_base_freq", 10_000.0)
        spec = super().from_config(ConfigView(data, view.arch))
        spec.qk_norm = True
        spec.qk_norm_eps = spec.norm_eps
        if local != spec.rope_theta:
            spec.rope_local_theta = local
        return spec

    def attention_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        k = self.norm_kind
        return super().attention_rows(spec, p, h) + [
            Row(f"{p}q_norm.weight", f"{h}self_attn.q_norm.weight", k),
            Row(f"{p}k_norm.weight", f"{h}self_attn.k_norm.weight", k),
        ]
