"""The Design workspace's bottom tabs: Diagnostics, Code and Summary, refreshed lazily.

Printing the code and measuring the summary cost time on big models, so only the tab
that is shown is refreshed (the code 150 ms after the last edit); the others are marked
stale and catch up when they are opened.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QTabWidget, QWidget

from olm_studio.controller import DocumentController
from olm_studio.panels.code_panel import CodePanel
from olm_studio.panels.diagnostics import DiagnosticsPanel
from olm_studio.panels.summary import SummaryPanel

__all__ = ["ModelTabs"]


class ModelTabs(QTabWidget):
    """Diagnostics, Code and Summary of the open document.

    Args:
        controller: the document's owner (its change signals drive the refresh).
        parent: the owning widget.
        always_print: refresh the code even when its tab is hidden (screenshots).
    """

    def __init__(self, controller: DocumentController, parent: QWidget | None = None,
                 always_print: bool = False) -> None:
        super().__init__(parent)
        self._controller = controller
        self._always_print = always_print
        self.diagnostics = DiagnosticsPanel(controller, self)
        self.code = CodePanel(self)
        self.summary = SummaryPanel(controller, self)
        self.addTab(self.diagnostics, "Diagnostics")
        self.addTab(self.code, "Code")
        self.addTab(self.summary, "Summary")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh)
        self.currentChanged.connect(lambda _i: self.refresh())
        controller.structure_changed.connect(self._timer.start)
        controller.content_changed.connect(self._timer.start)

    def refresh(self) -> None:
        """Refresh the tab shown; mark the summary stale when it is hidden."""
        current = self.currentWidget()
        if current is self.code or self._always_print:
            self.refresh_code()
        if current is self.summary:
            self.summary.refresh_if_stale()
        else:
            self.summary.mark_stale()

    def refresh_code(self) -> None:
        """Regenerate the Code tab from the document."""
        from olm.graph.to_python import to_python

        try:
            self.code.set_source(to_python(self._controller.graph))
        except Exception as err:  # noqa: BLE001 - an invalid model still shows why
            self.code.set_source(f"# The model cannot be printed yet:\n# {err}\n",
                                 "fix the diagnostics first")

    def show_title(self, title: str) -> bool:
        """Bring the tab called ``title`` to the front; False when there is none."""
        for i in range(self.count()):
            if self.tabText(i) == title:
                self.setCurrentIndex(i)
                return True
        return False
