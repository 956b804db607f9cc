"""A freshly built model starts training near the loss of a uniform guess, ln(vocab_size).

Embedding tables drawn from torch's N(0, 1) made tied heads start far above ln(V) and let
learned positions drown the token vectors (a GPT-2 then plateaued at the unigram loss).
"""

import math

import pytest
import torch
import torch.nn.functional as F

V = 256
SIZES = dict(vocab_size=V, embed_dim=64, max_seq_len=64)  # a byte vocabulary, 64 positions


@pytest.mark.parametrize("tiny_family", ["gpt2", "llama3"])
def test_initial_loss_is_near_uniform(tiny_family, tiny):
    torch.manual_seed(0)
    extra = {"intermediate_size": 168} if tiny_family == "llama3" else {}
    model = tiny.model(tiny_family, **SIZES, **extra)
    ids = torch.randint(0, V, (4, 64))
    logits = model(ids)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, V), ids[:, 1:].reshape(-1))
    assert abs(loss.item() - math.log(V)) < 0.1 * math.log(V)


def test_learned_positions_do_not_drown_the_tokens(tiny):
    torch.manual_seed(0)
    model = tiny.model("gpt2", **SIZES, num_layers=1)
    token_table, position_table = model.blocks[0].weight, model.blocks[1].pos_embedding.weight
    ratio = position_table.std() / token_table.std()
    assert 0.5 < ratio < 2.0
