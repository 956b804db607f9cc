"""Journey (b) of issue 24: a pretrained model from opening to a fine-tuned export.

Driven through the window the way a person does it, at 1280×800 and 1600×1000: File →
Open pretrained… (a Hugging Face folder, then a GGUF file, both written by the test and
trained briefly so their loss sits well below ln(vocab)) → Samples with the Chat toggle →
MHA → GQA (the KV heads 2 → 1, pooled) → Model → Measure Loss Before/After Edits →
Continue from these weights and Train → the first loss of the fine-tune matches the
measured loss after the edit → export the run as a Hugging Face folder → ``transformers``
loads it and gives the same greedy answer as olm. The assertions are on figures.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen needed

import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QAction  # noqa: E402
from PySide6.QtWidgets import QFileDialog  # noqa: E402
from waiting import WAIT_MS  # noqa: E402

sys.path.insert(0, str(Path(__file__).parents[1] / "interop"))
sys.path.insert(0, str(Path(__file__).parents[1] / "studio_training"))
import test_pretrained_studio as _studio  # noqa: E402

window = _studio.window  # the same window fixture: shown, every dialog recorded, not shown

pytest.importorskip("gguf", reason="the optional gguf package (olm-studio[gguf]) is not installed")

NOISE = 0.45  # one training batch against 4 x 4 held-out windows of a tiny model
SIZES = {"hf": (1280, 800), "gguf": (1600, 1000)}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from trained_tiny import make_trained

    return make_trained(tmp_path_factory.mktemp("journey"))


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OLM_CACHE_DIR", str(tmp_path / "cache"))


def _menu_action(w, object_name: str) -> QAction:
    """The action, found in the menu bar (so it is reachable by a person)."""
    for top in w.menuBar().actions():
        menu = top.menu()
        for action in menu.actions() if menu is not None else ():
            if action.objectName() == object_name:
                return action
    raise AssertionError(f"{object_name} is not in the menu bar")


def _measured_after(w, qtbot) -> tuple[float, float]:
    """Model → Measure Loss Before/After Edits; waits for the whole result (it may run off
    the UI thread) and reads both figures off the status line."""
    _menu_action(w, "action_measure_loss").trigger()
    pattern = re.compile(r"Held-out loss: ([\d.]+) before the edits, ([\d.]+) after")
    qtbot.waitUntil(lambda: pattern.search(w.statusBar().currentMessage()) is not None,
                    timeout=WAIT_MS)
    before, after = pattern.search(w.statusBar().currentMessage()).groups()
    return float(before), float(after)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["hf", "gguf"])
def test_pretrained_journey(qtbot, window, trained, kind, tmp_path, monkeypatch):
    import transformers as T

    from olm.generation import greedy
    from olm.store.pretrained import open_pretrained
    from olm.train import TrainConfig
    from olm.train.events import StepEvent, read_events
    from olm_studio.training.form import WEIGHTS_TOKENIZER

    files, corpus, vocab = trained
    w = window
    w.resize(*SIZES[kind])
    qtbot.waitUntil(lambda: (w.width(), w.height()) == SIZES[kind], timeout=WAIT_MS)

    # File → Open pretrained…
    chosen = files[kind] / "config.json" if kind == "hf" else files[kind]
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(chosen), "")))
    _menu_action(w, "action_open_pretrained").trigger()
    qtbot.waitUntil(lambda: w.pretrained.task is None or not w.pretrained.task.running,
                    timeout=WAIT_MS)  # opened off the UI thread
    assert w.said == [] and w.pretrained.opened is not None
    assert w.pretrained.label.text().startswith("Weights loaded:")
    graph = w.controller.graph

    # Chat in the Samples tab: the toggle is there (the tokenizer has a template).
    panel = w.train
    w.show_tab("Train")
    samples = panel.samples_view
    assert not samples.chat.isHidden() and samples.chat.isChecked()
    samples.prompt.setText("hello there")
    samples.max_tokens.setValue(8)
    qtbot.mouseClick(samples.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "prompt 'hello there'" in samples.log.toPlainText(),
                    timeout=WAIT_MS)
    assert "Sampling failed" not in samples.state.text()

    # The Train form, on the text the fine-tune and the measurement share.
    panel.form.set_config(TrainConfig(source="model.olm.json", data=str(corpus), steps=2,
                                      batch_size=16, seq_len=64, eval_every=0,
                                      sample_every=0, telemetry=0, device="cpu",
                                      trial=True))
    # from weights: the form shows the model's own tokenizer and no trial scale
    assert panel.continue_box.isChecked()
    assert panel.form.tokenizer_kind.currentText() == WEIGHTS_TOKENIZER
    assert not panel.form.trial.isChecked() and not panel.form.config().trial

    # MHA → GQA: the KV heads 2 → 1, mean-pooled.
    attn = next(n for n in graph.walk() if graph.node(n).type == "GroupedQueryAttention")
    assert w.canvas.edits.set_param(attn, "num_kv_heads", 1)
    qtbot.waitUntil(lambda: attn in w.canvas.diff, timeout=WAIT_MS)
    assert w.pretrained.report[attn].startswith("converted: mean-pooled 2 key/value heads")

    before, after = _measured_after(w, qtbot)
    assert before < math.log(vocab) - 1.5  # trained weights, far from random
    assert after < math.log(vocab) - 1.0  # the pooled model keeps most of it

    # Continue from these weights: Train.
    panel.run_checks()
    qtbot.waitUntil(panel.train_button.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(panel.run_ended, timeout=WAIT_MS) as ended:
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert ended.args[1] == "finished", (ended.args, panel.status_label.text())
    run = panel.runs_tab.get(ended.args[0])
    args = panel.runner._process.arguments()
    started = TrainConfig.read_file(args[args.index("--config") + 1])  # the run's settings
    assert started["init_from"] == str(files[kind]) and started["trial"] is False
    first = next(e.loss for e in read_events(run.events_path) if isinstance(e, StepEvent))
    assert abs(first - after) < NOISE, (first, after)

    # Export the run as a Hugging Face folder; transformers answers as olm does.
    panel.runs_list.select(run.id)
    out = panel.export_view.export_hf(tmp_path / "export")
    assert json.loads((out / "config.json").read_text())["num_key_value_heads"] == 1
    hf = T.AutoModelForCausalLM.from_pretrained(out).eval()
    tok = T.AutoTokenizer.from_pretrained(out)
    prompt = tok.apply_chat_template([{"role": "user", "content": "hello there"}],
                                     add_generation_prompt=True, return_tensors="pt")
    prompt = prompt["input_ids"] if not isinstance(prompt, torch.Tensor) else prompt
    ours = open_pretrained(out).model.eval()
    with torch.no_grad():
        theirs = hf.generate(prompt, max_new_tokens=6, do_sample=False, eos_token_id=None,
                             pad_token_id=tok.pad_token_id)[0, prompt.size(1):]
        mine = greedy(ours, prompt, 6)[0, prompt.size(1):]
    assert mine.tolist() == theirs.tolist()
