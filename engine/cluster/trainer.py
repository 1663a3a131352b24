"""The transformer's fit on a Ray cluster: Ray Train's TorchTrainer, data parallel.

The other models fit as one Ray task each (:mod:`engine.cluster.ray_compute`); the
transformer, whose epochs are the longest fit of a run, trains with
``ray.train.torch.TorchTrainer`` across several workers instead (CPU or GPU). Every
worker runs the model's own training loop (:meth:`SequentialTransformer.fit
<engine.models.sequential.SequentialTransformer.fit>`) with a :class:`DataParallel` copy
of its :class:`~engine.models.sequential_training.Replicas` hook: the network wrapped in
DistributedDataParallel (``ray.train.torch.prepare_model``), every worker on its rows
of each batch (all draw the same windows from the same seed; rank r takes rows r, r + N,
...), gradients averaged by DDP, and the decisions every worker must take alike (stop
early, out of time) taken by rank 0 and broadcast: a worker that stopped alone would
leave the others waiting in their next gradient exchange.

Rank 0 reports progress into the run's :class:`~engine.cluster.board.ProgressBoard`
and returns the fitted model's bytes (:mod:`engine.models.serialize`) as the training
function's return value (Ray Train's ``Result.return_value``), so no checkpoint is
written and no storage shared between the nodes is needed. The trainer itself runs in
a Ray task that holds no CPU (:func:`train_on_cluster`), and cancelling that task ends
the trainer's run, its controller and its workers (see there how).
"""
from __future__ import annotations

import shutil
import tempfile
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, Callable, TypeGuard

import ray

from engine.cluster.board import reporter
from engine.cluster.session import ClusterError
from engine.cluster.shipping import fit_inputs_from
from engine.core.errors import DataError
from engine.core.progress import Task
from engine.models.context import FitContext
from engine.models.sequential import SequentialTransformer
from engine.models.sequential_training import Replicas
from engine.models.serialize import model_from_bytes, model_to_bytes

if TYPE_CHECKING:
    import torch

#: What the progress of a transformer's fit says first: the trainer and its workers.
TRAINER = "TorchTrainer"
#: Seconds a cancelled trainer may take to abort its run before its task is killed.
STOP_SECONDS = 30.0


class DataParallel(Replicas):
    """One TorchTrainer worker's copy of a fit: rank, world size and device as Ray Train
    assigned them, gradients shared through the process group Ray Train set up (gloo on
    CPUs, NCCL on GPUs)."""

    def __init__(self) -> None:
        import ray.train
        import ray.train.torch

        context = ray.train.get_context()
        self.rank, self.world = context.get_world_rank(), context.get_world_size()
        self.device = ray.train.torch.get_device()

    def wrap(self, net: "torch.nn.Module") -> "torch.nn.Module":
        """``net`` in DistributedDataParallel (as it is with one worker). GPT-2's own
        token table is frozen first: the model feeds its item vectors instead, so that
        table never gets a gradient, and DDP refuses a step where a trainable weight had
        none. Its buffers are constants, so they are not broadcast at every step."""
        import ray.train.torch

        if self.world > 1:
            net.gpt.wte.weight.requires_grad_(False)  # type: ignore[union-attr]
        return ray.train.torch.prepare_model(
            net, move_to_device=False, parallel_strategy_kwargs={"broadcast_buffers": False})

    def accumulating(self, module: "torch.nn.Module", more: bool
                     ) -> AbstractContextManager[object]:
        if more and self.world > 1:
            return module.no_sync()  # type: ignore[operator]
        return nullcontext()

    def agree(self, decide: Callable[[], float]) -> float:
        """Rank 0's value, computed there only and broadcast to the other workers."""
        if self.world == 1:
            return decide()
        import torch
        import torch.distributed as dist

        value = torch.tensor([decide() if self.rank == 0 else 0.0], dtype=torch.float64,
                             device=self.device)
        dist.broadcast(value, src=0)
        return float(value.item())

    def summed(self, value: float) -> float:
        if self.world == 1:
            return value
        import torch
        import torch.distributed as dist

        total = torch.tensor([value], dtype=torch.float64, device=self.device)
        dist.all_reduce(total)
        return float(total.item())


def train_worker(config: dict[str, Any]) -> bytes | Exception | None:
    """What each TorchTrainer worker runs: the model's own fit as one copy of it. Rank 0
    reports progress and returns the fitted model's bytes; an error of the fit itself
    (bad input, the same on every worker) is returned rather than raised, so that Ray
    Train does not start the workers again for it, as for a lost worker."""
    replicas = DataParallel()
    model = model_from_bytes(config["model"])
    train, dataset, valid = fit_inputs_from(ray.get(config["inputs"][0]))
    task = None
    if replicas.rank == 0:
        task = Task()
        task.listeners.append(reporter(config["board"], config["name"],
                                       f"{describe(replicas.world)}: "))
    try:
        model.fit(train, dataset, task, valid, context=FitContext(**config["context"]),
                  replicas=replicas)
    except (DataError, ValueError) as error:
        return error
    return model_to_bytes(model) if replicas.rank == 0 else None


def describe(workers: int) -> str:
    """``TorchTrainer, 2 workers``: how the progress names the trainer."""
    return f"{TRAINER}, {workers} worker{'' if workers == 1 else 's'}"


@ray.remote(num_cpus=0)
def train_on_cluster(name: str, model: bytes, inputs: list[Any], context: dict[str, Any],
                     board: Any, workers: int, use_gpu: bool, retries: int) -> bytes:
    """``model`` (a transformer's bytes, unfitted) fitted by a TorchTrainer of
    ``workers`` workers, each holding a CPU (and a GPU with ``use_gpu``); its bytes.
    ``inputs`` holds the fit inputs' object reference, handed on to the workers. A lost
    worker starts the workers again, ``retries`` times at most; a trainer that waits for
    free CPUs (the run's other fits hold them) simply waits.

    ``trainer.fit`` runs in this task's main thread on purpose: there Ray Train takes
    SIGINT as a Ctrl-C and aborts its run gracefully (controller, workers, and the
    placement group that holds their CPUs), and a ``ray.cancel`` without force is that
    signal in this process. Killed instead, the task would take the controller and the
    workers with it but leave their CPUs reserved until the driver leaves the cluster.
    """
    from ray.train import FailureConfig, RunConfig, ScalingConfig, TrainingFailedError
    from ray.train.torch import TorchTrainer

    board.report.remote(name, 0.0, f"{describe(workers)}: waiting for the workers")
    # Nothing is checkpointed, but Ray Train keeps a folder for its run (on this node, where
    # its controller runs too): a temporary one, removed after
    storage = tempfile.mkdtemp(prefix="ifs_train_")
    trainer = TorchTrainer(
        train_worker,
        train_loop_config={"name": name, "model": model, "inputs": inputs,
                           "context": context, "board": board},
        scaling_config=ScalingConfig(num_workers=workers, use_gpu=use_gpu),
        run_config=RunConfig(name=f"fit-{name}", storage_path=storage,
                             failure_config=FailureConfig(max_failures=retries)))
    try:
        value = trainer.fit().return_value
    except TrainingFailedError as error:
        raise ClusterError(f"fitting {name} on the cluster failed, after Ray Train started "
                           f"its workers again {retries} times ({type(error).__name__}: "
                           f"{str(error).splitlines()[0]})") from None
    finally:
        shutil.rmtree(storage, ignore_errors=True)
    if isinstance(value, Exception):
        raise value
    return value  # type: ignore[no-any-return]


def trains_with_ray_train(model: object) -> TypeGuard[SequentialTransformer]:
    """Whether a cluster fits ``model`` with the TorchTrainer (the transformer) rather
    than as one task."""
    return isinstance(model, SequentialTransformer)
