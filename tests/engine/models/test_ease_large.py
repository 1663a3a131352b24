"""EASE beyond its dense size: the neighbourhood-restricted solve (issue 14).

Synthetic shops made here, imported as the app imports them; the dense threshold is set
small so that small catalogues take the large-catalogue path.
"""
from __future__ import annotations

import dataclasses
import logging
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

import engine.models.latent as latent
from engine.core.errors import Cancelled
from engine.core.progress import Task
from engine.data.append import append_interactions
from engine.data.importer import read_catalogue, read_interactions
from engine.data.preprocess import build_dataset
from engine.data.split import leave_one_out
from engine.data.synthetic import ShopConfig, generate, write_csv
from engine.evaluation.evaluate import evaluate
from engine.models import make_model
from engine.models.base import NotFittedError
from engine.models.latent import EASE
from engine.models.serialize import model_from_bytes, model_to_bytes


def imported(config: ShopConfig, folder):
    interactions, items = write_csv(generate(config), folder)
    return read_interactions(interactions), read_catalogue(items)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """120 items (the smallest shop), so that a solve on every other item is cheap."""
    table, catalogue = imported(ShopConfig(n_users=150, n_items=120, n_related=1, seed=11),
                                tmp_path_factory.mktemp("tiny-shop"))
    dataset = build_dataset(table, catalogue)
    return dataset, leave_one_out(dataset).train


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    table, catalogue = imported(ShopConfig(n_users=1500, n_items=2400, seed=12),
                                tmp_path_factory.mktemp("shop"))
    return leave_one_out(build_dataset(table, catalogue))


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    """A shop fitted on its first three quarters (in time) and grown by the rest, whose
    new items arrive with it, and with a catalogue item nobody took (the last one)."""
    table, catalogue = imported(ShopConfig(n_users=200, n_items=300, seed=13),
                                tmp_path_factory.mktemp("replay-shop"))
    cold = table.frame["item"].value_counts().index[-1]
    frame = table.frame[table.frame["item"] != cold]
    frame = frame.sort_values(["timestamp", "line"], kind="stable")
    cut = frame["timestamp"].quantile(0.75)
    early, late = frame[frame["timestamp"] < cut], frame[frame["timestamp"] >= cut]
    early_catalogue = dataclasses.replace(
        catalogue, frame=catalogue.frame[catalogue.frame["item"].isin(set(early["item"]))])
    d0 = build_dataset(dataclasses.replace(table, frame=early), early_catalogue)
    scale = table.frame["rating"].max()
    grown = append_interactions(d0, late["user"], late["item"], late["rating"] / scale,
                                late["timestamp"], catalogue=catalogue)
    assert grown.n_items > d0.n_items
    return d0, grown, grown.item_index[cold]


def sparse_ease(**params) -> EASE:
    return EASE(dense_items=0, **params)


@pytest.mark.parametrize("binary", [True, False])
def test_every_other_item_as_neighbours_is_the_dense_solve(tiny, binary):
    dataset, train = tiny
    dense = EASE(binary=binary, l2=20.0).fit(train, dataset)
    restricted = sparse_ease(binary=binary, l2=20.0, neighbours=train.n_items - 1).fit(
        train, dataset)
    weights = restricted.weights
    assert sp.issparse(weights) and weights.shape == (train.n_items, train.n_items)
    assert isinstance(dense.weights, np.ndarray)
    np.testing.assert_allclose(weights.toarray(), dense.weights, rtol=1e-4, atol=1e-6)
    assert weights.diagonal().max() == 0.0
    users = np.arange(train.n_users)
    np.testing.assert_allclose(restricted.score(users, train), dense.score(users, train),
                               rtol=1e-4, atol=1e-5)
    # more neighbours than items is the same solve
    again = sparse_ease(binary=binary, l2=20.0, neighbours=10**6).fit(train, dataset)
    np.testing.assert_array_equal(again.weights.toarray(), weights.toarray())


def test_small_neighbourhoods_stay_sparse_and_rank_close_to_the_dense_solve(shop,
                                                                             monkeypatch):
    n, k = shop.train.n_items, 30
    # the working buffers' budgets, small enough that a dense n x n matrix would stand out
    for name in ("_BLOCK_BYTES", "_ROW_BYTES", "_SOLVE_BYTES"):
        monkeypatch.setattr(latent, name, 2**21)
    tracemalloc.start()
    try:
        restricted = sparse_ease(neighbours=k).fit(shop.train, shop.dataset)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < n * n * 8, peak  # one dense float64 items x items matrix would not fit
    weights = restricted.weights
    assert sp.isspmatrix_csr(weights) and weights.dtype == np.float32
    per_column = np.diff(weights.tocsc().indptr)
    assert per_column.max() <= k and weights.nnz <= n * k
    assert weights.diagonal().max() == 0.0
    dense = EASE().fit(shop.train, shop.dataset)
    pop = make_model("pop").fit(shop.train, shop.dataset)
    ndcg = {name: evaluate(model, shop, "test", (10,))["NDCG@10"]
            for name, model in [("restricted", restricted), ("dense", dense), ("pop", pop)]}
    assert ndcg["restricted"] > 0.8 * ndcg["dense"], ndcg
    assert ndcg["restricted"] > 1.5 * ndcg["pop"], ndcg


def test_the_fit_says_which_solve_it_took_and_why(tiny, caplog):
    dataset, train = tiny
    statuses: list[str] = []
    task = Task(listeners=[lambda t: statuses.append(t.status)])
    with caplog.at_level(logging.INFO, logger="engine.models.latent"):
        restricted = EASE(dense_items=100, neighbours=20).fit(train, dataset, task)
        dense = EASE(dense_items=train.n_items).fit(train, dataset, task)
    large = (f"{train.n_items:,} items > 100: neighbourhood-restricted solve, 20 neighbours "
             "per item")
    small = f"{train.n_items:,} items <= {train.n_items:,}: exact dense solve"
    assert restricted.method == large and dense.method == small
    assert f"EASE: {large}" in statuses and f"EASE: {small}" in statuses
    assert large in caplog.text and small in caplog.text
    assert any(s.startswith("EASE: neighbourhood solve, ") for s in statuses)  # per chunk
    assert EASE().method == ""


def test_a_cancel_between_chunks_leaves_the_model_unfitted(tiny, monkeypatch):
    dataset, train = tiny
    monkeypatch.setattr(latent, "_BLOCK_BYTES", 10 * 20 * 20 * 4)  # chunks of 10 items
    task = Task()
    chunks: list[str] = []

    def cancel_after_the_first_chunk(t: Task) -> None:
        if "neighbourhood solve," in t.status:
            chunks.append(t.status)
            t.cancel()

    task.listeners.append(cancel_after_the_first_chunk)
    model = sparse_ease(neighbours=20)
    with pytest.raises(Cancelled):
        model.fit(train, dataset, task)
    assert len(chunks) == 1 and chunks[0].startswith("EASE: neighbourhood solve, 10 of ")
    with pytest.raises(NotFittedError):
        model.weights


def test_an_update_solves_the_grown_catalogue_again_and_the_model_is_stored(replay):
    d0, grown, cold = replay
    train, history = leave_one_out(d0).train, leave_one_out(grown).train
    model = sparse_ease(neighbours=40).fit(train, d0)
    fitted = model.weights
    commit = model.prepare_update(history, grown)
    assert model.weights is fitted  # nothing changes before the commit
    commit()
    weights = model.weights
    assert sp.issparse(weights) and weights.shape == (grown.n_items, grown.n_items)
    new = np.arange(d0.n_items, grown.n_items)
    taken = new[np.bincount(history.items, minlength=grown.n_items)[new] > 0]
    assert len(taken) and np.all(np.diff(weights.tocsc().indptr)[taken] > 0)
    refit = sparse_ease(neighbours=40).fit(history, grown)
    users = np.arange(grown.n_users)
    scores = model.score(users, history)
    np.testing.assert_allclose(scores, refit.score(users, history), rtol=1e-5, atol=1e-6)
    assert np.ptp(scores[:, taken]) > 0
    assert weights[:, cold].nnz == 0 and np.all(scores[:, cold] == 0)  # nobody took it

    restored = model_from_bytes(model_to_bytes(model))
    assert isinstance(restored, EASE) and sp.issparse(restored.weights)
    assert restored.method == model.method and restored.params() == model.params()
    np.testing.assert_array_equal(restored.score(users, history), scores)
    restored.update(history, grown)  # a stored model updates as the fitted one did
    np.testing.assert_allclose(restored.score(users, history), scores, rtol=1e-5, atol=1e-6)


def test_a_dense_model_whose_catalogue_grows_past_the_dense_size_solves_again(replay):
    d0, grown, _ = replay
    train, history = leave_one_out(d0).train, leave_one_out(grown).train
    model = EASE(dense_items=d0.n_items, exact_update_items=0, neighbours=40).fit(train, d0)
    assert isinstance(model.weights, np.ndarray)
    model.update(history, grown)
    assert sp.issparse(model.weights) and "neighbourhood-restricted" in model.method


def test_a_model_stored_before_the_choice_existed_takes_the_defaults(tiny):
    dataset, train = tiny
    model = EASE().fit(train, dataset)
    for name in ("dense_items", "neighbours", "_method"):
        del vars(model)[name]
    restored = model_from_bytes(model_to_bytes(model))
    assert restored.method == "" and "dense_items" not in restored.params()
    assert restored.dense_items == latent.DENSE_ITEMS
    assert restored.neighbours == latent.NEIGHBOURS
    restored.update(train, dataset)  # a small catalogue: solved again, densely
    assert restored.method.endswith("exact dense solve")


@pytest.mark.parametrize("values, message", [
    ({"neighbours": 0}, "neighbours must be at least 1"),
    ({"dense_items": -1}, "dense_items must be 0 or more"),
])
def test_bad_settings_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        EASE(**values)
