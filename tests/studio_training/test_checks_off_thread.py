"""The pre-flight that follows each change is answered by the check process, and Train
waits for it.

Switching to the Train workspace with DeepSeek-V3 open froze the window for up to a second
(``benchmarks/ui_stall.py``): the check timer built the model on the UI thread; on a
worker thread the build still held the GIL against painting (400–500 ms). These tests
record every pre-flight run in this process: a background check runs none here (the
check process answers), Train stays off until the answer for exactly the current model
has arrived, and Train goes by that answer.
"""

import os
import threading

from waiting import WAIT_MS


def _recording(monkeypatch):
    """Record the thread of every pre-flight run in this process (the real one answers)."""
    import olm.train.preflight as module

    threads, real = [], module.preflight

    def preflight(graph, config, *args, **kwargs):
        threads.append(threading.current_thread())
        return real(graph, config, *args, **kwargs)

    monkeypatch.setattr(module, "preflight", preflight)
    return threads


def _too_small(panel, tiny):
    """A model with 16 positions, to be trained at full size on sequences of 32."""
    panel.set_graph(tiny.graph_of(tiny.gpt2(vocab_size=128, max_seq_len=16), "too-small"))
    panel.form.trial.setChecked(False)
    panel.form.seq_len.setValue(32)


def test_a_new_model_is_checked_by_the_check_process_and_train_waits(qtbot, panel, tiny,
                                                                      monkeypatch):
    from olm_studio.checker.client import check_process
    from olm_studio.training.checks import CHECKING_TEXT

    threads = _recording(monkeypatch)
    panel.set_graph(tiny.graph_of(tiny.gpt2(), "fine"))
    assert panel.problem_label.text() == CHECKING_TEXT
    assert not panel.train_button.isEnabled()  # no answer yet: Train waits
    qtbot.waitUntil(lambda: not panel.checks.pending, timeout=WAIT_MS)
    assert threads == []  # nothing was built in this process, on any thread
    assert check_process().pid not in (None, os.getpid())
    assert "ready to train" in panel.problem_label.text()
    assert panel.train_button.isEnabled()


def test_the_check_process_finds_the_problem_the_form_would(qtbot, panel, tiny, monkeypatch):
    threads = _recording(monkeypatch)
    _too_small(panel, tiny)
    qtbot.waitUntil(lambda: not panel.checks.pending, timeout=WAIT_MS)
    assert threads == []
    background = [(p.severity, p.message) for p in panel.problems]
    assert any("only has 16 positions" in message for _s, message in background)
    assert [(p.severity, p.message) for p in panel.checks.run_now()] == background


def test_an_answer_for_an_older_model_is_not_shown(qtbot, panel, tiny, monkeypatch):
    threads = _recording(monkeypatch)
    panel.set_graph(tiny.graph_of(tiny.gpt2(vocab_size=128, max_seq_len=16), "too-small"))
    panel.checks.start()  # the first check is in flight...
    panel.form.trial.setChecked(False)
    panel.set_graph(tiny.graph_of(tiny.gpt2(), "fine"))  # ...when the model changes
    qtbot.waitUntil(lambda: not panel.checks.pending, timeout=WAIT_MS)
    assert threads == []
    assert panel.problems == [] and panel.train_button.isEnabled()


def test_train_checks_on_the_spot_when_no_answer_is_shown(panel, tiny, monkeypatch):
    threads = _recording(monkeypatch)
    _too_small(panel, tiny)
    assert not panel.start_training()  # before any background answer arrived
    assert threads == [threading.main_thread()]
    assert "only has 16 positions" in panel.problem_label.text()


def test_train_goes_by_the_answer_shown_for_the_current_model(qtbot, panel, tiny, monkeypatch):
    threads = _recording(monkeypatch)
    _too_small(panel, tiny)
    qtbot.waitUntil(lambda: not panel.checks.pending, timeout=WAIT_MS)
    assert not panel.start_training()  # the answer shown says no: nothing rebuilt here
    assert threads == []
    panel.form.seq_len.setValue(16)  # a change: the shown answer is no longer current
    assert panel.checks.pending
    problems = panel.checks.for_train()
    assert threads == [threading.main_thread()]  # checked on the spot, for the new form
    assert not any("only has 16 positions" in p.message for p in problems)
