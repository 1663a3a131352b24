"""The collaborative models on tiny hand-made data: exact scores where a formula exists,
behaviour (ranking, determinism, cancel, empty users) where it does not."""
from __future__ import annotations

import json
from dataclasses import fields

import numpy as np
import pytest
import scipy.sparse as sp

from engine.core.errors import Cancelled
from engine.core.progress import Task
from engine.data.dataset import Dataset, History
from engine.evaluation.ranking import top_k_per_row
from engine.models import MODELS, Composite, FitContext, make_model
from engine.models.cooccurrence import CoOccurrence
from engine.models.itemknn import ItemKNN
from engine.models.latent import ALS, EASE, ALSParams
from engine.models.popularity import Popularity

ALL = sorted(MODELS)


def make_dataset(user, item, n_users, n_items, weight=None, timestamp=None) -> Dataset:
    """A Dataset whose rows are already in (user, time) order."""
    user = np.asarray(user, dtype=np.int32)
    item = np.asarray(item, dtype=np.int32)
    order = np.lexsort((np.arange(len(user)), user))  # keep the given order within a user
    user, item = user[order], item[order]
    weight = (np.ones(len(user), np.float32) if weight is None
              else np.asarray(weight, np.float32)[order])
    timestamp = (np.arange(len(user), dtype=np.int64) if timestamp is None
                 else np.asarray(timestamp, np.int64)[order])
    names = np.array([f"i{i}" for i in range(n_items)])
    return Dataset(
        user_ids=np.array([f"u{u}" for u in range(n_users)]), item_ids=names,
        user=user, item=item, weight=weight, timestamp=timestamp,
        titles=names, texts=names, genres=[()] * n_items,
    )


def from_dense(matrix: np.ndarray) -> tuple[Dataset, History]:
    """Dataset and full history from a dense users x items weight matrix."""
    users, items = np.nonzero(matrix)
    ds = make_dataset(users, items, matrix.shape[0], matrix.shape[1],
                      weight=matrix[users, items])
    return ds, ds.history()


@pytest.fixture
def random_data() -> tuple[Dataset, History, np.ndarray]:
    """8 users x 7 items with distinct random weights (no ties), item 6 never seen,
    user 7 with no interactions at all."""
    rng = np.random.default_rng(3)
    dense = rng.uniform(0.1, 1.0, (8, 7)) * (rng.random((8, 7)) < 0.6)
    dense[:, 6] = 0.0
    dense[7] = 0.0
    dense[0, :3] = [0.5, 0.9, 0.3]  # every item but 6 seen by someone
    dense[1, 3:6] = [0.7, 0.2, 0.4]
    ds, history = from_dense(dense.astype(np.float32))
    return ds, history, history.matrix.toarray().astype(np.float64)


def numpy_cosine(dense: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(dense, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = dense.T @ dense / np.outer(norms, norms)
    sim = np.nan_to_num(sim)
    np.fill_diagonal(sim, 0.0)
    return sim


def keep_top(sim: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros_like(sim)
    for i, row in enumerate(sim):
        best = np.argsort(-row, kind="stable")[:k]
        best = best[row[best] > 0]
        out[i, best] = row[best]
    return out


# -- popularity ---------------------------------------------------------------------------

def test_popularity_counts_distinct_users() -> None:
    dense = np.array([[1, 1, 0, 0], [0.2, 0, 1, 0], [1, 0, 0.4, 0]], dtype=np.float32)
    ds, history = from_dense(dense)
    model = Popularity().fit(history, ds)
    scores = model.score(np.array([0, 2, 1]), history)
    assert scores.dtype == np.float32 and scores.shape == (3, 4)
    np.testing.assert_array_equal(scores, np.tile([3, 1, 2, 0], (3, 1)))


# -- item kNN -----------------------------------------------------------------------------

@pytest.mark.parametrize("aggregate", ["target", "history"])
@pytest.mark.parametrize("k", [2, 6])
def test_itemknn_cosine_matches_numpy(random_data, aggregate: str, k: int) -> None:
    ds, history, dense = random_data
    model = ItemKNN(neighbours=k, aggregate=aggregate, binary=False).fit(history, ds)
    sim = keep_top(numpy_cosine(dense), k)
    np.testing.assert_allclose(model.item_similarity.toarray(), sim, rtol=1e-5, atol=1e-6)
    expected = dense @ (sim.T if aggregate == "target" else sim)
    users = np.arange(history.n_users)
    scores = model.score(users, history)
    assert scores.dtype == np.float32
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-6)


def test_itemknn_binary_uses_zero_one(random_data) -> None:
    ds, history, dense = random_data
    binary = (dense > 0).astype(np.float64)
    model = ItemKNN(neighbours=10, binary=True).fit(history, ds)
    expected = binary @ numpy_cosine(binary)
    np.testing.assert_allclose(model.score(np.arange(8), history), expected, rtol=1e-5, atol=1e-6)


def test_itemknn_bm25_matches_formula(random_data) -> None:
    ds, history, dense = random_data
    K1, B = 1.2, 0.75
    model = make_model("itemknn-bm25", neighbours=10, K1=K1, B=B, binary=False).fit(history, ds)
    # BM25 over items as documents and users as terms (implicit's bm25_weight on X.T).
    docs = dense.T
    idf = np.log(docs.shape[0]) - np.log1p((docs > 0).sum(axis=0))
    length = docs.sum(axis=1)
    norm = (1 - B) + B * length / length.mean()
    weighted = np.where(docs > 0, docs * (K1 + 1) / (K1 * norm[:, None] + docs) * idf[None, :], 0)
    sim = weighted @ weighted.T
    np.fill_diagonal(sim, 0.0)
    sim = keep_top(sim, 10)
    np.testing.assert_allclose(model.item_similarity.toarray(), sim, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.score(np.arange(8), history), dense @ sim.T,
                               rtol=1e-4, atol=1e-5)


def test_top_k_per_row_breaks_ties_by_lower_column() -> None:
    m = sp.csr_matrix(np.array([[0, 2, 2, 2, 1], [3, 0, 0, 0, 0], [1, 1, 5, 0, 1]], np.float32))
    kept = top_k_per_row(m, 2).toarray()
    np.testing.assert_array_equal(kept, [[0, 2, 2, 0, 0], [3, 0, 0, 0, 0], [1, 0, 5, 0, 0]])


# -- EASE and ALS -------------------------------------------------------------------------

def test_ease_closed_form(random_data) -> None:
    ds, history, dense = random_data
    lam = 3.0
    model = EASE(l2=lam, binary=False).fit(history, ds)
    precision = np.linalg.inv(dense.T @ dense + lam * np.eye(dense.shape[1]))
    expected = np.eye(dense.shape[1]) - precision / np.diag(precision)[None, :]
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_array_equal(np.diag(model.weights), 0.0)
    np.testing.assert_allclose(model.weights, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.score(np.arange(8), history), dense @ expected,
                               rtol=1e-4, atol=1e-6)


def test_als_is_deterministic_with_a_seed(random_data) -> None:
    ds, history, _ = random_data
    users = np.arange(history.n_users)
    first = ALS(factors=4, iterations=5, seed=7).fit(history, ds).score(users, history)
    again = ALS(factors=4, iterations=5, seed=7).fit(history, ds).score(users, history)
    other = ALS(factors=4, iterations=5, seed=8).fit(history, ds).score(users, history)
    assert first.dtype == np.float32 and first.shape == (8, 7)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_als_learns_block_structure() -> None:
    # Two groups of users with disjoint tastes: ALS must prefer the user's own block.
    dense = np.zeros((12, 8), np.float32)
    dense[:6, :4] = 1.0
    dense[6:, 4:] = 1.0
    dense[0, 3] = dense[6, 7] = 0.0  # the held-out items
    ds, history = from_dense(dense)
    model = ALS(factors=4, iterations=10, regularization=0.01).fit(history, ds)
    items, _ = model.recommend(np.array([0, 6]), history, 1)
    np.testing.assert_array_equal(items[:, 0], [3, 7])


# -- co-occurrence ------------------------------------------------------------------------

def sequences_dataset(sequences: list[list[int]], n_items: int) -> Dataset:
    user = np.concatenate([[u] * len(s) for u, s in enumerate(sequences)])
    item = np.concatenate(sequences)
    return make_dataset(user, item, len(sequences), n_items)


def test_cooc_ranks_the_usual_successor_first() -> None:
    rng = np.random.default_rng(0)
    others = [list(rng.choice(np.arange(10, 20), 4, replace=False)) + [7, 8] for _ in range(6)]
    others += [list(rng.choice(np.arange(10, 20), 4, replace=False)) + [5, 6] for _ in range(6)]
    # The last user's train history ends in 5; in the test phase it has also seen 7.
    sequences = others + [[11, 12, 5, 7]]
    ds = sequences_dataset(sequences, 21)
    last = len(sequences) - 1
    train = ds.history(np.arange(ds.n_interactions - 1))  # without the user's last item
    full = ds.history()
    model = CoOccurrence().fit(train, ds)
    assert model.sequential
    val_top, _ = model.recommend(np.array([last]), train, 3)
    test_top, _ = model.recommend(np.array([last]), full, 3)
    assert val_top[0, 0] == 6  # what followed 5 in others' sequences
    assert test_top[0, 0] == 8  # the history given to score() now ends in 7


def test_cooc_counts_match_a_loop() -> None:
    sequences = [[0, 1, 2, 3], [2, 0, 2], [4], [1, 3]]
    ds = sequences_dataset(sequences, 6)
    model = CoOccurrence(window=2, decay=0.5, backward=0.25, norm_from=0.0, norm_to=0.0,
                         prior=0.0).fit(ds.history(), ds)
    expected = np.zeros((6, 6))
    for s in sequences:
        for t in range(len(s)):
            for d in (1, 2):
                if t + d < len(s) and s[t] != s[t + d]:
                    expected[s[t], s[t + d]] += 0.5 ** (d - 1)
                    expected[s[t + d], s[t]] += 0.25 * 0.5 ** (d - 1)
    np.testing.assert_allclose(model.transitions.toarray(), expected, rtol=1e-6)
    # score = recency-weighted sum of the last items' rows, scaled to a row max of 1
    model.n_last, model.recency = 2, 0.5
    raw = expected[3] + 0.5 * expected[2]
    np.testing.assert_allclose(model.score(np.array([0]), ds.history())[0], raw / raw.max(),
                               rtol=1e-6)


# -- every model --------------------------------------------------------------------------

@pytest.fixture
def shop() -> tuple[Dataset, History]:
    """20 users, 12 items (item 11 never seen), user 19 without any history."""
    rng = np.random.default_rng(1)
    user, item = [], []
    for u in range(19):
        seen = rng.choice(11, size=rng.integers(2, 7), replace=False)
        user += [u] * len(seen)
        item += list(seen)
    ds = make_dataset(user, item, 20, 12, weight=rng.uniform(0.2, 1.0, len(user)))
    return ds, ds.history()


def small_params(name: str) -> dict[str, object]:
    quick = {"als": {"factors": 4, "iterations": 3}, "sequential": {"max_epochs": 3, "threads": 1}}
    fused = {"component_params": quick}
    return {**quick, "fusion": fused, "fusion-fixed": fused, "fusion-rrf": fused}.get(name, {})


@pytest.mark.parametrize("name", ALL)
def test_every_model_scores_shapes_and_empty_users(name: str, shop) -> None:
    ds, history = shop
    model = make_model(name, **small_params(name)).fit(history, ds)
    users = np.array([19, 0, 5, 19])
    scores = model.score(users, history)
    assert scores.dtype == np.float32
    assert scores.shape == (4, 12)
    assert np.isfinite(scores).all()
    if name in ("pop", "cooc", "fusion", "fusion-fixed", "semantic", "word2vec", "item2vec"):
        # a popularity ranking for users without any signal
        assert scores[0].argmax() == np.bincount(ds.item, minlength=12).argmax()
    elif name == "fusion-rrf":  # ranks of all-equal scores carry no signal: only finiteness
        pass
    else:
        np.testing.assert_array_equal(scores[0], 0.0)
    assert model.score(np.array([], dtype=np.int64), history).shape == (0, 12)


@pytest.mark.parametrize("name", ALL)
def test_recommend_never_returns_seen_items(name: str, shop) -> None:
    ds, history = shop
    model = make_model(name, **small_params(name)).fit(history, ds)
    users = np.arange(20)
    items, scores = model.recommend(users, history, 5)
    assert items.shape == (20, 5)
    seen = history.matrix.toarray() > 0
    assert not seen[np.repeat(users, 5), items.ravel()].any()
    assert np.isfinite(scores).all()


@pytest.mark.parametrize("name", ALL)
def test_cancel_through_task(name: str, shop) -> None:
    ds, history = shop
    task = Task()
    task.begin("fit")
    task.cancel()
    with pytest.raises(Cancelled):
        make_model(name, **small_params(name)).fit(history, ds, task)


@pytest.mark.parametrize("name", ALL)
def test_progress_reaches_the_end(name: str, shop) -> None:
    ds, history = shop
    seen: list[float] = []
    task = Task(listeners=[lambda t: seen.append(t.progress)])
    make_model(name, **small_params(name)).fit(history, ds, task)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)


@pytest.mark.parametrize("name", ALL)
def test_params_are_json_and_rebuild_the_model(name: str, shop) -> None:
    ds, history = shop
    model = make_model(name, **small_params(name))
    before = model.params()
    model.fit(history, ds)
    assert model.params() == before  # fitting adds no hyper-parameters
    text = json.dumps(before)
    rebuilt = make_model(name, **json.loads(text))
    assert rebuilt.params() == before
    assert isinstance(rebuilt, MODELS[name])


def test_registry() -> None:
    assert set(MODELS) >= {"pop", "itemknn", "itemknn-bm25", "als", "ease", "cooc", "fusion",
                           "fusion-fixed", "fusion-rrf", "sequential"}
    for name, cls in MODELS.items():
        assert cls.name == name
    assert make_model("itemknn-bm25").similarity == "bm25"
    assert make_model("itemknn").similarity == "cosine"
    assert make_model("ease", l2=5.0).l2 == 5.0
    with pytest.raises(ValueError, match="valid names: als, cooc, ease, fusion"):
        make_model("nope")
    with pytest.raises(ValueError, match="als"):
        make_model("als", factorz=3)
    with pytest.raises(ValueError):
        make_model("itemknn", similarity="jaccard")


def test_score_before_fit_is_a_clear_error(shop) -> None:
    _, history = shop
    for name in ALL:
        with pytest.raises(RuntimeError, match="before fit"):
            make_model(name).score(np.array([0]), history)


# -- params classes, run contexts, composites ---------------------------------------------

@pytest.mark.parametrize("name", ALL)
def test_params_classes_are_typed_labelled_and_round_trip(name: str) -> None:
    params_class = MODELS[name].Params
    defaults = params_class()
    assert params_class.from_dict(json.loads(json.dumps(defaults.to_dict()))) == defaults
    assert make_model(name).params() == defaults.to_dict()
    assert all(f.metadata["label"] for f in fields(params_class))
    with pytest.raises(ValueError, match=f"bad parameters for model '{name}'.*it takes"):
        params_class.from_dict({"no_such_parameter": 1}, name)


def test_values_are_coerced_and_checked_by_the_params_class() -> None:
    assert ALS(ALSParams(factors=8.0)).params()["factors"] == 8  # as the constructor did
    with pytest.raises(ValueError, match="factors must be int"):
        ALSParams(factors="many")
    with pytest.raises(TypeError):
        EASE(ALSParams())


def test_the_fit_context_gives_what_the_parameters_leave_to_the_run(random_data) -> None:
    ds, history, _ = random_data
    users = np.arange(history.n_users)
    seeded = ALS(factors=4, iterations=5, seed=7).fit(history, ds).score(users, history)
    from_run = ALS(factors=4, iterations=5).fit(history, ds, context=FitContext(seed=7))
    own_wins = ALS(factors=4, iterations=5, seed=8).fit(history, ds, context=FitContext(seed=7))
    np.testing.assert_array_equal(from_run.score(users, history), seeded)
    assert not np.array_equal(own_wins.score(users, history), seeded)


def test_fusions_are_composites() -> None:
    fusion = make_model("fusion", components=["ease", "cooc"], cold_start="word2vec")
    assert isinstance(fusion, Composite) and not isinstance(make_model("ease"), Composite)
    assert fusion.members() == ["ease", "cooc", "word2vec"]
    assert make_model("fusion-rrf", components=["ease", "word2vec"]).members() == [
        "ease", "word2vec"]
    assert fusion.fitted_components == {}
