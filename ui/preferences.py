"""What the window remembers between sessions: geometry, language, last folder, recent
projects and the last run configuration, kept in QSettings (the platform's usual place).

Lists and dictionaries are stored as JSON text, because QSettings hands a one-element
list back as a plain string on some platforms.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8


class Preferences:
    """Typed access to the application's QSettings."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings or QSettings()

    def _json(self, key: str, default: Any) -> Any:
        raw = self._settings.value(key)
        if not isinstance(raw, str):
            return default
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return default

    def _set_json(self, key: str, value: Any) -> None:
        self._settings.setValue(key, json.dumps(value))

    @property
    def geometry(self) -> QByteArray | None:
        value = self._settings.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._settings.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        value = self._settings.value("window/state")
        return value if isinstance(value, QByteArray) else None

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._settings.setValue("window/state", value)

    @property
    def page(self) -> int:
        return int(self._json("window/page", 0))

    @page.setter
    def page(self, value: int) -> None:
        self._set_json("window/page", int(value))

    @property
    def language(self) -> str:
        """The language chosen under View > Language ("" until one is: the system's)."""
        value = self._json("window/language", "")
        return value if isinstance(value, str) else ""

    @language.setter
    def language(self, value: str) -> None:
        self._set_json("window/language", str(value))

    @property
    def last_folder(self) -> str:
        """Where the last file dialog was left (default: the home folder)."""
        folder = self._json("files/last_folder", "")
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def remember_file(self, path: str | Path) -> None:
        """Remember the folder of a file the user chose."""
        self._set_json("files/last_folder", str(Path(path).resolve().parent))

    @property
    def recent_projects(self) -> list[str]:
        """Database files opened recently, newest first (files that still exist)."""
        return [p for p in self._json("projects/recent", []) if Path(p).is_file()]

    def add_recent_project(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        recent = [p for p in self._json("projects/recent", []) if p != path]
        self._set_json("projects/recent", [path, *recent][:MAX_RECENT])

    @property
    def run_settings(self) -> dict[str, Any]:
        """The last run configuration, as :meth:`ui.run_settings.RunSettings.to_dict`."""
        value = self._json("run/settings", {})
        return value if isinstance(value, dict) else {}

    @run_settings.setter
    def run_settings(self, value: dict[str, Any]) -> None:
        self._set_json("run/settings", value)

    @property
    def text_model_file(self) -> str:
        """The GGUF model file (or folder holding one) that writes recommendation texts;
        "" for the packaged default (also when the remembered path is gone)."""
        path = self._json("explanations/model_file", "")
        return path if isinstance(path, str) and path and Path(path).exists() else ""

    @text_model_file.setter
    def text_model_file(self, value: str) -> None:
        self._set_json("explanations/model_file", str(value))

    def sync(self) -> None:
        self._settings.sync()
