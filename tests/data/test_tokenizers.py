"""Tokenizers: byte round trip, BPE trained locally, save/load, tokenizer.json paths."""

from __future__ import annotations

import pytest

from olm.core.errors import ConfigError, FileFormatError
from olm.data import ByteTokenizer, HFTokenizer, load_tokenizer_dir, make_tokenizer, train_bpe


def test_byte_tokenizer_is_utf8():
    tok = ByteTokenizer()
    text = "héllo → wörld\n"
    ids = tok.encode(text)
    assert ids.tolist() == list(text.encode("utf-8"))
    assert tok.decode(ids) == text
    assert tok.vocab_size == 256


def test_bpe_trains_to_size_and_round_trips(corpus_file):
    text = corpus_file.read_text()
    tok = train_bpe([text], 320)
    assert 258 <= tok.vocab_size <= 320
    sample = text[:2000]
    ids = tok.encode(sample)
    assert tok.decode(ids) == sample
    assert int(ids.max()) < tok.vocab_size
    # merges learned on this text compress it well below one token per byte
    assert len(ids) < 0.8 * len(sample.encode("utf-8"))


def test_bpe_encodes_unseen_characters(corpus_file):
    tok = train_bpe([corpus_file.read_text()], 300)
    odd = "Ω≈ç√ 🙂"
    assert tok.decode(tok.encode(odd)) == odd


def test_bpe_too_small_is_config_error():
    with pytest.raises(ConfigError, match="at least 258"):
        train_bpe(["abc"], 100)


def test_save_and_load_dir(tmp_path, corpus_file):
    for tok in (ByteTokenizer(), train_bpe([corpus_file.read_text()], 300)):
        d = tmp_path / tok.spec.replace(":", "_")
        tok.save(d)
        back = load_tokenizer_dir(d)
        assert type(back) is type(tok)
        assert back.vocab_size == tok.vocab_size
        assert back.encode("def f(x): return x").tolist() == tok.encode("def f(x): return x").tolist()


def test_tokenizer_json_path(tmp_path, corpus_file):
    tok = train_bpe([corpus_file.read_text()], 300)
    tok.tokenizer.save(str(tmp_path / "tokenizer.json"))
    loaded = make_tokenizer(str(tmp_path / "tokenizer.json"))
    assert isinstance(loaded, HFTokenizer)
    assert loaded.encode("import os").tolist() == tok.encode("import os").tolist()
    assert make_tokenizer(str(tmp_path)).vocab_size == tok.vocab_size  # folder holding it


def test_bad_specs(tmp_path):
    with pytest.raises(ConfigError, match="bpe:N"):
        make_tokenizer("bpe:lots", "text")
    with pytest.raises(ConfigError, match="not 'byte'"):
        make_tokenizer(str(tmp_path / "missing.json"))
    (tmp_path / "tokenizer.json").write_text("{not json")
    with pytest.raises(FileFormatError, match="cannot read tokenizer"):
        make_tokenizer(str(tmp_path / "tokenizer.json"))
