"""The stages a job reports through :meth:`Task.begin <engine.core.progress.Task.begin>`.

One list, so that the engine, storage and the command line begin the same stages the
window lists ahead of a job and labels. A :class:`Stage` is a ``str`` whose value is the
name stored in a run's ``stage_seconds`` and printed by the command line, so those stay
as they were; its :attr:`~Stage.label` is what the window shows. A stage of one model
among several (``fit cooc``, ``evaluate fusion``) is a member with the model's name
after it (:meth:`Stage.of`), so that each model gets its own timing and progress row.
"""
from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """A named stage of a job, with the label the window shows for it."""

    label: str

    def __new__(cls, value: str, label: str) -> Stage:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    # opening and saving the project
    OPEN = "open", "Open the project"
    SAVE_AS = "save as", "Copy the project"
    PREPARE = "prepare", "Load the libraries"
    # importing files, appending to a dataset
    IMPORT = "import", "Import"
    READ = "read", "Read the dataset"
    READ_INTERACTIONS = "read interactions", "Read the interactions"
    READ_ITEMS = "read items", "Read the items"
    PREPROCESS = "preprocess", "Preprocess"
    CLEAN = "clean", "Clean the new rows"
    STORE = "store", "Store the data"
    # a run, an update of a run, an evaluation
    LOAD = "load", "Load the data"
    SPLIT = "split", "Split the data"
    FIT = "fit", "Fit"
    UPDATE = "update", "Update"
    EVALUATE = "evaluate", "Evaluate"
    RECOMMEND = "recommend", "Make the lists"
    PROFILES = "profiles", "Build the profiles"
    SAVE = "save", "Save the results"
    # reading results, writing texts
    USERS = "users", "Load the users"
    EXPORT = "export", "Export"
    FACTS = "facts", "Gather the facts"
    LOAD_MODEL = "load model", "Load the text model"
    WRITE = "write", "Write the texts"

    def of(self, model: str) -> str:
        """This stage of one model (``fit cooc``): the name a task begins and stores."""
        return f"{self.value} {model}"


def label(stage: str) -> str:
    """What the window shows for a stage name a task reported: a member's label, the
    label of a stage of one model followed by the model (``Fit cooc``), else the name."""
    whole = _member(stage)
    if whole is not None:
        return whole.label
    head, _, model = stage.partition(" ")
    first = _member(head)
    return f"{first.label} {model}" if first is not None and model else stage


def _member(name: str) -> Stage | None:
    try:
        return Stage(name)
    except ValueError:
        return None


def run_stages(model: str) -> list[str]:
    """The stages of a run of ``model``, in the order they begin: loading the dataset,
    then :func:`engine.pipeline.execute.execute_run`'s, then saving the results."""
    return [Stage.LOAD, Stage.SPLIT, Stage.FIT.of(model), Stage.EVALUATE, Stage.RECOMMEND,
            Stage.PROFILES, Stage.SAVE]


def update_stages(model: str) -> list[str]:
    """The stages of an update of a run of ``model``, in the order they begin: loading,
    then :func:`engine.pipeline.execute.refresh_run`'s, then saving the results."""
    return [Stage.LOAD, Stage.UPDATE.of(model), Stage.RECOMMEND, Stage.PROFILES, Stage.SAVE]
