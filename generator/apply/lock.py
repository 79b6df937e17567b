"""One apply at a time per project.

Two Day One processes applying to the same project at once would interleave their
writes and overwrite each other's journal, and no journal could then say what the
project held before. So every apply, resume and rollback holds an exclusive
``flock`` on the project's ``.dayone`` folder. The kernel drops the lock when the
process dies, however it dies, so a crash never leaves a stale lock behind, and no
lock file is left in the project either.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.apply.fs import make_folders
from generator.apply.paths import safe_target
from generator.errors import DayOneError

STATE_DIR = ".dayone"


@contextmanager
def project_lock(root: Path) -> Iterator[None]:
    """Hold the project's apply lock, or raise :class:`DayOneError` if another has it."""
    if not root.is_dir():
        raise DayOneError(f"Project folder {str(root)!r} does not exist.")
    state = safe_target(root, STATE_DIR)
    make_folders(state)
    fd = os.open(state, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DayOneError(
                "Another Day One apply is running in this project.",
                hint="Wait for it to finish, then run again.",
            ) from None
        yield
    finally:
        os.close(fd)
