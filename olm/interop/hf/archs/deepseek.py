"""DeepSeek-V2 and V3: multi-head latent attention and fine-grained MoE, first layers dense.

The files store what olm computes, with two differences handled at this boundary:
- RoPE pairs. DeepSeek's checkpoints rotate interleaved pairs ``(x0, x1), (x2, x3), ...``
  of each head's rotated part; olm rotates halves (``rotate_half``), so the rows of the
  rotated part of ``q_b_proj`` (or ``q_proj``) and ``kv_a_proj_with_mqa`` are permuted
  (even rows first, then odd) on the way in and back on the way out. Attention scores are
  unchanged by a permutation applied to queries and keys alike.
- Experts. Each routed expert is its own ``gate_proj``/``up_proj``/``down_proj`` in the
  files (or, in memory, transformers' fused ``gate_up_proj``); olm keeps one stacked bank.

V3 routes with sigmoid scores over expert groups plus a learned-free score bias
(``e_score_correction_bias``); V2 with a softmax and no renormalisation.
"""

from __future__ import annotations

import math
from typing import ClassVar

import torch

from olm.interop.hf.archs.base import ConfigView, Row, rope_fields, rope_parameters
from olm.interop.hf.archs.llama import LlamaLike
from olm.interop.hf.spec import DecoderSpec
from olm.interop.hf.tensors import TensorSource
from olm.models.deepseek import yarn_attention_scale

__all__ = ["DeepseekV2Arch", "DeepseekV3Arch"]

_YARN_KEYS = ("factor", "original_max_position_embeddings", "beta_fast", "beta_slow", "mscale",
              "mscale_all_dim")


def _rope(view: ConfigView) -> tuple[float, dict | None]:
    params, theta, kind = rope_parameters(view, 10000.0)
    if kind == "default":
        return theta, None
    if kind != "yarn":
        raise view.fail("rope_parameters", f"rope_type {kind!r} cannot be expressed; "
                                           "supported: default, yarn")
    scaling: dict = {"rope_type": "yarn"}
    for name in _YARN_KEYS:
        value = params.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise view.fail("rope_parameters", f"needs a number for {name!r}")
        scaling[name] = value
    return theta, scaling


def _rope_perm(block: int, nope: int, rope: int) -> torch.Tensor:
    """Row order taking a file's interleaved rotated rows to olm's halves, per ``block``."""
    inner = torch.arange(block)
    inner[nope:] = nope + torch.cat([torch.arange(0, rope, 2), torch.arange(1, rope, 2)])
    return inner


class _DeepseekLike(LlamaLike):
    """What V2 and V3 share: the MLA layout, dense first layers, experts and shared experts."""

    default_positions = 163840
    interleaved: ClassVar[bool] = True
    latent = True
    moe_kinds = ("deepseek",)
    rope_types = ("yarn",)

    # -- checks --------------------------------------------------------------------------
    def common_checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        m = spec.mla or {}
        return [
            ("embed_scale", spec.embed_scale is None),
            ("position", spec.position == "rope"),
            ("norm", spec.norm == "rms"),
            ("sandwich_norms", not spec.sandwich_norms),
            ("pre_norms", spec.pre_norms),
            ("mla", spec.mla is not None and m.get("norm_eps") == 1e-6),
            ("out_bias", spec.out_bias == spec.qkv_bias),
            ("attn_scale", _isclose(spec.attn_scale,
                                    yarn_attention_scale(spec.head_dim, spec.rope_scaling))),
            ("attn_softcap", spec.attn_softcap is None),
            ("sliding_windows", all(w is None for w in spec.sliding_windows)),
            ("ffn", spec.ffn == "moe" and spec.moe_kind == "deepseek"),
            ("activation", spec.activation == "silu"),
            ("ffn_bias", not spec.ffn_bias),
            ("head_bias", not spec.head_bias),
            ("final_softcap", spec.final_softcap is None),
        ]

    # -- config --------------------------------------------------------------------------
    def to_config(self, spec: DecoderSpec) -> dict:
        m, r = spec.mla, spec.routing
        config = self.common_config(spec)
        config.update(
            hidden_size=spec.hidden_size,
            intermediate_size=spec.dense_intermediate_size or spec.intermediate_size,
            moe_intermediate_size=spec.intermediate_size,
            num_hidden_layers=spec.num_layers,
            num_attention_heads=spec.num_heads,
            num_key_value_heads=spec.num_heads,
            n_routed_experts=spec.num_experts,
            n_shared_experts=spec.shared_experts,
            num_experts_per_tok=spec.top_k,
            first_k_dense_replace=spec.first_dense_layers,
            routed_scaling_factor=r["scaling_factor"],
            kv_lora_rank=m["kv_lora_rank"],
            q_lora_rank=m["q_lora_rank"],
            qk_nope_head_dim=m["qk_nope_head_dim"],
            qk_rope_head_dim=m["qk_rope_head_dim"],
            v_head_dim=m["v_head_dim"],
            head_dim=m["qk_rope_head_dim"],
            hidden_act="silu",
            max_position_embeddings=spec.max_positions,
            rms_norm_eps=spec.norm_eps,
            attention_bias=spec.qkv_bias,
            attention_dropout=0.0,
            **rope_fields(spec),
        )
        return config

    def read_deepseek(self, view: ConfigView) -> dict:
        hidden, heads = view.int("hidden_size"), view.int("num_attention_heads")
        if view.int("num_key_value_heads", heads) != heads:
            raise view.fail("num_key_value_heads", "must equal num_attention_heads for MLA")
        nope, rope, v = (view.int("qk_nope_head_dim"), view.int("qk_rope_head_dim"),
                         view.int("v_head_dim"))
        q_rank = view.data.get("q_lora_rank")
        if q_rank is not None:
            q_rank = view.int("q_lora_rank")
        theta, scaling = _rope(view)
        layers = view.int("num_hidden_layers")
        dense = view.data.get("first_k_dense_replace", 0)
        if isinstance(dense, bool) or not isinstance(dense, int) or not 0 <= dense < layers:
            raise view.fail("first_k_dense_replace", f"must be 0 to {layers - 1}, got {dense!r}")
        experts_key = "n_routed_experts" if view.data.get("n_routed_experts") else \
            "num_local_experts"
        experts, top_k = view.int(experts_key), view.int("num_experts_per_tok")
        if top_k > experts:
            raise view.fail("num_experts_per_tok", f"= {top_k} exceeds {experts} experts")
        shared = view.data.get("n_shared_experts") or 0
        if isinstance(shared, bool) or not isinstance(shared, int) or shared < 0:
            raise view.fail("n_shared_experts", f"must be a whole number >= 0, got {shared!r}")
        bias = view.bool("attention_bias", False)
        return dict(
            vocab_size=view.int("vocab_size"), hidden_size=hidden, num_layers=layers,
            num_heads=heads, num_kv_heads=heads, head_dim=nope + rope,
            intermediate_size=view.int("moe_intermediate_size"),
            dense_intermediate_size=view.int("intermediate_size") if dense else 0,
            first_dense_layers=dense,
            max_positions=view.int("max_position_embeddings", self.default_positions),
            position="rope", rope_theta=theta, rope_scaling=scaling, norm="rms",
            norm_eps=view.float("rms_norm_eps", 1e-6),
            activation=view.activation("hidden_act", "silu"),
            tied=view.bool("tie_word_embeddings", False), qkv_bias=bias, out_bias=bias,
            attn_scale=yarn_attention_scale(nope + rope, scaling),
            ffn="moe", moe_kind="deepseek", num_experts=experts, top_k=top_k,
            shared_experts=shared,
            mla={"kv_lora_rank": view.int("kv_lora_rank"), "q_lora_rank": q_rank,
                 "qk_nope_head_dim": nope, "qk_rope_head_dim": rope, "v_head_dim": v,
                 "norm_eps": 1e-6},
        )

    # -- tensors -------------------------------------------------------------------------
    def attention_rows(self, spec: DecoderSpec, p: str, h: str) -> list[Row]:
        a = f"{h}self_attn."
        names = [("kv_a", "kv_a_proj_with_mqa"), ("kv_b", "kv_b_proj"), ("o", "o_proj")]
        names = ([("q", "q_proj")] if spec.mla["q_lora_rank"] is None
                 else [("q_a", "q_a_proj"), ("q_b", "q_b_proj")]) + names
        rows = []
        for ours, theirs in names:
            rows.append(Row(f"{p}{ours}.weight", f"{a}{theirs}.weight"))
            if spec.qkv_bias and ours in ("q_a", "kv_a", "o"):
                rows.append(Row(f"{p}{ours}.bias", f"{a}{theirs}.bias"))
        if spec.mla["q_lora_rank"] is not None:
            rows.append(Row(f"{p}q_a_norm.weight", f"{a}q_a_layernorm.weight"))
        rows.append(Row(f"{p}kv_a_norm.weight", f"{a}kv_a_layernorm.weight"))
        return rows

    def layer_ffn_rows(self, spec: DecoderSpec, i: int, p: str, h: str) -> list[Row]:
        m = f"{h}mlp."
        if i < spec.first_dense_layers:
            return [Row(f"{p}{x}.weight", f"{m}{x}_proj.weight") for x in ("gate", "up", "down")]
        rows = [Row(f"{p}router.weight", f"{m}gate.weight")]
        if spec.routing["score_bias"]:
            rows.append(Row(f"{p}router.score_bias", f"{m}gate.e_score_correction_bias"))
        if spec.shared_experts:
            rows += [Row(f"{p}shared.{x}.weight", f"{m}shared_experts.{x}_proj.weight")
                     for x in ("gate", "up", "down")]
        return rows  # the routed experts are split/stacked in to_hf/from_hf

    def rows(self, spec: DecoderSpec) -> list[Row]:
        rows = [Row("embed.weight", "model.embed_tokens.weight")]
        for i in range(spec.num_layers):
            p, h = f"layers.{i}.", f"model.layers.{i}."
            rows += self.norm_rows(spec, p, h)
            rows += self.attention_rows(spec, p, h)
            rows += self.layer_ffn_rows(spec, i, p, h)
        rows.append(Row("final_norm.weight", "model.norm.weight"))
        if not spec.tied:
            rows.append(Row("head.weight", "lm_head.weight"))
        return rows

    def _permuted(self, spec: DecoderSpec, name: str, t: torch.Tensor, back: bool) -> torch.Tensor:
        """Rotated rows between the files' interleaved pairs and olm's halves."""
        if not self.interleaved:
            return t
        m = spec.mla
        nope, rope = m["qk_nope_head_dim"], m["qk_rope_head_dim"]
        if name.endswith((".q.weight", ".q_b.weight")):
            block, heads, start = nope + rope, spec.num_heads, nope
        elif name.endswith((".kv_a.weight", ".kv_a.bias")):
            block, heads, start = m["kv_lora_rank"] + rope, 1, m["kv_lora_rank"]
        else:
            return t
        perm = _rope_perm(block, start, rope)
        order = torch.cat([perm + b * block for b in range(heads)])
        if back:
            order = torch.argsort(order)
        return t[order]

    def to_hf(self, canon: dict[str, torch.Tensor], spec: DecoderSpec) -> dict[str, torch.Tensor]:
        fixed = {k: self._permuted(spec, k, v, back=True) for k, v in canon.items()}
        out = super().to_hf(fixed, spec)
        h = spec.intermediate_size
        for i in range(spec.first_dense_layers, spec.num_layers):
            p, m = f"layers.{i}.", f"model.layers.{i}.mlp.experts."
            up, down = canon[p + "experts.up.weight"], canon[p + "experts.down.weight"]
            for e in range(spec.num_experts):
                out[f"{m}{e}.up_proj.weight"] = up[e, :h].contiguous()
                out[f"{m}{e}.gate_proj.weight"] = up[e, h:].contiguous()
                out[f"{m}{e}.down_proj.weight"] = down[e].contiguous()
        return out

    def from_hf(self, src: TensorSource, spec: DecoderSpec, shapes: dict
                ) -> dict[str, torch.Tensor]:
        canon = {r.canon: self._permuted(spec, r.canon, src.take(r.hf, shapes[r.canon]), False)
                 for r in self.rows(spec)}
        e, d, h = spec.num_experts, spec.hidden_size, spec.intermediate_size
        for i in range(spec.first_dense_layers, spec.num_layers):
            p, m = f"layers.{i}.", f"model.layers.{i}.mlp.experts."
            if f"{m}gate_up_proj" in src:  # transformers' fused in-memory layout
                gate_up = src.take(f"{m}gate_up_proj", (e, 2 * h, d))
                up = torch.cat([gate_up[:, h:], gate_up[:, :h]], dim=1)
                down = src.take(f"{m}down_proj", (e, d, h))
            else:
                up = torch.stack([torch.cat([src.take(f"{m}{x}.up_proj.weight", (h, d)),
                                             src.take(f"{m}{x}.gate_proj.weight", (h, d))])
                                  for x in range(e)])
                down = torch.stack([src.take(f"{m}{x}.down_proj.weight", (d, h))
                                    for x in range(e)])
            canon[p + "experts.up.weight"], canon[p + "experts.down.weight"] = up, down
        if spec.tied and "lm_head.weight" in src:
            src.take("lm_head.weight", shapes["embed.weight"])
        return canon


class DeepseekV3Arch(_DeepseekLike):
    """``DeepseekV3ForCausalLM``: MLA, sigmoid group-limited routing with a score bias."""

    name = "DeepseekV3ForCausalLM"
    model_type = "deepseek_v3"

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        r = spec.routing or {}
        return self.common_checks(spec) + [
            ("routing", r.get("scoring") == "sigmoid" and r.get("score_bias") is True),
        ]

    def to_config(self, spec: DecoderSpec) -> dict:
        config = super().to_config(spec)
        r = spec.routing
        config.update(n_group=r["num_groups"], topk_group=r["topk_groups"],
                      norm_topk_prob=r["normalize"], rope_interleave=True)
        return config

    def from_config(self, view: ConfigView) -> DecoderSpec:
        fields = self.read_deepseek(view)
        groups, top_groups = view.int("n_group", 1), view.int("topk_group", 1)
        routing = {"scoring": "sigmoid", "num_groups": groups, "topk_groups": top_groups,
                   "normalize": view.bool("norm_topk_prob", True),
                   "scaling_factor": view.float("routed_scaling_factor", 1.0),
                   "score_bias": True}
        if not view.bool("rope_interleave", True):
            raise view.fail("rope_interleave", "= false is not supported (DeepSeek-V3 files "
                                               "store interleaved RoPE pairs)")
        return DecoderSpec(**fields, routing=routing)


class DeepseekV2Arch(_DeepseekLike):
    """``DeepseekV2ForCausalLM``: MLA, softmax routing (greedy or group-limited), no bias."""

    name = "DeepseekV2ForCausalLM"
    model_type = "deepseek_v2"

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        r = spec.routing or {}
        return self.common_checks(spec) + [
            ("routing", r.get("scoring") == "softmax" and not r.get("normalize")
             and not r.get("score_bias")),
        ]

    def to_config(self, spec: DecoderSpec) -> dict:
        config = super().to_config(spec)
        r = spec.routing
        grouped = r["num_groups"] > 1
        config.update(topk_method="group_limited_greedy" if grouped else "greedy",
                      n_group=r["num_groups"] if grouped else None,
                      topk_group=r["topk_groups"] if grouped else None, norm_topk_prob=False)
        return config

    def from_config(self, view: ConfigView) -> DecoderSpec:
        fields = self.read_deepseek(view)
        method = view.expect("topk_method", ("greedy", "group_limited_greedy"), "greedy")
        grouped = method == "group_limited_greedy"
        routing = {"scoring": "softmax",
                   "num_groups": view.int("n_group", 1) if grouped else 1,
                   "topk_groups": view.int("topk_group", 1) if grouped else 1,
                   "normalize": False,
                   "scaling_factor": view.float("routed_scaling_factor", 1.0),
                   "score_bias": False}
        return DecoderSpec(**fields, routing=routing)


def _isclose(a: float | None, b: float | None) -> bool:
    return a == b or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))
