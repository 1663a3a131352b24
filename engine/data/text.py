"""Item text for the language-model side: one string per item, and a tokeniser for it.

Catalogues come in any language. Words of scripts that separate them with spaces (Latin,
Cyrillic, Greek, ...) are lower-cased ``\\w`` runs. Chinese and Japanese do not mark word
boundaries, and a dictionary segmenter is a heavy dependency, so runs of Han, Hiragana,
Katakana and Hangul are cut into overlapping character bigrams, as Lucene's CJK analyzer
does: "推荐系统" -> "推荐", "荐系", "系统". Bigrams catch most two-character words and
cost nothing to compute; a run of one character stays a single token.

Choices:

* Text is NFKC-normalised first, so full-width Latin letters and digits ("ＡＢＣ１２") and
  half-width katakana read like their ordinary forms, then case-folded.
* Digits are kept, inside words and as numbers of two or more digits: years ("1995"),
  sizes ("28 cm", "128 gb") and model names ("4k") tell items apart in catalogues. Single
  characters of a non-CJK script are dropped ("a", the "s" of "chef's", "1"): they carry
  next to nothing.
* A small English stopword list removes function words that would otherwise dominate the
  co-occurrence statistics of a word2vec model trained on short item texts.
"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.data.dataset import Dataset

# Han (with the iteration mark 々 and compatibility ideographs), Hiragana, Katakana
# (with the phonetic extensions), Hangul syllables and jamo.
_CJK_RANGES = (
    "\u3005\u3007"
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff\u31f0-\u31ff"  # Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"  # Han
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"  # Hangul
)
_CJK_RUN = re.compile(f"[{_CJK_RANGES}]+")
# A word: letters and digits, no underscore, no CJK (those are cut out first).
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

STOPWORDS: frozenset[str] = frozenset(
    "a an the and or but nor of in on at to for from by with without into onto over under "
    "up down out off about as is are was were be been being am it its this that these "
    "those there here their they them he she his her him we our you your yours i me my "
    "has have had do does did will would can could shall should may might must not no "
    "so than then too very just also only all any each both per via who whom which what "
    "when where why how more most such own same other some".split()
)


def _cjk_tokens(run: str) -> list[str]:
    """Character bigrams of a CJK run; the character itself for a run of one."""
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def _word_tokens(chunk: str) -> list[str]:
    """Lower-cased words of a non-CJK chunk, without stopwords and single characters."""
    return [w for w in _WORD.findall(chunk) if len(w) > 1 and w not in STOPWORDS]


def tokenize(text: str) -> list[str]:
    """Tokens of ``text`` in reading order: words, and bigrams inside CJK runs."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    tokens: list[str] = []
    position = 0
    for match in _CJK_RUN.finditer(text):
        tokens += _word_tokens(text[position:match.start()])
        tokens += _cjk_tokens(match.group())
        position = match.end()
    tokens += _word_tokens(text[position:])
    return tokens


def item_text(title: str, text: str, genres: tuple[str, ...] | list[str]) -> str:
    """One string per item for a text encoder: title, text and genres, each once.

    Importers often fold the title and the genre names into the text already (MovieLens:
    "Toy Story (1995). 01-Jan-1995. Animation, ..."); repeating them would weigh them
    twice, so a part already contained in the text is not added again.
    """
    title, text = str(title or "").strip(), str(text or "").strip()
    parts = [title] if title and title not in text else []
    if text:
        parts.append(text)
    missing = [g for g in genres if g and g not in text]
    if missing:
        parts.append(", ".join(missing))
    return ". ".join(parts)


def item_texts(dataset: "Dataset") -> list[str]:
    """:func:`item_text` of every internal item, in index order."""
    return [item_text(t, x, g) for t, x, g in zip(dataset.titles, dataset.texts, dataset.genres)]


def item_documents(dataset: "Dataset") -> list[list[str]]:
    """Tokens of every item's title, text and genres, in index order."""
    return [tokenize(text) for text in item_texts(dataset)]
