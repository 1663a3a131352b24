"""Commands on files, with nothing stored: metrics of several models, lists, the demo
(which `--lang` imports into the project database and runs there as a stored run).

    python main.py evaluate --interactions F --items F [import options] [--models ...] [--k 10,20] [--json OUT]
    python main.py recommend --interactions F --items F --k 20 --out recs.csv [--users u1,u2]
    (both take --compute ray --ray-address HOST:PORT: the fits and lists on a Ray cluster)
    python main.py demo [--lang en|zh]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from application.importing import DEMO_NAMES, import_demo, read_demo
from application.runs import run_dataset
from cli.import_options import add_data_arguments, load_dataset, preprocess_options
from cli.options import (compute_choice, compute_options, database_options, int_list, make_task,
                         model_names, model_params, open_db, run_options, split_options,
                         split_options_parser)
from cli.table import render
from engine.cluster import open_compute
from engine.core.errors import DataError
from engine.core.stages import Stage
from engine.data.split import Split
from engine.evaluation.evaluate import ModelResult, evaluate_models, measured_users
from engine.models import MODELS
from engine.models.base import Recommender
from engine.pipeline.config import (DEFAULT_MODEL, DEFAULT_MODELS, TABLE_COLUMNS, RunConfig,
                                    make_split)
from engine.pipeline.execute import fit_for_lists
from engine.pipeline.lists import recommendation_lists, user_indices
from storage import list_datasets, user_list

Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(sub: Subparsers) -> None:  # type: ignore[valid-type]
    """evaluate, recommend and demo."""
    ev = sub.add_parser("evaluate", help="fit models on a split and print their metrics",  # type: ignore[attr-defined]
                        parents=[split_options_parser(), run_options(), compute_options()])
    add_data_arguments(ev)
    _model_arguments(ev)
    ev.add_argument("--json", type=Path, help="also write the results as JSON here")
    ev.set_defaults(handler=run_evaluate)

    rec = sub.add_parser("recommend", help="fit a model and write each user's list from "  # type: ignore[attr-defined]
                                           "their full history",
                          parents=[run_options(), compute_options()])
    add_data_arguments(rec)
    rec.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(MODELS))
    rec.add_argument("--k", type=int, default=20, help="list length (default 20)")
    rec.add_argument("--users", help="comma-separated user ids (default: every user)")
    rec.add_argument("--out", type=Path, required=True, help="CSV file to write")
    rec.set_defaults(handler=run_recommend)

    demo = sub.add_parser("demo", help="run the default pipeline on the built-in demo shop",  # type: ignore[attr-defined]
                          parents=[run_options(), database_options()])
    _model_arguments(demo)
    demo.add_argument("--json", type=Path, help="also write the results as JSON here")
    demo.add_argument("--lang", choices=sorted(DEMO_NAMES),
                      help="import the demo shop in this language (en, or zh: its catalogue "
                           "in Chinese) into the project database and run the default "
                           "pipeline there as a stored run, for runs, show, explain and "
                           "export; without it the English shop is evaluated in memory and "
                           "nothing is stored (--models, --k and --json apply then)")
    demo.set_defaults(handler=run_demo)


def _model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS),
                        help=f"comma-separated, from: {', '.join(sorted(MODELS))}")
    parser.add_argument("--k", default="10,20", help="cut-offs, comma-separated (default 10,20)")


def _results_json(split: Split, results: dict[str, ModelResult], options: dict[str, object]
                  ) -> dict[str, object]:
    return {
        "dataset": {"name": split.dataset.name, **split.summary()},
        "protocol": {**split.protocol, **options,
                     "measured_users": {phase: int(len(measured_users(split, phase)))
                                        for phase in ("valid", "test")}},
        "models": {name: r.to_dict() for name, r in results.items()},
    }


def _report(split: Split, results: dict[str, ModelResult], ks: tuple[int, ...],
            args: argparse.Namespace, extra: dict[str, object]) -> dict[str, object]:
    summary = split.summary()
    print(f"dataset {split.dataset.name}: {summary['users']} users, {summary['items']} items, "
          f"{summary['interactions']} interactions; {summary['train_interactions']} train, "
          f"{summary['test_users']} test users")
    measured = len(measured_users(split, "test"))
    if measured < summary["test_users"]:
        print(f"metrics over a seeded sample of {measured:,} of the {summary['test_users']:,} "
              "test users, the same for every model (--eval-users all: every user)")
    rows = [{"model": name, **r.test, "fit_seconds": r.fit_seconds, "eval_seconds": r.eval_seconds}
            for name, r in results.items()]
    columns = [c for c in TABLE_COLUMNS if any(c in row for row in rows)]
    print(render(rows, columns))
    for name, r in results.items():
        if r.fit_report:
            print(f"{name}: {r.fit_report}")
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
    with open_compute(compute_choice(args)) as compute:  # the metrics: here, either way
        results = evaluate_models(split, names, ks, params, task, fit=compute.fit)
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
    with open_compute(compute_choice(args)) as compute:
        model = fit_for_lists(args.model, dataset, model_params(args).get(args.model), task,
                              compute)
        lists = recommendation_lists(model, dataset, args.k, users, task, compute)
    task.finish()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lists.to_csv(args.out, index=False)
    print(f"wrote {len(lists)} rows for {lists['user'].nunique()} users to {args.out}")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """Import the shipped demo shop the way a user would, evaluate, and show one user's list."""
    if args.lang is not None:
        return _stored_demo(args)
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


def _stored_demo(args: argparse.Namespace) -> int:
    """``demo --lang``: the demo shop of that language as a dataset of the project database
    (imported once, as the window's first-launch choice does) and a stored run of the
    default pipeline on it; then the run's metrics and one user's list."""
    started = time.perf_counter()
    task = make_task(args)
    config = RunConfig(params=model_params(args), seed=args.seed)
    with open_db(args) as db:
        name = DEMO_NAMES[args.lang]
        if name not in {d.name for d in list_datasets(db)}:
            name = import_demo(db, task, args.lang)
        run_id, result = run_dataset(db, name, config, task)
        user = str(result.dataset.user_ids[0])
        entries = user_list(db, run_id, user)
    test = result.metrics.get("test", {})
    print(f"run {run_id} finished: {config.model} on dataset {name!r}; test NDCG@10 "
          f"{test.get('NDCG@10', 0.0):.4f}, HR@10 {test.get('HR@10', 0.0):.4f}")
    print(f"\nuser {user}'s list (`show --run {run_id} --user {user}` shows it with the "
          "profile):")
    print(render([{"rank": e.rank, "item": e.item, "title": e.title, "score": e.score}
                  for e in entries[:10]], ["rank", "item", "title", "score"]))
    print(f"\ndemo finished in {time.perf_counter() - started:.1f} s")
    return 0
