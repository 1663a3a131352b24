"""Start Interest Fusion Studio.

With a command (evaluate, recommend, demo, import, run, ...) it runs headless; without one
it runs the demo pipeline, until the desktop window lands.
"""
import sys

from engine.cli import main
from storage.commands import add_commands


def run(argv: list[str] | None = None) -> int:
    """Entry point of ``python main.py`` and of the installed ``interest-fusion-studio``."""
    argv = sys.argv[1:] if argv is None else argv
    return main(argv or ["demo"], extra=[add_commands])


if __name__ == "__main__":
    sys.exit(run())
