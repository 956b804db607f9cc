"""Edits keep the weights they can (issue 14.3), checked against plain tensor arithmetic."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import olm.graph
from olm.graph._node_commands import ReplaceNode
from olm.graph.weights import KEPT, REINIT, carry_weights, layer_mapping, node_paths
from olm.models import GPT2Model, Llama3Model


def _doc(model):
    g = olm.graph.from_module(model)
    return g, olm.graph.build(g).eval()


def _first(g, type_name):
    return next(n for n in g.walk() if g.node(n).type == type_name)


def _edit(g, node_id, **params):
    g2 = g.copy()
    g2.node(node_id).params.update(params)
    return g2


def _carry(g, m, g2, **kw):
    torch.manual_seed(123)
    m2 = olm.graph.build(g2).eval()
    return m2, carry_weights(g, m, g2, m2, **kw)


def _ids(vocab=64, n=16):
    return torch.randint(0, vocab, (2, n), generator=torch.Generator().manual_seed(0))


def test_unchanged_document_keeps_every_weight():
    torch.manual_seed(0)
    g, m = _doc(Llama3Model(64, 32, 48, 2, 4, 2, 64))
    m2, report = _carry(g, m, g.copy())
    assert set(report.values()) == {KEPT}
    torch.testing.assert_close(m2(_ids()), m(_ids()), rtol=0, atol=0)


def test_mha_to_gqa_groups_of_one_is_exact_and_larger_groups_mean_pool():
    torch.manual_seed(0)
    g, m = _doc(Llama3Model(64, 32, 48, 2, 4, 4, 64))  # 4 KV heads = MHA
    attn = _first(g, "GroupedQueryAttention")
    m1, report = _carry(g, m, _edit(g, attn, num_kv_heads=4))
    assert report[attn] == KEPT
    torch.testing.assert_close(m1(_ids()), m(_ids()), rtol=0, atol=0)
    m2, report = _carry(g, m, _edit(g, attn, num_kv_heads=2))
    assert report[attn].startswith("converted: mean-pooled 4 key/value heads into 2")
    old = m.get_submodule("blocks.1.stack.1.blocks.0.block.blocks.1")
    new = m2.get_submodule("blocks.1.stack.1.blocks.0.block.blocks.1")
    hd = 8
    for name in ("k_proj", "v_proj"):
        w = getattr(old, name).weight
        want = torch.stack([(w[0:hd] + w[hd:2 * hd]) / 2, (w[2 * hd:3 * hd] + w[3 * hd:]) / 2])
        torch.testing.assert_close(getattr(new, name).weight, want.reshape(2 * hd, 32))
    torch.testing.assert_close(new.q_proj.weight, old.q_proj.weight, rtol=0, atol=0)


def _train(model, text_ids, steps=60):
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(steps):
        logits = model(text_ids[:, :-1])
        loss = F.cross_entropy(logits.flatten(0, 1), text_ids[:, 1:].flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


@torch.no_grad()
def _loss(model, ids):
    return float(F.cross_entropy(model(ids[:, :-1]).flatten(0, 1), ids[:, 1:].flatten()))


@pytest.mark.slow
def test_gqa_pooling_cost_is_reported_and_bounded_on_a_trained_model():
    torch.manual_seed(0)
    text = torch.tensor([list(b"the cat sat on the mat. " * 2)[:32]] * 2) % 64
    g, m = _doc(Llama3Model(64, 32, 48, 2, 4, 4, 64))
    _train(m.train(), text).eval()
    before = _loss(m, text)
    attn = _first(g, "GroupedQueryAttention")
    pooled, _ = _carry(g, m, _edit(g, attn, num_kv_heads=2))
    after = _loss(pooled, text)
    fresh, _ = _carry(g, m, _edit(g, attn, num_kv_heads=2))
    for name, p in fresh.named_parameters():  # the same edit with K/V re-initialised
        if "k_proj" in name or "v_proj" in name:
            torch.nn.init.normal_(p, std=0.02)
    assert before < 1.0  # it did learn the text
    assert after - before < 2.0  # bounded...
    assert after < _loss(fresh, text)  # ...and far better than starting K/V over


def test_layernorm_to_rmsnorm_keeps_the_gain():
    torch.manual_seed(0)
    g, m = _doc(GPT2Model(vocab_size=64, embed_dim=32, num_layers=1, num_heads=4, max_seq_len=32))
    ln = _first(g, "LayerNorm")
    with torch.no_grad():
        for p in m.parameters():
            p.uniform_(0.5, 1.5)
    g2 = g.copy()
    cmd = ReplaceNode(ln, "RMSNorm")
    cmd.touched(g2)
    cmd.apply(g2)
    m2, report = _carry(g, m, g2)
    assert "kept the gain (LayerNorm → RMSNorm)" in report[ln]
    path = node_paths(g)[ln][0]
    torch.testing.assert_close(m2.get_submodule(path).weight, m.get_submodule(path).gamma)
    assert all(s == KEPT for n, s in report.items() if n != ln)


def test_untie_copies_the_embedding_and_keeps_the_function():
    torch.manual_seed(0)
    g, m = _doc(GPT2Model(vocab_size=64, embed_dim=32, num_layers=1, num_heads=4, max_seq_len=32))
    head = _first(g, "OutputHead")
    g2 = g.copy()
    g2.node(head).params.pop("tied_embedding")
    m2, report = _carry(g, m, g2)
    assert "untied the output head" in report[head]
    torch.testing.assert_close(m2(_ids()), m(_ids()), rtol=0, atol=0)


def test_vocabulary_resize_keeps_rows_and_adds_mean_rows():
    torch.manual_seed(0)
    g, m = _doc(Llama3Model(64, 32, 48, 1, 4, 2, 64))
    emb, head = _first(g, "Embedding"), _first(g, "OutputHead")
    g2 = _edit(_edit(g, emb, vocab_size=70), head, vocab_size=70)
    m2, report = _carry(g, m, g2)
    assert "vocabulary 64 → 70" in report[emb]
    old, new = m.get_submodule("blocks.0").embedding.weight, m2.get_submodule("blocks.0").embedding.weight
    torch.testing.assert_close(new[:64], old)
    torch.testing.assert_close(new[64:], old.mean(0, keepdim=True).expand(6, 32))


@pytest.mark.parametrize("drop,kept", [("last", [0, 1]), ("first", [2, 3]), ("every", [0, 3])])
def test_fewer_layers_drop_and_more_duplicate(drop, kept):
    assert layer_mapping(4, 2, drop) == kept
    assert layer_mapping(2, 4) == [0, 0, 1, 1]
    torch.manual_seed(0)
    g, m = _doc(Llama3Model(64, 32, 48, 4, 4, 2, 64))
    rep = _first(g, "Repeat")
    m2, report = _carry(g, m, _edit(g, rep, num_repeat=2), drop=drop)
    assert REINIT not in report.values()
    for new_i, old_i in enumerate(kept):
        a = m2.get_submodule(f"blocks.1.stack.{new_i}").state_dict()
        b = m.get_submodule(f"blocks.1.stack.{old_i}").state_dict()
        assert all(torch.equal(a[k], b[k]) for k in a)
