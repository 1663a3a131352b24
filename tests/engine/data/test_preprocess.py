import numpy as np
import pytest

from engine.core.errors import DataError
from engine.data.preprocess import PreprocessOptions, build_dataset
from tests.support.tables import catalogue, table


def test_drops_non_positive_ratings_and_normalises_by_the_maximum():
    ds = build_dataset(table([("a", "x", 4, 1), ("a", "y", 0, 2), ("b", "x", -2, 3), ("b", "y", 2, 4)]))
    assert ds.n_interactions == 2
    assert sorted(ds.weight.tolist()) == [0.5, 1.0]
    assert ds.report.dropped["rating <= 0"] == 2


def test_missing_values_are_dropped_and_counted():
    t = table([("a", "x", 1, 1), ("b", "y", 1, 2)])
    t.frame.loc[1, "rating"] = np.nan
    ds = build_dataset(t)
    assert ds.n_interactions == 1 and ds.report.dropped["missing value"] == 1


@pytest.mark.parametrize("how, n, weight", [("latest", 2, [1.0, 1.0]), ("sum", 2, [0.5, 1.0]),
                                             ("none", 3, [0.5, 0.5, 0.5])])
def test_deduplication(how, n, weight):
    rows = [("a", "x", 2, 1), ("a", "y", 2, 2), ("a", "x", 2, 3)]
    ds = build_dataset(table(rows), options=PreprocessOptions(dedupe=how))
    assert ds.n_interactions == n
    if how == "latest":
        # the kept x is the later one, so the sequence is y then x
        assert [ds.item_ids[i] for i in ds.item] == ["y", "x"]
        assert ds.report.dropped["duplicate (kept the latest)"] == 1
    if how == "sum":
        assert [ds.item_ids[i] for i in ds.item] == ["y", "x"]
        assert ds.weight.tolist() == pytest.approx(weight)  # x summed to 4 = max -> 1.0, y 2 -> 0.5


def test_implicit_threshold_on_raw_scale():
    ds = build_dataset(table([("a", "x", 5, 1), ("a", "y", 3, 2), ("a", "z", 4, 3)]),
                       options=PreprocessOptions(min_rating=4))
    assert sorted(ds.item_ids[ds.item].tolist()) == ["x", "z"]
    assert ds.report.dropped["rating below threshold 4"] == 1


def test_kcore_is_iterated_to_a_fixed_point():
    # 2-core: pass 1 removes c-z (user c) and a-x (item x); pass 2 removes a-y and b-z;
    # pass 3 removes b-y. Only the dense block of d/e survives; one pass would keep a and b.
    rows = [("a", "x", 1, 1), ("a", "y", 1, 2), ("b", "y", 1, 3), ("b", "z", 1, 4), ("c", "z", 1, 5),
            ("d", "p", 1, 6), ("d", "q", 1, 7), ("e", "p", 1, 8), ("e", "q", 1, 9)]
    ds = build_dataset(table(rows), options=PreprocessOptions(kcore=2))
    counts_u = np.bincount(ds.user)
    counts_i = np.bincount(ds.item)
    assert counts_u.min() >= 2 and counts_i.min() >= 2
    assert set(ds.user_ids) == {"d", "e"}


def test_chronological_order_keeps_file_order_on_ties():
    rows = [("a", "z", 1, 5), ("a", "y", 1, 5), ("a", "x", 1, 1), ("a", "w", 1, 5)]
    ds = build_dataset(table(rows))
    assert [ds.item_ids[i] for i in ds.item] == ["x", "z", "y", "w"]


def test_id_maps_both_ways_numeric_ids_in_numeric_order():
    ds = build_dataset(table([("10", "2", 1, 1), ("9", "10", 1, 2), ("10", "1", 1, 3)]))
    assert ds.user_ids.tolist() == ["9", "10"] and ds.item_ids.tolist() == ["1", "2", "10"]
    assert ds.user_index["10"] == 1 and ds.item_index["10"] == 2
    assert ds.item_ids[ds.item_index["2"]] == "2"


def test_catalogue_text_and_cold_items():
    cat = catalogue([("x", "Kettle", "Kitchen. steel kettle", "Kitchen"), ("y", "Lamp", "Home", ""),
                     ("cold", "Never bought", "Garden", "Garden|Outdoor")])
    ds = build_dataset(table([("a", "x", 1, 1), ("a", "y", 1, 2), ("a", "nocat", 1, 3)]), cat)
    assert set(ds.item_ids) == {"x", "y", "nocat", "cold"}
    i = ds.item_index
    assert ds.titles[i["x"]] == "Kettle" and ds.titles[i["nocat"]] == "nocat"
    assert ds.genres[i["cold"]] == ("Garden", "Outdoor") and ds.texts[i["nocat"]] == ""
    assert 3 == ds.n_interactions  # the cold item has no interaction


def test_everything_filtered_is_a_clear_error():
    with pytest.raises(DataError, match="no interactions are left"):
        build_dataset(table([("a", "x", 0, 1)]))
