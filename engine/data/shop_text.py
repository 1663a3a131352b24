"""The words of the synthetic shop (:mod:`engine.data.synthetic`): its vocabulary, read
from ``shop_vocabulary.json`` (English) or ``shop_vocabulary_zh.json`` (Chinese), and the
items' titles and descriptions made from it."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import numpy as np

VOCABULARY_FILES = {"en": "shop_vocabulary.json", "zh": "shop_vocabulary_zh.json"}
LANGUAGES = tuple(VOCABULARY_FILES)
_SLOTS = ("nouns", "adj", "material", "brand", "spec", "motif", "author")


@dataclass(frozen=True)
class ShopVocabulary:
    """One language's words of the shop, shipped beside this module as package data (a
    JSON file, so the generator's code stays readable and the words can be edited
    without touching it).

    ``catalogue`` maps each category to its ``subcategories`` and its slots. Slot values
    are stored in lower case unless they are names or measures; templates (``titles``,
    ``descriptions``, else ``default_titles``) write ``{Slot}`` for the capitalised form
    and ``{slot}`` for the stored one. Every sub-category has its own ``nouns``, measures
    (``spec``) and selling points (``feature``) and may override any slot of its
    category. Extra slots the English templates use: ``a_adj`` ("a compact", "an
    ergonomic", or "compact" before a plural noun), ``this``/``is`` ("This ... is" /
    "These ... are") and ``brands`` (the possessive: "Ovenly's", "Tidepool Pets'").
    ``generic_sentences``: what any shop writes under any product; they make the text a
    little less clean. ``sentence_join`` (default a space; none in Chinese) joins a
    description's two sentences.

    Every language's file has the same structure as the English one: the same
    categories, sub-categories and slots in the same order, each list as long as its
    English counterpart and its entries translations of the English entries in the same
    places. The generator draws positions, not words, so one seed gives every language
    the same products (a bilingual catalogue pairs them as twins).
    """

    catalogue: dict[str, dict[str, Any]]
    generic_sentences: list[str]
    default_titles: list[str]
    sentence_join: str

    @property
    def categories(self) -> list[str]:
        return list(self.catalogue)

    def subcategories(self, category: int) -> list[str]:
        """The names of the sub-categories of the ``category``-th category."""
        return list(self.catalogue[self.categories[category]]["subcategories"])


@functools.cache
def vocabulary(language: str = "en") -> ShopVocabulary:
    """The shop's words in ``language`` (one of :data:`LANGUAGES`)."""
    if language not in VOCABULARY_FILES:
        raise ValueError(f"no shop vocabulary in {language!r} (one of {', '.join(LANGUAGES)})")
    text = files(__package__).joinpath(VOCABULARY_FILES[language]).read_text(encoding="utf-8")
    data = json.loads(text)
    return ShopVocabulary(data["catalogue"], data["generic_sentences"], data["default_titles"],
                          data.get("sentence_join", " "))


def item_texts(rng: np.random.Generator, sub_of_item: np.ndarray,
               subcats: list[tuple[int, int]], words: ShopVocabulary
               ) -> tuple[list[str], list[str]]:
    """Title and description of every item (internal order) in the language of
    ``words``, given each item's sub-category as an index into ``subcats`` (category
    index, sub-category index within it)."""
    n = len(sub_of_item)
    u = rng.random((n, len(_SLOTS) + 4))
    categories = words.categories
    titles, descriptions = [], []
    for i in range(n):
        c, s = subcats[sub_of_item[i]]
        spec = words.catalogue[categories[c]]
        sub = list(spec["subcategories"].values())[s]
        row = u[i]
        values: dict[str, str] = {}
        for k, slot in enumerate(_SLOTS):
            options = sub.get(slot) or spec.get(slot) or [""]
            value = options[int(row[k] * len(options))]
            key = "noun" if slot == "nouns" else slot
            values[key] = value
            values[key[:1].upper() + key[1:]] = _capitalise(value)
        plural = values["noun"].endswith("s")
        values["a_adj"] = values["adj"] if plural else f"{_article(values['adj'])} {values['adj']}"
        values["A_adj"] = values["a_adj"][:1].upper() + values["a_adj"][1:]
        values["This"], values["is"] = ("These", "are") if plural else ("This", "is")
        brand = values["brand"]
        values["Brands"] = brand + ("'" if brand.endswith("s") else "'s")
        title_options = spec.get("titles", words.default_titles)
        desc_options = spec["descriptions"]
        k = len(_SLOTS)
        title = _fill(title_options[int(row[k] * len(title_options))], values)
        first = _fill(desc_options[int(row[k + 1] * len(desc_options))], values)
        # the second sentence: a selling point of the sub-category (60%), of the
        # category (25%) or one any shop writes (15%)
        pick = row[k + 2]
        pool = (sub["feature"] if pick < 0.6 else spec["feature"] if pick < 0.85
                else words.generic_sentences)
        second = pool[int(row[k + 3] * len(pool))]
        titles.append(title)
        descriptions.append(f"{first}{words.sentence_join}{second}")
    return titles, descriptions


def _capitalise(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _fill(template: str, values: dict[str, str]) -> str:
    text = template.format(**values)
    return text[:1].upper() + text[1:]
