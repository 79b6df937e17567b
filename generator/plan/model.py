"""What a plan says: one action per path, with the hashes that pin it down.

An action names what regeneration will do to one path and why. Its hashes
pin the plan to the files it was made from: ``planned`` is the file on disk
when planning (the stale-plan guard compares it before writing), ``baseline``
what Day One wrote last time, ``result`` what the path will hold afterwards.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from msgspec import Struct

if TYPE_CHECKING:
    from generator.merge import Conflict


class ActionKind(StrEnum):
    CREATE = "create"  # new in the template, absent on disk
    UPDATE = "update"  # template changed, file untouched since last generation
    IDENTICAL = "identical"  # disk already equals the new render
    KEEP = "keep"  # user edited, template unchanged
    MERGE = "merge"  # both changed, three-way merge is clean
    CONFLICT = "conflict"  # both changed and the merge is not clean, or see ConflictKind
    DELETE = "delete"  # template dropped a file the user never touched
    SKIP = "skip"  # the user deleted a generated file; respected
    MOVE = "move"  # the spec renamed something; the file moves, edits travel along


# Actions that leave the project as it is. `dayone check` passes when only these remain.
IN_SYNC = frozenset({ActionKind.IDENTICAL, ActionKind.KEEP, ActionKind.SKIP})
# Actions that `apply` writes.
WRITES = frozenset(
    {ActionKind.CREATE, ActionKind.UPDATE, ActionKind.MERGE, ActionKind.DELETE, ActionKind.MOVE}
)


class ConflictKind(StrEnum):
    CONTENT = "content"  # both sides changed the same lines
    REGION = "region"  # the user wrote inside a region Day One manages
    UNTRACKED = "untracked"  # a file of the user's sits where the template now creates one
    DROPPED_EDITED = "dropped-edited"  # the template drops a file the user edited
    MOVE = "move"  # a rename's target path is taken, or the moved file does not merge


def sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


class Action(Struct, frozen=True):
    path: str
    kind: ActionKind
    reason: str
    planned: str | None  # sha256 of the file on disk when planned (None: absent)
    baseline: str | None  # sha256 of what Day One last wrote here (None: nothing)
    result: str | None  # sha256 of the file after apply (None: absent)
    source: str | None = None  # a move's old path
    source_planned: str | None = None  # sha256 of the file at the old path when planned
    conflict_kind: ConflictKind | None = None
    hunks: tuple[Conflict, ...] = ()
    destructive: bool = False
    executable: bool = False
    # Content, not serialised: what apply writes (its sha256 is `result`) and what the
    # template wants here (theirs: written beside a conflicted file as <path>.new).
    content: bytes | None = None
    theirs: bytes | None = None
    # For conflicts: the file with git-style conflict markers (`apply --markers`).
    marked: bytes | None = None
    # For conflicts: where apply writes the template's version (None: nowhere, see
    # generator.plan.sides), what that name holds now, and whether the file itself
    # still holds conflict markers (then `--markers` refuses it).
    new_file: str | None = None
    new_file_planned: str | None = None
    unresolved_markers: bool = False

    def __repr__(self) -> str:
        # Whole files would drown the rest: the content fields are left out.
        shown = (f"{name}={getattr(self, name)!r}" for name in _REPR_FIELDS)
        return f"Action({', '.join(shown)})"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "action": self.kind.value,
            "reason": self.reason,
            "sha256": {"planned": self.planned, "baseline": self.baseline, "result": self.result},
        }
        if self.source is not None:
            data["from"] = self.source
            data["sha256"]["from_planned"] = self.source_planned
        if self.conflict_kind is not None:
            data["conflict"] = self.conflict_kind.value
            data["new_file"] = self.new_file
            data["sha256"]["new_file_planned"] = self.new_file_planned
        if self.destructive:
            data["destructive"] = True
        return data


_REPR_FIELDS = tuple(
    name for name in Action.__struct_fields__ if name not in ("content", "theirs", "marked")
)


def summarize(actions: list[Action]) -> dict[str, int]:
    counts = {kind.value: 0 for kind in ActionKind}
    for action in actions:
        counts[action.kind.value] += 1
    return counts
