"""What decides a run: the model and its parameters, the split, the list length, the seed.

A :class:`RunConfig` is stored with its run so that it can be repeated; the command line
and the window build it the same way. The run-wide settings (seed, device, text encoder)
are recorded in every model's parameters that take them (:func:`with_run_settings`), and
a model that initialises from item text gets the run's encoder as its source of vectors
(:func:`with_text_vectors`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from engine.core.errors import DataError
from engine.data.dataset import Dataset
from engine.data.encoder import ItemTextVectors
from engine.data.preprocess import PreprocessOptions
from engine.data.split import Split, leave_one_out, time_split
from engine.models import MODELS, Composite

#: The model that writes lists: the learned fusion of long- and short-term components.
DEFAULT_MODEL = "fusion"
#: Models evaluated when none are named: the default fusion's components, a baseline, and
#: the fusion last so that it reuses the components fitted before it.
DEFAULT_MODELS = ("pop", "ease", "als", "cooc", "sequential", "fusion")
#: Columns shown in metric tables (the JSON has every metric).
TABLE_COLUMNS = ("model", "HR@10", "NDCG@10", "Recall@20", "MRR@10", "Coverage@10",
                 "Novelty@10", "ILD@10", "Gini@10", "fit_seconds", "eval_seconds")


#: Users each phase is measured on, at most: beyond it a seeded sample of that many
#: (:mod:`engine.evaluation.evaluate`), so that evaluating a log of 200,000 users costs
#: what 50,000 do. Every log smaller than this is measured whole.
EVAL_USERS = 50_000


@dataclass(frozen=True)
class SplitOptions:
    kind: str = "loo"  # "loo" (temporal leave-one-out) or "time" (global cut-off)
    test_from: str | None = None
    valid_from: str | None = None
    eval_users: int | None = EVAL_USERS  # users measured per phase at most (None: all)

    def __post_init__(self) -> None:
        if self.eval_users is not None and self.eval_users < 1:
            raise DataError("--eval-users expects a positive whole number or 'all', got "
                            f"{self.eval_users}")


def with_run_settings(params: dict[str, dict[str, object]], *, seed: int | None = None,
                      device: str | None = None, encoder: str | None = None
                      ) -> dict[str, dict[str, object]]:
    """Per-model parameters with the run-wide settings recorded where a model takes them.

    ``--seed``, ``--device`` and ``--encoder`` fill every parameter that its params class
    marks as that run-wide setting (:func:`engine.models.params.setting`), and a
    composite's component parameters, since its components read the same table;
    explicit ``--set model.param=value`` entries win. A parameter left out is read from
    the fit's :class:`~engine.models.context.FitContext`; recording the run's value in
    the parameters instead is what a stored config, a results file and the Run screen's
    search for an earlier run with the same settings see, so a stored run repeats
    exactly wherever it is fitted again. A model with ``text_init`` on gets the run's
    text encoder as its source of item vectors (:func:`with_text_vectors`).
    """
    settings = {"seed": seed, "device": device, "encoder": encoder}
    out: dict[str, dict[str, object]] = {}
    for name, cls in MODELS.items():
        filled = {field_name: settings[run] for run, field_name in cls.Params.run_fields().items()
                  if settings.get(run) is not None}
        merged = {**filled, **params.get(name, {})}
        if merged:
            out[name] = merged
    for name, cls in MODELS.items():  # a composite's components take their models' settings
        if issubclass(cls, Composite):
            own = out.setdefault(name, {})
            components = own.get("components", cls.Params.default("components"))
            given = dict(own.get("component_params") or {})  # type: ignore[call-overload]
            own["component_params"] = {c: {**out.get(c, {}), **given.get(c, {})}
                                       for c in components}
    return with_text_vectors(out)


#: Parameters of the ``semantic`` model that say how item text is encoded, and the
#: matching :class:`ItemTextVectors` fields.
_ENCODING = {"encoder": "folder", "device": "device", "batch_size": "batch_size",
             "max_length": "max_length", "precision": "precision", "cache_dir": "cache_dir"}


def text_vector_source(semantic: dict[str, object] | None = None) -> ItemTextVectors:
    """The run's text encoder as a source of item vectors: the encoder (a folder or a
    packaged encoder's name; None: chosen by the catalogue's script, see
    :mod:`engine.data.multilingual`), device, batch size, token limit, precision and cache of
    the ``semantic`` model's parameters, so both encode alike and share the disk cache."""
    given = semantic or {}
    return ItemTextVectors({field: given[param] for param, field in _ENCODING.items()
                            if given.get(param) is not None})


def _takes_text_vectors(name: str) -> bool:
    """Whether the model has a parameter for the run's text vectors (``item_vectors``)."""
    cls = MODELS.get(name)
    return cls is not None and cls.Params.run_fields().get("text_vectors") == "item_vectors"


def _with_source(own: dict[str, object], semantic: dict[str, object] | None
                 ) -> dict[str, object]:
    """``own`` with an ``item_vectors`` source when ``text_init`` is on (see below)."""
    if not own.get("text_init"):
        return own
    source = own.get("item_vectors")
    if source is None:
        source = text_vector_source(semantic)
    elif isinstance(source, dict) and not isinstance(source, ItemTextVectors):
        source = ItemTextVectors(source)  # its settings, as a stored run config holds them
    return {**own, "item_vectors": source}


def with_text_vectors(params: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    """Per-model parameters where every model with ``text_init`` on (standalone, or a
    fusion's component) reads its item vectors from the run's text encoder.

    Such a model (the transformer) takes an ``item_vectors`` source; without one (nor a
    source in its fit's context) it falls back to genre / TF-IDF vectors, so a run's
    encoder would never be used. The source is an :class:`ItemTextVectors` with the
    ``semantic`` model's encoding settings (a fusion's own ``semantic`` component
    parameters for its components): storable, so a stored model keeps it, and JSON, so
    results and run configurations that list the parameters store it as its settings.
    An ``item_vectors`` already given is kept; a plain dict of settings (what a stored
    run configuration reads back) is rebuilt into a source. Returns new dicts;
    ``params`` is not changed.
    """
    out = {name: dict(p) for name, p in params.items()}
    semantic = out.get("semantic")
    for name in list(out):
        if _takes_text_vectors(name):
            out[name] = _with_source(out[name], semantic)
    for name, p in out.items():
        cls = MODELS.get(name)
        if cls is None or not issubclass(cls, Composite) or not p.get("component_params"):
            continue
        components = dict(p["component_params"])  # type: ignore[call-overload]
        inner = components.get("semantic", semantic)
        p["component_params"] = {c: _with_source(dict(v), inner) if _takes_text_vectors(c)
                                 else v for c, v in components.items()}
    return out


def make_split(dataset: Dataset, options: SplitOptions = SplitOptions()) -> Split:
    if options.kind == "loo":
        split = leave_one_out(dataset)
    elif options.kind == "time":
        if not options.test_from:
            raise DataError("a time split needs a cut-off: pass --test-from DATE")
        split = time_split(dataset, options.test_from, options.valid_from)
    else:
        raise DataError(f"unknown split {options.kind!r}: expected 'loo' or 'time'")
    split.eval_users = options.eval_users
    split.protocol["eval_users"] = ("all" if options.eval_users is None else
                                    f"at most {options.eval_users:,} per phase, beyond it a "
                                    "seeded sample")
    return split




@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a run's outcome; stored with it so it can be repeated."""

    model: str = DEFAULT_MODEL
    params: dict[str, dict[str, object]] = field(default_factory=dict)
    k: int = 20
    metrics_k: tuple[int, ...] = (10, 20)
    split: SplitOptions = SplitOptions()
    preprocess: PreprocessOptions = PreprocessOptions()
    seed: int = 0
    recent_window: int = 5
    use_feedback: bool = True  # train on the users' feedback (when the caller passes it)
    updated_from: int | None = None  # the stored run whose model this run updated

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunConfig":
        """The config a stored run recorded (:meth:`to_dict`); keys this version does
        not know are ignored, missing ones take their defaults."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "metrics_k" in values:
            values["metrics_k"] = tuple(values["metrics_k"])
        if isinstance(values.get("split"), dict):
            values["split"] = SplitOptions(**values["split"])
        if isinstance(values.get("preprocess"), dict):
            values["preprocess"] = PreprocessOptions(**values["preprocess"])
        return cls(**values)
