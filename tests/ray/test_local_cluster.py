"""The local cluster's worker nodes join again when the head's GCS did not answer yet (a
busy machine), and fail at once on any other error; its workers run at the niceness
asked for."""
from __future__ import annotations

import os

import pytest

from engine.cluster import local
from engine.cluster.local import LocalCluster
from engine.cluster.session import ClusterError


def joins(monkeypatch, errors: list[str]) -> list[list[str]]:
    calls: list[list[str]] = []

    def ray_start(self, arguments: list[str]) -> None:
        calls.append(arguments)
        if errors:
            raise ClusterError(errors.pop(0))

    monkeypatch.setattr(LocalCluster, "_ray_start", ray_start)
    monkeypatch.setattr(local.time, "sleep", lambda seconds: None)
    return calls


def test_a_join_the_gcs_did_not_answer_is_tried_again(monkeypatch):
    refused = "`ray start` failed (1): RuntimeError: Failed to connect to GCS. ..."
    calls = joins(monkeypatch, [refused, refused])
    cluster = LocalCluster()
    cluster.address = "127.0.0.1:6379"
    cluster.add_node()
    assert len(calls) == 3 and calls[0] == ["--address=127.0.0.1:6379", "--num-cpus=1"]

    joins(monkeypatch, [refused] * local.JOIN_TRIES)
    with pytest.raises(ClusterError, match="connect to GCS"):
        cluster.add_node()


def test_another_failure_is_not_tried_again(monkeypatch):
    calls = joins(monkeypatch, ["`ray start` failed (1): unknown option --bogus"])
    with pytest.raises(ClusterError, match="unknown option"):
        LocalCluster().add_node()
    assert len(calls) == 1


def test_a_token_file_of_an_earlier_ray_does_not_stop_the_cluster(tmp_path, monkeypatch):
    """A local ``ray.init`` leaves ~/.ray/auth_token behind; a head that read it would
    refuse the nodes joining it, so the cluster's nodes never see that home."""
    pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[ray]'")
    from engine.cluster import connect, disconnect

    (tmp_path / ".ray").mkdir()
    (tmp_path / ".ray" / "auth_token").write_text("0123456789abcdef" * 4)
    monkeypatch.setenv("HOME", str(tmp_path))
    with LocalCluster(workers=1) as cluster:
        try:
            assert connect(cluster.address).describe() == "2 nodes, 2 CPUs, 0 GPUs"
        finally:
            disconnect()


def test_the_workers_run_at_the_niceness_asked_for(cluster):
    import ray

    from engine.cluster import connect, disconnect

    @ray.remote(num_cpus=1)
    def niceness() -> int:
        return os.nice(0)

    connect(cluster.address)
    try:
        assert ray.get([niceness.remote() for _ in range(2)]) == [os.nice(0)] * 2
    finally:
        disconnect()
