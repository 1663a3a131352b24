"""Typed hyper-parameters: one frozen dataclass per model, the base of them all here.

A model's settings, their types, defaults, labels in the window and checks live in one
place, its params class (``ALSParams`` next to ``ALS``), instead of in a constructor
signature that the pipeline and the window had to inspect. Configs stay plain JSON:
``to_dict`` is what ``Recommender.params()`` records and ``from_dict`` reads it back,
refusing names the model does not take. Values are coerced to the declared types (``--set
als.factors=64.0`` gives 64), as the constructors did, so a stored config gives the same
model whatever JSON number type it holds.

Fields declare their metadata with :func:`setting`: a label and help for the window, and,
for a run-wide setting (seed, device, threads, text encoder, text vectors), the name of
that setting in ``run``: ``None`` there means "the run's", read at fit time from the
:class:`~engine.models.context.FitContext`, and the pipeline records the run's value in a
config through :func:`engine.pipeline.config.with_run_settings`.
"""
from __future__ import annotations

import functools
import types
import typing
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any, Mapping, TypeVar

P = TypeVar("P", bound="ModelParams")
_SCALARS = (bool, int, float, str)


def setting(default: Any, label: str, help: str = "", *, run: str | None = None,
            recorded: bool = True) -> Any:
    """A params field: ``default`` (a list or dict is copied per instance), the label and
    help the window shows, the run-wide setting it stands for (``run``), and whether
    ``to_dict`` records it (False for values that are no hyper-parameter, such as an
    array of text vectors)."""
    metadata = {"label": label, "help": help, "run": run, "recorded": recorded}
    if isinstance(default, (list, dict)):
        return field(default_factory=functools.partial(type(default), default),
                     metadata=metadata)
    return field(default=default, metadata=metadata)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _coerce(value: Any, hint: Any) -> Any:
    """``value`` as the declared type: scalars converted, lists and dicts copied."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _coerce(value, options[0]) if len(options) == 1 else value
    if hint in _SCALARS:
        return hint(value)
    if origin in (list, dict):
        return origin(value)
    return value  # a Literal (checked by the class) or a free-form value


@dataclass(frozen=True)
class ModelParams:
    """Base of every params class: coercion, JSON round trip, defaults and labels.

    Subclasses add fields made with :func:`setting` and check their values in
    ``__post_init__`` after calling this one's (which converts them first).
    """

    def __post_init__(self) -> None:
        hints = _hints(type(self))
        for f in fields(self):
            value = getattr(self, f.name)
            try:
                object.__setattr__(self, f.name, _coerce(value, hints[f.name]))
            except (TypeError, ValueError):
                kind = getattr(hints[f.name], "__name__", hints[f.name])
                raise ValueError(f"{f.name} must be {kind}, not {value!r}") from None

    def to_dict(self) -> dict[str, object]:
        """The recorded fields by name (what a run stores; JSON when the values are)."""
        return {f.name: getattr(self, f.name) for f in self.recorded_fields()}

    @classmethod
    def from_dict(cls: type[P], data: Mapping[str, object], model: str | None = None) -> P:
        """Params from a dict such as :meth:`to_dict` gives; a name the class does not
        take is a ValueError that names ``model`` (its registry name) and what it takes."""
        known = [f.name for f in fields(cls)]
        unknown = [k for k in data if k not in known]
        if unknown:
            owner = f" for model {model!r}" if model else ""
            raise ValueError(f"bad parameters{owner}: unknown {', '.join(map(repr, unknown))}; "
                             f"it takes {', '.join(known) or 'none'}")
        return cls(**data)

    @classmethod
    def recorded_fields(cls) -> list[Field[Any]]:
        """The fields that are hyper-parameters (see :func:`setting`)."""
        return [f for f in fields(cls) if f.metadata.get("recorded", True)]

    @classmethod
    def field_named(cls, name: str) -> Field[Any] | None:
        """The field ``name``, or None when the model has no such parameter."""
        return next((f for f in fields(cls) if f.name == name), None)

    @classmethod
    def default(cls, name: str) -> Any:
        """The default of parameter ``name`` (None when unknown or without one)."""
        found = cls.field_named(name)
        if found is None:
            return None
        if found.default_factory is not MISSING:
            return found.default_factory()
        return None if found.default is MISSING else found.default

    @classmethod
    def run_fields(cls) -> dict[str, str]:
        """Run-wide setting -> the field that takes it (``{"seed": "seed", ...}``)."""
        return {f.metadata["run"]: f.name for f in fields(cls) if f.metadata.get("run")}
