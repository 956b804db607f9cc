"""Every preset has exactly the published checkpoint's parameter count.

The reference is ``transformers``' own implementation built from the official config
values (``hf_model_configs.py``) on the meta device, so nothing is allocated or
downloaded. ``parameters()`` yields a shared Parameter once, so tied heads count once on
both sides.
"""

from __future__ import annotations

from functools import cache

import pytest
import torch
from hf_model_configs import HF_CONFIGS
from transformers import AutoModelForCausalLM

from olm.core.registry import MODELS
from olm.models import PRESETS
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@cache
def hf_model(name: str) -> torch.nn.Module:
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(HF_CONFIGS[name]())


@cache
def build_meta(name: str) -> torch.nn.Module:
    """Build once per session: meta models hold no memory, and several tests inspect each."""
    with torch.device("meta"):
        return PRESETS[name].cls()


def only(model: torch.nn.Module, cls: type) -> torch.nn.Module:
    found = [m for m in model.modules() if type(m) is cls]
    assert len(found) == 1, f"expected one {cls.__name__}, found {len(found)}"
    return found[0]


def test_every_preset_has_a_reference_config() -> None:
    assert set(PRESETS) == set(HF_CONFIGS)
    assert len(PRESETS) == 39


@pytest.mark.parametrize("name", sorted(HF_CONFIGS))
def test_param_count_matches_transformers(name: str) -> None:
    reference = hf_model(name)
    ours = build_meta(name)
    assert n_params(ours) == n_params(reference)
    assert PRESETS[name].params == n_params(reference)
    assert type(reference).__name__ == PRESETS[name].hf_architecture


@pytest.mark.parametrize("name", sorted(HF_CONFIGS))
def test_head_tied_exactly_where_the_checkpoint_is(name: str) -> None:
    tied = bool(HF_CONFIGS[name]().tie_word_embeddings)
    model = build_meta(name)
    embedding = only(model, Embedding)
    head = only(model, OutputHead)
    assert (head.weight is embedding.embedding.weight) == tied


@pytest.mark.parametrize("name", sorted(HF_CONFIGS))
def test_meta_build_allocates_nothing(name: str) -> None:
    model = build_meta(name)
    assert all(p.is_meta for p in model.parameters())
    assert all(b.is_meta for b in model.buffers())


def test_405b_builds_on_meta_with_no_storage() -> None:
    # how fast it builds is measured by benchmarks/studio_responsiveness.py
    from olm.models import Llama3_1_405B

    with torch.device("meta"):
        model = Llama3_1_405B()
    assert n_params(model) == PRESETS["Llama3_1_405B"].params
    assert all(p.is_meta for p in model.parameters())


def test_presets_are_registered_by_name() -> None:
    for name, info in PRESETS.items():
        assert MODELS.get(name) is info.cls
        assert info.name == name == info.cls.__name__
        assert info.family_class.family == "model"
        assert info.cls.family == "model"
        assert 2019 <= info.year <= 2026
        assert info.notable and "\n" not in info.notable
