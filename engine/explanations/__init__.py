"""Recommendation texts: a local language model presents each user's list and says why.

The engine computes the facts (:mod:`.facts`), the prompt and the template are built from
them (:mod:`.prompt`), the writer generates, streams and checks a text (:mod:`.writer`)
against the catalogue (:mod:`engine.explanations.grounding`), and the packaged default model is
converted once into the cache (:mod:`.model`). Nothing here imports Qt.
"""
from engine.explanations.facts import Facts, Pick, facts_from_run, horizon, make_facts
from engine.explanations.model import default_model_folder, packaged_gguf
from engine.explanations.prompt import build_messages, template_explanation
from engine.explanations.writer import (GENERATED, TEMPLATE, Explanation, ExplanationWriter,
                                        GenerationStats, template_only)

__all__ = ["Facts", "Pick", "facts_from_run", "horizon", "make_facts", "default_model_folder",
           "packaged_gguf", "build_messages", "template_explanation", "GENERATED", "TEMPLATE",
           "Explanation", "ExplanationWriter", "GenerationStats", "template_only"]
