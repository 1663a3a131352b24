"""Start the desktop application: ``python main.py`` with no command.

Only Qt is imported before the window shows; see :mod:`ui.window` for what loads later.
The translations of the chosen language are installed before the window is built, so it
is made in that language (:mod:`ui.language`).
"""
from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ui.about import APP_NAME
from ui.icons import icon
from ui.language import apply_language, chosen_language
from ui.messages import install_excepthook, setup_logging
from ui.preferences import Preferences
from ui.window import MainWindow


def create_application(argv: list[str]) -> QApplication:
    """The QApplication with the names QSettings uses, the Fusion style and the icon."""
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(argv)
    app.setStyle("Fusion")
    app.setWindowIcon(icon("app"))
    return app


def main(argv: list[str] | None = None, database: str | None = None) -> int:
    """Show the window on ``database`` (a file or an SQLAlchemy URL; None: see
    :func:`ui.window.startup_database`) and run until it closes."""
    app = create_application(sys.argv[:1] + (argv or []))
    setup_logging()
    install_excepthook()
    prefs = Preferences()
    apply_language(chosen_language(prefs))
    window = MainWindow(prefs, database)
    window.show()
    return app.exec()
