"""Files dropped on the main window open like File → Open (after the unsaved-changes prompt).

An event filter on the window, so the window class keeps to wiring; drags that carry no
local file (text, web links) are left to whoever else wants them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QDragEnterEvent, QDropEvent

__all__ = ["FileDrops", "dropped_paths"]


def dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    """The local files a drag carries (none for text or web links)."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


class FileDrops(QObject):
    """Accepts drags of local files on ``window`` and hands a drop to ``open_dropped``.

    Args:
        window: the widget files are dropped on (it must accept drops).
        open_dropped: opens the dropped paths (asks about unsaved edits first).
    """

    def __init__(self, window: QObject, open_dropped: Callable[[list[Path]], object]) -> None:
        super().__init__(window)
        self._window = window
        self._open = open_dropped
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is not self._window or event.type() not in (QEvent.Type.DragEnter,
                                                           QEvent.Type.Drop):
            return False
        paths = dropped_paths(event)
        if not paths:
            event.ignore()
            return True
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            self._open(paths)
        return True
