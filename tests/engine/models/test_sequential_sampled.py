"""The transformer's sampled softmax, for catalogues above ``full_softmax_items``: the loss
function (logQ correction, per-window negatives, accidental hits), the switch between the
two losses, and a sampled fit that learns, repeats with a seed, splits its batches and is
stored. Tiny
models on the CPU, as in test_sequential.py."""
from __future__ import annotations

import logging

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.core.progress import Task
from engine.data.split import leave_one_out
from engine.evaluation.evaluate import evaluate
from engine.models import sequential
from engine.models.popularity import Popularity
from engine.models.sequential import (SequentialTransformer, negative_distribution,
                                      sampled_cross_entropy)
from engine.models.serialize import model_from_bytes, model_to_bytes
from tests.engine.models.test_models import sequences_dataset
from tests.engine.models.test_sequential import SMALL

N_ITEMS = 60
#: Sampled softmax forced on the small catalogue: 60 items > 20, 16 negatives per batch.
SAMPLED = dict(SMALL, full_softmax_items=20, negatives=16)


def walks(n_users: int = 80, length: int = 10, seed: int = 0) -> list[list[int]]:
    """Each user walks k, k+1, ... (mod N_ITEMS); starts skewed towards low items, so
    popularity is uneven and popularity sampling differs from uniform."""
    rng = np.random.default_rng(seed)
    starts = np.minimum(rng.geometric(0.05, n_users), N_ITEMS) - 1
    return [list((s + np.arange(length)) % N_ITEMS) for s in starts]


@pytest.fixture(scope="module")
def walk_split():
    ds = sequences_dataset(walks(), N_ITEMS)
    return ds, leave_one_out(ds)


def loss_inputs(seed: int = 0, windows: int = 3, length: int = 4, k: int = 5, d: int = 4,
                items: int = 30):
    """Random hidden states, table, targets (-1: no target) and per-window negatives."""
    g = torch.Generator().manual_seed(seed)
    hidden = torch.randn(windows, length, d, generator=g)
    table = torch.randn(items + 1, d, generator=g)
    targets = torch.randint(0, items, (windows, length), generator=g)
    targets[0, :2] = -1  # padding positions
    negatives = torch.randint(0, items, (windows, k), generator=g)
    return hidden, table, targets, negatives


def reference(hidden, table, targets, negatives, log_q) -> torch.Tensor:
    """The loss target by target: its item first, then its window's negatives that are
    not the target, every logit minus its log_q."""
    total = torch.zeros(())
    for w in range(targets.shape[0]):
        pool = negatives[w if len(negatives) > 1 else 0]
        for h, t in zip(hidden[w], targets[w]):
            if t < 0:
                continue
            items = torch.cat([t[None], pool[pool != t]])
            logits = table[items + 1] @ h - log_q[items]
            total = total + F.cross_entropy(logits[None], torch.zeros(1, dtype=torch.long),
                                            reduction="sum")
    return total


# -- the loss function ---------------------------------------------------------------------

def test_uniform_sampling_correction_is_a_constant_shift() -> None:
    hidden, table, targets, negatives = loss_inputs()
    p = torch.from_numpy(negative_distribution(np.ones(30), "uniform")).float()
    corrected = sampled_cross_entropy(hidden, table, targets, negatives, torch.log(5 * p))
    plain = sampled_cross_entropy(hidden, table, targets, negatives, torch.zeros(30))
    torch.testing.assert_close(corrected, plain)
    torch.testing.assert_close(plain, reference(hidden, table, targets, negatives,
                                                torch.zeros(30)))


def test_popularity_correction_subtracts_log_q_from_every_logit() -> None:
    hidden, table, targets, negatives = loss_inputs(seed=1)
    counts = np.arange(1, 31, dtype=np.float64) ** 2
    p = negative_distribution(counts, "popularity")
    np.testing.assert_allclose(p, counts / counts.sum())
    log_q = torch.from_numpy(np.log(negatives.shape[1] * p)).float()
    corrected = sampled_cross_entropy(hidden, table, targets, negatives, log_q)
    torch.testing.assert_close(corrected, reference(hidden, table, targets, negatives, log_q))
    # not a constant shift: the uncorrected loss differs
    uncorrected = sampled_cross_entropy(hidden, table, targets, negatives, torch.zeros(30))
    assert abs(float(corrected - uncorrected)) > 1e-3


def test_negatives_belong_to_their_window_or_to_all() -> None:
    hidden, table, targets, negatives = loss_inputs(seed=3)
    log_q = torch.linspace(-1.0, 1.0, 30)
    per_window = sampled_cross_entropy(hidden, table, targets, negatives, log_q)
    parts = sum(sampled_cross_entropy(hidden[w:w + 1], table, targets[w:w + 1],
                                      negatives[w:w + 1], log_q) for w in range(3))
    torch.testing.assert_close(per_window, parts)
    shared = negatives[:1]
    torch.testing.assert_close(sampled_cross_entropy(hidden, table, targets, shared, log_q),
                               reference(hidden, table, targets, shared, log_q))


def test_accidental_hits_are_masked() -> None:
    hidden, table, _, _ = loss_inputs(seed=2, windows=2, length=3)
    targets = torch.tensor([[3, 7, 11], [0, 9, 7]])
    negatives = torch.tensor([[3, 5, 7, 3, 20], [1, 7, 2, 2, 0]])  # hits in both windows
    log_q = torch.linspace(-1.0, 1.0, 30)
    loss = sampled_cross_entropy(hidden, table, targets, negatives, log_q)
    torch.testing.assert_close(loss, reference(hidden, table, targets, negatives, log_q))
    # negatives that are all the target leave the target alone: loss 0, no gradient
    t = table.clone().requires_grad_(True)
    alone = sampled_cross_entropy(hidden[:1, :1], t, torch.tensor([[3]]),
                                  torch.tensor([[3, 3]]), log_q)
    alone.backward()
    assert float(alone.detach()) == 0.0
    torch.testing.assert_close(t.grad, torch.zeros_like(t))


def test_popularity_never_draws_an_untaken_item() -> None:
    p = negative_distribution(np.array([0, 3, 0, 1]), "popularity")
    np.testing.assert_allclose(p, [0, 0.75, 0, 0.25])
    np.testing.assert_allclose(negative_distribution(np.array([0, 3, 0, 1]), "uniform"),
                               [0.25] * 4)


# -- the switch -----------------------------------------------------------------------------

def test_the_catalogue_size_picks_the_loss(walk_split, caplog) -> None:
    ds, split = walk_split
    statuses: list[str] = []
    with caplog.at_level(logging.INFO, logger="engine.models.sequential"):
        model = SequentialTransformer(**SAMPLED, max_epochs=1).fit(
            split.train, ds, Task(listeners=[lambda t: statuses.append(t.status)]))
    message = ("60 items > 20: sampled softmax, 16 popularity negatives per window "
               "with logQ correction")
    assert model.objective == message
    assert any(message in s for s in statuses)
    assert any(message in r.getMessage() for r in caplog.records)
    at_threshold = SequentialTransformer(**{**SAMPLED, "full_softmax_items": N_ITEMS},
                                         max_epochs=1).fit(split.train, ds)
    assert at_threshold.objective == "60 items <= 60: full softmax over every item"


def test_below_the_threshold_training_is_unchanged(walk_split) -> None:
    """The default and any threshold at or above the catalogue train exactly alike
    (the sampler draws nothing from the seeded generator); the sampled loss differs."""
    ds, split = walk_split
    users = np.arange(split.train.n_users)

    def scores(**values: object) -> np.ndarray:
        model = SequentialTransformer(**{**SMALL, "dropout": 0.2, **values}, max_epochs=3,
                                      seed=4)
        return model.fit(split.train, ds).score(users, split.train)

    default = scores()
    np.testing.assert_array_equal(scores(full_softmax_items=N_ITEMS), default)
    np.testing.assert_array_equal(scores(full_softmax_items=10**9, negatives=3), default)
    assert not np.allclose(scores(full_softmax_items=20, negatives=16), default)


# -- sampled training ------------------------------------------------------------------------

@pytest.mark.parametrize("sampling", ["popularity", "uniform"])
def test_sampled_softmax_learns_the_walks(walk_split, sampling) -> None:
    ds, split = walk_split
    model = SequentialTransformer(**SAMPLED, negative_sampling=sampling, max_epochs=30,
                                  patience=5, seed=0)
    model.fit(split.train, ds, valid=split.validation())
    assert "sampled softmax" in model.objective and sampling in model.objective
    losses = [entry["loss"] for entry in model.training_log]
    assert losses[-1] < 0.5 * losses[0]
    pop = Popularity().fit(split.train, ds)
    ours = evaluate(model, split, "valid", ks=(10,))["NDCG@10"]
    assert ours > 0.5 and ours > 3 * evaluate(pop, split, "valid", ks=(10,))["NDCG@10"]


def test_sampled_training_repeats_with_a_seed(walk_split) -> None:
    ds, split = walk_split
    users = np.arange(split.train.n_users)
    runs = [SequentialTransformer(**{**SAMPLED, "dropout": 0.2}, max_epochs=3, seed=seed)
            .fit(split.train, ds).score(users, split.train) for seed in (7, 7, 8)]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_sampled_split_batches_give_the_same_training(walk_split, monkeypatch) -> None:
    ds, split = walk_split
    users = np.arange(split.train.n_users)

    def scores() -> np.ndarray:
        model = SequentialTransformer(**SAMPLED, max_epochs=3)  # no dropout: same arithmetic
        return model.fit(split.train, ds).score(users, split.train)

    whole = scores()
    # a pass holds max_len * (negatives + 1) logits per window: 5 windows per pass
    monkeypatch.setattr(sequential, "_LOGITS_PER_PASS", SMALL["max_len"] * 17 * 5)
    np.testing.assert_allclose(scores(), whole, rtol=1e-4, atol=1e-4)


def test_a_sampled_model_is_stored_and_read_back(walk_split) -> None:
    ds, split = walk_split
    users = np.arange(split.train.n_users)
    model = SequentialTransformer(**SAMPLED, max_epochs=2).fit(split.train, ds)
    restored = model_from_bytes(model_to_bytes(model))
    np.testing.assert_array_equal(restored.score(users, split.train),
                                  model.score(users, split.train))
    assert restored.objective == model.objective
    assert restored.params() == model.params()


def test_bad_sampling_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="negative_sampling"):
        SequentialTransformer(negative_sampling="zipf")
    with pytest.raises(ValueError, match="negatives"):
        SequentialTransformer(negatives=0)
    with pytest.raises(ValueError, match="full_softmax_items"):
        SequentialTransformer(full_softmax_items=-1)


def test_mixed_precision_only_on_cuda():
    """On the CPU nothing changes (the fits above stay bit-identical); a CUDA device
    gets bfloat16 autocast, which needs no loss scaling."""
    import contextlib
    import warnings

    import torch

    from engine.models.sequential import mixed_precision

    assert isinstance(mixed_precision(torch.device("cpu")), contextlib.nullcontext)
    with warnings.catch_warnings():  # without a GPU torch says it disables the autocast
        warnings.simplefilter("ignore", UserWarning)
        on_gpu = mixed_precision(torch.device("cuda"))
    assert isinstance(on_gpu, torch.autocast)
    assert on_gpu.device == "cuda" and on_gpu.fast_dtype == torch.bfloat16
