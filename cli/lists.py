"""A stored run's lists: one user's, all of them as CSV, feedback on them, their texts.

    python main.py show --run N --user U [--model-list]
    python main.py feedback --run N (--file events.csv | --reset USER)
    python main.py export --run N --out recs.csv [--users u1,u2]
    python main.py explain --run N [--users u1,u2] [--model-file GGUF] [--template-only] ...
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from application import live
from application.export import export_run
from application.texts import write_texts
from cli.import_options import add_feedback_file_arguments, feedback_read_options
from cli.options import database_options, make_task, open_db, quiet_options, user_list
from cli.table import render
from engine.core.device import DEVICES
from engine.core.errors import DataError
from engine.data.feedback_file import read_feedback
from engine.explanations import ExplanationWriter
from storage import results, runs
from storage.feedback import Feedback, add_feedback, list_feedback, reset_feedback

Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(sub: Subparsers) -> None:  # type: ignore[valid-type]
    """show, feedback, export and explain."""
    db = database_options()
    show = sub.add_parser("show", help="one user's stored profile and their list, as it "  # type: ignore[attr-defined]
                                       "stands after their feedback", parents=[db])
    show.add_argument("--run", type=int, required=True, help="run id (see `runs`)")
    show.add_argument("--user", required=True, help="user id as in the imported file")
    show.add_argument("--model-list", action="store_true",
                      help="the run's own list, without the user's feedback")
    show.set_defaults(handler=_show)
    _register_feedback(sub, db)
    exp = sub.add_parser("export", help="write a run's lists as CSV, each as it stands after "  # type: ignore[attr-defined]
                                        "the user's feedback", parents=[db, quiet_options()])
    exp.add_argument("--run", type=int, required=True, help="run id (see `runs`)")
    exp.add_argument("--out", type=Path, required=True, help="CSV file to write")
    exp.add_argument("--users", help="comma-separated user ids (default: every user)")
    exp.add_argument("--model-list", action="store_true",
                     help="the run's own lists, without the users' feedback")
    exp.set_defaults(handler=_export)
    _register_explain(sub, db)


def _register_feedback(sub: Subparsers, db: argparse.ArgumentParser) -> None:  # type: ignore[valid-type]
    fb = sub.add_parser("feedback", parents=[db],  # type: ignore[attr-defined]
                        help="store like / dislike / not interested events from a file (the "
                             "lists change at once; the next run trains on them), or reset a "
                             "user's feedback")
    fb.add_argument("--run", type=int, required=True,
                    help="the run whose lists the feedback is about (see `runs`)")
    what = fb.add_mutually_exclusive_group(required=True)
    what.add_argument("--file", type=Path, metavar="CSV",
                      help="one event per row: user, item, feedback (like, dislike, not "
                           "interested; +1, -1, hide...) and an optional time")
    what.add_argument("--reset", metavar="USER",
                      help="delete this user's feedback: their list is the model's again")
    add_feedback_file_arguments(fb)
    fb.set_defaults(handler=_feedback)


def _register_explain(sub: Subparsers, db: argparse.ArgumentParser) -> None:  # type: ignore[valid-type]
    why = sub.add_parser("explain", parents=[db, quiet_options()],  # type: ignore[attr-defined]
                         help="write each user's recommendation text with a local GGUF "
                              "language model on llama.cpp, saying only what the run's facts "
                              "hold (checked claim by claim; the template where a text fails) "
                              "and store it with the list")
    why.add_argument("--run", type=int, required=True, help="run id (see `runs`)")
    why.add_argument("--users", help="comma-separated user ids (default: every user)")
    why.add_argument("--model-file", type=Path, metavar="GGUF",
                     help="a GGUF model file, or a folder holding one (default: the packaged "
                          "SmolLM2-135M-Instruct)")
    why.add_argument("--template-only", action="store_true",
                     help="write the template texts only, without a language model")
    why.add_argument("--sample", action="store_true",
                     help="sample the model's choices (seeded) instead of greedy decoding")
    why.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    why.add_argument("--device", choices=DEVICES, default="auto",
                     help="auto (the model's layers on the GPU when llama.cpp has one), cpu "
                          "or cuda")
    why.add_argument("--threads", type=int, metavar="N",
                     help="CPU threads for the model (default: half the cores)")
    why.add_argument("--max-new-tokens", type=int, default=80, metavar="N",
                     help="no optional (third) sentence is begun past N tokens; the sentence "
                          "under way is finished (default 80)")
    why.add_argument("--batch", type=int, default=50, metavar="N",
                     help="users stored per transaction (default 50)")
    why.set_defaults(handler=_explain)


def _show(args: argparse.Namespace) -> int:
    with open_db(args) as db:
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


def _export(args: argparse.Namespace) -> int:
    """The lists a shop gets are the lists as they stand, as ``show`` and the window show
    them; ``--model-list`` writes the run's own instead. The output says which."""
    users = user_list(args)
    with open_db(args) as db:
        if args.model_list:
            frame = results.export_lists(db, args.run, args.out, users)
            which = "the run's own lists, without feedback"
        else:
            frame = export_run(db, args.run, args.out, users, make_task(args))
            which = "the lists as they stand after the users' feedback"
    print(f"wrote {len(frame):,} rows for {frame['user'].nunique():,} users to {args.out}: "
          f"{which}")
    return 0


def _explain(args: argparse.Namespace) -> int:
    """Texts in batches, each stored in its own transaction: a stop keeps whole batches."""
    if min(args.batch, args.max_new_tokens, 1 if args.threads is None else args.threads) < 1:
        raise DataError("--batch, --max-new-tokens and --threads must be at least 1")
    writer = None if args.template_only else ExplanationWriter(
        args.model_file, device=args.device, seed=args.seed,
        max_new_tokens=args.max_new_tokens, greedy=not args.sample, threads=args.threads)
    with open_db(args) as db:
        sources = write_texts(db, args.run, writer, user_list(args), make_task(args),
                              args.batch)
    print(f"run {args.run}: texts of {sum(sources.values()):,} users stored "
          f"({sources['generated']:,} generated, {sources['template']:,} template)")
    return 0


def _feedback(args: argparse.Namespace) -> int:
    """All events of the file or none: a bad row is reported and nothing is stored."""
    with open_db(args) as db:
        info = runs.run_info(db, args.run)
        if args.reset is not None:
            deleted = reset_feedback(db, info.dataset, args.reset)
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
