"""Beside a trial-scale run: both sizes in one line, and the button that carries the
trial's sizes back to the canvas (as an intent signal; the main window edits)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from olm_studio.training.runs import Run

__all__ = ["TrialBox"]


class TrialBox(QWidget):
    """What the selected trial-scale run trained, and "Apply trial sizes".

    Signals:
        apply_requested(object): the trial document whose sizes go to the canvas.
    """

    apply_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc: Any = None
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.button = QPushButton("Apply trial sizes")
        self.button.setToolTip("set the canvas's sizes to the selected trial-scale run's "
                               "(one undoable edit)")
        self.button.clicked.connect(self.apply)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.label)
        box.addWidget(self.button)
        self.button.setVisible(False)

    def show_run(self, run: Run | None) -> None:
        """Show ``run``'s two sizes (nothing for a full-scale run or no run)."""
        from olm_studio.training.trial_view import trial_documents, trial_summary

        docs = trial_documents(run.path) if run is not None else None
        self.doc = docs[1] if docs else None
        self.label.setText(trial_summary(*docs) if docs else "")
        self.button.setVisible(docs is not None)

    def apply(self) -> bool:
        """Ask that the selected trial run's sizes go to the canvas (False: none)."""
        if self.doc is None:
            return False
        self.apply_requested.emit(self.doc)
        return True
