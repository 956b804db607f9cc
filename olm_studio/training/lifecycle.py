"""A run's life in the Train panel: start, stop, resume, its events and its end.

The panel shows; this object acts: it creates the run folder through the panel's run
store, starts ``olm train`` as a child, turns the child's events into plot points and
progress, and settles the run's status when the child ends. It reads the panel's form,
runs tab and labels, and tells the world through the panel's ``run_started`` /
``run_ended`` signals.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from olm.core.errors import OLMError
from olm.train.events import CheckpointEvent, Event, SampleEvent
from olm_studio.training.history import RunHistory
from olm_studio.training.plots import LivePlots
from olm_studio.training.runs import Run
from olm_studio.training.trial import auto_intervals

if TYPE_CHECKING:
    from olm_studio.training.panel import TrainPanel

__all__ = ["RunLifecycle", "format_duration"]


def format_duration(seconds: float) -> str:
    """``75.4`` → ``"1:15"``; ``3700`` → ``"1:01:40"``; NaN → ``"–"``."""
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class RunLifecycle(QObject):
    """Starts, stops and resumes the panel's runs and follows the running one.

    Args:
        panel: the Train panel whose form, runs and labels it uses.
    """

    def __init__(self, panel: TrainPanel) -> None:
        super().__init__(panel)
        self.p = panel
        self.active: Run | None = None
        self._start_on_answer = False  # Start Training was asked for before the answer
        panel.runner.event.connect(self._on_event)
        panel.runner.ended.connect(self._on_ended)
        self._ui_timer = QTimer(self, singleShot=True, interval=LivePlots.REDRAW_MS)
        self._ui_timer.timeout.connect(self.update_progress)

    def start(self) -> bool:
        """Check, then start a new run of the current graph; False (with reasons) if not."""
        p = self.p
        if p.is_running():
            return False
        from olm_studio.torch_loader import torch_loader

        torch_loader().wait()  # a click before PyTorch has loaded waits for it
        if any(x.severity == "error" for x in p.checks.for_train()):
            p.status_label.setText("Not started: fix the problems above.")
            return False
        try:
            config = p.finetune.apply(auto_intervals(p.form.config()))
            run = p._store.create(getattr(p.graph(), "name", "model"), config, p.graph(),
                                   name=self._run_name(), project=p.project())
            args = ["train", "--config", str(run.write_config())]
        except (OLMError, OSError) as err:
            p.status_label.setText(f"Not started: {err}")
            return False
        p.runs_tab.add(run, RunHistory(), tick=True)
        self._launch(run, args)
        return True

    def start_when_checked(self) -> bool:
        """Start now if the answer shown is about the current model and form, else as soon
        as that answer arrives (Train → Start Training from the Design workspace, where the
        panel meets the model only then). True when a run started now."""
        p = self.p
        if p.is_running():
            return False
        if not p.checks.pending:
            return self.start()
        if not self._start_on_answer:
            self._start_on_answer = True
            p.checks.answered.connect(self._start_on_answer_now)
        p.status_label.setText("Starting once the settings are checked…")
        return False

    def _start_on_answer_now(self) -> None:
        self.p.checks.answered.disconnect(self._start_on_answer_now)
        self._start_on_answer = False
        # After the code that showed the answer has returned: when that was Train's own
        # check (the button pressed meanwhile), its run has started and this one does not.
        QTimer.singleShot(0, self.start)

    def _run_name(self) -> str:
        """The new run's name: the preset and what was changed ("GPT2 +RMSNorm +GQA")."""
        from olm.graph.diff import preset_label

        graph = self.p.graph()
        return "" if graph is None else preset_label(graph)

    def resume(self, run_id: str | None = None, steps: int | None = None) -> bool:
        """Continue a stopped, failed or finished run from its latest checkpoint.

        Args:
            run_id: the run (default: the selected one).
            steps: the step to train up to; default: the larger of the run's own step
                count and the form's, so a finished run trains further when Steps is raised.
        """
        p = self.p
        run = p.runs_tab.get(run_id or p.runs_list.current_id())
        if run is None or p.is_running():
            p.status_label.setText("Select a run to resume.")
            return False
        checkpoint = run.latest_checkpoint()
        if checkpoint is None:
            p.status_label.setText(f"{run.name} has no checkpoint to resume from.")
            return False
        steps = steps or max(run.config.steps, p.form.steps.value())
        if run.status == "finished" and steps <= p.history(run.id).last_step:
            p.status_label.setText(f"{run.name} finished its {run.config.steps} steps: "
                                   "raise Steps to train it further.")
            return False
        try:
            run.config = dataclasses.replace(run.config, steps=steps)
            # the child restores the run's own settings; a raised step count is recorded
            args = ["train", "--config", str(run.write_config()), "--resume", str(checkpoint)]
        except (OLMError, OSError) as err:
            p.status_label.setText(f"Not resumed: {err}")
            return False
        self._launch(run, args)
        return True

    def _launch(self, run: Run, args: list[str]) -> None:
        p = self.p
        run.set_status("running")
        self.active = run
        p.runs_list.add_run(run)
        p.runs_list.select(run.id)
        p.runs_list.set_ticked(run.id, True)
        p.runs_tab.refresh_overlay()
        p.status_label.setText(f"Training {run.name}…")
        p.runner.start(args, run.events_path, run.stderr_path, workdir=run.path)
        p.update_buttons()
        self.update_progress()
        p.run_started.emit(run.id)

    def stop(self) -> None:
        """Ask the run to save a checkpoint and end ("stopped")."""
        if self.p.is_running():
            self.p.runner.stop()
            self.p.status_label.setText("Stopping: saving a checkpoint…")

    def _on_event(self, event: Event) -> None:
        p, run = self.p, self.active
        if run is None:
            return
        p.history(run.id).feed(event)
        if isinstance(event, SampleEvent) and p.runs_list.current_id() == run.id:
            p.samples_view.append(f"step {event.step}", event.text)
        if event.KIND == "telemetry" and p.runs_list.current_id() == run.id:
            p.telemetry.show_run(run)
        if isinstance(event, CheckpointEvent):
            p.on_current_run(p.runs_list.current_id())
            p.runs_tab.refresh_overlay()
        p.plots.mark_dirty()
        if not self._ui_timer.isActive():
            self._ui_timer.start()

    def _on_ended(self, status: str, reason: str) -> None:
        p = self.p
        run, self.active = self.active, None
        if run is None:
            return
        run.set_status(status, reason)
        p.runs_list.add_run(run)
        p.runs_tab.refresh_overlay()  # the compare box must not say "running" any more
        self.update_progress(run)
        text = {"finished": "Finished", "stopped": "Stopped", "failed": "Failed"}[status]
        p.status_label.setText(f"{text}: {run.name}" + (f" — {reason}" if reason else ""))
        p.update_buttons()
        p.on_current_run(p.runs_list.current_id())
        p.run_ended.emit(run.id, status, reason)

    def update_progress(self, run: Run | None = None) -> None:
        """Show ``run``'s (default: the running one's) step, time and figures."""
        p = self.p
        run = run or self.active
        if run is None:
            return
        history = p.history(run.id)
        total = history.total_steps or run.config.steps
        p.progress.setRange(0, max(1, total))
        p.progress.setValue(min(history.last_step, total))
        p.progress.setFormat(f"step {history.last_step} / {total}")
        p.progress_label.setText(f"elapsed {format_duration(history.elapsed)} · "
                                 f"left {format_duration(history.eta)}")
        p.runs_list.update_figures(run.id, history)
