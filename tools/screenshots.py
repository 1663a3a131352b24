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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

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


class Camera:
    """The application on a fresh project, and the means to wait for it and shoot it."""

    def __init__(self, out: Path) -> None:
        from PySide6.QtCore import QSettings

        from ui.app import create_application
        from ui.messages import install_excepthook, setup_logging
        from ui.preferences import Preferences
        from ui.window import MainWindow

        self.out = out
        folder = Path(tempfile.mkdtemp(prefix="ifs-screenshots-"))
        self.app = create_application([])
        setup_logging(folder)
        install_excepthook()
        prefs = Preferences(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
        self.window = MainWindow(prefs, folder / "studio.db")
        self.window.resize(*SIZE)
        self.window.show()

    def until(self, condition: Callable[[], bool], timeout: float = 300) -> None:
        end = time.monotonic() + timeout
        while not condition():
            self.app.processEvents()
            time.sleep(0.005)
            if time.monotonic() > end:
                raise TimeoutError("the application did not get there in time")

    def settle(self, condition: Callable[[], bool] = lambda: True) -> None:
        """Until ``condition`` holds, the workers are idle and the charts drawn; then let
        the window paint."""
        from ui.charts import rendering

        window = self.window
        self.until(lambda: condition() and not window.worker.busy and not window.writer.busy
                   and not rendering() and (window.users_page is None
                                            or not window.users_page.reading))
        for _ in range(30):
            self.app.processEvents()
            time.sleep(0.01)

    def shoot(self, widget: QWidget, name: str) -> None:
        path = self.out / f"{name}.png"
        widget.grab().save(str(path), "PNG")
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{path.stat().st_size // 1024} KiB")


def take(out: Path) -> int:
    """Every screenshot into ``out``, in the order a newcomer meets the screens."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    camera = Camera(out)
    camera.settle(lambda: camera.window.data_page is not None)
    camera.shoot(camera.window, "01-welcome")
    demo_run(camera)
    more_runs(camera)
    users(camera)
    for page, name in (("run", "03-run-finished"), ("data", "05-data")):
        camera.window.show_page(page)
        camera.settle()
        camera.shoot(camera.window, name)
    evaluation(camera)
    import_and_about(camera)
    camera.window.close()
    return 0


def demo_run(camera: Camera) -> None:
    """The demo in one click; a shot of the run while it works."""
    window = camera.window
    window.data_page.demo_button.click()
    # Once the transformer trains (the log shows its epochs), a second later.
    camera.until(lambda: "epoch" in window.run_page.log.toPlainText())
    pause = time.monotonic() + 1.0
    camera.until(lambda: time.monotonic() > pause)
    camera.shoot(window, "02-run-in-progress")
    camera.settle(lambda: not window.run_page.running and window.current_page() == "users")


def more_runs(camera: Camera) -> None:
    """More runs to compare, made the way the Run button makes them: a learned fusion
    without the transformer (its gates lean to the long term), single components, and a
    reciprocal-rank fusion."""
    from engine.core.progress import Task
    from ui.jobs import run_pipeline
    from ui.run_settings import RunSettings

    db = camera.window.project.db
    for settings in (RunSettings(components=("ease", "als", "cooc")),
                     RunSettings(components=("ease",)), RunSettings(components=("cooc",)),
                     RunSettings(components=("pop",)),
                     RunSettings(components=("ease", "cooc"), fusion="rrf")):
        run_pipeline(db, "demo shop", settings, Task())
    camera.window.project.runs_changed.emit()
    camera.settle()


def users(camera: Camera) -> None:
    """A user's list with feedback given, then the recommendation text written by the
    packaged language model: mid-stream, and done."""
    window, page = camera.window, camera.window.users_page
    page.run.setCurrentIndex(page.run.findData(1))
    camera.settle(lambda: page.model.total > 0)
    page.select_user("u00014")
    entries = [r.entry.item for r in page.recommendations.rows]
    page.give_feedback(entries[0], "like")
    page.give_feedback(entries[3], "not_interested")
    camera.settle()
    page.list_view.selectRow(1)
    camera.shoot(window, "04-users")
    pane = page.text_pane
    pane.generate()
    camera.until(lambda: pane.streamed > 12)
    camera.shoot(window, "11-users-text-streaming")
    camera.settle(lambda: not pane.busy)
    camera.shoot(window, "12-users-text")


def evaluation(camera: Camera) -> None:
    """The comparison: the default fusion beside its own components, and the other runs."""
    from ui.pages.evaluation import ROW_INDEX

    camera.window.show_page("evaluation")
    page = camera.window.evaluation_page
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
        camera.settle()
        camera.shoot(camera.window, name)


def import_and_about(camera: Camera) -> None:
    """The import dialog with the demo files chosen, and the About box."""
    from PySide6.QtWidgets import QApplication

    from resources import demo_paths

    window = camera.window
    dialog = window.import_data("interactions", demo_paths()[0])
    dialog.items.set_file(demo_paths()[1])
    dialog.name_edit.setText("my shop")
    camera.settle(lambda: dialog.import_button.isEnabled())
    camera.shoot(dialog, "09-import")
    dialog.reject()
    window.about()
    camera.settle()
    about = next(w for w in QApplication.topLevelWidgets()
                 if w.objectName() == "aboutDialog" and w.isVisible())
    camera.shoot(about, "10-about")
    about.close()


if __name__ == "__main__":
    sys.exit(main())
