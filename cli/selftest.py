"""Self-test of an installation: the demo pipeline end to end, headless, in a temporary folder.

    python main.py --selftest
    /opt/interest-fusion-studio/interest-fusion-studio --selftest     (the installed build)

A frozen build can lack a data file or a module that only a real run touches (the demo
files, the Alembic scripts, the packaged encoder and language model, a module that
transformers imports by name), and nothing short of running the pipeline shows it. So
this drives the very commands a user types (``import``, ``run``, ``runs``, ``show``,
``explain``, through :func:`cli.main.main`) on the shipped demo
shop, checks what they stored with storage's own read functions, and loads the packaged
text encoder, which the default pipeline itself does not use.

Quick settings: the sequential model's training gets a few seconds instead of its
four-minute budget, torch uses one thread, and one user's text is written (the template
may replace it: the check that refuses a generated text is part of what is tested).
Everything lives in a temporary folder (database and model cache, so the packaged
language model really is converted) that is deleted afterwards; Hugging Face is told to
stay offline, so a download attempt fails the test instead of passing unnoticed.

Lives with the command line because it drives the command line.
Exit status 0 when every step passed, 1 with the failing step and its reason otherwise.
"""
from __future__ import annotations

import io
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

DATASET = "demo shop"
#: Training seconds of the sequential model: enough for a few epochs on the demo shop.
SEQUENTIAL_SECONDS = 5.0
#: torch threads: one, because two OpenMP threads spinning against any other work on a
#: 2-core machine made the fusion's gate many times slower in a test.
THREADS = "1"
#: Environment of the whole test (with the temporary cache folder): no model hub.
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


class StepFailed(Exception):
    """A step ran but its result is wrong; the message says what was expected."""


@dataclass
class Context:
    """What the steps share: the temporary folder, the database, the run and a user."""

    folder: Path
    run_id: int = 0
    user: str = ""

    @property
    def db(self) -> str:
        return str(self.folder / "selftest.db")

    @property
    def cache(self) -> Path:
        return self.folder / "cache"


def command(*argv: str) -> str:
    """Run one ``main.py`` command in-process; its standard output.

    Output and progress are captured so the report stays short; a non-zero status
    raises with the command's last lines, which hold its error message.
    """
    from cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = main(list(argv))
        except SystemExit as exc:  # argparse refusing the arguments
            status = exc.code if isinstance(exc.code, int) else 2
    if status != 0:
        tail = "\n".join((err.getvalue() + out.getvalue()).strip().splitlines()[-8:])
        raise StepFailed(f"`{' '.join(argv[:1])}` exited with status {status}:\n{tail}")
    return out.getvalue()


def import_demo(ctx: Context) -> str:
    from resources import demo_paths
    from storage import dataset_info, open_database

    interactions, items = demo_paths()
    for path in (interactions, items):
        if not path.is_file():
            raise StepFailed(f"the demo data is missing: {path}")
    command("import", "--interactions", str(interactions), "--items", str(items),
            "--name", DATASET, "--db", ctx.db, "--quiet")
    with open_database(ctx.db) as db:
        info = dataset_info(db, DATASET)
    if min(info.n_users, info.n_items, info.n_interactions) < 1:
        raise StepFailed(f"the imported dataset is empty: {info}")
    return f"{info.n_users:,} users, {info.n_items:,} items, {info.n_interactions:,} interactions"


def run_pipeline(ctx: Context) -> str:
    from storage import list_runs, lists_frame, open_database

    command("run", "--dataset", DATASET, "--db", ctx.db, "--quiet", "--threads", THREADS,
            "--set", f"sequential.time_budget={SEQUENTIAL_SECONDS:g}")
    with open_database(ctx.db) as db:
        runs = list_runs(db, DATASET)
        if len(runs) != 1 or runs[0].status != "finished":
            raise StepFailed(f"expected one finished run, found {[(r.id, r.status) for r in runs]}")
        run = runs[0]
        frame = lists_frame(db, run.id)
    ndcg = run.metrics.get("test", {}).get("NDCG@10", 0.0)
    if not ndcg > 0 or frame.empty:
        raise StepFailed(f"the run stored no useful result (test NDCG@10 {ndcg}, "
                         f"{len(frame)} list entries)")
    ctx.run_id, ctx.user = run.id, str(frame["user"].iloc[0])
    return (f"{run.model} of {', '.join(run.components)}: test NDCG@10 {ndcg:.3f}, "
            f"lists of {frame['user'].nunique():,} users")


def list_and_show(ctx: Context) -> str:
    from storage import open_database, user_list

    listing = command("runs", "--db", ctx.db)
    if "finished" not in listing:
        raise StepFailed(f"`runs` does not list the finished run:\n{listing}")
    shown = command("show", "--run", str(ctx.run_id), "--user", ctx.user, "--db", ctx.db)
    with open_database(ctx.db) as db:
        entries = user_list(db, ctx.run_id, ctx.user)
    if not entries or entries[0].title not in shown:
        raise StepFailed(f"`show` does not print user {ctx.user}'s first pick:\n{shown}")
    return f"user {ctx.user}: {len(entries)} items, first {entries[0].title!r}"


def text_encoder(ctx: Context) -> str:
    import numpy as np

    from engine.data.encoder import TextEncoder

    encoder = TextEncoder(cache_dir=ctx.cache)
    texts = ["Insulated ripstop nylon fishing rod", "Ceramic stoneware dinner plate set"]
    vectors = encoder.encode(texts)
    norms = np.linalg.norm(vectors, axis=1)
    if (vectors.shape[0] != 2 or encoder.encoded_last != 2 or not np.all(np.isfinite(vectors))
            or not np.allclose(norms, 1.0, atol=1e-3)):
        raise StepFailed(f"the encoder returned unusable vectors (shape {vectors.shape}, "
                         f"norms {norms})")
    return f"{vectors.shape[1]}-d vectors from {encoder.folder}"


def explanation(ctx: Context) -> str:
    from storage import open_database
    from storage.results import user_text

    command("explain", "--run", str(ctx.run_id), "--users", ctx.user, "--db", ctx.db,
            "--quiet", "--threads", THREADS)
    with open_database(ctx.db) as db:
        stored = user_text(db, ctx.run_id, ctx.user)
    if stored is None or not stored.text.strip():
        raise StepFailed(f"`explain` stored no text for user {ctx.user}")
    return (f"{stored.source} text (model {stored.model}, "
            f"{len(stored.reasons)} notes from the claim check)")


STEPS: tuple[tuple[str, Callable[[Context], str]], ...] = (
    ("import the demo data", import_demo),
    ("run the default pipeline", run_pipeline),
    ("list runs, show a list", list_and_show),
    ("packaged text encoder", text_encoder),
    ("explain a list", explanation),
)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the test and restore them afterwards."""
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def selftest(out: TextIO | None = None) -> int:
    """Run every step in a fresh temporary folder; 0 when all passed, else 1."""
    out = out or sys.stdout
    started = time.perf_counter()
    build = "installed build" if getattr(sys, "frozen", False) else "from source"
    with tempfile.TemporaryDirectory(prefix="ifs-selftest-") as folder:
        ctx = Context(Path(folder))
        print(f"self-test ({build}, {sys.executable}) in {folder}", file=out, flush=True)
        with _environment({**OFFLINE, "IFS_CACHE_DIR": str(ctx.cache)}):
            for name, step in STEPS:
                tic = time.perf_counter()
                try:
                    detail = step(ctx)
                except StepFailed as exc:
                    print(f"  FAIL  {name}: {exc}", file=out, flush=True)
                    print("self-test failed", file=out, flush=True)
                    return 1
                except Exception as exc:  # a missing module or file in a build shows here
                    print(f"  FAIL  {name}: {type(exc).__name__}: {exc}", file=out, flush=True)
                    traceback.print_exc(file=sys.stderr)
                    print("self-test failed", file=out, flush=True)
                    return 1
                print(f"  ok    {name} ({time.perf_counter() - tic:.1f} s): {detail}",
                      file=out, flush=True)
    print(f"self-test passed in {time.perf_counter() - started:.1f} s", file=out, flush=True)
    return 0
