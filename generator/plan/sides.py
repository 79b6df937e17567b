"""The files a conflict leaves for the user, and which of them are Day One's.

A conflict writes the template's version beside the user's file (``<path>.new``)
or, with ``--markers``, conflict markers into it; in a git work tree those markers
come with the three versions staged in git's index. ``.dayone/conflict-files.json``
records what Day One wrote there (the sha256 of exactly those bytes), so that:

* a ``.new`` is overwritten only while it still holds exactly what Day One wrote;
  anything else at that name (a file of the user's, or Day One's file the user has
  edited) is the user's, and the template's version goes to the next free name
  (``<path>.new.1`` ... ``<path>.new.9``), or, with none free, the path is refused;
* a conflict staged in git and then resolved with ``git add`` is recognised, and
  the user's merged file counts as their edit of the template's version.

Pure: the caller reads the disk and git, these functions decide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import msgspec
from msgspec import Struct, field
from msgspec.structs import replace

from generator.errors import DayOneError
from generator.plan.model import Action, ActionKind, ConflictKind, sha256

RECORD_FILE = ".dayone/conflict-files.json"
RECORD_SCHEMA_VERSION = 1
NEW_SUFFIX = ".new"
MORE_NAMES = 9  # <path>.new.1 ... <path>.new.9 after <path>.new
NOT_A_FILE = ""  # the "sha256" of something at a name that is not a regular file

# A conflict block as Day One (and git) write it: opening, separator, closing line.
_MARKERS = re.compile(
    rb"^<{7}(?: [^\r\n]*)?\r?$.*?^={7}\r?$.*?^>{7}(?: [^\r\n]*)?\r?$", re.M | re.S
)


class Written(Struct, frozen=True, forbid_unknown_fields=True):
    """One file Day One wrote for a conflict at ``path``."""

    path: str  # the conflicted path
    file: str  # what was written: a side file, or ``path`` itself (markers staged in git)
    sha256: str  # of exactly the bytes written
    theirs: str  # sha256 of the template's version at the time
    staged: bool = False  # the three versions were recorded in git's index
    ours: str | None = None  # staged: sha256 of the user's version before the markers


class Records(Struct, frozen=True, forbid_unknown_fields=True):
    schema_version: int
    written: list[Written] = field(default_factory=list)


class RecordError(DayOneError):
    """``.dayone/conflict-files.json`` cannot be read."""


def parse_records(data: bytes | None) -> list[Written]:
    """The records in ``data`` (the file's bytes; ``None``: no file, no records)."""
    if data is None:
        return []
    hint = (
        f"Delete {RECORD_FILE} (Day One then treats every `.new` file as yours) "
        "and run `dayone plan` again."
    )
    try:
        records = msgspec.json.decode(data, type=Records)
    except msgspec.DecodeError as exc:
        raise RecordError(f"{RECORD_FILE} is damaged: {exc}", hint=hint) from None
    if records.schema_version != RECORD_SCHEMA_VERSION:
        raise RecordError(
            f"{RECORD_FILE} has schema version {records.schema_version}; this Day One reads "
            f"{RECORD_SCHEMA_VERSION}",
            hint=hint,
        )
    for record in records.written:
        if record.file != record.path and record.file not in candidates(record.path):
            raise RecordError(
                f"{RECORD_FILE} says Day One wrote {record.file!r} for {record.path!r}, "
                "which is not a name Day One uses",
                hint=hint,
            )
    return records.written


def records_bytes(written: list[Written]) -> bytes | None:
    """The file's bytes for ``written`` (``None``: nothing to record, no file)."""
    if not written:
        return None
    entries = [msgspec.to_builtins(w) for w in sorted(written, key=lambda w: (w.file, w.path))]
    data = {"schema_version": RECORD_SCHEMA_VERSION, "written": entries}
    return (json.dumps(data, indent=2) + "\n").encode()


def candidates(path: str) -> list[str]:
    """The names the template's version of a conflicted ``path`` may take, in order."""
    side = path + NEW_SUFFIX
    return [side] + [f"{side}.{n}" for n in range(1, MORE_NAMES + 1)]


def choose(
    path: str,
    found: Mapping[str, str],
    owned: Mapping[str, str],
    generated: frozenset[str] | set[str],
) -> tuple[str | None, str | None]:
    """Where the template's version of ``path`` goes, and what is there now.

    ``found``: sha256 of what each existing candidate holds (``NOT_A_FILE`` for a
    folder, symlink ...; absent: nothing there). ``owned``: file -> sha256 Day One
    recorded writing there. The first candidate that is free, or holds exactly what
    Day One wrote, and is not itself a generated path; ``(None, None)`` if none is.
    """
    for name in candidates(path):
        if name in generated:
            continue
        there = found.get(name)
        if there is None:
            return name, None
        if there != NOT_A_FILE and owned.get(name) == there:
            return name, there
    return None, None


def has_markers(data: bytes | None) -> bool:
    """Whether ``data`` still holds a conflict block (``<<<<<<<`` / ``=======`` / ``>>>>>>>``)."""
    return data is not None and b"<<<<<<<" in data and _MARKERS.search(data) is not None


def resolved_in_git(
    written: list[Written],
    unmerged: frozenset[str],
    disk: Mapping[str, bytes],
    theirs: Mapping[str, str | None],
) -> frozenset[str]:
    """Paths whose conflict Day One staged in git and the user resolved there.

    Resolved: git no longer holds the path unmerged (``git add``), the file has no
    conflict markers left and is not simply the user's version from before the
    conflict (``git checkout``/``git reset`` undo a conflict that way: it stays a
    conflict, so the template's change is not dropped unseen), and the template's
    version is still the one staged (``theirs``: path -> its sha256 now).
    """
    return frozenset(
        w.path
        for w in written
        if w.staged
        and w.path == w.file
        and w.path not in unmerged
        and w.path in disk
        and not has_markers(disk[w.path])
        and sha256(disk[w.path]) != w.ours
        and theirs.get(w.path) == w.theirs
    )


def hold_marked(actions: list[Action], disk: Mapping[str, bytes]) -> list[Action]:
    """``actions`` with every merge into a file that still holds conflict markers
    turned into a conflict: a line merge would take the markers for the user's
    lines and write the template's change in among them."""
    out: list[Action] = []
    for action in actions:
        if action.kind is ActionKind.MERGE and has_markers(disk.get(action.path)):
            action = replace(
                action,
                kind=ActionKind.CONFLICT,
                reason="it still holds conflict markers from an earlier conflict; "
                "resolve them before it can merge",
                conflict_kind=ConflictKind.CONTENT,
                content=None,
                result=action.planned,
                unresolved_markers=True,
            )
        out.append(action)
    return out


def settle(
    actions: list[Action],
    found: Mapping[str, str],
    written: list[Written],
    disk: Mapping[str, bytes],
    generated: frozenset[str] | set[str],
    resolved: frozenset[str] = frozenset(),
) -> list[Action]:
    """``actions`` with every conflict's side file chosen and its markers noted.

    ``resolved``: paths resolved in git (see :func:`resolved_in_git`), whose
    ``keep`` says so.
    """
    owned = {w.file: w.sha256 for w in written if w.file != w.path}
    out: list[Action] = []
    for action in actions:
        if action.kind is ActionKind.CONFLICT:
            name, there = (None, None)
            if (
                action.theirs is not None
                and action.conflict_kind is not ConflictKind.DROPPED_EDITED
            ):
                name, there = choose(action.path, found, owned, generated)
            on_disk = disk.get(action.source or action.path)
            action = replace(
                action,
                new_file=name,
                new_file_planned=there,
                unresolved_markers=has_markers(on_disk),
            )
        elif action.path in resolved and action.kind is ActionKind.KEEP:
            action = replace(
                action, reason="you resolved the conflict in git (`git add`): your version stays"
            )
        out.append(action)
    return out


def wanted_names(actions: list[Action], written: list[Written]) -> set[str]:
    """Every name whose disk state :func:`settle` needs: the candidates of each
    conflict, and each file recorded as written."""
    names = {w.file for w in written}
    for action in actions:
        if action.kind is ActionKind.CONFLICT:
            names.update(candidates(action.path))
    return names
