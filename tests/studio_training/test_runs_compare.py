"""Run folders, reloading them, overlaying several runs and comparing two.

The runs here are written directly (settings, graph, events), as `olm train` would have
left them, so these tests need no training child.
"""

import dataclasses
import json
import math

import numpy as np

from olm_studio.training.panel import TrainPanel
from olm_studio.training.runs import RunStore, default_runs_root
from olm_studio.training.trial import default_config


def _config(**kw):
    return dataclasses.replace(default_config(), **kw)


def _write_events(run, losses, status="finished", val_every=2):
    tokens_per_step = run.config.batch_size * run.config.seq_len
    lines = [{"event": "start", "steps": len(losses), "resumed_from_step": 0,
              "tokens_per_step": tokens_per_step}]
    for step, loss in enumerate(losses, 1):
        lines.append({"event": "step", "step": step, "loss": loss, "lr": 1e-3,
                      "tokens": step * tokens_per_step, "tokens_per_s": 1000.0,
                      "grad_norm": 1.0, "elapsed_s": step * 0.1, "eta_s": 0.0})
        if step % val_every == 0:
            lines.append({"event": "eval", "step": step, "val_loss": loss + 0.1})
    lines.append({"event": "end", "status": status, "step": len(losses)})
    run.events_path.write_text("".join(json.dumps(e) + "\n" for e in lines))
    run.set_status(status)


def _two_runs(root, tiny):
    store = RunStore(root)
    gpt = store.create("gpt", _config(lr=1e-3), tiny.graph_of(tiny.gpt2(), "gpt"))
    llama = store.create("llama", _config(lr=3e-3), tiny.graph_of(tiny.llama(), "llama"))
    _write_events(gpt, [5.0, 4.0, 3.5, 3.2])
    _write_events(llama, [5.0, 3.8, 3.0, 2.7, 2.5, 2.4])
    return gpt, llama


def test_store_keeps_settings_graph_and_status(tmp_path, tiny):
    gpt, llama = _two_runs(tmp_path / "runs", tiny)
    again = RunStore(tmp_path / "runs").list()
    assert [r.id for r in again] == [gpt.id, llama.id]
    assert again[1].config.lr == 3e-3 and again[1].status == "finished"
    assert again[0].graph().to_dict()["name"] == "gpt"
    # the run's config names its own files, and its record is what the child reads
    assert again[1].config.source == str(llama.graph_path)
    assert again[1].config.out == str(llama.checkpoint_dir) and again[1].config.events == "-"
    from olm.train import TrainConfig

    assert TrainConfig.from_file(llama.write_config()) == again[1].config
    assert again[1].history().last_step == 6


def test_a_run_left_running_by_a_dead_studio_reads_as_failed(qtbot, tmp_path, tiny):
    store = RunStore(tmp_path / "runs")
    orphan = store.create("m", _config(), tiny.graph_of(tiny.llama(), "m"))
    orphan.events_path.write_text(json.dumps({"event": "step", "step": 1, "loss": 3.0}) + "\n")
    panel = TrainPanel(runs_root=tmp_path / "runs")
    qtbot.addWidget(panel)
    run = panel.run(orphan.id)
    assert run.status == "failed" and "interrupted" in run.reason
    assert "interrupted" in panel.runs_list.status_text(orphan.id)
    # A run whose events end with a status takes that status instead.
    ended = store.create("m", _config(), tiny.graph_of(tiny.llama(), "m"))
    ended.events_path.write_text(json.dumps({"event": "end", "status": "stopped",
                                             "reason": "SIGTERM"}) + "\n")
    panel.set_project_path(None)  # no-op for a fixed runs folder
    reloaded = TrainPanel(runs_root=tmp_path / "runs")
    qtbot.addWidget(reloaded)
    assert reloaded.run(ended.id).status == "stopped"


def test_overlay_draws_ticked_runs_and_compare_shows_architecture(qtbot, tmp_path, tiny):
    gpt, llama = _two_runs(tmp_path / "runs", tiny)
    panel = TrainPanel(runs_root=tmp_path / "runs")
    qtbot.addWidget(panel)
    assert panel.plots.keys() == [llama.id]  # the newest run is shown on opening

    panel.set_ticked([gpt.id, llama.id])
    assert sorted(panel.plots.keys()) == sorted([gpt.id, llama.id])
    assert panel.plots.point_count(gpt.id) == 4 and panel.plots.point_count(llama.id) == 6
    assert panel.plots.point_count(llama.id, "val") == 3
    assert panel.plots.color_of(gpt.id) != panel.plots.color_of(llama.id)

    text = panel.compare_text()
    assert "LayerNorm → RMSNorm" in text
    assert "lr: 0.001 → 0.003" in text
    assert "gpt" in text and "llama" in text

    panel.set_ticked([llama.id])
    assert panel.plots.keys() == [llama.id]
    assert "Tick two runs" in panel.compare_text()


def test_runs_go_beside_the_project(qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("OLM_CACHE_DIR")
    assert default_runs_root(tmp_path / "lab" / "mine.olm.json") == tmp_path / "lab" / "mine.runs"
    monkeypatch.setenv("OLM_CACHE_DIR", str(tmp_path / "c"))
    assert default_runs_root() == tmp_path / "c" / "runs"
    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.set_project_path(tmp_path / "p.olm.json")
    assert panel.runs_root() == tmp_path / "p.runs"


def test_history_of_a_loaded_run_matches_its_events(tmp_path, tiny):
    _gpt, llama = _two_runs(tmp_path / "runs", tiny)
    history = llama.history()
    np.testing.assert_array_equal(history.loss.values, [5.0, 3.8, 3.0, 2.7, 2.5, 2.4])
    np.testing.assert_array_equal(history.val_step.values, [2, 4, 6])
    assert math.isclose(history.elapsed, 0.6)


def test_reuse_settings_and_delete_a_run(qtbot, tmp_path, tiny):
    gpt, llama = _two_runs(tmp_path / "runs", tiny)
    panel = TrainPanel(runs_root=tmp_path / "runs")
    qtbot.addWidget(panel)
    panel.reuse_settings(llama.id)
    assert panel.form.config().lr == 3e-3
    panel.set_ticked([gpt.id, llama.id])
    assert panel.delete_run(gpt.id, confirm=False)
    assert not gpt.path.exists() and llama.path.exists()
    assert [r.id for r in panel.runs()] == [llama.id]
    assert panel.plots.keys() == [llama.id] and "Tick two runs" in panel.compare_text()
    assert [r.id for r in RunStore(tmp_path / "runs").list()] == [llama.id]
