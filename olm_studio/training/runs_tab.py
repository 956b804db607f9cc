"""The Runs tab: the kept runs, which of them the plots overlay, and how two of them differ.

It owns the runs the panel knows (read from a :class:`RunStore`) and their histories
(read lazily from the events files), keeps the plots showing exactly the ticked runs in
stable colours, and fills the compare box: any number of ticked runs, each compared with
the baseline run chosen above the box (by default the oldest ticked one).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from olm_studio.training.compare import compare_runs
from olm_studio.training.history import RunHistory
from olm_studio.training.plots import RUN_COLORS, LivePlots, PlotEntry
from olm_studio.training.runs import Run, RunStore
from olm_studio.training.runs_view import RunsList

__all__ = ["RunsTab"]

_HINT = ("<i>Tick two runs (or more) to compare their curves, settings and architectures "
         "with a baseline run.</i>")


class RunsTab(QSplitter):
    """Runs list above, comparison below; drives what ``plots`` draws.

    Args:
        plots: the live plots the ticked runs are drawn on.
        parent: the owning widget.
    """

    def __init__(self, plots: LivePlots, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.plots = plots
        self._runs: dict[str, Run] = {}
        self._histories: dict[str, RunHistory] = {}
        self.runs_list = RunsList()
        self.runs_list.ticked_changed.connect(self.refresh_overlay)
        self.runs_list.rename_requested.connect(self.rename)
        self.compare_box = QTextBrowser()
        self.compare_box.setOpenLinks(False)
        self.baseline_box = QComboBox()
        self.baseline_box.setToolTip("the run every other ticked run is compared with")
        self._chosen_baseline: str | None = None  # set by the user; else the oldest ticked
        self.baseline_box.activated.connect(
            lambda _i: self.set_baseline(self.baseline_box.currentData()))
        lower = QWidget()
        column = QVBoxLayout(lower)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Baseline"))
        row.addWidget(self.baseline_box, 1)
        column.addLayout(row)
        column.addWidget(self.compare_box, 1)
        self.addWidget(self.runs_list)
        self.addWidget(lower)
        self.setStretchFactor(0, 1)
        self.setStretchFactor(1, 2)

    # -- the runs --------------------------------------------------------------------
    def runs(self) -> list[Run]:
        """Every listed run, oldest first."""
        return sorted(self._runs.values(), key=lambda r: (r.created, r.id))

    def get(self, run_id: str) -> Run | None:
        return self._runs.get(run_id)

    def history(self, run_id: str) -> RunHistory:
        """A run's curves (read from its events file the first time)."""
        if run_id not in self._histories:
            self._histories[run_id] = self._runs[run_id].history()
        return self._histories[run_id]

    def add(self, run: Run, history: RunHistory | None = None, tick: bool = False) -> None:
        """List a run (with a live history for a run that is starting)."""
        self._runs[run.id] = run
        if history is not None:
            self._histories[run.id] = history
        self.runs_list.add_run(run, ticked=tick)
        self.runs_list.update_figures(run.id, self.history(run.id))

    def rename(self, run_id: str, name: str) -> None:
        """Give a run a new name, stored in its folder (its run record)."""
        run = self._runs.get(run_id)
        if run is None or not name.strip() or name.strip() == run.name:
            return
        run.name = name.strip()
        try:
            run.save()
        except OSError:
            return
        self.refresh_overlay()

    def reload(self, store: RunStore, keep: str | None = None,
               project: str | None = None) -> None:
        """List the runs of ``store`` (keeping run ``keep``, the one training now); with
        ``project``, only that project's runs (:meth:`RunStore.list`)."""
        for run_id in list(self._runs):
            if run_id != keep:
                self.runs_list.remove_run(run_id)
                self._runs.pop(run_id)
                self._histories.pop(run_id, None)
        for run in store.list(project):
            if run.id not in self._runs:
                run.settle_stale()
                self.add(run)
        if self._runs and not self.runs_list.ticked():
            self.runs_list.set_ticked(self.runs()[-1].id, True)
        self.refresh_overlay()

    def remove(self, run_id: str) -> None:
        """Stop listing a run (its folder is the caller's business)."""
        self.runs_list.remove_run(run_id)
        self._runs.pop(run_id, None)
        self._histories.pop(run_id, None)
        self.refresh_overlay()

    # -- overlay and comparison ------------------------------------------------------
    def set_ticked(self, run_ids: list[str]) -> None:
        """Overlay exactly these runs."""
        for run_id in self.runs_list.run_ids():
            self.runs_list.set_ticked(run_id, run_id in run_ids)
        self.refresh_overlay()

    def refresh_overlay(self) -> None:
        """Make the plots, swatches and compare box match the ticked runs."""
        ticked = [rid for rid in self.runs_list.ticked() if rid in self._runs]
        ticked.sort(key=lambda rid: (self._runs[rid].created, rid))
        # Colours follow the order runs were made in, so ticking never recolours a run.
        order = {run.id: i for i, run in enumerate(self.runs())}
        self.plots.set_runs([PlotEntry(rid, self._runs[rid].name, self.history(rid),
                                       RUN_COLORS[order[rid] % len(RUN_COLORS)])
                             for rid in ticked])
        for run_id in self.runs_list.run_ids():
            self.runs_list.set_color(run_id, self.plots.color_of(run_id)
                                     if run_id in ticked else None)
        baseline = self._sync_baseline(ticked)
        self.plots.set_baseline(baseline)
        self._update_compare(ticked, baseline)

    def _sync_baseline(self, ticked: list[str]) -> str | None:
        """Offer the ticked runs as baselines; keep the chosen one while it stays ticked."""
        box = self.baseline_box
        chosen = self._chosen_baseline
        box.blockSignals(True)
        box.clear()
        for rid in ticked:
            box.addItem(self._runs[rid].name, rid)
        index = box.findData(chosen) if chosen in ticked else 0
        box.setCurrentIndex(max(0, index))
        box.blockSignals(False)
        box.setEnabled(len(ticked) > 1)
        return box.currentData() if ticked else None

    def set_baseline(self, run_id: str) -> None:
        """Compare every other ticked run with ``run_id`` (which must be ticked)."""
        if self.baseline_box.findData(run_id) < 0:
            raise KeyError(f"run {run_id!r} is not ticked")
        self._chosen_baseline = run_id
        self.refresh_overlay()

    def baseline(self) -> str | None:
        """The run the others are compared with (None with no run ticked)."""
        return self.baseline_box.currentData()

    def _update_compare(self, ticked: list[str], baseline: str | None) -> None:
        if len(ticked) < 2 or baseline is None:
            self.compare_box.setHtml(_HINT)
            return
        a = self._runs[baseline]
        parts = []
        for rid in ticked:
            if rid == baseline:
                continue
            b = self._runs[rid]
            comparison = compare_runs(a, b, self.history(a.id), self.history(b.id))
            parts.append(comparison.to_html(self.plots.color_of(a.id) or "#888",
                                            self.plots.color_of(b.id) or "#888"))
        self.compare_box.setHtml("<hr>".join(parts))

    def compare_text(self) -> str:
        """The compare box's text (what differs between the two ticked runs)."""
        return self.compare_box.toPlainText()
