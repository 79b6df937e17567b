"""The ``.dayone/`` folder of a generated project: what Day One last wrote.

* ``manifest.json``: generator version, spec hash, and the sha256 of every
  generated path. Small and stable, so it diffs well in code review.
* ``baseline/<path>``: the exact content Day One last wrote at each path, the
  BASE of the three-way comparison when regenerating. Planning needs neither
  git nor the old generator version.
* ``requirements.txt``: where the Day One that last wrote the project came from,
  as the pip requirement that installs it again (``generator.provenance``); the
  generated CI installs Day One from it.
* ``schema.json``: the database schema as of the newest migration Day One
  generated, and the table of each entity then (``entities``), so a spec change
  can be turned into a new revision. One line per column, index and
  constraint, so that a schema change is a readable diff::

    {
      "format": 2,
      "entities": {
        "Deal": "deals"
      },
      "tables": [
        {
          "name": "deals",
          "columns": [
            {"name": "id", "type": {"kind": "uuid"}, "primary_key": true},
            {"name": "title", "type": {"kind": "string", "length": 200}},
            ...
          ],
          "uniques": [...], "indexes": [...], "checks": [...]
        }
      ]
    }

``load_prior`` reads the last two back (with the revision files) as the
``Prior`` that rendering turns into the next migration.

Everything here is computed from a render; ``generator.apply`` writes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from generator import __version__
from generator.errors import DayOneError
from generator.paths import MIGRATIONS_DIR

if TYPE_CHECKING:
    from generator.provenance import Source
    from generator.render import Prior, Rendered
    from generator.schema import Schema

# Reading the schema and the migrations back needs the schema and render modules;
# they are imported where used, so that what only reads .dayone/ stays quick to load.

STATE_DIR = ".dayone"
BASELINE_DIR = f"{STATE_DIR}/baseline"
MANIFEST = f"{STATE_DIR}/manifest.json"
SCHEMA = f"{STATE_DIR}/schema.json"
# Where the Day One that wrote the project came from, as a pip requirement
# (generator.provenance); the generated CI installs Day One from it.
REQUIREMENTS = f"{STATE_DIR}/requirements.txt"
SPEC_FILE = "dayone.yaml"
MANIFEST_SCHEMA_VERSION = 1
SCHEMA_FORMAT = 2
# The way out of a damaged schema.json.
SCHEMA_HINT = (
    f"Restore {SCHEMA} from version control (`git checkout -- {SCHEMA}`): "
    "it records the schema of the newest migration Day One generated."
)


class StateError(DayOneError):
    """The recorded schema or the migrations cannot be read back."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Manifest(Struct, frozen=True):
    generator_version: str
    spec_sha256: str
    files: dict[str, str]  # path -> sha256 of what Day One wrote there

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {
            "schema_version": MANIFEST_SCHEMA_VERSION,
            "generator": {"name": "dayone", "version": self.generator_version},
            "spec_sha256": self.spec_sha256,
            "files": dict(sorted(self.files.items())),
        }
        return (json.dumps(data, indent=2, sort_keys=False) + "\n").encode()


def state_files(
    rendered: Rendered, spec_bytes: bytes, source: Source | None = None
) -> dict[str, bytes]:
    """The .dayone/ files recording ``rendered`` as the new baseline, and, given
    ``source``, the pin of the Day One that rendered it."""
    manifest = Manifest(
        generator_version=__version__,
        spec_sha256=sha256(spec_bytes),
        files={path: sha256(data) for path, data in rendered.files.items()},
    )
    files = {f"{BASELINE_DIR}/{path}": data for path, data in rendered.files.items()}
    files[MANIFEST] = manifest.to_bytes()
    files[SCHEMA] = schema_bytes(rendered.schema, rendered.entities)
    if source is not None:
        files[REQUIREMENTS] = source.to_bytes()
    return files


# --- schema.json ---------------------------------------------------------------------------------


def schema_bytes(schema: Schema, entities: Mapping[str, str]) -> bytes:
    """``schema.json``: the schema and entity -> table, one line per column, index and
    constraint."""

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    def joined(items: list[str], indent: str) -> list[str]:
        return [
            f"{indent}{item}{',' if n < len(items) - 1 else ''}" for n, item in enumerate(items)
        ]

    lines = ["{", f'  "format": {SCHEMA_FORMAT},']
    if entities:
        lines.append('  "entities": {')
        lines += joined([f"{dump(k)}: {dump(v)}" for k, v in sorted(entities.items())], "    ")
        lines.append("  },")
    else:
        lines.append('  "entities": {},')
    tables: list[dict[str, Any]] = schema.to_json()["tables"]
    lines.append('  "tables": [' if tables else '  "tables": []')
    for n, table in enumerate(tables):
        lines.append("    {")
        parts: list[str] = []
        for key, value in table.items():
            if isinstance(value, list):
                inner = joined([dump(item) for item in value], "        ")
                parts.append("\n".join([f"      {dump(key)}: [", *inner, "      ]"]))
            else:
                parts.append(f"      {dump(key)}: {dump(value)}")
        lines += [part + ("," if i < len(parts) - 1 else "") for i, part in enumerate(parts)]
        lines.append("    }" + ("," if n < len(tables) - 1 else ""))
    if tables:
        lines.append("  ]")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def read_schema(
    data: bytes, revisions: Mapping[str, bytes] | None = None
) -> tuple[Schema, dict[str, str]]:
    """``schema.json`` -> (schema, entity -> table). Files written before the entity map
    was recorded give an empty map (renames then fall back to default table names).

    The file is checked first (``generator.schema.recorded``): its format, its
    structure, and, given Day One's ``revisions`` (path -> content), that it records
    the tables they create."""
    from generator.schema import Schema
    from generator.schema.recorded import RecordedSchemaError, check_recorded

    try:
        raw = json.loads(data)
        check_recorded(raw, revisions or {})
        schema = Schema.from_json(raw)
        entities = {str(k): str(v) for k, v in (raw.get("entities") or {}).items()}
    except RecordedSchemaError as exc:
        raise StateError(exc.message, hint=exc.hint) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StateError(
            f"{SCHEMA} is damaged: {exc}",
            hint="Restore it from version control; it records the schema of the newest "
            "migration Day One generated.",
        ) from None
    return schema, entities


# --- reading the prior migrations back -----------------------------------------------------------


def is_revision_path(path: str) -> bool:
    """A file directly in the Alembic versions folder."""
    folder, _, name = path.rpartition("/")
    return folder == MIGRATIONS_DIR and name.endswith(".py")


def revision_ids(migrations: Mapping[str, bytes]) -> frozenset[str]:
    """The ids of the revision files among ``migrations``."""
    from generator.schema.diff import read_revision_ids

    found = (read_revision_ids(content)[0] for content in migrations.values())
    return frozenset(ident for ident in found if ident is not None)


def migration_head(migrations: Mapping[str, bytes]) -> str | None:
    """The one revision no other revision builds on; None without revisions."""
    from generator.schema.diff import read_revision_ids

    ids = revision_ids(migrations)
    below: set[str] = set()
    for content in migrations.values():
        below.update(read_revision_ids(content)[1])
    heads = sorted(ids - below)
    if len(heads) > 1:
        raise StateError(
            f"the migrations have {len(heads)} heads ({', '.join(heads)}), so a new revision "
            "would not know which one to follow",
            hint="Merge them first: `alembic merge heads -m merge` in backend/, then regenerate.",
        )
    if not heads and ids:
        raise StateError(
            "the migrations' down_revision links form a cycle",
            hint=f"Fix the revision files in {MIGRATIONS_DIR}, then regenerate.",
        )
    return heads[0] if heads else None


def load_prior(
    schema_json: bytes, baseline: Mapping[str, bytes], migrations: Mapping[str, bytes]
) -> Prior:
    """What rendering needs to add the next migration.

    ``schema_json``: the bytes of ``.dayone/schema.json``. ``baseline``: what Day One
    last wrote, by project path (``.dayone/baseline`` without that prefix); the
    revision files in it are the ones Day One generated, carried into the render
    unchanged. ``migrations``: every file of ``backend/alembic/versions/`` on disk
    now, by project path, the user's own revisions included; the new revision
    follows their head.
    """
    from generator.render import Prior

    revisions = {p: c for p, c in sorted(baseline.items()) if is_revision_path(p)}
    schema, entities = read_schema(schema_json, revisions)
    on_disk = {p: c for p, c in migrations.items() if is_revision_path(p)}
    return Prior(
        schema=schema,
        entities=entities,
        revisions=revisions,
        head=migration_head(on_disk),
        taken=revision_ids(on_disk),
        others={p: c for p, c in on_disk.items() if p not in revisions},
    )


def read_prior_inputs(root: Path) -> tuple[bytes, dict[str, bytes]]:
    """The bytes of ``schema.json`` and of every revision file on disk (by project path):
    with the baseline, all that ``load_prior`` reads."""
    from generator.reading import read_capped

    try:
        schema_json = read_capped(root / SCHEMA, name=SCHEMA, hint=SCHEMA_HINT)
    except (FileNotFoundError, NotADirectoryError):
        raise StateError(
            f"{root} has no {SCHEMA}",
            hint=f"Run `dayone adopt {root}` to record the current schema.",
        ) from None
    folder = root / MIGRATIONS_DIR
    migrations = {
        f"{MIGRATIONS_DIR}/{p.name}": read_capped(
            p, name=f"{MIGRATIONS_DIR}/{p.name}", hint=f"Move {p.name} out of {MIGRATIONS_DIR}."
        )
        for p in sorted(folder.glob("*.py"))
        if p.is_file() and not p.is_symlink()
    }
    return schema_json, migrations
