"""Commands on the datasets stored in the project database.

    python main.py import --interactions F [--items F] [import options] --name NAME [--replace]
    python main.py append --dataset NAME --interactions F [--items F] [import options]
    python main.py datasets
    python main.py forget --dataset NAME (--user U [--user U2 ...] | --everything)
    python main.py vacuum
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from application.importing import append_to_dataset, stored_options
from cli.import_options import (add_data_arguments, add_import_arguments, load_dataset, load_tables,
                                preprocess_options, read_options)
from cli.options import database_options, make_task, open_db, quiet_options, report_vacuum
from cli.table import render
from engine.core.stages import Stage
from storage import datasets, privacy

Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(sub: Subparsers) -> None:  # type: ignore[valid-type]
    """import, append, datasets, forget and vacuum."""
    db, quiet = database_options(), quiet_options()
    imp = sub.add_parser("import", help="import files as a named dataset in the database",  # type: ignore[attr-defined]
                         parents=[db, quiet])
    add_data_arguments(imp)
    imp.add_argument("--replace", action="store_true",
                     help="replace a stored dataset of the same name (and its runs)")
    imp.set_defaults(handler=_import)

    app = sub.add_parser("append", help="add new interactions (and new catalogue items) to a "  # type: ignore[attr-defined]
                                        "stored dataset; `update` then refreshes a run",
                         parents=[db, quiet])
    app.add_argument("--dataset", required=True, help="name of the stored dataset to grow")
    add_import_arguments(app)
    app.set_defaults(handler=_append)

    sub.add_parser("datasets", help="list the stored datasets",  # type: ignore[attr-defined]
                   parents=[db]).set_defaults(handler=_datasets)

    fgt = sub.add_parser("forget", help="delete users or a whole dataset, then VACUUM the "  # type: ignore[attr-defined]
                                        "file", parents=[db])
    fgt.add_argument("--dataset", required=True, help="name of a stored dataset")
    what = fgt.add_mutually_exclusive_group(required=True)
    what.add_argument("--user", action="append", help="a user id to forget (repeatable)")
    what.add_argument("--everything", action="store_true",
                      help="delete the whole dataset with its runs and feedback")
    fgt.set_defaults(handler=_forget)

    sub.add_parser("vacuum", help="rewrite the database file so deleted data is really gone "  # type: ignore[attr-defined]
                                  "(forget does it; this finishes one another window delayed)",
                   parents=[db]).set_defaults(handler=_vacuum)


def _import(args: argparse.Namespace) -> int:
    with open_db(args) as db:  # a bad --db fails before the files are read
        task = make_task(args)
        dataset = load_dataset(args, task)
        sources = {role: str(Path(path).resolve())
                   for role in ("interactions", "items", "movielens")
                   if (path := getattr(args, role))}
        options = stored_options(read_options(args), preprocess_options(args),
                                 args.unknown_items)
        task.begin(Stage.STORE)
        saved = datasets.store_dataset(db, dataset, dataset.name, sources, options,
                                       replace=args.replace, task=task)
        task.finish()
        where = db.where
    print(f"imported dataset {dataset.name!r} (id {saved.id}): {dataset.n_users:,} users, "
          f"{dataset.n_items:,} items, {dataset.n_interactions:,} interactions into {where}")
    if saved.purged is not None:
        print(f"replaced dataset {saved.replaced} of that name, with its runs")
        report_vacuum(saved.purged)
    return 0


def _append(args: argparse.Namespace) -> int:
    """All new rows or none: the dataset is rewritten in one transaction."""
    with open_db(args) as db:
        task = make_task(args)
        table, catalogue = load_tables(args)
        done = append_to_dataset(db, args.dataset, table, catalogue, task)
        task.finish()
    for warning in done.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    change = done.change
    dropped = ", ".join(f"{n:,} {why}" for why, n in done.dropped.items())
    print(f"dataset {args.dataset!r}: {change.interactions_added:,} new interactions, "
          f"{change.users_added:,} new users, {change.items_added:,} new items"
          + (f" (dropped: {dropped})" if dropped else "")
          + f"; now {done.dataset.n_interactions:,} interactions. Refresh a run with "
          "`update --run N`")
    return 0


def _datasets(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        rows = [{"name": d.name, "users": d.n_users, "items": d.n_items,
                 "interactions": d.n_interactions,
                 "created": d.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                 "source": d.sources.get("interactions") or d.sources.get("movielens") or ""}
                for d in datasets.list_datasets(db)]
    print(render(rows, ["name", "users", "items", "interactions", "created", "source"])
          if rows else "no datasets stored yet; add one with `import`")
    return 0


def _forget(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        done = (privacy.delete_dataset(db, args.dataset) if args.everything
                else privacy.forget_users(db, args.dataset, args.user))
    counts = ", ".join(f"{n:,} {table}" for table, n in done.rows.items() if n)
    print(f"deleted {done.what}: {counts or 'no rows'}")
    report_vacuum(done.purged)
    return 0


def _vacuum(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        report_vacuum(db.vacuum())
    return 0
