"""Cold start: users with 1-3 interactions and items nobody has interacted with.

1. Cold users (synthetic shop): a fifth of the users keep only their first four actions
   (two for training, one for validation, one for test: 1-3 known interactions when
   predicting). Every model is scored on those users only.
2. Cold items (MovieLens-100K, anchors' split): 10% of the items lose every training
   interaction (their validation and test events stay). Scored on the users whose test
   item is one of them: collaborative models cannot reach those items; the text side can.
   Full ranking over all items, and ranking only the cold items (the item cold-start
   protocol); the fusions also on every test user, to show what cold start costs the rest.

The default fusion (ease, als, cooc, sequential) is measured with its cold-start rule
off, with word2vec on the item text (the default) and with the semantic encoder profile,
and with other shares of the cold users' score for the text side (the default share is
the one with the best validation NDCG@10 of the shop's cold users); the components are
fitted once and shared. The transformer trains 30 epochs (early
stopping as usual) instead of its wall-clock budget, so the run does not depend on the
machine's load.

Writes ``bench/results/cold_start.json`` and ``.md``.

    python bench/cold_start.py [--data ../shared/data/ml-100k]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SHARED_DATA, machine, write_results  # noqa: E402
from cli.table import render  # noqa: E402
from engine.data.importer import read_catalogue, read_interactions, read_movielens  # noqa: E402
from engine.data.preprocess import build_dataset  # noqa: E402
from engine.data.split import Split, leave_one_out  # noqa: E402
from engine.data.synthetic import ShopConfig, generate, write_csv  # noqa: E402
from engine.evaluation.evaluate import evaluate  # noqa: E402
from engine.evaluation.ranking import mask_seen, top_k  # noqa: E402
from engine.models import make_model  # noqa: E402
from engine.models.base import Recommender  # noqa: E402
from engine.models.fusion import DEFAULT_COMPONENTS  # noqa: E402

SINGLES = ("pop", "ease", "als", "cooc", "sequential", "semantic", "word2vec")
FUSIONS = {"fusion, no cold start": {"cold_start": None},
           "fusion, cold start word2vec (default)": {},
           "fusion, cold start semantic": {"cold_start": "semantic"},
           **{f"fusion, cold start word2vec, cold users' weight {w}": {"cold_weight": w}
              for w in (0.1, 0.5, 0.75)}}
PARAMS = {"sequential": {"time_budget": 0, "max_epochs": 30, "threads": 1}}
COLUMNS = ("model", "users", "valid NDCG@10", "HR@10", "NDCG@10", "cold items in top-10",
           "HR@10 among cold items", "NDCG@10, all test users")


def fit_all(split: Split) -> dict[str, Recommender]:
    """Every single model, then the fusions over the shared fitted components."""
    valid = split.validation()
    models: dict[str, Recommender] = {}
    for name in SINGLES:
        print(f"fitting {name}", file=sys.stderr, flush=True)
        models[name] = make_model(name, **PARAMS.get(name, {})).fit(
            split.train, split.dataset, None, valid)
    for label, settings in FUSIONS.items():
        fusion = make_model("fusion", components=list(DEFAULT_COMPONENTS),
                            component_params=PARAMS, **settings)
        fusion.reuse(models)
        models[label] = fusion.fit(split.train, split.dataset, None, valid)
    return models


def measure(split: Split, users: np.ndarray, cold_items: np.ndarray | None) -> list[dict]:
    rows = []
    for name, model in fit_all(split).items():
        metrics = evaluate(model, split, "test", (10,), users=users)
        row = {"model": name, "users": int(len(np.intersect1d(users, split.users("test")))),
               "valid NDCG@10": evaluate(model, split, "valid", (10,), users=users)["NDCG@10"],
               "HR@10": metrics["HR@10"], "NDCG@10": metrics["NDCG@10"]}
        if cold_items is not None:
            history = split.context("test") if model.sequential else split.train
            top, _ = model.recommend(users, history, 10)
            row["cold items in top-10"] = float(np.isin(top, cold_items).mean())
            # The item cold-start protocol: rank only the new items (chance: 10 / their number).
            scores = model.score(users, history).astype(np.float32)
            warm = np.setdiff1d(np.arange(scores.shape[1]), cold_items)
            scores[:, warm] = -np.inf
            mask_seen(scores, users, split.context("test").matrix)
            targets = split.targets("test")[users]
            hits = np.take_along_axis(targets.toarray() > 0, top_k(scores, 10), axis=1)
            row["HR@10 among cold items"] = float(hits.any(axis=1).mean())
            if name in FUSIONS:
                row["NDCG@10, all test users"] = evaluate(model, split, "test", (10,))["NDCG@10"]
        rows.append(row)
    return rows


def cold_users(seed: int) -> tuple[list[dict], dict]:
    shop = generate(ShopConfig(n_users=1000, seed=seed))
    frame = shop.interactions.copy()
    rng = np.random.default_rng(seed)
    cold = rng.choice(shop.user_ids, size=len(shop.user_ids) // 5, replace=False)
    order = frame.groupby("user_id").cumcount()  # rows are in time order
    frame = frame[~frame["user_id"].isin(cold) | (order < 4)]
    with tempfile.TemporaryDirectory() as tmp:
        shop.interactions = frame
        interactions, items = write_csv(shop, Path(tmp))
        dataset = build_dataset(read_interactions(interactions), read_catalogue(items))
    split = leave_one_out(dataset)
    users = np.array([dataset.user_index[u] for u in cold if u in dataset.user_index])
    return measure(split, users, None), {"cold_users": int(len(users)),
                                         "interactions_kept_per_cold_user": 4}


def cold_items(data: Path, seed: int) -> tuple[list[dict], dict]:
    table, catalogue = read_movielens(data)
    split = leave_one_out(build_dataset(table, catalogue))
    d = split.dataset
    rng = np.random.default_rng(seed)
    withheld = rng.choice(d.n_items, size=d.n_items // 10, replace=False)
    train = split.train_rows[~np.isin(d.item[split.train_rows], withheld)]
    cold_split = replace(split, train_rows=train, _histories={})
    test_items = pd.Series(d.item[split.test_targets], index=d.user[split.test_targets])
    users = test_items.index[np.isin(test_items.to_numpy(), withheld)].to_numpy()
    return measure(cold_split, users, withheld), {
        "withheld_items": int(len(withheld)),
        "train_interactions_removed": int(len(split.train_rows) - len(train)),
        "test_users_whose_item_is_cold": int(len(users))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA / "ml-100k")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    user_rows, user_facts = cold_users(args.seed)
    item_rows, item_facts = cold_items(args.data, args.seed)
    m = machine()
    md = "\n".join([
        f"Cold start, measured {m['date']} on {m['cpu']}, {m['cores']} cores, no GPU.", "",
        f"Cold users (synthetic shop, 1,000 users; {user_facts['cold_users']} keep only their "
        "first 4 actions; scored on those users):", "",
        render(user_rows, COLUMNS[:5], markdown=True), "",
        f"Cold items (MovieLens-100K; {item_facts['withheld_items']} items lose their "
        f"{item_facts['train_interactions_removed']:,} training interactions; scored on the "
        f"{item_facts['test_users_whose_item_is_cold']} test users whose item is cold):", "",
        render(item_rows, COLUMNS, markdown=True), "",
        f"Chance level of HR@10 among the cold items: 10 / {item_facts['withheld_items']} = "
        f"{10 / item_facts['withheld_items']:.3f}.",
    ])
    write_results("cold_start", {"machine": m, "cold_users": {"facts": user_facts, "rows": user_rows},
                                 "cold_items": {"facts": item_facts, "rows": item_rows}}, md)
    print(md)


if __name__ == "__main__":
    main()
