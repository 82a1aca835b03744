"""Key bindings: the platform's standard keys, minus the noise and minus the clashes.

``QKeySequence.keyBindings`` answers differently per platform. On X11 it gives Delete a
second key, Ctrl+D, which our Duplicate owns: Qt then calls the key ambiguous and neither
action runs. It also adds the Sun keyboard's F13-F35 keys (Undo is "Ctrl+Z, F14, Undo")
which only clutter the shortcut list. So: a binding the window names *explicitly* always
wins over a platform *alternative*, the F13+ keys are dropped, and dedicated keyboard keys
("Undo", "Cut") keep working but are not listed.

Imports: PySide6.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

Key = QKeySequence.StandardKey
Shortcut = str | QKeySequence.StandardKey

_PRIMARY = "explicitKeys"  # dynamic property: the keys this action must keep
_MODIFIERS = Qt.KeyboardModifier.KeyboardModifierMask.value
_SUN_KEYS = range(Qt.Key.Key_F13.value, Qt.Key.Key_F35.value + 1)
_DEDICATED = {
    k.value
    for k in (
        Qt.Key.Key_Undo, Qt.Key.Key_Redo, Qt.Key.Key_Cut, Qt.Key.Key_Copy, Qt.Key.Key_Paste,
        Qt.Key.Key_New, Qt.Key.Key_Open, Qt.Key.Key_Save, Qt.Key.Key_Exit, Qt.Key.Key_Close,
        Qt.Key.Key_ZoomIn, Qt.Key.Key_ZoomOut, Qt.Key.Key_Find, Qt.Key.Key_Help,
    )
}  # fmt: skip


def _key(seq: QKeySequence) -> int:
    """The key (without modifiers) of a one-chord sequence, else -1."""
    if seq.count() != 1:
        return -1
    return seq[0].key().value


def _has_modifiers(seq: QKeySequence) -> bool:
    return seq.count() == 1 and bool(seq[0].keyboardModifiers().value & _MODIFIERS)


def is_listed(seq: QKeySequence) -> bool:
    """Whether the shortcut list shows ``seq`` (a lone dedicated key such as "Undo" is not)."""
    return not seq.isEmpty() and not (_key(seq) in _DEDICATED and not _has_modifiers(seq))


def expand(shortcuts: Iterable[Shortcut]) -> tuple[list[QKeySequence], list[QKeySequence]]:
    """(all keys, explicit keys): strings are explicit, and so is the first platform key
    of each standard key; the platform's other keys are alternatives, minus F13-F35."""
    keys: list[QKeySequence] = []
    explicit: list[QKeySequence] = []
    for shortcut in shortcuts:
        if isinstance(shortcut, str):
            found = [QKeySequence(shortcut)]
            explicit += found
        else:
            found = [s for s in QKeySequence.keyBindings(shortcut) if _key(s) not in _SUN_KEYS]
            explicit += found[:1]
        keys += [s for s in found if not s.isEmpty() and s not in keys]
    return keys, explicit


def set_keys(action: QAction, shortcuts: Iterable[Shortcut]) -> None:
    """Give ``action`` its keys, remembering which ones it must keep in a clash."""
    keys, explicit = expand(shortcuts)
    action.setShortcuts(keys)
    action.setProperty(_PRIMARY, [s.toString(QKeySequence.SequenceFormat.PortableText) for s in explicit])


def key_owners(actions: Iterable[QAction]) -> dict[str, list[QAction]]:
    """Portable key text → the distinct actions that answer it."""
    owners: dict[str, list[QAction]] = {}
    for action in actions:
        for seq in action.shortcuts():
            if not seq.isEmpty():
                holders = owners.setdefault(seq.toString(QKeySequence.SequenceFormat.PortableText), [])
                if action not in holders:
                    holders.append(action)
    return owners


def resolve_clashes(actions: Iterable[QAction]) -> list[str]:
    """Take a contested key away from every action that holds it only as a platform
    alternative; returns the keys still contested (by explicit bindings: a bug)."""
    actions = list(actions)
    left: list[str] = []
    for text, holders in key_owners(actions).items():
        if len(holders) < 2:
            continue
        keep = [a for a in holders if text in _explicit(a)]
        for action in holders:
            if action not in keep:
                action.setShortcuts([s for s in action.shortcuts() if _portable([s])[0] != text])
        if len(keep) > 1:
            left.append(text)
    return left


def _explicit(action: QAction) -> list[str]:
    """The keys ``action`` must keep: all of them unless :func:`set_keys` said otherwise."""
    named = action.property(_PRIMARY)
    return list(named) if named is not None else _portable(action.shortcuts())


def _portable(seqs: Iterable[QKeySequence]) -> list[str]:
    return [s.toString(QKeySequence.SequenceFormat.PortableText) for s in seqs] or [""]


def all_actions(root: QObject) -> list[QAction]:
    """Every QAction under ``root`` (menus, toolbar, docks, features), each once."""
    return list(dict.fromkeys(root.findChildren(QAction)))
