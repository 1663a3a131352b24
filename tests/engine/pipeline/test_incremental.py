"""Incremental updates: growing a dataset, refreshing fitted models without a refit, and
storing fitted models as data (engine.models.serialize) and reading them back.

The replay fixture cuts a small synthetic shop in time: every model is fitted on the
early part, updated with the rest (new users, new items and a catalogue item nobody has
taken included) and compared with a full refit on everything, on each user's held-out
last interaction.
"""
from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from engine.core.errors import Cancelled, DataError
from engine.core.progress import Task
from engine.data.append import append_interactions
from engine.data.dataset import Dataset
from engine.data.importer import Catalogue, InteractionTable, read_catalogue, read_interactions
from engine.data.preprocess import build_dataset
from engine.data.split import leave_one_out
from engine.data.synthetic import ShopConfig, generate, write_csv
from engine.evaluation.metrics import MetricAccumulator
from engine.models import MODELS, make_model
from engine.models.base import HistoryStamp, Recommender
from engine.models.serialize import model_from_bytes, model_to_bytes
from engine.models.popularity import item_popularity
from engine.pipeline.drift import RETRAIN_SHARE, measure_change
from engine.pipeline.execute import fit_for_lists, update_fitted
from tests.support.tables import catalogue, table

#: A transformer small enough for a test, trained a fixed number of epochs (no budget).
SEQUENTIAL = dict(hidden=32, layers=1, heads=2, max_len=20, dropout=0.1, lr=5e-3,
                  max_epochs=15, patience=15, time_budget=0, device="cpu", threads=1)
PARAMS: dict[str, dict[str, object]] = {
    "sequential": SEQUENTIAL,
    "fusion": {"component_params": {"sequential": SEQUENTIAL}},
}
#: The models with a true incremental update (the semantic one has its own test below:
#: it loads the sentence encoder).
INCREMENTAL = ["pop", "ease", "als", "cooc", "word2vec", "item2vec", "sequential", "fusion"]


# ----------------------------------------------------------------------------------------
# The replay: a shop cut in time
# ----------------------------------------------------------------------------------------

@dataclasses.dataclass
class Replay:
    early: Dataset  # what the models are fitted on
    grown: Dataset  # early + the rest, grown by append_interactions
    targets: np.ndarray  # held-out last item per user of ``grown`` (internal index)
    new_users: np.ndarray  # users that first appear in the rest
    cold_item: int  # a catalogue item nobody has taken
    table: InteractionTable  # everything (without the cold item's interactions)
    catalogue: Catalogue  # every item


@pytest.fixture(scope="module")
def replay(tmp_path_factory) -> Replay:
    shop = generate(ShopConfig(n_users=240, n_items=300, session_length=(2, 6),
                               sessions_per_user=(4, 10), seed=7))
    folder = tmp_path_factory.mktemp("incremental-shop")
    interactions, items = write_csv(shop, folder)
    full = read_interactions(interactions)
    cat = read_catalogue(items)
    counts = full.frame["item"].value_counts()
    cold = counts.index[-1]  # its interactions are dropped: nobody has taken it
    full = dataclasses.replace(full, frame=full.frame[full.frame["item"] != cold])
    frame = full.frame.sort_values(["timestamp", "line"], kind="stable")
    last = frame.groupby("user").tail(1)  # each user's last interaction: the target
    rest = frame.drop(last.index)
    users = sorted(frame["user"].unique())
    held_back = set(users[::10])  # every tenth user only appears after the cut
    cut = rest["timestamp"].quantile(0.75)
    early_mask = (rest["timestamp"] < cut) & ~rest["user"].isin(held_back)
    early, late = rest[early_mask], rest[~early_mask]
    early_cat = dataclasses.replace(cat, frame=cat.frame[cat.frame["item"].isin(set(early["item"]))])
    d0 = build_dataset(dataclasses.replace(full, frame=early), early_cat)
    scale = full.frame["rating"].max()
    assert early["rating"].max() == scale  # the same weight scale on both sides
    grown = append_interactions(d0, late["user"], late["item"], late["rating"] / scale,
                                late["timestamp"], catalogue=cat)
    target = np.full(grown.n_users, -1)
    target[[grown.user_index[u] for u in last["user"]]] = [grown.item_index[i] for i in last["item"]]
    new_users = np.array([grown.user_index[u] for u in sorted(held_back)])
    return Replay(d0, grown, target, new_users, grown.item_index[cold], full, cat)


def ndcg10(model: Recommender, replay: Replay) -> float:
    """NDCG@10 of the held-out last items, scored from the grown history."""
    history = replay.grown.history()
    users = np.flatnonzero(replay.targets >= 0)
    accumulator = MetricAccumulator(ks=(10,), item_popularity=item_popularity(history.matrix),
                                    n_train_users=history.n_users)
    items, _ = model.recommend(users, history, 10)
    targets = sp.csr_matrix((np.ones(len(users)), (users, replay.targets[users])),
                            shape=(history.n_users, history.n_items))
    accumulator.add(items, targets[users])
    return accumulator.result()["NDCG@10"]


def fit(name: str, dataset: Dataset) -> Recommender:
    """As the application fits a model for lists: on the training part of a leave-one-out
    split (each user's last two interactions teach early stopping and the gate)."""
    return fit_for_lists(name, dataset, PARAMS.get(name, {}))


@pytest.fixture(scope="module")
def models(replay) -> dict[str, tuple[Recommender, Recommender]]:
    """Per model: (fitted early then updated, refitted).

    ``update_fitted`` reads exactly the history the refit is fitted on (the grown
    dataset's leave-one-out training part), so the two differ only in how they learned.
    """
    out = {}
    for name in INCREMENTAL:
        model = fit(name, replay.early)
        update_fitted(model, replay.grown)
        out[name] = (model, fit(name, replay.grown))
    return out


# ----------------------------------------------------------------------------------------
# Growing the dataset
# ----------------------------------------------------------------------------------------

def test_replay_has_new_users_and_items(replay):
    early, grown = replay.early, replay.grown
    assert grown.n_users > early.n_users and grown.n_items > early.n_items
    assert len(replay.new_users) and (replay.new_users >= early.n_users).all()
    assert replay.cold_item >= early.n_items
    assert replay.cold_item not in set(grown.item.tolist())


def test_appending_keeps_indices_and_matches_a_fresh_import(replay):
    early, grown = replay.early, replay.grown
    np.testing.assert_array_equal(grown.user_ids[:early.n_users], early.user_ids)
    np.testing.assert_array_equal(grown.item_ids[:early.n_items], early.item_ids)
    np.testing.assert_array_equal(grown.titles[:early.n_items], early.titles)
    key = grown.user.astype(np.int64) * 2**40 + grown.timestamp  # sorted by (user, time)
    assert (np.diff(key) >= 0).all()
    # the same sequences as importing everything (but the held-out targets) at once
    shop_items = replay.catalogue
    fresh = build_dataset(replay.table, shop_items)

    def sequences(d: Dataset, drop: set[tuple[str, str]]) -> dict[str, list[tuple]]:
        frame = pd.DataFrame({"u": d.user_ids[d.user], "i": d.item_ids[d.item],
                              "t": d.timestamp, "w": d.weight})
        frame = frame[[(u, i) not in drop for u, i in zip(frame["u"], frame["i"])]]
        return {u: list(zip(g["i"], g["t"], g["w"])) for u, g in frame.groupby("u")}

    held_out = {(grown.user_ids[u], grown.item_ids[i]) for u, i in enumerate(replay.targets)}
    assert sequences(grown, set()) == sequences(fresh, held_out)
    assert set(grown.item_ids) == set(fresh.item_ids)  # the untaken catalogue items too
    last = shop_items.frame.iloc[-1]
    assert grown.titles[grown.item_index[last["item"]]] == last["title"]


def small() -> Dataset:
    return build_dataset(table([("a", "x", 5, 10), ("a", "y", 4, 20), ("b", "x", 3, 15)]),
                         catalogue([("x", "X", "", ""), ("y", "Y", "", "")]))


def test_a_repeat_replaces_the_older_interaction_and_counts_as_a_change():
    before = small()
    after = append_interactions(before, ["a", "c"], ["x", "z"], [1.0, 0.5], [30, 40],
                                catalogue=catalogue([("z", "Zed", "about z", "Toys")]))
    a = after.user_index["a"]
    assert after.item_ids[after.history().sequence(a)].tolist() == ["y", "x"]  # x moved
    assert after.user_ids.tolist() == ["a", "b", "c"]
    assert after.item_ids.tolist() == ["x", "y", "z"]
    assert after.titles[2] == "Zed" and after.genres[2] == ("Toys",)
    assert after.report.dropped["duplicate (kept the latest)"] == 1
    change = measure_change(before, after)
    assert (change.interactions_added, change.interactions_removed) == (2, 1)
    assert (change.users_added, change.items_added, change.users_changed) == (1, 1, 2)
    kept = append_interactions(before, ["a"], ["x"], [1.0], [30], dedupe="none")
    assert kept.n_interactions == 4
    assert len(before.user) == 3  # the input is left alone


def test_bad_new_interactions_are_refused_with_a_reason():
    before = small()
    with pytest.raises(DataError, match=r"\(0, 1\]"):
        append_interactions(before, ["a"], ["x"], [5.0], [30])
    with pytest.raises(DataError, match="timestamps"):
        append_interactions(before, ["a"], ["x"])
    with pytest.raises(DataError, match="item ids"):
        append_interactions(before, ["a", "b"], ["x"], timestamps=[1, 2])
    untimed = dataclasses.replace(before, has_timestamps=False)
    grown = append_interactions(untimed, ["c"], ["y"])
    assert grown.timestamp.max() == before.timestamp.max() + 1  # file order continues
    with pytest.raises(ValueError, match="grown"):
        measure_change(grown, before)


def test_retrain_is_offered_beyond_the_threshold():
    before = small()
    one_more = append_interactions(before, ["b"], ["y"], timestamps=[50])
    change = measure_change(before, one_more)
    assert change.interaction_share == pytest.approx(1 / 3)
    assert change.drift.retrain_advised and not change.drift.exceeds(0.5)
    assert RETRAIN_SHARE == 0.2
    assert not measure_change(before, before).drift.retrain_advised


def test_replay_change_is_measured(replay):
    change = measure_change(replay.early, replay.grown)
    assert change.interactions_added == replay.grown.n_interactions - replay.early.n_interactions
    assert change.interactions_removed == 0
    assert change.users_added == len(replay.new_users)
    assert change.drift.retrain_advised  # 40% of the time range added: a lot


# ----------------------------------------------------------------------------------------
# Updated models against full refits
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", INCREMENTAL)
def test_update_ranks_about_as_well_as_a_full_refit(models, replay, name):
    updated, refitted = models[name]
    assert type(updated).incremental
    incremental, full = ndcg10(updated, replay), ndcg10(refitted, replay)
    popularity = ndcg10(models["pop"][1], replay)
    assert incremental >= 0.8 * full, (incremental, full)
    if name != "pop":
        assert incremental > popularity, (incremental, popularity)


@pytest.mark.parametrize("name", ["pop", "ease", "cooc", "word2vec"])
def test_deterministic_models_agree_with_a_refit_list_by_list(models, replay, name):
    updated, refitted = models[name]
    history = replay.grown.history()
    users = np.arange(history.n_users)
    a, _ = updated.recommend(users, history, 10)
    b, _ = refitted.recommend(users, history, 10)
    overlap = np.mean([len(set(x) & set(y)) / 10 for x, y in zip(a, b)])
    assert overlap > {"pop": 0.99, "cooc": 0.99, "ease": 0.99, "word2vec": 0.85}[name], overlap


def test_cooccurrence_counts_are_exactly_those_of_a_refit(replay):
    train = replay.early.history()
    grown = replay.grown.history()
    updated = make_model("cooc").fit(train, replay.early).update(grown, replay.grown)
    refit = make_model("cooc").fit(grown, replay.grown)
    np.testing.assert_allclose(updated.transitions.toarray(), refit.transitions.toarray(),
                               rtol=1e-5, atol=1e-7)
    # an event inserted before a user's last one: the counts are taken again, still exact
    user = 0
    first = grown.timestamps[grown.indptr[user]]
    inserted = append_interactions(replay.grown, [replay.grown.user_ids[user]],
                                   [replay.grown.item_ids[5]], [1.0], [first + 1])
    assert not HistoryStamp.of(grown).extended(inserted.history())[user]
    again = updated.update(inserted.history(), inserted)
    np.testing.assert_allclose(again.transitions.toarray(),
                               make_model("cooc").fit(inserted.history(), inserted)
                               .transitions.toarray(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", INCREMENTAL)
def test_new_users_get_lists_and_new_items_get_scores(models, replay, name):
    updated, _ = models[name]
    history = replay.grown.history()
    items, scores = updated.recommend(replay.new_users, history, 10)
    assert np.isfinite(scores).all() and (items >= 0).all()
    taken_new = np.setdiff1d(np.arange(replay.early.n_items, replay.grown.n_items),
                             [replay.cold_item])
    all_scores = updated.score(np.arange(history.n_users), history)
    assert all_scores.shape == (history.n_users, history.n_items)
    assert np.isfinite(all_scores).all()
    assert np.ptp(all_scores[:, taken_new]) > 0


def test_ease_solves_again_exactly_on_a_small_catalogue(replay):
    train, grown = leave_one_out(replay.early).train, leave_one_out(replay.grown).train
    updated = make_model("ease").fit(train, replay.early).update(grown, replay.grown)
    refitted = make_model("ease").fit(grown, replay.grown)
    users = np.arange(grown.n_users)
    np.testing.assert_allclose(updated.score(users, grown), refitted.score(users, grown),
                               rtol=1e-5, atol=1e-6)


def test_ease_keeps_b_and_folds_in_new_items_by_ridge_regression(replay):
    """Above ``exact_update_items`` the fitted weights stay and new items are folded in."""
    train, grown = leave_one_out(replay.early).train, leave_one_out(replay.grown).train
    fitted = make_model("ease", exact_update_items=0).fit(train, replay.early)
    weights = fitted.weights.copy()
    fitted.update(grown, replay.grown)
    np.testing.assert_array_equal(fitted.weights, weights)
    # an item first taken after the fit: its users regressed on the fitted items
    X_fit = (train.matrix > 0).astype(np.float64).toarray()
    X = (grown.matrix > 0).astype(np.float64).toarray()
    precision = np.linalg.inv(X_fit.T @ X_fit + fitted.l2 * np.eye(train.n_items))
    new = np.arange(train.n_items, grown.n_items)
    new = new[X[:, new].sum(axis=0) > 0]
    expected = precision @ X[:, :train.n_items].T @ X[:, new]
    users = np.arange(grown.n_users)
    np.testing.assert_allclose(fitted.score(users, grown)[:, new],
                               X[:, :train.n_items] @ expected, rtol=1e-3, atol=1e-4)
    np.testing.assert_array_equal(fitted.score(users, grown)[:, replay.cold_item], 0.0)


def test_als_folds_in_only_the_users_who_changed(replay):
    train = replay.early.history()
    model = make_model("als").fit(train, replay.early)
    before = model.score(np.arange(train.n_users), train)
    grown = replay.grown.history()
    model.update(grown, replay.grown)
    after = model.score(np.arange(train.n_users), grown)[:, :train.n_items]
    changed = HistoryStamp.of(train).changed_users(grown)
    unchanged = np.setdiff1d(np.arange(train.n_users), changed)
    assert len(unchanged) and len(changed)
    np.testing.assert_allclose(after[unchanged], before[unchanged], rtol=1e-5, atol=1e-6)
    assert not np.allclose(after[changed[changed < train.n_users]],
                           before[changed[changed < train.n_users]])


@pytest.mark.parametrize("name", ["als", "item2vec", "sequential", "fusion"])
def test_an_update_depends_only_on_the_fit_and_the_current_history(models, replay, name):
    """Two updates in a row give the same model as one update with everything."""
    early, grown = replay.early, replay.grown
    model = stored(models[name][0])  # a copy of the updated model
    half = early.n_interactions + (grown.n_interactions - early.n_interactions) // 2
    rows = np.sort(np.argsort(grown.timestamp, kind="stable")[:half])
    midway = dataclasses.replace(grown, user=grown.user[rows], item=grown.item[rows],
                                 weight=grown.weight[rows], timestamp=grown.timestamp[rows])
    update_fitted(model.update(midway.history(), midway), grown)
    users = np.arange(grown.n_users)
    np.testing.assert_allclose(model.score(users, grown.history()),
                               models[name][0].score(users, grown.history()),
                               rtol=1e-5, atol=1e-5)


def test_fusion_keeps_its_gate_unless_given_held_out_targets(models, replay):
    fitted = fit("fusion", replay.early)
    kept = stored(fitted).update(replay.grown.history(), replay.grown)
    np.testing.assert_array_equal(kept._W, fitted._W)
    np.testing.assert_array_equal(kept._b, fitted._b)
    relearned, refit = models["fusion"]  # update_fitted: the gate learned again
    assert not np.array_equal(relearned._W, fitted._W)
    # on the same validation targets as the refit, so with the same feature scaling
    np.testing.assert_allclose(relearned._f_mean, refit._f_mean, rtol=1e-5)
    history = replay.grown.history()
    gate = relearned.gate(np.arange(history.n_users), history)
    assert ((gate > 0) & (gate < 1)).all()


def test_sequential_keeps_trained_rows_and_grows_its_table(models, replay):
    import torch

    updated, _ = models["sequential"]
    fitted = fit("sequential", replay.early)
    with torch.no_grad():
        old = fitted._net.table()[1:]
        new = updated._net.table()[1:]
    assert new.shape[0] == replay.grown.n_items
    trained = fitted._trained_items
    torch.testing.assert_close(new[:len(trained)][torch.from_numpy(trained)],
                               old[torch.from_numpy(trained)])
    for name, param in updated._net.gpt.named_parameters():  # the transformer is untouched
        torch.testing.assert_close(param, dict(fitted._net.gpt.named_parameters())[name])


def test_word2vec_keeps_old_item_vectors_and_embeds_new_items_by_text(models, replay):
    updated, _ = models["word2vec"]
    fitted = fit("word2vec", replay.early)
    n_old = replay.early.n_items
    np.testing.assert_array_equal(updated.item_vectors[:n_old], fitted.item_vectors)
    assert (np.linalg.norm(updated.item_vectors[n_old:], axis=1) > 0.99).all()
    # the catalogue item nobody has taken is ranked by its text, differently per user
    scores = updated.score(np.arange(replay.grown.n_users), replay.grown.history())
    assert np.ptp(scores[:, replay.cold_item]) > 0.1


def test_semantic_profile_encodes_only_the_new_items(replay):
    model = make_model("semantic", device="cpu").fit(replay.early.history(), replay.early)
    model.update(replay.grown.history(), replay.grown)
    assert model.text_encoder.encoded_last == replay.grown.n_items - replay.early.n_items
    refit = make_model("semantic", device="cpu").fit(replay.grown.history(), replay.grown)
    np.testing.assert_allclose(model.item_vectors, refit.item_vectors, atol=1e-6)
    users = np.arange(replay.grown.n_users)
    history = replay.grown.history()
    np.testing.assert_allclose(model.score(users, history), refit.score(users, history),
                               atol=1e-5)
    restored = stored(model)
    assert restored._encoder is None  # the transformer is not stored
    np.testing.assert_array_equal(restored.score(users, history), model.score(users, history))


def test_models_without_an_incremental_update_refit_and_say_so(replay, caplog):
    model = make_model("itemknn").fit(replay.early.history(), replay.early)
    assert not type(model).incremental
    seen: list[str] = []
    task = Task(listeners=[lambda t: seen.append(t.status)])
    with caplog.at_level(logging.INFO, logger="engine.models.base"):
        assert update_fitted(model, replay.grown, task) is model
    assert any("refitting" in s for s in seen) and "refitting" in caplog.text
    refit = fit("itemknn", replay.grown)
    users = np.arange(replay.grown.n_users)
    np.testing.assert_array_equal(model.score(users, replay.grown.history()),
                                  refit.score(users, replay.grown.history()))


def test_a_grown_dataset_is_required(replay):
    with pytest.raises(ValueError, match="grown"):
        make_model("als").fit(replay.grown.history(), replay.grown).update(
            replay.early.history(), replay.early)


# ----------------------------------------------------------------------------------------
# Cancel
# ----------------------------------------------------------------------------------------

def cancel_at(fraction: float) -> Task:
    def listen(task: Task) -> None:
        if task.progress >= fraction:
            task.cancel()
    return Task(listeners=[listen])


def test_a_cancelled_update_leaves_the_model_as_it_was(replay):
    model = fit("fusion", replay.early)
    history = replay.early.history()
    users = np.arange(history.n_users)
    before = model.score(users, history)
    task = cancel_at(0.6)  # inside the third component (cooc) of four
    with pytest.raises(Cancelled):
        model.update(replay.grown.history(), replay.grown, task)
    np.testing.assert_array_equal(model.score(users, history), before)
    model.update(replay.grown.history(), replay.grown)  # and it can still be updated
    assert model.score(users, replay.grown.history()).shape[1] == replay.grown.n_items


@pytest.mark.parametrize("name", ["pop", "ease", "als", "cooc", "item2vec", "sequential"])
def test_every_update_stops_at_its_first_safe_point(models, replay, name):
    model = stored(models[name][1])
    with pytest.raises(Cancelled):
        model.update(replay.grown.history(), replay.grown, cancel_at(0.0))


# ----------------------------------------------------------------------------------------
# Storing
# ----------------------------------------------------------------------------------------

def stored(model: Recommender) -> Recommender:
    """``model`` written as a run stores it and read back: a copy that shares nothing."""
    return model_from_bytes(model_to_bytes(model))


def test_a_fitted_fusion_survives_storing_before_and_after_an_update(models, replay):
    fitted = fit("fusion", replay.early)
    for model, dataset in ((fitted, replay.early), (models["fusion"][0], replay.grown)):
        history = dataset.history()
        users = np.arange(dataset.n_users)
        restored = stored(model)
        np.testing.assert_array_equal(restored.score(users, history), model.score(users, history))
        np.testing.assert_array_equal(restored.gate(users, history), model.gate(users, history))
        items, _ = model.recommend(users, history, 10)
        for name, part in restored.contributions(users, history, items).items():
            np.testing.assert_array_equal(part, model.contributions(users, history, items)[name])
    restored.update(replay.grown.history(), replay.grown)  # a loaded model can be updated


@pytest.mark.parametrize("name", sorted(set(MODELS) - {"semantic"}))
def test_every_model_is_stored_with_identical_scores(models, replay, name):
    params = {"components": ["ease", "cooc"]} if name.startswith("fusion-") else {}
    model = models[name][1] if name in models else make_model(name, **params).fit(
        replay.grown.history(), replay.grown)
    history = replay.grown.history()
    users = np.arange(history.n_users)
    restored = stored(model)
    np.testing.assert_array_equal(restored.score(users, history), model.score(users, history))


def test_transformer_weights_are_stored_on_the_cpu_and_loaded_anywhere(models, replay, caplog):
    import torch

    model = models["sequential"][1]
    state = model.__getstate__()
    assert state["_net"] is None
    assert all(t.device.type == "cpu" for t in state["_net_state"].values())
    copy = stored(model)
    copy.device = "cuda"  # as if fitted on a GPU machine
    with caplog.at_level(logging.WARNING):
        moved = stored(copy)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert moved._device.type == expected
    history = replay.grown.history()
    users = np.arange(20)
    np.testing.assert_allclose(moved.score(users, history), model.score(users, history),
                               rtol=1e-5, atol=1e-5)
