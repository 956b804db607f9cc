"""The Train panel: settings, pre-flight checks, live plots, runs, samples and export.

The panel is a client of `olm train`: Train writes a run folder (the exact graph and the
run record with the run's :class:`olm.train.TrainConfig`, :mod:`olm.store.record`), starts
``python -m olm train --config <run>/record.json`` as a child (events on its stdout), and
turns its typed events into plot points. The pre-flight problems it shows are the
library's (:func:`olm.train.preflight.preflight`). It is self-contained: the main window only calls
:meth:`TrainPanel.set_graph` when the document changes, :meth:`set_project_path` when a
project is opened, and :meth:`is_running` / :meth:`stop_and_wait` when it closes.

Layout (UX.md, "Workspaces"): a command bar on top that never moves (Train, Stop, Resume,
progress), then the settings in folding groups on the left, the curves or the telemetry
large in the middle, and runs, samples and export on the right. The jobs live in their own
objects: :class:`RunLifecycle` (start, stop, resume, events), :class:`FineTuneBox`,
:class:`SampleControl`, :class:`TelemetryPane`, :class:`TrialBox` and :class:`RunsTab`.

Each project (and each unsaved model) has its own runs and its own settings: runs record
the project they belong to (:func:`project_key`), and the form's settings are kept per
project, so a fine-tune's learning rate never carries over to a fresh preset.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from olm_studio.training.checks import PreflightChecks
from olm_studio.training.command_bar import CommandBar
from olm_studio.training.export_view import ExportView
from olm_studio.training.finetune_box import FineTuneBox
from olm_studio.training.form import SettingsForm
from olm_studio.training.history import RunHistory
from olm_studio.training.lifecycle import RunLifecycle, format_duration
from olm_studio.training.plots import LivePlots
from olm_studio.training.runner import TrainProcess
from olm_studio.training.runs import Run, RunStore, default_runs_root, project_key
from olm_studio.training.runs_tab import RunsTab
from olm_studio.training.samples_view import SamplesView
from olm_studio.training.sampling import SampleControl
from olm_studio.training.telemetry_pane import TelemetryPane
from olm_studio.training.trial import default_config
from olm_studio.training.trial_box import TrialBox

if TYPE_CHECKING:  # preflight imports torch, which loads in the background
    from olm.train import TrainConfig
    from olm.train.preflight import Problem

__all__ = ["TrainPanel", "format_duration"]


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
        # where this project's runs are kept (replaced when another project opens)
        self._store = RunStore(runs_root if runs_root is not None else default_runs_root())
        self._project_path: str | os.PathLike[str] | None = None
        self._project: str | None = None  # None until the first model; see _switch_project
        self._replaced = False  # a new document arrived: its project is settled by set_graph
        self._settings: dict[str, TrainConfig] = {}  # each project's own form settings
        self.problems: list[Problem] = []
        self.runner = TrainProcess(command, self)
        self._build_ui()
        self.checks = PreflightChecks(self)  # off the UI thread after each change
        self.lifecycle = RunLifecycle(self)
        self.sampling = SampleControl(self, command)
        self.sampler = self.sampling.sampler
        self.form.changed.connect(self.checks.schedule)
        self._reload_runs()
        self.run_checks()

    # -- layout ----------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.bar = CommandBar()
        self.train_button, self.stop_button = self.bar.train_button, self.bar.stop_button
        self.resume_button, self.progress = self.bar.resume_button, self.bar.progress
        self.progress_label, self.status_label = self.bar.progress_label, self.bar.status_label
        self.train_button.clicked.connect(self.start_training)
        self.stop_button.clicked.connect(self.stop_training)
        self.resume_button.clicked.connect(lambda: self.resume_training())
        self.form = SettingsForm()
        self.continue_box = self.finetune = FineTuneBox(self.form)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.RichText)
        self.trial_box = TrialBox()
        self.trial_box.apply_requested.connect(self.apply_sizes_requested)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(4, 0, 4, 0)
        for widget in (self.form, self.continue_box, self.problem_label, self.trial_box):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("trainSettings")
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(left)
        # as wide as the form's narrowest layout (never clipped), plus the vertical bar
        scroll.setMinimumWidth(left.minimumSizeHint().width() + 2 * scroll.frameWidth()
                               + scroll.verticalScrollBar().sizeHint().width())

        self.plots = LivePlots()
        self.runs_tab = RunsTab(self.plots)
        self.runs_list = self.runs_tab.runs_list
        self.runs_list.current_run_changed.connect(self.on_current_run)
        self.runs_list.reuse_requested.connect(self.reuse_settings)
        self.runs_list.delete_requested.connect(self.delete_run)
        self.samples_view = SamplesView()
        self.samples_view.sample_requested.connect(self.sample)
        self.export_view = ExportView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.runs_tab, "Runs")
        self.tabs.addTab(self.samples_view, "Samples")
        self.tabs.addTab(self.export_view, "Export")
        self.telemetry = self.telemetry_tab = TelemetryPane(self.plots)
        self.telemetry_view = self.telemetry.view
        self.side_by_side_button = self.telemetry.side_by_side_button
        self.telemetry_compare = self.telemetry.compare  # two runs, in the Telemetry tab
        self.side_by_side_button.clicked.connect(self.paint_side_by_side)
        self._step_marker = self.telemetry.step_marker
        self.views = QTabWidget()  # the large middle: curves or telemetry
        self.views.setObjectName("trainViews")
        self.views.addTab(self.plots, "Curves")
        self.views.addTab(self.telemetry, "Telemetry")
        self.views.currentChanged.connect(
            lambda _i: self.telemetry.show_run(self.telemetry.pending))

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        for i, (widget, stretch) in enumerate(((scroll, 0), (self.views, 3), (self.tabs, 2))):
            splitter.addWidget(widget)
            splitter.setStretchFactor(i, stretch)
        splitter.setSizes([300, 640, 380])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.bar)
        layout.addWidget(splitter, 1)

    # -- the main window's calls -----------------------------------------------------
    def set_graph(self, graph: Any) -> None:
        """The document being edited changed (``None`` when no model is open)."""
        same_model = graph is self._graph  # edited, saved, or the settings re-applied
        self._graph = graph
        if not same_model or self._replaced:
            self._switch_project(keep_form=same_model)
        self.finetune.setEnabled(graph is not None)
        self.checks.schedule()
        self._update_export()

    def graph(self) -> Any:
        return self._graph

    def set_project_path(self, path: str | os.PathLike[str] | None) -> None:
        """A document was opened or saved at ``path`` (None: unsaved): its runs are kept
        beside it (unless the panel was given a runs folder), and the next
        :meth:`set_graph` settles which project's runs and settings are shown."""
        if self._project is not None and not self._replaced:
            self._settings[self._project] = self.form.config_or_none() or default_config()
        self._project_path, self._replaced = path, True
        if not self._fixed_root:
            self._store = RunStore(default_runs_root(path))

    def project(self) -> str:
        """The project the next run belongs to (:func:`project_key`)."""
        return project_key(self._project_path, getattr(self._graph, "name", ""))

    def _switch_project(self, keep_form: bool = False) -> None:
        """Show this project's runs and settings; forget the previous model's samples and
        telemetry. The first model, and the same model under a new path (saved), keep
        the form as it is; a new project starts from the defaults with this machine's
        device and precision (or the fine-tuning rate for opened weights)."""
        key, first = self.project(), self._project is None
        if key == self._project and (keep_form or not self._replaced):
            self._replaced = False
            return
        current = self.form.config_or_none() or default_config()
        if not first and not self._replaced and self._project is not None:
            self._settings[self._project] = current
        self._project, self._replaced = key, False
        if not first and not keep_form:
            self.form.set_config(self._settings.get(key) or dataclasses.replace(
                default_config(), device=current.device, use_amp=current.use_amp))
            if key not in self._settings:
                self.finetune.use_finetune_lr()  # opened weights: the fine-tuning lr
            self.samples_view.show_samples([])
            self.telemetry.clear()
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
            active = self.active_run()
            answer = QMessageBox.question(
                self, "A run is training",
                f"{active.name if active else 'A run'} is still training.\n"
                "Stop it (saving a checkpoint you can resume) and close?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        self.stop_and_wait(30)
        return True

    # -- checks ----------------------------------------------------------------------
    def run_checks(self) -> list[Problem]:
        """Pre-flight checks for the current graph and form, now; shown under the form.

        Changes are checked off the UI thread by :attr:`checks` (:meth:`PreflightChecks.
        schedule`); this synchronous check is for Train and for callers that need the answer.
        """
        return self.checks.run_now()

    # -- the jobs the panel shows ----------------------------------------------------
    def start_training(self) -> bool:
        """Check, then start a new run of the current graph; False (with reasons) if not."""
        return self.lifecycle.start()

    def stop_training(self) -> None:
        """Ask the run to save a checkpoint and end ("stopped")."""
        self.lifecycle.stop()

    def resume_training(self, run_id: str | None = None, steps: int | None = None) -> bool:
        """Continue a run from its latest checkpoint (see :meth:`RunLifecycle.resume`)."""
        return self.lifecycle.resume(run_id, steps)

    def set_pretrained(self, source: str | None, chat: bool = False,
                       frozen: list[str] | None = None) -> None:
        """The weights opened with File → Open pretrained… (None: closed), whether its
        tokenizer has a chat template, and the nodes frozen for fine-tuning."""
        self.finetune.set_pretrained(source, frozen)
        self.samples_view.set_chat_available(source is not None and chat)
        if source is not None and not self.sampler.is_running():
            self.samples_view.set_available(True, "Samples come from the opened weights until a "
                                                  "run is selected.")

    def sample(self, prompt: str, max_new_tokens: int = 100) -> bool:
        """Sample from the selected run's latest checkpoint; the text lands in Samples."""
        return self.sampling.sample(prompt, max_new_tokens)

    def paint_side_by_side(self) -> bool:
        """Paint the first two ticked runs side by side in the Telemetry tab."""
        runs = [r for r in map(self.runs_tab.get, self.runs_list.ticked()) if r is not None]
        self.views.setCurrentWidget(self.telemetry)
        problem = self.telemetry.paint_two(runs[:2])
        if problem:
            self.status_label.setText(problem)
        return not problem

    def update_buttons(self) -> None:
        """Enable what can be done now (Train needs no errors and PyTorch loaded)."""
        running = self.is_running()
        from olm_studio.torch_loader import torch_loader

        errors = any(p.severity == "error" for p in self.problems)
        errors = errors or (hasattr(self, "checks") and self.checks.pending)  # Train waits
        self.train_button.setEnabled(not running and not errors and torch_loader().is_ready)
        self.stop_button.setEnabled(running)
        self.resume_button.setEnabled(not running and bool(self.runs_list.current_id()))
        self.form.setEnabled(not running)
        self.bar.sync_actions(running)

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
        return self.lifecycle.active

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
        active = self.active_run()
        if run is None or (active is not None and active.id == run_id):
            return False
        if confirm:
            answer = QMessageBox.question(
                self, "Delete run", f"Delete {run.name} and its checkpoint?\n{run.path}")
            if answer != QMessageBox.StandardButton.Yes:
                return False
        shutil.rmtree(run.path, ignore_errors=True)
        self.runs_tab.remove(run_id)
        self.on_current_run(self.runs_list.current_id())
        return True

    def _reload_runs(self) -> None:
        active = self.active_run() if hasattr(self, "lifecycle") else None
        project = self.project() if self._project is not None else None
        self.runs_tab.reload(self._store, keep=active.id if active else None, project=project)
        self.on_current_run(self.runs_list.current_id())

    def on_current_run(self, run_id: str) -> None:
        """The selected run changed: buttons, export, telemetry, trial sizes and samples."""
        self.update_buttons()
        self._update_export()
        run = self.runs_tab.get(run_id)
        if run is not None:
            self.telemetry.show_run(run, self.views.currentWidget() is self.telemetry)
        self.trial_box.show_run(run)
        if run is None:
            self.samples_view.set_available(self.finetune.source is not None,
                                            "Select a run to sample from.")
            return
        if not self.is_running() and hasattr(self, "lifecycle"):
            self.lifecycle.update_progress(run)  # while idle, the bar shows the selected run
        if not self.sampler.is_running():
            self.samples_view.show_samples(self.history(run_id).samples)
            has_checkpoint = run.latest_checkpoint() is not None
            self.samples_view.set_available(
                has_checkpoint, "" if has_checkpoint else f"{run.name} has no checkpoint yet.")

    def _update_export(self) -> None:
        self.export_view.show_run(self.runs_tab.get(self.runs_list.current_id()), self._graph)
