"""The canvas: a QGraphicsScene drawn from the document, and the view around it."""
