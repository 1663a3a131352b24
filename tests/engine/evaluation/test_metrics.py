import math

import numpy as np
import pytest
import scipy.sparse as sp

from engine.evaluation.metrics import MetricAccumulator, gini


def targets(rows: list[list[int]], n_items: int) -> sp.csr_matrix:
    dense = np.zeros((len(rows), n_items), dtype=np.float32)
    for u, items in enumerate(rows):
        dense[u, items] = 1
    return sp.csr_matrix(dense)


def test_accuracy_metrics_against_hand_computed_values():
    # user 0: target 2 found at rank 2; user 1: targets {0, 4}, 4 at rank 1 and 0 at rank 3;
    # user 2: target 5 not in the list.
    top = np.array([[1, 2, 3], [4, 3, 0], [0, 1, 2]])
    acc = MetricAccumulator(ks=(2, 3), item_popularity=np.ones(6), n_train_users=1)
    acc.add(top, targets([[2], [0, 4], [5]], 6))
    r = acc.result()
    log2 = math.log2
    assert r["HR@2"] == pytest.approx(2 / 3)
    assert r["HR@3"] == pytest.approx(2 / 3)
    assert r["Recall@2"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert r["Recall@3"] == pytest.approx((1 + 1 + 0) / 3)
    assert r["Precision@3"] == pytest.approx((1 / 3 + 2 / 3 + 0) / 3)
    ndcg0 = (1 / log2(3)) / 1
    ndcg1_2 = 1 / (1 + 1 / log2(3))
    ndcg1_3 = (1 + 1 / log2(4)) / (1 + 1 / log2(3))
    assert r["NDCG@2"] == pytest.approx((ndcg0 + ndcg1_2) / 3)
    assert r["NDCG@3"] == pytest.approx((ndcg0 + ndcg1_3) / 3)
    assert r["MRR@3"] == pytest.approx((0.5 + 1 + 0) / 3)


def test_accumulating_batches_equals_one_batch():
    rng = np.random.default_rng(0)
    top = np.stack([rng.permutation(30)[:10] for _ in range(50)])
    tg = targets([list(rng.choice(30, size=rng.integers(1, 4), replace=False)) for _ in range(50)], 30)
    pop = rng.integers(0, 20, size=30)
    whole = MetricAccumulator(ks=(5, 10), item_popularity=pop, n_train_users=20)
    whole.add(top, tg)
    parts = MetricAccumulator(ks=(5, 10), item_popularity=pop, n_train_users=20)
    parts.add(top[:17], tg[:17])
    parts.add(top[17:], tg[17:])
    assert whole.result() == pytest.approx(parts.result())


def test_beyond_accuracy_metrics():
    top = np.array([[0, 1], [0, 2]])
    pop = np.array([8, 2, 0, 4])  # item 2 unseen in training: popularity floored at 1
    vectors = np.eye(4, dtype=np.float32)
    vectors[1] = vectors[0]  # items 0 and 1 identical, 2 orthogonal to 0
    acc = MetricAccumulator(ks=(2,), item_popularity=pop, n_train_users=8, item_vectors=vectors)
    acc.add(top, targets([[3], [3]], 4))
    r = acc.result()
    assert r["Coverage@2"] == pytest.approx(3 / 4)
    novelty = [-math.log2(8 / 8), -math.log2(2 / 8), -math.log2(1 / 8)]
    assert r["Novelty@2"] == pytest.approx((novelty[0] * 2 + novelty[1] + novelty[2]) / 4)
    assert r["ILD@2"] == pytest.approx((0.0 + 1.0) / 2)
    # popularity percentiles: ranks of (8, 2, 0, 4) -> 3, 1, 0, 2 out of 3
    assert r["PopPercentile@2"] == pytest.approx((1 + 1 / 3 + 1 + 0) / 4)
    assert r["Gini@2"] == pytest.approx(gini(np.array([2, 1, 1, 0])))


def test_gini_extremes():
    assert gini(np.array([5, 5, 5, 5])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 12])) == pytest.approx(0.75)
    assert gini(np.zeros(3)) == 0.0
