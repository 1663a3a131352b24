"""The run configuration the Run screen edits, as plain data (no Qt).

The form reads and writes a :class:`RunSettings`; the preferences keep it as a
dictionary; a run turns it into the engine's :class:`~engine.pipeline.config.RunConfig`. Checking it
here, before a run starts, means a bad value is a message next to the form instead of a
failed run in the list.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.cluster import ComputeChoice
from engine.core.device import DEVICES
from engine.core.errors import DataError
from engine.data.multilingual import ENCODER_NAMES
from engine.data.preprocess import PreprocessOptions
from engine.models import MODELS, make_model
from engine.models.fusion import DEFAULT_COMPONENTS
from engine.pipeline.config import RunConfig, with_run_settings

#: Fusion modes and the registry name of each.
FUSIONS = {"learned": "fusion", "fixed": "fusion-fixed", "rrf": "fusion-rrf"}
SEQUENTIAL = "sequential"
#: The sequential model's parameters the form offers, by RunSettings field.
SEQUENTIAL_FIELDS = {"hidden": "hidden", "layers": "layers", "epochs": "max_epochs"}


def components() -> list[str]:
    """Every registered model that can be a fusion component, in registry order."""
    fused = set(FUSIONS.values())
    return [name for name in MODELS if name not in fused]


def model_default(model: str, parameter: str) -> Any:
    """A model's default for ``parameter``, from its params class (None if unknown)."""
    cls = MODELS.get(model)
    return None if cls is None else cls.Params.default(parameter)


def model_label(model: str, parameter: str) -> tuple[str, str]:
    """The label and help a model's params class gives ``parameter`` (for a model that
    is not installed: the parameter's name, no help)."""
    cls = MODELS.get(model)
    found = None if cls is None else cls.Params.field_named(parameter)
    return (parameter, "") if found is None else (found.metadata["label"], found.metadata["help"])


@dataclass(frozen=True)
class RunSettings:
    """Which components, how to fuse them, and the run-wide settings.

    ``hidden``, ``layers`` and ``epochs`` (the sequential model's size and training
    length) are None for the model's own defaults; ``encoder`` is a local text-encoder
    folder or a packaged encoder's name (minilm, multilingual), empty for the automatic
    choice (:mod:`engine.data.multilingual`); ``threads`` 0 leaves torch's default.
    """

    components: tuple[str, ...] = DEFAULT_COMPONENTS
    fusion: str = "learned"
    encoder: str = ""
    hidden: int | None = None
    layers: int | None = None
    epochs: int | None = None
    k: int = RunConfig.k
    device: str = "auto"
    threads: int = 0
    seed: int = 0
    compute: str = "local"
    ray_address: str = "auto"

    @property
    def model(self) -> str:
        """One component runs on its own; several are fused."""
        return self.components[0] if len(self.components) == 1 else FUSIONS[self.fusion]

    def params(self) -> dict[str, dict[str, object]]:
        """Per-model parameters, the fusion's components' included."""
        params = with_run_settings({}, seed=self.seed, device=self.device,
                                   encoder=self.encoder or None)
        sequential = {name: getattr(self, field) for field, name in SEQUENTIAL_FIELDS.items()
                      if getattr(self, field) is not None}
        if sequential and SEQUENTIAL in MODELS:
            params.setdefault(SEQUENTIAL, {}).update(sequential)
        if len(self.components) > 1:
            params.setdefault(self.model, {}).update(
                components=list(self.components),
                component_params={c: params.get(c, {}) for c in self.components})
        return params

    def check(self) -> None:
        """Raise a DataError that says what to change, before anything runs."""
        if not self.components:
            raise DataError("choose at least one component")
        unknown = [c for c in self.components if c not in MODELS]
        if unknown:
            raise DataError(f"unknown component {unknown[0]!r}; available: "
                            f"{', '.join(components())}")
        if self.fusion not in FUSIONS:
            raise DataError(f"fusion must be one of {', '.join(FUSIONS)}, not {self.fusion!r}")
        if self.device not in DEVICES:
            raise DataError(f"device must be one of {', '.join(DEVICES)}, not {self.device!r}")
        if self.k < 1:
            raise DataError(f"the list length K must be at least 1, not {self.k}")
        if self.encoder and self.encoder not in ENCODER_NAMES and not Path(self.encoder).is_dir():
            raise DataError("the text encoder folder does not exist", file=self.encoder)
        params = self.params()
        for name in {self.model, *self.components}:
            try:
                make_model(name, **params.get(name, {}))
            except ValueError as exc:
                raise DataError(str(exc)) from None

    def compute_choice(self) -> ComputeChoice:
        """Where the run computes (a DataError for a choice that is none)."""
        return ComputeChoice(self.compute, self.ray_address)

    def to_config(self, preprocess: PreprocessOptions = PreprocessOptions()) -> RunConfig:
        return RunConfig(model=self.model, params=self.params(), k=self.k,
                         preprocess=preprocess, seed=self.seed)

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "components": list(self.components)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunSettings":
        """Saved settings; unknown keys are dropped, and settings that no longer check out
        (a component that was removed, a folder that is gone) give the defaults."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kept: dict[str, Any] = {}
        for key, value in data.items():
            if key not in fields:
                continue
            if key == "components":
                value = tuple(c for c in value if c in MODELS) if isinstance(value, list) else ()
                if not value:
                    continue
            kept[key] = value
        try:
            settings = cls(**kept)
            settings.check()
        except (DataError, TypeError):
            return cls()
        return settings

