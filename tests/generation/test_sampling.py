"""Sampling: the KV cache changes nothing but speed; top-k/top-p keep their promises."""

from __future__ import annotations

import pytest
import torch

from olm.core.errors import ConfigError
from olm.generation import greedy, sample, top_k_filter, top_p_filter


@pytest.fixture
def model(tiny):
    torch.manual_seed(0)
    m = tiny.model("llama3", vocab_size=256)
    with torch.no_grad():  # sharpen the logits so greedy paths are not decided by rounding
        for p in m.parameters():
            p.mul_(3.0)
    return m.eval()


def _full_logits(model, ids):
    with torch.no_grad():
        return model(ids)


def test_cached_greedy_equals_uncached(model):
    prompt = torch.randint(0, 256, (2, 5), generator=torch.Generator().manual_seed(1))
    a = greedy(model, prompt, 20, kv_cache=True)
    b = greedy(model, prompt, 20, kv_cache=False)
    assert a.shape == (2, 25)
    assert torch.equal(a, b)
    # and both are the argmax of a plain full-sequence forward at every position
    logits = _full_logits(model, a)
    assert torch.equal(a[:, 5:], logits[:, 4:-1].argmax(-1))


def test_cached_sampling_equals_uncached_with_same_seed(model):
    prompt = torch.zeros(1, 3, dtype=torch.long)
    outs = [sample(model, prompt, 15, temperature=1.0, top_k=20, kv_cache=c,
                   generator=torch.Generator().manual_seed(7)) for c in (True, False)]
    assert torch.equal(outs[0], outs[1])


def test_top_k_tokens_are_among_the_k_best(model):
    prompt = torch.zeros(4, 2, dtype=torch.long)
    out = sample(model, prompt, 12, temperature=1.5, top_k=3,
                 generator=torch.Generator().manual_seed(0))
    logits = _full_logits(model, out)[:, 1:-1]  # predictions for positions 2..
    allowed = logits.topk(3, dim=-1).indices
    chosen = out[:, 2:]
    assert (allowed == chosen[..., None]).any(-1).all()


def test_top_p_tokens_are_in_the_nucleus(model):
    prompt = torch.zeros(4, 2, dtype=torch.long)
    p = 0.5
    out = sample(model, prompt, 12, temperature=1.0, top_p=p,
                 generator=torch.Generator().manual_seed(0))
    probs = _full_logits(model, out)[:, 1:-1].softmax(-1)
    chosen = out[:, 2:]
    for b in range(out.size(0)):
        for t in range(chosen.size(1)):
            row = probs[b, t]
            order = row.argsort(descending=True).tolist()
            nucleus, mass = [], 0.0
            for tok in order:  # the smallest prefix of the ranking whose mass reaches p
                nucleus.append(tok)
                mass += float(row[tok])
                if mass >= p:
                    break
            assert int(chosen[b, t]) in nucleus


def test_filters_against_reference():
    logits = torch.tensor([[2.0, 1.0, 0.5, -1.0, 3.0]])
    k = top_k_filter(logits, 2)
    assert torch.isfinite(k).tolist() == [[True, False, False, False, True]]
    probs = logits.softmax(-1)[0]  # ≈ [.23, .085, .05, .01, .63]
    keep = torch.isfinite(top_p_filter(logits, 0.8))[0].tolist()
    assert keep == [True, False, False, False, True]
    assert float(probs[4]) < 0.8 <= float(probs[4] + probs[0])
    only_top = torch.isfinite(top_p_filter(logits, 0.01))[0].tolist()
    assert only_top == [False, False, False, False, True]


def test_bad_arguments(tiny):
    m = tiny.model("llama3", vocab_size=256)
    ids = torch.zeros(1, 2, dtype=torch.long)
    with pytest.raises(ConfigError, match="top_p"):
        sample(m, ids, 1, top_p=1.5)
    with pytest.raises(ConfigError, match="top_k"):
        sample(m, ids, 1, top_k=0)
    with pytest.raises(ValueError, match=r"\[B, N\]"):
        sample(m, torch.zeros(3, dtype=torch.long), 1)


def test_eos_stops_early(tiny):
    torch.manual_seed(0)
    m = tiny.model("llama3", vocab_size=256).eval()
    ids = torch.zeros(1, 2, dtype=torch.long)
    first = greedy(m, ids, 1)[0, -1].item()
    out = sample(m, ids, 10, temperature=0.0, eos_id=first)
    assert out.shape == (1, 3)


def test_generation_past_a_learned_position_table_reads_a_cropped_window():
    from olm.generation.sampling import context_limit
    from olm.models import GPT2Model

    torch.manual_seed(0)
    model = GPT2Model(vocab_size=32, embed_dim=16, num_layers=1, num_heads=2, max_seq_len=8,
                      dropout=0.0)
    assert context_limit(model) == 8
    prompt = torch.randint(0, 32, (1, 6))
    out = sample(model, prompt, max_new_tokens=10, temperature=0.0)
    assert out.shape == (1, 16)
    # Each token past the table is the greedy choice given the last 8 tokens only.
    for end in range(8, 16):
        window = out[:, end - 8:end]
        assert model(window)[0, -1].argmax() == out[0, end]
