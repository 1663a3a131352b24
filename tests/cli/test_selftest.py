"""``--selftest``: the demo pipeline end to end in a temporary folder, really run.

The installer runs the same code from the installed copy (installer/build_linux.sh);
here it runs from source, in-process, on the shipped demo data and packaged models.
"""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

import main
from cli import selftest as selftest_module
from cli.selftest import STEPS, selftest


@pytest.mark.slow
def test_selftest_runs_the_demo_pipeline_and_cleans_up():
    touched = [*selftest_module.OFFLINE, "IFS_CACHE_DIR"]
    before = {key: os.environ.get(key) for key in touched}
    out = io.StringIO()
    status = selftest(out)
    report = out.getvalue()
    assert status == 0, report
    for name, _ in STEPS:
        assert re.search(rf"^  ok    {re.escape(name)} \(", report, re.MULTILINE), report
    assert "fusion of ease, als, cooc, sequential" in report  # the default pipeline
    assert re.search(r"explain a list .*: (generated|template) text \(model SmolLM2", report)
    assert re.search(r"self-test passed in \d", report)
    folder = Path(re.search(r"\) in (\S+)$", report.splitlines()[0]).group(1))
    assert not folder.exists()  # database and model cache went with it
    assert {key: os.environ.get(key) for key in touched} == before  # restored


def test_selftest_names_the_failing_step(monkeypatch, tmp_path):
    missing = tmp_path / "no-demo"
    monkeypatch.setattr("resources.demo_paths",
                        lambda: (missing / "interactions.csv", missing / "items.csv"))
    out = io.StringIO()
    assert selftest(out) == 1
    report = out.getvalue()
    assert f"FAIL  import the demo data: the demo data is missing: {missing}" in report
    assert report.rstrip().endswith("self-test failed")


def test_a_failing_command_reports_its_error_message(tmp_path):
    with pytest.raises(selftest_module.StepFailed, match=r"status 2:\n.*no dataset"):
        selftest_module.command("run", "--dataset", "nothing here", "--db",
                                str(tmp_path / "x.db"), "--quiet")


def test_main_hands_the_flag_to_the_selftest(monkeypatch):
    monkeypatch.setattr(selftest_module, "selftest", lambda: 7)
    assert main.run(["--selftest"]) == 7
