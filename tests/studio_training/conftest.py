"""Fixtures for the Train panel tests: offscreen Qt, temporary folders, tiny models.

Qt runs without a screen; runs and token caches go to temporary folders. The models are
tiny (width 32, 2 layers, byte vocabulary) and the corpus is a ~60 KB text file, so a
real `olm train` child finishes a few dozen steps in seconds on a shared CPU.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sysconfig  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from waiting import CHILD_S  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    """Keep every test's runs and token caches out of the user's folders."""
    monkeypatch.setenv("OLM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("OLM_RUNS_DIR", raising=False)


@pytest.fixture
def tiny(tiny):
    """The root tiny-model factory, plus the two models these tests train (2 heads, bytes)."""

    class Training(tiny):
        @staticmethod
        def llama():
            return tiny.model("llama3", vocab_size=256, num_heads=2, num_kv_heads=1,
                              max_seq_len=64)

        @staticmethod
        def gpt2(vocab_size: int = 256, max_seq_len: int = 128):
            return tiny.model("gpt2", vocab_size=vocab_size, num_heads=2,
                              max_seq_len=max_seq_len)

    return Training


@pytest.fixture
def corpus_file(tmp_path) -> Path:
    """About 60 KB of real text (standard-library source), enough for train and val."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    text = "".join((stdlib / name).read_text(encoding="utf-8")
                   for name in ("textwrap.py", "string.py", "bisect.py", "heapq.py"))
    path = tmp_path / "corpus.txt"
    path.write_text(text[:60_000], encoding="utf-8")
    return path


@pytest.fixture
def fast_settings(corpus_file):
    """Settings for a run that takes seconds: tiny batch, short sequences, one thread."""

    import dataclasses

    from olm_studio.training.trial import default_config

    def make(steps: int, **overrides):
        base = dict(data=str(corpus_file), batch_size=2, seq_len=32, lr=3e-3, steps=steps,
                    device="cpu", eval_every=5, sample_every=steps, checkpoint_every=0,
                    threads=1, warmup_steps=None, min_lr=None)
        base.update(overrides)
        return dataclasses.replace(default_config(), **base)

    return make


@pytest.fixture
def panel(qtbot, tmp_path):
    """A standalone TrainPanel with its runs in a temporary folder; stopped at teardown."""
    from olm_studio.training.panel import TrainPanel

    widget = TrainPanel(runs_root=tmp_path / "runs")
    qtbot.addWidget(widget)
    widget.resize(1400, 520)
    yield widget
    widget.stop_and_wait(CHILD_S)
