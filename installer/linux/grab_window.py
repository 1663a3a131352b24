"""Save what the X server shows of one window: the screenshot of the installed app.

    DISPLAY=:N python installer/linux/grab_window.py WINDOW_ID OUT.png

A separate process with its own Qt connection to the display, so the picture is the
window as the X server composed it (not a widget rendering itself); the window id comes
from the app's start-up report (``IFS_STARTUP_REPORT``, see main.py).
"""
from __future__ import annotations

import sys
from pathlib import Path


def grab(window_id: int, out: Path) -> tuple[int, int]:
    """Write the window's pixels to ``out``; its width and height."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(["grab_window", "-platform", "xcb"])
    screen = app.primaryScreen()
    if screen is None:
        raise SystemExit("no screen: is DISPLAY set to a running X server?")
    pixmap = screen.grabWindow(window_id)
    if pixmap.isNull() or pixmap.width() < 2:
        raise SystemExit(f"could not grab window {window_id:#x}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if not pixmap.save(str(out)):
        raise SystemExit(f"cannot write {out}")
    return pixmap.width(), pixmap.height()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: grab_window.py WINDOW_ID OUT.png", file=sys.stderr)
        return 2
    width, height = grab(int(args[0], 0), Path(args[1]))
    print(f"{args[1]}: {width}x{height}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
