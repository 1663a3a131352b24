"""Start Interest Fusion Studio.

Without arguments it opens the desktop window; with a command (evaluate, recommend, demo,
import, run, ...) it runs headless, as ``python main.py --help`` lists. The window's
module imports only Qt at first, and the command line never imports Qt.

``python main.py --db FILE_OR_URL`` opens the window on that database (an SQLite file or
any SQLAlchemy URL); without ``--db`` the window opens $INTEREST_FUSION_STUDIO_DB when it
is set, else the most recent project, else the default project file.

On Linux with X11 the window first checks the X libraries Qt's platform plugin needs
(:mod:`ui.system_libraries`) and names any that are missing, with the line that installs
them, instead of letting Qt abort.

``--selftest`` runs the demo pipeline headless in a temporary folder and exits 0, or 1
with the reason (:mod:`cli.selftest`); installers run it on the installed copy.

``IFS_STARTUP_REPORT=FILE`` (environment) makes the window write, when it first paints,
``{"shown_unix": ..., "since_process_start_s": ..., "window_id": ...}`` to FILE: the
installer's check measures the time from launch to the first window with it and takes
the screenshot of that window (installer/linux/check_install.py).
"""
import os
import sys

STARTUP_REPORT_ENV = "IFS_STARTUP_REPORT"
_KEEP: list[object] = []


def run(argv: list[str] | None = None) -> int:
    """Entry point of ``python main.py`` and of the installed ``interest-fusion-studio``."""
    argv = sys.argv[1:] if argv is None else argv
    starts_window, database = window_arguments(argv)
    if starts_window:
        from ui.system_libraries import missing_message, missing_packages, uses_xcb

        missing = missing_packages() if uses_xcb() else []
        if missing:  # Qt would abort without saying which
            print(missing_message(missing), file=sys.stderr)
            return 1
        from ui.app import main as window

        if os.environ.get(STARTUP_REPORT_ENV):
            _report_first_paint(os.environ[STARTUP_REPORT_ENV])
        return window(database=database)
    if argv == ["--selftest"]:
        from cli.selftest import selftest

        return selftest()
    from cli.main import main
    
    return main(argv)


def window_arguments(argv: list[str]) -> tuple[bool, str | None]:
    """Whether ``argv`` starts the window (nothing, or only ``--db X`` / ``--db=X``), and
    the database it names."""
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--db" and argv[1]:
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith("--db=") and len(argv[0]) > 5:
        return True, argv[0][5:]
    return False, None


def _report_first_paint(path: str) -> None:
    """Write when the main window first paints (see the module notes).

    The QApplication is created here, as ``ui.app.main`` would, so the event filter is
    in place before the window exists; ``ui.app.main`` then reuses it (Qt warns once
    that the rounding policy it sets again comes after the application was created).
    """
    import json
    import time

    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QMainWindow

    from ui.app import create_application

    app = create_application(sys.argv[:1])

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
            if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):
                app.removeEventFilter(self)
                report = {"shown_unix": time.time(),
                          "since_process_start_s": _since_process_start(),
                          "window_id": int(watched.winId())}
                with open(f"{path}.part", "w", encoding="utf-8") as handle:
                    json.dump(report, handle)
                os.replace(f"{path}.part", path)  # a reader never sees half of it
            return False

    probe = FirstPaint(app)
    app.installEventFilter(probe)
    _KEEP.append(probe)  # the filter must outlive this function


def _since_process_start() -> float | None:
    """Seconds since this process was created (Linux /proc), else None."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            ticks = int(handle.read().rpartition(")")[2].split()[19])
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return round(uptime - ticks / os.sysconf("SC_CLK_TCK"), 3)


if __name__ == "__main__":
    sys.exit(run())
