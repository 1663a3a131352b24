"""What training the transformer is made of, apart from the model itself: its training
windows, the sampled-softmax loss, and :class:`Replicas`, where one training process
stands among data-parallel copies of the same fit.

:mod:`engine.models.sequential` has one training loop. On this computer it runs alone
(:data:`ALONE`, which changes nothing); on a Ray cluster, :mod:`engine.cluster.trainer`
runs the same loop in every Ray Train worker with a :class:`Replicas` of its own that
wraps the network in DistributedDataParallel, gives each worker its share of every batch
and lets rank 0 take the decisions that all workers must take alike (stop early, out of
time). Keeping those hooks here, rather than a second loop in the cluster package, is
what keeps the two fits the same fit.
"""
from __future__ import annotations

import math
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Callable

import numpy as np

if TYPE_CHECKING:
    import torch


def training_windows(items: np.ndarray, indptr: np.ndarray, length: int,
                     rng: np.random.Generator) -> np.ndarray:
    """Left-padded windows of ``length`` tokens (item id + 1; 0 = padding) over all users.

    Per user with ``n >= 2`` items: one window ending at the last item (exclusive end
    ``n``), then windows with exclusive ends ``n - r - (k - 1) * (length - 1)`` for
    ``k = 1, 2, ...`` while at least two items remain, ``r`` drawn from ``[1, length - 1]``
    per user (by ``rng``). Consecutive windows share at least one item, so every
    transition is a target in some window. Returns an int64 array (n_windows, length).
    """
    lengths = np.diff(indptr)
    users = np.flatnonzero(lengths >= 2)
    n = lengths[users]
    stride = length - 1
    shift = rng.integers(1, stride + 1, size=len(users))
    older = np.where(n - shift >= 2, (n - shift - 2) // stride + 1, 0)  # besides the latest
    count = older + 1
    owner = np.repeat(np.arange(len(users)), count)
    k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    end = np.where(k == 0, n[owner], n[owner] - shift[owner] - (k - 1) * stride)
    offsets = end[:, None] - length + np.arange(length)[None, :]  # position within the user
    real = offsets >= 0
    start = indptr[users][owner]
    tokens = np.zeros(offsets.shape, dtype=np.int64)
    tokens[real] = items[(start[:, None] + offsets)[real]].astype(np.int64) + 1
    return tokens



def negative_distribution(counts: np.ndarray, sampling: str) -> np.ndarray:
    """float64 probabilities over items for drawing sampled-softmax negatives.

    ``popularity``: proportional to the training counts (items nobody took are never
    drawn; they are never targets either). ``uniform``: every item alike.
    """
    if sampling == "uniform":
        return np.full(len(counts), 1.0 / len(counts))
    counts = np.asarray(counts, dtype=np.float64)
    return counts / counts.sum()


def sampled_cross_entropy(hidden: "torch.Tensor", table: "torch.Tensor", targets: "torch.Tensor",
                          negatives: "torch.Tensor", log_q: "torch.Tensor") -> "torch.Tensor":
    """Summed sampled-softmax cross-entropy with the logQ correction.

    ``hidden`` (windows, length, d) are the hidden states, ``table`` (n_items + 1, d) the
    item table (row 0 padding), ``targets`` (windows, length) item ids with -1 where a
    position has no target, ``negatives`` (windows, k) item ids drawn for each window and
    shared by its positions (or (1, k), shared by all windows), ``log_q`` (n_items,) the
    log of each item's expected count among k draws.

    Each target's logits are its own item (index 0) and its window's negatives, each
    minus its ``log_q``, as TensorFlow's ``sampled_softmax_loss`` (``subtract_log_q``)
    and Yi et al. 2019: without the correction the popular items, drawn over and over,
    would be pushed down far more than full softmax pushes them. With uniform draws the
    correction is the same for every logit and changes nothing. A negative equal to the
    target (an accidental hit) is masked rather than counted against it.
    """
    import torch
    import torch.nn.functional as F

    real = targets >= 0
    items = targets.clamp(min=0)
    positive = (hidden * table[items + 1]).sum(dim=-1) - log_q[items]
    rows = table[negatives + 1]  # (windows or 1, k, d)
    negative = torch.matmul(hidden, rows.transpose(1, 2)) - log_q[negatives][:, None, :]
    hits = negatives[:, None, :] == items[:, :, None]
    logits = torch.cat([positive[..., None], negative.masked_fill(hits, -math.inf)], dim=-1)
    logits = logits[real]  # (targets, 1 + k)
    zero = torch.zeros(len(logits), dtype=torch.long, device=hidden.device)
    return F.cross_entropy(logits, zero, reduction="sum")


class Replicas:
    """Where this training process stands among ``world`` copies of one fit: ``rank``,
    the device it trains on (None: the model's own setting), and the few points where
    the copies must act as one. This base class is a fit alone (every hook a no-op);
    :class:`engine.cluster.trainer.DataParallel` is one copy of a distributed fit.

    The training loop asks for: the network it trains through (:meth:`wrap`; the bare
    network still scores and is what the fit keeps), its rows of each batch
    (:meth:`shard`), whether a backward pass should leave the gradients unshared for now
    (:meth:`accumulating`, all but the last part of a split batch), a value decided once for
    all copies (:meth:`agree`: rank 0 computes it, the others receive it, so that they
    stop at the same epoch; a copy that stopped alone would leave the others waiting in
    their next gradient exchange), a sum over the copies (:meth:`summed`, the loss) and
    the batches that give every copy rows (:meth:`usable_batches`).
    """

    rank: int = 0
    world: int = 1
    device: "torch.device | None" = None

    def wrap(self, net: "torch.nn.Module") -> "torch.nn.Module":
        return net

    def shard(self, rows: "torch.Tensor") -> "torch.Tensor":
        """This copy's rows of a batch that every copy drew alike (rank, rank + world...)."""
        return rows if self.world == 1 else rows[self.rank::self.world]

    def accumulating(self, module: "torch.nn.Module", more: bool
                     ) -> AbstractContextManager[object]:
        """Around a part of a batch: with ``more`` parts to come, the gradients stay here
        until the batch's last part, so they are exchanged once per step."""
        return nullcontext()

    def agree(self, decide: Callable[[], float]) -> float:
        return decide()

    def summed(self, value: float) -> float:
        return value

    def usable_batches(self, n_windows: int, batch_size: int) -> int:
        """Batches of an epoch of ``n_windows``: all of them, less a last one too small to
        give every copy a row (a copy with nothing to learn from would have no gradient
        to exchange)."""
        batches = math.ceil(n_windows / batch_size)
        last = n_windows - (batches - 1) * batch_size
        return batches - 1 if batches and last < self.world else batches


#: A fit on its own: the local one.
ALONE = Replicas()
