"""One apply at a time per project.

Two Day One processes applying to the same project at once would interleave their
writes and overwrite each other's journal, and no journal could then say what the
project held before. So every apply, resume and rollback holds an exclusive
``flock`` on the project's ``.dayone`` folder. The kernel drops the lock when the
process dies, however it dies, so a crash never leaves a stale lock behind, and no
lock file is left in the project either. Which process holds it, the kernel says
too (``/proc/locks`` on Linux), so a second command can name it.
"""

from __future__ import annotations

import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.apply.fs import make_folders
from generator.apply.paths import safe_target
from generator.errors import DayOneError

STATE_DIR = ".dayone"


class ApplyRunning(DayOneError):
    """Another process is applying to the project right now."""

    def __init__(self, state: Path) -> None:
        pid = lock_holder(state)
        who = f" (pid {pid})" if pid is not None else ""
        super().__init__(
            f"Another Day One apply is running in this project{who}.",
            hint="Wait for it to finish, then run the command again.",
        )


@contextmanager
def project_lock(root: Path, *, create: bool = True) -> Iterator[None]:
    """Hold the project's apply lock, or raise :class:`DayOneError` if another has it.

    Without ``create`` (resume and rollback), the ``.dayone`` folder must exist already:
    nothing is ever written into a folder that is not a project.
    """
    if not root.is_dir():
        raise DayOneError(f"Project folder {str(root)!r} does not exist.")
    state = safe_target(root, STATE_DIR)
    if create:
        make_folders(state)
    elif not os.path.isdir(state):
        raise DayOneError(
            f"{str(root)!r} is not a Day One project (it has no {STATE_DIR} folder).",
            hint="Pass the folder `dayone new` created.",
        )
    fd = os.open(state, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ApplyRunning(state) from None
        yield
    finally:
        os.close(fd)


def is_locked(root: Path) -> bool:
    """Whether an apply, resume or rollback holds the lock of ``root`` right now."""
    try:
        fd = os.open(root / STATE_DIR, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the probe's own shared lock
    return False


def lock_holder(state: Path) -> int | None:
    """The pid holding a ``flock`` on the folder ``state``, where the system says
    (Linux's ``/proc/locks``: ``1: FLOCK ADVISORY WRITE <pid> <maj>:<min>:<inode> ...``)."""
    try:
        info = os.stat(state)
        with open("/proc/locks", encoding="ascii", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode):
        return None
    wanted = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    for line in lines:
        fields = line.split()
        if "FLOCK" in fields and "->" not in fields and len(fields) >= 6:
            at = fields.index("FLOCK")
            if len(fields) > at + 4 and fields[at + 4] == wanted and fields[at + 3].isdigit():
                return int(fields[at + 3])
    return None
