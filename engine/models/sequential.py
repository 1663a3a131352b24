"""Short-term interests: a causal transformer (GPT-2 blocks) over each user's item sequence.

SASRec is a GPT-style decoder over item ids; recent reproducibility studies (Klenitskiy &
Vasilev 2023, "Turning Dross Into Gold Loss: is BERT4Rec really better than SASRec?";
Petrov & Macdonald's gSASRec) found that what makes it strong is the loss: full-softmax
cross-entropy over *all* items at every position instead of one sampled negative. This
model is that recipe ("SASRec+") on the Hugging Face ``GPT2Model`` blocks, trained from
scratch from a config (nothing is downloaded):

* Tokens are item ids shifted by one; 0 is padding. Sequences are left-padded so that the
  last real action always sits at the last position, whose hidden state is the user's
  short-term interest. Learned positions then count back from the latest action.
* We keep our own item-embedding table and feed ``inputs_embeds`` rather than use
  ``GPT2LMHeadModel``: the output layer is tied to the same table (logits = hidden @ E^T,
  as in SASRec), and the table can be the sum of a free per-item vector and a learned
  projection of the item's text vector (``text_init``), which a vocabulary-sized
  ``wte`` inside the LM head model could not express. GPT-2's own ``wte`` is left at one
  row and unused.
* Training data: every training sequence is cut into windows of ``max_len + 1`` items.
  The most recent window always ends at the user's last item; the older ones are chained
  back from a random offset that is redrawn every epoch, so the whole history is used (not only the
  tail, as in the original SASRec), every transition is a target at least once per epoch
  and older items are seen with varied contexts. Every real position predicts the next
  item; positions whose input is padding are ignored.
* The loss is full softmax up to ``full_softmax_items`` items. Its cost per epoch grows
  with targets x items x hidden, so on a catalogue of many thousands of items a CPU fit
  within its time budget stops after a few epochs, long before it converges. Beyond the
  threshold the model trains with sampled softmax as SASRec+ and gSASRec do on large
  catalogues: for every training window ``negatives`` items are drawn (by popularity
  or uniformly) and shared by the window's targets, each logit is corrected by the log
  of its item's expected count among the draws (the logQ correction of Yi et al. 2019,
  without which popular negatives would be over-penalised) and a negative equal to the
  target is masked (:func:`sampled_cross_entropy`). Drawing per window rather than once
  per batch costs the same but makes nearly every item a negative somewhere in each
  step, as in full softmax; with one draw per batch most item rows went untouched for
  many steps and fits stayed at popularity's level (bench/results/sequential_large.md).
  The fit's status and log say which loss it chose and why. Scoring is unchanged: every
  item is scored against the whole table.
* Early stopping on validation NDCG@10 (the same masking, ties and metric code as
  :func:`engine.evaluation.evaluate.evaluate`), keeping the best epoch's weights. The
  measure reads at most ``valid_users`` users (a seeded sample), lest it cost as much as
  the epoch it judges on a large log. A wall-clock budget bounds the whole fit, validation
  included: training stops when it is spent, mid-epoch if need be (that part is validated
  like a whole epoch), so a fit overruns it by a few batches and one validation at most.
  Seeded; bitwise repeatable on the CPU as long as the budget does not cut training short
  (``time_budget=0`` makes the epoch count independent of the machine).

Figures are kept in bench/results/, not here (the rule for every model docstring). The
defaults (SASRec/RecBole sizes; lr and dropout chosen on ml-100k validation) are
measured in bench/results/fusion_ml100k.md (the ``sequential`` row; epochs trained and
kept in the .json), where the model beats RecBole's SASRec and GRU4Rec of
bench/results/ml100k.md. ``text_init`` reaches the same plateau in fewer epochs but did
not raise test NDCG (bench/results/experiments.md), so it is off. The loss's defaults
(the full-softmax threshold, the number of negatives and how they are drawn) are
measured in bench/results/sequential_large.md, on a 9,000-item shop and on ml-100k.

Updates do not train: the model reads each user's latest items, new ones included, at
scoring time. Items it never trained on (added since the fit, or nobody's before) get
the mean table row of their trained neighbours (:mod:`engine.models.foldin`), so the
item table grows while every trained weight stays as it was; the MovieLens replay keeps
the updated transformer within noise of a retrained one
(bench/results/incremental_ml100k.md, ``sequential (held-out)``). Learning from the new
events on update was tried and left out: the gap it closed was a fit cut short, not the
new events, and it vanished once fits ran to early stopping
(bench/results/experiments.md). A stored model holds its weights on the CPU and goes to its
device again when loaded.
"""
from __future__ import annotations

import contextlib
import copy
import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from engine.core.device import resolve_device, seed_everything, set_threads
from engine.core.errors import DataError
from engine.core.progress import Task
from engine.data.dataset import Dataset, History
from engine.data.features import item_vectors as catalogue_vectors
from engine.evaluation.metrics import MetricAccumulator
from engine.evaluation.ranking import mask_seen, sample_users, top_k
from engine.models.base import Commit, NotFittedError, Recommender, Validation, commit, report
from engine.models.context import FitContext, ItemVectors
from engine.models.foldin import neighbour_mean, neighbour_weights
from engine.models.params import ModelParams, setting
from engine.models.popularity import item_popularity
from engine.models.sequential_training import (ALONE, Replicas, negative_distribution,
                                               sampled_cross_entropy, training_windows)

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

_SCORE_BATCH = 512  # users per forward pass when scoring
_CLOCK_EVERY = 16  # batches between two looks at the budget's clock (one agreement each)


def mixed_precision(device: "torch.device") -> "contextlib.AbstractContextManager[object]":
    """bfloat16 autocast on a CUDA device (forward passes and logits in half the bytes,
    on the GPU's tensor cores; weights, optimiser and the loss stay float32, so no loss
    scaling is needed), nothing on the CPU, where every result stays as it was."""
    import torch

    if device.type != "cuda":
        return contextlib.nullcontext()
    return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
_LOGITS_PER_PASS = 1 << 25  # logits per training forward pass: ~0.4 GB with their gradient


def recent_tokens(history: History, users: np.ndarray, length: int) -> np.ndarray:
    """The last ``length`` items of each user as left-padded tokens, oldest first."""
    return history.last_items(users, length)[:, ::-1] + 1  # -1 padding becomes token 0


def _build_network(n_items: int, hidden: int, layers: int, heads: int, max_len: int,
                   dropout: float, text: np.ndarray | None) -> "torch.nn.Module":
    """The transformer with its tied item table; defined here so torch loads lazily."""
    import torch
    from torch import nn
    from transformers import GPT2Config, GPT2Model

    class Network(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            config = GPT2Config(
                vocab_size=1, n_positions=max_len, n_embd=hidden, n_layer=layers,
                n_head=heads, resid_pdrop=dropout, embd_pdrop=dropout, attn_pdrop=dropout,
                # exact GELU: same curve as GPT-2's tanh approximation, 15% faster on CPU
                activation_function="gelu",
                bos_token_id=None, eos_token_id=None, use_cache=False,
            )
            self.gpt = GPT2Model(config)
            std = config.initializer_range
            self.items = nn.Embedding(n_items + 1, hidden, padding_idx=0)
            nn.init.normal_(self.items.weight, std=std)
            with torch.no_grad():
                self.items.weight[0].zero_()
            self.projection: nn.Linear | None = None
            if text is not None:
                padded = np.vstack([np.zeros((1, text.shape[1]), np.float32), text])
                self.register_buffer("text", torch.from_numpy(padded))
                self.projection = nn.Linear(text.shape[1], hidden, bias=False)
                nn.init.normal_(self.projection.weight, std=std)
            self.register_buffer("positions", torch.arange(max_len), persistent=False)

        def table(self) -> torch.Tensor:
            """(n_items + 1, hidden) item vectors, row 0 padding: input and output layer."""
            weight = self.items.weight
            if self.projection is not None:
                weight = weight + self.projection(self.text)
            return weight

        def forward(self, tokens: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
            """Hidden states (batch, length, hidden) of left-padded ``tokens``."""
            length = tokens.shape[1]
            out = self.gpt(
                inputs_embeds=table[tokens],
                attention_mask=(tokens > 0).long(),
                position_ids=self.positions[max_len - length:].expand(tokens.shape[0], -1),
            )
            return out.last_hidden_state

    return Network()


def _network_from_state(state: dict[str, "torch.Tensor"], hidden: int, layers: int, heads: int,
                        max_len: int, dropout: float) -> "torch.nn.Module":
    """A network (on the CPU, in eval mode) holding ``state``; its sizes come from it."""
    import torch

    text = state.get("text")
    with torch.random.fork_rng(devices=[]):  # the throwaway initialisation leaves no trace
        net = _build_network(int(state["items.weight"].shape[0]) - 1, hidden, layers, heads,
                             max_len, dropout, None if text is None else text[1:].numpy())
    net.load_state_dict(state)
    return net.eval()


def _loaded_device(device: str) -> "torch.device":
    """The device a loaded model goes to: its own setting, or the CPU if that is missing."""
    try:
        return resolve_device(device)
    except DataError:
        log.warning("the stored model asked for device %r, which this machine lacks; "
                    "using the CPU", device)
        return resolve_device("cpu")


@dataclass(frozen=True)
class SequentialParams(ModelParams):
    """The transformer's settings; sizes as SASRec/RecBole, lr and dropout chosen on
    ml-100k validation."""

    hidden: int = setting(64, "Hidden size", "Transformer width (SASRec/RecBole: 64)")
    layers: int = setting(2, "Layers", "Transformer depth")
    heads: int = setting(2, "Attention heads", "Must divide the hidden size")
    max_len: int = setting(50, "Items read", "How many latest items the model reads (and the "
                           "training window length - 1)")
    dropout: float = setting(0.3, "Dropout", "Embedding, attention and residual dropout; "
                             "fairly high, as ml-100k is small")
    lr: float = setting(2e-3, "Learning rate", "AdamW step size")
    weight_decay: float = setting(0.0, "Weight decay", "AdamW's decoupled weight decay")
    batch_size: int = setting(128, "Batch size", "Training windows per step")
    full_softmax_items: int = setting(
        2000, "Full-softmax items", "Catalogues up to this many items train with "
        "cross-entropy over every item; larger ones with sampled softmax, whose cost per "
        "target does not grow with the catalogue")
    negatives: int = setting(256, "Sampled negatives", "Negatives drawn for each training "
                             "window and shared by its targets (sampled softmax only)")
    negative_sampling: Literal["popularity", "uniform"] = setting(
        "popularity", "Negative sampling", "popularity (as often as items were taken) or "
        "uniform; either way with the logQ correction (sampled softmax only)")
    max_epochs: int = setting(200, "Epochs (at most)", "Upper bound on epochs (all of them "
                              "without validation data)")
    patience: int = setting(10, "Patience", "Stop after this many epochs without a better "
                            "validation NDCG@10")
    valid_users: int = setting(5000, "Validation users", "Users early stopping measures "
                               "NDCG@10 on (a seeded sample beyond this many)")
    time_budget: float = setting(180.0, "Time budget (s)", "Wall-clock seconds for training "
                                 "and its validation (0 = unbounded); training stops when "
                                 "they are spent, mid-epoch if need be")
    text_init: bool = setting(False, "Text initialisation", "Add a learned projection of each "
                              "item's text vector to its embedding, so items with few "
                              "interactions start near similar items")
    seed: int | None = setting(None, "Seed", "None: the run's", run="seed")
    device: str | None = setting(None, "Device", "auto, cpu or cuda; None: the run's",
                                 run="device")
    threads: int = setting(0, "CPU threads", "torch CPU threads; 0: the run's (which leaves "
                           "torch's setting by default). One is the safe choice on a busy "
                           "machine, where OpenMP threads fighting other processes for the "
                           "cores slow epochs down many times", run="threads")
    item_vectors: ItemVectors | None = setting(
        None, "Item text vectors", "The text vectors for text_init (else the run's, else the "
        "catalogue's genres / TF-IDF); no hyper-parameter, so not recorded",
        run="text_vectors", recorded=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if min(self.hidden, self.layers, self.heads, self.max_len, self.batch_size,
               self.max_epochs) < 1:
            raise ValueError("hidden, layers, heads, max_len, batch_size and max_epochs "
                             "must be at least 1")
        if self.hidden % self.heads:
            raise ValueError(f"hidden ({self.hidden}) must be a multiple of heads "
                             f"({self.heads})")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")
        if self.negative_sampling not in ("popularity", "uniform"):
            raise ValueError("negative_sampling must be 'popularity' or 'uniform', not "
                             f"{self.negative_sampling!r}")
        if self.negatives < 1 or self.full_softmax_items < 0:
            raise ValueError("negatives must be at least 1 and full_softmax_items >= 0")
        if (self.patience < 1 or self.valid_users < 1 or self.time_budget < 0 or self.lr <= 0
                or self.weight_decay < 0 or self.threads < 0):
            raise ValueError("patience and valid_users must be >= 1, lr > 0, time_budget, "
                             "weight_decay and threads >= 0")


class SequentialTransformer(Recommender):
    """GPT-2 blocks over item sequences, full-softmax cross-entropy (sampled softmax on
    large catalogues), early stopping.

    Parameters: :class:`SequentialParams`. ``item_vectors`` (an array or a callable of
    the dataset, kept as ``_item_vectors``) goes into a stored model, so a callable must be
    an ItemTextVectors.
    """

    name: ClassVar[str] = "sequential"
    Params: ClassVar[type[ModelParams]] = SequentialParams
    sequential: ClassVar[bool] = True
    horizon: ClassVar[str] = "short"
    fit_cost: ClassVar[float] = 200.0
    incremental: ClassVar[bool] = True
    def __init__(self, params: SequentialParams | None = None, /, **values: object) -> None:
        super().__init__(params, **values)
        self._net: torch.nn.Module | None = None
        self._device: torch.device | None = None
        self._table: torch.Tensor | None = None  # cached item table for scoring
        self._log: list[dict[str, float]] = []
        self._best_epoch = 0
        self._objective = ""  # the training loss the fit chose, and why
        self._trained_items: np.ndarray | None = None  # bool per item: taken in the fit's data
        #: The device setting of the fit (the run's when ``device`` is None), which a
        #: loaded model goes back to.
        self._fit_device: str | None = None

    # ---------------------------------------------------------------- training
    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None, *, context: FitContext = FitContext(),
            replicas: Replicas = ALONE) -> "SequentialTransformer":
        """Trained alone, as a local run does; or, with ``replicas``, as one of several
        data-parallel copies of this fit that share its gradients (a Ray Train worker's,
        :mod:`engine.cluster.trainer`): the same loop, each copy on its rows of every batch."""
        import torch

        report(task, 0.0, "building the transformer")
        self._fit_device = context.setting("device", self.device)
        device = resolve_device(self._fit_device)  # a missing GPU is an error here too
        if replicas.device is not None:
            device = replicas.device  # the copy's own GPU among its node's, or the CPU
        set_threads(self.threads or context.threads or None)
        seed = context.setting("seed", self.seed)
        seed_everything(seed)
        rng = np.random.default_rng(seed)
        text = self._text_vectors(dataset, train.n_items, context) if self.text_init else None
        net = _build_network(train.n_items, self.hidden, self.layers, self.heads,
                             self.max_len, self.dropout, text).to(device)
        trained = replicas.wrap(net)  # what the batches go through; ``net`` scores
        optimiser = torch.optim.AdamW(trained.parameters(), lr=self.lr,
                                      weight_decay=self.weight_decay)
        self._net, self._device, self._table, self._log, self._best_epoch = net, device, None, [], 0
        counts = np.bincount(train.items, minlength=train.n_items)
        self._trained_items = counts > 0
        sampler = self._sampler(counts, device)
        log.info("sequential: %s", self._objective)
        report(task, 0.0, f"sequential: {self._objective}")
        start = time.perf_counter()
        deadline = start + self.time_budget if self.time_budget else math.inf
        checked = None if valid is None else sample_users(valid.users, self.valid_users,
                                                             np.random.default_rng(seed))
        best, best_state, since_best = -math.inf, None, 0
        for epoch in range(1, self.max_epochs + 1):
            tic = time.perf_counter()
            loss, share = self._train_epoch(net, trained, optimiser, train, rng, device, task,
                                            epoch, sampler, replicas, deadline)
            entry = {"epoch": float(epoch), "loss": loss}
            if share < 1.0:
                entry["share"] = share  # of the epoch's batches, when the budget cut it
            if valid is not None:
                entry["valid_ndcg10"] = replicas.agree(lambda: self._valid_ndcg(valid, checked))
            entry["seconds"] = time.perf_counter() - tic
            self._log.append(entry)
            report(task, epoch / self.max_epochs,
                   f"epoch {epoch}: loss {loss:.3f}"
                   + (f", valid NDCG@10 {entry['valid_ndcg10']:.4f}" if valid else ""))
            if valid is None:
                self._best_epoch = epoch
            elif entry["valid_ndcg10"] > best:
                best, since_best, self._best_epoch = entry["valid_ndcg10"], 0, epoch
                best_state = copy.deepcopy(net.state_dict())
            else:
                since_best += 1
                if since_best >= self.patience:
                    break
            # rank 0's clock, for every copy
            if share < 1.0 or replicas.agree(lambda: float(time.perf_counter() >= deadline)):
                break
        if best_state is not None:
            net.load_state_dict(best_state)
        net.eval()
        self._table = None
        report(task, 1.0, f"best epoch {self._best_epoch}")
        return self

    def method_for(self, n_items: int) -> str:
        if n_items <= self.full_softmax_items:
            return (f"{n_items:,} items <= {self.full_softmax_items:,}: full softmax over "
                    "every item")
        return (f"{n_items:,} items > {self.full_softmax_items:,}: sampled softmax, "
                f"{self.negatives} {self.negative_sampling} negatives per window with logQ "
                "correction")

    def budget_seconds(self) -> float | None:
        return self.time_budget or None

    def _sampler(self, counts: np.ndarray, device: "torch.device"
                 ) -> tuple[np.ndarray, "torch.Tensor"] | None:
        """Chooses the training loss by catalogue size (kept in ``_objective``): None for
        full softmax, else the negatives' cumulative distribution and every item's log
        expected count among the ``negatives`` draws, for :func:`sampled_cross_entropy`.

        Full softmax costs (targets x items x hidden) per epoch, so on a large catalogue
        an epoch takes many times longer and a time-bounded fit stops long before it
        converges; sampled softmax with the logQ correction keeps the loss's cost fixed
        while estimating the same ranking objective (see the module notes).
        """
        import torch

        n_items = len(counts)
        self._objective = self.method_for(n_items)
        if n_items <= self.full_softmax_items:
            return None
        p = negative_distribution(counts, self.negative_sampling)
        cdf = np.cumsum(p)
        cdf /= cdf[-1]  # a draw below 1 always lands on an item with p > 0
        expected = self.negatives * p
        log_q = np.log(expected, out=np.zeros_like(expected), where=expected > 0)
        return cdf, torch.from_numpy(log_q).float().to(device)

    def _train_epoch(self, net: "torch.nn.Module", trained: "torch.nn.Module",
                     optimiser: "torch.optim.Optimizer", train: History,
                     rng: np.random.Generator, device: "torch.device", task: Task | None,
                     epoch: int, sampler: tuple[np.ndarray, "torch.Tensor"] | None,
                     replicas: Replicas, deadline: float = math.inf) -> tuple[float, float]:
        """One pass over freshly drawn windows, cut short at ``deadline`` (the clock read
        every few batches); returns the mean loss per target (of the sampled softmax when
        ``sampler`` is given: lower than the full one's) and the share of the batches
        trained.

        Every replica draws the same windows, batches and negatives (one seed), and
        trains on its rows of each batch through ``trained``; its loss is divided by the
        whole batch's targets times the replicas, so that the gradients they average
        are the gradient of a fit alone on the whole batch."""
        import torch
        import torch.nn.functional as F

        trained.train()
        self._table = None  # the cached scoring table is stale once the weights move
        windows = training_windows(train.items, train.indptr, self.max_len + 1, rng)
        windows = torch.from_numpy(windows[rng.permutation(len(windows))]).to(device)
        n_batches = replicas.usable_batches(len(windows), self.batch_size)
        # Large catalogues: split a batch so that its logits stay within _LOGITS_PER_PASS
        # (gradients are accumulated, so the step is the same as with the whole batch).
        columns = train.n_items if sampler is None else self.negatives + 1
        part = max(1, _LOGITS_PER_PASS // (self.max_len * columns))
        total = torch.zeros((), device=device)  # summed on the device: no sync per step
        count = 0
        done = 0
        for b in range(n_batches):
            if b and b % _CLOCK_EVERY == 0 and replicas.agree(
                    lambda: float(time.perf_counter() >= deadline)):
                break
            batch = windows[b * self.batch_size:(b + 1) * self.batch_size]
            n_targets = int((batch[:, :-1] > 0).sum())
            if sampler is not None:  # a draw per window, shared by the window's targets
                u = rng.random((len(batch), self.negatives))
                negatives = torch.from_numpy(
                    np.searchsorted(sampler[0], u, side="right").astype(np.int64)).to(device)
                negatives = replicas.shard(negatives)
            optimiser.zero_grad(set_to_none=True)
            mine = replicas.shard(batch)
            for lo in range(0, len(mine), part):
                inputs, targets = mine[lo:lo + part, :-1], mine[lo:lo + part, 1:]
                real = inputs > 0
                table = net.table()
                with replicas.accumulating(trained, more=lo + part < len(mine)):
                    with mixed_precision(device):
                        if sampler is None:
                            hidden = trained(inputs, table)[real]  # (targets, hidden)
                            loss = F.cross_entropy(hidden @ table[1:].T, targets[real] - 1,
                                                   reduction="sum")
                        else:
                            loss = sampled_cross_entropy(trained(inputs, table), table,
                                                         torch.where(real, targets - 1, -1),
                                                         negatives[lo:lo + part], sampler[1])
                    (loss / (n_targets / replicas.world)).backward()
                total += loss.detach()
            optimiser.step()
            count += n_targets
            done = b + 1
            report(task, (epoch - 1 + done / n_batches) / self.max_epochs)
        return replicas.summed(float(total)) / max(count, 1), done / max(n_batches, 1)

    def _valid_ndcg(self, valid: Validation, users: np.ndarray) -> float:
        """NDCG@10 of ``users`` on the validation targets, exactly as :func:`evaluate`
        computes it."""
        context = valid.context
        accumulator = MetricAccumulator(ks=(10,), item_popularity=item_popularity(context.matrix),
                                        n_train_users=int((context.lengths > 0).sum()))
        for lo in range(0, len(users), _SCORE_BATCH):
            batch = users[lo:lo + _SCORE_BATCH]
            scores = mask_seen(self.score(batch, context), batch, context.matrix)
            accumulator.add(top_k(scores, 10), valid.targets[batch])
        return accumulator.result()["NDCG@10"]

    def _text_vectors(self, dataset: Dataset, n_items: int, context: FitContext) -> np.ndarray:
        """(n_items, d) float32 text vectors for ``text_init``, unit rows: the model's own
        source, else the run's, else the catalogue's genres / TF-IDF."""
        source = context.setting("text_vectors", self._item_vectors)
        vectors = source(dataset) if callable(source) else source
        if vectors is None:
            vectors = catalogue_vectors(dataset)
        if vectors is None:
            raise DataError("text_init needs item vectors, but the items have neither "
                            "text nor genres; turn text_init off")
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != n_items:
            raise DataError(f"text_init: expected one vector per item ({n_items} rows), "
                            f"got an array of shape {vectors.shape}")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)

    # ---------------------------------------------------------------- updates
    def prepare_update(self, history: History, dataset: Dataset, task: Task | None = None,
                       valid: Validation | None = None) -> Commit:
        """Grow the item table: rows for items never trained on (see the module notes).

        Targets are the items added since the fit and the fit's untaken items that have
        been taken since; each gets the mean table row of its trained sequence (else
        text) neighbours, or the mean trained row without any. Trained rows never
        change, so an update depends only on the fit and the current history.
        """
        import torch

        if self._net is None or self._device is None or self._trained_items is None:
            raise NotFittedError("SequentialTransformer.update called before fit")
        n_fit, n_items = len(self._trained_items), history.n_items
        if n_items < n_fit:
            raise ValueError(f"SequentialTransformer.update needs a grown dataset: fitted on "
                             f"{n_fit} items, got {n_items}")
        trained = np.zeros(n_items, dtype=bool)
        trained[:n_fit] = self._trained_items
        taken = np.bincount(history.items, minlength=n_items) > 0
        targets = np.flatnonzero((taken & ~trained) | (np.arange(n_items) >= n_fit))
        report(task, 0.0, f"sequential: table rows for {len(targets)} new items")
        state = {k: v.detach().cpu().clone() for k, v in self._net.state_dict().items()}
        with torch.no_grad():
            table = self._net.table().float().cpu().numpy()[1:n_fit + 1]
        grown = np.zeros((n_items, table.shape[1]), dtype=np.float32)
        grown[:n_fit] = table
        weights = neighbour_weights(history, targets, trained, dataset)
        report(task, 0.6)
        rows, _ = neighbour_mean(grown, weights, fallback=table[self._trained_items].mean(axis=0)
                                 if self._trained_items.any() else None)
        state["items.weight"] = _grown_rows(state["items.weight"], n_items + 1)
        if "text" in state:  # new items have no text vector: the free row carries it all
            state["text"] = _grown_rows(state["text"], n_items + 1)
            with torch.no_grad():
                projected = self._net.projection(state["text"][targets + 1].to(self._device))
            rows = rows - projected.float().cpu().numpy()
        state["items.weight"][targets + 1] = torch.from_numpy(rows).to(
            state["items.weight"].dtype)
        net = _network_from_state(state, self.hidden, self.layers, self.heads, self.max_len,
                                  self.dropout).to(self._device)
        report(task, 1.0)
        return commit(self, _net=net, _table=None)

    # ------------------------------------- stored form (engine.models.serialize, copy)
    def __getstate__(self) -> dict[str, object]:
        """Weights as CPU tensors (a CUDA tensor would not load on a machine without one)."""
        state = dict(self.__dict__)
        net = state.pop("_net")
        state.update(_net=None, _device=None, _table=None, _net_state=None if net is None else
                     {k: v.detach().cpu() for k, v in net.state_dict().items()})
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        weights = state.pop("_net_state", None)
        self.__dict__.update(state)
        if weights is not None:
            self._device = _loaded_device(self.device or self._fit_device or "auto")
            self._net = _network_from_state(weights, self.hidden, self.layers, self.heads,  # type: ignore[arg-type]
                                            self.max_len, self.dropout).to(self._device)

    # ---------------------------------------------------------------- scoring
    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        import torch

        if self._net is None or self._device is None:
            raise NotFittedError("SequentialTransformer.score called before fit")
        n_known = self._net.items.weight.shape[0] - 1
        if history.n_items > n_known:
            raise ValueError(f"the history has {history.n_items} items, the model {n_known}: "
                             "call update with the grown dataset first")
        users = np.asarray(users, dtype=np.int64)
        out = np.zeros((len(users), history.n_items), dtype=np.float32)
        tokens = recent_tokens(history, users, self.max_len)
        known = np.flatnonzero(tokens[:, -1] > 0)  # users without history keep zeros
        self._net.eval()  # training switches it back on at the start of every epoch
        with torch.inference_mode(), mixed_precision(self._device):
            if self._table is None:
                self._table = self._net.table()
            for lo in range(0, len(known), _SCORE_BATCH):
                rows = known[lo:lo + _SCORE_BATCH]
                batch = torch.from_numpy(np.ascontiguousarray(tokens[rows])).to(self._device)
                last = self._net(batch, self._table)[:, -1]
                out[rows] = (last @ self._table[1:].T).float().cpu().numpy()
        return out

    # ---------------------------------------------------------------- introspection
    @property
    def training_log(self) -> list[dict[str, float]]:
        """Per epoch: loss, seconds and (with validation) NDCG@10, for reports and tests."""
        return list(self._log)

    @property
    def objective(self) -> str:
        """The training loss the fit chose and why (full or sampled softmax); "" before a
        fit and in a model stored before the choice existed."""
        return getattr(self, "_objective", "")

    @property
    def best_epoch(self) -> int:
        """The epoch whose weights the model kept (the last one without validation)."""
        return self._best_epoch


def _grown_rows(tensor: "torch.Tensor", rows: int) -> "torch.Tensor":
    """A copy of ``tensor`` with zero rows appended up to ``rows``."""
    import torch

    out = torch.zeros((rows, *tensor.shape[1:]), dtype=tensor.dtype)
    out[:len(tensor)] = tensor
    return out
