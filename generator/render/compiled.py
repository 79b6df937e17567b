"""A Jinja loader that keeps every compiled template in one cache file.

Jinja's own bytecode cache stores a file per template and, to know whether that
file is current, reads and hashes the template's source on every load: for the
170-odd templates of a project that costs more than rendering them. This loader
keys one file on everything compiled code depends on (the templates folder, Day
One's code, which sets the environment's options, and the versions of Jinja and
Python), so a warm load is one read and one ``marshal.loads``. A template that is
not in the file is compiled from source as usual, and ``save`` rewrites the file.

Like every cache of Day One's, it only saves time: a missing, damaged or
unwritable file means compiling from source, never a different render.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import MutableMapping
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from jinja2 import Environment, FileSystemLoader, Template

from generator.paths import folder_digest, package_dir, prune_cache, write_cache_entry

# Cache files kept (one per version of the templates seen); older ones are removed.
KEEP = 4


class CompiledLoader(FileSystemLoader):
    """Templates from ``templates``, their compiled code from ``cache`` (a folder)."""

    def __init__(self, templates: Path, cache: Path | None = None) -> None:
        super().__init__(str(templates))
        self._file = cache / _key(templates) if cache is not None else None
        self._codes = _read(self._file)
        self._compiled = False

    def load(
        self,
        environment: Environment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        code = self._codes.get(name)
        if code is None:
            source, filename, _ = self.get_source(environment, name)
            code = self._compile(environment, name, source, filename)
        return self._template(environment, code, globals)

    def from_string(self, environment: Environment, source: str) -> Template:
        """A template made from ``source``, compiled once per cache like the others
        (``Environment.from_string`` compiles on every call)."""
        name = f"<string {hashlib.sha256(source.encode()).hexdigest()}>"
        code = self._codes.get(name) or self._compile(environment, name, source, None)
        return self._template(environment, code, None)

    def save(self) -> None:
        """Write the cache file when this loader compiled something new."""
        if self._compiled and self._file is not None:
            if write_cache_entry(self._file, marshal.dumps(self._codes)):
                prune_cache(self._file.parent, KEEP)
            self._compiled = False

    def _compile(
        self, environment: Environment, name: str, source: str, filename: str | None
    ) -> CodeType:
        code = environment.compile(source, name, filename)
        self._codes[name] = code
        self._compiled = True
        return code

    @staticmethod
    def _template(
        environment: Environment, code: CodeType, globals: MutableMapping[str, Any] | None
    ) -> Template:
        return environment.template_class.from_code(
            environment, code, environment.make_globals(globals)
        )


def _key(templates: Path) -> str:
    digest = hashlib.sha256()
    for part in (
        jinja2.__version__,
        sys.version,
        folder_digest(templates),
        folder_digest(package_dir(), ".py"),
    ):
        digest.update(f"{part}\n".encode())
    return digest.hexdigest()


def _read(path: Path | None) -> dict[str, CodeType]:
    if path is None:
        return {}
    try:
        codes = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(codes, dict) or not all(
        isinstance(k, str) and isinstance(v, CodeType) for k, v in codes.items()
    ):
        return {}
    return codes
