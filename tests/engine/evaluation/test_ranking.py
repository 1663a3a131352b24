import numpy as np
import pytest
import scipy.sparse as sp

from engine.evaluation.ranking import mask_seen, target_ranks, top_k


def reference_top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Full sort by (-score, item index): the definition of the protocol's tie-break."""
    idx = np.tile(np.arange(scores.shape[1]), (scores.shape[0], 1))
    return np.lexsort((idx, -scores), axis=1)[:, :k]


@pytest.mark.parametrize("k", [1, 3, 10, 39, 40])
def test_top_k_matches_full_sort_with_many_ties(k):
    rng = np.random.default_rng(k)
    scores = rng.integers(0, 4, size=(64, 40)).astype(np.float32)
    assert np.array_equal(top_k(scores, k), reference_top_k(scores, k))


def test_a_targets_rank_is_its_place_in_the_full_list():
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 4, size=(64, 40)).astype(np.float32)
    targets = rng.integers(0, 40, 64)
    full = top_k(scores, 40)
    expected = np.argmax(full == targets[:, None], axis=1)
    np.testing.assert_array_equal(target_ranks(scores, targets), expected)


def test_top_k_breaks_ties_by_lower_index():
    scores = np.array([[1, 3, 3, 3, 0, 2]], dtype=np.float32)
    assert top_k(scores, 2).tolist() == [[1, 2]]
    assert top_k(scores, 5).tolist() == [[1, 2, 3, 5, 0]]


def test_masked_items_come_last():
    scores = np.array([[5, 4, 3, 2]], dtype=np.float32)
    seen = sp.csr_matrix(np.array([[1, 0, 1, 0]], dtype=np.float32))
    mask_seen(scores, np.array([0]), seen)
    assert top_k(scores, 2).tolist() == [[1, 3]]
    assert np.isneginf(scores[0, [0, 2]]).all()
