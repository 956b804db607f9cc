"""Reading an `olm` model's structure into a `DecoderSpec` and its parameter slots.

The walk looks at what the model is made of, never at its Python class, so a model put
together by hand or edited in the Studio is recognised exactly like a preset: containers
(`Block`, `Repeat`) are flattened, and the remaining sequence must read as

    Embedding, [AbsolutePositionalEmbedding],
    (Residual(norm, attention[, norm]), Residual(norm, feed-forward[, norm])) * layers,
    [final norm], OutputHead

Parts that no supported Hugging Face architecture can hold are refused here with their
name and position; hyperparameters that only some architectures can hold are recorded in
the spec (with the part they came from) for the architectures to judge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from torch import nn

from olm.core.capture import init_args
from olm.core.errors import OLMError
from olm.interop.hf.canonical import canonical_shapes
from olm.interop.hf.slots import Slot
from olm.interop.hf.spec import DecoderSpec
from olm.nn.activations.gated import GeGLU, ReGLU, SwiGLU
from olm.nn.activations.pointwise import GELU, ReLU, SiLU
from olm.nn.attention._fused import ProjectionView
from olm.nn.attention.base import AttentionBase
from olm.nn.attention.latent import MultiHeadLatentAttention
from olm.nn.blocks.output_head import OutputHead
from olm.nn.embeddings.absolute import AbsolutePositionalEmbedding
from olm.nn.embeddings.token import Embedding
from olm.nn.feedforward.base import FeedForwardBase
from olm.nn.feedforward.gated_base import GatedFFNBase
from olm.nn.moe.base import MoEFeedForwardBase
from olm.nn.moe.deepseek import DeepSeekMoEFFN
from olm.nn.moe.gpt_oss import GptOssMoEFFN
from olm.nn.moe.router import MoERouter
from olm.nn.norms.layer_norm import LayerNorm
from olm.nn.norms.rms_norm import RMSNorm
from olm.nn.structure import Block, Repeat, Residual

__all__ = ["ReadModel", "read_model"]

_SKIPPED = (nn.Dropout, nn.Identity)  # no-ops at inference: nothing to export


@dataclass
class ReadModel:
    """What the walk found: the spec and, per canonical tensor name, its slot."""

    spec: DecoderSpec
    slots: dict[str, Slot]


def _name(m: nn.Module) -> str:
    return type(m).__name__


def _flatten(module: nn.Module) -> list[nn.Module]:
    """The leaves and Residuals of a container tree, in execution order."""
    if isinstance(module, Repeat) and type(module).forward is Repeat.forward:
        return [leaf for layer in module.stack for leaf in _flatten(layer)]
    if isinstance(module, Block) and type(module).forward is Block.forward:
        # Any sequential container (Block, Pipeline, a family class) is just its children.
        return [leaf for child in module.blocks for leaf in _flatten(child)]
    if isinstance(module, _SKIPPED):
        return []
    return [module]


def _refuse(part: str, what: str) -> OLMError:
    return OLMError(f"{part} {what}, which no supported Hugging Face architecture can express")


def _activation(act: nn.Module) -> str:
    if isinstance(act, (GELU, GeGLU)):
        return "gelu_tanh" if act.approximate == "tanh" else "gelu"
    if isinstance(act, (SiLU, SwiGLU)):
        return "silu"
    if isinstance(act, (ReLU, ReGLU)):
        return "relu"
    return _name(act)


class _Walk:
    """Accumulates spec fields, part names and slots while reading parts in order."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.parts: dict[str, str] = {}
        self.slots: dict[str, Slot] = {}
        self.windows: list[int | None] = []
        self.layer_index = 0
        self.dense_prefix = 0  # DeepSeek: leading dense layers before the expert layers

    def set(self, field: str, value: Any, part: str) -> None:
        """Record ``field``; a later layer must agree with the first one."""
        if field not in self.fields:
            self.fields[field] = value
            self.parts[field] = part
            return
        old = self.fields[field]
        same = (
            math.isclose(old, value, rel_tol=1e-9)
            if isinstance(old, float) and isinstance(value, float)
            else old == value
        )
        if not same:
            raise OLMError(
                f"{part} has {field.replace('_', ' ')} {value!r} but {self.parts[field]} has "
                f"{old!r}; Hugging Face configs need every layer alike"
            )

    def covered(self, module: nn.Module, part: str, ignore: tuple[str, ...] = ()) -> None:
        """Every parameter of ``module`` has a slot: nothing would be silently dropped."""
        mapped = {id(slot.param) for slot in self.slots.values()}
        extra = [
            n
            for n, p in module.named_parameters()
            if id(p) not in mapped and not n.startswith(ignore)
        ]
        if extra:
            raise _refuse(part, f"has parameters {extra[:3]} beyond the standard layout")

    def linear(self, name: str, layer: nn.Linear | ProjectionView) -> None:
        if isinstance(layer, ProjectionView):  # rows of the fused q/k/v projection
            fused, rows = layer.fused, layer.rows
            self.slots[f"{name}.weight"] = Slot(fused.weight, rows)
            if fused.bias is not None:
                self.slots[f"{name}.bias"] = Slot(fused.bias, rows)
            return
        self.slots[f"{name}.weight"] = Slot(layer.weight)
        if layer.bias is not None:
            self.slots[f"{name}.bias"] = Slot(layer.bias)

    # -- parts ----------------------------------------------------------------------------
    def norm(self, name: str, m: nn.Module, part: str) -> None:
        if isinstance(m, RMSNorm):
            kind = "rms"
            self.slots[f"{name}.weight"] = Slot(m.weight)
        elif isinstance(m, LayerNorm):
            if m.gamma is None or m.beta is None:
                raise _refuse(part, "is a LayerNorm without a learned scale and shift")
            kind = "layer"
            self.slots[f"{name}.weight"] = Slot(m.gamma)
            self.slots[f"{name}.bias"] = Slot(m.beta)
        else:
            raise _refuse(part, f"is a {_name(m)}, not an RMSNorm or LayerNorm")
        self.set("norm", kind, part)
        self.set("norm_eps", float(m.eps), part)
        self.covered(m, part)

    def latent_attention(self, p: str, a: MultiHeadLatentAttention, part: str) -> None:
        """DeepSeek's MLA: low-rank q (optional) and a shared latent for keys and values."""
        scale = None if math.isclose(a.scale, a.qk_dim**-0.5, rel_tol=1e-9) else float(a.scale)
        norms = [a.kv_a_norm] + ([a.q_a_norm] if a.q_lora_rank is not None else [])
        mla = {"kv_lora_rank": a.kv_lora_rank, "q_lora_rank": a.q_lora_rank,
               "qk_nope_head_dim": a.nope_dim, "qk_rope_head_dim": a.rope_dim,
               "v_head_dim": a.v_dim, "norm_eps": float(norms[0].eps)}
        for field, value in (
            ("num_heads", a.num_heads), ("num_kv_heads", a.num_heads), ("head_dim", a.qk_dim),
            ("qkv_bias", a.kv_a_proj.bias is not None), ("out_bias", a.out_proj.bias is not None),
            ("qk_norm", False), ("attn_scale", scale), ("attn_softcap", None),
            ("attn_sinks", False), ("mla", mla),
        ):
            self.set(field, value, part)
        if any(n.eps != norms[0].eps for n in norms):
            raise _refuse(part, "uses different epsilons in its latent norms")
        self.rope(a, part)
        self.windows.append(None)
        if a.q_lora_rank is None:
            self.linear(p + "q", a.q_proj)
        else:
            self.linear(p + "q_a", a.q_a_proj)
            self.slots[p + "q_a_norm.weight"] = Slot(a.q_a_norm.weight)
            self.linear(p + "q_b", a.q_b_proj)
        self.linear(p + "kv_a", a.kv_a_proj)
        self.slots[p + "kv_a_norm.weight"] = Slot(a.kv_a_norm.weight)
        self.linear(p + "kv_b", a.kv_b_proj)
        self.linear(p + "o", a.out_proj)
        self.covered(a, part)

    def attention(self, p: str, a: nn.Module, part: str) -> None:
        if isinstance(a, MultiHeadLatentAttention):
            self.latent_attention(p, a, part)
            return
        if not isinstance(a, AttentionBase):
            raise _refuse(part, "is not a multi-head attention layer")
        if not a.causal:
            raise _refuse(part, "is not causal")
        if hasattr(a, "alibi"):
            raise _refuse(part, "uses ALiBi position biases")
        for field, value in (
            ("num_heads", a.num_heads),
            ("num_kv_heads", a.num_kv_heads),
            ("head_dim", a.head_dim),
            ("qkv_bias", a.q_proj.bias is not None),
            ("out_bias", a.out_proj.bias is not None),
            ("qk_norm", bool(getattr(a, "use_qk_norm", False))),
            (
                "attn_scale",
                None if math.isclose(a.scale, a.head_dim**-0.5, rel_tol=1e-9) else float(a.scale),
            ),
            ("attn_softcap", getattr(a, "attn_logit_softcap", None)),
            ("attn_sinks", getattr(a, "attention_sink", None) is not None),
        ):
            self.set(field, value, part)
        # Sliding-window layers may use their own RoPE base (Gemma 3); _finish compares.
        self.rope(a, part, "rope" if a.sliding_window is None else "rope_local")
        self.windows.append(a.sliding_window)
        if a.sliding_window is not None and "sliding_windows" not in self.parts:
            self.parts["sliding_windows"] = part
        for x, proj in (("q", a.q_proj), ("k", a.k_proj), ("v", a.v_proj), ("o", a.out_proj)):
            self.linear(p + x, proj)
        if getattr(a, "attention_sink", None) is not None:
            self.slots[p + "sinks"] = Slot(a.attention_sink)
        if getattr(a, "use_qk_norm", False):
            self.qk_norms(p, a, part)
        self.covered(a, part)

    def qk_norms(self, p: str, a: nn.Module, part: str) -> None:
        """Per-head QK-norm gains (Qwen 3): RMSNorms whose epsilon must match the layers'."""
        self.set("qk_norm_full", not getattr(a, "qk_norm_per_head", True), part)
        for x, norm in (("q_norm", a.q_norm), ("k_norm", a.k_norm)):
            if not isinstance(norm, RMSNorm):
                raise _refuse(part, f"normalises {x[0]} with {_name(norm)}, not RMSNorm")
            self.set("qk_norm_eps", float(norm.eps), part)
            self.slots[f"{p}{x}.weight"] = Slot(norm.weight)

    def rope(self, a: AttentionBase, part: str, key: str = "rope") -> None:
        rope = a.rope
        if rope is None:
            self.set(key, None, part)
            return
        full = a.rope_dim if isinstance(a, MultiHeadLatentAttention) else a.head_dim
        if rope.rotary_dim != full:
            raise _refuse(
                part, f"rotates only {rope.rotary_dim} of {a.head_dim} head dims (partial RoPE)"
            )
        s = rope.scaling
        if s.kind == "default":
            scaling = None
        elif s.kind == "linear":
            scaling = {"rope_type": "linear", "factor": s.factor}
        elif s.kind == "llama3":
            scaling = {
                "rope_type": "llama3",
                "factor": s.factor,
                "low_freq_factor": s.low_freq_factor,
                "high_freq_factor": s.high_freq_factor,
                "original_max_position_embeddings": s.original_max_seq_len,
            }
        elif s.kind == "yarn" and s.attention_factor is None:
            scaling = {
                "rope_type": "yarn",
                "factor": s.factor,
                "original_max_position_embeddings": s.original_max_seq_len,
                "beta_fast": s.beta_fast,
                "beta_slow": s.beta_slow,
            }
            if s.mscale is None and s.mscale_all_dim is None:
                scaling["truncate"] = s.truncate
            else:  # DeepSeek's form
                scaling.update(mscale=s.mscale, mscale_all_dim=s.mscale_all_dim)
        else:
            raise _refuse(
                part, f"uses RoPE scaling {s.kind!r} (olm exports 'linear', 'llama3' and 'yarn')"
            )
        self.set(key, (rope.base, scaling, rope.max_seq_len), part)

    def dense_first(self, p: str, f: nn.Module, part: str) -> None:
        """One of DeepSeek's dense first layers: a bias-free SwiGLU of its own width."""
        if not isinstance(f, GatedFFNBase) or _activation(f.act) != "silu" \
                or f.up_proj.bias is not None:
            raise _refuse(part, "is a dense layer before the experts but not a bias-free SwiGLU")
        self.set("dense_intermediate_size", f.hidden_dim, part)
        self.gated_slots(p, f)
        self.covered(f, part)

    def deepseek_moe(self, p: str, f: DeepSeekMoEFFN, part: str) -> None:
        """DeepSeek's experts: a stacked SwiGLU bank, a grouped router, shared experts."""
        r = f.router
        routing = {"scoring": r.scoring, "num_groups": r.num_groups, "topk_groups": r.topk_groups,
                   "normalize": r.normalize, "scaling_factor": r.scaling_factor,
                   "score_bias": r.score_bias is not None}
        for field, value in (
            ("ffn", "moe"), ("moe_kind", "deepseek"), ("activation", "silu"), ("ffn_bias", False),
            ("intermediate_size", f.hidden_dim), ("num_experts", f.num_experts),
            ("top_k", f.top_k), ("shared_experts", f.num_shared_experts), ("routing", routing),
        ):
            self.set(field, value, part)
        self.slots[p + "router.weight"] = Slot(r.gate.weight)
        if r.score_bias is not None:
            self.slots[p + "router.score_bias"] = Slot(r.score_bias)
        self.slots[p + "experts.up.weight"] = Slot(f.experts.up)
        self.slots[p + "experts.down.weight"] = Slot(f.experts.down)
        if f.shared_expert is not None:
            self.gated_slots(p + "shared.", f.shared_expert)
        self.covered(f, part)

    def ffn(self, p: str, f: nn.Module, part: str) -> None:
        if self.layer_index < self.dense_prefix:
            self.dense_first(p, f, part)
            return
        if isinstance(f, DeepSeekMoEFFN):
            self.deepseek_moe(p, f, part)
            return
        if isinstance(f, MoEFeedForwardBase):
            self.moe(p, f, part)
            return
        if isinstance(f, GptOssMoEFFN):
            self.gpt_oss_moe(p, f, part)
            return
        if not isinstance(f, FeedForwardBase) or not hasattr(f, "up_proj"):
            raise _refuse(part, "is not a feed-forward layer")
        gated = isinstance(f, GatedFFNBase)
        self.set("ffn", "gated" if gated else "mlp", part)
        self.set("activation", _activation(f.act), part)
        self.set("ffn_bias", f.up_proj.bias is not None, part)
        self.set("intermediate_size", f.hidden_dim, part)
        if gated:
            self.gated_slots(p, f)
        else:
            self.linear(p + "up", f.up_proj)
            self.linear(p + "down", f.down_proj)
        self.covered(f, part)

    def gated_slots(self, p: str, f: GatedFFNBase) -> None:
        h = f.hidden_dim
        for suffix in ("weight", "bias"):
            fused = getattr(f.up_proj, suffix)
            if fused is not None:
                self.slots[f"{p}up.{suffix}"] = Slot(fused, (0, h))  # value rows
                self.slots[f"{p}gate.{suffix}"] = Slot(fused, (h, 2 * h))  # gate rows
        self.linear(p + "down", f.down_proj)

    def moe(self, p: str, f: MoEFeedForwardBase, part: str) -> None:
        if type(f.router) is not MoERouter:
            raise _refuse(part, f"routes with {_name(f.router)}, not softmax top-k")
        expert = f.experts[0]
        if not isinstance(expert, GatedFFNBase):
            raise _refuse(part, f"is a mixture of {_name(expert)} experts (gated ones map)")
        if f.num_shared_experts:
            raise _refuse(part, f"has {f.num_shared_experts} shared experts")
        self.set("ffn", "moe", part)
        self.set("activation", _activation(expert.act), part)
        self.set("ffn_bias", expert.up_proj.bias is not None, part)
        self.set("intermediate_size", expert.hidden_dim, part)
        self.set("num_experts", f.num_experts, part)
        self.set("top_k", f.top_k, part)
        self.slots[p + "router.weight"] = Slot(f.router.gate.weight)
        for e, ex in enumerate(f.experts):
            self.gated_slots(f"{p}experts.{e}.", ex)
        self.covered(f, part)


    def gpt_oss_moe(self, p: str, f: GptOssMoEFFN, part: str) -> None:
        """gpt-oss's experts: biased router, stacked biased clamped-SwiGLU bank."""
        args = init_args(f)
        if float(args.get("swiglu_alpha", 1.702)) != 1.702:
            raise _refuse(part, f"uses swiglu_alpha {args['swiglu_alpha']} (gpt-oss fixes 1.702)")
        self.set("ffn", "moe", part)
        self.set("moe_kind", "gpt_oss", part)
        self.set("activation", "silu", part)
        self.set("ffn_bias", True, part)
        self.set("intermediate_size", f.hidden_dim, part)
        self.set("num_experts", f.num_experts, part)
        self.set("top_k", f.top_k, part)
        self.set("swiglu_limit", float(args.get("swiglu_limit", 7.0)), part)
        self.linear(p + "router", f.router)
        bank = f.experts
        self.slots[p + "experts.gate_up.weight"] = Slot(bank.up)
        self.slots[p + "experts.gate_up.bias"] = Slot(bank.up_bias)
        self.slots[p + "experts.down.weight"] = Slot(bank.down)
        self.slots[p + "experts.down.bias"] = Slot(bank.down_bias)
        self.covered(f, part)


def _residual_parts(
    res: Residual, layer: int
) -> tuple[nn.Module | None, nn.Module, nn.Module | None, str]:
    """(pre-norm or None, mixer, post-norm or None, kind) of one skip connection."""
    inner = _flatten(res.block)
    kinds = ["attention" if isinstance(m, (AttentionBase, MultiHeadLatentAttention))
             else "feed-forward" for m in inner]
    mixers = [
        i
        for i, m in enumerate(inner)
        if isinstance(m, (AttentionBase, MultiHeadLatentAttention, FeedForwardBase,
                          MoEFeedForwardBase, GptOssMoEFFN, DeepSeekMoEFFN))
    ]
    if len(mixers) == 1 and mixers[0] == 0 and len(inner) == 2:  # norm after only (OLMo 2)
        return None, inner[0], inner[1], kinds[0]
    if len(mixers) != 1 or mixers[0] != 1 or len(inner) > 3:
        shown = ", ".join(_name(m) for m in inner) or "nothing"
        raise _refuse(
            f"layer {layer} Residual",
            f"holds [{shown}] rather than [norm, attention or feed-forward, optional norm]",
        )
    return inner[0], inner[1], inner[2] if len(inner) == 3 else None, kinds[1]


def _dense_prefix(residuals: list[Residual]) -> int:
    """How many leading layers are dense before DeepSeek expert layers (0 if none are)."""
    ffns = [_flatten(res.block) for res in residuals[1::2]]
    moe = [any(isinstance(m, DeepSeekMoEFFN) for m in inner) for inner in ffns]
    if not any(moe):
        return 0
    first = moe.index(True)
    if not all(moe[first:]):
        raise _refuse(f"layer {moe.index(False, first)} feed-forward",
                      "is dense after expert layers (dense layers must come first)")
    return first


def _layers(walk: _Walk, residuals: list[Residual]) -> int:
    if len(residuals) % 2:
        raise _refuse(
            f"Residual {len(residuals) - 1}",
            "is left over: layers come as attention then feed-forward skips",
        )
    walk.dense_prefix = _dense_prefix(residuals)
    for n in range(len(residuals) // 2):
        p = f"layers.{n}."
        walk.layer_index = n
        for res, want, norm_name, post_name in (
            (residuals[2 * n], "attention", "attn_norm", "post_attn_norm"),
            (residuals[2 * n + 1], "feed-forward", "ffn_norm", "post_ffn_norm"),
        ):
            pre, mixer, post, kind = _residual_parts(res, n)
            part = f"layer {n} {kind} ({_name(mixer)})"
            if kind != want:
                raise _refuse(part, f"comes where the layer's {want} belongs")
            walk.set("pre_norms", pre is not None, f"layer {n} {kind} Residual")
            if pre is not None:
                walk.norm(p + norm_name, pre, f"layer {n} {kind} norm ({_name(pre)})")
            walk.set("sandwich_norms", post is not None, f"layer {n} {kind} Residual")
            if post is not None:
                walk.norm(p + post_name, post, f"layer {n} {kind} post-norm ({_name(post)})")
            if kind == "attention":
                walk.attention(p, mixer, part)
            else:
                walk.ffn(p, mixer, part)
    return len(residuals) // 2


def _head(walk: _Walk, items: list[nn.Module], emb: Embedding) -> None:
    final = [m for m in items if not isinstance(m, OutputHead)]
    head = items[-1] if items and isinstance(items[-1], OutputHead) else None
    if head is None:
        last = _name(items[-1]) if items else "nothing"
        raise _refuse(f"the model ends with {last}", "instead of an OutputHead")
    norms = final + ([] if isinstance(head.norm, nn.Identity) else [head.norm])
    if len(norms) != 1:
        shown = ", ".join(_name(m) for m in norms) or "no norm"
        raise _refuse(
            "the model's end",
            f"has {shown} between the last layer and the logits (one final norm maps)",
        )
    walk.norm("final_norm", norms[0], f"final norm ({_name(norms[0])})")
    if head.vocab_size != emb.vocab_size:
        raise OLMError(
            f"OutputHead has vocab_size {head.vocab_size} but the Embedding {emb.vocab_size}"
        )
    if head.tied and head.weight is not emb.weight:
        raise _refuse("OutputHead", "is tied to a different table than the token Embedding")
    walk.set("tied", head.tied, "OutputHead")
    bias = head.bias if head.tied else head.proj.bias
    walk.set("head_bias", bias is not None, "OutputHead")
    walk.set("final_softcap", head.logit_softcap, "OutputHead")
    if head.tied:
        if bias is not None:
            walk.slots["head.bias"] = Slot(bias)
    else:
        walk.linear("head", head.proj)


def read_model(model: nn.Module) -> ReadModel:
    """Read ``model`` into a spec and slots; raise OLMError naming the first part that fails."""
    items = _flatten(model)
    if not items or not isinstance(items[0], Embedding):
        first = _name(items[0]) if items else "nothing"
        raise _refuse(f"the model starts with {first}", "instead of a token Embedding")
    walk = _Walk()
    emb = items.pop(0)
    walk.slots["embed.weight"] = Slot(emb.weight)
    walk.set("embed_scale", emb.scale, "Embedding")
    position, max_positions = "rope", None
    if items and isinstance(items[0], AbsolutePositionalEmbedding):
        pos = items.pop(0)
        position, max_positions = "learned", pos.max_seq_len
        walk.slots["pos_embed.weight"] = Slot(pos.pos_embedding.weight)
        walk.parts["position"] = f"positional embedding ({_name(pos)})"
    residuals = []
    while items and isinstance(items[0], Residual):
        residuals.append(items.pop(0))
    if items and not isinstance(items[0], (LayerNorm, RMSNorm, OutputHead)):
        raise _refuse(
            f"{_name(items[0])} (after {len(residuals) // 2} decoder layers)",
            "is not part of a decoder layer",
        )
    num_layers = _layers(walk, residuals)
    if num_layers == 0:
        raise _refuse("the model", "has no attention/feed-forward layers")
    _head(walk, items, emb)
    return _finish(walk, emb, num_layers, position, max_positions)


_UNSET = object()


def _ropes(walk: _Walk) -> tuple[Any, float | None]:
    """(the global layers' RoPE, the local layers' own base or None).

    A model whose layers all slide (Mistral) has only local RoPE, which is then its RoPE.
    Local layers may differ from global ones only in the base (Gemma 3).
    """
    f = walk.fields
    rope, local = f.pop("rope", _UNSET), f.pop("rope_local", _UNSET)
    if rope is _UNSET:
        walk.parts["rope"] = walk.parts.get("rope_local", "the model")
        return (None if local is _UNSET else local), None
    if local is _UNSET or local == rope:
        return rope, None
    if rope is None or local is None or local[1] is not None or local[2] != rope[2]:
        raise OLMError(
            f"{walk.parts['rope_local']} uses RoPE settings {local!r} but "
            f"{walk.parts['rope']} uses {rope!r}; local layers may differ from global ones "
            "only in the RoPE base, without scaling"
        )
    walk.parts["rope_local_theta"] = walk.parts["rope_local"]
    return rope, float(local[0])


def _finish(
    walk: _Walk, emb: Embedding, num_layers: int, position: str, max_positions: int | None
) -> ReadModel:
    f = walk.fields
    rope, local_theta = _ropes(walk)
    if rope is not None and position == "learned":
        position = "learned+rope"
    if rope is None and position != "learned":
        raise _refuse(
            walk.parts["rope"], "has no position information (no RoPE, no learned positions)"
        )
    walk.parts.setdefault("position", walk.parts["rope"])
    theta, scaling, rope_len = rope if rope is not None else (10000.0, None, None)
    for name in ("rope_theta", "rope_scaling"):
        walk.parts[name] = walk.parts["rope"]
    f.setdefault("qk_norm_eps", None)
    f.setdefault("qk_norm_full", False)
    f.setdefault("mla", None)
    f.setdefault("routing", None)
    f.setdefault("dense_intermediate_size", 0)
    f["first_dense_layers"] = walk.dense_prefix
    f.setdefault("num_experts", 0)
    f.setdefault("top_k", 0)
    f.setdefault("shared_experts", 0)
    f.setdefault("moe_kind", "softmax")
    f.setdefault("swiglu_limit", None)
    spec = DecoderSpec(
        vocab_size=emb.vocab_size,
        hidden_size=emb.embedding_dim,
        num_layers=num_layers,
        max_positions=max_positions if max_positions is not None else rope_len,
        position=position,
        rope_theta=float(theta),
        rope_scaling=scaling,
        rope_local_theta=local_theta,
        sliding_windows=walk.windows,
        parts=walk.parts,
        **f,
    )
    shapes = canonical_shapes(spec)
    missing = set(shapes) ^ set(walk.slots)
    if missing:  # a part with parameters the spec does not account for
        raise OLMError(
            f"internal: tensors {sorted(missing)[:3]} do not match the model's structure"
        )
    for name, shape in shapes.items():
        if walk.slots[name].shape != shape:
            raise OLMError(f"{name} has shape {walk.slots[name].shape}, expected {shape}")
    return ReadModel(spec, walk.slots)
