"""The Train settings form: data, tokenizer, batch, sequence, learning rate, steps, device.

It only edits a :class:`TrainSettings`; it never starts anything. Defaults are the
"keep everything and press Train" trial run: built-in corpus, byte tokenizer, a few
hundred steps, device auto.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from olm_studio.training.settings import DEVICES, PRECISIONS, TrainSettings

__all__ = ["SettingsForm"]

_DATA_LABELS = {"builtin": "Built-in corpus (Python standard library)",
                "file": "Text file…", "folder": "Folder of text files…"}
_TOKENIZER_LABELS = {"byte": "Byte-level (256 ids)", "bpe": "BPE trained on the data",
                     "file": "tokenizer.json…"}


def _spin(low: int, high: int, value: int, step: int = 1) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setValue(value)
    spin.setAccelerated(True)
    return spin


class _PathField(QWidget):
    """A line edit with a Browse button (file or folder)."""

    def __init__(self, placeholder: str) -> None:
        super().__init__()
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.button = QPushButton("Browse…")
        self.button.clicked.connect(self._browse)
        self.folder = False
        self.filter = "Text files (*.txt *.md *.py);;All files (*)"
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)

    def _browse(self) -> None:
        if self.folder:
            path = QFileDialog.getExistingDirectory(self, "Choose a folder", self.edit.text())
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Choose a file", self.edit.text(),
                                                  self.filter)
        if path:
            self.edit.setText(path)


class SettingsForm(QWidget):
    """Edits the settings of the next run.

    Signals:
        changed(): any field changed (the panel re-runs its pre-flight checks).

    Args:
        parent: the owning widget.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Settings without a widget (eval/sample intervals, seed) ride along unchanged.
        self._base = TrainSettings()
        self.data_kind = QComboBox()
        for key, label in _DATA_LABELS.items():
            self.data_kind.addItem(label, key)
        self.data_path = _PathField("path to a text file or folder")
        self.tokenizer_kind = QComboBox()
        for key, label in _TOKENIZER_LABELS.items():
            self.tokenizer_kind.addItem(label, key)
        self.bpe_vocab = _spin(257, 1_000_000, 1024, 256)
        self.tokenizer_path = _PathField("path to tokenizer.json")
        self.tokenizer_path.filter = "Tokenizer (*.json);;All files (*)"
        self.batch_size = _spin(1, 4096, 8)
        self.seq_len = _spin(2, 131_072, 128, 64)
        self.lr = QLineEdit("0.001")
        validator = QDoubleValidator(1e-9, 10.0, 9)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.lr.setValidator(validator)
        self.steps = _spin(1, 10_000_000, 300, 50)
        self.device = QComboBox()
        self.device.addItems(list(DEVICES))
        self.precision = QComboBox()
        self.precision.addItems(list(PRECISIONS))

        for combo in (self.data_kind, self.tokenizer_kind):  # long labels must not widen the dock
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Data", self.data_kind)
        form.addRow("", self.data_path)
        form.addRow("Tokenizer", self.tokenizer_kind)
        form.addRow("BPE vocab", self.bpe_vocab)
        form.addRow("", self.tokenizer_path)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Sequence length", self.seq_len)
        form.addRow("Learning rate", self.lr)
        form.addRow("Steps", self.steps)
        form.addRow("Device", self.device)
        form.addRow("Precision", self.precision)
        self._form = form

        for combo in (self.data_kind, self.tokenizer_kind, self.device, self.precision):
            combo.currentIndexChanged.connect(self._on_change)
        for spin in (self.bpe_vocab, self.batch_size, self.seq_len, self.steps):
            spin.valueChanged.connect(self._on_change)
        for edit in (self.lr, self.data_path.edit, self.tokenizer_path.edit):
            edit.textChanged.connect(self._on_change)
        self._sync_visibility()

    def _on_change(self, *_args: object) -> None:
        self._sync_visibility()
        self.changed.emit()

    def _sync_visibility(self) -> None:
        kind = self.data_kind.currentData()
        self._form.setRowVisible(self.data_path, kind != "builtin")
        self.data_path.folder = kind == "folder"
        tok = self.tokenizer_kind.currentData()
        self._form.setRowVisible(self.bpe_vocab, tok == "bpe")
        self._form.setRowVisible(self.tokenizer_path, tok == "file")

    def settings(self) -> TrainSettings:
        """The settings as the form shows them (not validated; see ``validate``)."""
        try:
            lr = float(self.lr.text())
        except ValueError:
            lr = float("nan")
        return dataclasses.replace(
            self._base,
            data_kind=self.data_kind.currentData(),
            data_path=self.data_path.edit.text().strip(),
            tokenizer_kind=self.tokenizer_kind.currentData(),
            bpe_vocab=self.bpe_vocab.value(),
            tokenizer_path=self.tokenizer_path.edit.text().strip(),
            batch_size=self.batch_size.value(),
            seq_len=self.seq_len.value(),
            lr=lr,
            steps=self.steps.value(),
            device=self.device.currentText(),
            precision=self.precision.currentText(),
        )

    def set_settings(self, settings: TrainSettings) -> None:
        """Show ``settings`` (e.g. to repeat a past run); fields without a widget are kept."""
        self._base = dataclasses.replace(settings)
        self.data_kind.setCurrentIndex(self.data_kind.findData(settings.data_kind))
        self.data_path.edit.setText(settings.data_path)
        self.tokenizer_kind.setCurrentIndex(self.tokenizer_kind.findData(settings.tokenizer_kind))
        self.bpe_vocab.setValue(settings.bpe_vocab)
        self.tokenizer_path.edit.setText(settings.tokenizer_path)
        self.batch_size.setValue(settings.batch_size)
        self.seq_len.setValue(settings.seq_len)
        self.lr.setText(f"{settings.lr:g}")
        self.steps.setValue(settings.steps)
        self.device.setCurrentText(settings.device)
        self.precision.setCurrentText(settings.precision)
        self._sync_visibility()
