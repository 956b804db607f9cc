"""The Train panel: settings, pre-flight checks, live plots, runs, samples and export.

The panel is a client of `olm train`: Train writes a run folder (the exact graph and the
run's :class:`olm.train.TrainConfig` as ``train.json``), starts
``python -m olm train --config <run>/train.json`` as a child (events on its stdout), and
turns its typed events into plot points. The pre-flight problems it shows are the
library's (:func:`olm.train.preflight.preflight`). It is self-contained: the main window only calls
:meth:`TrainPanel.set_graph` when the document changes, :meth:`set_project_path` when a
project is opened, and :meth:`is_running` / :meth:`stop_and_wait` when it closes.
"""

from __future__ import annotations

import dataclasses
import html
import math
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from olm.core.errors import OLMError
from olm.train.events import CheckpointEvent, Event, SampleEvent
from olm_studio.training.export_view import ExportView
from olm_studio.training.form import SettingsForm
from olm_studio.training.history import RunHistory
from olm_studio.training.plots import LivePlots
from olm_studio.training.runner import TrainProcess
from olm_studio.training.runs import Run, RunStore, default_runs_root
from olm_studio.training.runs_tab import RunsTab
from olm_studio.training.sampler import SampleProcess
from olm_studio.training.samples_view import SamplesView
from olm_studio.training.telemetry_view import TelemetryCompare, TelemetryView
from olm_studio.training.trial import auto_intervals

if TYPE_CHECKING:  # preflight imports torch, which loads in the background
    from olm.train import TrainConfig
    from olm.train.preflight import Problem

__all__ = ["TrainPanel", "format_duration"]


_SEVERITY_COLORS = {"error": "#d9534f", "warning": "#d9a23b"}


def format_duration(seconds: float) -> str:
    """``75.4`` → ``"1:15"``; ``3700`` → ``"1:01:40"``; NaN → ``"–"``."""
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class TrainPanel(QWidget):
    """Train the model being edited, watch it learn, compare runs, export.

    Signals:
        run_started(str): a run id, when its process starts (also on resume).
        run_ended(str, str, str): run id, status ("finished"/"stopped"/"failed"), reason.

    Args:
        parent: the owning widget.
        runs_root: folder for run folders (default: beside the project, else the user's
            data folder; see :func:`default_runs_root`).
        command: how to run `olm` (default: this Python ``-m olm``).
    """

    run_started = Signal(str)
    run_ended = Signal(str, str, str)
    apply_sizes_requested = Signal(object)  # the trial document whose sizes go to the canvas

    def __init__(self, parent: QWidget | None = None, *, runs_root: str | os.PathLike[str] |
                 None = None, command: list[str] | None = None) -> None:
        super().__init__(parent)
        self._graph: Any = None
        self._fixed_root = runs_root is not None
        self._store = RunStore(runs_root if runs_root is not None else default_runs_root())
        self._active: Run | None = None
        self.problems: list[Problem] = []
        self._sample_prompt = ""
        self._pretrained: str | None = None  # weights opened with File → Open pretrained…
        self._frozen: list[str] = []
        self.runner = TrainProcess(command, self)
        self.runner.event.connect(self._on_event)
        self.runner.ended.connect(self._on_ended)
        self.sampler = SampleProcess(command, self)
        self.sampler.finished.connect(self._on_sample_done)
        self.sampler.failed.connect(self._on_sample_failed)
        self._build_ui()
        self._check_timer = QTimer(self, singleShot=True, interval=300)
        self._check_timer.timeout.connect(self.run_checks)
        self._ui_timer = QTimer(self, singleShot=True, interval=LivePlots.REDRAW_MS)
        self._ui_timer.timeout.connect(self._update_progress)
        self.form.changed.connect(self._check_timer.start)
        self._reload_runs()
        self.run_checks()

    # -- layout ----------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.form = SettingsForm()
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.RichText)
        self.train_button = QPushButton("▶ Train")
        self.train_button.setDefault(True)
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setToolTip("save a checkpoint and end the run")
        self.resume_button = QPushButton("⟳ Resume")
        self.resume_button.setToolTip("continue the selected run from its checkpoint "
                                      "(raise Steps to train a finished run further)")
        self.train_button.clicked.connect(self.start_training)
        self.stop_button.clicked.connect(self.stop_training)
        self.resume_button.clicked.connect(lambda: self.resume_training())
        self.apply_trial_button = QPushButton("Apply trial sizes")
        self.apply_trial_button.setToolTip("set the canvas's sizes to the selected trial-scale "
                                           "run's (one undoable edit)")
        self.apply_trial_button.clicked.connect(self.apply_trial_sizes)
        self.trial_label = QLabel("")
        self.trial_label.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.train_button, self.stop_button, self.resume_button):
            buttons.addWidget(button)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress_label = QLabel("")
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)

        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(self.form)
        self.continue_box = QCheckBox("Continue from these weights")
        self.continue_box.setObjectName("continue_from_weights")
        self.continue_box.setToolTip("Fine-tune: start from the opened pretrained weights "
                                     "(olm train --init-from), with a fine-tuning learning rate")
        self.continue_box.toggled.connect(self._on_continue_toggled)
        self.continue_box.setVisible(False)
        column.addWidget(self.continue_box)
        column.addWidget(self.problem_label)
        column.addLayout(buttons)
        column.addWidget(self.progress)
        column.addWidget(self.progress_label)
        column.addWidget(self.status_label)
        column.addWidget(self.trial_label)
        column.addWidget(self.apply_trial_button)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        scroll.setMinimumWidth(300)

        self.plots = LivePlots()
        self.runs_tab = RunsTab(self.plots)
        self.runs_list = self.runs_tab.runs_list
        self.runs_list.current_run_changed.connect(self._on_current_run)
        self.runs_list.reuse_requested.connect(self.reuse_settings)
        self.runs_list.delete_requested.connect(self.delete_run)
        self.samples_view = SamplesView()
        self.samples_view.sample_requested.connect(self.sample)
        self.export_view = ExportView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.runs_tab, "Runs")
        self.tabs.addTab(self.samples_view, "Samples")
        self.tabs.addTab(self.export_view, "Export")
        self.telemetry_view = TelemetryView()
        self.side_by_side_button = QPushButton("Paint the two ticked runs side by side")
        self.side_by_side_button.setToolTip("Tick two runs in Runs; each is painted on its own "
                                            "graph, with the metric and step kept together")
        self.side_by_side_button.clicked.connect(self.paint_side_by_side)
        self.telemetry_compare: TelemetryCompare | None = None
        telemetry_tab = QWidget()
        telemetry_box = QVBoxLayout(telemetry_tab)
        telemetry_box.setContentsMargins(0, 0, 0, 0)
        telemetry_box.addWidget(self.side_by_side_button)
        telemetry_box.addWidget(self.telemetry_view, 1)
        self.telemetry_tab = telemetry_tab
        self.tabs.addTab(telemetry_tab, "Telemetry")
        # the main loss plot and the telemetry step slider move together
        self.plots.graphics.scene().sigMouseClicked.connect(self._on_loss_plot_click)
        self._step_marker = pg.InfiniteLine(angle=90, movable=False,
                                            pen=pg.mkPen("#ff9f1c", width=1))
        self._step_marker.setVisible(False)
        self.plots.loss_plot.addItem(self._step_marker, ignoreBounds=True)
        self.telemetry_view.step_changed.connect(self._on_telemetry_step)
        self._telemetry_pending: Run | None = None  # painted when its tab is shown
        self.tabs.currentChanged.connect(lambda _i: self._show_telemetry(self._telemetry_pending))

        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.setChildrenCollapsible(False)
        self.side.addWidget(self.tabs)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(scroll)
        splitter.addWidget(self.plots)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([310, 660, 400])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(splitter)

    # -- the main window's calls -----------------------------------------------------
    def add_side_widget(self, widget: QWidget) -> None:
        """Show ``widget`` under the Runs/Samples/Export tabs (the Studio's small canvas)."""
        self.side.addWidget(widget)
        self.side.setStretchFactor(0, 3)
        self.side.setStretchFactor(1, 1)

    def set_graph(self, graph: Any) -> None:
        """The document being edited changed (``None`` when no model is open)."""
        self._graph = graph
        self._check_timer.start()
        self._update_export()

    def graph(self) -> Any:
        return self._graph

    def set_project_path(self, path: str | os.PathLike[str] | None) -> None:
        """Keep runs beside this project (unless the panel was given a runs folder)."""
        if not self._fixed_root:
            self._store = RunStore(default_runs_root(path))
            self._reload_runs()

    def runs_root(self) -> Path:
        return self._store.root

    def is_running(self) -> bool:
        """True while a training child is alive (the main window asks before closing)."""
        return self.runner.is_running()

    def stop_and_wait(self, timeout: float = 30.0) -> bool:
        """Stop the run (it saves a checkpoint) and wait up to ``timeout`` seconds.

        A run that does not end in time is killed. Returns True when it ended by itself.
        """
        self.sampler.cancel()
        self.sampler.wait(2000)
        if not self.runner.is_running():
            return True
        self.runner.stop()
        if self.runner.wait(int(timeout * 1000)):
            return True
        self.runner.kill()
        self.runner.wait(5000)
        return False

    def confirm_close(self, ask: bool = True) -> bool:
        """For the main window's close: True when it may close (asks if a run is going).

        "Stop and close" stops the run (it saves a checkpoint, so it can be resumed);
        "Cancel" keeps the window open and the run going.
        """
        if not self.is_running():
            self.stop_and_wait(5)  # a sample child, if any
            return True
        if ask:
            answer = QMessageBox.question(
                self, "A run is training",
                f"{self._active.name if self._active else 'A run'} is still training.\n"
                "Stop it (saving a checkpoint you can resume) and close?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        self.stop_and_wait(30)
        return True

    # -- checks ----------------------------------------------------------------------
    def run_checks(self) -> list[Problem]:
        """Pre-flight checks for the current graph and form; shown under the form."""
        self._check_timer.stop()
        from olm_studio.torch_loader import LOADING_TEXT, torch_loader

        if not torch_loader().is_ready:  # checked again once torch has loaded
            self.problem_label.setText(LOADING_TEXT)
            torch_loader().when_ready(self.run_checks)
            self._update_buttons()
            return self.problems
        from olm.train.preflight import Problem, preflight

        if self._graph is None:
            self.problems = [Problem("error", "no model to train",
                                     "open a preset or build a model in the editor")]
        else:
            try:
                config = self.form.config()
            except OLMError as err:
                self.problems = [Problem("error", str(err), "correct the setting")]
            else:
                try:
                    self.problems = preflight(self._graph, config)
                except OLMError as err:
                    self.problems = [Problem("error", str(err))]
        rows = [f"<span style='color:{_SEVERITY_COLORS[p.severity]}'>"
                f"{'✖' if p.severity == 'error' else '⚠'}</span> {html.escape(str(p))}"
                for p in self.problems]
        self.problem_label.setText("<br>".join(rows) or "✓ ready to train")
        self._update_buttons()
        return self.problems

    def _errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    # -- starting, stopping, resuming ------------------------------------------------
    def start_training(self) -> bool:
        """Check, then start a new run of the current graph; False (with reasons) if not."""
        if self.is_running():
            return False
        from olm_studio.torch_loader import torch_loader

        torch_loader().wait()  # a click before PyTorch has loaded waits for it
        if self.run_checks() and self._errors():
            self.status_label.setText("Not started: fix the problems above.")
            return False
        try:
            config = self._finetune(auto_intervals(self.form.config()))
            run = self._store.create(getattr(self._graph, "name", "model"), config, self._graph,
                                     name=self._run_name())
            args = ["train", "--config", str(run.write_config())]
        except (OLMError, OSError) as err:
            self.status_label.setText(f"Not started: {err}")
            return False
        self.runs_tab.add(run, RunHistory(), tick=True)
        self._launch(run, args)
        return True

    def _run_name(self) -> str:
        """The new run's name: the preset and what was changed ("GPT2 +RMSNorm +GQA")."""
        from olm.graph.diff import preset_label

        if self._graph is None:
            return ""
        return preset_label(self._graph)

    # -- fine-tuning a pretrained model ----------------------------------------------
    def set_pretrained(self, source: str | None, chat: bool = False,
                       frozen: list[str] | None = None) -> None:
        """The weights opened with File → Open pretrained… (None: closed), whether its
        tokenizer has a chat template, and the nodes frozen for fine-tuning."""
        self._pretrained, self._frozen = source, list(frozen or [])
        self.continue_box.setVisible(source is not None)
        self.continue_box.setChecked(source is not None)
        self.samples_view.set_chat_available(source is not None and chat)
        if source is not None and not self.sampler.is_running():
            self.samples_view.set_available(True, "Samples come from the opened weights until a "
                                                  "run is selected.")

    def _on_continue_toggled(self, on: bool) -> None:
        if on:
            from olm.train.finetune import FINETUNE_LR

            self.form.lr.setText(f"{FINETUNE_LR:g}")

    def _finetune(self, config: TrainConfig) -> TrainConfig:
        """``config`` starting from the opened weights when "Continue from these weights" is on."""
        if self._pretrained is None or not self.continue_box.isChecked():
            return config
        from olm.train.derived import replace_settings  # the fine-tune warmup follows

        return replace_settings(config, init_from=self._pretrained, freeze=list(self._frozen))

    def resume_training(self, run_id: str | None = None, steps: int | None = None) -> bool:
        """Continue a stopped, failed or finished run from its latest checkpoint.

        Args:
            run_id: the run (default: the selected one).
            steps: the step to train up to; default: the larger of the run's own step
                count and the form's, so a finished run trains further when Steps is raised.
        """
        run = self.runs_tab.get(run_id or self.runs_list.current_id())
        if run is None or self.is_running():
            self.status_label.setText("Select a run to resume.")
            return False
        checkpoint = run.latest_checkpoint()
        if checkpoint is None:
            self.status_label.setText(f"{run.name} has no checkpoint to resume from.")
            return False
        steps = steps or max(run.config.steps, self.form.steps.value())
        if run.status == "finished" and steps <= self.history(run.id).last_step:
            self.status_label.setText(f"{run.name} finished its {run.config.steps} steps: "
                                      "raise Steps to train it further.")
            return False
        try:
            run.config = dataclasses.replace(run.config, steps=steps)
            # the child restores the run's own settings; a raised step count is recorded
            args = ["train", "--config", str(run.write_config()), "--resume", str(checkpoint)]
        except (OLMError, OSError) as err:
            self.status_label.setText(f"Not resumed: {err}")
            return False
        self._launch(run, args)
        return True

    def _launch(self, run: Run, args: list[str]) -> None:
        run.set_status("running")
        self._active = run
        self.runs_list.add_run(run)
        self.runs_list.select(run.id)
        self.runs_list.set_ticked(run.id, True)
        self.runs_tab.refresh_overlay()
        self.status_label.setText(f"Training {run.name}…")
        self.runner.start(args, run.events_path, run.stderr_path, workdir=run.path)
        self._update_buttons()
        self._update_progress()
        self.run_started.emit(run.id)

    def stop_training(self) -> None:
        """Ask the run to save a checkpoint and end ("stopped")."""
        if self.is_running():
            self.runner.stop()
            self.status_label.setText("Stopping: saving a checkpoint…")

    # -- events from the child -------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        run = self._active
        if run is None:
            return
        self.history(run.id).feed(event)
        if isinstance(event, SampleEvent) and self.runs_list.current_id() == run.id:
            self.samples_view.append(f"step {event.step}", event.text)
        if event.KIND == "telemetry" and self.runs_list.current_id() == run.id:
            self._show_telemetry(run)
        if isinstance(event, CheckpointEvent):
            self._on_current_run(self.runs_list.current_id())
            self.runs_tab.refresh_overlay()
        self.plots.mark_dirty()
        if not self._ui_timer.isActive():
            self._ui_timer.start()

    def _on_ended(self, status: str, reason: str) -> None:
        run, self._active = self._active, None
        if run is None:
            return
        run.set_status(status, reason)
        self.runs_list.add_run(run)
        self.runs_tab.refresh_overlay()  # the compare box must not say "running" any more
        self._update_progress(run)
        text = {"finished": "Finished", "stopped": "Stopped", "failed": "Failed"}[status]
        self.status_label.setText(f"{text}: {run.name}" + (f" — {reason}" if reason else ""))
        self._update_buttons()
        self._on_current_run(self.runs_list.current_id())
        self.run_ended.emit(run.id, status, reason)

    def _update_progress(self, run: Run | None = None) -> None:
        run = run or self._active
        if run is None:
            return
        history = self.history(run.id)
        total = history.total_steps or run.config.steps
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(min(history.last_step, total))
        self.progress.setFormat(f"step {history.last_step} / {total}")
        self.progress_label.setText(f"elapsed {format_duration(history.elapsed)} · "
                                    f"left {format_duration(history.eta)}")
        self.runs_list.update_figures(run.id, history)

    def _update_buttons(self) -> None:
        running = self.is_running()
        from olm_studio.torch_loader import torch_loader

        loaded = torch_loader().is_ready
        self.train_button.setEnabled(not running and not self._errors() and loaded)
        self.stop_button.setEnabled(running)
        self.resume_button.setEnabled(not running and bool(self.runs_list.current_id()))
        self.form.setEnabled(not running)

    # -- runs ------------------------------------------------------------------------
    def runs(self) -> list[Run]:
        """Every run the panel lists, oldest first."""
        return self.runs_tab.runs()

    def run(self, run_id: str) -> Run:
        run = self.runs_tab.get(run_id)
        if run is None:
            raise KeyError(f"no run {run_id!r}")
        return run

    def active_run(self) -> Run | None:
        return self._active

    def history(self, run_id: str) -> RunHistory:
        """A run's curves (loaded from its events file the first time)."""
        return self.runs_tab.history(run_id)

    def set_ticked(self, run_ids: list[str]) -> None:
        """Overlay exactly these runs."""
        self.runs_tab.set_ticked(run_ids)

    def compare_text(self) -> str:
        """The compare box's text (what differs between the two ticked runs)."""
        return self.runs_tab.compare_text()

    def reuse_settings(self, run_id: str) -> None:
        """Put a run's settings back in the form, to repeat it or change one thing."""
        run = self.runs_tab.get(run_id)
        if run is not None and not self.is_running():
            self.form.set_config(run.config)
            self.run_checks()

    def delete_run(self, run_id: str, confirm: bool = True) -> bool:
        """Delete a run's folder (never the running one); asks first unless told not to."""
        run = self.runs_tab.get(run_id)
        if run is None or (self._active is not None and self._active.id == run_id):
            return False
        if confirm:
            answer = QMessageBox.question(
                self, "Delete run", f"Delete {run.name} and its checkpoint?\n{run.path}")
            if answer != QMessageBox.StandardButton.Yes:
                return False
        shutil.rmtree(run.path, ignore_errors=True)
        self.runs_tab.remove(run_id)
        self._on_current_run(self.runs_list.current_id())
        return True

    def _reload_runs(self) -> None:
        self.runs_tab.reload(self._store, keep=self._active.id if self._active else None)

    def _show_telemetry(self, run: Run | None) -> None:
        """Paint ``run``'s telemetry on its own graph (the Telemetry tab, once it is shown)."""
        self._telemetry_pending = run
        if run is None or self.tabs.currentWidget() is not self.telemetry_tab:
            return
        self._telemetry_pending = None
        try:
            self.telemetry_view.load_run(run.path, run.name)
        except (OLMError, OSError):
            pass  # a run without its graph file shows nothing

    def _on_loss_plot_click(self, event: Any) -> None:
        """Clicking the loss plot (x axis: step) moves the telemetry slider there."""
        vb = self.plots.loss_plot.vb
        if self.plots.x_axis() != "step" or not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        if self.telemetry_view.data.steps:
            self.telemetry_view.set_step(int(round(vb.mapSceneToView(event.scenePos()).x())))

    def _on_telemetry_step(self, step: int) -> None:
        self._step_marker.setValue(step)
        self._step_marker.setVisible(self.plots.x_axis() == "step")

    def paint_side_by_side(self) -> bool:
        """Paint the first two ticked runs side by side in their own window."""
        runs = [self.runs_tab.get(i) for i in self.runs_list.ticked()]
        runs = [r for r in runs if r is not None][:2]
        if len(runs) < 2:
            self.status_label.setText("Tick two runs to paint them side by side.")
            return False
        if self.telemetry_compare is None:
            self.telemetry_compare = TelemetryCompare()
            self.telemetry_compare.setWindowTitle("Telemetry side by side")
            self.telemetry_compare.resize(1600, 900)
        try:
            self.telemetry_compare.load_runs(runs[0].path, runs[1].path,
                                             (runs[0].name, runs[1].name))
        except (OLMError, OSError) as err:
            self.status_label.setText(f"Cannot paint these runs: {err}")
            return False
        self.telemetry_compare.show()
        return True

    def _show_trial(self, run: Run | None) -> None:
        """Beside a trial-scale run: both sizes, and the button to carry them back."""
        from olm_studio.training.trial_view import trial_documents, trial_summary

        docs = trial_documents(run.path) if run is not None else None
        self._trial_doc = docs[1] if docs else None
        self.trial_label.setText(trial_summary(*docs) if docs else "")
        self.apply_trial_button.setVisible(docs is not None)

    def apply_trial_sizes(self) -> bool:
        """Ask (intent signal) that the selected trial run's sizes go to the canvas."""
        doc = getattr(self, "_trial_doc", None)
        if doc is None:
            return False
        self.apply_sizes_requested.emit(doc)
        return True

    def _on_current_run(self, run_id: str) -> None:
        self._update_buttons()
        self._update_export()
        run = self.runs_tab.get(run_id)
        if run is not None:
            self._show_telemetry(run)
        self._show_trial(run)
        if run is None:
            self.samples_view.set_available(self._pretrained is not None,
                                            "Select a run to sample from.")
            return
        if not self.is_running():  # while idle, the progress area shows the selected run
            self._update_progress(run)
        if not self.sampler.is_running():
            self.samples_view.show_samples(self.history(run_id).samples)
            has_checkpoint = run.latest_checkpoint() is not None
            self.samples_view.set_available(
                has_checkpoint, "" if has_checkpoint else f"{run.name} has no checkpoint yet.")

    def _update_export(self) -> None:
        run = self.runs_tab.get(self.runs_list.current_id())
        if run is None:
            self.export_view.set_target(None, self._graph, "the model being edited")
            return
        graph = self._graph
        try:
            graph = run.graph()
        except (OLMError, OSError):
            pass
        self.export_view.set_target(run.latest_checkpoint(), graph, run.name)

    # -- sampling --------------------------------------------------------------------
    def sample(self, prompt: str, max_new_tokens: int = 100) -> bool:
        """Sample from the selected run's latest checkpoint; the text lands in Samples."""
        run = self.runs_tab.get(self.runs_list.current_id())
        checkpoint = run.latest_checkpoint() if run is not None else None
        if checkpoint is None:
            checkpoint = self._pretrained  # the opened pretrained weights
        if checkpoint is None or self.sampler.is_running():
            return False
        self._sample_prompt = prompt
        self.samples_view.set_available(False, "Sampling…")
        chat = self.samples_view.chat.isChecked() and not self.samples_view.chat.isHidden()
        self.sampler.start(str(checkpoint), prompt, max_new_tokens, chat=chat)
        return True

    def _on_sample_done(self, text: str) -> None:
        self.samples_view.append(f"prompt {self._sample_prompt!r}", text)
        self.samples_view.set_available(True, "")

    def _on_sample_failed(self, reason: str) -> None:
        self.samples_view.set_available(True, f"Sampling failed: {reason}")
