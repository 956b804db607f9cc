"""Pre-flight checks: each problem names the numbers and says what to change."""

import pytest
import torch

import olm.graph
from olm_studio.training.preflight import (
    check_run,
    model_facts,
    resolve_device,
    tokenizer_vocab,
    training_memory,
)
from olm_studio.training.settings import TrainSettings

GB = 1024**3


def plenty(_device):
    return 64 * GB


def test_a_fitting_run_has_no_problems(tiny):
    assert check_run(tiny.graph_of(tiny.llama(), "m"), TrainSettings(seq_len=64), plenty) == []


def test_vocab_too_small_for_the_tokenizer(tiny):
    graph = tiny.graph_of(tiny.gpt2(vocab_size=200), "m")
    problems = check_run(graph, TrainSettings(seq_len=32), plenty)
    assert [p.severity for p in problems] == ["error", "error"]  # embedding and head
    assert "vocab_size 200" in problems[0].message
    assert "at least 256" in problems[0].fix
    # A BPE tokenizer of 200 ids fits the same model.
    assert check_run(graph, TrainSettings(seq_len=32, tokenizer_kind="bpe", bpe_vocab=257),
                     plenty)[0].message.startswith("the tokenizer produces 257 ids")


def test_tokenizer_json_vocab_is_read_from_the_file(tmp_path, tiny):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["[UNK]"])
    tok.train_from_iterator(["def f(x):\n    return x * 2\n" * 200 + "abcdefghij" * 50], trainer)
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    settings = TrainSettings(tokenizer_kind="file", tokenizer_path=str(path), seq_len=32)
    assert tokenizer_vocab(settings) == Tokenizer.from_file(str(path)).get_vocab_size()
    problems = check_run(tiny.graph_of(tiny.gpt2(), "m"), settings, plenty)
    assert any(f"produces {tokenizer_vocab(settings)} ids" in p.message for p in problems)
    bad = TrainSettings(tokenizer_kind="file", tokenizer_path=str(tmp_path / "nope.json"))
    assert "cannot read tokenizer" in check_run(tiny.graph_of(tiny.gpt2(), "m"), bad, plenty)[0].message


def test_learned_positions_bound_the_sequence_but_rope_only_warns(tiny):
    gpt = check_run(tiny.graph_of(tiny.gpt2(max_seq_len=64), "g"), TrainSettings(seq_len=100), plenty)
    assert [p.severity for p in gpt] == ["error"]
    assert "exceeds" in gpt[0].message and "to 64" in gpt[0].fix
    llama = check_run(tiny.graph_of(tiny.llama(), "l"), TrainSettings(seq_len=100), plenty)
    assert llama and all(p.severity == "warning" for p in llama)


def test_memory_check_against_an_independent_estimate(tiny):
    graph = tiny.graph_of(tiny.llama(), "m")
    settings = TrainSettings(seq_len=64, batch_size=8, device="cpu")
    params = sum(p.numel() for p in tiny.llama().parameters())
    facts = model_facts(olm.graph.build(graph, device="meta"))
    assert facts.params == params and facts.layers == 2 and facts.embed_dim == 32
    need = training_memory(facts, settings, 256)
    assert need >= 16 * params  # weights + grads + two AdamW moments, fp32
    assert check_run(graph, settings, lambda _d: need + 1)[0].severity == "warning"
    errors = check_run(graph, settings, lambda _d: need // 2)
    assert errors[0].severity == "error" and "smaller" in errors[0].fix


def test_huge_model_is_refused_without_allocating():
    graph = olm.graph.from_source("Llama3_1_405B")
    problems = check_run(graph, TrainSettings(device="cpu", seq_len=128), lambda _d: 64 * GB)
    params = olm.graph.stats(graph).total_params
    assert params > 400e9
    assert problems[0].severity == "error"
    assert f"{params:,} parameters" in problems[0].message and "GB" in problems[0].message


def test_absent_device_is_an_error(tiny):
    graph = tiny.graph_of(tiny.llama(), "m")
    problems = check_run(graph, TrainSettings(device="cuda", seq_len=32), lambda _d: None)
    assert problems[0].message == "device 'cuda' is not available on this machine"
    if not torch.cuda.is_available():  # the real probe agrees on this machine
        assert check_run(graph, TrainSettings(device="cuda", seq_len=32))[0].severity == "error"


def test_bad_settings_are_reported_not_raised(tiny):
    problems = check_run(tiny.graph_of(tiny.llama(), "m"), TrainSettings(lr=-1.0), plenty)
    assert problems[0].severity == "error" and "lr" in problems[0].message


@pytest.mark.parametrize("device", ["cpu", "auto"])
def test_resolve_device_matches_torch(device):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "auto" and not torch.cuda.is_available():
        mps = getattr(torch.backends, "mps", None)
        expected = "mps" if mps is not None and mps.is_available() else "cpu"
    assert resolve_device(device) == (expected if device == "auto" else "cpu")


def test_bf16_off_cuda_is_a_warning(tiny):
    graph = tiny.graph_of(tiny.llama(), "m")
    problems = check_run(graph, TrainSettings(device="cpu", precision="bf16", seq_len=32), plenty)
    assert [p.severity for p in problems] == ["warning"] and "fp32" in problems[0].message
