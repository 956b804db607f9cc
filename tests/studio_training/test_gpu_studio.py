"""The Studio trains on the GPU: default GPT-2, Train pressed, offscreen (gpu_check.sh)."""

from __future__ import annotations

import pytest
from waiting import WAIT_MS

pytestmark = [pytest.mark.gpu, pytest.mark.slow]



def test_studio_trains_default_gpt2_at_trial_scale_on_cuda(qtbot, panel):
    import torch

    from olm.graph import from_source
    from olm.train.events import StartEvent, read_events

    assert torch.cuda.is_available()
    panel.set_graph(from_source("GPT2"))
    config = panel.form.config()
    assert config.trial  # nothing touched: trial scale
    panel.form.device.setCurrentText("cuda")
    panel.form.budget.setCurrentText("1m")
    assert not [p for p in panel.run_checks() if p.severity == "error"]
    with qtbot.waitSignal(panel.run_ended, timeout=WAIT_MS) as ended:
        assert panel.start_training()
    assert ended.args[1] == "finished", ended.args
    run = next(r for r in panel.runs() if r.id == ended.args[0])
    events = list(read_events(run.events_path))
    start = next(e for e in events if isinstance(e, StartEvent))
    assert start.device.startswith("cuda") and start.params < 124_000_000
