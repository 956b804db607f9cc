"""GGUF files written by the tests with the ``gguf`` package's writer (nothing downloaded).

- :func:`write_tiny_gguf`: a tiny Llama with every metadata key and tensor replaceable,
  for hostile-input tests and fuzzing;
- :func:`write_gguf`: a Hugging Face Llama and its fast tokenizer written the way
  llama.cpp's converter writes them (q/k rows permuted by :func:`permute`, tokenizer as
  token list + merges, chat template), for the tests that compare olm with the source.

Both end with :func:`finish`, the writer's one order of writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

_LAYER = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q",
          "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
          "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
          "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}

D, HEADS, KV, FF, LAYERS = 8, 2, 1, 16, 1
TOKENS = ["a", "b", "c", "ab", "abc", "<s>", "</s>", "<pad>"]
MERGES = ["a b", "ab c"]


def metadata() -> dict[str, tuple[str, Any]]:
    """Key → (kind, value) of a valid tiny Llama; kind is u32, f32, str, strs or ints."""
    return {
        "llama.context_length": ("u32", 32),
        "llama.embedding_length": ("u32", D),
        "llama.block_count": ("u32", LAYERS),
        "llama.feed_forward_length": ("u32", FF),
        "llama.attention.head_count": ("u32", HEADS),
        "llama.attention.head_count_kv": ("u32", KV),
        "llama.rope.freq_base": ("f32", 10000.0),
        "llama.attention.layer_norm_rms_epsilon": ("f32", 1e-5),
        "tokenizer.ggml.model": ("str", "gpt2"),
        "tokenizer.ggml.tokens": ("strs", list(TOKENS)),
        "tokenizer.ggml.token_type": ("ints", [1, 1, 1, 1, 1, 3, 3, 3]),
        "tokenizer.ggml.merges": ("strs", list(MERGES)),
        "tokenizer.ggml.bos_token_id": ("u32", 5),
        "tokenizer.ggml.eos_token_id": ("u32", 6),
        "tokenizer.ggml.padding_token_id": ("u32", 7),
        "tokenizer.chat_template": ("str", "{% for m in messages %}{{ m['content'] }}{% endfor %}"),
    }


def tensors(vocab: int = len(TOKENS)) -> dict[str, np.ndarray]:
    """GGUF tensor name → array (rows first, as numpy holds them)."""
    rng = np.random.default_rng(0)
    kv = KV * (D // HEADS)
    shapes = {"token_embd.weight": (vocab, D), "output_norm.weight": (D,),
              "output.weight": (vocab, D)}
    for i in range(LAYERS):
        shapes.update({f"blk.{i}.attn_norm.weight": (D,), f"blk.{i}.attn_q.weight": (D, D),
                       f"blk.{i}.attn_k.weight": (kv, D), f"blk.{i}.attn_v.weight": (kv, D),
                       f"blk.{i}.attn_output.weight": (D, D), f"blk.{i}.ffn_norm.weight": (D,),
                       f"blk.{i}.ffn_gate.weight": (FF, D), f"blk.{i}.ffn_up.weight": (FF, D),
                       f"blk.{i}.ffn_down.weight": (D, FF)})
    return {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}


def write_tiny_gguf(path: Path, meta: dict | None = None, arrays: dict | None = None,
                    arch: str = "llama") -> Path:
    """Write the tiny model; ``meta``/``arrays`` replace keys/tensors (None removes one)."""
    import gguf

    keys = {**metadata(), **(meta or {})}
    data = {**tensors(), **(arrays or {})}
    w = gguf.GGUFWriter(str(path), arch)
    add = {"u32": w.add_uint32, "f32": w.add_float32, "str": w.add_string,
           "strs": w.add_array, "ints": w.add_array, "u64": w.add_uint64}
    for key, item in keys.items():
        if item is not None:
            add[item[0]](key, item[1])
    for name, array in data.items():
        if array is not None:
            w.add_tensor(name, np.ascontiguousarray(array))
    finish(w)
    return path


def finish(w: Any) -> None:
    """Write what a ``gguf.GGUFWriter`` holds (header, metadata, tensors) and close it."""
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def permute(w: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp convert_hf_to_gguf.py's LlamaModel.permute (olm's reader undoes it)."""
    return (w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


def write_gguf(model: Any, tok: Any, path: Path, quant: Any = None) -> Path:
    """Write an HF Llama + fast tokenizer as a GGUF file (the llama.cpp conventions);
    ``quant`` (a ``gguf.GGMLQuantizationType``) quantises the 2-D weights it can."""
    import gguf
    from chat_tiny import TEMPLATE

    cfg = model.config
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_context_length(cfg.max_position_embeddings)
    w.add_embedding_length(cfg.hidden_size)
    w.add_block_count(cfg.num_hidden_layers)
    w.add_feed_forward_length(cfg.intermediate_size)
    w.add_head_count(cfg.num_attention_heads)
    w.add_head_count_kv(cfg.num_key_value_heads)
    w.add_rope_freq_base(float(cfg.rope_parameters["rope_theta"]) if getattr(
        cfg, "rope_parameters", None) else float(cfg.rope_theta))
    w.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    vocab = tok.backend_tokenizer.get_vocab(with_added_tokens=True)
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    special = {t.content for t in tok.backend_tokenizer.get_added_tokens_decoder().values()
               if t.special}
    added = {t.content for t in tok.backend_tokenizer.get_added_tokens_decoder().values()}
    types = [3 if t in special else 4 if t in added else 1 for t in tokens]
    merges = json.loads(tok.backend_tokenizer.to_str())["model"]["merges"]
    merges = [m if isinstance(m, str) else " ".join(m) for m in merges]
    w.add_tokenizer_model("gpt2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_bos_token_id(cfg.bos_token_id)
    w.add_eos_token_id(cfg.eos_token_id)
    w.add_pad_token_id(cfg.pad_token_id)
    w.add_eot_token_id(tok.convert_tokens_to_ids("<|eot_id|>"))
    w.add_chat_template(TEMPLATE)
    for name, t in model.state_dict().items():
        a = t.detach().float().numpy()
        if name == "model.embed_tokens.weight":
            out = "token_embd.weight"
        elif name == "model.norm.weight":
            out = "output_norm.weight"
        elif name == "lm_head.weight":
            out = "output.weight"
        else:
            i, rest = name.removeprefix("model.layers.").split(".", 1)
            part, _ = rest.rsplit(".", 1)
            out = f"blk.{i}.{_LAYER[part]}.weight"
            if part == "self_attn.q_proj":
                a = permute(a, cfg.num_attention_heads)
            elif part == "self_attn.k_proj":
                a = permute(a, cfg.num_key_value_heads)
        if quant is not None and a.ndim == 2 and a.shape[-1] % 32 == 0:
            w.add_tensor(out, gguf.quants.quantize(a, quant), raw_dtype=quant)
        else:
            w.add_tensor(out, np.ascontiguousarray(a))
    finish(w)
    return path
