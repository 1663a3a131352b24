"""Model registry: every recommender by its short name, built with keyword parameters.

The command line, the GUI and run configs all name models by these strings, so a config
file (``{"model": "als", "params": {...}}``) is enough to rebuild a run. Each model's
parameters are its params class (``MODELS[name].Params``, :mod:`engine.models.params`).
"""
from __future__ import annotations

from engine.models.base import Composite, Recommender
from engine.models.context import FitContext
from engine.models.content import SemanticProfile, Word2VecProfile
from engine.models.cooccurrence import CoOccurrence
from engine.models.fusion import FixedFusion, Fusion, RankFusion
from engine.models.item2vec import Item2Vec
from engine.models.itemknn import ItemKNN, ItemKNNBM25
from engine.models.latent import ALS, EASE
from engine.models.popularity import Popularity
from engine.models.sequential import SequentialTransformer

MODELS: dict[str, type[Recommender]] = {
    cls.name: cls for cls in (Popularity, ItemKNN, ItemKNNBM25, ALS, EASE, CoOccurrence,
                              SemanticProfile, Word2VecProfile, Item2Vec, SequentialTransformer,
                              Fusion, FixedFusion, RankFusion)
}


def make_model(name: str, **params: object) -> Recommender:
    """A new, unfitted model from its params class built of ``params``; unknown names,
    unknown parameters (the message says what the model takes) and bad values raise
    ``ValueError``."""
    try:
        cls = MODELS[name]
    except KeyError:
        raise ValueError(
            f"unknown model {name!r}; valid names: {', '.join(sorted(MODELS))}"
        ) from None
    return cls(cls.Params.from_dict(params, name))


__all__ = [
    "MODELS", "make_model", "Recommender", "Composite", "FitContext",
    "Popularity", "ItemKNN", "ItemKNNBM25", "ALS", "EASE", "CoOccurrence",
    "SemanticProfile", "Word2VecProfile", "Item2Vec", "SequentialTransformer",
    "Fusion", "FixedFusion", "RankFusion",
]
