"""``GPT2LMHeadModel``: learned positions, LayerNorm, biased MHA and a GELU MLP.

GPT-2 stores its linear layers as ``Conv1D`` (weight ``[in, out]``, the transpose of
``nn.Linear``) and fuses the query, key and value projections into one ``c_attn``.
"""

from __future__ import annotations

import torch

from olm.interop.hf.archs.base import Architecture, ConfigView, Row
from olm.interop.hf.spec import DecoderSpec
from olm.interop.hf.tensors import TensorSource

__all__ = ["GPT2Arch"]

_GPT2_ACTIVATIONS = {"gelu_tanh": "gelu_new", "gelu": "gelu", "relu": "relu", "silu": "silu"}
_FROM_GPT2 = {
    "gelu_new": "gelu_tanh",
    "gelu_pytorch_tanh": "gelu_tanh",
    "gelu_fast": "gelu_tanh",
    "gelu": "gelu",
    "relu": "relu",
    "silu": "silu",
    "swish": "silu",
}


class GPT2Arch(Architecture):
    """``GPT2LMHeadModel``."""

    name = "GPT2LMHeadModel"
    model_type = "gpt2"

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        return [
            ("embed_scale", spec.embed_scale is None),
            ("position", spec.position == "learned"),
            ("norm", spec.norm == "layer"),
            ("sandwich_norms", not spec.sandwich_norms),
            ("pre_norms", spec.pre_norms),
            ("num_kv_heads", spec.num_kv_heads == spec.num_heads),
            ("head_dim", spec.head_dim * spec.num_heads == spec.hidden_size),
            ("qkv_bias", spec.qkv_bias),
            ("out_bias", spec.out_bias),
            ("qk_norm", not spec.qk_norm),
            ("qk_norm_full", not spec.qk_norm_full),
            ("attn_scale", spec.attn_scale in (None, 1.0)),
            ("attn_softcap", spec.attn_softcap is None),
            ("sliding_windows", all(w is None for w in spec.sliding_windows)),
            ("ffn", spec.ffn == "mlp"),
            ("activation", spec.activation in _GPT2_ACTIVATIONS),
            ("ffn_bias", spec.ffn_bias),
            ("head_bias", not spec.head_bias),
            ("final_softcap", spec.final_softcap is None),
        ]

    def to_config(self, spec: DecoderSpec) -> dict:
        config = self.common_config(spec)
        config.update(
            n_embd=spec.hidden_size,
            n_layer=spec.num_layers,
            n_head=spec.num_heads,
            n_positions=spec.max_positions,
            n_inner=spec.intermediate_size,
            activation_function=_GPT2_ACTIVATIONS[spec.activation],
            layer_norm_epsilon=spec.norm_eps,
            scale_attn_weights=spec.attn_scale is None,
            scale_attn_by_inverse_layer_idx=False,
            reorder_and_upcast_attn=False,
            add_cross_attention=False,
            resid_pdrop=0.0,
            embd_pdrop=0.0,
            attn_pdrop=0.0,
        )
        return config

    def from_config(self, view: ConfigView) -> DecoderSpec:
        hidden = view.int("n_embd", 768)
        heads = view.int("n_head", 12)
        if hidden % heads:
            raise view.fail("n_head", f"= {heads} does not divide n_embd {hidden}")
        for key in ("scale_attn_by_inverse_layer_idx", "add_cross_attention"):
            if view.bool(key, False):
                raise view.fail(key, "= true cannot be expressed by an olm model")
        act = view.expect("activation_function", tuple(_FROM_GPT2), "gelu_new")
        return DecoderSpec(
            vocab_size=view.int("vocab_size"),
            hidden_size=hidden,
            num_layers=view.int("n_layer", 12),
            num_heads=heads,
            num_kv_heads=heads,
            head_dim=hidden // heads,
            intermediate_size=view.int("n_inner", 4 * hidden),
            max_positions=view.int("n_positions", 1024),
            position="learned",
            norm="layer",
            norm_eps=view.float("layer_norm_epsilon", 1e-5),
            qkv_bias=True,
            out_bias=True,
            attn_scale=None if view.bool("scale_attn_weights", True) else 1.0,
            ffn="mlp",
            activation=_FROM_GPT2[act],
            ffn_bias=True,
            tied=view.bool("tie_word_embeddings", True),
        )

    def rows(self, spec: DecoderSpec, prefix: str = "transformer.") -> list[Row]:
        """Every tensor except the fused ``c_attn``, which `to_hf`/`from_hf` handle."""
        t = prefix
        rows = [Row("embed.weight", f"{t}wte.weight"), Row("pos_embed.weight", f"{t}wpe.weight")]
        for i in range(spec.num_layers):
            p, h = f"layers.{i}.", f"{t}h.{i}."
            rows += [
                Row(f"{p}attn_norm.weight", f"{h}ln_1.weight"),
                Row(f"{p}attn_norm.bias", f"{h}ln_1.bias"),
                Row(f"{p}o.weight", f"{h}attn.c_proj.weight", "transpose"),
                Row(f"{p}o.bias", f"{h}attn.c_proj.bias"),
                Row(f"{p}ffn_norm.weight", f"{h}ln_2.weight"),
                Row(f"{p}ffn_norm.bias", f"{h}ln_2.bias"),
                Row(f"{p}up.weight", f"{h}mlp.c_fc.weight", "transpose"),
                Row(f"{p}up.bias", f"{h}mlp.c_fc.bias"),
                Row(f"{p}down.weight", f"{h}mlp.c_proj.weight", "transpose"),
                Row(f"{p}down.bias", f"{h}mlp.c_proj.bias"),
            ]
        rows += [
            Row("final_norm.weight", f"{t}ln_f.weight"),
            Row("final_norm.bias", f"{t}ln_f.bias"),
        ]
        if not spec.tied:
            rows.append(Row("head.weight", "lm_head.weight"))
        return rows

    def to_hf(self, canon: dict[str, torch.Tensor], spec: DecoderSpec) -> dict[str, torch.Tensor]:
        out = super().to_hf(canon, spec)
        for i in range(spec.num_layers):
            p, h = f"layers.{i}.", f"transformer.h.{i}.attn.c_attn."
            out[h + "weight"] = torch.cat([canon[p + x + ".weight"] for x in "qkv"], 0).t()
            out[h + "bias"] = torch.cat([canon[p + x + ".bias"] for x in "qkv"], 0)
        return out

    def from_hf(
        self, src: TensorSource, spec: DecoderSpec, shapes: dict
    ) -> dict[str, torch.Tensor]:
        # save_pretrained writes "transformer.h.0..."; the original checkpoints "h.0...".
        prefix = "transformer." if "transformer.wte.weight" in src else ""
        canon = {}
        for r in self.rows(spec, prefix):
            shape = shapes[r.canon]
            t = src.take(r.hf, tuple(reversed(shape)) if r.kind == "transpose" else shape)
            canon[r.canon] = t.t() if r.kind == "transpose" else t
        d = spec.hidden_size
        for i in range(spec.num_layers):
            p, h = f"layers.{i}.", f"{prefix}h.{i}.attn.c_attn."
            w = src.take(h + "weight", (d, 3 * d)).t()
            b = src.take(h + "bias", (3 * d,))
            for j, x in enumerate("qkv"):
                canon[f"{p}{x}.weight"] = w[j * d : (j + 1) * d]
                canon[f"{p}{x}.bias"] = b[j * d : (j + 1) * d]
        if spec.tied and "lm_head.weight" in src:
            src.take("lm_head.weight", shapes["embed.weight"])
        return canon
