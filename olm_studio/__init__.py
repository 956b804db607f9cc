"""OLM Studio: the desktop editor for `olm.graph` architecture documents.

The app is a view and an editor of one document at a time. Every gesture becomes an
undoable `olm.graph` command; the canvas, the figures, the diagnostics and the code panel
redraw from the document's events. Qt is imported only inside this package.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

