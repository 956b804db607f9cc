"""olm.data: corpora, tokenizers and the token cache the trainer reads from."""

# Names load on first use, so reading a corpus setting does not import torch.
from olm.core.lazy import lazy_exports

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

__getattr__, __dir__ = lazy_exports(__name__, {
    "cache_dir": "olm.data.cache",
    "DEFAULT_MAX_BYTES": "olm.data.corpus",
    "Corpus": "olm.data.corpus",
    "resolve_corpus": "olm.data.corpus",
    "TokenSplit": "olm.data.dataset",
    "PreparedData": "olm.data.prepare",
    "make_tokenizer": "olm.data.prepare",
    "prepare_data": "olm.data.prepare",
    "ByteTokenizer": "olm.data.tokenizers",
    "HFTokenizer": "olm.data.tokenizers",
    "TokenizerBase": "olm.data.tokenizers",
    "load_tokenizer_dir": "olm.data.tokenizers",
    "train_bpe": "olm.data.tokenizers",
})
