"""Language-model interest models: the long-term text profiles and item2vec.

The formula of the long-term profile is checked on hand-made cases; the models are then
checked against the structure planted in the synthetic shop (read through the real import
path): the text profiles recommend the users' long-term taste categories, also for items
nobody has interacted with and for users with two interactions, and item2vec follows the
current session.
"""
import json
import subprocess
import sys

import numpy as np
import pytest

from engine.core.errors import Cancelled
from engine.core.progress import Task
from engine.data.dataset import History
from engine.data.importer import read_catalogue, read_interactions
from engine.data.preprocess import build_dataset
from engine.data.split import leave_one_out
from engine.data.synthetic import ShopConfig, generate, write_csv
from engine.evaluation.evaluate import evaluate
from engine.models import make_model
from engine.models.content import ContentProfile, SemanticProfile, Word2VecProfile, interest_weights
from engine.models.item2vec import Item2Vec, auto_epochs
from tests.support import ROOT
from tests.support.tables import catalogue, table

DAY = 86400


# ----------------------------------------------------------------------------------------
# The long-term profile on hand-made cases
# ----------------------------------------------------------------------------------------

class FixedVectors(ContentProfile):
    """The real profile and scoring with item vectors given by the test."""

    name = "fixed"

    def __init__(self, vectors: np.ndarray, **params) -> None:
        super().__init__(**params)
        self._given = np.asarray(vectors, dtype=np.float32)

    def _encode_items(self, dataset, task, context):
        return self._given


class NoDataset:
    """fit only needs the item count from the history; the text comes from the vectors."""


def history(rows: list[tuple[int, int, float, int]], n_users: int, n_items: int) -> History:
    """History from chronological (user, item, weight, timestamp) rows."""
    user, item, weight, ts = (np.array(c) for c in zip(*rows))
    return History.build(user, item, weight.astype(np.float32), ts.astype(np.int64),
                         n_users, n_items)


VECTORS = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [3, 4, 0]], dtype=np.float32)
# user 0: item 0 a year ago (weight 1), item 1 half a year ago (weight 0.5), item 2 now;
# user 1: nothing; user 2: item 3 only (item 3 is never seen by anyone else)
HISTORY = history([(0, 0, 1.0, 0), (0, 1, 0.5, 180 * DAY), (0, 2, 1.0, 360 * DAY),
                   (2, 1, 1.0, 5 * DAY)], n_users=3, n_items=4)


def test_interaction_weights_halve_every_half_life():
    weights = interest_weights(np.array([0, 1, 2]), HISTORY, half_life_days=180).toarray()
    np.testing.assert_allclose(weights, [[0.25, 0.25, 1.0, 0.0],
                                         [0.0, 0.0, 0.0, 0.0],
                                         [0.0, 1.0, 0.0, 0.0]], rtol=1e-6)
    no_decay = interest_weights(np.array([0]), HISTORY, half_life_days=None).toarray()
    np.testing.assert_allclose(no_decay, [[1.0, 0.5, 1.0, 0.0]])
    twice = history([(0, 1, 0.5, 0), (0, 1, 0.5, 90 * DAY)], 1, 4)  # repeats add up
    np.testing.assert_allclose(interest_weights(np.array([0]), twice, 90).toarray(),
                               [[0.0, 0.75, 0.0, 0.0]])


def test_the_profile_is_the_normalised_weighted_sum_and_scores_are_cosines():
    model = FixedVectors(VECTORS, half_life_days=180, prior=0.0).fit(HISTORY, NoDataset())
    h = 0.25 * VECTORS[0] + 0.25 * VECTORS[1] + 1.0 * VECTORS[2]
    u = h / np.linalg.norm(h)
    profiles = model.user_profiles(np.array([0, 1]), HISTORY)
    np.testing.assert_allclose(profiles[0], u, rtol=1e-6)
    np.testing.assert_array_equal(profiles[1], 0.0)  # no history, no profile
    unit = VECTORS / np.linalg.norm(VECTORS, axis=1, keepdims=True)
    np.testing.assert_allclose(model.item_vectors, unit, rtol=1e-6)
    scores = model.score(np.array([0]), HISTORY)
    assert scores.dtype == np.float32 and scores.shape == (1, 4)
    np.testing.assert_allclose(scores[0], unit @ u, rtol=1e-6)
    # a shorter half-life pulls the profile towards the latest item
    recent = FixedVectors(VECTORS, half_life_days=30, prior=0.0).fit(HISTORY, NoDataset())
    assert recent.user_profiles(np.array([0]), HISTORY)[0] @ unit[2] > u @ unit[2]


def test_a_never_seen_item_is_scored_from_its_text():
    # item 3 has no interaction at all; user 2 only knows item 1, which item 3 resembles
    model = FixedVectors(VECTORS, prior=0.3).fit(HISTORY, NoDataset())
    scores = model.score(np.array([2]), HISTORY)[0]
    # cosine (3,4,0)/5 . (0,1,0), plus the prior borrowed from its (here: all three) text
    # neighbours, whose popularity is 0.5, 1 and 0.5 of the most popular item
    assert scores[3] == pytest.approx(0.8 + 0.3 * (0.5 + 1 + 0.5) / 3)
    items, _ = model.recommend(np.array([2]), HISTORY, 1)
    assert items[0, 0] == 3  # above the popular items 0 and 2, which do not resemble item 1


def test_a_user_without_history_gets_the_popularity_prior():
    model = FixedVectors(VECTORS, prior=0.3).fit(HISTORY, NoDataset())
    scores = model.score(np.array([1]), HISTORY)[0]
    # users per item: 1, 2, 1 and none: the cold item borrows its text neighbours' mean
    np.testing.assert_allclose(scores, [0.15, 0.3, 0.15, 0.2], rtol=1e-6)


def test_models_refuse_to_score_before_fit_and_bad_parameters():
    from engine.models.base import NotFittedError

    for model in (Word2VecProfile(), SemanticProfile(), Item2Vec()):
        with pytest.raises(NotFittedError):
            model.score(np.array([0]), HISTORY)
    with pytest.raises(ValueError, match="half_life"):
        Word2VecProfile(half_life_days=0)
    with pytest.raises(ValueError, match="at least 1"):
        Item2Vec(n_last=0)
    with pytest.raises(ValueError, match="at least 1"):
        Word2VecProfile(epochs=0)


def test_parameters_are_json_and_rebuild_the_model():
    for model in (Word2VecProfile(vector_size=16), SemanticProfile(encoder="/models/x"),
                  Item2Vec(window=3)):
        params = json.loads(json.dumps(model.params()))
        assert type(model)(**params).params() == model.params()
    assert SemanticProfile().params()["encoder"] is None


def test_epochs_adapt_to_the_corpus_size():
    assert auto_epochs(12_000) == 84  # a small shop: many passes
    assert auto_epochs(98_000) == 11  # ml-100k
    assert auto_epochs(5_000_000) == 10 and auto_epochs(100) == 100 and auto_epochs(0) == 10


# ----------------------------------------------------------------------------------------
# Small multilingual catalogue through the real import path
# ----------------------------------------------------------------------------------------

KITCHEN = ["炒锅", "厨房", "不粘", "铸铁", "汤锅", "烹饪", "锅具", "菜刀", "砧板", "蒸笼"]
BOOKS = ["小说", "图书", "阅读", "推理", "历史", "作者", "章节", "故事", "诗集", "童话"]


@pytest.fixture(scope="module")
def chinese_shop():
    """40 Chinese product texts in two categories; half the users cook, half read."""
    rng = np.random.default_rng(5)
    items = []
    for prefix, words in (("k", KITCHEN), ("b", BOOKS)):
        for i in range(20):
            picked = rng.choice(len(words), size=4, replace=False)
            items.append((f"{prefix}{i}", " ".join(words[j] for j in picked), "", ""))
    rows, t = [], 0
    for user in range(20):  # items 15..19 of each category are never taken
        prefix = "k" if user % 2 == 0 else "b"
        for i in rng.choice(15, size=4, replace=False):
            t += 60
            rows.append((f"u{user}", f"{prefix}{i}", 5, t))
    return build_dataset(table(rows), catalogue(items))


def test_word2vec_profiles_read_chinese_text(chinese_shop):
    dataset = chinese_shop
    model = Word2VecProfile(vector_size=16).fit(dataset.history(), dataset)
    cold = [dataset.item_index[f"{p}{i}"] for p in "kb" for i in range(15, 20)]
    cooks = [dataset.user_index[f"u{u}"] for u in range(0, 20, 2)]
    readers = [dataset.user_index[f"u{u}"] for u in range(1, 20, 2)]
    scores = model.score(np.array(cooks + readers), dataset.history())[:, cold]
    # the never-taken items go to the users whose history shares their words
    assert (scores[:10, :5].mean(axis=1) > scores[:10, 5:].mean(axis=1)).all()
    assert (scores[10:, 5:].mean(axis=1) > scores[10:, :5].mean(axis=1)).all()
    best = scores.argmax(axis=1)
    assert (best[:10] < 5).all() and (best[10:] >= 5).all()


# ----------------------------------------------------------------------------------------
# The synthetic shop
# ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shop_split(tmp_path_factory):
    shop = generate(ShopConfig(n_users=300, n_items=600, seed=3))
    interactions, items = write_csv(shop, tmp_path_factory.mktemp("shop"))
    dataset = build_dataset(read_interactions(interactions), read_catalogue(items))
    return shop, dataset, leave_one_out(dataset)


@pytest.fixture(scope="module")
def fitted(shop_split, tmp_path_factory):
    """Every model of the file, fitted once on the shop's training history."""
    _, dataset, split = shop_split
    cache = str(tmp_path_factory.mktemp("embedding-cache"))
    models = {"semantic": SemanticProfile(device="cpu", cache_dir=cache),
              "word2vec": Word2VecProfile(), "item2vec": Item2Vec(),
              "pop": make_model("pop"), "als": make_model("als")}
    return {name: model.fit(split.train, dataset) for name, model in models.items()}


def planted(shop, dataset):
    """Planted category of each internal item, and planted taste of each internal user."""
    item_rows = np.array([int(i[1:]) for i in dataset.item_ids])
    user_rows = np.array([int(u[1:]) for u in dataset.user_ids])
    return shop.item_category[item_rows], shop.taste[user_rows]


def taste_share(taste: np.ndarray, categories: np.ndarray) -> float:
    """Share of recommended items (users x k categories) in the users' taste."""
    return float((np.take_along_axis(taste, categories, axis=1) > 0).mean())


@pytest.mark.parametrize("name", ["semantic", "word2vec", "item2vec"])
def test_every_model_beats_popularity(shop_split, fitted, name):
    _, _, split = shop_split
    for phase in ("valid", "test"):
        ours = evaluate(fitted[name], split, phase, (10,))["NDCG@10"]
        assert ours > 1.5 * evaluate(fitted["pop"], split, phase, (10,))["NDCG@10"]


@pytest.mark.parametrize("name", ["semantic", "word2vec"])
def test_text_profiles_recommend_the_long_term_taste(shop_split, fitted, name):
    shop, dataset, split = shop_split
    category, taste = planted(shop, dataset)
    users = split.users("test")
    share = {}
    for model in (name, "pop", "als"):
        items, _ = fitted[model].recommend(users, split.train, 10)
        share[model] = taste_share(taste[users], category[items])
    assert share[name] > 0.75
    assert share[name] > share["pop"] + 0.4
    assert share[name] > share["als"] + 0.05


@pytest.fixture(scope="module")
def cold_start(shop_split, fitted):
    """The text models fitted again with every 10th item's interactions removed."""
    _, dataset, split = shop_split
    cold = np.arange(0, dataset.n_items, 10)
    rows = split.train_rows[~np.isin(dataset.item[split.train_rows], cold)]
    train = dataset.history(rows)
    models = {"semantic": SemanticProfile(**fitted["semantic"].params()),  # cached vectors
              "word2vec": Word2VecProfile()}
    return cold, train, {name: m.fit(train, dataset) for name, m in models.items()}


@pytest.mark.parametrize("name", ["semantic", "word2vec"])
def test_items_nobody_took_are_ranked_by_the_users_taste(shop_split, cold_start, name):
    shop, dataset, split = shop_split
    category, taste = planted(shop, dataset)
    cold, train, models = cold_start
    assert np.asarray(train.matrix[:, cold].sum()) == 0
    users = split.users("test")
    scores = models[name].score(users, train)
    top = cold[np.argsort(-scores[:, cold], axis=1, kind="stable")[:, :5]]
    in_taste = taste_share(taste[users], category[top])
    base_rate = taste_share(taste[users], np.broadcast_to(category[cold], (len(users), len(cold))))
    assert in_taste > 0.7 and in_taste > base_rate + 0.35
    items, _ = models[name].recommend(users, train, 20)
    assert np.isin(items, cold).any()  # and they reach the lists, without any popularity


@pytest.mark.parametrize("name", ["semantic", "word2vec"])
def test_users_with_two_interactions_get_their_category(shop_split, fitted, name):
    shop, dataset, split = shop_split
    category, _ = planted(shop, dataset)
    users = split.users("test")
    starts = split.train.indptr[users]
    rows = np.concatenate([np.arange(s, s + 2) for s in starts])
    short = History.build(np.repeat(users, 2), split.train.items[rows],
                          split.train.weights[rows], split.train.timestamps[rows],
                          split.train.n_users, split.train.n_items)
    seen = category[short.last_items(users, 2)]  # the categories of the two items
    share = {}
    for model in (name, "pop"):
        items, _ = fitted[model].recommend(users, short, 10)
        share[model] = (category[items][:, :, None] == seen[:, None, :]).any(axis=2).mean()
    assert share[name] > 0.7 and share[name] > share["pop"] + 0.4


def test_item2vec_follows_the_current_session(shop_split, fitted):
    shop, dataset, split = shop_split
    category, _ = planted(shop, dataset)
    users = split.users("test")
    context = split.context("test")
    last = category[context.last_items(users, 1)[:, 0]]
    share = {}
    for name in ("item2vec", "als"):
        history = context if fitted[name].sequential else split.train
        items, _ = fitted[name].recommend(users, history, 10)
        share[name] = (category[items] == last[:, None]).mean()
    assert share["item2vec"] > 0.6
    assert share["item2vec"] > share["als"] + 0.15


def test_item2vec_leaves_items_unseen_in_training_last(shop_split, fitted):
    _, _, split = shop_split
    model = fitted["item2vec"]
    unseen = np.asarray(split.train.matrix.sum(axis=0)).ravel() == 0
    scores = model.score(split.users("test")[:50], split.context("test"))
    assert np.all(scores[:, unseen] == 0.0)
    assert np.all(scores[:, ~unseen] > 0.0)
    np.testing.assert_array_equal(np.linalg.norm(model.item_vectors[unseen], axis=1), 0.0)


# ----------------------------------------------------------------------------------------
# Reproducibility and cancellation
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [Word2VecProfile, Item2Vec])
def test_the_same_seed_gives_identical_scores(shop_split, cls):
    _, dataset, split = shop_split
    users = split.users("test")[:40]
    context = split.context("test")
    runs = [cls(seed=seed, epochs=5).fit(split.train, dataset).score(users, context)
            for seed in (7, 7, 8)]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


SUBPROCESS = """
import hashlib, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from engine.data.dataset import History
from engine.models.item2vec import Item2Vec
rng = np.random.default_rng(0)
user = np.repeat(np.arange(30), 20)
item = rng.integers(0, 50, len(user))
history = History.build(user, item, np.ones(len(user), np.float32), np.arange(len(user)), 30, 50)
model = Item2Vec(epochs=3).fit(history, None)
print(hashlib.sha1(model.item_vectors.tobytes()).hexdigest())
"""


def test_item2vec_is_identical_across_processes():
    """Python salts ``hash`` per process; the models must not depend on it."""
    digests = set()
    for hash_seed in ("1", "2"):
        env = {"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"}
        done = subprocess.run([sys.executable, "-c", SUBPROCESS, str(ROOT)], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        digests.add(done.stdout.strip())
    assert len(digests) == 1


def test_fitting_reports_progress_and_stops_when_cancelled(shop_split):
    _, dataset, split = shop_split
    seen = []
    task = Task(listeners=[lambda t: seen.append(t.progress)])
    Item2Vec(epochs=3).fit(split.train, dataset, task)
    assert seen[-1] == 1.0 and len(seen) >= 4
    stopper = Task(listeners=[lambda t: t.cancel() if t.progress > 0 else None])
    with pytest.raises(Cancelled):
        Word2VecProfile(epochs=3).fit(split.train, dataset, stopper)


def test_cold_items_borrow_the_popularity_of_their_text_neighbours():
    from engine.models.content import text_neighbour_prior

    vectors = np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1], [1, 0.05]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    prior = np.array([1.0, 0.8, 0.1, 0.0, 0.0], dtype=np.float32)  # items 3 and 4 are cold
    out = text_neighbour_prior(prior, vectors, neighbours=2)
    assert out[:3].tolist() == prior[:3].tolist()
    assert out[4] == pytest.approx(0.9)  # like items 0 and 1
    assert out[3] == pytest.approx((0.1 + 0.8) / 2)  # nearest warm: item 2, then item 1
