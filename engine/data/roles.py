"""Which column plays which role, guessed from the column names.

Exports name their columns in many ways (``CustomerID``, ``user_id``, ``visitorId``,
``用户ID``), so names are normalised (lowercase, letters, digits and Chinese characters
only) and matched in two passes: exact synonyms first, for every role, then distinctive
keywords found inside a name.
Short or ambiguous words (``ts``, ``count``, ``value``, ``name``...) are exact synonyms
only, so that ``Country`` or ``Discount`` never become a rating. The first pass over all
roles runs before the second, so an exact match for one role is never taken by a
keyword match for another.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

SYNONYMS: dict[str, tuple[str, ...]] = {
    "user": (
        "user", "userid", "uid", "customer", "customerid", "client", "clientid", "visitor",
        "visitorid", "member", "memberid", "reviewer", "reviewerid", "buyer", "buyerid",
        "account", "accountid", "person", "personid", "username", "viewer", "listener",
        "reader", "readerid", "shopper", "subscriber",
        "用户", "用户id", "用户编号", "客户", "客户id", "会员", "会员id", "买家", "顾客",
    ),
    "item": (
        "item", "itemid", "product", "productid", "stockcode", "sku", "movie", "movieid",
        "article", "articleid", "asin", "isbn", "track", "trackid", "song", "songid", "book",
        "bookid", "iid", "pid", "contentid", "video", "videoid", "productcode",
        "itemcode", "film", "filmid", "game", "gameid", "artist", "artistid",
        "商品", "商品id", "商品编号", "物品", "物品id", "产品", "产品id", "电影", "图书",
    ),
    "rating": (
        "rating", "score", "stars", "star", "weight", "quantity", "qty", "count", "plays",
        "playcount", "clicks", "value", "amount", "frequency", "freq", "views", "listens",
        "purchases", "interactions", "implicit", "feedback", "preference",
        "评分", "分数", "打分", "星级", "数量", "购买数量", "点击", "点击次数",
    ),
    "time": (
        "timestamp", "time", "ts", "date", "datetime", "invoicedate", "eventtime", "createdat",
        "created", "updatedat", "orderdate", "unixtime", "epoch", "when", "datetimeutc",
        "timestamputc", "eventdate", "purchasedate", "ratingdate", "reviewdate", "clicktime",
        "时间", "时间戳", "日期", "下单时间", "购买时间", "评分时间",
    ),
    "title": (
        "title", "name", "itemname", "productname", "movietitle", "booktitle", "tracktitle",
        "songtitle", "headline", "itemtitle", "producttitle",
        "标题", "名称", "商品名称", "商品标题", "品名", "片名", "书名",
    ),
    "text": (
        "description", "desc", "genres", "genre", "tags", "tag", "category", "categories",
        "keywords", "keyword", "summary", "overview", "plot", "synopsis", "text", "content",
        "abstract", "subject", "subjects", "topics", "topic", "details", "about", "review",
        "描述", "商品描述", "简介", "详情", "类别", "分类", "类目", "类型", "标签", "关键词",
    ),
}

KEYWORDS: dict[str, tuple[str, ...]] = {
    "user": ("user", "customer", "client", "visitor", "member", "reviewer", "buyer", "shopper"),
    "item": ("item", "product", "movie", "stockcode", "sku", "article", "asin", "isbn", "track",
             "song", "book"),
    "rating": ("rating", "score", "stars", "weight", "quantity", "qty", "plays", "clicks",
               "playcount"),
    "time": ("timestamp", "datetime", "date", "time"),
    "title": ("title", "name"),
    "text": ("description", "genre", "tags", "categor", "keyword", "summary", "overview",
             "synopsis"),
}

GENRE_NAMES = frozenset({"genre", "genres", "category", "categories",
                         "类别", "分类", "类目", "类型"})
"""Text columns whose values are genre lists (``Action|Comedy``) as well as text."""

KNOWN_NAMES = frozenset(name for names in SYNONYMS.values() for name in names)
"""Every exact synonym: a first row made of such names is a header row."""


def normalise(name: str) -> str:
    """``Customer ID`` -> ``customerid``, ``用户 ID`` -> ``用户id``: the form names are
    compared in (letters, digits and Chinese characters)."""
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", name.lower())


def resolve(name: str, columns: Sequence[str]) -> str | None:
    """The column ``name`` refers to: exactly, else the only one with the same normal form."""
    if name in columns:
        return name
    matches = [c for c in columns if normalise(c) == normalise(name)]
    return matches[0] if len(matches) == 1 else None


def _rank(column: str, role: str, exact: bool) -> int | None:
    """Position of the best synonym (exact) or keyword (inside) matching ``column``."""
    key = normalise(column)
    words = SYNONYMS[role] if exact else KEYWORDS[role]
    for i, word in enumerate(words):
        if (key == word) if exact else (word in key):
            return i
    return None


def _best(columns: Iterable[str], role: str, exact: bool) -> str | None:
    """The column matching ``role`` with the earliest synonym, then the earliest position."""
    ranked = [(r, i, c) for i, c in enumerate(columns) if (r := _rank(c, role, exact)) is not None]
    return min(ranked)[2] if ranked else None


def assign_roles(
    columns: Sequence[str], roles: Sequence[str], fixed: Mapping[str, str]
) -> dict[str, str]:
    """One distinct column per role that can be found; ``fixed`` roles are taken as given."""
    found = dict(fixed)
    for exact in (True, False):
        for role in roles:
            if role in found:
                continue
            free = [c for c in columns if c not in found.values()]
            column = _best(free, role, exact)
            if column is not None:
                found[role] = column
    return {role: found[role] for role in roles if role in found}


def matching_columns(columns: Iterable[str], role: str) -> list[str]:
    """Every column whose name matches ``role`` exactly or by keyword, in file order."""
    return [c for c in columns
            if _rank(c, role, exact=True) is not None or _rank(c, role, exact=False) is not None]
