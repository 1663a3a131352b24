"""The users a phase is measured on: everyone up to the split's ``eval_users``, beyond it
one seeded sample that every model, the breakdown and every run of the split share."""
from __future__ import annotations

import numpy as np
import pytest

from engine.core.errors import DataError
from engine.evaluation.breakdown import by_history_length
from engine.evaluation.evaluate import evaluate, measured_users
from engine.models import make_model
from engine.pipeline.config import SplitOptions, make_split
from tests.support.storage import shop_dataset


@pytest.fixture(scope="module")
def dataset(small_shop_files):
    return shop_dataset(small_shop_files)


def test_every_user_is_measured_up_to_the_limit(dataset):
    whole = make_split(dataset, SplitOptions(eval_users=None))
    for phase in ("valid", "test"):
        assert np.array_equal(measured_users(whole, phase), whole.users(phase))
        at_limit = make_split(dataset, SplitOptions(eval_users=len(whole.users(phase))))
        assert np.array_equal(measured_users(at_limit, phase), whole.users(phase))


def test_beyond_the_limit_one_seeded_sample_is_measured(dataset):
    split = make_split(dataset, SplitOptions(eval_users=20))
    again = make_split(dataset, SplitOptions(eval_users=20))
    sample = measured_users(split, "test")
    assert len(sample) == 20 and len(split.users("test")) > 20
    assert np.all(np.diff(sample) > 0) and np.isin(sample, split.users("test")).all()
    assert np.array_equal(sample, measured_users(again, "test"))  # the same for every run
    assert "20" in str(split.protocol["eval_users"])


def test_the_metrics_and_the_breakdown_are_those_of_the_sample(dataset):
    split = make_split(dataset, SplitOptions(eval_users=20))
    whole = make_split(dataset, SplitOptions(eval_users=None))
    model = make_model("cooc").fit(split.train, dataset)
    sample = measured_users(split, "test")
    assert evaluate(model, split, "test") == evaluate(model, whole, "test", users=sample)
    assert evaluate(model, split, "test") != evaluate(model, whole, "test")
    buckets = by_history_length(model, split, (10,), None)
    assert sum(b["users"] for b in buckets.values()) == 20


def test_a_limit_below_one_is_refused(dataset):
    with pytest.raises(DataError, match="eval-users"):
        make_split(dataset, SplitOptions(eval_users=0))
