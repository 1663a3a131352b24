"""Words as the check and the plan read them: titles in their spoken and normalised
forms, category keys, scripts, sentences. Shared by :mod:`.grounding`, :mod:`.claims`
and :mod:`.plan`, so that what the plan writes and what the check reads agree.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

_ARTICLES = ("the", "a", "an", "les", "le", "la", "l'", "il", "el", "los", "las", "der",
             "die", "das", "de", "het", "den", "det")
_TRAILING_ARTICLE = re.compile(r"^(?P<body>.+?),\s*(?P<article>" + "|".join(
    re.escape(a) for a in _ARTICLES) + r")$", re.IGNORECASE)
_YEAR = re.compile(r"\s*\((?P<year>1[89]\d\d|20\d\d)(?:[-–]\d{2,4})?\)\s*$")

#: A word: letters and digits, with inner apostrophes, full stops and hyphens.
WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*", re.UNICODE)

#: Month names as texts write dates ("10 March 1998"), whatever the machine's locale.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
#: Where a sentence ends: a Latin mark before a space (or the end), a CJK mark anywhere.
SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)|[。！？]+[”’」』)\]]*")
_ABBREVIATIONS = frozenset("mr mrs ms dr st jr sr vs vol no pt ft mt sgt capt col gen lt cmdr "
                           "adm gov sen rep prof rev hon fr".split())


def display_title(title: str) -> str:
    """The title as a sentence would say it: "Godfather, The (1972)" -> "The Godfather (1972)"."""
    title = str(title).strip()
    match = _YEAR.search(title)
    year = match.group(0).strip() if match else ""
    body = title[:match.start()] if match else title
    moved = _TRAILING_ARTICLE.match(body.strip())
    if moved:
        article = moved.group("article")
        body = f"{article}{'' if article.endswith(chr(39)) else ' '}{moved.group('body')}"
    return f"{body.strip()} {year}".strip()


def title_key(title: str) -> str:
    """Normalised form for matching: no year, no punctuation, no leading article, folded."""
    text = unicodedata.normalize("NFKC", display_title(title)).casefold()
    text = _YEAR.sub("", text)
    words = re.findall(r"[^\W_]+", text)
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def spoken_title(title: str) -> str:
    """A title as a text says it: the display form without its year ("The Godfather")."""
    return _YEAR.sub("", display_title(title))


def title_year(title: str) -> str | None:
    match = _YEAR.search(str(title))
    return match.group("year") if match else None


def genre_key(genre: str) -> str:
    """A genre or interest word as the check compares it: "Thrillers" -> "thriller",
    "Sci-Fi" -> "sci fi", "Children's" -> "children", "comedies" -> "comedy"."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", str(genre)).casefold())
    if len(words) > 1 and words[-1] == "s":
        words = words[:-1]  # the possessive 's
    last = words[-1] if words else ""
    if len(last) > 4 and last.endswith("ies"):
        words[-1] = last[:-3] + "y"
    elif len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        words[-1] = last[:-1]
    return " ".join(words)


def script(char: str) -> str:
    """The writing system of a letter: LATIN, CYRILLIC, CJK (Han, kana, Hangul), ..."""
    name = unicodedata.name(char, "")
    first = name.split(" ", 1)[0]
    if first in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL") or "IDEOGRAPH" in name:
        return "CJK"
    return first or "OTHER"


def script_shares(texts: Iterable[str]) -> Counter[str]:
    """How many letters of each script the texts hold."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(script(c) for c in text if c.isalpha())
    return counts


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``. A full stop after an abbreviation or an initial ends none,
    nor does a mark followed by a small letter ("Mars Attacks! and Michael")."""
    sentences, start = [], 0
    for match in SENTENCE_END.finditer(text):
        word = re.findall(r"[^\W_]+(?:['’][^\W_]+)*$", text[start:match.start()])
        if match.group().startswith(".") and word and abbreviated(word[0]):
            continue
        if re.match(r"\s+[a-z]", text[match.end():]):
            continue
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def sentence_spans(text: str, titles: Sequence[tuple[int, int]] = ()
                   ) -> list[tuple[int, int]]:
    """Where each sentence of :func:`split_sentences` lies in ``text``; a full stop inside
    one of the ``titles`` spans ("Sgt. Bilko") ends no sentence."""
    spans: list[tuple[int, int]] = []
    position = 0
    for sentence in split_sentences(text):
        found = text.find(sentence, position)
        position = found + len(sentence)
        if spans and any(a < spans[-1][1] < b for a, b in titles):
            spans[-1] = (spans[-1][0], position)
        else:
            spans.append((found, position))
    return spans


def abbreviated(word: str) -> bool:
    """Whether a full stop after ``word`` ends an abbreviation, not a sentence."""
    return word.casefold() in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) \
        or "." in word


def inside(position: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``position`` lies in one of the ``spans`` (start, end)."""
    return any(s <= position < e for s, e in spans)
