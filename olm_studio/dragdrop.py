"""The drag data of a component, shared by what drags (the palette) and what drops (canvas).

Neither side imports the other: both speak this small format, so the canvas does not
depend on a panel and a new drag source needs no canvas change.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData

__all__ = ["MIME", "mime_for", "component_of"]

MIME = "application/x-olm-component"


def mime_for(type_key: str) -> QMimeData:
    """The drag data of a component type (what the canvas accepts on drop)."""
    mime = QMimeData()
    mime.setData(MIME, QByteArray(type_key.encode()))
    mime.setText(type_key)
    return mime


def component_of(mime: QMimeData) -> str | None:
    """The component type a drag carries, or None when it carries none."""
    if not mime.hasFormat(MIME):
        return None
    return bytes(mime.data(MIME)).decode() or None
