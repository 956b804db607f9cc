"""Reading a GGUF file (llama.cpp's format) into an olm model, read-only.

Needs the optional ``gguf`` package (``pip install 'olm-studio[gguf]'``). The metadata becomes the
Hugging Face config it was converted from, the tensors get their Hugging Face names back
(dequantised to float; llama.cpp's q/k row permutation undone), and the import then runs
exactly as for a Hugging Face folder (:mod:`olm.interop.hf.load`). The tokenizer is
rebuilt from the file's token list and merges (byte-level BPE, ``tokenizer.ggml.model =
"gpt2"``) with its special tokens, bos/eos/pad ids, chat template and end-of-turn id
(``tokenizer.ggml.eot_token_id``, where generation stops besides eos), so a GGUF model
opens, samples with its chat template and fine-tunes like a Hugging Face folder.

Supported: ``general.architecture = "llama"`` (Llama, Mistral and the many models
converted as Llama) without RoPE scaling. Anything else is refused, naming the key.

A GGUF file is data from someone else, so nothing in it is trusted: every count and
length is checked against the file's size before the ``gguf`` reader opens it
(:mod:`olm.interop.gguf_layout`), every metadata value's type and range against olm's
limits, every tensor's shape against the metadata before it is dequantised, the token
list for duplicates and the merges for unknown tokens, and failures inside native
libraries (a Rust ``PanicException``) become one-line errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from olm.core.errors import FileFormatError, OLMError, native_errors
from olm.core.limits import MAX_MAGNITUDE, RANGES, check_value, range_for
from olm.interop.gguf_layout import check_layout
from olm.interop.gguf_tokenizer import gguf_tokenizer, special_ids
from olm.interop.hf.config_sizes import check_config_sizes

__all__ = ["read_gguf", "gguf_config", "gguf_to_hf_names", "unpermute_rows", "GGUF_HINT"]

_LAYER = {
    "attn_norm.weight": "input_layernorm.weight",
    "attn_q.weight": "self_attn.q_proj.weight",
    "attn_k.weight": "self_attn.k_proj.weight",
    "attn_v.weight": "self_attn.v_proj.weight",
    "attn_output.weight": "self_attn.o_proj.weight",
    "ffn_norm.weight": "post_attention_layernorm.weight",
    "ffn_gate.weight": "mlp.gate_proj.weight",
    "ffn_up.weight": "mlp.up_proj.weight",
    "ffn_down.weight": "mlp.down_proj.weight",
}
_GLOBAL = {
    "token_embd.weight": "model.embed_tokens.weight",
    "output_norm.weight": "model.norm.weight",
    "output.weight": "lm_head.weight",
}


GGUF_HINT = "pip install 'olm-studio[gguf]' (or pip install gguf)"
"""How to get the ``gguf`` package: the distribution is ``olm-studio`` (``olm`` on the
package index is an unrelated project)."""


def _module():
    try:
        import gguf
    except ModuleNotFoundError:
        raise OLMError(f"reading GGUF files needs the optional 'gguf' package: {GGUF_HINT}"
                       ) from None
    return gguf


def gguf_to_hf_names(name: str) -> str | None:
    """The Hugging Face Llama tensor name of GGUF tensor ``name`` (None if unknown)."""
    if name in _GLOBAL:
        return _GLOBAL[name]
    parts = name.split(".", 2)
    if len(parts) == 3 and parts[0] == "blk" and parts[1].isdigit() and parts[2] in _LAYER:
        return f"model.layers.{parts[1]}.{_LAYER[parts[2]]}"
    return None


def unpermute_rows(weight: torch.Tensor, heads: int) -> torch.Tensor:
    """Undo llama.cpp's q/k permutation (interleaved rotary pairs → rotate-half halves)."""
    rows = weight.shape[0]
    return (weight.reshape(heads, rows // heads // 2, 2, *weight.shape[1:])
            .transpose(1, 2).reshape(weight.shape))


_INTS = {0, 1, 2, 3, 4, 5, 10, 11}  # GGUFValueType ids of the integer types
_FLOATS = {6, 12}
_STRING, _ARRAY = 8, 9


class _Fields:
    """Typed access to a GGUF file's metadata: every value's type and range checked."""

    def __init__(self, reader: Any, path: Path) -> None:
        self.reader, self.path = reader, path

    def fail(self, key: str, rule: str) -> FileFormatError:
        return FileFormatError(f"{self.path}: GGUF metadata {key!r} {rule}")

    def _field(self, key: str, types: tuple[set[int], ...], kind: str) -> Any:
        field = self.reader.fields.get(key)
        if field is None:
            return None
        got = list(field.types)
        if len(got) < len(types) or any(t not in allowed for t, allowed in zip(got, types)):
            raise self.fail(key, f"must be {kind}")
        with native_errors(f"{self.path}: GGUF metadata {key!r} cannot be read"):
            return field.contents()

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self._field(key, ({_STRING},), "text")
        return default if value is None else value

    def need_text(self, key: str) -> str:
        value = self.text(key)
        if value is None:
            raise self.fail(key, "is missing")
        return value

    def integer(self, key: str, limit: str, default: int | None = None) -> int:
        """An integer within olm's range for parameter ``limit`` (olm.core.limits)."""
        value = self._field(key, (_INTS,), "an integer")
        value = default if value is None else int(value)
        if value is None:
            raise self.fail(key, "is missing")
        low, high = range_for(limit, "int") or (0, MAX_MAGNITUDE)
        if not low <= value <= high:
            raise self.fail(key, f"= {value:,} is out of range: at least {low:,} and at most "
                                 f"{high:,} (olm's limit for {limit})")
        return value

    def token_id(self, key: str, vocab: int) -> int | None:
        value = self._field(key, (_INTS,), "an integer")
        if value is not None and not 0 <= int(value) < vocab:
            raise self.fail(key, f"= {int(value):,} is not a token id: the vocabulary has "
                                 f"{vocab:,} tokens")
        return None if value is None else int(value)

    def number(self, key: str, limit: str, default: float) -> float:
        value = self._field(key, (_INTS | _FLOATS,), "a number")
        value = default if value is None else float(value)
        message = check_value(limit, "float", value)
        if message is not None:
            raise self.fail(key, f"is not usable: {message}")
        return value

    def texts(self, key: str) -> list[str] | None:
        return self._field(key, ({_ARRAY}, {_STRING}), "a list of text")

    def integers(self, key: str) -> list[int] | None:
        return self._field(key, ({_ARRAY}, _INTS), "a list of integers")


def _config(f: _Fields) -> dict:
    arch = f.need_text("general.architecture")
    if arch != "llama":
        raise OLMError(f"{f.path}: GGUF architecture {arch!r} is not one olm reads (llama)")
    scaling = f.text("llama.rope.scaling.type")
    if scaling not in (None, "none"):
        raise OLMError(f"{f.path}: GGUF key 'llama.rope.scaling.type' ({scaling!r}) is not "
                       "supported")
    heads = f.integer("llama.attention.head_count", "num_heads")
    kv_heads = f.integer("llama.attention.head_count_kv", "num_kv_heads", heads)
    width = f.integer("llama.embedding_length", "embed_dim")
    if width % heads or (width // heads) % 2:
        raise f.fail("llama.embedding_length", f"= {width:,} is not an even head width times "
                                               f"llama.attention.head_count = {heads:,}")
    if heads % kv_heads:
        raise f.fail("llama.attention.head_count_kv", f"= {kv_heads:,} does not divide "
                                                      f"llama.attention.head_count = {heads:,}")
    rotary = f.integer("llama.rope.dimension_count", "head_dim", width // heads)
    if rotary != width // heads:
        raise f.fail("llama.rope.dimension_count", f"= {rotary:,} differs from the head width "
                                                   f"{width // heads:,} (partial RoPE)")
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": width,
        "intermediate_size": f.integer("llama.feed_forward_length", "intermediate_size"),
        "num_hidden_layers": f.integer("llama.block_count", "num_layers"),
        "num_attention_heads": heads,
        "num_key_value_heads": kv_heads,
        "max_position_embeddings": f.integer("llama.context_length", "max_seq_len"),
        "rms_norm_eps": f.number("llama.attention.layer_norm_rms_epsilon", "rms_norm_eps", 1e-5),
        "rope_theta": f.number("llama.rope.freq_base", "rope_theta", 10000.0),
        "hidden_act": "silu",
    }


def _expected_shapes(config: dict, vocab: int) -> dict[str, tuple[int, ...]]:
    """Hugging Face tensor name → the shape the metadata implies (rows first)."""
    d, f = config["hidden_size"], config["intermediate_size"]
    kv = config["num_key_value_heads"] * (d // config["num_attention_heads"])
    shapes = {"model.embed_tokens.weight": (vocab, d), "model.norm.weight": (d,),
              "lm_head.weight": (vocab, d)}
    per_layer = {"input_layernorm.weight": (d,), "self_attn.q_proj.weight": (d, d),
                 "self_attn.k_proj.weight": (kv, d), "self_attn.v_proj.weight": (kv, d),
                 "self_attn.o_proj.weight": (d, d), "post_attention_layernorm.weight": (d,),
                 "mlp.gate_proj.weight": (f, d), "mlp.up_proj.weight": (f, d),
                 "mlp.down_proj.weight": (d, f)}
    for i in range(config["num_hidden_layers"]):
        shapes.update({f"model.layers.{i}.{k}": v for k, v in per_layer.items()})
    return shapes


def _tensors(gguf: Any, reader: Any, config: dict, path: Path) -> dict[str, torch.Tensor]:
    """The tensors with Hugging Face names, each shape checked before it is dequantised."""
    found: dict[str, Any] = {}
    for t in reader.tensors:
        name = gguf_to_hf_names(t.name)
        if name is None:
            raise OLMError(f"{path}: GGUF tensor {t.name!r} has no place in a Llama model")
        found[name] = t
    embed = found.get("model.embed_tokens.weight")
    if embed is None:
        raise FileFormatError(f"{path}: GGUF tensor 'token_embd.weight' is missing")
    vocab = int(embed.shape[-1])  # GGUF lists dims innermost first
    if len(embed.shape) != 2 or not 1 <= vocab <= RANGES["vocab_size"][1]:
        raise FileFormatError(f"{path}: GGUF tensor 'token_embd.weight' has shape "
                              f"{tuple(int(d) for d in reversed(embed.shape))}, not "
                              f"(vocabulary up to {RANGES['vocab_size'][1]:,}, width)")
    expected = _expected_shapes(config, vocab)
    for name, want in expected.items():
        t = found.get(name)
        if t is None:
            if name != "lm_head.weight":
                raise FileFormatError(f"{path}: GGUF tensor {_gguf_name(name)!r} is missing")
            continue
        shape = tuple(int(d) for d in reversed(t.shape))
        if shape != want:
            raise FileFormatError(f"{path}: GGUF tensor {t.name!r} has shape {shape}, but the "
                                  f"metadata implies {want}")
    extra = sorted(set(found) - set(expected))
    if extra:
        raise OLMError(f"{path}: GGUF tensor {found[extra[0]].name!r} has no place in a "
                       f"{config['num_hidden_layers']}-layer Llama model")
    out: dict[str, torch.Tensor] = {}
    for name, t in found.items():
        with native_errors(f"{path}: GGUF tensor {t.name!r} cannot be dequantised"):
            data = gguf.quants.dequantize(t.data, t.tensor_type)
            tensor = torch.from_numpy(np.array(data, dtype=np.float32)).reshape(expected[name])
        if name.endswith("q_proj.weight"):
            tensor = unpermute_rows(tensor, config["num_attention_heads"])
        elif name.endswith("k_proj.weight"):
            tensor = unpermute_rows(tensor, config["num_key_value_heads"])
        out[name] = tensor
    config["tie_word_embeddings"] = "lm_head.weight" not in out
    config["vocab_size"] = vocab
    return out


def _gguf_name(hf_name: str) -> str:
    """The GGUF name of Hugging Face Llama tensor ``hf_name`` (for messages)."""
    for gguf_name, hf in _GLOBAL.items():
        if hf == hf_name:
            return gguf_name
    _, _, i, rest = hf_name.split(".", 3)
    return f"blk.{i}." + next(k for k, v in _LAYER.items() if v == rest)


def _open(path: str | Path) -> tuple[Any, Any, _Fields, dict]:
    """The ``gguf`` module, its reader, typed fields and the Hugging Face config of
    ``path``, everything checked (the layout against the file, the values against olm)."""
    gguf = _module()
    p = Path(path)
    if not p.is_file():
        raise FileFormatError(f"{p}: not a GGUF file (no such file)")
    check_layout(p, {int(k): v for k, v in gguf.GGML_QUANT_SIZES.items()})
    with native_errors(f"{p}: not a readable GGUF file"):
        reader = gguf.GGUFReader(str(p))
    fields = _Fields(reader, p)
    return gguf, reader, fields, _config(fields)


def gguf_config(path: str | Path) -> dict:
    """The Hugging Face ``config.json`` a GGUF file's metadata stands for, without reading
    its weights (the vocabulary size from ``token_embd.weight``'s shape)."""
    _, reader, fields, config = _open(path)
    shapes = {t.name: tuple(int(d) for d in t.shape) for t in reader.tensors}
    embed = shapes.get("token_embd.weight")
    if embed is None or len(embed) != 2:
        raise FileFormatError(f"{fields.path}: GGUF tensor 'token_embd.weight' is missing or "
                              "not a matrix")
    config["vocab_size"] = embed[1]
    config["tie_word_embeddings"] = "output.weight" not in shapes
    check_config_sizes(config, f"{fields.path}:")
    return config


def read_gguf(path: str | Path, *, dtype: Any = None) -> Any:
    """Read a GGUF file into an `HFImport` (``.model``, ``.graph``, ``.tokenizer``).

    Args:
        path: the ``.gguf`` file.
        dtype: the model's dtype (torch dtype or "float32"/"bfloat16"/"float16");
            default float32. Quantised tensors are dequantised first.

    Raises:
        OLMError: ``gguf`` is not installed, or the file is not a supported architecture
            (the message names the key or tensor).
    """
    gguf, reader, fields, config = _open(path)
    p = fields.path
    tensors = _tensors(gguf, reader, config, p)
    special_ids(fields, config)
    tokenizer = gguf_tokenizer(fields, config)
    from olm.interop.hf.load import import_tensors

    return import_tensors(config, tensors, p, dtype, tokenizer)
