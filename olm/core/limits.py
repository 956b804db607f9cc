"""Sane limits on everything olm reads or builds, in one table.

A file of a few bytes can ask for ``num_layers = 10**12`` or ``embed_dim = 10**12``; if
such a number reached a constructor, a loop or a tensor shape, the machine would run out
of memory or time before any message appeared. Every size is therefore checked against
the values below *before* anything is built, summed or allocated:

- the document checker (``olm.graph.validate``) and the inspector's spin boxes use
  :data:`RANGES` through :func:`check_value`;
- every :class:`~olm.core.capture.Component` (leaf components, ``Repeat`` and the
  reference-model family classes alike) checks its explicit integer arguments with
  :func:`check_component_args` before its own ``__init__`` runs;
- readers of files and expressions use the ``MAX_*`` constants.

The bounds are generous: the largest published models (Llama 3.1 405B: width 16,384,
126 layers, 128 heads; Gemma: vocabulary 256,000; DeepSeek-V3: 256 experts) sit far
inside them. A value beyond a bound is not a hyperparameter but a typo or an attack.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from olm.core.errors import ConfigError
from olm.core.synonyms import names_for

__all__ = [
    "DEFAULT_RANGES",
    "EXCLUSIVE_LOW",
    "MAX_CHAT_CHARS",
    "MAX_CHAT_MADE",
    "MAX_CHAT_SECONDS",
    "MAX_CHAT_STEPS",
    "MAX_CONFIG_BYTES",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_EXPERT_INSTANCES",
    "MAX_EXPR_CHARS",
    "MAX_EXPR_DEPTH",
    "MAX_EXPERIMENT_BYTES",
    "MAX_EXPR_NODES",
    "MAX_LEAF_INSTANCES",
    "MAX_MAGNITUDE",
    "MAX_MODEL_CALLS",
    "MAX_NAME_CHARS",
    "MAX_NODES",
    "MAX_PROJECT_BYTES",
    "MAX_RUN_RECORD_BYTES",
    "MAX_SOURCE_BYTES",
    "MAX_TEXT_CHARS",
    "MAX_TOKENIZER_BYTES",
    "MAX_VALUE_DEPTH",
    "MAX_VARIABLES",
    "RANGES",
    "check_component_args",
    "check_value",
    "range_for",
]

# -- files -------------------------------------------------------------------------------
#: A ``*.olm.json`` project file (the 405B preset's is about 40 KB).
MAX_PROJECT_BYTES = 64 * 1024 * 1024
#: A ``.py`` model source (read with this cap, parsed, never executed).
MAX_SOURCE_BYTES = 2_000_000
#: A Hugging Face ``config.json`` (real ones are a few KB).
MAX_CONFIG_BYTES = 16 * 1024 * 1024
#: A ``tokenizer.json`` (Llama 3's is 9 MB, Gemma's 34 MB).
MAX_TOKENIZER_BYTES = 512 * 1024 * 1024
#: A run folder's ``record.json`` (settings and names: a few KB).
MAX_RUN_RECORD_BYTES = 16 * 1024 * 1024
#: An experiment folder's ``experiment.json`` (one entry a run: tens of KB).
MAX_EXPERIMENT_BYTES = 20_000_000

# -- chat templates (Jinja text shipped with a tokenizer, rendered in a sandbox) ----------
#: Characters (or list items) in any one value a chat template makes, the prompt included
#: (a million-token prompt is about 4 million characters).
MAX_CHAT_CHARS = 8_000_000
#: Characters and list items one render may make in all (bounds the memory it holds).
MAX_CHAT_MADE = 64_000_000
#: Loop iterations, calls and operators one render may spend (real templates use hundreds).
MAX_CHAT_STEPS = 1_000_000
#: Seconds one render may take.
MAX_CHAT_SECONDS = 5.0

# -- documents ---------------------------------------------------------------------------
#: Nodes in one document (a 126-layer model written out layer by layer has ~1,500).
MAX_NODES = 20_000
#: Reference-model calls (``Llama3_1_405B()``) one ``.py`` file may make: each builds a
#: whole model on the meta device, so a file of thousands would take hours.
MAX_MODEL_CALLS = 16
#: Containers and owned components nested inside each other (presets nest 4 deep).
MAX_DEPTH = 64
#: Lists and dicts nested inside one parameter value.
MAX_VALUE_DEPTH = 32
#: Model variables in one document.
MAX_VARIABLES = 10_000
#: Characters in a model name, a variable name or a parameter name.
MAX_NAME_CHARS = 200
#: Characters in one text value (a parameter, an expression is limited further below).
MAX_TEXT_CHARS = 10_000

# -- expressions (``{"expr": "4 * embed_dim"}``) -----------------------------------------
#: Characters in one expression: longer text is refused before it is parsed.
MAX_EXPR_CHARS = 1_000
#: Syntax-tree nodes in one expression (``a + b`` has 3 plus context nodes).
MAX_EXPR_NODES = 500
#: Nesting depth of one expression's syntax tree (``-(-(-x))`` is 4 deep).
MAX_EXPR_DEPTH = 50
#: Largest magnitude an expression or a number in a document may have.
MAX_MAGNITUDE = 10**15
#: Largest exponent ``**`` may raise to.
MAX_EXPONENT = 64

# -- whole models ------------------------------------------------------------------------
#: Expert modules a model class may create (``num_layers x num_experts``): each one is a
#: module even on the meta device, so this bounds the time a model takes to describe.
#: DeepSeek-V3 has 61 x 256 = 15,616.
MAX_EXPERT_INSTANCES = 16_384
#: Leaf components a document may build into, repeats multiplied out (Llama 3.1 405B
#: has about 760; nested repeats multiply, so this bounds their product).
MAX_LEAF_INSTANCES = 100_000

_WIDTH = (1, 65_536)
_BIG_INT = (-(2**31), 2**31 - 1)

#: Allowed ``(low, high)`` of well-known hyperparameters, by parameter name. The catalog
#: attaches them to every parameter of that name; the inspector uses them for its spin
#: boxes; components refuse integers above ``high`` before allocating anything.
# concept -> (low, high), given to every parameter name of that concept (the synonym table).
_CONCEPT_RANGES: dict[str, tuple[float, float]] = {
    "vocab_size": (1, 4_194_304),
    "embed_dim": _WIDTH,
    "num_heads": (1, 1024),
    "num_kv_heads": (1, 1024),
    "head_dim": (1, 4096),
    "hidden_dim": (1, 1_048_576),
    "max_seq_len": (1, 16_777_216),
    "num_layers": (1, 1024),
    "num_experts": (1, 4096),
    "top_k": (1, 64),
    "window": (1, 16_777_216),
}
RANGES: dict[str, tuple[float, float]] = {
    **{name: bounds for concept, bounds in _CONCEPT_RANGES.items()
       for name in names_for(concept)},
    "in_features": _WIDTH,
    "out_features": (1, 4_194_304),
    "num_parameters": (1, 4_194_304),
    "seq_len": (1, 16_777_216),
    "original_max_seq_len": (1, 16_777_216),
    "num_shared_experts": (0, 64),
    "expert_dim": (1, 1_048_576),
    "num_groups": (1, 4096),
    "topk_groups": (1, 4096),
    "first_dense_layers": (0, 1024),
    "kv_lora_rank": _WIDTH,
    "q_lora_rank": _WIDTH,
    "qk_nope_head_dim": (1, 4096),
    "qk_rope_head_dim": (1, 4096),
    "v_head_dim": (1, 4096),
    "dropout": (0.0, 0.999),
    "eps": (0.0, 1.0),
    "rms_norm_eps": (0.0, 1.0),
    "rope_theta": (1.0, 1e12),
    "base": (1.0, 1e12),
    "ff_multiplier": (0.01, 64.0),
    "scaling_factor": (0.01, 1024.0),
    "aux_loss_coef": (0.0, 100.0),
    "logit_softcap": (0.0, 1e6),
    "attn_logit_softcap": (0.0, 1e6),
    "final_logit_softcap": (0.0, 1e6),
    "rotary_percentage": (0.0, 1.0),
    "partial_rotary_factor": (0.0, 1.0),
}
#: Parameters whose low bound is exclusive (``eps > 0``).
EXCLUSIVE_LOW = {
    "eps",
    "rms_norm_eps",
    "logit_softcap",
    "attn_logit_softcap",
    "final_logit_softcap",
    "rotary_percentage",
    "partial_rotary_factor",
}
#: The range of a parameter not in :data:`RANGES`, by kind.
DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "int": _BIG_INT,
    "float": (-1e15, 1e15),
}
# Integer arguments a constructor turns into shapes or loop counts: above the bound of
# RANGES they are refused before the constructor runs; any other integer argument is
# refused beyond the default int range, so no shape can overflow a tensor's storage size.
_CHECKED_AT_CONSTRUCTION = {name for name, (_, high) in RANGES.items() if isinstance(high, int)}


# Float arguments that multiply a width (so an absurd one allocates an absurd tensor).
_SCALES_A_SIZE = {"ff_multiplier"}


def range_for(name: str, kind: str) -> tuple[float, float] | None:
    """The allowed (low, high) of parameter ``name`` of kind ``"int"``/``"float"``."""
    if name in RANGES:
        return RANGES[name]
    return DEFAULT_RANGES.get(kind)


def _fmt(x: float) -> str:
    return f"{x:,}" if isinstance(x, int) or float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def check_value(name: str, kind: str, value: Any, allow_none: bool = False) -> str | None:
    """Why ``value`` is not acceptable for parameter ``name`` of ``kind``; ``None`` if it is.

    Args:
        name (str): the parameter name (looked up in :data:`RANGES`).
        kind (str): ``"int"``, ``"float"``, ``"bool"``, ``"str"``, ... as in the catalog.
        value (Any): the resolved value.
        allow_none (bool): whether ``None`` is a valid value (the default is ``None``).
    """
    if value is None:
        return None if allow_none else f"{name} needs a value"
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{name} must be a number, got {value!r}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"{name} must be a finite number, got {value!r}"
        if kind == "int" and not isinstance(value, int):
            if not float(value).is_integer():
                return f"{name} must be a whole number, got {value!r}"
        low, high = range_for(name, kind) or (-math.inf, math.inf)
        too_low = value <= low if name in EXCLUSIVE_LOW else value < low
        if too_low or value > high:
            low_word = "above" if name in EXCLUSIVE_LOW else "at least"
            return (
                f"{name} = {_fmt(value)} is out of range: it must be {low_word} {_fmt(low)} "
                f"and at most {_fmt(high)}"
            )
        return None
    if kind == "bool" and not isinstance(value, bool):
        return f"{name} must be True or False, got {value!r}"
    if kind == "str" and not isinstance(value, str):
        return f"{name} must be text, got {value!r}"
    return None


def check_component_args(owner: str, args: Mapping[str, Any]) -> None:
    """Refuse arguments too large to build, before the constructor allocates or loops.

    Integers named in :data:`RANGES` must not exceed their bound, any other integer must
    fit in 32 bits; a float given for a size, or for ``ff_multiplier`` (which scales a
    width), must be finite and within its bound. Other floats (``dropout``, ``eps``) are
    left to the component, which names its own rule. Only upper bounds are checked here (the
    component's own ``__init__`` names the finer rules, such as divisibility or
    positivity); a list or tuple (per-layer sizes) is checked item by item.

    Args:
        owner (str): the class name, for the message.
        args (Mapping[str, Any]): the constructor arguments as given.

    Raises:
        ConfigError: ``"Llama3Model num_layers = 1,000,000,000,000 is too large: at most 1,024"``.
    """
    for name, value in args.items():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                continue
            if isinstance(item, float):
                if name not in _CHECKED_AT_CONSTRUCTION and name not in _SCALES_A_SIZE:
                    continue  # the component names its own rule (dropout, eps, ...)
                if not math.isfinite(item):
                    raise ConfigError(f"{owner} {name} must be a finite number, got {item!r}")
                high = RANGES[name][1]
            else:
                high = RANGES[name][1] if name in _CHECKED_AT_CONSTRUCTION else _BIG_INT[1]
                if item < _BIG_INT[0]:
                    raise ConfigError(f"{owner} {name} = {_fmt(item)} is too small")
            if item > high:
                raise ConfigError(f"{owner} {name} = {_fmt(item)} is too large: at most {_fmt(high)}")
    layers, experts = args.get("num_layers"), args.get("num_experts")
    if isinstance(layers, int) and isinstance(experts, int) and layers * experts > MAX_EXPERT_INSTANCES:
        raise ConfigError(
            f"{owner} num_layers x num_experts = {layers:,} x {experts:,} is more than the "
            f"{MAX_EXPERT_INSTANCES:,} experts a model may have"
        )
