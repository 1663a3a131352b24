"""The system libraries Qt's X11 platform plugin needs, checked before Qt loads it.

PySide6's wheels carry Qt, but its xcb plugin links against a few X libraries that many
desktops have and minimal installs lack. Without them Qt aborts the process with "Could
not load the Qt platform plugin xcb" and a hint that names none of them. So before the
window starts, on Linux with X11, the libraries are looked up the way the dynamic loader
finds them, and a missing one is named with the line that installs it. No Qt import here.
"""
from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping

#: Library (as ``ctypes.util.find_library`` names it) -> the Debian/Ubuntu package.
XCB_LIBRARIES = {"xcb-icccm": "libxcb-icccm4", "xcb-keysyms": "libxcb-keysyms1",
                 "xcb-cursor": "libxcb-cursor0"}


def uses_xcb(environ: Mapping[str, str] = os.environ, platform: str = sys.platform,
             frozen: bool = getattr(sys, "frozen", False)) -> bool:
    """Whether Qt will load its X11 plugin from the system's libraries: on Linux, unless
    another platform is asked for or the session is Wayland (where Qt takes its Wayland
    plugin first); not in the installed build, which carries them or depends on them."""
    if not platform.startswith("linux") or frozen:
        return False
    asked = environ.get("QT_QPA_PLATFORM", "").split(";")[0].strip()
    if asked:
        return asked == "xcb"
    return not environ.get("WAYLAND_DISPLAY")


def missing_packages(find: Callable[[str], str | None] = ctypes.util.find_library
                     ) -> list[str]:
    """The packages of the X libraries that the loader cannot find."""
    return [package for library, package in XCB_LIBRARIES.items() if find(library) is None]


def missing_message(packages: list[str]) -> str:
    return ("error: the window needs system libraries that are not installed: "
            f"{', '.join(packages)}. Install them, e.g. on Debian or Ubuntu:\n"
            f"    sudo apt-get install {' '.join(packages)}\n"
            "(the command line works without them: python main.py --help)")
