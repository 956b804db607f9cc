"""The keyboard shortcuts, as shown by Help → Keyboard Shortcuts."""

__all__ = ["SHORTCUTS_HTML"]

_ROWS = [
    ("Tab / double-click canvas", "Quick add: search a component at the cursor"),
    ("Ctrl+Z", "Undo"),
    ("Ctrl+Shift+Z / Ctrl+Y", "Redo"),
    ("Ctrl+C / Ctrl+X / Ctrl+V", "Copy / cut / paste"),
    ("Ctrl+D", "Duplicate"),
    ("Delete / Backspace", "Delete the selection"),
    ("Ctrl+A", "Select all"),
    ("F", "Fit the model in the view"),
    ("L", "Auto-layout"),
    ("Ctrl + wheel, Ctrl +/-", "Zoom"),
    ("Middle-drag, Space-drag", "Pan"),
    ("Ctrl+N / Ctrl+Shift+N", "New model / new from preset"),
    ("Ctrl+O / Ctrl+S / Ctrl+Shift+S", "Open / save / save as"),
    ("Ctrl+I / Ctrl+E", "Import / export Python"),
    ("Ctrl+T", "Train panel"),
]

SHORTCUTS_HTML = "<table>" + "".join(
    f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in _ROWS) + "</table>"
