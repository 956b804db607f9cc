"""Sampling on demand: the selected run's checkpoint (or the opened weights) continues a
prompt in an ``olm generate`` child, and the text lands in the Samples tab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from olm_studio.training.sampler import SampleProcess

if TYPE_CHECKING:
    from olm_studio.training.panel import TrainPanel

__all__ = ["SampleControl"]


class SampleControl(QObject):
    """Starts samples for the panel's selected run and shows what comes back.

    Args:
        panel: the Train panel (its runs, Samples tab and opened weights).
        command: how to run `olm` (default: this Python ``-m olm``).
    """

    def __init__(self, panel: TrainPanel, command: list[str] | None = None) -> None:
        super().__init__(panel)
        self.p = panel
        self.prompt = ""
        self.sampler = SampleProcess(command, self)
        self.sampler.finished.connect(self._on_done)
        self.sampler.failed.connect(self._on_failed)

    def sample(self, prompt: str, max_new_tokens: int = 100) -> bool:
        """Sample from the selected run's latest checkpoint; the text lands in Samples."""
        p = self.p
        run = p.runs_tab.get(p.runs_list.current_id())
        checkpoint = run.latest_checkpoint() if run is not None else None
        if checkpoint is None:
            checkpoint = p.finetune.source  # the opened pretrained weights
        if checkpoint is None or self.sampler.is_running():
            return False
        self.prompt = prompt
        view = p.samples_view
        view.set_available(False, "Sampling…")
        chat = view.chat.isChecked() and not view.chat.isHidden()
        self.sampler.start(str(checkpoint), prompt, max_new_tokens, chat=chat)
        return True

    def _on_done(self, text: str) -> None:
        self.p.samples_view.append(f"prompt {self.prompt!r}", text)
        self.p.samples_view.set_available(True, "")

    def _on_failed(self, reason: str) -> None:
        self.p.samples_view.set_available(True, f"Sampling failed: {reason}")
