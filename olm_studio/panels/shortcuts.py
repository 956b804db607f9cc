"""The keyboard shortcuts, as shown by Help → Keyboard Shortcuts (F1).

The key rows are read from the window's actions themselves, so the list can never
advertise a key that does nothing or miss one that was added; only the mouse and canvas
gestures, which are not actions, are written here.
"""

from __future__ import annotations

import html
from typing import Iterable

from PySide6.QtGui import QAction, QKeySequence

__all__ = ["GESTURES", "shortcut_rows", "shortcuts_html"]

# Canvas gestures handled by the canvas itself (no QAction owns them).
GESTURES = [
    ("Tab / double-click canvas", "Quick add: search a component at the cursor"),
    ("Ctrl + wheel", "Zoom"),
    ("Middle-drag, Space-drag", "Pan"),
    ("Right-click a node", "Replace, replace all, wrap, delete"),
]


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(keys, what) for every action that has a shortcut, in menu order."""
    rows = []
    for action in actions:
        keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()]
        if keys:
            what = action.text().replace("&", "").rstrip("…")
            if action.property("shortcut_help"):
                what = str(action.property("shortcut_help"))
            rows.append((" / ".join(keys), what))
    return rows


def shortcuts_html(actions: Iterable[QAction]) -> str:
    """The F1 table: the actions' shortcuts, then the canvas gestures."""
    rows = shortcut_rows(actions) + GESTURES
    return "<table>" + "".join(
        f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>"
        for k, v in rows) + "</table>"
