"""``run --estimate``: the plan of a run, timed from the project's earlier runs, and
nothing run or stored."""
from __future__ import annotations

from cli.main import main
from storage import list_runs, open_database


def cli(*argv: object) -> int:
    return main([str(a) for a in argv])


def test_the_estimate_reads_earlier_runs_and_runs_nothing(tmp_path, small_shop_files, capsys):
    db = tmp_path / "studio.db"
    interactions, items = small_shop_files
    assert cli("import", "--interactions", interactions, "--items", items, "--name", "shop",
               "--db", db, "--quiet") == 0
    assert cli("run", "--dataset", "shop", "--model", "ease", "--estimate", "--db", db) == 0
    first = capsys.readouterr().out
    assert "a run of ease on dataset 'shop' would take these steps:" in first
    assert "fit ease: no earlier run to go by" in first and "exact dense solve" in first
    assert "in all: unknown until a run on this machine" in first
    with open_database(db) as database:
        assert list_runs(database) == []

    assert cli("run", "--dataset", "shop", "--model", "ease", "--db", db, "--quiet") == 0
    capsys.readouterr()
    assert cli("run", "--dataset", "shop", "--model", "ease", "--estimate", "--db", db) == 0
    second = capsys.readouterr().out
    assert "fit ease: about" in second and "in all: about" in second
    with open_database(db) as database:
        assert len(list_runs(database)) == 1


def test_an_unknown_dataset_is_one_message(tmp_path, capsys):
    code = cli("run", "--dataset", "nope", "--estimate", "--db", tmp_path / "s.db")
    err = capsys.readouterr().err
    assert code == 2 and "no dataset named 'nope'" in err and err.count("\n") == 1
