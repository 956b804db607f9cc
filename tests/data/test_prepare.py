"""Corpus resolution, the memory-mapped token cache, and the validation split."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from olm.core.errors import OLMError
from olm.data import prepare_data, resolve_corpus
from olm.data.cache import cache_dir


def test_cache_is_reused_and_lives_in_olm_cache_dir(corpus_file, tmp_path):
    first = prepare_data(str(corpus_file), "byte")
    assert not first.reused
    assert str(cache_dir()).startswith(str(tmp_path))
    entry = cache_dir() / "tokens" / first.cache_key
    assert (entry / "train.bin").is_file()
    second = prepare_data(str(corpus_file), "byte")
    assert second.reused and second.cache_key == first.cache_key
    assert isinstance(second.train.tokens, np.memmap)
    np.testing.assert_array_equal(np.asarray(second.train.tokens), np.asarray(first.train.tokens))


def test_changed_corpus_or_tokenizer_makes_a_new_entry(corpus_file):
    a = prepare_data(str(corpus_file), "byte")
    b = prepare_data(str(corpus_file), "bpe:300")
    corpus_file.write_text(corpus_file.read_text() + "\nx = 1\n")
    c = prepare_data(str(corpus_file), "byte")
    assert len({a.cache_key, b.cache_key, c.cache_key}) == 3
    assert not c.reused


def test_bpe_tokenizer_is_cached_too(corpus_file):
    a = prepare_data(str(corpus_file), "bpe:300")
    b = prepare_data(str(corpus_file), "bpe:300")
    assert b.reused
    assert a.tokenizer.fingerprint() == b.tokenizer.fingerprint()


def test_split_holds_out_the_requested_share(corpus_file):
    data = prepare_data(str(corpus_file), "byte", val_fraction=0.1)
    total = len(corpus_file.read_bytes())
    assert len(data.train) + len(data.val) == total
    assert abs(len(data.val) / total - 0.1) < 0.01
    # the split is a partition of the byte stream: both halves come from the text
    text_bytes = corpus_file.read_bytes()
    head = bytes(np.asarray(data.val.tokens[:50]).tolist())
    assert head in text_bytes


def test_folder_corpus_is_sorted_and_skips_binary(tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.txt").write_text("second")
    (folder / "a.txt").write_text("first")
    (folder / "sub" / "c.md").write_text("third")
    (folder / "blob.bin").write_bytes(b"\0\1\2")
    (folder / ".hidden").write_text("secret")
    corpus = resolve_corpus(str(folder))
    assert [p.name for p in corpus.files] == ["a.txt", "b.txt", "c.md"]
    assert corpus.read_text() == "first\n\nsecond\n\nthird"


def test_builtin_corpus_is_the_stdlib_capped():
    corpus = resolve_corpus("builtin", max_bytes=20_000)
    assert all(p.suffix == ".py" for p in corpus.files)
    names = [p.as_posix() for p in corpus.files]
    assert not any("site-packages" in n for n in names)
    text = corpus.read_text()
    assert 19_000 <= len(text.encode()) <= 20_002
    assert text == resolve_corpus("builtin", max_bytes=20_000).read_text()


def test_unreadable_corpus_is_one_clear_error(tmp_path, monkeypatch):
    with pytest.raises(OLMError, match="neither 'builtin'"):
        resolve_corpus(str(tmp_path / "nope.txt"))
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(OLMError, match="no text"):
        prepare_data(str(empty))
    locked = tmp_path / "locked.txt"
    locked.write_text("text")
    real = os.open

    def deny(path, *args, **kwargs):
        # Tests run as root, where chmod cannot deny a read: refuse the open instead
        # (the corpus is read through os.open, with a size cap, see olm.core.files).
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(OLMError, match="cannot read corpus file .*Permission denied"):
        prepare_data(str(locked))
