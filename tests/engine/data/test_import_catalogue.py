"""Reading item catalogues, linking them to interactions, and their command-line options."""
from __future__ import annotations

import pytest

from cli.import_options import load_tables
from engine.core.errors import DataError
from engine.data.importer import (Catalogue, ReadOptions, link_catalogue, read_catalogue,
                                  read_interactions)
from engine.data.preprocess import build_dataset
from engine.data.report import ImportReport
from tests.support.files import parse, write


def records(catalogue: Catalogue) -> list[dict[str, str]]:
    return catalogue.frame.to_dict("records")


def test_text_columns_are_joined(tmp_path):
    path = write(tmp_path, "items.csv",
                 "product_id,name,description,category,tags,price\n"
                 "p1,Lamp,A warm light.,Home,\"cosy, light\",9.5\n"
                 "p2,Mug,,Kitchen,,3\n")
    catalogue = read_catalogue(path)
    assert list(catalogue.frame.columns) == ["item", "title", "text", "genres"]
    assert records(catalogue) == [
        {"item": "p1", "title": "Lamp", "text": "A warm light. cosy, light. Home", "genres": "Home"},
        {"item": "p2", "title": "Mug", "text": "Kitchen", "genres": "Kitchen"},
    ]  # a category column is a classification: it becomes the item's genre as well as text
    assert catalogue.report.detected["roles"] == {"item": "product_id", "title": "name",
                                                  "text": "description,tags",
                                                  "category": "category"}


def test_any_column_can_be_named_the_category(tmp_path):
    path = write(tmp_path, "items.csv",
                 "sku,label,dept,blurb\n"
                 "p1,Lamp,Home | Lighting,A warm light.\n"
                 "p2,Mug,Kitchen,\n")
    detected = read_catalogue(path)
    assert set(detected.frame["genres"]) == {""}  # 'dept' says nothing by its name
    options = ReadOptions(roles={"item": "sku", "title": "label", "category": "dept",
                                 "text": "blurb"})
    catalogue = read_catalogue(path, options)
    assert records(catalogue) == [
        {"item": "p1", "title": "Lamp", "text": "A warm light. Home, Lighting",
         "genres": "Home|Lighting"},
        {"item": "p2", "title": "Mug", "text": "Kitchen", "genres": "Kitchen"},
    ]
    assert catalogue.report.detected["roles"]["category"] == "dept"
    # the command line's flag
    log = write(tmp_path, "log.csv", "user,item,rating\nu1,p1,5\nu2,p2,3\n")
    _, from_cli = load_tables(parse(["--interactions", str(log), "--items", str(path),
                                     "--item-id-col", "sku", "--item-category-col", "dept"]))
    assert list(from_cli.frame["genres"]) == ["Home|Lighting", "Kitchen"]


def test_genre_flag_columns_become_genre_names(tmp_path):
    path = write(tmp_path, "items.csv",
                 "movieId,title,year,Action,Comedy,Drama\n"
                 "1,Heat,1995,1,0,1\n2,Babe,1995,0,1,0\n3,Void,1999,0,0,\n")
    catalogue = read_catalogue(path)
    assert [r["genres"] for r in records(catalogue)] == ["Action|Drama", "Comedy", ""]
    assert [r["text"] for r in records(catalogue)] == ["Action, Drama", "Comedy", ""]
    assert catalogue.report.detected["genre_flags"] == ["Action", "Comedy", "Drama"]


def test_genres_column_is_split_into_names(tmp_path):
    path = write(tmp_path, "movies.csv",
                 "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n"
                 "2,Jumanji (1995),\"Adventure, Fantasy\"\n")
    rows = records(read_catalogue(path))
    assert [r["genres"] for r in rows] == ["Adventure|Animation", "Adventure|Fantasy"]
    assert [r["text"] for r in rows] == ["Adventure, Animation", "Adventure, Fantasy"]


def test_title_falls_back_to_text_then_id(tmp_path):
    path = write(tmp_path, "items.csv", "sku,title,description\na,,Red shoe\nb,,\nc,Hat,\n")
    assert [r["title"] for r in records(read_catalogue(path))] == ["Red shoe", "b", "Hat"]


def test_duplicate_items_keep_first_row_with_content(tmp_path):
    path = write(tmp_path, "retail.csv",
                 "InvoiceNo,StockCode,Description,Quantity\n"
                 "1,A,,5\n2,B,Blue cup,1\n3,A,White lamp,2\n4,A,Other lamp,1\n5,C,,1\n")
    catalogue = read_catalogue(path)
    assert records(catalogue) == [
        {"item": "A", "title": "White lamp", "text": "White lamp", "genres": ""},
        {"item": "B", "title": "Blue cup", "text": "Blue cup", "genres": ""},
        {"item": "C", "title": "C", "text": "", "genres": ""},
    ]
    assert catalogue.report.dropped["duplicate item"] == 2
    assert catalogue.frame["item"].is_unique


def test_missing_item_ids_are_dropped(tmp_path):
    catalogue = read_catalogue(write(tmp_path, "items.csv", "item,title\n,Ghost\nx,Real\n"))
    assert catalogue.frame["item"].tolist() == ["x"]
    assert catalogue.report.dropped["missing item"] == 1


def test_dataset_report_counts_dropped_catalogue_rows(tmp_path):
    table = read_interactions(write(tmp_path, "log.csv", "user,item\na,x\nb,y\nb,x\nc,q\n"))
    catalogue = read_catalogue(write(tmp_path, "items.csv",
                                     "item,title\nx,X\n,Ghost\ny,Y\nx,Again\nx,Thrice\n"))
    report = build_dataset(table, catalogue).report
    assert report.dropped["catalogue: duplicate item"] == 2
    assert report.dropped["catalogue: missing item"] == 1
    assert (report.rows_read, report.rows_dropped, report.catalogue_rows_dropped) == (4, 0, 3)
    assert report.lines()[:3] == ["rows read: 4, dropped: 0 (and 3 catalogue rows)",
                                  "  dropped 2 (catalogue: duplicate item)",
                                  "  dropped 1 (catalogue: missing item)"]
    stored = report.to_dict()
    assert stored["rows_dropped"] == 0
    assert stored["dropped"] == {"catalogue: duplicate item": 2, "catalogue: missing item": 1}


def test_report_lists_interaction_drops_before_catalogue_drops():
    report = ImportReport(rows_read=10)
    report.drop("missing user", 1)
    other = ImportReport(rows_read=99)
    other.drop("duplicate item", 4)
    other.warn("items.csv: something")
    report.merge_catalogue(other)
    assert report.rows_read == 10 and report.rows_dropped == 1
    assert report.lines() == ["rows read: 10, dropped: 1 (and 4 catalogue rows)",
                              "  dropped 1 (missing user)",
                              "  dropped 4 (catalogue: duplicate item)",
                              "  warning: items.csv: something"]


def test_headerless_catalogue_assumes_item_title_text(tmp_path):
    path = write(tmp_path, "items.tsv", "1\tHeat\tA heist\n2\tBabe\tA pig\n")
    catalogue = read_catalogue(path)
    assert records(catalogue)[0] == {"item": "1", "title": "Heat", "text": "A heist", "genres": ""}
    assert any("--item-columns" in w for w in catalogue.report.warnings)


def test_catalogue_role_overrides(tmp_path):
    path = write(tmp_path, "items.csv", "a,b,c,d\nk1,Name,Blurb,Extra\n")
    options = ReadOptions(header=True, roles={"item": "a", "title": "b", "text": "d, c"})
    assert records(read_catalogue(path, options)) == [
        {"item": "k1", "title": "Name", "text": "Extra. Blurb", "genres": ""}]


def test_link_keep_warns_with_first_line(tmp_path):
    table = read_interactions(write(tmp_path, "log.csv", "user,item\na,x\nb,zz\nc,y\nd,zz\n"))
    catalogue = read_catalogue(write(tmp_path, "items.csv", "item,title\nx,X\ny,Y\n"))
    linked = link_catalogue(table, catalogue)
    assert len(linked.frame) == 4 and not linked.report.dropped
    (warning,) = linked.report.warnings
    assert "2 interactions" in warning and "line 3" in warning and "zz" in warning
    assert "items.csv" in warning


def test_link_drop_counts_reason(tmp_path):
    table = read_interactions(write(tmp_path, "log.csv", "user,item\na,x\nb,zz\nc,y\n"))
    catalogue = read_catalogue(write(tmp_path, "items.csv", "item,title\nx,X\ny,Y\n"))
    linked = link_catalogue(table, catalogue, unknown_items="drop")
    assert linked.frame["item"].tolist() == ["x", "y"]
    assert linked.frame["line"].tolist() == [2, 4]
    assert linked.report.dropped["item not in catalogue"] == 1
    assert linked.report is table.report


def test_link_with_all_items_known_changes_nothing(tmp_path):
    table = read_interactions(write(tmp_path, "log.csv", "user,item\na,x\n"))
    catalogue = read_catalogue(write(tmp_path, "items.csv", "item,title\nx,X\n"))
    assert link_catalogue(table, catalogue, "drop").frame.equals(table.frame)
    assert not table.report.warnings


def test_link_drop_of_everything_is_an_error(tmp_path):
    table = read_interactions(write(tmp_path, "log.csv", "user,item\na,x\n"))
    catalogue = read_catalogue(write(tmp_path, "items.csv", "item,title\nq,Q\n"))
    with pytest.raises(DataError, match="no interaction refers to an item"):
        link_catalogue(table, catalogue, "drop")


def test_cli_catalogue_options_and_unknown_items(tmp_path):
    log = write(tmp_path, "log.csv", "user,item\na,1\nb,2\nc,9\n")
    items = write(tmp_path, "items.txt", "Heat;crime;1;heist\nBabe;family;2;pig\n",
                  encoding="cp1252")
    args = parse(["--interactions", str(log), "--items", str(items), "--item-sep", ";",
                  "--item-no-header", "--item-columns", "name,kind,key,about",
                  "--item-id-col", "key", "--item-title-col", "name",
                  "--item-text-col", "about,kind", "--item-encoding", "cp1252",
                  "--unknown-items", "drop"])
    table, catalogue = load_tables(args)
    assert records(catalogue)[0] == {"item": "1", "title": "Heat", "text": "heist. crime",
                                     "genres": ""}
    assert table.frame["item"].tolist() == ["1", "2"]
    assert table.report.dropped["item not in catalogue"] == 1


def test_cli_item_header_flag(tmp_path):
    log = write(tmp_path, "log.csv", "user,item\na,k\n")
    items = write(tmp_path, "items.csv", "code,label\nk,Kettle\n")
    args = parse(["--interactions", str(log), "--items", str(items), "--item-header",
                  "--item-id-col", "code", "--item-title-col", "label"])
    _, catalogue = load_tables(args)
    assert records(catalogue) == [{"item": "k", "title": "Kettle", "text": "", "genres": ""}]
