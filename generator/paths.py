"""Where things live: Day One's own data files (a source checkout, or the
installed wheel), its cache folder, and fixed paths inside a generated project."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

# The Alembic revisions of a generated project.
MIGRATIONS_DIR = "backend/alembic/versions"

_PACKAGE = Path(__file__).resolve().parent


def package_dir() -> Path:
    """The folder of Day One's own code (``generator/``)."""
    return _PACKAGE


def templates_dir() -> Path:
    checkout = _PACKAGE.parent / "templates"
    return checkout if checkout.is_dir() else _PACKAGE / "_templates"


def examples_dir() -> Path:
    checkout = _PACKAGE.parent / "examples"
    return checkout if checkout.is_dir() else _PACKAGE / "_examples"


def files_under(root: Path, suffix: str = "") -> list[tuple[str, str]]:
    """(relative posix path, absolute path) of every file under ``root`` whose name
    ends with ``suffix``, skipping ``__pycache__``, in path order (folder by folder,
    as pathlib sorts). ``os.walk`` rather than ``Path.rglob``: commands call this
    on every run, and pathlib's per-file overhead costs more than the walk itself."""
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if rel == "." else f"{rel}/"
        found += [(prefix + n, os.path.join(folder, n)) for n in names if n.endswith(suffix)]
    return sorted(found, key=lambda item: item[0].split("/"))


@cache
def folder_digest(root: Path, suffix: str = "") -> str:
    """The digest of the names and contents of the files under ``root`` whose
    names end with ``suffix`` (computed once per process)."""
    digest = hashlib.sha256()
    for rel, path in files_under(root, suffix):
        with open(path, "rb") as file:
            data = file.read()
        digest.update(f"{rel}\n".encode())
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def cache_root() -> Path | None:
    """Day One's cache folder; None when DAYONE_NO_CACHE is set."""
    if os.environ.get("DAYONE_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dayone"


def write_cache_entry(path: Path, data: bytes) -> bool:
    """Write one cache entry whole: a temporary file beside it, then a rename, so
    a reader sees the old entry or the new one. False when it cannot be written,
    which is never an error: a cache only saves time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        return False
    return True


def prune_cache(folder: Path, keep: int) -> None:
    """Remove all but the ``keep`` newest entries of a cache folder. Never an error:
    another process may be pruning the same folder."""
    try:
        entries = sorted(
            (p.stat().st_mtime, p) for p in folder.iterdir() if not p.name.startswith(".")
        )
        for _, path in entries[:-keep]:
            path.unlink(missing_ok=True)
    except OSError:
        pass
