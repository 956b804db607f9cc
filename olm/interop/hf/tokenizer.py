"""Tokenizer files for a Hugging Face folder, and reading them back.

`transformers.AutoTokenizer` loads a folder holding ``tokenizer.json`` (the `tokenizers`
library's own format) plus a small ``tokenizer_config.json``. olm's BPE tokenizers are
`tokenizers` objects already; the byte tokenizer is written as the equivalent byte-level
BPE with no merges, whose 256 tokens have ids equal to the byte values, so it encodes
exactly as `ByteTokenizer` does. A tokenizer imported from a Hugging Face folder keeps
its side files (``tokenizer_config.json``, the chat template, ``generation_config.json``)
and the model's bos/eos/pad ids, and an export writes them back verbatim.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from olm.core.errors import OLMError
from olm.data.tokenizer_files import GENERATION_CONFIG, TOKENIZER_CONFIG

__all__ = [
    "as_olm_tokenizer",
    "generation_config",
    "read_tokenizer",
    "special_token_ids",
    "write_tokenizer",
]

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


def as_olm_tokenizer(tokenizer: Any) -> Any:
    """An olm tokenizer for ``tokenizer``: an olm one as is, a ``tokenizers.Tokenizer``
    wrapped, a `transformers` fast tokenizer with every file ``save_pretrained`` writes."""
    if tokenizer is None or hasattr(tokenizer, "encode_ids"):
        return tokenizer
    from olm.data.tokenizers import HFTokenizer

    if hasattr(tokenizer, "to_str") and hasattr(tokenizer, "token_to_id"):
        return HFTokenizer(tokenizer)
    if hasattr(tokenizer, "backend_tokenizer") and hasattr(tokenizer, "save_pretrained"):
        with tempfile.TemporaryDirectory() as tmp:
            tokenizer.save_pretrained(tmp)
            return HFTokenizer.from_folder(tmp)
    raise OLMError(
        f"cannot write a {type(tokenizer).__name__} as Hugging Face tokenizer files; olm "
        "writes its byte and BPE tokenizers, tokenizers.Tokenizer and fast transformers ones"
    )


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


def _files(tokenizer: Any):
    return getattr(tokenizer, "files", None)


def special_token_ids(tokenizer: Any) -> dict[str, Any]:
    """``bos/eos/pad_token_id`` for config.json: the model's own (as imported), else the
    tokenizer's named tokens, else the end-of-text token, if any."""
    if tokenizer is None:
        return {}
    if hasattr(tokenizer, "special_ids"):
        return tokenizer.special_ids()
    eot = _hf_object(tokenizer).token_to_id(_EOT)
    return {"bos_token_id": eot, "eos_token_id": eot} if eot is not None else {}


def generation_config(tokenizer: Any, ids: dict[str, Any]) -> str | None:
    """``generation_config.json``'s text: as imported, else the special ids, else None."""
    files = _files(tokenizer)
    if files is not None and GENERATION_CONFIG in files.texts:
        return files.texts[GENERATION_CONFIG]
    kept = {k: v for k, v in ids.items() if v is not None}
    if not kept:
        return None
    return json.dumps({**kept, "_from_model_config": True}, indent=2, sort_keys=True) + "\n"


def write_tokenizer(tokenizer: Any, folder: Path, model_max_length: int) -> None:
    """Write ``tokenizer.json``, ``tokenizer_config.json`` (as imported, else a minimal one)
    and every other side file the tokenizer came with into ``folder``."""
    tok = _hf_object(tokenizer)
    tok.save(str(folder / "tokenizer.json"))
    files = _files(tokenizer)
    if files is not None:
        files.write(folder)
        folder.joinpath(GENERATION_CONFIG).unlink(missing_ok=True)  # save_hf writes that one
    if files is not None and TOKENIZER_CONFIG in files.texts:
        return
    config: dict[str, Any] = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": model_max_length,
        "clean_up_tokenization_spaces": False,
    }
    if tok.token_to_id(_EOT) is not None:
        config.update(bos_token=_EOT, eos_token=_EOT)
    (folder / TOKENIZER_CONFIG).write_text(json.dumps(config, indent=2) + "\n")


def read_tokenizer(folder: Path, model_config: dict | None = None):
    """The folder's ``tokenizer.json`` as an olm tokenizer, with its side files and the
    model's special ids from ``model_config``; None when there is none."""
    file = Path(folder) / "tokenizer.json"
    if not file.is_file():
        return None
    from olm.data.tokenizers import HFTokenizer

    return HFTokenizer.from_folder(folder, model_config)
