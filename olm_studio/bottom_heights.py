"""Heights of the bottom tabs (Diagnostics, Code, Summary): useful by default, remembered.

Each tab gets the height its content needs when it comes to the front: the Code tab at
least :data:`CODE_LINES` lines of code (capped at :data:`MAX_SHARE` of the window, so the
canvas stays usable on a 1280x800 screen), the others a few rows. When the person drags
the dock's edge, that height is remembered for that tab in that workspace (in the
settings, so it survives a restart) and used from then on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QPlainTextEdit

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["BottomHeights", "CODE_LINES", "MAX_SHARE", "DEFAULT_HEIGHTS"]

CODE_LINES = 20
MAX_SHARE = 0.5
DEFAULT_HEIGHTS = {"Diagnostics": 200, "Summary": 280}  # whole dock, pixels
_CHROME = 64  # dock title and tab bar, before the dock has been laid out once


class BottomHeights(QObject):
    """Sizes the bottom dock for the tab in front and remembers hand-made heights.

    Args:
        window: the main window (its ``bottom_dock``, ``tabs``, ``code`` and settings).
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self._applying = False
        window.tabs.currentChanged.connect(lambda _i: self.apply())
        window.bottom_dock.installEventFilter(self)

    def _key(self) -> str:
        workspace = getattr(getattr(self.w, "workspaces", None), "current", lambda: "design")()
        return f"{workspace}/{self.w.tabs.tabText(self.w.tabs.currentIndex())}"

    def wanted(self) -> int:
        """The dock height for the tab in front: remembered, else what its content needs."""
        remembered = self.w.settings.panel_height(self._key())
        if remembered:
            return remembered
        title = self.w.tabs.tabText(self.w.tabs.currentIndex())
        if self.w.tabs.currentWidget() is self.w.code:
            want = self._code_height()
        else:
            want = DEFAULT_HEIGHTS.get(title, 200)
        return min(want, int(self.w.height() * MAX_SHARE))

    def _code_height(self) -> int:
        """The dock height at which the Code tab shows :data:`CODE_LINES` lines."""
        editor: QPlainTextEdit = self.w.code.editor
        text_h = (editor.fontMetrics().lineSpacing() * CODE_LINES
                  + 2 * editor.frameWidth() + 2 * int(editor.document().documentMargin()) + 4)
        dock, page = self.w.bottom_dock, self.w.tabs.currentWidget()
        shown = dock.isVisible() and page.height() > 0 and editor.height() > 0
        if shown:
            return dock.height() + (text_h - editor.viewport().height())
        return text_h + 50 + _CHROME  # the tab's own bar (note, Export) and margins

    def apply(self) -> None:
        """Give the bottom dock the height the tab in front wants."""
        dock = self.w.bottom_dock
        if not dock.isVisible() or dock.isFloating():
            return
        self._applying = True
        try:
            self.w.resizeDocks([dock], [self.wanted()], Qt.Orientation.Vertical)
        finally:
            self._applying = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Show:
            self.apply()
        elif (event.type() == QEvent.Type.Resize and not self._applying
              and obj.isVisible() and self._dragging()):
            self.w.settings.set_panel_height(self._key(), obj.height())
        return False

    def _dragging(self) -> bool:
        """True while a mouse button is down (the person drags the dock's edge)."""
        from PySide6.QtWidgets import QApplication

        return QApplication.mouseButtons() != Qt.MouseButton.NoButton
