"""olm.train owns training: one definition of each concept, nobody guessing field names.

Issue 10 found four forms of one config, two device resolvers, two event readers, two
preflights and a Studio guessing event and stats field names the library never emits.
This greps the tree for second definitions, so they cannot come back unnoticed.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for top in ("olm", "olm_studio") for p in (ROOT / top).rglob("*.py")]


def _defining(pattern: str) -> list[str]:
    regex = re.compile(pattern, re.M)
    return sorted(str(p.relative_to(ROOT)) for p in SOURCES if regex.search(p.read_text()))


def test_each_training_concept_is_defined_once():
    assert _defining(r"^class TrainConfig\b") == ["olm/train/config.py"]
    assert _defining(r"^class TrainSettings\b") == []
    assert _defining(r"^def resolve_device\b") == ["olm/train/device.py"]
    assert _defining(r"^def read_events\b") == ["olm/train/events.py"]
    assert _defining(r"^def parse_event_line\b") == ["olm/train/events.py"]
    assert _defining(r"^def (preflight|check_run)\b") == ["olm/train/preflight.py"]
    assert _defining(r"^def training_memory\b") == ["olm/train/preflight.py"]
    assert not (ROOT / "olm_studio" / "training" / "settings.py").exists()
    assert not (ROOT / "olm_studio" / "training" / "preflight.py").exists()
    # position limits are validate's rule: no second table of bounded position classes
    assert _defining(r"_BOUNDED_POSITIONS") == []


def test_the_studio_reads_typed_fields_and_guesses_no_names():
    guesses = ("train_loss", "tokens_per_sec", "learning_rate", "max_steps", "tokens_seen",
               "kv_bytes_per_token", "flops_per_token\"", "total_steps\"")
    studio = [p for p in SOURCES if p.parts[len(ROOT.parts)] == "olm_studio"]
    found = [(str(p.relative_to(ROOT)), g) for p in studio for g in guesses
             if f'"{g}' in p.read_text()]
    assert found == []


def test_the_studio_starts_its_child_with_a_config_file():
    # the run lifecycle (split out of the Train panel) starts and resumes the child
    training = ROOT / "olm_studio" / "training"
    starter = (training / "lifecycle.py").read_text()
    assert '"--config"' in starter
    for path in training.glob("*.py"):
        text = path.read_text()
        assert "cli_args" not in text and '"--batch-size"' not in text, path.name
