"""Where torch work runs and how it is made reproducible.

Every torch path picks ``cuda`` when it is available and the user did not ask otherwise,
and runs on the CPU always. torch is imported here lazily so that the command line and
the window start without paying for it.
"""
from __future__ import annotations

import os
import random
from typing import TYPE_CHECKING

import numpy as np

from engine.core.errors import DataError

if TYPE_CHECKING:
    import torch

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(device: str = "auto") -> "torch.device":
    """``auto`` -> cuda when present, else cpu; asking for cuda without one is a clear error."""
    import torch

    if device not in DEVICES:
        raise DataError(f"unknown device {device!r}: expected one of {', '.join(DEVICES)}")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise DataError("--device cuda was asked for, but torch sees no CUDA GPU on this machine "
                        "(use --device auto or cpu)")
    return torch.device(device)


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch (CPU and CUDA) for a repeatable run."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def set_threads(threads: int | None) -> None:
    """Limit torch's CPU threads (None leaves torch's default)."""
    if threads:
        import torch

        torch.set_num_threads(int(threads))
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
