"""Command-line options that say where the data is and how to read and preprocess it.

Each option maps onto a :class:`ReadOptions` field; anything left out is detected. The
catalogue has the same options with an ``--item-`` prefix. The role flags are the ones
:mod:`engine.data.importer` names in its error messages, so a message's advice always works.
A file named ``*.parquet`` is read as Parquet wherever a delimited file is accepted; its
delimiter, header and encoding options are ignored (the file names and types its columns).
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from engine.core.errors import DataError
from engine.core.progress import Task
from engine.core.stages import Stage
from engine.data.dataset import Dataset
from engine.data.feedback_file import FEEDBACK_COLUMN_FLAG, FEEDBACK_FLAGS
from engine.data.importer import (CATALOGUE_FLAGS, INTERACTION_FLAGS, MULTI_COLUMN_ROLES, Catalogue,
                                  InteractionTable, ReadOptions, link_catalogue, read_catalogue,
                                  read_interactions, read_movielens)
from engine.data.preprocess import PreprocessOptions, build_dataset

_SEP_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def _sep(value: str) -> str:
    """One delimiter character; ``tab`` and ``\\t`` spare users quoting a real tab."""
    sep = _SEP_NAMES.get(value.lower(), value)
    if len(sep) != 1:
        raise argparse.ArgumentTypeError(
            f"a delimiter is one character (or tab, comma, semicolon, pipe), not {value!r}")
    return sep


def _names(value: str) -> list[str]:
    """``a,b,c`` -> ``["a", "b", "c"]``, refusing empty names."""
    names = [name.strip() for name in value.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"empty column name in {value!r}")
    return names


def _dest(flag: str) -> str:
    """The attribute argparse stores ``flag`` under: ``--item-id-col`` -> ``item_id_col``."""
    return flag.removeprefix("--").replace("-", "_")


def _add_file_options(group: argparse._ArgumentGroup, prefix: str, what: str) -> None:
    """--sep, --header, --no-header, --columns and --encoding for one file."""
    group.add_argument(f"--{prefix}sep", type=_sep, metavar="CHAR",
                       help=f"delimiter of the {what} (default: detect among , tab ; |; "
                            "ignored for .parquet)")
    header = _dest(f"--{prefix}header")
    group.add_argument(f"--{prefix}header", dest=header, action="store_true", default=None,
                       help=f"the {what} starts with a header row (default: detect)")
    group.add_argument(f"--{prefix}no-header", dest=header, action="store_false", default=None,
                       help=f"the {what} has no header row (default: detect)")
    group.add_argument(f"--{prefix}columns", type=_names, metavar="A,B,C",
                       help=f"names of the {what}'s columns in order, for a file without "
                            "header (or to rename them)")
    group.add_argument(f"--{prefix}encoding", metavar="NAME",
                       help=f"text encoding of the {what} (default: UTF-8 with or without "
                            "BOM, else cp1252/latin-1 with a warning)")


class _FormatFolder(argparse.Action):
    """The optional DIR of ``--format movielens DIR``.

    Stored where ``--movielens DIR`` stores its folder, so that everything reading the
    namespace (load_tables, the dataset's recorded sources) sees one form; and under its
    own ``folder``, absent unless given, so that load_tables can insist on --format
    movielens, which may come after it on the command line.
    """

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values)
        namespace.movielens = values


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the data options to ``parser``; :func:`load_tables` reads the parsed namespace."""
    data = parser.add_argument_group(
        "data", "Where the data is and how to read it; anything not given is detected.")
    source = data.add_mutually_exclusive_group()
    source.add_argument("--interactions", metavar="PATH",
                        help="interaction log: CSV/TSV/... or .parquet with user, item and "
                             "optional rating and time columns; with --format movielens, the "
                             "MovieLens folder")
    source.add_argument("--movielens", metavar="DIR",
                        help="MovieLens 100K folder (u.data, u.item, u.genre); same as "
                             "--format movielens DIR")
    source.add_argument("folder", nargs="?", metavar="DIR", action=_FormatFolder,
                        default=argparse.SUPPRESS,
                        help="with --format movielens: the MovieLens 100K folder")
    data.add_argument("--format", choices=("csv", "movielens"), default="csv",
                      help="csv: any delimited file or .parquet (default); movielens: a "
                           "MovieLens 100K folder, given as --format movielens DIR")
    data.add_argument("--items", metavar="FILE",
                      help="item catalogue (delimited or .parquet): item id, title and text "
                           "columns (description, genres, tags...) and 0/1 genre-flag columns")
    _add_file_options(data, "", "interactions file")
    for role, flag in INTERACTION_FLAGS.items():
        data.add_argument(flag, metavar="COLUMN", help=f"the interactions' {role} column")
    data.add_argument("--date-format", metavar="FORMAT",
                      help="strptime format of date-time strings in the time column, e.g. "
                           "'%%d/%%m/%%Y %%H:%%M' (default: guessed from the first value)")
    _add_file_options(data, "item-", "catalogue")
    for role, flag in CATALOGUE_FLAGS.items():
        plural = ", comma-separated when several" if role in MULTI_COLUMN_ROLES else ""
        data.add_argument(flag, metavar="COLUMN", help=f"the catalogue's {role} column{plural}")
    data.add_argument("--unknown-items", choices=("keep", "drop"), default="keep",
                      help="interactions whose item is not in the catalogue: keep them "
                           "(default) or drop them; either way they are counted in the report")


def add_feedback_file_arguments(parser: argparse.ArgumentParser) -> None:
    """How to read a feedback file (user, item, feedback, optional time); anything not
    given is detected, as for interaction files."""
    data = parser.add_argument_group("feedback file", "How to read --file; anything not "
                                                      "given is detected.")
    _add_file_options(data, "", "feedback file")
    for role, flag in FEEDBACK_FLAGS.items():
        data.add_argument(flag, metavar="COLUMN", help=f"the feedback file's {role} column")
    data.add_argument(FEEDBACK_COLUMN_FLAG, metavar="COLUMN",
                      help="the column with like / dislike / not interested (default: a "
                           "column named feedback, kind, action, label...)")
    data.add_argument("--date-format", metavar="FORMAT",
                      help="strptime format of the time column (default: guessed)")


def feedback_read_options(args: argparse.Namespace) -> ReadOptions:
    """The ReadOptions of the options :func:`add_feedback_file_arguments` added."""
    return _options(args, "", FEEDBACK_FLAGS)


def _options(args: argparse.Namespace, prefix: str, flags: dict[str, str]) -> ReadOptions:
    """The ReadOptions the ``prefix``-ed options of ``args`` describe."""
    roles = {role: value for role, flag in flags.items()
             if (value := getattr(args, _dest(flag))) is not None}
    return ReadOptions(
        sep=getattr(args, f"{prefix}sep"),
        header=getattr(args, f"{prefix}header"),
        columns=getattr(args, f"{prefix}columns"),
        encoding=getattr(args, f"{prefix}encoding"),
        date_format=args.date_format if not prefix else None,
        roles=roles,
    )


def load_tables(args: argparse.Namespace) -> tuple[InteractionTable, Catalogue | None]:
    """Read the interactions and the catalogue the options name, linked to each other."""
    given = getattr(args, "folder", None)
    if given is not None and args.format != "movielens":
        raise DataError(f"a folder argument ({given}) is only read with --format movielens "
                        "DIR; pass a delimited file with --interactions FILE")
    if args.movielens or args.format == "movielens":
        folder = args.movielens or args.interactions
        if folder is None:
            raise DataError("--format movielens needs the folder: --format movielens DIR")
        if args.items:
            raise DataError("--items cannot be combined with a MovieLens folder, which has its "
                            "own catalogue (u.item)")
        table, catalogue = read_movielens(folder)
    else:
        if args.interactions is None:
            raise DataError("no interactions given: pass --interactions FILE or "
                            "--format movielens DIR")
        table = read_interactions(args.interactions, _options(args, "", INTERACTION_FLAGS))
        catalogue = (read_catalogue(args.items, _options(args, "item_", CATALOGUE_FLAGS))
                     if args.items else None)
    if catalogue is not None:
        table = link_catalogue(table, catalogue, args.unknown_items)
    return table, catalogue


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """The data options and the preprocessing a dataset is built with."""
    add_import_arguments(parser)
    group = parser.add_argument_group("preprocessing")
    group.add_argument("--dedupe", choices=["latest", "sum", "none"], default="latest",
                       help="repeated user-item pairs: keep the latest (default), sum, or keep all")
    group.add_argument("--min-rating", type=float, help="implicit threshold: keep ratings >= this")
    group.add_argument("--kcore", type=int, default=0, help="iterated k-core filter (0 = off)")
    group.add_argument("--name", help="dataset name shown in results (default: the file name)")


def preprocess_options(args: argparse.Namespace) -> PreprocessOptions:
    return PreprocessOptions(dedupe=args.dedupe, min_rating=args.min_rating, kcore=args.kcore)


def read_options(args: argparse.Namespace) -> dict[str, object]:
    """How the files were read, as a dataset keeps it (the import dialog's shape)."""
    if args.movielens or args.format == "movielens":
        return {"format": "movielens"}
    read = {"interactions": dataclasses.asdict(_options(args, "", INTERACTION_FLAGS))}
    if args.items:
        read["items"] = dataclasses.asdict(_options(args, "item_", CATALOGUE_FLAGS))
    return read


def load_dataset(args: argparse.Namespace, task: Task) -> Dataset:
    task.begin(Stage.IMPORT)
    table, catalogue = load_tables(args)
    task.begin(Stage.PREPROCESS)
    options = preprocess_options(args)
    dataset = build_dataset(table, catalogue, options, name=args.name or Path(table.path).name)
    for line in dataset.report.lines():
        print(line, file=sys.stderr)
    return dataset
