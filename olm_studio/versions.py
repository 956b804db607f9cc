"""The versions that matter when something goes wrong: for ``--version``, About and crash reports.

Only ``QtCore`` is imported (never a platform plugin), so this works before a display exists.
"""

from __future__ import annotations

import platform
import sys

__all__ = ["versions", "versions_text"]


def versions() -> dict[str, str]:
    """olm, OLM Studio, torch, CUDA, PySide6/Qt, Python and the OS, as display strings."""
    import olm
    import olm_studio

    info = {"OLM Studio": olm_studio.__version__, "olm": olm.__version__}
    try:
        import torch

        info["torch"] = torch.__version__
        cuda = torch.version.cuda
        if cuda and torch.cuda.is_available():
            info["CUDA"] = f"{cuda} ({torch.cuda.get_device_name(0)})"
        else:
            info["CUDA"] = f"{cuda} (no GPU visible)" if cuda else "none (CPU build of torch)"
    except ImportError as err:  # pragma: no cover - torch is a hard dependency
        info["torch"] = f"not importable ({err})"
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        info["PySide6"] = PySide6.__version__
        info["Qt"] = qVersion()
    except ImportError:
        info["Qt"] = "not installed"
    info["Python"] = platform.python_version() + (" (bundle)" if getattr(sys, "frozen", False)
                                                  else "")
    info["OS"] = platform.platform()
    return info


def versions_text(extra: dict[str, str] | None = None) -> str:
    """:func:`versions` (and ``extra`` rows) as aligned ``name: value`` lines."""
    rows = {**versions(), **(extra or {})}
    width = max(len(k) for k in rows)
    return "\n".join(f"{k + ':':{width + 1}} {v}" for k, v in rows.items())
