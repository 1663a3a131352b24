"""A run's fits and its scoring on a Ray cluster (Ray Core tasks, Ray Data).

Fits: each model to fit is its own Ray task with its resources declared (a CPU; a GPU
as well for a torch model when the cluster has one), so a fusion's components fit side
by side on the cluster's nodes; the transformer trains with Ray Train's TorchTrainer
across :data:`TRAIN_WORKERS` workers instead (data parallel, :mod:`engine.cluster.trainer`),
beside the other fits; the fusion then learns its small gate here, reusing them
(:meth:`Composite.reuse <engine.models.base.Composite.reuse>`). The inputs go to the
object store once, as arrays (:mod:`engine.cluster.shipping`); a fitted model comes
back as the bytes of :mod:`engine.models.serialize`, never as a pickle.

Scoring: every user's list is a Ray Data ``map_batches`` over shards of users, whose
workers load the fitted model once each and score their shards with
:func:`engine.pipeline.compute.score_users`, the very code of a local run; the lists
come back here and storage writes them in one transaction, as after a local run.

Same seed, same data, same results: the tasks run the models' own ``fit`` with the
run's settings, so the deterministic models give the lists of a local run exactly
(tests/ray); the transformer is seeded alike, but its workers each sum their share of a
batch and then average, in another order than one process summing it all, and each
draws the dropout masks of its own rows, so its lists agree within the tolerance stated
in docs/scale-out.md.

Progress comes from the workers (their fits report into a small actor that this
process reads; scoring reports as shards arrive), and a cancel stops the cluster's
tasks (``ray.cancel``) or the Ray Data execution. A worker lost mid-task is retried by
Ray (:data:`RETRIES`; Ray Data's own for scoring); a run that still fails raises, and
the run's life cycle stores nothing of it.
"""
from __future__ import annotations

import logging
from typing import Any

import numpy as np
import ray
import scipy.sparse as sp

from engine.cluster.board import REPORT_INTERVAL, ProgressBoard, reporter
from engine.cluster.session import ClusterError, ClusterInfo
from engine.cluster.shipping import (Plain, fit_inputs_from, history_from, matrix_from,
                                     plain_fit_inputs, plain_history, plain_matrix)
from engine.cluster.trainer import STOP_SECONDS, train_on_cluster, trains_with_ray_train
from engine.core.errors import DataError
from engine.core.progress import SubTask, Task
from engine.data.dataset import Dataset, History, Validation
from engine.evaluation.ranking import user_batches
from engine.models import make_model
from engine.models.base import Composite, Recommender
from engine.models.context import FitContext
from engine.models.serialize import model_from_bytes, model_to_bytes
from engine.pipeline.compute import Compute, ScoredLists, score_users

#: Times Ray runs a fit task again when its worker process or node is lost (an error the
#: fit itself raises is never retried); Ray Data restarts a lost scoring worker and
#: scores its shard again, as it does by default.
RETRIES = 2
#: Users per scoring shard: each is a unit of progress, of cancel and of retry.
SHARD_USERS = 4096
#: TorchTrainer workers for the transformer's fit, at most (fewer where the cluster has
#: fewer CPUs, or GPUs for a fit on GPUs): each worker trains on its share of every
#: batch, and more of them exchange more gradients per step for less work each.
TRAIN_WORKERS = 2


@ray.remote(max_retries=RETRIES)
def fit_on_worker(name: str, model: bytes, inputs: Plain, context: dict[str, Any],
                  board: Any) -> bytes:
    """One model fitted on a cluster worker: from its bytes (unfitted) to its bytes."""
    fitted = model_from_bytes(model)
    train, dataset, valid = fit_inputs_from(inputs)
    task = Task()
    task.listeners.append(reporter(board, name))
    fitted.fit(train, dataset, task, valid, context=FitContext(**context))
    return model_to_bytes(fitted)


class ScoreShards:
    """Ray Data's scoring worker: the fitted model and the history loaded once, then
    one shard of user positions after another."""

    def __init__(self, refs: list[Any], k: int, details: bool) -> None:
        model, history, exclude, self._users = ray.get(refs)
        self._k, self._details = k, details
        self._model = model_from_bytes(model)
        self._history = history_from(history)
        self._exclude = None if exclude is None else matrix_from(exclude)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        positions = batch["data"]
        scored = score_users(self._model, self._users[positions], self._history, self._k,
                             self._exclude, None, self._details)
        out = {"position": positions, "items": scored.items, "scores": scored.scores}
        out.update({f"part {name}": part for name, part in scored.contributions.items()})
        if scored.gate is not None:
            out["gate"] = np.asarray(scored.gate)
        if scored.vectors is not None:
            out["vectors"] = np.asarray(scored.vectors)
        return out


class RayCompute(Compute):
    """The cluster this process is connected to (:func:`engine.cluster.session.connect`)."""

    def __init__(self, info: ClusterInfo, train_workers: int = TRAIN_WORKERS) -> None:
        self.info = info
        self.train_workers = train_workers

    # -- fits ------------------------------------------------------------------------------

    def fit(self, model: Recommender, train: History, dataset: Dataset,
            task: Task | None = None, valid: Validation | None = None, *,
            context: FitContext = FitContext()) -> Recommender:
        """``model`` fitted on the cluster; a composite's members each as their own task,
        side by side, then its own small fit (the gate) here with them reused."""
        if not isinstance(model, Composite):
            return self._fit_all({model.name: model}, train, dataset, valid, task,
                                 context)[model.name]
        members = {name: make_model(name, **model.component_params.get(name, {}))
                   for name in model.unfitted_members(dataset)}
        cost = sum(type(m).fit_cost for m in members.values())
        share = cost / (cost + 1.0)  # the members' share of the progress; the gate's the rest
        part = None if task is None else SubTask(task, 0.0, share)
        model.reuse(self._fit_all(members, train, dataset, valid, part, context))
        rest = None if task is None else SubTask(task, share, 1.0)
        return model.fit(train, dataset, rest, valid, context=context)

    def _fit_all(self, models: dict[str, Recommender], train: History, dataset: Dataset,
                 valid: Validation | None, task: Task | None, context: FitContext
                 ) -> dict[str, Recommender]:
        """Each model fitted as its own task, all at once; the fitted models by name."""
        if not models:
            return {}
        if context.text_vectors is not None:
            raise ValueError("a fit on a Ray cluster reads its text vectors from the "
                             "model's parameters, not from the fit's context")
        settings = {"seed": context.seed, "device": context.device, "threads": context.threads}
        inputs = ray.put(plain_fit_inputs(train, dataset, valid))
        board = ProgressBoard.remote()  # type: ignore[attr-defined]
        pending = {self._submit(name, model, inputs, settings, board): name
                   for name, model in models.items()}
        costs = {name: type(model).fit_cost for name, model in models.items()}
        fitted: dict[str, Recommender] = {}
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=len(pending),
                                    timeout=REPORT_INTERVAL)
                for ref in ready:
                    name = pending.pop(ref)
                    fitted[name] = model_from_bytes(_result(ref, f"fitting {name}"))
                if task is not None:
                    self._report(task, ray.get(board.read.remote()), costs, fitted)
        except BaseException:  # a cancel, or another member failed: stop the others
            _stop(list(pending), {ref for ref, name in pending.items()
                                  if trains_with_ray_train(models[name])})
            raise
        finally:
            ray.kill(board)
        return fitted

    def _submit(self, name: str, model: Recommender, inputs: Any, settings: dict[str, Any],
                board: Any) -> Any:
        """The task that fits ``model``: a TorchTrainer's for the transformer, as many
        workers as :meth:`_train_workers` gives it; else one task with its resources."""
        resources = self._resources(model)
        if not trains_with_ray_train(model):
            return fit_on_worker.options(name=f"fit {name}", **resources).remote(
                name, model_to_bytes(model), inputs, settings, board)
        on_gpu = resources["num_gpus"] > 0
        return train_on_cluster.options(name=f"train {name}", max_retries=RETRIES).remote(
            name, model_to_bytes(model), [inputs], settings, board,
            self._train_workers(model.batch_size, on_gpu), on_gpu, RETRIES)

    def _train_workers(self, batch_size: int, on_gpu: bool) -> int:
        """:attr:`train_workers`, at most one per CPU (per GPU on GPUs) and one per
        window of a batch (every worker takes rows of each), at least one."""
        devices = self.info.gpus if on_gpu else self.info.cpus
        return max(1, min(self.train_workers, devices, batch_size))

    @staticmethod
    def _report(task: Task, board: dict[str, tuple[float, str]], costs: dict[str, float],
                fitted: dict[str, Recommender]) -> None:
        """The fits' progress as one fraction (each weighed by its expected cost), with
        what each worker said last; a safe point."""
        def done(name: str) -> float:
            return 1.0 if name in fitted else board.get(name, (0.0, ""))[0]
        fraction = sum(costs[n] * done(n) for n in costs) / sum(costs.values())
        status = "; ".join(f"{n}: done" if n in fitted else
                           f"{n}: {board[n][1] or f'{board[n][0]:.0%}'}" if n in board else
                           f"{n}: waiting for a worker" for n in costs)
        task.update(fraction, f"on the cluster: {status}")

    def _resources(self, model: Recommender) -> dict[str, float]:
        """A CPU; a GPU as well for a torch model that may use one, when there is one."""
        field = type(model).Params.run_fields().get("device")
        on_gpu = (field is not None and self.info.gpus > 0
                  and getattr(model, field, None) in (None, "auto", "cuda"))
        return {"num_cpus": 1, "num_gpus": 1 if on_gpu else 0}

    # -- scoring ---------------------------------------------------------------------------

    def score(self, model: Recommender, users: np.ndarray, history: History, k: int,
              exclude: sp.csr_matrix | None = None, task: Task | None = None,
              details: bool = True) -> ScoredLists:
        """Every user's top-``k``, scored by Ray Data workers in shards of about
        :data:`SHARD_USERS` users (one worker per cluster CPU), each shard made of the
        very user batches a local run scores: a matrix product over other rows may sum
        in another order, and the lists would differ in the last bits."""
        import ray.data

        users = np.asarray(users)
        if not len(users):
            return ScoredLists.joined([])
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # progress goes to the task, as a local run's
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        refs = [ray.put(model_to_bytes(model)), ray.put(plain_history(history)),
                ray.put(None if exclude is None else plain_matrix(exclude)), ray.put(users)]
        # whole batches of a local run's: the same products, so the same sums to the bit
        batches = list(user_batches(np.arange(len(users)), history.n_items))
        per_shard = max(1, SHARD_USERS // len(batches[0]))
        shards = [np.concatenate(batches[i:i + per_shard])
                  for i in range(0, len(batches), per_shard)]
        workers = max(1, min(self.info.cpus, len(shards)))
        # Ray Data restarts a lost worker and runs its shard again (its default)
        lists = ray.data.from_numpy(shards).map_batches(
            ScoreShards, fn_constructor_args=(refs, k, details), batch_size=None,
            batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=1)
        parts: list[dict[str, np.ndarray]] = []
        done = 0
        try:
            for batch in lists.iter_batches(batch_size=None, batch_format="numpy"):
                parts.append(batch)
                done += len(batch["position"])
                if task is not None:
                    task.update(done / len(users), f"on the cluster: {done:,} of "
                                                   f"{len(users):,} users scored")
        except ray.exceptions.RayError as error:
            raise _lost(error, "scoring the users") from None
        return _assembled(parts, len(users))


def _assembled(parts: list[dict[str, np.ndarray]], n: int) -> ScoredLists:
    """The shards' rows back in the users' order, whatever order they arrived in."""
    columns = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    order = np.argsort(columns.pop("position"), kind="stable")
    if len(order) != n:
        raise ClusterError(f"the cluster returned {len(order):,} lists for {n:,} users")
    columns = {name: value[order] for name, value in columns.items()}
    return ScoredLists(columns.pop("items"), columns.pop("scores"),
                       {name.removeprefix("part "): value for name, value in columns.items()
                        if name.startswith("part ")},
                       columns.get("gate"), columns.get("vectors"))


def _stop(refs: list[Any], trainers: set[Any]) -> None:
    """End the fit tasks ``refs``: killed at once, but for the ``trainers``, which are
    interrupted: to Ray Train a Ctrl-C, which aborts its run and gives back the CPUs its
    workers held (a trainer killed outright would keep them until this process leaves
    the cluster). One still running after :data:`STOP_SECONDS` is killed too."""
    for ref in refs:
        ray.cancel(ref, force=ref not in trainers)
    if trainers:
        _, running = ray.wait(list(trainers), num_returns=len(trainers), timeout=STOP_SECONDS)
        for ref in running:
            ray.cancel(ref, force=True)


def _result(ref: Any, what: str) -> Any:
    """A finished task's value; an error of the fit itself is raised as it was raised
    on the worker, a loss of the worker (after Ray's retries) as a ClusterError."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as error:
        cause = error.cause
        if isinstance(cause, (DataError, ValueError)):
            raise cause from None
        raise
    except ray.exceptions.RayError as error:
        raise _lost(error, what) from None


def _lost(error: BaseException, what: str) -> ClusterError:
    if isinstance(error, ray.exceptions.RayTaskError) and isinstance(
            error.cause, (DataError, ValueError)):
        return ClusterError(f"{what} on the cluster failed: {error.cause}")
    return ClusterError(f"{what} on the cluster failed, after Ray retried the work of any "
                        f"lost worker ({type(error).__name__}: {str(error).splitlines()[0]})")

