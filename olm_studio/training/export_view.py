"""The Export tab: the selected run's checkpoint, its Python source, a Hugging Face folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from olm.core.errors import OLMError
from olm_studio.background import Cancel, Task, run_in_background
from olm_studio.training import export

__all__ = ["ExportView"]


class ExportView(QWidget):
    """Three export buttons acting on one run (or, for Python, the model being edited).

    Args:
        parent: the owning widget.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._checkpoint: Path | None = None
        self._graph: Any = None
        self.hf_reason: str | None = None
        self.hf_checked = False  # hf_reason is known for the current model
        self.hf_check: Task | None = None
        self._hf_next: Any = None  # a target still to check once the running check ends
        self.title = QLabel("Select a run to export.")
        self.title.setWordWrap(True)
        self.checkpoint_button = QPushButton("Checkpoint folder…")
        self.checkpoint_button.setToolTip("weights (safetensors), graph and tokenizer; "
                                          "`olm generate` and `olm train --resume` read it")
        self.python_button = QPushButton("Python source…")
        self.python_button.setToolTip("one standalone .py file that builds the model")
        self.hf_button = QPushButton("Hugging Face folder…")
        self.hf_note = QLabel("")
        self.hf_note.setWordWrap(True)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.checkpoint_button.clicked.connect(lambda: self._ask_folder(self.export_checkpoint))
        self.hf_button.clicked.connect(lambda: self._ask_folder(self.export_hf))
        self.python_button.clicked.connect(self._ask_python)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.checkpoint_button, self.python_button, self.hf_button,
                       self.hf_note, self.result):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.set_target(None, None, "")

    def show_run(self, run: Any, graph: Any) -> None:
        """Export ``run`` (its checkpoint and the graph it trained), or with no run the
        model being edited (``graph``)."""
        if run is None:
            self.set_target(None, graph, "the model being edited")
            return
        try:
            graph = run.graph()
        except (OLMError, OSError):
            pass  # a run without its graph file exports the model being edited
        self.set_target(run.latest_checkpoint(), graph, run.name)

    def set_target(self, checkpoint: Path | None, graph: Any, label: str) -> None:
        """What to export: a run's checkpoint (may be None) and the graph for Python.

        It is called whenever the run, its checkpoint or the model changes, so the last
        export's message, which was about the earlier state, is cleared.
        """
        self.result.setText("")
        self._checkpoint, self._graph = checkpoint, graph
        self.checkpoint_button.setEnabled(checkpoint is not None)
        self.python_button.setEnabled(graph is not None)
        # Whether the model maps to Hugging Face is found by building it on meta, which
        # took seconds for DeepSeek-V3 and froze the switch to Train: off the UI thread.
        self.hf_reason = None
        self.hf_button.setEnabled(False)
        self.hf_note.setText("")
        if graph is not None:
            self.hf_checked = False
            self._hf_next = graph
            if self.hf_check is None or not self.hf_check.running:
                self._check_hf()
        if checkpoint is None and graph is None:
            self.title.setText("Select a run to export.")
        elif checkpoint is None:
            self.title.setText(f"{label}: no checkpoint yet (Python source only)")
        else:
            self.title.setText(f"{label}\n{checkpoint}")

    def _check_hf(self) -> None:
        """Check the latest target, one check at a time: each builds the whole model, and
        several at once (one per edit) starved the GUI thread of the GIL."""
        graph, self._hf_next = self._hf_next, None
        if graph is None:
            return
        document = graph.to_dict() if hasattr(graph, "to_dict") else None
        snapshot = graph.copy() if document is None and hasattr(graph, "copy") else graph
        self.hf_check = run_in_background(
            self.window(), "Checking the Hugging Face form…",
            lambda cancel: _export_problem(document, snapshot),
            lambda reason, g=graph: self._show_hf(g, reason), show_after_ms=None)
        self.hf_check.ended.connect(self._check_hf)  # then the target set meanwhile, if any

    def _show_hf(self, graph: Any, reason: str | None) -> None:
        if graph is not self._graph:
            return  # the target changed meanwhile; its own check will answer
        self.hf_reason, self.hf_checked = reason, True
        self.hf_button.setEnabled(self._checkpoint is not None and reason is None)
        self.hf_button.setToolTip(
            f"not available: {reason}" if reason
            else "a folder transformers loads (config.json, model.safetensors, tokenizer)")
        self.hf_note.setText(f"Hugging Face: {reason}" if reason else "")

    # -- the exports, callable without dialogs --------------------------------------
    def export_checkpoint(self, dest: str | Path) -> Path:
        if self._checkpoint is None:
            raise OLMError("no checkpoint to export: train or select a run first")
        return export.export_checkpoint(self._checkpoint, dest)

    def export_python(self, dest: str | Path) -> Path:
        if self._graph is None:
            raise OLMError("no model to export")
        return export.export_python(self._graph, dest)

    def export_hf(self, dest: str | Path) -> Path:
        if self._checkpoint is None:
            raise OLMError("no checkpoint to export: train or select a run first")
        return export.export_hf(self._checkpoint, dest)

    # -- dialogs ---------------------------------------------------------------------
    def _run(self, action: Any, dest: str) -> Task:
        """Export off the UI thread (weights can take seconds to write); say how it went."""
        def failed(message: str) -> None:
            self.result.setText(f"Not exported: {message}")

        def work(cancel: Cancel) -> Path:
            try:
                return action(dest)
            except OSError as err:
                raise OLMError(f"{err.strerror or err}: {err.filename or dest}") from err

        self.result.setText("Exporting…")
        self.task = run_in_background(self.window(), f"Exporting to {dest}…", work,
                                      lambda path: self.result.setText(f"Exported to {path}"),
                                      failed)
        return self.task

    def _ask_folder(self, action: Any) -> None:
        dest, _ = QFileDialog.getSaveFileName(self, "Export to a new folder")
        if dest:
            self._run(action, dest)

    def _ask_python(self) -> None:
        dest, _ = QFileDialog.getSaveFileName(self, "Export Python source", "model.py",
                                              "Python (*.py)")
        if dest:
            self._run(self.export_python, dest)


def _export_problem(document: dict | None, graph: Any) -> str | None:
    """olm's answer, from the check process for a document (:mod:`olm_studio.checker`:
    building the model here held the GIL against painting), else built here."""
    if document is not None:
        from olm_studio.checker.client import ask

        reply = ask({"kind": "export", "graph": document})
        if "error" in reply:
            return reply["error"]
        return reply["reason"]
    from olm.interop.hf.problems import export_problem

    return export_problem(graph)
