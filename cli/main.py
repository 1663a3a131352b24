"""The headless command line: everything the window does, scriptable.

One parser with a module per command group: files evaluated without storing
(:mod:`cli.evaluate`), the stored datasets (:mod:`cli.datasets`), runs (:mod:`cli.runs`)
and their lists (:mod:`cli.lists`). Commands call the application layer
(:mod:`application`), as the window does. Bad input ends with one specific message on
stderr and exit status 2, never a traceback; progress of long steps goes to stderr so
stdout stays clean for tables.
"""
from __future__ import annotations

import argparse
import sys

from cli import datasets, evaluate, lists, runs
from engine.core.errors import Cancelled, DataError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py",
                                     description="Interest Fusion Studio, headless.")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (datasets, runs, lists, evaluate):
        group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse and run one command; bad input -> message on stderr and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Cancelled as exc:
        print(f"stopped: {exc}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
