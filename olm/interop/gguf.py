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
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from olm.core.errors import FileFormatError, OLMError

__all__ = ["read_gguf", "gguf_to_hf_names", "unpermute_rows", "GGUF_HINT"]

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
_CONTROL, _USER_DEFINED = 3, 4  # tokenizer.ggml.token_type values


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


class _Fields:
    def __init__(self, reader: Any, path: Path) -> None:
        self.reader, self.path = reader, path

    def get(self, key: str, default: Any = None) -> Any:
        field = self.reader.fields.get(key)
        return default if field is None else field.contents()

    def need(self, key: str) -> Any:
        value = self.get(key)
        if value is None:
            raise FileFormatError(f"{self.path}: GGUF metadata {key!r} is missing")
        return value


def _config(f: _Fields) -> dict:
    arch = f.need("general.architecture")
    if arch != "llama":
        raise OLMError(f"{f.path}: GGUF architecture {arch!r} is not one olm reads (llama)")
    if f.get("llama.rope.scaling.type") not in (None, "none"):
        raise OLMError(f"{f.path}: GGUF key 'llama.rope.scaling.type' "
                       f"({f.get('llama.rope.scaling.type')!r}) is not supported")
    heads = int(f.need("llama.attention.head_count"))
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": int(f.need("llama.embedding_length")),
        "intermediate_size": int(f.need("llama.feed_forward_length")),
        "num_hidden_layers": int(f.need("llama.block_count")),
        "num_attention_heads": heads,
        "num_key_value_heads": int(f.get("llama.attention.head_count_kv", heads)),
        "max_position_embeddings": int(f.need("llama.context_length")),
        "rms_norm_eps": float(f.get("llama.attention.layer_norm_rms_epsilon", 1e-5)),
        "rope_theta": float(f.get("llama.rope.freq_base", 10000.0)),
        "hidden_act": "silu",
    }
    for key, gguf_key in (("bos_token_id", "tokenizer.ggml.bos_token_id"),
                          ("eos_token_id", "tokenizer.ggml.eos_token_id"),
                          ("pad_token_id", "tokenizer.ggml.padding_token_id")):
        value = f.get(gguf_key)
        if value is not None:
            config[key] = int(value)
    return config


def _tensors(gguf: Any, reader: Any, config: dict, path: Path) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    for t in reader.tensors:
        name = gguf_to_hf_names(t.name)
        if name is None:
            raise OLMError(f"{path}: GGUF tensor {t.name!r} has no place in a Llama model")
        shape = tuple(int(d) for d in reversed(t.shape))  # GGUF lists dims innermost first
        data = gguf.quants.dequantize(t.data, t.tensor_type)
        tensor = torch.from_numpy(np.array(data, dtype=np.float32)).reshape(shape)  # a copy
        if name.endswith("q_proj.weight"):
            tensor = unpermute_rows(tensor, config["num_attention_heads"])
        elif name.endswith("k_proj.weight"):
            tensor = unpermute_rows(tensor, config["num_key_value_heads"])
        out[name] = tensor
    if "lm_head.weight" not in out:
        config["tie_word_embeddings"] = True
    else:
        config["tie_word_embeddings"] = False
    config["vocab_size"] = int(out["model.embed_tokens.weight"].shape[0])
    return out


def _tokenizer(f: _Fields, config: dict) -> Any:
    """The GGUF vocabulary as an olm tokenizer (byte-level BPE), or None without one."""
    model = f.get("tokenizer.ggml.model")
    if model is None:
        return None
    if model != "gpt2":
        raise OLMError(f"{f.path}: GGUF tokenizer model {model!r} is not supported (gpt2)")
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    from olm.data.tokenizer_files import GENERATION_CONFIG, TOKENIZER_CONFIG, TokenizerFiles
    from olm.data.tokenizers import HFTokenizer

    tokens = list(f.need("tokenizer.ggml.tokens"))
    types = list(f.get("tokenizer.ggml.token_type", [1] * len(tokens)))
    merges = [tuple(m.split(" ", 1)) for m in f.get("tokenizer.ggml.merges", [])]
    tok = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False)
                            for t, k in zip(tokens, types) if k == _CONTROL])
    tok.add_tokens([AddedToken(t, normalized=False)
                    for t, k in zip(tokens, types) if k == _USER_DEFINED])
    tok_config: dict[str, Any] = {"tokenizer_class": "PreTrainedTokenizerFast",
                                  "model_max_length": config["max_position_embeddings"],
                                  "clean_up_tokenization_spaces": False}
    for role, key in (("bos_token", "bos_token_id"), ("eos_token", "eos_token_id"),
                      ("pad_token", "pad_token_id")):
        if key in config:
            tok_config[role] = tokens[config[key]]
    template = f.get("tokenizer.chat_template")
    if template is not None:
        tok_config["chat_template"] = template
    texts = {TOKENIZER_CONFIG: json.dumps(tok_config, indent=2) + "\n"}
    ends = [config["eos_token_id"]] if "eos_token_id" in config else []
    for key in ("tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"):
        value = f.get(key)
        if value is not None and int(value) not in ends:
            ends.append(int(value))
    if len(ends) > 1:  # end of turn differs from end of text: generation stops at both
        generation = {k: config[k] for k in ("bos_token_id", "pad_token_id") if k in config}
        texts[GENERATION_CONFIG] = json.dumps({**generation, "eos_token_id": ends},
                                              indent=2, sort_keys=True) + "\n"
    files = TokenizerFiles(texts, {k: config[k] for k in ("bos_token_id", "eos_token_id",
                                                          "pad_token_id") if k in config})
    return HFTokenizer(tok, f"gguf:{f.path.name}", files)


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
    gguf = _module()
    p = Path(path)
    try:
        reader = gguf.GGUFReader(str(p))
    except (OSError, ValueError) as err:
        raise FileFormatError(f"{p}: not a readable GGUF file ({err})") from None
    fields = _Fields(reader, p)
    config = _config(fields)
    tensors = _tensors(gguf, reader, config, p)
    from olm.interop.hf.load import import_tensors

    return import_tensors(config, tensors, p, dtype, _tokenizer(fields, config))
