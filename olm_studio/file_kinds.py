"""Names shared by the file actions and their helpers: dialog filters and the guard property.

Kept apart from :mod:`olm_studio.files` so the helpers it owns (preset chooser, Python
import/export) can use them without importing the file actions back.
"""

from __future__ import annotations

__all__ = ["PROJECT_FILTER", "PYTHON_FILTER", "REPLACES_DOCUMENT"]

PROJECT_FILTER = "OLM projects (*.olm.json);;All files (*)"
PYTHON_FILTER = "Python files (*.py);;All files (*)"
REPLACES_DOCUMENT = "replaces_document"  # Qt property on actions/widgets guarded by maybe_save
