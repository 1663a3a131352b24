"""Real runs store each user's long-term interest vector: the model's own, or NULL.

Runs go through the storage life cycle (``run_and_save``, ``update_and_save``) on the
small demo shop; the stored blobs are read back with plain ``sqlite3``.
"""
from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from application.runs import run_and_save, update_and_save
from engine.core.progress import Task
from engine.pipeline.config import RunConfig
from storage import open_database, save_dataset, user_profile
from tests.support.storage import shop_dataset

ALS = {"factors": 6, "iterations": 4}
#: A fusion with latent factors (ALS) as its only long-term component that has vectors.
LATENT = RunConfig(model="fusion", k=5, params={"fusion": {
    "components": ["ease", "als", "cooc"], "component_params": {"als": ALS}, "steps": 20}})
#: The same with a text profile too: its vectors are preferred, wherever it is listed.
TEXT = RunConfig(model="fusion", k=5, params={"fusion": {
    "components": ["als", "cooc", "word2vec"], "steps": 20,
    "component_params": {"als": ALS, "word2vec": {"vector_size": 12, "epochs": 2}}}})


@pytest.fixture
def db(tmp_path, small_shop_files):
    database = open_database(tmp_path / "studio.db")
    save_dataset(database, shop_dataset(small_shop_files), "shop")
    yield database
    database.close()


def stored_vectors(db, run_id: int) -> list[tuple[str, bytes | None]]:
    """(SQLite type, value) of every profile's long_term, in the users' import order."""
    with sqlite3.connect(db.path) as conn:
        return conn.execute(
            "SELECT typeof(p.long_term), p.long_term FROM profiles p "
            "JOIN users u ON u.id = p.user_id WHERE p.run_id = ? ORDER BY u.idx",
            (run_id,)).fetchall()


def as_matrix(rows: list[tuple[str, bytes | None]], size: int) -> np.ndarray:
    assert {kind for kind, _ in rows} == {"blob"}
    assert {len(blob) for _, blob in rows} == {size * 4}, "float32, one value per dimension"
    return np.stack([np.frombuffer(blob, dtype="<f4") for _, blob in rows])


def test_a_fused_run_stores_the_latent_factors_of_its_long_term_side(db):
    run_id, result = run_and_save(db, "shop", LATENT, Task())
    data = result.dataset
    users = np.arange(data.n_users)
    als = result.model.fitted_components["als"]
    expected = als.user_vectors(users, data.history())
    assert expected.shape == (data.n_users, ALS["factors"]) and expected.dtype == np.float32
    assert np.abs(expected).sum() > 0
    stored = as_matrix(stored_vectors(db, run_id), ALS["factors"])
    np.testing.assert_array_equal(stored, expected)
    np.testing.assert_array_equal(stored, result.model.user_vectors(users, data.history()))
    profile = user_profile(db, run_id, str(data.user_ids[3]))
    assert profile.long_term.dtype == np.float32
    np.testing.assert_array_equal(profile.long_term, expected[3])


def test_a_text_profile_is_preferred_to_latent_factors(db):
    run_id, result = run_and_save(db, "shop", TEXT, Task())
    data = result.dataset
    users = np.arange(data.n_users)
    text = result.model.fitted_components["word2vec"]
    expected = text.user_profiles(users, data.history())  # u = h / ||h||
    stored = as_matrix(stored_vectors(db, run_id), 12)
    np.testing.assert_allclose(stored, expected, rtol=1e-6, atol=1e-7)
    has_history = data.history().lengths > 0
    np.testing.assert_allclose(np.linalg.norm(stored[has_history], axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("model", ["cooc", "pop"])
def test_a_model_without_vectors_stores_null(db, model):
    run_id, result = run_and_save(db, "shop", RunConfig(model=model, k=5), Task())
    assert result.profiles.long_term is None
    rows = stored_vectors(db, run_id)
    assert len(rows) == result.dataset.n_users
    assert {kind for kind, _ in rows} == {"null"}
    assert user_profile(db, run_id, str(result.dataset.user_ids[0])).long_term is None


def test_an_updated_run_stores_the_vectors_of_its_updated_model(db):
    first, _ = run_and_save(db, "shop", LATENT, Task())
    run_id, result, _ = update_and_save(db, first, Task())
    assert run_id != first
    data = result.dataset
    expected = result.model.fitted_components["als"].user_vectors(np.arange(data.n_users),
                                                                  data.history())
    np.testing.assert_array_equal(as_matrix(stored_vectors(db, run_id), ALS["factors"]),
                                  expected)


def test_a_fused_run_measures_its_components_on_their_own(db):
    from engine.data.features import item_vectors
    from engine.evaluation.evaluate import evaluate
    from engine.pipeline.config import make_split
    from storage.runs import run_info

    run_id, result = run_and_save(db, "shop", LATENT, Task())
    stored = run_info(db, run_id).metrics
    split = make_split(result.dataset, LATENT.split)
    for name, part in result.model.fitted_components.items():
        for phase in ("test", "valid"):
            expected = evaluate(part, split, phase, LATENT.metrics_k,
                                vectors=item_vectors(result.dataset))
            assert stored[f"component {name}: {phase}"] == pytest.approx(expected)
    # a single model has no components
    single, _ = run_and_save(db, "shop", RunConfig(model="ease", k=5), Task())
    assert not any(p.startswith("component ") for p in run_info(db, single).metrics)
