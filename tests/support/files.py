"""Small input files written by the tests, and the command line's data options parsed."""
from __future__ import annotations

import argparse
from pathlib import Path

from cli.import_options import add_import_arguments


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``content`` (text in ``encoding``, or bytes as they are) to ``folder/name``."""
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_import_arguments(parser)
    return parser.parse_args(argv)
