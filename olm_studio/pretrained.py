"""A pretrained model open in the Studio: its weights, what edits keep of them, Freeze.

File → Open pretrained… opens anything that carries weights (a Hugging Face folder, a
project with its weights beside it, a checkpoint, a GGUF file) through
:func:`olm.store.pretrained.open_pretrained`. The canvas shows the architecture; the
status line says the weights are loaded (parameters, dtype, size). The weights stay
with this session, not the document: after each edit the edited document's model is
filled from them (:func:`olm.graph.weights.carry_weights`), and the nodes that did not
simply keep their weights (converted or re-initialised) are marked on the canvas and
counted on the status line. Model → Measure Loss Before/After scores the opened model and
the edited one on held-out text. Right-click → Freeze marks nodes a fine-tune leaves alone;
the Train panel's "Continue from these weights" starts ``olm train --init-from``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QMenu

from olm.core.errors import OLMError
from olm_studio.background import Cancel, Task, run_in_background, show_result

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["PretrainedSession"]

AUTO_CARRY_PARAMS = 300_000_000  # above this, edits are not re-carried on every change
PRETRAINED_FILTER = ("Models with weights (config.json *.olm.json *.gguf);;All files (*)")


class PretrainedSession(QObject):
    """The weights behind the open document, when it was opened from a pretrained model.

    Signals:
        changed(): opened, closed, edited (the carry report changed) or frozen set changed.
        measured(float, float): Measure Loss finished (before, after).
        exported(str): an export finished (its folder).

    Args:
        window: the main window.
    """

    changed = Signal()
    measured = Signal(float, float)  # held-out loss before and after the edits
    exported = Signal(str)  # the Hugging Face folder written

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.opened: Any = None  # olm.store.pretrained.Pretrained
        self.graph_at_open: Any = None
        self.frozen: set[str] = set()
        self.report: dict[str, str] = {}
        self._opening = False
        self.task: Task | None = None  # the last background action (open, measure, export)
        self._refreshing: Task | None = None  # carrying the weights after an edit
        self._refresh_again = False
        self.result_box: Any = None
        self.label = QLabel("")
        self.label.setObjectName("weights_label")
        window.statusBar().addPermanentWidget(self.label)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.refresh)
        c = window.controller
        c.structure_changed.connect(self._timer.start)
        c.content_changed.connect(self._timer.start)
        c.document_replaced.connect(self._on_replaced)
        extensions = getattr(window.canvas, "menu_extensions", None)
        if extensions is not None:
            extensions.append(self._extend_menu)

    # -- opening -----------------------------------------------------------------------
    @property
    def source(self) -> str | None:
        """What was opened (the path ``olm`` commands get), or None."""
        return None if self.opened is None else str(self.opened.path)

    def open_dialog(self) -> None:
        """File → Open pretrained…: choose a folder's config.json, a project or a GGUF file."""
        path, _ = QFileDialog.getOpenFileName(self.w, "Open pretrained model", "",
                                              PRETRAINED_FILTER)
        if path:
            self.open(Path(path).parent if Path(path).name == "config.json" else Path(path))

    def open(self, path: str | Path) -> Task | None:
        """Open ``path`` with its weights, reading them off the UI thread.

        Returns the background :class:`~olm_studio.background.Task` (None when the user
        kept unsaved changes); the document changes once the weights are read, and an
        error is told to the user.
        """
        if not self.w.files.maybe_save():
            return None
        path = Path(path)

        def work(cancel: Cancel) -> Any:
            # imported here, on the worker: importing transformers held the GUI for 1 s
            from olm.store.pretrained import describe_weights, open_pretrained

            opened = open_pretrained(path)
            return opened, describe_weights(opened.model)

        self.task = run_in_background(
            self.w, f"Opening {path.name} with its weights…",
            work, lambda outcome: self._show_opened(path, *outcome),
            lambda message: self.w.files.error("Cannot open pretrained model", message))
        return self.task

    def _show_opened(self, path: Path, opened: Any, weights: str) -> None:
        if opened.graph is None:
            self.w.files.error("Cannot open pretrained model", f"{path}: no model document")
            return
        self._opening = True
        try:
            project = opened.path if opened.kind == "project" else None
            self.w.controller.set_document(opened.graph.copy(), project)
        finally:
            self._opening = False
        self.opened, self.graph_at_open = opened, opened.graph.copy()
        self.frozen, self.report = set(), {}
        self._weights_text = f"Weights loaded: {weights}"
        self.label.setText(self._weights_text)
        self.w.statusBar().showMessage(f"{self._weights_text} from {opened.path}", 10000)
        self._tell_train_panel()
        self.changed.emit()

    def _on_replaced(self) -> None:
        if not self._opening and self.opened is not None:  # another document: forget
            self.opened = self.graph_at_open = None
            self.frozen, self.report = set(), {}
            self.label.setText("")
            self.w.canvas.diff = set()
            self._tell_train_panel()
            self.changed.emit()

    def _tell_train_panel(self) -> None:
        panel = self.w.train
        if hasattr(panel, "set_pretrained"):
            chat = bool(getattr(getattr(self.opened, "tokenizer", None), "chat_template", None))
            panel.set_pretrained(self.source, chat, sorted(self.frozen))

    # -- edits -------------------------------------------------------------------------
    def carried(self, graph: Any = None) -> tuple[Any, dict[str, str]]:
        """The edited document's model filled from the opened weights, and what happened
        per node (see :func:`olm.graph.weights.carry_weights`).

        ``graph`` (default: the open document) is what a worker thread gets: a copy taken
        on the GUI thread, so an edit meanwhile cannot change it under the build.
        """
        import olm.graph
        from olm.graph.weights import carry_weights

        if self.opened is None:
            raise OLMError("no pretrained model is open")
        graph = self.w.controller.graph if graph is None else graph
        model = olm.graph.build(graph)
        report = carry_weights(self.graph_at_open, self.opened.model, graph, model)
        return model.eval(), report

    def refresh(self) -> None:
        """Recompute what the edits keep; mark the rest on the canvas and the status line.

        Carrying means building the edited model, so it runs off the UI thread (an edit
        of a 100M model froze the window for seconds), and above ``AUTO_CARRY_PARAMS`` it
        is not done after every edit (the weights are still carried when training or
        exporting). An edit made while it runs starts one more refresh after it.
        """
        if self.opened is None:
            return
        if sum(p.numel() for p in self.opened.model.parameters()) > AUTO_CARRY_PARAMS:
            self.label.setText(f"{self._weights_text} · edited (weights are carried when "
                               "fine-tuning or exporting)")
            return
        if self._refreshing is not None and self._refreshing.running:
            self._refresh_again = True
            return
        self._refresh_again = False
        graph, opened = self.w.controller.graph.copy(), self.opened

        def work(cancel: Cancel) -> tuple[Any, dict[str, str]]:
            return opened, self.carried(graph)[1]

        self._refreshing = run_in_background(self.w, "Carrying the weights…", work,
                                             self._show_report, self._show_carry_error,
                                             show_after_ms=None)
        self._refreshing.ended.connect(self._refresh_if_edited)

    def _refresh_if_edited(self) -> None:
        if self._refresh_again:
            self._timer.start()

    def _show_carry_error(self, message: str) -> None:
        if self.opened is not None:  # the edited document does not build (yet)
            self.label.setText(f"{self._weights_text} · edits: {message}")

    def _show_report(self, outcome: tuple[Any, dict[str, str]]) -> None:
        from olm.graph.weights import KEPT

        opened, report = outcome
        if opened is not self.opened:
            return  # another model was opened meanwhile
        self.report = report
        changed = {n for n, s in self.report.items() if s != KEPT}
        reinit = sum(1 for s in self.report.values() if s.startswith("re-init"))
        self.w.canvas.diff = changed
        self.w.canvas.redraw(structural=False)
        text = self._weights_text
        if changed:
            text += (f" · {len(changed) - reinit} part(s) converted, {reinit} re-initialised "
                     "(marked)")
        self.label.setText(text)
        self.changed.emit()

    def measure_loss(self, data: str | None = None, seq_len: int = 64,
                     batches: int = 4) -> Task:
        """Held-out loss of the opened model and of the edited one (same windows), on
        ``data`` (default: the Train panel's data, the text a fine-tune would use).

        Runs off the UI thread; the whole result (before, after and the change) is shown
        in a dialog and the status line, and :attr:`measured` carries the two numbers.
        """
        if self.opened is None:
            raise OLMError("no pretrained model is open")
        if data is None:
            form = getattr(self.w.train, "form", None)
            data = form.config().data if form is not None else "builtin"
        opened, graph = self.opened, self.w.controller.graph.copy()
        tokenizer = opened.tokenizer or "byte"

        def work(cancel: Cancel) -> tuple[float, float]:
            from olm.train.evaluate import heldout_loss  # imported on the worker

            before = heldout_loss(opened.model, tokenizer, data, seq_len=seq_len,
                                  batches=batches, batch_size=4).loss
            cancel.check()
            model, _ = self.carried(graph)
            cancel.check()
            after = heldout_loss(model, tokenizer, data, seq_len=seq_len, batches=batches,
                                 batch_size=4).loss
            return before, after

        self.task = run_in_background(
            self.w, "Measuring the held-out loss before and after the edits…", work,
            self._show_loss, lambda message: self.w.files.error("Cannot measure the loss",
                                                                message))
        return self.task

    def _show_loss(self, losses: tuple[float, float]) -> None:
        before, after = losses
        text = (f"Held-out loss: {before:.4f} before the edits, {after:.4f} after "
                f"({after - before:+.4f})")
        self.w.statusBar().showMessage(text, 20000)
        self.result_box = show_result(self.w, "Held-out loss", text)
        self.measured.emit(before, after)

    def export_hf(self, folder: str | Path) -> Task:
        """Write the edited model, with the opened weights carried, as a Hugging Face folder
        (with the tokenizer exactly as opened: ids, chat template, generation config).

        Runs off the UI thread; :attr:`exported` carries the folder once written.
        """
        graph, tokenizer = self.w.controller.graph.copy(), self.opened.tokenizer

        def work(cancel: Cancel) -> Path:
            from olm.interop.hf import save_hf  # imported on the worker

            model, _ = self.carried(graph)
            cancel.check()
            return save_hf(model, folder, tokenizer=tokenizer)

        def done(path: Path) -> None:
            self.w.statusBar().showMessage(f"Exported to {path}", 10000)
            self.exported.emit(str(path))

        self.task = run_in_background(
            self.w, f"Exporting a Hugging Face folder to {folder}…", work, done,
            lambda message: self.w.files.error("Cannot export", message))
        return self.task

    # -- freezing ----------------------------------------------------------------------
    def set_frozen(self, node_id: str, frozen: bool) -> None:
        """Freeze (or thaw) a node for the next fine-tune."""
        (self.frozen.add if frozen else self.frozen.discard)(node_id)
        self._tell_train_panel()
        self.changed.emit()

    def _extend_menu(self, menu: QMenu, node_id: str) -> None:
        if self.opened is None or node_id == self.w.controller.graph.root:
            return
        menu.addSeparator()
        action = menu.addAction("Freeze")
        action.setObjectName("action_freeze")
        action.setCheckable(True)
        action.setChecked(node_id in self.frozen)
        action.setToolTip("Keep this part's weights fixed when fine-tuning")
        action.toggled.connect(lambda on, n=node_id: self.set_frozen(n, on))
