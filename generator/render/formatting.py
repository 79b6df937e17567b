"""Black formatting of rendered Python, with a cache keyed by content.

Formatting dominates rendering time (black costs a fraction of a millisecond
per line), and most files come out of the templates identical run after run,
so results are cached by the sha256 of the input, black's version and mode.
The cache is an optional, injected store: rendering stays a pure function of
its inputs whether or not a cache is given.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from generator.errors import DayOneError
from generator.paths import cache_root, write_cache_entry
from generator.toolchain import black_version

LINE_LENGTH = 88

if TYPE_CHECKING:
    from black.mode import Mode


@cache
def _mode() -> Mode:
    # black is imported on the first cache miss only: it is slow to import, and
    # a warm cache (the usual case when regenerating) never needs it.
    from black.mode import Mode, TargetVersion

    return Mode(target_versions={TargetVersion.PY311}, line_length=LINE_LENGTH)


class TemplateSyntaxError(DayOneError):
    """A template rendered Python that does not parse: a bug in a template, not in the spec."""

    exit_code = 3


class Cache(Protocol):
    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str) -> None: ...


class MemoryCache:
    def __init__(self) -> None:
        self._items: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self._items.get(key)

    def put(self, key: str, value: str) -> None:
        self._items[key] = value


class DiskCache:
    """One file per entry under ``root``; a missing or unwritable cache is never an error."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def default(cls) -> DiskCache | None:
        root = cache_root()
        return cls(root / f"black-{black_version()}") if root else None

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str) -> str | None:
        try:
            return self._path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, value: str) -> None:
        write_cache_entry(self._path(key), value.encode("utf-8"))


# Below this many uncached files, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD = 8


class PythonFormatter:
    """Formats Python source with black, consulting ``cache`` first."""

    def __init__(self, cache: Cache | None = None) -> None:
        self.cache: Cache = cache if cache is not None else MemoryCache()

    @staticmethod
    def key(source: str) -> str:
        salt = f"black {black_version()} {LINE_LENGTH} py311\n"
        return hashlib.sha256((salt + source).encode()).hexdigest()

    def format(self, path: str, source: str) -> str:
        return self.format_all({path: source})[path]

    def format_all(self, sources: dict[str, str]) -> dict[str, str]:
        """Format many files; cache misses are spread over the CPUs when there are many."""
        keys = {path: self.key(source) for path, source in sources.items()}
        done: dict[str, str] = {}
        missing: list[str] = []
        for path, key in keys.items():
            cached = self.cache.get(key)
            if cached is None:
                missing.append(path)
            else:
                done[path] = cached
        jobs = [(path, sources[path]) for path in missing]
        workers = min(os.cpu_count() or 1, len(jobs) // _PARALLEL_THRESHOLD)
        results = _format_in_pool(jobs, workers) if workers > 1 else None
        if results is None:
            results = [_format_one(job) for job in jobs]
        for path, (formatted, error) in zip(missing, results, strict=True):
            if error is not None:
                raise TemplateSyntaxError(
                    f"the template for {path} rendered Python that does not parse: {error}",
                    hint="This is a bug in Day One's templates; please report it with your spec.",
                )
            self.cache.put(keys[path], formatted)
            done[path] = formatted
        return done


def _format_in_pool(
    jobs: list[tuple[str, str]], workers: int
) -> list[tuple[str, str | None]] | None:
    """Format on ``workers`` forked processes; None where processes cannot fork."""
    import multiprocessing  # imported only for a large, cold cache

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(_format_one, jobs, chunksize=max(1, len(jobs) // workers // 2))


def _format_one(job: tuple[str, str]) -> tuple[str, str | None]:
    """(formatted, None), or ("", error message); picklable for worker processes."""
    import black
    from black.parsing import InvalidInput

    try:
        return black.format_str(job[1], mode=_mode()), None
    except InvalidInput as exc:
        return "", str(exc)
