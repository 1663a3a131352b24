"""The engine's texts that the window shows, in the window's language.

The engine imports no Qt, so its labels are English: the stages' labels
(:class:`engine.core.stages.Stage`) and the labels and help of the model settings the Run
screen offers (the sequential model's ``setting(...)`` fields). They are listed here with
``QT_TRANSLATE_NOOP`` so that lupdate collects them (context ``EngineText``), and shown
through :func:`engine_text`; a text not listed here is shown as the engine wrote it. A
stage of one model ("Fit ease") is its stage's label translated, with the model's name
kept (:func:`stage_label`). tests/ui/test_language.py checks that every stage label and
every offered setting is listed.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from engine.core.stages import Stage

CONTEXT = "EngineText"
#: The labels of engine.core.stages.Stage.
STAGE_LABELS = (
    QT_TRANSLATE_NOOP("EngineText", "Open the project"),
    QT_TRANSLATE_NOOP("EngineText", "Copy the project"),
    QT_TRANSLATE_NOOP("EngineText", "Load the libraries"),
    QT_TRANSLATE_NOOP("EngineText", "Import"),
    QT_TRANSLATE_NOOP("EngineText", "Read the dataset"),
    QT_TRANSLATE_NOOP("EngineText", "Read the interactions"),
    QT_TRANSLATE_NOOP("EngineText", "Read the items"),
    QT_TRANSLATE_NOOP("EngineText", "Preprocess"),
    QT_TRANSLATE_NOOP("EngineText", "Clean the new rows"),
    QT_TRANSLATE_NOOP("EngineText", "Store the data"),
    QT_TRANSLATE_NOOP("EngineText", "Load the data"),
    QT_TRANSLATE_NOOP("EngineText", "Split the data"),
    QT_TRANSLATE_NOOP("EngineText", "Fit"),
    QT_TRANSLATE_NOOP("EngineText", "Update"),
    QT_TRANSLATE_NOOP("EngineText", "Evaluate"),
    QT_TRANSLATE_NOOP("EngineText", "Make the lists"),
    QT_TRANSLATE_NOOP("EngineText", "Build the profiles"),
    QT_TRANSLATE_NOOP("EngineText", "Save the results"),
    QT_TRANSLATE_NOOP("EngineText", "Load the users"),
    QT_TRANSLATE_NOOP("EngineText", "Export"),
    QT_TRANSLATE_NOOP("EngineText", "Gather the facts"),
    QT_TRANSLATE_NOOP("EngineText", "Load the text model"),
    QT_TRANSLATE_NOOP("EngineText", "Write the texts"),
)
#: The labels and help of the sequential model's settings the Run screen offers
#: (ui.run_settings.SEQUENTIAL_FIELDS).
SETTING_TEXTS = (
    QT_TRANSLATE_NOOP("EngineText", "Hidden size"),
    QT_TRANSLATE_NOOP("EngineText", "Transformer width (SASRec/RecBole: 64)"),
    QT_TRANSLATE_NOOP("EngineText", "Layers"),
    QT_TRANSLATE_NOOP("EngineText", "Transformer depth"),
    QT_TRANSLATE_NOOP("EngineText", "Epochs (at most)"),
    QT_TRANSLATE_NOOP("EngineText", "Upper bound on epochs (all of them without validation "
                                    "data)"),
)


def engine_text(text: str) -> str:
    """``text`` of the engine in the window's language (as written when not listed)."""
    return QCoreApplication.translate(CONTEXT, text) if text else text


def stage_label(stage: str) -> str:
    """What the window shows for a stage name a task reported, translated: a stage's
    label, a stage of one model as its stage's label and the model ("拟合 ease"), else
    the name as reported (as :func:`engine.core.stages.label`, in the window's language)."""
    whole = _stage(stage)
    if whole is not None:
        return engine_text(whole.label)
    head, _, model = stage.partition(" ")
    first = _stage(head)
    return f"{engine_text(first.label)} {model}" if first is not None and model else stage


def _stage(name: str) -> Stage | None:
    try:
        return Stage(name)
    except ValueError:
        return None
