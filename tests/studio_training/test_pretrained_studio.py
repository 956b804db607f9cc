"""A pretrained chat model in the Studio, end to end (issue 14.2-4).

File → Open pretrained… on a Hugging Face folder (built locally: added special tokens, a
chat template, end of turn ≠ BOS); the canvas shows it and the status line says the
weights are loaded; Samples samples it through the chat template; a replaced node is
marked; an MHA → GQA edit is converted; Freeze from the right-click menu; the loss is
measured before and after; a few fine-tuning steps from the weights; the export keeps the
tokenizer, chat template and ids.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog
from waiting import CHILD_S, WAIT_MS

from olm.train.config import TrainConfig

sys.path.insert(0, str(Path(__file__).parents[1] / "interop"))


@pytest.fixture
def chat_folder(tmp_path):
    from chat_tiny import make_chat_folder

    make_chat_folder(tmp_path / "hf")
    return tmp_path / "hf"


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    said = []  # no modal dialog may block the test: record instead
    for name in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(
            lambda parent, title, text, *a, **k: said.append(f"{title}: {text}")))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: QMessageBox.StandardButton.Discard))
    monkeypatch.setenv("OLM_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("OLM_STUDIO_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    from olm_studio.main_window import MainWindow
    from olm_studio.settings import StudioSettings

    w = MainWindow(settings=StudioSettings(tmp_path / "home"))
    w.said = said
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w, timeout=WAIT_MS)
    yield w
    w.train.stop_and_wait(CHILD_S)
    w.files.stop_autosave(remove=True)


def _nodes(graph, type_name):
    return [n for n in graph.walk() if graph.node(n).type == type_name]


@pytest.mark.slow
def test_open_sample_edit_freeze_finetune_export(qtbot, window, chat_folder, fast_settings,
                                                 tmp_path, monkeypatch):
    w = window
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(chat_folder / "config.json"), "")))
    action = w.findChild(QAction, "action_open_pretrained")
    assert action is not None and action in w.menuBar().actions()[0].menu().actions()
    action.trigger()  # the weights are read off the UI thread
    qtbot.waitUntil(lambda: w.pretrained.opened is not None or bool(w.said), timeout=WAIT_MS)
    assert w.said == []

    # The canvas shows the architecture; the status line says the weights are loaded.
    graph = w.controller.graph
    assert len(_nodes(graph, "GroupedQueryAttention")) == 1  # one Repeat template
    assert w.canvas.scene.items()
    label = w.pretrained.label.text()
    assert label.startswith("Weights loaded:") and "float32" in label and "parameters" in label

    # Samples: the Chat toggle is there (the tokenizer has a template) and is used.
    panel = w.train
    samples = panel.samples_view
    assert not samples.chat.isHidden() and samples.chat.isChecked()
    samples.prompt.setText("hello there")
    samples.max_tokens.setValue(20)
    samples.button.click()
    assert "--chat" in panel.sampler._process.arguments()
    qtbot.waitUntil(lambda: "prompt 'hello there'" in samples.log.toPlainText(), timeout=WAIT_MS)
    assert "Sampling failed" not in samples.state.text()
    assert "<|start_header_id|>" not in samples.log.toPlainText()

    # Replace a node: it is marked on the canvas, the others keep their weights.
    norm = _nodes(graph, "RMSNorm")[0]
    assert w.canvas.replace(norm, "LayerNorm")
    qtbot.waitUntil(lambda: norm in w.canvas.diff, timeout=WAIT_MS)
    assert "kept the gain" in w.pretrained.report[norm]
    assert "converted" in w.pretrained.label.text()
    w.controller.undo_stack.undo()
    qtbot.waitUntil(lambda: norm not in w.canvas.diff, timeout=WAIT_MS)

    # MHA → GQA: the key/value heads are mean-pooled (a principled conversion).
    attn = _nodes(graph, "GroupedQueryAttention")[0]
    assert w.canvas.edits.set_param(attn, "num_kv_heads", 1)
    qtbot.waitUntil(lambda: attn in w.canvas.diff, timeout=WAIT_MS)
    assert w.pretrained.report[attn].startswith("converted: mean-pooled 2 key/value heads into 1")

    # Right-click → Freeze on the embedding.
    emb = _nodes(graph, "Embedding")[0]
    menu = w.canvas.context_menu(emb)
    freeze = next(a for a in menu.actions() if a.text() == "Freeze")
    freeze.trigger()
    assert w.pretrained.frozen == {emb}

    # Loss before/after the edits, on the Train panel's data.
    panel.form.set_config(fast_settings(steps=4, seq_len=32, sample_every=0))
    with qtbot.waitSignal(w.pretrained.measured, timeout=WAIT_MS) as measured:
        w.pretrained.measure_loss(seq_len=32, batches=2)  # off the UI thread
    before, after = measured.args
    assert before > 0 and after > 0
    assert "Held-out loss" in w.statusBar().currentMessage()
    shown = w.pretrained.result_box.text()  # the whole result, not cut off
    assert f"{before:.4f} before" in shown and f"{after:.4f} after" in shown

    # Fine-tune a few steps from the weights, the embedding frozen.
    assert panel.continue_box.isChecked()
    panel.continue_box.setChecked(False)
    panel.continue_box.setChecked(True)  # ticking it sets the fine-tuning learning rate
    w.show_tab("Train")  # the panel takes the edited document
    with qtbot.waitSignal(panel.run_ended, timeout=WAIT_MS) as ended:
        assert panel.start_training(), (panel.status_label.text(), panel.problems)
    assert ended.args[1] == "finished", ended.args
    run = panel.runs_tab.get(ended.args[0])
    args = panel.runner._process.arguments()
    started = TrainConfig.read_file(args[args.index("--config") + 1])  # the run's settings
    assert started["init_from"] == str(chat_folder)
    assert started["freeze"] == [emb]
    assert started["lr"] == 3e-5  # the fine-tuning rate
    checkpoint = run.latest_checkpoint()
    from safetensors.torch import load_file

    tuned = load_file(str(checkpoint / "model.safetensors"))
    original = load_file(str(chat_folder / "model.safetensors"))
    emb_key = next(k for k in tuned if "embedding" in k)
    assert (tuned[emb_key] == original["model.embed_tokens.weight"]).all()  # frozen

    # Export: the tokenizer, chat template and ids come through unchanged.
    panel.runs_list.select(run.id)
    out = panel.export_view.export_hf(tmp_path / "export")
    for name in ("tokenizer_config.json", "chat_template.jinja", "generation_config.json"):
        assert (out / name).read_text() == (chat_folder / name).read_text()
    config = json.loads((out / "config.json").read_text())
    assert config["num_key_value_heads"] == 1
    original_config = json.loads((chat_folder / "config.json").read_text())
    for key in ("bos_token_id", "eos_token_id", "pad_token_id"):
        assert config[key] == original_config[key]
