"""Help and Settings commands: guide, shortcuts, about, desktop entry, settings dialog.

Kept out of the main window so the window only wires parts together; the dialogs these
open keep their own state (the guide stays open beside the app).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from olm_studio.help_dialogs import GuideDialog
    from olm_studio.main_window import MainWindow

__all__ = ["HelpCommands"]


class HelpCommands:
    """The Help menu (and Edit → Settings…).

    Args:
        window: the main window (the dialogs' parent).
    """

    def __init__(self, window: MainWindow) -> None:
        self._w = window
        self.guide: GuideDialog | None = None

    def table(self) -> dict:
        """The commands this object answers, by name (see :class:`~olm_studio.commands.Commands`)."""
        return {"guide": self.show_guide, "shortcuts": self.show_shortcuts,
                "about": self.show_about, "install_desktop": self.install_desktop,
                "settings": self.show_settings}

    def show_guide(self) -> None:
        """Help → User Guide (docs/guide.md, rendered in the app)."""
        from olm_studio.help_dialogs import GuideDialog

        self.guide = GuideDialog(parent=self._w)
        self.guide.show()

    def show_shortcuts(self) -> None:
        """Help → Keyboard Shortcuts."""
        from olm_studio.panels.shortcuts import shortcuts_html

        QMessageBox.information(self._w, "Keyboard shortcuts",
                                shortcuts_html(self._w.menu_actions()))

    def show_about(self) -> None:
        """Help → About: versions, folders, copy to clipboard."""
        from olm_studio.help_dialogs import AboutDialog

        AboutDialog(self._w.settings, self._w).exec()

    def install_desktop(self) -> None:
        """Help → Add to Applications Menu (``olm-studio --install-desktop``)."""
        from olm_studio.desktop_install import install_desktop

        try:
            files = install_desktop()
        except OSError as err:
            self._w.files.error("Cannot add to the applications menu", str(err))
            return
        QMessageBox.information(self._w, "Added to the applications menu",
                                "OLM Studio is in the applications menu, and .olm.json projects "
                                f"open with it.\n\nInstalled: {files[0].parent.parent}")

    def show_settings(self) -> None:
        """Edit → Settings…; applied on OK."""
        from olm_studio.settings_dialog import SettingsDialog, apply_to_window

        dialog = SettingsDialog(self._w.settings, self._w)
        if dialog.exec():
            dialog.apply()
            apply_to_window(self._w)
