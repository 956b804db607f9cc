"""A GGUF file is data from someone else (issue 25.3): every count, length, metadata value
and tensor shape is checked before use, and each bad file ends in one OLMError line that
names the key or tensor, never an internal error, a hang or a huge allocation."""

from __future__ import annotations

import re
import struct

import numpy as np
import pytest
from gguf_tiny import D, write_tiny_gguf

from olm.core.errors import FileFormatError, OLMError, native_errors
from olm.interop.gguf import read_gguf

pytest.importorskip("gguf", reason="the optional gguf package (olm-studio[gguf]) is not installed")


def _read_error(path) -> str:
    with pytest.raises(OLMError) as err:
        read_gguf(path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message
    return message


def test_the_tiny_file_reads(tmp_path):
    imported = read_gguf(write_tiny_gguf(tmp_path / "ok.gguf"))
    assert imported.tokenizer.encode_ids("abc").tolist() == [4]


METADATA = {
    "block_count_2_32": ({"llama.block_count": ("u32", 4294967295)},
                         r"'llama.block_count' = 4,294,967,295 is out of range.*num_layers"),
    "huge_context": ({"llama.context_length": ("u64", 2**63)}, r"'llama.context_length' .* out of range"),
    "text_for_a_number": ({"llama.attention.head_count": ("str", "eight")},
                          r"'llama.attention.head_count' must be an integer"),
    "number_for_text": ({"general.architecture": ("u32", 1)}, r"'general.architecture' must be text"),
    "heads_do_not_divide": ({"llama.attention.head_count": ("u32", 3)},
                            r"'llama.embedding_length' = 8 is not an even head width"),
    "kv_heads_do_not_divide": ({"llama.attention.head_count_kv": ("u32", 3)},
                               r"'llama.attention.head_count_kv' = 3 does not divide"),
    "zero_heads": ({"llama.attention.head_count": ("u32", 0)}, r"'llama.attention.head_count' = 0"),
    "bos_past_vocab": ({"tokenizer.ggml.bos_token_id": ("u32", 1000)},
                       r"'tokenizer.ggml.bos_token_id' = 1,000 is not a token id"),
    "eot_past_vocab": ({"tokenizer.ggml.eot_token_id": ("u32", 99)},
                       r"'tokenizer.ggml.eot_token_id' = 99 is not a token id"),
    "nan_epsilon": ({"llama.attention.layer_norm_rms_epsilon": ("f32", float("nan"))},
                    r"'llama.attention.layer_norm_rms_epsilon' is not usable"),
    "tokens_not_text": ({"tokenizer.ggml.tokens": ("ints", list(range(8)))},
                        r"'tokenizer.ggml.tokens' must be a list of text"),
    "duplicate_tokens": ({"tokenizer.ggml.tokens": ("strs", ["a", "b", "c", "ab", "abc", "<s>",
                                                             "a", "<pad>"])},
                         r"lists token 'a' twice \(ids 0 and 6\)"),
    "merge_of_unknown_tokens": ({"tokenizer.ggml.merges": ("strs", ["a b", "x y"])},
                                r"merge 'x y', which does not name two tokens"),
    "merge_without_space": ({"tokenizer.ggml.merges": ("strs", ["ab"])}, r"merge 'ab'"),
    "fewer_tokens_than_rows": ({"tokenizer.ggml.tokens": ("strs", ["a", "b"])},
                               r"has 2 tokens, but token_embd.weight has 8 rows"),
    "token_types_short": ({"tokenizer.ggml.token_type": ("ints", [1])},
                          r"'tokenizer.ggml.token_type' has 1 entries for 8 tokens"),
    "missing_block_count": ({"llama.block_count": None}, r"'llama.block_count' is missing"),
    "partial_rope": ({"llama.rope.dimension_count": ("u32", 2)}, r"partial RoPE"),
}


@pytest.mark.parametrize("name", sorted(METADATA))
def test_bad_metadata_is_named(tmp_path, name):
    change, words = METADATA[name]
    message = _read_error(write_tiny_gguf(tmp_path / f"{name}.gguf", meta=change))
    assert re.search(words, message), message


TENSORS = {
    "missing_token_embd": ({"token_embd.weight": None}, r"'token_embd.weight' is missing"),
    "missing_layer_tensor": ({"blk.0.ffn_up.weight": None}, r"'blk.0.ffn_up.weight' is missing"),
    "wrong_shape": ({"blk.0.attn_q.weight": np.zeros((D, 6), np.float32)},
                    r"'blk.0.attn_q.weight' has shape \(8, 6\), but the metadata implies \(8, 8\)"),
    "layer_past_block_count": ({"blk.5.attn_norm.weight": np.ones(D, np.float32)},
                               r"'blk.5.attn_norm.weight' has no place in a 1-layer"),
    "embedding_not_a_matrix": ({"token_embd.weight": np.zeros(8, np.float32)},
                               r"'token_embd.weight' has shape \(8,\)"),
}


@pytest.mark.parametrize("name", sorted(TENSORS))
def test_bad_tensors_are_named_before_dequantising(tmp_path, name, monkeypatch):
    import gguf

    def never(*args, **kwargs):
        raise AssertionError("a tensor was dequantised")

    monkeypatch.setattr(gguf.quants, "dequantize", never)
    change, words = TENSORS[name]
    message = _read_error(write_tiny_gguf(tmp_path / f"{name}.gguf", arrays=change))
    assert re.search(words, message), message


def _patch(path, key: bytes, skip: int, value: int) -> None:
    """Overwrite the u64 ``skip`` bytes after the metadata key ``key``."""
    data = bytearray(path.read_bytes())
    at = data.index(key) + len(key) + skip
    data[at:at + 8] = struct.pack("<Q", value)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("skip", "value", "words"), [
    (8, 2**62, r"'tokenizer.ggml.tokens' claims 4,611,686,018,427,387,904 items"),  # array count
    (16, 2**40, r"'tokenizer.ggml.tokens' needs 1,099,511,627,776 bytes"),  # first string's length
])
def test_lengths_larger_than_the_file_are_refused_before_reading(tmp_path, skip, value, words):
    path = write_tiny_gguf(tmp_path / "x.gguf")
    _patch(path, b"tokenizer.ggml.tokens", skip, value)  # after: u32 type, u32 item type
    message = _read_error(path)
    assert re.search(words, message), message


def test_counts_truncation_and_foreign_bytes(tmp_path):
    path = write_tiny_gguf(tmp_path / "x.gguf")
    data = path.read_bytes()
    (tmp_path / "cut.gguf").write_bytes(data[: len(data) // 2])
    assert "ends past the end of the file" in _read_error(tmp_path / "cut.gguf")
    (tmp_path / "counts.gguf").write_bytes(data[:8] + struct.pack("<QQ", 2**63, 2**63) + data[24:])
    assert "tensors and" in _read_error(tmp_path / "counts.gguf")
    (tmp_path / "not.gguf").write_bytes(b"PK\x03\x04 a zip file")
    assert "does not start with 'GGUF'" in _read_error(tmp_path / "not.gguf")
    (tmp_path / "empty.gguf").write_bytes(b"")
    assert "empty" in _read_error(tmp_path / "empty.gguf")


def test_every_single_byte_corruption_of_the_header_is_an_olm_error(tmp_path):
    path = write_tiny_gguf(tmp_path / "x.gguf")
    data = path.read_bytes()
    header = data.index(b"token_embd.weight")  # metadata and the start of the tensor table
    for at in range(0, header, 7):
        bad = bytearray(data)
        bad[at] ^= 0xFF
        (tmp_path / "bad.gguf").write_bytes(bytes(bad))
        try:
            read_gguf(tmp_path / "bad.gguf")
        except OLMError as err:
            assert "\n" not in str(err)


def test_a_panic_from_a_native_library_becomes_one_line():
    class PanicException(BaseException):  # what pyo3 raises: not an Exception
        pass

    with pytest.raises(FileFormatError, match=r"x.gguf: the tokenizer cannot be built "
                                              r"\(PanicException: assertion failed\)"):
        with native_errors("x.gguf: the tokenizer cannot be built"):
            raise PanicException("assertion failed\nstack backtrace: ...")
    with pytest.raises(KeyboardInterrupt):
        with native_errors("x"):
            raise KeyboardInterrupt
