"""A synthetic shop with a known structure: the demo data set and the ground truth of tests.

The shop has ten categories (Books, Electronics, Kitchen, ...), each with four
sub-categories and its own vocabulary (:mod:`engine.data.shop_text`), so item titles and
descriptions read like a real catalogue and a text model can tell the categories apart.
The words are English or Chinese (``ShopConfig.language``): the same draws give the same
shop in either, and :func:`engine.data.bilingual_shop.bilingual` puts every product in one
catalogue twice, once in each language. Item popularity is Zipf-like within every
sub-category.

Every user has a stable long-term taste: one to three favourite categories with weights.
Behaviour arrives in sessions (a few items minutes apart; sessions days apart, over about
a year). Each session keeps to one category: one drawn from the taste, or, with
probability ``drift_probability``, a *drift* category outside it. Inside a session the
next item is, most often, one of the previous item's related items or another item of
its sub-category, so a short-term model that reads the last items predicts the next one
far better than the long-term taste alone; a long-term model in turn knows which
categories a user comes back to. A user never interacts with the same item twice.

The planted truth is kept next to the data (:class:`Shop`): each item's category and
sub-category and related items, each user's taste weights, and each interaction's session
and whether that session drifted. :func:`write_csv` writes only what a user of the app
would import.

Everything is drawn from ``numpy.random.Generator.random`` (uniform doubles, whose stream
NumPy keeps stable) and transformed by hand, so a seed gives the same files on every
machine and NumPy version. One million interactions take a few seconds.

Command line: ``python -m cli.synthetic --out DIR [--large] [--seed N] [--lang en|zh]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from engine.data.shop_text import LANGUAGES, item_texts, vocabulary
from resources import DEMO_INTERACTIONS, DEMO_ITEMS

INTERACTION_COLUMNS = ["user_id", "item_id", "rating", "timestamp"]
ITEM_COLUMNS = ["item_id", "title", "description", "category"]

START_TIME = 1672531200  # 2023-01-01 00:00:00 UTC
DAY = 86400

_STRUCTURE = vocabulary("en")  # every language's vocabulary has the same structure
_N_CATEGORIES = len(_STRUCTURE.categories)
_N_SUBCATEGORIES = [len(_STRUCTURE.subcategories(c)) for c in range(_N_CATEGORIES)]


# --------------------------------------------------------------------------------------
# Configuration and result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopConfig:
    """Size and behaviour of a synthetic shop. The defaults make the shipped demo."""

    n_users: int = 300
    n_items: int = 1200
    sessions_per_user: tuple[int, int] = (3, 8)  # inclusive, uniform
    session_length: tuple[int, int] = (2, 10)  # inclusive; P(length) ~ session_decay**(length - min)
    session_decay: float = 0.8
    drift_probability: float = 0.3  # share of sessions in a category outside the taste
    favourites: tuple[int, int] = (1, 3)  # inclusive range of favourite categories per user
    p_related: float = 0.45  # next item: one of the previous item's related items
    p_same_subcategory: float = 0.35  # next item: another item of the previous sub-category
    # the rest: an item of another sub-category of the session's category
    n_related: int = 5
    zipf_exponent: float = 0.9  # item popularity ~ rank**-zipf_exponent within a sub-category
    span_days: int = 330  # sessions of a user are spread over about this many days
    start_time: int = START_TIME
    same_second_probability: float = 0.01  # chance that an item follows the previous one in the same second
    seed: int = 0
    language: str = "en"  # of titles, descriptions and category names: "en" or "zh"

    def __post_init__(self) -> None:
        def bad(message: str) -> None:
            raise ValueError(f"ShopConfig: {message}")

        if self.n_users < 1:
            bad("n_users must be at least 1")
        n_sub = sum(_N_SUBCATEGORIES)
        if self.n_items < n_sub * (self.n_related + 2):
            bad(f"n_items must be at least {n_sub * (self.n_related + 2)} "
                f"({n_sub} sub-categories of at least {self.n_related + 2} items)")
        lo, hi = self.sessions_per_user
        if not 1 <= lo <= hi:
            bad("sessions_per_user must be (lo, hi) with 1 <= lo <= hi")
        lo, hi = self.session_length
        if not 1 <= lo <= hi:
            bad("session_length must be (lo, hi) with 1 <= lo <= hi")
        lo, hi = self.favourites
        if not 1 <= lo <= hi <= _N_CATEGORIES - 1:
            bad(f"favourites must be (lo, hi) with 1 <= lo <= hi <= {_N_CATEGORIES - 1}")
        if not 0.0 < self.session_decay <= 1.0:
            bad("session_decay must be in (0, 1]")
        for name in ("drift_probability", "p_related", "p_same_subcategory",
                     "same_second_probability"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                bad(f"{name} must be in [0, 1]")
        if self.p_related + self.p_same_subcategory > 1.0:
            bad("p_related + p_same_subcategory must not exceed 1")
        if self.n_related < 1:
            bad("n_related must be at least 1")
        if self.span_days < 1:
            bad("span_days must be at least 1")
        if self.language not in LANGUAGES:
            bad(f"language must be one of {', '.join(LANGUAGES)}")

    @classmethod
    def large(cls, seed: int = 0) -> "ShopConfig":
        """About 1,000,000 interactions (20,000 users, 5,000 items) for scale checks."""
        return cls(n_users=20_000, n_items=5_000, sessions_per_user=(7, 18), seed=seed)

    @property
    def mean_session_length(self) -> float:
        lo, hi = self.session_length
        lengths = np.arange(lo, hi + 1)
        p = self.session_decay ** (lengths - lo)
        return float((lengths * p).sum() / p.sum())

    @property
    def expected_interactions(self) -> float:
        """Interactions drawn before repeated (user, item) pairs are removed."""
        lo, hi = self.sessions_per_user
        return self.n_users * (lo + hi) / 2 * self.mean_session_length


@dataclass(eq=False)
class Shop:
    """Generated data plus the planted truth. Item rows are in item id order."""

    interactions: pd.DataFrame  # user_id, item_id, rating, timestamp, session, drift
    items: pd.DataFrame  # item_id, title, description, category, subcategory
    taste: np.ndarray  # (n_users, n_categories) float64, rows sum to 1, row = user index
    categories: list[str]
    subcategories: list[str]  # "Category/Sub-category"
    subcategory_category: np.ndarray  # category index of every sub-category
    item_category: np.ndarray  # category index per item row
    item_subcategory: np.ndarray  # sub-category index per item row
    related: np.ndarray  # (n_items, n_related) item rows that tend to follow each item
    user_index: np.ndarray  # user row per interaction (u00042 -> 42)
    item_index: np.ndarray  # item row per interaction (i01234 -> 1234)
    config: ShopConfig = field(default_factory=ShopConfig)

    @property
    def n_users(self) -> int:
        return self.taste.shape[0]

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def user_ids(self) -> np.ndarray:
        return _ids("u", self.n_users)

    @property
    def item_ids(self) -> np.ndarray:
        return self.items["item_id"].to_numpy(dtype=object)

    @property
    def favourite_category(self) -> np.ndarray:
        """The category of largest taste weight, per user."""
        return self.taste.argmax(axis=1)

    @property
    def interaction_category(self) -> np.ndarray:
        return self.item_category[self.item_index]

    @property
    def interaction_subcategory(self) -> np.ndarray:
        return self.item_subcategory[self.item_index]


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(5, len(str(n - 1)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(n)], dtype=object)


def _exponential(u: np.ndarray) -> np.ndarray:
    """Standard exponential variates from uniforms in [0, 1)."""
    return -np.log1p(-u)


def _pick(u: np.ndarray, n: int | np.ndarray) -> np.ndarray:
    """Uniform integers in [0, n) from uniforms in [0, 1)."""
    return np.minimum((u * n).astype(np.int64), np.asarray(n) - 1)


def _sample_rows(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One column per row of ``weights`` (non-negative, each row with a positive sum)."""
    cdf = np.cumsum(weights, axis=1)
    target = u * cdf[:, -1]
    out = (cdf <= target[:, None]).sum(axis=1)
    return np.minimum(out, weights.shape[1] - 1)


def _allocate(rng: np.random.Generator, n_items: int, minimum: int) -> np.ndarray:
    """Items per sub-category: a minimum each, the rest by uneven random shares."""
    cat_share = 0.75 + 0.5 * rng.random(_N_CATEGORIES)
    shares = np.concatenate([
        cat_share[c] * (0.6 + 0.8 * rng.random(n)) / n for c, n in enumerate(_N_SUBCATEGORIES)
    ])
    shares /= shares.sum()
    extra = n_items - minimum * len(shares)
    exact = shares * extra
    counts = np.floor(exact).astype(np.int64)
    remainder = extra - counts.sum()
    order = np.lexsort((np.arange(len(shares)), -(exact - counts)))
    counts[order[:remainder]] += 1
    return counts + minimum


@dataclass(frozen=True)
class _Layout:
    """Where the catalogue's sub-categories sit: the same for every shop."""

    subcats: list[tuple[int, int]]  # (category index, sub-category index in it), catalogue order
    sub_category: np.ndarray  # category index of every sub-category
    sub_first: np.ndarray  # first sub-category of each category
    n_sub_of_cat: np.ndarray  # sub-categories per category


@dataclass(frozen=True)
class _Items:
    """Items in internal order (sorted by sub-category) and what sessions draw them by."""

    counts: np.ndarray  # items per sub-category
    sub_start: np.ndarray  # first item of every sub-category
    sub_of_item: np.ndarray
    item_cdf: np.ndarray  # cumulative popularity offset by the sub-category index
    sub_weight_in_cat: np.ndarray  # (category, sub-category within it) popularity
    quality: np.ndarray  # rating offset per item

    def draw(self, sub: np.ndarray, u: np.ndarray) -> np.ndarray:
        """An item of each sub-category in ``sub`` by popularity, from uniforms ``u``."""
        out = np.searchsorted(self.item_cdf, sub + u, side="right")
        return np.minimum(out, self.sub_start[sub] + self.counts[sub] - 1)


@dataclass(frozen=True)
class _Sessions:
    """Every user's sessions and the rows they hold (before repeated items are removed)."""

    user: np.ndarray  # user per session
    per_user: np.ndarray  # sessions per user
    drift: np.ndarray  # whether a session is in a category outside the user's taste
    category: np.ndarray  # category per session
    length: np.ndarray  # rows per session
    row: np.ndarray  # session per row
    start_row: np.ndarray  # first row of every session
    position: np.ndarray  # position of every row within its session

    @property
    def row_user(self) -> np.ndarray:
        return self.user[self.row]


@dataclass(frozen=True)
class _Log:
    """The interactions kept (a user's first meeting with an item), in drawing order."""

    user: np.ndarray
    item: np.ndarray  # internal item row
    rating: np.ndarray
    timestamp: np.ndarray
    session: np.ndarray  # sessions renumbered without the ones that lost every row
    drift: np.ndarray


def generate(config: ShopConfig = ShopConfig()) -> Shop:
    """Draw a shop from ``config``; the same config always gives the same shop.

    The steps draw from one generator in a fixed order, each where the one before left
    the stream: reordering them changes every shop (and the shipped demo files).
    """
    rng = np.random.default_rng(config.seed)
    layout = _layout()
    items = _draw_items(rng, config, layout)
    related = _draw_related(rng, items, config.n_related)
    texts = item_texts(rng, items.sub_of_item, layout.subcats, vocabulary(config.language))
    taste, favourite, cat_popularity = _draw_taste(rng, config)
    sessions = _draw_sessions(rng, config, taste, favourite, cat_popularity)
    item = _session_items(rng, config, layout, items, related, sessions)
    rating = _ratings(rng, items, taste, sessions, item)
    timestamp = _timestamps(rng, config, sessions)
    log = _first_meetings(sessions, item, rating, timestamp, config.n_items)
    return _shop(rng, config, layout, items, related, texts, taste, log)


def _layout() -> _Layout:
    subcats = [(c, s) for c, n in enumerate(_N_SUBCATEGORIES) for s in range(n)]
    return _Layout(subcats=subcats,
                   sub_category=np.array([c for c, _ in subcats], dtype=np.int64),
                   sub_first=np.concatenate([[0], np.cumsum(_N_SUBCATEGORIES)[:-1]]),
                   n_sub_of_cat=np.array(_N_SUBCATEGORIES, dtype=np.int64))


def _draw_items(rng: np.random.Generator, config: ShopConfig, layout: _Layout) -> _Items:
    """Items per sub-category, their Zipf-like popularity within it, the sub-categories'
    popularity within their category, and each item's quality."""
    n_sub, n_items, n_cat = len(layout.subcats), config.n_items, _N_CATEGORIES
    counts = _allocate(rng, n_items, config.n_related + 2)
    sub_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    sub_of_item = np.repeat(np.arange(n_sub), counts)
    # Zipf popularity: a random rank per item within its sub-category.
    rank = np.empty(n_items, dtype=np.int64)
    keys = rng.random(n_items)
    for s in range(n_sub):
        block = slice(sub_start[s], sub_start[s] + counts[s])
        rank[block] = np.argsort(np.argsort(keys[block], kind="stable"), kind="stable")
    popularity = (rank + 1.0) ** -config.zipf_exponent
    # Cumulative popularity offset by the sub-category index: an item of sub-category s is
    # drawn as searchsorted(item_cdf, s + u).
    item_cdf = np.empty(n_items)
    for s in range(n_sub):
        block = slice(sub_start[s], sub_start[s] + counts[s])
        p = np.cumsum(popularity[block])
        item_cdf[block] = s + p / p[-1]
        item_cdf[sub_start[s] + counts[s] - 1] = s + 1.0
    sub_popularity = 0.5 + rng.random(n_sub)
    sub_weight_in_cat = np.zeros((n_cat, layout.n_sub_of_cat.max()))
    for c in range(n_cat):
        first = layout.sub_first[c]
        w = sub_popularity[first:first + layout.n_sub_of_cat[c]]
        sub_weight_in_cat[c, :len(w)] = w
    quality = (rng.random(n_items) - 0.5) * 0.8
    return _Items(counts, sub_start, sub_of_item, item_cdf, sub_weight_in_cat, quality)


def _draw_related(rng: np.random.Generator, items: _Items, n_related: int) -> np.ndarray:
    """Related items: drawn from the same sub-category by popularity, never the item itself
    (a clash becomes the next item of the sub-category)."""
    n_items = len(items.sub_of_item)
    rel_sub = np.repeat(items.sub_of_item, n_related)
    related = items.draw(rel_sub, rng.random(len(rel_sub))).reshape(n_items, n_related)
    own = np.arange(n_items)[:, None]
    clash = related == own
    nxt = own + 1
    wrap = nxt >= (items.sub_start + items.counts)[items.sub_of_item][:, None]
    nxt = np.where(wrap, items.sub_start[items.sub_of_item][:, None], nxt)
    return np.where(clash, np.broadcast_to(nxt, related.shape), related)


def _draw_taste(rng: np.random.Generator, config: ShopConfig
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Users' long-term taste (weights over categories, zero outside the favourites), the
    favourites, and the categories' popularity (which drift sessions follow too)."""
    n_users, n_cat = config.n_users, _N_CATEGORIES
    cat_popularity = 0.5 + rng.random(n_cat)
    lo, hi = config.favourites
    n_fav = lo + _pick(rng.random(n_users), hi - lo + 1)
    # Weighted sampling without replacement: the smallest exponential keys / weights.
    order = np.argsort(_exponential(rng.random((n_users, n_cat))) / cat_popularity, axis=1)
    chosen = np.arange(n_cat)[None, :] < n_fav[:, None]
    favourite = np.zeros((n_users, n_cat), dtype=bool)
    np.put_along_axis(favourite, order, chosen, axis=1)
    raw = 0.3 + _exponential(rng.random((n_users, n_cat)))
    taste = np.where(favourite, raw, 0.0)
    taste /= taste.sum(axis=1, keepdims=True)
    return taste, favourite, cat_popularity


def _draw_sessions(rng: np.random.Generator, config: ShopConfig, taste: np.ndarray,
                   favourite: np.ndarray, cat_popularity: np.ndarray) -> _Sessions:
    """Sessions per user, each one's category (from the taste, or a drift outside it) and
    length."""
    lo, hi = config.sessions_per_user
    n_sessions = lo + _pick(rng.random(config.n_users), hi - lo + 1)
    session_user = np.repeat(np.arange(config.n_users), n_sessions)
    n_total_sessions = len(session_user)
    drift = rng.random(n_total_sessions) < config.drift_probability
    u_cat = rng.random(n_total_sessions)
    session_category = np.empty(n_total_sessions, dtype=np.int64)
    stay = ~drift
    session_category[stay] = _sample_rows(taste[session_user[stay]], u_cat[stay])
    away = np.where(favourite[session_user[drift]], 0.0, cat_popularity[None, :])
    session_category[drift] = _sample_rows(away, u_cat[drift])

    lo, hi = config.session_length
    lengths = np.arange(lo, hi + 1)
    length_weights = config.session_decay ** (lengths - lo)
    length_cdf = np.cumsum(length_weights) / length_weights.sum()
    session_length = lengths[np.minimum(
        np.searchsorted(length_cdf, rng.random(n_total_sessions), side="right"), len(lengths) - 1)]

    n_rows = int(session_length.sum())
    row_session = np.repeat(np.arange(n_total_sessions), session_length)
    session_start_row = np.concatenate([[0], np.cumsum(session_length)[:-1]])
    position = np.arange(n_rows) - session_start_row[row_session]
    return _Sessions(session_user, n_sessions, drift, session_category, session_length,
                     row_session, session_start_row, position)


def _session_items(rng: np.random.Generator, config: ShopConfig, layout: _Layout,
                   items: _Items, related: np.ndarray, sessions: _Sessions) -> np.ndarray:
    """The item of every row, one position at a time for all sessions: the first by the
    popularity of the session category's sub-categories and items, each later one
    after the item before it (:func:`_next_items`)."""
    n_rows = len(sessions.row)
    item = np.empty(n_rows, dtype=np.int64)
    u_item = rng.random((n_rows, 3))
    for j in range(int(sessions.length.max())):
        rows = np.flatnonzero(sessions.position == j) if j else sessions.start_row
        cat = sessions.category[sessions.row[rows]]
        u = u_item[rows]
        if j == 0:
            sub_local = _sample_rows(items.sub_weight_in_cat[cat], u[:, 0])
            item[rows] = items.draw(layout.sub_first[cat] + sub_local, u[:, 1])
        else:
            item[rows] = _next_items(config, layout, items, related, item[rows - 1], cat, u)
    return item


def _next_items(config: ShopConfig, layout: _Layout, items: _Items, related: np.ndarray,
                prev: np.ndarray, cat: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The items after ``prev`` in sessions of category ``cat``: a related item, another
    item of its sub-category, or an item of another sub-category of the category.
    ``u[:, 0]`` picks the branch, ``u[:, 1]`` the item, ``u[:, 2]`` the other
    sub-category."""
    prev_sub = items.sub_of_item[prev]
    step = u[:, 0]
    choice_related = step < config.p_related
    choice_same = ~choice_related & (step < config.p_related + config.p_same_subcategory)
    out = np.empty(len(prev), dtype=np.int64)
    out[choice_related] = related[prev[choice_related],
                                  _pick(u[choice_related, 1], config.n_related)]
    out[choice_same] = items.draw(prev_sub[choice_same], u[choice_same, 1])
    other = ~choice_related & ~choice_same
    if other.any():
        # another sub-category of the same category (the same one if it has only one)
        local = prev_sub[other] - layout.sub_first[cat[other]]
        k = layout.n_sub_of_cat[cat[other]]
        shift = np.where(k > 1, 1 + _pick(u[other, 2], np.maximum(k - 1, 1)), 0)
        new_sub = layout.sub_first[cat[other]] + (local + shift) % k
        out[other] = items.draw(new_sub, u[other, 1])
    return out


def _ratings(rng: np.random.Generator, items: _Items, taste: np.ndarray,
             sessions: _Sessions, item: np.ndarray) -> np.ndarray:
    """A rating per row (drawn for every row, before duplicates go): higher in a category
    the user likes more, neutral in a drift session, moved by the item's quality."""
    row_drift = sessions.drift[sessions.row]
    u_rating = rng.random((len(item), 3))
    weight = taste[sessions.row_user, sessions.category[sessions.row]]
    mean = np.where(row_drift, 3.0, 3.6 + 1.0 * weight) + items.quality[item]
    return np.clip(np.rint(mean + (u_rating.sum(axis=1) - 1.5)), 1, 5).astype(np.int64)


def _timestamps(rng: np.random.Generator, config: ShopConfig, sessions: _Sessions
                ) -> np.ndarray:
    """A time per row (drawn for every row, before duplicates go).

    Sessions of a user: the first within the first 45 days, the others after gaps of at
    least six hours that add up to 50-100% of span_days (exponential spacings). Inside a
    session, items follow each other seconds to minutes apart.
    """
    n_users, n_sessions = config.n_users, sessions.per_user
    session_user = sessions.user
    user_first_session = np.concatenate([[0], np.cumsum(n_sessions)[:-1]])
    spacing = _exponential(rng.random(len(session_user)))
    spacing[user_first_session] = 0.0
    spacing_sum = np.bincount(session_user, weights=spacing, minlength=n_users)
    min_gap = 6 * 3600
    user_span = config.span_days * DAY * (0.5 + 0.5 * rng.random(n_users))
    free = np.maximum(user_span - (n_sessions - 1) * min_gap, 0.0)
    share = spacing / np.maximum(spacing_sum, 1e-12)[session_user]
    gap = (min_gap + share * free[session_user]).astype(np.int64)
    gap[user_first_session] = (rng.random(n_users) * 45 * DAY).astype(np.int64)
    session_time = np.cumsum(gap)
    session_time -= np.repeat(session_time[user_first_session] - gap[user_first_session],
                              n_sessions)
    u_step = rng.random((len(sessions.row), 2))
    step = (10 + _exponential(u_step[:, 0]) * 120).astype(np.int64)
    step[u_step[:, 1] < config.same_second_probability] = 0
    step[sessions.start_row] = 0
    offset = np.cumsum(step)
    offset -= np.repeat(offset[sessions.start_row], sessions.length)
    return config.start_time + session_time[sessions.row] + offset


def _first_meetings(sessions: _Sessions, item: np.ndarray, rating: np.ndarray,
                    timestamp: np.ndarray, n_items: int) -> _Log:
    """No user meets the same item twice: only the first meeting is kept."""
    row_user = sessions.row_user
    _, first = np.unique(row_user * n_items + item, return_index=True)
    keep = np.zeros(len(item), dtype=bool)
    keep[first] = True
    session_ids, row_session = np.unique(sessions.row[keep], return_inverse=True)
    return _Log(row_user[keep], item[keep], rating[keep], timestamp[keep], row_session,
                sessions.drift[session_ids][row_session])


def _shop(rng: np.random.Generator, config: ShopConfig, layout: _Layout, items: _Items,
          related: np.ndarray, texts: tuple[list[str], list[str]], taste: np.ndarray,
          log: _Log) -> Shop:
    """The shop as exported: public item ids in a random permutation (so that ids say
    nothing), the log in chronological order, and the planted truth in public ids."""
    n_items = config.n_items
    perm = np.argsort(rng.random(n_items), kind="stable")  # perm[internal] = public row
    inverse = np.empty(n_items, dtype=np.int64)
    inverse[perm] = np.arange(n_items)  # inverse[public row] = internal
    item_public = perm[log.item]
    order = np.lexsort((np.arange(len(log.item)), log.user, log.timestamp))
    user_ids = _ids("u", config.n_users)
    item_ids = _ids("i", n_items)
    interactions = pd.DataFrame({
        "user_id": user_ids[log.user[order]],
        "item_id": item_ids[item_public[order]],
        "rating": log.rating[order],
        "timestamp": log.timestamp[order].astype(np.int64),
        "session": log.session[order].astype(np.int64),
        "drift": log.drift[order],
    })
    titles, descriptions = texts
    words = vocabulary(config.language)
    categories = words.categories
    subcategories = [words.subcategories(c)[s] for c, s in layout.subcats]
    sub_of_public = items.sub_of_item[inverse]
    catalogue = pd.DataFrame({
        "item_id": item_ids,
        "title": np.array(titles, dtype=object)[inverse],
        "description": np.array(descriptions, dtype=object)[inverse],
        "category": np.array(categories, dtype=object)[layout.sub_category[sub_of_public]],
        "subcategory": np.array(subcategories, dtype=object)[sub_of_public],
    })
    return Shop(
        interactions=interactions,
        items=catalogue,
        taste=taste,
        categories=categories,
        subcategories=[f"{categories[c]}/{s}" for (c, _), s in zip(layout.subcats, subcategories)],
        subcategory_category=layout.sub_category,
        item_category=layout.sub_category[sub_of_public],
        item_subcategory=sub_of_public,
        related=perm[related[inverse]],
        user_index=log.user[order],
        item_index=item_public[order],
        config=config,
    )


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


def write_csv(shop: Shop, folder: Path | str) -> tuple[Path, Path]:
    """Write ``interactions.csv`` and ``items.csv`` as a user would import them.

    Only the importable columns are written (no session, drift or sub-category); UTF-8,
    ``\\n`` line ends, so the bytes are the same on every platform.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    interactions_path = folder / DEMO_INTERACTIONS
    items_path = folder / DEMO_ITEMS
    shop.interactions[INTERACTION_COLUMNS].to_csv(
        interactions_path, index=False, encoding="utf-8", lineterminator="\n")
    shop.items[ITEM_COLUMNS].to_csv(
        items_path, index=False, encoding="utf-8", lineterminator="\n")
    return interactions_path, items_path
