"""A freshly built model starts training near the loss of a uniform guess, ln(vocab_size).

Embedding tables drawn from torch's N(0, 1) made tied heads start far above ln(V) and let
learned positions drown the token vectors (a GPT-2 then plateaued at the unigram loss).
"""

import math

import pytest
import torch
import torch.nn.functional as F

from olm.models import GPT2Model, Llama3Model

V = 256


@pytest.mark.parametrize("make", [
    lambda: GPT2Model(vocab_size=V, embed_dim=64, num_layers=2, num_heads=4, max_seq_len=64,
                      dropout=0.0),
    lambda: Llama3Model(vocab_size=V, embed_dim=64, intermediate_size=168, num_layers=2,
                        num_heads=4, num_kv_heads=2, max_seq_len=64),
], ids=["gpt2", "llama3"])
def test_initial_loss_is_near_uniform(make):
    torch.manual_seed(0)
    model = make()
    ids = torch.randint(0, V, (4, 64))
    logits = model(ids)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, V), ids[:, 1:].reshape(-1))
    assert abs(loss.item() - math.log(V)) < 0.1 * math.log(V)


def test_learned_positions_do_not_drown_the_tokens():
    torch.manual_seed(0)
    model = GPT2Model(vocab_size=V, embed_dim=64, num_layers=1, num_heads=4, max_seq_len=64)
    token_table, position_table = model.blocks[0].weight, model.blocks[1].pos_embedding.weight
    ratio = position_table.std() / token_table.std()
    assert 0.5 < ratio < 2.0
