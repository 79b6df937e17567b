"""Reading a file Day One did not write itself, with a size cap.

A spec, a project file to merge, or a state file (manifest, baseline copy,
``schema.json``, ``plan.json``) could be anything: a symlink to ``/dev/zero``,
a FIFO that never ends, a file of many gigabytes. ``read_capped`` reads at most
``cap + 1`` bytes from a regular file (checked on the open file, so it cannot
be swapped between check and read) and raises ``ReadRefused`` otherwise.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from generator.errors import DayOneError

# The largest project or state file Day One reads. Generated files are far smaller; a
# user's file this large is not something to merge line by line.
MAX_FILE_BYTES = 64 * 1024 * 1024
# The largest spec (docs/spec.md).
MAX_SPEC_BYTES = 1_000_000


class ReadRefused(DayOneError):
    """A file that is not a regular file, or is larger than Day One reads."""


def describe(cap: int) -> str:
    """``cap`` in words: "1 MB", "64 MiB"."""
    if cap % (1024 * 1024) == 0:
        return f"{cap // (1024 * 1024)} MiB"
    if cap % 1_000_000 == 0:
        return f"{cap // 1_000_000} MB"
    return f"{cap} bytes"


def read_capped(
    path: Path, *, name: str, cap: int = MAX_FILE_BYTES, hint: str | None = None
) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed), at most ``cap``.

    ``name`` is how messages call the file; ``hint`` says what to do about it.
    ``FileNotFoundError`` and ``NotADirectoryError`` pass through for the caller to
    word; any other failure is a ``ReadRefused``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        raise
    except OSError as exc:
        raise ReadRefused(f"cannot read {name}: {exc.strerror}", hint=hint) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ReadRefused(f"{name} is not a regular file ({_kind(mode)})", hint=hint)
        chunks: list[bytes] = []
        left = cap + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise ReadRefused(f"{name} is larger than {describe(cap)}", hint=hint)
        return b"".join(chunks)
    except OSError as exc:
        raise ReadRefused(f"cannot read {name}: {exc.strerror}", hint=hint) from None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"
