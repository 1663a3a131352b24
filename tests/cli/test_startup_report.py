"""``IFS_STARTUP_REPORT``: the window says when it first painted (the installer's start-up
measurement and screenshot rely on it, installer/linux/check_install.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from tests.support import ROOT


def test_window_reports_its_first_paint(tmp_path):
    report = tmp_path / "shown.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IFS_STARTUP_REPORT": str(report),
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state")}
    started = time.time()
    process = subprocess.Popen([sys.executable, "main.py"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not report.exists() and process.poll() is None and time.time() - started < 60:
            time.sleep(0.05)
        assert report.exists(), process.stderr.read().decode() if process.poll() else "timeout"
        shown = json.loads(report.read_text())
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert started < shown["shown_unix"] < time.time()
    assert 0 < shown["since_process_start_s"] < 30
    assert isinstance(shown["window_id"], int)
