"""A real Ray cluster for the tests: a head node and a second node, each a ``ray start``
on 127.0.0.1 with one CPU (engine/cluster/local.py), started once for the session and
stopped at its end, every process of it. The tests that need it are skipped, saying
why, only where Ray is not installed."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.data.dataset import Dataset
from engine.data.synthetic import ShopConfig, generate, write_csv
from tests.support.storage import shop_dataset


@pytest.fixture(scope="session")
def cluster() -> Iterator[object]:
    pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[ray]'")
    from engine.cluster.local import LocalCluster

    # workers at the tests' own priority (Ray's 15 starves them behind a CPU hog)
    with LocalCluster(workers=1, cpus_per_node=1, head_cpus=1, worker_niceness=0) as running:
        yield running


@pytest.fixture(scope="session")
def ray_shop_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small shop (120 users, 1,200 items with text) as CSV files."""
    return write_csv(generate(ShopConfig(n_users=120, seed=1)), tmp_path_factory.mktemp("ray"))


@pytest.fixture(scope="session")
def ray_shop(ray_shop_files: tuple[Path, Path]) -> Dataset:
    return shop_dataset(ray_shop_files)
