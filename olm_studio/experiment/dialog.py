"""Train → Experiment…: compare models at equal compute, or sweep sizes, with intervals.

The dialog only gathers the question (which models, budget, seeds, what to equalise) and
runs ``olm compare`` / ``olm sweep`` as a child process (the same command a user would
type, off the UI thread), reading one JSON line per finished run from its stdout to
fill the runs table as they finish. When the child ends it reads the experiment's JSON
back and draws the dot plot with intervals, the scaling plot and the verdict, then saves
both plots as PNG beside the JSON and the Markdown report, so the experiment folder is
complete and reopens (Open…). Cancel stops the child cleanly (SIGTERM): the run in
progress ends, finished runs stay, and the report covers them.
"""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QProcess, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from olm_studio.experiment.plots import ComparisonPlot, ScalingPlot
from olm_studio.training.runner import child_environment, olm_command

__all__ = ["ExperimentDialog", "open_experiment", "experiments_root", "KINDS"]

KINDS = {"compare": "Compare at equal compute", "sweep": "Scaling sweep (sizes, fit)"}
_ROLE = 256  # Qt.UserRole: the item's SOURCE


def experiments_root() -> Path:
    """Where experiments are saved: ``experiments/`` in the Studio's home folder."""
    from olm_studio.settings import studio_home

    return studio_home() / "experiments"


class ExperimentDialog(QDialog):
    """Pick models and a budget, run the experiment, show and save its results.

    Args:
        graph: the canvas's document (offered as "This canvas"), or None.
        lesson: measure the "Modernise GPT-2" lesson's swaps (``olm compare --lesson``).
        root: the folder new experiments go in (default :func:`experiments_root`).
        parent: the owning widget.
    """

    experiment_done = Signal(str)  # the experiment folder (finished or cancelled)

    def __init__(self, graph: Any = None, lesson: bool = False, root: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("experimentDialog")
        self.setWindowTitle("Experiment: measure each swap" if lesson else "Experiment")
        self.graph = graph
        self.lesson = lesson
        self.root = Path(root) if root is not None else experiments_root()
        self.folder: Path | None = None
        self.process: QProcess | None = None
        self.results: list[dict] = []
        self.data: dict | None = None
        self._buffer = b""
        self._stderr: list[str] = []
        self._total = 0
        self._build()

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        from olm.models import PRESETS

        layout = QVBoxLayout(self)
        self.models = QListWidget(self)
        self.models.setObjectName("experimentModels")
        if self.graph is not None and not self.lesson:
            self._add_model(f"This canvas ({self.graph.name})", "<canvas>")
        if self.lesson:
            self._add_model("GPT-2 and each step of \"Modernise GPT-2\"", "<lesson>")
            self.models.setEnabled(False)
        picker = QHBoxLayout()
        self.preset = QComboBox(self)
        self.preset.setObjectName("experimentPreset")
        self.preset.addItems(sorted(PRESETS))
        add_preset = QPushButton("Add preset", self)
        add_preset.clicked.connect(lambda: self._add_model(self.preset.currentText(),
                                                           self.preset.currentText()))
        add_file = QPushButton("Add project…", self)
        add_file.clicked.connect(self._add_file)
        for w in (self.preset, add_preset, add_file):
            w.setEnabled(not self.lesson)
            picker.addWidget(w)
        form = QFormLayout()
        self.kind = QComboBox(self)
        self.kind.setObjectName("experimentKind")
        for key, text in KINDS.items():
            self.kind.addItem(text, key)
        self.kind.setEnabled(not self.lesson)
        self.budget = QLineEdit("10m" if self.lesson else "3m", self)
        self.budget.setObjectName("experimentBudget")
        self.seeds = QSpinBox(self)
        self.seeds.setObjectName("experimentSeeds")
        self.seeds.setRange(1, 20)
        self.seeds.setValue(3)
        self.equal = QComboBox(self)
        self.equal.setObjectName("experimentEqual")
        self.equal.addItems(["flops", "tokens", "params"])
        self.extra = QLineEdit(self)
        self.extra.setObjectName("experimentExtra")
        self.extra.setPlaceholderText("more options, e.g. --seq-len 256 --batch-size 16")
        form.addRow("Models", self.models)
        form.addRow("", _row(picker, self))
        form.addRow("Experiment", self.kind)
        form.addRow("Budget (whole experiment)", self.budget)
        form.addRow("Seeds per model", self.seeds)
        form.addRow("Equalise", self.equal)
        form.addRow("Options", self.extra)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.run_button = QPushButton("Run", self)
        self.run_button.setObjectName("experimentRun")
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("experimentCancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button = QPushButton("Open…", self)
        self.open_button.setToolTip("Reopen a saved experiment folder")
        self.open_button.clicked.connect(self._open_folder)
        for b in (self.run_button, self.cancel_button, self.open_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("experimentProgress")
        self.status = QLabel("", self)
        self.status.setObjectName("experimentStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.tabs = QTabWidget(self)
        self.runs = QTableWidget(0, 6, self)
        self.runs.setObjectName("experimentRuns")
        self.runs.setHorizontalHeaderLabels(["model", "seed", "val loss", "tokens", "FLOPs",
                                             "seconds"])
        self.dots = ComparisonPlot(self)
        self.scaling = ScalingPlot(self)
        self.tabs.addTab(self.runs, "Runs")
        self.tabs.addTab(self.dots, "Loss (95% CI)")
        self.tabs.addTab(self.scaling, "Scaling")
        layout.addWidget(self.tabs, 1)
        self.verdict = QLabel("", self)
        self.verdict.setObjectName("experimentVerdict")
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet("font-weight: 600;")
        layout.addWidget(self.verdict)
        self.resize(900, 760)

    def _add_model(self, label: str, source: str) -> None:
        item = QListWidgetItem(label, self.models)
        item.setData(_ROLE, source)
        item.setCheckState(_checked(True))

    def _add_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a model", "",
                                              "Models (*.olm.json *.py)")
        if path:
            self._add_model(Path(path).name, path)

    def _open_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open an experiment", str(self.root))
        if path:
            self.load_folder(Path(path))

    # -- running ----------------------------------------------------------------------------
    def sources(self) -> list[str]:
        """The ticked models' SOURCEs (the canvas saved into the experiment folder)."""
        out = []
        for i in range(self.models.count()):
            item = self.models.item(i)
            if item.checkState() == _checked(True):
                out.append(item.data(_ROLE))
        return out

    def command(self, folder: Path) -> list[str]:
        """The ``olm`` arguments this experiment runs."""
        kind = self.kind.currentData()
        sources = []
        for source in self.sources():
            if source == "<canvas>":
                from olm.graph import save

                source = str(save(self.graph, folder / "canvas.olm.json"))
            if source != "<lesson>":
                sources.append(source)
        out_json = folder / ("sweep.json" if kind == "sweep" else "compare.json")
        args = [kind, *sources, "--budget", self.budget.text().strip() or "3m", "--out",
                str(folder), "--json", str(out_json), "--progress-json"]
        if kind == "compare":
            args += ["--seeds", str(self.seeds.value()), "--equal", self.equal.currentText()]
            if self.lesson:
                args.append("--lesson")
        return args + shlex.split(self.extra.text())

    def start(self) -> bool:
        """Run the experiment in a child process; False (with the reason shown) if the
        choice cannot run."""
        if self.process is not None:
            return False
        wanted = 1 if self.lesson or self.kind.currentData() == "sweep" else 2
        if len([s for s in self.sources() if s != "<lesson>"]) < wanted and not self.lesson:
            self.status.setText(f"Tick at least {wanted} model{'s' * (wanted > 1)}.")
            return False
        self.root.mkdir(parents=True, exist_ok=True)
        self.folder = self.root / time.strftime("experiment-%Y%m%d-%H%M%S")
        suffix = 1
        while self.folder.exists():
            suffix += 1
            self.folder = self.root / time.strftime(f"experiment-%Y%m%d-%H%M%S-{suffix}")
        self.folder.mkdir(parents=True)
        args = self.command(self.folder)
        self.results, self.data, self._buffer, self._stderr = [], None, b"", []
        self.runs.setRowCount(0)
        self.verdict.setText("")
        models = max(1, len(self.sources()))
        self._total = (7 if self.lesson else models) * (
            self.seeds.value() if self.kind.currentData() == "compare" else 3)
        self.progress.setRange(0, self._total)
        self.progress.setValue(0)
        self.status.setText("Sizing the models and measuring this machine…")
        command = olm_command()
        self.process = QProcess(self)
        self.process.setProcessEnvironment(child_environment())
        self.process.readyReadStandardOutput.connect(self._read_stdout)
        self.process.readyReadStandardError.connect(self._read_stderr)
        self.process.finished.connect(self._on_finished)
        self.process.start(command[0], command[1:] + args)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        return True

    def cancel(self) -> None:
        """Stop the experiment: the run in progress ends cleanly, finished runs stay."""
        if self.process is not None:
            self.status.setText("Cancelling: the run in progress stops, finished runs stay…")
            self.process.terminate()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Closing the window cancels a running experiment (its finished runs stay)."""
        self.cancel()
        super().closeEvent(event)

    def _read_stdout(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            text = line.decode("utf-8", "replace").strip()
            if text.startswith("{"):
                try:
                    self._add_run(json.loads(text))
                except ValueError:
                    continue

    def _read_stderr(self) -> None:
        text = bytes(self.process.readAllStandardError()).decode("utf-8", "replace")
        lines = [line for line in text.splitlines() if line.strip()]
        self._stderr = (self._stderr + lines)[-20:]
        if lines:
            self.status.setText(lines[-1])

    def _add_run(self, run: dict) -> None:
        self.results.append(run)
        row = self.runs.rowCount()
        self.runs.insertRow(row)
        loss = run.get("val_loss")
        values = [run.get("model", ""), str(run.get("seed", "")),
                  "-" if loss is None else f"{loss:.4f}", f"{run.get('tokens', 0):,}",
                  f"{run.get('flops', 0):.2g}", f"{run.get('seconds', 0):.1f}"]
        for col, value in enumerate(values):
            self.runs.setItem(row, col, QTableWidgetItem(value))
        self.progress.setMaximum(max(self._total, len(self.results)))
        self.progress.setValue(len(self.results))

    def _on_finished(self, code: int, _status: Any) -> None:
        self._read_stdout()
        self.process = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        try:
            self.load_folder(self.folder, save_pictures=True)
        except Exception as err:  # noqa: BLE001 - shown, never raised into Qt
            reason = self._stderr[-1] if self._stderr else f"exit code {code}"
            self.status.setText(f"The experiment ended without results: {reason} ({err})")
        self.experiment_done.emit(str(self.folder))

    # -- results ---------------------------------------------------------------------------
    def load_folder(self, folder: Path, save_pictures: bool = False) -> None:
        """Show a finished (or reopened) experiment folder; with ``save_pictures``, write
        the plots as PNG and the report that shows them."""
        from olm.experiment.results import read_experiment, write_experiment

        folder = Path(folder)
        self.folder = folder
        sweep_file = folder / "sweep.json"
        if sweep_file.is_file():
            data = json.loads(sweep_file.read_text(encoding="utf-8"))
            sweeps = [data] + ([data["second"]] if data.get("second") else [])
            self.scaling.set_sweeps(sweeps, data.get("crossing"))
            self.tabs.setCurrentWidget(self.scaling)
            fit = data.get("fit")
            text = (f"L(C) = {fit['E']:.3f} + {fit['A']:.3g}·C^-{fit['alpha']:.3f}"
                    if fit else "no fit: " + "; ".join(data.get("notes", [])))
            self.data = data
            self.verdict.setText(text)
            if save_pictures:
                self._save(self.scaling, folder / "scaling.png")
            self.status.setText(f"Saved in {folder}")
            return
        data = read_experiment(folder)
        self.data = data
        if not self.results:
            for run in data.get("runs", []):
                self._add_run(run)
        self.dots.set_data(data)
        self.tabs.setCurrentWidget(self.dots)
        self.verdict.setText(data.get("verdict", ""))
        if save_pictures:
            self._save(self.dots, folder / "comparison.png")
            write_experiment(folder, data, "Lesson: what each swap buys" if self.lesson
                             else "Comparison", images=["comparison.png"])
        notes = "; ".join(data.get("notes", []))
        self.status.setText(f"Saved in {folder}" + (f" ({notes})" if notes else ""))

    def _save(self, widget: QWidget, path: Path) -> None:
        current = self.tabs.currentWidget()
        self.tabs.setCurrentWidget(widget)
        widget.grab().save(str(path))
        self.tabs.setCurrentWidget(current)


def _row(layout: QHBoxLayout, parent: QWidget) -> QWidget:
    holder = QWidget(parent)
    holder.setLayout(layout)
    layout.setContentsMargins(0, 0, 0, 0)
    return holder


def _checked(on: bool):  # noqa: ANN202 - a Qt.CheckState
    from PySide6.QtCore import Qt

    return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked


def open_experiment(window: QWidget, lesson: bool = False) -> ExperimentDialog:
    """Show the Experiment dialog for ``window``'s canvas (Train → Experiment…, and the
    lesson panel's "Measure each swap")."""
    controller = getattr(window, "controller", None)
    graph = getattr(controller, "graph", None)
    dialog = ExperimentDialog(graph if graph is not None and graph.nodes else None,
                              lesson=lesson, parent=window)
    dialog.show()
    return dialog
