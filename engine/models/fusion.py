"""Per-user fusion of long-term and short-term components.

Each component's scores are standardised per user (z-scores over all items), so a
co-occurrence count and a cosine similarity speak the same language. A gate then weighs
the components for every user: ``w(u) = softmax(f(u) @ W + b)``, where ``f(u)`` describes
the user's situation (how long the history is, how long since the previous action at the
time of the request, how far the recent items drift from the long-term profile, how
diverse they are). ``W`` and
``b`` are learned on the validation item with a softmax cross-entropy, so the gate learns
how much each user's next action follows the long or the short term. The softmax runs over
all items in catalogues up to ``gate_items``; in larger ones over each user's candidates and
items drawn to stand for the rest (:mod:`engine.models.gate_softmax`), so that its cost no
longer grows with the catalogue.

The loss stands in for the lists, and not always well: over a 100,000-item catalogue the
sampled softmax rewarded the component that orders the bulk of the items smoothly (the
transformer's dense scores) over the one that ranks the top best (co-occurrence's sparse
ones), and the fusion fell below co-occurrence. So the learned gate is then checked
against the lists themselves: on up to ``check_users`` of its users, the NDCG@10 of the
fused lists over the whole catalogue with the learned weights, and with one component's
logit raised by each of :data:`CHECK_RAISES` (the largest leaves it alone); the best is
kept, the learned gate on a tie. This is model selection on the validation targets, the
way the peers tune on them; it reads the users the gate learned from, since a choice among
so few variants hardly overfits and any bias favours the learned gate
(bench/results/gate_large.md measures it).

Two reference fusions share the code: ``fixed`` learns only the global weights ``b``;
``rrf`` is reciprocal-rank fusion with no learning at all.

Every fused score decomposes exactly into ``w_c(u) * z_c(u, i)`` per component, which is
what the screens show as each component's contribution; the gate value of a user is the
total weight of the long-term components.

Cold start goes through the text side (``cold_start``, word2vec on the item text by
default, or the semantic encoder profile): the collaborative and sequential components
know nothing of an item nobody has taken, nor much of a user with one to three actions.
So an item nobody took in the fitted history is scored by the text side alone: its
fused score is predicted from its text z-score by a per-user least-squares line fitted
over the items the components know (a raw z-score would outrank them all, since a
weighted sum of z-scores spreads less than one z-score). A user with at most
``cold_users`` interactions gets ``cold_weight`` of their score from the text model's
z-score and the rest from their fused score brought to unit spread.
The gate cannot learn this split where validation has no cold users or items (MovieLens
has neither), hence a rule; bench/results/cold_start.md measures it on both kinds. Its
contribution is shown under the text model's name. Without item text or genres, or with
``cold_start=None``, nothing changes.

An update refreshes every component for the grown data (each by its own ``update``, on a
copy that replaces it only when all are done, so a cancel leaves the fusion as it was).
The gate's features are computed from the history at scoring time, so they follow the
new interactions by themselves; its weights are kept, or learned again on held-out
targets when the update is given some (``valid``). Either stays within noise of a full
retrain when MovieLens-100K is replayed with more interactions
(bench/results/incremental_ml100k.md). Benchmark figures are kept in bench/results/, not
in these docstrings: the default components and the fusion's gain over each of them are
measured in bench/results/fusion_ml100k.md, the cold-start rule in
bench/results/cold_start.md.
"""
from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from engine.core.progress import SubTask, Task
from engine.data.dataset import Dataset, History, Validation
from engine.data.features import item_vectors as genre_or_text_vectors
from engine.data.features import unit_rows
from engine.evaluation.ranking import mask_seen, sample_users, target_ranks
from engine.models.base import Commit, Composite, NotFittedError, Recommender, commit, report
from engine.models.content import ContentProfile
from engine.models.context import FitContext
from engine.models.gate_softmax import BATCH, candidate_z, exclude_seen
from engine.models.params import ModelParams, setting

log = logging.getLogger(__name__)
Mode = Literal["learned", "fixed", "rrf"]
#: Components of the default fusion (long-term, then short-term), chosen by the ablation
#: in bench/results/fusion_ml100k.md.
DEFAULT_COMPONENTS = ("ease", "als", "cooc", "sequential")
#: How far the check raises one component's gate logit (module notes); the last raise
#: leaves the others next to no weight: the component alone.
CHECK_RAISES = (0.5, 1.0, 2.0, 4.0, 50.0)
#: The list length whose NDCG the check compares (the protocol's K).
CHECK_K = 10
FEATURES = ("log history length", "log hours between the last two actions",
            "log hours since the last action", "recent-to-profile similarity", "recent diversity")


@dataclass(frozen=True)
class FusionParams(ModelParams):
    """The fusion's settings (see the module notes for the method)."""

    components: list[str] = setting(list(DEFAULT_COMPONENTS), "Components", "Registry names "
                                    "of the models to fuse (each fitted on the training "
                                    "history)")
    component_params: dict[str, dict[str, object]] = setting(
        {}, "Component parameters", "Hyper-parameters per component name")
    mode: Mode = setting("learned", "Fusion", "learned (per-user gate), fixed (global "
                         "weights) or rrf (reciprocal ranks)")
    n_recent: int = setting(5, "Recent items", "How many latest items describe the "
                            "short-term situation in the gate features")
    l2: float = setting(1e-2, "Gate L2", "Ridge penalty on the gate's feature weights W")
    steps: int = setting(300, "Gate steps", "Full-batch Adam steps for the gate")
    lr: float = setting(0.05, "Gate learning rate", "Adam's step size for the gate")
    max_gate_users: int = setting(4000, "Gate users", "Validation users the gate learns "
                                  "from (a seeded sample beyond this many)")
    gate_items: int = setting(2000, "Gate softmax items", "Catalogues up to this many items: "
                              "the gate's softmax runs over every item; larger ones: over "
                              "each user's candidates")
    gate_candidates: int = setting(100, "Gate candidates", "Per component, the top items of "
                                   "each user that are candidates in a catalogue larger "
                                   "than gate_items (with the target)")
    gate_samples: int = setting(400, "Gate samples", "Per user, items drawn uniformly beside "
                                "the candidates in a catalogue larger than gate_items, "
                                "standing for the rest of it in the gate's softmax")
    check_users: int = setting(2000, "Gate check users", "Of the users the gate learns "
                               "from, how many its lists are checked on against the lists "
                               "with one component's weight raised or alone (0: no check)")
    rrf_k: int = setting(60, "RRF constant", "The constant of reciprocal-rank fusion, 60 as "
                         "in Cormack et al. (2009)")
    use_request_time: bool = setting(True, "Request time", "Whether the gate reads the time "
                                     "between the user's last action and the request (in "
                                     "evaluation: the held-out event's time, never its "
                                     "item); off for ablations")
    cold_start: str | None = setting("word2vec", "Cold-start model", "The text-side model "
                                     "(registry name, or None) that scores items without "
                                     "interactions and users with few (not used by rrf)")
    cold_users: int = setting(3, "Cold users up to", "Users with at most this many "
                              "interactions are cold")
    cold_weight: float = setting(0.25, "Cold weight", "The text model's share of a cold "
                                 "user's score; chosen on the synthetic shop's cold users "
                                 "(bench/results/cold_start.md)")
    seed: int | None = setting(None, "Seed", "Seeds the gate's sample and start; None: the "
                               "run's", run="seed")

    def __post_init__(self) -> None:
        if self.mode is None:  # the class's own fusion mode
            object.__setattr__(self, "mode", type(self).default("mode"))
        if self.component_params is None:
            object.__setattr__(self, "component_params", {})
        super().__post_init__()
        object.__setattr__(self, "cold_start", self.cold_start or None)
        if (self.gate_items < 1 or self.gate_candidates < 1 or self.gate_samples < 0
                or self.check_users < 0):
            raise ValueError("gate_items and gate_candidates must be at least 1, "
                             "gate_samples and check_users at least 0")
        if not 0.0 <= self.cold_weight <= 1.0 or self.cold_users < 0:
            raise ValueError("cold_weight must be in [0, 1] and cold_users >= 0")
        if self.mode not in ("learned", "fixed", "rrf"):
            raise ValueError(f"mode must be 'learned', 'fixed' or 'rrf', not {self.mode!r}")
        if not self.components:
            raise ValueError("fusion needs at least one component")


class Fusion(Composite):
    """Fuses named component models (parameters: :class:`FusionParams`); see the module
    docstring for the method."""

    name: ClassVar[str] = "fusion"
    Params: ClassVar[type[ModelParams]] = FusionParams
    sequential: ClassVar[bool] = True
    #: The gate is kept (or learned again on held-out targets); each component updates by
    #: its own rule (one without an incremental update is refitted).
    incremental: ClassVar[bool] = True
    #: What the last gate check chose and why (empty: none ran; a class default, so that a
    #: fusion stored before the check reads back).
    _gate_check: str = ""

    def __init__(self, params: FusionParams | None = None, /, **values: object) -> None:
        super().__init__(params, **values)
        self._models: dict[str, Recommender] = {}
        #: The fitted cold-start text model (None: off, or no item text).
        self._cold: Recommender | None = None
        self._taken: np.ndarray | None = None  # bool per item: taken in the history of the fit
        #: The gate's seed at the last fit (the run's when ``seed`` is None), which an
        #: update that learns the gate again uses.
        self._fit_seed: int | None = None
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
        return dict(self._fit_seconds)

    @property
    def fitted_components(self) -> dict[str, Recommender]:
        return dict(self._models)

    def members(self) -> list[str]:
        """The components, then the cold-start text model when it is none of them."""
        helper = [] if self.cold_start in (None, *self.components) else [self.cold_start]
        return [*self.components, *helper]

    def method_for(self, n_items: int) -> str:
        if self.mode == "rrf":
            return ""
        if n_items <= self.gate_items:
            return f"{n_items:,} items <= {self.gate_items:,}: the gate's softmax over every item"
        return (f"{n_items:,} items > {self.gate_items:,}: the gate's softmax over each user's "
                f"top {self.gate_candidates} of every component, the target and "
                f"{self.gate_samples} items drawn from the rest (logQ-corrected)")

    def fit_report(self) -> str:
        return self._gate_check

    def reuse(self, fitted: dict[str, Recommender]) -> None:
        """Components already fitted on the same training history (saves refitting them),
        added to those given before."""
        self._reuse.update(fitted)

    def unfitted_members(self, dataset: Dataset) -> list[str]:
        return [name for name in self._fitted_names(dataset) if name not in self._reuse]

    def _cold_model(self, dataset: Dataset) -> str | None:
        """The cold-start text model a fit on ``dataset`` uses: none for rrf, nor for a
        catalogue without item text."""
        return self.cold_start if self.mode != "rrf" and _has_item_text(dataset) else None

    def _fitted_names(self, dataset: Dataset) -> list[str]:
        """Every model a fit on ``dataset`` uses: the components, then the cold-start
        text model when it takes part and is none of them."""
        cold = self._cold_model(dataset)
        return [*self.components, *([] if cold in (None, *self.components) else [cold])]

    def fit(self, train: History, dataset: Dataset, task: Task | None = None,
            valid: Validation | None = None, *, context: FitContext = FitContext()
            ) -> "Fusion":
        from engine.models import MODELS, make_model  # the registry imports this module

        self._models = {}
        names, cold = self._fitted_names(dataset), self._cold_model(dataset)
        fitted: dict[str, Recommender] = {}
        # progress: each fit its share by its expected cost, the gate one closed form's
        costs = np.array([0.0 if n in self._reuse else MODELS[n].fit_cost for n in names] + [1.0])
        ends = np.cumsum(costs) / costs.sum()
        for i, name in enumerate(names):
            started = time.perf_counter()
            if name in self._reuse:
                fitted[name] = self._reuse[name]
            else:
                low, high = (ends[i - 1] if i else 0.0), ends[i]
                report(task, low, f"fitting {name}")
                part = None if task is None else SubTask(task, low, high)
                model = make_model(name, **self.component_params.get(name, {}))
                fitted[name] = model.fit(train, dataset, part, valid, context=context)
                self._fit_seconds[name] = time.perf_counter() - started
        self._models = {name: fitted[name] for name in self.components}
        self._cold = None if cold is None else fitted[cold]
        self._taken = _taken(train)
        self._vectors = self._item_space(dataset)
        method = self.method_for(train.n_items)
        log.info("fusion: %s", method)
        report(task, ends[-2], f"learning the gate: {method}" if method else "learning the gate")
        started = time.perf_counter()
        n_c = len(self.components)
        self._W = np.zeros((len(FEATURES), n_c), dtype=np.float32)
        self._b = np.zeros(n_c, dtype=np.float32)
        self._f_mean = np.zeros(len(FEATURES), dtype=np.float32)
        self._f_std = np.ones(len(FEATURES), dtype=np.float32)
        self._fit_seed = context.setting("seed", self.seed)
        if self.mode != "rrf" and valid is not None and len(valid.users):
            self._learn_gate(valid)
        self._fit_seconds["gate"] = time.perf_counter() - started
        report(task, 1.0, self._gate_check or None)
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
        cold = self._cold
        if cold is not None:
            cold = updated.get(self.cold_start) or copy.copy(cold)  # type: ignore[arg-type]
            if self.cold_start not in updated:
                cold.prepare_update(history, dataset, None, valid)()
        trial = copy.copy(self)
        trial._models = updated
        trial._vectors = trial._item_space(dataset)
        if learn_gate:
            report(task, len(self.components) * share, "learning the gate again")
            trial._learn_gate(valid)  # type: ignore[arg-type]
        report(task, 1.0)
        return commit(self, _models=updated, _cold=cold, _taken=_taken(history),
                      _vectors=trial._vectors, _W=trial._W, _b=trial._b,
                      _f_mean=trial._f_mean, _f_std=trial._f_std, _gate_check=trial._gate_check)

    def _learn_gate(self, valid: Validation) -> None:
        import torch

        seed = self.seed if self._fit_seed is None else self._fit_seed
        rng = np.random.default_rng(seed)
        self._gate_check = ""
        users = sample_users(valid.users, self.max_gate_users, rng)
        targets = valid.targets[users]
        target_items = targets.indices[targets.indptr[:-1]]
        offset = None  # added to the sampled columns' logits (logQ correction)
        if valid.context.n_items <= self.gate_items:
            z = self._standardised(users, valid.context)  # (C, b, items)
            exclude_seen(z, users, valid.context)
        else:
            z, offset = candidate_z(lambda batch: self._standardised(batch, valid.context),
                                    users, valid.context, target_items, self.gate_candidates,
                                    self.gate_samples, rng)
            target_items = np.zeros(len(users), dtype=np.int64)  # the first column
        features = self._raw_features(users, valid.context)
        self._f_mean = features.mean(axis=0)
        self._f_std = features.std(axis=0) + 1e-6
        f = torch.from_numpy((features - self._f_mean) / self._f_std)
        z_t = torch.from_numpy(z)
        target = torch.from_numpy(target_items.astype(np.int64))
        torch.manual_seed(seed)
        W = torch.zeros(len(FEATURES), len(self.components), requires_grad=self.mode == "learned")
        b = torch.zeros(len(self.components), requires_grad=True)
        log_temperature = torch.zeros((), requires_grad=True)
        params = [b, log_temperature] + ([W] if self.mode == "learned" else [])
        optimiser = torch.optim.Adam(params, lr=self.lr)
        for _ in range(self.steps):
            optimiser.zero_grad()
            weights = torch.softmax(f @ W + b, dim=1)  # (b, C)
            fused = torch.einsum("bc,cbi->bi", weights, z_t) * log_temperature.exp()
            if offset is not None:
                fused = fused + offset
            loss = torch.nn.functional.cross_entropy(fused, target) + self.l2 * (W ** 2).sum()
            loss.backward()
            optimiser.step()
        self._W = W.detach().numpy().astype(np.float32)
        self._b = b.detach().numpy().astype(np.float32)
        if self.check_users:
            self._check_gate(sample_users(users, self.check_users, rng), valid)

    def _check_gate(self, users: np.ndarray, valid: Validation) -> None:
        """Raises one component's gate logit where that ranks ``users``' validation
        targets better (NDCG@10 of the fused lists over the whole catalogue) than the
        learned gate, by the best of :data:`CHECK_RAISES`; the learned gate wins ties.
        The gate's softmax loss stands in for the lists, and over a large catalogue its
        sampled form can prefer the component that orders the bulk of the items smoothly
        over the one that ranks the top best (module notes)."""
        n_c = len(self.components)
        shifts = np.vstack([np.zeros(n_c, dtype=np.float32),
                            *[r * np.eye(n_c, dtype=np.float32)[c]
                              for c in range(n_c) for r in CHECK_RAISES]])
        features = (self._raw_features(users, valid.context) - self._f_mean) / self._f_std
        logits = features @ self._W + self._b
        targets = valid.targets[users]
        target_items = targets.indices[targets.indptr[:-1]]
        gains = np.zeros(len(shifts))
        discounts = 1.0 / np.log2(np.arange(CHECK_K) + 2.0)
        for lo in range(0, len(users), BATCH):
            batch = slice(lo, lo + BATCH)
            z = self._standardised(users[batch], valid.context)
            exclude_seen(z, users[batch], valid.context)
            for s, shift in enumerate(shifts):
                fused = np.einsum("bc,cbi->bi", _softmax_rows(logits[batch] + shift), z)
                ranks = target_ranks(fused, target_items[batch])
                gains[s] += discounts[ranks[ranks < CHECK_K]].sum()
        ndcg = gains / len(users)
        best = int(np.argmax(ndcg))  # the first best: the learned gate on a tie
        other = 1 + int(np.argmax(ndcg[1:]))
        self._b = (self._b + shifts[best]).astype(np.float32)
        labels = ["learned"] + [f"{name} alone" if r == CHECK_RAISES[-1]
                                else f"{name} raised by {r:g}"
                                for name in self.components for r in CHECK_RAISES]
        self._gate_check = (f"gate checked on {len(users):,} validation users, NDCG@{CHECK_K} "
                            f"learned {ndcg[0]:.4f}, best variant ({labels[other]}) "
                            f"{ndcg[other]:.4f}: kept {labels[best]}")
        log.info("fusion: %s", self._gate_check)

    # -- scoring --------------------------------------------------------------------------

    def _standardised(self, users: np.ndarray, history: History, spare: int = 0
                      ) -> np.ndarray:
        """(components + spare, users, items) per-user z-scores of every component's
        scores, then ``spare`` rows of zeros: one array, filled in place (over a large
        catalogue each copy of it would cost more than scoring a component)."""
        if not self._models:
            raise NotFittedError("Fusion used before fit")
        n_c = len(self.components)
        z = np.empty((n_c + spare, len(users), history.n_items), dtype=np.float32)
        for c, name in enumerate(self.components):
            z[c] = self._models[name].score(users, history)
            _standardise_rows(z[c])
        z[n_c:] = 0.0
        return z

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
        return _softmax_rows(f @ self._W + self._b)

    def _parts(self, users: np.ndarray, history: History,
               gate: np.ndarray | None = None) -> np.ndarray:
        """(components, users, items) additive parts of the fused score; with ``gate``,
        the long-term components' weights are scaled to sum to it (the short-term ones
        to the rest) before anything else, cold start included."""
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
        if gate is not None:
            weights = self._with_long_share(weights, np.asarray(gate, dtype=np.float32))
        n_c = len(self.components)
        apart = self._cold is not None and self.cold_start not in self.components
        parts = self._standardised(users, history, spare=int(apart))
        text = None  # the cold-start text model's z-scores
        if apart:
            text = np.array(self._cold.score(users, history), dtype=np.float32)  # type: ignore[union-attr]
            _standardise_rows(text)
        elif self._cold is not None:
            text = parts[self.components.index(self.cold_start)].copy()  # type: ignore[arg-type]
        parts[:n_c] *= weights.T[:, :, None]
        return parts if text is None else self._with_cold_start(parts, text, users, history)

    def _part_names(self) -> list[str]:
        """Names of the parts :meth:`_parts` returns: the components, then the cold-start
        text model when it is not one of them and takes part."""
        return self.members() if self._cold is not None and self.mode != "rrf" \
            else list(self.components)

    def _with_cold_start(self, parts: np.ndarray, text: np.ndarray, users: np.ndarray,
                         history: History) -> np.ndarray:
        """``parts`` (changed in place) with items nobody has taken and users with few
        actions scored by the text side, whose z-scores are ``text`` (module notes); the
        text model's part is the last one if it is no component."""
        own = (self.components.index(self.cold_start)  # type: ignore[arg-type]
               if self.cold_start in self.components else len(self.components))
        # items the components learned nothing of: none in the history they were fitted
        # on (an item first taken in the held-out part of a split is still unknown to them)
        taken = np.zeros(history.n_items, dtype=bool)
        known = self._taken[:history.n_items] if self._taken is not None else np.ones(0, bool)
        taken[:len(known)] = known
        if not taken.all() and taken.any():
            predicted = _predicted_from(text, parts.sum(axis=0), taken)
            parts[:, :, ~taken] = 0.0
            parts[own][:, ~taken] = predicted
        share = self._cold_share(users, history)
        if share.any():
            spread = parts.sum(axis=0).std(axis=1)
            scale = np.where(share > 0, (1.0 - share) / np.maximum(spread, 1e-6), 1.0)
            parts *= scale[None, :, None].astype(np.float32)
            parts[own] += share[:, None] * text
        return parts

    def _cold_share(self, users: np.ndarray, history: History) -> np.ndarray:
        """Per user: the share of the score the cold-start text model takes (0 or
        ``cold_weight``)."""
        lengths = history.lengths[np.asarray(users, dtype=np.int64)]
        cold = (lengths > 0) & (lengths <= self.cold_users) & (self._cold is not None)
        return np.where(cold, self.cold_weight, 0.0).astype(np.float32)

    def score(self, users: np.ndarray, history: History) -> np.ndarray:
        return self._parts(users, history).sum(axis=0).astype(np.float32)

    def _with_long_share(self, weights: np.ndarray, gate: np.ndarray) -> np.ndarray:
        """``weights`` with each user's long-term share scaled to ``gate`` (a side with
        no weight at all cannot be scaled and stays as it is)."""
        long_term = np.array([self._models[n].horizon == "long" for n in self.components])
        now = weights[:, long_term].sum(axis=1)
        scale_long = np.divide(gate, now, out=np.ones_like(now), where=now > 0)
        scale_short = np.divide(1 - gate, 1 - now, out=np.ones_like(now), where=now < 1)
        return weights * np.where(long_term[None, :], scale_long[:, None], scale_short[:, None])

    def contributions(self, users: np.ndarray, history: History, items: np.ndarray,
                      gate: np.ndarray | None = None) -> dict[str, np.ndarray]:
        parts = self._parts(users, history, gate)
        return {name: np.take_along_axis(parts[c], items, axis=1)
                for c, name in enumerate(self._part_names())}

    def gate(self, users: np.ndarray, history: History) -> np.ndarray | None:
        """Share of the long-term side in each user's score (None for rrf): the long-term
        components' weights, and the text model's share for a cold user."""
        if self.mode == "rrf":
            return None
        users = np.asarray(users, dtype=np.int64)
        weights = self._weights(users, history)
        long_term = np.array([self._models[n].horizon == "long" for n in self.components])
        share = self._cold_share(users, history)
        return ((1.0 - share) * weights[:, long_term].sum(axis=1) + share).astype(np.float32)

    def component_weights(self, users: np.ndarray, history: History) -> dict[str, np.ndarray]:
        """Each component's gate weight per user, for the screens and the benchmark."""
        weights = self._weights(np.asarray(users, dtype=np.int64), history)
        return {name: weights[:, c] for c, name in enumerate(self.components)}

    def user_vectors(self, users: np.ndarray, history: History) -> np.ndarray | None:
        """The vectors of the first long-term component that keeps one, a text profile
        (semantic, word2vec) before latent factors (ALS); None when none does."""

        if not self._models:
            raise NotFittedError("Fusion used before fit")
        long_term = [self._models[n] for n in self.components
                     if self._models[n].horizon == "long"]
        for model in sorted(long_term, key=lambda m: not isinstance(m, ContentProfile)):
            vectors = model.user_vectors(users, history)
            if vectors is not None:
                return vectors
        return None


def _softmax_rows(logits: np.ndarray) -> np.ndarray:
    """Each row's softmax (a user's gate weights from their logits)."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _standardise_rows(scores: np.ndarray) -> None:
    """Standardises each user's scores (a row) in place; a constant row becomes zeros."""
    std = scores.std(axis=1, keepdims=True)
    scores -= scores.mean(axis=1, keepdims=True)
    np.divide(scores, std, out=scores, where=std > 0)
    scores[std[:, 0] <= 0] = 0.0


def _predicted_from(text: np.ndarray, fused: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """(users, untaken items): each user's fused score of the untaken items as predicted
    from their text z-score by least squares over the taken items, ``a + b * z``.

    A text z-score is not on the fused score's scale: a weighted sum of several z-scores
    spreads less than one, and the text side agrees only in part with the components, so
    raw z-scores would put every untaken item at the top of a list. The regression puts
    them where items of that text score fall among the items the components know; a
    user for whom the text side does not rise with the fused score (``b <= 0``) gets no
    lift from it.
    """
    # the moments over the taken items as matrix-vector products: no copy of the taken
    # columns (z-scores are of order one, so E[xy] - E[x]E[y] loses nothing that matters)
    share = taken.astype(np.float32) / max(int(taken.sum()), 1)
    x_mean, y_mean = text @ share, fused @ share
    covariance = (text * fused) @ share - x_mean * y_mean
    variance = (text * text) @ share - x_mean * x_mean
    slope = np.maximum(np.divide(covariance, variance, out=np.zeros_like(covariance),
                                 where=variance > 1e-12), 0.0)
    return (y_mean - slope * x_mean)[:, None] + slope[:, None] * text[:, ~taken]


def _taken(history: History) -> np.ndarray:
    """bool per item: whether anybody took it in ``history``."""
    return np.bincount(history.items, minlength=history.n_items) > 0


def _has_item_text(dataset: Dataset) -> bool:
    """Whether the catalogue says anything about its items beyond their ids."""
    return bool(any(dataset.genres) or (dataset.texts.astype(str) != "").any()
                or (dataset.titles.astype(str) != dataset.item_ids.astype(str)).any())


@dataclass(frozen=True)
class FixedFusionParams(FusionParams):
    """The fusion's settings, global weights by default."""

    mode: Mode = setting("fixed", "Fusion", "fixed (global weights), learned or rrf")


class FixedFusion(Fusion):
    """Global component weights learned on validation, the same for every user."""

    name: ClassVar[str] = "fusion-fixed"
    Params: ClassVar[type[ModelParams]] = FixedFusionParams


@dataclass(frozen=True)
class RankFusionParams(FusionParams):
    """The fusion's settings, reciprocal ranks by default."""

    mode: Mode = setting("rrf", "Fusion", "rrf (reciprocal ranks), learned or fixed")


class RankFusion(Fusion):
    """Reciprocal-rank fusion of the components, no learning."""

    name: ClassVar[str] = "fusion-rrf"
    Params: ClassVar[type[ModelParams]] = RankFusionParams
