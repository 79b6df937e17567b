"""Crash-safe file primitives: every byte Day One puts on disk goes through here.

The guarantee is that a file is, at every instant, wholly its old content or wholly
its new content, even across a power cut. That takes the classic sequence: write a
temporary file in the same folder (so the rename cannot cross file systems), fsync
it, ``os.replace`` it over the target (atomic on POSIX), then fsync the folder so
the rename itself is durable. Deletions and new folders fsync their folder for the
same reason.

Reading is careful too: a symlink is never followed (``O_NOFOLLOW``) and anything
that is not a regular file is refused, so hashing a path can neither leave the
project nor block forever on a FIFO.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from generator.errors import UnsafePathError

NEW_FILE_MODE = 0o644
_TEMP_SUFFIX = ".dayone-tmp"


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``: the identity plans and journals use for file contents."""
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str | None:
    """Hex SHA-256 of the regular file at ``path``; ``None`` when nothing is there."""
    handle = _open_regular(path)
    if handle is None:
        return None
    with handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_regular(path: Path) -> tuple[bytes, int] | None:
    """Content and permission bits of the regular file at ``path``; ``None`` if absent.

    Both come from the same open file, so they describe one version of it.
    """
    handle = _open_regular(path)
    if handle is None:
        return None
    with handle:
        return handle.read(), stat.S_IMODE(os.fstat(handle.fileno()).st_mode)


def _open_regular(path: Path) -> io.BufferedReader | None:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafePathError(f"Refusing {str(path)!r}: it is a symlink.") from error
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafePathError(f"Refusing {str(path)!r}: it is not a regular file.")
    return os.fdopen(fd, "rb")


def temp_path(path: Path) -> Path:
    """The temporary file through which a journalled write of ``path`` goes.

    Its name follows from ``path`` alone, so the journal, which names every path an
    apply writes before the first write, names these too: a resume or rollback after a
    ``kill -9`` in the middle of a write removes what the write left.
    """
    return path.with_name(f".{path.name}{_TEMP_SUFFIX}")


def is_temp_name(name: str) -> bool:
    """Whether a file name is one of Day One's temporary files."""
    return name.startswith(".") and name.endswith(_TEMP_SUFFIX)


def remove_temp(path: Path) -> bool:
    """Remove the temporary file at ``path`` (a file or a symlink, never followed);
    whether there was one."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    if stat.S_ISDIR(info.st_mode):
        return False
    os.unlink(path)
    return True


def atomic_write(
    path: Path, data: bytes, *, mode: int | None = None, fixed_temp: bool = False
) -> None:
    """Replace (or create) ``path`` with ``data`` so no reader ever sees a partial file.

    Permission bits: ``mode`` if given, else those of the file being replaced, else
    0o644 (set explicitly, so the result does not depend on the umask). If anything
    fails, the temporary file is removed and ``path`` is untouched. ``fixed_temp``:
    write through :func:`temp_path` (for the journalled writes of an apply) instead
    of a randomly named temporary file.
    """
    folder = path.parent
    make_folders(folder)
    permissions = mode if mode is not None else _current_mode(path)
    if fixed_temp:
        temp = str(temp_path(path))
        fd = _create_exclusive(temp)
    else:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), permissions)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    fsync_folder(folder)


def _create_exclusive(temp: str) -> int:
    """Create ``temp`` anew; one left by a killed apply is removed first (its name is
    Day One's, and only one apply runs at a time)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(temp, flags, 0o600)
    except FileExistsError:
        remove_temp(Path(temp))
        return os.open(temp, flags, 0o600)


def stray_temp_files(root: Path, folders: Iterable[str]) -> list[str]:
    """Day One temporary files in ``folders`` (relative to ``root``, "" for ``root``):
    what a write killed halfway left. Folders that are missing or symlinks are skipped."""
    found: list[str] = []
    for folder in sorted(set(folders)):
        path = root / folder if folder else root
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                continue
            names = [e.name for e in os.scandir(path) if is_temp_name(e.name)]
        except OSError:
            continue
        found += [f"{folder}/{name}" if folder else name for name in sorted(names)]
    return found


def _current_mode(path: Path) -> int:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return NEW_FILE_MODE
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePathError(f"Refusing to overwrite {str(path)!r}: it is not a regular file.")
    return stat.S_IMODE(info.st_mode)


def atomic_delete(path: Path, *, root: Path | None = None) -> None:
    """Remove the file at ``path`` durably, then the folders that removal left empty.

    Folder cleanup stops below ``root`` (the project folder) and is skipped when
    ``root`` is not given: without it there is no telling where the project ends.
    ``unlink`` removes a symlink itself, never its target.
    """
    os.unlink(path)
    fsync_folder(path.parent)
    if root is not None:
        _remove_empty_folders(path.parent, root)


def _remove_empty_folders(folder: Path, root: Path) -> None:
    base = root.resolve()
    current = folder.resolve()
    while current != base and current.is_relative_to(base):
        try:
            os.rmdir(current)
        except OSError:  # not empty (or not ours to remove): stop climbing
            return
        fsync_folder(current.parent)
        current = current.parent


def make_folders(folder: Path) -> None:
    """Create ``folder`` and any missing parents, each made durable in its parent."""
    missing: list[Path] = []
    current = folder
    while not os.path.lexists(current):
        missing.append(current)
        current = current.parent
    for new in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(new)
        fsync_folder(new.parent)


def fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
