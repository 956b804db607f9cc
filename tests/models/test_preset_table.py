"""Each preset is one row of olm.models.table; the preset classes are made from the rows."""

from __future__ import annotations

import torch

from olm.core import init_args
from olm.models import PRESETS
from olm.models.table import ROWS


def test_every_row_is_a_preset_class_of_its_family():
    assert [row.name for row in ROWS] == list(PRESETS)
    assert len({row.name for row in ROWS}) == len(ROWS)
    for row in ROWS:
        info = PRESETS[row.name]
        cls = info.cls
        assert cls.__name__ == row.name and cls.__doc__ == row.doc
        assert cls.__mro__[1] is info.family_class
        assert info.family_class.__name__ == row.family.class_name
        assert (info.family, info.year, info.notable) == (
            row.family.name, row.family.year, row.family.notable)


def test_a_preset_builds_its_family_with_the_rows_numbers():
    info = PRESETS["Qwen2_5_0_5B"]
    with torch.device("meta"):
        preset = info.cls()
        family = info.family_class(**info.config)
    assert init_args(preset) == {}  # a preset takes no arguments
    assert [n for n, _ in preset.named_parameters()] == [n for n, _ in family.named_parameters()]
    assert sum(p.numel() for p in preset.parameters()) == info.params
    info.config["vocab_size"] = 1  # a copy: the row itself cannot be changed by accident
    assert PRESETS["Qwen2_5_0_5B"].config["vocab_size"] == 151_936
