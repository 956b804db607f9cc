"""Tokenizers: byte-level (the default), BPE trained locally, or a ``tokenizer.json``.

Every tokenizer can save itself into a checkpoint's ``tokenizer/`` folder and be read
back from it, so a checkpoint always decodes with the tokenizer it was trained with.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable

import numpy as np
import torch

from olm.core.errors import ConfigError, FileFormatError, native_errors
from olm.core.files import read_text
from olm.core.limits import MAX_TOKENIZER_BYTES
from olm.data.tokenizer_files import ID_KEYS, TokenizerFiles

__all__ = [
    "TokenizerBase",
    "ByteTokenizer",
    "HFTokenizer",
    "train_bpe",
    "load_tokenizer_dir",
]

_KIND_FILE = "olm_tokenizer.json"
_EOT = "<|endoftext|>"


class TokenizerBase:
    """Text ↔ token ids. Subclasses give ``vocab_size``, ``encode_ids`` and ``decode``."""

    vocab_size: int
    spec: str

    def encode_ids(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def encode(self, text: str) -> torch.Tensor:
        """The ids of ``text`` as a 1-D long tensor."""
        return torch.from_numpy(self.encode_ids(text).astype(np.int64))

    def decode(self, tokens: Iterable[int] | torch.Tensor) -> str:
        raise NotImplementedError

    def fingerprint(self) -> str:
        """A short hash identifying the tokenizer (the token cache key's tokenizer half)."""
        raise NotImplementedError

    def save(self, directory: str | os.PathLike) -> None:
        raise NotImplementedError

    def stop_ids(self) -> list[int]:
        """Ids that end generated text (end of sequence / end of turn); none by default."""
        return []


class ByteTokenizer(TokenizerBase):
    """UTF-8 bytes as tokens: vocabulary 256, nothing to train, nothing unknown."""

    vocab_size = 256
    spec = "byte"

    def encode_ids(self, text: str) -> np.ndarray:
        return np.frombuffer(text.encode("utf-8"), dtype=np.uint8).copy()

    def decode(self, tokens: Iterable[int] | torch.Tensor) -> str:
        ids = tokens.tolist() if isinstance(tokens, torch.Tensor) else list(tokens)
        return bytes(i for i in ids if 0 <= i < 256).decode("utf-8", errors="replace")

    def fingerprint(self) -> str:
        return "byte"

    def save(self, directory: str | os.PathLike) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        (d / _KIND_FILE).write_text(json.dumps({"type": "byte"}))


class HFTokenizer(TokenizerBase):
    """A Hugging Face ``tokenizers.Tokenizer`` (BPE trained here, or a ``tokenizer.json``).

    Args:
        tokenizer (tokenizers.Tokenizer): the wrapped tokenizer.
        spec (str): how it was asked for (``"bpe:4096"`` or a path), for messages.
        files (TokenizerFiles | None): the Hugging Face side files that came with it
            (tokenizer_config.json, chat template, generation_config.json) and the model's
            special ids; saved with the tokenizer and written back by ``save_hf``.
    """

    def __init__(self, tokenizer, spec: str = "tokenizer.json",
                 files: TokenizerFiles | None = None) -> None:
        self.tokenizer = tokenizer
        self.spec = spec
        self.files = files if files is not None else TokenizerFiles()
        self.vocab_size = tokenizer.get_vocab_size(with_added_tokens=True)

    @classmethod
    def from_folder(cls, folder: str | os.PathLike, model_config: dict | None = None,
                    spec: str | None = None) -> HFTokenizer:
        """``tokenizer.json`` of ``folder`` with its side files (ids from ``model_config``)."""
        d = Path(folder)
        tok = cls.from_file(d / "tokenizer.json", spec)
        tok.files = TokenizerFiles.read(d, model_config)
        return tok

    @property
    def chat_template(self) -> str | None:
        """The chat template that came with the tokenizer, if any."""
        return self.files.chat_template

    def token_id(self, text: str | None) -> int | None:
        """The id of token ``text`` (None for None or an unknown token)."""
        return None if text is None else self.tokenizer.token_to_id(text)

    def special_ids(self) -> dict[str, int | list[int] | None]:
        """``bos/eos/pad_token_id`` as the model's config gave them, else from the named
        tokens of tokenizer_config.json, else the end-of-text token as bos and eos."""
        ids = {k: self.files.model_ids[k] for k in ID_KEYS if k in self.files.model_ids}
        for key in ID_KEYS:
            if key not in ids:
                found = self.token_id(self.files.token(key.removesuffix("_id")))
                if found is not None:
                    ids[key] = found
        eot = self.token_id(_EOT)
        if eot is not None and not self.files.texts and not self.files.model_ids:
            ids = {"bos_token_id": eot, "eos_token_id": eot}
        return ids

    def stop_ids(self) -> list[int]:
        """Every id that ends a reply: generation_config's eos ids, plus the eos id."""
        found = list(self.files.generation_eos())
        eos = self.special_ids().get("eos_token_id")
        for i in eos if isinstance(eos, list) else [eos]:
            if i is not None and i not in found:
                found.append(i)
        return found

    @classmethod
    def from_file(cls, path: str | os.PathLike, spec: str | None = None) -> HFTokenizer:
        from tokenizers import Tokenizer

        # Bounded read: a FIFO, a device or an oversized file is refused, not read.
        text = read_text(path, MAX_TOKENIZER_BYTES, "tokenizer file")
        # The Rust side raises a bare Exception, or a PanicException (a BaseException).
        with native_errors(f"cannot read tokenizer {path}"):
            tok = Tokenizer.from_str(text)
        return cls(tok, spec or str(path))

    def encode_ids(self, text: str) -> np.ndarray:
        return np.asarray(self.tokenizer.encode(text).ids, dtype=np.int64)

    def encode_batch_ids(self, texts: list[str]) -> np.ndarray:
        """Encode many texts at once (the Rust side runs them in parallel), concatenated."""
        encs = self.tokenizer.encode_batch(texts)
        if not encs:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encs])

    def decode(self, tokens: Iterable[int] | torch.Tensor) -> str:
        ids = tokens.tolist() if isinstance(tokens, torch.Tensor) else list(tokens)
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    def fingerprint(self) -> str:
        return hashlib.sha256(self.tokenizer.to_str().encode("utf-8")).hexdigest()[:24]

    def save(self, directory: str | os.PathLike) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.tokenizer.save(str(d / "tokenizer.json"))
        self.files.write(d)
        info: dict = {"type": "hf", "spec": self.spec}
        if self.files.model_ids:
            info["model_ids"] = self.files.model_ids
        (d / _KIND_FILE).write_text(json.dumps(info))


def train_bpe(texts: Iterable[str], vocab_size: int) -> HFTokenizer:
    """Train a byte-level BPE tokenizer on ``texts`` (locally, with ``tokenizers``).

    Byte-level means every string encodes, however odd; the 256 byte symbols plus the
    end-of-text token are always in the vocabulary, so ``vocab_size`` must exceed 257.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    if vocab_size < 258:
        raise ConfigError(f"bpe vocab size {vocab_size} must be at least 258 (256 bytes + 2)")
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[_EOT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return HFTokenizer(tok, f"bpe:{vocab_size}")


def load_tokenizer_dir(directory: str | os.PathLike) -> TokenizerBase:
    """Read a tokenizer saved by :meth:`TokenizerBase.save` (a checkpoint's ``tokenizer/``)."""
    d = Path(directory)
    kind_file = d / _KIND_FILE
    if not kind_file.is_file():
        if (d / "tokenizer.json").is_file():
            return HFTokenizer.from_folder(d)
        raise FileFormatError(f"{d} holds no tokenizer ({_KIND_FILE} missing)")
    try:
        info = json.loads(kind_file.read_text())
        kind = info["type"]
    except (ValueError, KeyError, TypeError):
        raise FileFormatError(f"{kind_file} is not a valid tokenizer description") from None
    if kind == "byte":
        return ByteTokenizer()
    if kind == "hf":
        ids = info.get("model_ids")
        if ids is not None and not isinstance(ids, dict):
            raise FileFormatError(f"{kind_file}: \"model_ids\" must be a JSON object")
        return HFTokenizer.from_folder(d, ids, info.get("spec"))
    raise FileFormatError(f"{kind_file}: unknown tokenizer type {kind!r}")
