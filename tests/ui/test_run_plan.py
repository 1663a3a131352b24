"""The Run screen's plan: before a run starts, the steps of the run the settings describe,
each timed from the project's earlier runs, and the total; read again when the dataset,
the settings or the runs change, and the reason instead when the settings do not check out.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from application.importing import import_demo
from engine.core.progress import Task
from engine.models.fusion import DEFAULT_COMPONENTS
from engine.pipeline.estimate import RunEstimate, Step
from storage import open_database
from tests.support.ui import dialogs, make_window, wait_idle
from ui.run_plan import duration_text, step_notes, step_time, total_text
from ui.run_settings import RunSettings


def demo_without_runs(folder: Path) -> Path:
    """A project with the demo shop imported and no run yet."""
    path = folder / "plan.db"
    with open_database(path) as db:
        import_demo(db, Task())
    return path


def plan_of(qtbot, page, *wanted: str) -> list[str]:
    """The plan's rows once it shows every ``wanted`` text."""
    qtbot.waitUntil(lambda: not page.plan.busy and all(
        any(w in line for line in page.plan.lines()) for w in wanted), timeout=30_000)
    return page.plan.lines()


def rows(lines: list[str], label: str) -> list[str]:
    return [line for line in lines if line.split(" | ")[0] == label]


def timed(line: str) -> bool:
    """A row with a time from an earlier run (how long depends on this computer)."""
    return " | about " in line or " | under 1 s" in line


def test_the_plan_shows_the_steps_and_learns_their_times_from_a_run(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, demo_without_runs(tmp_path))
    window.show_page("run")
    page = window.run_page
    assert page.progress_box.title() == "Plan" and page.plan.isVisibleTo(page)
    assert not page.stages.isVisibleTo(page)

    # no run yet: every fit of the default fusion, its members first, with no time
    first = plan_of(qtbot, page, "Fit fusion")
    fits = [line.split(" | ")[0] for line in first if line.startswith("Fit ")]
    assert fits[:len(DEFAULT_COMPONENTS)] == [f"Fit {c}" for c in DEFAULT_COMPONENTS]
    assert fits[-1] == "Fit fusion"
    assert first[0].startswith("Split the data | no earlier run to go by")
    for fit in fits:
        assert "no earlier run to go by" in rows(first, fit)[0]
    assert "exact dense solve" in rows(first, "Fit ease")[0]  # the engine's method
    assert first[-1] == "In all | unknown until a first run on this computer"

    # a quick run of one cheap model; then the same settings: about so long, in all
    page.start_run(settings=RunSettings(components=("ease",)))
    assert page.progress_box.title() == "Progress" and page.stages.isVisibleTo(page)
    assert not page.plan.isVisibleTo(page)
    qtbot.waitUntil(lambda: not page.running, timeout=120_000)
    wait_idle(qtbot, window)
    assert page.progress_box.title() == "Plan"  # a finished run: the plan again
    page.form.set_settings(RunSettings(components=("ease",)))
    after = plan_of(qtbot, page, "Fit ease | ")
    qtbot.waitUntil(lambda: timed(page.plan.lines()[-1]), timeout=30_000)
    after = page.plan.lines()
    assert [line.split(" | ")[0] for line in after] == [
        "Split the data", "Fit ease", "Evaluate", "Make the lists", "Build the profiles",
        "In all"]
    assert all(timed(line) for line in after)

    # another component: its fit and the fusion's are listed, not timed yet
    cooc = page.form.components.findItems("Next-item co-occurrence, short-term",
                                          Qt.MatchFlag.MatchExactly)[0]
    cooc.setCheckState(Qt.CheckState.Checked)
    fused = plan_of(qtbot, page, "Fit cooc", "Fit fusion")
    assert "no earlier run to go by" in rows(fused, "Fit cooc")[0]
    assert timed(rows(fused, "Fit ease")[0])
    assert fused[-1].startswith("In all | more than ")
    assert not dialogs()


def test_settings_that_do_not_check_out_show_why_and_no_plan(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, demo_without_runs(tmp_path))
    window.show_page("run")
    page = window.run_page
    plan_of(qtbot, page, "Fit fusion")
    page.form.set_settings(RunSettings(components=()))  # mid-edit: nothing chosen
    assert plan_of(qtbot, page, "No plan") == ["No plan: choose at least one component"]
    page.form.set_settings(RunSettings(components=("pop",)))
    assert rows(plan_of(qtbot, page, "Fit pop"), "Fit pop")
    assert not dialogs()


def test_the_plans_texts():
    assert duration_text(0.2) == "under 1 s" and duration_text(12.4) == "12 s"
    assert duration_text(240) == "4 min" and duration_text(3900) == "1 h 05 min"
    step = Step("fit sequential", "sampled softmax", budget=240.0, seconds=30.0)
    assert step_notes(step) == "sampled softmax; budget 4 min"
    assert total_text(RunEstimate((step, Step("evaluate", seconds=5.0)))) == "about 35 s"
    assert total_text(RunEstimate((step, Step("evaluate")))) == \
        "more than 30 s: some steps have not run on this computer yet"
    assert step_time(Step("split", seconds=0.01)) == "under 1 s"
    assert step_time(Step("split")) == "no earlier run to go by"
    assert total_text(RunEstimate((Step("split"),))) == \
        "unknown until a first run on this computer"
