"""Issue 12 item 6 (Train side): nothing in the Train panel describes an earlier state.

The training child here is a stand-in script that prints the event lines `olm train`
prints (start, steps, end), so the panel goes through a real start → events → end cycle
without training anything.
"""

import json
import sys

from waiting import WAIT_MS

from olm_studio.training.panel import TrainPanel
from olm_studio.training.runs import RunStore
from olm_studio.training.trial import default_config

FAKE_TRAIN = """
import json, sys
events = [{"event": "start", "steps": 3, "resumed_from_step": 0, "tokens_per_step": 64}]
for step in (1, 2, 3):
    events.append({"event": "step", "step": step, "loss": 5.0 - step, "lr": 1e-3,
                   "tokens": 64 * step, "tokens_per_s": 1000.0, "grad_norm": 1.0,
                   "elapsed_s": 0.1 * step, "eta_s": 0.0})
events.append({"event": "end", "status": "finished", "step": 3})
for event in events:
    print(json.dumps(event), flush=True)
"""


def test_a_finished_run_is_summarised_as_finished(qtbot, tmp_path, tiny):
    store = RunStore(tmp_path / "runs")
    earlier = store.create("gpt", default_config(), tiny.graph_of(tiny.gpt2(), "gpt"))
    earlier.events_path.write_text("".join(json.dumps(e) + "\n" for e in [
        {"event": "start", "steps": 2}, {"event": "step", "step": 1, "loss": 4.0},
        {"event": "step", "step": 2, "loss": 3.5}, {"event": "end", "status": "finished"}]))
    earlier.set_status("finished")
    script = tmp_path / "fake_olm.py"
    script.write_text(FAKE_TRAIN)
    panel = TrainPanel(runs_root=tmp_path / "runs", command=[sys.executable, str(script)])
    qtbot.addWidget(panel)
    panel.set_graph(tiny.graph_of(tiny.gpt2(), "llama-ish"))
    panel.run_checks()
    with qtbot.waitSignal(panel.run_ended, timeout=WAIT_MS) as ended:
        assert panel.start_training()
        run_id = panel.active_run().id
        panel.set_ticked([earlier.id, run_id])
        assert "running" in panel.compare_text()
    assert ended.args[1] == "finished"
    text = panel.compare_text()
    assert "running" not in text and "step 0" not in text
    assert "finished, step 3" in text
    assert "finished" in panel.runs_list.status_text(run_id)


def test_export_message_is_cleared_when_the_target_changes(qtbot, tmp_path, tiny):
    panel = TrainPanel(runs_root=tmp_path / "runs")
    qtbot.addWidget(panel)
    panel.set_graph(tiny.graph_of(tiny.gpt2(), "first"))
    view = panel.export_view
    task = view._run(view.export_python, str(tmp_path / "first.py"))  # off the UI thread
    qtbot.waitUntil(lambda: not task.running, timeout=WAIT_MS)
    assert view.result.text().startswith("Exported to")
    panel.set_graph(tiny.graph_of(tiny.llama(), "second"))
    assert view.result.text() == ""
