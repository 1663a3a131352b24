"""Start Interest Fusion Studio.

Without arguments it opens the desktop window; with a command (evaluate, recommend, demo,
import, run, ...) it runs headless, as ``python main.py --help`` lists. The window's
module imports only Qt at first, and the command line never imports Qt.
"""
import sys


def run(argv: list[str] | None = None) -> int:
    """Entry point of ``python main.py`` and of the installed ``interest-fusion-studio``."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        from ui.app import main as window

        return window()
    from engine.cli import main
    from storage.commands import add_commands

    return main(argv, extra=[add_commands])


if __name__ == "__main__":
    sys.exit(run())
