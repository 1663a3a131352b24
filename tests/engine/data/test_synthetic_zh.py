"""The Chinese shop and the bilingual catalogue: the same products in another language."""
from __future__ import annotations

import json
from importlib.resources import files

import numpy as np
import pytest

from engine.data.multilingual import text_script
from engine.data.shop_text import LANGUAGES, VOCABULARY_FILES, vocabulary
from engine.data.bilingual_shop import bilingual
from engine.data.synthetic import ShopConfig, generate, write_csv
from resources import demo_paths


def _shape(value: object) -> object:
    """The structure of a vocabulary: dict sizes and list lengths, not the words."""
    if isinstance(value, dict):
        return [(_shape(v)) for v in value.values()]
    if isinstance(value, list):
        return len(value)
    return "text"


@pytest.fixture(scope="module")
def english():
    return generate(ShopConfig())


@pytest.fixture(scope="module")
def chinese():
    return generate(ShopConfig(language="zh"))


def test_every_vocabulary_has_the_english_structure():
    raw = {lang: json.loads(files("engine.data").joinpath(name).read_text(encoding="utf-8"))
           for lang, name in VOCABULARY_FILES.items()}
    english = raw["en"]
    for lang in LANGUAGES:
        other = {k: v for k, v in raw[lang].items() if k != "sentence_join"}
        assert list(other) == list(english)
        assert _shape(other) == _shape(english), lang
        for category, spec in zip(other["catalogue"].values(), english["catalogue"].values()):
            assert list(spec) == list(category)  # the same slots in the same order
            for sub, english_sub in zip(category["subcategories"].values(),
                                        spec["subcategories"].values()):
                assert list(sub) == list(english_sub)


def test_the_chinese_shop_is_the_english_one_in_chinese(english, chinese):
    assert chinese.interactions.equals(english.interactions)
    assert (chinese.items["item_id"] == english.items["item_id"]).all()
    np.testing.assert_array_equal(chinese.item_subcategory, english.item_subcategory)
    np.testing.assert_array_equal(chinese.related, english.related)
    for column in ("title", "description", "category", "subcategory"):
        assert {text_script(t) for t in chinese.items[column]} == {"cjk"}, column
    assert chinese.categories == vocabulary("zh").categories
    assert set(chinese.items["category"]) == set(chinese.categories)
    assert len(set(chinese.items["title"])) > 0.9 * len(chinese.items)
    # Chinese descriptions join their two sentences without a space
    assert not chinese.items["description"].str.contains("。 ").any()


def test_shipped_chinese_demo_is_the_generated_shop(chinese, tmp_path):
    interactions, items = write_csv(chinese, tmp_path)
    shipped_interactions, shipped_items = demo_paths("zh")
    assert shipped_interactions == demo_paths("en")[0]  # one interactions file for both
    assert shipped_interactions.read_bytes().replace(b"\r\n", b"\n") == interactions.read_bytes()
    assert shipped_items.read_bytes().replace(b"\r\n", b"\n") == items.read_bytes(), (
        "resources/demo_zh/items.csv differs from the generator: run "
        "python -m cli.synthetic --out resources/demo_zh --lang zh")


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language must be one of en, zh"):
        ShopConfig(language="fr")
    with pytest.raises(ValueError, match="no demo shop in 'fr'"):
        demo_paths("fr")


def test_bilingual_catalogue_pairs_every_product_with_its_twin(english):
    both = bilingual()
    shop, n = both.shop, english.n_items
    assert shop.n_items == 2 * n
    np.testing.assert_array_equal(both.twin[both.twin], np.arange(2 * n))
    np.testing.assert_array_equal(shop.item_subcategory[both.twin], shop.item_subcategory)
    assert (shop.items["item_id"][n:].to_numpy() == english.items["item_id"] + "-zh").all()
    assert (shop.items["title"][:n] == english.items["title"]).all()
    scripts = [text_script(t) for t in shop.items["title"]]
    assert scripts[:n] == ["latin"] * n and set(scripts[n:]) == {"cjk"}
    # the same log, each interaction with the product in one language
    assert len(shop.interactions) == len(english.interactions)
    np.testing.assert_array_equal(shop.item_index % n, english.item_index)
    assert set(shop.interactions["item_id"]) <= set(shop.items["item_id"])
    # users mostly read their own language, and some take products in both
    own = both.interaction_language == both.user_language[shop.user_index]
    assert 0.7 < own.mean() < 0.9
    per_user = [set(both.interaction_language[shop.user_index == u]) for u in range(shop.n_users)]
    assert sum(len(s) == 2 for s in per_user) > shop.n_users // 3
    assert 0.3 < both.user_language.mean() < 0.7
