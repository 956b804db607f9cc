"""Training windows: labels are inputs shifted by one, and batches depend only on their key."""

from __future__ import annotations

import numpy as np
import pytest

from olm.core.errors import ConfigError
from olm.data import TokenSplit


def test_labels_are_next_tokens():
    split = TokenSplit(np.arange(1000, dtype=np.uint16))
    x, y = split.batch(4, 16, seed=0, step=3)
    assert x.shape == y.shape == (4, 16)
    assert x.dtype == y.dtype
    assert (y == x + 1).all()  # the array counts up, so the next token is +1


def test_batches_are_keyed_not_sequential():
    split = TokenSplit(np.random.default_rng(0).integers(0, 256, 5000).astype(np.uint16))
    a = split.batch(4, 8, seed=1, step=7, micro=1, rank=0)[0]
    split.batch(4, 8, seed=1, step=0)  # drawing other batches in between changes nothing
    b = split.batch(4, 8, seed=1, step=7, micro=1, rank=0)[0]
    assert (a == b).all()
    for other in (dict(step=8, micro=1, rank=0), dict(step=7, micro=0, rank=0),
                  dict(step=7, micro=1, rank=1)):
        assert not (split.batch(4, 8, seed=1, **other)[0] == a).all()


def test_too_short_split_names_the_fix():
    with pytest.raises(ConfigError, match="--seq-len"):
        TokenSplit(np.zeros(10, dtype=np.uint16)).check_fits(16, "validation")
