"""Real training from the panel: a tiny model, a real `olm train` child, a few dozen steps.

One run is started, watched (the plot receives points), stopped (it saves a checkpoint),
resumed to the end, sampled from, and its checkpoint exported and read by `olm generate`.
Another is killed mid-run: it is marked failed and the panel trains again afterwards.

No test here races the child: a run that must be stopped is given far more steps than
any machine trains before the stop arrives (only Stop or a kill can end it), and every
wait is for an event (a plot point, a signal), never for an amount of time.
"""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch
from waiting import CHILD_S, WAIT_MS

ENDLESS = 1_000_000  # steps no test run reaches: only Stop or a kill ends such a run


def _wait_ended(qtbot, panel):
    with qtbot.waitSignal(panel.run_ended, timeout=WAIT_MS) as blocker:
        pass
    return blocker.args


@pytest.mark.slow
def test_train_stop_resume_sample_export(qtbot, panel, fast_settings, tiny, tmp_path):
    panel.set_graph(tiny.graph_of(tiny.llama(), "tiny-llama"))
    panel.form.set_config(fast_settings(steps=ENDLESS))
    assert panel.run_checks() == []
    assert panel.start_training()
    assert panel.is_running() and not panel.train_button.isEnabled()
    run = panel.active_run()
    assert run.status == "running" and run.graph_path.is_file()

    # The plot receives points while the child runs.
    qtbot.waitUntil(lambda: panel.plots.point_count(run.id) >= 3, timeout=WAIT_MS)
    assert panel.progress.value() >= 1

    # Stop: SIGTERM, the child saves a checkpoint and ends "stopped" (the run cannot have
    # finished: it has ENDLESS steps).
    with qtbot.waitSignal(panel.run_ended, timeout=WAIT_MS) as stopped:
        panel.stop_training()
    run_id, status, _reason = stopped.args
    assert (run_id, status) == (run.id, "stopped"), stopped.args
    stopped_at = panel.history(run.id).last_step
    assert 3 <= stopped_at < ENDLESS
    last = stopped_at + 6
    checkpoint = run.latest_checkpoint()
    assert checkpoint is not None and (checkpoint / "model.safetensors").is_file()
    assert panel.runs_list.status_text(run.id).startswith("stopped")

    # Resume: the same run continues from its checkpoint, here to six steps further.
    with qtbot.waitSignal(panel.run_ended, timeout=WAIT_MS) as finished:
        assert panel.resume_training(run.id, steps=last)
    assert finished.args[1] == "finished", finished.args
    history = panel.history(run.id)
    steps = history.step.values
    assert steps[-1] == last
    np.testing.assert_array_equal(steps, np.arange(1, last + 1))  # one continuous curve
    assert len(history.val_loss) >= 2 and np.isfinite(history.val_loss.values).all()
    assert history.samples, "sample text arrives as events"
    assert panel.progress.value() == last
    # the child restored the run's settings and recorded the one that changed
    from olm.train.events import ConfigChangeEvent, StartEvent, read_events

    events = list(read_events(run.events_path))
    changes = [e for e in events if isinstance(e, ConfigChangeEvent)]
    # the steps the run planned: at trial scale, as many of ENDLESS as fit its budget
    planned = next(e for e in events if isinstance(e, StartEvent)).steps
    assert planned <= ENDLESS and [c.changes["steps"] for c in changes] == [[planned, last]]

    # Sample on demand from the finished run's checkpoint (an `olm generate` child).
    panel.runs_list.select(run.id)
    assert panel.sample("def ", 12)
    qtbot.waitUntil(lambda: "prompt 'def '" in panel.samples_view.log.toPlainText(),
                    timeout=WAIT_MS)
    assert panel.samples_view.button.isEnabled()

    # Export the checkpoint; `olm generate` reads the copy. A Llama maps to transformers.
    assert panel.export_view.checkpoint_button.isEnabled()
    qtbot.waitUntil(lambda: panel.export_view.hf_checked, timeout=WAIT_MS)  # off the UI thread
    assert panel.export_view.hf_button.isEnabled(), panel.export_view.hf_reason
    exported = panel.export_view.export_checkpoint(tmp_path / "exported")
    result = subprocess.run(
        [sys.executable, "-m", "olm", "generate", str(exported), "--prompt", "import ",
         "--max-new-tokens", "8", "--device", "cpu", "--seed", "1"],
        capture_output=True, text=True, timeout=CHILD_S)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("import ")


@pytest.mark.slow
def test_killed_child_marks_run_failed_and_panel_keeps_working(qtbot, panel, fast_settings,
                                                                tiny):
    panel.set_graph(tiny.graph_of(tiny.gpt2(), "tiny-gpt2"))
    panel.form.set_config(fast_settings(steps=ENDLESS, eval_every=1000))
    assert panel.start_training()
    run = panel.active_run()
    qtbot.waitUntil(lambda: panel.plots.point_count(run.id) >= 2, timeout=WAIT_MS)

    with qtbot.waitSignal(panel.run_ended, timeout=WAIT_MS) as ended:
        os.kill(panel.runner.pid(), signal.SIGKILL)
    run_id, status, reason = ended.args
    assert (run_id, status) == (run.id, "failed")
    assert "killed" in reason
    assert run.status == "failed" and "killed" in panel.runs_list.status_text(run.id)
    assert "killed" in panel.status_label.text()
    assert not panel.is_running() and panel.train_button.isEnabled()

    # The panel is unharmed: a new run trains to the end.
    panel.form.set_config(fast_settings(steps=4))
    with qtbot.waitSignal(panel.run_ended, timeout=WAIT_MS) as again:
        assert panel.start_training()
    assert again.args[1] == "finished", again.args
    assert [r.status for r in panel.runs()] == ["failed", "finished"]


@pytest.mark.slow
def test_stop_and_wait_ends_a_running_run(qtbot, panel, fast_settings, tiny):
    panel.set_graph(tiny.graph_of(tiny.llama(), "tiny-llama"))
    panel.form.set_config(fast_settings(steps=ENDLESS, eval_every=1000))
    assert panel.start_training()
    run = panel.active_run()
    qtbot.waitUntil(lambda: panel.plots.point_count(run.id) >= 1, timeout=WAIT_MS)
    assert panel.stop_and_wait(CHILD_S)
    assert not panel.is_running()
    assert run.status == "stopped" and run.latest_checkpoint() is not None


def test_invalid_settings_stop_before_any_child(qtbot, panel, tiny, tmp_path):
    # Vocabulary 128 cannot hold the byte tokenizer's 256 ids; max_seq_len 16 < seq len 32.
    panel.set_graph(tiny.graph_of(tiny.gpt2(vocab_size=128, max_seq_len=16), "too-small"))
    panel.form.seq_len.setValue(32)
    panel.form.trial.setChecked(False)  # a trial copy would take 256 ids and 32 positions
    assert not panel.start_training()
    text = panel.problem_label.text()
    # the library's preflight speaks now (olm.train.preflight): its vocabulary rule and
    # validate's position rule, in their words
    assert "256 tokens but the model&#x27;s vocabulary is 128" in text
    assert "sequences of 32 tokens" in text and "only has 16 positions" in text
    assert not panel.train_button.isEnabled()
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())

    panel.set_graph(tiny.graph_of(tiny.gpt2(), "fine"))
    assert panel.run_checks() == [] and panel.train_button.isEnabled()


def test_no_graph_means_no_training(panel):
    assert not panel.start_training()
    assert "no model to train" in panel.problem_label.text()
    assert not panel.is_running() and panel.confirm_close(ask=False)


def test_tiny_models_match_their_torch_parameter_counts(tiny):
    # Guards the fixtures: the graph documents describe the modules the tests think.
    import olm.graph

    for module in (tiny.llama(), tiny.gpt2()):
        graph = tiny.graph_of(module, "m")
        assert olm.graph.stats(graph).total_params == sum(p.numel() for p in module.parameters())
        assert isinstance(olm.graph.build(graph, device="meta"), torch.nn.Module)
