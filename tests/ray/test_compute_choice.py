"""Choosing where to compute: a clear message and exit status 2 when Ray is missing or
no cluster answers, and nothing recorded; a choice that is none is refused."""
from __future__ import annotations

import socket
import sys

import pytest

from cli.main import main
from engine.cluster import ComputeChoice
from engine.core.errors import DataError
from tests.support.storage import count


def test_compute_ray_without_ray_installed_is_one_message(small_shop_files, tmp_path,
                                                          monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails, as where it is missing
    interactions, items = small_shop_files
    code = main(["recommend", "--interactions", str(interactions), "--items", str(items),
                 "--model", "pop", "--out", str(tmp_path / "recs.csv"), "--compute", "ray",
                 "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "error: Ray is not installed in this Python: pip install " in err
    assert "Traceback" not in err and not (tmp_path / "recs.csv").exists()


def test_an_address_where_no_cluster_answers_records_no_run(small_shop_files, tmp_path,
                                                           capsys):
    pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[ray]'")
    db = ["--db", str(tmp_path / "studio.db")]
    interactions, items = small_shop_files
    assert main(["import", "--interactions", str(interactions), "--items", str(items),
                 "--name", "shop", "--quiet", *db]) == 0
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = main(["run", "--dataset", "shop", "--model", "pop", "--compute", "ray",
                 "--ray-address", f"127.0.0.1:{port}", "--quiet", *db])
    assert code == 2
    err = capsys.readouterr().err
    assert f"error: no Ray cluster answers at '127.0.0.1:{port}'" in err
    assert "Traceback" not in err
    assert count(tmp_path / "studio.db", "runs") == 0


def test_a_choice_that_is_none_is_refused():
    with pytest.raises(DataError, match="compute must be one of local, ray"):
        ComputeChoice("gpu")
    with pytest.raises(DataError, match="give the Ray cluster's address"):
        ComputeChoice("ray", " ")
    assert ComputeChoice().describe() == "this computer"
    assert ComputeChoice("ray", "10.0.0.1:6379").describe() == "the Ray cluster at 10.0.0.1:6379"
