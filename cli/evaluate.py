"""Commands on files, with nothing stored: metrics of several models, lists, the demo.

    python main.py evaluate --interactions F --items F [import options] [--models ...] [--k 10,20] [--json OUT]
    python main.py recommend --interactions F --items F --k 20 --out recs.csv [--users u1,u2]
    python main.py demo
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from application.importing import read_demo
from cli.import_options import add_data_arguments, load_dataset, preprocess_options
from cli.options import (int_list, make_task, model_names, model_params, run_options,
                         split_options, split_options_parser)
from cli.table import render
from engine.core.errors import DataError
from engine.core.stages import Stage
from engine.data.split import Split
from engine.evaluation.evaluate import ModelResult, evaluate_models
from engine.models import MODELS
from engine.models.base import Recommender
from engine.pipeline.config import DEFAULT_MODEL, DEFAULT_MODELS, TABLE_COLUMNS, make_split
from engine.pipeline.execute import fit_for_lists
from engine.pipeline.lists import recommendation_lists, user_indices

Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(sub: Subparsers) -> None:  # type: ignore[valid-type]
    """evaluate, recommend and demo."""
    ev = sub.add_parser("evaluate", help="fit models on a split and print their metrics",  # type: ignore[attr-defined]
                        parents=[split_options_parser(), run_options()])
    add_data_arguments(ev)
    _model_arguments(ev)
    ev.add_argument("--json", type=Path, help="also write the results as JSON here")
    ev.set_defaults(handler=run_evaluate)

    rec = sub.add_parser("recommend", help="fit a model and write each user's list from "  # type: ignore[attr-defined]
                                           "their full history", parents=[run_options()])
    add_data_arguments(rec)
    rec.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(MODELS))
    rec.add_argument("--k", type=int, default=20, help="list length (default 20)")
    rec.add_argument("--users", help="comma-separated user ids (default: every user)")
    rec.add_argument("--out", type=Path, required=True, help="CSV file to write")
    rec.set_defaults(handler=run_recommend)

    demo = sub.add_parser("demo", help="run the default pipeline on the built-in demo shop",  # type: ignore[attr-defined]
                          parents=[run_options()])
    _model_arguments(demo)
    demo.add_argument("--json", type=Path, help="also write the results as JSON here")
    demo.set_defaults(handler=run_demo)


def _model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS),
                        help=f"comma-separated, from: {', '.join(sorted(MODELS))}")
    parser.add_argument("--k", default="10,20", help="cut-offs, comma-separated (default 10,20)")


def _results_json(split: Split, results: dict[str, ModelResult], options: dict[str, object]
                  ) -> dict[str, object]:
    return {
        "dataset": {"name": split.dataset.name, **split.summary()},
        "protocol": {**split.protocol, **options},
        "models": {name: r.to_dict() for name, r in results.items()},
    }


def _report(split: Split, results: dict[str, ModelResult], ks: tuple[int, ...],
            args: argparse.Namespace, extra: dict[str, object]) -> dict[str, object]:
    summary = split.summary()
    print(f"dataset {split.dataset.name}: {summary['users']} users, {summary['items']} items, "
          f"{summary['interactions']} interactions; {summary['train_interactions']} train, "
          f"{summary['test_users']} test users")
    rows = [{"model": name, **r.test, "fit_seconds": r.fit_seconds, "eval_seconds": r.eval_seconds}
            for name, r in results.items()]
    columns = [c for c in TABLE_COLUMNS if any(c in row for row in rows)]
    print(render(rows, columns))
    payload = _results_json(split, results, {"k": list(ks), **extra})
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2))
        print(f"wrote {args.json}", file=sys.stderr)
    return payload


def run_evaluate(args: argparse.Namespace) -> int:
    ks = int_list(args.k, "--k")
    names = model_names(args.models)
    params = model_params(args)
    task = make_task(args)
    dataset = load_dataset(args, task)
    task.begin(Stage.SPLIT)
    split = make_split(dataset, split_options(args))
    results = evaluate_models(split, names, ks, params, task)
    _report(split, results, ks, args, {
        "preprocess": preprocess_options(args).to_dict(),
        "stage_seconds": {k: round(v, 3) for k, v in task.stage_seconds.items()}})
    return 0


def run_recommend(args: argparse.Namespace) -> int:
    if args.k < 1:
        raise DataError(f"--k must be at least 1, got {args.k}")
    task = make_task(args)
    dataset = load_dataset(args, task)
    users = [u.strip() for u in args.users.split(",")] if args.users else None
    user_indices(dataset, users)  # an unknown id fails before the fit, not after
    model = fit_for_lists(args.model, dataset, model_params(args).get(args.model), task)
    lists = recommendation_lists(model, dataset, args.k, users, task=task)
    task.finish()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lists.to_csv(args.out, index=False)
    print(f"wrote {len(lists)} rows for {lists['user'].nunique()} users to {args.out}")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """Import the shipped demo shop the way a user would, evaluate, and show one user's list."""
    started = time.perf_counter()
    ks = int_list(args.k, "--k")
    names = model_names(args.models)
    task = make_task(args)
    dataset = read_demo(task)
    task.begin(Stage.SPLIT)
    split = make_split(dataset)
    fitted: dict[str, Recommender] = {}
    results = evaluate_models(split, names, ks, model_params(args), task, fitted)
    _report(split, results, ks, args, {})
    best = max(results, key=lambda n: results[n].valid.get("NDCG@10", 0.0))
    model = fitted[best]  # lists from the full history, as a run makes them
    user = dataset.user_ids[0]
    history = dataset.history().sequence(0)[-5:]
    print(f"\nbest on validation: {best}. User {user} recently: "
          + "; ".join(dataset.titles[i] for i in history))
    lists = recommendation_lists(model, dataset, 10, [user])
    print(render(lists.to_dict("records"), ["rank", "item", "title", "score"]))
    print(f"\ndemo finished in {time.perf_counter() - started:.1f} s")
    return 0
