"""Recommendation texts that say only what a run's facts hold, written by a local model.

The engine computes the facts (:mod:`.facts`); the content plan (:mod:`.plan`) holds
every sentence they allow, and its default path is the template; a GGUF model on
llama.cpp (:mod:`.model`) fills the plan in token by token (:mod:`.decoding`), prompted
with the facts (:mod:`.prompt`), streaming the text (:mod:`.writer`); every text is read
claim by claim (:mod:`.grounding`, :mod:`.claims`) before it is kept. Nothing here
imports Qt.
"""
from engine.explanations.facts import Facts, Pick, facts_from_run, horizon, make_facts
from engine.explanations.model import DEFAULT_NAME, model_file, packaged_gguf
from engine.explanations.plan import build_plan, language_for, template_explanation
from engine.explanations.writer import (GENERATED, TEMPLATE, Explanation, ExplanationWriter,
                                        GenerationStats, template_only)

__all__ = ["Facts", "Pick", "facts_from_run", "horizon", "make_facts", "DEFAULT_NAME",
           "model_file", "packaged_gguf", "build_plan", "language_for",
           "template_explanation", "GENERATED", "TEMPLATE", "Explanation",
           "ExplanationWriter", "GenerationStats", "template_only"]
