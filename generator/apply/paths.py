"""Path safety for everything Day One writes into a user's project.

Plans name files by project-relative POSIX paths. Those names come from templates
and spec data, so a template bug or a hostile spec could name ``../../etc/passwd``.
And a project may contain symlinks (checked in, or made by tooling) that would
silently carry a write outside the project, or into a file the plan never meant to
touch. Every path an apply writes, deletes or even reads goes through
:func:`safe_target`, which refuses both. A generated path is never a symlink, not
even one pointing inside the project: Day One owns the bytes at that path, and
writing through a link would change a file the plan knows under another name.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from generator.errors import UnsafePathError

_WINDOWS_DRIVE = re.compile(r"[A-Za-z]:")
_PLAN_HINT = "Plans may only name files inside the project; this is a bug in the plan or spec."
_LINK_HINT = (
    "Day One never writes through a symlink. Replace the symlink with a real file or "
    "folder, or move it out of the way, then run again."
)


def check_relative(rel: str) -> str:
    """Return ``rel`` normalised (repeated slashes collapsed) if it is a safe plan path.

    The checks are purely textual, so they hold on any platform and before anything
    touches the disk. Raises :class:`UnsafePathError` naming the path and the reason.
    """
    problem = _textual_problem(rel)
    if problem is not None:
        raise UnsafePathError(f"Refusing path {rel!r}: {problem}.", hint=_PLAN_HINT)
    return "/".join(part for part in rel.split("/") if part)


def _textual_problem(rel: str) -> str | None:
    if not rel:
        return "it is empty"
    if "\0" in rel:
        return "it contains a NUL byte"
    if rel.startswith(("/", "\\")) or _WINDOWS_DRIVE.match(rel):
        return "it is absolute"
    if "\\" in rel:
        return "it contains a backslash"
    if rel.endswith("/"):
        return "it ends with '/', so it names a folder, not a file"
    parts = rel.split("/")
    if ".." in parts:
        return "it has a '..' component"
    if "." in parts:
        return "it has a '.' component"
    return None


def safe_target(root: Path, rel: str) -> Path:
    """Return the absolute path of ``rel`` under ``root``, refusing symlinks on the way.

    Every component of ``root/rel`` that exists, the last one included, is checked
    with ``lstat`` (which never follows a link). Components from the first missing
    one on cannot be links: they do not exist. ``root`` itself may sit behind a
    symlink (``/tmp`` on macOS does); only what lies below it is Day One's concern.
    """
    parts = check_relative(rel).split("/")
    base = root.resolve()
    current = base
    for part in parts:
        current = current / part
        try:
            info = os.lstat(current)
        except (FileNotFoundError, NotADirectoryError):
            break
        if stat.S_ISLNK(info.st_mode):
            shown = current.relative_to(base).as_posix()
            raise UnsafePathError(
                f"Refusing path {rel!r}: {shown!r} is a symlink.", hint=_LINK_HINT
            )
    target = base.joinpath(*parts)
    if not target.resolve().is_relative_to(base):
        raise UnsafePathError(f"Refusing path {rel!r}: it resolves outside the project.")
    return target
