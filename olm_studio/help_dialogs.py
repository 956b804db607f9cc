"""Help → User Guide and Help → About OLM Studio.

The guide is ``docs/guide.md`` (Markdown with screenshots), shown in a text browser inside
the app, so it works offline and in the bundle (which carries ``docs/``). About lists the
versions a bug report needs and the folders the Studio writes to, with a button that
copies all of it to the clipboard.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from olm_studio.settings import StudioSettings

__all__ = ["AboutDialog", "GuideDialog", "about_text", "guide_path"]


def guide_path() -> Path | None:
    """``docs/guide.md`` of a source checkout or of the bundle; None when not installed."""
    roots = [Path(__file__).resolve().parent.parent]
    if getattr(sys, "_MEIPASS", None):
        roots.insert(0, Path(sys._MEIPASS))
    for root in roots:
        path = root / "docs" / "guide.md"
        if path.is_file():
            return path
    return None


def about_text(settings: StudioSettings) -> str:
    """The versions and folders About shows (and copies)."""
    from olm_studio.versions import versions_text

    return versions_text({"Runs folder": str(settings.effective_runs_folder()),
                          "Settings folder": str(settings.home)})


class AboutDialog(QDialog):
    """Versions of OLM Studio, olm, torch, CUDA and Qt, the runs folder, and a copy button.

    Args:
        settings: where the runs and settings folders come from.
        parent: the owning widget.
    """

    def __init__(self, settings: StudioSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from olm_studio import __version__

        self.setObjectName("aboutDialog")
        self.setWindowTitle("About OLM Studio")
        self.setMinimumSize(620, 380)
        head = QLabel(f"<h2>OLM Studio {__version__}</h2><p>Build language models visually "
                      "from interchangeable parts, train them, export readable PyTorch.</p>")
        head.setWordWrap(True)
        self.details = QPlainTextEdit(about_text(settings))
        self.details.setObjectName("aboutDetails")
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.copy_button = QPushButton("Copy to Clipboard")
        self.copy_button.setObjectName("aboutCopy")
        self.copy_button.clicked.connect(self.copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

    def copy(self) -> None:
        """Put the versions and folders on the clipboard (for a bug report)."""
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText("Copied")


class GuideDialog(QDialog):
    """The user guide, rendered from Markdown with its screenshots.

    Args:
        path: the guide (default: :func:`guide_path`).
        parent: the owning widget.
    """

    def __init__(self, path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guideDialog")
        self.setWindowTitle("OLM Studio User Guide")
        self.resize(980, 760)
        self.browser = QTextBrowser()
        self.browser.setObjectName("guideBrowser")
        self.browser.setOpenExternalLinks(True)
        path = path if path is not None else guide_path()
        if path is None:
            self.browser.setMarkdown(
                "# User guide not installed\n\nThis installation has no `docs/guide.md`. "
                "It is in the project's source under `docs/guide.md`.")
        else:
            self.browser.setSearchPaths([str(path.parent)])
            self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(path.parent) + "/"))
            self.browser.setMarkdown(path.read_text(encoding="utf-8"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
