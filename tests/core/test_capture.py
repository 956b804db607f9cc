"""The constructor-argument recording every component relies on."""

import pytest
import torch
from torch import nn

from olm.core.capture import Component, init_args, init_signature


class Base(Component):
    family = "norm"

    def __init__(self, dim: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps


class Child(Base):
    def __init__(self, dim: int, scale: float = 2.0, **kwargs) -> None:
        super().__init__(dim, eps=1e-6)
        self.scale = scale


def test_records_explicit_arguments_only():
    assert init_args(Base(8)) == {"dim": 8}
    assert init_args(Base(8, eps=1e-3)) == {"dim": 8, "eps": 1e-3}


def test_outermost_constructor_wins_and_var_kwargs_are_flattened():
    child = Child(4, scale=3.0, extra=1)
    assert init_args(child) == {"dim": 4, "scale": 3.0, "extra": 1}
    assert child.eps == 1e-6


def test_signature_without_self():
    assert list(init_signature(Child).parameters) == ["dim", "scale", "kwargs"]


def test_bad_call_names_the_class():
    with pytest.raises(TypeError, match="Base"):
        Base()


def test_plain_modules_have_no_args():
    assert init_args(nn.Linear(2, 2)) == {}


def test_recorded_args_are_a_copy():
    b = Base(3)
    init_args(b)["dim"] = 99
    assert init_args(b) == {"dim": 3}


def test_meta_device_context_is_honoured():
    with torch.device("meta"):
        b = Base(1 << 20)
    assert b.weight.is_meta
