"""Retake the user guide's screenshots (docs/images/guide-*.png).

    python docs/make_guide_images.py            # offscreen Qt, or a real display if DISPLAY is set
    xvfb-run -a sh -c 'openbox & python docs/make_guide_images.py'   # as a window manager draws it

Uses a private settings folder, so the user's own settings and recent files never show.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

IMAGES = Path(__file__).resolve().parent / "images"


def main() -> int:
    """Open the Studio, show each part the guide describes, and save a PNG of it."""
    home = Path(tempfile.gettempdir()) / "olm-studio-guide"
    os.environ["OLM_STUDIO_HOME"] = str(home / "settings")
    os.environ.setdefault("OLM_RUNS_DIR", str(home / "runs"))
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from olm_studio.help_dialogs import AboutDialog
    from olm_studio.main_window import MainWindow
    from olm_studio.settings import StudioSettings
    from olm_studio.settings_dialog import SettingsDialog
    from olm_studio.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app, "dark")
    settings = StudioSettings()
    window = MainWindow(settings=settings, screenshot_mode=True)
    window.open_initial(None)
    window.resize(1280, 800)
    window.show()
    window.start_session(welcome=True)

    def settle() -> None:
        for _ in range(6):
            app.processEvents()

    def shot(widget, name: str) -> None:  # noqa: ANN001
        settle()
        path = IMAGES / f"guide-{name}.png"
        widget.grab().save(str(path), "PNG")
        print(f"wrote {path}")

    IMAGES.mkdir(exist_ok=True)
    shot(window, "welcome")
    window.welcome.dismiss()
    window.commands.run("fit")
    shot(window, "editor")
    window.resize(1600, 1000)
    window.show_tab("Train")
    window.resizeDocks([window.bottom_dock], [430], Qt.Orientation.Vertical)
    settle()
    window.commands.run("fit")
    shot(window, "train")
    for dialog, name in ((SettingsDialog(settings, window), "settings"),
                         (AboutDialog(settings, window), "about")):
        dialog.show()
        dialog.adjustSize()
        shot(dialog, name)
        dialog.close()
    window.crash_handler.uninstall()
    window.discard_session()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
