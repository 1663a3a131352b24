"""Render the application icon (resources/icons/app.svg) as the bitmaps installers need.

    python installer/icons.py OUT_DIR

writes ``app.png`` (256 px, the Linux menu's fallback), ``app.ico`` (Windows: 16-256 px)
and ``app.icns`` (macOS). They are made at build time from the one SVG the window uses,
so no binary copy of the icon is kept in the repository and they cannot go stale. Qt
renders the SVG (offscreen, no display needed); Pillow, which matplotlib already brings,
writes the .ico and .icns containers.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from installer.layout import APP_ICON_SVG  # noqa: E402

SIZE = 1024  # rendered once large; Pillow scales down for each size in the containers


def render(out: Path) -> list[Path]:
    """Write app.png, app.ico and app.icns into ``out``; their paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841  Qt needs one
    renderer = QSvgRenderer(str(APP_ICON_SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read the icon {APP_ICON_SVG}")
    image = QImage(SIZE, SIZE, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    out.mkdir(parents=True, exist_ok=True)
    large = out / "app-1024.png"
    if not image.save(str(large)):
        raise SystemExit(f"cannot write {large}")
    source = Image.open(large).convert("RGBA")
    png, ico, icns = out / "app.png", out / "app.ico", out / "app.icns"
    source.resize((256, 256), Image.Resampling.LANCZOS).save(png)
    source.save(ico, sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    source.save(icns)
    return [png, ico, icns]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python installer/icons.py OUT_DIR", file=sys.stderr)
        return 2
    for path in render(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
