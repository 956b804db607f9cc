"""Retake the README's screenshots (docs/images/readme-*.png) at 1280x800 and 1600x1000.

    xvfb-run -a -s "-screen 0 1600x1000x24" sh -c 'openbox & python docs/make_readme_images.py'

Design (GPT-2) and the "Modernise GPT-2" lesson two steps in. The Train workspace's
pictures (``readme-train-*.png``, ``telemetry.png``) come from ``docs/make_screenshots.py``,
which trains two runs first. Uses private settings and runs folders, so nothing of the
user's shows.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

IMAGES = Path(__file__).resolve().parent / "images"
SIZES = ((1280, 800), (1600, 1000))


def _settle(app, ms: int = 400) -> None:  # noqa: ANN001
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _shoot(app, window, name: str) -> None:  # noqa: ANN001
    for width, height in SIZES:
        window.resize(width, height)
        _settle(app)
        window.commands.run("fit")
        _settle(app, 200)
        path = IMAGES / f"readme-{name}-{width}x{height}.png"
        window.grab().save(str(path))
        print(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    home = Path(tempfile.mkdtemp(prefix="olm-readme-"))
    os.environ["OLM_STUDIO_HOME"] = str(home / "settings")
    os.environ["OLM_RUNS_DIR"] = str(home / "runs")
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from olm_studio.main_window import MainWindow
    from olm_studio.settings import StudioSettings
    from olm_studio.theme import apply_theme
    from olm_studio.torch_loader import torch_loader

    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app, "dark")
    window = MainWindow(settings=StudioSettings(), screenshot_mode=True)
    window.open_initial(None)
    window.show()
    torch_loader().wait()
    _settle(app)
    _shoot(app, window, "design")
    window.start_lesson()
    window.lesson.show_step()
    window.lesson.show_step()
    _shoot(app, window, "lesson")
    window.discard_session()
    return 0


if __name__ == "__main__":
    sys.exit(main())
