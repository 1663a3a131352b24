"""Command-line commands that keep their results in the database.

    python main.py import --interactions F [--items F] [import options] --name NAME [--replace]
    python main.py append --dataset NAME --interactions F [--items F] [import options]
    python main.py datasets
    python main.py run --dataset NAME [--model cooc] [--k 20] [--metrics-k 10,20] [--split ...]
    python main.py update --run N [--retrain-if-needed]
    python main.py runs [--dataset NAME]
    python main.py show --run N --user U [--model-list]
    python main.py feedback --run N (--file events.csv | --reset USER)
    python main.py export --run N --out recs.csv [--users u1,u2]
    python main.py explain --run N [--users u1,u2] [--model-folder DIR] [--template-only] ...
    python main.py forget --dataset NAME (--user U [--user U2 ...] | --everything)
    python main.py vacuum

Every command takes ``--db`` (an SQLite file or any SQLAlchemy URL; default
$INTEREST_FUSION_STUDIO_DB, else ``studio.db`` in the user data folder) and
``--busy-timeout``. ``add_commands`` is the registrar main.py hands to ``cli.engine_commands.main``.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from cli.engine_commands import (add_data_arguments, add_run_options, add_split_arguments, int_list,
                                 load_dataset, make_task, model_params, split_options)
from cli.import_options import (add_feedback_file_arguments, add_import_arguments,
                                feedback_read_options, load_tables)
from cli.table import render
from engine.core.device import DEVICES, set_threads
from engine.core.errors import DataError
from engine.data.feedback_file import read_feedback
from engine.data.preprocess import PreprocessOptions
from engine.explanations import ExplanationWriter
from engine.models import MODELS, make_model
from engine.pipeline.config import TABLE_COLUMNS, RunConfig
from storage import datasets, explain, live, privacy, results, runs
from storage.append import append_to_dataset
from storage.database import DEFAULT_BUSY_TIMEOUT, URL_ENV, Database
from storage.feedback import Feedback, add_feedback, list_feedback
from storage.open import open_database

Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_commands(sub: Subparsers) -> None:  # type: ignore[valid-type]
    """Register import, append, datasets, run, update, runs, show, feedback, export,
    explain, forget and vacuum."""
    imp = _command(sub, "import", "import files as a named dataset in the database", _import)
    add_data_arguments(imp, split=False)
    imp.add_argument("--replace", action="store_true",
                     help="replace a stored dataset of the same name (and its runs)")
    imp.add_argument("--quiet", action="store_true", help="no progress on stderr")

    app = _command(sub, "append", "add new interactions (and new catalogue items) to a "
                                  "stored dataset; `update` then refreshes a run", _append)
    app.add_argument("--dataset", required=True, help="name of the stored dataset to grow")
    add_import_arguments(app)
    app.add_argument("--quiet", action="store_true", help="no progress on stderr")

    _command(sub, "datasets", "list the stored datasets", _datasets)

    run = _command(sub, "run", "run the pipeline on a stored dataset and save everything", _run)
    run.add_argument("--dataset", required=True, help="name of a stored dataset")
    run.add_argument("--model", default=RunConfig.model, choices=sorted(MODELS))
    run.add_argument("--k", type=int, default=RunConfig.k, help="list length (default 20)")
    run.add_argument("--metrics-k", default="10,20", metavar="10,20",
                     help="metric cut-offs (default 10,20)")
    add_split_arguments(run)
    add_run_options(run)
    run.add_argument("--no-feedback", action="store_true",
                     help="ignore the users' stored feedback (by default likes are extra "
                          "training interactions and refused items stay out of the lists)")

    upd = _command(sub, "update", "a new run from a stored run's model updated with what was "
                                  "added to its dataset since (no full retrain)", _update)
    upd.add_argument("--run", type=int, required=True, help="the run to update (see `runs`)")
    upd.add_argument("--retrain-if-needed", action="store_true",
                     help="run the full pipeline again instead when the dataset grew by more "
                          "than 20%% since the model's last full fit")
    upd.add_argument("--quiet", action="store_true", help="no progress on stderr")

    lst = _command(sub, "runs", "list the stored runs, newest first", _runs)
    lst.add_argument("--dataset", help="only the runs of this dataset")

    show = _command(sub, "show", "one user's stored profile and their list, as it stands "
                                 "after their feedback", _show)
    show.add_argument("--run", type=int, required=True, help="run id (see `runs`)")
    show.add_argument("--user", required=True, help="user id as in the imported file")
    show.add_argument("--model-list", action="store_true",
                      help="the run's own list, without the user's feedback")

    fb = _command(sub, "feedback", "store like / dislike / not interested events from a file "
                                   "(the lists change at once; the next run trains on them), "
                                   "or reset a user's feedback", _feedback)
    fb.add_argument("--run", type=int, required=True,
                    help="the run whose lists the feedback is about (see `runs`)")
    what = fb.add_mutually_exclusive_group(required=True)
    what.add_argument("--file", type=Path, metavar="CSV",
                      help="one event per row: user, item, feedback (like, dislike, not "
                           "interested; +1, -1, hide...) and an optional time")
    what.add_argument("--reset", metavar="USER",
                      help="delete this user's feedback: their list is the model's again")
    add_feedback_file_arguments(fb)

    exp = _command(sub, "export", "write a run's stored lists as CSV", _export)
    exp.add_argument("--run", type=int, required=True, help="run id (see `runs`)")
    exp.add_argument("--out", type=Path, required=True, help="CSV file to write")
    exp.add_argument("--users", help="comma-separated user ids (default: every user)")

    why = _command(sub, "explain", "write each user's recommendation text with a local "
                                   "language model (checked; the template where it fails) "
                                   "and store it with the list", _explain)
    why.add_argument("--run", type=int, required=True, help="run id (see `runs`)")
    why.add_argument("--users", help="comma-separated user ids (default: every user)")
    why.add_argument("--model-folder", type=Path, metavar="DIR",
                     help="a local causal language model folder (transformers "
                          "save_pretrained; default: the packaged SmolLM2-135M-Instruct)")
    why.add_argument("--template-only", action="store_true",
                     help="write the template texts only, without a language model")
    why.add_argument("--device", choices=DEVICES, default="auto",
                     help="where the model runs: auto (GPU when present), cpu or cuda")
    why.add_argument("--threads", type=int, help="CPU threads for torch (default: torch's)")
    why.add_argument("--seed", type=int, default=0,
                     help="seed of the sampling (later attempts, --sample; default 0)")
    why.add_argument("--sample", action="store_true",
                     help="sample the words (seeded) instead of greedy decoding")
    why.add_argument("--attempts", type=int, default=3, metavar="N",
                     help="write a text again (seeded sampling) while fewer than two of "
                          "its sentences pass the grounding check, at most N times in all "
                          "(default 3)")
    why.add_argument("--max-new-tokens", type=int, default=60, metavar="N",
                     help="length limit of each text in tokens (default 60)")
    why.add_argument("--batch", type=int, default=50, metavar="N",
                     help="users stored per transaction (default 50)")
    why.add_argument("--quiet", action="store_true", help="no progress on stderr")

    fgt = _command(sub, "forget", "delete users or a whole dataset, then VACUUM the file",
                   _forget)
    fgt.add_argument("--dataset", required=True, help="name of a stored dataset")
    what = fgt.add_mutually_exclusive_group(required=True)
    what.add_argument("--user", action="append", help="a user id to forget (repeatable)")
    what.add_argument("--everything", action="store_true",
                      help="delete the whole dataset with its runs and feedback")

    _command(sub, "vacuum", "rewrite the database file so deleted data is really gone "
                            "(forget does it; this finishes one another window delayed)",
             _vacuum)


def _command(sub: Subparsers, name: str, help_text: str,  # type: ignore[valid-type]
             handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text)  # type: ignore[attr-defined]
    group = parser.add_argument_group("database")
    group.add_argument("--db", metavar="URL_OR_FILE",
                       help=f"SQLite file or SQLAlchemy URL (default: ${URL_ENV}, else "
                            "studio.db in the user data folder)")
    group.add_argument("--busy-timeout", type=float, default=DEFAULT_BUSY_TIMEOUT,
                       metavar="SECONDS", help="how long to wait while another window or "
                                               f"command writes (default {DEFAULT_BUSY_TIMEOUT:g})")
    parser.set_defaults(handler=handler)
    return parser


def _open(args: argparse.Namespace) -> Database:
    return open_database(args.db, busy_timeout=args.busy_timeout)


def _import_options(args: argparse.Namespace) -> dict[str, object]:
    """The read options as given (None = detected), to be stored with the dataset."""
    probe = argparse.ArgumentParser(add_help=False)
    add_import_arguments(probe)
    keys = vars(probe.parse_args([]))
    return {key: getattr(args, key) for key in keys
            if key not in ("interactions", "items", "movielens")}


def _import(args: argparse.Namespace) -> int:
    with _open(args) as db:  # a bad --db fails before the files are read
        task = make_task(args)
        dataset = load_dataset(args, task)
        sources = {role: str(Path(path).resolve())
                   for role in ("interactions", "items", "movielens")
                   if (path := getattr(args, role))}
        options = {"read": _import_options(args),
                   "preprocess": PreprocessOptions(args.dedupe, args.min_rating,
                                                   args.kcore).to_dict()}
        task.begin("store")
        saved = datasets.store_dataset(db, dataset, dataset.name, sources, options,
                                       replace=args.replace, task=task)
        task.finish()
        where = db.where
    print(f"imported dataset {dataset.name!r} (id {saved.id}): {dataset.n_users:,} users, "
          f"{dataset.n_items:,} items, {dataset.n_interactions:,} interactions into {where}")
    if saved.purged is not None:
        print(f"replaced dataset {saved.replaced} of that name, with its runs")
        _report_vacuum(saved.purged)
    return 0


def _append(args: argparse.Namespace) -> int:
    """All new rows or none: the dataset is rewritten in one transaction."""
    with _open(args) as db:
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


def _update(args: argparse.Namespace) -> int:
    task = make_task(args)
    started = None if args.quiet else (
        lambda run_id: print(f"run {run_id} started", file=sys.stderr))
    with _open(args) as db:
        if args.retrain_if_needed:
            drift = runs.drift_of(db, args.run)
            if drift.retrain_advised:
                print(f"the dataset has {drift.describe()}: running the full pipeline")
                run_id, _ = runs.retrain_and_save(db, args.run, task, started)
                print(f"run {run_id} finished: a full retrain of run {args.run}'s config")
                return 0
        run_id, result, drift = runs.update_and_save(db, args.run, task, started)
    seconds = result.stage_seconds.get(f"update {result.config.model}", 0.0)
    print(f"run {run_id} finished: run {args.run}'s model updated in {seconds:.2f} s; lists "
          f"of {int((result.lists.items[:, 0] >= 0).sum()):,} users saved")
    advice = ("a full retrain is advised (`update --run N --retrain-if-needed`, or `run`)"
              if drift.retrain_advised else "no full retrain needed yet")
    print(f"the dataset has {drift.describe()}: {advice}")
    return 0


def _datasets(args: argparse.Namespace) -> int:
    with _open(args) as db:
        rows = [{"name": d.name, "users": d.n_users, "items": d.n_items,
                 "interactions": d.n_interactions,
                 "created": d.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                 "source": d.sources.get("interactions") or d.sources.get("movielens") or ""}
                for d in datasets.list_datasets(db)]
    print(render(rows, ["name", "users", "items", "interactions", "created", "source"])
          if rows else "no datasets stored yet; add one with `import`")
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
    task = make_task(args)
    with _open(args) as db:
        info = datasets.dataset_info(db, args.dataset)
        config = RunConfig(model=args.model, params=params, k=args.k, metrics_k=metrics_k,
                           split=split_options(args),
                           preprocess=PreprocessOptions(**info.options.get("preprocess", {})),
                           seed=args.seed, use_feedback=not args.no_feedback)
        started = None if args.quiet else (
            lambda run_id: print(f"run {run_id} started", file=sys.stderr))
        run_id, result = runs.run_and_save(db, args.dataset, config, task, started)
    users = int((result.lists.items[:, 0] >= 0).sum())
    print(f"run {run_id} finished: model {config.model} on dataset {args.dataset!r}, "
          f"lists and profiles of {users:,} users saved")
    if result.feedback_events:
        print(f"trained on {result.feedback_events:,} feedback events (likes and refusals)")
    rows = [{"phase": phase, **values} for phase, values in sorted(result.metrics.items())]
    columns = ["phase"] + [c for c in TABLE_COLUMNS if any(c in r for r in rows)]
    print(render(rows, columns))
    return 0


def _runs(args: argparse.Namespace) -> int:
    with _open(args) as db:
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


def _show(args: argparse.Namespace) -> int:
    with _open(args) as db:
        info = runs.run_info(db, args.run)
        profile = results.user_profile(db, args.run, args.user)
        entries = results.user_list(db, args.run, args.user)
        text = results.user_text(db, args.run, args.user)
        events = list_feedback(db, info.dataset, args.user)
        now = (live.list_now(db, live.open_live_run(db, args.run), args.user)
               if events and entries and not args.model_list else None)
    print(f"run {info.id} ({info.model} on {info.dataset!r}, {info.status}), user {args.user}")
    if profile is not None:
        print(f"  interests: {', '.join(profile.keywords) or '-'}")
        print(f"  recently:  {'; '.join(title for _, title in profile.recent) or '-'}")
        if profile.gate is not None:
            print(f"  long-term weight (gate): {profile.gate:.2f}")
    if text is not None:
        print(f"  why ({text.source}): {text.text}")
    if events:
        print(f"  feedback: {'; '.join(f'{e.kind} {e.item}' for e in events)}")
    if now is not None:
        entries = now.entries
        how = ("re-ranked with the run's model" if now.reranked
               else "filtered (this run has no stored model)")
        gate = (f"; gate {now.model_gate:.2f} -> {now.gate:.2f}"
                if now.gate is not None and now.model_gate is not None else "")
        print(f"  the list after the feedback, {how}{gate}; kept out: "
              f"{', '.join(f'{i} ({why})' for i, why in now.removed.items()) or '-'}")
    if not entries:
        print("no stored list for this user" + ("" if info.status == "finished"
                                                else f" (the run is {info.status})"))
        return 0
    rows = [{"rank": e.rank, "item": e.item, "title": e.title, "score": e.score,
             **e.components, "why": e.explanation} for e in entries]
    print(render(rows, ["rank", "item", "title", "score", *info.components, "why"]))
    return 0


def _users(args: argparse.Namespace) -> list[str] | None:
    return [u.strip() for u in args.users.split(",") if u.strip()] if args.users else None


def _export(args: argparse.Namespace) -> int:
    users = _users(args)
    with _open(args) as db:
        frame = results.export_lists(db, args.run, args.out, users)
    print(f"wrote {len(frame):,} rows for {frame['user'].nunique():,} users to {args.out}")
    return 0


def _explain(args: argparse.Namespace) -> int:
    """Texts in batches, each stored in its own transaction: a stop keeps whole batches."""
    if min(args.batch, args.max_new_tokens, args.attempts) < 1:
        raise DataError("--batch, --max-new-tokens and --attempts must be at least 1")
    set_threads(args.threads)
    writer = None if args.template_only else ExplanationWriter(
        args.model_folder, device=args.device, seed=args.seed,
        max_new_tokens=args.max_new_tokens, greedy=not args.sample, attempts=args.attempts)
    with _open(args) as db:
        sources = explain.write_texts(db, args.run, writer, _users(args), make_task(args),
                                      args.batch)
    print(f"run {args.run}: texts of {sum(sources.values()):,} users stored "
          f"({sources['generated']:,} generated, {sources['template']:,} template)")
    return 0


def _feedback(args: argparse.Namespace) -> int:
    """All events of the file or none: a bad row is reported and nothing is stored."""
    with _open(args) as db:
        info = runs.run_info(db, args.run)
        if args.reset is not None:
            deleted = live.reset_feedback(db, info.dataset, args.reset)
            print(f"deleted {deleted:,} feedback events of user {args.reset!r}: their list is "
                  f"the model's again")
            return 0
        table = read_feedback(args.file, feedback_read_options(args), args.feedback_col)
        for warning in table.report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        frame = table.frame
        at = [datetime.fromtimestamp(t, timezone.utc) if t >= 0 else None
              for t in frame["timestamp"]]
        events = [Feedback(user, item, kind, when, args.run, f"file:{args.file.name}", line)
                  for user, item, kind, when, line in zip(
                      frame["user"], frame["item"], frame["kind"], at, frame["line"])]
        stored = add_feedback(db, info.dataset, events, file=args.file)
    kinds = frame["kind"].value_counts()
    print(f"stored {stored:,} feedback events for run {args.run} on dataset "
          f"{info.dataset!r} ({', '.join(f'{n:,} {k}' for k, n in kinds.items())}) from "
          f"{frame['user'].nunique():,} users; `show --run {args.run} --user U` shows a "
          "list as it stands now")
    return 0


def _forget(args: argparse.Namespace) -> int:
    with _open(args) as db:
        done = (privacy.delete_dataset(db, args.dataset) if args.everything
                else privacy.forget_users(db, args.dataset, args.user))
    counts = ", ".join(f"{n:,} {table}" for table, n in done.rows.items() if n)
    print(f"deleted {done.what}: {counts or 'no rows'}")
    _report_vacuum(done.purged)
    return 0


def _vacuum(args: argparse.Namespace) -> int:
    with _open(args) as db:
        _report_vacuum(db.vacuum())
    return 0


def _report_vacuum(purged: bool) -> None:
    if purged:
        print("the database file was vacuumed: deleted data is gone from it")
    else:
        print("warning: another window or command is reading the database, so old copies "
              "of deleted data stay in the file until it closes; then run `vacuum`",
              file=sys.stderr)
