"""--install-desktop / --uninstall-desktop write and remove the XDG files for the user."""

import configparser
import os
import subprocess
import sys

from waiting import CHILD_S

from olm_studio import desktop_install as di


def test_data_home_honours_xdg_data_home(tmp_path):
    assert di.data_home({"XDG_DATA_HOME": str(tmp_path), "HOME": "/h"}) == tmp_path
    assert str(di.data_home({"XDG_DATA_HOME": "relative", "HOME": "/h"})) == "/h/.local/share"
    assert str(di.data_home({"HOME": "/h"})) == "/h/.local/share"


def test_install_writes_entry_icon_and_mime_type_then_uninstall_removes_them(tmp_path):
    files = di.install_desktop(tmp_path, command=["/opt/OLM Studio/olm-studio"])
    paths = di.installed_paths(tmp_path)
    assert set(files) == set(paths.values())
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(paths["desktop"])
    d = entry["Desktop Entry"]
    assert d["Exec"] == '"/opt/OLM Studio/olm-studio" %f'
    assert d["MimeType"] == "application/x-olm-project+json;"
    assert d["Icon"] == str(paths["icon"]) and paths["icon"].read_bytes().startswith(b"<")
    xml = paths["mime"].read_text()
    assert 'type="application/x-olm-project+json"' in xml and '"*.olm.json"' in xml
    removed = di.uninstall_desktop(tmp_path)
    assert set(removed) == set(paths.values())
    assert not any(p.exists() for p in paths.values())


def test_command_line_installs_into_xdg_data_home(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "olm_studio", "--install-desktop"], env=env,
                          capture_output=True, text=True, timeout=CHILD_S)
    assert done.returncode == 0, done.stderr
    desktop = tmp_path / "data" / "applications" / "olm-studio.desktop"
    text = desktop.read_text()
    assert "-m olm_studio %f" in text or "olm-studio %f" in text
    assert not (tmp_path / ".local").exists()  # XDG_DATA_HOME wins over ~/.local/share
    done = subprocess.run([sys.executable, "-m", "olm_studio", "--uninstall-desktop"], env=env,
                          capture_output=True, text=True, timeout=CHILD_S)
    assert done.returncode == 0 and not desktop.exists()


def test_help_menu_adds_the_studio_to_the_applications_menu(window, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    told = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(
        lambda parent, title, text, *a, **k: told.append((title, text))))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    action = next(a for a in help_menu.actions() if a.text() == "Add to Applications &Menu")
    action.trigger()
    desktop = tmp_path / "xdg" / "applications" / "olm-studio.desktop"
    assert desktop.exists() and "MimeType=application/x-olm-project+json;" in desktop.read_text()
    assert (tmp_path / "xdg" / "mime" / "packages" / "olm-studio.xml").exists()
    assert told and told[0][0] == "Added to the applications menu"
