"""Where things live: Day One's own data files (a source checkout, or the
installed wheel), its cache folder, and fixed paths inside a generated project."""

from __future__ import annotations

import os
from pathlib import Path

# The Alembic revisions of a generated project.
MIGRATIONS_DIR = "backend/alembic/versions"

_PACKAGE = Path(__file__).resolve().parent


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
