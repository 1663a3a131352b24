"""The run-wide settings a fit reads: seed, device, threads and a source of text vectors.

They belong to a run, not to one model: every model of a run (a fusion's components
included) should draw its random numbers from the run's seed and put torch on the run's
device. A model's own parameter for such a setting wins when it is given (``--set
als.seed=7``, or a stored config that recorded the run's value in every model's
parameters); left at None it means "the run's", read from the :class:`FitContext` that
``fit`` receives. Passing the context explicitly replaces reading every model's
constructor signature to inject the settings into its parameters.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TypeVar

import numpy as np

from engine.data.dataset import Dataset

#: Item text vectors for ``text_init``: an (n_items, d) array, or a callable of the dataset
#: (a stored model keeps it, and of callables it stores an ItemTextVectors only).
ItemVectors = np.ndarray | Callable[[Dataset], "np.ndarray | None"]
T = TypeVar("T")


@dataclass(frozen=True)
class FitContext:
    """Run-wide settings for :meth:`Recommender.fit` (the defaults are a plain run's).

    ``threads`` 0 leaves torch's setting as it is; ``text_vectors`` is where a model with
    ``text_init`` and no vectors of its own reads its item text vectors (None: the
    catalogue's genres / TF-IDF).
    """

    seed: int = 0
    device: str = "auto"
    threads: int = 0
    text_vectors: ItemVectors | None = None

    def setting(self, name: str, own: T | None) -> T:
        """A model's own value of the run-wide setting ``name``, else the run's."""
        return getattr(self, name) if own is None else own  # type: ignore[no-any-return]
