"""The Summary tab: the ``torchinfo`` table of the built model for a small input.

The model is built on the ``meta`` device and run on a meta tensor, so even a 405B model
is summarised without allocating a single weight. It is recomputed only when the tab is
visible and the document changed (a big model takes seconds, so it waits for a click).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from olm_studio.controller import DocumentController

__all__ = ["SummaryPanel", "summary_text"]

AUTO_LIMIT = 3_000_000_000  # params; bigger models are summarised on request


def summary_text(graph, seq_len: int = 16, depth: int = 4) -> str:  # noqa: ANN001
    """The torchinfo table of ``graph`` built on meta, for ids of shape [1, seq_len]."""
    import torch
    import torchinfo

    from olm.graph.to_module import build

    model = build(graph, device="meta")
    ids = torch.zeros(1, seq_len, dtype=torch.long, device="meta")
    result = torchinfo.summary(model, input_data=[ids], device="meta", depth=depth, verbose=0,
                               col_names=("output_size", "num_params"),
                               row_settings=("var_names",))
    return str(result)


class SummaryPanel(QWidget):
    """Shows :func:`summary_text` for the open document.

    Args:
        controller: the document controller.
        parent: the owning widget.
    """

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.seq = QSpinBox(self)
        self.seq.setRange(1, 8192)
        self.seq.setValue(16)
        self.seq.setPrefix("tokens: ")
        self.depth = QSpinBox(self)
        self.depth.setRange(1, 10)
        self.depth.setValue(4)
        self.depth.setPrefix("depth: ")
        self.button = QPushButton("Compute summary", self)
        self.button.clicked.connect(self.refresh)
        self.note = QLabel("", self)
        bar = QHBoxLayout()
        bar.addWidget(self.seq)
        bar.addWidget(self.depth)
        bar.addWidget(self.button)
        bar.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.text)
        self.stale = True

    def mark_stale(self) -> None:
        """The document changed; recompute next time the tab is shown."""
        self.stale = True

    def refresh_if_stale(self) -> None:
        """Recompute now if stale and the model is small enough to do it unasked."""
        if not self.stale:
            return
        total = self.controller.figures.counts.get(self.controller.graph.root, 0)
        if self.controller.figures.errors:
            self.text.setPlainText("The model has errors (see Diagnostics); fix them to see its "
                                   "summary.")
            return
        if total > AUTO_LIMIT:
            self.note.setText("Large model: click Compute (takes a few seconds, no memory).")
            return
        self.refresh()

    def refresh(self) -> None:
        """Build on meta and show the torchinfo table (once PyTorch has loaded)."""
        from olm_studio.torch_loader import LOADING_TEXT, torch_loader

        loader = torch_loader()
        if not loader.is_ready:
            self.note.setText(LOADING_TEXT)
            self.text.setPlainText(f"{LOADING_TEXT} The summary follows when it has loaded.")
            loader.when_ready(self.refresh)
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            text = summary_text(self.controller.graph, self.seq.value(), self.depth.value())
            self.note.setText("built on the meta device: no weights allocated")
        except Exception as err:  # noqa: BLE001 - show why instead of failing the UI
            text = f"The summary could not be computed:\n{err}"
            self.note.setText("")
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.text.setPlainText(text)
        self.stale = False
