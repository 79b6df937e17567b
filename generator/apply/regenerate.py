"""Apply a regeneration plan: guard it, turn it into file operations, run them.

The plan on disk (``plan.json``) is what the user reviewed; the caller
re-plans from the current files and passes both. The guard compares them:

* a plan made for another spec, another Day One version or another plan
  format is refused whole (``PlanRefused``);
* an action whose file changed since planning (its sha256 differs), or whose
  outcome would now differ, is refused alone and reported; the rest proceeds.

Each file write goes through ``transaction.run`` (atomic per file, journalled
as a whole, resumable), together with the baseline updates for exactly the
paths applied. Conflicts never touch the user's file: the template's version
is written beside it as ``<path>.new`` (or the next free name: see
:mod:`generator.plan.sides`), or, with ``markers``, the file gets diff3-style
conflict markers (staged in git's index too, in a git work tree).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from generator.apply.conflicts import conflict_op
from generator.apply.ops import FileOp, OpOutcome
from generator.errors import DayOneError
from generator.plan import IN_SYNC, PLAN_SCHEMA_VERSION, Action, ActionKind, Plan
from generator.plan.model import sha256
from generator.state import BASELINE_DIR


class PlanRefused(DayOneError):
    """The stored plan cannot be applied at all."""


class Options(Struct, frozen=True):
    markers: bool = False
    allow_destructive: bool = False


class Report(Struct):
    applied: list[Action] = field(default_factory=list)
    conflicts: list[tuple[Action, str]] = field(default_factory=list)  # action, file written
    refused: list[tuple[str, str]] = field(default_factory=list)  # path, reason
    notes: list[str] = field(default_factory=list)  # e.g. the conflicts staged in git

    @property
    def exit_code(self) -> int:
        return 1 if self.conflicts or self.refused else 0


def check_plan(stored: Mapping[str, Any], current: Plan, options: Options) -> None:
    """Refuse a stored plan that does not belong to the current project state."""
    hint = "Run `dayone plan` again, review it, then apply."
    if stored.get("schema_version") != PLAN_SCHEMA_VERSION:
        raise PlanRefused(
            f"plan.json has format version {stored.get('schema_version')!r}; "
            f"this Day One writes {PLAN_SCHEMA_VERSION}",
            hint=hint,
        )
    version = (stored.get("generator") or {}).get("version")
    if version != current.generator_version:
        raise PlanRefused(
            f"plan.json was made by Day One {version}, this is {current.generator_version}",
            hint=hint,
        )
    if stored.get("spec_sha256") != current.spec_sha256:
        raise PlanRefused("dayone.yaml changed since plan.json was made", hint=hint)
    if current.destructive and not options.allow_destructive:
        dropping = ", ".join(a.path for a in current.actions if a.destructive)
        raise PlanRefused(
            f"the plan drops data (a migration removes tables or columns: {dropping})",
            hint="Back up the database, review the migration, then apply with --allow-destructive.",
        )


def stale_actions(stored: Mapping[str, Any], current: Plan) -> dict[str, str]:
    """Paths whose action no longer matches the stored plan, with the reason."""
    planned = {a["path"]: a for a in stored.get("actions", [])}
    stale: dict[str, str] = {}
    for action in current.actions:
        before = planned.get(action.path)
        in_sync = action.kind in IN_SYNC
        if before is None:
            if not in_sync:
                stale[action.path] = "not in plan.json: the project changed since planning"
            continue
        shas = before.get("sha256", {})
        if in_sync and shas.get("result") == action.planned:
            continue  # already applied (by an earlier run of the same plan)
        if shas.get("planned") != action.planned:
            stale[action.path] = (
                f"changed on disk since planning (planned sha256 {_short(shas.get('planned'))}, "
                f"now {_short(action.planned)})"
            )
        elif before.get("action") != action.kind.value or shas.get("result") != action.result:
            stale[action.path] = (
                f"would now be '{action.kind.value}' instead of '{before.get('action')}'"
            )
        elif action.source is not None and shas.get("from_planned") != action.source_planned:
            stale[action.path] = f"{action.source} changed on disk since planning"
        elif before.get("new_file") != action.new_file:
            stale[action.path] = (
                f"the template's version would now go to {action.new_file or 'no free name'} "
                f"instead of {before.get('new_file')}: a file appeared there since planning"
            )
    return stale


def _short(digest: object) -> str:
    return str(digest)[:12] if digest else "absent"


class Step(Struct):
    """One action and the file operations that carry it out."""

    action: Action
    ops: list[FileOp] = field(default_factory=list)
    side_file: str | None = None  # for conflicts: what was written for the user
    refusal: str | None = None  # for conflicts: why nothing could be written


def build_steps(
    current: Plan,
    stale: Mapping[str, str],
    baseline: Mapping[str, bytes],
    options: Options,
) -> list[Step]:
    """File operations for every action that may proceed.

    Baseline updates travel with the action they record, so the baseline
    changes for exactly the paths applied. A conflict's write is guarded by
    what its file held when planning (see :mod:`generator.apply.conflicts`).
    """
    steps: list[Step] = []
    for action in current.actions:
        if action.path in stale:
            continue
        step = Step(action)
        mode = 0o755 if action.executable else None

        def track(path: str, content: bytes | None, step: Step = step) -> None:
            """Record ``content`` as what Day One wrote at ``path`` (None: forget it);
            when this step writes ``path`` too, only once that write is applied."""
            before = baseline.get(path)
            if before != content:
                writes = any(op.path == path for op in step.ops)
                step.ops.append(
                    FileOp(
                        f"{BASELINE_DIR}/{path}",
                        content,
                        sha256(before),
                        requires=path if writes else None,
                    )
                )

        kind = action.kind
        if kind in (ActionKind.CREATE, ActionKind.UPDATE, ActionKind.MERGE):
            if action.planned != action.result:  # else the file already holds the result
                step.ops.append(FileOp(action.path, action.content, action.planned, mode))
            track(action.path, action.theirs)
        elif kind is ActionKind.DELETE:
            step.ops.append(FileOp(action.path, None, action.planned))
            track(action.path, None)
        elif kind is ActionKind.MOVE:
            assert action.source is not None
            step.ops.append(FileOp(action.path, action.content, None, mode))
            step.ops.append(FileOp(action.source, None, action.source_planned))
            track(action.path, action.theirs)
            track(action.source, None)
        elif kind in (ActionKind.IDENTICAL, ActionKind.KEEP):
            # A keep's baseline is already the template's version, unless the user
            # resolved a conflict in git (see generator.plan.sides): then it becomes so.
            track(action.path, action.theirs)
        elif kind is ActionKind.SKIP and action.theirs is None and action.source is None:
            track(action.path, None)  # gone from template and disk: forget it
        elif kind is ActionKind.CONFLICT:
            side, step.refusal = conflict_op(action, options.markers)
            if side is not None:
                step.ops.append(side)
                step.side_file = side.path
        if step.ops or kind is ActionKind.CONFLICT:
            steps.append(step)
    return steps


def report(steps: list[Step], outcomes: list[OpOutcome], stale: Mapping[str, str]) -> Report:
    """Sort the outcome of every step into applied, conflicts and refusals."""
    refused = {o.path: o.reason for o in outcomes if o.status == "refused"}
    result = Report(refused=sorted(stale.items()))
    for step in steps:
        problems = [(op.path, refused[op.path]) for op in step.ops if op.path in refused]
        # A baseline copy not recorded because its file was refused says nothing new.
        causes = [(p, why) for p, why in problems if not p.startswith(BASELINE_DIR + "/")]
        problems = causes or problems
        if problems:
            result.refused.extend(problems)
        elif step.refusal is not None:
            result.refused.append((step.action.path, step.refusal))
        elif step.action.kind is ActionKind.CONFLICT:
            result.conflicts.append((step.action, step.side_file or "left in place"))
        else:
            result.applied.append(step.action)
    return result


def read_sha(root: Path) -> Callable[[str], str | None]:
    def digest(rel: str) -> str | None:
        path = root / rel
        return sha256(path.read_bytes()) if path.is_file() and not path.is_symlink() else None

    return digest
