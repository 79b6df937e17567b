"""Planning a regeneration: (baseline, disk, new render) -> actions.

Pure and deterministic: ``make_plan`` reads nothing and writes nothing. The
plan serialises to ``plan.json`` and ``conflicts.json`` (format in
docs/regeneration.md), and ``apply`` re-derives it before writing, so a plan
can never be applied to files that changed after it was made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec import Struct, field

from generator.plan.classify import Inputs, classify
from generator.plan.model import (
    IN_SYNC,
    WRITES,
    Action,
    ActionKind,
    ConflictKind,
    summarize,
)

PLAN_SCHEMA_VERSION = 1


class Plan(Struct, frozen=True):
    generator_version: str
    spec_sha256: str
    baseline_generator_version: str
    baseline_spec_sha256: str
    actions: list[Action]
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        return summarize(self.actions)

    @property
    def conflicts(self) -> list[Action]:
        return [a for a in self.actions if a.kind is ActionKind.CONFLICT]

    @property
    def changes(self) -> list[Action]:
        """Actions that are not already in sync."""
        return [a for a in self.actions if a.kind not in IN_SYNC]

    @property
    def in_sync(self) -> bool:
        return not self.changes

    @property
    def destructive(self) -> bool:
        return any(a.destructive for a in self.actions)

    def action(self, path: str) -> Action | None:
        return next((a for a in self.actions if a.path == path), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": PLAN_SCHEMA_VERSION,
            "generator": {"name": "dayone", "version": self.generator_version},
            "spec_sha256": self.spec_sha256,
            "baseline": {
                "generator_version": self.baseline_generator_version,
                "spec_sha256": self.baseline_spec_sha256,
            },
            "summary": self.summary,
            "destructive": self.destructive,
            "warnings": self.warnings,
            "actions": [a.to_json() for a in self.actions],
        }

    def conflicts_json(self) -> dict[str, Any]:
        return {
            "schema_version": PLAN_SCHEMA_VERSION,
            "spec_sha256": self.spec_sha256,
            "conflicts": [
                {
                    "path": a.path,
                    "kind": a.conflict_kind.value if a.conflict_kind else None,
                    "reason": a.reason,
                    **({"from": a.source} if a.source else {}),
                    "new_file": a.new_file,
                    "hunks": [h.to_json() for h in a.hunks],
                }
                for a in self.conflicts
            ],
        }


def make_plan(
    *,
    baseline: Mapping[str, bytes],
    disk: Mapping[str, bytes],
    new: Mapping[str, bytes],
    generator_version: str,
    spec_sha256: str,
    baseline_generator_version: str,
    baseline_spec_sha256: str,
    moves: Mapping[str, str] | None = None,
    executable: frozenset[str] = frozenset(),
    destructive: frozenset[str] = frozenset(),
    symlinks: frozenset[str] = frozenset(),
    warnings: list[str] | None = None,
    restore: bool = False,
) -> Plan:
    actions = classify(
        Inputs(
            baseline=baseline,
            disk=disk,
            new=new,
            moves=moves or {},
            executable=executable,
            destructive=destructive,
            symlinks=symlinks,
            restore=restore,
        )
    )
    return Plan(
        generator_version=generator_version,
        spec_sha256=spec_sha256,
        baseline_generator_version=baseline_generator_version,
        baseline_spec_sha256=baseline_spec_sha256,
        actions=actions,
        warnings=list(warnings or []),
    )


__all__ = [
    "IN_SYNC",
    "PLAN_SCHEMA_VERSION",
    "WRITES",
    "Action",
    "ActionKind",
    "ConflictKind",
    "Plan",
    "make_plan",
]
