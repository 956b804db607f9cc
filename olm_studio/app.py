"""Entry point: ``olm-studio [FILE]``, ``python -m olm_studio``, and ``--screenshot``.

``--screenshot PATH`` opens the window with FILE (or the default model), lets it lay
itself out, renders it to a PNG and exits: for documentation, and for checking the app
headlessly (it works on the ``offscreen`` Qt platform).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface of ``olm-studio``."""
    parser = argparse.ArgumentParser(
        prog="olm-studio", description="OLM Studio: build language models visually.")
    parser.add_argument("file", nargs="?", help="a .olm.json project, a .py model file, "
                        "or a preset name such as GPT2 or Llama3_1_8B")
    parser.add_argument("--screenshot", metavar="PATH",
                        help="render the main window to PATH (PNG) and exit")
    parser.add_argument("--theme", choices=["dark", "light"], help="override the saved theme")
    parser.add_argument("--size", default="1600x1000",
                        help="window size for --screenshot, WIDTHxHEIGHT (default 1600x1000)")
    from olm_studio.startup import add_arguments

    add_arguments(parser)
    return parser


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"olm-studio: --size must look like 1600x1000, got {text!r}") from None
    return w, h


def main(argv: list[str] | None = None) -> int:
    """Start the Studio; returns the process exit code."""
    args = build_parser().parse_args(argv)
    from olm_studio.startup import before_qt

    if (code := before_qt(args)) is not None:  # --version, --install-desktop, missing libs
        return code
    if args.screenshot and "QT_QPA_PLATFORM" not in os.environ and not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from olm_studio._compat import check_qt_binding

    check_qt_binding()
    from PySide6.QtWidgets import QApplication

    from olm_studio.main_window import MainWindow
    from olm_studio.settings import StudioSettings
    from olm_studio.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("OLM Studio")
    app.setOrganizationName("OLM")
    app.setDesktopFileName("olm-studio")
    from PySide6.QtGui import QIcon

    icon = Path(__file__).resolve().parent / "resources" / "olm-studio.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    settings = StudioSettings()
    theme = args.theme or settings.theme
    apply_theme(app, theme)
    from olm_studio.torch_loader import start_in_background, torch_loader

    torch_loader().defer()  # the window opens first; what needs torch waits for it
    window = MainWindow(settings=settings, theme=theme,
                        screenshot_mode=bool(args.screenshot))
    opened = window.open_initial(args.file)
    window.start_session(welcome=args.welcome or not (args.file or args.screenshot
                                                      or not settings.show_welcome))

    if args.screenshot:
        try:
            if not opened:  # the reason is already on stderr
                window.discard_session()
                window.close()
                return 2
            return _screenshot(app, window, Path(args.screenshot), _parse_size(args.size))
        finally:
            torch_loader().release()
    window.show()
    start_in_background(window)
    from olm_studio.checker.client import check_process

    torch_loader().when_ready(check_process().start)  # the checks' process, warm in time
    window.offer_recovery()
    return app.exec()


def _screenshot(app, window, path: Path, size: tuple[int, int]) -> int:  # noqa: ANN001
    window.resize(*size)
    window.show()
    for _ in range(5):
        app.processEvents()
    window.commands.run("fit")
    app.processEvents()
    image = window.grab()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        print(f"olm-studio: could not write the screenshot to {path}", file=sys.stderr)
        return 1
    print(f"wrote {path} ({image.width()}x{image.height()})")
    window.discard_session()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
