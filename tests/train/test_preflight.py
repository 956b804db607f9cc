"""olm.train.preflight: the one set of pre-run checks, each naming the numbers and the fix.

These moved here from the Studio, whose own table disagreed with the library in places;
where it did, the library's rule is what is tested now (marked "library rule").
"""

import pytest
import torch

import olm.graph
from olm.models import GPT2Model, Llama3Model
from olm.nn.embeddings import SinusoidalPositionalEmbedding
from olm.train import TrainConfig
from olm.train.preflight import model_facts, preflight, tokenizer_vocab, training_memory

GB = 1024**3



@pytest.fixture(autouse=True)
def _no_timing(monkeypatch):
    """These tests are about the other checks; the time estimate depends on the machine's
    speed and load, so it is tested on its own (tests/train/test_estimate_and_trial.py)."""
    import olm.train.preflight as module

    monkeypatch.setattr(module, "_check_time", lambda *a, **k: [])

def plenty(_device):
    return 64 * GB


def _llama():
    return Llama3Model(vocab_size=256, embed_dim=32, intermediate_size=64, num_layers=2,
                       num_heads=2, num_kv_heads=1, max_seq_len=64)


def _gpt2(vocab_size=256, max_seq_len=128):
    return GPT2Model(vocab_size=vocab_size, embed_dim=32, num_layers=2, num_heads=2,
                     max_seq_len=max_seq_len, dropout=0.0)


def _graph(module):
    return olm.graph.from_module(module, name="m")


def _cfg(**kw):
    return TrainConfig(**{"source": "m.olm.json", "device": "cpu", **kw})


def test_a_fitting_run_has_no_problems():
    assert preflight(_graph(_llama()), _cfg(seq_len=64), plenty) == []


def test_vocab_too_small_for_the_tokenizer():
    graph = _graph(_gpt2(vocab_size=200))
    problems = preflight(graph, _cfg(seq_len=32), plenty)
    assert [p.severity for p in problems] == ["error"]
    assert "256 tokens but the model's vocabulary is 200" in problems[0].message
    assert "vocab_size >= 256" in problems[0].message
    assert preflight(graph, _cfg(seq_len=32, tokenizer="bpe:200"), plenty) == []
    assert "257 tokens" in preflight(graph, _cfg(seq_len=32, tokenizer="bpe:257"),
                                     plenty)[0].message


def test_tokenizer_json_vocab_is_read_from_the_file(tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["[UNK]"])
    tok.train_from_iterator(["def f(x):\n    return x * 2\n" * 200 + "abcdefghij" * 50], trainer)
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    vocab = Tokenizer.from_file(str(path)).get_vocab_size(with_added_tokens=True)
    assert tokenizer_vocab(str(path)) == vocab > 256
    problems = preflight(_graph(_gpt2()), _cfg(tokenizer=str(path), seq_len=32), plenty)
    assert any(f"has {vocab} tokens" in p.message for p in problems)
    bad = preflight(_graph(_gpt2()), _cfg(tokenizer=str(tmp_path / "nope.json"), seq_len=32),
                    plenty)
    assert "is not 'byte', 'bpe:N', nor a tokenizer.json path" in bad[0].message


def test_position_tables_bound_the_sequence_from_validate_and_rope_extends():
    gpt = preflight(_graph(_gpt2(max_seq_len=64)), _cfg(seq_len=100), plenty)
    assert [p.severity for p in gpt] == ["error"]
    assert "sequences of 100 tokens" in gpt[0].message and "only has 64 positions" in gpt[0].message
    # library rule: RoPE extends past max_seq_len, so validate has nothing to say (the
    # Studio's old table warned here); a forward of 100 tokens proves the model takes it
    assert preflight(_graph(_llama()), _cfg(seq_len=100), plenty) == []
    assert _llama()(torch.zeros(1, 100, dtype=torch.long)).shape == (1, 100, 256)


def test_a_sinusoidal_table_past_its_limit_is_an_error_in_validate():
    # library rule: olm.graph.validate now bounds sinusoidal tables too (they raise past
    # max_seq_len, like learned ones; the Studio's old table knew, validate did not)
    from olm.nn.blocks import OutputHead
    from olm.nn.embeddings import Embedding
    from olm.nn.norms import RMSNorm
    from olm.nn.structure import Block

    emb = Embedding(256, 32)
    positions = SinusoidalPositionalEmbedding(32, max_seq_len=16)
    with pytest.raises(ValueError, match="exceeds max_seq_len 16"):
        positions(torch.zeros(1, 20, 32))
    graph = _graph(Block([emb, positions, RMSNorm(32), OutputHead(32, 256, tied_embedding=emb)]))
    assert not [d for d in olm.graph.validate(graph, seq_len=16) if d.code == "seq-len"]
    errors = [d for d in olm.graph.validate(graph, seq_len=20) if d.code == "seq-len"]
    assert len(errors) == 1 and "sinusoidal positional embedding only has 16" in errors[0].message
    problems = preflight(graph, _cfg(seq_len=20), plenty)
    assert [p.severity for p in problems] == ["error"]


def test_memory_check_against_an_independent_estimate():
    graph = _graph(_llama())
    config = _cfg(seq_len=64, batch_size=8)
    params = sum(p.numel() for p in _llama().parameters())
    facts = model_facts(olm.graph.build(graph, device="meta"))
    assert facts.params == params and facts.layers == 2 and facts.embed_dim == 32
    need = training_memory(facts, config, 256, torch.device("cpu"))
    # independent: weights + grads + two AdamW moments (fp32) + logits and their grad
    assert need >= 16 * params + 3 * 8 * 64 * 256 * 4
    assert preflight(graph, config, lambda _d: need + 1)[0].severity == "warning"
    errors = preflight(graph, config, lambda _d: need // 2)
    assert errors[0].severity == "error" and "smaller" in errors[0].fix


def test_huge_model_is_refused_without_allocating():
    graph = olm.graph.from_source("Llama3_1_405B")
    problems = preflight(graph, _cfg(seq_len=128), lambda _d: 64 * GB)
    params = olm.graph.stats(graph).total_params
    assert params > 400e9
    assert problems[0].severity == "error"
    assert f"{params:,} parameters" in problems[0].message and "GB" in problems[0].message


def test_absent_device_is_an_error_from_resolve_device():
    graph = _graph(_llama())
    if not torch.cuda.is_available():  # library rule: resolve_device says why
        problems = preflight(graph, _cfg(device="cuda", seq_len=32), plenty)
        assert problems[0].severity == "error" and "CUDA is not available" in problems[0].message
    problems = preflight(graph, _cfg(seq_len=32), lambda _d: None)
    assert problems[0].message == "device 'cpu' is not available on this machine"


def test_missing_data_is_an_error(tmp_path):
    graph = _graph(_llama())
    assert "no training data" in preflight(graph, _cfg(data="", seq_len=32), plenty)[0].message
    missing = preflight(graph, _cfg(data=str(tmp_path / "gone.txt"), seq_len=32), plenty)
    assert "gone.txt: no such file or folder" in missing[0].message
    (tmp_path / "here.txt").write_text("text")
    assert preflight(graph, _cfg(data=str(tmp_path / "here.txt"), seq_len=32), plenty) == []
