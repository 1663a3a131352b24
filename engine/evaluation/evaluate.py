"""Full-ranking evaluation of any model on a split, in batches of users.

Every model is scored against all items; the items the user already has (train for
validation, train + validation for test) are masked; top-K lists are cut with ties by
lower item index; metrics are accumulated batch by batch. Models are fitted once on the
training history and never refitted for the test phase.

A phase is measured on every user with a target, or on a seeded sample of the split's
``eval_users`` of them when it has more: scoring costs users x items, and on a log of
hundreds of thousands of users the sample's mean is the same estimate within a small
standard error (a per-user metric in [0, 1] spreads by at most 0.5, so 50,000 users
bound it by 0.0023), taken from the same users for every model and every run of the
split, so that comparisons are paired.
Sampling users, unlike sampling the items ranked, leaves each user's ranking exact and
the metric unbiased; Mult-VAE's protocol likewise measures 10,000 to 50,000 held-out
users on its large datasets.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine.core.progress import Task
from engine.core.stages import Stage
from engine.data.features import item_vectors
from engine.data.split import Phase, Split
from engine.evaluation.metrics import MetricAccumulator
from engine.evaluation.ranking import mask_seen, sample_users, top_k, user_batches
from engine.models import make_model
from engine.models.base import Composite, Recommender
from engine.models.context import FitContext
from engine.models.popularity import item_popularity

#: Fits a model as :meth:`Recommender.fit` does (the model first, then fit's arguments)
#: and returns the fitted model: where it runs is the caller's choice (a cluster's
#: ``Compute.fit``); by default the model's own ``fit``, here.
Fit = Callable[..., Recommender]
#: The seed of the sample of users measured beyond a split's ``eval_users``: fixed, so
#: that every model and every run of a split measures the same users.
MEASURED_SEED = 0


def measured_users(split: Split, phase: Phase) -> np.ndarray:
    """The users whose metrics ``phase`` reports, in increasing id order: every user with
    a target there, or a seeded sample of ``split.eval_users`` of them when there are
    more (module notes)."""
    users = split.users(phase)
    if not split.eval_users:
        return users
    return sample_users(users, split.eval_users, np.random.default_rng(MEASURED_SEED))


def evaluate(
    model: Recommender,
    split: Split,
    phase: Phase = "test",
    ks: tuple[int, ...] = (10, 20),
    vectors: np.ndarray | None = None,
    task: Task | None = None,
    users: np.ndarray | None = None,
) -> dict[str, float]:
    """Metrics of a fitted ``model`` on the ``phase`` targets of ``split``.

    ``users`` restricts the evaluation to a subset (e.g. cold-start users); by default
    the phase's :func:`measured_users` are evaluated.
    """
    users = measured_users(split, phase) if users is None else np.intersect1d(
        users, split.users(phase))
    context = split.context(phase)
    inputs = context if model.sequential else split.train
    targets = split.targets(phase)
    train = split.train
    accumulator = MetricAccumulator(
        ks=ks,
        item_popularity=item_popularity(train.matrix),
        n_train_users=int((train.lengths > 0).sum()),
        item_vectors=vectors,
    )
    done = 0
    for batch in user_batches(users, train.n_items):
        scores = np.asarray(model.score(batch, inputs), dtype=np.float32)
        mask_seen(scores, batch, context.matrix)
        accumulator.add(top_k(scores, max(ks)), targets[batch])
        done += len(batch)
        if task is not None:
            task.update(done / len(users))
    return accumulator.result()


@dataclass
class ModelResult:
    name: str
    params: dict[str, object]
    fit_seconds: float
    eval_seconds: float
    test: dict[str, float]
    valid: dict[str, float] = field(default_factory=dict)
    fit_report: str = ""  # the fitted model's (Recommender.fit_report)

    def to_dict(self) -> dict[str, object]:
        return {**self.test, "fit_seconds": self.fit_seconds, "eval_seconds": self.eval_seconds,
                "valid": self.valid, "params": self.params, "fit_report": self.fit_report}


def evaluate_models(
    split: Split,
    models: list[str],
    ks: tuple[int, ...] = (10, 20),
    params: dict[str, dict[str, object]] | None = None,
    task: Task | None = None,
    fitted: dict[str, Recommender] | None = None,
    context: FitContext = FitContext(),
    fit: Fit | None = None,
) -> dict[str, ModelResult]:
    """Fit each named model on the training history and evaluate it on validation and test.

    ``fitted`` collects the fitted models by name; composites (fusions) reuse the
    components found there (pass the same dict to several calls to fit each component
    once). ``context`` holds the run-wide settings every fit reads; ``fit`` fits a model
    elsewhere (a cluster), the metrics are computed here either way.
    """
    params = params or {}
    vectors = item_vectors(split.dataset)
    results: dict[str, ModelResult] = {}
    fitted = {} if fitted is None else fitted
    for name in models:
        model = make_model(name, **params.get(name, {}))
        if isinstance(model, Composite):
            # Components share the standalone models' parameters and, once fitted, the models.
            parts = model.members()
            for component in parts:
                model.component_params.setdefault(component, params.get(component, {}))
            model.reuse({c: fitted[c] for c in parts
                         if c in fitted and model.component_params[c] == params.get(c, {})})
        if task is not None:
            task.begin(Stage.FIT.of(name))
        start = time.perf_counter()
        valid = split.validation()
        if fit is None:
            model.fit(split.train, split.dataset, task, valid, context=context)
        else:
            model = fit(model, split.train, split.dataset, task, valid, context=context)
        fit_seconds = time.perf_counter() - start
        fitted[name] = model
        if isinstance(model, Composite):
            fitted.update({c: m for c, m in model.fitted_components.items()
                           if c not in fitted and model.component_params[c] == params.get(c, {})})
        if task is not None:
            task.begin(Stage.EVALUATE.of(name))
        valid_metrics = evaluate(model, split, "valid", ks, vectors=vectors) if valid else {}
        start = time.perf_counter()
        test = evaluate(model, split, "test", ks, vectors=vectors, task=task)
        eval_seconds = time.perf_counter() - start
        results[name] = ModelResult(name, model.params(), fit_seconds, eval_seconds, test,
                                    valid_metrics, model.fit_report())
    if task is not None:
        task.finish()
    return results
