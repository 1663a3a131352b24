"""Per-user fusion of long-term and short-term components.

Each component's scores are standardised per user (z-scores over all items), so a
co-occurrence count and a cosine similarity speak the same language. A gate then weighs
the components for every user: ``w(u) = softmax(f(u) @ W + b)``, where ``f(u)`` describes
the user's situation (how long the history is, how long since the previous action at the
time of the request, how far the recent items drift from the long-term profile, how
diverse they are). ``W`` and
``b`` are learned on the validation item with a full-softmax cross-entropy over all
items, so the gate learns how much each user's next action follows the long or the short
term. Two reference fusions share the code: ``fixed`` learns only the global weights
``b``; ``rrf`` is reciprocal-rank fusion with no learning at all.

Every fused score decomposes exactly into ``w_c(u) * z_c(u, i)`` per component, which is
what the screens show as each component's contribution; the gate value of a user is the
total weight of the long-term components.

An update refreshes every component for the grown data (each by its own ``update``, on a
copy that replaces it only when all are done, so a cancel leaves the fusion as it was).
The gate's features are computed from the history at scoring time, so they follow the
new interactions by themselves; its weights are kept, or learned again on held-out
targets when the update is given some (``valid``). That costs a few seconds and pays as
the data drifts: replaying MovieLens-100K with 2, 5, 18 and 20% more interactions, the
kept gate ranked the held-out items at 0.985, 0.975, 0.985 and 0.974 of a full retrain's
NDCG@10, the re-learned one at 0.976, 0.980, 1.007 and 1.009 (the population changes:
new users with short histories, components made better or worse by their fold-ins).
"""
from __future__ import annotations

import copy
import time
from typing import ClassVar, Literal

import numpy as np

from engine.dataset import Dataset, History, Validation
from engine.features import item_vectors as genre_or_text_vectors
from engine.features import unit_rows
from engine.models.base import Commit, NotFittedError, Recommender, commit, report
from engine.progress import SubTask, Task
from engine.ranking import mask_seen

Mode = Literal["learned", "fixed", "rrf"]
#: Components of the default fusion (long-term, then short-term), chosen by the ablation
#: in bench/fusion_ml100k.py.
DEFAULT_COMPONENTS = ("ease", "als", "cooc", "sequential")
FEATURES = ("log history length", "log hours between the last two actions",
            "log hours since the last action", "recent-to-profile similarity", "recent diversity")


class Fusion(Recommender):
    """Fuses named component models; see the module docstring for the method.

    Parameters
    ----------
    components:
        Registry names of the models to fuse (each fitted on the training history).
    component_params:
        Hyper-parameters per component name.
    mode:
        ``learned`` (per-user gate), ``fixed`` (global weights) or ``rrf``.
    n_recent:
        How many latest items describe the short-term situation in the gate features.
    l2:
        Ridge penalty on the gate's feature weights ``W``.
    steps, lr:
        Full-batch Adam steps and learning rate for the gate (a few hundred parameters).
    max_gate_users:
        Validation users used to learn the gate (a seeded sample beyond this many).
    rrf_k:
        The constant of reciprocal-rank fusion, 60 as in Cormack et al. (2009).
    use_request_time:
        Whether the gate reads the time between the user's last action and the request
        (in evaluation: the held-out event's time, never its item). Off for ablations.
    """

    name: ClassVar[str] = "fusion"
    sequential: ClassVar[bool] = True
    #: The gate is kept (or learned again on held-out targets); each component updates by
    #: its own rule (one without an incremental update is refitted).
    incremental: ClassVar[bool] = True
    mode_default: ClassVar[Mode] = "learned"

    def __init__(
        self,
        components: list[str] | tuple[str, ...] = DEFAULT_COMPONENTS,
        component_params: dict[str, dict[str, object]] | None = None,
        mode: Mode | None = None,
        n_recent: int = 5,
        l2: float = 1e-2,
        steps: int = 300,
        lr: float = 0.05,
        max_gate_users: int = 4000,
        rrf_k: int = 60,
        use_request_time: bool = True,
        seed: int = 0,
    ) -> None:
        mode = mode or self.mode_default
        if mode not in ("learned", "fixed", "rrf"):
            raise ValueError(f"mode must be 'learned', 'fixed' or 'rrf', not {mode!r}")
        if not components:
            raise ValueError("fusion needs at least one component")
        self.components = list(components)
        self.component_params = dict(component_params or {})
        self.mode = mode
        self.n_recent = int(n_recent)
        self.l2 = float(l2)
        self.steps = int(steps)
        self.lr = float(lr)
        self.max_gate_users = int(max_gate_users)
        self.rrf_k = int(rrf_k)
        self.use_request_time = bool(use_request_time)
        self.seed = int(seed)
        self._models: dict[str, Recommender] = {}
        self._reuse: dict[str, Recommender] = {}
        self._vectors: np.ndarray | None = None
        self._W: np.ndarray | None = None
        self._b: np.ndarray | None = None
        self._f_mean: np.ndarray | None = None
        self._f_std: np.ndarray | None = None
        self._fit_seconds: dict[str, float] = {}

    # -- fitting --------------------------------------------------------------------------

    @property
    def fit_seconds(self) -> dict[str, float]:
        """Seconds per stage of the last fit: each component, then the gate."""
        return dict(self._fit_seconds)

    @property
    def fitted_components(self) -> dict[str, Recommender]:
        return dict(self._models)

    def reuse(self, fitted: dict[str, Recommender]) -> None:
        """Components already fitted on the same training history (saves refitting them)."""
        self._reuse = dict(fitted)

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None) -> "Fusion":
        from engine.models import make_model  # the registry imports this module

        self._models = {}
        for i, name in enumerate(self.components):
            started = time.perf_counter()
            if name in self._reuse:
                self._models[name] = self._reuse[name]
            else:
                share = 1.0 / (len(self.components) + 1)
                report(task, i * share, f"fitting {name}")
                part = None if task is None else SubTask(task, i * share, (i + 1) * share)
                model = make_model(name, **self.component_params.get(name, {}))
                self._models[name] = model.fit(train, dataset, part, valid)
            self._fit_seconds[name] = time.perf_counter() - started
        self._vectors = self._item_space(dataset)
        report(task, len(self.components) / (len(self.components) + 1), "learning the gate")
        started = time.perf_counter()
        n_c = len(self.components)
        self._W = np.zeros((len(FEATURES), n_c), dtype=np.float32)
        self._b = np.zeros(n_c, dtype=np.float32)
        self._f_mean = np.zeros(len(FEATURES), dtype=np.float32)
        self._f_std = np.ones(len(FEATURES), dtype=np.float32)
        if self.mode != "rrf" and valid is not None and len(valid.users):
            self._learn_gate(valid)
        self._fit_seconds["gate"] = time.perf_counter() - started
        report(task, 1.0)
        return self

    def _item_space(self, dataset: Dataset) -> np.ndarray | None:
        """Unit item vectors for the drift features: a text component's, else genres/text."""
        for model in self._models.values():
            vectors = getattr(model, "item_vectors", None)
            if isinstance(vectors, np.ndarray) and vectors.ndim == 2:
                return unit_rows(vectors)
        return genre_or_text_vectors(dataset)

    def prepare_update(self, history: History, dataset: Dataset, task: Task | None = None,
                       valid: Validation | None = None) -> Commit:
        """Updated copies of the components, and the gate learned again if ``valid``."""
        if not self._models:
            raise NotFittedError("Fusion.update called before fit")
        learn_gate = valid is not None and len(valid.users) > 0 and self.mode != "rrf"
        share = 1.0 / (len(self.components) + learn_gate)
        updated: dict[str, Recommender] = {}
        for i, name in enumerate(self.components):
            report(task, i * share, f"updating {name}")
            part = None if task is None else SubTask(task, i * share, (i + 1) * share)
            # updates rebind what they change, so a shallow copy leaves the original alone
            component = copy.copy(self._models[name])
            component.prepare_update(history, dataset, part, valid)()
            updated[name] = component
        trial = copy.copy(self)
        trial._models = updated
        trial._vectors = trial._item_space(dataset)
        if learn_gate:
            report(task, len(self.components) * share, "learning the gate again")
            trial._learn_gate(valid)  # type: ignore[arg-type]
        report(task, 1.0)
        return commit(self, _models=updated, _vectors=trial._vectors, _W=trial._W,
                      _b=trial._b, _f_mean=trial._f_mean, _f_std=trial._f_std)

    def _learn_gate(self, valid: Validation) -> None:
        import torch

        rng = np.random.default_rng(self.seed)
        users = valid.users
        if len(users) > self.max_gate_users:
            users = np.sort(rng.choice(users, self.max_gate_users, replace=False))
        targets = valid.targets[users]
        target_items = targets.indices[targets.indptr[:-1]]
        z = self._standardised(users, valid.context)  # (C, b, items)
        seen = valid.context.matrix[users]
        rows = np.repeat(np.arange(len(users)), np.diff(seen.indptr))
        z[:, rows, seen.indices] = -1e4  # excluded from the softmax, as from the ranking
        features = self._raw_features(users, valid.context)
        self._f_mean = features.mean(axis=0)
        self._f_std = features.std(axis=0) + 1e-6
        f = torch.from_numpy((features - self._f_mean) / self._f_std)
        z_t = torch.from_numpy(z)
        target = torch.from_numpy(target_items.astype(np.int64))
        torch.manual_seed(self.seed)
        W = torch.zeros(len(FEATURES), len(self.components), requires_grad=self.mode == "learned")
        b = torch.zeros(len(self.components), requires_grad=True)
        log_temperature = torch.zeros((), requires_grad=True)
        params = [b, log_temperature] + ([W] if self.mode == "learned" else [])
        optimiser = torch.optim.Adam(params, lr=self.lr)
        for _ in range(self.steps):
            optimiser.zero_grad()
            weights = torch.softmax(f @ W + b, dim=1)  # (b, C)
            fused = torch.einsum("bc,cbi->bi", weights, z_t) * log_temperature.exp()
            loss = torch.nn.functional.cross_entropy(fused, target) + self.l2 * (W ** 2).sum()
            loss.backward()
            optimiser.step()
        self._W = W.detach().numpy().astype(np.float32)
        self._b = b.detach().numpy().astype(np.float32)

    # -- scoring --------------------------------------------------------------------------

    def _standardised(self, users: np.ndarray, history: History) -> np.ndarray:
        """(components, users, items) per-user z-scores of every component's scores."""
        if not self._models:
            raise NotFittedError("Fusion used before fit")
        out = []
        for name in self.components:
            scores = np.asarray(self._models[name].score(users, history), dtype=np.float32)
            mean = scores.mean(axis=1, keepdims=True)
            std = scores.std(axis=1, keepdims=True)
            out.append(np.divide(scores - mean, std, out=np.zeros_like(scores), where=std > 0))
        return np.stack(out)

    def _raw_features(self, users: np.ndarray, history: History) -> np.ndarray:
        """(users, len(FEATURES)) description of each user's situation; see FEATURES."""
        users = np.asarray(users, dtype=np.int64)
        lengths = history.lengths[users]
        ends = history.indptr[users + 1]
        has_one, has_two = lengths >= 1, lengths >= 2
        gap = np.zeros(len(users), dtype=np.float64)
        gap[has_two] = (history.timestamps[ends[has_two] - 1]
                        - history.timestamps[ends[has_two] - 2]) / 3600.0
        since = np.zeros(len(users), dtype=np.float64)
        if self.use_request_time:
            since[has_one] = (history.requested_at(users)[has_one]
                              - history.timestamps[ends[has_one] - 1]) / 3600.0
        similarity = np.zeros(len(users), dtype=np.float32)
        diversity = np.zeros(len(users), dtype=np.float32)
        if self._vectors is not None:
            recent = history.last_items(users, self.n_recent)
            valid = recent >= 0
            vecs = self._vectors[np.where(valid, recent, 0)] * valid[..., None]  # (b, n, d)
            recent_mean = vecs.sum(axis=1)
            profile = np.asarray(history.matrix[users] @ self._vectors)
            norms = np.linalg.norm(recent_mean, axis=1) * np.linalg.norm(profile, axis=1)
            similarity = np.divide((recent_mean * profile).sum(axis=1), norms,
                                   out=np.zeros(len(users), dtype=np.float32), where=norms > 0)
            pair_sims = np.einsum("bnd,bmd->bnm", vecs, vecs)
            count = valid.sum(axis=1)
            pairs = count * (count - 1)
            off = pair_sims.sum(axis=(1, 2)) - np.einsum("bnn->b", pair_sims)
            diversity = np.where(pairs > 0, 1.0 - off / np.maximum(pairs, 1), 0.0)
        return np.column_stack([np.log1p(lengths), np.log1p(np.maximum(gap, 0.0)),
                                np.log1p(np.maximum(since, 0.0)), similarity,
                                diversity]).astype(np.float32)

    def _weights(self, users: np.ndarray, history: History) -> np.ndarray:
        """(users, components) gate weights, each row summing to 1."""
        if self._W is None or self._b is None:
            raise NotFittedError("Fusion used before fit")
        f = (self._raw_features(users, history) - self._f_mean) / self._f_std
        logits = f @ self._W + self._b
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def _parts(self, users: np.ndarray, history: History) -> np.ndarray:
        """(components, users, items) additive parts of the fused score."""
        if not self._models:
            raise NotFittedError("Fusion used before fit")
        users = np.asarray(users, dtype=np.int64)
        if self.mode == "rrf":
            parts = []
            for name in self.components:
                scores = np.asarray(self._models[name].score(users, history), dtype=np.float32)
                mask_seen(scores, users, history.matrix)
                order = np.argsort(-scores, axis=1, kind="stable")
                ranks = np.empty_like(order)
                np.put_along_axis(ranks, order, np.arange(scores.shape[1])[None, :], axis=1)
                parts.append(1.0 / (self.rrf_k + 1 + ranks.astype(np.float32)))
            return np.stack(parts)
        weights = self._weights(users, history)  # (b, C)
        return self._standardised(users, history) * weights.T[:, :, None]

    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        return self._parts(users, history).sum(axis=0).astype(np.float32)

    def contributions(self, users: np.ndarray, history: History, items: np.ndarray
                      ) -> dict[str, np.ndarray]:
        parts = self._parts(users, history)
        return {name: np.take_along_axis(parts[c], items, axis=1)
                for c, name in enumerate(self.components)}

    def gate(self, users: np.ndarray, history: History) -> np.ndarray | None:
        """Share of the long-term components in each user's weights (None for rrf)."""
        if self.mode == "rrf":
            return None
        weights = self._weights(np.asarray(users, dtype=np.int64), history)
        long_term = np.array([self._models[n].horizon == "long" for n in self.components])
        return weights[:, long_term].sum(axis=1).astype(np.float32)

    def component_weights(self, users: np.ndarray, history: History) -> dict[str, np.ndarray]:
        """Each component's gate weight per user, for the screens and the benchmark."""
        weights = self._weights(np.asarray(users, dtype=np.int64), history)
        return {name: weights[:, c] for c, name in enumerate(self.components)}


class FixedFusion(Fusion):
    """Global component weights learned on validation, the same for every user."""

    name: ClassVar[str] = "fusion-fixed"
    mode_default: ClassVar[Mode] = "fixed"


class RankFusion(Fusion):
    """Reciprocal-rank fusion of the components, no learning."""

    name: ClassVar[str] = "fusion-rrf"
    mode_default: ClassVar[Mode] = "rrf"
