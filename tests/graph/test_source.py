"""``from_source`` names a model the same way everywhere."""

from __future__ import annotations

import pytest

from olm.core.errors import FileFormatError, OLMError
from olm.graph import from_module, from_source, save, to_python


def test_every_kind_of_source(tmp_path, tiny):
    preset = from_source("GPT2")
    assert preset.name == "GPT2" and preset.variables["embed_dim"] == 768
    save(preset, tmp_path / "gpt2.olm.json")
    assert from_source(tmp_path / "gpt2.olm.json") == preset
    (tmp_path / "gpt2.py").write_text(to_python(preset))
    assert from_source(str(tmp_path / "gpt2.py")) == preset
    tiny.model("gpt2").save(tmp_path / "ckpt")
    assert from_source(tmp_path / "ckpt") == from_module(tiny.model("gpt2"))


def test_bad_sources(tmp_path):
    with pytest.raises(OLMError, match="did you mean GPT2"):
        from_source("GTP2")
    with pytest.raises(FileFormatError, match="no such file"):
        from_source(str(tmp_path / "absent.py"))
    with pytest.raises(FileFormatError, match="no such file"):
        from_source(str(tmp_path / "absent.olm.json"))
