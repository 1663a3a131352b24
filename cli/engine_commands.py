"""Headless command line: everything the GUI does, scriptable.

    python main.py evaluate --interactions F --items F [import options] [--models ...] [--k 10,20] [--json OUT]
    python main.py recommend --interactions F --items F --k 20 --out recs.csv [--users u1,u2]
    python main.py demo

Bad input ends with one specific message on stderr and exit status 2, never a traceback;
progress of long steps goes to stderr so stdout stays clean for tables.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from cli.import_options import add_import_arguments, load_tables
from cli.table import render
from engine.core.device import DEVICES, set_threads
from engine.core.errors import Cancelled, DataError
from engine.core.progress import Task, stderr_listener
from engine.data.dataset import Dataset
from engine.data.importer import read_catalogue, read_interactions
from engine.data.preprocess import PreprocessOptions, build_dataset
from engine.data.split import Split
from engine.evaluation.evaluate import ModelResult, evaluate_models
from engine.models import MODELS
from engine.models.base import Recommender
from engine.pipeline.config import (DEFAULT_MODEL, DEFAULT_MODELS, TABLE_COLUMNS, SplitOptions,
                                    make_split, with_run_settings)
from engine.pipeline.execute import fit_for_lists
from engine.pipeline.lists import recommendation_lists, user_indices
from resources import demo_paths

CommandRegistrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def build_parser(extra: Iterable[CommandRegistrar] = ()) -> argparse.ArgumentParser:
    """The engine's commands, plus those that ``extra`` registrars add (e.g. storage's)."""
    parser = argparse.ArgumentParser(prog="main.py", description="Interest Fusion Studio, headless.")
    sub = parser.add_subparsers(dest="command", required=True)
    for register in extra:
        register(sub)

    ev = sub.add_parser("evaluate", help="fit models on a split and print their metrics")
    add_data_arguments(ev)
    _model_arguments(ev)
    ev.add_argument("--json", type=Path, help="also write the results as JSON here")
    ev.set_defaults(handler=run_evaluate)

    rec = sub.add_parser("recommend", help="fit a model and write each user's list from their "
                                           "full history")
    add_data_arguments(rec, split=False)
    rec.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(MODELS))
    add_run_options(rec)
    rec.add_argument("--k", type=int, default=20, help="list length (default 20)")
    rec.add_argument("--users", help="comma-separated user ids (default: every user)")
    rec.add_argument("--out", type=Path, required=True, help="CSV file to write")
    rec.set_defaults(handler=run_recommend)

    demo = sub.add_parser("demo", help="run the default pipeline on the built-in demo shop")
    _model_arguments(demo)
    demo.add_argument("--json", type=Path, help="also write the results as JSON here")
    demo.set_defaults(handler=run_demo)
    return parser


def add_data_arguments(parser: argparse.ArgumentParser, split: bool = True) -> None:
    add_import_arguments(parser)
    group = parser.add_argument_group("preprocessing")
    group.add_argument("--dedupe", choices=["latest", "sum", "none"], default="latest",
                       help="repeated user-item pairs: keep the latest (default), sum, or keep all")
    group.add_argument("--min-rating", type=float, help="implicit threshold: keep ratings >= this")
    group.add_argument("--kcore", type=int, default=0, help="iterated k-core filter (0 = off)")
    group.add_argument("--name", help="dataset name shown in results (default: the file name)")
    if split:
        add_split_arguments(parser)


def add_split_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("split")
    group.add_argument("--split", choices=["loo", "time"], default="loo",
                       help="temporal leave-one-out (default) or a global time split")
    group.add_argument("--test-from", help="time split: first date of the test period")
    group.add_argument("--valid-from", help="time split: first date of the validation period")


def split_options(args: argparse.Namespace) -> SplitOptions:
    return SplitOptions(args.split, args.test_from, args.valid_from)


def _model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS),
                        help=f"comma-separated, from: {', '.join(sorted(MODELS))}")
    parser.add_argument("--k", default="10,20", help="cut-offs, comma-separated (default 10,20)")
    add_run_options(parser)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--set", action="append", default=[], metavar="MODEL.PARAM=VALUE",
                        help="override a hyper-parameter, e.g. --set als.factors=64")
    parser.add_argument("--encoder", metavar="FOLDER",
                        help="local Hugging Face text encoder folder (default: the packaged "
                             "all-MiniLM-L6-v2)")
    parser.add_argument("--device", choices=DEVICES, default="auto",
                        help="where torch models run: auto (GPU when present), cpu or cuda")
    parser.add_argument("--threads", type=int, help="CPU threads for torch (default: torch's)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every model (default 0)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def model_params(args: argparse.Namespace) -> dict[str, dict[str, object]]:
    """``--set`` overrides plus the run-wide --seed/--device/--encoder; applies --threads."""
    set_threads(args.threads)
    return with_run_settings(parse_overrides(args.set), seed=args.seed, device=args.device,
                             encoder=args.encoder)


def int_list(text: str, flag: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise DataError(f"{flag} expects comma-separated whole numbers, got {text!r}") from None
    if not values or min(values) < 1:
        raise DataError(f"{flag} expects positive whole numbers, got {text!r}")
    return values


def _model_names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        raise DataError(f"unknown model(s) {', '.join(unknown) or '(none)'}; "
                        f"choose from {', '.join(sorted(MODELS))}")
    return names


def parse_overrides(items: list[str]) -> dict[str, dict[str, object]]:
    """``--set model.param=value`` as {model: {param: value}}; values parsed as JSON if they can be."""
    params: dict[str, dict[str, object]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        model, dot, name = key.partition(".")
        if not sep or not dot or model not in MODELS:
            raise DataError(f"--set expects MODEL.PARAM=VALUE with MODEL one of "
                            f"{', '.join(sorted(MODELS))}, got {item!r}")
        try:
            value: object = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        params.setdefault(model, {})[name] = value
    return params


def make_task(args: argparse.Namespace) -> Task:
    task = Task()
    if not getattr(args, "quiet", False):
        task.listeners.append(stderr_listener())
    return task


def load_dataset(args: argparse.Namespace, task: Task) -> Dataset:
    task.begin("import")
    table, catalogue = load_tables(args)
    task.begin("preprocess")
    options = PreprocessOptions(dedupe=args.dedupe, min_rating=args.min_rating, kcore=args.kcore)
    dataset = build_dataset(table, catalogue, options, name=args.name or Path(table.path).name)
    for line in dataset.report.lines():
        print(line, file=sys.stderr)
    return dataset


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
    names = _model_names(args.models)
    params = model_params(args)
    task = make_task(args)
    dataset = load_dataset(args, task)
    task.begin("split")
    split = make_split(dataset, split_options(args))
    results = evaluate_models(split, names, ks, params, task)
    _report(split, results, ks, args, {
        "preprocess": PreprocessOptions(args.dedupe, args.min_rating, args.kcore).to_dict(),
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
    names = _model_names(args.models)
    task = make_task(args)
    interactions_path, items_path = demo_paths()
    task.begin("import")
    table = read_interactions(interactions_path)
    catalogue = read_catalogue(items_path)
    task.begin("preprocess")
    dataset = build_dataset(table, catalogue, name="demo shop")
    task.begin("split")
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


def main(argv: list[str] | None = None, extra: Iterable[CommandRegistrar] = ()) -> int:
    """Parse and run one command; bad input -> message on stderr and exit status 2."""
    parser = build_parser(extra)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Cancelled as exc:
        print(f"stopped: {exc}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
