"""The synthetic shop: determinism, shapes, and that the planted structure is really there."""
from __future__ import annotations

import dataclasses
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from cli import synthetic
from engine.data.synthetic import Shop, ShopConfig, generate, write_csv
from resources import demo_paths


@pytest.fixture(scope="module")
def shop() -> Shop:
    return generate(ShopConfig())


def _user_order(shop: Shop) -> np.ndarray:
    """Interaction rows sorted by user, then file order (which is chronological)."""
    return np.lexsort((np.arange(len(shop.interactions)), shop.user_index))


def _last_and_previous(shop: Shop) -> tuple[np.ndarray, np.ndarray]:
    order = _user_order(shop)
    users = shop.user_index[order]
    last = np.flatnonzero(np.r_[users[1:] != users[:-1], True])
    assert np.all(users[last - 1] == users[last]), "every user has at least two interactions"
    return order[last], order[last - 1]


# ---- determinism ---------------------------------------------------------------------


def test_same_seed_same_shop(shop: Shop) -> None:
    again = generate(ShopConfig())
    pd.testing.assert_frame_equal(shop.interactions, again.interactions)
    pd.testing.assert_frame_equal(shop.items, again.items)
    np.testing.assert_array_equal(shop.taste, again.taste)
    np.testing.assert_array_equal(shop.related, again.related)


def test_other_seed_other_shop(shop: Shop) -> None:
    other = generate(ShopConfig(seed=1))
    assert not shop.interactions[["user_id", "item_id"]].equals(
        other.interactions[["user_id", "item_id"]])
    assert not shop.items["title"].equals(other.items["title"])
    assert not np.array_equal(shop.taste, other.taste)


def test_shipped_demo_files_are_the_default_shop(shop: Shop, tmp_path) -> None:
    written = write_csv(shop, tmp_path)
    for shipped, fresh in zip(demo_paths(), written):
        assert shipped.is_file(), f"{shipped} is missing: run python -m cli.synthetic --out resources/demo"
        # git may check text out with CRLF on Windows; the content must still be identical
        assert shipped.read_bytes().replace(b"\r\n", b"\n") == fresh.read_bytes(), (
            f"{shipped.name} differs from the generator: "
            "run python -m cli.synthetic --out resources/demo")
    total = sum(p.stat().st_size for p in written)
    assert total < 1_000_000


# ---- shapes and types ----------------------------------------------------------------


def test_shapes_and_dtypes(shop: Shop) -> None:
    cfg = shop.config
    inter, items = shop.interactions, shop.items
    assert list(inter.columns) == ["user_id", "item_id", "rating", "timestamp", "session", "drift"]
    assert list(items.columns) == ["item_id", "title", "description", "category", "subcategory"]
    assert len(items) == cfg.n_items
    assert shop.taste.shape == (cfg.n_users, len(shop.categories))
    assert inter["rating"].dtype == np.int64 and inter["rating"].between(1, 5).all()
    assert inter["timestamp"].dtype == np.int64
    assert inter["session"].dtype == np.int64
    assert inter["drift"].dtype == bool
    assert inter["user_id"].str.fullmatch(r"u\d{5}").all()
    assert items["item_id"].str.fullmatch(r"i\d{5}").all()
    assert items["item_id"].is_unique
    assert list(items["item_id"]) == [f"i{i:05d}" for i in range(cfg.n_items)]
    # every user appears; the index arrays agree with the id columns
    assert inter["user_id"].nunique() == cfg.n_users
    assert (inter["user_id"].str[1:].astype(int).to_numpy() == shop.user_index).all()
    assert (inter["item_id"].str[1:].astype(int).to_numpy() == shop.item_index).all()
    # size in line with the configuration (repeated user-item pairs are removed)
    assert 0.75 * cfg.expected_interactions < len(inter) <= cfg.expected_interactions * 1.1
    # no user meets the same item twice
    assert not inter.duplicated(["user_id", "item_id"]).any()
    # the truth about items
    assert len(shop.categories) >= 8
    assert set(items["category"]) == set(shop.categories)
    assert (np.array(shop.categories)[shop.item_category] == items["category"].to_numpy()).all()
    assert (shop.subcategory_category[shop.item_subcategory] == shop.item_category).all()
    subs = [name.split("/", 1)[1] for name in np.array(shop.subcategories)[shop.item_subcategory]]
    assert subs == list(items["subcategory"])
    assert items["title"].str.len().gt(10).all() and items["description"].str.len().gt(40).all()
    # titles are mostly distinct
    assert items["title"].nunique() > 0.9 * len(items)


def test_csv_has_only_importable_columns(shop: Shop, tmp_path) -> None:
    interactions_path, items_path = write_csv(shop, tmp_path / "out")
    with open(interactions_path, encoding="utf-8") as f:
        assert f.readline() == "user_id,item_id,rating,timestamp\n"
    with open(items_path, encoding="utf-8") as f:
        assert f.readline() == "item_id,title,description,category\n"
    back = pd.read_csv(interactions_path)
    assert len(back) == len(shop.interactions)
    assert (back["timestamp"].to_numpy() == shop.interactions["timestamp"].to_numpy()).all()
    items = pd.read_csv(items_path, keep_default_na=False)
    assert (items["title"] == shop.items["title"]).all()
    assert (items["description"] == shop.items["description"]).all()


def test_command_line(tmp_path, capsys) -> None:
    assert synthetic.main(["--out", str(tmp_path), "--users", "40", "--seed", "3"]) == 0
    back = pd.read_csv(tmp_path / "interactions.csv")
    assert back["user_id"].nunique() == 40
    assert len(pd.read_csv(tmp_path / "items.csv")) == ShopConfig().n_items
    assert "interactions.csv" in capsys.readouterr().out


def test_config_is_checked() -> None:
    with pytest.raises(ValueError):
        ShopConfig(n_items=50)
    with pytest.raises(ValueError):
        ShopConfig(drift_probability=1.5)
    with pytest.raises(ValueError):
        ShopConfig(sessions_per_user=(5, 2))
    with pytest.raises(ValueError):
        ShopConfig(p_related=0.7, p_same_subcategory=0.5)


# ---- time ----------------------------------------------------------------------------


def test_timestamps_follow_sessions(shop: Shop) -> None:
    order = _user_order(shop)
    users = shop.user_index[order]
    ts = shop.interactions["timestamp"].to_numpy()[order]
    session = shop.interactions["session"].to_numpy()[order]
    same_user = users[1:] == users[:-1]
    step = np.diff(ts)[same_user]
    assert step.min() >= 0, "a user's timestamps go back in time"
    zero = (step == 0).mean()
    assert 0 < zero < 0.03, "equal seconds should be occasional"
    # the file is chronological
    assert (np.diff(shop.interactions["timestamp"].to_numpy()) >= 0).all()
    # sessions: items minutes apart, sessions days apart, about a year in all
    in_session = (session[1:] == session[:-1])[same_user]
    assert step[in_session].max() < 3600
    assert step[~in_session].min() >= 6 * 3600
    assert np.median(step[~in_session]) > 7 * 86400
    span_days = (ts.max() - ts.min()) / 86400
    assert 250 < span_days < 400
    # session ids: one user each, increasing in time per user
    assert (shop.interactions.groupby("session")["user_id"].nunique() == 1).all()
    assert (np.diff(session)[same_user] >= 0).all()


# ---- long-term taste and drift ---------------------------------------------------------


def test_taste_rows(shop: Shop) -> None:
    np.testing.assert_allclose(shop.taste.sum(axis=1), 1.0)
    favourites = (shop.taste > 0).sum(axis=1)
    lo, hi = shop.config.favourites
    assert favourites.min() >= lo and favourites.max() <= hi
    assert set(np.unique(favourites)) == set(range(lo, hi + 1))


def test_drift_share_matches_config(shop: Shop) -> None:
    sessions = shop.interactions.groupby("session")["drift"].first()
    p = shop.config.drift_probability
    se = np.sqrt(p * (1 - p) / len(sessions))
    assert abs(sessions.mean() - p) < 4 * se + 0.01


def test_drift_sessions_leave_the_taste(shop: Shop) -> None:
    inter = shop.interactions
    in_taste = shop.taste[shop.user_index, shop.interaction_category] > 0
    drift = inter["drift"].to_numpy()
    assert in_taste[~drift].all()
    assert not in_taste[drift].any()
    # a session keeps to one category
    per_session = pd.Series(shop.interaction_category).groupby(inter["session"].to_numpy()).nunique()
    assert (per_session == 1).all()
    # ratings are higher inside the taste
    assert inter["rating"][~drift].mean() > inter["rating"][drift].mean() + 0.5


def test_taste_dominates_each_history(shop: Shop) -> None:
    n_cat = len(shop.categories)
    counts = np.zeros((shop.n_users, n_cat))
    np.add.at(counts, (shop.user_index, shop.interaction_category), 1)
    # all of a user's history, drift included: the most visited category is a favourite
    # (by chance it would be for about 20% of users; a few sessions can drift together)
    top = counts.argmax(axis=1)
    assert (shop.taste[np.arange(shop.n_users), top] > 0).mean() > 0.8
    # and more than half of every user's history is inside the taste
    share = (counts * (shop.taste > 0)).sum(axis=1) / counts.sum(axis=1)
    assert np.median(share) > 0.6
    # the weights matter: the heavier favourite gets more sessions
    multi = (shop.taste > 0).sum(axis=1) >= 2
    heaviest = shop.taste.argmax(axis=1)
    lightest = np.where(shop.taste > 0, shop.taste, np.inf).argmin(axis=1)
    rows = np.flatnonzero(multi)
    assert (counts[rows, heaviest[rows]] >= counts[rows, lightest[rows]]).mean() > 0.7


def test_popularity_is_long_tailed(shop: Shop) -> None:
    counts = np.bincount(shop.item_index, minlength=shop.n_items)
    ranked = np.sort(counts)[::-1]
    top = ranked[: len(ranked) // 10].sum() / ranked.sum()
    assert top > 0.25, "the top 10% of items should take a large share"
    assert (counts == 0).sum() > 0, "some items are never seen (cold items for text models)"


# ---- short-term structure --------------------------------------------------------------


def test_previous_item_predicts_the_last_one_better_than_the_taste(shop: Shop) -> None:
    last, prev = _last_and_previous(shop)
    users = shop.user_index[last]
    sub, cat = shop.interaction_subcategory, shop.interaction_category
    same_sub = (sub[last] == sub[prev]).mean()
    favourite_cat = (cat[last] == shop.favourite_category[users]).mean()
    # the finer guess (a sub-category) beats the coarser one (a whole category)
    assert same_sub > favourite_cat + 0.1
    # and as ranked lists: the 10 most popular unseen items of the previous item's
    # sub-category against the 10 most popular unseen items of the favourite category
    train = np.ones(len(shop.interactions), dtype=bool)
    train[last] = False
    popularity = np.bincount(shop.item_index[train], minlength=shop.n_items).astype(float)
    popularity += np.arange(shop.n_items) * 1e-9  # deterministic ties
    seen = {}
    for u, i in zip(shop.user_index[train], shop.item_index[train]):
        seen.setdefault(u, set()).add(i)

    def top10(candidates: np.ndarray, user: int) -> set[int]:
        candidates = np.array([i for i in candidates if i not in seen.get(user, ())])
        return set(candidates[np.argsort(-popularity[candidates])[:10]])

    short_hits = long_hits = 0
    for row, p, u in zip(last, prev, users):
        target = shop.item_index[row]
        short = np.flatnonzero(shop.item_subcategory == shop.item_subcategory[shop.item_index[p]])
        long = np.flatnonzero(shop.item_category == shop.favourite_category[u])
        short_hits += target in top10(short, u)
        long_hits += target in top10(long, u)
    assert short_hits > 1.5 * long_hits
    assert short_hits / len(last) > 0.25


def test_related_items_follow_each_other(shop: Shop) -> None:
    order = _user_order(shop)
    session = shop.interactions["session"].to_numpy()[order]
    items = shop.item_index[order]
    pair = session[1:] == session[:-1]
    prev, nxt = items[:-1][pair], items[1:][pair]
    related = (shop.related[prev] == nxt[:, None]).any(axis=1).mean()
    assert related > shop.config.p_related * 0.7
    assert (shop.item_subcategory[shop.related] == shop.item_subcategory[:, None]).all()
    assert (shop.related != np.arange(shop.n_items)[:, None]).all()


# ---- text ----------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def _nearest_centroid_accuracy(texts: list[str], labels: np.ndarray) -> float:
    """Bag of words, unit-length centroids from even rows, cosine on odd rows."""
    vocab = {w: k for k, w in enumerate(sorted({w for t in texts for w in _tokens(t)}))}
    x = np.zeros((len(texts), len(vocab)))
    for r, t in enumerate(texts):
        for w, n in Counter(_tokens(t)).items():
            x[r, vocab[w]] = n
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    train, test = np.arange(0, len(texts), 2), np.arange(1, len(texts), 2)
    classes = np.unique(labels)
    centroids = np.stack([x[train][labels[train] == c].mean(axis=0) for c in classes])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    predicted = classes[(x[test] @ centroids.T).argmax(axis=1)]
    return float((predicted == labels[test]).mean())


def test_descriptions_separate_categories(shop: Shop) -> None:
    accuracy = _nearest_centroid_accuracy(list(shop.items["description"]), shop.item_category)
    assert accuracy > 0.9
    # titles alone carry the category too, and descriptions the sub-category (40 of them,
    # chance 2.5%; a bag of words mostly sees the category vocabulary, so less than that)
    assert _nearest_centroid_accuracy(list(shop.items["title"]), shop.item_category) > 0.85
    assert _nearest_centroid_accuracy(
        list(shop.items["description"]), shop.item_subcategory) > 0.5


# ---- scale -----------------------------------------------------------------------------


def test_large_config_scales_to_a_million() -> None:
    large = ShopConfig.large()
    assert 1_000_000 <= large.expected_interactions <= 1_200_000
    # the same behaviour at 1/20 of the users: the expected count predicts the real one
    small = dataclasses.replace(large, n_users=large.n_users // 20)
    n = len(generate(small).interactions)
    assert 0.88 * small.expected_interactions < n < small.expected_interactions


@pytest.mark.slow
def test_large_shop_is_about_a_million(tmp_path) -> None:
    shop = generate(ShopConfig.large())  # its seconds: bench/scale.py
    assert 950_000 <= len(shop.interactions) <= 1_100_000
    assert shop.interactions["user_id"].nunique() == 20_000
    interactions_path, _ = write_csv(shop, tmp_path)
    assert interactions_path.stat().st_size > 20_000_000
