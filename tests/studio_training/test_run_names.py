"""New runs are named after their preset and their changes from it, and can be renamed."""

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from waiting import WAIT_MS

from olm.graph.commands import ReplaceNode
from olm_studio.training.runs import RunStore
from olm_studio.training.trial import default_config


def _gpt2_with_rmsnorm(tiny):
    graph = tiny.graph_of(tiny.gpt2(), "GPT2")  # the GPT2 preset's recipe at toy size
    for node_id in [i for i in graph.walk() if graph.nodes[i].type == "LayerNorm"]:
        ReplaceNode(node_id, "RMSNorm").do(graph)
    return graph


def test_store_keeps_given_names_unique(tmp_path, tiny):
    store = RunStore(tmp_path / "runs")
    graph = tiny.graph_of(tiny.llama(), "m")
    first = store.create("m", default_config(), graph, name="GPT2 +RMSNorm")
    second = store.create("m", default_config(), graph, name="GPT2 +RMSNorm")
    assert (first.name, second.name) == ("GPT2 +RMSNorm", "GPT2 +RMSNorm (2)")
    assert "·" in store.create("m", default_config(), graph).name  # no name: model and time


def test_a_new_run_is_named_by_its_changes_and_the_name_is_editable(
        qtbot, panel, fast_settings, tiny, monkeypatch):
    started = []
    monkeypatch.setattr(panel.runner, "start", lambda *a, **k: started.append(a))
    panel.set_graph(_gpt2_with_rmsnorm(tiny))
    panel.form.set_config(fast_settings(steps=4))
    assert panel.start_training()
    assert started, "the child would have been started"
    run = panel.runs_tab.runs()[-1]
    assert run.name == "GPT2 +RMSNorm"
    assert json.loads(run.record_path.read_text())["name"] == "GPT2 +RMSNorm"

    # Rename it through the list's own editor (F2), as a person would.
    panel.show()
    qtbot.waitExposed(panel, timeout=WAIT_MS)
    runs_list = panel.runs_list
    runs_list.select(run.id)
    runs_list.setFocus()
    qtbot.keyClick(runs_list, Qt.Key.Key_F2)
    editor = runs_list.findChild(QLineEdit)
    assert editor is not None and editor.isVisible()
    editor.selectAll()
    qtbot.keyClicks(editor, "RMSNorm trial")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: run.name == "RMSNorm trial", timeout=WAIT_MS)
    assert json.loads(run.record_path.read_text())["name"] == "RMSNorm trial"
    assert runs_list.currentItem().text(0) == "RMSNorm trial"
