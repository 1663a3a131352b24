"""The window's own work for its worker thread, as plain functions of a Task (no Qt).

What a button does is the application layer's (:mod:`application`), shared with the
command line; here are what only the window needs: the Run screen's settings turned into
a run, libraries loaded ahead so the window keeps answering, and the users table made
ready. They take the :class:`~engine.core.progress.Task` last and report stages into it;
the engine raises :class:`~engine.core.errors.Cancelled` at its next safe point after a
cancel.
"""
from __future__ import annotations

import gc
import logging

from application.runs import retrain_and_save, run_dataset, update_and_save
from engine.cluster import ClusterInfo, ComputeChoice, connect, disconnect
from engine.core.progress import Task
from engine.core.stages import Stage
from engine.data.preprocess import PreprocessOptions
from engine.pipeline.drift import Drift
from storage import Database
from storage.browse import user_index
from ui.run_settings import RunSettings
from ui.user_table import UserTable, prepare_table

log = logging.getLogger("interest_fusion_studio")


def prepare_models(task: Task) -> None:
    """Import what the default pipeline's models use, and take one torch optimiser step.

    Importing torch, transformers' GPT-2 and gensim, and torch's first step, are one-time
    costs of seconds during which the importing thread holds the interpreter lock for long
    stretches (unmarshalling and running large modules), and the
    window could not answer meanwhile. Paid when the Run screen first opens, they stay
    out of the first run, during which the window must keep answering. Then the loaded
    libraries are kept out of garbage collection (:func:`freeze_heap`).
    """
    task.begin(Stage.PREPARE, "loading torch")
    import torch

    weights = torch.zeros(2, requires_grad=True)
    optimiser = torch.optim.Adam([weights], lr=0.1)
    loss = torch.nn.functional.cross_entropy(torch.softmax(weights, 0)[None, :],
                                             torch.zeros(1, dtype=torch.long))
    loss.backward()
    optimiser.step()
    task.update(0.6, "loading the transformer library")
    try:
        from transformers import GPT2Config, GPT2Model  # noqa: F401  the sequential model
    except ImportError:  # the sequential model then says so when it is chosen
        pass
    task.update(0.9, "loading gensim")
    try:
        from gensim.models import Word2Vec  # noqa: F401  word2vec and item2vec
    except ImportError:
        pass
    freeze_heap()


def freeze_heap() -> None:
    """Keep the objects that exist now (the libraries just loaded) out of Python's cyclic
    garbage collection from here on.

    A full collection holds the interpreter lock while it walks every tracked object;
    with torch, transformers, gensim, pandas and matplotlib loaded, that is a long pause
    during which no thread, the UI thread included, runs Python: the window froze once
    or twice a run, whichever thread's allocation set the collection off. The loaded
    modules live as long as the process anyway (``gc.freeze``, as the Python docs advise
    after start-up); what runs later is collected as usual, and quickly.
    """
    gc.collect()
    gc.freeze()


def run_pipeline(db: Database, dataset: str, settings: RunSettings, task: Task) -> int:
    """The Run screen's settings run on ``dataset`` (:func:`application.runs.run_dataset`,
    as ``main.py run`` does), where they say; the run id."""
    settings.check()
    run_id, _ = run_dataset(db, dataset, settings.to_config(PreprocessOptions()), task,
                            threads=settings.threads or None,
                            compute=settings.compute_choice())
    return run_id


def update_run(db: Database, run_id: int, task: Task,
               compute: ComputeChoice = ComputeChoice()) -> tuple[int, Drift]:
    """A new run from ``run_id``'s model updated with the data added since (its lists
    made on ``compute``); its id, and how far the dataset has drifted from the model's
    last full fit."""
    new_id, _, drift = update_and_save(db, run_id, task, compute=compute)
    return new_id, drift


def retrain_run(db: Database, run_id: int, task: Task,
                compute: ComputeChoice = ComputeChoice()) -> int:
    """The full pipeline again with ``run_id``'s recorded configuration, on ``compute``;
    the new run's id."""
    new_id, _ = retrain_and_save(db, run_id, task, compute=compute)
    return new_id


def check_cluster(address: str, task: Task) -> ClusterInfo:
    """The Run screen's connection check: the Ray cluster at ``address``, its nodes,
    CPUs and GPUs (a DataError that says what is wrong when it cannot be used)."""
    task.begin(Stage.PREPARE, f"connecting to the Ray cluster at {address}")
    info = connect(address)  # which leaves nothing connected when it fails
    disconnect()
    return info


def load_user_index(db: Database, dataset: str, run_id: int | None, task: Task) -> UserTable:
    """The users of ``dataset`` (with ``run_id``'s gates) made ready for the table."""
    task.begin(Stage.USERS, f"loading the users of {dataset}")
    index = user_index(db, dataset, run_id)
    task.update(0.7, "sorting the users")
    return prepare_table(index)
