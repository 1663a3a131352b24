"""A run's plan before it starts: the steps, each model's method at this size and its
budget, and seconds scaled from this machine's earlier runs (never invented)."""
from __future__ import annotations

import pytest

from engine.pipeline.config import RunConfig, SplitOptions, with_run_settings
from engine.pipeline.estimate import DataSize, PastRun, estimate_run
from engine.pipeline.execute import execute_run
from tests.support.storage import shop_dataset

FUSION = RunConfig(model="fusion", params={"fusion": {"components": ["ease", "cooc"]}})
SMALL = DataSize(users=1_000, items=500, interactions=100_000)
LARGE = DataSize(users=10_000, items=1_000, interactions=1_000_000)


def steps(estimate) -> dict[str, object]:
    return {step.stage: step for step in estimate.steps}


def test_the_plan_names_every_fit_and_each_models_method_at_this_size():
    small = steps(estimate_run(FUSION, DataSize(1_000, 500, 100_000), []))
    assert list(small) == ["split", "fit ease", "fit cooc", "fit word2vec", "fit fusion",
                           "evaluate", "recommend", "profiles"]
    assert small["fit ease"].method == "500 items <= 10,000: exact dense solve"
    large = steps(estimate_run(FUSION, DataSize(50_000, 30_000, 3_000_000), []))
    assert large["fit ease"].method.startswith("30,000 items > 10,000: neighbourhood")
    # a catalogue with nothing but ids: the fusion fits no text model
    bare = steps(estimate_run(FUSION, SMALL, [], has_text=False))
    assert "fit word2vec" not in bare


def test_without_an_earlier_run_nothing_is_guessed():
    estimate = estimate_run(RunConfig(model="ease"), SMALL, [])
    assert all(step.seconds is None for step in estimate.steps)
    assert estimate.seconds is None
    assert estimate.lines()[1] == "fit ease: no earlier run to go by (500 items <= 10,000: " \
                                  "exact dense solve)"
    assert estimate.lines()[-1] == "in all: unknown until a run on this machine"


def test_seconds_scale_from_the_nearest_earlier_run():
    past = [PastRun(SMALL, {"split": 0.1, "fit ease": 2.0, "evaluate": 1.0,
                            "recommend": 0.5, "profiles": 0.2}),
            PastRun(LARGE, {"split": 1.0, "fit ease": 30.0, "evaluate": 20.0,
                            "recommend": 10.0, "profiles": 4.0})]
    bigger = DataSize(users=20_000, items=1_000, interactions=2_000_000)
    found = steps(estimate_run(RunConfig(model="ease"), bigger, past))
    assert found["fit ease"].seconds == pytest.approx(60.0)  # x2 interactions
    assert found["fit ease"].basis == LARGE  # the nearer of the two
    assert found["evaluate"].seconds == pytest.approx(40.0)  # x2 users x items
    assert found["profiles"].seconds == pytest.approx(8.0)
    tiny = steps(estimate_run(RunConfig(model="ease"), DataSize(500, 500, 50_000), past))
    assert tiny["fit ease"].basis == SMALL and tiny["fit ease"].seconds == pytest.approx(1.0)
    total = estimate_run(RunConfig(model="ease"), bigger, past).seconds
    assert total == pytest.approx(2 + 60 + 40 + 20 + 8)


def test_a_budget_bounds_its_fit_and_a_fusion_reads_its_members_own_times():
    config = RunConfig(model="fusion", params=with_run_settings({
        "fusion": {"components": ["cooc", "sequential"]},
        "sequential": {"time_budget": 100.0}}))
    past = [PastRun(SMALL, {"fit cooc": 3.0, "fit sequential": 90.0, "fit word2vec": 5.0,
                            "fit fusion": 100.0})]
    found = steps(estimate_run(config, LARGE, past))
    assert found["fit sequential"].budget == 100.0
    assert found["fit sequential"].seconds == 100.0  # 900 s at this size, but its budget
    assert found["fit cooc"].seconds == pytest.approx(30.0)
    # the fusion's own part (its gate): 100 - 3 - 90 - 5 s there, x10 here
    assert found["fit fusion"].seconds == pytest.approx(20.0)


def test_a_fused_run_stores_each_members_fit_time(small_shop_files):
    result = execute_run(shop_dataset(small_shop_files), FUSION)
    seconds = result.stage_seconds
    assert {"fit ease", "fit cooc", "fit fusion"} <= set(seconds)
    assert seconds["fit ease"] + seconds["fit cooc"] <= seconds["fit fusion"]


def test_the_evaluation_is_scaled_to_the_users_it_measures():
    past = [PastRun(DataSize(users=40_000, items=1_000, interactions=2_000_000),
                    {"evaluate": 10.0, "recommend": 10.0})]
    larger = DataSize(users=160_000, items=1_000, interactions=8_000_000)
    capped = RunConfig(model="ease", split=SplitOptions(eval_users=50_000))
    found = steps(estimate_run(capped, larger, past))
    assert found["evaluate"].seconds == pytest.approx(12.5)  # 50,000 of 160,000 vs 40,000
    assert found["recommend"].seconds == pytest.approx(40.0)  # every user's list
    whole = RunConfig(model="ease", split=SplitOptions(eval_users=None))
    assert steps(estimate_run(whole, larger, past))["evaluate"].seconds == pytest.approx(40.0)
