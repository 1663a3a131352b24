"""The window's language: English (the texts as written in the code) or Simplified Chinese,
through Qt's translations.

Every text of the window's own goes through ``self.tr`` or ``QCoreApplication.translate``
(data, model names and the engine's messages are shown as they are);
``resources/translations/studio_zh_CN.ts`` holds their Chinese and ``studio_zh_CN.qm`` is
what Qt loads (``python tools/translations.py`` refreshes both after texts change). Qt's own
translation of its standard buttons and dialogs (``qtbase_zh_CN.qm``, shipped with
PySide6) is installed with it.

The language is, in order: ``$IFS_LANGUAGE`` (``en`` or ``zh_CN``, for a session or a
screenshot), the one chosen under View > Language (kept in the preferences), else the
system's: Chinese for a Chinese locale, English for any other, C and POSIX included.
Switching installs the other translators; Qt then sends every widget a LanguageChange
event, on which the window and its screens set their texts again.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.resources import as_file, files
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from ui.preferences import Preferences

#: Language codes and their names, each written in its own language (the menu shows them).
LANGUAGES = {"en": "English", "zh_CN": "中文 (简体)"}
ENGLISH = "en"
CHINESE = "zh_CN"
LANGUAGE_ENV = "IFS_LANGUAGE"
#: The file names of the application's translations: studio_<code>.qm.
CATALOGUE = "studio"
_installed: list[QTranslator] = []
_current = [ENGLISH]


def translations_folder() -> Path:
    """``resources/translations``, wherever the package is installed (package data)."""
    with as_file(files("resources").joinpath("translations")) as path:
        return Path(path)


def system_language(locale: QLocale | None = None) -> str:
    """The language for ``locale`` (default: the system's): Chinese when its first user
    interface language is Chinese (the Simplified translation is the only Chinese one),
    else English. The interface languages, not the locale's own: on Windows they are the
    display language, while the locale is the one of number and date formats."""
    locale = QLocale.system() if locale is None else locale
    languages = locale.uiLanguages()
    first = QLocale(languages[0]) if languages else locale
    return CHINESE if first.language() == QLocale.Language.Chinese else ENGLISH


def chosen_language(prefs: Preferences, environ: Mapping[str, str] = os.environ,
                    locale: QLocale | None = None) -> str:
    """The language to start in: $IFS_LANGUAGE, else the saved choice, else the system's
    (an unknown code in either is passed over)."""
    for code in (environ.get(LANGUAGE_ENV, ""), prefs.language):
        if code in LANGUAGES:
            return code
    return system_language(locale)


def current_language() -> str:
    """The language installed last (English until :func:`apply_language` says else)."""
    return _current[0]


def apply_language(code: str) -> bool:
    """Show the window in ``code``: the translators of the previous language go and
    those of ``code`` come (English needs none). False, and English, when the
    application's translation file is missing."""
    app = QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _current[0] = ENGLISH
    if code == ENGLISH or code not in LANGUAGES:
        return code == ENGLISH
    own = QTranslator(app)
    if not own.load(f"{CATALOGUE}_{code}", str(translations_folder())):
        return False
    qt = QTranslator(app)  # Qt's standard buttons (OK, Cancel) and dialogs
    if qt.load(f"qtbase_{code}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        _installed.append(qt)
    _installed.append(own)
    for translator in _installed:
        app.installTranslator(translator)
    _current[0] = code
    return True
