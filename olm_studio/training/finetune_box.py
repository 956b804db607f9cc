"""Fine-tuning opened pretrained weights: the "Continue from these weights" box.

File → Open pretrained… tells the panel what was opened; this box then offers to start
the run from those weights (``olm train --init-from``) with the library's fine-tuning
learning rate, and adds the weights and frozen nodes to the run's settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QWidget

if TYPE_CHECKING:
    from olm.train import TrainConfig
    from olm_studio.training.form import SettingsForm

__all__ = ["FineTuneBox"]


class FineTuneBox(QCheckBox):
    """Checked: the next run starts from the opened pretrained weights.

    Args:
        form: the settings form whose learning rate a fine-tune sets.
    """

    def __init__(self, form: SettingsForm, parent: QWidget | None = None) -> None:
        super().__init__("Continue from these weights", parent)
        self.form = form
        self.source: str | None = None  # weights opened with File → Open pretrained…
        self.frozen: list[str] = []
        self.setObjectName("continue_from_weights")
        self.setToolTip("Fine-tune: start from the opened pretrained weights "
                        "(olm train --init-from), with a fine-tuning learning rate")
        self.toggled.connect(self._on_toggled)
        self.setVisible(False)

    def set_pretrained(self, source: str | None, frozen: list[str] | None = None) -> None:
        """The opened weights (None: closed) and the nodes frozen for fine-tuning."""
        self.source, self.frozen = source, list(frozen or [])
        self.setVisible(source is not None)
        self.setChecked(source is not None)
        self.form.set_from_weights(source is not None and self.isChecked())

    def use_finetune_lr(self) -> None:
        """Put the library's fine-tuning learning rate in the form (when checked)."""
        if self.source is not None and self.isChecked():
            from olm.train.finetune import FINETUNE_LR

            self.form.lr.setText(f"{FINETUNE_LR:g}")

    def _on_toggled(self, on: bool) -> None:
        # the form shows what the run will use: the weights' tokenizer, no trial scale
        self.form.set_from_weights(on and self.source is not None)
        if on:
            self.use_finetune_lr()

    def apply(self, config: TrainConfig) -> TrainConfig:
        """``config`` starting from the opened weights when the box is checked."""
        if self.source is None or not self.isChecked():
            return config
        from olm.train.derived import replace_settings  # the fine-tune warmup follows

        return replace_settings(config, init_from=self.source, freeze=list(self.frozen))
