"""Classify every path three ways: baseline (what Day One wrote last), disk (what
is there now) and the new render. Pure: bytes in, actions out.

The rules, for a path the template emits:

=============  ==========  ===================  =================================
baseline       disk        new render           action
=============  ==========  ===================  =================================
absent         absent      present              create
absent         = new       present              identical
absent         other       present              conflict (a file of the user's)
present        absent      present              skip (deleted by the user), or
                                                create with ``restore``
present        = new       present              identical
present        = baseline  present              update
present        other       = baseline           keep
present        other       other                merge, or conflict if unclean
present        absent      absent               skip (gone everywhere)
present        = baseline  absent               delete
present        other       absent               conflict (edited, then dropped)
=============  ==========  ===================  =================================

A rename in the spec (``renamed_from``) maps old paths to new ones: the file
moves, and the user's edits are carried over by merging the old baseline, the
user's file and the new render.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from msgspec import Struct, field

from generator.errors import RegionError
from generator.plan.model import WRITES, Action, ActionKind, ConflictKind, sha256

if TYPE_CHECKING:
    from generator.merge import Conflict, MergeResult


class Inputs(Struct, frozen=True):
    baseline: Mapping[str, bytes]  # path -> what Day One last wrote there
    disk: Mapping[str, bytes]  # path -> current bytes, for the paths that exist
    new: Mapping[str, bytes]  # the new render
    moves: Mapping[str, str] = field(default_factory=dict)  # old path -> new path
    executable: frozenset[str] = frozenset()
    destructive: frozenset[str] = frozenset()  # new paths that drop data
    symlinks: frozenset[str] = frozenset()  # paths where a symlink sits on disk
    restore: bool = False


def classify(inputs: Inputs) -> list[Action]:
    actions: dict[str, Action] = {}
    handled: set[str] = set()
    for old, new in sorted(inputs.moves.items()):
        if old in inputs.baseline and new in inputs.new and new not in inputs.baseline:
            if new in inputs.disk or old in inputs.symlinks or new in inputs.symlinks:
                continue  # something sits at the target: classify both paths on their own
            actions[new] = _move(inputs, old, new)
            handled.update((old, new))
    for path in sorted((set(inputs.new) | set(inputs.baseline)) - handled):
        actions[path] = _classify_one(inputs, path)
    return [actions[path] for path in sorted(actions)]


def _classify_one(inputs: Inputs, path: str) -> Action:
    base = inputs.baseline.get(path)
    disk = inputs.disk.get(path)
    new = inputs.new.get(path)

    def act(
        kind: ActionKind,
        reason: str,
        content: bytes | None = None,
        conflict: ConflictKind | None = None,
        hunks: tuple[Conflict, ...] = (),
        marked: str | None = None,
    ) -> Action:
        if kind in (ActionKind.CREATE, ActionKind.UPDATE, ActionKind.MERGE):
            result = content
        else:  # nothing is written: the path keeps what it has (or loses it)
            result = None if kind is ActionKind.DELETE else disk
        return Action(
            path=path,
            kind=kind,
            reason=reason,
            planned=sha256(disk),
            baseline=sha256(base),
            result=sha256(result),
            content=content,
            theirs=new,
            conflict_kind=conflict,
            hunks=hunks,
            marked=marked.encode("utf-8") if marked is not None else None,
            executable=path in inputs.executable,
            destructive=path in inputs.destructive and kind in WRITES,
        )

    if path in inputs.symlinks:
        return act(
            ActionKind.CONFLICT,
            "a symlink sits at this generated path; Day One never writes through symlinks",
            conflict=ConflictKind.UNTRACKED,
        )
    if new is not None and base is None:
        if disk is None:
            return act(ActionKind.CREATE, "new in the template", new)
        if disk == new:
            return act(ActionKind.IDENTICAL, "already matches the template")
        whole = _merge(path, b"", disk, new)
        return act(
            ActionKind.CONFLICT,
            "a file of yours sits where the template now creates one",
            conflict=ConflictKind.UNTRACKED,
            hunks=whole.conflicts if whole is not None else (),
            marked=_markers(whole),
        )
    if new is not None and base is not None:
        if disk is None:
            if inputs.restore:
                return act(ActionKind.CREATE, "restored (you had deleted it)", new)
            return act(ActionKind.SKIP, "you deleted it; `--restore` brings it back")
        if disk == new:
            return act(ActionKind.IDENTICAL, "already matches the template")
        if disk == base:
            return act(ActionKind.UPDATE, "the template changed; you had not edited it", new)
        if new == base:
            return act(ActionKind.KEEP, "you edited it; the template did not change")
        try:
            merged = _merge(path, base, disk, new)
        except RegionError as exc:
            return act(
                ActionKind.CONFLICT,
                f"the dayone:begin/end markers are damaged ({exc.message}); restore them to merge",
                conflict=ConflictKind.REGION,
            )
        if merged is None:
            return act(
                ActionKind.CONFLICT, "not UTF-8 text: cannot merge", conflict=ConflictKind.CONTENT
            )
        if merged.clean:
            return act(
                ActionKind.MERGE,
                "your edits and the template's changes merge cleanly",
                merged.text().encode("utf-8"),
            )
        region = any(c.kind == "region" for c in merged.conflicts)
        return act(
            ActionKind.CONFLICT,
            _conflict_reason(merged),
            conflict=ConflictKind.REGION if region else ConflictKind.CONTENT,
            hunks=merged.conflicts,
            marked=_markers(merged),
        )
    # The template no longer emits this path.
    if disk is None:
        return act(ActionKind.SKIP, "gone from the template and from disk")
    if disk == base:
        return act(ActionKind.DELETE, "the template no longer emits it; you had not edited it")
    return act(
        ActionKind.CONFLICT,
        "the template no longer emits it, but you edited it: left in place",
        conflict=ConflictKind.DROPPED_EDITED,
    )


def _move(inputs: Inputs, old: str, new: str) -> Action:
    base = inputs.baseline[old]
    disk = inputs.disk.get(old)
    theirs = inputs.new[new]
    common = {
        "path": new,
        "planned": None,
        "baseline": sha256(base),
        "source": old,
        "source_planned": sha256(disk),
        "theirs": theirs,
        "executable": new in inputs.executable,
    }
    if disk is None:
        return Action(
            kind=ActionKind.SKIP,
            reason=f"moved from {old}, which you deleted; `--restore` brings it back",
            result=None,
            **common,  # type: ignore[arg-type]
        )
    if disk == base:
        return Action(
            kind=ActionKind.MOVE,
            reason=f"moved from {old}",
            result=sha256(theirs),
            content=theirs,
            **common,  # type: ignore[arg-type]
        )
    try:
        merged = _merge(new, base, disk, theirs)
    except RegionError:
        merged = None
    if merged is not None and merged.clean:
        text = merged.text().encode("utf-8")
        return Action(
            kind=ActionKind.MOVE,
            reason=f"moved from {old}; your edits carried over",
            result=sha256(text),
            content=text,
            **common,  # type: ignore[arg-type]
        )
    return Action(
        kind=ActionKind.CONFLICT,
        reason=f"moved from {old}, but your edits there do not merge with the new version",
        result=None,
        conflict_kind=ConflictKind.MOVE,
        hunks=merged.conflicts if merged is not None else (),
        marked=(_markers(merged) or "").encode("utf-8") or None,
        **common,  # type: ignore[arg-type]
    )


def _merge(path: str, base: bytes, ours: bytes, theirs: bytes) -> MergeResult | None:
    """The three-way merge, or None for content that is not UTF-8 text."""
    from generator.merge import merge_file  # loaded only when both sides changed a file

    try:
        texts = [b.decode("utf-8") for b in (base, ours, theirs)]
    except UnicodeDecodeError:
        return None
    return merge_file(path, texts[0], texts[1], texts[2])


def _conflict_reason(merged: MergeResult) -> str:
    kinds = {c.kind: c.name for c in merged.conflicts}
    if "region" in kinds:
        return "you wrote inside a region Day One manages"
    if "python-syntax" in kinds:
        return (
            f"your edits and the template's changes merge line by line, but the result "
            f"does not compile ({kinds['python-syntax']}): bring the changes in by hand"
        )
    return "you and the template changed the same lines"


def _markers(merged: MergeResult | None) -> str | None:
    if merged is None:
        return None
    return merged.with_markers(
        ours_label="yours", theirs_label="new template", base_label="last generated"
    )


def paths_needed(baseline: Iterable[str], new: Iterable[str], moves: Mapping[str, str]) -> set[str]:
    """Every path whose disk content the classification reads."""
    return set(baseline) | set(new) | set(moves)
