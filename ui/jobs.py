"""The work the window hands to its worker thread, as plain functions of a Task (no Qt).

Each function here is what one button does, written against the engine and storage
exactly as the command line uses them, so the window and ``main.py`` behave the same.
They take the :class:`~engine.core.progress.Task` last and report stages into it; the engine
raises :class:`~engine.core.errors.Cancelled` at its next safe point after a cancel.
"""
from __future__ import annotations

import dataclasses
import gc
import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path

from engine.core.device import set_threads
from engine.core.errors import DataError
from engine.core.progress import Task
from engine.data.dataset import Dataset
from engine.data.importer import (CATALOGUE_FLAGS, HEADERLESS_CATALOGUE, HEADERLESS_INTERACTIONS,
                                  INTERACTION_FLAGS, MULTI_COLUMN_ROLES, Catalogue,
                                  InteractionTable, ReadOptions, link_catalogue, read_catalogue,
                                  read_interactions)
from engine.data.preprocess import PreprocessOptions, build_dataset
from engine.data.report import ImportReport
from engine.data.roles import GENRE_NAMES, assign_roles, matching_columns, normalise
from engine.data.sniff import read_raw
from resources import demo_paths
from storage import (Database, ListEntry, dataset_info, list_datasets, list_feedback, run_and_save,
                     run_info, save_dataset)
from storage.append import Appended, append_to_dataset
from storage.browse import user_index
from storage.live import LiveRun, list_now, open_live_run
from storage.results import lists_frame, user_text, write_csv
from engine.pipeline.drift import Drift
from storage.runs import retrain_and_save, update_and_save
from ui.run_settings import RunSettings
from ui.user_table import UserTable, prepare_table

log = logging.getLogger("interest_fusion_studio")
#: Roles a column can play, per kind of file; "" is "not used".
ROLES = {"interactions": tuple(INTERACTION_FLAGS), "items": tuple(CATALOGUE_FLAGS)}
DEMO_NAME = "demo shop"
PREVIEW_ROWS = 50


@dataclass(frozen=True)
class FilePreview:
    """The first rows of a file as the importer reads it, and what it detected."""

    path: Path
    kind: str
    columns: list[str]
    rows: list[list[str]]
    lines: list[int]
    n_rows: int
    sep: str
    header: bool
    encoding: str
    roles: dict[str, str]  # column -> role ("" for none); several may be text or category
    warnings: list[str]


def preview_file(path: str | Path, kind: str, sep: str | None = None,
                 header: bool | None = None) -> FilePreview:
    """Read ``path`` as the importer would and guess every column's role by its name."""
    report = ImportReport()
    raw = read_raw(Path(path), sep=sep, header=header, columns=None, encoding=None,
                   default_names=HEADERLESS_INTERACTIONS if kind == "interactions"
                   else HEADERLESS_CATALOGUE, report=report)
    columns = list(raw.frame.columns)
    if kind == "interactions":
        found = assign_roles(columns, ROLES[kind], {})
    else:  # as read_catalogue detects: item and title by name, every text-like column
        found = assign_roles(columns, ("item", "title"), {})
    roles = {column: role for role, column in found.items()}
    if kind == "items":  # genre-like names are categories, the other text-like ones text
        roles.update({c: "category" if normalise(c) in GENRE_NAMES else "text"
                      for c in matching_columns(columns, "text") if c not in roles})
    head = raw.frame.head(PREVIEW_ROWS)
    return FilePreview(Path(path), kind, columns, head.to_numpy().tolist(),
                       [int(n) for n in raw.lines[:PREVIEW_ROWS]], len(raw.frame),
                       str(report.detected["sep"]), bool(report.detected["header"]),
                       str(report.detected["encoding"]),
                       {c: roles.get(c, "") for c in columns}, list(report.warnings))


def read_options(preview: FilePreview, roles: dict[str, str]) -> ReadOptions:
    """Options that make the importer read the file as previewed, with these roles.

    Columns without a role are renamed to a name no role detection matches, so the
    importer cannot pick them up by their name after the user said no.
    """
    unused = iter(f"unused{j}" for j in itertools.count(1))
    names = [c if roles.get(c) else next(unused) for c in preview.columns]
    chosen: dict[str, list[str]] = {}
    for column, name in zip(preview.columns, names, strict=True):
        if roles.get(column):
            chosen.setdefault(roles[column], []).append(name)
    for role, picked in chosen.items():
        if len(picked) > 1 and role not in MULTI_COLUMN_ROLES:
            raise DataError(f"{len(picked)} columns ({', '.join(picked)}) are marked as "
                            f"{role}; choose one", file=preview.path)
    renamed = names != preview.columns
    return ReadOptions(sep=preview.sep, header=preview.header, encoding=preview.encoding,
                       columns=names if renamed or not preview.header else None,
                       roles={role: ",".join(picked) for role, picked in chosen.items()})


@dataclass(frozen=True)
class Problem:
    """One line of the import check: an error stops the import, the others inform."""

    severity: str  # "error", "warning" or "note"
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None

    @classmethod
    def from_error(cls, exc: DataError) -> "Problem":
        return cls("error", exc.detail, exc.file, exc.row, exc.column)


@dataclass(frozen=True)
class ImportSpec:
    """Everything the import dialog decided."""

    name: str
    interactions: Path
    interaction_options: ReadOptions
    items: Path | None = None
    item_options: ReadOptions | None = None
    preprocess: PreprocessOptions = PreprocessOptions()
    unknown_items: str = "keep"
    replace: bool = False

    def stored_options(self) -> dict[str, object]:
        """How the files were read, kept with the dataset (runs read ``preprocess``)."""
        read = {"interactions": dataclasses.asdict(self.interaction_options)}
        if self.item_options is not None:
            read["items"] = dataclasses.asdict(self.item_options)
        return {"read": read, "preprocess": self.preprocess.to_dict(),
                "unknown_items": self.unknown_items}


@dataclass
class CheckResult:
    """The dataset the import would store, or None when an error stops it; the tables it
    was built from (an append stores those)."""

    problems: list[Problem] = field(default_factory=list)
    dataset: Dataset | None = None
    table: InteractionTable | None = None
    catalogue: Catalogue | None = None


def check_import(spec: ImportSpec, task: Task) -> CheckResult:
    """Read and preprocess the files; every problem found, nothing written."""
    problems: list[Problem] = []
    table = catalogue = None
    task.begin("read interactions", f"reading {spec.interactions.name}")
    try:
        table = read_interactions(spec.interactions, spec.interaction_options)
    except DataError as exc:
        problems.append(Problem.from_error(exc))
    if spec.items is not None:
        task.begin("read items", f"reading {spec.items.name}")
        try:
            catalogue = read_catalogue(spec.items, spec.item_options)
        except DataError as exc:
            problems.append(Problem.from_error(exc))
    if table is None or problems:
        return CheckResult(problems)
    task.begin("preprocess")
    try:
        if catalogue is not None:
            table = link_catalogue(table, catalogue, spec.unknown_items)
        dataset = build_dataset(table, catalogue, spec.preprocess, name=spec.name)
    except DataError as exc:
        return CheckResult([Problem.from_error(exc)])
    task.finish()
    report = dataset.report
    notes = [Problem("note", f"{n:,} rows dropped: {reason}")
             for reason, n in sorted(report.dropped.items())]
    return CheckResult([Problem("warning", w) for w in report.warnings] + notes, dataset,
                       table, catalogue)


def store_dataset(db: Database, spec: ImportSpec, dataset: Dataset, task: Task) -> int:
    """Write the checked dataset in one transaction; its id."""
    task.begin("store", f"storing {dataset.n_interactions:,} interactions")
    sources = {"interactions": str(spec.interactions.resolve())}
    if spec.items is not None:
        sources["items"] = str(spec.items.resolve())
    dataset_id = save_dataset(db, dataset, spec.name, sources, spec.stored_options(),
                              replace=spec.replace, task=task)
    task.finish()
    return dataset_id


def append_checked(db: Database, spec: ImportSpec, checked: CheckResult, task: Task
                   ) -> Appended:
    """Add the checked files' rows to the stored dataset ``spec.name``, in one transaction."""
    assert checked.table is not None
    done = append_to_dataset(db, spec.name, checked.table, checked.catalogue, task)
    task.finish()
    return done


def import_demo(db: Database, task: Task) -> str:
    """Store the shipped demo shop as a new dataset; its name."""
    interactions, items = demo_paths()
    taken = {d.name for d in list_datasets(db)}
    name = next(n for n in itertools.chain([DEMO_NAME], (f"{DEMO_NAME} {i}"
                                                         for i in itertools.count(2)))
                if n not in taken)
    task.begin("read interactions", f"reading {interactions.name}")
    table = read_interactions(interactions)
    task.begin("read items", f"reading {items.name}")
    catalogue = read_catalogue(items)
    task.begin("preprocess")
    dataset = build_dataset(link_catalogue(table, catalogue), catalogue, name=name)
    spec = ImportSpec(name, interactions, ReadOptions(), items, ReadOptions())
    store_dataset(db, spec, dataset, task)
    return name


def prepare_models(task: Task) -> None:
    """Import what the default pipeline's models use, and take one torch optimiser step.

    Importing torch, transformers' GPT-2 and gensim, and torch's first step, are one-time
    costs of seconds during which the importing thread holds the interpreter lock for up
    to half a second at a stretch (unmarshalling and running large modules), and the
    window could not answer meanwhile. Paid when the Run screen first opens, they stay
    out of the first run, during which the window must keep answering. Then the loaded
    libraries are kept out of garbage collection (:func:`freeze_heap`).
    """
    task.begin("prepare", "loading torch")
    import torch

    weights = torch.zeros(2, requires_grad=True)
    optimiser = torch.optim.Adam([weights], lr=0.1)
    loss = torch.nn.functional.cross_entropy(torch.softmax(weights, 0)[None, :],
                                             torch.zeros(1, dtype=torch.long))
    loss.backward()
    optimiser.step()
    task.update(0.6, "loading the transformer library")
    try:
        from transformers import GPT2Config, GPT2Model  # noqa: F401  the sequential model
    except ImportError:  # the sequential model then says so when it is chosen
        pass
    task.update(0.9, "loading gensim")
    try:
        from gensim.models import Word2Vec  # noqa: F401  word2vec and item2vec
    except ImportError:
        pass
    freeze_heap()


def freeze_heap() -> None:
    """Keep the objects that exist now (the libraries just loaded) out of Python's cyclic
    garbage collection from here on.

    A full collection holds the interpreter lock while it walks every tracked object;
    with torch, transformers, gensim, pandas and matplotlib loaded, that is 0.3-0.5 s
    during which no thread, the UI thread included, runs Python: the window froze once
    or twice a run, whichever thread's allocation set the collection off. The loaded
    modules live as long as the process anyway (``gc.freeze``, as the Python docs advise
    after start-up); what runs later is collected as usual, and quickly.
    """
    gc.collect()
    gc.freeze()


def run_pipeline(db: Database, dataset: str, settings: RunSettings, task: Task) -> int:
    """Load, run and save, as ``main.py run`` does; the run id.

    The run is recorded as running first; its results are written in one transaction at
    the end, so a cancel (or a failure) leaves the run marked as such without results.
    """
    settings.check()
    task.begin("load", f"loading {dataset}")
    info = dataset_info(db, dataset)
    config = settings.to_config(PreprocessOptions(**info.options.get("preprocess", {})))
    set_threads(settings.threads or None)
    run_id, _ = run_and_save(db, dataset, config, task)
    return run_id


def update_run(db: Database, run_id: int, task: Task) -> tuple[int, Drift]:
    """A new run from ``run_id``'s model updated with the data added since; its id, and
    how far the dataset has drifted from the model's last full fit."""
    new_id, _, drift = update_and_save(db, run_id, task)
    return new_id, drift


def retrain_run(db: Database, run_id: int, task: Task) -> int:
    """The full pipeline again with ``run_id``'s recorded configuration; the new run's id."""
    new_id, _ = retrain_and_save(db, run_id, task)
    return new_id


#: Columns an export adds to the stored lists' (storage.results.lists_frame).
FEEDBACK_COLUMNS = ("model_rank", "feedback", "changed_by_feedback")


@dataclass(frozen=True)
class ShownList:
    """One user's list exactly as the Users screen shows it (after their feedback)."""

    user: str
    entries: list[ListEntry]
    model_ranks: dict[str, int]  # item -> rank in the run's own list
    feedback: dict[str, str]  # item -> the user's latest feedback on it


def _list_rows(shown: ShownList, components: list[str], text: str, source: str
               ) -> list[dict[str, object]]:
    rows = []
    for entry in shown.entries:
        model_rank = shown.model_ranks.get(entry.item)
        rows.append({
            "user": shown.user, "rank": entry.rank, "item": entry.item, "title": entry.title,
            "score": entry.score,
            **{f"score_{c}": entry.components.get(c, 0.0) for c in components},
            "explanation": entry.explanation, "recommendation_text": text,
            "recommendation_source": source, "model_rank": model_rank,
            "feedback": shown.feedback.get(entry.item, ""),
            "changed_by_feedback": model_rank != entry.rank})
    return rows


def export_run(db: Database, run_id: int, path: Path, users: list[str] | None,
               task: Task, live: LiveRun | None = None) -> int:
    """Write the run's lists (of ``users``, or everyone's) as CSV, each as it stands after
    the user's feedback (re-ranked with the run's model, as the Users screen shows it),
    with the columns of :data:`FEEDBACK_COLUMNS`; the rows written. ``live``: the run's
    model when it is loaded already (else it is loaded here if anyone gave feedback)."""
    task.begin("export", f"reading the lists of run {run_id}")
    import pandas as pd

    frame = lists_frame(db, run_id, users)
    info = run_info(db, run_id)
    given: dict[str, dict[str, str]] = {}
    for event in list_feedback(db, info.dataset):  # oldest first: the latest word wins
        if users is None or event.user in users:
            given.setdefault(event.user, {})[event.item] = event.kind
    frame["model_rank"] = frame["rank"]
    frame["feedback"] = ""
    frame["changed_by_feedback"] = False
    if given:
        if live is None or live.run_id != run_id:
            task.update(0.2, f"loading the model of run {run_id}")
            live = open_live_run(db, run_id)
        replaced = []
        for n, (user, feedback) in enumerate(sorted(given.items())):
            task.update(0.3 + 0.6 * n / len(given), f"the list of {user} after feedback")
            mine = frame[frame["user"] == user]
            if mine.empty:
                continue  # no stored list for this user
            shown = ShownList(user, list_now(db, live, user).entries,
                              dict(zip(mine["item"], mine["rank"])), feedback)
            first = mine.iloc[0]
            replaced.append(pd.DataFrame(_list_rows(
                shown, list(info.components), first["recommendation_text"],
                first["recommendation_source"]), columns=frame.columns))
        if replaced:
            users_now = {str(part["user"].iloc[0]) for part in replaced if len(part)}
            kept = frame[~frame["user"].isin(users_now)]
            order = {user: i for i, user in enumerate(dict.fromkeys(frame["user"]))}
            frame = pd.concat([kept, *replaced], ignore_index=True)
            frame = frame.sort_values(["user", "rank"], key=lambda column: (
                column.map(order) if column.name == "user" else column), kind="stable")
    task.update(0.95, f"writing {path.name}")
    frame["model_rank"] = frame["model_rank"].astype("Int64")  # empty: new in the list
    write_csv(frame, path)
    task.finish()
    return len(frame)


def export_shown(shown: ShownList, db: Database, run_id: int, path: Path, task: Task) -> int:
    """Write one user's list as the screen shows it, in the columns of
    :func:`export_run`; the rows written."""
    task.begin("export", f"writing {path.name}")
    import pandas as pd

    info = run_info(db, run_id)
    stored = user_text(db, run_id, shown.user)
    frame = pd.DataFrame(_list_rows(shown, list(info.components),
                                    stored.text if stored else "",
                                    stored.source if stored else ""))
    frame["model_rank"] = frame["model_rank"].astype("Int64")  # empty: new in the list
    write_csv(frame, path)
    task.finish()
    return len(frame)


def load_user_index(db: Database, dataset: str, run_id: int | None, task: Task) -> UserTable:
    """The users of ``dataset`` (with ``run_id``'s gates) made ready for the table."""
    task.begin("users", f"loading the users of {dataset}")
    index = user_index(db, dataset, run_id)
    task.update(0.7, "sorting the users")
    return prepare_table(index)
