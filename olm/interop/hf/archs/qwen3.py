"""Qwen 3 and Qwen 3 MoE: the Llama-style layout with per-head QK-norm and explicit head size.

Both store ``self_attn.q_norm`` / ``self_attn.k_norm`` (one RMSNorm gain per head
dimension) and have no attention biases. Qwen 3 MoE replaces every MLP with a softmax
top-k mixture of SwiGLU experts; olm routes exactly as ``norm_topk_prob = true`` does
(softmax over all experts, keep the top k, renormalise), which every published
checkpoint uses, so other settings are refused rather than silently changed.
"""

from __future__ import annotations

import torch

from olm.interop.hf.archs.base import ConfigView, Row
from olm.interop.hf.archs.llama import (
    LlamaLike,
    _window,
    _windows_from_types,
    fused_experts_from_hf,
)
from olm.interop.hf.spec import DecoderSpec
from olm.interop.hf.tensors import TensorSource

__all__ = ["Qwen3Arch", "Qwen3MoeArch"]


class _Qwen3Like(LlamaLike):
    """What Qwen 3 and Qwen 3 MoE share: QK-norm, no biases, optional sliding layers."""

    default_positions = 40960

    def attention_checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        return [
            ("qkv_bias", not spec.qkv_bias),
            ("out_bias", not spec.out_bias),
            ("qk_norm", spec.qk_norm),
            ("qk_norm_eps", spec.qk_norm_eps == spec.norm_eps),
            ("attn_scale", spec.attn_scale is None),
            ("attn_softcap", spec.attn_softcap is None),
            ("sliding_windows", len({w for w in spec.sliding_windows if w is not None}) <= 1),
        ]

    def to_config(self, spec: DecoderSpec) -> dict:
        config = super().to_config(spec)
        window = _window(spec)
        full = [w is None for w in spec.sliding_windows]
        config.update(
            attention_bias=False,
            use_sliding_window=window is not None,
            sliding_window=window,
            max_window_layers=full.index(False) if window is not None else spec.num_layers,
            layer_types=["full_attention" if f else "sliding_attention" for f in full],
        )
        return config

    def read_qwen3(self, view: ConfigView) -> dict:
        fields = self.read_common(view)
        if view.bool("attention_bias", False):
            raise view.fail("attention_bias", "= true cannot be expressed for this architecture")
        n = fields["num_layers"]
        window = view.data.get("sliding_window") if view.bool("use_sliding_window", False) else None
        if window is not None:
            view.int("sliding_window")
        types = view.data.get("layer_types")
        if types is None:
            first = view.int("max_window_layers", n)
            types = [
                "sliding_attention" if window is not None and i >= first else "full_attention"
                for i in range(n)
            ]
        fields["sliding_windows"] = _windows_from_types(view, types, window, n)
        return fields

    def attention_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        return super().attention_rows(spec, p, h) + [
            Row(f"{p}q_norm.weight", f"{h}self_attn.q_norm.weight"),
            Row(f"{p}k_norm.weight", f"{h}self_attn.k_norm.weight"),
        ]


class Qwen3Arch(_Qwen3Like):
    """``Qwen3ForCausalLM``: RMSNorm, RoPE, SwiGLU, GQA with per-head QK-norm."""

    name = "Qwen3ForCausalLM"
    model_type = "qwen3"

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        return (
            self.base_checks(spec)
            + self.attention_checks(spec)
            + [("ffn", spec.ffn == "gated"), ("ffn_bias", not spec.ffn_bias)]
            + self.tail_checks(spec)
        )

    def from_config(self, view: ConfigView) -> DecoderSpec:
        fields = self.read_qwen3(view)
        return DecoderSpec(**fields, qk_norm=True, qk_norm_eps=fields["norm_eps"], ffn="gated")


class Qwen3MoeArch(_Qwen3Like):
    """``Qwen3MoeForCausalLM``: Qwen 3 attention with a top-k mixture of SwiGLU experts."""

    name = "Qwen3MoeForCausalLM"
    model_type = "qwen3_moe"

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        return (
            self.base_checks(spec)
            + self.attention_checks(spec)
            + [("ffn", spec.ffn == "moe"), ("ffn_bias", not spec.ffn_bias)]
            + self.tail_checks(spec)
        )

    def to_config(self, spec: DecoderSpec) -> dict:
        config = super().to_config(spec)
        config.update(
            moe_intermediate_size=spec.intermediate_size,
            num_experts=spec.num_experts,
            num_experts_per_tok=spec.top_k,
            norm_topk_prob=True,
            decoder_sparse_step=1,
            mlp_only_layers=[],
            output_router_logits=False,
        )
        return config

    def from_config(self, view: ConfigView) -> DecoderSpec:
        fields = self.read_qwen3(view)
        if not view.bool("norm_topk_prob", False):
            raise view.fail(
                "norm_topk_prob", "= false cannot be expressed; olm renormalises the top-k weights"
            )
        if view.data.get("mlp_only_layers"):
            raise view.fail("mlp_only_layers", "must be empty (every layer a mixture of experts)")
        if view.int("decoder_sparse_step", 1) != 1:
            raise view.fail("decoder_sparse_step", "must be 1 (every layer a mixture of experts)")
        key = "num_experts" if view.data.get("num_experts") is not None else "num_local_experts"
        experts = view.int(key)
        top_k = view.int("num_experts_per_tok", 8)
        if top_k > experts:
            raise view.fail("num_experts_per_tok", f"= {top_k} exceeds num_experts {experts}")
        fields["intermediate_size"] = view.int("moe_intermediate_size")
        return DecoderSpec(
            **fields, qk_norm=True, qk_norm_eps=fields["norm_eps"], ffn="moe",
            num_experts=experts, top_k=top_k,
        )

    def ffn_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        h = f"{h}mlp."
        rows = [Row(f"{p}router.weight", f"{h}gate.weight")]
        for e in range(spec.num_experts):
            for x in ("gate", "up", "down"):
                rows.append(Row(f"{p}experts.{e}.{x}.weight", f"{h}experts.{e}.{x}_proj.weight"))
        return rows

    def from_hf(
        self, src: TensorSource, spec: DecoderSpec, shapes: dict
    ) -> dict[str, torch.Tensor]:
        if "model.layers.0.mlp.experts.gate_up_proj" not in src:
            return super().from_hf(src, spec, shapes)
        return fused_experts_from_hf(self, src, spec, shapes)
