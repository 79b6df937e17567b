"""Conflicts in git's own terms: the three versions of a file as index stages.

When the project is (inside) a git work tree and ``apply --markers`` writes
conflict markers into a file, the last generated version (stage 1), the user's
(stage 2) and the new template's (stage 3) go into git's index, exactly as a
conflicted ``git merge`` leaves them. ``git status`` then shows the file as
"both modified", ``git mergetool`` and IDEs open the three versions, and
``git add`` after editing resolves it.

Everything goes through the real ``git`` binary (``hash-object -w``,
``update-index --index-info``, ``ls-files -u``); without git, or outside a work
tree, these functions do nothing and the caller carries on as without git.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from msgspec import Struct

_TIMEOUT = 60  # seconds, per git command


class GitError(Exception):
    """A git command failed; the message says which and why."""


class Stages(Struct, frozen=True):
    """The three versions of one conflicted project path (``base`` None: none)."""

    path: str  # relative to the project
    base: bytes | None
    ours: bytes
    theirs: bytes
    executable: bool = False


def _env() -> dict[str, str]:
    # A GIT_DIR or GIT_INDEX_FILE from the caller's environment (a hook, say) would
    # point git at another repository than the project's.
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args],
            input=stdin,
            capture_output=True,
            check=False,
            env=_env(),
            timeout=_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitError(f"`git {args[0]}` could not run ({error})") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"`git {args[0]}` failed: {detail[-1] if detail else result.returncode}")
    return result.stdout


def work_tree_prefix(root: Path) -> str | None:
    """The project's folder inside its git work tree ("" at the top, ending in "/"
    below it); ``None`` when there is no git or the project is not in a work tree."""
    if shutil.which("git") is None:
        return None
    try:
        inside = _git(root, "rev-parse", "--is-inside-work-tree").strip()
        if inside != b"true":
            return None
        return _git(root, "rev-parse", "--show-prefix").decode("utf-8").strip()
    except (GitError, UnicodeDecodeError):
        return None


def unmerged(root: Path, paths: Sequence[str]) -> frozenset[str]:
    """Those of ``paths`` (project-relative) that git's index holds unmerged."""
    prefix = work_tree_prefix(root) if paths else None
    if prefix is None:
        return frozenset()
    try:
        out = _git(root, "ls-files", "-u", "-z", "--full-name", "--", *paths)
    except GitError:
        return frozenset()
    found = set()
    for record in out.split(b"\0"):
        if b"\t" in record:
            name = record.split(b"\t", 1)[1].decode("utf-8", "surrogateescape")
            found.add(name.removeprefix(prefix))
    return frozenset(found)


def stage(root: Path, prefix: str, conflict: Stages) -> None:
    """Record one conflict's versions as index stages 1-3 (2-3 without a base),
    in place of the path's ordinary entry. Raises :class:`GitError` when git refuses."""
    full = prefix + conflict.path
    mode = "100755" if conflict.executable else "100644"
    lines = [f"0 {'0' * 40}\t{full}"]  # drops the path's ordinary (stage 0) entry
    for number, data in ((1, conflict.base), (2, conflict.ours), (3, conflict.theirs)):
        if data is not None:
            # --path: the blob is cleaned as `git add` of that path would clean it.
            blob = _git(root, "hash-object", "-w", "--stdin", "--path", conflict.path, stdin=data)
            lines.append(f"{mode} {blob.decode().strip()} {number}\t{full}")
    _git(root, "update-index", "-z", "--index-info", stdin="\0".join(lines).encode() + b"\0")
