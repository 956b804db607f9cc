"""Refuse the one PySide6 release known to crash the Studio, with a clear message.

PySide6 6.12.0 releases references to ``None`` and ``True`` that it never took (from void
methods and ``Signal.emit``). Before Python 3.12 those objects are not immortal, so after
some thousands of paint calls or signals the interpreter aborts ("none_dealloc" /
"bool_dealloc"). The project's dependencies exclude that release; this check names the
fix when it is installed anyway.
"""

from __future__ import annotations

import sys

__all__ = ["check_qt_binding"]

_BROKEN = {"6.12.0"}


def check_qt_binding() -> None:
    """Raise ImportError naming the fix if the installed PySide6 is a known-broken release."""
    import PySide6

    if sys.version_info < (3, 12) and PySide6.__version__ in _BROKEN:
        raise ImportError(
            f"PySide6 {PySide6.__version__} has a reference-count bug that crashes Python "
            f"{sys.version_info.major}.{sys.version_info.minor}; install another release: "
            "pip install 'PySide6-Essentials!=6.12.0'"
        )
