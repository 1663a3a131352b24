"""Options and helpers that several commands share, each defined once.

The shared options come as parent parsers (``parents=[...]`` in ``add_parser``): the
database a command works on, progress on stderr, where torch runs, where a run computes
(this computer or a Ray cluster), and a run's model settings. Everything else a command
needs from its arguments (a task with progress, the user list, a table) is a function
here.
"""
from __future__ import annotations

import argparse
import json
import sys

from engine.cluster import KINDS, ComputeChoice
from engine.core.device import DEVICES, set_threads
from engine.core.errors import DataError
from engine.core.progress import Task, stderr_listener
from engine.data.multilingual import check_encoder_spec
from engine.models import MODELS
from engine.pipeline.config import EVAL_USERS, SplitOptions, with_run_settings
from storage.database import DEFAULT_BUSY_TIMEOUT, URL_ENV, Database
from storage.open import open_database


def _parent() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(add_help=False)


def quiet_options() -> argparse.ArgumentParser:
    parser = _parent()
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def database_options() -> argparse.ArgumentParser:
    """--db and --busy-timeout: every command that reads or writes the project database."""
    parser = _parent()
    group = parser.add_argument_group("database")
    group.add_argument("--db", metavar="URL_OR_FILE",
                       help=f"SQLite file or SQLAlchemy URL (default: ${URL_ENV}, else "
                            "studio.db in the user data folder)")
    group.add_argument("--busy-timeout", type=float, default=DEFAULT_BUSY_TIMEOUT,
                       metavar="SECONDS", help="how long to wait while another window or "
                                               f"command writes (default {DEFAULT_BUSY_TIMEOUT:g})")
    return parser


def torch_options(seed_help: str) -> argparse.ArgumentParser:
    """--device, --threads and --seed of the commands whose models run on torch."""
    parser = _parent()
    parser.add_argument("--device", choices=DEVICES, default="auto",
                        help="where torch models run: auto (GPU when present), cpu or cuda")
    parser.add_argument("--threads", type=int, help="CPU threads for torch (default: torch's)")
    parser.add_argument("--seed", type=int, default=0, help=seed_help)
    return parser


def compute_options() -> argparse.ArgumentParser:
    """--compute and --ray-address: the commands that fit models and score every user."""
    parser = _parent()
    group = parser.add_argument_group("compute")
    group.add_argument("--compute", choices=KINDS, default="local",
                       help="where models are fitted and the lists scored: this computer "
                            "(default) or a Ray cluster (pip install "
                            "'interest-fusion-studio[ray]'; docs/scale-out.md)")
    group.add_argument("--ray-address", default="auto", metavar="ADDRESS",
                       help="the Ray cluster's head, host:port (default auto: the cluster "
                            "started on this computer, or $RAY_ADDRESS)")
    return parser


def compute_choice(args: argparse.Namespace) -> ComputeChoice:
    return ComputeChoice(args.compute, args.ray_address)


def run_options() -> argparse.ArgumentParser:
    """A run's model settings: --set overrides, the text encoder, torch, progress."""
    return argparse.ArgumentParser(add_help=False, parents=[
        _model_settings(), torch_options("seed of every model (default 0)"), quiet_options()])


def _model_settings() -> argparse.ArgumentParser:
    parser = _parent()
    parser.add_argument("--set", action="append", default=[], metavar="MODEL.PARAM=VALUE",
                        help="override a hyper-parameter, e.g. --set als.factors=64")
    parser.add_argument("--encoder", metavar="NAME_OR_FOLDER",
                        help="text encoder: auto (default: the packaged all-MiniLM-L6-v2 for "
                             "a catalogue in Latin script, the packaged multilingual encoder "
                             "otherwise), minilm, multilingual, or a local Hugging Face "
                             "encoder folder")
    return parser


def split_options_parser() -> argparse.ArgumentParser:
    parser = _parent()
    group = parser.add_argument_group("split")
    group.add_argument("--split", choices=["loo", "time"], default="loo",
                       help="temporal leave-one-out (default) or a global time split")
    group.add_argument("--test-from", help="time split: first date of the test period")
    group.add_argument("--valid-from", help="time split: first date of the validation period")
    group.add_argument("--eval-users", default=str(EVAL_USERS), metavar="N|all",
                       help=f"users each phase's metrics are computed on, at most (default "
                            f"{EVAL_USERS:,}; beyond it a seeded sample, the same for every "
                            "model and run; 'all': every user)")
    return parser


def split_options(args: argparse.Namespace) -> SplitOptions:
    return SplitOptions(args.split, args.test_from, args.valid_from,
                        _eval_users(args.eval_users))


def _eval_users(text: str) -> int | None:
    """--eval-users: a whole number (SplitOptions checks it), or 'all' (None)."""
    if text.strip().lower() == "all":
        return None
    try:
        return int(text)
    except ValueError:
        raise DataError(f"--eval-users expects a positive whole number or 'all', got {text!r}"
                        ) from None


def open_db(args: argparse.Namespace) -> Database:
    return open_database(args.db, busy_timeout=args.busy_timeout)


def model_params(args: argparse.Namespace) -> dict[str, dict[str, object]]:
    """``--set`` overrides plus the run-wide --seed/--device/--encoder; applies --threads."""
    set_threads(args.threads)
    check_encoder_spec(args.encoder)
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


def model_names(text: str) -> list[str]:
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


def user_list(args: argparse.Namespace) -> list[str] | None:
    """``--users u1,u2`` as a list; None (every user) when not given."""
    return [u.strip() for u in args.users.split(",") if u.strip()] if args.users else None


def report_vacuum(purged: bool) -> None:
    if purged:
        print("the database file was vacuumed: deleted data is gone from it")
    else:
        print("warning: another window or command is reading the database, so old copies "
              "of deleted data stay in the file until it closes; then run `vacuum`",
              file=sys.stderr)
