"""Any file, read by the importer's readers, ends in a result or one DataError naming it.

Property-based (hypothesis): the generated files and the property itself come from
``bench/fuzz_cases.py``, which ``bench/fuzz_inputs.py`` runs on 10,000 cases and more;
here a few hundred, derandomised so that the suite checks the same files on every run.
The examples and the plain tests below are inputs that crashed before they were fixed.
"""
from __future__ import annotations

import codecs

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings

from bench.fuzz_cases import Case, cases, check_read
from engine.core.errors import DataError
from engine.data.importer import ReadOptions, read_interactions
from engine.data.preprocess import natural_sort
from tests.support.files import write

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


# A UTF-16 BOM followed by U+FEFF: pandas dropped the second one and with it the only
# row, which the header then indexed (IndexError).
@example(case=Case("interactions", codecs.BOM_UTF16_BE * 2, ReadOptions(header=True)))
# A BOM alone on a line after a blank one: the same row lost inside the file.
@example(case=Case("interactions", b"\n" + codecs.BOM_UTF8 + b"\n"))
# A UTF-8 BOM, then a byte that is not UTF-8: the message named the wrong byte.
@example(case=Case("interactions", codecs.BOM_UTF8 + b"user,item\nu1,\xff\n"))
# punycode fails with a UnicodeError that has no position.
@example(case=Case("interactions", b"abc-9999999999", ReadOptions(encoding="punycode")))
# A carriage return as --sep: pandas refused it with a ValueError.
@example(case=Case("interactions", b"user,item\nu1,i1\n", ReadOptions(sep="\r")))
@FUZZ
@given(case=cases("interactions"))
def test_any_interactions_file_is_read_or_refused(case, folder, small_shop_files):
    check_read(case, folder, small_shop_files)


# A catalogue whose one item id is longer than the csv limit, linked with the shop's
# 1,200 items: numpy gave every id that width (a MemoryError with more items).
@example(case=Case("catalogue", b"item_id,title\n" + b"x" * 200_000 + b",t\n"))
@FUZZ
@given(case=cases("catalogue"))
def test_any_catalogue_is_read_or_refused(case, folder, small_shop_files):
    check_read(case, folder, small_shop_files)


# A quoted blank feedback value is not stripped; `"" in "+-"` is true, and the empty
# word's first character was looked up (IndexError).
@example(case=Case("feedback", b'user,item,feedback\nu00001,i00001," "\n'))
@FUZZ
@given(case=cases("feedback"))
def test_any_feedback_file_is_read_or_refused(case, folder, small_shop_files):
    check_read(case, folder, small_shop_files)


@FUZZ
@given(case=cases("preview"))
def test_any_file_in_the_import_dialog_is_previewed_and_read_or_refused(case, folder,
                                                                          small_shop_files):
    check_read(case, folder, small_shop_files)


@FUZZ
@given(case=cases("movielens"))
def test_a_movielens_folder_with_any_file_is_read_or_refused(case, folder, small_shop_files):
    check_read(case, folder, small_shop_files)


def test_an_undecodable_byte_after_a_bom_is_named_with_its_line(tmp_path):
    path = write(tmp_path, "bom.csv", codecs.BOM_UTF8 + b"user,item\nu1,i1\nu2,\xff\n")
    with pytest.raises(DataError) as info:
        read_interactions(path)
    assert info.value.row == 3 and "byte 0xff" in info.value.detail


def test_an_undecodable_utf16_character_is_named_with_its_line(tmp_path):
    # U+0A0A holds the byte 0x0a, which is no newline in UTF-16: lines are counted on text
    text = "user,item\nu1,\u0a0a\nu2,i2\n".encode("utf-16")
    path = write(tmp_path, "wide.csv", text + "u3,".encode("utf-16-le") + b"\x00\xdc")
    with pytest.raises(DataError) as info:
        read_interactions(path)
    assert info.value.row == 4 and "utf-16" in info.value.detail


def test_a_codec_failing_without_a_position_is_a_data_error(tmp_path):
    path = write(tmp_path, "puny.csv", b"user,item-99999999999999")
    with pytest.raises(DataError, match="is not valid punycode"):
        read_interactions(path, ReadOptions(encoding="punycode"))


def test_one_very_long_id_does_not_cost_memory_for_every_id():
    # 20,000 ids, one of 4 M characters: as numpy strings of one width, 320 GB
    ids = np.array([f"u{i}" for i in range(20_000)] + ["x" * (1 << 22)], dtype=object)
    ordered = natural_sort(ids)
    assert ordered[-1] == "x" * (1 << 22) and ordered[0] == "u0" and len(ordered) == 20_001
