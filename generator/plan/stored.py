"""Reading ``plan.json`` back: its documented format, typed, and whether it is the plan
Day One makes now.

``plan.json`` is what the user reviewed, and ``apply`` only ever writes what it
plans again from the current files; but a plan.json that is not the plan Day One
made (a key of the wrong type, an action added, dropped or altered by hand) is
refused whole rather than half-trusted. ``decode`` checks the shape and names
the key path that is wrong; ``check_matches`` compares the actions with the
current plan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from msgspec import Meta, Struct, field

from generator.apply.paths import check_relative
from generator.errors import DayOneError, UnsafePathError
from generator.plan.model import ActionKind, ConflictKind

if TYPE_CHECKING:
    from generator.plan import Plan

PLAN_NAME = "plan.json"

Digest = Annotated[str, Meta(pattern="^[0-9a-f]{64}$")]


class StoredPlanError(DayOneError):
    """plan.json is not a plan of the documented format."""


class PlanMismatch(DayOneError):
    """plan.json is well formed but is not the plan Day One makes for the project now."""


class StoredHashes(Struct, kw_only=True):
    planned: Digest | None
    baseline: Digest | None
    result: Digest | None
    from_planned: Digest | None = None


class StoredAction(Struct, kw_only=True):
    path: str
    action: ActionKind
    reason: str
    sha256: StoredHashes
    source: str | None = field(default=None, name="from")
    conflict: ConflictKind | None = None
    destructive: bool = False


class StoredGenerator(Struct, kw_only=True):
    name: str
    version: str


class StoredBaseline(Struct, kw_only=True):
    generator_version: str
    spec_sha256: str


class StoredOptions(Struct, kw_only=True):
    restore: bool = False


class StoredPlan(Struct, kw_only=True):
    schema_version: int
    generator: StoredGenerator
    spec_sha256: str
    baseline: StoredBaseline
    summary: dict[str, int]
    destructive: bool
    warnings: list[str]
    options: StoredOptions = field(default_factory=StoredOptions)
    actions: list[StoredAction]


def decode(data: Any, *, name: str, hint: str) -> StoredPlan:
    """``data`` (plan.json as plain JSON) as a ``StoredPlan``; ``StoredPlanError``
    naming the key path when it does not have the documented shape."""
    try:
        return msgspec.convert(data, StoredPlan)
    except msgspec.ValidationError as exc:
        raise StoredPlanError(f"{name} is not a valid plan: {exc}", hint=hint) from None


def check_matches(stored: StoredPlan, current: Plan, exists: Callable[[str], bool]) -> None:
    """Refuse ``stored`` unless its actions are those of ``current`` (Day One's plan
    now), up to what changed on disk since planning or was applied since.

    * every path Day One plans now has its action in plan.json, once;
    * an action in plan.json for a path Day One no longer plans is one that left
      nothing there (an applied delete): its result is absent, and so is the file;
    * an action whose file and baseline are as they were when planned says exactly
      what Day One plans for it now (action, result, source).

    A file that changed on disk since planning is not a mismatch: apply refuses that
    path alone.
    """
    hint = "Run `dayone plan` again, review it, then apply."

    def refuse(detail: str) -> PlanMismatch:
        return PlanMismatch(f"{PLAN_NAME} does not match the project: {detail}", hint=hint)

    planned: dict[str, StoredAction] = {}
    for entry in stored.actions:
        for rel in (entry.path, entry.source):
            if rel is None:
                continue
            try:
                check_relative(rel)
            except UnsafePathError:
                raise refuse(f"it names an unsafe path {rel!r}") from None
        if entry.path in planned:
            raise refuse(f"it lists {entry.path} twice")
        planned[entry.path] = entry
    now = {a.path: a for a in current.actions}
    for path in sorted(now.keys() - planned.keys()):
        raise refuse(f"it has no action for {path}")
    for path in sorted(planned.keys() - now.keys()):
        if planned[path].sha256.result is not None or exists(path):
            raise refuse(f"it has an action for {path}, which Day One does not plan")
    for path, before in planned.items():
        action = now.get(path)
        if action is None:
            continue
        hashes = before.sha256
        if hashes.planned != action.planned or hashes.baseline != action.baseline:
            continue  # changed since planning: refused alone, or already applied
        if (
            before.action is not action.kind
            or hashes.result != action.result
            or before.source != action.source
        ):
            raise refuse(f"its action for {path} is not the one Day One plans")
