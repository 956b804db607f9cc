"""What every architecture provides, and the helpers they share.

An `Architecture` states which `DecoderSpec`s it can express (``checks``: one predicate
per field, in the order the parts appear in a model, so the first failure names the first
part that does not map), how a spec becomes its ``config.json`` and back, and how the
canonical tensors are named in its files (``rows``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from olm.core.errors import OLMError
from olm.interop.hf.spec import DecoderSpec, Problem
from olm.interop.hf.tensors import TensorSource

__all__ = ["Architecture", "ConfigView", "Row", "describe", "HF_ACTIVATIONS", "rope_config"]

# Hugging Face activation names → the spec's, and back (first name wins when writing).
HF_ACTIVATIONS = {
    "gelu_pytorch_tanh": "gelu_tanh",
    "gelu_new": "gelu_tanh",
    "gelu_fast": "gelu_tanh",
    "gelu": "gelu",
    "silu": "silu",
    "swish": "silu",
    "relu": "relu",
}
SPEC_TO_HF_ACTIVATION = {
    "gelu_tanh": "gelu_pytorch_tanh",
    "gelu": "gelu",
    "silu": "silu",
    "relu": "relu",
}


def _onoff(value: bool, yes: str, no: str) -> str:
    return yes if value else no


def describe(field: str, spec: DecoderSpec) -> str:
    """What the model has for ``field``, as the end of a sentence starting with the part."""
    v = getattr(spec, field)
    texts: dict[str, Callable[[], str]] = {
        "embed_scale": lambda: (
            f"multiplies embeddings by {v:g}" if v is not None else "does not scale embeddings"
        ),
        "position": lambda: {
            "learned": "adds learned absolute positions",
            "rope": "uses rotary positions (RoPE)",
        }.get(v, f"uses {v} positions"),
        "norm": lambda: {"layer": "is a LayerNorm", "rms": "is an RMSNorm"}.get(
            v, f"is a {v} norm"
        ),
        "sandwich_norms": lambda: _onoff(
            v,
            "has extra norms after attention and feed-forward (sandwich norms)",
            "has no norms after attention and feed-forward (sandwich norms)",
        ),
        "pre_norms": lambda: _onoff(
            v, "has norms before attention and feed-forward",
            "has norms only after attention and feed-forward (post-norm)",
        ),
        "qk_norm_eps": lambda: f"uses QK-norm epsilon {v} but its layers' norms use {spec.norm_eps}",
        "qk_norm_full": lambda: _onoff(
            v, "normalises queries and keys across all heads at once",
            "normalises queries and keys per head",
        ),
        "num_kv_heads": lambda: f"has {v} key/value heads for {spec.num_heads} query heads",
        "head_dim": lambda: (
            f"has head_dim {v}, not hidden size / heads = {spec.hidden_size // max(spec.num_heads, 1)}"
        ),
        "qkv_bias": lambda: _onoff(
            v, "has query/key/value biases", "has no query/key/value biases"
        ),
        "out_bias": lambda: _onoff(
            v, "has an output projection bias", "has no output projection bias"
        ),
        "qk_norm": lambda: _onoff(v, "normalises queries and keys (QK-norm)", "has no QK-norm"),
        "attn_scale": lambda: (
            f"scales attention scores by {v if v is not None else spec.head_dim**-0.5:g}"
        ),
        "attn_softcap": lambda: (
            f"soft-caps attention scores at {v:g}"
            if v is not None
            else "does not soft-cap attention scores"
        ),
        "rope_scaling": lambda: f"uses RoPE scaling {(v or {}).get('rope_type', v)!r}",
        "mla": lambda: (
            "uses multi-head latent attention (a compressed key/value cache)" if v
            else "uses ordinary multi-head attention"
        ),
        "first_dense_layers": lambda: f"keeps its first {v} layers dense before the experts",
        "routing": lambda: f"routes with {(v or {}).get('scoring', 'softmax')} scores",
        "attn_sinks": lambda: _onoff(v, "has attention sinks", "has no attention sinks"),
        "moe_kind": lambda: {
            "softmax": "routes tokens with softmax top-k to separate gated experts",
            "gpt_oss": "is gpt-oss's biased, clamped-SwiGLU expert bank",
            "deepseek": "is DeepSeek's fine-grained experts with grouped routing",
        }.get(v, f"is a {v} mixture of experts"),
        "rope_local_theta": lambda: (
            f"uses RoPE base {v:g} in its sliding-window layers and {spec.rope_theta:g} in the others"
        ),
        "sliding_windows": lambda: f"uses attention windows {v} per layer",
        "ffn": lambda: {
            "mlp": "is a plain MLP",
            "gated": "is a gated feed-forward (GLU)",
            "moe": "is a mixture of experts",
        }.get(v, f"is a {v} feed-forward"),
        "activation": lambda: f"uses the activation {v!r}",
        "ffn_bias": lambda: _onoff(v, "has biases", "has no biases"),
        "shared_experts": lambda: f"has {v} shared experts",
        "tied": lambda: _onoff(v, "is tied to the embedding", "is not tied to the embedding"),
        "head_bias": lambda: _onoff(v, "has a bias", "has no bias"),
        "final_softcap": lambda: (
            f"soft-caps logits at {v:g}" if v is not None else "does not soft-cap logits"
        ),
    }
    return texts.get(field, lambda: f"has {field} = {v!r}")()


@dataclass(frozen=True)
class Row:
    """One canonical tensor ↔ one Hugging Face tensor.

    Args:
        canon (str): the canonical name (``layers.0.q.weight``).
        hf (str): the name in the Hugging Face files.
        kind (str): "same"; "transpose" (GPT-2's Conv1D stores ``[in, out]``); "plus_one"
            (Gemma stores norm gains as ``weight - 1``); "swap_last" (the last two dims
            swapped: gpt-oss's stacked ``down_proj``); "interleaved_columns" /
            "interleaved" (gpt-oss's ``gate_up_proj`` ``[E, D, 2I]`` and its bias, gate
            and up alternating, against olm's value rows then gate rows).
    """

    canon: str
    hf: str
    kind: str = "same"


def _interleave(t: torch.Tensor) -> torch.Tensor:
    """``[..., 2I, x]`` value rows then gate rows → gate and value rows alternating."""
    value, gate = t.chunk(2, dim=-2)
    return torch.stack([gate, value], dim=-2).flatten(-3, -2)


def _deinterleave(t: torch.Tensor) -> torch.Tensor:
    """Alternating gate/value rows (gate first) → value rows then gate rows."""
    return torch.cat([t[..., 1::2, :], t[..., 0::2, :]], dim=-2)


def _decode(t: torch.Tensor, kind: str) -> torch.Tensor:
    if kind == "transpose":
        return t.t()
    if kind == "plus_one":
        return t + 1
    if kind == "swap_last":
        return t.transpose(-1, -2)
    if kind == "interleaved_columns":  # [E, D, 2I] gate/up interleaved → [E, 2I, D]
        return _deinterleave(t.transpose(-1, -2))
    if kind == "interleaved":  # [E, 2I] gate/up interleaved → value then gate
        return _deinterleave(t.unsqueeze(-1)).squeeze(-1)
    return t


def _encode(t: torch.Tensor, kind: str) -> torch.Tensor:
    if kind == "transpose":
        return t.t()
    if kind == "plus_one":
        return t - 1
    if kind == "swap_last":
        return t.transpose(-1, -2)
    if kind == "interleaved_columns":
        return _interleave(t).transpose(-1, -2)
    if kind == "interleaved":
        return _interleave(t.unsqueeze(-1)).squeeze(-1)
    return t


def _hf_shape(shape: tuple[int, ...], kind: str) -> tuple[int, ...]:
    if kind == "transpose":
        return tuple(reversed(shape))
    if kind in ("swap_last", "interleaved_columns"):
        return (*shape[:-2], shape[-1], shape[-2])
    return tuple(shape)


class ConfigView:
    """Typed, error-reporting access to a ``config.json`` dict for one architecture.

    Args:
        data (dict): the parsed ``config.json``.
        arch (str): the architecture name, for messages.
    """

    def __init__(self, data: dict, arch: str) -> None:
        self.data = data
        self.arch = arch

    def fail(self, key: str, rule: str) -> OLMError:
        return OLMError(f"config.json field {key!r} {rule} ({self.arch})")

    def get(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key, default)
        return default if value is None else value

    def int(self, key: str, default: int | None = None) -> int:
        value = self.data.get(key)
        value = default if value is None else value
        if value is None:
            raise self.fail(key, "is missing")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(key, f"must be a positive integer, got {value!r}")
        return value

    def float(self, key: str, default: float | None = None) -> float:
        value = self.data.get(key)
        value = default if value is None else value
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise self.fail(key, f"must be a number, got {value!r}")
        return float(value)

    def optional_float(self, key: str) -> float | None:
        return None if self.data.get(key) is None else self.float(key)

    def bool(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        value = default if value is None else value
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, got {value!r}")
        return value

    def expect(self, key: str, allowed: tuple, default: Any) -> Any:
        """The value, which must be one of ``allowed`` (else: the model cannot express it)."""
        value = self.data.get(key, default)
        if value not in allowed:
            shown = ", ".join(repr(a) for a in allowed)
            raise self.fail(
                key, f"= {value!r} cannot be expressed by an olm model; supported: {shown}"
            )
        return value

    def activation(self, key: str, default: str) -> str:
        value = self.expect(key, tuple(HF_ACTIVATIONS), default)
        return HF_ACTIVATIONS[value]


_ROPE_KEYS = {
    "default": set(),
    "linear": {"factor"},
    "llama3": {"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"},
}


def rope_parameters(view: ConfigView, default_theta: float) -> tuple[dict, float, str]:
    """The RoPE settings object, its base and its type, from ``rope_parameters``
    (transformers 5) or ``rope_theta`` and ``rope_scaling`` (transformers 4)."""
    params = view.data.get("rope_parameters") or view.data.get("rope_scaling") or {}
    if not isinstance(params, dict):
        raise view.fail("rope_parameters", f"must be an object, got {params!r}")
    theta = params.get("rope_theta", view.data.get("rope_theta", default_theta))
    if isinstance(theta, bool) or not isinstance(theta, (int, float)) or theta <= 0:
        raise view.fail("rope_theta", f"must be a positive number, got {theta!r}")
    return params, float(theta), params.get("rope_type", params.get("type", "default"))


def rope_config(view: ConfigView, default_theta: float) -> tuple[float, dict | None]:
    """(theta, scaling) of a plain, linear or Llama 3 RoPE; other types are refused by
    name."""
    params = view.data.get("rope_parameters") or view.data.get("rope_scaling") or {}
    key = "rope_parameters" if view.data.get("rope_parameters") else "rope_scaling"
    if isinstance(params, dict) and any(isinstance(v, dict) for v in params.values()):
        raise view.fail(key, "has per-layer RoPE settings, which olm models cannot express")
    params, theta, rope_type = rope_parameters(view, default_theta)
    if rope_type not in _ROPE_KEYS:
        raise view.fail(
            key, f"rope_type {rope_type!r} cannot be expressed; supported: {sorted(_ROPE_KEYS)}"
        )
    if params.get("partial_rotary_factor", 1.0) != 1.0:
        raise view.fail(key, "partial_rotary_factor != 1 cannot be expressed")
    if rope_type == "default":
        return theta, None
    scaling = {"rope_type": rope_type}
    for name in sorted(_ROPE_KEYS[rope_type]):
        value = params.get(name)
        if value is None and name == "original_max_position_embeddings":
            value = view.data.get("max_position_embeddings")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise view.fail(key, f"needs a number for {name!r} with rope_type {rope_type!r}")
        scaling[name] = value
    return theta, scaling


def rope_fields(spec: DecoderSpec) -> dict:
    """``rope_parameters`` for transformers 5, plus ``rope_theta``/``rope_scaling`` for 4."""
    params = {"rope_theta": spec.rope_theta, "rope_type": "default"}
    out: dict[str, Any] = {"rope_theta": spec.rope_theta}
    if spec.rope_scaling:
        params.update(spec.rope_scaling)
        out["rope_scaling"] = dict(spec.rope_scaling)
    out["rope_parameters"] = params
    return out


class Architecture:
    """A `transformers` causal-LM architecture: what it can express and how it is stored."""

    name: ClassVar[str]
    model_type: ClassVar[str]

    def checks(self, spec: DecoderSpec) -> list[tuple[str, bool]]:
        """(field, expressible) pairs in model order; the first False is the refusal."""
        raise NotImplementedError

    # What only some architectures hold; checked for all, so none exports it by accident.
    local_rope: ClassVar[bool] = False  # sliding-window layers with their own RoPE base
    sinks: ClassVar[bool] = False  # per-head attention sink logits
    moe_kinds: ClassVar[tuple[str, ...]] = ("softmax",)
    rope_types: ClassVar[tuple[str, ...]] = ("linear", "llama3")
    latent: ClassVar[bool] = False  # multi-head latent attention and dense-then-MoE stacks

    def problems(self, spec: DecoderSpec) -> Iterator[Problem]:
        scaling = (spec.rope_scaling or {}).get("rope_type")
        checks = [
            ("rope_local_theta", self.local_rope or spec.rope_local_theta is None),
            ("rope_scaling", scaling is None or scaling in self.rope_types),
            ("attn_sinks", self.sinks or not spec.attn_sinks),
            ("moe_kind", spec.ffn != "moe" or spec.moe_kind in self.moe_kinds),
            ("mla", self.latent or spec.mla is None),
            ("first_dense_layers", self.latent or spec.first_dense_layers == 0),
        ] + self.checks(spec)
        for field, ok in checks:
            if not ok:
                yield Problem(
                    field,
                    f"{spec.part(field)} {describe(field, spec)}, which {self.name} cannot express",
                )

    def to_config(self, spec: DecoderSpec) -> dict:
        raise NotImplementedError

    def from_config(self, view: ConfigView) -> DecoderSpec:
        raise NotImplementedError

    def rows(self, spec: DecoderSpec) -> list[Row]:
        raise NotImplementedError

    def to_hf(self, canon: dict[str, torch.Tensor], spec: DecoderSpec) -> dict[str, torch.Tensor]:
        """Canonical tensors → this architecture's names and layouts."""
        return {r.hf: _encode(canon[r.canon], r.kind) for r in self.rows(spec)}

    def from_hf(
        self, src: TensorSource, spec: DecoderSpec, shapes: dict
    ) -> dict[str, torch.Tensor]:
        """This architecture's tensors → canonical ones, each checked against ``shapes``."""
        return {
            r.canon: _decode(src.take(r.hf, _hf_shape(shapes[r.canon], r.kind)), r.kind)
            for r in self.rows(spec)
        }

    def common_config(self, spec: DecoderSpec) -> dict:
        return {
            "architectures": [self.name],
            "model_type": self.model_type,
            "vocab_size": spec.vocab_size,
            "tie_word_embeddings": spec.tied,
            "bos_token_id": None,
            "eos_token_id": None,
            "pad_token_id": None,
            "use_cache": True,
        }
