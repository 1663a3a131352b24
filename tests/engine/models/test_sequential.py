"""The GPT-2 sequence model on tiny synthetic sequences: it learns a planted successor
rule, reads the history it is given, stops early at its best epoch, is repeatable with a
seed, can be cancelled, and uses item vectors when asked. Everything runs on the CPU."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from engine.core.errors import Cancelled, DataError
from engine.core.progress import Task
from engine.data.dataset import History
from engine.data.importer import read_catalogue, read_interactions
from engine.data.preprocess import build_dataset
from engine.data.split import leave_one_out
from engine.data.synthetic import ShopConfig, generate, write_csv
from engine.evaluation.evaluate import evaluate
from engine.evaluation.ranking import sample_users
from engine.models import sequential
from engine.models.popularity import Popularity
from engine.models.sequential import SequentialTransformer, recent_tokens, training_windows
from tests.engine.models.test_models import sequences_dataset

N_ITEMS = 16
#: Small and fast settings for the synthetic tests (each fit well under a second or two);
#: no time budget, so that what a test trains never depends on the machine's load.
SMALL = dict(hidden=32, layers=1, heads=2, max_len=8, dropout=0.0, lr=1e-2, batch_size=64,
             time_budget=0, device="cpu", threads=1)


def successor_sequences(n_users: int = 40, length: int = 10, seed: int = 0) -> list[list[int]]:
    """Each user walks k, k+1, k+2, ... (mod N_ITEMS) from a random start."""
    starts = np.random.default_rng(seed).integers(0, N_ITEMS, n_users)
    return [list((s + np.arange(length)) % N_ITEMS) for s in starts]


@pytest.fixture(scope="module")
def successor_model():
    ds = sequences_dataset(successor_sequences(), N_ITEMS)
    history = ds.history()
    model = SequentialTransformer(**SMALL, max_epochs=40).fit(history, ds)
    return ds, history, model


def history_of(sequences: list[list[int]], n_items: int = N_ITEMS) -> History:
    return sequences_dataset(sequences, n_items).history()


# -- data preparation ----------------------------------------------------------------------

def test_windows_cover_every_transition_and_end_at_the_last_item() -> None:
    lengths = [1, 2, 5, 9, 23]
    sequences = [list(range(100 * u, 100 * u + n)) for u, n in enumerate(lengths)]
    history = history_of(sequences, n_items=500)
    for seed in range(5):
        windows = training_windows(history.items, history.indptr, 6, np.random.default_rng(seed))
        assert windows.shape[1] == 6
        # left padding: once a window starts, it has no holes
        started = np.maximum.accumulate(windows > 0, axis=1)
        assert ((windows > 0) == started).all()
        pairs = {(int(a), int(b)) for w in windows for a, b in zip(w[:-1], w[1:]) if a > 0}
        expected = {(a + 1, a + 2) for s in sequences for a in s[:-1]}
        assert pairs == expected
        last = {int(w[-1]) for w in windows}
        assert {s[-1] + 1 for s in sequences if len(s) >= 2} <= last
        # every window of a user is a contiguous slice of that user's sequence
        assert all((np.diff(w[w > 0]) == 1).all() for w in windows)


def test_recent_tokens_are_left_padded_oldest_first() -> None:
    history = history_of([[3, 4, 5], [], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]])
    tokens = recent_tokens(history, np.array([0, 1, 2]), 4)
    np.testing.assert_array_equal(tokens, [[0, 4, 5, 6], [0, 0, 0, 0], [8, 9, 10, 11]])


# -- learning and scoring ------------------------------------------------------------------

def test_learns_the_successor_of_the_last_item(successor_model) -> None:
    _, history, model = successor_model
    users = np.arange(history.n_users)
    scores = model.score(users, history)
    assert scores.dtype == np.float32 and scores.shape == (len(users), N_ITEMS)
    last = history.last_items(users, 1)[:, 0]
    np.testing.assert_array_equal(scores.argmax(axis=1), (last + 1) % N_ITEMS)


def test_scores_follow_the_given_history(successor_model) -> None:
    _, _, model = successor_model
    histories = [history_of([[1, 2, 3, last]]) for last in (4, 9, 12)]
    best = [int(model.score(np.array([0]), h)[0].argmax()) for h in histories]
    assert best == [5, 10, 13]


def test_empty_history_scores_zero(successor_model) -> None:
    _, _, model = successor_model
    history = history_of([[1, 2, 3], [], [7]])
    scores = model.score(np.array([1, 0, 1, 2]), history)
    np.testing.assert_array_equal(scores[[0, 2]], 0.0)
    assert np.abs(scores[[1, 3]]).sum() > 0
    assert model.score(np.array([], dtype=np.int64), history).shape == (0, N_ITEMS)


def test_score_before_fit_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="before fit"):
        SequentialTransformer().score(np.array([0]), history_of([[1, 2]]))


def test_same_seed_same_scores_other_seed_other_scores() -> None:
    ds = sequences_dataset(successor_sequences(seed=1), N_ITEMS)
    history = ds.history()
    users = np.arange(history.n_users)
    runs = [SequentialTransformer(**{**SMALL, "dropout": 0.2}, max_epochs=3, seed=seed)
            .fit(history, ds).score(users, history) for seed in (7, 7, 8)]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_split_batches_give_the_same_training(monkeypatch) -> None:
    """A catalogue too large for one pass per batch trains the same, with less memory."""
    ds = sequences_dataset(successor_sequences(seed=2), N_ITEMS)
    history = ds.history()
    users = np.arange(history.n_users)

    def scores() -> np.ndarray:
        model = SequentialTransformer(**SMALL, max_epochs=3)  # no dropout: same arithmetic
        return model.fit(history, ds).score(users, history)

    whole = scores()
    monkeypatch.setattr(sequential, "_LOGITS_PER_PASS", SMALL["max_len"] * N_ITEMS * 5)
    np.testing.assert_allclose(scores(), whole, rtol=1e-4, atol=1e-4)


# -- early stopping, budget, progress and cancel -----------------------------------------------

@pytest.fixture(scope="module")
def noisy_split():
    """Random sequences: validation NDCG wanders, so early stopping has something to do."""
    rng = np.random.default_rng(5)
    sequences = [list(rng.choice(40, 12, replace=False)) for _ in range(60)]
    ds = sequences_dataset(sequences, 40)
    return ds, leave_one_out(ds)


def test_early_stopping_keeps_the_best_epoch(noisy_split) -> None:
    ds, split = noisy_split
    model = SequentialTransformer(**{**SMALL, "lr": 3e-2}, max_epochs=40, patience=3)
    model.fit(split.train, ds, valid=split.validation())
    log = model.training_log
    ndcg = [entry["valid_ndcg10"] for entry in log]
    best = int(np.argmax(ndcg))
    assert model.best_epoch == best + 1
    assert len(log) == model.best_epoch + 3 < 40  # stopped by patience, not by max_epochs
    assert ndcg[-1] < ndcg[best]  # the last epoch was worse ...
    # ... yet the returned model scores exactly like the best one
    assert evaluate(model, split, "valid")["NDCG@10"] == pytest.approx(ndcg[best], abs=1e-12)


def test_time_budget_stops_training(noisy_split) -> None:
    ds, split = noisy_split
    model = SequentialTransformer(**{**SMALL, "time_budget": 0.5}, max_epochs=10_000)
    model.fit(split.train, ds)
    log = model.training_log
    assert 1 <= len(log) < 10_000
    # every epoch started before the budget was spent, whatever this machine's speed;
    # only the last one may have been cut short
    assert sum(entry["seconds"] for entry in log[:-1]) < 0.5
    assert all("share" not in entry for entry in log[:-1])


def test_a_spent_budget_cuts_the_epoch_and_validates_what_was_trained(noisy_split) -> None:
    ds, split = noisy_split
    # about 30 batches of 4 windows; the budget is spent before the first look at the clock
    model = SequentialTransformer(**{**SMALL, "batch_size": 4, "time_budget": 1e-9},
                                  max_epochs=50)
    model.fit(split.train, ds, valid=split.validation())
    (entry,) = model.training_log
    assert 0 < entry["share"] < 1 and model.best_epoch == 1
    assert evaluate(model, split, "valid")["NDCG@10"] == pytest.approx(entry["valid_ndcg10"],
                                                                      abs=1e-12)


def test_early_stopping_reads_a_seeded_sample_of_the_validation_users(noisy_split) -> None:
    ds, split = noisy_split
    valid = split.validation()
    def sample(seed: int, limit: int = 10) -> np.ndarray:
        return sample_users(valid.users, limit, np.random.default_rng(seed))

    assert len(sample(3)) == 10 and np.all(np.diff(sample(3)) > 0)
    assert np.isin(sample(3), valid.users).all()
    np.testing.assert_array_equal(sample(3), sample(3))
    assert not np.array_equal(sample(3), sample(4))
    assert sample(3, len(valid.users)) is valid.users
    model = SequentialTransformer(**{**SMALL, "valid_users": 10}, max_epochs=1)
    model.fit(split.train, ds, valid=valid)
    (entry,) = model.training_log
    measured = evaluate(model, split, "valid", users=sample(0))
    assert measured["NDCG@10"] == pytest.approx(entry["valid_ndcg10"], abs=1e-12)


def test_progress_is_monotone_and_cancel_stops_the_fit(noisy_split) -> None:
    ds, split = noisy_split
    seen: list[float] = []
    task = Task(listeners=[lambda t: seen.append(t.progress)])
    SequentialTransformer(**SMALL, max_epochs=3).fit(split.train, ds, task, split.validation())
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 3

    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        SequentialTransformer(**SMALL, max_epochs=3).fit(split.train, ds, task)

    epochs: list[str] = []

    def cancel_in_epoch_two(t: Task) -> None:
        epochs.append(t.status)
        if t.status.startswith("epoch 1:"):
            t.cancel()

    with pytest.raises(Cancelled):
        SequentialTransformer(**SMALL, max_epochs=50).fit(
            split.train, ds, Task(listeners=[cancel_in_epoch_two]))
    assert not any(status.startswith("epoch 2:") for status in epochs)


# -- parameters, devices, text vectors ------------------------------------------------------

def test_params_are_json_and_unchanged_by_fit(noisy_split) -> None:
    ds, split = noisy_split
    vectors = np.random.default_rng(0).normal(size=(ds.n_items, 8)).astype(np.float32)
    model = SequentialTransformer(**SMALL, max_epochs=1, text_init=True, item_vectors=vectors)
    before = model.params()
    assert "item_vectors" not in before
    model.fit(split.train, ds)
    assert model.params() == before
    assert SequentialTransformer(**json.loads(json.dumps(before))).params() == before


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="multiple of heads"):
        SequentialTransformer(hidden=30, heads=4)
    with pytest.raises(ValueError):
        SequentialTransformer(max_len=0)
    with pytest.raises(ValueError):
        SequentialTransformer(dropout=1.0)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error without a GPU")
def test_cuda_without_a_gpu_is_a_clear_error(noisy_split) -> None:
    ds, split = noisy_split
    with pytest.raises(DataError, match="no CUDA GPU"):
        SequentialTransformer(**{**SMALL, "device": "cuda"}).fit(split.train, ds)


def test_text_vectors_carry_over_to_a_cold_item(noisy_split) -> None:
    """With text_init an item never seen in training, whose text vector copies item 5's,
    is ranked near item 5 after a 4; without it, it is just another unseen item."""
    cold = N_ITEMS
    ds = sequences_dataset(successor_sequences(), N_ITEMS + 1)
    history = ds.history()
    vectors = np.random.default_rng(1).normal(size=(N_ITEMS + 1, 16)).astype(np.float32)
    vectors[cold] = vectors[5]
    after_4 = history_of([[1, 2, 3, 4]], N_ITEMS + 1)

    def items_above_cold(text_init: bool) -> int:
        model = SequentialTransformer(**SMALL, max_epochs=20, text_init=text_init,
                                      item_vectors=lambda _: vectors)
        scores = model.fit(history, ds).score(np.array([0]), after_4)[0]
        assert scores.argmax() == 5
        return int((scores > scores[cold]).sum())

    with_text = items_above_cold(True)
    assert with_text <= 3
    assert items_above_cold(False) >= with_text + 3

    train = noisy_split[1].train
    with pytest.raises(DataError, match="one vector per item"):
        SequentialTransformer(**SMALL, max_epochs=1, text_init=True,
                              item_vectors=vectors[:5]).fit(train, noisy_split[0])
    # without given vectors the catalogue's text stands in (here: the item names)
    SequentialTransformer(**SMALL, max_epochs=1, text_init=True).fit(train, noisy_split[0])


def test_beats_popularity_on_the_demo_shop(tmp_path) -> None:
    shop = generate(ShopConfig(n_users=300, seed=4))
    interactions, items = write_csv(shop, tmp_path)
    dataset = build_dataset(read_interactions(interactions), read_catalogue(items))
    split = leave_one_out(dataset)
    # no time budget in tests: the number of epochs must not depend on the machine's load
    model = SequentialTransformer(max_epochs=8, patience=3, time_budget=0, device="cpu",
                                  threads=1, lr=1e-2, max_len=20)
    model.fit(split.train, dataset, valid=split.validation())
    pop = Popularity().fit(split.train, dataset)
    for phase in ("valid", "test"):
        ours = evaluate(model, split, phase, ks=(10,))["NDCG@10"]
        assert ours > 3 * evaluate(pop, split, phase, ks=(10,))["NDCG@10"]  # ~0.21 vs 0.03
