"""Atomic text saving: a file on disk is always either its complete old self or its complete new self.

The new text goes to a temporary file in the target's own directory (so the final rename never
crosses a filesystem), is flushed and fsynced, and only then renamed over the target with
``os.replace``, which is atomic on POSIX and Windows. The previous version is kept as
``FILE.bak``: it is hard-linked (or, where links are not supported, copied) to a temporary
name and renamed into place *before* the target is replaced, so at no instant is the old
content only half-written or reachable from nowhere. Any failure removes our temporary files
and leaves the target and the existing ``.bak`` exactly as they were.

Deliberately plain: no ownership, ACLs or extended attributes are carried over; the
permission bits of an existing target are. A symlinked target is written through the link.

Imports: standard library only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

BACKUP_SUFFIX = ".bak"

_TEMP_ATTEMPTS = 100


def backup_path(path: str | os.PathLike[str]) -> Path:
    """Where :func:`atomic_write_text` keeps the previous version of ``path``."""
    p = Path(path)
    return p.with_name(p.name + BACKUP_SUFFIX)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, backup: bool = True) -> None:
    """Replace ``path`` with ``text`` (UTF-8, newlines untranslated) in one atomic step.

    With ``backup`` and an existing target, the target's current content becomes ``FILE.bak``.
    Raises ``OSError`` (or ``UnicodeEncodeError`` for unencodable text) with nothing changed.
    """
    # Encode first: text that cannot be written must fail before anything touches the disk.
    data = text.encode("utf-8")
    target = Path(os.path.realpath(path))
    existing = target.exists()
    temp = _write_temp(target, data, mode=_mode_of(target) if existing else None)
    try:
        if backup and existing:
            _keep_backup(target)
        os.replace(temp, target)
    except BaseException:
        _remove(temp)
        raise
    _fsync_directory(target.parent)


def _temp_name(target: Path) -> Path:
    # A leading dot keeps half-written files out of casual directory listings.
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")


def _create_exclusive(target: Path) -> tuple[Path, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_TEMP_ATTEMPTS):
        name = _temp_name(target)
        try:
            # 0o666 lets the umask decide, as for any ordinary new file.
            return name, os.open(name, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file beside {target}")


def _write_temp(target: Path, data: bytes, mode: int | None) -> Path:
    name, fd = _create_exclusive(target)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(name, mode)
    except BaseException:
        _remove(name)
        raise
    return name


def _keep_backup(target: Path) -> None:
    """Make ``target.bak`` hold the target's current content, replacing any older backup atomically."""
    name = _temp_name(target)
    try:
        try:
            os.link(target, name)
        except OSError:
            # Hard links are unsupported on FAT and some network shares: copy instead.
            _copy_synced(target, name)
        os.replace(name, backup_path(target))
    except BaseException:
        _remove(name)
        raise


def _copy_synced(source: Path, destination: Path) -> None:
    with open(source, "rb") as src, open(destination, "xb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())


def _mode_of(path: Path) -> int | None:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open directories, which is fine.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
