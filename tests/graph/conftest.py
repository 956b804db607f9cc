"""Shared fixtures for the olm.graph tests."""

import pytest
import torch


@pytest.fixture(autouse=True)
def seed():
    """Every test starts from the same random state, so failures reproduce."""
    torch.manual_seed(0)
    yield
