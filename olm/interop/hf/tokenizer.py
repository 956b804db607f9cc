"""Tokenizer files for a Hugging Face folder, and reading them back.

`transformers.AutoTokenizer` loads a folder holding ``tokenizer.json`` (the `tokenizers`
library's own format) plus a small ``tokenizer_config.json``. olm's BPE tokenizers are
`tokenizers` objects already; the byte tokenizer is written as the equivalent byte-level
BPE with no merges, whose 256 tokens have ids equal to the byte values, so it encodes
exactly as `ByteTokenizer` does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from olm.core.errors import OLMError

__all__ = ["write_tokenizer", "read_tokenizer", "special_token_ids"]

_EOT = "<|endoftext|>"


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's printable stand-in character for each byte (the byte-level BPE alphabet)."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(0xA1, 0xAC + 1))
        + list(range(0xAE, 0xFF + 1))
    )
    chars = printable[:]
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(printable, chars)}


def _byte_tokenizer():
    """A `tokenizers.Tokenizer` whose ids are the UTF-8 byte values of the text."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    vocab = {char: byte for byte, char in _bytes_to_unicode().items()}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    return tok


def _hf_object(tokenizer: Any):
    inner = getattr(tokenizer, "tokenizer", None)
    if inner is not None and hasattr(inner, "to_str"):
        return inner
    if getattr(tokenizer, "spec", None) == "byte" or type(tokenizer).__name__ == "ByteTokenizer":
        return _byte_tokenizer()
    raise OLMError(
        f"cannot write a {type(tokenizer).__name__} as Hugging Face tokenizer files; "
        "olm writes its byte and BPE (tokenizers) tokenizers"
    )


def special_token_ids(tokenizer: Any) -> dict[str, int | None]:
    """``bos_token_id``/``eos_token_id`` for config.json: the end-of-text token, if any."""
    if tokenizer is None:
        return {}
    eot = _hf_object(tokenizer).token_to_id(_EOT)
    return {"bos_token_id": eot, "eos_token_id": eot} if eot is not None else {}


def write_tokenizer(tokenizer: Any, folder: Path, model_max_length: int) -> None:
    """Write ``tokenizer.json`` and ``tokenizer_config.json`` into ``folder``."""
    tok = _hf_object(tokenizer)
    tok.save(str(folder / "tokenizer.json"))
    config: dict[str, Any] = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": model_max_length,
        "clean_up_tokenization_spaces": False,
    }
    if tok.token_to_id(_EOT) is not None:
        config.update(bos_token=_EOT, eos_token=_EOT)
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")


def read_tokenizer(folder: Path):
    """The folder's ``tokenizer.json`` as an olm tokenizer, or None when there is none."""
    file = Path(folder) / "tokenizer.json"
    if not file.is_file():
        return None
    from olm.data.tokenizers import HFTokenizer

    return HFTokenizer.from_file(file)
