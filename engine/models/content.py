"""Long-term interest from item text: a user is the decayed, weighted mean of their items.

Every item gets a unit vector from its text (title, description, genres). A user's
long-term interest is

    u = h / ||h||,   h = sum over the user's whole history of w_i * e_i,
    w_i = interaction weight_i * 0.5 ** (age_i / half_life),

with ``age_i`` the time between interaction ``i`` and the user's latest interaction, so
tastes the user has left behind fade slowly (half-life 180 days by default; ``None``
keeps every interaction at full weight). Items are ranked by the cosine ``u . e_j``.
Because the item side is text, an item nobody has interacted with yet is scored like any
other, and a user with one to three interactions already has a profile: the cold-start
cases where collaborative models have nothing to say.

Two item encoders share this: :class:`SemanticProfile` (a sentence encoder, see
:mod:`engine.data.encoder`: all-MiniLM-L6-v2 for a catalogue in Latin script, the packaged
multilingual encoder otherwise, with the languages of a mixed catalogue aligned, see
:mod:`engine.data.multilingual`) and :class:`Word2VecProfile` (word2vec trained on the
catalogue's own text, light and language-agnostic). The profile of a batch of users is one
sparse (users x items) weight matrix times the item vectors.

A popularity prior, ``prior`` x (training users of the item / the most any item has), is
added to the cosine. Cosine alone ranks every item of a liked category alike, whatever
its appeal; with the prior the popular ones among them come first. 0.3 was chosen on
validation NDCG@10 of ml-100k and the synthetic shop, where it raised accuracy several
times over while the shop's top-10 stayed in the users' taste categories (the figures:
bench/results/experiments.md). A never-seen item gets no prior
and competes on its text alone; a fused model that adds its own popularity signal can
set ``prior=0``.

An update embeds only the items added since the fit (the sentence encoder finds the old
ones in its disk cache anyway; word2vec embeds them with the vocabulary, vectors and idf
of the fit, so no vector of an old item moves) and recomputes the prior from the grown
history; user profiles are computed from the history at scoring time, so they follow
every new interaction by themselves.
"""
from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from engine.core.progress import Task
from engine.data.dataset import Dataset, History
from engine.data.encoder import CachedEncoder
from engine.data.features import unit_rows
from engine.data.multilingual import (ENGLISH, Alignment, align, encoder_label, fit_alignment,
                                      item_scripts, open_encoder, resolve_encoder)
from engine.data.text import item_documents, item_text, item_texts, tokenize
from engine.models.base import Commit, NotFittedError, Recommender, Validation, commit, report
from engine.models.context import FitContext
from engine.models.item2vec import train_word2vec
from engine.models.params import ModelParams, setting
from engine.models.popularity import scaled_popularity

DAY_SECONDS = 86400.0


def interest_weights(users: np.ndarray, history: History,
                     half_life_days: float | None) -> sp.csr_matrix:
    """(len(users), n_items) float32 weights w_i of the users' whole histories.

    ``w_i = weight_i * 0.5 ** (age_i / half_life_days)``, age in days before the user's
    latest interaction; repeated items add up. Without timestamps (file order) the ages
    are a few "seconds" and the decay has no effect.
    """
    users = np.asarray(users, dtype=np.int64)
    starts, ends = history.indptr[users], history.indptr[users + 1]
    lengths = ends - starts
    rows = np.repeat(np.arange(len(users)), lengths)
    first_of_row = np.repeat(np.cumsum(lengths) - lengths, lengths)
    pos = np.arange(int(lengths.sum())) - first_of_row + np.repeat(starts, lengths)
    weights = history.weights[pos].astype(np.float64)
    if half_life_days is not None:
        latest = history.timestamps[np.repeat(ends - 1, lengths)]  # sequences are chronological
        age_days = (latest - history.timestamps[pos]) / DAY_SECONDS
        weights *= 0.5 ** (age_days / float(half_life_days))
    matrix = sp.csr_matrix((weights.astype(np.float32), (rows, history.items[pos])),
                           shape=(len(users), history.n_items), dtype=np.float32)
    matrix.sum_duplicates()
    return matrix


def text_neighbour_prior(prior: np.ndarray, vectors: np.ndarray, neighbours: int = 10,
                         batch_size: int = 2048) -> np.ndarray:
    """The popularity prior with cold items given the mean prior of their text neighbours.

    An item nobody has taken yet has no popularity of its own; left at zero it could
    never compete with items the prior lifts, and cold items would stay invisible. Its
    most similar warm items by text are the best guess of how popular it will be.
    """
    cold = np.flatnonzero(prior == 0)
    warm = np.flatnonzero(prior > 0)
    if len(cold) == 0 or len(warm) == 0:
        return prior
    out = prior.copy()
    k = min(neighbours, len(warm))
    for start in range(0, len(cold), batch_size):
        rows = cold[start:start + batch_size]
        sims = vectors[rows] @ vectors[warm].T
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        out[rows] = prior[warm][nearest].mean(axis=1)
    return out


@dataclass(frozen=True)
class ContentParams(ModelParams):
    """The settings every text profile shares (see the module notes)."""

    half_life_days: float | None = setting(180.0, "Half-life (days)", "How fast old "
                                           "interactions fade; None keeps them at full weight")
    prior: float = setting(0.3, "Popularity prior", "Weight of the popularity prior added to "
                           "the cosine (0 for a fusion that adds its own)")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.half_life_days is not None and self.half_life_days <= 0:
            raise ValueError("half_life_days must be positive (or None for no decay)")


class ContentProfile(Recommender):
    """u = h/||h|| over text item vectors, scored by cosine; subclasses make the vectors."""

    Params: ClassVar[type[ModelParams]] = ContentParams
    sequential: ClassVar[bool] = False
    incremental: ClassVar[bool] = True

    def __init__(self, params: ContentParams | None = None, /, **values: object) -> None:
        super().__init__(params, **values)
        self._vectors: np.ndarray | None = None
        self._prior: np.ndarray | None = None

    @abstractmethod
    def _encode_items(self, dataset: Dataset, task: Task | None, context: FitContext
                      ) -> np.ndarray:
        """(n_items, d) vectors of the items' text, in internal item order (a fit's)."""

    def _encode_new_items(self, dataset: Dataset, rows: np.ndarray, task: Task | None
                          ) -> np.ndarray:
        """(len(rows), d) vectors of the given items' text with what the fit learned.

        The default encodes the whole catalogue again and keeps the rows; subclasses that
        can encode a few items on their own do so.
        """
        return self._encode_items(dataset, task, FitContext())[rows]

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None, *, context: FitContext = FitContext()
            ) -> "ContentProfile":
        report(task, 0.0, f"{self.name}: item vectors")
        vectors = self._encode_items(dataset, task, context)
        if vectors.shape[0] != train.n_items:
            raise ValueError(f"{self.name}: {vectors.shape[0]} item vectors for "
                             f"{train.n_items} items")
        self._vectors = unit_rows(vectors)
        self._prior = text_neighbour_prior(scaled_popularity(train.matrix), self._vectors)
        report(task, 1.0)
        return self

    def prepare_update(self, history: History, dataset: Dataset, task: Task | None = None,
                       valid: Validation | None = None) -> Commit:
        """Embed the items added since the fit; recompute the prior (see the module notes)."""
        known = self.item_vectors
        if history.n_items < len(known):
            raise ValueError(f"{self.name}.update needs a grown dataset: fitted on "
                             f"{len(known)} items, got {history.n_items}")
        rows = np.arange(len(known), history.n_items)
        report(task, 0.0, f"{self.name}: vectors of {len(rows)} new items")
        vectors = known
        if len(rows):
            fresh = np.asarray(self._encode_new_items(dataset, rows, task), dtype=np.float32)
            vectors = np.vstack([known, unit_rows(fresh)])
        prior = text_neighbour_prior(scaled_popularity(history.matrix), vectors)
        report(task, 1.0)
        return commit(self, _vectors=vectors, _prior=prior)

    @property
    def item_vectors(self) -> np.ndarray:
        """(n_items, d) float32 unit text vectors (zero for an item without usable text)."""
        if self._vectors is None:
            raise NotFittedError(f"{type(self).__name__} used before fit")
        return self._vectors

    def user_profiles(self, users: np.ndarray, history: History) -> np.ndarray:
        """(len(users), d) long-term interest vectors u = h/||h|| (zero without history)."""
        weights = interest_weights(users, history, self.half_life_days)
        return unit_rows(weights @ self.item_vectors)

    def user_vectors(self, users: np.ndarray, history: History) -> np.ndarray | None:
        """The long-term interest vectors u = h/||h|| of :meth:`user_profiles`."""
        return np.asarray(self.user_profiles(users, history), dtype=np.float32)

    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        if self._prior is None:
            raise NotFittedError(f"{type(self).__name__}.score called before fit")
        scores = self.user_profiles(users, history) @ self.item_vectors.T
        if self.prior:
            scores += np.float32(self.prior) * self._prior
        return scores.astype(np.float32, copy=False)


@dataclass(frozen=True)
class SemanticParams(ContentParams):
    """SemanticProfile's encoder settings (see :mod:`engine.data.encoder` and
    :mod:`engine.data.multilingual`)."""

    encoder: str | None = setting(None, "Text encoder", "None or auto: all-MiniLM-L6-v2 for a "
                                  "catalogue in Latin script, the packaged multilingual "
                                  "encoder otherwise; minilm; multilingual; or a "
                                  "transformers model folder", run="encoder")
    device: str | None = setting(None, "Device", "auto (GPU when present), cpu or cuda; None: "
                                 "the run's", run="device")
    batch_size: int = setting(64, "Batch size", "Texts per encoding batch")
    max_length: int = setting(64, "Token limit", "Tokens read per item text")
    precision: str = setting("auto", "Precision", "auto (bfloat16 where the hardware has it), "
                             "fp32 or bf16")
    cache_dir: str | None = setting(None, "Cache folder", "Root of the embedding cache "
                                    "(default $IFS_CACHE_DIR or the user cache folder)")
    align: bool = setting(True, "Align languages", "In a catalogue that mixes languages, "
                          "centre each language's vectors and rotate them onto the largest "
                          "language's, so that neighbours cross languages")


class SemanticProfile(ContentProfile):
    """Item vectors from a sentence encoder (parameters: :class:`SemanticParams`).

    The fit settles which encoder ``auto`` means for its catalogue and, when the
    catalogue mixes languages, how they are aligned (:mod:`engine.data.multilingual`);
    an update encodes new items with that encoder and alignment, so old and new vectors
    stay in one space.
    """

    name: ClassVar[str] = "semantic"
    Params: ClassVar[type[ModelParams]] = SemanticParams
    fit_cost: ClassVar[float] = 20.0
    # The fit's choices. Class defaults: a model stored before there was a choice read
    # the English model, unaligned.
    _chosen: str | None = None
    _alignment: Alignment = {}

    def __init__(self, params: SemanticParams | None = None, /, **values: object) -> None:
        super().__init__(params, **values)
        self._encoder: CachedEncoder | None = None

    @property
    def text_encoder(self) -> CachedEncoder:
        """The encoder the fit chose (made on first use; the model itself loads only when
        needed); on the fit's device, or after unpickling on ``device`` (None: "auto")."""
        if self._encoder is None:
            self._encoder = self._make_encoder(self.device or FitContext().device)
        return self._encoder

    @property
    def encoder_label(self) -> str:
        """How the run log names the encoder the fit chose."""
        return encoder_label(self._chosen or ENGLISH)

    def _make_encoder(self, device: str) -> CachedEncoder:
        return open_encoder(self._chosen or self.encoder, device=device,
                            batch_size=self.batch_size, max_length=self.max_length,
                            cache_dir=self.cache_dir, precision=self.precision)

    def _encode_items(self, dataset: Dataset, task: Task | None, context: FitContext
                      ) -> np.ndarray:
        texts = item_texts(dataset)
        self._chosen, why = resolve_encoder(self.encoder, texts)
        self._encoder = self._make_encoder(context.setting("device", self.device))
        report(task, 0.0, f"semantic: text encoder {self.encoder_label} ({why})")
        vectors = unit_rows(self._encode_texts(texts, task))
        scripts = item_scripts(texts)
        self._alignment = fit_alignment(vectors, scripts) if self.align else {}
        if self._alignment:
            languages = ", ".join(sorted(self._alignment["centre"]))
            report(task, 0.96, f"semantic: aligning the scripts {languages} of "
                               f"{self.encoder_label}")
        return align(vectors, scripts, self._alignment)

    def _encode_new_items(self, dataset: Dataset, rows: np.ndarray, task: Task | None
                          ) -> np.ndarray:
        texts = [item_text(dataset.titles[r], dataset.texts[r], dataset.genres[r]) for r in rows]
        vectors = unit_rows(self._encode_texts(texts, task))
        return align(vectors, item_scripts(texts), self._alignment)

    def _encode_texts(self, texts: list[str], task: Task | None) -> np.ndarray:
        status = f"semantic: encoding item text with {self.encoder_label}"
        return self.text_encoder.encode(
            texts, progress=lambda done: report(task, 0.95 * done, status))

    def __getstate__(self) -> dict[str, object]:
        """Pickle without the encoder: it holds a loaded transformer and is rebuilt lazily."""
        state = dict(self.__dict__)
        state["_encoder"] = None
        return state


@dataclass(frozen=True)
class Word2VecParams(ContentParams):
    """Word2VecProfile's settings: word2vec's (skip-gram), then the token weighting."""

    vector_size: int = setting(64, "Vector size", "word2vec dimensions")
    window: int = setting(5, "Window", "word2vec context window")
    epochs: int | None = setting(None, "Epochs", "None adapts them to the size of the "
                                 "catalogue text (engine.models.item2vec.auto_epochs)")
    negative: int = setting(5, "Negative samples", "word2vec negative samples per target")
    sample: float = setting(1e-3, "Down-sampling", "word2vec's down-sampling of frequent "
                            "tokens")
    idf: bool = setting(True, "Idf weights", "Weight tokens by log((1 + n_items) / (1 + df)) "
                        "+ 1; off: plain mean")
    seed: int | None = setting(None, "Seed", "None: the run's", run="seed")
    workers: int = setting(1, "Workers", "word2vec threads; one gives the same vectors in "
                           "every run")

    def __post_init__(self) -> None:
        super().__post_init__()
        sizes = (self.vector_size, self.window, self.negative, self.workers,
                 1 if self.epochs is None else self.epochs)
        if min(sizes) < 1:
            raise ValueError("vector_size, window, epochs, negative and workers must be at "
                             "least 1")


class Word2VecProfile(ContentProfile):
    """Item vectors = idf-weighted mean of word2vec vectors trained on the catalogue text.

    Parameters: :class:`Word2VecParams`. Token vectors are unit-normalised before
    averaging so that a frequent token's longer vector does not outweigh its lower idf.
    """

    name: ClassVar[str] = "word2vec"
    Params: ClassVar[type[ModelParams]] = Word2VecParams
    fit_cost: ClassVar[float] = 5.0

    def __init__(self, params: Word2VecParams | None = None, /, **values: object) -> None:
        super().__init__(params, **values)
        self._tokens: dict[str, int] = {}  # vocabulary of the fit -> row of _token_vectors
        self._token_vectors: np.ndarray | None = None  # unit word vectors
        self._idf: np.ndarray | None = None  # per token (ones without idf weighting)

    def _encode_items(self, dataset: Dataset, task: Task | None, context: FitContext
                      ) -> np.ndarray:
        documents = item_documents(dataset)
        vocab, vectors, _ = train_word2vec(
            documents, vector_size=self.vector_size, window=self.window, epochs=self.epochs,
            negative=self.negative, sample=self.sample, seed=context.setting("seed", self.seed),
            workers=self.workers, task=task, stage="word2vec")
        self._tokens = {token: i for i, token in enumerate(vocab)}
        self._token_vectors = unit_rows(vectors)
        counts = self._counts(documents)
        self._idf = np.ones(len(vocab), dtype=np.float32)
        if self.idf:
            df = np.bincount(counts.indices, minlength=len(vocab))
            self._idf = (np.log((1 + len(documents)) / (1 + df)) + 1.0).astype(np.float32)
        return self._embed(counts)

    def _encode_new_items(self, dataset: Dataset, rows: np.ndarray, task: Task | None
                          ) -> np.ndarray:
        """Mean of the fit's word vectors (with its idf); words it never saw are skipped."""
        documents = [tokenize(item_text(dataset.titles[r], dataset.texts[r], dataset.genres[r]))
                     for r in rows]
        return self._embed(self._counts(documents))

    def _counts(self, documents: list[list[str]]) -> sp.csr_matrix:
        """documents x vocabulary token counts; tokens outside the vocabulary are dropped."""
        ids = [[self._tokens[t] for t in d if t in self._tokens] for d in documents]
        rows = np.repeat(np.arange(len(ids)), [len(d) for d in ids])
        cols = np.array([t for d in ids for t in d], dtype=np.int64)
        counts = sp.csr_matrix((np.ones(len(cols), np.float32), (rows, cols)),
                               shape=(len(ids), len(self._tokens)))
        counts.sum_duplicates()
        return counts

    def _embed(self, counts: sp.csr_matrix) -> np.ndarray:
        assert self._token_vectors is not None and self._idf is not None
        weighted = counts @ sp.diags(self._idf)
        return np.asarray(weighted @ self._token_vectors, dtype=np.float32)
