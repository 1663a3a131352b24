"""A shop in two languages at once: every product twice, users who read one language.

What cross-language recommendation is measured on (tests, bench/languages.py): the
products, users and sessions of :func:`engine.data.synthetic.generate`, each product's
text in both languages, so the planted truth says which items are the same product.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from engine.data.shop_text import LANGUAGES
from engine.data.synthetic import Shop, ShopConfig, generate


@dataclass(eq=False)
class BilingualShop:
    """A shop whose every product is in the catalogue twice, once in each of two
    languages, and whose users each read one of them (:func:`bilingual`).

    ``shop`` holds the catalogue (the first language's rows, then the second's in the
    same order) and the log; its planted truth covers both halves (an item's twin has its
    sub-category and related items, in its own language).
    """

    shop: Shop
    twin: np.ndarray  # item row -> the row of the same product in the other language
    item_language: np.ndarray  # 0 (the first language) or 1 per item row
    user_language: np.ndarray  # the language each user mostly reads, per user row

    @property
    def interaction_language(self) -> np.ndarray:
        return self.item_language[self.shop.item_index]


def bilingual(config: ShopConfig = ShopConfig(), languages: tuple[str, str] = ("en", "zh"),
              switch_probability: float = 0.2) -> BilingualShop:
    """The shop of ``config`` with every product in both ``languages``.

    The products, users and sessions are those of ``generate(config)``: the vocabularies
    share one structure, so the same draws give the same product in each language, and
    the text of the first language is that of a shop of that language. Half of the users
    (drawn) read the second language; each interaction is with the product in the
    user's language, or, with ``switch_probability``, in the other one, so some users
    take products in both languages, which is what links the two halves of the
    catalogue through behaviour. The second language's item ids end in ``-<language>``.
    The language draws come from a generator of their own, so the shop itself is the
    one ``generate`` gives.
    """
    first, second = languages
    if first == second or not {first, second} <= set(LANGUAGES):
        raise ValueError(f"bilingual: two different languages of {', '.join(LANGUAGES)}")
    if not 0.0 <= switch_probability <= 1.0:
        raise ValueError("bilingual: switch_probability must be in [0, 1]")
    base = generate(replace(config, language=first))
    other = generate(replace(config, language=second))
    rng = np.random.default_rng([config.seed, 1])
    user_language = (rng.random(base.n_users) < 0.5).astype(np.int64)
    switch = rng.random(len(base.interactions)) < switch_probability
    language = user_language[base.user_index] ^ switch
    n = base.n_items
    item_index = base.item_index + n * language
    second_items = other.items.assign(item_id=other.items["item_id"] + f"-{second}")
    items = pd.concat([base.items, second_items], ignore_index=True)
    interactions = base.interactions.assign(
        item_id=items["item_id"].to_numpy(dtype=object)[item_index])
    shop = replace(
        base, interactions=interactions, items=items,
        categories=base.categories + other.categories,
        subcategories=base.subcategories + other.subcategories,
        item_category=np.concatenate([base.item_category, base.item_category]),
        item_subcategory=np.concatenate([base.item_subcategory, base.item_subcategory]),
        related=np.vstack([base.related, base.related + n]), item_index=item_index)
    twin = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    item_language = np.repeat([0, 1], n)
    return BilingualShop(shop, twin, item_language, user_language)
