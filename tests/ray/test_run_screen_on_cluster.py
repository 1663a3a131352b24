"""The Run screen on a real Ray cluster: the connection check shows its nodes, CPUs and
GPUs, and a run computed there is stored as a local one is."""
from __future__ import annotations

from PySide6.QtCore import Qt

from storage import list_runs
from tests.support.ui import WAIT_MS, copy_demo, dialogs, make_window, wait_idle
from ui.run_settings import RunSettings


def test_the_run_screen_checks_the_cluster_and_runs_on_it(qtbot, tmp_path, cluster):
    path, first = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.show_page("run")
    wait_idle(qtbot, window)
    page = window.run_page
    assert page.compute.currentData() == "local" and not page.check_button.isEnabled()
    page.compute.setCurrentIndex(page.compute.findData("ray"))
    page.ray_address.setText(cluster.address)
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.cluster_info.text().startswith("connected"), timeout=WAIT_MS)
    assert "2 nodes, 2 CPUs, 0 GPUs" in page.cluster_info.text()

    page.form.set_settings(RunSettings(components=("cooc",)))
    job = page.start_run()  # the form's settings, on the chosen cluster
    assert job is not None
    qtbot.waitUntil(lambda: not page.running, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    assert not dialogs()
    runs = list_runs(window.project.db)
    assert [r.status for r in runs] == ["finished", "finished"]
    assert f"on the Ray cluster at {cluster.address})" in page.log.toPlainText()
    remembered = RunSettings.from_dict(window.prefs.run_settings)
    assert (remembered.compute, remembered.ray_address) == ("ray", cluster.address)

    page.ray_address.setText("127.0.0.1:1")  # nobody there: said next to the choice
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.cluster_info.text().startswith("cannot use it"),
                    timeout=WAIT_MS)
    assert "no Ray cluster answers at '127.0.0.1:1'" in page.cluster_info.text()
