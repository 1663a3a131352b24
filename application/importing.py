"""Importing files into a project: preview with detected roles, check, store or append.

The import dialog previews a file as the importer reads it and lets the user correct
every detected column role (:func:`preview_file`, :func:`read_options`); the check reads
and preprocesses everything and lists every problem before anything is written
(:func:`check_import`); storing or appending is then one transaction. Appending new rows to
a stored dataset cleans them like an import, puts them on the dataset's rating scale
(the maximum rating of its first import) and grows the dataset with
:func:`engine.data.append.append_interactions` (:func:`append_to_dataset`). The shipped
demo shop takes the same way as any import (:func:`import_demo`).
"""
from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.core.errors import DataError
from engine.core.progress import Task
from engine.core.stages import Stage
from engine.data.append import append_interactions
from engine.data.dataset import Dataset
from engine.data.importer import (CATALOGUE_FLAGS, HEADERLESS_CATALOGUE, HEADERLESS_INTERACTIONS,
                                  INTERACTION_FLAGS, MULTI_COLUMN_ROLES, Catalogue,
                                  InteractionTable, ReadOptions, link_catalogue, read_catalogue,
                                  read_interactions)
from engine.data.preprocess import PreprocessOptions, build_dataset
from engine.data.roles import GENRE_NAMES, assign_roles, matching_columns, normalise
from engine.data.reading import peek_table
from engine.pipeline.drift import Change, measure_change
from resources import demo_paths
from storage import Database, dataset_info, list_datasets, load_dataset, save_dataset
from storage.append import write_grown

#: Roles a column can play, per kind of file; "" is "not used".
ROLES = {"interactions": tuple(INTERACTION_FLAGS), "items": tuple(CATALOGUE_FLAGS)}
#: The built-in demo shops by language (``resources.DEMO_FOLDERS``) and their dataset names.
DEMO_NAMES = {"en": "demo shop", "zh": "演示商店"}
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
    file_format: str = "delimited"  # or "parquet": no delimiter, header row or encoding


def preview_file(path: str | Path, kind: str, sep: str | None = None,
                 header: bool | None = None) -> FilePreview:
    """Read ``path`` as the importer would and guess every column's role by its name.

    A large file is streamed to count its rows; a Parquet file's delimiter and header
    are ignored (``sep`` "" and ``header`` True in the preview) and its encoding reads
    "Parquet".
    """
    raw, n_rows, report = peek_table(
        Path(path), sep=sep, header=header, rows=PREVIEW_ROWS,
        default_names=HEADERLESS_INTERACTIONS if kind == "interactions" else HEADERLESS_CATALOGUE)
    columns = list(raw.frame.columns)
    if kind == "interactions":
        found = assign_roles(columns, ROLES[kind], {})
    else:  # as read_catalogue detects: item and title by name, every text-like column
        found = assign_roles(columns, ("item", "title"), {})
    roles = {column: role for role, column in found.items()}
    if kind == "items":  # genre-like names are categories, the other text-like ones text
        roles.update({c: "category" if normalise(c) in GENRE_NAMES else "text"
                      for c in matching_columns(columns, "text") if c not in roles})
    parquet = not raw.delimited
    return FilePreview(Path(path), kind, columns, raw.frame.to_numpy().tolist(),
                       [int(n) for n in raw.lines], n_rows,
                       "" if parquet else str(report.detected["sep"]),
                       bool(report.detected["header"]),
                       "Parquet" if parquet else str(report.detected["encoding"]),
                       {c: roles.get(c, "") for c in columns}, list(report.warnings),
                       "parquet" if parquet else "delimited")


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


def stored_options(read: dict[str, object], preprocess: PreprocessOptions,
                   unknown_items: str) -> dict[str, object]:
    """How the files were read and preprocessed, as a dataset keeps it (runs read
    ``preprocess``): the one shape of the window's and the command line's imports."""
    return {"read": read, "preprocess": preprocess.to_dict(), "unknown_items": unknown_items}


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
        read = {"interactions": dataclasses.asdict(self.interaction_options)}
        if self.item_options is not None:
            read["items"] = dataclasses.asdict(self.item_options)
        return stored_options(read, self.preprocess, self.unknown_items)


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
    task.begin(Stage.READ_INTERACTIONS, f"reading {spec.interactions.name}")
    try:
        table = read_interactions(spec.interactions, spec.interaction_options)
    except DataError as exc:
        problems.append(Problem.from_error(exc))
    if spec.items is not None:
        task.begin(Stage.READ_ITEMS, f"reading {spec.items.name}")
        try:
            catalogue = read_catalogue(spec.items, spec.item_options)
        except DataError as exc:
            problems.append(Problem.from_error(exc))
    if table is None or problems:
        return CheckResult(problems)
    task.begin(Stage.PREPROCESS)
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
    task.begin(Stage.STORE, f"storing {dataset.n_interactions:,} interactions")
    sources = {"interactions": str(spec.interactions.resolve())}
    if spec.items is not None:
        sources["items"] = str(spec.items.resolve())
    dataset_id = save_dataset(db, dataset, spec.name, sources, spec.stored_options(),
                              replace=spec.replace, task=task)
    task.finish()
    return dataset_id


@dataclass(frozen=True)
class Appended:
    """What an append did: the change, the grown dataset, the rows the file lost."""

    change: Change
    dataset: Dataset
    dropped: dict[str, int]
    warnings: list[str]


def _on_scale(new: Dataset, scale: float | None) -> tuple[np.ndarray, list[str]]:
    """The new rows' weights on the stored dataset's scale (its first import's maximum
    rating); ratings above that maximum count as the maximum, with a warning.

    A positive rating so far below the maximum (``1e-50`` of 5) that its float32 weight
    would round to 0 counts as the smallest positive weight, also with a warning: the
    dataset only holds weights in (0, 1].
    """
    new_max = new.report.detected.get("rating_max", 1.0)
    warnings = []
    if scale is None:  # a dataset stored before the scale was recorded
        weights = new.weight.astype(np.float64)
        warnings.append("the dataset does not record its rating scale (it was imported by an "
                        "older version): the new ratings are scaled by their own maximum")
    else:
        weights = new.weight.astype(np.float64) * new_max / scale
        if over := int((weights > 1.0).sum()):
            warnings.append(f"{over:,} new ratings are above the dataset's maximum rating "
                            f"{scale:g} and count as that maximum")
    smallest = float(np.finfo(np.float32).smallest_subnormal)
    if under := int((weights < smallest).sum()):
        warnings.append(f"{under:,} new ratings are too small to be told from 0 next to the "
                        "dataset's maximum rating and count as the smallest weight")
    return np.clip(weights, smallest, 1.0).astype(np.float32), warnings


def append_to_dataset(db: Database, name: str, table: InteractionTable,
                      catalogue: Catalogue | None = None, task: Task | None = None
                      ) -> Appended:
    """Add ``table``'s interactions (and ``catalogue``'s new items) to dataset ``name``."""
    task = task or Task()
    task.begin(Stage.READ, f"loading dataset {name}")
    before = load_dataset(db, name)
    info = dataset_info(db, name)
    stored = PreprocessOptions(**info.options.get("preprocess", {}))
    if table.has_timestamps != before.has_timestamps:
        has = "has" if before.has_timestamps else "has no"
        raise DataError(f"dataset {name!r} {has} timestamps; the new file must match",
                        file=table.path)
    task.begin(Stage.CLEAN, "cleaning the new rows")
    dedupe = "none" if stored.dedupe == "none" else "latest"
    new = build_dataset(table, catalogue, PreprocessOptions(dedupe=dedupe,
                                                            min_rating=stored.min_rating))
    weights, warnings = _on_scale(new, before.report.detected.get("rating_max"))
    grown = append_interactions(before, new.user_ids[new.user], new.item_ids[new.item],
                                weights, new.timestamp if before.has_timestamps else None,
                                catalogue, dedupe)
    change = measure_change(before, grown)
    task.begin(Stage.STORE, f"storing {change.interactions_added:,} new interactions")
    write_grown(db, info.id, before, grown, task)
    return Appended(change, grown, dict(new.report.dropped), warnings + new.report.warnings)


def append_checked(db: Database, spec: ImportSpec, checked: CheckResult, task: Task
                   ) -> Appended:
    """Add the checked files' rows to the stored dataset ``spec.name``, in one transaction."""
    assert checked.table is not None
    done = append_to_dataset(db, spec.name, checked.table, checked.catalogue, task)
    task.finish()
    return done


def read_demo(task: Task, name: str | None = None, language: str = "en") -> Dataset:
    """The shipped demo shop in ``language`` ("en" or "zh") as a dataset named ``name``
    (default: its name in :data:`DEMO_NAMES`), read as any import is."""
    interactions, items = demo_paths(language)
    task.begin(Stage.READ_INTERACTIONS, f"reading {interactions.name}")
    table = read_interactions(interactions)
    task.begin(Stage.READ_ITEMS, f"reading {items.name}")
    catalogue = read_catalogue(items)
    task.begin(Stage.PREPROCESS)
    return build_dataset(link_catalogue(table, catalogue), catalogue,
                         name=name or DEMO_NAMES[language])


def import_demo(db: Database, task: Task, language: str = "en") -> str:
    """Store the shipped demo shop in ``language`` as a new dataset; its name (the
    language's demo name, numbered when a dataset has it already)."""
    base = DEMO_NAMES[language]
    taken = {d.name for d in list_datasets(db)}
    name = next(n for n in itertools.chain([base], (f"{base} {i}" for i in itertools.count(2)))
                if n not in taken)
    dataset = read_demo(task, name, language)
    interactions, items = demo_paths(language)
    spec = ImportSpec(name, interactions, ReadOptions(), items, ReadOptions())
    store_dataset(db, spec, dataset, task)
    return name
