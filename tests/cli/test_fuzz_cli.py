"""Any file given to import (interactions or catalogue), append or feedback ends in exit
status 0, or in exit status 2 with one message naming it, no traceback, and the database
file byte for byte as it was.

Property-based (hypothesis), with the generated files and the property of
``bench/fuzz_cases.py`` (``bench/fuzz_inputs.py`` runs them on thousands of cases).
Each case runs ``main()`` on a fresh copy of one database, made once for the module by
importing the small shop and running a model on it (the feedback command needs a run).
A command costs more than a read, so fewer cases run here than in the reader tests.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings

from bench.fuzz_cases import Case, cases, check_cli, make_database

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz_cli")


@pytest.fixture(scope="module")
def template(folder, small_shop_files):
    return make_database(folder, small_shop_files)


@FUZZ
@given(case=cases("import"))
def test_import_of_any_file_stores_it_or_changes_nothing(case, folder, template,
                                                         small_shop_files):
    check_cli(case, folder, template, small_shop_files)


@FUZZ
@given(case=cases("items"))
def test_import_of_any_catalogue_stores_it_or_changes_nothing(case, folder, template,
                                                               small_shop_files):
    check_cli(case, folder, template, small_shop_files)


# A rating of 1e-300 next to the shop's 5: its float32 weight rounded to 0, which the
# append refused with a message naming no file ("weights must be in (0, 1]").
@example(case=Case("append", b"user_id,item_id,rating,timestamp\nu00001,i00001,5,1690000000\n"
                             b"u00002,i00002,1e-300,1690000001\n"))
@FUZZ
@given(case=cases("append"))
def test_append_of_any_file_stores_it_or_changes_nothing(case, folder, template,
                                                         small_shop_files):
    check_cli(case, folder, template, small_shop_files)


# A quoted blank feedback word crashed the reader (IndexError) before the database.
@example(case=Case("feedback", b'user,item,feedback\nu00001,i00001," "\n'))
@FUZZ
@given(case=cases("feedback"))
def test_feedback_from_any_file_is_stored_or_changes_nothing(case, folder, template,
                                                             small_shop_files):
    check_cli(case, folder, template, small_shop_files)
