"""Name the system packages Qt's X11 platform plugin is missing, before Qt aborts.

On a minimal Linux, ``olm-studio`` would otherwise die inside Qt with "xcb-cursor0 or
libxcb-cursor0 is needed to load the Qt xcb platform plugin", then again for the next
missing library. Here we ask ``ldd`` which shared libraries of the xcb plugin cannot be
found (all of them at once) and print the packages that provide them for apt, dnf and
pacman. Without ``ldd`` we fall back to :func:`ctypes.util.find_library` on the libraries
Qt 6 is known to need. Nothing is imported from Qt, so the check itself cannot abort.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["KNOWN_LIBS", "check_platform_libs", "format_missing", "missing_libs",
           "needs_check", "xcb_plugin_path"]

# soname -> (apt, dnf, pacman) package providing it.
KNOWN_LIBS: dict[str, tuple[str, str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil",
                                "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util", "xcb-util"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon", "libxkbcommon"),
    "libxcb.so.1": ("libxcb1", "libxcb", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb", "libx11"),
    "libX11.so.6": ("libx11-6", "libX11", "libx11"),
    "libSM.so.6": ("libsm6", "libSM", "libsm"),
    "libICE.so.6": ("libice6", "libICE", "libice"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl", "libglvnd"),
    "libGL.so.1": ("libgl1", "libglvnd-glx", "libglvnd"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl", "libglvnd"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx", "libglvnd"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype", "freetype2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs", "dbus"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2", "glib2"),
}

# What find_library looks for when there is no ldd: the libraries Qt 6's xcb plugin loads.
_FALLBACK_NAMES = ("xcb-cursor", "xcb-icccm", "xcb-keysyms", "xcb-image", "xcb-render-util",
                   "xkbcommon-x11", "xkbcommon", "xcb", "X11-xcb", "EGL", "fontconfig")

# Loaded with dlopen at run time (Qt >= 6.5), so ldd never lists it: always looked up.
_DLOPENED = ("xcb-cursor",)

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def needs_check(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """True when Qt will load the xcb plugin: Linux, platform xcb or unset, DISPLAY set."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return False
    qpa = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip()
    if qpa not in ("", "xcb"):
        return False  # offscreen, wayland, vnc ...: no xcb plugin is loaded
    return bool(env.get("DISPLAY"))


def xcb_plugin_path() -> Path | None:
    """The xcb platform plugin of the installed PySide6 (also inside the bundle), if any."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        for sub in ("Qt/plugins/platforms", "plugins/platforms"):
            plugin = Path(root) / sub / "libqxcb.so"
            if plugin.exists():
                return plugin
    return None


def _run_ldd(path: Path) -> str | None:
    ldd = shutil.which("ldd")
    if ldd is None:
        return None
    try:
        done = subprocess.run([ldd, str(path)], capture_output=True, text=True, timeout=30,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def missing_libs(plugin: Path | None = None,
                 ldd: Callable[[Path], str | None] = _run_ldd,
                 find_library: Callable[[str], str | None] = ctypes.util.find_library
                 ) -> list[str]:
    """The sonames the xcb plugin needs and the system lacks (empty when all are there).

    Args:
        plugin: the plugin to inspect (default: :func:`xcb_plugin_path`).
        ldd: returns ``ldd``'s output for a path, or None when ``ldd`` cannot be run.
        find_library: the fallback lookup for the known libraries.
    """
    plugin = plugin if plugin is not None else xcb_plugin_path()
    output = ldd(plugin) if plugin is not None else None
    names = _DLOPENED if output is not None else _FALLBACK_NAMES
    missing = _NOT_FOUND.findall(output) if output is not None else []
    for name in names:
        if find_library(name) is None:
            missing.append(next((s for s in KNOWN_LIBS if s.startswith(f"lib{name}.so")), name))
    return sorted(dict.fromkeys(missing))


def format_missing(missing: list[str]) -> str:
    """The message for the user: what is missing and the install line for each distribution."""
    packages = [KNOWN_LIBS.get(name) for name in missing]
    unknown = [name for name, pkg in zip(missing, packages) if pkg is None]
    lines = ["olm-studio: the Qt X11 platform plugin cannot load; these system libraries are "
             f"missing: {', '.join(missing)}", "Install them with one of:"]
    for i, (tool, cmd) in enumerate((("apt", "sudo apt-get install -y"),
                                     ("dnf", "sudo dnf install -y"),
                                     ("pacman", "sudo pacman -S --needed"))):
        names = list(dict.fromkeys(p[i] for p in packages if p is not None))
        if names:
            lines.append(f"  {tool + ':':8}{cmd} {' '.join(names)}")
    if unknown:
        lines.append(f"  (and whichever package provides {', '.join(unknown)})")
    lines.append("Or run without a display: QT_QPA_PLATFORM=offscreen olm-studio "
                 "--screenshot out.png")
    return "\n".join(lines)


def check_platform_libs(env: Mapping[str, str] | None = None) -> int | None:
    """Print the missing packages and return 2, or None when Qt can start (or is not xcb)."""
    if not needs_check(env):
        return None
    missing = missing_libs()
    if not missing:
        return None
    print(format_missing(missing), file=sys.stderr)
    return 2
