"""The pre-flight that follows each change runs off the UI thread, and Train waits for it.

Switching to the Train workspace with DeepSeek-V3 open froze the window for up to a second
(``benchmarks/ui_stall.py``): the check timer built the model on the UI thread. These tests
record the thread each pre-flight runs on, and that Train stays off until the answer for
exactly the current model has arrived.
"""

import threading

from waiting import WAIT_MS


def _recording(monkeypatch):
    """Record the thread of every pre-flight (the real one still answers)."""
    import olm.train.preflight as module

    threads, real = [], module.preflight

    def preflight(graph, config):
        threads.append(threading.current_thread())
        return real(graph, config)

    monkeypatch.setattr(module, "preflight", preflight)
    return threads


def test_a_new_model_is_checked_off_the_ui_thread_and_train_waits(qtbot, panel, tiny,
                                                                   monkeypatch):
    from olm_studio.training.checks import CHECKING_TEXT

    threads = _recording(monkeypatch)
    panel.set_graph(tiny.graph_of(tiny.gpt2(), "fine"))
    assert panel.problem_label.text() == CHECKING_TEXT
    assert not panel.train_button.isEnabled()  # no answer yet: Train waits
    qtbot.waitUntil(lambda: not panel.checks.pending, timeout=WAIT_MS)
    assert threads and threading.main_thread() not in threads
    assert "ready to train" in panel.problem_label.text()
    assert panel.train_button.isEnabled()


def test_an_answer_for_an_older_model_is_not_shown(qtbot, panel, tiny, monkeypatch):
    threads = _recording(monkeypatch)
    panel.set_graph(tiny.graph_of(tiny.gpt2(vocab_size=128, max_seq_len=16), "too-small"))
    panel.checks.start()  # the first check is in flight...
    panel.form.trial.setChecked(False)
    panel.set_graph(tiny.graph_of(tiny.gpt2(), "fine"))  # ...when the model changes
    qtbot.waitUntil(lambda: not panel.checks.pending, timeout=WAIT_MS)
    assert threading.main_thread() not in threads
    assert panel.problems == [] and panel.train_button.isEnabled()


def test_train_still_checks_on_the_spot(panel, tiny, monkeypatch):
    threads = _recording(monkeypatch)
    panel.set_graph(tiny.graph_of(tiny.gpt2(vocab_size=128, max_seq_len=16), "too-small"))
    panel.form.trial.setChecked(False)
    panel.form.seq_len.setValue(32)
    assert not panel.start_training()  # before any background answer arrived
    assert threads == [threading.main_thread()]
    assert "only has 16 positions" in panel.problem_label.text()
