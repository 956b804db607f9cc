"""A tiny Llama GGUF written with the ``gguf`` package's writer, with every metadata key
and tensor replaceable, for hostile-input tests and fuzzing (nothing downloaded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

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
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path
