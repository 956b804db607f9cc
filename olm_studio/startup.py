"""What ``olm-studio`` does before Qt starts: options that need no window, and the check
that Qt's platform plugin can load (so a missing system library is explained, not aborted on).
"""

from __future__ import annotations

import argparse

__all__ = ["add_arguments", "before_qt"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options handled here to ``olm-studio``'s parser."""
    parser.add_argument("--version", action="store_true",
                        help="print the versions of OLM Studio, olm, torch, CUDA and Qt, and exit")
    parser.add_argument("--install-desktop", action="store_true",
                        help="add OLM Studio to the applications menu and open .olm.json "
                             "projects with it (current user, XDG folders), and exit")
    parser.add_argument("--uninstall-desktop", action="store_true",
                        help="undo --install-desktop and exit")
    parser.add_argument("--welcome", action="store_true",
                        help="show the welcome page even when FILE is given (and in --screenshot)")


def before_qt(args: argparse.Namespace) -> int | None:
    """Run the window-less options; returns an exit code, or None to go on and open the window."""
    if args.version:
        from olm_studio.versions import versions_text

        print(versions_text())
        return 0
    if args.install_desktop or args.uninstall_desktop:
        from olm_studio.desktop_install import main as desktop_main

        return desktop_main(uninstall=args.uninstall_desktop)
    from olm_studio.syslibs import check_platform_libs

    return check_platform_libs()
