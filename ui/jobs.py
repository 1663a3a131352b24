"""The work the window hands to its worker thread, as plain functions of a Task (no Qt).

Each function here is what one button does, written against the engine and storage
exactly as the command line uses them, so the window and ``main.py`` behave the same.
They take the :class:`~engine.progress.Task` last and report stages into it; the engine
raises :class:`~engine.errors.Cancelled` at its next safe point after a cancel.
"""
from __future__ import annotations

import dataclasses
import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path

from engine.dataset import Dataset
from engine.demo import demo_paths
from engine.device import set_threads
from engine.errors import DataError
from engine.importer import (CATALOGUE_FLAGS, HEADERLESS_CATALOGUE, HEADERLESS_INTERACTIONS,
                             INTERACTION_FLAGS, Catalogue, InteractionTable, ReadOptions,
                             link_catalogue, read_catalogue, read_interactions)
from engine.preprocess import PreprocessOptions, build_dataset
from engine.progress import Task
from engine.report import ImportReport
from engine.roles import assign_roles, matching_columns
from engine.sniff import read_raw
from storage import (Database, dataset_info, export_lists, list_datasets, run_and_save,
                     save_dataset)
from storage.append import Appended, append_to_dataset
from storage.runs import Drift, retrain_and_save, update_and_save
from storage.browse import UserIndex, user_index
from ui.run_settings import RunSettings

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
    roles: dict[str, str]  # column -> role ("" for none); several columns may be "text"
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
    if kind == "items":
        roles.update({c: "text" for c in matching_columns(columns, "text") if c not in roles})
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
        if len(picked) > 1 and role != "text":
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


def prepare_torch(task: Task) -> None:
    """Import torch and take one optimiser step on a toy problem.

    Both are one-time costs (about a second) during which torch holds the interpreter
    lock for up to a fifth of a second at a stretch. Paid when the Run screen first
    opens, they stay out of the first run, while which the window must keep answering.
    """
    task.begin("prepare", "loading torch")
    import torch

    weights = torch.zeros(2, requires_grad=True)
    optimiser = torch.optim.Adam([weights], lr=0.1)
    loss = torch.nn.functional.cross_entropy(torch.softmax(weights, 0)[None, :],
                                             torch.zeros(1, dtype=torch.long))
    loss.backward()
    optimiser.step()


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


def export_run(db: Database, run_id: int, path: Path, users: list[str] | None,
               task: Task) -> int:
    """Write the run's lists (of ``users``, or everyone's) as CSV; the rows written."""
    task.begin("export", f"writing {path.name}")
    frame = export_lists(db, run_id, path, users)
    task.finish()
    return len(frame)


def load_user_index(db: Database, dataset: str, run_id: int | None, task: Task) -> UserIndex:
    task.begin("users", f"loading the users of {dataset}")
    return user_index(db, dataset, run_id)
