"""Fusion: exact decomposition into contributions, a gate that really learns, and the
planted structure of the synthetic shop."""
import dataclasses
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from engine.data.dataset import Dataset, History, Validation
from engine.data.importer import read_catalogue, read_interactions
from engine.data.preprocess import build_dataset
from engine.data.split import leave_one_out
from engine.data.synthetic import ShopConfig, generate, write_csv
from engine.evaluation.evaluate import evaluate_models
from engine.models import MODELS, make_model
from engine.models.base import Recommender
from engine.models.gate_softmax import candidate_z


class Scripted(Recommender):
    """A component whose scores are fixed in advance (users x items)."""

    name: ClassVar[str] = "scripted"

    def __init__(self, scores: np.ndarray, horizon: str) -> None:
        self._scores = scores.astype(np.float32)
        self.horizon = horizon  # type: ignore[misc]

    def fit(self, train, dataset, task=None, valid=None):
        return self

    def score(self, users, history):
        return self._scores[np.asarray(users)]


def two_groups(seed: int = 0):
    """Users 0..99 have 2-item histories and follow the short-term component; users
    100..199 have 12-item histories and follow the long-term one. Each component ranks the
    target first for its own group and a decoy first for the other group."""
    rng = np.random.default_rng(seed)
    n_users, n_items = 200, 50
    lengths = np.where(np.arange(n_users) < 100, 2, 12)
    users = np.repeat(np.arange(n_users), lengths)
    items = np.concatenate([rng.choice(np.arange(30, 50), n, replace=False) for n in lengths])
    stamps = np.concatenate([np.arange(n) * 3600 for n in lengths])
    history = History.build(users, items, np.ones(len(users), np.float32), stamps, n_users, n_items)
    target = rng.integers(0, 15, n_users)
    decoy = 15 + rng.integers(0, 15, n_users)
    noise = lambda: rng.normal(0, 0.1, (n_users, n_items))
    short, long_ = noise(), noise()
    short_group = np.arange(n_users) < 100
    short[np.arange(n_users), np.where(short_group, target, decoy)] += 3
    long_[np.arange(n_users), np.where(short_group, decoy, target)] += 3
    targets = sp.csr_matrix((np.ones(n_users), (np.arange(n_users), target)), shape=(n_users, n_items))
    valid = Validation(np.arange(n_users), history, targets)
    dataset = Dataset(
        user_ids=np.arange(n_users).astype(str).astype(object),
        item_ids=np.arange(n_items).astype(str).astype(object),
        user=users.astype(np.int32), item=items.astype(np.int32),
        weight=np.ones(len(users), np.float32), timestamp=stamps.astype(np.int64),
        titles=np.arange(n_items).astype(str).astype(object),
        texts=np.full(n_items, "", dtype=object), genres=[()] * n_items,
    )
    return dataset, history, valid, Scripted(long_, "long"), Scripted(short, "short"), target


def fused(mode: str):
    dataset, history, valid, long_, short, target = two_groups()
    model = make_model("fusion", components=["ease", "cooc"], mode=mode)
    model.reuse({"ease": long_, "cooc": short})
    model.fit(history, dataset, valid=valid)
    return model, history, target


def hit_rate(model, history, target) -> float:
    users = np.arange(len(target))
    top, _ = model.recommend(users, history, 1)
    return float((top[:, 0] == target).mean())


def test_learned_gate_follows_each_users_situation():
    model, history, target = fused("learned")
    gate = model.gate(np.arange(200), history)
    assert gate[:100].mean() < 0.4 and gate[100:].mean() > 0.6
    assert hit_rate(model, history, target) > 0.95
    fixed, _, _ = fused("fixed")
    # global weights cannot serve both groups: about half the users get the decoy
    assert hit_rate(fixed, history, target) < 0.75


def test_over_a_large_catalogue_the_gate_learns_from_each_users_candidates():
    dataset, history, valid, long_, short, target = two_groups()
    model = make_model("fusion", components=["ease", "cooc"], gate_items=10, gate_candidates=3)
    assert "top 3 of every component" in model.method_for(50)
    assert "every item" in model.method_for(10)
    model.reuse({"ease": long_, "cooc": short})
    model.fit(history, dataset, valid=valid)
    gate = model.gate(np.arange(200), history)
    assert gate[:100].mean() < 0.4 and gate[100:].mean() > 0.6
    assert hit_rate(model, history, target) > 0.95


def test_the_check_mends_a_gate_its_loss_left_wrong():
    """One component ranks every user's target first, the other a decoy; a gate left at
    equal weights (no steps) gives about half the users the decoy. The check, on the
    fused lists' NDCG, raises the good component."""
    dataset, history, valid, long_, _, target = two_groups()
    rng = np.random.default_rng(1)
    good = rng.normal(0, 0.1, (200, 50))
    good[np.arange(200), target] += 3
    bad = rng.normal(0, 0.1, (200, 50))
    bad[np.arange(200), 15 + rng.integers(0, 15, 200)] += 3
    results = {}
    for check_users in (0, 2000):
        model = make_model("fusion", components=["ease", "cooc"], steps=0,
                           check_users=check_users, cold_start=None)
        model.reuse({"ease": Scripted(bad, "long"), "cooc": Scripted(good, "short")})
        model.fit(history, dataset, valid=valid)
        results[check_users] = (hit_rate(model, history, target), model.fit_report())
    assert results[0] == (pytest.approx(0.5, abs=0.15), "")
    assert results[2000][0] > 0.95
    assert results[2000][1].startswith("gate checked on 200 validation users")
    assert "kept cooc" in results[2000][1]


def test_the_gates_candidates_are_the_target_each_components_top_and_draws_once():
    dataset, history, valid, long_, short, target = two_groups()
    model = make_model("fusion", components=["ease", "cooc"], gate_items=10, gate_candidates=3,
                       gate_samples=20)
    model.reuse({"ease": long_, "cooc": short})
    model.fit(history, dataset)  # no gate learned: the components are in place
    users = np.arange(0, 200, 3)
    full = model._standardised(users, history)
    seen = history.matrix[users].toarray() > 0
    full[:, seen] = -1e4
    z, offset = candidate_z(lambda batch: model._standardised(batch, history), users, history,
                            target[users], 3, 20, np.random.default_rng(0))
    assert z.shape == (2, len(users), 1 + 2 * 3 + 20)
    np.testing.assert_array_equal(offset[:7], 0.0)
    np.testing.assert_allclose(offset[7:], np.log(50 / 20))
    np.testing.assert_array_equal(z[:, :, 0], full[:, np.arange(len(users)), target[users]])
    for row in range(len(users)):
        tops = {int(i) for c in range(2) for i in np.argsort(-full[c, row])[:3]}
        kept = z[0, row] > -1e4
        assert kept[:7].sum() == len(tops | {int(target[users[row]])})
        # every kept column is a distinct item: its z-scores match exactly one item's
        pairs = {tuple(z[:, row, k]) for k in np.flatnonzero(kept)}
        assert len(pairs) == kept.sum()
        assert kept[7:].any()  # 20 draws from 50 items are not all repeats or seen


def test_contributions_add_up_to_the_fused_score():
    for mode in ("learned", "fixed", "rrf"):
        model, history, _ = fused(mode)
        users = np.arange(0, 200, 7)
        items, scores = model.recommend(users, history, 5)
        parts = model.contributions(users, history, items)
        assert set(parts) == {"ease", "cooc"}
        assert np.allclose(sum(parts.values()), scores, atol=1e-5)


def test_weights_are_a_distribution_and_rrf_has_no_gate():
    model, history, _ = fused("learned")
    weights = model.component_weights(np.arange(200), history)
    total = weights["ease"] + weights["cooc"]
    assert np.allclose(total, 1.0, atol=1e-6)
    rrf, history, _ = fused("rrf")
    assert rrf.gate(np.arange(10), history) is None


@pytest.fixture(scope="module")
def shop_results(tmp_path_factory):
    # A small catalogue and short sessions: the next action often starts a new session in
    # a taste category (long-term) and otherwise continues the current one (short-term).
    shop = generate(ShopConfig(n_users=500, n_items=300, session_length=(2, 4),
                               sessions_per_user=(6, 14), seed=5))
    interactions, items = write_csv(shop, tmp_path_factory.mktemp("fusion-shop"))
    split = leave_one_out(build_dataset(read_interactions(interactions), read_catalogue(items)))
    params = {name: {"components": ["ease", "cooc"]} for name in ("fusion", "fusion-fixed")}
    return evaluate_models(split, ["ease", "cooc", "fusion", "fusion-fixed"], (10,), params)


def test_fusion_beats_both_sides_on_the_shop(shop_results):
    for phase in ("valid", "test"):
        ndcg = {n: getattr(r, phase)["NDCG@10"] for n, r in shop_results.items()}
        assert ndcg["fusion"] > ndcg["ease"], phase
        assert ndcg["fusion"] > ndcg["cooc"], phase
    # the per-user gate (it reads the time since the last action) beats global weights
    assert shop_results["fusion"].test["NDCG@10"] > shop_results["fusion-fixed"].test["NDCG@10"] + 0.01


def test_fusion_is_deterministic(tmp_path):
    a, history, _ = fused("learned")
    b, _, _ = fused("learned")
    users = np.arange(200)
    assert np.array_equal(a.score(users, history), b.score(users, history))


def test_a_components_progress_and_cancel_pass_through_the_fusion():
    from engine.core.errors import Cancelled
    from engine.core.progress import Task

    dataset, history, valid, _, _, _ = two_groups()
    seen: list[float] = []

    def listen(task: Task) -> None:
        seen.append(task.progress)
        if task.progress >= 0.1:  # early inside the transformer's slice
            task.cancel()

    task = Task(listeners=[listen])
    model = make_model("fusion", components=["pop", "sequential"],
                       component_params={"sequential": {"max_epochs": 30, "threads": 1}})
    with pytest.raises(Cancelled):
        model.fit(history, dataset, task, valid)
    # each fit has a share by its expected cost: pop, then the transformer, then the gate
    costs = np.array([MODELS["pop"].fit_cost, MODELS["sequential"].fit_cost, 1.0])
    low, high = np.cumsum(costs)[:2] / costs.sum()
    inside = [p for p in seen if low < p < high]
    assert high - low > 0.9 and inside and inside == sorted(inside) and max(seen) < high


@pytest.fixture(scope="module")
def cold_shop(tmp_path_factory):
    """A shop whose 30 least-taken items lose every interaction (nobody has taken them),
    and whose first 40 users keep only their first two actions."""
    shop = generate(ShopConfig(n_users=300, n_items=300, session_length=(2, 5),
                               sessions_per_user=(4, 8), seed=11))
    interactions, items = write_csv(shop, tmp_path_factory.mktemp("cold-shop"))
    table, catalogue = read_interactions(interactions), read_catalogue(items)
    frame = table.frame
    cold = frame["item"].value_counts().index[-30:]
    frame = frame[~frame["item"].isin(cold)]
    first_users = sorted(frame["user"].unique())[:40]
    short = frame[frame["user"].isin(first_users)].groupby("user").head(4)  # 2 train + 2 held out
    frame = frame[~frame["user"].isin(first_users)]
    table = dataclasses.replace(table, frame=pd.concat([frame, short]))
    split = leave_one_out(build_dataset(table, catalogue))
    dataset = split.dataset
    cold_items = np.array([dataset.item_index[i] for i in cold])
    cold_users = np.array([dataset.user_index[u] for u in first_users])
    models = {}
    for cold_start in ("word2vec", None):
        model = make_model("fusion", components=["ease", "cooc"], cold_start=cold_start)
        models[cold_start] = model.fit(split.train, dataset, valid=split.validation())
    return split, cold_items, cold_users, models


def test_items_nobody_took_are_scored_by_the_text_side(cold_shop):
    split, cold_items, cold_users, models = cold_shop
    model, plain, history = models["word2vec"], models[None], split.train
    users = np.setdiff1d(np.arange(history.n_users), cold_users)  # users with a history
    parts = model.contributions(users, history, np.tile(cold_items, (len(users), 1)))
    assert set(parts) == {"ease", "cooc", "word2vec"}
    assert np.all(parts["ease"] == 0) and np.all(parts["cooc"] == 0)
    # their score: the fused score predicted from the text z-score by least squares over
    # the items the components know, per user (a slope below zero is no lift)
    text = model._cold.score(users, history)
    z = (text - text.mean(axis=1, keepdims=True)) / text.std(axis=1, keepdims=True)
    fused = plain.score(users, history)
    warm = np.setdiff1d(np.arange(history.n_items), cold_items)
    for row in range(0, len(users), 37):
        slope, intercept = np.polyfit(z[row, warm], fused[row, warm], 1)
        expected = intercept + max(slope, 0.0) * z[row, cold_items] if slope > 0 else \
            np.full(len(cold_items), fused[row, warm].mean())
        np.testing.assert_allclose(parts["word2vec"][row], expected, rtol=1e-3, atol=1e-3)
    # the known items keep their fused scores
    np.testing.assert_allclose(model.score(users, history)[:, warm], fused[:, warm], rtol=1e-5)
    # they reach lists through it, some but not all; without cold start they never do
    shares = {}
    for name, fusion in models.items():
        top, _ = fusion.recommend(users, history, 10)
        shares[name] = np.isin(top, cold_items).mean()
    assert shares[None] == 0 and 0.005 < shares["word2vec"] < 0.3, shares


def test_users_with_few_actions_take_a_share_of_their_score_from_the_text_side(cold_shop):
    split, _, cold_users, models = cold_shop
    model, history = models["word2vec"], split.train
    assert (history.lengths[cold_users] <= 3).all()
    warm = np.flatnonzero(history.lengths > 3)[:40]
    w = model.cold_weight
    assert 0 < w < 1
    share = model._cold_share(np.concatenate([cold_users, warm]), history)
    assert np.all(share[:len(cold_users)] == w) and np.all(share[len(cold_users):] == 0)
    items, _ = model.recommend(cold_users, history, 10)
    parts = model.contributions(cold_users, history, items)
    np.testing.assert_allclose(sum(parts.values()),
                               np.take_along_axis(model.score(cold_users, history), items, 1),
                               rtol=1e-5, atol=1e-5)
    # w of the score is the text z-score, the rest the fused score brought to unit spread
    scores = model.score(cold_users, history)
    text = model._cold.score(cold_users, history)
    z = (text - text.mean(axis=1, keepdims=True)) / text.std(axis=1, keepdims=True)
    rest = scores - w * z
    np.testing.assert_allclose(rest.std(axis=1), 1 - w, rtol=1e-3)
    plain = models[None]
    long_share = plain.gate(cold_users, history)
    np.testing.assert_allclose(model.gate(cold_users, history), (1 - w) * long_share + w,
                               rtol=1e-5)
    np.testing.assert_allclose(model.gate(warm, history), plain.gate(warm, history), rtol=1e-5)


def test_without_item_text_cold_start_is_off():
    model, history, _ = fused("learned")  # the two-groups catalogue has ids only
    assert model._cold is None and "word2vec" not in model.fitted_components


def test_a_like_moves_the_gate_without_lifting_the_items_nobody_took(cold_shop):
    """After a like the lists are weighed at the moved gate: the parts of known items
    scale with it, and items nobody took keep their predicted place (a rescale of their
    whole predicted score as if it were the long side once filled lists with them)."""
    from engine.data.feedback import Event
    from engine.pipeline.rerank import adjust

    split, cold_items, cold_users, models = cold_shop
    model, history = models["word2vec"], split.train
    warm_users = np.setdiff1d(np.arange(history.n_users), cold_users)[:30]
    for user in warm_users:
        before = adjust(model, history, int(user), [], 10)
        liked = int(before.items[0])
        after = adjust(model, history, int(user), [Event(liked, "like")], 10)
        assert after.gate != after.model_gate
        cold_before = np.isin(before.items, cold_items).sum()
        assert np.isin(after.items, cold_items).sum() <= cold_before + 2
        assert np.abs(after.scores).max() < 3 * np.abs(before.scores).max()
    # the long-term weights sum to the moved gate
    user = int(warm_users[0])
    moved = adjust(model, history, user, [Event(int(before.items[0]), "like")], 10).gate
    weights = model._with_long_share(model._weights(np.array([user]), history),
                                     np.array([moved], dtype=np.float32))
    assert weights[0, 0] == pytest.approx(moved, rel=1e-5)  # ease: the long-term side
