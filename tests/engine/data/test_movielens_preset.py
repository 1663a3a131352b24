"""The MovieLens 100K preset, on a tiny folder in the same layout written by the test."""
from __future__ import annotations

from pathlib import Path

import pytest

from cli.import_options import load_tables
from cli.main import build_parser, main
from engine.core.errors import DataError
from engine.data.importer import read_movielens
from tests.support.files import parse, write

GENRES = ["unknown", "Action", "Comedy", "Children's"]
DATA = "1\t10\t4\t881250949\n1\t20\t3\t881250950\n2\t10\t5\t881250951\n2\t99\t1\t881250952\n"
ITEMS = ("10|Café Society (1995)|01-Jan-1995||http://us.imdb.com/M/x|0|1|1|0\n"
         "20|Babe (1995)|||http://us.imdb.com/M/y|0|0|0|1\n"
         "30|unknown||||1|0|0|0\n")


def movielens(folder: Path, items: str = ITEMS, genres: list[str] | None = None) -> Path:
    write(folder, "u.data", DATA)
    write(folder, "u.item", items, encoding="latin-1")
    lines = [f"{name}|{i}" for i, name in enumerate(GENRES if genres is None else genres)]
    write(folder, "u.genre", "\n".join(lines) + "\n\n")
    return folder


def test_reads_ratings_and_movies(tmp_path):
    table, catalogue = read_movielens(movielens(tmp_path))
    frame = table.frame
    assert frame["user"].tolist() == ["1", "1", "2", "2"]
    assert frame["item"].tolist() == ["10", "20", "10", "99"]
    assert frame["rating"].tolist() == [4.0, 3.0, 5.0, 1.0]
    assert frame["timestamp"].tolist() == [881250949, 881250950, 881250951, 881250952]
    assert frame["line"].tolist() == [1, 2, 3, 4]
    assert table.has_timestamps and not table.report.warnings
    assert catalogue.frame.to_dict("records") == [
        {"item": "10", "title": "Café Society (1995)", "genres": "Action|Comedy",
         "text": "Café Society (1995). 01-Jan-1995. Action, Comedy"},
        {"item": "20", "title": "Babe (1995)", "genres": "Children's",
         "text": "Babe (1995). Children's"},
        {"item": "30", "title": "unknown", "genres": "unknown", "text": "unknown. unknown"},
    ]
    assert catalogue.report.detected["genre_flags"] == GENRES
    assert catalogue.report.detected["encoding"] == "latin-1"


def test_cli_movielens_forms_agree(tmp_path):
    folder = str(movielens(tmp_path))
    short, _ = load_tables(parse(["--movielens", folder]))
    long, catalogue = load_tables(parse(["--format", "movielens", "--interactions", folder]))
    assert short.frame.equals(long.frame) and len(catalogue.frame) == 3
    (warning,) = long.report.warnings
    assert "1 interactions" in warning and "'99'" in warning and "line 4" in warning
    dropped, _ = load_tables(parse(["--movielens", folder, "--unknown-items", "drop"]))
    assert dropped.frame["item"].tolist() == ["10", "20", "10"]
    assert dropped.report.dropped["item not in catalogue"] == 1


COMMANDS = {"evaluate": [], "recommend": ["--out", "recs.csv"], "import": [],
            "append": ["--dataset", "shop"]}
"""Every command that takes the import options, with its other required arguments."""


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("order", ["format first", "folder first"])
def test_format_movielens_dir_for_every_command(tmp_path, command, order):
    folder = str(movielens(tmp_path))
    preset = (["--format", "movielens", folder] if order == "format first"
              else [folder, "--format", "movielens"])
    args = build_parser().parse_args([command, *preset, *COMMANDS[command]])
    assert args.movielens == folder  # where --movielens puts it: the stored source
    table, catalogue = load_tables(args)
    expected, _ = load_tables(parse(["--movielens", folder]))
    assert table.frame.equals(expected.frame) and len(catalogue.frame) == 3


def test_format_movielens_dir_end_to_end(tmp_path, capsys):
    (tmp_path / "ml").mkdir()
    folder = str(movielens(tmp_path / "ml"))
    db = str(tmp_path / "studio.db")
    assert main(["import", "--db", db, "--format", "movielens", folder, "--name", "ml",
                 "--quiet"]) == 0
    assert main(["datasets", "--db", db]) == 0
    assert folder in capsys.readouterr().out


def test_folder_without_format_movielens(tmp_path):
    folder = str(movielens(tmp_path))
    with pytest.raises(DataError, match="only read with --format movielens"):
        load_tables(parse([folder]))
    with pytest.raises(DataError, match="only read with --format movielens"):
        load_tables(parse([folder, "--format", "csv"]))


@pytest.mark.parametrize("other", [["--movielens", "x"], ["--interactions", "x.csv"]])
def test_folder_and_another_source_are_refused(tmp_path, capsys, other):
    with pytest.raises(SystemExit) as info:
        parse(["--format", "movielens", str(tmp_path), *other])
    assert info.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_cli_movielens_refuses_items_and_needs_folder(tmp_path):
    folder = str(movielens(tmp_path))
    with pytest.raises(DataError, match="--items"):
        load_tables(parse(["--movielens", folder, "--items", folder + "/u.item"]))
    with pytest.raises(DataError, match="folder"):
        load_tables(parse(["--format", "movielens"]))


def test_not_a_folder(tmp_path):
    with pytest.raises(DataError, match="MovieLens folder") as info:
        read_movielens(tmp_path / "missing")
    assert "missing" in str(info.value)


def test_missing_genre_file(tmp_path):
    movielens(tmp_path)
    (tmp_path / "u.genre").unlink()
    with pytest.raises(DataError, match="not found") as info:
        read_movielens(tmp_path)
    assert "u.genre" in str(info.value)


def test_item_file_not_matching_genres(tmp_path):
    movielens(tmp_path, genres=GENRES[:3])
    with pytest.raises(DataError) as info:
        read_movielens(tmp_path)
    assert "u.item" in str(info.value) and info.value.row == 1 and "9 fields" in str(info.value)
