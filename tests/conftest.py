"""Test-wide settings: no model hub, no display, one BLAS thread, a private cache."""
import os
import tempfile
from pathlib import Path

import pytest

from engine.data.synthetic import ShopConfig, generate, write_csv

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")  # torch: no spinning threads fighting over 2 cores
# Text-encoder embeddings go to a throwaway cache, not the user's.
os.environ.setdefault("IFS_CACHE_DIR", tempfile.mkdtemp(prefix="ifs-test-cache-"))


@pytest.fixture(scope="session")
def small_shop_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small demo shop as interactions.csv and items.csv (60 users)."""
    return write_csv(generate(ShopConfig(n_users=60, seed=3)), tmp_path_factory.mktemp("shop"))
