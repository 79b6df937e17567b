"""The crash-safe primitives: hashing without following links, atomic write and delete."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from apply_support import no_temp_files

from generator.apply.fs import atomic_delete, atomic_write, file_sha256, sha256_bytes
from generator.errors import UnsafePathError


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_sha256_bytes() -> None:
    assert sha256_bytes(b"day one") == hashlib.sha256(b"day one").hexdigest()


def test_file_sha256_of_a_file_and_of_nothing(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"content")
    assert file_sha256(tmp_path / "f") == sha256_bytes(b"content")
    assert file_sha256(tmp_path / "absent") is None
    assert file_sha256(tmp_path / "absent/deeper") is None
    assert file_sha256(tmp_path / "f/under-a-file") is None


def test_file_sha256_refuses_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "target").write_bytes(b"content")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    with pytest.raises(UnsafePathError, match="symlink"):
        file_sha256(tmp_path / "link")


def test_file_sha256_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")  # reading it naively would block forever
    with pytest.raises(UnsafePathError, match="not a regular file"):
        file_sha256(tmp_path / "fifo")
    with pytest.raises(UnsafePathError, match="not a regular file"):
        file_sha256(tmp_path)


def test_atomic_write_creates_parents_with_default_mode(tmp_path: Path) -> None:
    old_umask = os.umask(0o077)  # the default must not depend on the umask
    try:
        atomic_write(tmp_path / "a/b/c.txt", b"hello")
    finally:
        os.umask(old_umask)
    assert (tmp_path / "a/b/c.txt").read_bytes() == b"hello"
    assert mode_of(tmp_path / "a/b/c.txt") == 0o644
    assert no_temp_files(tmp_path)


def test_atomic_write_fsyncs_the_file_before_and_its_folder_after_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        events.append(("replace", str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    atomic_write(tmp_path / "f", b"data")
    kinds = [kind for kind, _ in events]
    assert kinds == ["fsync", "replace", "fsync"]
    assert events[0][1].endswith(".dayone-tmp")
    assert events[2][1] == str(tmp_path)


def test_atomic_write_keeps_permissions_when_overwriting(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_bytes(b"old")
    script.chmod(0o750)
    atomic_write(script, b"new")
    assert script.read_bytes() == b"new"
    assert mode_of(script) == 0o750
    assert no_temp_files(tmp_path)


def test_atomic_write_sets_the_given_mode(tmp_path: Path) -> None:
    (tmp_path / "old").write_bytes(b"old")
    atomic_write(tmp_path / "old", b"new", mode=0o755)
    atomic_write(tmp_path / "new", b"new", mode=0o700)
    assert mode_of(tmp_path / "old") == 0o755
    assert mode_of(tmp_path / "new") == 0o700


def test_atomic_write_leaves_nothing_behind_when_the_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "f").write_bytes(b"old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        atomic_write(tmp_path / "f", b"new")
    with pytest.raises(OSError, match="No space"):
        atomic_write(tmp_path / "g", b"new")
    assert (tmp_path / "f").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_atomic_write_refuses_to_replace_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "target").write_bytes(b"keep")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    with pytest.raises(UnsafePathError):
        atomic_write(tmp_path / "link", b"new")
    assert (tmp_path / "link").is_symlink()
    assert (tmp_path / "target").read_bytes() == b"keep"
    assert no_temp_files(tmp_path)


def test_atomic_delete_removes_folders_left_empty_up_to_the_root(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "a/b/c").mkdir(parents=True)
    (root / "a/keep.txt").write_bytes(b"keep")
    (root / "a/b/c/gone.txt").write_bytes(b"gone")
    atomic_delete(root / "a/b/c/gone.txt", root=root)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == ["a", "a/keep.txt"]
    atomic_delete(root / "a/keep.txt", root=root)
    assert root.is_dir()
    assert list(root.iterdir()) == []


def test_atomic_delete_without_root_keeps_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/f").write_bytes(b"x")
    atomic_delete(tmp_path / "a/f")
    assert (tmp_path / "a").is_dir()


def test_atomic_delete_removes_a_symlink_not_its_target(tmp_path: Path) -> None:
    (tmp_path / "target").write_bytes(b"keep")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    atomic_delete(tmp_path / "link", root=tmp_path)
    assert not (tmp_path / "link").is_symlink()
    assert (tmp_path / "target").read_bytes() == b"keep"
