"""Atomic saving: the target is always wholly old or wholly new, .bak holds the previous version."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from explorer.io import atomic
from explorer.io.atomic import atomic_write_text, backup_path

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions and symlinks")


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_creates_a_new_file_without_backup(tmp_path: Path) -> None:
    target = tmp_path / "loss.json"
    atomic_write_text(target, "héllo\nwörld\n")
    assert target.read_bytes() == "héllo\nwörld\n".encode()
    assert _names(tmp_path) == ["loss.json"]


def test_newlines_are_written_untranslated(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    atomic_write_text(target, "a\nb\r\nc")
    assert target.read_bytes() == b"a\nb\r\nc"


def test_backup_holds_the_previous_version_each_time(tmp_path: Path) -> None:
    target = tmp_path / "loss.json"
    assert backup_path(target) == tmp_path / "loss.json.bak"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert (tmp_path / "loss.json.bak").read_text() == "one"
    atomic_write_text(target, "three")
    assert target.read_text() == "three"
    assert (tmp_path / "loss.json.bak").read_text() == "two"
    assert _names(tmp_path) == ["loss.json", "loss.json.bak"]


def test_no_backup_when_asked_and_an_old_backup_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "loss.json"
    target.write_text("old")
    backup_path(target).write_text("older")
    atomic_write_text(target, "new", backup=False)
    assert target.read_text() == "new"
    assert backup_path(target).read_text() == "older"


def test_backup_falls_back_to_a_copy_when_links_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "loss.json"
    target.write_text("old")

    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert backup_path(target).read_text() == "old"
    assert _names(tmp_path) == ["loss.json", "loss.json.bak"]


def _prepare(tmp_path: Path) -> Path:
    target = tmp_path / "loss.json"
    target.write_text("old version")
    backup_path(target).write_text("older version")
    return target


def _assert_untouched(target: Path) -> None:
    assert target.read_text() == "old version"
    assert backup_path(target).read_text() == "older version"
    assert _names(target.parent) == ["loss.json", "loss.json.bak"]  # no temp file left behind


def test_disk_full_halfway_through_leaves_everything_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _prepare(tmp_path)
    real_write = os.write
    calls = []

    def half_then_full(fd: int, data: bytes) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(target, "new version " * 1000)
    monkeypatch.undo()
    assert len(calls) == 2  # the failure really happened midway, after a partial write
    _assert_untouched(target)


def test_failed_fsync_leaves_everything_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _prepare(tmp_path)

    def failing_fsync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output"):
        atomic_write_text(target, "new version")
    monkeypatch.undo()
    _assert_untouched(target)


def test_failed_backup_leaves_everything_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _prepare(tmp_path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "link", refuse)
    monkeypatch.setattr(atomic, "_copy_synced", refuse)
    with pytest.raises(OSError, match="Permission denied"):
        atomic_write_text(target, "new version")
    monkeypatch.undo()
    _assert_untouched(target)


def test_failed_final_rename_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _prepare(tmp_path)
    real_replace = os.replace

    def refuse_target(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == target:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse_target)
    with pytest.raises(OSError, match="cross-device"):
        atomic_write_text(target, "new version")
    monkeypatch.undo()
    assert target.read_text() == "old version"
    # The backup step had already run: .bak now also holds the old version, which is still right.
    assert backup_path(target).read_text() == "old version"
    assert _names(tmp_path) == ["loss.json", "loss.json.bak"]


def test_interrupt_during_write_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _prepare(tmp_path)

    def interrupted(fd: int, data: bytes) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "new version")
    monkeypatch.undo()
    _assert_untouched(target)


def test_unencodable_text_fails_before_touching_the_disk(tmp_path: Path) -> None:
    target = _prepare(tmp_path)
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "lone surrogate \ud800")
    _assert_untouched(target)


def test_missing_directory_is_an_oserror_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "nowhere" / "loss.json", "x")
    assert _names(tmp_path) == []


def test_target_that_is_a_directory_is_refused_and_cleaned_up(tmp_path: Path) -> None:
    (tmp_path / "loss.json").mkdir()
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "loss.json", "x")
    assert _names(tmp_path) == ["loss.json"]
    assert (tmp_path / "loss.json").is_dir()


@posix_only
def test_permissions_of_an_existing_file_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "loss.json"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert target.stat().st_mode & 0o777 == 0o640


@posix_only
def test_a_new_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    reference.write_text("made by open()")  # respects the umask, like any new file
    target = tmp_path / "loss.json"
    atomic_write_text(target, "new")
    assert target.stat().st_mode & 0o777 == reference.stat().st_mode & 0o777


@posix_only
def test_a_symlinked_target_is_written_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"
    assert (tmp_path / "real.json.bak").read_text() == "old"
