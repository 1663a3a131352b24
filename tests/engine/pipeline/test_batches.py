"""Scoring everyone in user batches: a batch's score matrices stay bounded by the
catalogue's size, and the lists, contributions, gates and metrics are those of one
batch of everyone."""
from __future__ import annotations

import numpy as np
import pytest

from engine.core.progress import Task
from engine.data.feedback import TrainingSignal
from engine.evaluation import ranking
from engine.evaluation.evaluate import evaluate
from engine.evaluation.ranking import user_batches
from engine.pipeline.config import RunConfig
from engine.pipeline.execute import fit_run_model, lists_and_profiles
from tests.support.storage import EASE_COOC, shop_dataset


def test_batches_cover_every_user_once_within_the_cell_budget():
    users = np.arange(1000)
    for n_items, cells in ((10, 10_000), (3_000, 10_000), (100_000, 10_000), (7, 7)):
        batches = list(user_batches(users, n_items, cells))
        assert np.array_equal(np.concatenate(batches), users)
        assert all(len(b) * n_items <= max(cells, n_items) for b in batches)
        assert all(len(b) <= ranking.MAX_BATCH_USERS for b in batches)


@pytest.fixture(scope="module")
def fitted(small_shop_files):
    dataset = shop_dataset(small_shop_files)
    config = RunConfig(model="fusion", params=EASE_COOC, k=10)
    split, model = fit_run_model(dataset, config)
    return dataset, config, split, model


def test_small_batches_give_the_lists_and_metrics_of_one_batch(fitted, monkeypatch):
    dataset, config, split, model = fitted
    whole = lists_and_profiles(model, dataset, config, TrainingSignal.empty(), Task())
    metrics = evaluate(model, split, "test")
    monkeypatch.setattr(ranking, "BATCH_CELLS", 7 * dataset.n_items)  # 7 users a batch
    seen: list[float] = []
    batched = lists_and_profiles(model, dataset, config, TrainingSignal.empty(),
                                 Task(listeners=[lambda t: seen.append(t.progress)]))
    lists, profiles = batched
    # the same lists; the scores to float32 rounding (BLAS blocks a product by its shape)
    np.testing.assert_array_equal(lists.items, whole[0].items)
    np.testing.assert_allclose(lists.scores, whole[0].scores, rtol=1e-5)
    for name, part in whole[0].contributions.items():
        np.testing.assert_allclose(lists.contributions[name], part, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(profiles.gate, whole[1].gate, rtol=1e-5)
    assert evaluate(model, split, "test") == pytest.approx(metrics)
    assert len(set(seen)) > dataset.n_users // 7  # progress after every batch
