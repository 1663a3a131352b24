"""item2vec: word2vec over users' item sequences, a light short-term model.

Barkan & Koenigstein (2016) treat each user's sequence as a sentence and the items as
words: skip-gram with negative sampling then places items that occur near each other in
sequences close together. The user's short-term interest is the recency-weighted mean of
the vectors of their last ``n_last`` items; items are ranked by the cosine of their
context vectors to it (see :class:`Item2Vec`). Items that never occurred in training
have no vectors and score zero, until an update gives those that have been taken since
the mean vectors of the trained items they occur next to (:mod:`engine.models.foldin`).

:func:`train_word2vec` is shared with the text-side word2vec model
(:class:`engine.models.content.Word2VecProfile`): one place for gensim's settings that
make runs reproducible (one worker thread, a seed, and a hash function that does not
depend on Python's per-process salted ``hash``), for cancellation at epoch ends, and for
gensim's 10,000-token limit per sentence.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from engine.core.progress import Task
from engine.data.dataset import Dataset, History
from engine.data.features import unit_rows
from engine.models.base import Commit, NotFittedError, Recommender, Validation, commit, report
from engine.models.context import FitContext
from engine.models.foldin import neighbour_mean, neighbour_weights
from engine.models.params import ModelParams, setting
from engine.models.popularity import scaled_popularity

MAX_SENTENCE = 10_000  # gensim silently truncates longer sentences; they are cut instead
MIN_EPOCHS, MAX_EPOCHS, TARGET_UPDATES = 10, 100, 1_000_000


def auto_epochs(n_tokens: int) -> int:
    """Epochs for a corpus: about a million token visits, within 10..100 epochs.

    word2vec's learning rate decays over the whole run, so a small corpus (a demo shop,
    a short catalogue) needs many more passes than a large one to move its vectors away
    from their random start: on the synthetic shop ten epochs left item2vec's lists far
    from the current session, on ml-100k more epochs changed nothing
    (bench/results/experiments.md).
    """
    if n_tokens <= 0:
        return MIN_EPOCHS
    return int(min(MAX_EPOCHS, max(MIN_EPOCHS, -(-TARGET_UPDATES // n_tokens))))


def stable_hash(text: str) -> int:
    """CRC-32 of the text: the same number in every process (``hash`` is salted)."""
    return zlib.crc32(text.encode("utf-8"))


def train_word2vec(
    sentences: list[list[str]],
    *,
    vector_size: int,
    window: int,
    epochs: int | None,
    negative: int = 5,
    ns_exponent: float = 0.75,
    sample: float = 1e-3,
    seed: int = 0,
    workers: int = 1,
    task: Task | None = None,
    stage: str = "word2vec",
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Skip-gram word2vec: the vocabulary, its input and its output (context) vectors.

    Both vector arrays are (len(vocab), vector_size) float32; the output vectors are the
    negative-sampling weights, which say what a token predicts around it.

    ``workers=1`` gives identical vectors for the same seed and input in any process;
    more workers train faster but let thread timing change the result. Progress is
    reported (and a cancel honoured) at the end of every epoch. ``epochs=None`` picks
    :func:`auto_epochs`. An empty corpus gives an empty vocabulary rather than gensim's
    error.
    """
    from gensim.models import Word2Vec
    from gensim.models.callbacks import CallbackAny2Vec

    chunks = [s[i:i + MAX_SENTENCE] for s in sentences for i in range(0, len(s), MAX_SENTENCE)]
    if not chunks:
        empty = np.zeros((0, vector_size), dtype=np.float32)
        return [], empty, empty.copy()
    if epochs is None:
        epochs = auto_epochs(sum(len(c) for c in chunks))
    total = epochs

    class EpochReport(CallbackAny2Vec):  # type: ignore[misc]
        def __init__(self) -> None:
            self.epoch = 0

        def on_epoch_end(self, model: Word2Vec) -> None:
            self.epoch += 1
            report(task, self.epoch / total, f"{stage}: epoch {self.epoch} of {total}")

    model = Word2Vec(vector_size=vector_size, window=window, min_count=1, sg=1,
                     negative=negative, ns_exponent=ns_exponent, sample=sample, seed=seed,
                     workers=workers, hashfxn=stable_hash, epochs=epochs)
    model.build_vocab(chunks)
    model.train(chunks, total_examples=model.corpus_count, epochs=epochs,
                callbacks=[EpochReport()])
    return (list(model.wv.index_to_key), np.asarray(model.wv.vectors, dtype=np.float32),
            np.asarray(model.syn1neg, dtype=np.float32))


@dataclass(frozen=True)
class Item2VecParams(ModelParams):
    """Item2Vec's settings: word2vec's, then how a user's query is formed."""

    vector_size: int = setting(64, "Vector size", "word2vec dimensions")
    window: int = setting(10, "Window", "word2vec context window")
    epochs: int | None = setting(None, "Epochs", "None adapts them to the corpus size "
                                 "(auto_epochs)")
    negative: int = setting(5, "Negative samples", "word2vec negative samples per target")
    ns_exponent: float = setting(0.25, "Sampling exponent", "Shape of the negative-sampling "
                                 "distribution: 0.75 as for words; lower values draw rare "
                                 "items more often, which suits item sequences better "
                                 "(Caselles-Dupre et al. 2018)")
    sample: float = setting(1e-3, "Down-sampling", "word2vec's down-sampling of frequent "
                            "items")
    n_last: int = setting(5, "Latest items", "How many of the user's latest items form the "
                          "query")
    recency: float = setting(0.9, "Recency", "Weight multiplier per step back in the user's "
                             "history")
    prior: float = setting(0.05, "Popularity prior", "Weight of the popularity prior (0..1 "
                           "scaled) added to the 0..1 cosine scores")
    seed: int | None = setting(None, "Seed", "None: the run's", run="seed")
    workers: int = setting(1, "Workers", "word2vec threads; one gives the same vectors in "
                           "every run")

    def __post_init__(self) -> None:
        super().__post_init__()
        sizes = (self.vector_size, self.window, self.negative, self.n_last, self.workers,
                 1 if self.epochs is None else self.epochs)
        if min(sizes) < 1:
            raise ValueError("vector_size, window, epochs, negative, n_last and workers "
                             "must be at least 1")


class Item2Vec(Recommender):
    """Skip-gram item embeddings from training sequences; scores = what the recent items predict.

    Parameters: :class:`Item2VecParams`. The query is the recency-weighted mean of the
    *input* vectors of the user's last ``n_last`` items; candidates are ranked by cosine
    to their *output* (context) vectors. That is the skip-gram objective itself: "which
    items occur around these", the next-item question, rather than "which items are
    alike" (input to input), which ranked far worse on ml-100k validation
    (bench/results/experiments.md). Cosines are mapped to 0..1 so that items never seen
    in training (no vectors, score 0) come last, and a popularity prior is
    added: without it rarely seen items, whose vectors are barely trained, crowd the
    lists.
    """

    name: ClassVar[str] = "item2vec"
    Params: ClassVar[type[ModelParams]] = Item2VecParams
    sequential: ClassVar[bool] = True
    incremental: ClassVar[bool] = True
    horizon: ClassVar[str] = "short"
    fit_cost: ClassVar[float] = 10.0

    def __init__(self, params: Item2VecParams | None = None, /, **values: object) -> None:
        super().__init__(params, **values)
        self._vectors: np.ndarray | None = None
        self._outputs: np.ndarray | None = None
        self._known: np.ndarray | None = None
        self._trained: np.ndarray | None = None  # items with trained vectors (the fit's)
        self._prior: np.ndarray | None = None

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None, *, context: FitContext = FitContext()
            ) -> "Item2Vec":
        report(task, 0.0, "item2vec: sequences")
        tokens = np.array([str(i) for i in range(train.n_items)], dtype=object)
        bounds = zip(train.indptr[:-1], train.indptr[1:])
        sentences = [tokens[train.items[a:b]].tolist() for a, b in bounds if b > a]
        vocab, inputs, outputs = train_word2vec(
            sentences, vector_size=self.vector_size, window=self.window, epochs=self.epochs,
            negative=self.negative, ns_exponent=self.ns_exponent, sample=self.sample,
            seed=context.setting("seed", self.seed), workers=self.workers, task=task,
            stage="item2vec")
        rows = np.array([int(t) for t in vocab], dtype=np.int64)
        self._vectors = np.zeros((train.n_items, self.vector_size), dtype=np.float32)
        self._outputs = np.zeros_like(self._vectors)
        self._vectors[rows] = unit_rows(inputs)
        self._outputs[rows] = unit_rows(outputs)
        self._known = np.zeros(train.n_items, dtype=bool)
        self._known[rows] = True
        self._trained = self._known.copy()
        self._prior = scaled_popularity(train.matrix)
        report(task, 1.0)
        return self

    def prepare_update(self, history: History, dataset: Dataset, task: Task | None = None,
                       valid: Validation | None = None) -> Commit:
        """Vectors for items taken since the fit from their trained sequence neighbours.

        Trained vectors never change, so an update depends only on the fit and the
        current history. Items without a trained neighbour stay unknown (score 0).
        """
        if self._vectors is None or self._outputs is None or self._trained is None:
            raise NotFittedError("Item2Vec.update called before fit")
        n_trained = len(self._trained)
        if history.n_items < n_trained:
            raise ValueError(f"Item2Vec.update needs a grown dataset: fitted on {n_trained} "
                             f"items, got {history.n_items}")
        trained = np.zeros(history.n_items, dtype=bool)
        trained[:n_trained] = self._trained
        taken = np.bincount(history.items, minlength=history.n_items) > 0
        targets = np.flatnonzero(taken & ~trained)
        report(task, 0.0, f"item2vec: vectors of {len(targets)} items taken since the fit")
        weights = neighbour_weights(history, targets, trained)
        report(task, 0.5)
        state: dict[str, np.ndarray] = {}
        for name, table in (("_vectors", self._vectors), ("_outputs", self._outputs)):
            grown = np.zeros((history.n_items, self.vector_size), dtype=np.float32)
            grown[trained] = table[:n_trained][self._trained]
            means, has = neighbour_mean(grown, weights, fallback=None)
            grown[targets[has]] = unit_rows(means[has])
            state[name] = grown
        known = trained.copy()
        known[targets[has]] = True
        report(task, 1.0)
        return commit(self, **state, _known=known, _prior=scaled_popularity(history.matrix))

    @property
    def item_vectors(self) -> np.ndarray:
        """(n_items, d) unit input vectors (item similarity); zero for items unseen in training."""
        if self._vectors is None:
            raise NotFittedError("Item2Vec used before fit")
        return self._vectors

    def user_profiles(self, users: np.ndarray, history: History) -> np.ndarray:
        """(len(users), d) unit short-term vectors: recency-weighted mean of the last items."""
        vectors = self.item_vectors
        users = np.asarray(users, dtype=np.int64)
        last = history.last_items(users, self.n_last)
        valid = last >= 0
        weights = (self.recency ** np.arange(self.n_last, dtype=np.float64)).astype(np.float32)
        votes = sp.csr_matrix(
            (np.broadcast_to(weights, last.shape)[valid], (np.nonzero(valid)[0], last[valid])),
            shape=(len(users), len(vectors)), dtype=np.float32)
        return unit_rows(votes @ vectors)

    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        if self._outputs is None or self._known is None or self._prior is None:
            raise NotFittedError("Item2Vec.score called before fit")
        scores = self.user_profiles(users, history) @ self._outputs.T
        scores = 0.5 * (scores + 1.0)  # cosine -> 0..1, so that unseen items (0) come last
        scores[:, ~self._known] = 0.0
        if self.prior:
            scores += np.float32(self.prior) * self._prior
        return scores.astype(np.float32, copy=False)
