"""Component search for the palette and quick add: names, aliases and descriptions, ranked.

People search by the names papers and blog posts use ("rope", "GQA", "MoE", "SwiGLU"),
which are rarely the class names. :data:`ALIASES` maps those words to the components
they mean; :func:`search_components` ranks an exact name first, then aliases, then name
prefixes and substrings, then words of the descriptions, so "rope" lists the rotary
embeddings and the RoPE attentions before anything that merely mentions it.
"""

from __future__ import annotations

import re

from olm.graph.catalog import catalog
from olm.graph.document import CONTAINERS

__all__ = ["ALIASES", "component_names", "search_components"]

_ROPE = ("RotaryPositionalEmbedding", "ScaledRotaryPositionalEmbedding",
         "PartialRotaryPositionalEmbedding", "PartialScaledRotaryPositionalEmbedding",
         "MultiHeadAttentionwithRoPE", "FlashAttentionwithRoPE", "GroupedQueryAttention",
         "SlidingWindowAttention")
_MOE = ("SwiGLUMoEFFN", "GeGLUMoEFFN", "ClassicMoEFFN")
_FFN = ("ClassicFFN", "SwiGLUFFN", "GeGLUFFN")
_POSITIONS = ("AbsolutePositionalEmbedding", "SinusoidalPositionalEmbedding",
              "RotaryPositionalEmbedding", "ALiBiPositionalBias")

# Words people search for, each with the components it names, best first.
ALIASES: dict[str, tuple[str, ...]] = {
    "rope": _ROPE,
    "rotary": _ROPE,
    "yarn": ("ScaledRotaryPositionalEmbedding", "PartialScaledRotaryPositionalEmbedding"),
    "ntk": ("ScaledRotaryPositionalEmbedding", "PartialScaledRotaryPositionalEmbedding"),
    "gqa": ("GroupedQueryAttention", "SlidingWindowAttention"),
    "grouped query": ("GroupedQueryAttention",),
    "mqa": ("GroupedQueryAttention",),
    "multi-query": ("GroupedQueryAttention",),
    "mha": ("MultiHeadAttention", "FlashAttention", "MultiHeadAttentionwithRoPE",
            "FlashAttentionwithRoPE", "MultiHeadAttentionwithALiBi"),
    "attention": ("MultiHeadAttention", "GroupedQueryAttention", "FlashAttention"),
    "sdpa": ("FlashAttention", "FlashAttentionwithRoPE"),
    "flash": ("FlashAttention", "FlashAttentionwithRoPE"),
    "swa": ("SlidingWindowAttention",),
    "sliding window": ("SlidingWindowAttention",),
    "local attention": ("SlidingWindowAttention",),
    "alibi": ("ALiBiPositionalBias", "MultiHeadAttentionwithALiBi"),
    "moe": _MOE,
    "mixture of experts": _MOE,
    "experts": _MOE,
    "router": _MOE,
    "swiglu": ("SwiGLUFFN", "SwiGLU", "SwiGLUMoEFFN"),
    "geglu": ("GeGLUFFN", "GeGLU", "GeGLUMoEFFN"),
    "glu": ("SwiGLUFFN", "GeGLUFFN", "GLU"),
    "mlp": _FFN,
    "ffn": _FFN,
    "feed-forward": _FFN,
    "feedforward": _FFN,
    "rmsnorm": ("RMSNorm",),
    "rms": ("RMSNorm",),
    "layernorm": ("LayerNorm",),
    "ln": ("LayerNorm", "RMSNorm"),
    "norm": ("RMSNorm", "LayerNorm"),
    "normalization": ("RMSNorm", "LayerNorm"),
    "positions": _POSITIONS,
    "positional": _POSITIONS,
    "pos": _POSITIONS,
    "learned positions": ("AbsolutePositionalEmbedding",),
    "sinusoidal": ("SinusoidalPositionalEmbedding",),
    "swish": ("SiLU", "Swish"),
    "tokens": ("Embedding",),
    "embedding": ("Embedding",),
    "lm head": ("OutputHead",),
    "head": ("OutputHead",),
    "logits": ("OutputHead",),
    "unembedding": ("OutputHead",),
    "skip": ("Residual",),
    "residual": ("Residual",),
    "layers": ("Repeat",),
    "stack": ("Repeat",),
    "loop": ("Repeat",),
    "branches": ("Parallel",),
}


def component_names() -> list[str]:
    """Every type key quick add and the palette offer (components and containers)."""
    return sorted(set(catalog().components) | {c for c in CONTAINERS if c != "Pipeline"})


def _doc(name: str) -> str:
    cat = catalog()
    return cat.get(name).doc.lower() if name in cat else ""


def _score(name: str, needle: str) -> float:
    """How well ``name`` matches ``needle`` (0: not at all); higher ranks first."""
    lower = name.lower()
    if lower == needle:
        return 1000
    best = 0.0
    for alias, names in ALIASES.items():
        if name in names:
            rank = names.index(name)
            if alias == needle:
                best = max(best, 900 - rank)
            elif alias.startswith(needle) and len(needle) >= 2:
                best = max(best, 600 - rank)
    if lower.startswith(needle):
        best = max(best, 800 - len(name) / 100)
    elif needle in lower:
        best = max(best, 700 - len(name) / 100)
    doc = _doc(name)
    if re.search(rf"\b{re.escape(needle)}\b", doc):
        best = max(best, 400)
    elif needle in doc:
        best = max(best, 300)
    return best


def search_components(text: str) -> list[str]:
    """Type keys matching ``text``, best first (all of them, by name, for empty text).

    Every word of a multi-word query must match (``"rope attention"``); a phrase that
    is an alias itself (``"mixture of experts"``) matches as a whole.
    """
    names = component_names()
    needle = " ".join(text.strip().lower().split())
    if not needle:
        return names
    words = [needle] if needle in ALIASES else needle.split()
    scored = []
    for name in names:
        scores = [_score(name, word) for word in words]
        if all(scores):
            scored.append((-sum(scores), name))
    return [name for _score_, name in sorted(scored)]
