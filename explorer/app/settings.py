"""Typed access to the persisted preferences (QSettings): theme, fonts, recent files, layout.

Every key lives here so the window never spells a settings key twice. QSettings returns
strings from INI files and may collapse a one-item list to a string, so reads normalise.
Tests pass their own QSettings on a temporary INI file; nothing here assumes the user's.

Imports: PySide6.QtCore, standard library.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "ChainRuleExplorer"
APPLICATION = "Chain Rule Explorer"
MAX_RECENT = 10
SETTINGS_VERSION = 1

_GEOMETRY = "window/geometry"
_STATE = "window/state"
_THEME = "view/theme"
_LARGE_FONT = "view/large_font"
_EDGE_LABELS = "view/edge_labels"
_RECENT = "files/recent"
_LAST_DIR = "files/last_dir"
_VERSION = "settings/version"


def default_settings() -> QSettings:
    """The user's settings store (native format, per user)."""
    return QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def _as_bool(value: object, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(value, int):
        return bool(value)
    return default


class Preferences:
    """A thin, typed view on one QSettings object."""

    def __init__(self, settings: QSettings) -> None:
        self.qsettings = settings
        if settings.value(_VERSION) is None:
            settings.setValue(_VERSION, SETTINGS_VERSION)

    # -------------------------------------------------------------- view
    @property
    def theme(self) -> str:
        value = self.qsettings.value(_THEME, "light")
        return value if value in ("light", "dark") else "light"

    @theme.setter
    def theme(self, name: str) -> None:
        self.qsettings.setValue(_THEME, name)

    @property
    def large_font(self) -> bool:
        return _as_bool(self.qsettings.value(_LARGE_FONT, False), False)

    @large_font.setter
    def large_font(self, on: bool) -> None:
        self.qsettings.setValue(_LARGE_FONT, bool(on))

    @property
    def edge_labels(self) -> bool:
        return _as_bool(self.qsettings.value(_EDGE_LABELS, True), True)

    @edge_labels.setter
    def edge_labels(self, on: bool) -> None:
        self.qsettings.setValue(_EDGE_LABELS, bool(on))

    # -------------------------------------------------------------- window layout
    def geometry(self) -> QByteArray | None:
        value = self.qsettings.value(_GEOMETRY)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def window_state(self) -> QByteArray | None:
        value = self.qsettings.value(_STATE)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def save_layout(self, geometry: QByteArray, state: QByteArray) -> None:
        self.qsettings.setValue(_GEOMETRY, geometry)
        self.qsettings.setValue(_STATE, state)

    # -------------------------------------------------------------- files
    @property
    def recent_files(self) -> list[str]:
        value = self.qsettings.value(_RECENT, [])
        if isinstance(value, str):
            value = [value] if value else []
        if not isinstance(value, list):
            return []
        return [str(v) for v in value if isinstance(v, str) and v][:MAX_RECENT]

    def add_recent(self, path: str | os.PathLike[str]) -> list[str]:
        """Put ``path`` first (once); returns the new list."""
        text = str(Path(path).resolve())
        files = [text, *(f for f in self.recent_files if f != text)][:MAX_RECENT]
        self.qsettings.setValue(_RECENT, files)
        return files

    def remove_recent(self, path: str) -> None:
        self.qsettings.setValue(_RECENT, [f for f in self.recent_files if f != path])

    def clear_recent(self) -> None:
        self.qsettings.setValue(_RECENT, [])

    @property
    def last_dir(self) -> str:
        value = self.qsettings.value(_LAST_DIR, "")
        return value if isinstance(value, str) else ""

    @last_dir.setter
    def last_dir(self, folder: str) -> None:
        self.qsettings.setValue(_LAST_DIR, folder)

    def sync(self) -> None:
        self.qsettings.sync()
