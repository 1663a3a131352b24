"""Fitted models stored as data: what goes in comes back (scores, shared parts, settings),
and anything that is not such a blob, however it was made, is refused without running a
line of it. Every model's own round trip is in tests/engine/pipeline/test_incremental.py."""
from __future__ import annotations

import json
import pickle
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.data.encoder import ItemTextVectors
from engine.data.importer import read_catalogue, read_interactions
from engine.data.preprocess import build_dataset
from engine.data.synthetic import ShopConfig, generate, write_csv
from engine.models import make_model
from engine.models.serialize import FORMAT, UnreadableModel, model_from_bytes, model_to_bytes


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serialize-shop")
    interactions, items = write_csv(generate(ShopConfig(n_users=40, seed=5)), folder)
    return build_dataset(read_interactions(interactions), read_catalogue(items), name="shop")


@pytest.fixture(scope="module")
def fusion_blob(shop):
    model = make_model("fusion", components=["ease", "cooc"], cold_start="cooc")
    model.fit(shop.history(), shop)
    return model, model_to_bytes(model)


def described(blob: bytes) -> dict:
    (length,) = struct.unpack("<Q", blob[:8])
    return json.loads(json.loads(blob[8:8 + length])["__metadata__"]["interest-fusion-studio"])


def with_description(blob: bytes, description: dict) -> bytes:
    """``blob`` with its description replaced (its arrays kept), as a forger would."""
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    header["__metadata__"]["interest-fusion-studio"] = json.dumps(description)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    return struct.pack("<Q", len(encoded)) + encoded + blob[8 + length:]


def test_a_fusion_comes_back_with_its_scores_and_shared_parts(shop, fusion_blob):
    model, blob = fusion_blob
    restored = model_from_bytes(blob)
    users = np.arange(shop.n_users)
    history = shop.history()
    np.testing.assert_array_equal(restored.score(users, history), model.score(users, history))
    assert restored._cold is restored._models["cooc"]  # one object, as in the fitted model
    assert restored.components == ["ease", "cooc"] and restored._fit_seed == model._fit_seed
    assert described(blob)["format"] == FORMAT


def test_values_keep_their_types():
    model = make_model("sequential", item_vectors=ItemTextVectors(max_length=32))
    model._log = [{"epoch": 1.0, "loss": np.float32(2.5)}]
    model._best_epoch = (np.int64(3), "three", None, True)
    restored = model_from_bytes(model_to_bytes(model))
    assert isinstance(restored._item_vectors, ItemTextVectors)
    assert restored._item_vectors["max_length"] == 32
    assert restored._log == model._log and type(restored._log[0]["loss"]) is np.float32
    assert restored._best_epoch == model._best_epoch
    assert type(restored._best_epoch[0]) is np.int64


def test_something_that_is_not_data_cannot_be_stored():
    model = make_model("pop")
    model._counts = lambda: None
    with pytest.raises(TypeError, match="cannot hold a builtins.function"):
        model_to_bytes(model)
    model._counts = np.array(["a", "b"])
    with pytest.raises(TypeError, match="array of <U1"):
        model_to_bytes(model)


class Payload:
    """What an attacker plants: unpickling it would call ``open`` on the marker file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_is_refused_and_nothing_in_it_runs(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(UnreadableModel):
        model_from_bytes(pickle.dumps(Payload(str(marker))))
    assert not marker.exists()


@pytest.mark.parametrize("name", ["builtins.eval", "os.system", "posix.system",
                                  "engine.models.base.Recommender", "model:nonexistent"])
def test_a_type_outside_the_registry_is_refused(fusion_blob, name):
    _, blob = fusion_blob
    description = described(blob)
    description["root"]["object"] = name
    with pytest.raises(UnreadableModel, match="not one a model is made of"):
        model_from_bytes(with_description(blob, description))


@pytest.mark.parametrize("root, message", [
    ({"ref": 7}, "before it is defined"),
    ({"id": 0, "array": "999"}, "missing array"),
    ({"id": 0, "csr": ["0", "0", "0"], "shape": [2, 2]}, "sparse matrix is malformed"),
    ({"id": 0, "scalar": "O", "value": 1}, "bad scalar"),
    ({"eval": "1"}, "unknown node"),
    (["list"], "unknown node"),
    ({"id": 0, "array": "0"}, "does not hold a model"),
])
def test_a_forged_description_is_refused_with_its_reason(fusion_blob, root, message):
    _, blob = fusion_blob
    with pytest.raises(UnreadableModel, match=message):
        model_from_bytes(with_description(blob, {"format": FORMAT, "root": root}))


def test_out_of_range_sparse_indices_are_refused_before_scipy_uses_them(shop):
    model = make_model("itemknn").fit(shop.history(), shop)
    model._weights.indices[0] = 10 ** 6
    with pytest.raises(UnreadableModel, match="sparse matrix is malformed"):
        model_from_bytes(model_to_bytes(model))


def test_another_format_says_which(fusion_blob):
    _, blob = fusion_blob
    with pytest.raises(UnreadableModel, match="'other-2'; this version reads"):
        model_from_bytes(with_description(blob, {"format": "other-2", "root": None}))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_damaged_blob_is_a_model_or_refused_never_a_crash(fusion_blob, data):
    _, blob = fusion_blob
    damaged = bytearray(blob)
    header = 8 + struct.unpack("<Q", blob[:8])[0]
    for _ in range(data.draw(st.integers(1, 8))):
        where = data.draw(st.integers(0, min(len(blob), header + 64) - 1))  # mostly the JSON
        damaged[where] = data.draw(st.integers(0, 255))
    cut = data.draw(st.sampled_from([len(blob), header, header // 2, 7, 0]))
    try:
        model_from_bytes(bytes(damaged[:cut]))
    except UnreadableModel:
        pass
