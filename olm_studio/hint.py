"""The first-start hint card over the canvas ("right-click LayerNorm → RMSNorm").

One small job kept out of the main window: place the card in the canvas's top-right
corner (also after a resize), and hide it once the step it names is done.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QWidget

from olm.graph.document import Graph

__all__ = ["HINT", "HintCard"]

HINT = "Try: right-click LayerNorm\n→ Replace with… → RMSNorm"


class HintCard(QLabel):
    """A dismissable card naming one first step; hidden until :meth:`show_card`.

    Args:
        canvas: the widget the card floats over (it follows its resizes).
    """

    def __init__(self, canvas: QWidget) -> None:
        super().__init__(HINT + "   ✕", canvas)
        self.setObjectName("hintCard")
        self.setToolTip("Click to dismiss")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setWordWrap(False)
        self.adjustSize()
        self.hide()
        self._canvas = canvas
        canvas.installEventFilter(self)

    def mousePressEvent(self, _event) -> None:  # noqa: N802, ANN001 - a click dismisses
        self.hide()

    def show_card(self) -> None:
        """Show the card over the canvas."""
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()

    def visible(self) -> bool:
        """True while the card is shown."""
        return self.isVisible()

    def hide_when_done(self, graph: Graph) -> None:
        """The hint names one step (LayerNorm → RMSNorm): gone once no LayerNorm is left.

        Checked with ``isHidden`` (the card's own flag), not ``isVisible``: while the Train
        workspace covers the canvas the card is not visible, yet must not come back naming a
        LayerNorm the model opened meanwhile no longer has.
        """
        if not self.isHidden() and not any(n.type == "LayerNorm" for n in graph.nodes.values()):
            self.hide()

    def _place(self) -> None:
        self.move(max(16, self._canvas.width() - self.width() - 24), 16)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self._canvas and event.type() == QEvent.Type.Resize:
            self._place()
        return super().eventFilter(obj, event)
