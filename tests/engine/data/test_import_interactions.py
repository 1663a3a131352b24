"""Reading interaction logs: roles, options, timestamps, drops, and the command line."""
from __future__ import annotations

import calendar

import numpy as np
import pytest

from cli.import_options import load_tables
from engine.data.importer import InteractionTable, ReadOptions, read_interactions
from engine.data.roles import assign_roles, normalise
from tests.support.files import parse, write

LOG = "user_id,item_id,rating,timestamp\nu1,i1,4,881250949\nu1,i2,5,881250950\nu2,i1,3,881250951\n"


def utc(*args: int) -> int:
    """Unix seconds of a UTC date-time given as year, month, day[, hour[, minute]]."""
    return calendar.timegm((*args, 0, 0, 0)[:6])


def test_reads_a_plain_csv(tmp_path):
    table = read_interactions(write(tmp_path, "log.csv", LOG))
    assert isinstance(table, InteractionTable)
    frame = table.frame
    assert list(frame.columns) == ["user", "item", "rating", "timestamp", "line"]
    assert frame["user"].tolist() == ["u1", "u1", "u2"]
    assert frame["rating"].dtype == np.float64 and frame["rating"].tolist() == [4.0, 5.0, 3.0]
    assert frame["timestamp"].dtype == np.int64
    assert frame["timestamp"].tolist() == [881250949, 881250950, 881250951]
    assert frame["line"].dtype == np.int64 and frame["line"].tolist() == [2, 3, 4]
    assert table.has_timestamps
    report = table.report
    assert report.rows_read == 3 and report.rows_dropped == 0 and not report.warnings
    assert report.detected["roles"] == {"user": "user_id", "item": "item_id", "rating": "rating",
                                        "time": "timestamp"}
    assert report.detected["sep"] == "," and report.detected["header"] is True
    assert report.detected["encoding"] == "utf-8"


def test_values_are_stripped(tmp_path):
    table = read_interactions(write(tmp_path, "log.csv", "user,item,rating\n u1 , i1 , 4 \n"))
    assert table.frame.iloc[0][["user", "item", "rating"]].tolist() == ["u1", "i1", 4.0]


@pytest.mark.parametrize("user,item,rating,time", [
    ("user", "item", "rating", "timestamp"),
    ("UserID", "MovieID", "Rating", "Timestamp"),
    ("customer_id", "product_id", "quantity", "created_at"),
    ("CustomerID", "StockCode", "Quantity", "InvoiceDate"),
    ("visitorid", "itemid", "weight", "event_time"),
    ("reviewerID", "asin", "overall stars", "unixReviewTime"),
    ("member", "sku", "qty", "ts"),
    ("client", "isbn", "score", "datetime"),
    ("uid", "track", "plays", "date"),
])
def test_roles_detected_by_name(tmp_path, user, item, rating, time):
    header = ",".join(["extra", user, item, rating, time])
    table = read_interactions(write(tmp_path, "log.csv", f"{header}\nx,u,i,2,1000\n"))
    assert table.report.detected["roles"] == {"user": user, "item": item, "rating": rating,
                                              "time": time}


def test_exact_synonym_beats_keyword():
    # "user_name" contains "user", but "visitor" is an exact synonym.
    assert assign_roles(["user_name", "visitor", "sku"], ["user", "item"], {})["user"] == "visitor"


def test_country_or_discount_is_not_a_rating(tmp_path):
    table = read_interactions(write(tmp_path, "log.csv",
                                    "user,item,Country,Discount\nu,i,France,0.1\n"))
    assert "rating" not in table.report.detected["roles"]
    assert table.frame["rating"].tolist() == [1.0]


def test_normalise():
    assert normalise("Customer ID") == "customerid" and normalise("event_time") == "eventtime"


def test_no_rating_column_gives_ones_and_no_time_gives_file_order(tmp_path):
    table = read_interactions(write(tmp_path, "log.csv", "user,item\na,x\n,y\nb,z\nc,w\n"))
    assert table.frame["rating"].tolist() == [1.0, 1.0, 1.0]
    assert table.frame["timestamp"].tolist() == [0, 1, 2]
    assert table.frame["timestamp"].dtype == np.int64
    assert not table.has_timestamps
    assert table.frame["line"].tolist() == [2, 4, 5]


def test_empty_cells_are_dropped_and_counted_by_reason(tmp_path):
    text = ("user,item,rating,time\n"
            "a,x,1,10\n"
            ",x,1,11\n"       # missing user
            "b,,1,12\n"       # missing item
            "c,y,,13\n"       # missing rating
            "d,z,2,\n"        # missing timestamp
            ",,,\n"           # counted once, as the first reason
            "e,w,3,14\n")
    table = read_interactions(write(tmp_path, "log.csv", text))
    assert table.frame["user"].tolist() == ["a", "e"]
    assert table.frame["line"].tolist() == [2, 8]
    assert dict(table.report.dropped) == {"missing user": 2, "missing item": 1,
                                          "missing rating": 1, "missing timestamp": 1}
    assert table.report.rows_read == 7


def test_negative_ratings_are_kept(tmp_path):
    table = read_interactions(write(tmp_path, "log.csv", "user,item,quantity\na,x,-3\nb,y,2.5\n"))
    assert table.frame["rating"].tolist() == [-3.0, 2.5]


def test_headerless_file_assumes_user_item_rating_timestamp(tmp_path):
    table = read_interactions(write(tmp_path, "u.data", "1\t10\t5\t100\n2\t20\t3\t200\n"))
    assert table.frame["item"].tolist() == ["10", "20"]
    assert table.frame["timestamp"].tolist() == [100, 200]
    assert table.frame["line"].tolist() == [1, 2]
    assert table.report.detected["header"] is False
    assert any("no header" in w and "--columns" in w for w in table.report.warnings)


def test_headerless_two_columns(tmp_path):
    table = read_interactions(write(tmp_path, "log.csv", "1,10\n2,20\n"))
    assert table.frame["rating"].tolist() == [1.0, 1.0] and not table.has_timestamps


def test_columns_option_names_headerless_columns(tmp_path):
    path = write(tmp_path, "log.tsv", "5\t1\t10\t100\n3\t2\t20\t200\n")
    table = read_interactions(path, ReadOptions(columns=["stars", "visitor", "product", "when"]))
    assert table.frame["user"].tolist() == ["1", "2"]
    assert table.frame["rating"].tolist() == [5.0, 3.0]
    assert table.frame["timestamp"].tolist() == [100, 200]
    assert not table.report.warnings


def test_sep_and_header_options(tmp_path):
    # Looks comma-separated with a header; really ';' without one.
    path = write(tmp_path, "log.csv", "u,1;i,1;5\nu,2;i,2;4\n")
    table = read_interactions(path, ReadOptions(sep=";", header=False))
    assert table.frame["user"].tolist() == ["u,1", "u,2"]
    assert table.frame["rating"].tolist() == [5.0, 4.0]


@pytest.mark.parametrize("role,column,expected", [
    ("user", "b", ["x", "y"]),
    ("item", "b", ["x", "y"]),
])
def test_user_and_item_overrides(tmp_path, role, column, expected):
    path = write(tmp_path, "log.csv", "a,b,c\np,x,1\nq,y,2\n")
    other = {"user": "item", "item": "user"}[role]
    table = read_interactions(path, ReadOptions(header=True, roles={role: column, other: "a"}))
    assert table.frame[role].tolist() == expected
    assert table.report.detected["roles"][role] == "b"


def test_rating_and_time_overrides(tmp_path):
    path = write(tmp_path, "log.csv", "user,item,rating,points,time,moment\na,x,1,7,5,50\n")
    table = read_interactions(path, ReadOptions(roles={"rating": "points", "time": "moment"}))
    assert table.frame["rating"].tolist() == [7.0] and table.frame["timestamp"].tolist() == [50]


def test_override_matches_normalised_name(tmp_path):
    path = write(tmp_path, "log.csv", "Who Is It,What,score\na,b,3\n")
    table = read_interactions(path, ReadOptions(roles={"user": "whoisit", "item": "What"}))
    assert table.report.detected["roles"]["user"] == "Who Is It"


def test_unknown_role_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="unknown roles"):
        read_interactions(write(tmp_path, "log.csv", LOG), ReadOptions(roles={"text": "a"}))


def test_padded_tab_file_is_stripped(tmp_path):
    path = write(tmp_path, "log.tsv", "user\titem\trating\n u1 \ti1\t 4\n \ti2\t5\n")
    table = read_interactions(path)
    assert table.frame["user"].tolist() == ["u1"] and table.frame["rating"].tolist() == [4.0]
    assert table.report.dropped["missing user"] == 1


def test_unusual_separator(tmp_path):
    path = write(tmp_path, "log.txt", "user§item§rating\nrenée§x§4\n")
    table = read_interactions(path, ReadOptions(sep="§"))
    assert table.frame[["user", "item"]].iloc[0].tolist() == ["renée", "x"]


def test_encoding_option(tmp_path):
    path = write(tmp_path, "log.csv", "user,item\nrenée,crème\n", encoding="cp1252")
    table = read_interactions(path, ReadOptions(encoding="cp1252"))
    assert table.frame["item"].tolist() == ["crème"] and not table.report.warnings


def test_milliseconds_are_converted(tmp_path):
    path = write(tmp_path, "log.csv", "user,item,timestamp\na,x,1600000000123\nb,y,1600000001999\n")
    table = read_interactions(path)
    assert table.frame["timestamp"].tolist() == [1600000000, 1600000001]
    assert table.report.detected["time_format"] == "unix milliseconds"


def test_seconds_stay_seconds_and_fractions_are_floored(tmp_path):
    path = write(tmp_path, "log.csv", "user,item,timestamp\na,x,1600000000.7\nb,y,5\n")
    table = read_interactions(path)
    assert table.frame["timestamp"].tolist() == [1600000000, 5]
    assert table.report.detected["time_format"] == "unix seconds"


def test_online_retail_style_dates(tmp_path):
    path = write(tmp_path, "retail.csv",
                 "InvoiceNo,StockCode,Quantity,InvoiceDate,CustomerID\n"
                 "536365,85123A,6,12/1/2010 8:26,17850\n536366,22633,-2,12/13/2010 14:05,17850\n")
    table = read_interactions(path)
    assert table.frame["timestamp"].tolist() == [utc(2010, 12, 1, 8, 26), utc(2010, 12, 13, 14, 5)]
    assert table.report.detected["time_format"] == "%m/%d/%Y %H:%M"


def test_day_first_dates_are_recognised_from_later_rows(tmp_path):
    path = write(tmp_path, "log.csv", "user,item,date\na,x,01/02/2020\nb,y,25/02/2020\n")
    table = read_interactions(path)
    assert table.frame["timestamp"].tolist() == [utc(2020, 2, 1), utc(2020, 2, 25)]


def test_iso_dates_with_and_without_zone(tmp_path):
    path = write(tmp_path, "log.csv", "user,item,datetime\n"
                 "a,x,2020-01-01T10:00:00+02:00\nb,y,2020-01-01T10:00:00Z\n")
    table = read_interactions(path)
    assert table.frame["timestamp"].tolist() == [utc(2020, 1, 1, 8), utc(2020, 1, 1, 10)]
    naive = write(tmp_path, "naive.csv", "user,item,date\na,x,2020-01-01 10:00:00\n")
    assert read_interactions(naive).frame["timestamp"].tolist() == [utc(2020, 1, 1, 10)]


def test_date_format_option(tmp_path):
    path = write(tmp_path, "log.csv", "user,item,time\na,x,20200102\nb,y,20200103\n")
    assert read_interactions(path).frame["timestamp"].tolist() == [20200102, 20200103]
    table = read_interactions(path, ReadOptions(date_format="%Y%m%d"))
    assert table.frame["timestamp"].tolist() == [utc(2020, 1, 2), utc(2020, 1, 3)]


def test_cli_parses_every_interaction_option(tmp_path):
    path = write(tmp_path, "log.txt", "5|1|10|02.01.2020\n3|2|20|03.01.2020\n", encoding="latin-1")
    args = parse(["--interactions", str(path), "--sep", "pipe", "--no-header",
                  "--columns", "s,a,b,d", "--user-col", "a", "--item-col", "b",
                  "--rating-col", "s", "--time-col", "d", "--encoding", "latin-1",
                  "--date-format", "%d.%m.%Y"])
    table, catalogue = load_tables(args)
    assert catalogue is None
    frame = table.frame
    assert frame["user"].tolist() == ["1", "2"] and frame["item"].tolist() == ["10", "20"]
    assert frame["rating"].tolist() == [5.0, 3.0]
    assert frame["timestamp"].tolist() == [utc(2020, 1, 2), utc(2020, 1, 3)]
    assert table.report.detected["encoding"] == "latin-1"


def test_cli_defaults_detect_everything(tmp_path):
    args = parse(["--interactions", str(write(tmp_path, "log.csv", LOG))])
    assert args.sep is None and args.header is None and args.columns is None
    assert args.format == "csv" and args.unknown_items == "keep"
    table, _ = load_tables(args)
    assert len(table.frame) == 3


@pytest.mark.parametrize("value,sep", [("tab", "\t"), ("\\t", "\t"), ("\t", "\t"), (";", ";"),
                                       ("comma", ",")])
def test_cli_sep_names(value, sep):
    assert parse(["--sep", value]).sep == sep


def test_cli_rejects_bad_values(capsys):
    with pytest.raises(SystemExit):
        parse(["--sep", "ab"])
    with pytest.raises(SystemExit):
        parse(["--columns", "a,,b"])
    with pytest.raises(SystemExit):
        parse(["--interactions", "a", "--movielens", "b"])
    assert "--sep" in capsys.readouterr().err


def test_header_flag(tmp_path):
    path = write(tmp_path, "log.csv", "p,q\nr,s\n")
    table, _ = load_tables(parse(["--interactions", str(path), "--header",
                                  "--user-col", "p", "--item-col", "q"]))
    assert table.frame["user"].tolist() == ["r"]
