"""Llama-style architectures: Llama, Mistral, Qwen 2 and Mixtral.

They share one layout (``model.layers.{i}.self_attn.q_proj`` ...) and one config
vocabulary, and differ in what they can express: Llama has optional attention and MLP
biases, Qwen 2 always has query/key/value biases, Mistral a sliding window on every
layer, Mixtral a sparse mixture of experts in place of the MLP.
"""

from __future__ import annotations

from typing import ClassVar

import torch

from olm.interop.hf.archs.base import (
    SPEC_TO_HF_ACTIVATION,
    Architecture,
    ConfigView,
    Row,
    rope_config,
    rope_fields,
)
from olm.interop.hf.spec import DecoderSpec
from olm.interop.hf.tensors import TensorSource

__all__ = [
    "LlamaArch", "MistralArch", "Qwen2Arch", "MixtralArch", "LlamaLike", "fused_experts_from_hf"
]


def _uniform_window(spec: DecoderSpec) -> bool:
    return len(set(spec.sliding_windows)) <= 1


def _one_window_size(spec: DecoderSpec) -> bool:
    return len({w for w in spec.sliding_windows if w is not None}) <= 1


def _window(spec: DecoderSpec) -> int | None:
    sizes = [w for w in spec.sliding_windows if w is not None]
    return sizes[0] if sizes else None


class LlamaLike(Architecture):
    """Shared reading, writing and tensor naming of the Llama-style layout."""

    default_tied: ClassVar[bool] = False
    default_eps: ClassVar[float] = 1e-6
    default_theta: ClassVar[float] = 10000.0
    default_positions: ClassVar[int] = 2048
    norm_kind: ClassVar[str] = "same"

    def base_checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        return [
            ("embed_scale", spec.embed_scale is None),
            ("position", spec.position == "rope"),
            ("norm", spec.norm == "rms"),
            ("sandwich_norms", not spec.sandwich_norms),
            ("pre_norms", spec.pre_norms),
            ("qk_norm_full", not spec.qk_norm_full),
        ]

    def tail_checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        return [
            ("activation", spec.activation in SPEC_TO_HF_ACTIVATION),
            ("shared_experts", spec.shared_experts == 0),
            ("head_bias", not spec.head_bias),
            ("final_softcap", spec.final_softcap is None),
        ]

    # -- config -------------------------------------------------------------------------
    def to_config(self, spec: DecoderSpec) -> dict:
        config = self.common_config(spec)
        config.update(
            hidden_size=spec.hidden_size,
            intermediate_size=spec.intermediate_size,
            num_hidden_layers=spec.num_layers,
            num_attention_heads=spec.num_heads,
            num_key_value_heads=spec.num_kv_heads,
            head_dim=spec.head_dim,
            hidden_act=SPEC_TO_HF_ACTIVATION[spec.activation],
            max_position_embeddings=spec.max_positions,
            rms_norm_eps=spec.norm_eps,
            attention_dropout=0.0,
            **rope_fields(spec),
        )
        return config

    def read_common(self, view: ConfigView) -> dict:
        """The spec fields every Llama-style config states the same way."""
        hidden = view.int("hidden_size")
        heads = view.int("num_attention_heads")
        theta, scaling = rope_config(view, self.default_theta)
        return dict(
            vocab_size=view.int("vocab_size"),
            hidden_size=hidden,
            num_layers=view.int("num_hidden_layers"),
            num_heads=heads,
            num_kv_heads=view.int("num_key_value_heads", heads),
            head_dim=view.int("head_dim", hidden // heads),
            intermediate_size=view.int("intermediate_size"),
            max_positions=view.int("max_position_embeddings", self.default_positions),
            position="rope",
            rope_theta=theta,
            rope_scaling=scaling,
            norm="rms",
            norm_eps=view.float("rms_norm_eps", self.default_eps),
            activation=view.activation("hidden_act", "silu"),
            tied=view.bool("tie_word_embeddings", self.default_tied),
        )

    # -- tensors ------------------------------------------------------------------------
    def attention_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        rows = []
        for x in "qkvo":
            rows.append(Row(f"{p}{x}.weight", f"{h}self_attn.{x}_proj.weight"))
            if spec.out_bias if x == "o" else spec.qkv_bias:
                rows.append(Row(f"{p}{x}.bias", f"{h}self_attn.{x}_proj.bias"))
        return rows

    def ffn_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        rows = []
        for x in ("gate", "up", "down"):
            rows.append(Row(f"{p}{x}.weight", f"{h}mlp.{x}_proj.weight"))
            if spec.ffn_bias:
                rows.append(Row(f"{p}{x}.bias", f"{h}mlp.{x}_proj.bias"))
        return rows

    def norm_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        k = self.norm_kind
        return [
            Row(f"{p}attn_norm.weight", f"{h}input_layernorm.weight", k),
            Row(f"{p}ffn_norm.weight", f"{h}post_attention_layernorm.weight", k),
        ]

    def rows(self, spec: DecoderSpec) -> list[Row]:
        rows = [Row("embed.weight", "model.embed_tokens.weight")]
        for i in range(spec.num_layers):
            p, h = f"layers.{i}.", f"model.layers.{i}."
            rows += self.norm_rows(spec, p, h)
            rows += self.attention_rows(spec, p, h)
            rows += self.ffn_rows(spec, p, h)
        rows.append(Row("final_norm.weight", "model.norm.weight", self.norm_kind))
        if not spec.tied:
            rows.append(Row("head.weight", "lm_head.weight"))
        return rows

    def from_hf(
        self, src: TensorSource, spec: DecoderSpec, shapes: dict
    ) -> dict[str, torch.Tensor]:
        canon = super().from_hf(src, spec, shapes)
        if spec.tied and "lm_head.weight" in src:
            # Some exporters store the tied head anyway; transformers ignores it, so do we.
            src.take("lm_head.weight", shapes["embed.weight"])
        return canon


class LlamaArch(LlamaLike):
    """``LlamaForCausalLM``: RMSNorm, RoPE (optionally Llama 3.1 scaled), SwiGLU, GQA."""

    name = "LlamaForCausalLM"
    model_type = "llama"

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        same = spec.qkv_bias == spec.out_bias
        return (
            self.base_checks(spec)
            + [
                ("qkv_bias", same or not spec.qkv_bias),
                ("out_bias", same),
                ("qk_norm", not spec.qk_norm),
                ("attn_scale", spec.attn_scale is None),
                ("attn_softcap", spec.attn_softcap is None),
                ("sliding_windows", all(w is None for w in spec.sliding_windows)),
                ("ffn", spec.ffn == "gated"),
            ]
            + self.tail_checks(spec)
        )

    def to_config(self, spec: DecoderSpec) -> dict:
        config = super().to_config(spec)
        config.update(attention_bias=spec.qkv_bias, mlp_bias=spec.ffn_bias, pretraining_tp=1)
        return config

    def from_config(self, view: ConfigView) -> DecoderSpec:
        fields = self.read_common(view)
        bias = view.bool("attention_bias", False)
        return DecoderSpec(
            **fields,
            qkv_bias=bias,
            out_bias=bias,
            ffn="gated",
            ffn_bias=view.bool("mlp_bias", False),
        )


def _mistral_checks(arch: LlamaLike, spec: DecoderSpec, ffn: str) -> list[tuple[str, bool]]:
    """Mistral and Mixtral: no biases, no QK-norm or soft-cap, one window size, ``ffn`` MLPs."""
    return (
        arch.base_checks(spec)
        + [
            ("qkv_bias", not spec.qkv_bias),
            ("out_bias", not spec.out_bias),
            ("qk_norm", not spec.qk_norm),
            ("attn_scale", spec.attn_scale is None),
            ("attn_softcap", spec.attn_softcap is None),
            ("sliding_windows", _uniform_window(spec)),
            ("ffn", spec.ffn == ffn),
            ("ffn_bias", not spec.ffn_bias),
        ]
        + arch.tail_checks(spec)
    )


class MistralArch(LlamaLike):
    """``MistralForCausalLM``: Llama without biases, with one sliding window on every layer."""

    name = "MistralForCausalLM"
    model_type = "mistral"
    default_positions = 4096 * 32

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        return _mistral_checks(self, spec, "gated")

    def to_config(self, spec: DecoderSpec) -> dict:
        config = super().to_config(spec)
        config["sliding_window"] = _window(spec)
        return config

    def from_config(self, view: ConfigView) -> DecoderSpec:
        fields = self.read_common(view)
        window = view.data.get("sliding_window")
        if window is not None:
            view.int("sliding_window")
        return DecoderSpec(**fields, ffn="gated", sliding_windows=[window] * fields["num_layers"])


class Qwen2Arch(LlamaLike):
    """``Qwen2ForCausalLM``: Llama with query/key/value biases (and optional sliding layers)."""

    name = "Qwen2ForCausalLM"
    model_type = "qwen2"
    default_positions = 32768

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        return (
            self.base_checks(spec)
            + [
                ("head_dim", spec.head_dim * spec.num_heads == spec.hidden_size),
                ("qkv_bias", spec.qkv_bias),
                ("out_bias", not spec.out_bias),
                ("qk_norm", not spec.qk_norm),
                ("attn_scale", spec.attn_scale is None),
                ("attn_softcap", spec.attn_softcap is None),
                ("sliding_windows", _one_window_size(spec)),
                ("ffn", spec.ffn == "gated"),
                ("ffn_bias", not spec.ffn_bias),
            ]
            + self.tail_checks(spec)
        )

    def to_config(self, spec: DecoderSpec) -> dict:
        config = super().to_config(spec)
        del config["head_dim"]  # Qwen 2 derives it from hidden_size / heads
        window = _window(spec)
        full = [w is None for w in spec.sliding_windows]
        config.update(
            use_sliding_window=window is not None,
            sliding_window=window,
            max_window_layers=full.index(False) if window is not None else spec.num_layers,
            layer_types=["full_attention" if f else "sliding_attention" for f in full],
        )
        return config

    def from_config(self, view: ConfigView) -> DecoderSpec:
        fields = self.read_common(view)
        fields["head_dim"] = fields["hidden_size"] // fields["num_heads"]
        n = fields["num_layers"]
        window = view.data.get("sliding_window") if view.bool("use_sliding_window", False) else None
        if window is not None:
            view.int("sliding_window")
        types = view.data.get("layer_types")
        if types is None:
            first = view.int("max_window_layers", 28)
            types = [
                "sliding_attention" if window is not None and i >= first else "full_attention"
                for i in range(n)
            ]
        windows = _windows_from_types(view, types, window, n)
        return DecoderSpec(**fields, qkv_bias=True, ffn="gated", sliding_windows=windows)


def _windows_from_types(view: ConfigView, types: object, window: int | None, n: int) -> list:
    if not isinstance(types, list) or len(types) != n:
        raise view.fail("layer_types", f"must list one type per layer ({n})")
    windows = []
    for t in types:
        if t not in ("full_attention", "sliding_attention"):
            raise view.fail(
                "layer_types", f"has {t!r}; supported: 'full_attention', 'sliding_attention'"
            )
        windows.append(window if t == "sliding_attention" else None)
    return windows


class MixtralArch(LlamaLike):
    """``MixtralForCausalLM``: Mistral with a top-k routed mixture of SwiGLU experts."""

    name = "MixtralForCausalLM"
    model_type = "mixtral"
    default_eps = 1e-5
    default_theta = 1e6
    default_positions = 4096 * 32

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        return _mistral_checks(self, spec, "moe")

    def to_config(self, spec: DecoderSpec) -> dict:
        config = super().to_config(spec)
        config.update(
            sliding_window=_window(spec),
            num_local_experts=spec.num_experts,
            num_experts_per_tok=spec.top_k,
            router_jitter_noise=0.0,
            output_router_logits=False,
        )
        return config

    def from_config(self, view: ConfigView) -> DecoderSpec:
        fields = self.read_common(view)
        window = view.data.get("sliding_window")
        if window is not None:
            view.int("sliding_window")
        experts = view.int("num_local_experts", 8)
        top_k = view.int("num_experts_per_tok", 2)
        if top_k > experts:
            raise view.fail("num_experts_per_tok", f"= {top_k} exceeds num_local_experts {experts}")
        return DecoderSpec(
            **fields,
            ffn="moe",
            num_experts=experts,
            top_k=top_k,
            sliding_windows=[window] * fields["num_layers"],
        )

    def ffn_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        # The layout save_pretrained writes (transformers fuses experts only in memory).
        h = f"{h}block_sparse_moe."
        rows = [Row(f"{p}router.weight", f"{h}gate.weight")]
        for e in range(spec.num_experts):
            for ours, theirs in (("gate", "w1"), ("down", "w2"), ("up", "w3")):
                rows.append(Row(f"{p}experts.{e}.{ours}.weight", f"{h}experts.{e}.{theirs}.weight"))
        return rows

    def from_hf(
        self, src: TensorSource, spec: DecoderSpec, shapes: dict
    ) -> dict[str, torch.Tensor]:
        if "model.layers.0.mlp.experts.gate_up_proj" not in src:
            return super().from_hf(src, spec, shapes)
        return fused_experts_from_hf(self, src, spec, shapes)


def fused_experts_from_hf(
    arch: LlamaLike, src: TensorSource, spec: DecoderSpec, shapes: dict
) -> dict[str, torch.Tensor]:
    """Canonical tensors from transformers' fused in-memory expert layout.

    Experts are stored as 3-D tensors ``mlp.experts.gate_up_proj [E, 2I, D]`` (gate rows
    before up rows) and ``mlp.experts.down_proj [E, D, I]``; everything else by ``rows``.
    """
    canon = {}
    for row in arch.rows(spec):
        if ".router." in row.canon or ".experts." in row.canon:
            continue
        canon[row.canon] = src.take(row.hf, shapes[row.canon])
    e, d, i = spec.num_experts, spec.hidden_size, spec.intermediate_size
    for n in range(spec.num_layers):
        p, h = f"layers.{n}.", f"model.layers.{n}.mlp."
        canon[p + "router.weight"] = src.take(h + "gate.weight", (e, d))
        gate_up = src.take(h + "experts.gate_up_proj", (e, 2 * i, d))
        down = src.take(h + "experts.down_proj", (e, d, i))
        for x in range(e):
            canon[f"{p}experts.{x}.gate.weight"] = gate_up[x, :i]
            canon[f"{p}experts.{x}.up.weight"] = gate_up[x, i:]
            canon[f"{p}experts.{x}.down.weight"] = down[x]
    if spec.tied and "lm_head.weight" in src:
        src.take("lm_head.weight", shapes["embed.weight"])
    return canon
