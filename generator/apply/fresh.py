"""Write a brand-new project: all of it, or nothing.

The tree is written into a temporary folder beside the target and renamed into
place in one step, so a failure at any point leaves no half-written project.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from generator.apply.fs import fsync_folder
from generator.apply.paths import check_relative
from generator.errors import DayOneError


class TargetNotEmptyError(DayOneError):
    pass


def create_project(
    target: Path, files: Mapping[str, bytes], executable: frozenset[str] = frozenset()
) -> None:
    target = target.absolute()
    relative = {check_relative(rel): data for rel, data in files.items()}
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise TargetNotEmptyError(
            f"{target} already exists and is not empty",
            hint="Choose another --out folder, or regenerate the existing project with "
            "`dayone plan` and `dayone apply`.",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for rel, data in relative.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(path, 0o755 if rel in executable else 0o644)
        os.chmod(staging, 0o755)
        # rename() replaces an empty directory atomically and fails on a
        # non-empty one, so a folder filled meanwhile is never clobbered.
        os.rename(staging, target)
        fsync_folder(target.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
