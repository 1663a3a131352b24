"""Refresh the window's translations after its texts changed.

    python tools/translations.py           # update the .ts files from ui/, compile the .qm
    python tools/translations.py --check   # only say whether they are up to date

Qt's way: ``pyside6-lupdate`` collects every ``self.tr(...)``, ``translate(...)`` and
``QT_TRANSLATE_NOOP(...)`` text under ``ui/`` into ``resources/translations/studio_<code>.ts``
(new texts arrive untranslated, texts gone from the code are dropped), a translator fills
in the new ones (Qt Linguist: ``pyside6-linguist FILE.ts``, or any XML editor), and
``pyside6-lrelease`` compiles the .ts into the .qm file the window loads
(:mod:`ui.language`). Both files are committed. ``--check`` exits 1, naming what is wrong,
when the code has texts the .ts lacks, a text is untranslated, or the .qm is stale; the
tests run the same check.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "ui"
FOLDER = ROOT / "resources" / "translations"
#: The translated languages (English is the code's own).
LANGUAGES = ("zh_CN",)
Message = tuple[str, str]  # (context, source text)


def ts_file(code: str) -> Path:
    return FOLDER / f"studio_{code}.ts"


def qt_tool(name: str) -> str:
    """``pyside6-<name>`` beside this Python (the virtual environment), else on PATH."""
    found = (shutil.which(f"pyside6-{name}", path=str(Path(sys.executable).parent))
             or shutil.which(f"pyside6-{name}"))
    if found is None:
        raise SystemExit(f"pyside6-{name} not found: install PySide6 in this environment")
    return found


def lupdate(ts: Path, code: str) -> None:
    """Collect the texts of ui/ into ``ts`` (kept translations stay, vanished texts go)."""
    subprocess.run([qt_tool("lupdate"), "-silent", "-no-obsolete", "-extensions", "py",
                    "-source-language", "en", "-target-language", code, str(SOURCES),
                    "-ts", str(ts)], check=True)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([qt_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def messages(ts: Path) -> dict[Message, str | None]:
    """Every current text of ``ts`` and its translation (None: unfinished or empty)."""
    found: dict[Message, str | None] = {}
    for context in ElementTree.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type") if translation is not None else "unfinished"
            if kind in ("obsolete", "vanished"):
                continue
            text = "".join(translation.itertext()).strip() if translation is not None else ""
            found[(name, message.findtext("source") or "")] = (
                text if text and kind != "unfinished" else None)
    return found


def problems(code: str) -> list[str]:
    """What is out of date for ``code``: texts missing from or extra in its .ts,
    untranslated texts, a .qm that is not the compiled .ts."""
    ts = ts_file(code)
    if not ts.is_file():
        return [f"{ts} is missing"]
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / ts.name
        shutil.copy(ts, fresh)
        lupdate(fresh, code)
        wanted = set(messages(fresh))
        compiled = Path(folder) / "fresh.qm"
        lrelease(ts, compiled)
        qm_current = ts.with_suffix(".qm").is_file() and \
            compiled.read_bytes() == ts.with_suffix(".qm").read_bytes()
    stored = messages(ts)
    found = [f"{ts.name} lacks {context}: {source!r}"
             for context, source in sorted(wanted - set(stored))]
    found += [f"{ts.name} has {context}: {source!r}, no longer in ui/"
              for context, source in sorted(set(stored) - wanted)]
    found += [f"{ts.name} does not translate {context}: {source!r}"
              for (context, source), text in sorted(stored.items()) if text is None]
    if not qm_current:
        found.append(f"{ts.with_suffix('.qm').name} is not {ts.name} compiled")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a translation is out of date")
    args = parser.parse_args(argv)
    status = 0
    for code in LANGUAGES:
        ts = ts_file(code)
        if not args.check:
            FOLDER.mkdir(parents=True, exist_ok=True)
            lupdate(ts, code)
            lrelease(ts, ts.with_suffix(".qm"))
        found = problems(code)
        for line in found:
            print(line)
        if found:
            status = 1
        else:
            print(f"{ts.name}: {len(messages(ts))} texts, all translated")
    return status


if __name__ == "__main__":
    sys.exit(main())
