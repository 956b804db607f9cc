"""The PyInstaller bundle builds and runs: versions, an empty-environment screenshot,
`olm` from the bundle, and the Studio's training child running the bundle's `olm train`.

Marked ``slow``: the first run builds dist/olm-studio/ with packaging/build.sh (about ten
minutes on two cores); later runs reuse it while dist/olm-studio/BUILD-KEY matches the
hash of the sources (packaging/source_hash.py). Skipped only when PyInstaller is not
installed (it is in the ``test`` extra, so CI always builds).
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from waiting import CHILD_S, WAIT_MS

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist" / "olm-studio"
EXE = DIST / "olm-studio"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]


def _source_key() -> str:
    spec = importlib.util.spec_from_file_location("source_hash",
                                                  ROOT / "packaging" / "source_hash.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.source_key(ROOT)


@pytest.fixture(scope="module")
def bundle():
    """dist/olm-studio/, built now unless a build of the same sources is there."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install '.[bundle]')")
    key_file = DIST / "BUILD-KEY"
    if not (EXE.exists() and key_file.exists() and key_file.read_text().strip() == _source_key()):
        env = dict(os.environ, PYTHON=sys.executable)
        done = subprocess.run(["bash", str(ROOT / "packaging" / "build.sh")], cwd=ROOT, env=env,
                              capture_output=True, text=True,
                              timeout=4 * CHILD_S)  # about ten minutes on two cores
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
        assert "built dist/olm-studio" in done.stdout
    assert EXE.exists() and key_file.read_text().strip() == _source_key()
    return DIST


def _run(args, env=None, cwd=None):
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=CHILD_S,
                          cwd=cwd)


def test_version_prints_the_versions_from_an_empty_environment(bundle):
    import torch

    done = _run(["env", "-i", str(EXE), "--version"])
    assert done.returncode == 0, done.stderr
    assert f"torch:      {torch.__version__}" in done.stdout
    assert "Qt:" in done.stdout and "(bundle)" in done.stdout


def test_screenshot_with_an_empty_environment(bundle, tmp_path):
    out = tmp_path / "shot.png"
    done = _run(["env", "-i", f"OLM_STUDIO_HOME={tmp_path / 'home'}", str(EXE), "--screenshot",
                 str(out), "--size", "1280x800"], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    assert len({image.pixel(x, y) for x in range(0, 1280, 40) for y in range(0, 800, 40)}) > 8


def test_bundle_is_trimmed_and_carries_its_files(bundle):
    internal = bundle / "_internal"
    files = [p.relative_to(internal).as_posix() for p in internal.rglob("*") if p.is_file()]
    assert not [f for f in files if f.endswith((".h", ".a", ".hpp"))]
    assert not [f for f in files if "/include/" in f or f.startswith("torch/include")]
    assert not [f for f in files if "Qt6Quick" in f or "Qt6Qml" in f or "Qt6Pdf" in f]
    assert [f for f in files if f.startswith("torch/bin/")] == ["torch/bin/torch_shm_manager"]
    assert not [f for f in files if f.startswith(("tests/", "pytest", "transformers/"))]
    for needed in ("olm_studio/resources/olm-studio.svg", "olm_studio/resources/themes/dark.qss",
                   "share/applications/olm-studio.desktop", "docs/guide.md",
                   "PySide6/Qt/plugins/platforms/libqxcb.so",
                   "PySide6/Qt/plugins/platforms/libqoffscreen.so"):
        assert needed in files, needed
    assert any(f.startswith("lib/python3") and f.endswith(".py") for f in files)  # corpus


def test_olm_command_line_runs_from_the_bundle(bundle):
    done = _run([str(bundle / "olm"), "info", "GPT2"], env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "124" in done.stdout  # GPT-2's 124M parameters
    done = _run([str(EXE), "--olm", "info", "NoSuchModel"], env={})
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_the_studios_training_child_runs_inside_the_bundle(bundle, qtbot, tmp_path,
                                                           monkeypatch):
    """The Train panel's runner, as it runs in the bundle (sys.frozen), trains a tiny model
    on the built-in corpus the bundle ships, through the bundle's `olm train`."""
    from olm.graph.project import save
    from olm.train.config import TrainConfig
    from olm_studio.training import runner

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(EXE))
    assert runner.olm_command() == [str(EXE), "--olm"]
    proc = runner.TrainProcess()
    monkeypatch.undo()

    import torch

    from olm.graph.describe_module import from_module
    from olm.models import GPT2Model

    with torch.device("meta"):
        model = GPT2Model(vocab_size=256, embed_dim=32, num_layers=2, num_heads=2,
                          max_seq_len=64)
    graph = from_module(model, name="TinyBundle")
    project = tmp_path / "tiny.olm.json"
    save(graph, project)
    config = TrainConfig(source=str(project), steps=4, batch_size=2, seq_len=16, device="cpu",
                         use_amp=False, eval_every=4, sample_every=4, checkpoint_every=4,
                         out=str(tmp_path / "ckpt"), events="-")
    config_path = tmp_path / "train.json"
    config.write_file(config_path)
    args = ["train", "--config", str(config_path)]  # as the Studio starts its child
    events, ended = [], []
    proc.event.connect(events.append)
    proc.ended.connect(lambda s, r: ended.append((s, r)))
    proc.start(args, tmp_path / "events.jsonl", tmp_path / "stderr.log", workdir=tmp_path)
    qtbot.waitUntil(lambda: bool(ended), timeout=WAIT_MS)
    stderr = (tmp_path / "stderr.log").read_text()
    assert ended[0][0] == "finished", f"{ended} {stderr[-3000:]}"
    steps = [e for e in events if e.KIND == "step"]
    assert steps and all(json.dumps(e.to_json()) for e in steps)
    assert (tmp_path / "ckpt").is_dir()


def test_desktop_entry_from_the_bundle_runs_the_bundle(bundle, tmp_path):
    done = _run(["env", "-i", f"HOME={tmp_path}", f"XDG_DATA_HOME={tmp_path / 'xdg'}", str(EXE),
                 "--install-desktop"])
    assert done.returncode == 0, done.stderr
    entry = (tmp_path / "xdg" / "applications" / "olm-studio.desktop").read_text()
    assert f"Exec={EXE.resolve()} %f" in entry
