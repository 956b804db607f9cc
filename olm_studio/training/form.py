"""The Train settings form: data, tokenizer, batch, sequence, learning rate, steps, device.

The fields sit in four collapsible groups (Data, Model size, Optimisation, Telemetry),
each a short form whose long rows wrap under their label, so the column fits a 1280x800
screen without scrolling sideways.

It edits an :class:`olm.train.TrainConfig` (the library's one definition of a run's
settings and their rules); it never starts anything and has no rules of its own.
Defaults are the "keep everything and press Train" trial run: built-in corpus, byte
tokenizer, a few hundred steps, device auto.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from olm.train import TrainConfig
from olm.train.derived import derived_settings
from olm.train.device_names import DEVICE_NAMES, parse_device
from olm_studio.training.trial import TRIAL

__all__ = ["SettingsForm", "FormGroup", "DEVICES", "PRECISIONS"]

DEVICES: tuple[str, ...] = DEVICE_NAMES  # olm owns the device grammar
PRECISIONS = {"auto": True, "fp32": False}  # bf16 autocast on CUDA (use_amp), or never
BUDGETS: tuple[str, ...] = ("1m", "3m", "5m", "10m", "30m")


_DATA_LABELS = {"builtin": "Built-in corpus (Python standard library)",
                "file": "Text file…", "folder": "Folder of text files…"}
_TOKENIZER_LABELS = {"byte": "Byte-level (256 ids)", "bpe": "BPE trained on the data",
                     "file": "tokenizer.json…"}
WEIGHTS_TOKENIZER = "The model's own (from its weights)"
"""What the Tokenizer row shows while a run continues from pretrained weights."""
TRIAL_OFF_TIP = ("Off while continuing from pretrained weights: they train at their own size "
                 "(a smaller copy would throw them away)")


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


class FormGroup(QWidget):
    """A titled group of form rows that folds away with its header's arrow."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.header = QToolButton()
        self.header.setText(title)
        self.header.setCheckable(True)
        self.header.setChecked(True)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setArrowType(Qt.ArrowType.DownArrow)
        self.header.setAutoRaise(True)
        self.header.setObjectName("formGroupHeader")
        self.body = QWidget()
        self.form = QFormLayout(self.body)
        self.form.setContentsMargins(14, 0, 0, 4)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.header)
        box.addWidget(self.body)
        self.header.toggled.connect(self.set_open)

    def set_open(self, on: bool) -> None:
        """Show (True) or fold away (False) the group's rows."""
        self.header.setChecked(on)
        self.header.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.body.setVisible(on)


def _wrapping(box: QCheckBox) -> QCheckBox:
    """A checkbox whose long text never sets the column's minimum width."""
    box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    return box


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
        # Kept as given (warmup_steps/min_lr None), so TrainConfig derives them from the
        # steps and lr the form shows rather than from a stale earlier value.
        self._base: dict = dict(TRIAL)
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
        self.telemetry = _spin(0, 1_000_000, int(self._base.get("telemetry", 10)), 5)
        self.telemetry.setSpecialValueText("off")
        self.telemetry.setPrefix("every ")
        self.telemetry.setSuffix(" steps")
        self.telemetry_cost = QLabel()
        self.telemetry_cost.setObjectName("telemetry_cost")
        self.telemetry_cost.setWordWrap(True)
        # Trial scale (olm.train.trial): the same recipe, sized to finish in the budget.
        self.trial = QCheckBox("Train at trial scale")
        self._trial_tip = ("Train a smaller copy with the same recipe (components and "
                           "options), sized to finish within the budget on this machine")
        self.trial.setToolTip(self._trial_tip)
        self.trial.setChecked(bool(TRIAL.get("trial", False)))
        self.budget = QComboBox()
        self.budget.setEditable(True)
        self.budget.addItems(list(BUDGETS))
        self.budget.setCurrentText(str(TRIAL.get("budget", "3m")))
        self.fit_vocab = QCheckBox("Fit vocabulary to the tokenizer")
        self.fit_vocab.setToolTip("Set the model's vocab_size to the tokenizer's (--fit-vocab)")

        for combo in (self.data_kind, self.tokenizer_kind):  # long labels must not widen the dock
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        self.groups = {name: FormGroup(name) for name in
                       ("Data", "Model size", "Optimisation", "Telemetry")}
        data, size = self.groups["Data"].form, self.groups["Model size"].form
        optim, telemetry = self.groups["Optimisation"].form, self.groups["Telemetry"].form
        data.addRow("Data", self.data_kind)
        data.addRow(self.data_path)
        data.addRow("Tokenizer", self.tokenizer_kind)
        data.addRow("BPE vocab", self.bpe_vocab)
        data.addRow(self.tokenizer_path)
        size.addRow(_wrapping(self.trial))
        size.addRow("Budget", self.budget)
        size.addRow(_wrapping(self.fit_vocab))
        optim.addRow("Batch size", self.batch_size)
        optim.addRow("Sequence length", self.seq_len)
        optim.addRow("Learning rate", self.lr)
        optim.addRow("Steps", self.steps)
        optim.addRow("Device", self.device)
        optim.addRow("Precision", self.precision)
        telemetry.addRow("Collect", self.telemetry)
        telemetry.addRow(self.telemetry_cost)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        for group in self.groups.values():
            column.addWidget(group)
        self._rows = {self.data_path: data, self.bpe_vocab: data, self.tokenizer_path: data,
                      self.budget: size}

        for combo in (self.data_kind, self.tokenizer_kind, self.device, self.precision):
            combo.currentIndexChanged.connect(self._on_change)
        for spin in (self.bpe_vocab, self.batch_size, self.seq_len, self.steps, self.telemetry):
            spin.valueChanged.connect(self._on_change)
        for edit in (self.lr, self.data_path.edit, self.tokenizer_path.edit):
            edit.textChanged.connect(self._on_change)
        for box in (self.trial, self.fit_vocab):
            box.toggled.connect(self._on_change)
        self.budget.currentTextChanged.connect(self._on_change)
        self._from_weights = False
        self._sync_visibility()

    def set_from_weights(self, on: bool) -> None:
        """Show what a run from pretrained weights really uses: their own tokenizer (the run
        takes it from the weights, whatever the row said) and no trial scale (``olm train``
        turns it off), with both rows locked until the run no longer starts from weights."""
        if on == self._from_weights:
            return
        self._from_weights = on
        if on:
            self._before_weights = (self.tokenizer_kind.currentIndex(), self.trial.isChecked(),
                                    self.fit_vocab.isChecked())
            self.tokenizer_kind.addItem(WEIGHTS_TOKENIZER, "weights")
            self._show_weights()
        else:
            index, trial, fit = self._before_weights
            self.tokenizer_kind.setCurrentIndex(index)
            self.tokenizer_kind.removeItem(self.tokenizer_kind.findData("weights"))
            self.trial.setChecked(trial)
            self.fit_vocab.setChecked(fit)
        for widget in (self.tokenizer_kind, self.trial, self.fit_vocab):
            widget.setEnabled(not on)
        self.trial.setToolTip(TRIAL_OFF_TIP if on else self._trial_tip)
        self._on_change()

    def _show_weights(self) -> None:
        self.tokenizer_kind.setCurrentIndex(self.tokenizer_kind.findData("weights"))
        self.trial.setChecked(False)
        self.fit_vocab.setChecked(False)

    def _on_change(self, *_args: object) -> None:
        self._sync_visibility()
        self.changed.emit()

    def _sync_visibility(self) -> None:
        every = self.telemetry.value()
        # one collection costs about 4% of a step (benchmarks/telemetry_overhead.py)
        self.telemetry_cost.setText("" if every == 0 else f"≈{4 / every:.2g}% slower")
        self.telemetry.setToolTip("Per-node statistics painted on the graph (Telemetry tab); "
                                  "each collection costs about 4% of one step")
        kind = self.data_kind.currentData()
        self._rows[self.data_path].setRowVisible(self.data_path, kind != "builtin")
        self.data_path.folder = kind == "folder"
        tok = self.tokenizer_kind.currentData()
        self._rows[self.bpe_vocab].setRowVisible(self.bpe_vocab, tok == "bpe")
        self._rows[self.tokenizer_path].setRowVisible(self.tokenizer_path, tok == "file")
        self._rows[self.budget].setRowVisible(self.budget, self.trial.isChecked())

    def config(self) -> TrainConfig:
        """The settings as the form shows them, as a validated :class:`TrainConfig`.

        Raises:
            ConfigError: a setting breaks one of the library's rules (the panel shows it).
        """
        try:
            lr = float(self.lr.text())
        except ValueError:
            lr = math.nan
        data_kind = self.data_kind.currentData()
        tokenizer_kind = self.tokenizer_kind.currentData()
        tokenizer = {"byte": "byte", "bpe": f"bpe:{self.bpe_vocab.value()}",
                     "file": self.tokenizer_path.edit.text().strip(),
                     "weights": "byte"}[tokenizer_kind]  # the run uses the weights' own
        return TrainConfig(**{
            **self._base,
            "data": "builtin" if data_kind == "builtin" else self.data_path.edit.text().strip(),
            "tokenizer": tokenizer,
            "batch_size": self.batch_size.value(),
            "seq_len": self.seq_len.value(),
            "lr": lr,
            "steps": self.steps.value(),
            "device": self.device.currentText(),
            "use_amp": PRECISIONS[self.precision.currentText()],
            "telemetry": self.telemetry.value(),
            "trial": self.trial.isChecked() and not self._from_weights,
            "budget": self.budget.currentText().strip(),
            "fit_vocab": self.fit_vocab.isChecked(),
        })

    def config_or_none(self) -> TrainConfig | None:
        """:meth:`config`, or None while a setting breaks a rule (kept per project)."""
        from olm.core.errors import OLMError

        try:
            return self.config()
        except OLMError:
            return None

    def set_config(self, config: TrainConfig) -> None:
        """Show ``config`` (e.g. to repeat a past run); fields without a widget are kept."""
        self._base = config.to_json()
        self._base["betas"] = tuple(self._base["betas"])
        # values the rules derived stay derived, so editing steps or lr moves them too
        for name, value in derived_settings(config).items():
            if getattr(config, name) == value:
                self._base[name] = None
        data_kind = ("builtin" if config.data == "builtin"
                     else "folder" if Path(config.data).is_dir() else "file")
        self.data_kind.setCurrentIndex(self.data_kind.findData(data_kind))
        self.data_path.edit.setText("" if data_kind == "builtin" else config.data)
        tokenizer = config.tokenizer
        kind = "byte" if tokenizer == "byte" else "bpe" if tokenizer.startswith("bpe:") else "file"
        self.tokenizer_kind.setCurrentIndex(self.tokenizer_kind.findData(kind))
        if kind == "bpe" and tokenizer[4:].isdigit():
            self.bpe_vocab.setValue(int(tokenizer[4:]))
        self.tokenizer_path.edit.setText(tokenizer if kind == "file" else "")
        self.batch_size.setValue(config.batch_size)
        self.seq_len.setValue(config.seq_len)
        self.lr.setText(f"{config.lr:g}")
        self.steps.setValue(config.steps)
        self.device.setCurrentText(parse_device(config.device).kind)
        self.precision.setCurrentText("auto" if config.use_amp else "fp32")
        self.telemetry.setValue(config.telemetry)
        self.trial.setChecked(config.trial)
        self.budget.setCurrentText(config.budget)
        self.fit_vocab.setChecked(config.fit_vocab)
        if self._from_weights:  # shown again once the run no longer starts from weights
            self._before_weights = (self.tokenizer_kind.currentIndex(), config.trial,
                                    config.fit_vocab)
            self._show_weights()
        self._sync_visibility()
