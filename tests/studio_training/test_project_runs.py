"""Issue 24 item 5: runs and settings belong to the model they were made for.

Unsaved models share one runs folder; each run records its project (the saved project's
path, else "unsaved:<model name>"), and the panel lists only the current project's runs,
keeps each project's own settings, and forgets the previous model's samples and telemetry.
"""

from __future__ import annotations

import json

from olm_studio.training.panel import TrainPanel
from olm_studio.training.runs import RunStore, project_key
from olm_studio.training.trial import default_config


def _open(panel: TrainPanel, graph, path=None) -> None:
    """What the main window does when a document is opened: path first, then the graph."""
    panel.set_project_path(path)
    panel.set_graph(graph)


def _finished_run(panel: TrainPanel, name: str):
    """A finished run of the panel's current model, as Train would make it."""
    run = panel._store.create(panel.graph().name, default_config(), panel.graph(), name,
                               project=panel.project())
    events = [{"event": "start", "steps": 2},
              {"event": "step", "step": 1, "loss": 5.0, "lr": 1e-3, "tokens": 8,
               "tokens_per_s": 10.0, "grad_norm": 1.0},
              {"event": "sample", "step": 1, "text": f"sample of {name}"},
              {"event": "end", "status": "finished", "step": 1}]
    run.events_path.write_text("".join(json.dumps(e) + "\n" for e in events))
    run.set_status("finished")
    panel._reload_runs()
    return run


def test_train_records_the_project_of_the_run(qtbot, tmp_path, tiny, monkeypatch):
    panel = TrainPanel(runs_root=tmp_path / "runs")
    qtbot.addWidget(panel)
    _open(panel, tiny.graph_of(tiny.gpt2(), "byte-gpt2"))
    monkeypatch.setattr(panel.runner, "start", lambda *a, **k: None)  # no child needed
    assert panel.start_training(), panel.problem_label.text()
    record = json.loads(panel.active_run().record_path.read_text())  # the run record
    assert record["project"] == project_key(None, "byte-gpt2") == "unsaved:byte-gpt2"
    saved = tmp_path / "mine.olm.json"
    assert project_key(saved, "x") == str(saved.absolute())


def test_unsaved_models_do_not_see_each_others_runs(qtbot, tmp_path, tiny):
    panel = TrainPanel(runs_root=tmp_path / "runs")  # one folder, as for unsaved models
    qtbot.addWidget(panel)
    gpt2 = tiny.graph_of(tiny.gpt2(), "byte-gpt2")
    _open(panel, gpt2)
    first = _finished_run(panel, "GPT-2 run")
    panel.runs_list.select(first.id)
    assert [r.id for r in panel.runs()] == [first.id]
    assert "sample of GPT-2 run" in panel.samples_view.log.toPlainText()

    _open(panel, tiny.graph_of(tiny.llama(), "smol-finetune"))
    assert panel.runs() == []  # the GPT-2 run is not this model's
    assert panel.runs_tab.baseline() is None  # so it can never be its default baseline
    assert panel.samples_view.log.toPlainText() == ""  # its samples are gone
    second = _finished_run(panel, "fine-tune")
    assert [r.id for r in panel.runs()] == [second.id]
    assert panel.runs_tab.baseline() == second.id

    _open(panel, gpt2)  # back to the first model: its run is listed again, alone
    assert [r.id for r in panel.runs()] == [first.id]
    # both records are on disk in the shared folder
    assert len(RunStore(tmp_path / "runs").list()) == 2


def test_each_project_keeps_its_own_settings(qtbot, tmp_path, tiny):
    panel = TrainPanel(runs_root=tmp_path / "runs")
    qtbot.addWidget(panel)
    _open(panel, tiny.graph_of(tiny.llama(), "smol"))
    panel.form.lr.setText("3e-05")
    panel.form.steps.setValue(20)

    _open(panel, tiny.graph_of(tiny.gpt2(), "GPT2"))  # a fresh preset
    fresh = default_config()
    assert panel.form.config().lr == fresh.lr and panel.form.steps.value() == fresh.steps

    _open(panel, tiny.graph_of(tiny.llama(), "smol"))  # the fine-tune's settings come back
    assert panel.form.config().lr == 3e-5 and panel.form.steps.value() == 20


def test_opened_weights_get_the_finetune_rate_and_the_next_preset_does_not(qtbot, tmp_path,
                                                                            tiny):
    from olm.train.finetune import FINETUNE_LR

    panel = TrainPanel(runs_root=tmp_path / "runs")
    qtbot.addWidget(panel)
    _open(panel, tiny.graph_of(tiny.gpt2(), "GPT2"))
    # File → Open pretrained…: the path, the weights, then the graph when Train is shown
    panel.set_project_path(None)
    panel.set_pretrained(str(tmp_path / "weights.gguf"))
    panel.set_graph(tiny.graph_of(tiny.llama(), "SmolLM2"))
    assert panel.form.config().lr == FINETUNE_LR and panel.continue_box.isChecked()
    # another preset: the pretrained weights are closed first, then the document changes
    panel.set_pretrained(None)
    _open(panel, tiny.graph_of(tiny.gpt2(), "GPT2"))
    assert panel.form.config().lr == default_config().lr


def test_projects_keep_their_runs_beside_them(qtbot, tmp_path, tiny, monkeypatch):
    panel = TrainPanel()
    qtbot.addWidget(panel)
    a, b = tmp_path / "a.olm.json", tmp_path / "b.olm.json"
    _open(panel, tiny.graph_of(tiny.gpt2(), "GPT2"), a)
    run = _finished_run(panel, "A's run")
    assert run.path.parent == tmp_path / "a.runs"
    _open(panel, tiny.graph_of(tiny.gpt2(), "GPT2"), b)  # same model name, other project
    assert panel.runs() == []
    _open(panel, tiny.graph_of(tiny.gpt2(), "GPT2"), a)
    assert [r.id for r in panel.runs()] == [run.id]


def test_same_model_keeps_its_form_and_new_projects_keep_the_machines_device(qtbot, tmp_path,
                                                                              tiny):
    panel = TrainPanel(runs_root=tmp_path / "runs")
    qtbot.addWidget(panel)
    graph = tiny.graph_of(tiny.gpt2(), "GPT2")
    _open(panel, graph)
    panel.form.steps.setValue(40)
    # Edit → Settings… re-applies the runs folder, then the Train defaults, to the same model
    panel.set_project_path(None)
    panel.form.device.setCurrentText("cpu")
    panel.set_graph(graph)
    assert panel.form.device.currentText() == "cpu" and panel.form.steps.value() == 40
    # saving the model under a path keeps its settings too
    panel.set_project_path(tmp_path / "saved.olm.json")
    panel.set_graph(graph)
    assert panel.form.steps.value() == 40
    # another model: its own (default) settings, on this machine's device
    _open(panel, tiny.graph_of(tiny.llama(), "Llama"))
    assert panel.form.steps.value() == default_config().steps
    assert panel.form.device.currentText() == "cpu"


def test_the_telemetry_pane_never_shows_the_previous_models_run(qtbot, tmp_path, tiny):
    from waiting import WAIT_MS

    panel = TrainPanel(runs_root=tmp_path / "runs")
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel, timeout=WAIT_MS)
    _open(panel, tiny.graph_of(tiny.gpt2(), "byte-gpt2"))
    run = _finished_run(panel, "GPT-2 run")
    panel.views.setCurrentWidget(panel.telemetry)
    panel.runs_list.select(run.id)
    assert panel.telemetry_view.graph is not None
    assert panel.telemetry_view.title.text().startswith("GPT-2 run")
    _open(panel, tiny.graph_of(tiny.llama(), "smol-finetune"))
    assert panel.telemetry_view.graph is None and not panel.telemetry_view.overlays
    assert "GPT-2 run" not in panel.telemetry_view.title.text()
