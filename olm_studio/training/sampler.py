"""Sampling on demand: `olm generate CHECKPOINT --prompt ...` in a QProcess.

Loading a checkpoint and sampling can take seconds, so it runs as a child like training
does; the prompt box stays usable and a bad checkpoint is a message, not a crash.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QProcess, Signal

from olm_studio.training.runner import child_environment, failure_reason, olm_command

__all__ = ["SampleProcess"]


class SampleProcess(QObject):
    """One `olm generate` child at a time.

    Signals:
        finished(str): the generated text.
        failed(str): why no text came back.

    Args:
        command: the program and leading arguments (default: this Python ``-m olm``).
        parent: the owning QObject.
    """

    finished = Signal(str)
    failed = Signal(str)

    def __init__(self, command: list[str] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._command = command or olm_command()
        self._process = QProcess(self)
        self._process.setProcessEnvironment(child_environment())
        self._process.finished.connect(self._on_finished)
        self._process.errorOccurred.connect(self._on_error)
        self._busy = False

    def is_running(self) -> bool:
        return self._busy

    def start(self, checkpoint: str, prompt: str, max_new_tokens: int = 200,
              device: str = "cpu", chat: bool = False) -> None:
        """Sample ``max_new_tokens`` after ``prompt`` from ``checkpoint`` (with ``chat``:
        the prompt is a user message in the tokenizer's chat template; the reply stops at
        end of turn)."""
        if self._busy:
            raise RuntimeError("a sample is already being generated")
        self._busy = True
        args = ["generate", checkpoint, "--prompt", prompt,
                "--max-new-tokens", str(max_new_tokens), "--device", device]
        if chat:
            args.append("--chat")
        self._process.start(self._command[0], self._command[1:] + args)

    def cancel(self) -> None:
        if self._busy:
            self._process.kill()

    def wait(self, timeout_ms: int) -> bool:
        if self._busy:
            self._process.waitForFinished(timeout_ms)
        return not self._busy

    def _on_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        if not self._busy:
            return
        self._busy = False
        out = bytes(self._process.readAllStandardOutput().data()).decode("utf-8", "replace")
        err = bytes(self._process.readAllStandardError().data()).decode("utf-8", "replace")
        crashed = exit_status == QProcess.ExitStatus.CrashExit
        if crashed or exit_code != 0:
            self.failed.emit(failure_reason(err.splitlines(), exit_code, crashed))
        else:
            self.finished.emit(out.rstrip("\n"))

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._busy:
            self._busy = False
            self.failed.emit(f"could not start {self._command[0]}: {self._process.errorString()}")
