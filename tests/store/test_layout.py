"""One owner for the on-disk layout (issue 10): names in olm.store.layout, I/O in one module."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from olm.store import layout

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for top in ("olm", "olm_studio") for p in sorted((ROOT / top).rglob("*.py"))]


def test_checkpoint_file_names_are_spelled_once():
    """Only olm/store/layout.py spells the checkpoint's own file names."""
    for name in (layout.MANIFEST, layout.TRAINER_STATE_DIR):
        spelled = [p.relative_to(ROOT).as_posix() for p in SOURCES
                   if f'"{name}"' in p.read_text(encoding="utf-8")]
        assert spelled == ["olm/store/layout.py"], name
    spelled = [p.relative_to(ROOT).as_posix() for p in SOURCES
               if f'"{layout.MODEL_DOCUMENT}"' in p.read_text(encoding="utf-8")]
    assert spelled == ["olm/core/names.py"]  # olm.graph needs it, below olm.store


def test_one_checkpoint_loader():
    """No second loader or saver of checkpoint folders is defined anywhere."""
    pattern = re.compile(r"^\s*def (load_checkpoint_model|save_block|load_block)\b", re.M)
    found = [p.relative_to(ROOT).as_posix() for p in SOURCES
             if pattern.search(p.read_text(encoding="utf-8"))]
    assert found == []
    loaders = [p.relative_to(ROOT).as_posix() for p in SOURCES
               if re.search(r"^def load\(", p.read_text(encoding="utf-8"), re.M)
               and "safetensors" in p.read_text(encoding="utf-8")]
    assert loaders == ["olm/store/checkpoint.py"]


def test_project_layout_comes_from_the_same_names(tmp_path):
    from olm.interop.hf.project import project_paths

    assert project_paths is layout.project_paths
    folder = project_paths(tmp_path / "out")
    assert folder == {"graph": tmp_path / "out" / layout.MODEL_DOCUMENT,
                      "weights": tmp_path / "out" / layout.WEIGHTS,
                      "tokenizer": tmp_path / "out" / layout.TOKENIZER_DIR}
    single = project_paths(tmp_path / "gpt.olm.json")
    assert single == {"graph": tmp_path / "gpt.olm.json",
                      "weights": tmp_path / "gpt.safetensors",
                      "tokenizer": tmp_path / "gpt.tokenizer"}


def test_leftover_names_round_trip(tmp_path):
    final = tmp_path / layout.step_name(12)
    assert final.name == "step_0000012"
    staged = layout.staging_path(final, 41).name
    assert layout.leftover_owner(staged) == ("staging", "step_0000012", 41)
    replaced = layout.replaced_path(final, 7).name
    assert layout.leftover_owner(replaced) == ("replaced", "step_0000012", 7)
    assert layout.leftover_owner("step_0000012") is None
    assert layout.leftover_owner(".tmp-notes") is None


def test_layout_needs_no_torch():
    """The Studio reads these names at start-up, so the module must stay import-light."""
    text = (ROOT / "olm" / "store" / "layout.py").read_text(encoding="utf-8")
    imports = re.findall(r"^(?:from|import) (\S+)", text, re.M)
    assert set(imports) <= {"__future__", "os", "pathlib", "olm.core.names"}


RUN_FOLDER_NAMES = ("EVENTS", "RECORD", "LOCK_NAME", "RUN_RECORD", "STUDIO_CONFIG", "STDERR_LOG",
                    "TRIAL_DOCUMENT", "ORIGINAL_DOCUMENT", "CHECKPOINTS_DIR", "MANIFEST",
                    "STATE_FILE", "OPTIMIZER_FILE", "RNG_FILE", "PICKLED_MODEL")


@pytest.mark.parametrize("constant", RUN_FOLDER_NAMES)
def test_run_folder_names_are_spelled_only_in_the_layout_module(constant):
    """A run folder's and a checkpoint's file names appear as literals in layout.py only."""
    name = getattr(layout, constant)
    spelled = [p.relative_to(ROOT).as_posix() for p in SOURCES
               if f'"{name}"' in (text := p.read_text(encoding="utf-8"))
               or f"'{name}'" in text]
    assert spelled == ["olm/store/layout.py"], (constant, spelled)


def test_folder_names_are_not_joined_by_hand():
    """``path / "final"`` and friends come from the layout's names too."""
    joined = re.compile(r'/ "(final|checkpoints?|tokenizer|trainer_state)"'
                        r'|name == "(final|checkpoints?)"')
    found = [p.relative_to(ROOT).as_posix() for p in SOURCES
             if joined.search(p.read_text(encoding="utf-8"))]
    assert found == []
