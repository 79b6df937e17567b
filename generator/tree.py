"""A render as regeneration uses it, and a cache of renders keyed by their inputs.

Planning and applying both compare the project with a fresh render of its spec.
``apply`` renders the same inputs ``plan`` rendered a moment before, so the
result is kept in Day One's cache folder, keyed by a digest of everything a
render depends on: the spec's bytes, the recorded schema and migrations, the
templates and Day One's own code, and the versions of Day One, ruff and
Python. Equal keys mean an equal render, so a hit is as good as rendering
again; a missing, damaged or unwritable cache only costs the time to render.

This module is deliberately light (no Jinja, no spec models): a command whose
render is cached never loads the rendering machinery at all.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct

from generator import __version__
from generator.paths import (
    MIGRATIONS_DIR,
    cache_root,
    folder_digest,
    package_dir,
    prune_cache,
    templates_dir,
    write_cache_entry,
)
from generator.toolchain import formatter_version

if TYPE_CHECKING:
    from generator.render import Rendered

# Entries kept in the cache; older ones are removed when a new one is written.
KEEP = 16
_FORMAT = 1


class Tree(Struct, frozen=True):
    """What regeneration needs from a render, as plain data."""

    files: dict[str, bytes]
    executable: frozenset[str]
    moves: dict[str, str]  # old path -> new path, for entities renamed in the spec
    new_migration: str | None  # path of the revision this render adds
    destructive: bool  # that revision drops or narrows something
    needs_backfill: tuple[str, ...]  # columns it makes NOT NULL without a default
    schema_json: bytes  # .dayone/schema.json as of this render

    @classmethod
    def of(cls, rendered: Rendered) -> Tree:
        from generator.state import schema_bytes

        revision = rendered.new_revision
        return cls(
            files=rendered.files,
            executable=rendered.executable,
            moves=rendered.moves,
            new_migration=f"{MIGRATIONS_DIR}/{revision.filename}" if revision else None,
            destructive=rendered.destructive,
            needs_backfill=revision.needs_backfill if revision else (),
            schema_json=schema_bytes(rendered.schema, rendered.entities),
        )

    def to_bytes(self) -> bytes:
        return marshal.dumps(
            (
                _FORMAT,
                self.files,
                sorted(self.executable),
                self.moves,
                self.new_migration,
                self.destructive,
                self.needs_backfill,
                self.schema_json,
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Tree | None:
        """The tree in ``data``; None unless it is exactly what ``to_bytes`` writes."""
        try:
            fields = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None
        if not (isinstance(fields, tuple) and len(fields) == 8 and fields[0] == _FORMAT):
            return None
        _, files, executable, moves, new_migration, destructive, backfill, schema = fields
        if not (
            _str_map(files, bytes)
            and isinstance(executable, list)
            and all(isinstance(p, str) for p in executable)
            and _str_map(moves, str)
            and (new_migration is None or isinstance(new_migration, str))
            and isinstance(destructive, bool)
            and isinstance(backfill, tuple)
            and all(isinstance(c, str) for c in backfill)
            and isinstance(schema, bytes)
        ):
            return None
        return cls(
            files, frozenset(executable), moves, new_migration, destructive, backfill, schema
        )


def _str_map(value: object, kind: type) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, kind) for k, v in value.items()
    )


def render_key(
    spec: bytes,
    schema_json: bytes,
    on_disk: Mapping[str, bytes],
    recorded: Mapping[str, bytes],
) -> str:
    """The digest of every input of a render of an existing project: besides the
    spec and ``schema.json``, the revision files ``on_disk`` and the baseline's
    copies of Day One's own (``recorded``), which together decide the next revision.
    """
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label} {len(data)}\n".encode())
        digest.update(data)

    add("dayone", __version__.encode())
    add("python", sys.version.encode())
    add("ruff format", formatter_version().encode())
    add("templates", folder_digest(templates_dir()).encode())
    # The code that renders, too: in a source checkout it changes without a new version.
    add("code", folder_digest(package_dir(), ".py").encode())
    add("spec", spec)
    add("schema", schema_json)
    for side, files in (("on disk", on_disk), ("recorded", recorded)):
        for path, content in sorted(files.items()):
            add(f"{side} {path}", content)
    return digest.hexdigest()


class TreeCache:
    """One file per render under ``root``; never an error, only a miss."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def default(cls) -> TreeCache | None:
        root = cache_root()
        return cls(root / "renders") if root else None

    def get(self, key: str) -> Tree | None:
        try:
            data = (self.root / key).read_bytes()
        except OSError:
            return None
        return Tree.from_bytes(data)

    def put(self, key: str, tree: Tree) -> None:
        if write_cache_entry(self.root / key, tree.to_bytes()):
            prune_cache(self.root, KEEP)
