"""What apply writes for a conflict, and the record of it.

The plan chose where the template's version goes (``Action.new_file``, see
:mod:`generator.plan.sides`) from what the disk held when planning; the write is
guarded by the sha256 seen then, so a file that appears at that name afterwards is
refused, never replaced. ``.dayone/conflict-files.json`` is rewritten in the same
transaction with what this apply writes, plus the earlier records that still hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from generator.apply.ops import FileOp
from generator.plan.model import Action, ActionKind, ConflictKind, sha256
from generator.plan.sides import RECORD_FILE, Written, records_bytes

NO_FREE_NAME = (
    "every name for the template's version ({first} ... .9) holds a file of yours; "
    "move one away, then plan again"
)
STILL_MARKED = (
    "still holds conflict markers from an earlier conflict; resolve them first "
    "(edit the file, then `git add` it or run `dayone resolve`), then plan again"
)


def conflict_op(action: Action, markers: bool) -> tuple[FileOp | None, str | None]:
    """The write for a conflict (``None``: nothing to write), or why it is refused.

    The user's file is never touched, except with ``markers``, which writes conflict
    markers into it unless it still holds markers from before (no nesting).
    """
    if action.conflict_kind is ConflictKind.DROPPED_EDITED or action.theirs is None:
        return None, None
    if markers and action.unresolved_markers:
        return None, STILL_MARKED
    if markers and action.marked is not None:
        return FileOp(action.path, action.marked, action.planned), None
    if action.new_file is None:
        return None, NO_FREE_NAME.format(first=action.path + ".new")
    return FileOp(action.new_file, action.theirs, action.new_file_planned), None


def records_op(
    written_now: Iterable[tuple[Action, FileOp, str | None]],
    earlier: list[Written],
    actions: list[Action],
    held: Iterable[str],
    disk_sha: Callable[[str], str | None],
) -> FileOp | None:
    """The update of the conflict-files record, if it changes.

    ``written_now``: each conflict's action, its write, and for markers that will
    be staged in git, the sha256 of the user's version they replace. An earlier
    record stays while it still means something: a side file that holds exactly
    what Day One wrote, or a staged conflict still in conflict (or whose
    resolution this apply cannot record: ``held`` paths, refused as stale).
    """
    records: dict[str, Written] = {}
    for action, op, ours in written_now:
        assert op.content is not None and action.theirs is not None
        records[op.path] = Written(
            path=action.path,
            file=op.path,
            sha256=sha256(op.content) or "",
            theirs=sha256(action.theirs) or "",
            staged=ours is not None,
            ours=ours,
        )
    conflicted = {a.path for a in actions if a.kind is ActionKind.CONFLICT} | set(held)
    for record in earlier:
        if record.file in records:
            continue
        if record.file != record.path:
            keep = disk_sha(record.file) == record.sha256
        else:
            keep = record.staged and record.path in conflicted
        if keep:
            records[record.file] = record
    content = records_bytes(list(records.values()))
    current = disk_sha(RECORD_FILE)
    if sha256(content) == current:
        return None
    return FileOp(RECORD_FILE, content, current)
