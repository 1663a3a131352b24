"""Start Interest Fusion Studio.

With a command (evaluate, recommend, demo, import, run, ...) it runs headless; without one
it runs the demo pipeline, until the desktop window lands.
"""
import sys

from engine.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["demo"]))
