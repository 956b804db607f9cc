"""A GGUF file's vocabulary as an olm tokenizer, every part of it checked first.

The token list, token types, merges and special ids come from the file's metadata
(``f``: the typed field reader of :mod:`olm.interop.gguf`). They are checked before the
Rust tokenizer sees them: one token per embedding row and none twice (a duplicate made
``tokenizers`` panic), every merge naming two known tokens, every special id inside the
vocabulary, the chat template within :data:`~olm.core.limits.MAX_CHAT_CHARS`; and the
tokenizer is built inside :func:`~olm.core.errors.native_errors`, so a panic is one line.
"""

from __future__ import annotations

import json
from typing import Any

from olm.core.errors import OLMError, native_errors
from olm.core.limits import MAX_CHAT_CHARS

__all__ = ["gguf_tokenizer", "special_ids"]

_CONTROL, _USER_DEFINED = 3, 4  # tokenizer.ggml.token_type values


def special_ids(f: Any, config: dict) -> None:
    """bos/eos/pad ids into ``config``, each checked against the vocabulary."""
    for key, gguf_key in (("bos_token_id", "tokenizer.ggml.bos_token_id"),
                          ("eos_token_id", "tokenizer.ggml.eos_token_id"),
                          ("pad_token_id", "tokenizer.ggml.padding_token_id")):
        value = f.token_id(gguf_key, config["vocab_size"])
        if value is not None:
            config[key] = value


def _vocabulary(f: Any, vocab: int) -> tuple[list[str], list[int], list[tuple[str, str]]]:
    """Tokens, token types and merges, checked: one token per embedding row, no token
    twice, every merge naming two known tokens."""
    tokens = f.texts("tokenizer.ggml.tokens")
    if tokens is None:
        raise f.fail("tokenizer.ggml.tokens", "is missing")
    if len(tokens) != vocab:
        raise f.fail("tokenizer.ggml.tokens", f"has {len(tokens):,} tokens, but "
                                              f"token_embd.weight has {vocab:,} rows")
    ids: dict[str, int] = {}
    for i, token in enumerate(tokens):
        if token in ids:
            raise f.fail("tokenizer.ggml.tokens", f"lists token {token[:50]!r} twice "
                                                  f"(ids {ids[token]} and {i})")
        ids[token] = i
    types = f.integers("tokenizer.ggml.token_type")
    types = [1] * vocab if types is None else types
    if len(types) != vocab:
        raise f.fail("tokenizer.ggml.token_type", f"has {len(types):,} entries for "
                                                  f"{vocab:,} tokens")
    merges = []
    for merge in f.texts("tokenizer.ggml.merges") or []:
        pair = tuple(merge.split(" ", 1))
        if len(pair) != 2 or pair[0] not in ids or pair[1] not in ids:
            raise f.fail("tokenizer.ggml.merges", f"has the merge {merge[:50]!r}, which does "
                                                  "not name two tokens of the vocabulary")
        merges.append(pair)
    return tokens, types, merges


def gguf_tokenizer(f: Any, config: dict) -> Any:
    """The GGUF vocabulary as an olm tokenizer (byte-level BPE), or None without one."""
    model = f.text("tokenizer.ggml.model")
    if model is None:
        return None
    if model != "gpt2":
        raise OLMError(f"{f.path}: GGUF tokenizer model {model!r} is not supported (gpt2)")
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    from olm.data.tokenizer_files import GENERATION_CONFIG, TOKENIZER_CONFIG, TokenizerFiles
    from olm.data.tokenizers import HFTokenizer

    tokens, types, merges = _vocabulary(f, config["vocab_size"])
    with native_errors(f"{f.path}: the GGUF tokenizer cannot be built"):
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
    template = f.text("tokenizer.chat_template")
    if template is not None:
        if len(template) > MAX_CHAT_CHARS:
            raise f.fail("tokenizer.chat_template", f"has {len(template):,} characters; at "
                                                    f"most {MAX_CHAT_CHARS:,} are allowed")
        tok_config["chat_template"] = template
    texts = {TOKENIZER_CONFIG: json.dumps(tok_config, indent=2) + "\n"}
    ends = [config["eos_token_id"]] if "eos_token_id" in config else []
    for key in ("tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"):
        value = f.token_id(key, config["vocab_size"])
        if value is not None and value not in ends:
            ends.append(value)
    if len(ends) > 1:  # end of turn differs from end of text: generation stops at both
        generation = {k: config[k] for k in ("bos_token_id", "pad_token_id") if k in config}
        texts[GENERATION_CONFIG] = json.dumps({**generation, "eos_token_id": ends},
                                              indent=2, sort_keys=True) + "\n"
    files = TokenizerFiles(texts, {k: config[k] for k in ("bos_token_id", "eos_token_id",
                                                          "pad_token_id") if k in config})
    return HFTokenizer(tok, f"gguf:{f.path.name}", files)
