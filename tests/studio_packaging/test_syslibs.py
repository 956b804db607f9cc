"""The xcb system-library check: which libraries are missing, and what to install."""

import os
import subprocess
import sys
from pathlib import Path

from waiting import CHILD_S

from olm_studio import syslibs

LDD_MISSING = """\
\tlinux-vdso.so.1 (0x00007ffc)
\tlibQt6XcbQpa.so.6 => /x/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-cursor.so.0 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
"""


def test_check_only_when_qt_will_load_the_xcb_plugin():
    assert syslibs.needs_check({"DISPLAY": ":0"}, "linux")
    assert syslibs.needs_check({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not syslibs.needs_check({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not syslibs.needs_check({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland"}, "linux")
    assert not syslibs.needs_check({}, "linux")  # no display: nothing to connect to anyway
    assert not syslibs.needs_check({"DISPLAY": ":0"}, "darwin")


def test_missing_libraries_are_read_from_ldd_all_at_once(tmp_path):
    missing = syslibs.missing_libs(tmp_path / "libqxcb.so", ldd=lambda _p: LDD_MISSING,
                                   find_library=lambda name: f"lib{name}.so")
    assert missing == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def test_xcb_cursor_is_looked_up_even_though_ldd_cannot_see_it(tmp_path):
    """Qt loads libxcb-cursor with dlopen, so only a direct lookup finds it missing."""
    missing = syslibs.missing_libs(tmp_path / "libqxcb.so", ldd=lambda _p: "",
                                   find_library=lambda name: None if name == "xcb-cursor"
                                   else f"lib{name}.so")
    assert missing == ["libxcb-cursor.so.0"]


def test_without_ldd_the_known_list_is_looked_up():
    found = {"xcb", "X11-xcb", "EGL", "fontconfig", "xkbcommon"}
    missing = syslibs.missing_libs(Path("/nonexistent"), ldd=lambda _p: None,
                                   find_library=lambda name: f"lib{name}.so" if name in found
                                   else None)
    assert "libxcb-cursor.so.0" in missing and "libxkbcommon-x11.so.0" in missing
    assert "libxcb.so.1" not in missing


def test_message_names_the_packages_for_apt_dnf_and_pacman():
    text = syslibs.format_missing(["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libfoo.so.9"])
    assert "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4" in text
    assert "sudo dnf install -y xcb-util-cursor xcb-util-wm" in text
    assert "sudo pacman -S --needed xcb-util-cursor xcb-util-wm" in text
    assert "libfoo.so.9" in text


def test_the_installed_pyside_has_an_xcb_plugin_whose_deps_resolve_here():
    plugin = syslibs.xcb_plugin_path()
    assert plugin is not None and plugin.name == "libqxcb.so"


def test_olm_studio_exits_2_with_the_packages_when_a_library_is_missing(tmp_path):
    """A fake `ldd` earlier on PATH reports libxcb-cursor missing, as on a minimal Linux."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "ldd").write_text("#!/bin/sh\nprintf '\\tlibxcb-cursor.so.0 => not found\\n'\n")
    (fake / "ldd").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(PATH=f"{fake}{os.pathsep}{env.get('PATH', '')}", DISPLAY=":99")
    done = subprocess.run([sys.executable, "-m", "olm_studio"], env=env, capture_output=True,
                          text=True, timeout=CHILD_S)
    assert done.returncode == 2, done.stderr
    assert "libxcb-cursor.so.0" in done.stderr
    assert "apt-get install -y libxcb-cursor0" in done.stderr
    assert "Traceback" not in done.stderr
    # offscreen never loads the xcb plugin, so the same missing library does not matter
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([sys.executable, "-m", "olm_studio", "--version"], env=env,
                          capture_output=True, text=True, timeout=CHILD_S)
    assert done.returncode == 0 and "torch" in done.stdout
