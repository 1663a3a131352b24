"""The layers hold: each package imports only the ones below it, and only the window
imports Qt (the contracts in pyproject.toml, as ``lint-imports`` checks them)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import ROOT


def test_the_import_contracts_are_kept():
    pytest.importorskip("importlinter", reason="import-linter is in the test extra")
    done = subprocess.run([sys.executable, "-c",
                           "import sys; from importlinter.cli import lint_imports; "
                           "sys.exit(lint_imports(no_cache=True))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout
