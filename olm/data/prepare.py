"""From ``--data`` and ``--tokenizer`` to cached train/validation token arrays.

``prepare_data`` is the one entry point the trainer uses: it resolves the corpus, builds
or trains the tokenizer, tokenizes once (or finds the cached result) and splits off a
held-out validation set.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from olm.core.errors import ConfigError
from olm.data.cache import cache_dir, read_entry, write_entry
from olm.data.corpus import DEFAULT_MAX_BYTES, resolve_corpus
from olm.data.dataset import TokenSplit
from olm.data.tokenizers import ByteTokenizer, HFTokenizer, TokenizerBase, train_bpe

__all__ = ["PreparedData", "prepare_data", "make_tokenizer"]

_SPLIT_CHUNKS = 100  # the corpus is cut into this many chunks; every k-th is validation
_CACHE_VERSION = 1


@dataclass
class PreparedData:
    """Tokenized corpus ready for training.

    Args:
        tokenizer (TokenizerBase): the tokenizer the ids come from.
        train (TokenSplit): training tokens.
        val (TokenSplit): held-out validation tokens.
        cache_key (str): the cache entry the arrays live in.
        reused (bool): True when the arrays came from the cache.
    """

    tokenizer: TokenizerBase
    train: TokenSplit
    val: TokenSplit
    cache_key: str
    reused: bool


def _text_pieces(text: str, size: int = 1 << 16) -> list[str]:
    """Cut ``text`` into pieces of about ``size`` chars at line ends (for batch encoding)."""
    pieces, start = [], 0
    while start < len(text):
        end = text.find("\n", start + size)
        end = len(text) if end < 0 else end + 1
        pieces.append(text[start:end])
        start = end
    return pieces


def make_tokenizer(spec: str, text: str | None = None, corpus_fp: str = "") -> TokenizerBase:
    """Build the tokenizer ``spec`` names: ``byte``, ``bpe:N`` (trained on ``text``), a path.

    A trained BPE tokenizer is cached by corpus and size, so a second run reuses it.
    """
    if spec == "byte":
        return ByteTokenizer()
    if spec.startswith("bpe:"):
        try:
            size = int(spec[4:])
        except ValueError:
            raise ConfigError(f"tokenizer {spec!r}: expected bpe:N with N an integer") from None
        path = cache_dir() / "tokenizers" / f"{corpus_fp}-bpe{size}.json"
        if corpus_fp and path.is_file():
            return HFTokenizer.from_file(path, spec)
        if text is None:
            raise ConfigError(f"tokenizer {spec!r} needs a corpus to train on")
        tok = train_bpe(_text_pieces(text), size)
        if corpus_fp:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{id(tok)}")
            tok.tokenizer.save(str(tmp))
            tmp.replace(path)
        return tok
    path = Path(spec).expanduser()
    if path.is_dir():
        path = path / "tokenizer.json"
    if path.is_file():
        return HFTokenizer.from_file(path, spec)
    raise ConfigError(f"tokenizer {spec!r} is not 'byte', 'bpe:N', nor a tokenizer.json path")


def _encode(tokenizer: TokenizerBase, text: str) -> np.ndarray:
    if isinstance(tokenizer, HFTokenizer):
        ids = tokenizer.encode_batch_ids(_text_pieces(text))
    else:
        ids = tokenizer.encode_ids(text)
    dtype = np.uint16 if tokenizer.vocab_size <= 1 << 16 else np.uint32
    return ids.astype(dtype)


def _split(ids: np.ndarray, val_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved split: every k-th of 100 chunks goes to validation (k = 1/val_fraction)."""
    k = max(2, round(1 / val_fraction))
    chunks = np.array_split(ids, _SPLIT_CHUNKS)
    val = [c for i, c in enumerate(chunks) if i % k == k - 1]
    train = [c for i, c in enumerate(chunks) if i % k != k - 1]
    return np.concatenate(train), np.concatenate(val)


def prepare_data(
    data: str = "builtin",
    tokenizer: str | TokenizerBase = "byte",
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    val_fraction: float = 0.05,
) -> PreparedData:
    """Tokenize ``data`` with ``tokenizer`` (cached) and split off a validation set.

    Args:
        data: ``"builtin"``, a text file or a folder (see :func:`resolve_corpus`).
        tokenizer: ``"byte"``, ``"bpe:N"``, a ``tokenizer.json`` path, or a tokenizer.
        max_bytes: cap on the corpus size read.
        val_fraction: share of tokens held out for validation, in (0, 0.5].
    """
    if not 0 < val_fraction <= 0.5:
        raise ConfigError(f"val_fraction {val_fraction} must be in (0, 0.5]")
    corpus = resolve_corpus(data, max_bytes)
    text = corpus.read_text()
    corpus_fp = corpus.fingerprint(text)
    tok = tokenizer if isinstance(tokenizer, TokenizerBase) else make_tokenizer(
        tokenizer, text, corpus_fp
    )
    key_src = f"{_CACHE_VERSION}|{corpus_fp}|{tok.fingerprint()}|{val_fraction}"
    key = hashlib.sha256(key_src.encode()).hexdigest()[:24]
    entry = read_entry(key)
    reused = entry is not None
    if entry is None:
        train, val = _split(_encode(tok, text), val_fraction)
        write_entry(key, {"train": train, "val": val}, {"data": data, "tokenizer": tok.spec})
        entry = read_entry(key)
        if entry is None:  # unwritable cache: keep the arrays in memory
            entry = ({"train": train, "val": val}, {})
    arrays, _ = entry
    return PreparedData(tok, TokenSplit(arrays["train"]), TokenSplit(arrays["val"]), key, reused)
