"""olm.data: corpora, tokenizers and the token cache the trainer reads from."""

from olm.data.cache import cache_dir
from olm.data.corpus import DEFAULT_MAX_BYTES, Corpus, resolve_corpus
from olm.data.dataset import TokenSplit
from olm.data.prepare import PreparedData, make_tokenizer, prepare_data
from olm.data.tokenizers import (
    ByteTokenizer,
    HFTokenizer,
    TokenizerBase,
    load_tokenizer_dir,
    train_bpe,
)

__all__ = [
    "ByteTokenizer",
    "Corpus",
    "DEFAULT_MAX_BYTES",
    "HFTokenizer",
    "PreparedData",
    "TokenSplit",
    "TokenizerBase",
    "cache_dir",
    "load_tokenizer_dir",
    "make_tokenizer",
    "prepare_data",
    "resolve_corpus",
    "train_bpe",
]
