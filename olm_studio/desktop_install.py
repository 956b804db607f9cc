"""``olm-studio --install-desktop`` / ``--uninstall-desktop``: menu entry, icon, file type.

Installs, for the current user only and following the XDG base-directory spec
(``$XDG_DATA_HOME``, default ``~/.local/share``):

- ``applications/olm-studio.desktop``, whose ``Exec`` runs this installation (the bundle's
  executable, the ``olm-studio`` script, or this Python with ``-m olm_studio``);
- ``icons/hicolor/scalable/apps/olm-studio.svg`` and the same icon for the file type;
- ``mime/packages/olm-studio.xml``: the type ``application/x-olm-project+json`` for
  ``*.olm.json``, so a file manager opens projects with the Studio on double-click.

The desktop and MIME caches are refreshed when their tools exist; without them the files
still take effect on the next login. Nothing is written outside the user's data folder.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["MIME_TYPE", "data_home", "desktop_entry", "install_desktop", "installed_paths",
           "launcher_command", "uninstall_desktop"]

MIME_TYPE = "application/x-olm-project+json"
_ICON = Path(__file__).resolve().parent / "resources" / "olm-studio.svg"

MIME_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{MIME_TYPE}">
    <comment>OLM Studio project</comment>
    <sub-class-of type="application/json"/>
    <icon name="{MIME_TYPE.replace('/', '-')}"/>
    <glob pattern="*.olm.json" weight="80"/>
  </mime-type>
</mime-info>
"""


def data_home(env: dict[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME`` when set to an absolute path (as the spec says), else ~/.local/share."""
    env = dict(os.environ) if env is None else env
    value = env.get("XDG_DATA_HOME", "")
    if value and Path(value).is_absolute():
        return Path(value)
    return Path(env.get("HOME") or Path.home()) / ".local" / "share"


def installed_paths(root: Path) -> dict[str, Path]:
    """Where each installed file goes under the data folder ``root``."""
    icon_name = MIME_TYPE.replace("/", "-") + ".svg"
    return {
        "desktop": root / "applications" / "olm-studio.desktop",
        "icon": root / "icons" / "hicolor" / "scalable" / "apps" / "olm-studio.svg",
        "mime_icon": root / "icons" / "hicolor" / "scalable" / "mimetypes" / icon_name,
        "mime": root / "mime" / "packages" / "olm-studio.xml",
    }


def launcher_command() -> list[str]:
    """The command that starts this installation of the Studio."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    script = shutil.which("olm-studio")
    if script:
        return [str(Path(script).resolve())]
    return [str(Path(sys.executable).resolve()), "-m", "olm_studio"]


def _exec_quote(arg: str) -> str:
    """Quote one Exec argument as the desktop-entry spec wants (double quotes, escapes)."""
    if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'.replace("%", "%%")


def desktop_entry(command: list[str], icon: Path) -> str:
    """The text of the ``.desktop`` file for ``command`` (the project file goes in ``%f``)."""
    exec_line = " ".join(_exec_quote(a) for a in command)
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=OLM Studio",
        "GenericName=Language model architecture editor",
        "Comment=Build language models visually from interchangeable parts, train them, "
        "export PyTorch",
        f"Exec={exec_line} %f",
        f"TryExec={command[0]}",
        f"Icon={icon}",
        "Terminal=false",
        "Categories=Development;Science;ArtificialIntelligence;",
        f"MimeType={MIME_TYPE};",
        "Keywords=LLM;PyTorch;transformer;neural network;",
        "StartupWMClass=olm-studio",
        "",
    ])


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _refresh_caches(root: Path) -> None:
    for tool, folder in (("update-mime-database", root / "mime"),
                         ("update-desktop-database", root / "applications"),
                         ("gtk-update-icon-cache", root / "icons" / "hicolor")):
        exe = shutil.which(tool)
        if exe is None or not folder.exists():
            continue
        args = [exe, "-q", "-t", str(folder)] if tool == "gtk-update-icon-cache" else \
            [exe, str(folder)]
        try:
            subprocess.run(args, capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.SubprocessError):
            pass  # a stale cache only delays the change until the next login


def install_desktop(root: Path | None = None, command: list[str] | None = None) -> list[Path]:
    """Install the desktop entry, icons and MIME type; returns the files written."""
    root = data_home() if root is None else Path(root)
    paths = installed_paths(root)
    icon = _ICON.read_bytes()
    _write(paths["icon"], icon)
    _write(paths["mime_icon"], icon)
    _write(paths["mime"], MIME_XML.encode("utf-8"))
    entry = desktop_entry(command or launcher_command(), paths["icon"])
    _write(paths["desktop"], entry.encode("utf-8"))
    _refresh_caches(root)
    return list(paths.values())


def uninstall_desktop(root: Path | None = None) -> list[Path]:
    """Remove what :func:`install_desktop` wrote; returns the files that were removed."""
    root = data_home() if root is None else Path(root)
    removed = []
    for path in installed_paths(root).values():
        if path.exists():
            path.unlink()
            removed.append(path)
    _refresh_caches(root)
    return removed


def main(uninstall: bool = False) -> int:
    """The command-line action: print what was done; exit code 0."""
    if uninstall:
        removed = uninstall_desktop()
        print("removed " + ", ".join(map(str, removed)) if removed
              else "olm-studio: nothing to uninstall")
        return 0
    for path in install_desktop():
        print(f"installed {path}")
    print("OLM Studio is in the applications menu; .olm.json projects open with it. "
          f"Undo with: {shlex.join(['olm-studio', '--uninstall-desktop'])}")
    return 0
