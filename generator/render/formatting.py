"""ruff formatting of rendered Python, with a cache keyed by content.

Generated code has one formatter, ruff's (the generated project checks it with
``ruff format --check`` beside ``ruff check``). Formatting dominates rendering
time, and most files come out of the templates identical run after run, so
results are cached by the sha256 of the input, ruff's version and settings.
The cache is an optional, injected store: rendering stays a pure function of
its inputs whether or not a cache is given. Cache misses are formatted by one
``ruff format`` process over a scratch folder (ruff spreads the files over the
CPUs itself).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from generator.errors import DayOneError
from generator.paths import cache_root, write_cache_entry
from generator.toolchain import FormatError, formatter_version, ruff_format

LINE_LENGTH = 88
# The settings of the generated project's [tool.ruff] that formatting reads;
# --isolated keeps any ruff configuration around the scratch folder out.
SETTINGS = ("--isolated", "--target-version", "py311")


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
        return cls(root / f"ruff-format-{formatter_version()}") if root else None

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str) -> str | None:
        try:
            return self._path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, value: str) -> None:
        write_cache_entry(self._path(key), value.encode("utf-8"))


class PythonFormatter:
    """Formats Python source with ruff, consulting ``cache`` first."""

    def __init__(self, cache: Cache | None = None) -> None:
        self.cache: Cache = cache if cache is not None else MemoryCache()

    @staticmethod
    def key(source: str) -> str:
        salt = f"ruff {formatter_version()} {LINE_LENGTH} {' '.join(SETTINGS)}\n"
        return hashlib.sha256((salt + source).encode()).hexdigest()

    def format(self, path: str, source: str) -> str:
        return self.format_all({path: source})[path]

    def format_all(self, sources: dict[str, str]) -> dict[str, str]:
        """Format many files; the cache misses in one ruff process."""
        keys = {path: self.key(source) for path, source in sources.items()}
        done: dict[str, str] = {}
        missing: dict[str, str] = {}
        for path, key in keys.items():
            cached = self.cache.get(key)
            if cached is None:
                missing[path] = sources[path]
            else:
                done[path] = cached
        for path, formatted in format_sources(missing).items():
            self.cache.put(keys[path], formatted)
            done[path] = formatted
        return done


def format_sources(sources: dict[str, str], line_length: int = LINE_LENGTH) -> dict[str, str]:
    """``sources`` formatted by ruff. Raises TemplateSyntaxError, naming the first
    file that does not parse."""
    try:
        return ruff_format(sources, line_length, SETTINGS)
    except FormatError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        raise TemplateSyntaxError(
            f"the template for {exc.path} rendered Python that does not parse{where}: {exc.detail}",
            hint="This is a bug in Day One's templates; please report it with your spec.",
        ) from None
