"""Heterogeneous `Repeat`: several variants and a cyclic layer pattern."""

import pytest
import torch
from torch import nn

from olm.core import init_args
from olm.core.errors import ConfigError
from olm.nn.structure import Repeat


def test_pattern_picks_each_layers_variant_cyclically():
    rep = Repeat([lambda: nn.Linear(4, 4), lambda: nn.Linear(4, 4, bias=False)], 8, pattern=[0, 0, 1])
    kinds = [layer.bias is None for layer in rep.stack]
    # layer i uses pattern[i % 3]: 0 0 1 0 0 1 0 0
    assert kinds == [False, False, True, False, False, True, False, False]
    assert rep.layer_variants == [0, 0, 1, 0, 0, 1, 0, 0]
    assert rep.first_of_variant(1) == 2
    assert init_args(rep)["pattern"] == [0, 0, 1]


def test_heterogeneous_forward_is_the_layers_in_order():
    rep = Repeat([lambda: nn.Linear(4, 4), lambda: nn.Tanh()], 5, pattern=[0, 1])
    x = torch.randn(3, 4)
    expected = x
    for layer in rep.stack:
        expected = layer(expected)
    torch.testing.assert_close(rep(x), expected)
    assert [type(m).__name__ for m in rep.stack] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    # every Linear copy has its own weights
    assert rep.stack[0].weight.data_ptr() != rep.stack[2].weight.data_ptr()


def test_default_pattern_cycles_the_variants_in_order():
    rep = Repeat([lambda: nn.Identity(), lambda: nn.Tanh(), lambda: nn.ReLU()], 4)
    assert rep.layer_variants == [0, 1, 2, 0]
    assert rep.pattern is None and rep.num_variants == 3


def test_a_pattern_as_long_as_the_stack_overrides_single_layers():
    rep = Repeat([lambda: nn.Identity(), lambda: nn.Tanh()], 4, pattern=[0, 0, 0, 1])
    assert [type(m).__name__ for m in rep.stack] == ["Identity"] * 3 + ["Tanh"]


@pytest.mark.parametrize(
    "pattern,match",
    [([], "non-empty"), ([0, 2], "variant index"), ([0, -1], "variant index"),
     ([0, 0], "never used"), ("01", "non-empty"), ([0, True], "variant index")],
)
def test_bad_patterns_are_refused_naming_the_rule(pattern, match):
    with pytest.raises(ConfigError, match=match):
        Repeat([lambda: nn.Identity(), lambda: nn.Tanh()], 4, pattern=pattern)


def test_a_variant_the_stack_is_too_short_to_reach_is_refused():
    with pytest.raises(ConfigError, match="variant 1 is never used"):
        Repeat([lambda: nn.Identity(), lambda: nn.Tanh()], 3, pattern=[0, 0, 0, 1])


def test_variants_must_be_factories():
    with pytest.raises(TypeError, match="variant 1"):
        Repeat([lambda: nn.Identity(), nn.Tanh()], 2)
    with pytest.raises(ConfigError, match="at least one"):
        Repeat([], 2)
