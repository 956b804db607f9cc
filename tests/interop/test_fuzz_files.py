"""Hypothesis fuzzing of the readers of received files (issue 25, fuzzing): a Hugging Face
``config.json`` and a GGUF file's metadata, tensor table and bytes.

The rule: whatever the file holds, olm answers with a model or an OLMError, never another
exception, a hang or an unbounded allocation. Each example runs in a forked child with a
time limit and an address-space limit (:mod:`bounded`), so a hang or a MemoryError is an
outcome the test sees. Examples are derandomized for CI; ``OLM_FUZZ_SCALE=10`` searches
ten times as long with fresh examples.
"""

from __future__ import annotations

import json
import os
import struct
from datetime import timedelta

import pytest
from bounded import is_bounded_answer, run_bounded
from gguf_tiny import metadata, tensors, write_tiny_gguf
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

from olm.interop.gguf import read_gguf
from olm.interop.hf import load_hf, save_hf
from olm.interop.hf.config_sizes import HF_SIZE_KEYS

pytest.importorskip("gguf", reason="the optional gguf package (olm-studio[gguf]) is not installed")

SCALE = max(1, int(os.environ.get("OLM_FUZZ_SCALE", "1")))
# pytest-timeout's thread method: the examples' own alarms live in their children.
pytestmark = pytest.mark.timeout(600, method="thread")


def _fuzz(examples: int):
    return settings(max_examples=examples * SCALE, deadline=timedelta(seconds=60),
                    derandomize=SCALE == 1, database=None,
                    suppress_health_check=list(HealthCheck))


SIZES = st.sampled_from([0, 1, -1, 2, 3, 7, 1024, 1025, 2**31, 2**32 - 1, 2**32, 2**63,
                         2**64 + 1, 10**15 + 1, 4_194_305])
VALUES = st.one_of(
    SIZES, st.integers(min_value=-(2**70), max_value=2**70), st.floats(), st.booleans(),
    st.none(), st.text(max_size=8), st.lists(st.one_of(SIZES, st.none(), st.text(max_size=3)),
                                              max_size=4),
    st.dictionaries(st.sampled_from(["rope_type", "type", "factor", "rope_theta",
                                     "original_max_position_embeddings"]),
                    st.one_of(SIZES, st.floats(), st.text(max_size=8)), max_size=3),
)
ARCHITECTURES = ["LlamaForCausalLM", "GPT2LMHeadModel", "Gemma2ForCausalLM",
                 "Gemma3ForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM",
                 "Qwen3MoeForCausalLM", "MixtralForCausalLM", "MistralForCausalLM",
                 "DeepseekV3ForCausalLM", "GptOssForCausalLM", "Olmo2ForCausalLM", "BertModel"]
KEYS = sorted(HF_SIZE_KEYS) + ["vocab_size", "intermediate_size", "head_dim", "num_experts",
                               "kv_lora_rank", "d_model", "rope_parameters", "rope_scaling", "layer_types",
                               "sliding_window", "use_sliding_window", "hidden_act",
                               "tie_word_embeddings", "bos_token_id", "eos_token_id",
                               "rms_norm_eps", "attention_bias", "dtype", "model_type"]


@pytest.fixture(scope="module")
def hf_folder(tmp_path_factory):
    from olm.models import Llama3Model

    folder = tmp_path_factory.mktemp("fuzz_hf") / "tiny"
    save_hf(Llama3Model(64, 32, 48, 2, 4, 2, 64), folder)
    load_hf(folder)  # import everything once here, so each forked example starts warm
    return folder


# The sizes the architectures read (the first of each is what Llama reads).
CORE_SIZES = ["num_hidden_layers", "hidden_size", "intermediate_size", "vocab_size",
              "num_attention_heads", "num_key_value_heads", "head_dim",
              "max_position_embeddings", "sliding_window", "num_local_experts",
              "num_experts_per_tok", "n_layer", "n_embd", "n_head", "n_positions", "n_inner"]


@_fuzz(60)
@example(size_key="num_hidden_layers", size=2**31, changes={}, drop=[], arch=None)
@example(size_key="num_hidden_layers", size=2**63, changes={}, drop=[], arch=None)
@example(size_key="n_layer", size=2**31, changes={}, drop=[], arch="GPT2LMHeadModel")
@given(size_key=st.sampled_from(CORE_SIZES), size=SIZES,
       changes=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4),
       drop=st.lists(st.sampled_from(KEYS), max_size=2),
       arch=st.one_of(st.none(), st.sampled_from(ARCHITECTURES)))
def test_hf_config_json_gets_a_model_or_an_olm_error(hf_folder, size_key, size, changes, drop,
                                                      arch):
    config = dict(_BASE[0])
    config[size_key] = size  # every example has one hostile size, the rest varies
    config.update(changes)
    for key in drop:
        config.pop(key, None)
    if arch is not None:
        config["architectures"] = [arch]
    (hf_folder / "config.json").write_text(json.dumps(config))
    outcome = run_bounded(load_hf, hf_folder)
    assert is_bounded_answer(outcome), (outcome, config)


_BASE: list[dict] = []  # the valid config, read once by the fixture below


@pytest.fixture(scope="module", autouse=True)
def _base_config(hf_folder):
    _BASE[:] = [json.loads((hf_folder / "config.json").read_text())]


@_fuzz(30)
@given(text=st.one_of(st.text(max_size=200), st.just('{"n_layer": ' + "9" * 5000 + "}"),
                      st.just("[" * 100_000), st.just('{"a": ' * 5000 + "1" + "}" * 5000)))
def test_hf_config_json_text_gets_an_olm_error(hf_folder, text):
    (hf_folder / "config.json").write_text(text)
    outcome = run_bounded(load_hf, hf_folder)
    assert is_bounded_answer(outcome), outcome


# -- GGUF -----------------------------------------------------------------------------
KINDS = st.one_of(
    st.tuples(st.just("u32"), st.one_of(SIZES.filter(lambda v: 0 <= v < 2**32),
                                        st.integers(0, 2**32 - 1))),
    st.tuples(st.just("u64"), st.integers(0, 2**64 - 1)),
    st.tuples(st.just("f32"), st.floats(width=32)),
    st.tuples(st.just("str"), st.text(max_size=10)),
    st.tuples(st.just("strs"), st.lists(st.text(max_size=4), max_size=10)),
    st.tuples(st.just("ints"), st.lists(st.integers(0, 2**31 - 1), max_size=10)),
)
META_KEYS = sorted(metadata()) + ["general.architecture", "llama.rope.dimension_count",
                                  "tokenizer.ggml.eot_token_id", "llama.rope.scaling.type",
                                  "general.alignment"]
SHAPES = st.lists(st.integers(1, 20), min_size=1, max_size=3).map(tuple)


@_fuzz(60)
@example(meta={"llama.block_count": ("u32", 2**32 - 1)}, shapes={})
@example(meta={"llama.attention.head_count": ("str", "8")}, shapes={})
@example(meta={"tokenizer.ggml.bos_token_id": ("u32", 999)}, shapes={})
@example(meta={}, shapes={"token_embd.weight": None})
@given(meta=st.dictionaries(st.sampled_from(META_KEYS), st.one_of(st.none(), KINDS), max_size=3),
       shapes=st.dictionaries(st.sampled_from(sorted(tensors())), st.one_of(st.none(), SHAPES),
                              max_size=2))
def test_gguf_metadata_and_tensor_table_get_a_model_or_an_olm_error(tmp_path_factory, gguf_bytes,
                                                                    meta, shapes):
    import numpy as np

    arrays = {k: None if s is None else np.zeros(s, np.float32) for k, s in shapes.items()}
    path = tmp_path_factory.mktemp("g") / "x.gguf"
    try:
        write_tiny_gguf(path, meta=meta, arrays=arrays)
    except Exception:  # noqa: BLE001 - the writer refuses some combinations itself
        reject()
    outcome = run_bounded(read_gguf, path)
    assert is_bounded_answer(outcome), (outcome, meta, shapes)


@pytest.fixture(scope="module")
def gguf_bytes(tmp_path_factory) -> bytes:
    path = write_tiny_gguf(tmp_path_factory.mktemp("gb") / "ok.gguf")
    read_gguf(path)  # import everything once here, so each forked example starts warm
    return path.read_bytes()


@_fuzz(80)
@given(data=st.data())
def test_gguf_byte_mutations_get_a_model_or_an_olm_error(tmp_path_factory, gguf_bytes, data):
    raw = bytearray(gguf_bytes)
    header = raw.index(b"token_embd.weight") + 64  # metadata and tensor table
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, header))
        if data.draw(st.booleans()):
            raw[at] = data.draw(st.integers(0, 255))
        else:  # a count or length of a chosen size
            value = data.draw(st.sampled_from([0, 1, 2**31, 2**32 - 1, 2**40, 2**63, 2**64 - 1]))
            raw[at:at + 8] = struct.pack("<Q", value)
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    path = tmp_path_factory.mktemp("m") / "x.gguf"
    path.write_bytes(bytes(raw))
    outcome = run_bounded(read_gguf, path)
    assert is_bounded_answer(outcome), outcome
