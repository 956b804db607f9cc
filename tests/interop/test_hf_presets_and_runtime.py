"""Every preset whose published checkpoint is one of the six architectures is recognised as
that architecture, and the config olm writes for it describes the published parameter
count in `transformers` (both built on the meta device). And `transformers` is not needed
to save or load."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import torch
import transformers as T
from waiting import CHILD_S

from olm.interop.hf import ARCHITECTURES, choose_architecture
from olm.interop.hf.reader import read_model
from olm.models import PRESETS

OURS = {a.name for a in ARCHITECTURES}
NAMES = sorted(n for n, info in PRESETS.items() if info.hf_architecture in OURS)


def test_every_family_is_covered():
    assert {PRESETS[n].hf_architecture for n in NAMES} == OURS


@pytest.mark.parametrize("name", NAMES)
def test_preset_maps_to_its_published_architecture(name):
    info = PRESETS[name]
    with torch.device("meta"):
        spec = read_model(info.cls()).spec
        arch = choose_architecture(spec)
        assert arch.name == info.hf_architecture
        config = T.AutoConfig.for_model(**arch.to_config(spec))
        hf = T.AutoModelForCausalLM.from_config(config)
    params = {id(p): p.numel() for p in hf.parameters()}  # tied weights once
    assert sum(params.values()) == info.params


@pytest.mark.slow
def test_save_and_load_work_without_transformers(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["transformers"] = None  # any import of it now fails
        import torch
        from olm.interop.hf import load_hf, save_hf
        from olm.models import Gemma2Model
        model = Gemma2Model(64, 32, 48, 2, 4, 2, 8, 64, sliding_window=4).eval()
        save_hf(model, {str(tmp_path / "out")!r})
        back = load_hf({str(tmp_path / "out")!r})
        ids = torch.randint(0, 64, (1, 9))
        with torch.no_grad():
            assert torch.equal(back(ids), model(ids))
        assert "transformers" not in [m.split(".")[0] for m in sys.modules if sys.modules[m]]
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=CHILD_S
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
