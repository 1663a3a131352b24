"""Messages to the user, and where problems go: a dialog with the specific message and,
for bugs, a log file with the traceback, while the application stays open and usable.

Data and storage errors carry a message written for the user (file, row and column; which
database and why) and are shown as they are. Anything else is a bug: its traceback goes
to the log file and the dialog says where that file is. Dialogs are opened window-modal
but without a nested event loop, so the worker keeps reporting and tests can read them.
The titles and the application's own sentences are translated (:mod:`ui.language`); the
messages of data and storage errors are the engine's and storage's, shown as written.
"""
from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

import platformdirs
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from engine.core.errors import DataError

#: The folder name under the user's log folder; the same name storage uses for its data.
APP_FOLDER = "interest-fusion-studio"
log = logging.getLogger("interest_fusion_studio")
translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls
_state: dict[str, Path] = {}
_unowned: set[QMessageBox] = set()


def setup_logging(folder: Path | None = None) -> Path:
    """Send this application's log records to ``studio.log`` in ``folder``; its path."""
    folder = Path(folder or platformdirs.user_log_dir(APP_FOLDER, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "studio.log"
    if _state.get("log") != path:
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=2, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        _state["log"] = path
    return path


def log_path() -> Path | None:
    return _state.get("log")


def describe(exc: BaseException) -> tuple[str, str]:
    """The dialog title and message for ``exc``; an unexpected one is logged here."""
    # A StorageError (a DataError about the database) can only exist once storage is
    # imported; checking sys.modules keeps this module from importing storage at start-up.
    storage_errors = sys.modules.get("storage.errors")
    if storage_errors is not None and isinstance(exc, storage_errors.StorageError):
        return translate("Messages", "Database problem"), str(exc)
    if isinstance(exc, DataError):
        return translate("Messages", "Problem with the data"), str(exc)
    log.error("unexpected error: %s",
              "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    where = log_path()
    saved = ("\n\n" + translate("Messages", "The details were written to {path}.").format(
        path=where)) if where else ""
    return (translate("Messages", "Unexpected error"),
            f"{type(exc).__name__}: {exc}{saved}\n\n"
            + translate("Messages", "The application is still usable; please report this with "
                        "the log file."))


def show_error(parent: QWidget | None, title: str, message: str) -> QMessageBox:
    """A window-modal error box that does not block the caller."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok,
                      parent)
    box.setObjectName("errorDialog")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if parent is None:  # nothing owns it: keep it alive until it is closed
        _unowned.add(box)
        box.finished.connect(lambda _: _unowned.discard(box))
    box.open()
    return box


def report(parent: QWidget | None, exc: BaseException, doing: str = "") -> QMessageBox:
    """Show ``exc`` to the user (and log it when it is a bug)."""
    title, message = describe(exc)
    if doing:
        title = translate("Messages", "{doing}: {problem}").format(doing=doing,
                                                                   problem=title.lower())
    return show_error(parent, title, message)


def install_excepthook() -> None:
    """Exceptions escaping a slot are logged and shown instead of ending the application."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        exc.__traceback__ = tb
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QMainWindow) and w.isVisible()]
        report(QApplication.activeWindow() or (windows[0] if windows else None), exc)

    sys.excepthook = hook


def confirm(parent: QWidget, title: str, question: str, yes: str,
            on_yes: Callable[[], None]) -> QMessageBox:
    """Ask before something that cannot be undone; ``on_yes`` runs only if confirmed."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question,
                      QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("confirmDialog")
    accept = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.buttonClicked.connect(lambda button: on_yes() if button is accept else None)
    box.open()
    return box
