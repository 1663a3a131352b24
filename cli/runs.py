"""Runs of the pipeline on stored datasets, saved with everything they produce.

    python main.py run --dataset NAME [--model cooc] [--k 20] [--metrics-k 10,20] [--split ...]
                       [--compute ray --ray-address HOST:PORT]
    python main.py update --run N [--retrain-if-needed | --retrain] [--compute ray ...]
    python main.py runs [--dataset NAME]
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from application import runs as run_lifecycle
from application.estimates import estimate_for
from cli.options import (compute_choice, compute_options, database_options, int_list, make_task,
                         model_params, open_db, quiet_options, run_options, split_options,
                         split_options_parser)
from cli.table import render
from engine.core.errors import DataError
from engine.core.stages import Stage
from engine.models import MODELS, make_model
from engine.pipeline.config import TABLE_COLUMNS, RunConfig
from storage import runs

Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(sub: Subparsers) -> None:  # type: ignore[valid-type]
    """run, update and runs."""
    db = database_options()
    run = sub.add_parser("run", help="run the pipeline on a stored dataset and save "  # type: ignore[attr-defined]
                                     "everything",
                         parents=[db, split_options_parser(), run_options(),
                                  compute_options()])
    run.add_argument("--dataset", required=True, help="name of a stored dataset")
    run.add_argument("--model", default=RunConfig.model, choices=sorted(MODELS))
    run.add_argument("--k", type=int, default=RunConfig.k, help="list length (default 20)")
    run.add_argument("--metrics-k", default="10,20", metavar="10,20",
                     help="metric cut-offs (default 10,20)")
    run.add_argument("--no-feedback", action="store_true",
                     help="ignore the users' stored feedback (by default likes are extra "
                          "training interactions and refused items stay out of the lists)")
    run.add_argument("--estimate", action="store_true",
                     help="print the run's steps (each model's method at this size, its "
                          "budget) and their time estimated from this project's earlier "
                          "runs, and stop without running")
    run.set_defaults(handler=_run)

    upd = sub.add_parser("update", help="a new run from a stored run's model updated with "  # type: ignore[attr-defined]
                                        "what was added to its dataset since (no full "
                                        "retrain)",
                         parents=[db, quiet_options(), compute_options()])
    upd.add_argument("--run", type=int, required=True, help="the run to update (see `runs`)")
    when = upd.add_mutually_exclusive_group()
    when.add_argument("--retrain-if-needed", action="store_true",
                      help="run the full pipeline again instead when the dataset grew by "
                           "more than 20%% since the model's last full fit")
    when.add_argument("--retrain", action="store_true",
                      help="run the full pipeline again with the run's configuration on its "
                           "dataset as it is now (a run whose model cannot be used)")
    upd.set_defaults(handler=_update)

    lst = sub.add_parser("runs", help="list the stored runs, newest first",  # type: ignore[attr-defined]
                         parents=[db])
    lst.add_argument("--dataset", help="only the runs of this dataset")
    lst.set_defaults(handler=_runs)


def _announce(args: argparse.Namespace) -> Callable[[int], None] | None:
    """Says on stderr which run started, unless --quiet."""
    return None if args.quiet else (
        lambda run_id: print(f"run {run_id} started", file=sys.stderr))


def _update(args: argparse.Namespace) -> int:
    task, started, compute = make_task(args), _announce(args), compute_choice(args)
    with open_db(args) as db:
        if args.retrain_if_needed or args.retrain:
            drift = None if args.retrain else run_lifecycle.drift_of(db, args.run)
            if drift is None or drift.retrain_advised:
                if drift is not None:
                    print(f"the dataset has {drift.describe()}: running the full pipeline")
                run_id, _ = run_lifecycle.retrain_and_save(db, args.run, task, started,
                                                           compute)
                print(f"run {run_id} finished: a full retrain of run {args.run}'s config")
                return 0
        run_id, result, drift = run_lifecycle.update_and_save(db, args.run, task, started,
                                                              compute)
    seconds = result.stage_seconds.get(Stage.UPDATE.of(result.config.model), 0.0)
    print(f"run {run_id} finished: run {args.run}'s model updated in {seconds:.2f} s; lists "
          f"of {int((result.lists.items[:, 0] >= 0).sum()):,} users saved")
    advice = ("a full retrain is advised (`update --run N --retrain-if-needed`, or `run`)"
              if drift.retrain_advised else "no full retrain needed yet")
    print(f"the dataset has {drift.describe()}: {advice}")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.k < 1:
        raise DataError(f"--k must be at least 1, got {args.k}")
    metrics_k = int_list(args.metrics_k, "--metrics-k")
    params = model_params(args)
    for name in {args.model, *params}:  # bad parameters fail here, not after the run started
        try:
            make_model(name, **params.get(name, {}))
        except ValueError as exc:
            raise DataError(str(exc)) from None
    config = RunConfig(model=args.model, params=params, k=args.k, metrics_k=metrics_k,
                       split=split_options(args), seed=args.seed,
                       use_feedback=not args.no_feedback)
    compute = compute_choice(args)
    with open_db(args) as db:
        if args.estimate:
            plan = estimate_for(db, args.dataset, config)
            print(f"a run of {config.model} on dataset {args.dataset!r} would take these steps:")
            print("\n".join(f"  {line}" for line in plan.lines()))
            return 0
        run_id, result = run_lifecycle.run_dataset(db, args.dataset, config, make_task(args),
                                                   _announce(args), compute=compute)
    users = int((result.lists.items[:, 0] >= 0).sum())
    print(f"run {run_id} finished: model {config.model} on dataset {args.dataset!r}, "
          f"lists and profiles of {users:,} users saved")
    if result.feedback_events:
        print(f"trained on {result.feedback_events:,} feedback events (likes and refusals)")
    measured = int(result.metrics.get("test", {}).get("users", 0))
    if config.split.eval_users is not None and measured >= config.split.eval_users:
        print(f"metrics over a seeded sample of {measured:,} users per phase, the same for "
              "every run of this dataset (--eval-users all: every user)")
    rows = [{"phase": phase, **values} for phase, values in sorted(result.metrics.items())]
    columns = ["phase"] + [c for c in TABLE_COLUMNS if any(c in r for r in rows)]
    print(render(rows, columns))
    return 0


def _runs(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        stored = runs.list_runs(db, args.dataset)
    rows = []
    for run in stored:
        test = run.metrics.get("test", {})
        rows.append({"run": run.id, "dataset": run.dataset, "model": run.model,
                     "status": run.status,
                     "started": run.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                     "seconds": run.seconds, "NDCG@10": test.get("NDCG@10"),
                     "HR@10": test.get("HR@10"), "error": (run.error or "")[:60]})
    print(render(rows, ["run", "dataset", "model", "status", "started", "seconds", "NDCG@10",
                        "HR@10", "error"]) if rows else "no runs stored yet; start one with `run`")
    return 0
