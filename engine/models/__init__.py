"""Model registry: every recommender by its short name, built with keyword parameters.

The command line, the GUI and run configs all name models by these strings, so a config
file (``{"model": "als", "params": {...}}``) is enough to rebuild a run.
"""
from __future__ import annotations

from engine.models.base import Recommender
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
    """A new, unfitted model; unknown names or parameters raise ``ValueError``."""
    try:
        cls = MODELS[name]
    except KeyError:
        raise ValueError(
            f"unknown model {name!r}; valid names: {', '.join(sorted(MODELS))}"
        ) from None
    try:
        return cls(**params)
    except TypeError as exc:  # an unexpected keyword: say which model and what it takes
        raise ValueError(f"bad parameters for model {name!r}: {exc}") from None


__all__ = [
    "MODELS", "make_model", "Recommender",
    "Popularity", "ItemKNN", "ItemKNNBM25", "ALS", "EASE", "CoOccurrence",
    "SemanticProfile", "Word2VecProfile", "Item2Vec", "SequentialTransformer",
    "Fusion", "FixedFusion", "RankFusion",
]
