"""Each model finds the structure planted in the synthetic shop, through the real import path."""
import numpy as np
import pytest

from engine.data.importer import read_catalogue, read_interactions
from engine.data.preprocess import build_dataset
from engine.data.split import leave_one_out
from engine.data.synthetic import ShopConfig, generate, write_csv
from engine.evaluation.evaluate import evaluate_models
from engine.models import make_model


@pytest.fixture(scope="module")
def shop_split(tmp_path_factory):
    shop = generate(ShopConfig(n_users=400, seed=3))
    interactions, items = write_csv(shop, tmp_path_factory.mktemp("shop"))
    dataset = build_dataset(read_interactions(interactions), read_catalogue(items))
    return shop, dataset, leave_one_out(dataset)


def categories_of(shop, dataset, items: np.ndarray) -> np.ndarray:
    """Planted category of internal item indices (shop row k is item id i0000k)."""
    rows = np.array([int(i[1:]) for i in dataset.item_ids])
    return shop.item_category[rows[items]]


# The collaborative models; the text models, the transformer and fusion have their own
# tests against the same planted structure.
COLLABORATIVE = ["pop", "itemknn", "itemknn-bm25", "als", "ease", "cooc"]


@pytest.fixture(scope="module")
def results(shop_split):
    _, _, split = shop_split
    return evaluate_models(split, COLLABORATIVE, ks=(10,))


@pytest.mark.parametrize("name", COLLABORATIVE[1:])
def test_every_model_beats_popularity(results, name):
    assert results[name].test["NDCG@10"] > results["pop"].test["NDCG@10"]
    assert results[name].valid["NDCG@10"] > results["pop"].valid["NDCG@10"]


def top10(name, split, phase="test"):
    model = make_model(name).fit(split.train, split.dataset)
    users = split.users(phase)
    history = split.context(phase) if model.sequential else split.train
    items, _ = model.recommend(users, history, 10)
    return users, items


@pytest.mark.parametrize("name", ["als", "ease", "itemknn"])
def test_long_term_models_recommend_the_users_taste(shop_split, name):
    shop, dataset, split = shop_split
    user_rows = np.array([int(u[1:]) for u in dataset.user_ids])
    share = {}
    for model in (name, "pop"):
        users, items = top10(model, split)
        taste = shop.taste[user_rows[users]]
        in_taste = np.take_along_axis(taste, categories_of(shop, dataset, items), axis=1) > 0
        share[model] = in_taste.mean()
    # a user's taste covers 1-3 of 10 categories; with 30% drift, about 70% of history is taste
    assert share[name] > 0.6
    assert share[name] > share["pop"] + 0.2


def test_short_term_model_follows_the_current_session(shop_split):
    shop, dataset, split = shop_split
    share = {}
    for name in ("cooc", "als"):
        users, items = top10(name, split)
        last = split.context("test").last_items(users, 1)[:, 0]
        same = categories_of(shop, dataset, items) == categories_of(shop, dataset, last)[:, None]
        share[name] = same.mean()
    assert share["cooc"] > 0.7
    assert share["cooc"] > share["als"] + 0.1
