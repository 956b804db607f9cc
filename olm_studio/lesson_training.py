"""The lesson's "Train both at trial scale": the learner's model, then the original, trained.

At the end of a lesson the learner wants the curves of what they built beside those of the
model they started from. The button used to switch to the Train workspace and start
nothing. This starts both runs through the Train panel's own start path
(:meth:`TrainPanel.start_training`: its pre-flight, run store and child process), one
after the other (the panel trains one run at a time), with "Train at trial scale" ticked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["TrainBoth"]


class TrainBoth(QObject):
    """Queues the lesson's model and its starting preset on the Train panel.

    Signals:
        started(str): a run of the queue started (its id).
        refused(str): a run could not start (the panel's status text says why).
    """

    started = Signal(str)
    refused = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.pending: list[Any] = []
        self.run_ids: list[str] = []
        self._launching = False
        window.train.run_started.connect(self._on_started)
        window.train.run_ended.connect(self._next)

    def _on_started(self, run_id: str) -> None:
        if self._launching:
            self.run_ids.append(run_id)
            self.started.emit(run_id)

    def start(self, start_preset: str) -> bool:
        """Train the open model, then ``start_preset`` as it was, both at trial scale."""
        import olm.graph

        self.w.set_workspace("train")
        self.pending = [olm.graph.from_source(start_preset)]
        self.run_ids = []
        return self._launch(self.w.controller.graph)

    def _launch(self, graph: Any) -> bool:
        panel = self.w.train
        current = self.w.controller.graph
        panel.set_graph(graph)  # may bring back the settings kept for that model
        panel.form.trial.setChecked(True)
        self._launching = True
        try:
            ok = panel.start_training()
        finally:
            self._launching = False
            if graph is not current:
                panel.set_graph(current)  # the form and checks follow the canvas again
        if not ok:
            self.pending = []
            self.refused.emit(panel.status_label.text())
        return ok

    def _next(self, run_id: str, status: str, _reason: str) -> None:
        if not self.pending or (self.run_ids and run_id != self.run_ids[-1]):
            return
        if status == "failed":
            self.pending = []
            return
        self._launch(self.pending.pop(0))
