"""``GptOssForCausalLM``: sinks, alternating windows, a stacked bank of biased experts, YaRN.

The Llama-style layout with biases on every attention projection, one learned sink logit
per head (``self_attn.sinks``), and a mixture of experts stored stacked:
``mlp.router`` (with a bias), ``mlp.experts.gate_up_proj [E, D, 2I]`` whose columns
alternate gate and up, ``mlp.experts.down_proj [E, I, D]`` and their biases. Routing takes
the top k router logits and softmaxes over those; the SwiGLU is clamped at
``swiglu_limit`` with ``alpha = 1.702``. RoPE is YaRN-scaled. Only unquantised checkpoints
are read (the released MXFP4 files store ``_blocks``/``_scales`` instead).
"""

from __future__ import annotations

from olm.interop.hf.archs.base import ConfigView, Row, rope_parameters
from olm.interop.hf.archs.llama import LlamaLike, _one_window_size, _window, _windows_from_types
from olm.interop.hf.spec import DecoderSpec

__all__ = ["GptOssArch"]

_YARN_KEYS = ("factor", "original_max_position_embeddings", "beta_fast", "beta_slow")


def _yarn(view: ConfigView) -> tuple[float, dict | None]:
    """(theta, scaling) of a gpt-oss config; plain or YaRN RoPE."""
    params, theta, kind = rope_parameters(view, 150000.0)
    if kind == "default":
        return theta, None
    if kind != "yarn":
        raise view.fail("rope_parameters", f"rope_type {kind!r} cannot be expressed; supported: yarn")
    for name in ("attention_factor", "mscale", "mscale_all_dim"):
        if params.get(name) is not None:
            raise view.fail("rope_parameters", f"{name} cannot be expressed by an olm model")
    scaling: dict = {"rope_type": "yarn"}
    defaults = {"beta_fast": 32.0, "beta_slow": 1.0,
                "original_max_position_embeddings": view.data.get("max_position_embeddings")}
    for name in _YARN_KEYS:
        value = params.get(name, defaults.get(name))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise view.fail("rope_parameters", f"needs a number for {name!r} with rope_type 'yarn'")
        scaling[name] = value
    truncate = params.get("truncate", True)
    if not isinstance(truncate, bool):
        raise view.fail("rope_parameters", f"truncate must be true or false, got {truncate!r}")
    scaling["truncate"] = truncate
    return theta, scaling


class GptOssArch(LlamaLike):
    """``GptOssForCausalLM`` (unquantised weights)."""

    name = "GptOssForCausalLM"
    model_type = "gpt_oss"
    default_eps = 1e-5
    default_theta = 150000.0
    default_positions = 131072
    sinks = True
    moe_kinds = ("gpt_oss",)
    rope_types = ("yarn",)

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        return (
            self.base_checks(spec)
            + [
                ("qkv_bias", spec.qkv_bias),
                ("out_bias", spec.out_bias),
                ("qk_norm", not spec.qk_norm),
                ("attn_scale", spec.attn_scale is None),
                ("attn_softcap", spec.attn_softcap is None),
                ("attn_sinks", spec.attn_sinks),
                ("sliding_windows", _one_window_size(spec)),
                ("ffn", spec.ffn == "moe"),
                ("moe_kind", spec.moe_kind == "gpt_oss"),
            ]
            + self.tail_checks(spec)
        )

    def to_config(self, spec: DecoderSpec) -> dict:
        config = super().to_config(spec)
        config.update(
            attention_bias=True,
            num_local_experts=spec.num_experts,
            num_experts_per_tok=spec.top_k,
            experts_per_token=spec.top_k,
            swiglu_alpha=1.702,
            swiglu_limit=spec.swiglu_limit,
            sliding_window=_window(spec),
            layer_types=[
                "full_attention" if w is None else "sliding_attention" for w in spec.sliding_windows
            ],
            router_aux_loss_coef=0.0,
            output_router_logits=False,
        )
        return config

    def from_config(self, view: ConfigView) -> DecoderSpec:
        theta, scaling = _yarn(view)
        data = dict(view.data)
        data.pop("rope_scaling", None)
        data["rope_parameters"] = {"rope_type": "default", "rope_theta": theta}
        fields = self.read_common(ConfigView(data, view.arch))
        fields["rope_scaling"] = scaling
        fields["activation"] = "silu"
        if view.float("swiglu_alpha", 1.702) != 1.702:
            raise view.fail("swiglu_alpha", "other than 1.702 cannot be expressed by an olm model")
        if not view.bool("attention_bias", True):
            raise view.fail("attention_bias", "= false cannot be expressed for gpt-oss")
        n = fields["num_layers"]
        window = view.data.get("sliding_window")
        if window is not None:
            view.int("sliding_window")
        types = view.data.get("layer_types")
        if types is None:
            types = ["sliding_attention" if (i + 1) % 2 else "full_attention" for i in range(n)]
        experts = view.int("num_local_experts", 128)
        top_k = view.int("num_experts_per_tok", view.int("experts_per_token", 4))
        if top_k > experts:
            raise view.fail("num_experts_per_tok", f"= {top_k} exceeds num_local_experts {experts}")
        return DecoderSpec(
            **fields,
            qkv_bias=True,
            out_bias=True,
            attn_sinks=True,
            sliding_windows=_windows_from_types(view, types, window, n),
            ffn="moe",
            moe_kind="gpt_oss",
            ffn_bias=True,
            num_experts=experts,
            top_k=top_k,
            swiglu_limit=view.float("swiglu_limit", 7.0),
        )

    def attention_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        return super().attention_rows(spec, p, h) + [Row(f"{p}sinks", f"{h}self_attn.sinks")]

    def ffn_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        h = f"{h}mlp."
        return [
            Row(f"{p}router.weight", f"{h}router.weight"),
            Row(f"{p}router.bias", f"{h}router.bias"),
            Row(f"{p}experts.gate_up.weight", f"{h}experts.gate_up_proj", "interleaved_columns"),
            Row(f"{p}experts.gate_up.bias", f"{h}experts.gate_up_proj_bias", "interleaved"),
            Row(f"{p}experts.down.weight", f"{h}experts.down_proj", "swap_last"),
            Row(f"{p}experts.down.bias", f"{h}experts.down_proj_bias"),
        ]
