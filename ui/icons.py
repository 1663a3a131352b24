"""The application's icons: small SVG files under ``resources/icons``, drawn for this
application, so they scale cleanly on HiDPI screens and nothing is downloaded."""
from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from resources import icons_folder

FOLDER = icons_folder()


@cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` (a KeyError names a missing file)."""
    path = FOLDER / f"{name}.svg"
    if not path.is_file():
        raise KeyError(f"no icon {path}")
    return QIcon(str(path))
