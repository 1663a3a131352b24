"""The item-text tokeniser: words for spaced scripts, character bigrams for CJK runs."""
from engine.data.preprocess import build_dataset
from engine.data.text import STOPWORDS, item_documents, item_text, item_texts, tokenize
from tests.support.tables import catalogue, table


def test_english_words_are_lowercased_without_stopwords_and_single_characters():
    assert tokenize("The Chef's Knife, 20 cm (1995) and a Whisk 4K x 1") == [
        "chef", "knife", "20", "cm", "1995", "whisk", "4k"]


def test_underscores_and_punctuation_split_words():
    assert tokenize("stainless_steel/cast-iron!!") == ["stainless", "steel", "cast", "iron"]


def test_chinese_runs_become_character_bigrams():
    assert tokenize("推荐系统用户兴趣") == ["推荐", "荐系", "系统", "统用", "用户", "户兴", "兴趣"]


def test_cjk_punctuation_and_spaces_end_a_run():
    assert tokenize("推荐系统，用户 兴趣") == ["推荐", "荐系", "系统", "用户", "兴趣"]


def test_a_lone_cjk_character_is_kept():
    assert tokenize("猫") == ["猫"]
    assert tokenize("大 猫") == ["大", "猫"]


def test_japanese_kanji_and_kana_form_one_run():
    assert tokenize("東京タワーのお土産") == [
        "東京", "京タ", "タワ", "ワー", "ーの", "のお", "お土", "土産"]
    assert tokenize("ひらがな") == ["ひら", "らが", "がな"]


def test_full_and_half_width_forms_are_normalised():
    assert tokenize("ＡＢＣ１２ ｶﾀｶﾅ") == ["abc12", "カタ", "タカ", "カナ"]


def test_mixed_latin_and_cjk_text_keeps_reading_order():
    assert tokenize("iPhone 15 用ケース Case") == ["iphone", "15", "用ケ", "ケー", "ース", "case"]
    assert tokenize("Sony ソニー 耳机") == ["sony", "ソニ", "ニー", "耳机"]


def test_hangul_and_cyrillic():
    assert tokenize("한국어 텍스트") == ["한국", "국어", "텍스", "스트"]
    assert tokenize("Привет, Мир!") == ["привет", "мир"]


def test_stopwords_are_lowercase_english_function_words():
    assert {"the", "and", "of", "with"} <= STOPWORDS
    assert all(w == w.casefold() for w in STOPWORDS)
    assert tokenize("THE AND Of") == []


def test_item_text_does_not_repeat_what_the_text_already_holds():
    # MovieLens: the text already starts with the title and ends with the genres
    movie = item_text("Toy Story (1995)", "Toy Story (1995). 01-Jan-1995. Animation, Comedy",
                      ("Animation", "Comedy"))
    assert movie == "Toy Story (1995). 01-Jan-1995. Animation, Comedy"
    assert item_text("Pan", "Non-stick.", ("Kitchen", "Cookware")) == "Pan. Non-stick.. Kitchen, Cookware"
    assert item_text("Pan", "", ()) == "Pan"
    assert item_text("", "", ("Books",)) == "Books"


def test_item_documents_follow_the_internal_item_order():
    interactions = table([("u1", "b", 5, 1), ("u1", "a", 4, 2), ("u2", "a", 3, 3)])
    items = catalogue([("a", "Frying pan", "Cast iron pan for the kitchen", "Kitchen"),
                       ("b", "小说", "推理小说", "Books")])
    dataset = build_dataset(interactions, items)
    docs = dict(zip(dataset.item_ids, item_documents(dataset)))
    texts = dict(zip(dataset.item_ids, item_texts(dataset)))
    assert docs["a"] == ["frying", "pan", "cast", "iron", "pan", "kitchen", "kitchen"]
    assert docs["b"] == ["推理", "理小", "小说", "books"]  # the title is inside the text
    assert texts["a"].startswith("Frying pan. Cast iron pan")
