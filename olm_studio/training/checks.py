"""The Train panel's pre-flight checks, answered off the UI thread after each change.

The pre-flight (:func:`olm.train.preflight.preflight`) builds the exact copy a run would
train, on the meta device, and for a trial also measures the machine and sizes the copy:
about half a second of pure Python for DeepSeek-V3. On the UI thread it froze the window;
on a worker thread it still held the GIL against painting (switching to Train stalled
400–500 ms, ``benchmarks/ui_stall.py``). :class:`PreflightChecks` therefore sends the
model's document and the form's settings, taken when the check starts, to the Studio's
check process (:mod:`olm_studio.checker`); a worker thread waits for the answer on the
pipe. While a check is due or running the form says "checking…" and Train is off, so the
guarantee holds: Train is offered only after the pre-flight of exactly what it will train
said ready, and Train goes by that answer (:meth:`PreflightChecks.for_train`); it checks
on the spot only when no current answer is shown yet.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from olm.core.errors import OLMError
from olm_studio.background import Task, run_in_background

if TYPE_CHECKING:  # preflight imports torch, which loads in the background
    from olm.train import TrainConfig
    from olm.train.preflight import Problem
    from olm_studio.training.panel import TrainPanel

__all__ = ["CHECKING_TEXT", "PreflightChecks"]

CHECKING_TEXT = "checking…"
DELAY_MS = 300  # after the last change: typing a number does not start a check per digit

_SEVERITY_COLORS = {"error": "#d9534f", "warning": "#d9a23b"}


class PreflightChecks(QObject):
    """Schedules, runs and shows the panel's pre-flight checks.

    Signals:
        answered(): an answer about the current model and form is shown.

    Attributes:
        pending: True from a change until its check's answer is shown (Train is off).
        task: the check running on a worker, if any (tests wait on it).
    """

    answered = Signal()

    def __init__(self, panel: TrainPanel) -> None:
        super().__init__(panel)
        self.p = panel
        self.pending = False
        self.task: Task | None = None
        self._generation = 0  # answers of an older generation are dropped
        self._answered = False  # an answer has been shown (before it, Train checks itself)
        self.timer = QTimer(self, singleShot=True, interval=DELAY_MS)
        self.timer.timeout.connect(self.start)

    def schedule(self) -> None:
        """The model or the form changed: check again shortly (Train waits for it)."""
        self.pending = True
        self.p.problem_label.setText(CHECKING_TEXT)
        self.p.update_buttons()
        self.timer.start()

    def start(self) -> None:
        """Start a check on a worker now (the one in flight, if any, is dropped)."""
        self.timer.stop()
        self._drop_running()
        from olm_studio.torch_loader import LOADING_TEXT, torch_loader

        self.pending = True
        if not torch_loader().is_ready:  # checked once torch has loaded
            self.p.problem_label.setText(LOADING_TEXT)
            torch_loader().when_ready(self.start)
            self.p.update_buttons()
            return
        inputs = self._inputs()
        if isinstance(inputs, list):  # answered without building anything
            self._show(inputs)
            return
        graph, config = inputs
        generation = self._generation
        self.p.problem_label.setText(CHECKING_TEXT)
        self.p.update_buttons()
        request = {"kind": "preflight", "graph": graph.to_dict(), "config": config.to_json()}

        def work(_cancel: Any) -> list[Problem]:
            from olm_studio.checker.client import ask

            reply = ask(request)
            if "error" in reply:
                raise OLMError(reply["error"])
            return [_problem(p["severity"], p["message"], p.get("fix", ""))
                    for p in reply["problems"]]

        self.task = run_in_background(
            self.p, "Checking the settings…", work,
            lambda problems: self._answer(generation, problems),
            lambda message: self._answer(generation, [_problem("error", message)]),
            show_after_ms=None)  # nobody asked for it: no dialog

    def for_train(self) -> list[Problem]:
        """The answer Train goes by: the one shown when it is about exactly the current
        model and form (every change sets :attr:`pending` until its answer is shown), else
        a check on the spot."""
        if self._answered and not self.pending and not self.timer.isActive():
            return self.p.problems
        return self.run_now()

    def run_now(self) -> list[Problem]:
        """Check on the calling thread and show the answer (Train, reuse settings, tests)."""
        self.timer.stop()
        self._drop_running()
        from olm_studio.torch_loader import LOADING_TEXT, torch_loader

        if not torch_loader().is_ready:  # checked again once torch has loaded
            self.pending = True
            self.p.problem_label.setText(LOADING_TEXT)
            torch_loader().when_ready(self.start)
            self.p.update_buttons()
            return self.p.problems
        inputs = self._inputs()
        if not isinstance(inputs, list):
            from olm.train.preflight import preflight

            graph, config = inputs
            try:
                inputs = preflight(graph.copy(), config)
            except OLMError as err:
                inputs = [_problem("error", str(err))]
        self._show(inputs)
        return inputs

    def _inputs(self) -> tuple[Any, TrainConfig] | list[Problem]:
        """What the check builds (the graph being edited, the run's config), or the answer
        when there is nothing to build. The graph is not copied here: the check process
        gets its document, :meth:`run_now` a copy."""
        if self.p.graph() is None:
            return [_problem("error", "no model to train",
                             "open a preset or build a model in the editor")]
        try:
            config = self.p.finetune.apply(self.p.form.config())  # what the run will use
        except OLMError as err:
            return [_problem("error", str(err), "correct the setting")]
        return self.p.graph(), config

    def _drop_running(self) -> None:
        """A newer state is to be checked: the check in flight, if any, is dropped (one
        still waiting its turn never starts; one building finishes unheard)."""
        self._generation += 1
        if self.task is not None and self.task.running:
            self.task.cancel()

    def _answer(self, generation: int, problems: list[Problem]) -> None:
        if generation == self._generation:
            self._show(problems)

    def _show(self, problems: list[Problem]) -> None:
        self.pending, self._answered = False, True
        self.p.problems = problems
        rows = [f"<span style='color:{_SEVERITY_COLORS[p.severity]}'>"
                f"{'✖' if p.severity == 'error' else '⚠'}</span> {html.escape(str(p))}"
                for p in problems]
        self.p.problem_label.setText("<br>".join(rows) or "✓ ready to train")
        self.p.update_buttons()
        self.answered.emit()


def _problem(severity: str, message: str, fix: str = "") -> Problem:
    from olm.train.preflight import Problem

    return Problem(severity, message, fix)
