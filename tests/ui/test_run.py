"""The Run screen: the configuration and what it turns into, remembered settings, Cancel
that leaves the database as it was, and errors shown as dialogs."""
from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt

from engine.core.errors import DataError
from engine.models.fusion import DEFAULT_COMPONENTS
from storage import list_runs, run_info
from tests.support.ui import QUICK, copy_demo, dialogs, make_window, preferences, wait_idle
from ui.run_form import RunForm
from ui.run_settings import RunSettings
from ui.stage_progress import StageProgress, remaining, seconds_text
from ui.worker import Progress


def test_settings_become_the_engines_run_config(tmp_path):
    settings = RunSettings(seed=7, k=15)
    assert settings.components == DEFAULT_COMPONENTS and settings.model == "fusion"
    config = settings.to_config()
    assert config.model == "fusion" and config.k == 15 and config.seed == 7
    fusion = config.params["fusion"]
    assert fusion["components"] == list(DEFAULT_COMPONENTS) and fusion["seed"] == 7
    assert set(fusion["component_params"]) == set(DEFAULT_COMPONENTS)
    assert RunSettings(components=("cooc",)).model == "cooc"
    assert RunSettings(components=("ease", "cooc"), fusion="rrf").model == "fusion-rrf"
    encoder = tmp_path / "encoder"
    encoder.mkdir()
    semantic = RunSettings(components=("semantic", "cooc"), encoder=str(encoder))
    semantic.check()
    assert semantic.params()["fusion"]["component_params"]["semantic"]["encoder"] == str(encoder)

    sequential = RunSettings(components=("ease", "sequential"), hidden=32, layers=1, epochs=5,
                             device="cpu").params()
    assert sequential["sequential"].items() >= {"hidden": 32, "layers": 1, "max_epochs": 5,
                                                "device": "cpu"}.items()
    assert sequential["fusion"]["component_params"]["sequential"] == sequential["sequential"]

    with pytest.raises(DataError, match="choose at least one component"):
        RunSettings(components=()).check()
    with pytest.raises(DataError, match="the text encoder folder does not exist"):
        RunSettings(encoder=str(tmp_path / "missing")).check()
    with pytest.raises(DataError, match="at least 1"):
        RunSettings(k=0).check()
    saved = RunSettings(components=("als", "cooc"), fusion="fixed", k=30).to_dict()
    assert RunSettings.from_dict({**saved, "unknown": 1}) == RunSettings(
        components=("als", "cooc"), fusion="fixed", k=30)
    assert RunSettings.from_dict({"components": ["gone"], "k": "x"}) == RunSettings()


def test_form_round_trip_defaults_and_memory(qtbot, tmp_path):
    prefs = preferences(tmp_path)
    form = RunForm(prefs)
    qtbot.addWidget(form)
    assert form.settings() == RunSettings()
    assert not form.encoder.isEnabled()  # only the semantic component reads text
    assert form.sequential.isEnabled() == ("sequential" in DEFAULT_COMPONENTS)
    assert form.hidden.value() == 64  # the model's own default, read from its signature
    chosen = RunSettings(components=("itemknn", "semantic", "item2vec"), fusion="rrf",
                         k=12, device="cpu", threads=2, seed=3)
    form.set_settings(chosen)
    assert form.settings() == chosen and form.encoder.isEnabled()
    assert form.fusion.currentText() == "Reciprocal-rank fusion"
    form.components.item(0).setCheckState(Qt.CheckState.Checked)  # pop, by a click
    assert form.settings().components == ("itemknn", "semantic", "item2vec", "pop")
    prefs.run_settings = chosen.to_dict()
    again = RunForm(prefs)
    qtbot.addWidget(again)
    assert again.settings() == chosen  # the last configuration comes back
    qtbot.mouseClick(again.defaults, Qt.MouseButton.LeftButton)
    assert again.settings() == RunSettings()


def test_stage_timing_text():
    assert seconds_text(0.44) == "0.4 s" and seconds_text(42) == "42 s"
    assert seconds_text(185) == "3 min 05 s"
    assert remaining(2.0, 0.5) == pytest.approx(2.0)
    assert remaining(2.0, 0.01) is None and remaining(2.0, 1.0) is None


def test_stage_estimates_follow_an_earlier_run_and_skip_uneven_stages(qtbot):
    stages = StageProgress()
    qtbot.addWidget(stages)
    # No earlier run: a fusion's fit reports each component as an equal share, so its
    # fraction says nothing about the time left (the transformer takes nearly all).
    stages.start(["split", "fit fusion"], uneven=("fit fusion",))
    stages.report(Progress("split", 0.5, "split"))
    assert stages.estimate("split").endswith(" left")  # an even stage: its pace
    stages.report(Progress("fit fusion", 0.6, "fitting cooc"))
    stages._rows["fit fusion"].started -= 3.0  # three seconds into it
    stages._refresh_times()
    assert stages.estimate("fit fusion") == "3.0 s"  # no "about 2 s left"
    # An earlier run like this one: its time of the stage, minus the time spent.
    stages.start(["fit fusion"], 50.0, {"fit fusion": 42.0}, uneven=("fit fusion",))
    stages.report(Progress("fit fusion", 0.6, "fitting cooc"))
    stages._rows["fit fusion"].started -= 2.0
    stages._started -= 2.0
    stages._refresh_times()
    assert stages.estimate("fit fusion") == "2.0 s, about 40 s left"
    assert stages.summary.text() == "Elapsed 2.0 s; about 48 s left (from the last run " \
                                    "like this)"
    stages._rows["fit fusion"].started -= 45.0  # longer than last time: no guess
    stages._started -= 50.0
    stages._refresh_times()
    assert stages.estimate("fit fusion") == "47 s"
    assert stages.summary.text() == "Elapsed 52 s; longer than the last run like this (50 s)"


def test_a_run_is_estimated_from_the_last_run_of_its_configuration(qtbot, tmp_path):
    path, first = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.show_page("run")
    wait_idle(qtbot, window)
    page = window.run_page
    quick = QUICK.params()["fusion"]
    assert page.earlier_run("demo shop", "fusion", quick).id == first
    assert page.earlier_run("demo shop", "fusion", RunSettings().params()["fusion"]) is None
    earlier = run_info(window.project.db, first)
    seen: dict[str, str] = {}

    def look(progress: Progress) -> None:
        if progress.stage == "fit fusion" and not seen:
            seen["fit"] = page.stages.estimate("fit fusion")
            seen["summary"] = page.stages.summary.text()

    job = page.start_run(settings=QUICK)
    job.progress.connect(look)
    qtbot.waitUntil(lambda: not page.running, timeout=120_000)
    wait_idle(qtbot, window)
    fit = earlier.stage_seconds["fit fusion"]
    left = float(seen["fit"].split("about ")[1].split(" s left")[0]) if fit < 60 else None
    # the last run's fit time less what has passed, rounded to whole seconds from 10 s
    assert "left" in seen["fit"] and (left is None or 0 <= left <= fit + 0.5)
    assert seen["summary"].endswith("left (from the last run like this)")


def test_cancel_stops_the_run_and_saves_nothing(qtbot, tmp_path):
    path, first_run = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.show_page("run")
    wait_idle(qtbot, window)
    page = window.run_page
    job = page.start_run(settings=RunSettings(components=("ease", "cooc"), seed=1))
    job.progress.connect(lambda p: page.cancel() if p.stage.startswith("fit") else None)
    qtbot.waitUntil(lambda: not page.running, timeout=60_000)
    wait_idle(qtbot, window)
    runs = list_runs(window.project.db)
    assert [(r.id, r.status) for r in runs] == [(first_run, "finished")]  # as it was
    with sqlite3.connect(path) as conn:
        for table in ("lists", "profiles"):
            assert conn.execute(f"SELECT count(*) FROM {table} WHERE run_id <> ?",
                                (first_run,)).fetchone()[0] == 0
    assert page.stages.summary.text().startswith("Cancelled")
    assert "the database is as it was" in page.log.toPlainText()
    assert page.runs.rowCount() == 1 and page.runs.item(0, 4).text() == "finished"
    assert page.run_button.isEnabled() and not page.cancel_button.isEnabled()
    assert not dialogs()


def test_run_problems_are_dialogs_and_the_window_stays_usable(qtbot, tmp_path):
    path, _ = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    page = window.run_page
    assert page.start_run(settings=RunSettings(components=())) is None
    [box] = dialogs()
    assert box.text() == "choose at least one component" and box.windowTitle().startswith("Run")
    box.close()
    page.start_run(dataset="no such dataset", settings=RunSettings())
    qtbot.waitUntil(lambda: not page.running, timeout=30_000)
    [box] = dialogs()
    assert "no dataset named 'no such dataset'" in box.text()
    assert box.windowTitle() == "Run: database problem"
    box.close()
    assert page.run_button.isEnabled()
