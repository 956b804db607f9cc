"""Block, Residual, Repeat and Parallel against hand-written equivalents."""

import pytest
import torch
from torch import nn

from olm.core import init_args
from olm.nn.structure import Block, Parallel, Repeat, Residual
from olm.nn.structure.combinators.base import _forward_module


class TakesMask(nn.Module):
    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, x, mask=None):
        self.seen.append(mask)
        return x


def test_block_runs_children_in_order():
    a, b = nn.Linear(4, 6), nn.Linear(6, 3)
    x = torch.randn(2, 4)
    torch.testing.assert_close(Block([a, b])(x), b(a(x)))


def test_residual_adds_input():
    lin = nn.Linear(4, 4)
    x = torch.randn(2, 4)
    torch.testing.assert_close(Residual(lin)(x), x + lin(x))


def test_repeat_makes_fresh_copies_and_applies_them_in_order():
    rep = Repeat(lambda: nn.Linear(4, 4), 3)
    assert len(rep.stack) == 3
    assert rep.stack[0].weight.data_ptr() != rep.stack[1].weight.data_ptr()
    assert not torch.equal(rep.stack[0].weight, rep.stack[1].weight)
    x = torch.randn(2, 4)
    expected = rep.stack[2](rep.stack[1](rep.stack[0](x)))
    torch.testing.assert_close(rep(x), expected)
    assert init_args(rep)["num_repeat"] == 3


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_repeat_rejects_bad_counts(bad):
    with pytest.raises(ValueError, match="num_repeat"):
        Repeat(lambda: nn.Identity(), bad)


def test_repeat_rejects_a_module_instead_of_a_factory():
    with pytest.raises(TypeError, match="lambda"):
        Repeat(nn.Linear(2, 2), 2)


@pytest.mark.parametrize(
    "merge,reference",
    [
        ("sum", lambda a, b: a + b),
        ("mean", lambda a, b: (a + b) / 2),
        ("concat", lambda a, b: torch.cat([a, b], -1)),
    ],
)
def test_parallel_merges(merge, reference):
    a, b = nn.Linear(4, 4), nn.Linear(4, 4)
    x = torch.randn(2, 4)
    torch.testing.assert_close(Parallel([a, b], merge=merge)(x), reference(a(x), b(x)))


def test_parallel_rejects_unknown_merge():
    with pytest.raises(ValueError, match="merge"):
        Parallel([nn.Identity()], merge="max")


def test_kwargs_reach_only_children_that_declare_them():
    taker = TakesMask()
    model = Block([nn.Identity(), Residual(Block([taker])), Repeat(lambda: nn.Identity(), 2)])
    mask = torch.ones(2, 3, dtype=torch.bool)
    model(torch.randn(2, 3, 4), mask=mask)
    assert taker.seen == [mask]
    assert _forward_module(nn.Identity(), torch.ones(1), mask=mask).shape == (1,)


def test_block_rejects_non_modules():
    with pytest.raises(TypeError, match="child 1"):
        Block([nn.Identity(), "not a module"])
