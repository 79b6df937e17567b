"""The apply journal: what lets an interrupted apply be finished or undone.

Layout, under ``<project>/.dayone/journal/``::

    journal.json       the plan; written once, before any project file is touched
    progress.json      what became of each op so far; rewritten after every op
    backup/<sha256>    pre-apply bytes of each file an op overwrites or deletes,
                       named by their SHA-256 (identical files share one backup)

``journal.json``::

    {
      "schema_version": 1,
      "started_at": "2025-01-31T12:00:00+00:00",  # UTC, ISO 8601
      "ops": [                                     # in plan order
        {
          "path": "app/main.py",        # exactly as the plan gave it
          "content_b64": "aW1w...",     # the new bytes, base64; null: delete the file
          "content_sha256": "9f2c...",  # SHA-256 of the new bytes; null when deleting
          "expected_sha256": "51ab...", # what the plan saw there; null: no file
          "mode": 493,                  # permission bits to set, or null
          "found_sha256": "51ab...",    # what was there when the journal was written
          "found_mode": 420,            # and its permission bits (null: no file)
          "temp": "app/.main.py.dayone-tmp",  # the temporary file the write goes through
          "requires": null,             # a path whose op must be applied for this one to run
          "manifest": null              # or how the content follows from the outcomes
        }
      ]
    }

``progress.json`` (absent until the first op is done)::

    {
      "schema_version": 1,
      "state": "applying",              # "rolling_back" once a rollback has begun
      "outcomes": [                     # one per op done so far, in plan order
        {"path": "app/main.py", "status": "applied", "reason": "updated"}
      ]
    }

Why it is shaped so:

* ``journal.json`` carries the new contents, so a resume needs nothing but the
  journal. It is the journal's commit record: written first, deleted first. A
  journal folder without it is debris of a crash before the first or after the last
  write point of an apply; it never touched a project file, and the next apply
  removes it.
* ``found_*`` settle the one ambiguous crash: between writing a file and recording
  it. If the file now holds the op's new content, the op ran if the file held the
  expected content at the start; if it already held the new content then, the op was
  (and is again) refused as stale, and a rollback must leave it alone.
* Every write goes through a temporary file named after its target (``temp``), so
  the journal names each temporary file before it is created; a resume or rollback
  removes those a ``kill -9`` left halfway.
* ``requires`` ties a baseline copy to its project file: a refused write keeps its
  path's old baseline. ``manifest`` (see ``ManifestRecipe``) makes the manifest,
  the last op, name exactly what was applied.
* Every journal file is written with ``atomic_write``, so none is ever seen torn;
  ``content_sha256`` and the backups' names let a damaged journal be detected
  instead of trusted.
* Once a rollback begins, ``state`` says so: a resume would otherwise redo ops whose
  files the rollback had already restored.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from msgspec import Struct

from generator.apply.crash import Writer
from generator.apply.fs import read_regular, remove_temp, sha256_bytes, temp_path
from generator.apply.ops import FileOp, ManifestRecipe, OpOutcome
from generator.apply.paths import safe_target
from generator.errors import DayOneError, UnsafePathError

SCHEMA_VERSION = 1
JOURNAL_DIR = ".dayone/journal"
_PLAN = "journal.json"
_PROGRESS = "progress.json"
_BACKUPS = "backup"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_T = TypeVar("_T")


class JournalInfo(Struct, frozen=True):
    """An unfinished apply, as :func:`generator.apply.transaction.pending` reports it."""

    started_at: datetime
    total: int
    done: int
    rolling_back: bool

    def describe(self) -> str:
        """One line for people: when it started and how far it got."""
        when = self.started_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
        if self.rolling_back:
            return f"started {when}; a rollback of it was interrupted too"
        return f"started {when}; {self.done} of {self.total} file changes done"


class Entry(Struct, frozen=True):
    """One op as journalled: the op, and what its file held when the journal was written."""

    op: FileOp
    found_sha256: str | None
    found_mode: int | None


class Recorded(Struct, frozen=True):
    """Everything an interrupted apply left in its journal."""

    started_at: datetime
    entries: tuple[Entry, ...]
    outcomes: tuple[OpOutcome, ...]
    rolling_back: bool

    @property
    def info(self) -> JournalInfo:
        return JournalInfo(
            self.started_at, len(self.entries), len(self.outcomes), self.rolling_back
        )


def load(root: Path) -> Recorded | None:
    """The journal of ``root``'s unfinished apply, or ``None`` if there is none."""
    folder = safe_target(root, JOURNAL_DIR)
    if os.path.lexists(folder) and not os.path.isdir(folder):
        raise DayOneError(
            f"{folder} is a file, not the folder where Day One keeps its apply journal.",
            hint="Move that file out of the way, then run the command again.",
        )
    plan = _read_json(folder / _PLAN)
    if plan is None:
        return None
    try:
        progress = _read_json(folder / _PROGRESS) or {"state": "applying", "outcomes": []}
        return Recorded(
            started_at=datetime.fromisoformat(_get(plan, "started_at", str)),
            entries=tuple(_entry(raw) for raw in _get(plan, "ops", list)),
            outcomes=tuple(_outcome(raw) for raw in _get(progress, "outcomes", list)),
            rolling_back=_get(progress, "state", str) == "rolling_back",
        )
    except (KeyError, TypeError, ValueError) as error:
        raise _damaged(folder, error) from error


class Journal:
    """Writes the journal of one apply (or of its resume or rollback)."""

    def __init__(self, root: Path, writer: Writer) -> None:
        self._folder = safe_target(root, JOURNAL_DIR)
        self._writer = writer

    def clear_temps(self, root: Path, entries: Sequence[Entry]) -> None:
        """Remove the temporary files of ``entries``' writes: an apply killed in the
        middle of a write leaves one. The journal names them all (see ``temp``)."""
        for entry in entries:
            try:
                remove_temp(temp_path(safe_target(root, entry.op.path)))
            except (UnsafePathError, OSError):
                continue

    def clear_debris(self) -> None:
        """Remove a journal folder that has no commit record (see the module docs)."""
        if os.path.lexists(self._folder) and not os.path.lexists(self._folder / _PLAN):
            shutil.rmtree(self._folder)

    def start(self, started_at: datetime, entries: Sequence[Entry]) -> None:
        plan = {
            "schema_version": SCHEMA_VERSION,
            "started_at": started_at.isoformat(timespec="seconds"),
            "ops": [_entry_json(entry) for entry in entries],
        }
        self._writer.write(self._folder / _PLAN, _dump(plan))

    def save_backup(self, data: bytes) -> None:
        """Keep ``data`` under its hash, unless a backup with that hash is already kept."""
        path = self._backup_path(sha256_bytes(data))
        if not os.path.lexists(path):
            self._writer.write(path, data)

    def backup(self, sha: str) -> bytes | None:
        """The backed-up bytes with this hash, or ``None`` if missing or damaged."""
        found = read_regular(self._backup_path(sha))
        if found is None or sha256_bytes(found[0]) != sha:
            return None
        return found[0]

    def record(self, outcomes: Sequence[OpOutcome], *, rolling_back: bool) -> None:
        progress = {
            "schema_version": SCHEMA_VERSION,
            "state": "rolling_back" if rolling_back else "applying",
            "outcomes": [
                {"path": out.path, "status": out.status, "reason": out.reason} for out in outcomes
            ],
        }
        self._writer.write(self._folder / _PROGRESS, _dump(progress))

    def finish(self) -> None:
        """Drop the commit record (the apply is then over), then the rest."""
        self._writer.delete(self._folder / _PLAN)
        # Whatever survives a failure here is debris that the next apply removes.
        shutil.rmtree(self._folder, ignore_errors=True)

    def _backup_path(self, sha: str) -> Path:
        return self._folder / _BACKUPS / sha


def _dump(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=2) + "\n").encode()


def _read_json(path: Path) -> dict[str, Any] | None:
    found = read_regular(path)
    if found is None:
        return None
    try:
        document = json.loads(found[0])
    except ValueError as error:
        raise _damaged(path.parent, error) from error
    if not isinstance(document, dict) or document.get("schema_version") != SCHEMA_VERSION:
        raise DayOneError(
            f"The apply journal in {str(path.parent)!r} was written by another version of Day One.",
            hint="Finish it with that version, or delete the folder to discard it.",
        )
    return document


def _entry_json(entry: Entry) -> dict[str, Any]:
    op = entry.op
    content = None if op.content is None else base64.b64encode(op.content).decode()
    return {
        "path": op.path,
        "content_b64": content,
        "content_sha256": op.new_sha256,
        "expected_sha256": op.expected_sha256,
        "mode": op.mode,
        "found_sha256": entry.found_sha256,
        "found_mode": entry.found_mode,
        "temp": temp_path(Path(op.path)).as_posix(),
        "requires": op.requires,
        "manifest": None if op.manifest is None else _recipe_json(op.manifest),
    }


def _recipe_json(recipe: ManifestRecipe) -> dict[str, Any]:
    return {
        "generator_version": recipe.generator_version,
        "spec_sha256": recipe.spec_sha256,
        "files": recipe.files,
        "baseline_dir": recipe.baseline_dir,
        "advance_to": None if recipe.advance_to is None else list(recipe.advance_to),
    }


def _recipe(raw: object) -> ManifestRecipe | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise TypeError("manifest is not a JSON object")
    files = _get(raw, "files", dict)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise TypeError("manifest files are not strings")
    advance = _optional(raw, "advance_to", list)
    if advance is not None and (len(advance) != 2 or not all(isinstance(a, str) for a in advance)):
        raise TypeError("advance_to is not a pair of strings")
    return ManifestRecipe(
        generator_version=_get(raw, "generator_version", str),
        spec_sha256=_get(raw, "spec_sha256", str),
        files=files,
        baseline_dir=_get(raw, "baseline_dir", str),
        advance_to=None if advance is None else (advance[0], advance[1]),
    )


def _entry(raw: object) -> Entry:
    if not isinstance(raw, dict):
        raise TypeError("an op is not a JSON object")
    encoded = _optional(raw, "content_b64", str)
    content = None if encoded is None else base64.b64decode(encoded, validate=True)
    op = FileOp(
        path=_get(raw, "path", str),
        content=content,
        expected_sha256=_sha(raw, "expected_sha256"),
        mode=_optional(raw, "mode", int),
        requires=_optional(raw, "requires", str) if "requires" in raw else None,
        manifest=_recipe(raw.get("manifest")),
    )
    if op.new_sha256 != _sha(raw, "content_sha256"):
        raise ValueError(f"the new content for {op.path!r} does not match its hash")
    return Entry(op, _sha(raw, "found_sha256"), _optional(raw, "found_mode", int))


def _outcome(raw: object) -> OpOutcome:
    if not isinstance(raw, dict):
        raise TypeError("an outcome is not a JSON object")
    status = _get(raw, "status", str)
    if status not in ("applied", "refused"):
        raise ValueError(f"unknown status {status!r}")
    return OpOutcome(
        _get(raw, "path", str),
        "applied" if status == "applied" else "refused",
        _get(raw, "reason", str),
    )


def _sha(raw: dict[str, Any], key: str) -> str | None:
    value = _optional(raw, key, str)
    if value is not None and not _SHA256.fullmatch(value):
        raise ValueError(f"{key} is not a SHA-256")
    return value


def _get(raw: dict[str, Any], key: str, kind: type[_T]) -> _T:
    value = raw[key]
    if not isinstance(value, kind):
        raise TypeError(f"{key} is not a {kind.__name__}")
    return value


def _optional(raw: dict[str, Any], key: str, kind: type[_T]) -> _T | None:
    return None if raw[key] is None else _get(raw, key, kind)


def _damaged(folder: Path, error: Exception) -> DayOneError:
    return DayOneError(
        f"The apply journal in {str(folder)!r} is damaged ({error}).",
        hint="Look at it, and restore your files by hand or from version control; "
        "then delete the folder.",
    )
