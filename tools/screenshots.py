"""Take a screenshot of every screen of the application with the demo data.

    python tools/screenshots.py [--out docs/screenshots]

Starts a virtual X server (Xvfb) unless a display is available, opens the application on
a new project in a temporary folder (its own settings too, never the user's), goes
through the screens as a newcomer would (the welcome panel, the demo in one click, the
import dialog, a run in progress, the users, the evaluation charts, About) and saves a PNG
of each. Needs Xvfb (``apt-get install xvfb``) when there is no display.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1320, 840)


def start_xvfb() -> subprocess.Popen[bytes] | None:
    """A virtual display for the xcb platform plugin, unless there is a display already."""
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return None
    if shutil.which("Xvfb") is None:
        raise SystemExit("no display and no Xvfb: install it (apt-get install xvfb) or run "
                         "with QT_QPA_PLATFORM=offscreen")
    for number in range(90, 110):
        if not Path(f"/tmp/.X11-unix/X{number}").exists():
            break
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1600x1000x24",
                               "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{number}").exists():
            break
        time.sleep(0.05)
    os.environ["DISPLAY"] = f":{number}"
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots",
                        help="folder for the PNG files (default docs/screenshots)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    server = start_xvfb()
    try:
        return take(args.out)
    finally:
        if server is not None:
            server.terminate()
            server.wait()


def take(out: Path) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QWidget

    from engine.core.progress import Task
    from resources import demo_paths
    from ui.app import create_application
    from ui.charts import rendering
    from ui.jobs import run_pipeline
    from ui.messages import install_excepthook, setup_logging
    from ui.pages.evaluation import ROW_INDEX
    from ui.preferences import Preferences
    from ui.run_settings import RunSettings
    from ui.window import MainWindow

    folder = Path(tempfile.mkdtemp(prefix="ifs-screenshots-"))
    app = create_application([])
    setup_logging(folder)
    install_excepthook()
    prefs = Preferences(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(prefs, folder / "studio.db")
    window.resize(*SIZE)
    window.show()

    def until(condition: Callable[[], bool], timeout: float = 300) -> None:
        end = time.monotonic() + timeout
        while not condition():
            app.processEvents()
            time.sleep(0.005)
            if time.monotonic() > end:
                raise TimeoutError("the application did not get there in time")

    def settle(condition: Callable[[], bool] = lambda: True) -> None:
        """Until ``condition`` holds, the workers are idle and the charts drawn; then let
        the window paint."""
        until(lambda: condition() and not window.worker.busy and not window.writer.busy
              and not rendering() and (window.users_page is None
                                       or not window.users_page.reading))
        for _ in range(30):
            app.processEvents()
            time.sleep(0.01)

    def shoot(widget: QWidget, name: str) -> None:
        path = out / f"{name}.png"
        widget.grab().save(str(path), "PNG")
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{path.stat().st_size // 1024} KiB")

    settle(lambda: window.data_page is not None)
    shoot(window, "01-welcome")

    # The demo in one click; a shot of the run while it works.
    window.data_page.demo_button.click()
    # Once the transformer trains (the log shows its epochs), a second later.
    until(lambda: "epoch" in window.run_page.log.toPlainText())
    pause = time.monotonic() + 1.0
    until(lambda: time.monotonic() > pause)
    shoot(window, "02-run-in-progress")
    settle(lambda: not window.run_page.running and window.current_page() == "users")

    # More runs to compare, made the way the Run button makes them: a learned fusion
    # without the transformer (its gates lean to the long term), single components, and
    # a reciprocal-rank fusion.
    db = window.project.db
    for settings in (RunSettings(components=("ease", "als", "cooc")),
                     RunSettings(components=("ease",)), RunSettings(components=("cooc",)),
                     RunSettings(components=("pop",)),
                     RunSettings(components=("ease", "cooc"), fusion="rrf")):
        run_pipeline(db, "demo shop", settings, Task())
    window.project.runs_changed.emit()
    settle()

    users = window.users_page
    users.run.setCurrentIndex(users.run.findData(1))
    settle(lambda: users.model.total > 0)
    users.select_user("u00014")
    entries = [r.entry.item for r in users.recommendations.rows]
    users.give_feedback(entries[0], "like")
    users.give_feedback(entries[3], "not_interested")
    settle()
    users.list_view.selectRow(1)
    shoot(window, "04-users")

    # The recommendation text, written by the packaged language model: mid-stream, done.
    pane = users.text_pane
    pane.generate()
    until(lambda: pane.streamed > 12)
    shoot(window, "11-users-text-streaming")
    settle(lambda: not pane.busy)
    shoot(window, "12-users-text")

    window.show_page("run")
    settle()
    shoot(window, "03-run-finished")

    window.show_page("data")
    settle()
    shoot(window, "05-data")

    window.show_page("evaluation")
    page = window.evaluation_page
    # the comparison: the default fusion beside its own components, and the other runs
    page.table.clearSelection()
    for row in range(page.table.rowCount()):
        run = page.rows[page.table.item(row, 0).data(ROW_INDEX)]
        if run.id == 1 or "component_of" not in run.config:
            model = page.table.selectionModel()
            model.select(page.table.model().index(row, 0),
                         model.SelectionFlag.Select | model.SelectionFlag.Rows)
    for tab, name in ((page.comparison, "06-evaluation-models"),
                      (page.gates, "07-evaluation-gates"),
                      (page.by_history, "08-evaluation-history-length")):
        page.tabs.setCurrentWidget(tab)
        settle()
        shoot(window, name)

    dialog = window.import_data("interactions", demo_paths()[0])
    dialog.items.set_file(demo_paths()[1])
    dialog.name_edit.setText("my shop")
    settle(lambda: dialog.import_button.isEnabled())
    shoot(dialog, "09-import")
    dialog.reject()

    window.about()
    settle()
    about = next(w for w in QApplication.topLevelWidgets()
                 if w.objectName() == "aboutDialog" and w.isVisible())
    shoot(about, "10-about")
    about.close()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
