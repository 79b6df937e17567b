"""Helpers shared by the apply tests: building project trees and comparing them."""

from __future__ import annotations

import os
import shutil
import stat
from contextlib import AbstractContextManager
from pathlib import Path
from unittest import mock

from generator.apply.fs import sha256_bytes
from generator.apply.transaction import FileOp

# What a tree holds: each file's bytes and permission bits, and each folder (as None).
Tree = dict[str, tuple[bytes, int] | None]


def build(root: Path, files: dict[str, bytes], modes: dict[str, int] | None = None) -> None:
    """Create ``files`` under ``root``, each 0o644 unless ``modes`` says otherwise."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.chmod(path, (modes or {}).get(rel, 0o644))


def snapshot(root: Path) -> Tree:
    """Every file and folder under ``root``, except Day One's own ``.dayone`` folder."""
    tree: Tree = {}
    for folder, dirs, files in os.walk(root):
        base = Path(folder)
        dirs[:] = [d for d in dirs if not (base == root and d == ".dayone")]
        for name in dirs:
            tree[(base / name).relative_to(root).as_posix()] = None
        for name in files:
            path = base / name
            tree[path.relative_to(root).as_posix()] = (
                path.read_bytes(),
                stat.S_IMODE(path.lstat().st_mode),
            )
    return tree


def file_states(root: Path, paths: list[str]) -> dict[str, bytes | None]:
    """The bytes at each path (``None``: no file)."""
    return {rel: (root / rel).read_bytes() if (root / rel).exists() else None for rel in paths}


def copy(source: Path, destination: Path) -> Path:
    """A faithful copy of a project, journal and permissions included."""
    shutil.copytree(source, destination, symlinks=True)
    return destination


def sha(data: bytes | None) -> str | None:
    return None if data is None else sha256_bytes(data)


def write(rel: str, new: bytes, old: bytes | None = None, mode: int | None = None) -> FileOp:
    """An op that turns ``old`` (``None``: no file) into ``new``."""
    return FileOp(rel, new, sha(old), mode)


def delete(rel: str, old: bytes) -> FileOp:
    return FileOp(rel, None, sha(old))


def skip_fsync() -> AbstractContextManager[object]:
    """Make ``os.fsync`` a no-op, for the tests that apply hundreds of times.

    Crash injection stops the process between write points, never inside the kernel,
    so fsync changes nothing these tests can observe; it only makes them slow when
    other work shares the disk. test_apply_fs checks that fsync is really called.
    """
    return mock.patch.object(os, "fsync", lambda fd: None)


def no_temp_files(root: Path) -> bool:
    return not any(p.name.endswith(".dayone-tmp") for p in root.rglob("*"))


# A plan exercising every kind of op: updates, creations (one executable, one in new
# nested folders), deletions (one emptying its folder), two identical files sharing
# a backup, a stale op and an unsafe one.
SCENARIO_FILES = {
    "keep.txt": b"untouched",
    "README.md": b"old readme",
    "app/main.py": b"old main",
    "app/models/user.py": b"old user",
    "bin/tool": b"old tool",
    "stale.txt": b"the user's edit",
    "twin/a.txt": b"same bytes",
    "twin/b.txt": b"same bytes",
}
SCENARIO_MODES = {"bin/tool": 0o755}
SCENARIO_OPS = [
    write("README.md", b"new readme", old=b"old readme"),
    write("app/main.py", b"new main", old=b"old main"),
    delete("app/models/user.py", b"old user"),
    write("scripts/run.sh", b"#!/bin/sh\n", mode=0o755),
    write("bin/tool", b"new tool", old=b"old tool"),
    write("stale.txt", b"generated", old=b"what the plan saw"),
    delete("twin/a.txt", b"same bytes"),
    write("twin/b.txt", b"other", old=b"same bytes"),
    write("docs/guide/intro.md", b"intro"),
    write("../escape.txt", b"never"),
]
# The journal, 5 backups (the twins share one), 8 applied ops, 10 progress records,
# and the removal of the journal.
SCENARIO_WRITE_POINTS = 1 + 5 + 8 + 10 + 1
SCENARIO_PATHS = sorted(set(SCENARIO_FILES) | {op.path for op in SCENARIO_OPS[:-1]})


def build_scenario(root: Path) -> Path:
    root.mkdir(parents=True)
    build(root, SCENARIO_FILES, SCENARIO_MODES)
    return root
