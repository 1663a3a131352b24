"""The application's icons: small SVG files under ``resources/icons``, drawn for this
application, so they scale cleanly on HiDPI screens and nothing is downloaded."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

FOLDER = Path(__file__).resolve().parents[1] / "resources" / "icons"


@cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` (a KeyError names a missing file)."""
    path = FOLDER / f"{name}.svg"
    if not path.is_file():
        raise KeyError(f"no icon {path}")
    return QIcon(str(path))
